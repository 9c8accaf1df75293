#pragma once

#include "domain/lease.h"
#include "store/result.h"

#include <QJsonObject>
#include <QList>
#include <optional>

namespace headroom {

class Database;

struct LeaseEvent
{
    qint64 atMs = 0;
    QString from; // empty for the creation
    QString to;
    QString note;
};

// The steering loop's latest view of one lease.
struct LeaseStatus
{
    qint64 leaseId = 0;
    qint64 atMs = 0;
    bool inWindow = false;
    double allocatedRps = 0; // what the allocation gave it this poll
    double demandRps = 0;    // the site's estimated total demand
    double deliveredRps = 0; // what our proxies carried for it
    double fraction = 0;     // share of lookups answered with our proxies
    QJsonObject weights;     // target -> weight, as served
};

// Leases and their transitions. Every state change is a compare-and-set on the state the caller
// saw, written together with its lease_events row, so two controllers (or a controller and an
// operator) can never both move a lease.
class LeaseRepository final
{
public:
    explicit LeaseRepository(Database &database);

    // Stores a scheduled lease (validated; the site must exist) and its creation event.
    Result<qint64> add(const Lease &lease, const QString &actor);
    Result<std::optional<Lease>> byId(qint64 id) const;
    Result<QList<Lease>> all() const;
    // Leases not yet in a terminal state, oldest first.
    Result<QList<Lease>> open() const;
    Result<QList<Lease>> forSite(qint64 siteId) const;

    // False (not an error) when the lease is no longer in state `from`.
    Result<bool> transition(qint64 id, LeaseState from, LeaseState to, const QString &note,
                            std::optional<qint64> drainUntilMs = std::nullopt);
    // Moves the lease's windows (the Leases view's drag); only before it ends. Logged.
    Result<bool> reschedule(qint64 id, qint64 startsAtMs, qint64 endsAtMs, const QString &note);
    // Operator cancellation: a scheduled lease is cancelled at once; a provisioning or active one
    // is marked and drains first (the controller then ends it as cancelled).
    Result<bool> cancel(qint64 id, const QString &actor);
    Result<QList<LeaseEvent>> events(qint64 id) const;

    Result<void> setStatus(const LeaseStatus &status);
    Result<std::optional<LeaseStatus>> status(qint64 id) const;

private:
    Result<QList<Lease>> select(const QString &where, const QVariant &value) const;
    Result<void> logEvent(qint64 id, const QString &from, const QString &to, const QString &note,
                          qint64 atMs);

    Database &m_database;
};

} // namespace headroom
