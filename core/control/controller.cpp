#include "control/controller.h"

#include "billing/shortfall.h"
#include "control/allocator.h"
#include "control/weightplan.h"
#include "dns/dnsupdateservice.h"
#include "dns/serverclock.h"
#include "dns/steeringrecord.h"
#include "domain/proxy.h"
#include "fleet/headroommodel.h"
#include "store/database.h"
#include "store/dnsrepository.h"
#include "store/leaserepository.h"
#include "store/loadhistoryrepository.h"
#include "store/proxyrepository.h"
#include "store/shortfallrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimeZone>
#include <cmath>

namespace headroom {
namespace {

constexpr int kMaxStepsPerPoll = 6;
constexpr qint64 kProvisionRetryMs = 10000;
constexpr qint64 kRollUpEveryMs = 60000;

// "12:00:01Z" for the log (whose lines carry the date already).
QString clockText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("HH:mm:ss'Z'"));
}

// An UPDATE's error without the count of sends, which differs between the first try of an
// outage (the updater's own retries) and the controller's later ones (one send each).
QString sameFailure(QString error)
{
    static const QRegularExpression attempts(QStringLiteral(" \\(after \\d+ attempts\\)$"));
    return error.remove(attempts);
}

QString secondsText(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms < 10000 ? 1 : 0);
}

QString provisionStateName(ProvisionState::State s)
{
    switch (s) {
    case ProvisionState::Pending:
        return QStringLiteral("pending");
    case ProvisionState::Provisioned:
        return QStringLiteral("provisioned");
    case ProvisionState::Failed:
        return QStringLiteral("failed");
    case ProvisionState::Removed:
        return QStringLiteral("removed");
    }
    return QStringLiteral("pending");
}

// Slots named in a proxy's Host map file ("host be_slotNN" lines), for sites provisioned by hand
// (`fleet provision`) that the database does not know.
QList<int> slotsInMapFile(const QString &path, const QStringList &ownHosts)
{
    QList<int> slots;
    QFile map(path);
    if (!map.open(QIODevice::ReadOnly) || map.size() > (1 << 20))
        return slots;
    for (const QByteArray &line : map.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() != 2 || !parts[1].startsWith("be_slot"))
            continue;
        if (ownHosts.contains(QString::fromLatin1(parts[0])))
            continue;
        bool ok = false;
        const int slot = parts[1].mid(7).toInt(&ok);
        if (ok)
            slots.append(slot);
    }
    return slots;
}

} // namespace

std::optional<ControllerConfig> ControllerConfig::forSandbox(const SandboxLayout &layout,
                                                             QString *error)
{
    ControllerConfig c;
    c.databasePath = layout.databaseFile();
    c.proxies = layout.proxies;
    const auto zone = DnsName::parse(layout.ourZone, error);
    if (!zone)
        return std::nullopt;
    const auto key = TsigKey::fromFile(layout.updateKeyName, layout.updateKeyFile(), error);
    if (!key)
        return std::nullopt;
    QList<DnsName> shards;
    for (const QString &s : layout.shardZones())
        shards.append(*DnsName::parse(s));
    c.dns = DnsUpdater::Target{layout.authoritative.address, layout.authoritative.port, *zone, *key,
                               shards};
    c.shardCount = layout.shardCount;
    return c;
}

Controller::Controller(ControllerConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_zones(m_config.dns.zone, m_config.shardCount)
{
    qRegisterMetaType<QList<headroom::SiteSnapshot>>();
    m_config.law.ttlSeconds = m_config.ttlSeconds;
    m_config.lifecycle.drainMs =
        qint64(m_config.ttlSeconds) * 1000 + 2 * qint64(m_config.pollMs) + 1000;
}

Controller::~Controller()
{
    stop();
}

bool Controller::isRunning() const
{
    return m_scraper && m_scraper->isRunning();
}

bool Controller::start(QString *error)
{
    if (isRunning())
        return true;
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(m_config.databasePath);
    if (!opened) {
        *error = opened.error().message;
        m_db.reset();
        return false;
    }
    m_scraper = new FleetScraper(this);
    m_scraper->setProxies(m_config.proxies);
    m_scraper->setInterval(m_config.pollMs);
    connect(m_scraper, &FleetScraper::updated, this, &Controller::onPoll);

    m_provisioner = new Provisioner(this);
    connect(m_provisioner, &Provisioner::finished, this, &Controller::onProvisionFinished);
    connect(m_provisioner, &Provisioner::changed, this,
            [this](const QString &site, const QList<ProvisionState> &states) {
                const qint64 id = m_siteIdByName.value(site);
                if (!id || !m_db || m_storeBusySinceMs)
                    return; // while another process holds the database, the next change says it
                QList<SiteProvisioning> rows;
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                for (const ProvisionState &s : states)
                    rows.append({s.proxy, provisionStateName(s.state), s.attempts, s.error, now});
                const Result<void> stored = SiteRepository(*m_db).setProvisioning(id, rows);
                if (!stored)
                    logLine(QStringLiteral("could not store provisioning state: %1")
                                .arg(stored.error().message));
            });

    m_dns = new DnsUpdateService(m_config.dns, this, 1500, 3);
    connect(m_dns, &DnsUpdateService::applied, this, &Controller::onApplied);

    m_sinceLastPoll.start();
    m_monotonic.start();
    m_scraper->start();
    logLine(QStringLiteral("controller started: %1 proxies, poll %2 ms, TTL %3 s, target %4 %")
                .arg(m_config.proxies.size())
                .arg(m_config.pollMs)
                .arg(m_config.ttlSeconds)
                .arg(m_config.targetUtilisation * 100, 0, 'f', 0));
    return true;
}

void Controller::stop()
{
    if (m_scraper)
        m_scraper->stop();
}

void Controller::logLine(const QString &line)
{
    Q_EMIT message(line);
}

void Controller::onPoll(const QList<ProxyLoad> &loads)
{
    if (!m_db)
        return;
    ++m_polls;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    watchClock(now);
    const bool writable = storeWritable(now);
    const auto siteList = SiteRepository(*m_db).all();
    if (!siteList) {
        logLine(QStringLiteral("cannot read sites: %1").arg(siteList.error().message));
        return;
    }
    QHash<qint64, Site> sites;
    m_siteIdByName.clear();
    for (const Site &s : siteList.value()) {
        sites.insert(s.id, s);
        m_siteIdByName.insert(s.name, s.id);
    }
    watchProxies(loads);
    runLifecycle(now, sites);
    // Metering and load history wait while another process holds the database: the metering
    // checkpoints stay where they were, so the first poll after it counts everything since.
    if (writable)
        record(loads, now, sites);
    steer(loads, now, sites);
    m_sinceLastPoll.restart();
    if (m_once && m_polls >= 2)
        m_cycleDone = true;
    finishCycleIfDone();
}

void Controller::finishCycleIfDone()
{
    if (!m_cycleDone || m_inFlight != 0)
        return;
    for (const Provisioning &p : m_provisioning) {
        if (p.running)
            return;
    }
    m_cycleDone = false;
    Q_EMIT cycleFinished();
}

std::optional<SiteSpec> Controller::specFor(const Site &site, QString *error)
{
    SiteSpec spec;
    spec.site = site.name;
    for (const QString &h : site.hosts) {
        const auto name = DnsName::parse(h, error);
        if (!name)
            return std::nullopt;
        spec.hosts.append(*name);
    }
    for (const SiteOrigin &o : site.origins)
        spec.origins.append({o.address, o.port, o.weight});
    spec.slot = site.slot;
    if (spec.slot < 0) {
        const auto used = SiteRepository(*m_db).usedSlots();
        if (!used) {
            *error = used.error().message;
            return std::nullopt;
        }
        QList<int> taken = used.value();
        for (const ProxyEndpoint &p : m_config.proxies)
            taken += slotsInMapFile(p.hostMap, site.hosts);
        for (int s = 0; s < provision::kSlotCount; ++s) {
            if (!taken.contains(s)) {
                spec.slot = s;
                break;
            }
        }
        if (spec.slot < 0) {
            *error = QStringLiteral("every proxy slot is taken");
            return std::nullopt;
        }
        const Result<void> stored = SiteRepository(*m_db).setSlot(site.id, spec.slot);
        if (!stored) {
            *error = stored.error().message;
            return std::nullopt;
        }
    }
    return spec;
}

void Controller::ensureProvisioned(const Site &site)
{
    Provisioning &p = m_provisioning[site.name];
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // After a proxy restarted or came back, provision again at once, even over a run still
    // retrying against the dead process (the new run replaces it): a hard restart loses the
    // servers the runtime API added.
    if (!p.verify &&
        (p.running || p.provisionedOn.size() == m_config.proxies.size() || now < p.retryAtMs))
        return;
    if (p.removing && p.running)
        return;
    p.verify = false;
    QString error;
    const auto spec = specFor(site, &error);
    if (!spec) {
        p.failure = error;
        p.retryAtMs = now + kProvisionRetryMs;
        logLine(QStringLiteral("%1: cannot provision: %2").arg(site.name, error));
        return;
    }
    QList<ProxyTarget> targets;
    for (const ProxyEndpoint &e : m_config.proxies)
        targets.append({e.name, e.runtimeSocket, e.hostMap});
    p.removing = false;
    if (!m_provisioner->provision(*spec, targets, &error)) {
        p.failure = error;
        p.retryAtMs = now + kProvisionRetryMs;
        logLine(QStringLiteral("%1: cannot provision: %2").arg(site.name, error));
        return;
    }
    p.running = true;
    logLine(QStringLiteral("%1: provisioning on %2 proxies (slot %3)")
                .arg(site.name)
                .arg(targets.size())
                .arg(spec->slot));
}

void Controller::removeSite(const Site &site)
{
    Provisioning &p = m_provisioning[site.name];
    if (p.running || site.slot < 0)
        return;
    QString error;
    const auto spec = specFor(site, &error);
    if (!spec)
        return;
    QList<ProxyTarget> targets;
    for (const ProxyEndpoint &e : m_config.proxies)
        targets.append({e.name, e.runtimeSocket, e.hostMap});
    if (!m_provisioner->deprovision(*spec, targets, &error)) {
        logLine(QStringLiteral("%1: cannot remove from the proxies: %2").arg(site.name, error));
        return;
    }
    p.running = true;
    p.removing = true;
    p.provisionedOn.clear();
    logLine(QStringLiteral("%1: removing from the proxies").arg(site.name));
}

void Controller::onProvisionFinished(const QString &site, bool ok)
{
    Provisioning &p = m_provisioning[site];
    p.running = false;
    p.provisionedOn.clear();
    QStringList failed;
    for (const ProvisionState &s : m_provisioner->states(site)) {
        if (s.state == ProvisionState::Provisioned)
            p.provisionedOn.insert(s.proxy);
        else if (s.state == ProvisionState::Failed)
            failed.append(QStringLiteral("%1: %2").arg(s.proxy, s.error));
    }
    if (p.removing) {
        p.provisionedOn.clear();
        if (ok) {
            const qint64 id = m_siteIdByName.value(site);
            if (id && m_db) {
                const Result<void> cleared = SiteRepository(*m_db).setSlot(id, -1);
                if (!cleared)
                    logLine(cleared.error().message);
            }
        }
        logLine(ok ? QStringLiteral("%1: removed from every proxy").arg(site)
                   : QStringLiteral("%1: removal incomplete, retrying: %2")
                         .arg(site, failed.join(QStringLiteral("; "))));
        p.removing = ok ? false : p.removing;
        if (!ok)
            p.retryAtMs = QDateTime::currentMSecsSinceEpoch() + kProvisionRetryMs;
    } else {
        p.failure = failed.join(QStringLiteral("; "));
        if (!ok)
            p.retryAtMs = QDateTime::currentMSecsSinceEpoch() + kProvisionRetryMs;
        logLine(ok ? QStringLiteral("%1: provisioned on every proxy").arg(site)
                   : QStringLiteral("%1: provisioned on %2 of %3 proxies, retrying the rest: %4")
                         .arg(site)
                         .arg(p.provisionedOn.size())
                         .arg(m_config.proxies.size())
                         .arg(p.failure));
    }
    finishCycleIfDone();
}

void Controller::runLifecycle(qint64 nowMs, const QHash<qint64, Site> &sites)
{
    LeaseRepository leases(*m_db);
    const auto open = leases.open();
    if (!open) {
        logLine(QStringLiteral("cannot read leases: %1").arg(open.error().message));
        return;
    }
    QHash<qint64, int> openPerSite;
    for (const Lease &l : open.value())
        ++openPerSite[l.siteId];

    for (Lease lease : open.value()) {
        const Site site = sites.value(lease.siteId);
        // While another process holds the database no transition can be stored: they wait (and
        // catch up in one poll once it is free); the proxies are still kept provisioned.
        for (int step = 0; step < kMaxStepsPerPoll && !m_storeBusySinceMs; ++step) {
            LifecycleFacts facts;
            const Provisioning &p = m_provisioning.value(site.name);
            facts.provisioned = !p.provisionedOn.isEmpty();
            const auto next = nextLifecycleStep(lease, nowMs, facts, m_config.lifecycle);
            if (!next)
                break;
            const auto moved =
                leases.transition(lease.id, lease.state, next->to, next->note, next->drainUntilMs);
            if (!moved) {
                logLine(QStringLiteral("lease %1: %2").arg(lease.id).arg(moved.error().message));
                break;
            }
            if (!moved.value())
                break; // someone else moved it; read it again next poll
            logLine(QStringLiteral("lease %1 (%2): %3 -> %4: %5")
                        .arg(lease.id)
                        .arg(site.name, leaseStateName(lease.state), leaseStateName(next->to),
                             next->note));
            lease.state = next->to;
            lease.stateChangedAtMs = nowMs;
            if (next->drainUntilMs)
                lease.drainUntilMs = next->drainUntilMs;
            if (next->to == LeaseState::Draining)
                m_sites[site.id].dirty = true;
            if (isTerminal(next->to)) {
                --openPerSite[site.id];
                break;
            }
        }
        if (lease.state == LeaseState::Provisioning || lease.state == LeaseState::Active)
            ensureProvisioned(site);
    }
    if (m_storeBusySinceMs)
        return;
    // A site that no open lease needs any more leaves the proxies (also after a crash between a
    // lease's end and its site's removal).
    for (const Site &site : sites) {
        if (site.slot >= 0 && openPerSite.value(site.id) <= 0 &&
            nowMs >= m_provisioning.value(site.name).retryAtMs)
            removeSite(site);
    }
}

void Controller::record(const QList<ProxyLoad> &loads, qint64 nowMs,
                        const QHash<qint64, Site> &sites)
{
    const auto proxies = ProxyRepository(*m_db).all();
    if (!proxies)
        return;
    QHash<QString, qint64> siteByHost;
    for (const Site &s : sites) {
        for (const QString &h : s.hosts)
            siteByHost.insert(h, s.id);
    }
    // The lease a site's usage is metered against: the open lease in its window, else the most
    // recent open one (traffic still arriving from cached answers while it drains).
    QHash<qint64, qint64> leaseOfSite;
    if (const auto open = LeaseRepository(*m_db).open()) {
        for (const Lease &l : open.value()) {
            if (!leaseOfSite.contains(l.siteId) || l.inWindow(nowMs))
                leaseOfSite.insert(l.siteId, l.id);
        }
    }
    QList<LoadSample> samples;
    for (const ProxyLoad &load : loads) {
        if (!load.scraped || load.baseline)
            continue;
        const auto stored = std::find_if(proxies.value().cbegin(), proxies.value().cend(),
                                         [&](const Proxy &p) { return p.name == load.name; });
        LoadSample sample;
        sample.atMs = nowMs;
        sample.proxy = load.name;
        sample.pool = stored != proxies.value().cend() ? stored->pool : QString();
        sample.capacityRps = stored != proxies.value().cend() ? stored->capacityRps : 0;
        sample.totalRps = load.requestRate;
        for (auto it = load.sites.cbegin(); it != load.sites.cend(); ++it) {
            if (siteByHost.contains(it.key()))
                sample.purchaserRps += it.value().requestRate;
        }
        samples.append(sample);
    }
    LoadHistoryRepository history(*m_db, m_config.targetUtilisation);
    if (const Result<void> r = history.append(samples); !r)
        logLine(QStringLiteral("load history: %1").arg(r.error().message));
    if (nowMs - m_lastRollUpMs >= kRollUpEveryMs) {
        m_lastRollUpMs = nowMs;
        if (const Result<void> r = history.rollUp(nowMs); !r)
            logLine(QStringLiteral("load history roll-up: %1").arg(r.error().message));
        if (const Result<void> r = UsageRepository(*m_db).forgetOldCheckpoints(nowMs); !r)
            logLine(QStringLiteral("metering checkpoints: %1").arg(r.error().message));
    }
    meter(loads, nowMs, sites, siteByHost, leaseOfSite);
}

// Metering (BILLING.md): each proxy's stick table measured against the checkpoints stored with
// the ledger, committed together. Whatever was not committed - a failed write, a kill between
// reading and committing - is counted by the next commit, exactly once.
void Controller::meter(const QList<ProxyLoad> &loads, qint64 nowMs,
                       const QHash<qint64, Site> &sites, const QHash<QString, qint64> &siteByHost,
                       const QHash<qint64, qint64> &leaseOfSite)
{
    UsageRepository ledger(*m_db);
    if (!m_checkpoints) {
        const auto stored = ledger.checkpoints();
        if (!stored) {
            logLine(QStringLiteral("metering: %1").arg(stored.error().message));
            return;
        }
        m_checkpoints = stored.value();
    }
    QList<UsageSample> usage;
    QHash<QString, ProxyCheckpoints> advanced;
    QStringList firstRead;
    for (const ProxyLoad &load : loads) {
        if (!load.scraped)
            continue;
        const auto known = m_checkpoints->constFind(load.name);
        const std::optional<ProxyCheckpoints> stored =
            known != m_checkpoints->cend() ? std::optional<ProxyCheckpoints>(*known) : std::nullopt;
        if (!stored)
            firstRead.append(load.name);
        QHash<QString, CounterReading> readings;
        for (auto it = load.table.cbegin(); it != load.table.cend(); ++it)
            readings.insert(it.key(), {it->requests, it->bytesOut});
        const MeterStep step = meterProxy(stored, readings);
        if (!step.advanced.isEmpty())
            advanced.insert(load.name, step.advanced);
        QHash<qint64, CounterReading> bySite;
        for (auto it = step.deltas.cbegin(); it != step.deltas.cend(); ++it) {
            const auto site = siteByHost.constFind(siteOfKey(it.key().toLatin1()));
            if (site == siteByHost.cend())
                continue; // not a site of ours: checkpointed, never billed
            bySite[*site].requests += it->requests;
            bySite[*site].bytes += it->bytes;
        }
        for (auto it = bySite.cbegin(); it != bySite.cend(); ++it) {
            UsageSample u;
            u.sampleUid = load.sampleId + QLatin1Char('/') + sites.value(it.key()).name;
            if (leaseOfSite.contains(it.key()))
                u.leaseId = leaseOfSite.value(it.key());
            u.proxy = load.name;
            u.site = sites.value(it.key()).name;
            u.atMs = nowMs;
            u.requests = it->requests;
            u.bytes = it->bytes;
            usage.append(u);
        }
    }
    if (usage.isEmpty() && advanced.isEmpty() && firstRead.isEmpty())
        return;
    const auto stored = ledger.recordMetered(usage, advanced, firstRead, nowMs);
    if (!stored) {
        // Nothing was committed: the checkpoints stay where they were, so the next poll's
        // deltas include this one's. Read them again in case the database changed under us.
        m_checkpoints.reset();
        logLine(QStringLiteral("metering: %1 (counted with the next poll)")
                    .arg(stored.error().message));
        return;
    }
    for (const QString &proxy : firstRead)
        (*m_checkpoints)[proxy];
    for (auto p = advanced.cbegin(); p != advanced.cend(); ++p) {
        ProxyCheckpoints &mine = (*m_checkpoints)[p.key()];
        for (auto e = p->cbegin(); e != p->cend(); ++e)
            mine.insert(e.key(), e.value());
    }
}
void Controller::steer(const QList<ProxyLoad> &loads, qint64 nowMs,
                       const QHash<qint64, Site> &sites)
{
    const double dt = std::clamp(m_sinceLastPoll.elapsed() / 1000.0, 0.0, 60.0);
    const bool haveRates = std::any_of(loads.cbegin(), loads.cend(),
                                       [](const ProxyLoad &l) { return l.scraped && !l.baseline; });
    const auto proxyRows = ProxyRepository(*m_db).all();
    const auto open = LeaseRepository(*m_db).open();
    if (!proxyRows || !open)
        return;

    QHash<QString, qint64> siteByHost;
    for (const Site &s : sites) {
        for (const QString &h : s.hosts)
            siteByHost.insert(h, s.id);
    }
    // Each proxy's load, split into base and purchaser; each site's carried rate.
    QList<ProxyCapacity> proxies;
    QHash<qint64, double> carried;
    for (const ProxyEndpoint &e : m_config.proxies) {
        ProxyCapacity c;
        c.name = e.name;
        c.address = e.address;
        for (const Proxy &p : proxyRows.value()) {
            if (p.name == e.name) {
                c.pool = p.pool;
                c.capacityRps = p.capacityRps;
            }
        }
        for (const ProxyLoad &l : loads) {
            if (l.name != e.name)
                continue;
            c.up = l.scraped && l.state != ProxyLoad::State::Down;
            c.totalRps = l.requestRate;
            for (auto it = l.sites.cbegin(); it != l.sites.cend(); ++it) {
                const auto site = siteByHost.constFind(it.key());
                if (site == siteByHost.cend())
                    continue;
                c.purchaserRps += it.value().requestRate;
                carried[*site] += it.value().requestRate;
            }
        }
        proxies.append(c);
    }

    // Leases by state: those steering now (active, in a window) and the sites that need a record.
    QHash<QString, QList<const Lease *>> steeringByPool;
    QHash<qint64, const Lease *> firstLeaseOfSite;
    QSet<qint64> needRecord;
    for (const Lease &l : open.value()) {
        if (l.state == LeaseState::Active || l.state == LeaseState::Draining)
            needRecord.insert(l.siteId);
        if (l.state == LeaseState::Active && l.inWindow(nowMs)) {
            steeringByPool[l.pool].append(&l);
            if (!firstLeaseOfSite.contains(l.siteId))
                firstLeaseOfSite.insert(l.siteId, &l);
        }
    }
    // Every site's name answers from the moment it is added (the purchaser may delegate to us
    // before any lease runs): the overflow alone until a lease steers it.
    for (const Site &s : sites)
        needRecord.insert(s.id);

    // Allocation per pool.
    QHash<qint64, double> allocatedToSite;
    QHash<qint64, double> allocatedToLease;
    for (auto it = steeringByPool.cbegin(); it != steeringByPool.cend(); ++it) {
        double headroom = 0;
        for (const ProxyCapacity &c : proxies) {
            if (it.key().isEmpty() || c.pool == it.key())
                headroom += c.headroomRps(m_config.targetUtilisation);
        }
        QList<LeaseAsk> asks;
        for (const Lease *l : it.value()) {
            const SiteControl &control = m_sites[l->siteId];
            asks.append({l->id, l->kind, l->rateRps, control.law.demandEstimate(),
                         control.law.demandKnown()});
        }
        const QList<LeaseGrant> grants = allocate(headroom, asks);
        for (qsizetype i = 0; i < grants.size(); ++i) {
            allocatedToSite[it.value()[i]->siteId] += grants[i].allocatedRps;
            allocatedToLease.insert(grants[i].leaseId, grants[i].allocatedRps);
        }
    }

    QList<NameReplacement> changes;
    QList<DesiredName> desired;
    QList<SiteSnapshot> snapshot;
    const qint64 nowUnix = nowMs / 1000;
    // Validity deadlines are checked by the DNS server against its own clock: state them in it.
    const qint64 serverNowUnix = nowUnix + m_dnsClockOffsetS;
    // One UPDATE at a time, and while UPDATEs fail only when the backoff says so. What is not
    // sent now is worked out afresh next poll, so a retry always carries the newest state.
    const bool canPublish = m_inFlight == 0 && dnsRetryDue();
    for (const qint64 siteId : needRecord) {
        if (!sites.contains(siteId))
            continue;
        const Site &site = sites[siteId];
        SiteControl &control = m_sites[siteId];
        if (control.law.params().ttlSeconds != m_config.law.ttlSeconds && control.published < 0)
            control.law = FractionController(m_config.law);
        const Lease *lease = firstLeaseOfSite.value(siteId);
        QString error;
        std::optional<WeightTable> table;
        double fraction = 0;
        if (lease) {
            if (!haveRates)
                continue;
            fraction = control.law.update(allocatedToSite.value(siteId), carried.value(siteId), dt);
            QList<ProxyShare> shares;
            const QSet<QString> provisioned = m_provisioning.value(site.name).provisionedOn;
            for (const ProxyCapacity &c : proxies) {
                if (!c.up || !provisioned.contains(c.name) ||
                    !(lease->pool.isEmpty() || c.pool == lease->pool))
                    continue;
                shares.append(
                    {c.name, c.address,
                     DnsName::parse(c.name + QLatin1Char('.') + m_config.dns.zone.relative()),
                     c.headroomRps(m_config.targetUtilisation)});
            }
            table = WeightPlan::build(fraction, shares, site, lease->overflow, {}, &error);
            if (table) {
                const auto window = lease->currentOrNextWindow(nowMs);
                table->leaseEndUnix = window ? (window->endMs + 999) / 1000 : nowUnix;
                table->validUntilUnix = serverNowUnix + m_config.validitySeconds;
            }
        } else {
            control.law.idle(dt);
            OverflowPolicy policy = OverflowPolicy::Dns;
            for (const Lease &l : open.value()) {
                if (l.siteId == siteId)
                    policy = l.overflow;
            }
            if (site.originName.isEmpty() && policy == OverflowPolicy::Dns)
                policy = OverflowPolicy::RoundRobin;
            table = WeightPlan::overflowOnly(site, policy, {}, &error);
        }
        if (!table) {
            logLine(QStringLiteral("%1: no record: %2").arg(site.name, error));
            continue;
        }
        table->ttl = m_config.ttlSeconds;

        QHash<QString, int> weights;
        for (const WeightedTarget &t : table->proxies + table->overflowServers) {
            const QString key = t.name ? t.name->relative() : t.address.toString();
            weights[key] += t.weight;
        }
        QJsonObject weightsJson;
        for (auto w = weights.cbegin(); w != weights.cend(); ++w)
            weightsJson.insert(w.key(), w.value());
        snapshot.append({site.name, allocatedToSite.value(siteId), carried.value(siteId),
                         control.law.demandEstimate(), fraction, weightsJson});

        bool publish = control.dirty || control.published < 0 || (control.overflowOnly != !lease);
        if (lease && !publish) {
            publish = WeightPlan::sharesMoved(control.weights, weights, m_config.deadBand);
            // Refresh before the weights lapse on their own.
            if (control.validUntilUnix - serverNowUnix < m_config.validitySeconds / 2)
                publish = true;
        }
        if (!publish)
            continue;
        const auto recordBuilt = buildSteeringRecord(*table, &error);
        const auto owner = m_zones.ownerFor(site.label, &error);
        if (!recordBuilt || !owner) {
            logLine(QStringLiteral("%1: cannot build its record: %2").arg(site.name, error));
            continue;
        }
        // Logged when what is served changes; a refresh of the same weights (validity) or a
        // retry after a failed UPDATE is not news.
        const bool servedChanges =
            control.published < 0 || control.overflowOnly != !lease || weights != control.weights;
        if (canPublish && !m_dnsOutage && servedChanges) {
            QStringList parts;
            for (auto w = weightsJson.begin(); w != weightsJson.end(); ++w)
                parts.append(QStringLiteral("%1 %2").arg(w.key()).arg(w.value().toInt()));
            logLine(lease ? QStringLiteral("%1: fraction %2 (allocated %3, carried %4, demand %5 "
                                           "req/s): %6")
                                .arg(site.name)
                                .arg(fraction, 0, 'f', 3)
                                .arg(allocatedToSite.value(siteId), 0, 'f', 1)
                                .arg(carried.value(siteId), 0, 'f', 1)
                                .arg(control.law.demandEstimate(), 0, 'f', 1)
                                .arg(parts.join(QStringLiteral(", ")))
                          : QStringLiteral("%1: overflow only: %2")
                                .arg(site.name, parts.join(QStringLiteral(", "))));
        }
        const NameReplacement change = NameReplacement::forSteering(*owner, *recordBuilt);
        changes.append(change);
        desired.append({change.owner, true, change.type, change.ttl, change.rdatas, nowMs});
        if (canPublish) {
            control.published = fraction;
            control.weights = weights;
            control.validUntilUnix = lease ? table->validUntilUnix : 0;
            control.overflowOnly = !lease;
            control.dirty = false;
        }
    }

    if (!changes.isEmpty() && canPublish) {
        // The server's clock record goes with the first UPDATE (and again if it went missing):
        // the deadlines above are stated in the clock it shows.
        if (!m_clockRecordSent) {
            const NameReplacement clock = serverclock::record(m_config.dns.zone);
            changes.append(clock);
            desired.append({clock.owner, true, clock.type, clock.ttl, clock.rdatas, nowMs});
            m_clockRecordSent = true;
            m_clockRecordInFlight = true;
        }
        // Without the database (another process holds it) the records are still sent; every
        // site is marked to be sent again - with its desired state stored - once it is free.
        if (!m_storeBusySinceMs) {
            if (const Result<void> r = DnsDesiredRepository(*m_db).upsertAll(desired); !r)
                logLine(QStringLiteral("cannot store the desired DNS state: %1")
                            .arg(r.error().message));
        }
        publish(changes);
    }

    // Each lease's live status.
    LeaseRepository leases(*m_db);
    for (const Lease &l : open.value()) {
        if (l.state != LeaseState::Active || m_storeBusySinceMs)
            continue;
        const SiteControl &control = m_sites[l.siteId];
        LeaseStatus s;
        s.leaseId = l.id;
        s.atMs = nowMs;
        s.inWindow = l.inWindow(nowMs);
        s.allocatedRps = allocatedToLease.value(l.id);
        s.demandRps = control.law.demandEstimate();
        const double siteAllocated = allocatedToSite.value(l.siteId);
        // Several leases on one site share its carried rate in proportion to their allocation.
        s.deliveredRps = siteAllocated > 0
                             ? carried.value(l.siteId) * s.allocatedRps / siteAllocated
                             : (s.inWindow ? carried.value(l.siteId) : 0);
        s.fraction = s.inWindow ? control.law.fraction() : 0;
        QJsonObject w;
        for (auto it = control.weights.cbegin(); it != control.weights.cend(); ++it)
            w.insert(it.key(), it.value());
        s.weights = w;
        if (const Result<void> r = leases.setStatus(s); !r)
            logLine(QStringLiteral("lease %1 status: %2").arg(l.id).arg(r.error().message));
    }
    // Firm leases the allocation gave less than their site wanted of them: capacity ran out and
    // steering shed them. Recorded as billing evidence for a credit (firmShortfall, BILLING.md);
    // only when this poll measured the proxies.
    if (haveRates && !m_storeBusySinceMs) {
        QHash<qint64, QList<FirmAllocation>> firmBySite;
        for (const Lease &l : open.value()) {
            if (l.kind == LeaseKind::Firm && l.state == LeaseState::Active && l.inWindow(nowMs))
                firmBySite[l.siteId].append({l.id, l.rateRps, allocatedToLease.value(l.id)});
        }
        QList<ShortfallSample> shed;
        for (auto it = firmBySite.cbegin(); it != firmBySite.cend(); ++it) {
            const FractionController &law = m_sites[it.key()].law;
            shed += firmShortfall(it.value(), law.demandEstimate(), law.demandKnown(), nowMs,
                                  std::llround(dt * 1000));
        }
        if (const auto r = ShortfallRepository(*m_db).record(shed); !r)
            logLine(QStringLiteral("shortfall: %1").arg(r.error().message));
    }
    m_snapshot = snapshot;
    Q_EMIT snapshotReady(snapshot);
}

void Controller::publish(const QList<NameReplacement> &changes)
{
    // While the server is known to be away, each retry is one send: the backoff paces them.
    DnsUpdateService::Options options;
    options.maxAttempts = m_dnsOutage ? 1 : 0;
    options.readServerClock = true;
    m_inFlight = m_dns->submit(changes, options);
}

bool Controller::dnsRetryDue() const
{
    return !m_dnsOutage || m_monotonic.elapsed() >= m_dnsRetryAtMonoMs;
}

void Controller::onApplied(quint64 ticket, const UpdateResult &result)
{
    if (ticket != m_inFlight)
        return;
    m_inFlight = 0;
    if (m_db && !m_storeBusySinceMs) {
        const UpdateLogEntry entry{QDateTime::currentMSecsSinceEpoch(),
                                   m_config.dns.zone.absolute(),
                                   result.messages,
                                   result.ok,
                                   result.rcode,
                                   result.error,
                                   result.latencyMs};
        if (const Result<void> r = UpdateLogRepository(*m_db).append(entry); !r)
            logLine(QStringLiteral("update log: %1").arg(r.error().message));
    }
    if (result.serverClockKnown)
        m_dnsClockOffsetS = result.serverClockOffsetS;
    // The clock record goes again when the UPDATE that carried it failed, or when it is gone.
    if ((!result.ok && m_clockRecordInFlight) || result.serverClockMissing)
        m_clockRecordSent = false;
    m_clockRecordInFlight = false;
    if (!result.ok) {
        // Every site goes again with the next try (its newest state, not this one's), after a
        // growing pause; the outage is logged when it starts and when it ends, not per try.
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        if (!m_dnsOutage) {
            m_dnsOutage = DnsOutage{nowMs, m_monotonic.elapsed(), 0, result.error};
            logLine(QStringLiteral("DNS updates failing since %1: %2; retrying after %3 s, backing "
                                   "off to every %4 s")
                        .arg(clockText(nowMs), result.error, secondsText(m_config.dnsRetry.firstMs),
                             secondsText(m_config.dnsRetry.capMs)));
        } else if (sameFailure(result.error) != sameFailure(m_dnsOutage->error)) {
            logLine(QStringLiteral("DNS updates still failing (since %1), now: %2")
                        .arg(clockText(m_dnsOutage->sinceMs), result.error));
            m_dnsOutage->error = result.error;
        }
        ++m_dnsOutage->failures;
        m_dnsRetryAtMonoMs =
            m_monotonic.elapsed() +
            m_config.dnsRetry.delayMs(m_dnsOutage->failures,
                                      QRandomGenerator::global()->generateDouble());
        for (auto &[id, control] : m_sites)
            control.dirty = true;
    } else if (m_dnsOutage) {
        logLine(QStringLiteral("DNS updates applied again after %1 s and %2 failed attempts "
                               "(failing since %3)")
                    .arg(secondsText(m_monotonic.elapsed() - m_dnsOutage->sinceMonoMs))
                    .arg(m_dnsOutage->failures)
                    .arg(clockText(m_dnsOutage->sinceMs)));
        m_dnsOutage.reset();
        m_dnsRetryAtMonoMs = 0;
    }
    finishCycleIfDone();
}

// A jump of the wall clock (NTP step, operator, resumed VM) is logged once, with its size. Lease
// windows follow the wall clock - a forward jump ends leases whose windows it passed; a backward
// one never reopens them (the lifecycle only moves forward) - while rates and backoffs use the
// monotonic clock and metering counts counters, not time. The DNS server's clock did not jump:
// the offset to it moves by the jump at once (and is measured again with the next answer).
void Controller::watchClock(qint64 nowMs)
{
    const qint64 jump = m_clockJumps.observe(nowMs, m_monotonic.elapsed());
    if (jump == 0)
        return;
    m_dnsClockOffsetS -= jump / 1000;
    logLine(QStringLiteral("wall clock jumped %1 by %2 s (now %3); lease windows follow it, "
                           "record deadlines follow the DNS server's clock")
                .arg(jump > 0 ? QStringLiteral("forwards") : QStringLiteral("backwards"),
                     secondsText(std::abs(jump)), clockText(nowMs)));
}

// Whether this poll can write. Another process holding the write lock (a long transaction, a
// backup, an operator's sqlite3 shell) would otherwise stall each write of the poll for the whole
// busy timeout; instead the loop goes on steering without the database - lease transitions,
// metering and status wait - logs that once, and catches up once the lock is free.
bool Controller::storeWritable(qint64 nowMs)
{
    const Result<void> probe = m_db->probeWriteLock(m_config.storeProbeMs);
    const bool busy = !probe && probe.error().isBusy();
    if (busy && !m_storeBusySinceMs) {
        m_storeBusySinceMs = nowMs;
        m_storeBusySinceMonoMs = m_monotonic.elapsed();
        const QString holder = Database::writeLockHolder(m_db->path());
        logLine(QStringLiteral("database busy since %1: another process (%2) holds its write "
                               "lock; steering goes on, lease transitions and metering wait")
                    .arg(clockText(nowMs), holder.isEmpty() ? QStringLiteral("unknown") : holder));
    } else if (!busy && m_storeBusySinceMs) {
        logLine(QStringLiteral("database writable again after %1 s (busy since %2); catching up")
                    .arg(secondsText(m_monotonic.elapsed() - m_storeBusySinceMonoMs),
                         clockText(*m_storeBusySinceMs)));
        m_storeBusySinceMs.reset();
        // What was sent meanwhile was not stored as desired: send it again, stored.
        for (auto &[id, control] : m_sites)
            control.dirty = true;
    }
    return !busy;
}

// A proxy that misses polls is left out of the weights at once (steer()). When it answers again
// - or answers as a new process (its counters' epoch moved: a restart, which loses the servers
// the runtime API added) - every site is provisioned on it again; one that had been away is
// steered to only once that has succeeded.
void Controller::watchProxies(const QList<ProxyLoad> &loads)
{
    for (const ProxyLoad &load : loads) {
        const auto known = m_proxySeen.find(load.name);
        if (!load.scraped) {
            ProxySeen &seen = m_proxySeen[load.name];
            seen.missed = true;
            if (load.state == ProxyLoad::State::Down && !seen.downLogged) {
                seen.downLogged = true;
                logLine(QStringLiteral("%1 is down (%2): steering around it")
                            .arg(load.name, load.error));
            }
            continue;
        }
        if (known != m_proxySeen.end() && (known->missed || known->epoch != load.epoch)) {
            const bool wasAway = known->missed;
            const bool newProcess = known->epoch != load.epoch;
            // A single missed poll (a slow scrape) is checked as quietly as it is handled.
            if (known->downLogged || newProcess)
                logLine(wasAway
                            ? QStringLiteral("%1 answers again%2: provisioning its sites "
                                             "again before steering to it")
                                  .arg(load.name,
                                       newProcess ? QStringLiteral(" as a new process") : QString())
                            : QStringLiteral("%1 restarted: checking its sites are still "
                                             "provisioned")
                                  .arg(load.name));
            for (Provisioning &p : m_provisioning) {
                if (p.removing)
                    continue;
                if (wasAway)
                    p.provisionedOn.remove(load.name);
                p.verify = true;
                p.retryAtMs = 0;
            }
        }
        m_proxySeen.insert(load.name, ProxySeen{load.epoch, false, false});
    }
}

} // namespace headroom
