// headroomctl dns as an operator drives it, against the sandbox's real servers; hostile names
// and addresses are refused before any packet leaves.

#include "dns/dnsclient.h"
#include "dns/dnsupdater.h"
#include "sandboxfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QUdpSocket>
#include <QtTest>

using namespace headroom;

namespace {
struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
Run ctl(const QStringList &args)
{
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"), args);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}
} // namespace

class TestCtlDns final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void setWeightsThenShowReadsThemBack();
    void delegatedNameResolvesThroughTheRecursor();
    void hostileInputIsRejectedBeforeAnyPacket_data();
    void hostileInputIsRejectedBeforeAnyPacket();
    void importZoneListsThePurchasersNames();
    void importZoneFileReportsBadRecordsAndStoresTheRest();
    void checkDelegationTellsTheThreeCasesApart();
    void diffFindsDriftAndApplyRepairsIt();

private:
    QStringList where() const
    {
        return {QStringLiteral("--port-base"), QString::number(m_fixture.layout().portBase),
                QStringLiteral("--state-dir"), m_fixture.layout().stateDir};
    }
    test::SandboxFixture m_fixture;
};

void TestCtlDns::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

void TestCtlDns::setWeightsThenShowReadsThemBack()
{
    const Run set = ctl(
        QStringList{QStringLiteral("dns"), QStringLiteral("set-weights"), QStringLiteral("shop"),
                    QStringLiteral("--proxy"), QStringLiteral("proxy1.edge.headroom.test=60"),
                    QStringLiteral("--proxy"), QStringLiteral("proxy2.edge.headroom.test=40"),
                    QStringLiteral("--proxy"), QStringLiteral("proxy3.edge.headroom.test=0"),
                    QStringLiteral("--overflow-cname"), QStringLiteral("origin.shop.example=25"),
                    QStringLiteral("--until"), QStringLiteral("+10m")} +
        where());
    QVERIFY2(set.exitCode == 0, set.err.constData());
    QVERIFY(set.out.contains("LUA CNAME record applied"));
    // A bare label is the site: its steering name lives in its shard of our zone.
    QVERIFY2(set.out.startsWith("shop.s09.edge.headroom.test."), set.out.constData());

    const Run show = ctl(QStringList{QStringLiteral("dns"), QStringLiteral("show"),
                                     QStringLiteral("shop"), QStringLiteral("--json")} +
                         where());
    QVERIFY2(show.exitCode == 0, show.err.constData());
    const QJsonArray records =
        QJsonDocument::fromJson(show.out).object().value(QStringLiteral("records")).toArray();
    QCOMPARE(records.size(), 1);
    const QJsonObject r = records.first().toObject();
    QCOMPARE(r.value(QStringLiteral("type")).toString(), QStringLiteral("LUA"));
    QCOMPARE(r.value(QStringLiteral("inner_type")).toString(), QStringLiteral("CNAME"));
    const QJsonArray weights = r.value(QStringLiteral("weights")).toArray();
    QCOMPARE(weights.size(), 3); // two proxies and the overflow; the zero weight left out
    QCOMPARE(weights[0].toObject().value(QStringLiteral("target")).toString(),
             QStringLiteral("proxy1.edge.headroom.test."));
    QCOMPARE(weights[0].toObject().value(QStringLiteral("weight")).toInt(), 60);
    QCOMPARE(weights[1].toObject().value(QStringLiteral("weight")).toInt(), 40);
    QVERIFY(r.contains(QStringLiteral("deadline")));
    QCOMPARE(weights[2].toObject().value(QStringLiteral("target")).toString(),
             QStringLiteral("origin.shop.example."));
    QCOMPARE(weights[2].toObject().value(QStringLiteral("weight")).toInt(), 25);
}

void TestCtlDns::delegatedNameResolvesThroughTheRecursor()
{
    // www.shop.example CNAME shop.s09.edge.headroom.test -> LUA CNAME -> a proxy or the origin.
    const auto &l = m_fixture.layout();
    QHash<QString, int> seen;
    for (int i = 0; i < 20; ++i) {
        const DnsResponse r = DnsClient::querySync(
            l.recursor.address, l.recursor.port,
            {QStringLiteral("www.shop.example"), quint16(RecordType::A), true}, 3000);
        QVERIFY2(r.ok(), qPrintable(r.error + rcodeName(r.rcode)));
        QVERIFY(!r.addresses().isEmpty());
        ++seen[r.addresses().first().toString()];
    }
    QVERIFY(seen.size() >= 1); // the recursor caches one pick for the TTL
}

void TestCtlDns::hostileInputIsRejectedBeforeAnyPacket_data()
{
    QTest::addColumn<QString>("site");
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<QString>("overflow");
    const QString okProxy = QStringLiteral("127.0.1.1=10");
    const QString okOverflow = QStringLiteral("origin.shop.example");
    QTest::newRow("quote in site") << QStringLiteral("shop'") << okProxy << okOverflow;
    QTest::newRow("double quote") << QStringLiteral("sh\"op") << okProxy << okOverflow;
    QTest::newRow("empty label") << QStringLiteral("a..b") << okProxy << okOverflow;
    QTest::newRow("lua in site") << QStringLiteral("x'),os.execute('id") << okProxy << okOverflow;
    QTest::newRow("space") << QStringLiteral("a b") << okProxy << okOverflow;
    QTest::newRow("newline") << QStringLiteral("a\nb") << okProxy << okOverflow;
    QTest::newRow("brackets") << QStringLiteral("[x]") << okProxy << okOverflow;
    QTest::newRow("comment") << QStringLiteral("a--b") << okProxy << okOverflow;
    QTest::newRow("quote in proxy")
        << QStringLiteral("shop") << QStringLiteral("127.0.0.1'=5") << okOverflow;
    QTest::newRow("lua in proxy") << QStringLiteral("shop")
                                  << QStringLiteral("1.2.3.4'}}),os.exit(1)--=5") << okOverflow;
    QTest::newRow("brackets in proxy")
        << QStringLiteral("shop") << QStringLiteral("1.2.3.4]]=5") << okOverflow;
    QTest::newRow("negative weight")
        << QStringLiteral("shop") << QStringLiteral("127.0.1.1=-1") << okOverflow;
    QTest::newRow("overflow injection")
        << QStringLiteral("shop") << okProxy << QStringLiteral("origin.shop.example'--");
    QTest::newRow("overflow newline")
        << QStringLiteral("shop") << okProxy << QStringLiteral("origin\n.shop.example");
}

void TestCtlDns::hostileInputIsRejectedBeforeAnyPacket()
{
    QFETCH(QString, site);
    QFETCH(QString, proxy);
    QFETCH(QString, overflow);
    // A listening socket stands in for the DNS server: nothing may reach it.
    QUdpSocket trap;
    QVERIFY(trap.bind(QHostAddress::LocalHost, 0));
    const auto &l = m_fixture.layout();
    const Run r =
        ctl({QStringLiteral("dns"), QStringLiteral("set-weights"), site, QStringLiteral("--proxy"),
             proxy, QStringLiteral("--overflow-cname"), overflow, QStringLiteral("--server"),
             QStringLiteral("127.0.0.1:%1").arg(trap.localPort()), QStringLiteral("--zone"),
             l.ourZone, QStringLiteral("--tsig-name"), l.updateKeyName,
             QStringLiteral("--tsig-file"), l.updateKeyFile()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!r.err.isEmpty());
    QVERIFY(!trap.waitForReadyRead(200));
    QVERIFY(!trap.hasPendingDatagrams());
}

void TestCtlDns::importZoneListsThePurchasersNames()
{
    const auto &l = m_fixture.layout();
    const Run r =
        ctl(QStringList{QStringLiteral("dns"), QStringLiteral("import-zone"),
                        QStringLiteral("shop.example"), QStringLiteral("--server"),
                        QStringLiteral("127.0.0.1:%1").arg(l.purchaserDns.port),
                        QStringLiteral("--tsig"), l.axfrKeyName, QStringLiteral("--json")} +
            where());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QStringList names;
    for (const auto &v : o.value(QStringLiteral("names")).toArray())
        names.append(v.toObject().value(QStringLiteral("name")).toString() + QLatin1Char(' ') +
                     v.toObject().value(QStringLiteral("type")).toString());
    names.sort();
    QCOMPARE(
        names,
        QStringList({QStringLiteral("api.shop.example. A"), QStringLiteral("ns1.shop.example. A"),
                     QStringLiteral("origin.shop.example. A"),
                     QStringLiteral("origin.shop.example. A"), QStringLiteral("shop.example. A"),
                     QStringLiteral("www.shop.example. CNAME")}));
    // Without the key the purchaser's server refuses, and the error says so.
    const Run refused =
        ctl({QStringLiteral("dns"), QStringLiteral("import-zone"), QStringLiteral("shop.example"),
             QStringLiteral("--server"), QStringLiteral("127.0.0.1:%1").arg(l.purchaserDns.port)});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY(refused.err.contains("REFUSED") || refused.err.contains("NOTAUTH"));
}

void TestCtlDns::importZoneFileReportsBadRecordsAndStoresTheRest()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shop.zone"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("$ORIGIN shop.example.\n$TTL 60\nwww IN CNAME shop.s09.edge.headroom.test.\n"
            "bad IN A 999.1.1.1\nmail IN MX 10 mx.shop.example.\n$INCLUDE /etc/passwd\n"
            "origin IN A 127.0.2.1\n");
    f.close();
    const Run r = ctl(QStringList{QStringLiteral("dns"), QStringLiteral("import-zone"),
                                  QStringLiteral("shop.example"), QStringLiteral("--file"), path,
                                  QStringLiteral("--json")} +
                      where());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("names")).toArray().size(), 2);
    const QStringList problems = o.value(QStringLiteral("problems")).toVariant().toStringList();
    QCOMPARE(problems.size(), 3);
    QVERIFY(problems[0].startsWith(QLatin1String("line 4:")));
    QVERIFY(problems[1].contains(QLatin1String("$INCLUDE refused")));
    QVERIFY(problems[2].contains(QLatin1String("MX")));
    QVERIFY(
        o.value(QStringLiteral("stored_in")).toString().endsWith(QLatin1String("headroom.sqlite")));
}

void TestCtlDns::checkDelegationTellsTheThreeCasesApart()
{
    const QList<std::tuple<QString, QString, int>> cases = {
        {QStringLiteral("www.shop.example"), QStringLiteral("delegated"), 0},
        {QStringLiteral("api.shop.example"), QStringLiteral("not-delegated"), 1},
        {QStringLiteral("cdn.shop.example"), QStringLiteral("misconfigured"), 1}};
    for (const auto &[host, verdict, exitCode] : cases) {
        const Run r = ctl(QStringList{QStringLiteral("dns"), QStringLiteral("check-delegation"),
                                      host, QStringLiteral("--json")} +
                          where());
        QCOMPARE(r.exitCode, exitCode);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("verdict")).toString(), verdict);
        QVERIFY(!o.value(QStringLiteral("authoritativeRecords")).toArray().isEmpty());
    }
}

void TestCtlDns::diffFindsDriftAndApplyRepairsIt()
{
    const QStringList dns{QStringLiteral("dns")};
    QCOMPARE(
        ctl(dns +
            QStringList{QStringLiteral("set-weights"), QStringLiteral("drift.edge.headroom.test"),
                        QStringLiteral("--proxy"), QStringLiteral("127.0.1.1=3"),
                        QStringLiteral("--overflow"), QStringLiteral("127.0.2.1=1")} +
            where())
            .exitCode,
        0);
    // Someone changes the served record behind our back.
    const auto &l = m_fixture.layout();
    QString error;
    const auto key = TsigKey::fromFile(l.updateKeyName, l.updateKeyFile(), &error);
    QVERIFY(key);
    DnsUpdater direct(
        {l.authoritative.address, l.authoritative.port, *DnsName::parse(l.ourZone), *key, {}});
    QVERIFY(direct
                .apply({{*DnsName::parse(QStringLiteral("drift.edge.headroom.test")),
                         1,
                         20,
                         {QByteArray("\xc0\x00\x02\x63", 4)}}})
                .ok);
    const Run diff =
        ctl(dns + QStringList{QStringLiteral("diff"), QStringLiteral("--json")} + where());
    QCOMPARE(diff.exitCode, 1);
    const QJsonObject plan = QJsonDocument::fromJson(diff.out).object();
    QVERIFY(!plan.value(QStringLiteral("in_sync")).toBool());
    bool sawDrift = false;
    for (const auto &v : plan.value(QStringLiteral("names")).toArray())
        sawDrift |=
            v.toObject().value(QStringLiteral("name")).toString() ==
                QLatin1String("drift.edge.headroom.test.") &&
            v.toObject().value(QStringLiteral("state")).toString() == QLatin1String("different");
    QVERIFY(sawDrift);
    const Run apply = ctl(dns + QStringList{QStringLiteral("apply")} + where());
    QVERIFY2(apply.exitCode == 0, apply.err.constData());
    QVERIFY(apply.out.contains("now in sync"));
    QCOMPARE(ctl(dns + QStringList{QStringLiteral("diff")} + where()).exitCode, 0);
    const DnsResponse r = DnsClient::querySync(
        l.authoritative.address, l.authoritative.port,
        {QStringLiteral("drift.edge.headroom.test"), quint16(RecordType::A), false}, 2000);
    QVERIFY(r.ok());
    QVERIFY(r.addresses().first().toString() != QLatin1String("192.0.2.99"));
}

QTEST_GUILESS_MAIN(TestCtlDns)
#include "tst_ctl_dns.moc"
