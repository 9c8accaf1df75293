#include "offertablemodel.h"

#include "leasepresentation.h"
#include "marketpresentation.h"

#include <QDateTime>
#include <limits>

namespace headroom {

OfferTableModel::OfferTableModel(QObject *parent)
    : QAbstractTableModel(parent), m_nowMs(QDateTime::currentMSecsSinceEpoch())
{
}

void OfferTableModel::setOffers(const QList<Offer> &offers)
{
    bool sameRows = offers.size() == m_offers.size();
    for (qsizetype i = 0; sameRows && i < offers.size(); ++i)
        sameRows = offers.at(i).id == m_offers.at(i).id;
    if (!sameRows) {
        beginResetModel();
        m_offers = offers;
        endResetModel();
        return;
    }
    m_offers = offers;
    if (!m_offers.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void OfferTableModel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (!m_offers.isEmpty())
        Q_EMIT dataChanged(index(0, Closes), index(rowCount() - 1, Closes),
                           {Qt::DisplayRole, SortRole});
}

int OfferTableModel::rowOf(qint64 offerId) const
{
    for (qsizetype i = 0; i < m_offers.size(); ++i) {
        if (m_offers.at(i).id == offerId)
            return int(i);
    }
    return -1;
}

int OfferTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_offers.size());
}

int OfferTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OfferTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Offer &offer = m_offers.at(index.row());
    const bool live = offer.state == OfferState::Open;
    switch (role) {
    case Qt::DisplayRole:
        return display(offer, index.column());
    case SortRole:
        return sortValue(offer, index.column());
    case OfferIdRole:
        return offer.id;
    case Qt::DecorationRole:
        if (index.column() == State)
            return presentation::stateDot(presentation::offerStateColor(offer.state));
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State)
            return presentation::offerStateColor(offer.state).darker(115);
        if (!live)
            return QColor(0x8c, 0x93, 0x9d);
        if (index.column() == Closes && offer.closesAtMs && *offer.closesAtMs - m_nowMs < 600000)
            return QColor(0xb0, 0x5a, 0x00); // closing within ten minutes
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Window:
            return presentation::offerWindowText(offer) + QStringLiteral(" (UTC)");
        case Price:
            return QStringLiteral("%1 %2").arg(presentation::offerPriceText(offer),
                                               presentation::priceUnitText(offer.kind));
        case Closes:
            return offer.closesAtMs ? QStringLiteral("Closes %1")
                                          .arg(presentation::instantText(*offer.closesAtMs))
                                    : QVariant();
        case State:
            return offer.overrideReason.isEmpty()
                       ? QVariant()
                       : QStringLiteral("Posted above the forecast headroom: %1")
                             .arg(offer.overrideReason);
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() == Rate || index.column() == Id)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant OfferTableModel::display(const Offer &offer, int column) const
{
    switch (column) {
    case Id:
        return offer.id;
    case Pool:
        return offer.pool;
    case Rate:
        return presentation::rateText(double(offer.rateRps));
    case Sold:
        return presentation::offerSoldText(offer);
    case Window:
        return presentation::offerWindowText(offer);
    case Kind:
        return presentation::kindText(offer.kind);
    case Pricing:
        return presentation::pricingText(offer.pricing);
    case Price:
        return presentation::offerPriceText(offer);
    case State:
        return presentation::offerStateText(offer.state) +
               (offer.overrideReason.isEmpty() ? QString() : QStringLiteral(" (override)"));
    case Closes:
        return presentation::offerCloseText(offer, m_nowMs);
    default:
        return {};
    }
}

QVariant OfferTableModel::sortValue(const Offer &offer, int column) const
{
    switch (column) {
    case Id:
        return offer.id;
    case Rate:
        return offer.rateRps;
    case Sold:
        return offer.unitsLeft();
    case Window:
        return offer.startsAtMs;
    case Price:
        return offer.pricing == PricingMode::Auction ? offer.reserveMinor : offer.priceMinor;
    case State:
        return int(offer.state);
    case Closes:
        return offer.closesAtMs && offer.state == OfferState::Open
                   ? *offer.closesAtMs
                   : std::numeric_limits<qint64>::max();
    default:
        return display(offer, column);
    }
}

QVariant OfferTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id:
        return QStringLiteral("#");
    case Pool:
        return QStringLiteral("Pool");
    case Rate:
        return QStringLiteral("Rate");
    case Sold:
        return QStringLiteral("Sold / left");
    case Window:
        return QStringLiteral("Window (UTC)");
    case Kind:
        return QStringLiteral("Kind");
    case Pricing:
        return QStringLiteral("Pricing");
    case Price:
        return QStringLiteral("Price / reserve");
    case State:
        return QStringLiteral("State");
    case Closes:
        return QStringLiteral("Close");
    default:
        return {};
    }
}

} // namespace headroom
