// Sandbox configuration text: every value comes from the layout, nothing unchecked gets in.

#include "sandbox/serverconfigs.h"

#include <QtTest>

using namespace headroom;

class TestServerConfigs final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void layoutFollowsThePortBase();
    void pdnsAllowsUpdatesOnlyFromLoopbackWithLua();
    void pdnsTransfersOnlySigned();
    void recursorForwardsEachZoneToItsServer();
    void bindRequiresTheKeyForTransfers();
    void haproxyListensOnItsOwnAddressOnly();
    void haproxyHandsItsTableOverAndCachesSlots();
    void haproxyRuntimeApiIsTwoOwnerOnlyUnixSockets();
    void secretsMustBeBase64_data();
    void secretsMustBeBase64();
    void stateDirWithANewlineIsRefused();

private:
    SandboxLayout layout() const
    {
        QString error;
        return *SandboxLayout::make(31000, QStringLiteral("/tmp/hr-test/sb"), &error);
    }
};

void TestServerConfigs::layoutFollowsThePortBase()
{
    const SandboxLayout l = layout();
    QCOMPARE(l.authoritative.port, quint16(31000));
    QCOMPARE(l.purchaserDns.port, quint16(31001));
    QCOMPARE(l.recursor.port, quint16(31002));
    QCOMPARE(l.proxies.size(), 3);
    QCOMPARE(l.proxies[2].address.toString(), QStringLiteral("127.0.1.3"));
    QCOMPARE(l.proxies[0].httpPort, quint16(31010));
    QCOMPARE(l.origins[2].site, QStringLiteral("news.example"));
    for (const auto &p : l.proxies)
        QVERIFY(p.address.isLoopback());
    for (const auto &o : l.origins)
        QVERIFY(o.address.isLoopback());
}

void TestServerConfigs::pdnsAllowsUpdatesOnlyFromLoopbackWithLua()
{
    const QByteArray c = serverconfigs::pdnsConf(layout(), QStringLiteral("/tmp/hr-test/db"));
    QVERIFY(c.contains("local-address=127.0.0.1:31000\n"));
    QVERIFY(c.contains("enable-lua-records=yes\n"));
    QVERIFY(c.contains("dnsupdate=yes\n"));
    QVERIFY(c.contains("allow-dnsupdate-from=127.0.0.0/8\n"));
    QVERIFY(c.contains("webserver=no\n"));
}

void TestServerConfigs::pdnsTransfersOnlySigned()
{
    // An address in allow-axfr-ips could transfer unsigned; the key in the zones' TSIG-ALLOW-AXFR
    // metadata is the only way in.
    const QByteArray c = serverconfigs::pdnsConf(layout(), QStringLiteral("/tmp/hr-test/db"));
    QVERIFY(c.contains("\nallow-axfr-ips=\n"));
    QCOMPARE(c.count("allow-axfr-ips"), qsizetype(1));
    QVERIFY(c.contains("\napi=no\n"));
}

void TestServerConfigs::recursorForwardsEachZoneToItsServer()
{
    const QByteArray c = serverconfigs::recursorConf(layout());
    QVERIFY(c.contains("forward-zones=edge.headroom.test=127.0.0.1:31000, "
                       "news.example=127.0.0.1:31000, shop.example=127.0.0.1:31001\n"));
    QVERIFY(c.contains("local-port=31002\n"));
    QVERIFY(c.contains("allow-from=127.0.0.0/8\n"));
}

void TestServerConfigs::bindRequiresTheKeyForTransfers()
{
    const QByteArray secret = QByteArray(32, 's').toBase64();
    const QByteArray c = serverconfigs::namedConf(layout(), secret);
    QVERIFY(c.contains("allow-transfer { key shop-axfr; };"));
    QVERIFY(c.contains("controls { };"));
    QVERIFY(c.contains("recursion no;"));
    QVERIFY(c.contains("secret \"" + secret + "\""));
    // A secret that is not base64 never reaches the file.
    const QByteArray bad = serverconfigs::namedConf(layout(), "x\"; }; include \"/etc/passwd");
    QVERIFY(!bad.contains("passwd"));
}

void TestServerConfigs::haproxyListensOnItsOwnAddressOnly()
{
    const SandboxLayout l = layout();
    const QByteArray c = serverconfigs::haproxyCfg(l, l.proxies[1]);
    QVERIFY(c.contains("bind 127.0.1.2:31010\n"));
    QVERIFY(c.contains("bind 127.0.1.2:31011\n"));
    QVERIFY(!c.contains("bind *"));
    QVERIFY(c.contains("stats socket /tmp/hr-test/sb/proxy2/runtime.sock mode 600 level admin"));
    QVERIFY(c.contains("server news 127.0.2.3:31010"));
}

void TestServerConfigs::haproxyHandsItsTableOverAndCachesSlots()
{
    const SandboxLayout l = layout();
    QCOMPARE(l.proxies[1].peerPort, quint16(31012));
    const QByteArray first = serverconfigs::haproxyCfg(l, l.proxies[1]);
    // A local peer named after the proxy, on its own address, shared by the per-site table.
    QVERIFY(first.contains("  localpeer proxy2\n"));
    QVERIFY(first.contains("peers tables\n  peer proxy2 127.0.1.2:31012\n"));
    QVERIFY(first.contains(" peers tables\n"));
    QVERIFY(first.contains("track-sc0 var(txn.site),concat(/1) table per_site\n"));
    // What a stopping process would count is lost: it sends the request on instead, uncounted.
    QVERIFY(first.indexOf("if { stopping }") < first.indexOf("track-sc0"));
    // Purchaser slots use the cache and say whether an answer came from it.
    QVERIFY(first.contains("cache edge\n  total-max-size 16\n"));
    QCOMPARE(first.count("http-request cache-use edge\n"), qsizetype(l.slotCount));
    QCOMPARE(first.count("X-Cache-Status %[res.cache_hit,iif(HIT,MISS)]"), qsizetype(l.slotCount));

    // The next generation keeps what the provisioner added; invalid servers are left out.
    const QList<serverconfigs::SlotServer> servers = {
        {3, QStringLiteral("o0"), QHostAddress(QStringLiteral("127.0.2.1")), 31020, 2, false},
        {3, QStringLiteral("o1"), QHostAddress(QStringLiteral("::1")), 8080, 1, true},
        {3, QStringLiteral("o2 check"), QHostAddress(QStringLiteral("127.0.2.2")), 80, 1, false},
        {99, QStringLiteral("o0"), QHostAddress(QStringLiteral("127.0.2.2")), 80, 1, false},
        {4, QStringLiteral("o0"), QHostAddress(), 80, 1, false},
        {4, QStringLiteral("o1"), QHostAddress(QStringLiteral("127.0.2.2")), 80, 0, false},
    };
    const QByteArray next = serverconfigs::haproxyCfg(l, l.proxies[1], 7, servers);
    QVERIFY(next.contains("concat(/7) table per_site\n"));
    QVERIFY(next.contains("backend be_slot03\n"));
    QVERIFY(next.contains("  server o0 127.0.2.1:31020 weight 2\n"));
    QVERIFY(next.contains("  server o1 ipv6@::1:8080 weight 1 disabled\n"));
    QCOMPARE(next.count("  server o"), qsizetype(2));
    QVERIFY(!next.contains("check"));
}

void TestServerConfigs::haproxyRuntimeApiIsTwoOwnerOnlyUnixSockets()
{
    const SandboxLayout l = layout();
    for (const ProxyEndpoint &p : l.proxies) {
        const QByteArray c = serverconfigs::haproxyCfg(l, p, 3);
        const QString dir = l.serverDir(p.name);
        QCOMPARE(p.runtimeSocket, dir + QStringLiteral("/runtime.sock"));
        QCOMPARE(p.monitorSocket, dir + QStringLiteral("/monitor.sock"));
        QVERIFY(p.monitorSocket != p.runtimeSocket && p.monitorSocket != p.masterSocket);
        // Exactly two, both unix sockets (a path, never ipv4@/ipv6@ or ADDR:PORT), owner-only:
        // the provisioner's at admin, the scraper's at operator.
        QStringList sockets;
        for (const QByteArray &line : c.split('\n')) {
            if (line.trimmed().startsWith("stats socket "))
                sockets.append(QString::fromLatin1(line.trimmed()));
        }
        QCOMPARE(
            sockets,
            QStringList(
                {QStringLiteral("stats socket %1 mode 600 level admin").arg(p.runtimeSocket),
                 QStringLiteral("stats socket %1 mode 600 level operator").arg(p.monitorSocket)}));
        // No HTTP stats page (it would be a second, TCP, way in) and every listener on the
        // proxy's own loopback address: traffic, the Prometheus exporter and the local peer.
        QVERIFY(!c.contains("stats enable") && !c.contains("stats uri") &&
                !c.contains("stats admin"));
        QVERIFY(p.address.isLoopback());
        const QByteArray own = p.address.toString().toLatin1() + ':';
        int listeners = 0;
        for (const QByteArray &line : c.split('\n')) {
            const QByteArray t = line.trimmed();
            if (t.startsWith("bind ") || t.startsWith("peer ")) {
                ++listeners;
                QVERIFY2(t.contains(" " + own), t.constData());
            }
        }
        QCOMPARE(listeners, 3);
        QVERIFY(c.contains("frontend metrics\n  bind " + own + QByteArray::number(p.metricsPort) +
                           "\n  http-request use-service prometheus-exporter"));
    }
}

void TestServerConfigs::secretsMustBeBase64_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<bool>("ok");
    QTest::newRow("good") << QByteArray(32, 'a').toBase64() << true;
    QTest::newRow("short") << QByteArray("YWJj") << false;
    QTest::newRow("quote") << QByteArray("YWJjZGVmZ2hpamtsbW5vcA\"") << false;
    QTest::newRow("newline") << QByteArray("YWJjZGVmZ2hpamtsbW5vcA==\n") << false;
    QTest::newRow("brace") << QByteArray("YWJjZGVmZ2hp};amtsbW5vcA==") << false;
}

void TestServerConfigs::secretsMustBeBase64()
{
    QFETCH(QByteArray, secret);
    QFETCH(bool, ok);
    QCOMPARE(serverconfigs::isBase64Secret(secret), ok);
}

void TestServerConfigs::stateDirWithANewlineIsRefused()
{
    // The state dir is written into every configuration: a trailing newline would start a line.
    QString error;
    QVERIFY(!SandboxLayout::make(31000, QStringLiteral("/tmp/sb\n"), &error));
    QVERIFY(!SandboxLayout::make(31000, QStringLiteral("/tmp/sb\nlaunch=bind"), &error));
}

QTEST_GUILESS_MAIN(TestServerConfigs)
#include "tst_serverconfigs.moc"
