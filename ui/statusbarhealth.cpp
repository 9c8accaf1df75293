#include "statusbarhealth.h"

#include "statuspresentation.h"

#include <QHBoxLayout>
#include <QLabel>

namespace headroom {

StatusBarHealth::StatusBarHealth(HealthMonitor *monitor, QWidget *parent)
    : QWidget(parent), m_monitor(monitor), m_layout(new QHBoxLayout(this)),
      m_none(new QLabel(QStringLiteral("No endpoints monitored"), this))
{
    m_layout->setContentsMargins(4, 0, 4, 0);
    m_layout->setSpacing(14);
    QPalette palette = m_none->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    m_none->setPalette(palette);
    m_layout->addWidget(m_none);

    if (m_monitor) {
        connect(m_monitor, &HealthMonitor::changed, this,
                [this] { setEndpoints(m_monitor->endpoints()); });
        setEndpoints(m_monitor->endpoints());
    }
}

void StatusBarHealth::setEndpoints(const QList<EndpointHealth> &endpoints)
{
    // Indicators are reused so that an open tooltip or hover survives a poll round.
    while (m_indicators.size() > endpoints.size())
        delete m_indicators.takeLast();
    while (m_indicators.size() < endpoints.size()) {
        auto *indicator = new QLabel(this);
        indicator->setObjectName(QStringLiteral("healthIndicator"));
        indicator->setTextFormat(Qt::RichText);
        m_layout->addWidget(indicator);
        m_indicators.append(indicator);
    }
    for (qsizetype i = 0; i < endpoints.size(); ++i)
        updateIndicator(m_indicators[i], endpoints[i]);
    m_none->setVisible(endpoints.isEmpty());
}

void StatusBarHealth::updateIndicator(QLabel *indicator, const EndpointHealth &endpoint)
{
    const HealthGrade grade = presentation::grade(endpoint);
    const QString latency = endpoint.state == EndpointHealth::State::Up
                                ? presentation::latencyText(endpoint)
                                : presentation::text(grade).toLower();
    indicator->setText(QStringLiteral("<span style=\"color:%1; font-size:large\">&#9679;</span>"
                                      "&nbsp;<b>%2</b>&nbsp;<span style=\"color:%3\">%4</span>")
                           .arg(presentation::color(grade).name(), endpoint.name.toHtmlEscaped(),
                                palette().color(QPalette::PlaceholderText).name(), latency));
    indicator->setToolTip(presentation::toolTip(endpoint));
    indicator->setAccessibleName(
        QStringLiteral("%1 %2 %3").arg(endpoint.name, presentation::text(grade), latency));
}

} // namespace headroom
