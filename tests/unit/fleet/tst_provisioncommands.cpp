// Provisioning's pure parts: slot choice, runtime API command text for good and hostile input,
// the parsers of HAProxy's answers and the plans built from them.

#include "fleet/provisioner.h"

#include <QtTest>

using namespace headroom;
using namespace headroom::provision;

namespace {

DnsName host(const char *name)
{
    return *DnsName::parse(QString::fromLatin1(name));
}

OriginServer origin(const char *address, quint16 port, int weight = 1)
{
    return {QHostAddress(QString::fromLatin1(address)), port, weight};
}

SiteSpec shop()
{
    return {QStringLiteral("shop.example"),
            {host("shop.example"), host("www.shop.example")},
            {origin("127.0.2.1", 8080, 10), origin("127.0.2.2", 8080, 20)},
            3};
}

const QString kMap = QStringLiteral("/var/lib/headroom/proxy-1/hosts.map");

const QByteArray kStateHeader =
    "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
    "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
    "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord "
    "srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n";

QByteArray stateLine(const char *name, const char *address, int admin, int weight, int port)
{
    return QByteArray("6 be_slot03 1 ") + name + ' ' + address + " 2 " + QByteArray::number(admin) +
           ' ' + QByteArray::number(weight) + ' ' + QByteArray::number(weight) +
           " 0 1 0 0 0 0 0 0 - " + QByteArray::number(port) + " - 0 0 - - 0\n";
}

} // namespace

class TestProvisionCommands final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void slotBackendNames();
    void chooseSlotTakesTheLowestFree_data();
    void chooseSlotTakesTheLowestFree();
    void goodCommands();
    void hostileInputIsRefused_data();
    void hostileInputIsRefused();
    void templateCheck_data();
    void templateCheck();
    void parsesServersState();
    void parsesMapAndConnections();
    void rejectsUnexpectedAnswers_data();
    void rejectsUnexpectedAnswers();
    void planFromEmptyProxy();
    void planIsEmptyOnceConverged();
    void planRepairsDrift();
    void removalPlan();
    void mapFileRewrite();
};

void TestProvisionCommands::slotBackendNames()
{
    QCOMPARE(slotBackend(0), QStringLiteral("be_slot00"));
    QCOMPARE(slotBackend(7), QStringLiteral("be_slot07"));
    QCOMPARE(slotBackend(31), QStringLiteral("be_slot31"));
    QVERIFY(slotBackend(32).isEmpty());
    QVERIFY(slotBackend(-1).isEmpty());
}

void TestProvisionCommands::chooseSlotTakesTheLowestFree_data()
{
    QTest::addColumn<QStringList>("used");
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("expected");
    QTest::newRow("none used") << QStringList() << 32 << 0;
    QTest::newRow("gap") << QStringList({"be_slot00", "be_slot02"}) << 32 << 1;
    QTest::newRow("unordered") << QStringList({"be_slot01", "be_slot00"}) << 32 << 2;
    QTest::newRow("foreign names ignored") << QStringList({"be_news", "slot0", "0"}) << 32 << 0;
    QTest::newRow("duplicates") << QStringList({"be_slot00", "be_slot00"}) << 32 << 1;
    QStringList all;
    for (int i = 0; i < 32; ++i)
        all.append(slotBackend(i));
    QTest::newRow("full") << all << 32 << -1;
    QTest::newRow("small pool full") << QStringList({"be_slot00", "be_slot01"}) << 2 << -1;
    QTest::newRow("no slots") << QStringList() << 0 << -1;
}

void TestProvisionCommands::chooseSlotTakesTheLowestFree()
{
    QFETCH(QStringList, used);
    QFETCH(int, slotCount);
    QFETCH(int, expected);
    QCOMPARE(chooseSlot(used, slotCount), expected);
}

void TestProvisionCommands::goodCommands()
{
    QCOMPARE(*addServer(3, 0, origin("127.0.2.1", 8080, 10)),
             QStringLiteral("add server be_slot03/o0 127.0.2.1:8080 weight 10"));
    QCOMPARE(*addServer(3, 1, origin("2001:db8::5", 443)),
             QStringLiteral("add server be_slot03/o1 ipv6@2001:db8::5:443 weight 1"));
    QCOMPARE(*serverCommand(QStringLiteral("enable server"), 3, QStringLiteral("o1")),
             QStringLiteral("enable server be_slot03/o1"));
    QCOMPARE(*serverCommand(QStringLiteral("del server"), 12, QStringLiteral("o0")),
             QStringLiteral("del server be_slot12/o0"));
    QCOMPARE(*setServerState(3, QStringLiteral("o0"), QStringLiteral("maint")),
             QStringLiteral("set server be_slot03/o0 state maint"));
    QCOMPARE(*setServerAddress(3, QStringLiteral("o0"), origin("10.0.0.9", 81)),
             QStringLiteral("set server be_slot03/o0 addr 10.0.0.9 port 81"));
    QCOMPARE(*setWeight(3, QStringLiteral("o0"), 256),
             QStringLiteral("set weight be_slot03/o0 256"));
    QCOMPARE(*mapCommand(QStringLiteral("add map"), kMap, host("WWW.Shop.Example."), 3),
             QStringLiteral("add map ") + kMap + QStringLiteral(" www.shop.example be_slot03"));
    QCOMPARE(*mapCommand(QStringLiteral("set map"), kMap, host("shop.example"), 3),
             QStringLiteral("set map ") + kMap + QStringLiteral(" shop.example be_slot03"));
    QCOMPARE(*mapCommand(QStringLiteral("del map"), kMap, host("shop.example"), 3),
             QStringLiteral("del map ") + kMap + QStringLiteral(" shop.example"));
    QCOMPARE(*showCommand(QStringLiteral("servers state"), 3),
             QStringLiteral("show servers state be_slot03"));
    QCOMPARE(*showCommand(QStringLiteral("servers conn"), 3),
             QStringLiteral("show servers conn be_slot03"));
    QCOMPARE(*showMap(kMap), QStringLiteral("show map ") + kMap);
}

void TestProvisionCommands::hostileInputIsRefused_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("text");
    // which: 0 map path, 1 server name, 2 origin address, 3 slot, 4 weight, 5 port, 6 verb
    QTest::newRow("path with space") << 0 << QStringLiteral("/tmp/a b.map");
    QTest::newRow("path with ;") << 0 << QStringLiteral("/tmp/a.map;shutdown sessions");
    QTest::newRow("path with newline") << 0 << QStringLiteral("/tmp/a.map\nshow info");
    QTest::newRow("relative path") << 0 << QStringLiteral("hosts.map");
    QTest::newRow("path traversal") << 0 << QStringLiteral("/tmp/../etc/passwd");
    QTest::newRow("map id") << 0 << QStringLiteral("#0");
    QTest::newRow("empty path") << 0 << QString();
    QTest::newRow("path with tab") << 0 << QStringLiteral("/tmp/a\t.map");
    QTest::newRow("server with space") << 1 << QStringLiteral("o0 weight 0");
    QTest::newRow("server with ;") << 1 << QStringLiteral("o0;del");
    QTest::newRow("server with /") << 1 << QStringLiteral("o0/x");
    QTest::newRow("empty server") << 1 << QString();
    QTest::newRow("null address") << 2 << QString();
    QTest::newRow("any address") << 2 << QStringLiteral("0.0.0.0");
    QTest::newRow("any v6") << 2 << QStringLiteral("::");
    QTest::newRow("broadcast") << 2 << QStringLiteral("255.255.255.255");
    QTest::newRow("multicast") << 2 << QStringLiteral("224.0.0.1");
    QTest::newRow("scoped v6") << 2 << QStringLiteral("fe80::1%eth0");
    QTest::newRow("slot -1") << 3 << QStringLiteral("-1");
    QTest::newRow("slot 32") << 3 << QStringLiteral("32");
    QTest::newRow("weight 0") << 4 << QStringLiteral("0");
    QTest::newRow("weight 257") << 4 << QStringLiteral("257");
    QTest::newRow("port 0") << 5 << QStringLiteral("0");
    QTest::newRow("verb shutdown") << 6 << QStringLiteral("shutdown sessions");
    QTest::newRow("verb clear map") << 6 << QStringLiteral("clear map");
}

void TestProvisionCommands::hostileInputIsRefused()
{
    QFETCH(int, which);
    QFETCH(QString, text);
    QString why;
    switch (which) {
    case 0:
        QVERIFY(!isSafeMapPath(text));
        QVERIFY(!mapCommand(QStringLiteral("add map"), text, host("shop.example"), 3, &why));
        QVERIFY(!why.isEmpty());
        QVERIFY(!showMap(text));
        break;
    case 1:
        QVERIFY(!serverCommand(QStringLiteral("del server"), 3, text, &why));
        QVERIFY(!setServerState(3, text, QStringLiteral("maint")));
        QVERIFY(!setWeight(3, text, 1));
        QVERIFY(!why.isEmpty());
        break;
    case 2:
        QVERIFY(!addServer(3, 0, {QHostAddress(text), 80, 1}, &why));
        QVERIFY(!setServerAddress(3, QStringLiteral("o0"), {QHostAddress(text), 80, 1}));
        QVERIFY(!why.isEmpty());
        break;
    case 3:
        QVERIFY(!addServer(text.toInt(), 0, origin("127.0.0.1", 80), &why));
        QVERIFY(!mapCommand(QStringLiteral("add map"), kMap, host("a.example"), text.toInt()));
        QVERIFY(!showCommand(QStringLiteral("servers state"), text.toInt()));
        QVERIFY(!why.isEmpty());
        break;
    case 4:
        QVERIFY(!addServer(3, 0, origin("127.0.0.1", 80, text.toInt()), &why));
        QVERIFY(!setWeight(3, QStringLiteral("o0"), text.toInt()));
        QVERIFY(!why.isEmpty());
        break;
    case 5:
        QVERIFY(!addServer(3, 0, origin("127.0.0.1", quint16(text.toInt())), &why));
        QVERIFY(!why.isEmpty());
        break;
    case 6:
        QVERIFY(!serverCommand(text, 3, QStringLiteral("o0"), &why));
        QVERIFY(!mapCommand(text, kMap, host("a.example"), 3));
        QVERIFY(!setServerState(3, QStringLiteral("o0"), text));
        QVERIFY(!showCommand(text, 3));
        QVERIFY(!why.isEmpty());
        break;
    }
}

void TestProvisionCommands::templateCheck_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<bool>("ok");
    QTest::newRow("good") << QStringLiteral("del server be_slot01/o0") << 3 << true;
    QTest::newRow("extra word") << QStringLiteral("del server be_slot01/o0 x") << 3 << false;
    QTest::newRow("double space") << QStringLiteral("del server  be_slot01/o0") << 4 << false;
    QTest::newRow("leading space") << QStringLiteral(" del server be_slot01/o0") << 4 << false;
    QTest::newRow("semicolon") << QStringLiteral("del server be_slot01/o0;x") << 3 << false;
    QTest::newRow("newline") << QStringLiteral("del server be_slot01/o0\nx") << 3 << false;
    QTest::newRow("cr") << QStringLiteral("del server be_slot01/o0\r") << 3 << false;
    QTest::newRow("tab") << QStringLiteral("del server\tbe_slot01/o0") << 2 << false;
    QTest::newRow("non-ascii") << QStringLiteral("del server be_slot01/\u00f60") << 3 << false;
    QTest::newRow("empty") << QString() << 0 << false;
}

void TestProvisionCommands::templateCheck()
{
    QFETCH(QString, command);
    QFETCH(int, tokens);
    QFETCH(bool, ok);
    QCOMPARE(matchesTemplate(command, tokens), ok);
}

void TestProvisionCommands::parsesServersState()
{
    QString error;
    const auto servers =
        parseServersState(kStateHeader + stateLine("o0", "127.0.2.1", 0, 10, 8080) +
                              stateLine("o1", "127.0.2.2", 1, 20, 8081) + "\n",
                          &error);
    QVERIFY2(servers, qPrintable(error));
    QCOMPARE(servers->size(), 2);
    QCOMPARE(servers->at(0).name, QStringLiteral("o0"));
    QCOMPARE(servers->at(0).address, QHostAddress(QStringLiteral("127.0.2.1")));
    QCOMPARE(servers->at(0).port, quint16(8080));
    QCOMPARE(servers->at(0).weight, 10);
    QVERIFY(!servers->at(0).inMaintenance());
    QVERIFY(servers->at(1).inMaintenance());
    const auto empty = parseServersState(kStateHeader + "\n", &error);
    QVERIFY(empty && empty->isEmpty());
}

void TestProvisionCommands::parsesMapAndConnections()
{
    QString error;
    const auto map = parseMap("0x55 news.example be_news\n0x56 shop.example be_slot03\n\n", &error);
    QVERIFY2(map, qPrintable(error));
    QCOMPARE(map->size(), 2);
    QCOMPARE(map->at(1).key, QStringLiteral("shop.example"));
    QCOMPARE(map->at(1).value, QStringLiteral("be_slot03"));
    QVERIFY(parseMap("\n", &error)->isEmpty());

    const auto conns = parseServersConn(
        "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb "
        "safe_nb idle_lim idle_cur idle_per_thr[2]\n"
        "be_slot03/o0 4/1 127.0.2.1 80 - 5000 2 7 0 0 0 -1 1 1 0\n\n",
        &error);
    QVERIFY2(conns, qPrintable(error));
    QCOMPARE(conns->size(), 1);
    QCOMPARE(conns->at(0).name, QStringLiteral("o0"));
    QCOMPARE(conns->at(0).used, 2);
    QCOMPARE(conns->at(0).idle, 1);
}

void TestProvisionCommands::rejectsUnexpectedAnswers_data()
{
    QTest::addColumn<int>("parser");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("state: no backend") << 0 << QByteArray("Can't find backend.\n\n");
    QTest::newRow("state: empty") << 0 << QByteArray();
    QTest::newRow("state: short line") << 0 << QByteArray("1\n4 be_slot03 1 o0\n");
    QTest::newRow("state: hostile name")
        << 0 << kStateHeader + stateLine("o0;del", "127.0.2.1", 0, 1, 80);
    QTest::newRow("state: bad port")
        << 0 << QByteArray(kStateHeader + stateLine("o0", "127.0.2.1", 0, 1, 70000));
    QTest::newRow("map: unknown map") << 1 << QByteArray("Unknown map identifier.\n");
    QTest::newRow("map: permission") << 1 << QByteArray("Permission denied\n");
    QTest::newRow("conn: no backend") << 2 << QByteArray("Can't find backend.\n");
    QTest::newRow("conn: garbage") << 2 << QByteArray("# h\nbe_slot03/o0 1 2\n");
}

void TestProvisionCommands::rejectsUnexpectedAnswers()
{
    QFETCH(int, parser);
    QFETCH(QByteArray, text);
    QString error;
    const bool ok = parser == 0   ? parseServersState(text, &error).has_value()
                    : parser == 1 ? parseMap(text, &error).has_value()
                                  : parseServersConn(text, &error).has_value();
    QVERIFY(!ok);
    QVERIFY(!error.isEmpty());
}

void TestProvisionCommands::planFromEmptyProxy()
{
    QString error;
    const auto plan = planProvision(shop(), kMap, {}, {{"news.example", "be_news"}}, &error);
    QVERIFY2(plan, qPrintable(error));
    const QStringList expected = {
        "add server be_slot03/o0 127.0.2.1:8080 weight 10",
        "enable server be_slot03/o0",
        "add server be_slot03/o1 127.0.2.2:8080 weight 20",
        "enable server be_slot03/o1",
        "add map " + kMap + " shop.example be_slot03",
        "add map " + kMap + " www.shop.example be_slot03",
    };
    QCOMPARE(*plan, expected);
}

void TestProvisionCommands::planIsEmptyOnceConverged()
{
    QString error;
    const auto servers =
        parseServersState(kStateHeader + stateLine("o0", "127.0.2.1", 0, 10, 8080) +
                              stateLine("o1", "127.0.2.2", 0, 20, 8080),
                          &error);
    QVERIFY(servers);
    const QList<MapEntry> map = {{"shop.example", "be_slot03"}, {"www.shop.example", "be_slot03"}};
    const auto plan = planProvision(shop(), kMap, *servers, map, &error);
    QVERIFY2(plan, qPrintable(error));
    QVERIFY(plan->isEmpty());
    const auto removal = planRemoval(shop(), kMap, *servers, map, &error);
    QCOMPARE(removal->size(), 4);
}

void TestProvisionCommands::planRepairsDrift()
{
    QString error;
    const auto servers = parseServersState(
        kStateHeader + stateLine("o0", "127.0.2.9", 1, 10, 8080) +
            stateLine("o1", "127.0.2.2", 0, 5, 8080) + stateLine("o2", "127.0.2.3", 0, 1, 8080),
        &error);
    QVERIFY(servers);
    const QList<MapEntry> map = {{"shop.example", "be_unknown"}};
    const auto plan = planProvision(shop(), kMap, *servers, map, &error);
    QVERIFY2(plan, qPrintable(error));
    const QStringList expected = {
        "set server be_slot03/o0 addr 127.0.2.1 port 8080",
        "set server be_slot03/o0 state ready",
        "set weight be_slot03/o1 20",
        "set map " + kMap + " shop.example be_slot03",
        "add map " + kMap + " www.shop.example be_slot03",
        "set server be_slot03/o2 state maint",
        "del server be_slot03/o2",
    };
    QCOMPARE(*plan, expected);

    SiteSpec bad = shop();
    bad.origins.append(origin("0.0.0.0", 80));
    QVERIFY(!planProvision(bad, kMap, {}, {}, &error));
    QVERIFY(error.contains(QLatin1String("0.0.0.0")));
    QVERIFY(!planProvision(shop(), QStringLiteral("/x y"), {}, {}, &error));
    bad = shop();
    bad.hosts.clear();
    QVERIFY(!planProvision(bad, kMap, {}, {}, &error));
}

void TestProvisionCommands::removalPlan()
{
    QString error;
    const auto servers =
        parseServersState(kStateHeader + stateLine("o0", "127.0.2.1", 1, 10, 8080) +
                              stateLine("o1", "127.0.2.2", 0, 20, 8080),
                          &error);
    // Only the hosts that point at the site's slot are removed.
    const QList<MapEntry> map = {{"shop.example", "be_slot03"}, {"www.shop.example", "be_news"}};
    const auto plan = planRemoval(shop(), kMap, *servers, map, &error);
    QVERIFY2(plan, qPrintable(error));
    const QStringList expected = {"del map " + kMap + " shop.example",
                                  "set server be_slot03/o1 state maint"};
    QCOMPARE(*plan, expected);
    QVERIFY(planRemoval(shop(), kMap, {}, {}, &error)->isEmpty());
}

void TestProvisionCommands::mapFileRewrite()
{
    const QByteArray before = "# hosts\nnews.example be_news\nshop.example be_old\n"
                              "www.news.example be_news";
    const QByteArray added = rewriteMapFile(before, shop(), true);
    QCOMPARE(added, QByteArray("# hosts\nnews.example be_news\nwww.news.example be_news\n"
                               "shop.example be_slot03\nwww.shop.example be_slot03\n"));
    QCOMPARE(rewriteMapFile(added, shop(), true), added);
    QCOMPARE(rewriteMapFile(added, shop(), false),
             QByteArray("# hosts\nnews.example be_news\nwww.news.example be_news\n"));
    QCOMPARE(rewriteMapFile(QByteArray(), shop(), false), QByteArray());
}

QTEST_GUILESS_MAIN(TestProvisionCommands)
#include "tst_provisioncommands.moc"
