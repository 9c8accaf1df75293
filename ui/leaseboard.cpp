#include "leaseboard.h"

#include "security/auditedactions.h"
#include "store/database.h"
#include "store/loadhistoryrepository.h"
#include "store/proxyrepository.h"

#include <QDataStream>
#include <QDateTime>
#include <QThread>
#include <algorithm>

namespace headroom {

namespace {

// The forecast reads four weeks of load history: enough for DefaultMinWeeksPerHour, and the
// weeks before them say less about next week than these do.
constexpr qint64 ForecastHistoryMs = 28LL * 24 * 3600 * 1000;

QString siteName(const Lease &lease)
{
    return lease.siteName.isEmpty() ? QStringLiteral("lease %1").arg(lease.id) : lease.siteName;
}

} // namespace

LeaseBoard::LeaseBoard(QObject *parent) : QObject(parent), m_actor(AuditLog::consoleActor()) {}

LeaseBoard::~LeaseBoard()
{
    // Results no longer wanted, but no thread may outlive its owner; QObject deletes them.
    for (QThread *thread : findChildren<QThread *>(Qt::FindDirectChildrenOnly))
        thread->wait();
}

bool LeaseBoard::open(const QString &path)
{
    m_database.reset();
    m_path = path;
    m_error.clear();
    m_leases.clear();
    m_statuses.clear();
    m_provisioning.clear();
    m_proxyPools.clear();
    m_forecasts.clear();
    m_conflicts.clear();
    m_fingerprint.clear();
    if (!path.isEmpty()) {
        auto database = std::make_unique<Database>();
        const Result<void> opened = database->open(path);
        if (opened)
            m_database = std::move(database);
        else
            m_error = opened.error().message;
    }
    updatePools();
    if (m_database) {
        refresh();
        refreshForecast();
    }
    Q_EMIT changed();
    Q_EMIT forecastChanged();
    return m_path.isEmpty() || m_database;
}

bool LeaseBoard::isOpen() const
{
    return m_database && m_database->isOpen();
}

void LeaseBoard::refresh()
{
    if (!m_database)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    LeaseRepository repository(*m_database);
    const auto all = repository.all();
    const auto proxies = ProxyRepository(*m_database).all();
    QString error;
    QList<Lease> shown;
    QHash<qint64, LeaseStatus> statuses;
    QHash<qint64, QList<SiteProvisioning>> provisioning;
    if (!all) {
        error = all.error().message;
    } else {
        for (const Lease &lease : all.value()) {
            if (isTerminal(lease.state) && lease.finalEndMs() < now - HistoryMs &&
                lease.stateChangedAtMs < now - HistoryMs)
                continue;
            shown.append(lease);
            const auto status = repository.status(lease.id);
            if (!status) {
                error = status.error().message;
                break;
            }
            if (status.value())
                statuses.insert(lease.id, *status.value());
            if (provisioning.contains(lease.siteId))
                continue;
            const auto states = SiteRepository(*m_database).provisioning(lease.siteId);
            if (!states) {
                error = states.error().message;
                break;
            }
            provisioning.insert(lease.siteId, states.value());
        }
    }
    if (!proxies && error.isEmpty())
        error = proxies.error().message;

    // What the view shows of these, to tell whether anything changed.
    QByteArray fingerprint;
    {
        QDataStream out(&fingerprint, QIODevice::WriteOnly);
        out << error;
        for (const Lease &l : shown) {
            out << l.id << l.siteName << l.pool << l.rateRps << l.startsAtMs << l.endsAtMs
                << l.dailyDays << int(l.kind) << int(l.state) << l.stateChangedAtMs
                << l.cancelledAtMs.value_or(-1) << l.drainUntilMs.value_or(-1);
            const auto s = statuses.find(l.id);
            if (s != statuses.cend())
                out << s->atMs << s->allocatedRps << s->deliveredRps << s->demandRps << s->fraction
                    << s->weights.toVariantMap();
            for (const SiteProvisioning &p : provisioning.value(l.siteId))
                out << p.proxy << p.state << p.attempts << p.error;
        }
        if (proxies) {
            for (const Proxy &p : proxies.value())
                out << p.pool;
        }
    }
    if (fingerprint == m_fingerprint) {
        // Nothing was written, but time moves on: a conflict that is now in the past goes.
        const QHash<qint64, QList<ScheduleConflict>> before = m_conflicts;
        recomputeConflicts();
        bool same = before.size() == m_conflicts.size();
        for (auto it = before.cbegin(); same && it != before.cend(); ++it)
            same = m_conflicts.value(it.key()).size() == it->size();
        if (!same)
            Q_EMIT changed();
        return;
    }
    m_fingerprint = fingerprint;
    m_error = error;
    if (all) {
        m_leases = shown;
        m_statuses = statuses;
        m_provisioning = provisioning;
    }
    if (proxies) {
        m_proxyPools.clear();
        for (const Proxy &p : proxies.value()) {
            if (!p.pool.isEmpty() && !m_proxyPools.contains(p.pool))
                m_proxyPools.append(p.pool);
        }
    }
    const QStringList before = m_pools;
    updatePools();
    recomputeConflicts();
    Q_EMIT changed();
    // A pool seen for the first time has no forecast yet.
    for (const QString &pool : m_pools) {
        if (!before.contains(pool) && !m_forecasts.contains(pool)) {
            refreshForecast();
            break;
        }
    }
}

void LeaseBoard::updatePools()
{
    QStringList pools = m_proxyPools;
    for (const Lease &lease : m_leases) {
        if (!pools.contains(lease.pool))
            pools.append(lease.pool);
    }
    std::sort(pools.begin(), pools.end());
    m_pools = pools;
}

bool LeaseBoard::isReadingForecast() const
{
    return m_forecastThread && !m_forecastThread->isFinished();
}

void LeaseBoard::refreshForecast()
{
    if (!m_database || isReadingForecast())
        return;
    const QString path = m_path;
    const QStringList pools = m_pools;
    auto result = std::make_shared<QHash<QString, QList<HourOfWeekEstimate>>>();
    auto error = std::make_shared<QString>();
    QThread *thread = QThread::create([path, pools, result, error] {
        Database database;
        const Result<void> opened = database.open(path);
        if (!opened) {
            *error = opened.error().message;
            return;
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const LoadHistoryRepository history(database);
        for (const QString &pool : pools) {
            const auto series = history.headroomSeries(pool, now - ForecastHistoryMs, now);
            if (!series) {
                *error = series.error().message;
                return;
            }
            result->insert(pool, estimateByHourOfWeek(series.value()));
        }
    });
    thread->setParent(this); // deleted with the board if its result never comes in
    m_forecastThread = thread;
    connect(thread, &QThread::finished, this, [this, thread, path, result, error] {
        // finished() comes just before the thread returns; wait for that, then it can go.
        thread->wait();
        if (m_forecastThread == thread)
            m_forecastThread.clear();
        delete thread;
        if (path != m_path)
            return; // another database was opened meanwhile
        if (!error->isEmpty())
            qWarning("Leases: no forecast: %s", qPrintable(*error));
        setForecasts(*result);
    });
    thread->start(QThread::LowPriority);
}

void LeaseBoard::setForecasts(const QHash<QString, QList<HourOfWeekEstimate>> &forecasts)
{
    for (auto it = forecasts.cbegin(); it != forecasts.cend(); ++it)
        m_forecasts.insert(it.key(), it.value());
    recomputeConflicts();
    Q_EMIT forecastChanged();
    Q_EMIT changed();
}

std::optional<Lease> LeaseBoard::lease(qint64 id) const
{
    for (const Lease &l : m_leases) {
        if (l.id == id)
            return l;
    }
    return std::nullopt;
}

std::optional<LeaseStatus> LeaseBoard::status(qint64 id) const
{
    const auto it = m_statuses.find(id);
    return it == m_statuses.cend() ? std::nullopt : std::optional(*it);
}

QList<LeaseEvent> LeaseBoard::events(qint64 id) const
{
    if (!m_database)
        return {};
    const auto events = LeaseRepository(*m_database).events(id);
    return events ? events.value() : QList<LeaseEvent>();
}

QList<HourOfWeekEstimate> LeaseBoard::forecast(const QString &pool) const
{
    return m_forecasts.value(pool);
}

QList<ScheduleConflict> LeaseBoard::check(const Lease &proposed, qint64 nowMs) const
{
    ScheduleCheckOptions options;
    options.notBeforeMs = nowMs;
    return checkSchedule(proposed, m_leases, m_forecasts.value(proposed.pool), options);
}

void LeaseBoard::recomputeConflicts()
{
    m_conflicts.clear();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Lease &lease : m_leases) {
        if (isTerminal(lease.state) || lease.cancelledAtMs)
            continue;
        // Until the forecast is in, every hour would read as unknown.
        if (!m_forecasts.contains(lease.pool))
            continue;
        const QList<ScheduleConflict> conflicts = check(lease, now);
        if (!conflicts.isEmpty())
            m_conflicts.insert(lease.id, conflicts);
    }
}

QString LeaseBoard::editRefusal(const Lease &lease, LeaseEdit edit)
{
    const QString site = siteName(lease);
    if (isTerminal(lease.state) || lease.state == LeaseState::Draining || lease.cancelledAtMs) {
        const QString what = lease.cancelledAtMs && !isTerminal(lease.state)
                                 ? QStringLiteral("is being cancelled")
                                 : QStringLiteral("is %1").arg(leaseStateName(lease.state));
        return QStringLiteral("%1 %2 and can no longer be moved.").arg(site, what);
    }
    if (lease.state == LeaseState::Scheduled || edit == LeaseEdit::ResizeEnd)
        return {};
    return QStringLiteral("%1 is %2: its start has passed, so only its end can be changed (drag "
                          "the right edge).")
        .arg(site, leaseStateName(lease.state));
}

QString LeaseBoard::changeRefusal(const Lease &lease, qint64 startsAtMs, qint64 endsAtMs)
{
    if (startsAtMs != lease.startsAtMs)
        return editRefusal(lease,
                           endsAtMs != lease.endsAtMs ? LeaseEdit::Move : LeaseEdit::ResizeStart);
    return editRefusal(lease, LeaseEdit::ResizeEnd);
}

Result<bool> LeaseBoard::reschedule(qint64 id, qint64 startsAtMs, qint64 endsAtMs,
                                    const QString &note)
{
    if (!m_database)
        return StoreError{QStringLiteral("no database is open")};
    const Result<bool> moved =
        AuditedActions(*m_database, m_actor).rescheduleLease(id, startsAtMs, endsAtMs, note);
    m_fingerprint.clear(); // read and announce again, whatever happened
    refresh();
    return moved;
}

} // namespace headroom
