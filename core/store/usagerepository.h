#pragma once

#include "billing/meter.h"
#include "store/result.h"

#include <QList>
#include <QString>
#include <optional>

namespace headroom {

class Database;

// One exact counter delta of one site on one proxy (never a rate estimate).
struct UsageSample
{
    QString sampleUid; // unique per proxy counter epoch, poll and site: a replay is ignored
    std::optional<qint64> leaseId;
    QString proxy; // by name; must be a stored proxy
    QString site;
    qint64 atMs = 0;
    quint64 requests = 0;
    quint64 bytes = 0;
};

// The metering ledger. Written with synchronous=FULL: a sample that was acknowledged survives a
// crash or power loss.
class UsageRepository final
{
public:
    explicit UsageRepository(Database &database);

    // Stores the samples in one transaction; returns how many were new (duplicates count once).
    Result<int> record(const QList<UsageSample> &samples);

    // Metering checkpoints by proxy (meterProxy()); a proxy never metered has no entry.
    Result<QHash<QString, ProxyCheckpoints>> checkpoints() const;
    // Stores the samples and moves the checkpoints they were measured from, in one durable
    // transaction: either both land or neither. Proxies in `metered` are marked as metered.
    Result<int> recordMetered(const QList<UsageSample> &samples,
                              const QHash<QString, ProxyCheckpoints> &advanced,
                              const QStringList &metered, qint64 nowMs);
    // Drops checkpoints not seen for two days (HAProxy's table forgets an idle entry after a
    // day; one that comes back later counts from zero, as a reset). The controller calls it
    // once a minute.
    Result<void> forgetOldCheckpoints(qint64 nowMs);
    // Total requests and bytes for a lease.
    Result<std::pair<quint64, quint64>> totalsForLease(qint64 leaseId) const;

private:
    Database &m_database;
};

} // namespace headroom
