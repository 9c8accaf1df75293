// FleetScraper against the sandbox's three HAProxy proxies: rates within 5 % of a known load,
// per-site deltas that add up exactly to what the generator got answered, across a proxy
// restart, and a killed proxy marked down within two polls.

#include "fleet/fleetscraper.h"
#include "fleet/runtimeapi.h"
#include "sandbox/trafficgenerator.h"
#include "sandboxfixture.h"

#include <QSignalSpy>
#include <QtTest>

using namespace headroom;

class TestFleetScraper final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void runtimeApiRefusesInjection();
    void steadyRateAndExactDeltas();
    void restartNeitherLosesNorDoubles();
    void cleanupTestCase();

private:
    TrafficOptions traffic(double rps, double seconds) const;
    TrafficReport runTraffic(const TrafficOptions &options);
    // Polls until `wanted` site requests are counted (or `maxPolls` pass); returns the count.
    quint64 settle(quint64 wanted, int maxPolls);
    QList<ProxyLoad> nextPoll();

    test::SandboxFixture m_fixture;
    std::unique_ptr<FleetScraper> m_scraper;
    QList<QList<ProxyLoad>> m_polls;
    quint64 m_siteRequests = 0; // news.example, summed over every delta seen
    ServerProcess m_restarted;
};

void TestFleetScraper::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
    m_scraper = std::make_unique<FleetScraper>();
    m_scraper->setProxies(m_fixture.layout().proxies);
    QCOMPARE(m_scraper->interval(), 1000);
    QVERIFY(m_scraper->effectiveTimeout() < 1000);
    connect(m_scraper.get(), &FleetScraper::updated, this, [this](const QList<ProxyLoad> &loads) {
        m_polls.append(loads);
        for (const auto &l : loads)
            m_siteRequests += l.sites.value(m_fixture.layout().subscriberZone).requests;
    });
    m_scraper->start();
    const QList<ProxyLoad> first = nextPoll();
    QCOMPARE(first.size(), 3);
    for (const auto &l : first) {
        QVERIFY2(l.scraped, qPrintable(l.name + QStringLiteral(": ") + l.error));
        QCOMPARE(l.state, ProxyLoad::State::Up);
        QVERIFY(l.baseline);
        // name/run/epoch/poll, the run random per scraper
        const QStringList parts = l.sampleId.split(QLatin1Char('/'));
        QCOMPARE(parts.size(), 4);
        QCOMPARE(parts.at(0), l.name);
        QVERIFY(!parts.at(1).isEmpty());
        QCOMPARE(parts.at(2), QStringLiteral("0"));
    }
}

void TestFleetScraper::runtimeApiRefusesInjection()
{
    RuntimeApi api(m_fixture.layout().proxies.first().runtimeSocket);
    for (const QString &bad :
         {QStringLiteral("show info\nshutdown frontend http"),
          QStringLiteral("show info; shutdown frontend http"), QStringLiteral("")}) {
        bool called = false;
        RuntimeReply reply;
        api.command(bad, this, [&](const RuntimeReply &r) {
            called = true;
            reply = r;
        });
        QVERIFY(!called); // never calls back synchronously
        QTRY_VERIFY(called);
        QVERIFY(!reply.ok);
        QVERIFY2(reply.error.startsWith(QStringLiteral("refused")), qPrintable(reply.error));
    }
    bool called = false;
    RuntimeReply reply;
    api.command(QStringLiteral("show info"), this, [&](const RuntimeReply &r) {
        called = true;
        reply = r;
    });
    QTRY_VERIFY(called);
    QVERIFY2(reply.ok, qPrintable(reply.error));
    QVERIFY(reply.text.contains("Name: HAProxy"));
}

TrafficOptions TestFleetScraper::traffic(double rps, double seconds) const
{
    const auto &l = m_fixture.layout();
    QString error;
    TrafficOptions o;
    o.profile = *LoadProfile::parse(QStringLiteral("steady"), rps, seconds, 600, &error);
    o.durationSeconds = seconds;
    o.host = l.subscriberZone;
    o.httpPort = l.proxies.first().httpPort;
    o.resolvers = 300;
    o.servers = {{l.ourZone, l.authoritative.address, l.authoritative.port},
                 {l.subscriberZone, l.authoritative.address, l.authoritative.port}};
    return o;
}

TrafficReport TestFleetScraper::runTraffic(const TrafficOptions &options)
{
    TrafficGenerator generator(options);
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    generator.start();
    [&] { QVERIFY(finished.wait(int(options.durationSeconds * 1000) + 15000)); }();
    return generator.report();
}

QList<ProxyLoad> TestFleetScraper::nextPoll()
{
    const qsizetype before = m_polls.size();
    QSignalSpy spy(m_scraper.get(), &FleetScraper::updated);
    if (!spy.wait(3000) || m_polls.size() == before)
        return {};
    return m_polls.last();
}

quint64 TestFleetScraper::settle(quint64 wanted, int maxPolls)
{
    for (int i = 0; i < maxPolls && m_siteRequests < wanted; ++i)
        nextPoll();
    nextPoll(); // one more: nothing may arrive beyond the wanted count
    return m_siteRequests;
}

void TestFleetScraper::steadyRateAndExactDeltas()
{
    nextPoll();
    const quint64 startCount = m_siteRequests;
    const qsizetype firstPoll = m_polls.size();
    const TrafficReport r = runTraffic(traffic(150, 6));
    const qsizetype lastPoll = m_polls.size();
    QVERIFY2(r.failed == 0, qPrintable(r.toText()));
    QCOMPARE(r.ok, 900);
    const quint64 counted = settle(startCount + quint64(r.ok), 5) - startCount;
    QCOMPARE(counted, quint64(r.ok));

    // Steady state: skip the first poll (ramp) and the last one (tail) of the run.
    QList<double> rates;
    QList<double> siteRates;
    for (qsizetype i = firstPoll + 1; i < lastPoll - 1; ++i) {
        double sum = 0;
        double siteSum = 0;
        for (const auto &l : m_polls[i]) {
            QVERIFY2(l.scraped, qPrintable(l.error));
            QCOMPARE(l.state, ProxyLoad::State::Up);
            QCOMPARE(l.epoch, 0u);
            sum += l.requestRate;
            siteSum += l.sites.value(m_fixture.layout().subscriberZone).requestRate;
            QVERIFY(l.bytesRate > 0);
        }
        rates.append(sum);
        siteRates.append(siteSum);
    }
    QVERIFY2(rates.size() >= 2, qPrintable(QString::number(rates.size())));
    const double mean = std::accumulate(rates.begin(), rates.end(), 0.0) / double(rates.size());
    const double siteMean =
        std::accumulate(siteRates.begin(), siteRates.end(), 0.0) / double(siteRates.size());
    qInfo("steady-state polls %lld, total rate per poll: %s; mean %.2f req/s, per-site mean %.2f",
          qlonglong(rates.size()), qPrintable([&] {
              QStringList s;
              for (double v : rates)
                  s.append(QString::number(v, 'f', 1));
              return s.join(QLatin1Char(' '));
          }()),
          mean, siteMean);
    QVERIFY2(std::abs(mean - 150) <= 7.5, qPrintable(QString::number(mean)));
    QVERIFY2(std::abs(siteMean - 150) <= 7.5, qPrintable(QString::number(siteMean)));
}

void TestFleetScraper::restartNeitherLosesNorDoubles()
{
    const auto &layout = m_fixture.layout();
    const QString victim = layout.proxies.first().name;
    const quint64 startCount = m_siteRequests;

    const TrafficReport before = runTraffic(traffic(90, 2));
    QVERIFY2(before.failed == 0, qPrintable(before.toText()));
    QCOMPARE(settle(startCount + quint64(before.ok), 5) - startCount, quint64(before.ok));

    // Kill the proxy; it must be Down within two polls, the others staying Up.
    ServerProcess process;
    for (const auto &s : m_fixture.sandbox().status().servers) {
        if (s.name == victim)
            process = s.process;
    }
    QVERIFY(process.pid > 0);
    QVERIFY(process.stop(5000));
    QElapsedTimer downClock;
    downClock.start();
    int polls = 0;
    bool down = false;
    while (!down && polls < 2) {
        const QList<ProxyLoad> loads = nextPoll();
        QCOMPARE(loads.size(), 3);
        ++polls;
        for (const auto &l : loads) {
            if (l.name == victim) {
                QVERIFY(!l.scraped);
                QVERIFY(!l.error.isEmpty());
                down = l.state == ProxyLoad::State::Down;
            } else {
                QVERIFY2(l.scraped, qPrintable(l.error));
            }
        }
    }
    QVERIFY2(down, "killed proxy not marked down within 2 polls");
    qInfo("killed proxy marked down after %d polls, %lld ms", polls,
          qlonglong(downClock.elapsed()));

    // Start it again exactly as the sandbox did.
    QString error;
    QVERIFY2(ServerProcess::start(process.name, process.program, process.arguments,
                                  layout.serverDir(victim), process.logFile, &m_restarted, &error),
             qPrintable(error));
    bool up = false;
    quint64 epoch = 0;
    for (int i = 0; i < 15 && !up; ++i) {
        for (const auto &l : nextPoll()) {
            if (l.name == victim && l.scraped) {
                up = l.state == ProxyLoad::State::Up;
                epoch = l.epoch;
            }
        }
    }
    QVERIFY2(up, "restarted proxy not up again");
    QCOMPARE(epoch, 1u); // the restart was detected once

    const TrafficReport after = runTraffic(traffic(90, 2));
    QVERIFY2(after.failed == 0, qPrintable(after.toText()));
    const quint64 wanted = quint64(before.ok + after.ok);
    QCOMPARE(settle(startCount + wanted, 5) - startCount, wanted);
    qInfo("restart: generator ok %lld + %lld, counted %llu", qlonglong(before.ok),
          qlonglong(after.ok), qulonglong(m_siteRequests - startCount));
}

void TestFleetScraper::cleanupTestCase()
{
    if (m_scraper)
        m_scraper->stop();
    m_scraper.reset();
    if (m_restarted.pid > 0)
        m_restarted.stop(5000);
    m_fixture.down();
}

QTEST_MAIN(TestFleetScraper)
#include "tst_fleetscraper.moc"
