#pragma once

#include "fleet/fleetmonitor.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QButtonGroup;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace headroom {

class EmptyState;
class EndpointTableModel;
class FleetChartView;
class HealthMonitor;
class ProxyLoadModel;

// The operator's first look, made for a wall screen: the fleet's load, capacity, utilisation and
// headroom in big numbers, a live chart of load against capacity for the fleet or one proxy, the
// proxy table, and the probed endpoints' health.
class DashboardView final : public QWidget
{
    Q_OBJECT
public:
    // Both may be null; neither is owned. Without `fleet` the chart and proxy table explain that
    // no fleet is monitored.
    DashboardView(HealthMonitor *monitor, FleetMonitor *fleet, QWidget *parent = nullptr);

    EndpointTableModel *endpointModel() const { return m_model; }
    QTableView *endpointTable() const { return m_table; }
    ProxyLoadModel *proxyModel() const { return m_proxyModel; }
    QTableView *proxyTable() const { return m_proxyTable; }
    FleetChartView *chartView() const { return m_chart; }

    // The proxy the chart shows; empty for all proxies. Selecting a table row sets it.
    QString selectedProxy() const { return m_selected; }
    void setSelectedProxy(const QString &proxy);
    FleetRange range() const { return m_range; }
    void setRange(FleetRange range);

    // The big number of a key figure: "load", "capacity", "utilisation", "headroom", "proxies".
    QString figure(const QString &key) const;

private:
    void refreshEndpoints();
    void refreshFleet();
    void refreshChart();
    void syncProxyChoices();
    QWidget *makeFigure(const QString &key, const QString &caption);
    QWidget *makeChartPanel();
    QTableView *makeProxyTable();

    QPointer<FleetMonitor> m_fleet;
    EndpointTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_table = nullptr;
    EmptyState *m_empty = nullptr;
    QStackedWidget *m_content = nullptr;

    ProxyLoadModel *m_proxyModel = nullptr;
    QSortFilterProxyModel *m_proxySorted = nullptr;
    QTableView *m_proxyTable = nullptr;
    FleetChartView *m_chart = nullptr;
    QStackedWidget *m_fleetContent = nullptr;
    EmptyState *m_fleetEmpty = nullptr;
    QLabel *m_chartTitle = nullptr;
    QComboBox *m_proxyChoice = nullptr;
    QButtonGroup *m_rangeButtons = nullptr;
    QTabWidget *m_tabs = nullptr;
    QHash<QString, QLabel *> m_figures;
    QHash<QString, QLabel *> m_figureNotes;

    QString m_selected;
    FleetRange m_range = FleetRange::FiveMinutes;
    bool m_syncing = false;
};

} // namespace headroom
