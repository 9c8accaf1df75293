#include "store/loadhistoryrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <cmath>

namespace headroom {
namespace {

constexpr qint64 SecondMs = 1000;
constexpr qint64 MinuteMs = 60 * SecondMs;

// Rounds toward negative infinity; times are validated non-negative, but be exact anyway.
qint64 floorTo(qint64 value, qint64 unit)
{
    const qint64 q = value / unit;
    return (value % unit != 0 && value < 0 ? q - 1 : q) * unit;
}

qint64 ceilTo(qint64 value, qint64 unit)
{
    const qint64 down = floorTo(value, unit);
    return down == value ? value : down + unit;
}

// Qt binds a null QString as SQL NULL; the columns are NOT NULL and empty is what we mean.
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

bool validRate(double rps)
{
    return std::isfinite(rps) && rps >= 0;
}

// Empty if the sample can be stored; otherwise why not.
QString invalidSample(const LoadSample &sample)
{
    if (sample.proxy.isEmpty())
        return QStringLiteral("a load sample needs a proxy name");
    if (sample.atMs < 0)
        return QStringLiteral("load sample of %1: the time %2 is before 1970")
            .arg(sample.proxy)
            .arg(sample.atMs);
    if (!validRate(sample.capacityRps) || !validRate(sample.totalRps) ||
        !validRate(sample.purchaserRps))
        return QStringLiteral("load sample of %1 at %2: rates must be finite and not negative "
                              "(capacity %3, total %4, purchaser %5)")
            .arg(sample.proxy)
            .arg(sample.atMs)
            .arg(sample.capacityRps)
            .arg(sample.totalRps)
            .arg(sample.purchaserRps);
    return QString();
}

Result<qint64> countRows(QSqlDatabase db, const QString &sql, const QString &context)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return toStoreError(query, context);
    return query.value(0).toLongLong();
}

// base = max(0, total − purchaser) and headroom = target × capacity − base, as in
// fleet/headroommodel.h; tst_loadhistory checks that the two agree.
constexpr auto RollUpSql = R"(
    INSERT INTO load_history_minute (proxy, at, pool, capacity_rps, total_rps, purchaser_rps,
        base_rps, min_headroom_rps, max_headroom_rps, avg_headroom_rps, samples)
    SELECT proxy, (at / 60000) * 60000 AS minute, max(pool), avg(capacity_rps), avg(total_rps),
        avg(purchaser_rps), avg(base), min(headroom), max(headroom), avg(headroom), count(*)
    FROM (SELECT proxy, at, pool, capacity_rps, total_rps, purchaser_rps,
              max(0.0, total_rps - purchaser_rps) AS base,
              :target * capacity_rps - max(0.0, total_rps - purchaser_rps) AS headroom
          FROM load_history_second WHERE at <= :cutoff)
    WHERE true
    GROUP BY proxy, minute
    ON CONFLICT (proxy, at) DO UPDATE SET
        pool = excluded.pool,
        capacity_rps = (capacity_rps * samples + excluded.capacity_rps * excluded.samples)
            / (samples + excluded.samples),
        total_rps = (total_rps * samples + excluded.total_rps * excluded.samples)
            / (samples + excluded.samples),
        purchaser_rps = (purchaser_rps * samples + excluded.purchaser_rps * excluded.samples)
            / (samples + excluded.samples),
        base_rps = (base_rps * samples + excluded.base_rps * excluded.samples)
            / (samples + excluded.samples),
        min_headroom_rps = min(min_headroom_rps, excluded.min_headroom_rps),
        max_headroom_rps = max(max_headroom_rps, excluded.max_headroom_rps),
        avg_headroom_rps = (avg_headroom_rps * samples
            + excluded.avg_headroom_rps * excluded.samples) / (samples + excluded.samples),
        samples = samples + excluded.samples
)";

// Per proxy and minute, weighted averages over the seconds and the minute row of that minute;
// then the pool's sum per minute.
constexpr auto SeriesSql = R"(
    SELECT minute, sum(:target * capacity - base) FROM (
        SELECT proxy, minute, sum(capacity_sum) / sum(n) AS capacity,
            sum(base_sum) / sum(n) AS base
        FROM (
            SELECT proxy, (at / 60000) * 60000 AS minute, sum(capacity_rps) AS capacity_sum,
                sum(max(0.0, total_rps - purchaser_rps)) AS base_sum, count(*) AS n
            FROM load_history_second
            WHERE pool = :pool_s AND at >= :from_s AND at < :to_s
            GROUP BY proxy, minute
            UNION ALL
            SELECT proxy, at, capacity_rps * samples, base_rps * samples, samples
            FROM load_history_minute
            WHERE pool = :pool_m AND at >= :from_m AND at < :to_m)
        GROUP BY proxy, minute)
    GROUP BY minute ORDER BY minute
)";

} // namespace

LoadHistoryRepository::LoadHistoryRepository(Database &database, double targetUtilisation)
    : m_database(database),
      m_targetUtilisation(std::isfinite(targetUtilisation) ? targetUtilisation
                                                           : DefaultTargetUtilisation)
{
}

Result<void> LoadHistoryRepository::append(const QList<LoadSample> &samples)
{
    for (const LoadSample &sample : samples) {
        const QString why = invalidSample(sample);
        if (!why.isEmpty())
            return StoreError{why};
    }
    if (samples.isEmpty())
        return {};
    return m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery insert(m_database.connection());
        insert.prepare(QStringLiteral(
            "INSERT INTO load_history_second (proxy, at, pool, capacity_rps, total_rps, "
            "purchaser_rps) VALUES (:proxy, :at, :pool, :capacity, :total, :purchaser) "
            "ON CONFLICT (proxy, at) DO UPDATE SET pool = excluded.pool, "
            "capacity_rps = excluded.capacity_rps, total_rps = excluded.total_rps, "
            "purchaser_rps = excluded.purchaser_rps"));
        for (const LoadSample &sample : samples) {
            insert.bindValue(QStringLiteral(":proxy"), sample.proxy);
            insert.bindValue(QStringLiteral(":at"), floorTo(sample.atMs, SecondMs));
            insert.bindValue(QStringLiteral(":pool"), text(sample.pool));
            insert.bindValue(QStringLiteral(":capacity"), sample.capacityRps);
            insert.bindValue(QStringLiteral(":total"), sample.totalRps);
            insert.bindValue(QStringLiteral(":purchaser"), sample.purchaserRps);
            if (!insert.exec())
                return toStoreError(insert, QStringLiteral("storing the load of %1 at %2")
                                                .arg(sample.proxy)
                                                .arg(sample.atMs));
        }
        return {};
    });
}

Result<void> LoadHistoryRepository::rollUp(qint64 nowMs)
{
    const qint64 cutoff = nowMs - SecondRetentionMs;
    const qint64 expiry = nowMs - MinuteRetentionMs;
    return m_database.writeTransaction([&]() -> Result<void> {
        const QSqlDatabase db = m_database.connection();
        QSqlQuery fold(db);
        fold.prepare(QLatin1String(RollUpSql));
        fold.bindValue(QStringLiteral(":target"), m_targetUtilisation);
        fold.bindValue(QStringLiteral(":cutoff"), cutoff);
        if (!fold.exec())
            return toStoreError(fold, QStringLiteral("rolling load seconds up into minutes"));

        QSqlQuery dropSeconds(db);
        dropSeconds.prepare(QStringLiteral("DELETE FROM load_history_second WHERE at <= :cutoff"));
        dropSeconds.bindValue(QStringLiteral(":cutoff"), cutoff);
        if (!dropSeconds.exec())
            return toStoreError(dropSeconds, QStringLiteral("deleting rolled-up load seconds"));

        QSqlQuery dropMinutes(db);
        dropMinutes.prepare(QStringLiteral("DELETE FROM load_history_minute WHERE at < :expiry"));
        dropMinutes.bindValue(QStringLiteral(":expiry"), expiry);
        if (!dropMinutes.exec())
            return toStoreError(dropMinutes, QStringLiteral("deleting expired load minutes"));
        return {};
    });
}

Result<QList<std::pair<qint64, double>>>
LoadHistoryRepository::headroomSeries(const QString &pool, qint64 fromMs, qint64 toMs,
                                      double targetUtilisation) const
{
    const QString context = QStringLiteral("reading the headroom of pool %1").arg(pool);
    if (!std::isfinite(targetUtilisation))
        return StoreError{context + QStringLiteral(": the target utilisation is not a number")};
    // Minutes that start in [fromMs, toMs): the seconds of exactly those minutes.
    const qint64 from = ceilTo(fromMs, MinuteMs);
    const qint64 to = ceilTo(toMs, MinuteMs);
    QList<std::pair<qint64, double>> series;
    if (from >= to)
        return series;

    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QLatin1String(SeriesSql));
    query.bindValue(QStringLiteral(":target"), targetUtilisation);
    query.bindValue(QStringLiteral(":pool_s"), text(pool));
    query.bindValue(QStringLiteral(":from_s"), from);
    query.bindValue(QStringLiteral(":to_s"), to);
    query.bindValue(QStringLiteral(":pool_m"), text(pool));
    query.bindValue(QStringLiteral(":from_m"), from);
    query.bindValue(QStringLiteral(":to_m"), to);
    if (!query.exec())
        return toStoreError(query, context);
    while (query.next())
        series.append({query.value(0).toLongLong(), query.value(1).toDouble()});
    if (query.lastError().isValid())
        return toStoreError(query, context);
    return series;
}

Result<qint64> LoadHistoryRepository::secondRowCount() const
{
    return countRows(m_database.connection(),
                     QStringLiteral("SELECT count(*) FROM load_history_second"),
                     QStringLiteral("counting load seconds"));
}

Result<qint64> LoadHistoryRepository::minuteRowCount() const
{
    return countRows(m_database.connection(),
                     QStringLiteral("SELECT count(*) FROM load_history_minute"),
                     QStringLiteral("counting load minutes"));
}

} // namespace headroom
