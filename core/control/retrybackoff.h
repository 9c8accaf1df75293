#pragma once

#include <QtGlobal>

namespace headroom {

// How long to wait before the next try of something that keeps failing (a DNS UPDATE while the
// primary is down): first, then doubling up to cap, each stretched or shortened by up to
// ±jitter so that controllers that failed together do not retry in lockstep. Pure: the caller
// draws the random number.
struct RetryBackoff
{
    qint64 firstMs = 1000;
    qint64 capMs = 8000;
    double jitter = 0.1; // fraction of the delay, 0..0.5

    // The wait after `failures` consecutive failures (1 = after the first); `unit` in [0, 1)
    // picks the jitter (0.5 = none). Never below 1 ms.
    qint64 delayMs(int failures, double unit) const;
};

// Notices a jump of the wall clock: between two observations the wall clock should advance as
// much as the monotonic clock does. A difference beyond the tolerance is a jump (an NTP step, an
// operator setting the date, a VM resumed with a stale clock); within it, drift and scheduling.
class ClockJumpDetector
{
public:
    explicit ClockJumpDetector(qint64 toleranceMs = 5000) : m_toleranceMs(toleranceMs) {}

    // The jump since the previous call in ms (positive: forwards), or 0 when there was none (or
    // on the first call).
    qint64 observe(qint64 wallMs, qint64 monotonicMs);

private:
    qint64 m_toleranceMs;
    qint64 m_lastWallMs = 0;
    qint64 m_lastMonotonicMs = 0;
    bool m_primed = false;
};

} // namespace headroom
