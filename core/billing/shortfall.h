#pragma once

#include <QList>

namespace headroom {

// One firm lease in one poll: what it was sold and what the allocation gave it.
struct FirmAllocation
{
    qint64 leaseId = 0;
    double rateRps = 0;
    double allocatedRps = 0;
};

// Firm capacity the steering shed over one poll interval: evidence for a credit.
struct ShortfallSample
{
    qint64 leaseId = 0;
    qint64 atMs = 0;
    qint64 durationMs = 0;   // the poll interval it covers
    qint64 shedMilliRps = 0; // 0.001 req/s
};

// The controller's shortfall decision for the firm leases of one site in one poll (pure).
//
// A firm lease is short when the allocation gave it less than the site wanted of it:
//     wanted = min(rate sold, demand not yet claimed by the site's earlier firm leases)
//     shed   = wanted - allocated
// The allocator gives firm leases their full rate whenever headroom allows, so a positive shed
// means capacity ran out - steering shed it. When the site sends less than the rate, only what
// it did want and did not get counts (the purchaser sending less is not a shortfall); with demand
// at or above the rate this is rate - allocated. With no demand estimate yet (nothing carried) no
// shortfall is claimed. Rates are converted with money::toMilli; a shed below 0.001 req/s is none.
// Leases are taken oldest (lowest id) first, as the allocator serves them.
QList<ShortfallSample> firmShortfall(const QList<FirmAllocation> &firmLeasesOfSite,
                                     double siteDemandRps, bool demandKnown, qint64 atMs,
                                     qint64 durationMs);

} // namespace headroom
