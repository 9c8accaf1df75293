#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <optional>

namespace headroom {

// A cumulative counter pair of one stick-table entry on one proxy ("shop.example/3").
struct CounterReading
{
    quint64 requests = 0;
    quint64 bytes = 0;
    bool operator==(const CounterReading &) const = default;
};

// Entry key -> the readings it had when it was last metered.
using ProxyCheckpoints = QHash<QString, CounterReading>;

// What one read of one proxy's table adds to the ledger.
struct MeterStep
{
    // Entry key -> exactly what it counted since its checkpoint (entries with nothing new are
    // left out).
    QHash<QString, CounterReading> deltas;
    // Entry key -> its new checkpoint, for every entry whose reading moved (or is new).
    ProxyCheckpoints advanced;
};

// Metering against stored checkpoints (BILLING.md, "Metering"): the delta of an entry is its
// reading minus the reading it was last metered at, so whatever happened in between - a missed
// poll, a controller killed between reading the proxy and committing, a commit that failed -
// the next commit counts it, once. The ledger row and its checkpoint are committed together.
//  - `stored` absent: the proxy was never metered. Its first read is the baseline (counts
//    before Headroom watched it are nobody's): no deltas, every entry checkpointed.
//  - an entry without a checkpoint on a metered proxy appeared since: it counts from zero.
//  - a reading below its checkpoint is a reset (the proxy restarted and its table started
//    again): the reading itself is the delta, never a negative number or the old total again.
// Pure.
MeterStep meterProxy(const std::optional<ProxyCheckpoints> &stored,
                     const QHash<QString, CounterReading> &readings);

} // namespace headroom
