#pragma once

#include "statuspresentation.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace headroom {

class EmptyState;
class EndpointTableModel;
class HealthMonitor;

// The operator's first look: how many endpoints are up, slow or down, and the proxy table.
class DashboardView final : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardView(HealthMonitor *monitor, QWidget *parent = nullptr);

    EndpointTableModel *endpointModel() const { return m_model; }
    QTableView *endpointTable() const { return m_table; }

private:
    void refresh();
    QWidget *makeTile(HealthGrade grade);

    EndpointTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_table = nullptr;
    EmptyState *m_empty = nullptr;
    QStackedWidget *m_content = nullptr;
    QHash<HealthGrade, QLabel *> m_counts;
};

} // namespace headroom
