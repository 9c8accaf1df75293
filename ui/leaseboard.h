#pragma once

#include "control/schedulecheck.h"
#include "domain/lease.h"
#include "fleet/forecast.h"
#include "store/leaserepository.h"
#include "store/result.h"
#include "store/siterepository.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <memory>
#include <optional>

class QThread;

namespace headroom {

class Database;

// Which part of a lease an operator changes: all of it, or one of its edges.
enum class LeaseEdit
{
    Move,
    ResizeStart,
    ResizeEnd
};

// The Leases view's picture of the database: the leases worth showing (open ones and those that
// ended in the last few days), the steering loop's latest status of each, the provisioning state
// of their sites on each proxy, the pools they are sold
// from with each pool's hour-of-week forecast, and every open lease's conflicts with that
// forecast. It opens its own connection on the GUI thread: the lease reads are a few rows, and
// refresh() is called about once a second. The forecast reads weeks of load history, so it is
// computed on a worker thread with a connection of its own.
class LeaseBoard final : public QObject
{
    Q_OBJECT
public:
    // Leases that ended longer ago than this are no longer shown.
    static constexpr qint64 HistoryMs = 3LL * 24 * 3600 * 1000;

    explicit LeaseBoard(QObject *parent = nullptr);
    ~LeaseBoard() override;

    // Opens the database at `path` (creating and migrating it like every other connection),
    // reads it and starts reading the forecast. An empty path closes it. False with error() set
    // when it cannot be opened.
    bool open(const QString &path);
    bool isOpen() const;
    QString databasePath() const { return m_path; }
    // The last open or read error; empty while reads succeed.
    QString error() const { return m_error; }

    // Reads leases and statuses again; changed() only when something differs.
    void refresh();
    // Recomputes every pool's forecast from the load history on a worker thread;
    // forecastChanged() when it is in. A second call while one runs is ignored.
    void refreshForecast();
    bool isReadingForecast() const;

    QList<Lease> leases() const { return m_leases; }
    std::optional<Lease> lease(qint64 id) const;
    std::optional<LeaseStatus> status(qint64 id) const;
    // The site's state on each proxy as the controller last stored it, by proxy name; empty
    // before it was first provisioned.
    QList<SiteProvisioning> provisioning(qint64 siteId) const
    {
        return m_provisioning.value(siteId);
    }
    // The lease's history, oldest first (read from the database on each call).
    QList<LeaseEvent> events(qint64 id) const;
    // Pools of the registered proxies and of the leases shown, sorted.
    QStringList pools() const { return m_pools; }
    // Empty until the forecast is in, or for a pool without history.
    QList<HourOfWeekEstimate> forecast(const QString &pool) const;
    QList<ScheduleConflict> conflicts(qint64 id) const { return m_conflicts.value(id); }

    // `proposed` against its pool's forecast and the other leases shown, from nowMs on.
    QList<ScheduleConflict> check(const Lease &proposed, qint64 nowMs) const;

    // Why the operator may not make this edit to the lease, or empty when it is allowed: only a
    // scheduled lease moves or changes its start; a provisioning or active one may still change
    // its end; a draining or finished one is left alone.
    static QString editRefusal(const Lease &lease, LeaseEdit edit);
    // The same for a change to given times (the edit a change of start or end amounts to).
    static QString changeRefusal(const Lease &lease, qint64 startsAtMs, qint64 endsAtMs);

    // Moves the lease's windows (with its audit row, lease.move or lease.resize) and reads the
    // database again. False (not an error) when the lease changed meanwhile.
    Result<bool> reschedule(qint64 id, qint64 startsAtMs, qint64 endsAtMs, const QString &note);

    // Who the audit log says acted: "console:<login name>" unless set.
    void setActor(const QString &actor) { m_actor = actor; }
    QString actor() const { return m_actor; }

Q_SIGNALS:
    void changed();
    void forecastChanged();

private:
    void setForecasts(const QHash<QString, QList<HourOfWeekEstimate>> &forecasts);
    void recomputeConflicts();
    void updatePools();

    std::unique_ptr<Database> m_database;
    QString m_path;
    QString m_actor;
    QString m_error;
    QList<Lease> m_leases;
    QHash<qint64, LeaseStatus> m_statuses;
    QHash<qint64, QList<SiteProvisioning>> m_provisioning; // by site id
    QStringList m_proxyPools;
    QStringList m_pools;
    QHash<QString, QList<HourOfWeekEstimate>> m_forecasts;
    QHash<qint64, QList<ScheduleConflict>> m_conflicts;
    QByteArray m_fingerprint;
    QPointer<QThread> m_forecastThread;
};

} // namespace headroom
