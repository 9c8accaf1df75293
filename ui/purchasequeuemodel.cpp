#include "purchasequeuemodel.h"

#include "leasepresentation.h"
#include "market/marketservice.h"
#include "marketpresentation.h"

#include <QDateTime>

namespace headroom {

PurchaseQueueModel::PurchaseQueueModel(QObject *parent)
    : QAbstractTableModel(parent), m_nowMs(QDateTime::currentMSecsSinceEpoch())
{
}

void PurchaseQueueModel::setPurchases(const QList<Purchase> &purchases,
                                      const QHash<qint64, Offer> &offers)
{
    QList<Purchase> pending;
    for (const Purchase &p : purchases) {
        if (p.state == PurchaseState::Pending)
            pending.append(p);
    }
    bool sameRows = pending.size() == m_purchases.size();
    for (qsizetype i = 0; sameRows && i < pending.size(); ++i)
        sameRows = pending.at(i).id == m_purchases.at(i).id;
    if (!sameRows) {
        beginResetModel();
        m_purchases = pending;
        m_offers = offers;
        endResetModel();
        return;
    }
    m_purchases = pending;
    m_offers = offers;
    if (!m_purchases.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void PurchaseQueueModel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (!m_purchases.isEmpty())
        Q_EMIT dataChanged(index(0, Age), index(rowCount() - 1, Age), {Qt::DisplayRole});
}

int PurchaseQueueModel::rowOf(qint64 purchaseId) const
{
    for (qsizetype i = 0; i < m_purchases.size(); ++i) {
        if (m_purchases.at(i).id == purchaseId)
            return int(i);
    }
    return -1;
}

int PurchaseQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_purchases.size());
}

int PurchaseQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PurchaseQueueModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Purchase &purchase = m_purchases.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(purchase, index.column());
    case PurchaseIdRole:
        return purchase.id;
    case Qt::ToolTipRole: {
        const auto offer = m_offers.constFind(purchase.offerId);
        if (index.column() == OfferRef && offer != m_offers.cend())
            return QStringLiteral("%1, %2").arg(presentation::offerLabel(*offer),
                                                presentation::offerWindowUtcText(*offer));
        if (index.column() == Age)
            return QStringLiteral("Bought %1").arg(presentation::instantText(purchase.createdAtMs));
        if (index.column() == Price && offer != m_offers.cend())
            return presentation::priceUnitText(offer->kind);
        return {};
    }
    case Qt::TextAlignmentRole:
        if (index.column() == Rate || index.column() == Price || index.column() == Total)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant PurchaseQueueModel::display(const Purchase &purchase, int column) const
{
    const auto offer = m_offers.constFind(purchase.offerId);
    const LeaseKind kind = offer != m_offers.cend() ? offer->kind : LeaseKind::Firm;
    switch (column) {
    case Purchaser:
        return purchase.purchaserName.isEmpty()
                   ? QStringLiteral("purchaser %1").arg(purchase.purchaserId)
                   : purchase.purchaserName;
    case Site:
        return purchase.siteName.isEmpty() ? QStringLiteral("(site removed)") : purchase.siteName;
    case Rate:
        return presentation::rateText(double(purchase.rateRps));
    case Price:
        return formatMinor(purchase.priceMinor, purchase.currency);
    case Total:
        return presentation::hourlyTotalText(purchase, kind);
    case OfferRef:
        return offer != m_offers.cend()
                   ? QStringLiteral("#%1 %2").arg(purchase.offerId).arg(offer->pool)
                   : QStringLiteral("#%1").arg(purchase.offerId);
    case Age:
        return presentation::ageText(m_nowMs - purchase.createdAtMs);
    default:
        return {};
    }
}

QVariant PurchaseQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Purchaser:
        return QStringLiteral("Purchaser");
    case Site:
        return QStringLiteral("Site");
    case Rate:
        return QStringLiteral("Rate");
    case Price:
        return QStringLiteral("Price / unit");
    case Total:
        return QStringLiteral("Per hour");
    case OfferRef:
        return QStringLiteral("Offer");
    case Age:
        return QStringLiteral("Waiting");
    default:
        return {};
    }
}

} // namespace headroom
