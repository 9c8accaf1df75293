// The sandbox's real servers answer: DNS at the authoritative server, the recursor and the
// purchaser's BIND; HTTP through each proxy to an origin; the traffic generator spreads load.

#include "dns/dnsclient.h"
#include "sandbox/trafficgenerator.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/proxyrepository.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QtTest>

using namespace headroom;

namespace {

using test::httpGet;
using test::HttpResult;

QStringList addressesOf(const DnsResponse &r)
{
    QStringList out;
    for (const auto &a : r.addresses())
        out.append(a.toString());
    out.sort();
    return out;
}

} // namespace

class TestSandbox final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void authoritativeAnswersSoa();
    void authoritativeServesSubscriberOnEveryProxy();
    void purchaserDnsServesOrigins();
    void recursorForwardsEveryZone();
    void everyProxyReachesTheSubscriberOrigin();
    void proxiesRefuseUnknownSites();
    void proxiesExposeMetrics();
    void originsAnswerDirectly();
    void secretsAreOwnerOnlyAndNotInStatus();
    void upAgainAttaches();
    void proxiesAreRegisteredWithTheirCapacity();
    void trafficSpreadsOverAllProxies();
    void trafficThroughTheRecursor();
    void cleanupTestCase();

private:
    TrafficReport runTraffic(TrafficOptions options);
    test::SandboxFixture m_fixture;
};

void TestSandbox::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

void TestSandbox::authoritativeAnswersSoa()
{
    const auto &l = m_fixture.layout();
    const DnsResponse r = DnsClient::querySync(l.authoritative.address, l.authoritative.port,
                                               {l.ourZone, quint16(RecordType::SOA), false}, 2000);
    QVERIFY2(r.ok(), qPrintable(r.error + rcodeName(r.rcode)));
    QVERIFY(r.authoritative);
    QCOMPARE(r.answer.size(), 1);
    QCOMPARE(r.answer.first().type, quint16(RecordType::SOA));
    QVERIFY(r.answer.first().text.startsWith(QStringLiteral("ns1.edge.headroom.test.")));
}

void TestSandbox::authoritativeServesSubscriberOnEveryProxy()
{
    const auto &l = m_fixture.layout();
    const DnsResponse r =
        DnsClient::querySync(l.authoritative.address, l.authoritative.port,
                             {l.subscriberZone, quint16(RecordType::A), false}, 2000);
    QVERIFY(r.ok());
    QCOMPARE(addressesOf(r), QStringList({QStringLiteral("127.0.1.1"), QStringLiteral("127.0.1.2"),
                                          QStringLiteral("127.0.1.3")}));
    QCOMPARE(r.answer.first().ttl, 20u);
}

void TestSandbox::purchaserDnsServesOrigins()
{
    const auto &l = m_fixture.layout();
    const DnsResponse r = DnsClient::querySync(
        l.purchaserDns.address, l.purchaserDns.port,
        {QStringLiteral("origin.shop.example"), quint16(RecordType::A), false}, 2000);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(r.authoritative);
    QCOMPARE(addressesOf(r),
             QStringList({QStringLiteral("127.0.2.1"), QStringLiteral("127.0.2.2")}));
    const DnsResponse www = DnsClient::querySync(
        l.purchaserDns.address, l.purchaserDns.port,
        {QStringLiteral("www.shop.example"), quint16(RecordType::CNAME), false}, 2000);
    QVERIFY(www.ok());
    QCOMPARE(www.answer.size(), 1);
    QCOMPARE(www.answer.first().target, QStringLiteral("shop.s09.edge.headroom.test."));
}

void TestSandbox::recursorForwardsEveryZone()
{
    const auto &l = m_fixture.layout();
    const auto ask = [&](const QString &name, RecordType type) {
        return DnsClient::querySync(l.recursor.address, l.recursor.port,
                                    {name, quint16(type), true}, 3000);
    };
    const DnsResponse soa = ask(l.ourZone, RecordType::SOA);
    QVERIFY2(soa.ok(), qPrintable(soa.error + rcodeName(soa.rcode)));
    QVERIFY(!soa.authoritative);
    const DnsResponse origin = ask(QStringLiteral("origin.shop.example"), RecordType::A);
    QVERIFY2(origin.ok(), qPrintable(origin.error + rcodeName(origin.rcode)));
    QCOMPARE(addressesOf(origin).size(), 2);
    const DnsResponse news = ask(l.subscriberZone, RecordType::A);
    QVERIFY(news.ok());
    QCOMPARE(addressesOf(news).size(), 3);
    // www.shop.example is a CNAME to shop's steering name (its shard of our zone), where no lease
    // has put the name yet.
    const DnsResponse www = ask(QStringLiteral("www.shop.example"), RecordType::A);
    QVERIFY(www.answered);
    QCOMPARE(rcodeName(www.rcode), QStringLiteral("NXDOMAIN"));
    QCOMPARE(www.answer.first().target, QStringLiteral("shop.s09.edge.headroom.test."));
}

void TestSandbox::everyProxyReachesTheSubscriberOrigin()
{
    const auto &l = m_fixture.layout();
    for (const auto &p : l.proxies) {
        const HttpResult r = httpGet(p.address, p.httpPort, "news.example");
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains("news.example from news-origin"), r.body.constData());
        // HAProxy writes header names in lower case.
        QVERIFY(r.headers.toLower().contains("x-served-by: " + p.name.toLatin1()));
        QVERIFY(httpGet(p.address, p.httpPort, "NEWS.example:8080").status == 200);
    }
}

void TestSandbox::proxiesRefuseUnknownSites()
{
    const auto &p = m_fixture.layout().proxies.first();
    QCOMPARE(httpGet(p.address, p.httpPort, "shop.example").status, 421);
}

void TestSandbox::proxiesExposeMetrics()
{
    for (const auto &p : m_fixture.layout().proxies) {
        QTcpSocket s;
        s.connectToHost(p.address, p.metricsPort);
        QVERIFY(s.waitForConnected(2000));
        s.write("GET /metrics HTTP/1.0\r\n\r\n");
        QByteArray all;
        while (s.waitForReadyRead(2000))
            all += s.readAll();
        QVERIFY(all.startsWith("HTTP/1.1 200"));
        QVERIFY(all.contains("haproxy_frontend_http_requests_total{proxy=\"http\"}"));
    }
}

void TestSandbox::originsAnswerDirectly()
{
    for (const auto &o : m_fixture.layout().origins) {
        const HttpResult r = httpGet(o.address, o.httpPort, o.site.toLatin1());
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.contains(o.name.toLatin1()));
    }
}

void TestSandbox::secretsAreOwnerOnlyAndNotInStatus()
{
    const auto &l = m_fixture.layout();
    for (const QString &path : {l.updateKeyFile(), l.axfrKeyFile()}) {
        QFile f(path);
        QVERIFY(f.exists());
        QCOMPARE(f.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray secret = f.readAll().trimmed();
        QVERIFY(secret.size() >= 40);
        const QByteArray status = QJsonDocument(m_fixture.sandbox().statusJson()).toJson();
        QVERIFY(!status.contains(secret));
        QFile record(l.statusFile());
        QVERIFY(record.open(QIODevice::ReadOnly));
        QVERIFY(!record.readAll().contains(secret));
    }
}

void TestSandbox::upAgainAttaches()
{
    const SandboxStatus before = m_fixture.sandbox().status();
    QVERIFY(before.running);
    QString error;
    QVERIFY2(m_fixture.sandbox().up({}, &error), qPrintable(error));
    const SandboxStatus after = m_fixture.sandbox().status();
    QCOMPARE(after.servers.size(), before.servers.size());
    for (int i = 0; i < after.servers.size(); ++i)
        QCOMPARE(after.servers[i].process.pid, before.servers[i].process.pid);
}

void TestSandbox::proxiesAreRegisteredWithTheirCapacity()
{
    Database db;
    QVERIFY(db.open(m_fixture.layout().databaseFile()).ok());
    const auto proxies = ProxyRepository(db).all();
    QVERIFY(proxies.ok());
    QCOMPARE(proxies.value().size(), 3);
    for (const Proxy &p : proxies.value()) {
        QCOMPARE(p.capacityRps, m_fixture.layout().proxyCapacityRps);
        QCOMPARE(p.pool, QStringLiteral("sandbox"));
        QVERIFY(p.address.isLoopback());
    }
}

TrafficReport TestSandbox::runTraffic(TrafficOptions options)
{
    TrafficGenerator generator(options);
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    generator.start();
    [&] { QVERIFY(finished.wait(int(options.durationSeconds * 1000) + 15000)); }();
    return generator.report();
}

void TestSandbox::trafficSpreadsOverAllProxies()
{
    const auto &l = m_fixture.layout();
    QString error;
    TrafficOptions o;
    o.profile = *LoadProfile::parse(QStringLiteral("steady"), 100, 3, 600, &error);
    o.durationSeconds = 3;
    o.host = l.subscriberZone;
    o.httpPort = l.proxies.first().httpPort;
    o.resolvers = 300;
    o.servers = {{l.ourZone, l.authoritative.address, l.authoritative.port},
                 {l.subscriberZone, l.authoritative.address, l.authoritative.port}};
    const TrafficReport r = runTraffic(o);
    QCOMPARE(r.requested, 300);
    QCOMPARE(r.failed, 0);
    QCOMPARE(r.ok, 300);
    QCOMPARE(r.okByTarget.size(), 3);
    for (const auto &p : l.proxies)
        QVERIFY2(r.okByTarget.value(p.address.toString()) >= 50, qPrintable(r.toText()));
    // Caching resolvers honour the TTL: at most one query per resolver in 3 s (TTL 20 s).
    QVERIFY(r.dnsQueries <= 300);
}

void TestSandbox::trafficThroughTheRecursor()
{
    const auto &l = m_fixture.layout();
    QString error;
    TrafficOptions o;
    o.profile = *LoadProfile::parse(QStringLiteral("steady"), 50, 2, 600, &error);
    o.durationSeconds = 2;
    o.host = l.subscriberZone;
    o.httpPort = l.proxies.first().httpPort;
    o.resolvers = 20;
    o.recursive = true;
    o.servers = {{QStringLiteral("."), l.recursor.address, l.recursor.port}};
    const TrafficReport r = runTraffic(o);
    QCOMPARE(r.requested, 100);
    QCOMPARE(r.failed, 0);
}

void TestSandbox::cleanupTestCase()
{
    const QString stateDir = m_fixture.layout().stateDir;
    QVERIFY(!test::SandboxFixture::processesMentioning(stateDir).isEmpty());
    m_fixture.down();
    QVERIFY(!m_fixture.sandbox().status().exists);
    const auto left = test::SandboxFixture::processesMentioning(stateDir);
    QVERIFY2(left.isEmpty(), qPrintable(QStringLiteral("left behind: %1").arg(left.size())));
}

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
