#include "statuspresentation.h"

#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace headroom::presentation {

HealthGrade grade(const EndpointHealth &endpoint)
{
    switch (endpoint.state) {
    case EndpointHealth::State::Up:
        return endpoint.latencyMs >= kSlowLatencyMs ? HealthGrade::Slow : HealthGrade::Up;
    case EndpointHealth::State::Down:
        return HealthGrade::Down;
    case EndpointHealth::State::Unknown:
        break;
    }
    return HealthGrade::Unknown;
}

QColor color(HealthGrade grade)
{
    switch (grade) {
    case HealthGrade::Up:
        return QColor(0x2e, 0x9d, 0x50);
    case HealthGrade::Slow:
        return QColor(0xd9, 0x90, 0x1a);
    case HealthGrade::Down:
        return QColor(0xd0, 0x38, 0x3b);
    case HealthGrade::Unknown:
        break;
    }
    return QColor(0x8c, 0x93, 0x9d);
}

QString text(HealthGrade grade)
{
    switch (grade) {
    case HealthGrade::Up:
        return QStringLiteral("Up");
    case HealthGrade::Slow:
        return QStringLiteral("Slow");
    case HealthGrade::Down:
        return QStringLiteral("Down");
    case HealthGrade::Unknown:
        break;
    }
    return QStringLiteral("Unknown");
}

QIcon dot(HealthGrade grade)
{
    QIcon icon;
    const QColor fill = color(grade);
    for (const int size : {12, 16, 24, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(fill.darker(130), 1));
        painter.setBrush(fill);
        const qreal margin = size * 0.2;
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QString kindText(EndpointHealth::Kind kind)
{
    return kind == EndpointHealth::Kind::Dns ? QStringLiteral("DNS") : QStringLiteral("Proxy");
}

QString addressText(const EndpointHealth &endpoint)
{
    if (endpoint.address.isNull())
        return QStringLiteral("—");
    const QString host = endpoint.address.toString();
    if (endpoint.address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(host).arg(endpoint.port);
    return QStringLiteral("%1:%2").arg(host).arg(endpoint.port);
}

QString latencyText(const EndpointHealth &endpoint)
{
    if (endpoint.state != EndpointHealth::State::Up)
        return QStringLiteral("—");
    const int decimals = endpoint.latencyMs < 10 ? 1 : 0;
    return QStringLiteral("%1 ms").arg(QLocale().toString(endpoint.latencyMs, 'f', decimals));
}

QString lastCheckedText(const EndpointHealth &endpoint)
{
    if (!endpoint.lastChecked.isValid())
        return QStringLiteral("never");
    const QDateTime local = endpoint.lastChecked.toLocalTime();
    if (local.date() == QDate::currentDate())
        return local.time().toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString toolTip(const EndpointHealth &endpoint)
{
    const HealthGrade g = grade(endpoint);
    QString detail = endpoint.detail.toHtmlEscaped();
    if (detail.isEmpty())
        detail = QStringLiteral("<i>no detail</i>");
    return QStringLiteral("<b>%1</b> &nbsp;<span style=\"color:%2\">%3</span><br/>"
                          "%4 at %5<br/>Latency: %6<br/>Last checked: %7<br/>%8")
        .arg(endpoint.name.toHtmlEscaped(), color(g).name(), text(g), kindText(endpoint.kind),
             addressText(endpoint), latencyText(endpoint), lastCheckedText(endpoint), detail);
}

} // namespace headroom::presentation
