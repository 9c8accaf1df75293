#include "dns/steeringrecord.h"

#include <QRegularExpression>
#include <QTest>

using namespace headroom;

Q_DECLARE_METATYPE(headroom::WeightTable)
Q_DECLARE_METATYPE(headroom::SteeringRecord::Kind)

namespace {

constexpr qint64 Lease = 1764072000;
constexpr qint64 Valid = 1764000000;

DnsName name(const QString &text)
{
    const std::optional<DnsName> parsed = DnsName::parse(text);
    if (!parsed)
        qFatal("bad test name %s", qPrintable(text));
    return *parsed;
}

WeightedTarget byAddress(const QString &address, int weight)
{
    return {QHostAddress(address), std::nullopt, weight};
}

WeightedTarget byName(const QString &text, int weight)
{
    return {QHostAddress(), name(text), weight};
}

WeightedTarget byBoth(const QString &address, const QString &text, int weight)
{
    return {QHostAddress(address), name(text), weight};
}

WeightTable withDeadline(QList<WeightedTarget> proxies, QList<WeightedTarget> servers,
                         std::optional<DnsName> overflowName = std::nullopt,
                         qint64 leaseEnd = Lease, qint64 validUntil = Valid)
{
    WeightTable table;
    table.proxies = std::move(proxies);
    table.overflowServers = std::move(servers);
    table.overflowName = std::move(overflowName);
    table.leaseEndUnix = leaseEnd;
    table.validUntilUnix = validUntil;
    return table;
}

WeightTable overflowOnly(QList<WeightedTarget> servers,
                         std::optional<DnsName> overflowName = std::nullopt)
{
    return withDeadline({byAddress(QStringLiteral("127.0.1.1"), 0)}, std::move(servers),
                        std::move(overflowName), 0, 0);
}

// The RDATA's character-strings, after checking the 2-octet type and every length byte.
QList<QByteArray> characterStrings(const QByteArray &rdata, quint16 expectedType)
{
    QList<QByteArray> strings;
    if (rdata.size() < 3)
        return strings;
    const quint16 type = quint16(quint8(rdata.at(0)) << 8 | quint8(rdata.at(1)));
    if (type != expectedType)
        return strings;
    qsizetype pos = 2;
    while (pos < rdata.size()) {
        const qsizetype length = quint8(rdata.at(pos));
        if (pos + 1 + length > rdata.size())
            return {};
        strings << rdata.mid(pos + 1, length);
        pos += 1 + length;
    }
    return strings;
}

QString lowest(QString code)
{
    // PowerDNS joins the strings with a space; our cuts are only after ',' or ' '.
    code.replace(QLatin1String(", "), QLatin1String(","));
    code.replace(QLatin1String("  "), QLatin1String(" "));
    return code;
}

} // namespace

class TestSteeringRecord final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void luaCode_data();
    void luaCode();
    void staticRecords_data();
    void staticRecords();
    void errors_data();
    void errors();
    void badAddresses_data();
    void badAddresses();
    void hostileInput_data();
    void hostileInput();
    void rdataLayout_data();
    void rdataLayout();
    void rdataSplitsLongCode_data();
    void rdataSplitsLongCode();
    void wellFormedCode_data();
    void wellFormedCode();
    void nameTooLongForOneString();
    void staticHasNoRdata();
    void ttlIsKept();
};

void TestSteeringRecord::luaCode_data()
{
    QTest::addColumn<WeightTable>("table");
    QTest::addColumn<SteeringRecord::Kind>("kind");
    QTest::addColumn<quint16>("innerType");
    QTest::addColumn<QString>("code");

    const QString ip1 = QStringLiteral("127.0.1.1");
    const QString ip2 = QStringLiteral("127.0.1.2");
    const QString ip3 = QStringLiteral("127.0.1.3");
    const QString purchaser = QStringLiteral("198.51.100.7");
    const DnsName origin = name(QStringLiteral("origin.shop.example"));

    QTest::newRow("three proxies, A, deadline")
        << withDeadline({byAddress(ip1, 40), byAddress(ip2, 30), byAddress(ip3, 20)},
                        {byAddress(purchaser, 10)})
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral(";if os.time() < 1764000000 then return "
                          "pickwrandom({{40,'127.0.1.1'},{30,'127.0.1.2'},{20,'127.0.1.3'},{10,'"
                          "198.51.100.7'}}) "
                          "else return '198.51.100.7' end");
    QTest::newRow("cname overflow 75/25")
        << withDeadline({byBoth(ip1, QStringLiteral("proxy1.edge.headroom.test"), 75)},
                        {byName(QStringLiteral("origin.shop.example"), 25)})
        << SteeringRecord::Kind::LuaCname << quint16(5)
        << QStringLiteral(
               ";if os.time() < 1764000000 then return "
               "pickwrandom({{75,'proxy1.edge.headroom.test.'},{25,'origin.shop.example.'}}"
               ") else return 'origin.shop.example.' end");
    QTest::newRow("overflow name makes names, after the deadline only")
        << withDeadline({byBoth(ip1, QStringLiteral("proxy1.edge.headroom.test"), 70),
                         byBoth(ip2, QStringLiteral("Proxy2.Edge.Headroom.Test."), 30)},
                        {}, origin)
        << SteeringRecord::Kind::LuaCname << quint16(5)
        << QStringLiteral(
               ";if os.time() < 1764000000 then return "
               "pickwrandom({{70,'proxy1.edge.headroom.test.'},{30,'proxy2.edge.headroom."
               "test.'}}) else return 'origin.shop.example.' end");
    QTest::newRow("zero weights omitted")
        << withDeadline({byAddress(ip1, 0), byAddress(ip2, 60), byAddress(ip3, 0)},
                        {byAddress(QStringLiteral("192.0.2.1"), 40),
                         byAddress(QStringLiteral("192.0.2.2"), 0)})
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral(";if os.time() < 1764000000 then return "
                          "pickwrandom({{60,'127.0.1.2'},{40,'192.0.2.1'}}) else return "
                          "'192.0.2.1' end");
    QTest::newRow("weighted overflow servers after the deadline")
        << withDeadline({byAddress(ip1, 50)}, {byAddress(QStringLiteral("192.0.2.1"), 30),
                                               byAddress(QStringLiteral("192.0.2.2"), 20)})
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral(";if os.time() < 1764000000 then return "
                          "pickwrandom({{50,'127.0.1.1'},{30,'192.0.2.1'},{20,'192.0.2.2'}}) else "
                          "return pickwrandom({{30,'192.0.2.1'},{20,'192.0.2.2'}}) end");
    QTest::newRow("single proxy, single overflow")
        << withDeadline({byAddress(ip1, 100)}, {}, origin) << SteeringRecord::Kind::LuaCname
        << quint16(5) << QString(); // error: needs a name
    QTest::newRow("single named proxy, overflow name")
        << withDeadline({byName(QStringLiteral("proxy1.edge.headroom.test"), 100)}, {}, origin)
        << SteeringRecord::Kind::LuaCname << quint16(5)
        << QStringLiteral(";if os.time() < 1764000000 then return 'proxy1.edge.headroom.test.' "
                          "else return 'origin.shop.example.' end");
    QTest::newRow("deadline from lease alone")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)}, std::nullopt, Lease, 0)
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral(";if os.time() < 1764072000 then return "
                          "pickwrandom({{1,'127.0.1.1'},{1,'198.51.100.7'}}) else return "
                          "'198.51.100.7' end");
    QTest::newRow("deadline from valid-until alone")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)}, std::nullopt, 0, Valid)
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral(";if os.time() < 1764000000 then return "
                          "pickwrandom({{1,'127.0.1.1'},{1,'198.51.100.7'}}) else return "
                          "'198.51.100.7' end");
    QTest::newRow("earlier lease end wins")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)}, std::nullopt, 1700000000,
                        Valid)
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral(";if os.time() < 1700000000 then return "
                          "pickwrandom({{1,'127.0.1.1'},{1,'198.51.100.7'}}) else return "
                          "'198.51.100.7' end");
    QTest::newRow("ipv6")
        << withDeadline({byAddress(QStringLiteral("2001:DB8:0:0::1"), 65535)},
                        {byAddress(QStringLiteral("2001:db8::a"), 1)})
        << SteeringRecord::Kind::LuaA << quint16(28)
        << QStringLiteral(";if os.time() < 1764000000 then return "
                          "pickwrandom({{65535,'2001:db8::1'},{1,'2001:db8::a'}}) else return "
                          "'2001:db8::a' end");
    QTest::newRow("addresses ignored for names")
        << withDeadline(
               {byBoth(ip1, QStringLiteral("p1.edge.headroom.test"), 5),
                byBoth(QStringLiteral("2001:db8::1"), QStringLiteral("p2.edge.headroom.test"), 5)},
               {}, origin)
        << SteeringRecord::Kind::LuaCname << quint16(5)
        << QStringLiteral(
               ";if os.time() < 1764000000 then return "
               "pickwrandom({{5,'p1.edge.headroom.test.'},{5,'p2.edge.headroom.test.'}}) "
               "else return 'origin.shop.example.' end");
    QTest::newRow("overflow alone, different weights: lua without deadline")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 3),
                         byAddress(QStringLiteral("192.0.2.2"), 1)})
        << SteeringRecord::Kind::LuaA << quint16(1)
        << QStringLiteral("pickwrandom({{3,'192.0.2.1'},{1,'192.0.2.2'}})");
    QTest::newRow("overflow alone, two names")
        << overflowOnly({byName(QStringLiteral("a.shop.example"), 2),
                         byName(QStringLiteral("b.shop.example"), 2)})
        << SteeringRecord::Kind::LuaCname << quint16(5)
        << QStringLiteral("pickwrandom({{2,'a.shop.example.'},{2,'b.shop.example.'}})");
}

void TestSteeringRecord::luaCode()
{
    QFETCH(WeightTable, table);
    QFETCH(SteeringRecord::Kind, kind);
    QFETCH(quint16, innerType);
    QFETCH(QString, code);

    QString error;
    const std::optional<SteeringRecord> record = buildSteeringRecord(table, &error);
    if (code.isEmpty()) {
        QVERIFY(!record);
        QCOMPARE(error, QStringLiteral("proxy 1 (127.0.1.1) has no name for a CNAME answer"));
        return;
    }
    QVERIFY2(record, qPrintable(error));
    QCOMPARE(record->kind, kind);
    QCOMPARE(record->innerType(), innerType);
    QCOMPARE(QString::fromLatin1(record->luaCode), code);
    QVERIFY(!record->luaCode.contains('"'));
    QVERIFY(isWellFormedSteeringCode(record->luaCode));
    QVERIFY(record->staticAddresses.isEmpty());
    QVERIFY(!record->staticTarget);
}

void TestSteeringRecord::staticRecords_data()
{
    QTest::addColumn<WeightTable>("table");
    QTest::addColumn<SteeringRecord::Kind>("kind");
    QTest::addColumn<QStringList>("addresses");
    QTest::addColumn<QString>("target");
    QTest::addColumn<quint16>("innerType");

    const DnsName origin = name(QStringLiteral("origin.shop.example"));
    QTest::newRow("all-zero proxies, overflow name")
        << withDeadline({byAddress(QStringLiteral("127.0.1.1"), 0),
                         byAddress(QStringLiteral("127.0.1.2"), 0)},
                        {}, origin)
        << SteeringRecord::Kind::StaticCname << QStringList()
        << QStringLiteral("origin.shop.example.") << quint16(5);
    QTest::newRow("no proxies, no deadline, overflow name")
        << withDeadline({}, {}, origin, 0, 0) << SteeringRecord::Kind::StaticCname << QStringList()
        << QStringLiteral("origin.shop.example.") << quint16(5);
    QTest::newRow("zero-weight servers fall back to the name")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 0)}, origin)
        << SteeringRecord::Kind::StaticCname << QStringList()
        << QStringLiteral("origin.shop.example.") << quint16(5);
    QTest::newRow("equal-weight overflow servers")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 7),
                         byAddress(QStringLiteral("192.0.2.2"), 7)})
        << SteeringRecord::Kind::StaticA
        << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("192.0.2.2")} << QString()
        << quint16(1);
    QTest::newRow("servers win over the overflow name")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 7),
                         byAddress(QStringLiteral("192.0.2.2"), 7)},
                        origin)
        << SteeringRecord::Kind::StaticA
        << QStringList{QStringLiteral("192.0.2.1"), QStringLiteral("192.0.2.2")} << QString()
        << quint16(1);
    QTest::newRow("single overflow server")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 1),
                         byAddress(QStringLiteral("192.0.2.9"), 0)})
        << SteeringRecord::Kind::StaticA << QStringList{QStringLiteral("192.0.2.1")} << QString()
        << quint16(1);
    QTest::newRow("duplicate addresses collapse")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 1),
                         byAddress(QStringLiteral("192.0.2.1"), 1)})
        << SteeringRecord::Kind::StaticA << QStringList{QStringLiteral("192.0.2.1")} << QString()
        << quint16(1);
    QTest::newRow("ipv6 overflow servers")
        << overflowOnly({byAddress(QStringLiteral("2001:db8::1"), 2),
                         byAddress(QStringLiteral("2001:db8::2"), 2)})
        << SteeringRecord::Kind::StaticA
        << QStringList{QStringLiteral("2001:db8::1"), QStringLiteral("2001:db8::2")} << QString()
        << quint16(28);
    QTest::newRow("single named overflow server")
        << overflowOnly({byName(QStringLiteral("lb.shop.example"), 3)})
        << SteeringRecord::Kind::StaticCname << QStringList() << QStringLiteral("lb.shop.example.")
        << quint16(5);
}

void TestSteeringRecord::staticRecords()
{
    QFETCH(WeightTable, table);
    QFETCH(SteeringRecord::Kind, kind);
    QFETCH(QStringList, addresses);
    QFETCH(QString, target);
    QFETCH(quint16, innerType);

    QString error;
    const std::optional<SteeringRecord> record = buildSteeringRecord(table, &error);
    QVERIFY2(record, qPrintable(error));
    QCOMPARE(record->kind, kind);
    QCOMPARE(record->innerType(), innerType);
    QVERIFY(record->luaCode.isEmpty());
    QStringList actual;
    for (const QHostAddress &address : record->staticAddresses)
        actual << address.toString();
    QCOMPARE(actual, addresses);
    QCOMPARE(record->staticTarget ? record->staticTarget->absolute() : QString(), target);
}

void TestSteeringRecord::errors_data()
{
    QTest::addColumn<WeightTable>("table");
    QTest::addColumn<QString>("errorPart");

    const QString ip1 = QStringLiteral("127.0.1.1");
    const QString purchaser = QStringLiteral("198.51.100.7");
    const DnsName origin = name(QStringLiteral("origin.shop.example"));

    QTest::newRow("weight 65536") << withDeadline({byAddress(ip1, 65536)},
                                                  {byAddress(purchaser, 1)})
                                  << QStringLiteral(
                                         "proxy 1 (127.0.1.1) has weight 65536 (allowed 0..65535)");
    QTest::newRow("overflow weight 65536")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 65536)})
        << QStringLiteral("overflow server 1 (198.51.100.7) has weight 65536");
    QTest::newRow("negative weight")
        << withDeadline({byAddress(ip1, 10), byAddress(QStringLiteral("127.0.1.2"), -1)},
                        {byAddress(purchaser, 1)})
        << QStringLiteral("proxy 2 (127.0.1.2) has weight -1");
    QTest::newRow("negative weight on a name")
        << withDeadline({byName(QStringLiteral("p.edge.headroom.test"), -5)}, {}, origin)
        << QStringLiteral("proxy 1 (p.edge.headroom.test) has weight -5");
    QTest::newRow("deadline missing")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)}, std::nullopt, 0, 0)
        << QStringLiteral("no deadline");
    QTest::newRow("negative lease end")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)}, std::nullopt, -1, Valid)
        << QStringLiteral("negative deadline");
    QTest::newRow("negative valid-until")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)}, std::nullopt, Lease, -7)
        << QStringLiteral("negative deadline");
    QTest::newRow("empty table") << WeightTable() << QStringLiteral("no target at all");
    QTest::newRow("all weights zero, no overflow name")
        << withDeadline({byAddress(ip1, 0)}, {byAddress(purchaser, 0)})
        << QStringLiteral("no target at all");
    QTest::newRow("proxies without any overflow")
        << withDeadline({byAddress(ip1, 1)}, {}) << QStringLiteral("no overflow");
    QTest::newRow("mixed ipv4 and ipv6")
        << withDeadline({byAddress(ip1, 1)}, {byAddress(QStringLiteral("2001:db8::1"), 1)})
        << QStringLiteral("overflow server 1 (2001:db8::1): IPv4 and IPv6 targets mixed");
    QTest::newRow("mixed among overflow servers")
        << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 1),
                         byAddress(QStringLiteral("2001:db8::1"), 1)})
        << QStringLiteral("IPv4 and IPv6 targets mixed");
    QTest::newRow("neither address nor name")
        << withDeadline({WeightedTarget{QHostAddress(), std::nullopt, 3}},
                        {byAddress(purchaser, 1)})
        << QStringLiteral("proxy 1 has neither an address nor a name");
    QTest::newRow("named overflow, proxy without name")
        << withDeadline({byAddress(ip1, 75)}, {byName(QStringLiteral("origin.shop.example"), 25)})
        << QStringLiteral("proxy 1 (127.0.1.1) has no name for a CNAME answer");
    QTest::newRow("named proxy, overflow server without name")
        << withDeadline({byName(QStringLiteral("p.edge.headroom.test"), 75)},
                        {byAddress(purchaser, 25)})
        << QStringLiteral("overflow server 1 (198.51.100.7) has no name for a CNAME answer");
    WeightTable longTtl = withDeadline({byAddress(ip1, 1)}, {byAddress(purchaser, 1)});
    longTtl.ttl = 0x80000000u;
    QTest::newRow("ttl above 2^31-1") << longTtl << QStringLiteral("TTL");
}

void TestSteeringRecord::errors()
{
    QFETCH(WeightTable, table);
    QFETCH(QString, errorPart);

    QString error;
    QVERIFY(!buildSteeringRecord(table, &error));
    QVERIFY2(error.contains(errorPart), qPrintable(error));
    QVERIFY(!buildSteeringRecord(table, nullptr)); // no error pointer: no crash
}

void TestSteeringRecord::badAddresses_data()
{
    QTest::addColumn<QHostAddress>("address");
    QTest::addColumn<QString>("errorPart");

    QTest::newRow("ipv4 any") << QHostAddress(QStringLiteral("0.0.0.0"))
                              << QStringLiteral("unspecified");
    QTest::newRow("ipv6 any") << QHostAddress(QStringLiteral("::"))
                              << QStringLiteral("unspecified");
    QTest::newRow("any protocol") << QHostAddress(QHostAddress::Any)
                                  << QStringLiteral("not an IPv4 or IPv6");
    QTest::newRow("broadcast") << QHostAddress(QStringLiteral("255.255.255.255"))
                               << QStringLiteral("broadcast");
    QTest::newRow("ipv4 multicast")
        << QHostAddress(QStringLiteral("224.0.0.1")) << QStringLiteral("multicast");
    QTest::newRow("ipv6 multicast")
        << QHostAddress(QStringLiteral("ff02::1")) << QStringLiteral("multicast");
    QTest::newRow("scope id") << QHostAddress(QStringLiteral("fe80::1%eth0"))
                              << QStringLiteral("scope id");
    QTest::newRow("scope id on a global address")
        << QHostAddress(QStringLiteral("2001:db8::1%eth0")) << QStringLiteral("scope id");
    QTest::newRow("ipv6 link-local")
        << QHostAddress(QStringLiteral("fe80::1")) << QStringLiteral("link-local");
    QTest::newRow("ipv4 link-local")
        << QHostAddress(QStringLiteral("169.254.1.1")) << QStringLiteral("link-local");
    QTest::newRow("ipv4-mapped") << QHostAddress(QStringLiteral("::ffff:192.0.2.1"))
                                 << QStringLiteral("IPv4-mapped");
}

void TestSteeringRecord::badAddresses()
{
    QFETCH(QHostAddress, address);
    QFETCH(QString, errorPart);

    QString error;
    const WeightedTarget bad{address, std::nullopt, 10};
    QVERIFY(!buildSteeringRecord(withDeadline({bad}, {byAddress(QStringLiteral("127.0.0.1"), 1)}),
                                 &error));
    QVERIFY2(error.contains(errorPart), qPrintable(error));
    QVERIFY2(error.startsWith(QLatin1String("proxy 1")), qPrintable(error));
    // The same address among the overflow servers, and in a static answer, is refused too.
    QVERIFY(!buildSteeringRecord(overflowOnly({bad}), &error));
    QVERIFY2(error.contains(errorPart), qPrintable(error));
    // Even when a name would be answered, a bad address is not quietly carried along.
    const WeightedTarget named{address, name(QStringLiteral("p.edge.headroom.test")), 10};
    QVERIFY(!buildSteeringRecord(
        withDeadline({named}, {}, name(QStringLiteral("origin.shop.example"))), &error));
}

// Hostile text can only reach a table through QHostAddress or DnsName::parse; both refuse it.
// Whatever QHostAddress does accept (scope ids are free text) the builder refuses.
void TestSteeringRecord::hostileInput_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("quote") << QStringLiteral("127.0.0.1'");
    QTest::newRow("lua call") << QStringLiteral("127.0.0.1'),os.execute('rm -rf /");
    QTest::newRow("lua call in name") << QStringLiteral("x'),os.execute('rm");
    QTest::newRow("concatenation") << QStringLiteral("a'..b");
    QTest::newRow("long bracket") << QStringLiteral("a]]b");
    QTest::newRow("comment") << QStringLiteral("a--b");
    QTest::newRow("comment after address") << QStringLiteral("127.0.0.1--");
    QTest::newRow("newline") << QStringLiteral("127.0.0.1\nend");
    QTest::newRow("space") << QStringLiteral("127.0.0.1 x");
    QTest::newRow("backslash") << QStringLiteral("a\\b");
    QTest::newRow("double quote") << QStringLiteral("a\"b");
    QTest::newRow("scope id with a quote") << QStringLiteral("fe80::1%eth0'),os.exit('");
    QTest::newRow("scope id with lua on global address")
        << QStringLiteral("2001:db8::1%'),os.execute('x");
    QTest::newRow("scope id with newline") << QStringLiteral("2001:db8::1%a\nb");
    QTest::newRow("brackets") << QStringLiteral("[2001:db8::1]");
    QTest::newRow("unicode digits") << QStringLiteral("１２７.0.0.1");
}

void TestSteeringRecord::hostileInput()
{
    QFETCH(QString, text);

    QVERIFY(!DnsName::parse(text).has_value());
    const QHostAddress address(text);
    QString error;
    const std::optional<SteeringRecord> record =
        buildSteeringRecord(withDeadline({WeightedTarget{address, std::nullopt, 50}},
                                         {byAddress(QStringLiteral("198.51.100.7"), 50)}),
                            &error);
    QVERIFY(!record);
    QVERIFY(!error.isEmpty());
    if (!address.isNull()) // QHostAddress keeps any text after '%' as the scope id
        QVERIFY2(error.contains(QLatin1String("scope id")), qPrintable(error));
    // Nor does the message echo the hostile part.
    QVERIFY2(!error.contains(QLatin1String("os.")) && !error.contains(QLatin1Char('\n')),
             qPrintable(error));
}

void TestSteeringRecord::rdataLayout_data()
{
    QTest::addColumn<WeightTable>("table");
    QTest::addColumn<QByteArray>("typeBytes");

    QTest::newRow("A") << withDeadline({byAddress(QStringLiteral("127.0.1.1"), 1)},
                                       {byAddress(QStringLiteral("192.0.2.1"), 1)})
                       << QByteArray::fromHex("0001");
    QTest::newRow("AAAA") << withDeadline({byAddress(QStringLiteral("2001:db8::1"), 1)},
                                          {byAddress(QStringLiteral("2001:db8::2"), 1)})
                          << QByteArray::fromHex("001c");
    QTest::newRow("CNAME") << withDeadline({byName(QStringLiteral("p.edge.headroom.test"), 1)}, {},
                                           name(QStringLiteral("origin.shop.example")))
                           << QByteArray::fromHex("0005");
    QTest::newRow("A without deadline") << overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 2),
                                                         byAddress(QStringLiteral("192.0.2.2"), 1)})
                                        << QByteArray::fromHex("0001");
}

void TestSteeringRecord::rdataLayout()
{
    QFETCH(WeightTable, table);
    QFETCH(QByteArray, typeBytes);

    QString error;
    const std::optional<SteeringRecord> record = buildSteeringRecord(table, &error);
    QVERIFY2(record, qPrintable(error));
    QVERIFY(record->luaCode.size() <= 255);
    const QByteArray rdata = record->luaRdata();
    QByteArray expected = typeBytes;
    expected.append(char(record->luaCode.size()));
    expected.append(record->luaCode);
    QCOMPARE(rdata, expected);
    QCOMPARE(rdata.size(), 3 + record->luaCode.size());
}

void TestSteeringRecord::rdataSplitsLongCode_data()
{
    QTest::addColumn<WeightTable>("table");
    QTest::addColumn<quint16>("innerType");

    QList<WeightedTarget> addressed;
    QList<WeightedTarget> named;
    QList<WeightedTarget> addressed6;
    for (int i = 1; i <= 40; ++i) {
        addressed << byAddress(QStringLiteral("127.0.1.%1").arg(i), 1000 + i);
        named << byName(QStringLiteral("proxy%1.edge.headroom.test").arg(i), i);
        addressed6 << byAddress(QStringLiteral("2001:db8:1234:5678:9abc:def0:1234:%1").arg(i), i);
    }
    QTest::newRow("40 proxies, A")
        << withDeadline(addressed, {byAddress(QStringLiteral("198.51.100.7"), 5)}) << quint16(1);
    QTest::newRow("40 proxies, CNAME")
        << withDeadline(named, {}, name(QStringLiteral("origin.shop.example"))) << quint16(5);
    QTest::newRow("40 proxies, AAAA")
        << withDeadline(addressed6, {byAddress(QStringLiteral("2001:db8::7"), 5)}) << quint16(28);
    QTest::newRow("40 overflow servers, no deadline") << overflowOnly(addressed) << quint16(1);
    const QString longLabel = QString(60, QLatin1Char('q'));
    QTest::newRow("long names")
        << withDeadline({byName(QStringLiteral("%1.%1.%1.edge.test").arg(longLabel), 1),
                         byName(QStringLiteral("%1.%1.%1.edge.test").arg(longLabel.left(59)), 2)},
                        {byName(QStringLiteral("%1.%1.%1.shop.test").arg(longLabel), 3)})
        << quint16(5);
}

void TestSteeringRecord::rdataSplitsLongCode()
{
    QFETCH(WeightTable, table);
    QFETCH(quint16, innerType);

    QString error;
    const std::optional<SteeringRecord> record = buildSteeringRecord(table, &error);
    QVERIFY2(record, qPrintable(error));
    QVERIFY(record->luaCode.size() > 255);
    QCOMPARE(record->innerType(), innerType);

    const QByteArray rdata = record->luaRdata();
    const QList<QByteArray> strings = characterStrings(rdata, innerType);
    QVERIFY(strings.size() >= 2);
    qsizetype total = 2;
    for (qsizetype i = 0; i < strings.size(); ++i) {
        const QByteArray &piece = strings.at(i);
        QVERIFY(!piece.isEmpty());
        QVERIFY(piece.size() <= 255);
        QCOMPARE(piece.count('\'') % 2, 0); // never inside a literal
        if (i + 1 < strings.size())
            QVERIFY2(piece.endsWith(',') || piece.endsWith(' '), piece.constData());
        total += 1 + piece.size();
    }
    QCOMPARE(total, rdata.size());
    // Without anything inserted, the strings are the code; PowerDNS's joining with spaces only
    // adds spaces after commas (or doubles a space).
    QCOMPARE(strings.join(), record->luaCode);
    const QString joined = QString::fromLatin1(strings.join(' '));
    QCOMPARE(lowest(joined), lowest(QString::fromLatin1(record->luaCode)));
    QCOMPARE(lowest(QString::fromLatin1(record->luaCode)), QString::fromLatin1(record->luaCode));
}

void TestSteeringRecord::wellFormedCode_data()
{
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<bool>("expected");

    QTest::newRow("expression") << QByteArray("pickwrandom({{3,'192.0.2.1'},{1,'192.0.2.2'}})")
                                << true;
    // Found by fuzz_lua_builder: an unquoted Lua name where a literal belongs passed the check.
    QTest::newRow("bare name") << QByteArray("L") << false;
    QTest::newRow("bare name in a pick") << QByteArray("pickwrandom({{1,L}})") << false;
    QTest::newRow("bare name in a deadline block")
        << QByteArray(";if os.time() < 1 then return L else return L end") << false;
    QTest::newRow("deadline block")
        << QByteArray(";if os.time() < 1764000000 then return pickwrandom({{75,'p.edge.test.'},"
                      "{25,'o.shop.example.'}}) else return 'o.shop.example.' end")
        << true;
    QTest::newRow("ipv6 literal") << QByteArray("pickwrandom({{1,'2001:db8::1'},{2,'::1'}})")
                                  << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("empty list") << QByteArray("pickwrandom({})") << false;
    QTest::newRow("weight 0") << QByteArray("pickwrandom({{0,'192.0.2.1'},{1,'192.0.2.2'}})")
                              << false;
    QTest::newRow("weight of 6 digits")
        << QByteArray("pickwrandom({{100000,'192.0.2.1'},{1,'192.0.2.2'}})") << false;
    QTest::newRow("injected call") << QByteArray("pickwrandom({{3,'a'),os.execute('b'}})") << false;
    QTest::newRow("statement after the block")
        << QByteArray(";if os.time() < 1 then return 'a' else return 'b' end;os.exit()") << false;
    QTest::newRow("comment") << QByteArray("'a' -- x") << false;
    QTest::newRow("double quote") << QByteArray("\"a\"") << false;
    QTest::newRow("long string") << QByteArray("[[a]]") << false;
    QTest::newRow("concatenation") << QByteArray("'a'..'b'") << false;
    QTest::newRow("upper case literal") << QByteArray("'A.example.'") << false;
    QTest::newRow("space in literal") << QByteArray("'a b'") << false;
    QTest::newRow("unclosed literal") << QByteArray("'a") << false;
    QTest::newRow("other function") << QByteArray("pickrandom({'a','b'})") << false;
    QTest::newRow("newline") << QByteArray("'a'\n") << false;
    QTest::newRow("non-ascii") << QByteArray("'\xc3\xa4'") << false;
}

void TestSteeringRecord::wellFormedCode()
{
    QFETCH(QByteArray, code);
    QFETCH(bool, expected);

    QCOMPARE(isWellFormedSteeringCode(code), expected);
}

void TestSteeringRecord::nameTooLongForOneString()
{
    // A 253-octet name cannot fit one 255-octet string with its quotes and "},": splitting it
    // would put a space into the name, so the builder refuses.
    QString text;
    while (text.size() < 253)
        text += (text.isEmpty() ? QString() : QStringLiteral(".")) +
                QString(std::min<qsizetype>(63, 253 - text.size() - (text.isEmpty() ? 0 : 1)),
                        QLatin1Char('a'));
    QCOMPARE(text.size(), 253);
    QString error;
    const std::optional<SteeringRecord> record = buildSteeringRecord(
        withDeadline({byName(text, 1)}, {byName(QStringLiteral("origin.shop.example"), 1)}),
        &error);
    QVERIFY(!record);
    QVERIFY2(error.contains(QLatin1String("255-octet")), qPrintable(error));
}

void TestSteeringRecord::staticHasNoRdata()
{
    const std::optional<SteeringRecord> record =
        buildSteeringRecord(overflowOnly({byAddress(QStringLiteral("192.0.2.1"), 1)}), nullptr);
    QVERIFY(record);
    QCOMPARE(record->kind, SteeringRecord::Kind::StaticA);
    QVERIFY(record->luaRdata().isEmpty());
}

void TestSteeringRecord::ttlIsKept()
{
    WeightTable table = withDeadline({byAddress(QStringLiteral("127.0.1.1"), 1)},
                                     {byAddress(QStringLiteral("192.0.2.1"), 1)});
    table.ttl = 5;
    std::optional<SteeringRecord> record = buildSteeringRecord(table, nullptr);
    QVERIFY(record);
    QCOMPARE(record->ttl, quint32(5));
    table.proxies.first().weight = 0;
    record = buildSteeringRecord(table, nullptr);
    QVERIFY(record);
    QCOMPARE(record->kind, SteeringRecord::Kind::StaticA);
    QCOMPARE(record->ttl, quint32(5));
}

QTEST_GUILESS_MAIN(TestSteeringRecord)
#include "tst_steeringrecord.moc"
