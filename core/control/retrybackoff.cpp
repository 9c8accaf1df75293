#include "control/retrybackoff.h"

#include <algorithm>
#include <cmath>

namespace headroom {

qint64 RetryBackoff::delayMs(int failures, double unit) const
{
    const int doublings = std::clamp(failures - 1, 0, 30);
    const double base = std::min(double(firstMs) * std::ldexp(1.0, doublings), double(capMs));
    const double spread = std::clamp(jitter, 0.0, 0.5);
    const double factor = 1.0 + spread * (2.0 * std::clamp(unit, 0.0, 1.0) - 1.0);
    return std::max<qint64>(1, std::llround(base * factor));
}

qint64 ClockJumpDetector::observe(qint64 wallMs, qint64 monotonicMs)
{
    const bool primed = m_primed;
    const qint64 jump = (wallMs - m_lastWallMs) - (monotonicMs - m_lastMonotonicMs);
    m_lastWallMs = wallMs;
    m_lastMonotonicMs = monotonicMs;
    m_primed = true;
    if (!primed || std::abs(jump) <= m_toleranceMs)
        return 0;
    return jump;
}

} // namespace headroom
