#include "dns/reconciler.h"
#include "dns/steeringrecord.h"

#include <QTest>

using namespace headroom;

using DesiredList = QList<DesiredName>;
using ServedList = QList<DnsRecord>;
Q_DECLARE_METATYPE(DesiredList)
Q_DECLARE_METATYPE(ServedList)

namespace {

constexpr quint16 A = 1;
constexpr quint16 NS = 2;
constexpr quint16 CNAME = 5;
constexpr quint16 SOA = 6;
constexpr quint16 TXT = 16;
constexpr quint16 AAAA = 28;
constexpr quint16 LUA = 65402;

DnsName name(const QString &text)
{
    const std::optional<DnsName> parsed = DnsName::parse(text);
    if (!parsed)
        qFatal("bad test name %s", qPrintable(text));
    return *parsed;
}

const DnsName Zone = name(QStringLiteral("edge.example"));

QByteArray bytes(std::initializer_list<int> values)
{
    QByteArray out;
    for (const int v : values)
        out.append(char(v));
    return out;
}

QByteArray ipv4(int last)
{
    return bytes({192, 0, 2, last});
}

// A LUA RDATA: inner type, then each piece as one character-string.
QByteArray lua(quint16 inner, const QList<QByteArray> &pieces)
{
    QByteArray out = bytes({inner >> 8, inner & 0xff});
    for (const QByteArray &piece : pieces)
        out.append(char(quint8(piece.size()))).append(piece);
    return out;
}

const QByteArray LuaCode = "pickwrandom({{3,'127.0.1.1'},{1,'127.0.1.2'}})";
const QByteArray LuaRdata = lua(A, {LuaCode});

DesiredName want(const QString &owner, quint16 type, quint32 ttl, QList<QByteArray> rdatas)
{
    DesiredName desired;
    desired.owner = name(owner);
    desired.present = true;
    desired.type = type;
    desired.ttl = ttl;
    desired.rdatas = std::move(rdatas);
    return desired;
}

DesiredName absent(const QString &owner)
{
    DesiredName desired;
    desired.owner = name(owner);
    desired.present = false;
    desired.type = 0;
    desired.ttl = 0;
    return desired;
}

DnsRecord servedRecord(const QString &owner, quint16 type, quint32 ttl, const QByteArray &rdata)
{
    DnsRecord record;
    record.name = owner;
    record.type = type;
    record.ttl = ttl;
    record.rdata = rdata;
    return record;
}

// The zone's own records, which are never ours to change.
ServedList infrastructure()
{
    const QString apex = QStringLiteral("edge.example.");
    return {
        servedRecord(apex, SOA, 3600, QByteArray(40, '\x01')),
        servedRecord(apex, NS, 3600, bytes({3, 'n', 's', '1', 0})),
        servedRecord(QStringLiteral("proxy1.edge.example."), A, 300, bytes({127, 0, 1, 1})),
        servedRecord(QStringLiteral("proxy2.edge.example."), AAAA, 300, QByteArray(16, '\x02')),
        servedRecord(QStringLiteral("info.edge.example."), TXT, 300, bytes({2, 'h', 'i'})),
        servedRecord(apex, SOA, 3600, QByteArray(40, '\x01')), // an AXFR ends with the SOA again
    };
}

const char *stateName(ReconcileLine::State state)
{
    switch (state) {
    case ReconcileLine::State::InSync:
        return "InSync";
    case ReconcileLine::State::Missing:
        return "Missing";
    case ReconcileLine::State::Different:
        return "Different";
    case ReconcileLine::State::Extra:
        return "Extra";
    }
    return "?";
}

QStringList lineSummary(const ReconcilePlan &plan)
{
    QStringList out;
    for (const ReconcileLine &line : plan.lines)
        out.append(line.owner.absolute() + QLatin1Char(' ') + QLatin1String(stateName(line.state)));
    return out;
}

// "owner type ttl count": enough to tell a replacement from a deletion.
QStringList changeSummary(const ReconcilePlan &plan)
{
    QStringList out;
    for (const NameReplacement &change : plan.changes)
        out.append(QStringLiteral("%1 %2 %3 %4")
                       .arg(change.owner.absolute())
                       .arg(change.type)
                       .arg(change.ttl)
                       .arg(change.rdatas.size()));
    return out;
}

} // namespace

class TestReconciler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rules_data();
    void rules();
    void infrastructureIsUntouched();
    void replacementCarriesTheDesiredRecords();
    void linesAreOrderedByOwner();
    void lineTexts();
    void laterDesiredRowWins();
    void describeRdata_data();
    void describeRdata();
    void describesBuiltSteeringRecord();
};

void TestReconciler::rules_data()
{
    QTest::addColumn<DesiredList>("desired");
    QTest::addColumn<ServedList>("served");
    QTest::addColumn<QStringList>("lines");
    QTest::addColumn<QStringList>("changes");

    const QString www = QStringLiteral("www.edge.example.");
    const QString shop = QStringLiteral("shop.edge.example.");

    QTest::newRow("present, in sync, any order")
        << DesiredList{want(www, A, 20, {ipv4(1), ipv4(2), ipv4(3)})}
        << ServedList{servedRecord(www, A, 20, ipv4(3)), servedRecord(www, A, 20, ipv4(1)),
                      servedRecord(www, A, 20, ipv4(2))}
        << QStringList{www + " InSync"} << QStringList{};
    QTest::newRow("present, LUA in sync") << DesiredList{want(www, LUA, 20, {LuaRdata})}
                                          << ServedList{servedRecord(www, LUA, 20, LuaRdata)}
                                          << QStringList{www + " InSync"} << QStringList{};
    QTest::newRow("present, served twice (AXFR repeats)")
        << DesiredList{want(www, A, 20, {ipv4(1)})}
        << ServedList{servedRecord(www, A, 20, ipv4(1)), servedRecord(www, A, 20, ipv4(1))}
        << QStringList{www + " InSync"} << QStringList{};
    QTest::newRow("present, desired repeats an rdata")
        << DesiredList{want(www, A, 20, {ipv4(1), ipv4(1)})}
        << ServedList{servedRecord(www, A, 20, ipv4(1))} << QStringList{www + " InSync"}
        << QStringList{};
    QTest::newRow("present, nothing served")
        << DesiredList{want(www, LUA, 20, {LuaRdata})} << ServedList{}
        << QStringList{www + " Missing"} << QStringList{www + " 65402 20 1"};
    QTest::newRow("present, only other names served")
        << DesiredList{want(www, A, 20, {ipv4(1)})}
        << ServedList{servedRecord(QStringLiteral("www2.edge.example."), A, 20, ipv4(1)),
                      servedRecord(QStringLiteral("a.www.edge.example."), A, 20, ipv4(1))}
        << QStringList{www + " Missing"} << QStringList{www + " 1 20 1"};
    QTest::newRow("present, TTL differs")
        << DesiredList{want(www, A, 20, {ipv4(1), ipv4(2)})}
        << ServedList{servedRecord(www, A, 20, ipv4(1)), servedRecord(www, A, 30, ipv4(2))}
        << QStringList{www + " Different"} << QStringList{www + " 1 20 2"};
    QTest::newRow("present, rdata differs")
        << DesiredList{want(www, A, 20, {ipv4(1)})} << ServedList{servedRecord(www, A, 20, ipv4(9))}
        << QStringList{www + " Different"} << QStringList{www + " 1 20 1"};
    QTest::newRow("present, one rdata too many served")
        << DesiredList{want(www, A, 20, {ipv4(1)})}
        << ServedList{servedRecord(www, A, 20, ipv4(1)), servedRecord(www, A, 20, ipv4(2))}
        << QStringList{www + " Different"} << QStringList{www + " 1 20 1"};
    QTest::newRow("present, one rdata missing")
        << DesiredList{want(www, A, 20, {ipv4(1), ipv4(2)})}
        << ServedList{servedRecord(www, A, 20, ipv4(2))} << QStringList{www + " Different"}
        << QStringList{www + " 1 20 2"};
    QTest::newRow("present, another type also served")
        << DesiredList{want(www, A, 20, {ipv4(1)})}
        << ServedList{servedRecord(www, A, 20, ipv4(1)),
                      servedRecord(www, TXT, 20, bytes({1, 'x'}))}
        << QStringList{www + " Different"} << QStringList{www + " 1 20 1"};
    QTest::newRow("present, served as another type")
        << DesiredList{want(www, LUA, 20, {LuaRdata})}
        << ServedList{servedRecord(www, A, 20, ipv4(1))} << QStringList{www + " Different"}
        << QStringList{www + " 65402 20 1"};
    QTest::newRow("present, LUA code differs")
        << DesiredList{want(www, LUA, 20, {LuaRdata})}
        << ServedList{servedRecord(www, LUA, 20, lua(A, {"pickwrandom({{1,'127.0.1.1'}})"}))}
        << QStringList{www + " Different"} << QStringList{www + " 65402 20 1"};
    QTest::newRow("present without records, something served")
        << DesiredList{want(www, A, 20, {})} << ServedList{servedRecord(www, A, 20, ipv4(1))}
        << QStringList{www + " Different"} << QStringList{www + " 1 20 0"};
    QTest::newRow("present without records, nothing served")
        << DesiredList{want(www, A, 20, {})} << ServedList{} << QStringList{www + " InSync"}
        << QStringList{};
    QTest::newRow("absent, served")
        << DesiredList{absent(www)} << ServedList{servedRecord(www, LUA, 20, LuaRdata)}
        << QStringList{www + " Different"} << QStringList{www + " 0 0 0"};
    QTest::newRow("absent, nothing served") << DesiredList{absent(www)} << ServedList{}
                                            << QStringList{www + " InSync"} << QStringList{};
    QTest::newRow("stray LUA") << DesiredList{} << ServedList{servedRecord(shop, LUA, 20, LuaRdata)}
                               << QStringList{shop + " Extra"} << QStringList{shop + " 0 0 0"};
    QTest::newRow("stray LUA beside other records")
        << DesiredList{}
        << ServedList{servedRecord(shop, TXT, 20, bytes({1, 'x'})),
                      servedRecord(shop, LUA, 20, LuaRdata)}
        << QStringList{shop + " Extra"} << QStringList{shop + " 0 0 0"};
    QTest::newRow("stray LUA at the apex")
        << DesiredList{}
        << ServedList{servedRecord(QStringLiteral("edge.example."), LUA, 20, LuaRdata)}
        << QStringList{QStringLiteral("edge.example. Extra")}
        << QStringList{QStringLiteral("edge.example. 0 0 0")};
    QTest::newRow("stray non-LUA name")
        << DesiredList{}
        << ServedList{servedRecord(shop, A, 20, ipv4(1)),
                      servedRecord(shop, CNAME, 20, bytes({1, 'x', 0}))}
        << QStringList{} << QStringList{};
    QTest::newRow("LUA outside the zone is ignored")
        << DesiredList{}
        << ServedList{servedRecord(QStringLiteral("www.other.example."), LUA, 20, LuaRdata),
                      servedRecord(QStringLiteral("example."), LUA, 20, LuaRdata),
                      servedRecord(QStringLiteral("xedge.example."), LUA, 20, LuaRdata)}
        << QStringList{} << QStringList{};
    QTest::newRow("served owner not a host name is ignored")
        << DesiredList{}
        << ServedList{servedRecord(QStringLiteral("*.edge.example."), LUA, 20, LuaRdata)}
        << QStringList{} << QStringList{};
    QTest::newRow("served owner in upper case")
        << DesiredList{want(www, A, 20, {ipv4(1)})}
        << ServedList{servedRecord(QStringLiteral("WWW.Edge.Example."), A, 20, ipv4(1))}
        << QStringList{www + " InSync"} << QStringList{};
    QTest::newRow("desired outside the zone")
        << DesiredList{want(QStringLiteral("www.other.example"), A, 20, {ipv4(1)})}
        << ServedList{servedRecord(QStringLiteral("www.other.example."), A, 30, ipv4(2))}
        << QStringList{QStringLiteral("www.other.example. Different")} << QStringList{};
    QTest::newRow("absent outside the zone")
        << DesiredList{absent(QStringLiteral("www.other.example"))} << ServedList{}
        << QStringList{QStringLiteral("www.other.example. Different")} << QStringList{};
}

void TestReconciler::rules()
{
    QFETCH(DesiredList, desired);
    QFETCH(ServedList, served);
    QFETCH(QStringList, lines);
    QFETCH(QStringList, changes);

    // The zone's own records ride along in every case and never show up.
    const ReconcilePlan plan = planReconcile(Zone, desired, served + infrastructure());
    QCOMPARE(lineSummary(plan), lines);
    QCOMPARE(changeSummary(plan), changes);
    QCOMPARE(plan.inSync(), changes.isEmpty());

    // Order never matters, on either side.
    std::reverse(desired.begin(), desired.end());
    std::reverse(served.begin(), served.end());
    for (DesiredName &name : desired)
        std::reverse(name.rdatas.begin(), name.rdatas.end());
    const ReconcilePlan reversed = planReconcile(Zone, desired, infrastructure() + served);
    QCOMPARE(lineSummary(reversed), lines);
    QCOMPARE(changeSummary(reversed), changes);
}

void TestReconciler::infrastructureIsUntouched()
{
    const ReconcilePlan plan = planReconcile(Zone, {}, infrastructure());
    QVERIFY(plan.inSync());
    QVERIFY(plan.lines.isEmpty());

    const ReconcilePlan empty = planReconcile(Zone, {}, {});
    QVERIFY(empty.inSync());
    QVERIFY(empty.lines.isEmpty());
}

void TestReconciler::replacementCarriesTheDesiredRecords()
{
    const QList<QByteArray> rdatas = {ipv4(2), ipv4(1)};
    const ReconcilePlan plan =
        planReconcile(Zone, {want(QStringLiteral("www.edge.example"), A, 45, rdatas)},
                      {servedRecord(QStringLiteral("www.edge.example."), A, 20, ipv4(1))});
    QCOMPARE(plan.changes.size(), 1);
    const NameReplacement &change = plan.changes.first();
    QCOMPARE(change.owner.absolute(), QStringLiteral("www.edge.example."));
    QCOMPARE(change.type, A);
    QCOMPARE(change.ttl, 45u);
    QCOMPARE(change.rdatas, rdatas);

    const ReconcilePlan removal =
        planReconcile(Zone, {absent(QStringLiteral("www.edge.example"))},
                      {servedRecord(QStringLiteral("www.edge.example."), LUA, 20, LuaRdata)});
    QCOMPARE(removal.changes.size(), 1);
    QCOMPARE(removal.changes.first().type, quint16(0));
    QCOMPARE(removal.changes.first().ttl, 0u);
    QVERIFY(removal.changes.first().rdatas.isEmpty());
}

void TestReconciler::linesAreOrderedByOwner()
{
    const DesiredList desired = {
        want(QStringLiteral("d.edge.example"), A, 20, {ipv4(4)}),
        absent(QStringLiteral("b.edge.example")),
        want(QStringLiteral("a.edge.example"), A, 20, {ipv4(1)}),
        want(QStringLiteral("zz.other.example"), A, 20, {ipv4(1)}),
    };
    const ServedList served = {
        servedRecord(QStringLiteral("e.edge.example."), LUA, 20, LuaRdata),
        servedRecord(QStringLiteral("d.edge.example."), A, 20, ipv4(4)),
        servedRecord(QStringLiteral("c.edge.example."), LUA, 20, LuaRdata),
        servedRecord(QStringLiteral("b.edge.example."), A, 20, ipv4(2)),
    };
    const ReconcilePlan plan = planReconcile(Zone, desired, served);
    QCOMPARE(lineSummary(plan), (QStringList{QStringLiteral("a.edge.example. Missing"),
                                             QStringLiteral("b.edge.example. Different"),
                                             QStringLiteral("c.edge.example. Extra"),
                                             QStringLiteral("d.edge.example. InSync"),
                                             QStringLiteral("e.edge.example. Extra"),
                                             QStringLiteral("zz.other.example. Different")}));
    QCOMPARE(changeSummary(plan), (QStringList{QStringLiteral("a.edge.example. 1 20 1"),
                                               QStringLiteral("b.edge.example. 0 0 0"),
                                               QStringLiteral("c.edge.example. 0 0 0"),
                                               QStringLiteral("e.edge.example. 0 0 0")}));
    QVERIFY(!plan.inSync());
}

void TestReconciler::lineTexts()
{
    const DesiredList desired = {
        want(QStringLiteral("a.edge.example"), A, 20, {ipv4(2), ipv4(1)}),
        absent(QStringLiteral("b.edge.example")),
        want(QStringLiteral("c.other.example"), A, 20, {ipv4(1)}),
        want(QStringLiteral("d.edge.example"), LUA, 20, {LuaRdata}),
        want(QStringLiteral("f.edge.example"), A, 20, {}),
    };
    const ServedList served = {
        servedRecord(QStringLiteral("b.edge.example."), A, 30, ipv4(7)),
        servedRecord(QStringLiteral("e.edge.example."), LUA, 20, LuaRdata),
    };
    const ReconcilePlan plan = planReconcile(Zone, desired, served);
    QCOMPARE(plan.lines.size(), 6);

    const ReconcileLine &missing = plan.lines.at(0);
    QCOMPARE(missing.served, QStringLiteral("(none)"));
    QCOMPARE(missing.desired, QStringLiteral("A 20 192.0.2.1; A 20 192.0.2.2"));

    const ReconcileLine &gone = plan.lines.at(1);
    QCOMPARE(gone.served, QStringLiteral("A 30 192.0.2.7"));
    QCOMPARE(gone.desired, QStringLiteral("(absent)"));

    const ReconcileLine &outside = plan.lines.at(2);
    QCOMPARE(outside.state, ReconcileLine::State::Different);
    QCOMPARE(outside.served, QStringLiteral("(outside zone)"));
    QCOMPARE(outside.desired, QStringLiteral("A 20 192.0.2.1"));

    const QString luaText = QStringLiteral("LUA 20 A \"%1\"").arg(QLatin1String(LuaCode));
    QCOMPARE(plan.lines.at(3).desired, luaText);
    QCOMPARE(plan.lines.at(4).state, ReconcileLine::State::Extra);
    QCOMPARE(plan.lines.at(4).served, luaText);
    QCOMPARE(plan.lines.at(4).desired, QStringLiteral("(absent)"));
    QCOMPARE(plan.lines.at(5).state, ReconcileLine::State::InSync);
    QCOMPARE(plan.lines.at(5).desired, QStringLiteral("(no records)"));
}

void TestReconciler::laterDesiredRowWins()
{
    const ReconcilePlan plan =
        planReconcile(Zone,
                      {want(QStringLiteral("www.edge.example"), A, 20, {ipv4(1)}),
                       absent(QStringLiteral("www.edge.example"))},
                      {servedRecord(QStringLiteral("www.edge.example."), A, 20, ipv4(1))});
    QCOMPARE(lineSummary(plan), QStringList{QStringLiteral("www.edge.example. Different")});
    QCOMPARE(changeSummary(plan), QStringList{QStringLiteral("www.edge.example. 0 0 0")});
}

void TestReconciler::describeRdata_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("rdata");
    QTest::addColumn<QString>("expected");

    QTest::newRow("A") << int(A) << ipv4(10) << QStringLiteral("192.0.2.10");
    QTest::newRow("A, zeros") << int(A) << QByteArray(4, '\0') << QStringLiteral("0.0.0.0");
    QTest::newRow("A, short") << int(A) << bytes({192, 0, 2}) << QStringLiteral("c00002");
    QTest::newRow("A, long") << int(A) << bytes({1, 2, 3, 4, 5}) << QStringLiteral("0102030405");
    QTest::newRow("AAAA") << int(AAAA)
                          << bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
                          << QStringLiteral("2001:db8::1");
    QTest::newRow("AAAA, short") << int(AAAA) << bytes({0x20, 0x01}) << QStringLiteral("2001");
    QTest::newRow("CNAME") << int(CNAME)
                           << bytes({3, 'w', 'w', 'w', 4, 's', 'h', 'o', 'p', 2, 'c', 'o', 0})
                           << QStringLiteral("www.shop.co.");
    QTest::newRow("CNAME, root") << int(CNAME) << bytes({0}) << QStringLiteral(".");
    QTest::newRow("CNAME, odd bytes escaped")
        << int(CNAME) << bytes({5, 'a', '.', ' ', '"', 0xff, 0})
        << QStringLiteral("a\\.\\032\\\"\\255.");
    QTest::newRow("CNAME, no root label")
        << int(CNAME) << bytes({1, 'a'}) << QStringLiteral("0161");
    QTest::newRow("CNAME, label past the end")
        << int(CNAME) << bytes({5, 'a', 0}) << QStringLiteral("056100");
    QTest::newRow("CNAME, compression pointer")
        << int(CNAME) << bytes({0xc0, 0x0c}) << QStringLiteral("c00c");
    QTest::newRow("CNAME, bytes after the root")
        << int(CNAME) << bytes({1, 'a', 0, 7}) << QStringLiteral("01610007");
    QTest::newRow("CNAME, empty") << int(CNAME) << QByteArray() << QString();
    QTest::newRow("LUA A") << int(LUA) << LuaRdata
                           << QStringLiteral("A \"%1\"").arg(QLatin1String(LuaCode));
    QTest::newRow("LUA CNAME, pieces joined")
        << int(LUA) << lua(CNAME, {"pickwrandom({{1,'a.', ", "'b.'}})"})
        << QStringLiteral("CNAME \"pickwrandom({{1,'a.', 'b.'}})\"");
    QTest::newRow("LUA AAAA") << int(LUA) << lua(AAAA, {"'::1'"})
                              << QStringLiteral("AAAA \"'::1'\"");
    QTest::newRow("LUA, no code") << int(LUA) << bytes({0, 1}) << QStringLiteral("A \"\"");
    QTest::newRow("LUA, quote, control and zero octet escaped")
        << int(LUA) << lua(A, {QByteArray("say \"hi\"\\\n\0", 11)})
        << QStringLiteral("A \"say \\\"hi\\\"\\\\\\010\\000\"");
    QTest::newRow("LUA, unknown inner type")
        << int(LUA) << lua(99, {"x"}) << QStringLiteral("TYPE99 \"x\"");
    QTest::newRow("LUA, one octet") << int(LUA) << bytes({0}) << QStringLiteral("00");
    QTest::newRow("LUA, string past the end")
        << int(LUA) << bytes({0, 1, 5, 'a', 'b'}) << QStringLiteral("0001056162");
    QTest::newRow("TXT is hex") << int(TXT) << bytes({2, 'h', 'i'}) << QStringLiteral("026869");
    QTest::newRow("unknown type") << 4242 << bytes({0x00, 0xab, 0xff}) << QStringLiteral("00abff");
    QTest::newRow("unknown, empty") << 4242 << QByteArray() << QString();
}

void TestReconciler::describeRdata()
{
    QFETCH(int, type);
    QFETCH(QByteArray, rdata);
    QFETCH(QString, expected);
    QCOMPARE(headroom::describeRdata(quint16(type), rdata), expected);
}

void TestReconciler::describesBuiltSteeringRecord()
{
    WeightTable table;
    table.proxies = {{QHostAddress(QStringLiteral("127.0.1.1")), std::nullopt, 3},
                     {QHostAddress(QStringLiteral("127.0.1.2")), std::nullopt, 1}};
    table.overflowServers = {{QHostAddress(QStringLiteral("192.0.2.1")), std::nullopt, 1}};
    table.leaseEndUnix = 1764072000;
    table.validUntilUnix = 1764000000;
    QString error;
    const std::optional<SteeringRecord> record = buildSteeringRecord(table, &error);
    QVERIFY2(record.has_value(), qPrintable(error));
    QCOMPARE(record->kind, SteeringRecord::Kind::LuaA);
    QCOMPARE(headroom::describeRdata(LUA, record->luaRdata()),
             QStringLiteral("A \"%1\"").arg(QString::fromLatin1(record->luaCode)));
}

QTEST_GUILESS_MAIN(TestReconciler)
#include "tst_reconciler.moc"
