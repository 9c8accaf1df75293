#include "store/usagerepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlQuery>
#include <QVariant>
#include <limits>

namespace headroom {

UsageRepository::UsageRepository(Database &database) : m_database(database) {}

Result<int> UsageRepository::record(const QList<UsageSample> &samples)
{
    if (samples.isEmpty())
        return 0;
    int added = 0;
    // Outside the transaction: SQLite ignores a change of this pragma inside one.
    QSqlQuery full(m_database.connection());
    if (!full.exec(QStringLiteral("PRAGMA synchronous = FULL")))
        return toStoreError(full, QStringLiteral("metering"));
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        added = 0;
        for (const UsageSample &s : samples) {
            if (s.sampleUid.isEmpty() || s.sampleUid.size() > 300 || s.site.size() > 253 ||
                s.requests > quint64(std::numeric_limits<qint64>::max()) ||
                s.bytes > quint64(std::numeric_limits<qint64>::max()))
                return StoreError{QStringLiteral("refusing a malformed usage sample")};
            QSqlQuery insert(m_database.connection());
            insert.prepare(QStringLiteral(
                "INSERT INTO usage_samples (sample_uid, lease_id, proxy_id, site, at, requests, "
                "bytes) SELECT ?, ?, id, ?, ?, ?, ? FROM proxies WHERE name = ? "
                "ON CONFLICT (sample_uid) DO NOTHING"));
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
        return {};
    });
    QSqlQuery normal(m_database.connection());
    normal.exec(QStringLiteral("PRAGMA synchronous = NORMAL"));
    if (!written)
        return written.error();
    return added;
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
