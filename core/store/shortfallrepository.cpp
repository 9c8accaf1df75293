#include "store/shortfallrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlQuery>
#include <QVariant>

namespace headroom {

ShortfallRepository::ShortfallRepository(Database &database) : m_database(database) {}

Result<int> ShortfallRepository::record(const QList<ShortfallSample> &samples)
{
    if (samples.isEmpty())
        return 0;
    for (const ShortfallSample &s : samples) {
        if (s.leaseId <= 0 || s.durationMs < 1 || s.durationMs > 3600000 || s.shedMilliRps < 1 ||
            s.shedMilliRps > qint64(1000000000000))
            return StoreError{QStringLiteral("refusing a malformed shortfall sample for lease %1")
                                  .arg(s.leaseId)};
    }
    // Outside the transaction: SQLite ignores a change of this pragma inside one.
    QSqlQuery full(m_database.connection());
    if (!full.exec(QStringLiteral("PRAGMA synchronous = FULL")))
        return toStoreError(full, QStringLiteral("recording shortfall"));
    full.finish();
    int added = 0;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        added = 0;
        QSqlQuery insert(m_database.connection());
        insert.prepare(QStringLiteral(
            "INSERT INTO lease_shortfall (lease_id, at, duration_ms, shed_milli_rps) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (lease_id, at) DO NOTHING"));
        for (const ShortfallSample &s : samples) {
            insert.bindValue(0, s.leaseId);
            insert.bindValue(1, s.atMs);
            insert.bindValue(2, s.durationMs);
            insert.bindValue(3, s.shedMilliRps);
            if (!insert.exec())
                return toStoreError(
                    insert, QStringLiteral("recording shortfall of lease %1").arg(s.leaseId));
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

Result<qint64> ShortfallRepository::shedMilliRpsMs(qint64 leaseId, qint64 fromMs, qint64 toMs) const
{
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral("SELECT coalesce(sum(shed_milli_rps * duration_ms), 0) FROM "
                                 "lease_shortfall WHERE lease_id = ? AND at >= ? AND at < ?"));
    query.addBindValue(leaseId);
    query.addBindValue(fromMs);
    query.addBindValue(toMs);
    if (!query.exec() || !query.next())
        return toStoreError(query, QStringLiteral("summing shortfall of lease %1").arg(leaseId));
    return query.value(0).toLongLong();
}

} // namespace headroom
