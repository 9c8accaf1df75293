#include "leasepresentation.h"

#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <cmath>

namespace headroom::presentation {

namespace {

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace

QColor leaseColor(LeaseState state)
{
    switch (state) {
    case LeaseState::Scheduled:
        return QColor(0x3d, 0x6f, 0xb0);
    case LeaseState::Provisioning:
        return QColor(0xd9, 0x90, 0x1a);
    case LeaseState::Active:
        return QColor(0x2e, 0x9d, 0x50);
    case LeaseState::Draining:
        return QColor(0x7f, 0x63, 0xb8);
    case LeaseState::Failed:
        return QColor(0xd0, 0x38, 0x3b);
    case LeaseState::Ended:
    case LeaseState::Cancelled:
        break;
    }
    return QColor(0x8c, 0x93, 0x9d);
}

QIcon leaseDot(LeaseState state)
{
    QIcon icon;
    for (const int size : {12, 16, 24}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(leaseColor(state));
        const qreal d = size * 0.6;
        painter.drawEllipse(QRectF((size - d) / 2, (size - d) / 2, d, d));
        icon.addPixmap(pixmap);
    }
    return icon;
}

QString leaseStateText(LeaseState state)
{
    QString name = leaseStateName(state);
    if (!name.isEmpty())
        name[0] = name.at(0).toUpper();
    return name;
}

QString leaseKindText(LeaseKind kind)
{
    return leaseKindName(kind);
}

QString rateText(double rps)
{
    const QLocale locale;
    const double rounded = std::round(rps);
    const QString number = std::abs(rps - rounded) < 0.05 ? locale.toString(qint64(rounded))
                                                          : locale.toString(rps, 'f', 1);
    return number + QStringLiteral(" req/s");
}

QString leaseRateKindText(const Lease &lease)
{
    return QStringLiteral("%1 %2").arg(rateText(lease.rateRps), leaseKindText(lease.kind));
}

QString leaseLabel(const Lease &lease)
{
    return QStringLiteral("%1 %2").arg(lease.siteName, leaseRateKindText(lease));
}

QString durationText(qint64 ms)
{
    const qint64 seconds = std::max<qint64>(0, ms / 1000);
    const qint64 days = seconds / 86400;
    const qint64 hours = (seconds / 3600) % 24;
    const qint64 minutes = (seconds / 60) % 60;
    const qint64 secs = seconds % 60;
    const auto two = [](qint64 v) { return QStringLiteral("%1").arg(v, 2, 10, QLatin1Char('0')); };
    if (days > 0)
        return QStringLiteral("%1d %2h").arg(days).arg(two(hours));
    if (hours > 0)
        return QStringLiteral("%1h %2m").arg(hours).arg(two(minutes));
    if (minutes > 0)
        return QStringLiteral("%1m %2s").arg(minutes).arg(two(secs));
    return QStringLiteral("%1s").arg(secs);
}

QString countdownText(const Lease &lease, qint64 nowMs)
{
    switch (lease.state) {
    case LeaseState::Cancelled:
        return QStringLiteral("cancelled");
    case LeaseState::Failed:
        return QStringLiteral("failed");
    case LeaseState::Draining:
        return QStringLiteral("draining");
    case LeaseState::Ended:
        return nowMs >= lease.finalEndMs()
                   ? QStringLiteral("ended %1 ago").arg(durationText(nowMs - lease.finalEndMs()))
                   : QStringLiteral("ended");
    case LeaseState::Scheduled:
    case LeaseState::Provisioning:
    case LeaseState::Active:
        break;
    }
    const auto window = lease.currentOrNextWindow(nowMs);
    if (!window)
        return QStringLiteral("end due %1 ago").arg(durationText(nowMs - lease.finalEndMs()));
    if (nowMs < window->startMs)
        return QStringLiteral("starts in %1").arg(durationText(window->startMs - nowMs));
    if (lease.state == LeaseState::Scheduled && window->startMs == lease.startsAtMs)
        return QStringLiteral("start due %1 ago").arg(durationText(nowMs - window->startMs));
    return QStringLiteral("ends in %1").arg(durationText(window->endMs - nowMs));
}

QString instantText(qint64 ms)
{
    return QLocale::c().toString(utc(ms), QStringLiteral("ddd d MMM HH:mm")) +
           QStringLiteral(" UTC");
}

QString windowText(qint64 startMs, qint64 endMs)
{
    const QLocale c = QLocale::c();
    const QDateTime start = utc(startMs);
    const QDateTime end = utc(endMs);
    const QString from = c.toString(start, QStringLiteral("ddd d MMM HH:mm"));
    const bool sameDay = end.date() == start.date() ||
                         (end.time() == QTime(0, 0) && end.date() == start.date().addDays(1));
    const QString to = sameDay
                           ? (end.date() == start.date() ? c.toString(end, QStringLiteral("HH:mm"))
                                                         : QStringLiteral("24:00"))
                           : c.toString(end, QStringLiteral("ddd d MMM HH:mm"));
    return QStringLiteral("%1\u2013%2").arg(from, to);
}

QString windowText(const Lease &lease)
{
    const QString first = windowText(lease.startsAtMs, lease.endsAtMs);
    if (lease.dailyDays > 1)
        return first + QStringLiteral(" · daily ×%1").arg(lease.dailyDays);
    return first;
}

} // namespace headroom::presentation
