#pragma once

#include "dns/dnsoverviewservice.h"

#include <QAbstractTableModel>

namespace headroom {

// One row per purchaser host name: whether the name really is handed to our zone, as checked at
// the purchaser's authority and through a resolver. The tooltip lists the exact records seen.
class DelegationModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Host,
        Verdict,
        Via,
        Explanation,
        ColumnCount
    };

    explicit DelegationModel(QObject *parent = nullptr);

    QList<DelegationReport> reports() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void setOverview(const headroom::DnsOverview &overview);

private:
    QList<DelegationReport> m_rows;
};

} // namespace headroom
