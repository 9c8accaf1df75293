#include "store/leaserepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

namespace headroom {
namespace {

QVariant nullable(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<qint64>());
}

std::optional<qint64> optionalInt(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}

QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value.left(1000);
}

} // namespace

LeaseRepository::LeaseRepository(Database &database) : m_database(database) {}

Result<qint64> LeaseRepository::add(const Lease &lease, const QString &actor)
{
    if (const QString why = lease.validate(); !why.isEmpty())
        return StoreError{why};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 id = 0;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery insert(m_database.connection());
        insert.prepare(QStringLiteral(
            "INSERT INTO leases (site_id, offer_id, pool, rate_rps, starts_at, ends_at, "
            "daily_days, kind, overflow, state, state_changed_at, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?)"));
        insert.addBindValue(lease.siteId);
        insert.addBindValue(nullable(lease.offerId));
        insert.addBindValue(text(lease.pool));
        insert.addBindValue(lease.rateRps);
        insert.addBindValue(lease.startsAtMs);
        insert.addBindValue(lease.endsAtMs);
        insert.addBindValue(lease.dailyDays);
        insert.addBindValue(leaseKindName(lease.kind));
        insert.addBindValue(overflowPolicyName(lease.overflow));
        insert.addBindValue(now);
        insert.addBindValue(text(lease.note));
        insert.addBindValue(now);
        if (!insert.exec())
            return toStoreError(insert, QStringLiteral("storing the lease"));
        id = insert.lastInsertId().toLongLong();
        return logEvent(id, QString(), QStringLiteral("scheduled"),
                        QStringLiteral("created by %1").arg(actor), now);
    });
    if (!written)
        return written.error();
    return id;
}

Result<void> LeaseRepository::logEvent(qint64 id, const QString &from, const QString &to,
                                       const QString &note, qint64 atMs)
{
    QSqlQuery event(m_database.connection());
    event.prepare(QStringLiteral("INSERT INTO lease_events (lease_id, at, from_state, to_state, "
                                 "note) VALUES (?, ?, ?, ?, ?)"));
    event.addBindValue(id);
    event.addBindValue(atMs);
    event.addBindValue(from.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(from));
    event.addBindValue(to);
    event.addBindValue(text(note));
    if (!event.exec())
        return toStoreError(event, QStringLiteral("logging lease %1's transition").arg(id));
    return {};
}

Result<QList<Lease>> LeaseRepository::select(const QString &where, const QVariant &value) const
{
    QSqlQuery query(m_database.connection());
    // `where` is one of this file's constant clauses; values are always bound.
    query.prepare(
        QStringLiteral("SELECT l.id, l.site_id, s.name, l.offer_id, l.pool, l.rate_rps, "
                       "l.starts_at, l.ends_at, l.daily_days, l.kind, l.overflow, l.state, "
                       "l.state_changed_at, l.drain_until, l.cancelled_at, l.note, l.created_at "
                       "FROM leases l JOIN sites s ON s.id = l.site_id ") +
        where + QStringLiteral(" ORDER BY l.starts_at, l.id"));
    if (value.isValid())
        query.addBindValue(value);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading leases"));
    QList<Lease> leases;
    while (query.next()) {
        Lease l;
        l.id = query.value(0).toLongLong();
        l.siteId = query.value(1).toLongLong();
        l.siteName = query.value(2).toString();
        l.offerId = optionalInt(query.value(3));
        l.pool = query.value(4).toString();
        l.rateRps = query.value(5).toDouble();
        l.startsAtMs = query.value(6).toLongLong();
        l.endsAtMs = query.value(7).toLongLong();
        l.dailyDays = query.value(8).toInt();
        l.kind = leaseKindFromName(query.value(9).toString()).value_or(LeaseKind::Firm);
        l.overflow =
            overflowPolicyFromName(query.value(10).toString()).value_or(OverflowPolicy::Dns);
        l.state = leaseStateFromName(query.value(11).toString()).value_or(LeaseState::Failed);
        l.stateChangedAtMs = query.value(12).toLongLong();
        l.drainUntilMs = optionalInt(query.value(13));
        l.cancelledAtMs = optionalInt(query.value(14));
        l.note = query.value(15).toString();
        l.createdAtMs = query.value(16).toLongLong();
        leases.append(l);
    }
    return leases;
}

Result<std::optional<Lease>> LeaseRepository::byId(qint64 id) const
{
    const auto leases = select(QStringLiteral("WHERE l.id = ?"), id);
    if (!leases)
        return leases.error();
    return leases.value().isEmpty() ? std::nullopt : std::optional(leases.value().first());
}

Result<QList<Lease>> LeaseRepository::all() const
{
    return select(QString(), QVariant());
}

Result<QList<Lease>> LeaseRepository::open() const
{
    return select(
        QStringLiteral("WHERE l.state IN ('scheduled', 'provisioning', 'active', 'draining')"),
        QVariant());
}

Result<QList<Lease>> LeaseRepository::forSite(qint64 siteId) const
{
    return select(QStringLiteral("WHERE l.site_id = ?"), siteId);
}

Result<bool> LeaseRepository::transition(qint64 id, LeaseState from, LeaseState to,
                                         const QString &note, std::optional<qint64> drainUntilMs)
{
    bool moved = false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        moved = false;
        QSqlQuery update(m_database.connection());
        update.prepare(
            QStringLiteral("UPDATE leases SET state = ?, state_changed_at = ?, "
                           "drain_until = coalesce(?, drain_until) WHERE id = ? AND state = ?"));
        update.addBindValue(leaseStateName(to));
        update.addBindValue(now);
        update.addBindValue(nullable(drainUntilMs));
        update.addBindValue(id);
        update.addBindValue(leaseStateName(from));
        if (!update.exec())
            return toStoreError(update, QStringLiteral("moving lease %1").arg(id));
        if (update.numRowsAffected() == 0)
            return {};
        moved = true;
        return logEvent(id, leaseStateName(from), leaseStateName(to), note, now);
    });
    if (!written)
        return written.error();
    return moved;
}

Result<bool> LeaseRepository::reschedule(qint64 id, qint64 startsAtMs, qint64 endsAtMs,
                                         const QString &note)
{
    const auto current = byId(id);
    if (!current)
        return current.error();
    if (!current.value())
        return StoreError{QStringLiteral("no lease %1").arg(id)};
    Lease moved = *current.value();
    if (isTerminal(moved.state) || moved.state == LeaseState::Draining)
        return StoreError{QStringLiteral("lease %1 is %2 and can no longer be moved")
                              .arg(id)
                              .arg(leaseStateName(moved.state))};
    moved.startsAtMs = startsAtMs;
    moved.endsAtMs = endsAtMs;
    if (const QString why = moved.validate(); !why.isEmpty())
        return StoreError{why};
    bool changed = false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery update(m_database.connection());
        update.prepare(QStringLiteral("UPDATE leases SET starts_at = ?, ends_at = ? WHERE id = ? "
                                      "AND state = ? AND starts_at = ? AND ends_at = ?"));
        update.addBindValue(startsAtMs);
        update.addBindValue(endsAtMs);
        update.addBindValue(id);
        update.addBindValue(leaseStateName(current.value()->state));
        update.addBindValue(current.value()->startsAtMs);
        update.addBindValue(current.value()->endsAtMs);
        if (!update.exec())
            return toStoreError(update, QStringLiteral("moving lease %1").arg(id));
        changed = update.numRowsAffected() > 0;
        if (!changed)
            return {};
        const QString what =
            QStringLiteral("window %1 - %2")
                .arg(QDateTime::fromMSecsSinceEpoch(startsAtMs, Qt::UTC).toString(Qt::ISODate),
                     QDateTime::fromMSecsSinceEpoch(endsAtMs, Qt::UTC).toString(Qt::ISODate));
        const QString state = leaseStateName(current.value()->state);
        return logEvent(id, state, state,
                        note.isEmpty() ? what : note + QStringLiteral(": ") + what, now);
    });
    if (!written)
        return written.error();
    return changed;
}

Result<bool> LeaseRepository::cancel(qint64 id, const QString &actor)
{
    bool done = false;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        done = false;
        QSqlQuery read(m_database.connection());
        read.prepare(QStringLiteral("SELECT state, cancelled_at FROM leases WHERE id = ?"));
        read.addBindValue(id);
        if (!read.exec())
            return toStoreError(read, QStringLiteral("cancelling lease %1").arg(id));
        if (!read.next())
            return StoreError{QStringLiteral("no lease %1").arg(id)};
        const auto state = leaseStateFromName(read.value(0).toString());
        const bool alreadyCancelled = !read.value(1).isNull();
        read.finish(); // no statement left in progress under the write below
        if (!state || isTerminal(*state) || alreadyCancelled)
            return {};
        const QString note = QStringLiteral("cancelled by %1").arg(actor);
        QSqlQuery update(m_database.connection());
        if (*state == LeaseState::Scheduled) {
            update.prepare(QStringLiteral("UPDATE leases SET state = 'cancelled', cancelled_at = "
                                          "?, state_changed_at = ? WHERE id = ?"));
            update.addBindValue(now);
            update.addBindValue(now);
        } else {
            // The controller sees cancelled_at, drains the lease and ends it as cancelled.
            update.prepare(QStringLiteral("UPDATE leases SET cancelled_at = ? WHERE id = ?"));
            update.addBindValue(now);
        }
        update.addBindValue(id);
        if (!update.exec())
            return toStoreError(update, QStringLiteral("cancelling lease %1").arg(id));
        done = true;
        const QString from = leaseStateName(*state);
        return logEvent(id, from,
                        *state == LeaseState::Scheduled ? QStringLiteral("cancelled") : from, note,
                        now);
    });
    if (!written)
        return written.error();
    return done;
}

Result<QList<LeaseEvent>> LeaseRepository::events(qint64 id) const
{
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral("SELECT at, coalesce(from_state, ''), to_state, note FROM "
                                 "lease_events WHERE lease_id = ? ORDER BY at, id"));
    query.addBindValue(id);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading lease %1's events").arg(id));
    QList<LeaseEvent> events;
    while (query.next())
        events.append({query.value(0).toLongLong(), query.value(1).toString(),
                       query.value(2).toString(), query.value(3).toString()});
    return events;
}

Result<void> LeaseRepository::setStatus(const LeaseStatus &s)
{
    return m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery upsert(m_database.connection());
        upsert.prepare(QStringLiteral(
            "INSERT INTO lease_status (lease_id, at, in_window, allocated_rps, demand_rps, "
            "delivered_rps, fraction, weights) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (lease_id) DO UPDATE SET at = excluded.at, in_window = "
            "excluded.in_window, allocated_rps = excluded.allocated_rps, demand_rps = "
            "excluded.demand_rps, delivered_rps = excluded.delivered_rps, fraction = "
            "excluded.fraction, weights = excluded.weights"));
        upsert.addBindValue(s.leaseId);
        upsert.addBindValue(s.atMs);
        upsert.addBindValue(s.inWindow ? 1 : 0);
        upsert.addBindValue(std::max(0.0, s.allocatedRps));
        upsert.addBindValue(std::max(0.0, s.demandRps));
        upsert.addBindValue(std::max(0.0, s.deliveredRps));
        upsert.addBindValue(std::clamp(s.fraction, 0.0, 1.0));
        upsert.addBindValue(
            QString::fromUtf8(QJsonDocument(s.weights).toJson(QJsonDocument::Compact)));
        if (!upsert.exec())
            return toStoreError(upsert, QStringLiteral("storing lease %1's status").arg(s.leaseId));
        return {};
    });
}

Result<std::optional<LeaseStatus>> LeaseRepository::status(qint64 id) const
{
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral("SELECT at, in_window, allocated_rps, demand_rps, delivered_rps, "
                                 "fraction, weights FROM lease_status WHERE lease_id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading lease %1's status").arg(id));
    if (!query.next())
        return std::optional<LeaseStatus>();
    LeaseStatus s;
    s.leaseId = id;
    s.atMs = query.value(0).toLongLong();
    s.inWindow = query.value(1).toInt() != 0;
    s.allocatedRps = query.value(2).toDouble();
    s.demandRps = query.value(3).toDouble();
    s.deliveredRps = query.value(4).toDouble();
    s.fraction = query.value(5).toDouble();
    s.weights = QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object();
    return std::optional(s);
}

} // namespace headroom
