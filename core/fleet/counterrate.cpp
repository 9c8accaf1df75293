#include "counterrate.h"

namespace headroom {

CounterStep CounterRate::update(quint64 reading, qint64 timestampNs, bool sourceRestarted)
{
    CounterStep step;
    if (!m_last) {
        step.baseline = true;
    } else {
        step.reset = sourceRestarted || reading < *m_last;
        step.delta = step.reset ? reading : reading - *m_last;
        const qint64 dt = timestampNs - m_lastNs;
        if (dt > 0)
            step.rate = double(step.delta) * 1e9 / double(dt);
    }
    m_last = reading;
    m_lastNs = timestampNs;
    return step;
}

void CounterRate::seed(quint64 reading, qint64 timestampNs)
{
    m_last = reading;
    m_lastNs = timestampNs;
}

} // namespace headroom
