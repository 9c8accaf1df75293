#pragma once

#include "billing/meter.h"
#include "control/fractioncontroller.h"
#include "control/lifecycle.h"
#include "control/retrybackoff.h"
#include "dns/dnsupdater.h"
#include "dns/steeringzones.h"
#include "domain/lease.h"
#include "domain/site.h"
#include "fleet/fleetscraper.h"
#include "fleet/provisioner.h"
#include "sandbox/sandboxlayout.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <map>
#include <memory>

namespace headroom {

class Database;
class DnsUpdateService;

struct ControllerConfig
{
    QString databasePath;
    QList<ProxyEndpoint> proxies; // where to scrape, provision and steer to
    DnsUpdater::Target dns;       // our zone's primary, its TSIG key and the steering shards
    int shardCount = 16;
    int pollMs = 1000;
    quint32 ttlSeconds = 5;   // of the steering records
    int validitySeconds = 15; // weights lapse this long after the last refresh (controller gone)
    double targetUtilisation = 0.8;
    double deadBand = 0.02; // republish when a weight share moves by more than this
    LifecyclePolicy lifecycle;
    FractionController::Params law;
    // Retrying failed DNS UPDATEs while the primary is away (docs/reliability-faults.md).
    RetryBackoff dnsRetry;
    // How long a poll waits for another process's write lock before it goes on without the
    // database (lease transitions and metering wait; steering goes on).
    int storeProbeMs = 250;

    // The sandbox's servers, database and key.
    static std::optional<ControllerConfig> forSandbox(const SandboxLayout &layout, QString *error);
};

// What one poll did to one site, for the console and `lease show`.
struct SiteSnapshot
{
    QString site;
    double allocatedRps = 0;
    double carriedRps = 0;
    double demandRps = 0;
    double fraction = 0;
    QJsonObject weights;
};

// The steering loop (seed 203-206, 300-302, 500). Every poll: scrape the proxies; move leases
// through their lifecycle (provisioning sites onto the proxies, draining and removing them); work
// out each proxy's headroom; split it over the leases in their windows (firm first); turn each
// site's share into a fraction of its DNS answers (FractionController) and the fraction into
// weights (WeightPlan); publish changed records in one UPDATE per zone; record load history,
// metering and each lease's live status. Runs on the thread that owns it; never blocks it (DNS
// updates go through DnsUpdateService).
class Controller final : public QObject
{
    Q_OBJECT
public:
    explicit Controller(ControllerConfig config, QObject *parent = nullptr);
    ~Controller() override;

    // Opens the database and starts polling. False with *error when it cannot.
    bool start(QString *error);
    void stop();
    bool isRunning() const;
    // After start(): stop once one full cycle (lifecycle + steering + DNS) has completed.
    void setSingleCycle(bool once) { m_once = once; }

    QList<SiteSnapshot> lastSnapshot() const { return m_snapshot; }

Q_SIGNALS:
    void message(const QString &line); // one line for the log
    void cycleFinished();              // one poll handled, and its DNS update answered
    void snapshotReady(const QList<headroom::SiteSnapshot> &sites);

private:
    struct SiteControl
    {
        FractionController law;
        double published = -1; // fraction last sent; -1 = nothing sent yet
        QHash<QString, int> weights;
        qint64 validUntilUnix = 0; // in the DNS server's clock (see m_dnsClockOffsetS)
        bool overflowOnly = false;
        bool dirty = true;
    };
    struct Provisioning
    {
        bool running = false;
        bool removing = false;
        QSet<QString> provisionedOn;
        qint64 retryAtMs = 0;
        QString failure;
        bool verify = false; // a proxy restarted or came back: provision again, even if running
    };
    // What the last poll saw of a proxy, to tell a restart (new epoch) or a return.
    struct ProxySeen
    {
        quint64 epoch = 0;
        bool missed = false;
        bool downLogged = false;
    };
    // DNS UPDATEs failing: since when, how often, and when the next try is due.
    struct DnsOutage
    {
        qint64 sinceMs = 0;     // wall clock, for the log
        qint64 sinceMonoMs = 0; // m_monotonic, for the duration
        int failures = 0;
        QString error;
    };

    void onPoll(const QList<ProxyLoad> &loads);
    void runLifecycle(qint64 nowMs, const QHash<qint64, Site> &sites);
    void ensureProvisioned(const Site &site);
    void removeSite(const Site &site);
    std::optional<SiteSpec> specFor(const Site &site, QString *error);
    void steer(const QList<ProxyLoad> &loads, qint64 nowMs, const QHash<qint64, Site> &sites);
    void record(const QList<ProxyLoad> &loads, qint64 nowMs, const QHash<qint64, Site> &sites);
    void meter(const QList<ProxyLoad> &loads, qint64 nowMs, const QHash<qint64, Site> &sites,
               const QHash<QString, qint64> &siteByHost, const QHash<qint64, qint64> &leaseOfSite);
    void publish(const QList<NameReplacement> &changes);
    void onApplied(quint64 ticket, const UpdateResult &result);
    void onProvisionFinished(const QString &site, bool ok);
    void logLine(const QString &line);
    void finishCycleIfDone();
    // Faults (docs/reliability-faults.md).
    void watchClock(qint64 nowMs);
    bool storeWritable(qint64 nowMs);
    void watchProxies(const QList<ProxyLoad> &loads);
    bool dnsRetryDue() const;

    ControllerConfig m_config;
    SteeringZones m_zones;
    std::unique_ptr<Database> m_db;
    FleetScraper *m_scraper = nullptr;
    Provisioner *m_provisioner = nullptr;
    DnsUpdateService *m_dns = nullptr;
    std::map<qint64, SiteControl> m_sites;       // by site id
    QHash<QString, Provisioning> m_provisioning; // by site name
    QHash<QString, qint64> m_siteIdByName;
    QList<SiteSnapshot> m_snapshot;
    // The stored metering checkpoints, as last committed; read again after a failed commit.
    std::optional<QHash<QString, ProxyCheckpoints>> m_checkpoints;
    QElapsedTimer m_sinceLastPoll;
    qint64 m_lastRollUpMs = 0;
    quint64 m_inFlight = 0;    // ticket of the UPDATE in flight, 0 = none
    QElapsedTimer m_monotonic; // since start(): retries, outages, clock checks
    ClockJumpDetector m_clockJumps;
    std::optional<DnsOutage> m_dnsOutage;
    qint64 m_dnsRetryAtMonoMs = 0;
    // The DNS server's clock minus ours (seconds), read from its clock record after each UPDATE
    // (serverclock.h): the deadlines in the records are in its time, so a jump of our clock
    // does not stretch or cut them.
    qint64 m_dnsClockOffsetS = 0;
    bool m_clockRecordSent = false;           // the server's clock record (serverclock.h) is served
    bool m_clockRecordInFlight = false;       // it is part of the UPDATE in flight
    std::optional<qint64> m_storeBusySinceMs; // wall clock; set while another process has the lock
    qint64 m_storeBusySinceMonoMs = 0;
    QHash<QString, ProxySeen> m_proxySeen;
    bool m_once = false;
    bool m_cycleDone = false;
    int m_polls = 0;
};

} // namespace headroom

Q_DECLARE_METATYPE(headroom::SiteSnapshot)
