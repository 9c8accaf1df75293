// Billing end to end on the sandbox's real servers (issue 7): a purchaser's best-effort lease on
// shop.example priced per 1,000 requests; `headroomctl run` steers and meters; clients behind 300
// caching resolvers send traffic through the purchaser's DNS, and one proxy is gracefully
// reloaded in the middle of it. Then:
//   - the metered requests equal the requests the clients got answered by our proxies, exactly
//     (nothing lost, nothing counted twice across the reload);
//   - every sample delivered again is ignored;
//   - `headroomctl billing invoice run` bills exactly counted requests x price, plus tax rounded
//     half up once.
// A missing server fails the test (the fixture's up() fails); nothing here skips.
#include "billing/invoice.h"
#include "sandbox/trafficgenerator.h"
#include "sandboxfixture.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <atomic>
#include <csignal>
#include <memory>

using namespace headroom;
using namespace headroom::test;

namespace {

constexpr double Rate = 80;         // requests per second the clients send
constexpr int Seconds = 14;         // of traffic
constexpr qint64 PricePer1k = 3000; // EUR 30.00 per 1,000 requests: 3 cents each
constexpr int TaxBp = 2000;         // 20 %

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestBillingE2E : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void knownTrafficIsBilledExactly();
    void controllerRestartMetersOn();

private:
    Run ctl(const QStringList &args);
    bool startController();
    void stopController();
    qint64 sendThroughOurProxies(double rate, int seconds);

    SandboxFixture m_sandbox;
    QProcess *m_controller = nullptr;
    qint64 m_leaseId = 0;
};

void TestBillingE2E::initTestCase()
{
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
}

void TestBillingE2E::cleanupTestCase()
{
    stopController();
    m_sandbox.down();
}

void TestBillingE2E::stopController()
{
    if (!m_controller)
        return;
    ::kill(pid_t(m_controller->processId()), SIGTERM);
    if (!m_controller->waitForFinished(10000)) {
        ::kill(pid_t(m_controller->processId()), SIGKILL);
        m_controller->waitForFinished(5000);
    }
    delete m_controller;
    m_controller = nullptr;
}

bool TestBillingE2E::startController()
{
    const SandboxLayout &l = m_sandbox.layout();
    m_controller = new QProcess(this);
    m_controller->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_controller->start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
                        {QStringLiteral("run"), QStringLiteral("--port-base"),
                         QString::number(l.portBase), QStringLiteral("--state-dir"), l.stateDir,
                         QStringLiteral("--ttl"), QStringLiteral("2")});
    return m_controller->waitForStarted(5000);
}

// Clients on www.shop.example through the purchaser's DNS; returns how many of their requests
// our proxies answered (-1 if any failed).
qint64 TestBillingE2E::sendThroughOurProxies(double rate, int seconds)
{
    const SandboxLayout &l = m_sandbox.layout();
    TrafficOptions o;
    QString error;
    o.profile = *LoadProfile::parse(QStringLiteral("steady"), rate, seconds, 600, &error);
    o.durationSeconds = seconds;
    o.host = QStringLiteral("www.shop.example");
    o.httpPort = l.proxies.first().httpPort;
    o.resolvers = 300;
    for (const auto *dns : {&l.authoritative, &l.purchaserDns}) {
        for (const auto &zone : dns->zones)
            o.servers.append({zone, dns->address, dns->port});
    }
    TrafficGenerator generator(o);
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    generator.start();
    if (!finished.wait((seconds + 30) * 1000))
        return -1;
    const TrafficReport report = generator.report();
    qInfo("%s", qPrintable(report.toText()));
    if (report.failed != 0)
        return -1;
    qint64 counted = 0;
    for (const ProxyEndpoint &p : l.proxies)
        counted += report.okByTarget.value(p.address.toString());
    return counted;
}

Run TestBillingE2E::ctl(const QStringList &args)
{
    QProcess p;
    p.start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
            QStringList{QStringLiteral("billing")} + args +
                QStringList{QStringLiteral("--db"), m_sandbox.layout().databaseFile()});
    p.waitForFinished(60000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

void TestBillingE2E::knownTrafficIsBilledExactly()
{
    const SandboxLayout &l = m_sandbox.layout();
    Database db;
    QVERIFY(db.open(l.databaseFile()).ok());
    for (Proxy p : ProxyRepository(db).all().value()) {
        p.capacityRps = 1000; // room for the whole demand: most answers name our proxies
        QVERIFY(ProxyRepository(db).upsert(p).ok());
    }
    Purchaser buyer;
    buyer.organisation = QStringLiteral("Shop Ltd");
    buyer.billingAddress = QStringLiteral("1 Shop Street");
    const qint64 purchaser = PurchaserRepository(db).add(buyer).value();
    Site shop;
    shop.name = QStringLiteral("shop.example");
    shop.label = QStringLiteral("shop"); // the purchaser's www CNAMEs to shop.sNN.<our zone>
    shop.hosts = {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")};
    for (const OriginEndpoint &o : l.origins) {
        if (o.site == l.purchaserZone)
            shop.origins.append({o.address, o.httpPort, 1, false});
    }
    shop.originName = QStringLiteral("origin.shop.example");
    shop.purchaserId = purchaser;
    QVERIFY(SiteRepository(db).add(shop).ok());
    Lease lease;
    lease.siteId = SiteRepository(db).byName(shop.name).value()->id;
    lease.pool = l.pool;
    lease.rateRps = 500;
    lease.kind = LeaseKind::BestEffort;
    lease.startsAtMs = QDateTime::currentMSecsSinceEpoch();
    lease.endsAtMs = lease.startsAtMs + 3600 * 1000;
    const qint64 leaseId = LeaseRepository(db).add(lease, QStringLiteral("test")).value();
    m_leaseId = leaseId;

    // Prices and tax through the command line, as the operator sets them.
    Run r = ctl({QStringLiteral("settings"), QStringLiteral("--company"),
                 QStringLiteral("Headroom Edge GmbH"), QStringLiteral("--tax-rate-bp"),
                 QString::number(TaxBp)});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("tariff"), QStringLiteral("set"), QString::number(leaseId),
             QStringLiteral("--currency"), QStringLiteral("EUR"),
             QStringLiteral("--per-1k-requests"), QString::number(PricePer1k)});
    QVERIFY2(r.code == 0, r.err.constData());

    // The controller, for the whole run (one process, so one series of sample identities).
    QVERIFY(startController());
    QTRY_VERIFY_WITH_TIMEOUT(LeaseRepository(db).byId(leaseId).value()->state == LeaseState::Active,
                             20000);
    QTest::qWait(4000); // weights published, resolvers' caches past one TTL

    const BillingPeriod period = BillingPeriod::containing(QDateTime::currentMSecsSinceEpoch());
    TrafficOptions o;
    QString error;
    o.profile = *LoadProfile::parse(QStringLiteral("steady"), Rate, Seconds, 600, &error);
    o.durationSeconds = Seconds;
    o.host = QStringLiteral("www.shop.example");
    o.httpPort = l.proxies.first().httpPort;
    o.resolvers = 300;
    for (const auto *dns : {&l.authoritative, &l.purchaserDns}) {
        for (const auto &zone : dns->zones)
            o.servers.append({zone, dns->address, dns->port});
    }
    TrafficGenerator generator(o);
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QElapsedTimer clock;
    clock.start();
    generator.start();
    // A graceful reload of one proxy in the middle (it blocks until the handover: a thread).
    std::atomic<int> generation{-1};
    std::atomic<qint64> restartDoneMs{0};
    QString restartError;
    std::unique_ptr<QThread> restarter(QThread::create([&] {
        QThread::msleep(Seconds * 1000 / 3);
        generation = m_sandbox.sandbox().restartProxy(l.proxies.first().name, &restartError);
        restartDoneMs = clock.elapsed();
    }));
    restarter->start();
    QVERIFY(finished.wait((Seconds + 30) * 1000));
    const qint64 trafficEndMs = clock.elapsed();
    QTRY_VERIFY_WITH_TIMEOUT(restarter->isFinished(), 40000);
    const TrafficReport report = generator.report();
    qInfo("%s", qPrintable(report.toText()));
    QVERIFY2(generation >= 2, qPrintable(restartError));
    QVERIFY2(restartDoneMs < trafficEndMs - 1000, "the reload did not happen mid-run");
    QCOMPARE(report.failed, 0);
    qint64 counted = 0; // answered by our proxies, as the clients saw it
    for (const ProxyEndpoint &p : l.proxies)
        counted += report.okByTarget.value(p.address.toString());
    qInfo("clients: %lld ok, %lld of them through our proxies", qlonglong(report.ok),
          qlonglong(counted));
    QVERIFY2(counted > qint64(Rate * Seconds / 4), "too little traffic reached the proxies");

    // The controller writes each poll's deltas; wait for the last ones, then a few polls more.
    const auto metered = [&] {
        return qint64(UsageRepository(db).totalsForLease(leaseId).value().first);
    };
    QTRY_VERIFY_WITH_TIMEOUT(metered() >= counted, 20000);
    QTest::qWait(3000);
    stopController();
    QCOMPARE(metered(), counted);

    // Every sample delivered again changes nothing.
    QList<UsageSample> replay;
    const auto read = BillingRepository(db).forEachUsageSample(
        period.startMs, period.endMs, leaseId, [&](const UsageRow &row) {
            UsageSample s;
            s.sampleUid = row.sampleUid;
            s.leaseId = row.leaseId;
            s.proxy = row.proxy;
            s.site = row.site;
            s.atMs = row.atMs;
            s.requests = quint64(row.requests);
            s.bytes = quint64(row.bytes);
            replay.append(s);
            return true;
        });
    QVERIFY(read.ok());
    QVERIFY(!replay.isEmpty());
    QCOMPARE(UsageRepository(db).record(replay).value(), 0);
    QCOMPARE(metered(), counted);
    QCOMPARE(BillingPeriod::containing(QDateTime::currentMSecsSinceEpoch()).name, period.name);

    // The invoice run through the CLI: total = counted requests x price, exactly.
    r = ctl({QStringLiteral("invoice"), QStringLiteral("run"), QStringLiteral("--period"),
             period.name, QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonArray drafts =
        QJsonDocument::fromJson(r.out).object().value(QStringLiteral("drafts")).toArray();
    QCOMPARE(drafts.size(), 1);
    const QJsonObject invoice = drafts.first().toObject();
    QCOMPARE(invoice.value(QStringLiteral("purchaser_id")).toInteger(), purchaser);
    const QJsonObject line = invoice.value(QStringLiteral("lines")).toArray().first().toObject();
    QCOMPARE(line.value(QStringLiteral("lease_id")).toInteger(), leaseId);
    QCOMPARE(line.value(QStringLiteral("requests")).toInteger(), counted);
    const qint64 subtotal = counted * PricePer1k / 1000;  // exact: 3 cents a request
    const qint64 tax = (subtotal * TaxBp + 5000) / 10000; // half up
    QCOMPARE(line.value(QStringLiteral("amount_minor")).toInteger(), subtotal);
    QCOMPARE(invoice.value(QStringLiteral("subtotal_minor")).toInteger(), subtotal);
    QCOMPARE(invoice.value(QStringLiteral("tax_minor")).toInteger(), tax);
    QCOMPARE(invoice.value(QStringLiteral("total_minor")).toInteger(), subtotal + tax);
    qInfo("billed %lld requests: subtotal %lld, tax %lld, total %lld minor units (EUR)",
          qlonglong(counted), qlonglong(subtotal), qlonglong(tax), qlonglong(subtotal + tax));
}

// A controller that stops and starts again (crash, upgrade, the console taking over) must meter
// on: it loses at most what was counted between its last poll and its successor's first.
//
// This once failed: sample uids were "proxy/epoch/poll/host" with the epoch and poll counted from 0
// by each controller process, so a new controller repeated its predecessor's uids and the ledger
// dropped its samples as replays. Each scraper now adds a random run id.
void TestBillingE2E::controllerRestartMetersOn()
{
    QVERIFY(m_leaseId > 0);
    QVERIFY(!m_controller);
    Database db;
    QVERIFY(db.open(m_sandbox.layout().databaseFile()).ok());
    const auto metered = [&] {
        return qint64(UsageRepository(db).totalsForLease(m_leaseId).value().first);
    };
    const qint64 before = metered();
    QVERIFY(startController());
    QTest::qWait(4000); // its first poll is a baseline; weights published again
    const qint64 counted = sendThroughOurProxies(Rate, 8);
    QVERIFY2(counted > 0, "the traffic failed or missed our proxies");
    QTest::qWait(4000);
    stopController();
    qInfo("after the controller restarted: %lld requests through our proxies, %lld metered",
          qlonglong(counted), qlonglong(metered() - before));
    QCOMPARE(metered() - before, counted);
}

QTEST_GUILESS_MAIN(TestBillingE2E)
#include "tst_billing_e2e.moc"
