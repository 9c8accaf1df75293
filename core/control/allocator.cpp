#include "control/allocator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace headroom {

double ProxyCapacity::headroomRps(double targetUtilisation) const
{
    if (!up || !(capacityRps > 0) || !std::isfinite(totalRps))
        return 0;
    return std::max(0.0, targetUtilisation * capacityRps - baseRps());
}

QList<LeaseGrant> allocate(double headroomRps, const QList<LeaseAsk> &asks)
{
    QList<LeaseGrant> grants;
    grants.reserve(asks.size());
    for (const LeaseAsk &a : asks)
        grants.append({a.leaseId, 0, false});
    double left = std::isfinite(headroomRps) ? std::max(0.0, headroomRps) : 0;

    QList<qsizetype> firm;
    QList<qsizetype> bestEffort;
    for (qsizetype i = 0; i < asks.size(); ++i)
        (asks[i].kind == LeaseKind::Firm ? firm : bestEffort).append(i);
    const auto byId = [&](qsizetype a, qsizetype b) { return asks[a].leaseId < asks[b].leaseId; };
    std::sort(firm.begin(), firm.end(), byId);

    for (qsizetype i : firm) {
        const double want = std::max(0.0, asks[i].rateRps);
        grants[i].allocatedRps = std::min(want, left);
        grants[i].shortOfFirm = grants[i].allocatedRps < want;
        left -= grants[i].allocatedRps;
    }

    // Water-filling: repeatedly give every unsatisfied lease an equal share of what is left.
    QList<qsizetype> hungry = bestEffort;
    const auto cap = [&](qsizetype i) {
        double c = std::max(0.0, asks[i].rateRps);
        if (asks[i].demandKnown)
            c = std::min(c, std::max(0.0, asks[i].demandRps));
        return c;
    };
    while (!hungry.isEmpty() && left > 1e-9) {
        const double share = left / double(hungry.size());
        QList<qsizetype> still;
        double given = 0;
        for (qsizetype i : hungry) {
            const double room = cap(i) - grants[i].allocatedRps;
            const double add = std::min(room, share);
            grants[i].allocatedRps += add;
            given += add;
            if (cap(i) - grants[i].allocatedRps > 1e-9)
                still.append(i);
        }
        left -= given;
        if (still.size() == hungry.size())
            break; // everyone took a full share: nothing left to redistribute
        hungry = still;
    }
    return grants;
}

} // namespace headroom
