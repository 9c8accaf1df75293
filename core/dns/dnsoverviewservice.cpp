#include "dnsoverviewservice.h"

#include "dns/zonetransfer.h"
#include "store/database.h"
#include "store/dnsrepository.h"

namespace headroom {

// Lives on the service's thread; owns the Database connection made there.
class DnsOverviewWorker final : public QObject
{
public:
    DnsOverview collect(const DnsOverviewConfig &config, const std::atomic_bool &cancel);

private:
    void readServed(const DnsOverviewConfig &config, DnsOverview &overview) const;
    void checkDelegations(const DnsOverviewConfig &config, const std::atomic_bool &cancel,
                          DnsOverview &overview) const;
    void readDatabase(const DnsOverviewConfig &config, DnsOverview &overview);

    std::unique_ptr<Database> m_database;
    QString m_databasePath;
};

namespace {

QString absoluteName(const QString &name)
{
    return name.endsWith(QLatin1Char('.')) ? name.toLower() : name.toLower() + QLatin1Char('.');
}

} // namespace

DnsOverview DnsOverviewWorker::collect(const DnsOverviewConfig &config,
                                       const std::atomic_bool &cancel)
{
    DnsOverview overview;
    overview.targetLabels = config.targetLabels;
    readServed(config, overview);
    if (!cancel)
        checkDelegations(config, cancel, overview);
    if (!cancel)
        readDatabase(config, overview);
    overview.at = QDateTime::currentDateTimeUtc();
    return overview;
}

void DnsOverviewWorker::readServed(const DnsOverviewConfig &config, DnsOverview &overview) const
{
    if (config.server.isNull() || config.zone.relative().isEmpty()) {
        overview.servedError = QStringLiteral("No authoritative server or zone is configured.");
        return;
    }
    // Our zone and every steering shard under it.
    ZoneTransferResult zone;
    zone.ok = true;
    QList<DnsName> zones{config.zone};
    zones += config.subZones;
    for (const DnsName &name : zones) {
        const ZoneTransferResult part =
            transferZone(config.server, config.port, name, config.key, config.timeoutMs);
        if (!part.ok) {
            overview.servedError =
                part.error.isEmpty()
                    ? QStringLiteral("The zone transfer of %1 failed without a reason.")
                          .arg(name.relative())
                    : part.error;
            return;
        }
        zone.records += part.records;
    }
    QStringList skip;
    for (const QString &owner : config.skipOwners)
        skip.append(absoluteName(owner));
    overview.served = readBackSteering(zone.records, skip);
    // The skipped names are our infrastructure: their addresses say what a target is.
    const QString suffix = QLatin1Char('.') + config.zone.absolute();
    for (const DnsRecord &record : zone.records) {
        if (record.address.isNull() || !skip.contains(record.name))
            continue;
        const QString address = record.address.toString();
        QString label = record.name;
        if (label.endsWith(suffix))
            label.chop(suffix.size());
        if (!overview.targetLabels.contains(address))
            overview.targetLabels.insert(address, label);
    }
}

void DnsOverviewWorker::checkDelegations(const DnsOverviewConfig &config,
                                         const std::atomic_bool &cancel,
                                         DnsOverview &overview) const
{
    for (const QString &host : config.purchaserNames) {
        if (cancel)
            return;
        QString error;
        const auto name = DnsName::parse(host, &error);
        if (!name || config.zone.relative().isEmpty()) {
            DelegationReport report;
            report.host = absoluteName(host);
            report.verdict = DelegationReport::Verdict::Misconfigured;
            report.explanation =
                name ? QStringLiteral("Our zone is not configured, so nothing can be checked.")
                     : QStringLiteral("Not a valid host name: %1").arg(error);
            overview.delegations.append(report);
            continue;
        }
        DelegationCheckInput in{*name,
                                config.zone,
                                {{config.server, config.port}},
                                config.resolver,
                                config.resolverPort,
                                config.purchaserAuthority,
                                config.purchaserAuthorityPort};
        in.timeoutMs = config.timeoutMs;
        overview.delegations.append(checkDelegation(in));
    }
}

void DnsOverviewWorker::readDatabase(const DnsOverviewConfig &config, DnsOverview &overview)
{
    if (config.databasePath.isEmpty()) {
        overview.databaseError = QStringLiteral("No database is configured.");
        return;
    }
    if (!m_database || m_databasePath != config.databasePath || !m_database->isOpen()) {
        m_database = std::make_unique<Database>();
        m_databasePath = config.databasePath;
        const Result<void> opened = m_database->open(config.databasePath);
        if (!opened) {
            overview.databaseError = opened.error().message;
            m_database.reset();
            return;
        }
    }
    const ImportedNameRepository importedNames(*m_database);
    const auto zones = importedNames.zones();
    if (!zones) {
        overview.databaseError = zones.error().message;
        return;
    }
    for (const QString &zone : zones.value()) {
        const auto names = importedNames.byZone(zone);
        if (!names) {
            overview.databaseError = names.error().message;
            overview.imported.clear();
            return;
        }
        overview.imported += names.value();
    }
    const auto updates = UpdateLogRepository(*m_database).latest(DnsOverviewService::UpdateRows);
    if (!updates) {
        overview.databaseError = updates.error().message;
        overview.imported.clear();
        return;
    }
    overview.updates = updates.value();
}

DnsOverviewService::DnsOverviewService(QObject *parent) : DnsOverviewService({}, parent) {}

DnsOverviewService::DnsOverviewService(const DnsOverviewConfig &config, QObject *parent)
    : QObject(parent), m_config(config), m_worker(new DnsOverviewWorker)
{
    m_thread.setObjectName(QStringLiteral("dns-overview"));
    m_worker->moveToThread(&m_thread);
    // Deleted on its own thread, after the loop ends, so the Database closes where it was opened.
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();

    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!m_running)
            refresh();
    });
}

DnsOverviewService::~DnsOverviewService()
{
    m_cancel->store(true);
    m_thread.quit();
    m_thread.wait();
}

void DnsOverviewService::setConfig(const DnsOverviewConfig &config)
{
    m_config = config;
}

void DnsOverviewService::setInterval(int milliseconds)
{
    m_timer.setInterval(qMax(0, milliseconds));
}

void DnsOverviewService::start()
{
    m_timer.start();
    refresh();
}

void DnsOverviewService::stop()
{
    m_timer.stop();
}

void DnsOverviewService::refresh()
{
    if (m_running) {
        m_again = true;
        return;
    }
    m_running = true;
    Q_EMIT refreshingChanged(true);
    dispatch();
}

void DnsOverviewService::dispatch()
{
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, service = this, config = m_config, cancel = m_cancel] {
            const DnsOverview overview = worker->collect(config, *cancel);
            if (*cancel)
                return;
            // Queued to the service's thread; dropped if the service is gone by then.
            QMetaObject::invokeMethod(
                service, [service, overview] { service->deliver(overview); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void DnsOverviewService::deliver(const DnsOverview &overview)
{
    m_latest = overview;
    // Still refreshing while the signal is delivered: a refresh() from a slot is coalesced too.
    Q_EMIT updated(overview);
    if (m_again) {
        m_again = false;
        dispatch();
        return;
    }
    m_running = false;
    Q_EMIT refreshingChanged(false);
}

} // namespace headroom
