#include "billing/shortfall.h"

#include "billing/money.h"

#include <algorithm>
#include <cmath>

namespace headroom {

QList<ShortfallSample> firmShortfall(const QList<FirmAllocation> &firmLeasesOfSite,
                                     double siteDemandRps, bool demandKnown, qint64 atMs,
                                     qint64 durationMs)
{
    QList<ShortfallSample> out;
    if (!demandKnown || !std::isfinite(siteDemandRps) || siteDemandRps <= 0 || durationMs <= 0)
        return out;
    QList<FirmAllocation> leases = firmLeasesOfSite;
    std::sort(leases.begin(), leases.end(), [](const FirmAllocation &a, const FirmAllocation &b) {
        return a.leaseId < b.leaseId;
    });
    double unclaimed = siteDemandRps;
    for (const FirmAllocation &l : leases) {
        if (!std::isfinite(l.rateRps) || !std::isfinite(l.allocatedRps) || l.rateRps <= 0)
            continue;
        const double wanted = std::min(l.rateRps, std::max(0.0, unclaimed));
        unclaimed -= wanted;
        QString ignored;
        const auto shed =
            money::toMilli(std::max(0.0, wanted - std::max(0.0, l.allocatedRps)), &ignored);
        if (shed && *shed > 0)
            out.append({l.leaseId, atMs, durationMs, *shed});
    }
    return out;
}

} // namespace headroom
