#pragma once

#include <QString>
#include <optional>

namespace headroom {

// scheduled -> provisioning -> active -> draining -> ended; cancelled and failed end it early.
enum class LeaseState
{
    Scheduled,
    Provisioning,
    Active,
    Draining,
    Ended,
    Cancelled,
    Failed
};

enum class LeaseKind
{
    Firm,      // the amount is reserved first; shortfall is credited
    BestEffort // shares what is left; billed on use
};

// What answers the lookups our proxies do not take: the purchaser's servers by their algorithm,
// or their DNS (a CNAME to their origin name).
enum class OverflowPolicy
{
    RoundRobin,
    Weighted,
    PrimaryBackup,
    Dns
};

QString leaseStateName(LeaseState s);
std::optional<LeaseState> leaseStateFromName(const QString &name);
bool isTerminal(LeaseState s);      // ended, cancelled, failed
QString leaseKindName(LeaseKind k); // "firm", "best-effort"
std::optional<LeaseKind> leaseKindFromName(const QString &name);
QString overflowPolicyName(OverflowPolicy p); // "rr", "weighted", "primary-backup", "dns"
std::optional<OverflowPolicy> overflowPolicyFromName(const QString &name);

struct LeaseWindow
{
    qint64 startMs = 0;
    qint64 endMs = 0;
};

// A lease: `rateRps` of a site's traffic carried by the proxies of `pool` during one window, or
// during the same window on `dailyDays` consecutive days. Times are UTC milliseconds.
struct Lease
{
    static constexpr qint64 kDayMs = 86400000;

    qint64 id = 0;
    qint64 siteId = 0;
    QString siteName; // filled by the repository
    std::optional<qint64> offerId;
    QString pool;
    double rateRps = 0;
    qint64 startsAtMs = 0; // the first window
    qint64 endsAtMs = 0;
    int dailyDays = 0; // 0: one window; N >= 1: the window on N consecutive days
    LeaseKind kind = LeaseKind::Firm;
    OverflowPolicy overflow = OverflowPolicy::Dns;
    LeaseState state = LeaseState::Scheduled;
    qint64 stateChangedAtMs = 0;
    std::optional<qint64> drainUntilMs; // deprovision not before this
    std::optional<qint64> cancelledAtMs;
    QString note;
    qint64 createdAtMs = 0;

    int windowCount() const { return dailyDays > 0 ? dailyDays : 1; }
    LeaseWindow window(int index) const;
    qint64 finalEndMs() const; // end of the last window
    bool inWindow(qint64 nowMs) const;
    // The window containing nowMs, else the next one; nullopt after the last.
    std::optional<LeaseWindow> currentOrNextWindow(qint64 nowMs) const;
    // Empty when the lease's times make sense; else why not.
    QString validate() const;
};

} // namespace headroom
