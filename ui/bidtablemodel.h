#pragma once

#include "domain/market.h"

#include <QAbstractTableModel>
#include <QList>

namespace headroom {

// The bids on one offer, oldest first, as they arrive (from the purchaser API, headroomctl or the
// console). Prices are shown in the offer's currency.
class BidTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Purchaser,
        Rate,
        Minimum,
        Price,
        State,
        Placed,
        ColumnCount
    };
    static constexpr int BidIdRole = Qt::UserRole + 2;

    explicit BidTableModel(QObject *parent = nullptr);

    void setBids(const QList<MarketBid> &bids, const QString &currency);
    QList<MarketBid> bids() const { return m_bids; }
    int rowOf(qint64 bidId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const MarketBid &bid, int column) const;

    QList<MarketBid> m_bids;
    QString m_currency;
};

} // namespace headroom
