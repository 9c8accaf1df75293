#pragma once

#include "domain/lease.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace headroom::presentation {

// How a lease looks everywhere in the console (timeline, table, detail), so they never disagree
// about what a colour or a countdown means. Times are shown in UTC, as the forecast is made.

QColor leaseColor(LeaseState state);
QIcon leaseDot(LeaseState state);
QString leaseStateText(LeaseState state); // "Scheduled", "Active", ...
QString leaseKindText(LeaseKind kind);    // "firm", "best-effort"
QString rateText(double rps);             // "1,250 req/s"
// "shop.example 100 req/s firm"
QString leaseLabel(const Lease &lease);
// "100 req/s firm" (the label without the site)
QString leaseRateKindText(const Lease &lease);

// "1h 04m", "12m 30s", "2d 03h", "45s": the time left, coarser the further away.
QString durationText(qint64 ms);
// What to wait for next, from the lease's times and state: "starts in 1h 04m", "ends in 12m 30s",
// "start due 2m ago" (scheduled past its start: the controller has not taken it yet), "draining",
// "ended 3h 10m ago", "cancelled", "failed". Daily leases count to their current or next window.
QString countdownText(const Lease &lease, qint64 nowMs);
// "Tue 14 May 02:00–06:00", "Tue 14 May 22:00–Wed 15 May 02:00"; daily leases add " · daily ×5".
QString windowText(const Lease &lease);
QString windowText(qint64 startMs, qint64 endMs);
// "Tue 14 May 02:00 UTC"
QString instantText(qint64 ms);

} // namespace headroom::presentation
