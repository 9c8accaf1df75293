#pragma once

#include "domain/market.h"

#include <QAbstractTableModel>
#include <QList>

namespace headroom {

// Offers as table rows, with a countdown to each open auction's close. While the offers stay the
// same (same ids in the same order) an update is one dataChanged() over the table and a tick of
// the clock one over the countdown column, so the selection survives both.
class OfferTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Id,
        Pool,
        Rate,
        Sold,
        Window,
        Kind,
        Pricing,
        Price,
        State,
        Closes,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1; // raw values: numbers and times
    static constexpr int OfferIdRole = Qt::UserRole + 2;

    explicit OfferTableModel(QObject *parent = nullptr);

    void setOffers(const QList<Offer> &offers);
    QList<Offer> offers() const { return m_offers; }
    void setNow(qint64 nowMs);
    int rowOf(qint64 offerId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const Offer &offer, int column) const;
    QVariant sortValue(const Offer &offer, int column) const;

    QList<Offer> m_offers;
    qint64 m_nowMs = 0;
};

} // namespace headroom
