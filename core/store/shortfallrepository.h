#pragma once

#include "billing/shortfall.h"
#include "store/result.h"

namespace headroom {

class Database;

// The firm shortfall the steering loop records each poll (lease_shortfall): billing evidence for
// credits, so written like metering, with synchronous=FULL. One row per lease and poll time: the
// same row written twice counts once.
class ShortfallRepository final
{
public:
    explicit ShortfallRepository(Database &database);

    // Returns how many rows were new.
    Result<int> record(const QList<ShortfallSample> &samples);
    // Sum of shed (0.001 req/s) x duration (ms) of the lease's rows with fromMs <= at < toMs.
    Result<qint64> shedMilliRpsMs(qint64 leaseId, qint64 fromMs, qint64 toMs) const;

private:
    Database &m_database;
};

} // namespace headroom
