#pragma once

#include <QtGlobal>
#include <optional>

namespace headroom {

// What one new reading of a cumulative counter adds.
struct CounterStep
{
    quint64 delta = 0;     // exactly what was counted since the previous reading
    double rate = 0;       // delta per second; 0 for the first reading or a zero interval
    bool baseline = false; // first reading: nothing known before it, delta 0
    bool reset = false;    // the counter restarted (lower reading, or the source said so)
};

// Turns successive readings of a cumulative counter into exact deltas and rates. Reset rule: a
// reading lower than the previous one (or one the caller flags as following a restart of the
// source) means the counter started again from zero, so the delta is the reading itself, never
// negative and never the old total again. Pure: timestamps are monotonic nanoseconds given by
// the caller.
class CounterRate final
{
public:
    CounterStep update(quint64 reading, qint64 timestampNs, bool sourceRestarted = false);
    // Declares the counter to have been `reading` at `timestampNs` (0 for a counter that is
    // known to have just appeared), so that the next update counts from there.
    void seed(quint64 reading, qint64 timestampNs);
    void clear() { m_last.reset(); }
    bool hasReading() const { return m_last.has_value(); }
    quint64 lastReading() const { return m_last.value_or(0); }

private:
    std::optional<quint64> m_last;
    qint64 m_lastNs = 0;
};

} // namespace headroom
