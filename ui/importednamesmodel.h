#pragma once

#include "dns/dnsoverviewservice.h"

#include <QAbstractTableModel>

namespace headroom {

// The name maps imported from purchasers' zones (`headroomctl dns import-zone`), every zone.
class ImportedNamesModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Zone,
        Name,
        Type,
        Value,
        Ttl,
        ColumnCount
    };

    explicit ImportedNamesModel(QObject *parent = nullptr);

    QList<ImportedName> names() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void setOverview(const headroom::DnsOverview &overview);

private:
    QList<ImportedName> m_rows;
};

} // namespace headroom
