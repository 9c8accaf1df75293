#pragma once

#include "fleet/healthmonitor.h"

#include <QList>
#include <QPointer>
#include <QWidget>

class QHBoxLayout;
class QLabel;

namespace headroom {

// One compact indicator per monitored endpoint for the status bar: a coloured dot, the name and
// the latency, with every detail in the tooltip. Follows HealthMonitor::changed().
class StatusBarHealth final : public QWidget
{
    Q_OBJECT
public:
    // `monitor` may be null: the widget then says that nothing is monitored.
    explicit StatusBarHealth(HealthMonitor *monitor, QWidget *parent = nullptr);

    // Replaces the indicators; public so tests can show endpoints without probing a network.
    void setEndpoints(const QList<EndpointHealth> &endpoints);
    qsizetype indicatorCount() const { return m_indicators.size(); }

private:
    void updateIndicator(QLabel *indicator, const EndpointHealth &endpoint);

    QPointer<HealthMonitor> m_monitor;
    QHBoxLayout *m_layout = nullptr;
    QLabel *m_none = nullptr;
    QList<QLabel *> m_indicators;
};

} // namespace headroom
