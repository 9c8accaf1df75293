#pragma once

#include "dns/dnsoverviewservice.h"

#include <QAbstractTableModel>

namespace headroom {

// The latest DNS UPDATE messages sent to the zone's primary and how each one ended, newest first.
class UpdateLogModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Zone,
        Changes,
        Result,
        Latency,
        ColumnCount
    };

    explicit UpdateLogModel(QObject *parent = nullptr);

    QList<UpdateLogEntry> entries() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void setOverview(const headroom::DnsOverview &overview);

private:
    QList<UpdateLogEntry> m_rows;
};

} // namespace headroom
