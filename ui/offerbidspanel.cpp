#include "offerbidspanel.h"

#include "bidtablemodel.h"
#include "leasepresentation.h"
#include "market/marketservice.h"
#include "marketpresentation.h"
#include "tablestyle.h"

#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace headroom {

OfferBidsPanel::OfferBidsPanel(QWidget *parent)
    : QWidget(parent), m_model(new BidTableModel(this)), m_title(new QLabel(this)),
      m_caption(new QLabel(this)), m_placeholder(new QLabel(this)), m_table(new QTableView(this)),
      m_content(new QStackedWidget(this)), m_preview(new QLabel(this))
{
    m_title->setObjectName(QStringLiteral("bidsTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_caption->setObjectName(QStringLiteral("bidsCaption"));
    m_caption->setWordWrap(true);
    QPalette muted = m_caption->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_caption->setPalette(muted);

    m_placeholder->setObjectName(QStringLiteral("bidsPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setPalette(muted);

    m_table->setObjectName(QStringLiteral("bidTable"));
    m_table->setModel(m_model);
    tablestyle::apply(m_table);
    tablestyle::sizeColumns(m_table, {{BidTableModel::Rate, "1,250 req/s"},
                                      {BidTableModel::Minimum, "250 req/s"},
                                      {BidTableModel::Price, "12.50 EUR"},
                                      {BidTableModel::State, "xx Withdrawn"},
                                      {BidTableModel::Placed, "30 May 23:59"}});
    tablestyle::stretchColumn(m_table, BidTableModel::Purchaser);
    m_content->addWidget(m_placeholder);
    m_content->addWidget(m_table);

    m_preview->setObjectName(QStringLiteral("clearingPreview"));
    m_preview->setWordWrap(true);
    m_preview->setTextFormat(Qt::RichText);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setAttribute(Qt::WA_StyledBackground);
    m_preview->setStyleSheet(QStringLiteral("QLabel#clearingPreview { background: #f4f7fb; "
                                            "border: 1px solid #d5dbe3; border-radius: 6px; "
                                            "padding: 8px 10px; color: #1d2430; }"));
    m_preview->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(6);
    layout->addWidget(m_title);
    layout->addWidget(m_caption);
    layout->addWidget(m_preview);
    layout->addWidget(m_content, 1);
    setOffer(std::nullopt, {}, std::nullopt);
}

QString OfferBidsPanel::titleText() const
{
    return m_title->text();
}

void OfferBidsPanel::setOffer(const std::optional<Offer> &offer, const QList<MarketBid> &bids,
                              const std::optional<ClearingResult> &preview)
{
    m_model->setBids(bids, offer ? offer->currency : QString());
    m_content->setCurrentWidget(bids.isEmpty() ? static_cast<QWidget *>(m_placeholder) : m_table);
    if (!offer) {
        m_title->setText(QStringLiteral("Bids"));
        m_caption->setText(QStringLiteral("Select an offer to see its bids."));
        m_placeholder->setText(QString());
        m_preview->hide();
        m_previewText.clear();
        return;
    }
    m_title->setText(QStringLiteral("Bids on offer %1 · %2 · %3")
                         .arg(offer->id)
                         .arg(offer->pool, presentation::rateText(double(offer->rateRps))));
    QString how;
    switch (offer->pricing) {
    case PricingMode::Fixed:
        how = QStringLiteral("Fixed price: bids at %1 or more are filled at once, first come "
                             "first served, and wait for approval.")
                  .arg(formatMinor(offer->priceMinor, offer->currency));
        break;
    case PricingMode::Auction:
        how = QStringLiteral("Sealed-bid auction: bids at or above the reserve of %1 clear at one "
                             "price when it closes.")
                  .arg(formatMinor(offer->reserveMinor, offer->currency));
        break;
    case PricingMode::Continuous:
        how = QStringLiteral("Continuous: bids at or above the ask of %1 trade at once; lower "
                             "ones rest in the book.")
                  .arg(formatMinor(offer->priceMinor, offer->currency));
        break;
    }
    m_caption->setText(QStringLiteral("%1, %2. %3")
                           .arg(presentation::offerWindowUtcText(*offer),
                                presentation::kindText(offer->kind), how));
    m_placeholder->setText(offer->state == OfferState::Open
                               ? QStringLiteral("No bids yet. They appear here as purchasers "
                                                "place them, through the API or headroomctl.")
                               : QStringLiteral("No bids were placed on this offer."));
    if (offer->pricing == PricingMode::Auction && offer->state == OfferState::Open) {
        showPreview(*offer, bids, preview);
    } else {
        m_preview->hide();
        m_previewText.clear();
    }
}

void OfferBidsPanel::showPreview(const Offer &offer, const QList<MarketBid> &bids,
                                 const std::optional<ClearingResult> &preview)
{
    const QLocale locale;
    QStringList lines;
    QStringList html;
    const QString heading = QStringLiteral("Clearing preview, if the auction closed now");
    lines.append(heading);
    html.append(QStringLiteral("<b>%1</b>").arg(heading));
    if (!preview) {
        lines.append(QStringLiteral("The preview could not be computed."));
    } else if (!preview->ok()) {
        lines.append(QStringLiteral("The bids could not be cleared: %1").arg(preview->error));
    } else {
        QHash<qint64, MarketBid> byId;
        for (const MarketBid &b : bids)
            byId.insert(b.id, b);
        const auto name = [&byId](qint64 bidId) {
            const auto it = byId.constFind(bidId);
            if (it == byId.cend())
                return QStringLiteral("bid %1").arg(bidId);
            return it->purchaserName.isEmpty() ? QStringLiteral("purchaser %1").arg(it->purchaserId)
                                               : it->purchaserName;
        };
        if (preview->unitsSold <= 0)
            lines.append(QStringLiteral("Nothing would be sold."));
        else if (offer.kind == LeaseKind::Firm)
            lines.append(QStringLiteral("Clears at %1 per req/s·h · %2 of %3 req/s sold · %4 "
                                        "per hour of the window")
                             .arg(formatMinor(preview->clearingPriceMinor, offer.currency),
                                  locale.toString(preview->unitsSold),
                                  locale.toString(offer.rateRps),
                                  formatMinor(preview->revenueMinor, offer.currency)));
        else
            lines.append(QStringLiteral("Clears at %1 per 1,000 requests · %2 of %3 req/s sold")
                             .arg(formatMinor(preview->clearingPriceMinor, offer.currency),
                                  locale.toString(preview->unitsSold),
                                  locale.toString(offer.rateRps)));
        QStringList winners;
        for (const Fill &f : preview->fills) {
            const auto bid = byId.constFind(f.bidId);
            const bool partial = bid != byId.cend() && bid->rateRps > f.units;
            winners.append(
                partial
                    ? QStringLiteral("%1 %2 of %3 req/s")
                          .arg(name(f.bidId), locale.toString(f.units),
                               locale.toString(bid->rateRps))
                    : QStringLiteral("%1 %2 req/s").arg(name(f.bidId), locale.toString(f.units)));
        }
        QStringList losers;
        for (const qint64 id : preview->losers)
            losers.append(name(id));
        lines.append(QStringLiteral("Winners: %1")
                         .arg(winners.isEmpty() ? QStringLiteral("none")
                                                : winners.join(QStringLiteral(", "))));
        lines.append(QStringLiteral("Losers: %1")
                         .arg(losers.isEmpty() ? QStringLiteral("none")
                                               : losers.join(QStringLiteral(", "))));
        if (!preview->explanation.isEmpty()) {
            QString why = preview->explanation;
            why[0] = why.at(0).toUpper();
            lines.append(why + (why.endsWith(QLatin1Char('.')) ? QString() : QStringLiteral(".")));
        }
    }
    if (offer.closesAtMs)
        lines.append(
            QStringLiteral("Closes %1.").arg(presentation::instantText(*offer.closesAtMs)));
    for (qsizetype i = 1; i < lines.size(); ++i)
        html.append(lines.at(i).toHtmlEscaped());
    m_previewText = lines.join(QLatin1Char('\n'));
    m_preview->setText(html.join(QStringLiteral("<br/>")));
    m_preview->show();
}

} // namespace headroom
