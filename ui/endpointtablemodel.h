#pragma once

#include "fleet/healthmonitor.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>

namespace headroom {

// The monitored endpoints as table rows. Follows HealthMonitor::changed(); rows keep their place
// when only the health values change, so selection and scroll position survive every poll.
class EndpointTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Kind,
        Address,
        State,
        Latency,
        LastChecked,
        Detail,
        ColumnCount
    };
    // Raw values for sorting: latency as a double, last check as a QDateTime, state by severity.
    static constexpr int SortRole = Qt::UserRole + 1;

    // `monitor` may be null: the model then stays empty until setEndpoints() is called.
    explicit EndpointTableModel(HealthMonitor *monitor, QObject *parent = nullptr);

    // Replaces the rows. Called on every HealthMonitor::changed(); public so tests and previews
    // can show endpoints without probing a network.
    void setEndpoints(const QList<EndpointHealth> &endpoints);
    QList<EndpointHealth> endpoints() const { return m_endpoints; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const EndpointHealth &endpoint, int column) const;
    QVariant sortValue(const EndpointHealth &endpoint, int column) const;

    QPointer<HealthMonitor> m_monitor;
    QList<EndpointHealth> m_endpoints;
};

} // namespace headroom
