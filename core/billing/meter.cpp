#include "billing/meter.h"

namespace headroom {
namespace {

quint64 since(quint64 reading, quint64 checkpoint)
{
    return reading >= checkpoint ? reading - checkpoint : reading;
}

} // namespace

MeterStep meterProxy(const std::optional<ProxyCheckpoints> &stored,
                     const QHash<QString, CounterReading> &readings)
{
    MeterStep step;
    for (auto it = readings.cbegin(); it != readings.cend(); ++it) {
        if (!stored) {
            step.advanced.insert(it.key(), it.value());
            continue;
        }
        const auto last = stored->constFind(it.key());
        if (last != stored->cend() && *last == it.value())
            continue;
        const CounterReading from = last != stored->cend() ? *last : CounterReading{};
        const bool reset = it.value().requests < from.requests || it.value().bytes < from.bytes;
        const CounterReading delta = reset
                                         ? it.value()
                                         : CounterReading{since(it.value().requests, from.requests),
                                                          since(it.value().bytes, from.bytes)};
        if (delta.requests > 0 || delta.bytes > 0)
            step.deltas.insert(it.key(), delta);
        step.advanced.insert(it.key(), it.value());
    }
    return step;
}

} // namespace headroom
