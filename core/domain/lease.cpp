#include "domain/lease.h"

#include "domain/enumnames.h"
#include "domain/site.h"

#include <QStringList>
#include <cmath>

namespace headroom {
namespace {

const char *const kStateNames[] = {"scheduled", "provisioning", "active", "draining",
                                   "ended",     "cancelled",    "failed"};
const char *const kKindNames[] = {"firm", "best-effort"};
const char *const kOverflowNames[] = {"rr", "weighted", "primary-backup", "dns"};
const char *const kAssignmentNames[] = {"none", "rr", "weighted", "primary-backup"};

} // namespace

QString leaseStateName(LeaseState s)
{
    return enumName(s, kStateNames);
}

std::optional<LeaseState> leaseStateFromName(const QString &name)
{
    return enumFromName<LeaseState>(name, kStateNames);
}

bool isTerminal(LeaseState s)
{
    return s == LeaseState::Ended || s == LeaseState::Cancelled || s == LeaseState::Failed;
}

QString leaseKindName(LeaseKind k)
{
    return enumName(k, kKindNames);
}

std::optional<LeaseKind> leaseKindFromName(const QString &name)
{
    return enumFromName<LeaseKind>(name, kKindNames);
}

QString overflowPolicyName(OverflowPolicy p)
{
    return enumName(p, kOverflowNames);
}

std::optional<OverflowPolicy> overflowPolicyFromName(const QString &name)
{
    return enumFromName<OverflowPolicy>(name, kOverflowNames);
}

QString assignmentName(Assignment a)
{
    return enumName(a, kAssignmentNames);
}

std::optional<Assignment> assignmentFromName(const QString &name)
{
    return enumFromName<Assignment>(name, kAssignmentNames);
}

LeaseWindow Lease::window(int index) const
{
    const qint64 shift = qint64(index) * kDayMs;
    return {startsAtMs + shift, endsAtMs + shift};
}

qint64 Lease::finalEndMs() const
{
    return window(windowCount() - 1).endMs;
}

bool Lease::inWindow(qint64 nowMs) const
{
    const auto w = currentOrNextWindow(nowMs);
    return w && w->startMs <= nowMs && nowMs < w->endMs;
}

std::optional<LeaseWindow> Lease::currentOrNextWindow(qint64 nowMs) const
{
    if (nowMs >= finalEndMs())
        return std::nullopt;
    if (nowMs < startsAtMs)
        return window(0);
    // Windows are shorter than a day, so at most the one that started last can contain nowMs.
    const int started = int(std::min<qint64>((nowMs - startsAtMs) / kDayMs, windowCount() - 1));
    const LeaseWindow w = window(started);
    if (nowMs < w.endMs || started + 1 >= windowCount())
        return w;
    return window(started + 1);
}

QString Lease::validate() const
{
    if (!(rateRps > 0) || !std::isfinite(rateRps) || rateRps > 1e9)
        return QStringLiteral("the rate must be a positive number of requests per second");
    if (endsAtMs <= startsAtMs)
        return QStringLiteral("the lease must end after it starts");
    if (dailyDays < 0 || dailyDays > 366)
        return QStringLiteral("daily leases repeat on 1 to 366 days");
    if (dailyDays > 1 && endsAtMs - startsAtMs >= kDayMs)
        return QStringLiteral("a daily window must be shorter than a day");
    if (startsAtMs < 0 || finalEndMs() > qint64(253402300799000)) // year 9999
        return QStringLiteral("the lease times are out of range");
    return {};
}

} // namespace headroom
