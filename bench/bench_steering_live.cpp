// bench_steering_live: the steering loop on the sandbox's real servers.
//
// Starts its own sandbox (random port base, temporary state directory), gives its three proxies
// a small capacity, registers shop.example and a firm lease on it, drives the purchaser's
// demand and the subscriber's base load with in-process TrafficGenerators (clients behind
// caching resolvers) and runs the product's controller, `headroomctl run`, as a subprocess.
//   (a) reaction: the base load steps up (and back down); the time from the step until the
//       authoritative server answers the new weights, watched by querying the site's steering
//       name for its LUA record every 50 ms and decoding it;
//   (b) tracking: a compressed diurnal day of base load; per controller poll, |delivered -
//       allocated| / allocated from the lease's live status (what the controller wrote);
//   (c) the proxy-seconds above capacity (and above target) during (b), from an own scraper.
// The controller, the generators and the sandbox are always stopped, also on SIGINT/SIGTERM.
// Figures and commands: docs/BENCHMARKS.md.

#include "benchsupport.h"
#include "dns/dnsname.h"
#include "dns/steeringreadback.h"
#include "dns/steeringzones.h"
#include "dns/tsigkey.h"
#include "dns/zonetransfer.h"
#include "fleet/fleetscraper.h"
#include "sandbox/sandbox.h"
#include "sandbox/trafficgenerator.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/siterepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <memory>
#include <mutex>
#include <thread>

namespace headroom {
namespace {

using bench::err;
using bench::fixed;
using bench::out;
using bench::percent;

std::atomic<bool> g_stopRequested{false};

void requestStop(int)
{
    g_stopRequested = true;
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype rank = qsizetype(std::ceil(p / 100.0 * double(values.size())));
    return values.at(std::clamp<qsizetype>(rank - 1, 0, values.size() - 1));
}

double mean(const QList<double> &values)
{
    double sum = 0;
    for (double v : values)
        sum += v;
    return values.isEmpty() ? 0 : sum / double(values.size());
}

struct LiveOptions
{
    double capacityRps = 100; // per proxy, set in the database
    double targetUtilisation = 0.8;
    double leaseRps = 100; // X, firm
    double demandRps = 200;
    double stepRps = 165; // the base-load step of (a)
    int rounds = 5;
    double settleSeconds = 20; // after each step, before the next
    double minutes = 10;       // the diurnal run of (b); 0 skips it
    double periodSeconds = 0;  // of the diurnal base load; 0 = the run's length
    double basePeakRps = 200;
    int ttlSeconds = 5;
    int pollMs = 1000;
    int validitySeconds = 15;
    bool keepState = false;
};

// A sandbox on a random free port base in its own temporary directory, stopped on destruction.
class BenchSandbox final
{
public:
    BenchSandbox() : m_dir(QDir::tempPath() + QStringLiteral("/headroom-bench-XXXXXX")) {}
    ~BenchSandbox() { down(); }
    BenchSandbox(const BenchSandbox &) = delete;
    BenchSandbox &operator=(const BenchSandbox &) = delete;

    bool up(bool keepState, QString *error)
    {
        if (!m_dir.isValid()) {
            *error = QStringLiteral("cannot create a temporary state directory");
            return false;
        }
        m_dir.setAutoRemove(!keepState);
        Sandbox::Options options;
        options.trafficProgram =
            QCoreApplication::applicationDirPath() + QStringLiteral("/headroomctl");
        for (int attempt = 0; attempt < 6; ++attempt) {
            // 20000-59000 in steps of 50, as the test fixture does: clear of the default base.
            const int base = 20000 + 50 * int(QRandomGenerator::global()->bounded(780));
            auto layout = SandboxLayout::make(
                base, m_dir.path() + QStringLiteral("/sandbox-%1").arg(base), error);
            if (!layout)
                return false;
            m_sandbox = std::make_unique<Sandbox>(*layout);
            if (m_sandbox->up(options, error))
                return true;
            m_sandbox.reset();
            if (!error->contains(QLatin1String("already in use")))
                return false;
        }
        return false;
    }

    void down()
    {
        if (!m_sandbox)
            return;
        QString error;
        if (!m_sandbox->down(&error))
            err() << "bench_steering_live: stopping the sandbox: " << error << Qt::endl;
        m_sandbox.reset();
    }

    const SandboxLayout &layout() const { return m_sandbox->layout(); }
    QString path() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Sandbox> m_sandbox;
};

// Runs the event loop for `ms`; false when a stop was requested meanwhile.
bool pause(qint64 ms)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < ms) {
        if (g_stopRequested)
            return false;
        QEventLoop loop;
        QTimer::singleShot(int(std::min<qint64>(50, ms - clock.elapsed())), &loop,
                           &QEventLoop::quit);
        loop.exec();
    }
    return !g_stopRequested;
}

class LiveBench final : public QObject
{
public:
    LiveBench(const LiveOptions &options, const SandboxLayout &layout)
        : m_options(options), m_layout(layout)
    {
        m_clock.start();
    }
    ~LiveBench() override { stopAll(); }

    bool setUp(QString *error);
    bool reaction(QString *error);
    bool diurnal(QString *error);
    void stopAll();

private:
    struct Served
    {
        double at = 0; // seconds on m_clock
        double fraction = 0;
    };
    struct ProxyPoll
    {
        double at = 0;
        double maxUtilisation = 0;
        int overCapacity = 0; // proxies above capacity in this poll
        int overCapacity5 = 0;
        int overTarget = 0;
        int proxies = 0;
        double base = 0; // all proxies, everything but shop
        double shop = 0;
        QList<double> totalByProxy; // req/s, in the layout's proxy order
        QList<double> shopByProxy;
    };
    struct Decision
    {
        double at = 0;
        double fraction = 0;
        double allocated = 0;
    };
    struct StatusPoll
    {
        double at = 0;
        double allocated = 0;
        double delivered = 0;
        double fraction = 0;
    };

    double now() const { return double(m_clock.nsecsElapsed()) / 1e9; }
    TrafficGenerator *traffic(const QString &host, const LoadProfile &profile);
    bool startController(QString *error);
    void watchDns();
    void onScrape(const QList<ProxyLoad> &loads);
    void pollStatus();
    double medianServed(double from, double to) const;
    QList<Served> servedSoFar() const
    {
        const std::lock_guard<std::mutex> lock(m_servedMutex);
        return m_served;
    }
    std::pair<int, QString> watchErrors() const
    {
        const std::lock_guard<std::mutex> lock(m_servedMutex);
        return {m_dnsErrors, m_lastDnsError};
    }
    // The controller's "fraction" log lines: when it published what (m_clock seconds).
    QList<Decision> decisionsInLog() const;

    LiveOptions m_options;
    SandboxLayout m_layout;
    QElapsedTimer m_clock;
    qint64 m_clockStartUtcMs = QDateTime::currentMSecsSinceEpoch();
    std::unique_ptr<Database> m_db;
    qint64 m_leaseId = 0;
    QString m_steeringName;
    QString m_logFile;
    QProcess *m_controller = nullptr;
    FleetScraper *m_scraper = nullptr;
    std::thread m_watcher;
    std::atomic<bool> m_watcherStop{false};
    mutable std::mutex m_servedMutex; // m_served, m_dnsErrors, m_lastDnsError
    QTimer *m_statusTimer = nullptr;
    int m_dnsErrors = 0;
    QString m_lastDnsError;
    QList<TrafficGenerator *> m_generators;
    QList<Served> m_served;
    QList<ProxyPoll> m_proxyPolls;
    QList<StatusPoll> m_statusPolls;
    qint64 m_lastStatusAt = 0;
};

TrafficGenerator *LiveBench::traffic(const QString &host, const LoadProfile &profile)
{
    TrafficOptions o;
    o.profile = profile;
    o.durationSeconds = 0; // until stopped
    o.host = host;
    o.httpPort = m_layout.proxies.first().httpPort;
    o.resolvers = 300;
    for (const auto *dns : {&m_layout.authoritative, &m_layout.purchaserDns}) {
        for (const auto &zone : dns->zones)
            o.servers.append({zone, dns->address, dns->port});
    }
    auto *g = new TrafficGenerator(o, this);
    m_generators.append(g);
    g->start();
    return g;
}

bool LiveBench::setUp(QString *error)
{
    m_db = std::make_unique<Database>();
    if (const Result<void> opened = m_db->open(m_layout.databaseFile()); !opened) {
        *error = opened.error().message;
        return false;
    }
    const auto proxies = ProxyRepository(*m_db).all();
    if (!proxies) {
        *error = proxies.error().message;
        return false;
    }
    for (Proxy p : proxies.value()) {
        p.capacityRps = m_options.capacityRps;
        if (const auto r = ProxyRepository(*m_db).upsert(p); !r) {
            *error = r.error().message;
            return false;
        }
    }
    // shop.example as the end-to-end test has it: the rest goes back to the purchaser's DNS.
    Site shop;
    shop.name = QStringLiteral("shop.example");
    shop.label = QStringLiteral("shop");
    shop.hosts = {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")};
    for (const OriginEndpoint &o : m_layout.origins) {
        if (o.site == m_layout.purchaserZone)
            shop.origins.append({o.address, o.httpPort, 1, false});
    }
    shop.originName = QStringLiteral("origin.shop.example");
    const auto siteId = SiteRepository(*m_db).add(shop);
    if (!siteId) {
        *error = siteId.error().message;
        return false;
    }
    const auto zone = DnsName::parse(m_layout.ourZone, error);
    if (!zone)
        return false;
    const auto owner = SteeringZones(*zone, m_layout.shardCount).ownerFor(shop.label, error);
    if (!owner)
        return false;
    m_steeringName = owner->absolute();

    m_scraper = new FleetScraper(this);
    m_scraper->setProxies(m_layout.proxies);
    m_scraper->setInterval(1000);
    connect(m_scraper, &FleetScraper::updated, this,
            [this](const QList<ProxyLoad> &loads) { onScrape(loads); });
    m_scraper->start();

    watchDns();
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(200);
    connect(m_statusTimer, &QTimer::timeout, this, [this] { pollStatus(); });
    m_statusTimer->start();

    if (!startController(error))
        return false;
    QString ignored;
    traffic(QStringLiteral("www.shop.example"),
            *LoadProfile::parse(QStringLiteral("steady"), m_options.demandRps, 0, 60, &ignored));
    Lease lease;
    lease.siteId = siteId.value();
    lease.pool = m_layout.pool;
    lease.rateRps = m_options.leaseRps;
    lease.startsAtMs = QDateTime::currentMSecsSinceEpoch();
    lease.endsAtMs = lease.startsAtMs + 6 * 3600 * 1000;
    lease.kind = LeaseKind::Firm;
    lease.overflow = OverflowPolicy::Dns;
    const auto id = LeaseRepository(*m_db).add(lease, QStringLiteral("bench"));
    if (!id) {
        *error = id.error().message;
        return false;
    }
    m_leaseId = id.value();
    const double added = now();
    for (;;) {
        const auto l = LeaseRepository(*m_db).byId(m_leaseId);
        if (l && l.value() && l.value()->state == LeaseState::Active)
            break;
        if (now() - added > 30) {
            *error = QStringLiteral("the lease was not active 30 s after it was added (log: %1)")
                         .arg(m_logFile);
            return false;
        }
        if (!pause(100))
            return false;
    }
    out() << "lease " << m_leaseId << " active " << fixed(now() - added, 1)
          << " s after it was added; steering name " << m_steeringName << Qt::endl;
    // Three TTLs to converge, then a little more.
    return pause(qint64(3 * m_options.ttlSeconds * 1000 + 10000));
}

bool LiveBench::startController(QString *error)
{
    m_logFile = QFileInfo(m_layout.stateDir).absolutePath() + QStringLiteral("/controller.log");
    m_controller = new QProcess(this);
    m_controller->setProcessChannelMode(QProcess::ForwardedChannels);
    m_controller->start(
        QCoreApplication::applicationDirPath() + QStringLiteral("/headroomctl"),
        {QStringLiteral("run"), QStringLiteral("--port-base"), QString::number(m_layout.portBase),
         QStringLiteral("--state-dir"), m_layout.stateDir, QStringLiteral("--ttl"),
         QString::number(m_options.ttlSeconds), QStringLiteral("--poll"),
         QString::number(m_options.pollMs), QStringLiteral("--validity"),
         QString::number(m_options.validitySeconds), QStringLiteral("--target-utilisation"),
         QString::number(m_options.targetUtilisation), QStringLiteral("--log"), m_logFile});
    if (!m_controller->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start headroomctl run: ") + m_controller->errorString();
        return false;
    }
    return true;
}

void LiveBench::stopAll()
{
    m_watcherStop = true;
    if (m_watcher.joinable())
        m_watcher.join();
    if (m_statusTimer)
        m_statusTimer->stop();
    if (m_scraper)
        m_scraper->stop();
    for (TrafficGenerator *g : m_generators)
        g->stop();
    if (m_controller && m_controller->state() != QProcess::NotRunning) {
        m_controller->terminate();
        if (!m_controller->waitForFinished(10000)) {
            m_controller->kill();
            m_controller->waitForFinished(5000);
        }
    }
}

// The authoritative server does not hand out a LUA record's code to a query (it runs it), so
// the served weights are read back the way `headroomctl dns show` does: AXFR of the site's shard
// zone, TSIG-signed, on a thread of its own (the transfer blocks), every 50 ms.
void LiveBench::watchDns()
{
    const auto zone = DnsName::parse(m_layout.ourZone);
    const auto owner = DnsName::parse(m_steeringName);
    QString error;
    const auto key = TsigKey::fromFile(m_layout.updateKeyName, m_layout.updateKeyFile(), &error,
                                       m_layout.algorithm);
    if (!zone || !owner || !key) {
        m_lastDnsError = error;
        return;
    }
    const DnsName shard = SteeringZones(*zone, m_layout.shardCount).zoneOf(*owner);
    const QHostAddress server = m_layout.authoritative.address;
    const quint16 port = m_layout.authoritative.port;
    QStringList proxies;
    for (const ProxyEndpoint &p : m_layout.proxies)
        proxies.append(p.name);
    const QString name = m_steeringName;
    m_watcher = std::thread([this, shard, server, port, proxies, name, key = *key] {
        while (!m_watcherStop) {
            QElapsedTimer pace;
            pace.start();
            const ZoneTransferResult t = transferZone(server, port, shard, key, 2000);
            const double at = now();
            std::optional<double> fraction;
            for (const DnsRecord &r : t.records) {
                if (r.name != name)
                    continue;
                if (r.type != quint16(RecordType::LUA)) {
                    // A static record: the overflow alone.
                    fraction = fraction.value_or(0);
                    continue;
                }
                const ServedSteering served = decodeServed(r);
                double toProxies = 0;
                double total = 0;
                for (const ServedSteering::Weight &w : served.weights) {
                    total += w.weight;
                    for (const QString &p : proxies) {
                        if (w.target.startsWith(p + QLatin1Char('.')))
                            toProxies += w.weight;
                    }
                }
                fraction = total > 0 ? toProxies / total : 0;
            }
            {
                const std::lock_guard<std::mutex> lock(m_servedMutex);
                if (t.ok && fraction) {
                    m_served.append({at, *fraction});
                } else {
                    ++m_dnsErrors;
                    m_lastDnsError =
                        t.ok ? QStringLiteral("%1 is not in the zone").arg(name) : t.error;
                }
            }
            const qint64 rest = 50 - pace.elapsed();
            if (rest > 0)
                QThread::msleep(quint64(rest));
        }
    });
}

void LiveBench::onScrape(const QList<ProxyLoad> &loads)
{
    ProxyPoll poll;
    poll.at = now();
    for (const ProxyLoad &l : loads) {
        if (!l.scraped || l.baseline)
            return; // a poll without rates for every proxy says nothing of capacity
        const double u = l.requestRate / m_options.capacityRps;
        poll.maxUtilisation = std::max(poll.maxUtilisation, u);
        poll.overCapacity += u > 1 ? 1 : 0;
        poll.overCapacity5 += u > 1.05 ? 1 : 0;
        poll.overTarget += u > m_options.targetUtilisation ? 1 : 0;
        ++poll.proxies;
        double shop = 0;
        for (const QString &h :
             {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")})
            shop += l.sites.value(h).requestRate;
        poll.shop += shop;
        poll.base += l.requestRate - shop;
        poll.totalByProxy.append(l.requestRate);
        poll.shopByProxy.append(shop);
    }
    m_proxyPolls.append(poll);
}

void LiveBench::pollStatus()
{
    if (!m_leaseId)
        return;
    const auto status = LeaseRepository(*m_db).status(m_leaseId);
    if (!status || !status.value() || status.value()->atMs == m_lastStatusAt)
        return;
    const LeaseStatus &s = *status.value();
    m_lastStatusAt = s.atMs;
    m_statusPolls.append(
        {double(s.atMs - m_clockStartUtcMs) / 1000.0, s.allocatedRps, s.deliveredRps, s.fraction});
}

double LiveBench::medianServed(double from, double to) const
{
    QList<double> v;
    for (const Served &s : servedSoFar()) {
        if (s.at >= from && s.at < to)
            v.append(s.fraction);
    }
    return percentile(v, 50);
}

QList<LiveBench::Decision> LiveBench::decisionsInLog() const
{
    QList<Decision> decisions;
    QFile log(m_logFile);
    if (!log.open(QIODevice::ReadOnly | QIODevice::Text))
        return decisions;
    static const QRegularExpression line(QStringLiteral(
        "^(\\S+) shop\\.example: fraction ([0-9.]+) \\(allocated ([0-9.]+), carried ([0-9.]+)"));
    while (!log.atEnd()) {
        const auto m = line.match(QString::fromUtf8(log.readLine()));
        if (!m.hasMatch())
            continue;
        const QDateTime at = QDateTime::fromString(m.captured(1), Qt::ISODateWithMs);
        decisions.append({double(at.toMSecsSinceEpoch() - m_clockStartUtcMs) / 1000.0,
                          m.captured(2).toDouble(), m.captured(3).toDouble()});
    }
    return decisions;
}

bool LiveBench::reaction(QString *error)
{
    const double poll = m_options.pollMs / 1000.0;
    QList<double> reactionMs[2]; // [0] step up, [1] step down
    QList<double> firstMs[2];
    QList<double> decidedMs[2];
    out() << "(a) reaction: base load steps of " << m_options.stepRps
          << " req/s on news.example (a steady generator started, then stopped), "
          << m_options.rounds << " rounds, " << m_options.settleSeconds << " s each way"
          << Qt::endl;
    QString ignored;
    const LoadProfile step =
        *LoadProfile::parse(QStringLiteral("steady"), m_options.stepRps, 0, 60, &ignored);
    const auto allocatedNear = [this](double from, double to) {
        QList<double> v;
        for (const StatusPoll &s : m_statusPolls) {
            if (s.at >= from && s.at < to)
                v.append(s.allocated);
        }
        return percentile(v, 50);
    };
    for (int round = 0; round < m_options.rounds; ++round) {
        for (const bool up : {true, false}) {
            const double before = medianServed(now() - 10, now());
            const double allocatedBefore = allocatedNear(now() - 10, now());
            const double stepAt = now();
            if (up) {
                traffic(QStringLiteral("news.example"), step);
            } else {
                TrafficGenerator *g = m_generators.takeLast();
                connect(g, &TrafficGenerator::finished, g, &QObject::deleteLater);
                g->stop();
            }
            // Each step at a random phase of the controller's poll: the settle time plus up to
            // one poll, so that the rounds do not all catch the poll at the same moment.
            const qint64 phase = QRandomGenerator::global()->bounded(m_options.pollMs);
            if (!pause(qint64(m_options.settleSeconds * 1000) + phase))
                return false;
            const double end = now();
            const double after = medianServed(end - 10, end);
            const double allocatedAfter = allocatedNear(end - 10, end);
            const double change = allocatedAfter - allocatedBefore;
            if (std::abs(change) < 5) {
                *error = QStringLiteral("round %1: the step moved the allocation only from %2 to "
                                        "%3 req/s: nothing to react to")
                             .arg(round + 1)
                             .arg(allocatedBefore, 0, 'f', 1)
                             .arg(allocatedAfter, 0, 'f', 1);
                return false;
            }
            // The new weights: those of the first poll whose allocation has the whole step
            // (within a tenth of it). A poll that straddles the step sees part of it.
            const QList<Served> served = servedSoFar();
            std::optional<Decision> decided;
            for (const Decision &d : decisionsInLog()) {
                if (d.at > stepAt && std::abs(d.allocated - allocatedAfter) <=
                                         std::max(1.0, 0.1 * std::abs(change))) {
                    decided = d;
                    break;
                }
            }
            double reached = -1;
            double firstMove = -1;
            for (const Served &s : served) {
                if (s.at <= stepAt)
                    continue;
                // The first served move a third of the way, in the step's direction.
                if (firstMove < 0 && (s.fraction - before) * (after - before) > 0 &&
                    std::abs(s.fraction - before) > std::abs(after - before) / 3)
                    firstMove = s.at - stepAt;
                if (decided && s.at >= decided->at &&
                    std::abs(s.fraction - decided->fraction) <= 0.002) {
                    reached = s.at - stepAt;
                    break;
                }
            }
            out() << "    round " << round + 1 << (up ? " step up:   " : " step down: ")
                  << "allocated " << fixed(allocatedBefore, 0) << " -> " << fixed(allocatedAfter, 0)
                  << " req/s, served fraction " << fixed(before, 3) << " -> " << fixed(after, 3)
                  << "; first change served after " << fixed(firstMove * 1000, 0)
                  << " ms; the poll with the whole step decided at "
                  << (decided ? fixed((decided->at - stepAt) * 1000, 0) + QStringLiteral(" ms")
                              : QStringLiteral("(not found)"))
                  << ", its weights served after " << fixed(reached * 1000, 0)
                  << " ms = " << fixed(reached / poll, 2) << " polls" << Qt::endl;
            if (reached < 0 || !decided) {
                *error = QStringLiteral("round %1: the new weights were not seen served (log: %2)")
                             .arg(round + 1)
                             .arg(m_logFile);
                return false;
            }
            reactionMs[up ? 0 : 1].append(reached * 1000);
            firstMs[up ? 0 : 1].append(firstMove * 1000);
            decidedMs[up ? 0 : 1].append((decided->at - stepAt) * 1000);
        }
    }
    for (int k = 0; k < 2; ++k) {
        const double p50 = percentile(reactionMs[k], 50);
        const double worst = percentile(reactionMs[k], 100);
        out() << (k == 0 ? "    step up (less headroom):   " : "    step down (more headroom): ")
              << "new weights served after p50 " << fixed(p50, 0) << " ms, max " << fixed(worst, 0)
              << " ms = " << fixed(p50 / m_options.pollMs, 2) << " / "
              << fixed(worst / m_options.pollMs, 2) << " polls";
        if (k == 0)
            out() << " (goal <= 2 polls: " << (worst <= 2.0 * m_options.pollMs ? "met" : "MISSED")
                  << ")";
        out() << "; decided p50 " << fixed(percentile(decidedMs[k], 50), 0)
              << " ms; first change p50 " << fixed(percentile(firstMs[k], 50), 0) << " ms"
              << Qt::endl;
    }
    out() << "    DNS watch (AXFR every 50 ms): " << servedSoFar().size() << " read-backs, "
          << watchErrors().first << " failed" << Qt::endl;
    return true;
}

bool LiveBench::diurnal(QString *error)
{
    const double seconds = m_options.minutes * 60;
    const double period = m_options.periodSeconds > 0 ? m_options.periodSeconds : seconds;
    QString why;
    const auto profile =
        LoadProfile::parse(QStringLiteral("diurnal"), m_options.basePeakRps, 0, period, &why);
    if (!profile) {
        *error = why;
        return false;
    }
    out() << "(b) tracking over " << fixed(m_options.minutes, 1)
          << " min: diurnal base load on news.example, peak " << m_options.basePeakRps
          << " req/s, period " << period << " s" << Qt::endl;
    TrafficGenerator *base = traffic(QStringLiteral("news.example"), *profile);
    const double from = now();
    const qsizetype statusFrom = m_statusPolls.size();
    const qsizetype proxyFrom = m_proxyPolls.size();
    const int minutes = int(std::ceil(m_options.minutes));
    for (int minute = 0; minute < minutes; ++minute) {
        if (!pause(qint64(std::min(60.0, seconds - minute * 60.0) * 1000)))
            return false;
        // One line per minute: the day so far.
        double alloc = 0;
        double delivered = 0;
        int n = 0;
        for (qsizetype i = statusFrom; i < m_statusPolls.size(); ++i) {
            const StatusPoll &s = m_statusPolls[i];
            if (s.at >= from + minute * 60.0) {
                alloc += s.allocated;
                delivered += s.delivered;
                ++n;
            }
        }
        double baseRate = 0;
        double worst = 0;
        int m = 0;
        for (qsizetype i = proxyFrom; i < m_proxyPolls.size(); ++i) {
            const ProxyPoll &p = m_proxyPolls[i];
            if (p.at >= from + minute * 60.0) {
                baseRate += p.base;
                worst = std::max(worst, p.maxUtilisation);
                ++m;
            }
        }
        out() << "    minute " << minute + 1 << ": base " << fixed(m ? baseRate / m : 0, 0)
              << " req/s, allocated " << fixed(n ? alloc / n : 0, 1) << ", delivered "
              << fixed(n ? delivered / n : 0, 1) << " req/s, busiest proxy " << percent(worst, 0)
              << " of capacity" << Qt::endl;
    }
    base->stop();

    QList<double> perPoll;
    QList<double> signedPerPoll;
    double allocatedSum = 0;
    double deliveredSum = 0;
    double minAllocated = 1e9;
    // 10 s windows: the same error with most of the counting noise averaged out.
    QList<double> perWindow;
    double wAlloc = 0;
    double wDelivered = 0;
    double windowStart = from;
    for (qsizetype i = statusFrom; i < m_statusPolls.size(); ++i) {
        const StatusPoll &s = m_statusPolls[i];
        if (s.at < from || s.at > from + seconds)
            continue;
        allocatedSum += s.allocated;
        deliveredSum += s.delivered;
        minAllocated = std::min(minAllocated, s.allocated);
        if (s.allocated > 0) {
            perPoll.append(std::abs(s.delivered - s.allocated) / s.allocated);
            signedPerPoll.append((s.delivered - s.allocated) / s.allocated);
        }
        wAlloc += s.allocated;
        wDelivered += s.delivered;
        if (s.at - windowStart >= 10) {
            if (wAlloc > 0)
                perWindow.append(std::abs(wDelivered - wAlloc) / wAlloc);
            wAlloc = 0;
            wDelivered = 0;
            windowStart = s.at;
        }
    }
    out() << "    per poll (" << perPoll.size()
          << " controller polls): |delivered - allocated| / allocated mean "
          << percent(mean(perPoll)) << ", p50 " << percent(percentile(perPoll, 50)) << ", p95 "
          << percent(percentile(perPoll, 95)) << "; signed mean " << percent(mean(signedPerPoll))
          << Qt::endl;
    out() << "    per 10 s window (" << perWindow.size() << "): mean " << percent(mean(perWindow))
          << ", p95 " << percent(percentile(perWindow, 95))
          << "; over the run delivered / allocated "
          << percent(allocatedSum > 0 ? deliveredSum / allocatedSum : 0) << " (lowest allocation "
          << fixed(minAllocated, 1) << " req/s)" << Qt::endl;

    int proxySeconds = 0;
    int overCapacity = 0;
    int overCapacity5 = 0;
    int overTarget = 0;
    double worst = 0;
    QStringList events;
    // Per proxy and minute of the run: the mean load, for proxy-minutes above capacity.
    QList<QList<double>> minuteSum(minutes, QList<double>(m_layout.proxies.size(), 0));
    QList<int> minuteCount(minutes, 0);
    for (qsizetype i = proxyFrom; i < m_proxyPolls.size(); ++i) {
        const ProxyPoll &p = m_proxyPolls[i];
        if (p.at < from || p.at > from + seconds)
            continue;
        proxySeconds += p.proxies;
        overCapacity += p.overCapacity;
        overCapacity5 += p.overCapacity5;
        overTarget += p.overTarget;
        worst = std::max(worst, p.maxUtilisation);
        const int minute = std::min(minutes - 1, int((p.at - from) / 60));
        ++minuteCount[minute];
        for (qsizetype k = 0; k < p.totalByProxy.size(); ++k) {
            minuteSum[minute][k] += p.totalByProxy[k];
            if (p.totalByProxy[k] <= m_options.capacityRps)
                continue;
            // The same proxy a poll before and after: a one-second spike or a plateau?
            const auto around = [&](qsizetype j) {
                return j > proxyFrom && j < m_proxyPolls.size() &&
                               k < m_proxyPolls[j].totalByProxy.size()
                           ? fixed(m_proxyPolls[j].totalByProxy[k], 0)
                           : QStringLiteral("-");
            };
            events.append(QStringLiteral("%1 s %2: %3 req/s (shop %4, base %5; a poll before %6, "
                                         "after %7)")
                              .arg(fixed(p.at - from, 0), m_layout.proxies[k].name,
                                   fixed(p.totalByProxy[k], 0), fixed(p.shopByProxy[k], 0),
                                   fixed(p.totalByProxy[k] - p.shopByProxy[k], 0), around(i - 1),
                                   around(i + 1)));
        }
    }
    int proxyMinutes = 0;
    int minutesOver = 0;
    double worstMinute = 0;
    for (int m = 0; m < minutes; ++m) {
        if (minuteCount[m] == 0)
            continue;
        for (double sum : minuteSum[m]) {
            const double u = sum / minuteCount[m] / m_options.capacityRps;
            ++proxyMinutes;
            minutesOver += u > 1 ? 1 : 0;
            worstMinute = std::max(worstMinute, u);
        }
    }
    out() << "(c) proxy-seconds above capacity: " << overCapacity << " of " << proxySeconds << " ("
          << percent(proxySeconds ? double(overCapacity) / proxySeconds : 0, 2)
          << "); more than 5 % above: " << overCapacity5 << "; above target "
          << percent(m_options.targetUtilisation, 0) << ": " << overTarget << " ("
          << percent(proxySeconds ? double(overTarget) / proxySeconds : 0, 1)
          << "); busiest proxy-second " << percent(worst, 0) << " of capacity" << Qt::endl;
    out() << "    proxy-minutes above capacity: " << minutesOver << " of " << proxyMinutes
          << "; busiest proxy-minute " << percent(worstMinute, 0) << " of capacity" << Qt::endl;
    for (const QString &e : events.mid(0, 20))
        out() << "    above capacity at " << e << Qt::endl;
    return true;
}

int run(const LiveOptions &options)
{
    out() << "bench_steering_live: capacity " << options.capacityRps << " req/s per proxy, target "
          << percent(options.targetUtilisation, 0) << ", firm lease " << options.leaseRps
          << " req/s, demand " << options.demandRps << " req/s, TTL " << options.ttlSeconds
          << " s, poll " << options.pollMs << " ms; " << QSysInfo::prettyProductName() << ", "
          << QThread::idealThreadCount() << " CPUs" << Qt::endl;
    BenchSandbox sandbox;
    QString error;
    QElapsedTimer clock;
    clock.start();
    if (!sandbox.up(options.keepState, &error)) {
        err() << "bench_steering_live: sandbox up failed: " << error << Qt::endl;
        return 1;
    }
    const SandboxLayout &layout = sandbox.layout();
    out() << "sandbox up in " << fixed(double(clock.elapsed()) / 1000.0, 1) << " s: port base "
          << layout.portBase << ", state " << layout.stateDir << Qt::endl;
    bool ok = false;
    {
        LiveBench bench(options, layout);
        ok = bench.setUp(&error) && (options.rounds <= 0 || bench.reaction(&error)) &&
             (options.minutes <= 0 || bench.diurnal(&error));
        if (!ok)
            err() << "bench_steering_live: "
                  << (g_stopRequested ? QStringLiteral("interrupted") : error) << Qt::endl;
        bench.stopAll();
        pause(500); // let the generators' last requests end
    }
    sandbox.down();
    if (options.keepState)
        out() << "state kept in " << sandbox.path() << Qt::endl;
    return ok ? 0 : 1;
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_steering_live"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measure the steering loop on a sandbox of its own: reaction to a "
                       "base-load step, tracking over a diurnal run, time above capacity."));
    parser.addHelpOption();
    const QCommandLineOption minutes(QStringLiteral("minutes"),
                                     QStringLiteral("Length of the diurnal run (10; 0 skips)."),
                                     QStringLiteral("M"), QStringLiteral("10"));
    const QCommandLineOption period(
        QStringLiteral("period"),
        QStringLiteral("Period of the diurnal base load, s (default: the run's length)."),
        QStringLiteral("S"), QStringLiteral("0"));
    const QCommandLineOption rounds(QStringLiteral("rounds"),
                                    QStringLiteral("Base-load steps up and down (5; 0 skips)."),
                                    QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption settle(QStringLiteral("settle"),
                                    QStringLiteral("Seconds after each step (20)."),
                                    QStringLiteral("S"), QStringLiteral("20"));
    const QCommandLineOption ttl(QStringLiteral("ttl"),
                                 QStringLiteral("TTL of the steering records, s (5)."),
                                 QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption poll(QStringLiteral("poll"),
                                  QStringLiteral("The controller's poll, ms (1000)."),
                                  QStringLiteral("MS"), QStringLiteral("1000"));
    const QCommandLineOption capacity(QStringLiteral("capacity"),
                                      QStringLiteral("Capacity of each proxy, req/s (100)."),
                                      QStringLiteral("R"), QStringLiteral("100"));
    const QCommandLineOption lease(QStringLiteral("lease-rate"),
                                   QStringLiteral("The firm lease, req/s (100)."),
                                   QStringLiteral("R"), QStringLiteral("100"));
    const QCommandLineOption demand(QStringLiteral("demand"),
                                    QStringLiteral("The purchaser's demand, req/s (200)."),
                                    QStringLiteral("R"), QStringLiteral("200"));
    const QCommandLineOption stepRate(QStringLiteral("step"),
                                      QStringLiteral("The base-load step of (a), req/s (165)."),
                                      QStringLiteral("R"), QStringLiteral("165"));
    const QCommandLineOption basePeak(QStringLiteral("base-peak"),
                                      QStringLiteral("Peak of the diurnal base load, req/s (200)."),
                                      QStringLiteral("R"), QStringLiteral("200"));
    const QCommandLineOption keep(QStringLiteral("keep-state"),
                                  QStringLiteral("Keep the sandbox state directory (logs)."));
    parser.addOptions({minutes, period, rounds, settle, ttl, poll, capacity, lease, demand,
                       stepRate, basePeak, keep});
    parser.process(app);

    headroom::LiveOptions o;
    bool ok = true;
    const auto real = [&](const QCommandLineOption &option, double min, double max) {
        bool good = false;
        const double v = parser.value(option).toDouble(&good);
        if (!good || !(v >= min && v <= max)) {
            headroom::err() << "bench_steering_live: --" << option.names().constFirst()
                            << " takes a number in " << min << ".." << max << Qt::endl;
            ok = false;
        }
        return v;
    };
    o.minutes = real(minutes, 0, 240);
    o.periodSeconds = real(period, 0, 86400);
    o.rounds = int(real(rounds, 0, 100));
    o.settleSeconds = real(settle, 12, 600);
    o.ttlSeconds = int(real(ttl, 1, 3600));
    o.pollMs = int(real(poll, 100, 60000));
    o.capacityRps = real(capacity, 1, 100000);
    o.leaseRps = real(lease, 1, 100000);
    o.demandRps = real(demand, 1, 100000);
    o.stepRps = real(stepRate, 1, 100000);
    o.basePeakRps = real(basePeak, 1, 100000);
    o.keepState = parser.isSet(keep);
    if (!ok)
        return 2;

    std::signal(SIGINT, headroom::requestStop);
    std::signal(SIGTERM, headroom::requestStop);
    std::signal(SIGHUP, headroom::requestStop);
    return headroom::run(o);
}
