#include "market/auctioncloser.h"

#include "market/marketservice.h"
#include "store/database.h"

namespace headroom {

AuctionCloser::AuctionCloser(const QString &databasePath, QObject *parent)
    : QObject(parent), m_db(std::make_unique<Database>())
{
    if (const auto opened = m_db->open(databasePath); !opened)
        m_openError = opened.error().message;
}

AuctionCloser::~AuctionCloser() = default;

void AuctionCloser::closeDue()
{
    if (!m_openError.isEmpty()) {
        Q_EMIT message(QStringLiteral("auctions: cannot open the database: ") + m_openError);
        return;
    }
    const auto closed = MarketService(*m_db).closeDueAuctions(QStringLiteral("controller"));
    if (!closed)
        Q_EMIT message(QStringLiteral("auctions: ") + closed.error().message);
    else if (closed.value() > 0)
        Q_EMIT message(
            QStringLiteral("closed %1 auction(s) at their closing time").arg(closed.value()));
}

} // namespace headroom
