#pragma once

#include "fleet/healthmonitor.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace headroom {

// How endpoint health looks everywhere in the console, so the dashboard table and the status bar
// can never disagree about what a colour means.
//
// The monitor knows Up, Down and Unknown. The console adds one presentation-only grade, Slow
// (amber): the endpoint answered, but slower than an operator should ignore.
enum class HealthGrade
{
    Unknown,
    Up,
    Slow,
    Down
};

namespace presentation {

// Latency from which an answering endpoint is shown amber. DNS and metrics probes on the proxy
// network's own links answer in single-digit milliseconds; a quarter second means trouble.
inline constexpr double kSlowLatencyMs = 250.0;

HealthGrade grade(const EndpointHealth &endpoint);
QColor color(HealthGrade grade);
QString text(HealthGrade grade);
QIcon dot(HealthGrade grade);

QString kindText(EndpointHealth::Kind kind);
QString addressText(const EndpointHealth &endpoint); // "127.0.0.1:53", "[::1]:53"
QString latencyText(const EndpointHealth &endpoint); // "12.3 ms", or an em dash when unknown
QString lastCheckedText(const EndpointHealth &endpoint);
QString toolTip(const EndpointHealth &endpoint); // rich text, every field

} // namespace presentation
} // namespace headroom
