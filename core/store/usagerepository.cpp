#include "store/usagerepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlQuery>
#include <QVariant>
#include <limits>

namespace headroom {

UsageRepository::UsageRepository(Database &database) : m_database(database) {}

namespace {

constexpr qint64 kForgetCheckpointMs = 2 * 24 * 3600 * 1000LL;

Result<int> insertSamples(Database &database, const QList<UsageSample> &samples)
{
    int added = 0;
    // Prepared once per commit: a poll of 200 proxies writes thousands of rows.
    QSqlQuery insert(database.connection());
    if (!samples.isEmpty() &&
        !insert.prepare(QStringLiteral(
            "INSERT INTO usage_samples (sample_uid, lease_id, proxy_id, site, at, requests, "
            "bytes) SELECT ?, ?, id, ?, ?, ?, ? FROM proxies WHERE name = ? "
            "ON CONFLICT (sample_uid) DO NOTHING")))
        return toStoreError(insert, QStringLiteral("metering"));
    for (const UsageSample &s : samples) {
        if (s.sampleUid.isEmpty() || s.sampleUid.size() > 300 || s.site.size() > 253 ||
            s.requests > quint64(std::numeric_limits<qint64>::max()) ||
            s.bytes > quint64(std::numeric_limits<qint64>::max()))
            return StoreError{QStringLiteral("refusing a malformed usage sample")};
        insert.addBindValue(s.sampleUid);
        insert.addBindValue(s.leaseId ? QVariant(*s.leaseId)
                                      : QVariant(QMetaType::fromType<qint64>()));
        insert.addBindValue(s.site);
        insert.addBindValue(s.atMs);
        insert.addBindValue(qint64(s.requests));
        insert.addBindValue(qint64(s.bytes));
        insert.addBindValue(s.proxy);
        if (!insert.exec())
            return toStoreError(insert, QStringLiteral("metering %1").arg(s.sampleUid));
        added += insert.numRowsAffected() > 0 ? 1 : 0;
    }
    return added;
}

bool prepareCheckpointUpsert(QSqlQuery &upsert)
{
    return upsert.prepare(QStringLiteral(
        "INSERT INTO meter_checkpoints (proxy, entry, requests, bytes, seen_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (proxy, entry) DO UPDATE SET "
        "requests = excluded.requests, bytes = excluded.bytes, seen_at = excluded.seen_at"));
}

// `upsert` prepared by prepareCheckpointUpsert().
Result<void> storeCheckpoint(QSqlQuery &upsert, const QString &proxy, const QString &entry,
                             const CounterReading &reading, qint64 nowMs)
{
    if (proxy.isEmpty() || proxy.size() > 64 || entry.size() > 300 ||
        reading.requests > quint64(std::numeric_limits<qint64>::max()) ||
        reading.bytes > quint64(std::numeric_limits<qint64>::max()))
        return StoreError{QStringLiteral("refusing a malformed metering checkpoint")};
    upsert.addBindValue(proxy);
    upsert.addBindValue(entry.isEmpty() ? QStringLiteral("") : entry); // never NULL
    upsert.addBindValue(qint64(reading.requests));
    upsert.addBindValue(qint64(reading.bytes));
    upsert.addBindValue(nowMs);
    if (!upsert.exec())
        return toStoreError(
            upsert,
            QStringLiteral("storing the metering checkpoint of %1 on %2").arg(entry, proxy));
    return {};
}

} // namespace

Result<int> UsageRepository::record(const QList<UsageSample> &samples)
{
    if (samples.isEmpty())
        return 0;
    return recordMetered(samples, {}, {}, 0); // rows alone: no checkpoint moves
}

Result<QHash<QString, ProxyCheckpoints>> UsageRepository::checkpoints() const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT proxy, entry, requests, bytes FROM meter_checkpoints")))
        return toStoreError(query, QStringLiteral("reading the metering checkpoints"));
    QHash<QString, ProxyCheckpoints> all;
    while (query.next()) {
        ProxyCheckpoints &proxy = all[query.value(0).toString()];
        const QString entry = query.value(1).toString();
        if (!entry.isEmpty())
            proxy.insert(entry, {query.value(2).toULongLong(), query.value(3).toULongLong()});
    }
    query.finish();
    return all;
}

Result<int> UsageRepository::recordMetered(const QList<UsageSample> &samples,
                                           const QHash<QString, ProxyCheckpoints> &advanced,
                                           const QStringList &metered, qint64 nowMs)
{
    int added = 0;
    const Result<void> written = m_database.durableWriteTransaction([&]() -> Result<void> {
        const Result<int> inserted = insertSamples(m_database, samples);
        if (!inserted)
            return inserted.error();
        added = inserted.value();
        QSqlQuery upsert(m_database.connection());
        if (!prepareCheckpointUpsert(upsert))
            return toStoreError(upsert, QStringLiteral("storing the metering checkpoints"));
        for (const QString &proxy : metered) {
            if (const Result<void> r = storeCheckpoint(upsert, proxy, {}, {}, nowMs); !r)
                return r;
        }
        for (auto p = advanced.cbegin(); p != advanced.cend(); ++p) {
            for (auto e = p->cbegin(); e != p->cend(); ++e) {
                if (e.key().isEmpty())
                    continue;
                if (const Result<void> r =
                        storeCheckpoint(upsert, p.key(), e.key(), e.value(), nowMs);
                    !r)
                    return r;
            }
        }
        return {};
    });
    if (!written)
        return written.error();
    return added;
}

Result<void> UsageRepository::forgetOldCheckpoints(qint64 nowMs)
{
    return m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery forget(m_database.connection());
        forget.prepare(
            QStringLiteral("DELETE FROM meter_checkpoints WHERE entry <> '' AND seen_at < ?"));
        forget.addBindValue(nowMs - kForgetCheckpointMs);
        if (!forget.exec())
            return toStoreError(forget, QStringLiteral("forgetting old metering checkpoints"));
        return {};
    });
}

Result<std::pair<quint64, quint64>> UsageRepository::totalsForLease(qint64 leaseId) const
{
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral("SELECT coalesce(sum(requests), 0), coalesce(sum(bytes), 0) FROM "
                                 "usage_samples WHERE lease_id = ?"));
    query.addBindValue(leaseId);
    if (!query.exec() || !query.next())
        return toStoreError(query, QStringLiteral("summing usage of lease %1").arg(leaseId));
    return std::pair<quint64, quint64>(query.value(0).toULongLong(), query.value(1).toULongLong());
}

} // namespace headroom
