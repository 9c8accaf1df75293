#pragma once

#include "domain/market.h"
#include "domain/purchaser.h"
#include "domain/site.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace headroom {

// The purchasers' records with their sites and purchases. Payment is shown as the reference it is
// (a processor token, abbreviated, or a card's last four digits); nothing else of it exists. The
// phone number and billing address are in the tooltips, to keep the table narrow.
class PurchaserTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Organisation,
        Contact,
        Email,
        Payment,
        Sites,
        Purchases,
        ColumnCount
    };
    static constexpr int PurchaserIdRole = Qt::UserRole + 2;

    explicit PurchaserTableModel(QObject *parent = nullptr);

    void setRecords(const QList<Purchaser> &purchasers, const QList<Site> &sites,
                    const QList<Purchase> &purchases);
    QList<Purchaser> purchasers() const { return m_purchasers; }
    int rowOf(qint64 purchaserId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const Purchaser &purchaser, int column) const;

    QList<Purchaser> m_purchasers;
    QHash<qint64, QStringList> m_sites; // names, by purchaser id
    QHash<qint64, int> m_approved;      // by purchaser id
    QHash<qint64, int> m_pending;
};

} // namespace headroom
