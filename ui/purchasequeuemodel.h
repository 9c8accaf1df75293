#pragma once

#include "domain/market.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace headroom {

// Purchases awaiting the operator's approval, oldest first, with their age and what they are
// worth per hour (which needs the offer's kind: firm capacity is priced per req/s per hour,
// best-effort per 1,000 requests).
class PurchaseQueueModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Purchaser,
        Site,
        Rate,
        Price,
        Total,
        OfferRef,
        Age,
        ColumnCount
    };
    static constexpr int PurchaseIdRole = Qt::UserRole + 2;

    explicit PurchaseQueueModel(QObject *parent = nullptr);

    // Only the pending ones of `purchases` are kept. `offers` by id, for kind and pool.
    void setPurchases(const QList<Purchase> &purchases, const QHash<qint64, Offer> &offers);
    QList<Purchase> purchases() const { return m_purchases; }
    void setNow(qint64 nowMs);
    int rowOf(qint64 purchaseId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const Purchase &purchase, int column) const;

    QList<Purchase> m_purchases;
    QHash<qint64, Offer> m_offers;
    qint64 m_nowMs = 0;
};

} // namespace headroom
