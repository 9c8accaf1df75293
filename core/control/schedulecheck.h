#pragma once

#include "domain/lease.h"
#include "fleet/forecast.h"

#include <QList>
#include <QString>

namespace headroom {

// Where a lease's windows would need more of a pool than its forecast spare capacity: one
// stretch of time in which the leased rate stays the same.
struct ScheduleConflict
{
    enum class Kind
    {
        OverForecast, // the leases counted add up to more than the forecast headroom
        NoForecast    // too little history to know (the hour has fewer weeks than required)
    };

    Kind kind = Kind::OverForecast;
    qint64 startMs = 0; // UTC
    qint64 endMs = 0;
    double leasedRps = 0;      // the proposed lease plus the other leases counted
    double forecastMinRps = 0; // lowest hourly forecast over the stretch (0 if unknown)
    double forecastMaxRps = 0; // highest; differs from the lowest when hours differ
    double shortfallRps = 0;   // leasedRps − forecastMinRps for OverForecast, else 0

    // "Tue 02:00–04:00: 450 req/s leased, 300 req/s forecast",
    // "Tue 23:00–Wed 01:00: 450 req/s leased, 280–300 req/s forecast",
    // "Tue 02:00–04:00: 450 req/s leased, no forecast (too little history)". UTC.
    QString describe() const;
};

struct ScheduleCheckOptions
{
    // Only the parts of the windows from this instant on are checked (a running lease's past
    // cannot be changed).
    qint64 notBeforeMs = 0;
    // An hour whose estimate comes from fewer distinct weeks is unknown, as in proposeOffers().
    int minWeeks = DefaultMinWeeksPerHour;
    // Best-effort leases share what firm ones leave and reserve nothing; count them anyway.
    bool countBestEffort = false;
};

// Checks `proposed` (its pool, rate and windows, daily ones included) against the pool's
// forecast: `estimates` are estimateByHourOfWeek()'s 168 hours (index = hour of the week; a
// shorter list leaves the missing hours unknown). Of `others`, only leases of the same pool are
// counted, and not the proposed lease itself (same id), leases in a terminal state, leases being
// cancelled, or best-effort leases unless the options say so. The proposed lease always counts,
// whatever its kind. Time is cut at every hour and every lease edge; each piece is compared with
// the estimate of its hour. Conflicts come in time order, adjacent pieces merged while their kind
// and leased rate stay the same. Empty when the lease fits.
QList<ScheduleConflict> checkSchedule(const Lease &proposed, const QList<Lease> &others,
                                      const QList<HourOfWeekEstimate> &estimates,
                                      const ScheduleCheckOptions &options = {});

// The first `maxShown` conflicts' sentences joined by "; ", then "and N more"; empty for none.
QString describeConflicts(const QList<ScheduleConflict> &conflicts, int maxShown = 3);

} // namespace headroom
