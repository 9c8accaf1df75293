// Crash safety (issue 8): `headroomctl run` is killed with SIGKILL at random points while leases
// start, steer and end on the sandbox's real servers and clients send traffic through the
// proxies (so every poll meters). After each kill:
//   - one reconcile (`headroomctl dns apply`, run once) makes the served zone equal the desired
//     state, and an independent `dns diff` agrees;
//   - no site whose leases have all ended is answered with a proxy by our DNS server;
//   - the ledger never holds more than the proxies counted (nothing counted twice).
// At the end the ledger holds exactly what the proxies counted (nothing lost).
// HEADROOM_CRASH_KILLS sets the number of kills (200 by default; the long mode runs 1,000),
// HEADROOM_CRASH_SEED the random seed (printed, so a failure can be replayed).
// A missing server fails the test (the fixture's up() fails); nothing here skips.
#include "dns/dnsclient.h"
#include "dns/steeringzones.h"
#include "fleet/stickytableparser.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/siterepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <atomic>
#include <csignal>
#include <map>

using namespace headroom;
using namespace headroom::test;

namespace {

constexpr int kSites = 4;
constexpr int kPollMs = 250;
constexpr int kTtl = 2;
constexpr int kValidity = 6;
// Lease end + drain (TTL + 2 polls + 1 s) + slack: after this nothing of the lease may remain.
constexpr qint64 kDrainMs = kTtl * 1000 + 2 * kPollMs + 1000;

QString siteName(int i)
{
    return QStringLiteral("crash%1.example").arg(i);
}

} // namespace

class TestCrashSafety final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void killsAtRandomPointsLoseNothing();

private:
    CtlRun ctl(const QStringList &args);
    void scheduleLeases(qint64 nowMs);
    // Per site (by host): what the proxies' tables counted, summed over proxies and generations.
    std::map<QString, quint64> proxyCounters(QString *error);
    std::map<QString, quint64> ledger();
    // Sites with no lease window near now and at least one that ended: must not be answered
    // with a proxy. Returns the offending answers.
    QStringList routedPastEnd(qint64 nowMs);
    void startTraffic();
    void stopTraffic();

    SandboxFixture m_sandbox;
    std::unique_ptr<Database> m_db;
    QHash<qint64, QString> m_siteLabel; // site id -> label
    QHash<qint64, QString> m_siteHost;  // site id -> host
    QHash<qint64, qint64> m_nextFreeMs; // site id -> when its next lease may start
    std::map<QString, quint64> m_baseline;
    QRandomGenerator m_rng;
    std::atomic<bool> m_trafficOn{false};
    std::atomic<qint64> m_sent{0};
    std::vector<QThread *> m_traffic;
    int m_leaseCount = 0;
};

CtlRun TestCrashSafety::ctl(const QStringList &args)
{
    return runCtl(args + sandboxArgs(m_sandbox.layout()), 30000);
}

void TestCrashSafety::initTestCase()
{
    const quint32 seed = qEnvironmentVariableIsSet("HEADROOM_CRASH_SEED")
                             ? quint32(qEnvironmentVariableIntValue("HEADROOM_CRASH_SEED"))
                             : QRandomGenerator::global()->generate();
    qInfo("seed %u (HEADROOM_CRASH_SEED=%u replays it)", seed, seed);
    m_rng.seed(seed);

    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
    const SandboxLayout &l = m_sandbox.layout();
    const OriginEndpoint &origin = l.origins.constFirst();
    for (int i = 0; i < kSites; ++i) {
        const CtlRun r = ctl(
            {QStringLiteral("site"), QStringLiteral("add"), siteName(i), QStringLiteral("--origin"),
             QStringLiteral("%1:%2").arg(origin.address.toString()).arg(origin.httpPort),
             QStringLiteral("--host"), QStringLiteral("www.") + siteName(i),
             QStringLiteral("--assignment"), QStringLiteral("rr")});
        QVERIFY2(r.code == 0, r.err.constData());
    }
    m_db = std::make_unique<Database>();
    QVERIFY(m_db->open(l.databaseFile()).ok());
    const auto sites = SiteRepository(*m_db).all();
    QVERIFY(sites.ok());
    for (const Site &s : sites.value()) {
        m_siteLabel.insert(s.id, s.label);
        m_siteHost.insert(s.id, s.hosts.constFirst());
        m_nextFreeMs.insert(s.id, 0);
    }
    QCOMPARE(m_siteHost.size(), kSites);

    // One clean cycle before any traffic: the proxies' tables become the metering baseline.
    const CtlRun first = ctl({QStringLiteral("run"), QStringLiteral("--once"),
                              QStringLiteral("--poll"), QString::number(kPollMs)});
    QVERIFY2(first.code == 0, first.err.constData());
    m_baseline = proxyCounters(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    startTraffic();
}

void TestCrashSafety::cleanupTestCase()
{
    stopTraffic();
    m_db.reset();
    m_sandbox.down();
}

// Clients hitting every proxy with every site's Host, directly (what the proxies count is what
// must be billed, whether or not DNS sent them there).
void TestCrashSafety::startTraffic()
{
    m_trafficOn = true;
    const SandboxLayout &l = m_sandbox.layout();
    QList<QByteArray> hosts;
    for (const QString &h : std::as_const(m_siteHost))
        hosts.append(h.toLatin1());
    for (const ProxyEndpoint &p : l.proxies) {
        QThread *client = QThread::create([this, address = p.address, port = p.httpPort, hosts] {
            int i = 0;
            while (m_trafficOn) {
                httpGet(address, port, hosts[i++ % hosts.size()]);
                ++m_sent;
                QThread::msleep(15);
            }
        });
        client->start();
        m_traffic.push_back(client);
    }
}

void TestCrashSafety::stopTraffic()
{
    m_trafficOn = false;
    for (QThread *t : m_traffic) {
        t->wait();
        delete t;
    }
    m_traffic.clear();
}

// Each site has a lease coming up, in a window of 3-10 s, firm or best-effort, with a gap after
// the previous one's drain: starts and ends happen all the time.
void TestCrashSafety::scheduleLeases(qint64 nowMs)
{
    LeaseRepository leases(*m_db);
    for (auto it = m_nextFreeMs.begin(); it != m_nextFreeMs.end(); ++it) {
        while (it.value() < nowMs + 15000) {
            Lease lease;
            lease.siteId = it.key();
            lease.rateRps = 30;
            lease.kind = m_rng.bounded(2) ? LeaseKind::Firm : LeaseKind::BestEffort;
            lease.startsAtMs = std::max(it.value(), nowMs + 1000 + m_rng.bounded(3000));
            lease.endsAtMs = lease.startsAtMs + 3000 + m_rng.bounded(7000);
            const Result<qint64> added = leases.add(lease, QStringLiteral("test:crash"));
            QVERIFY2(added.ok(), added.ok() ? "" : qPrintable(added.error().message));
            ++m_leaseCount;
            it.value() = lease.endsAtMs + kDrainMs + 1000 + m_rng.bounded(2000);
        }
    }
}

std::map<QString, quint64> TestCrashSafety::proxyCounters(QString *error)
{
    std::map<QString, quint64> total;
    for (const ProxyEndpoint &p : m_sandbox.layout().proxies) {
        QLocalSocket s;
        s.connectToServer(p.runtimeSocket);
        if (!s.waitForConnected(2000)) {
            *error = p.name + QStringLiteral(": cannot connect to the runtime API");
            return {};
        }
        s.write("show table per_site\n");
        s.waitForBytesWritten(2000);
        QByteArray reply;
        while (s.state() == QLocalSocket::ConnectedState && s.waitForReadyRead(2000))
            reply += s.readAll();
        reply += s.readAll();
        const auto table = parseStickyTable(reply, error);
        if (!table)
            return {};
        for (auto it = table->sites.cbegin(); it != table->sites.cend(); ++it)
            total[siteOfKey(it.key().toLatin1())] += it->requests;
    }
    return total;
}

std::map<QString, quint64> TestCrashSafety::ledger()
{
    std::map<QString, quint64> total;
    QSqlQuery q(m_db->connection());
    q.exec(QStringLiteral("SELECT site, sum(requests) FROM usage_samples GROUP BY site"));
    QHash<QString, QString> hostOfSite;
    for (int i = 0; i < kSites; ++i)
        hostOfSite.insert(siteName(i), QStringLiteral("www.") + siteName(i));
    while (q.next())
        total[hostOfSite.value(q.value(0).toString())] += q.value(1).toULongLong();
    return total;
}

QStringList TestCrashSafety::routedPastEnd(qint64 nowMs)
{
    QStringList bad;
    const auto all = LeaseRepository(*m_db).all();
    if (!all.ok())
        return {QStringLiteral("cannot read leases")};
    QHash<qint64, bool> ended;
    QSet<qint64> busy;
    for (const Lease &l : all.value()) {
        if (l.endsAtMs + 1500 <= nowMs)
            ended[l.siteId] = true;
        // A window that is open, about to open, or closed within the last 1.5 s (second
        // granularity of the record's deadline, and the clock between us and the server).
        if (l.startsAtMs - 1500 <= nowMs && nowMs < l.endsAtMs + 1500)
            busy.insert(l.siteId);
    }
    const SandboxLayout &l = m_sandbox.layout();
    QSet<QString> proxyAddresses;
    for (const ProxyEndpoint &p : l.proxies)
        proxyAddresses.insert(p.address.toString());
    const SteeringZones zones(*DnsName::parse(l.ourZone), l.shardCount);
    for (auto it = ended.cbegin(); it != ended.cend(); ++it) {
        if (busy.contains(it.key()))
            continue;
        const auto owner = zones.ownerFor(m_siteLabel.value(it.key()));
        for (int q = 0; q < 4; ++q) {
            const DnsResponse r = DnsClient::querySync(
                l.authoritative.address, l.authoritative.port,
                DnsQuestion{owner->absolute(), quint16(RecordType::A), false}, 2000);
            for (const DnsRecord &rec : r.answer) {
                if (proxyAddresses.contains(rec.address.toString()) ||
                    rec.target.startsWith(QLatin1String("proxy")))
                    bad.append(QStringLiteral("%1 -> %2").arg(owner->absolute(), rec.text));
            }
        }
    }
    return bad;
}

void TestCrashSafety::killsAtRandomPointsLoseNothing()
{
    const int kills = qEnvironmentVariableIsSet("HEADROOM_CRASH_KILLS")
                          ? qEnvironmentVariableIntValue("HEADROOM_CRASH_KILLS")
                          : 200;
    const SandboxLayout &l = m_sandbox.layout();
    const QString logPath = l.stateDir + QStringLiteral("/crash-controller.log");
    int reconciled = 0;
    int diffChecks = 0;
    int routedChecks = 0;
    std::map<QString, int> phases;
    QElapsedTimer total;
    total.start();

    for (int k = 0; k < kills; ++k) {
        scheduleLeases(QDateTime::currentMSecsSinceEpoch());
        QProcess controller;
        controller.setProcessChannelMode(QProcess::MergedChannels);
        controller.start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
                         {QStringLiteral("run"), QStringLiteral("--port-base"),
                          QString::number(l.portBase), QStringLiteral("--state-dir"), l.stateDir,
                          QStringLiteral("--poll"), QString::number(kPollMs),
                          QStringLiteral("--ttl"), QString::number(kTtl),
                          QStringLiteral("--validity"), QString::number(kValidity),
                          QStringLiteral("--log"), logPath});
        QVERIFY(controller.waitForStarted(5000));
        // Killed anywhere from its start-up to a few polls in.
        QThread::msleep(100 + m_rng.bounded(1900));
        const qint64 killedAt = QDateTime::currentMSecsSinceEpoch();
        ::kill(pid_t(controller.processId()), SIGKILL);
        QVERIFY(controller.waitForFinished(5000));
        QVERIFY2(controller.exitStatus() == QProcess::CrashExit,
                 controller.readAll().constData()); // it was running, not refused

        // What was going on when it died.
        {
            const auto all = LeaseRepository(*m_db).all();
            QVERIFY(all.ok());
            QString phase = QStringLiteral("idle (metering only)");
            for (const Lease &lease : all.value()) {
                if (lease.state == LeaseState::Provisioning ||
                    (lease.startsAtMs <= killedAt && killedAt < lease.startsAtMs + 1500))
                    phase = QStringLiteral("lease start");
                else if (lease.state == LeaseState::Draining ||
                         (lease.endsAtMs <= killedAt && killedAt < lease.endsAtMs + kDrainMs))
                    phase =
                        phase == QLatin1String("lease start") ? phase : QStringLiteral("lease end");
                else if (lease.state == LeaseState::Active && lease.inWindow(killedAt) &&
                         phase.startsWith(QLatin1String("idle")))
                    phase = QStringLiteral("steering");
            }
            ++phases[phase];
        }

        // One reconcile makes the served zone equal the desired state.
        const CtlRun apply =
            ctl({QStringLiteral("dns"), QStringLiteral("apply"), QStringLiteral("--json")});
        QVERIFY2(apply.code == 0, (apply.out + apply.err).constData());
        const QJsonObject applied = QJsonDocument::fromJson(apply.out).object();
        if (applied.value(QStringLiteral("applied")).toBool())
            ++reconciled;
        if (k % 10 == 0) {
            const CtlRun diff = ctl({QStringLiteral("dns"), QStringLiteral("diff")});
            QVERIFY2(diff.code == 0, (diff.out + diff.err).constData());
            ++diffChecks;
        }

        // No lease routed past its end.
        const QStringList routed = routedPastEnd(QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(routed.isEmpty(), qPrintable(routed.join(QStringLiteral("; "))));
        ++routedChecks;

        // Nothing counted twice: the ledger (read first) never exceeds the counters.
        const std::map<QString, quint64> billed = ledger();
        QString error;
        const std::map<QString, quint64> counted = proxyCounters(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const auto &[host, requests] : billed) {
            const quint64 limit = counted.count(host) ? counted.at(host) : 0;
            const quint64 base = m_baseline.count(host) ? m_baseline.at(host) : 0;
            QVERIFY2(requests + base <= limit,
                     qPrintable(QStringLiteral("kill %1: %2 billed %3, counted %4 - %5")
                                    .arg(k)
                                    .arg(host)
                                    .arg(requests)
                                    .arg(limit)
                                    .arg(base)));
        }
    }

    // Traffic stops; one clean run meters what is left. Then the ledger equals the counters.
    stopTraffic();
    QThread::msleep(300);
    const CtlRun last = ctl({QStringLiteral("run"), QStringLiteral("--once"),
                             QStringLiteral("--poll"), QString::number(kPollMs)});
    QVERIFY2(last.code == 0, last.err.constData());
    QString error;
    const std::map<QString, quint64> counted = proxyCounters(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const std::map<QString, quint64> billed = ledger();
    quint64 billedTotal = 0;
    quint64 countedTotal = 0;
    for (int i = 0; i < kSites; ++i) {
        const QString host = QStringLiteral("www.") + siteName(i);
        const quint64 c = (counted.count(host) ? counted.at(host) : 0) -
                          (m_baseline.count(host) ? m_baseline.at(host) : 0);
        const quint64 b = billed.count(host) ? billed.at(host) : 0;
        billedTotal += b;
        countedTotal += c;
        QVERIFY2(
            b == c,
            qPrintable(
                QStringLiteral("%1: billed %2, the proxies counted %3").arg(host).arg(b).arg(c)));
    }
    QVERIFY(countedTotal > 0);

    QString phaseText;
    for (const auto &[phase, n] : phases)
        phaseText += QStringLiteral("%1 %2, ").arg(phase).arg(n);
    qInfo("%d kills in %.0f s; leases %d; killed during: %s; reconcile changed something after %d "
          "kills; dns diff in sync %d of %d; routing after lease end checked %d times; requests "
          "sent %lld, metered %llu = counted %llu",
          kills, total.elapsed() / 1000.0, m_leaseCount, qPrintable(phaseText), reconciled,
          diffChecks, diffChecks, routedChecks, qlonglong(m_sent.load()), billedTotal,
          countedTotal);
}

int main(int argc, char **argv)
{
    // Hundreds of kills take longer than Qt Test's 5-minute watchdog per function; ctest's
    // TIMEOUT (reliability.cmake) is the limit instead.
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", "86400000");
    QCoreApplication app(argc, argv);
    TestCrashSafety test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_crash_safety.moc"
