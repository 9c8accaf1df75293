#pragma once

#include <QList>
#include <QString>

namespace headroom {

// One proxy's load at one instant, as scraped. Rates are requests per second.
struct LoadSample
{
    qint64 atMs = 0;         // unix milliseconds UTC
    QString proxy;           // proxy name, e.g. "proxy1"
    QString pool;            // capacity pool the proxy sells from
    double capacityRps = 0;  // configured capacity
    double totalRps = 0;     // everything the proxy served
    double purchaserRps = 0; // the part that went to purchaser sites (steered by us)
};

// The utilisation we are willing to run a proxy at; the rest is safety margin.
inline constexpr double DefaultTargetUtilisation = 0.8;

// Load that is not ours to steer: total minus purchaser traffic, never below zero (the two
// counters are scraped a moment apart, so purchaser can briefly exceed total).
double baseLoad(const LoadSample &sample);

// What could still be sold on the proxy: target × capacity − base load. Negative means the
// base load alone is already above the target (overloaded); it is reported, not clamped, so a
// pool's sum is conservative.
double headroomRps(const LoadSample &sample, double targetUtilisation = DefaultTargetUtilisation);

// One pool at one instant.
struct PoolHeadroom
{
    QString pool;           // the samples' pool; empty if they came from more than one
    qint64 atMs = 0;        // the latest sample's time
    int proxies = 0;        // samples aggregated
    int overloaded = 0;     // proxies with negative headroom
    double capacityRps = 0; // sum of capacities
    double baseLoadRps = 0; // sum of base loads
    double headroomRps = 0; // sum of headroom, deficits included (may be negative)
    double sellableRps = 0; // sum of positive headroom only: an upper bound
    double deficitRps = 0;  // sum of the overloaded proxies' negative headroom, as a positive
};

// Sums the samples of one instant, normally all of one pool. headroomRps nets an overloaded
// proxy's deficit against the others' spare capacity: that is the conservative figure the
// forecast sells from, because steering can move purchaser traffic but not base load.
PoolHeadroom aggregate(const QList<LoadSample> &samples,
                       double targetUtilisation = DefaultTargetUtilisation);

} // namespace headroom
