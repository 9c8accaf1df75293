#pragma once

#include "dns/delegationcheck.h"
#include "dns/dnsname.h"
#include "dns/steeringreadback.h"
#include "dns/tsigkey.h"
#include "domain/importedname.h"
#include "domain/updatelogentry.h"

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <memory>
#include <optional>

namespace headroom {

class DnsOverviewWorker;

// Where the DNS overview looks: our authoritative server and zone (read back by AXFR), the
// resolver and the purchaser's authority for delegation checks, and the Headroom database.
struct DnsOverviewConfig
{
    QHostAddress server;
    quint16 port = 53;
    DnsName zone;               // empty: not configured
    QList<DnsName> subZones;    // steering shards under zone, read back too
    std::optional<TsigKey> key; // AXFR unsigned when absent; most servers then refuse it
    QHostAddress resolver;
    quint16 resolverPort = 53;
    QHostAddress purchaserAuthority;
    quint16 purchaserAuthorityPort = 53;
    QStringList purchaserNames; // host names to check; none: no delegation checks
    QString databasePath;       // empty: imported names and update log are not read
    // Infrastructure names to hide from the served list (e.g. ns1 and the proxies' own names),
    // with or without the trailing dot. Their A records still name the addresses they hold.
    QStringList skipOwners;
    // Short names for targets, by address or absolute name ("127.0.2.1" -> "shop-origin1").
    QHash<QString, QString> targetLabels;
    int timeoutMs = 2000; // per DNS query
};

// One look at the DNS side of the network, all parts taken in the same refresh.
struct DnsOverview
{
    QDateTime at; // when the refresh finished (UTC); invalid for an overview never taken
    QList<ServedSteering> served;
    QString servedError; // the zone transfer failed: `served` is empty
    QList<DelegationReport> delegations;
    QList<ImportedName> imported;  // every zone, ordered by zone, name, type, value
    QList<UpdateLogEntry> updates; // newest first
    QString databaseError;         // the database could not be read: imported and updates empty
    // Display names for targets: the configured labels plus, from the same transfer, the owner
    // of each A/AAAA record among the skipped names, relative to the zone ("127.0.1.1" ->
    // "proxy1"). Configured labels win.
    QHash<QString, QString> targetLabels;
};

// Collects a DnsOverview on its own thread: a zone transfer, one delegation check per purchaser
// name and two database reads are all blocking, so none of it runs on the caller's thread.
// The worker opens its own Database connection there and keeps it between refreshes.
class DnsOverviewService final : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 5000;
    static constexpr int UpdateRows = 20; // update log entries per overview

    explicit DnsOverviewService(QObject *parent = nullptr);
    DnsOverviewService(const DnsOverviewConfig &config, QObject *parent = nullptr);
    // Waits for a refresh in progress to finish its current step.
    ~DnsOverviewService() override;

    // Takes effect with the next refresh.
    void setConfig(const DnsOverviewConfig &config);
    DnsOverviewConfig config() const { return m_config; }

    // Periodic refresh: start() refreshes at once and then every interval; a tick that comes
    // while a refresh runs is dropped rather than queued.
    void setInterval(int milliseconds);
    int interval() const { return m_timer.interval(); }
    void start();
    void stop();
    bool isActive() const { return m_timer.isActive(); }

    bool isRefreshing() const { return m_running; }
    // The last overview delivered, if any.
    std::optional<DnsOverview> latest() const { return m_latest; }

public Q_SLOTS:
    // Returns at once. A request made while a refresh runs is coalesced into one more refresh
    // after it, with the configuration current at that time.
    void refresh();

Q_SIGNALS:
    void refreshingChanged(bool refreshing);
    void updated(const headroom::DnsOverview &overview);

private:
    void dispatch();
    void deliver(const DnsOverview &overview);

    DnsOverviewConfig m_config;
    QThread m_thread;
    DnsOverviewWorker *m_worker = nullptr;
    QTimer m_timer;
    std::shared_ptr<std::atomic_bool> m_cancel = std::make_shared<std::atomic_bool>(false);
    bool m_running = false;
    bool m_again = false;
    std::optional<DnsOverview> m_latest;
};

} // namespace headroom
