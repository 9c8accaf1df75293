#pragma once

#include "fleet/headroommodel.h"

#include <QList>
#include <QString>

class QIODevice;

namespace headroom {

// Load history from elsewhere (an existing monitoring system), so the forecast - and with it the
// market's check of offers - works before Headroom has weeks of its own history. One CSV:
//
//     time,proxy,pool,capacity_rps,total_rps,purchaser_rps
//     2026-10-01T00:00:00Z,proxy1,sandbox,1000,420.5,0
//
// time is ISO 8601 in UTC (Z) or unix seconds; proxy and pool are 1-63 of [A-Za-z0-9._-]; the
// rates are finite, 0 to 1e9, purchaser_rps at most total_rps. The header is required. Hostile
// input is refused as a whole with the first bad line's number: nothing is imported unless all of
// it is good.
struct LoadHistoryCsv
{
    QList<LoadSample> samples;
    QString error; // "line 7: total_rps is not a number"; empty when all is well
    bool ok() const { return error.isEmpty(); }
};

inline constexpr qsizetype kMaxLoadHistoryRows = 5'000'000;

LoadHistoryCsv parseLoadHistoryCsv(QIODevice &in, qint64 nowMs);

} // namespace headroom
