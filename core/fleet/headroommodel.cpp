#include "fleet/headroommodel.h"

#include <QtGlobal>

namespace headroom {

double baseLoad(const LoadSample &sample)
{
    return qMax(0.0, sample.totalRps - sample.purchaserRps);
}

double headroomRps(const LoadSample &sample, double targetUtilisation)
{
    return targetUtilisation * sample.capacityRps - baseLoad(sample);
}

PoolHeadroom aggregate(const QList<LoadSample> &samples, double targetUtilisation)
{
    PoolHeadroom pool;
    if (samples.isEmpty())
        return pool;
    pool.pool = samples.constFirst().pool;
    pool.atMs = samples.constFirst().atMs;
    for (const LoadSample &sample : samples) {
        if (sample.pool != pool.pool)
            pool.pool.clear();
        pool.atMs = qMax(pool.atMs, sample.atMs);
        const double spare = headroomRps(sample, targetUtilisation);
        ++pool.proxies;
        pool.capacityRps += sample.capacityRps;
        pool.baseLoadRps += baseLoad(sample);
        pool.headroomRps += spare;
        if (spare < 0) {
            ++pool.overloaded;
            pool.deficitRps -= spare;
        } else {
            pool.sellableRps += spare;
        }
    }
    return pool;
}

} // namespace headroom
