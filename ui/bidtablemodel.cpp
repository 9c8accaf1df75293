#include "bidtablemodel.h"

#include "leasepresentation.h"
#include "market/marketservice.h"
#include "marketpresentation.h"

#include <QDateTime>
#include <QLocale>

namespace headroom {

BidTableModel::BidTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void BidTableModel::setBids(const QList<MarketBid> &bids, const QString &currency)
{
    bool sameRows = bids.size() == m_bids.size();
    for (qsizetype i = 0; sameRows && i < bids.size(); ++i)
        sameRows = bids.at(i).id == m_bids.at(i).id;
    if (!sameRows) {
        beginResetModel();
        m_bids = bids;
        m_currency = currency;
        endResetModel();
        return;
    }
    m_bids = bids;
    m_currency = currency;
    if (!m_bids.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int BidTableModel::rowOf(qint64 bidId) const
{
    for (qsizetype i = 0; i < m_bids.size(); ++i) {
        if (m_bids.at(i).id == bidId)
            return int(i);
    }
    return -1;
}

int BidTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_bids.size());
}

int BidTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BidTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MarketBid &bid = m_bids.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(bid, index.column());
    case BidIdRole:
        return bid.id;
    case Qt::DecorationRole:
        if (index.column() == State)
            return presentation::stateDot(presentation::bidStateColor(bid.state));
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State)
            return presentation::bidStateColor(bid.state).darker(115);
        if (bid.state == BidState::Withdrawn || bid.state == BidState::Lost)
            return QColor(0x8c, 0x93, 0x9d);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Placed)
            return QLocale::c().toString(QDateTime::fromMSecsSinceEpoch(bid.createdAtMs, Qt::UTC),
                                         QStringLiteral("ddd d MMM HH:mm:ss 'UTC'"));
        if (index.column() == Purchaser)
            return QStringLiteral("Bid %1, placed through %2%3")
                .arg(bid.id)
                .arg(bid.source == QLatin1String("api") ? QStringLiteral("the purchaser API")
                                                        : bid.source)
                .arg(bid.requestId ? QStringLiteral(" (idempotency key %1)").arg(*bid.requestId)
                                   : QString());
        if (index.column() == Minimum && !bid.minRps)
            return QStringLiteral("All or nothing");
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Rate || index.column() == Minimum || index.column() == Price)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant BidTableModel::display(const MarketBid &bid, int column) const
{
    switch (column) {
    case Purchaser:
        return bid.purchaserName.isEmpty() ? QStringLiteral("purchaser %1").arg(bid.purchaserId)
                                           : bid.purchaserName;
    case Rate:
        return presentation::rateText(double(bid.rateRps));
    case Minimum:
        return bid.minRps ? presentation::rateText(double(*bid.minRps)) : QStringLiteral("all");
    case Price:
        return formatMinor(bid.priceMinor, m_currency);
    case State:
        return presentation::bidStateText(bid.state);
    case Placed: {
        // Today's to the second, as they arrive; older ones to the minute.
        const QDateTime placed = QDateTime::fromMSecsSinceEpoch(bid.createdAtMs, Qt::UTC);
        const bool today = placed.date() == QDateTime::currentDateTimeUtc().date();
        return QLocale::c().toString(placed, today ? QStringLiteral("HH:mm:ss")
                                                   : QStringLiteral("d MMM HH:mm"));
    }
    default:
        return {};
    }
}

QVariant BidTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Purchaser:
        return QStringLiteral("Purchaser");
    case Rate:
        return QStringLiteral("Rate");
    case Minimum:
        return QStringLiteral("Min");
    case Price:
        return QStringLiteral("Price / unit");
    case State:
        return QStringLiteral("State");
    case Placed:
        return QStringLiteral("Placed");
    default:
        return {};
    }
}

} // namespace headroom
