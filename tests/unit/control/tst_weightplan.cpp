// From a fraction to the weights a site's record serves, for every overflow policy, and through
// buildSteeringRecord to a record the server accepts.
#include "control/weightplan.h"

#include <QTest>

using namespace headroom;

namespace {

Site shop()
{
    Site s;
    s.id = 1;
    s.name = QStringLiteral("shop.example");
    s.label = QStringLiteral("shop");
    s.hosts = {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")};
    s.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 80, 3, false},
                 {QHostAddress(QStringLiteral("127.0.2.2")), 80, 1, false},
                 {QHostAddress(QStringLiteral("127.0.2.9")), 80, 1, true}};
    s.originName = QStringLiteral("origin.shop.example");
    return s;
}

QList<ProxyShare> proxies()
{
    return {{QStringLiteral("proxy1"), QHostAddress(QStringLiteral("127.0.1.1")),
             DnsName::parse(QStringLiteral("proxy1.edge.headroom.test")), 300},
            {QStringLiteral("proxy2"), QHostAddress(QStringLiteral("127.0.1.2")),
             DnsName::parse(QStringLiteral("proxy2.edge.headroom.test")), 100},
            {QStringLiteral("proxy3"), QHostAddress(QStringLiteral("127.0.1.3")),
             DnsName::parse(QStringLiteral("proxy3.edge.headroom.test")), 0}};
}

int weightOf(const QList<WeightedTarget> &targets, const QString &key)
{
    for (const WeightedTarget &t : targets) {
        if ((t.name && t.name->relative() == key) || t.address.toString() == key)
            return t.weight;
    }
    return 0;
}

WeightTable withDeadlines(WeightTable t)
{
    t.leaseEndUnix = 1'900'000'000;
    t.validUntilUnix = 1'800'000'000;
    return t;
}

} // namespace

class TestWeightPlan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void proxiesByHeadroom();
    void roundRobinAndWeighted();
    void primaryBackup();
    void dnsOverflowAnswersNames();
    void extremes();
    void deadBand_data();
    void deadBand();
};

void TestWeightPlan::proxiesByHeadroom()
{
    QString error;
    const auto t =
        WeightPlan::build(0.4, proxies(), shop(), OverflowPolicy::RoundRobin, {}, &error);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(weightOf(t->proxies, QStringLiteral("127.0.1.1")), 3000); // 0.4 x 3/4
    QCOMPARE(weightOf(t->proxies, QStringLiteral("127.0.1.2")), 1000); // 0.4 x 1/4
    QCOMPARE(t->proxies.size(), 2);                                    // no headroom, no weight
}

void TestWeightPlan::roundRobinAndWeighted()
{
    QString error;
    const auto rr =
        WeightPlan::build(0.4, proxies(), shop(), OverflowPolicy::RoundRobin, {}, &error);
    QCOMPARE(weightOf(rr->overflowServers, QStringLiteral("127.0.2.1")), 3000);
    QCOMPARE(weightOf(rr->overflowServers, QStringLiteral("127.0.2.2")), 3000);
    QCOMPARE(weightOf(rr->overflowServers, QStringLiteral("127.0.2.9")), 0); // backup: never
    const auto w = WeightPlan::build(0.4, proxies(), shop(), OverflowPolicy::Weighted, {}, &error);
    QCOMPARE(weightOf(w->overflowServers, QStringLiteral("127.0.2.1")), 4500);
    QCOMPARE(weightOf(w->overflowServers, QStringLiteral("127.0.2.2")), 1500);
    QVERIFY(buildSteeringRecord(withDeadlines(*w), &error));
}

void TestWeightPlan::primaryBackup()
{
    QString error;
    const auto up =
        WeightPlan::build(0.5, proxies(), shop(), OverflowPolicy::PrimaryBackup, {}, &error);
    QCOMPARE(up->overflowServers.size(), 2);
    const auto down =
        WeightPlan::build(0.5, proxies(), shop(), OverflowPolicy::PrimaryBackup,
                          {QStringLiteral("127.0.2.1"), QStringLiteral("127.0.2.2")}, &error);
    QCOMPARE(down->overflowServers.size(), 1);
    QCOMPARE(weightOf(down->overflowServers, QStringLiteral("127.0.2.9")), 5000);
}

void TestWeightPlan::dnsOverflowAnswersNames()
{
    QString error;
    const auto t = WeightPlan::build(0.25, proxies(), shop(), OverflowPolicy::Dns, {}, &error);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(weightOf(t->proxies, QStringLiteral("proxy1.edge.headroom.test")), 1875);
    QCOMPARE(weightOf(t->overflowServers, QStringLiteral("origin.shop.example")), 7500);
    const auto record = buildSteeringRecord(withDeadlines(*t), &error);
    QVERIFY2(record, qPrintable(error));
    QCOMPARE(record->kind, SteeringRecord::Kind::LuaCname);

    Site noName = shop();
    noName.originName.clear();
    QVERIFY(!WeightPlan::build(0.25, proxies(), noName, OverflowPolicy::Dns, {}, &error));
    QVERIFY(error.contains(QStringLiteral("origin name")));
}

void TestWeightPlan::extremes()
{
    QString error;
    // Outside a window: the overflow alone, a static record.
    const auto off = WeightPlan::overflowOnly(shop(), OverflowPolicy::RoundRobin, {}, &error);
    const auto offRecord = buildSteeringRecord(*off, &error);
    QCOMPARE(offRecord->kind, SteeringRecord::Kind::StaticA);
    const auto offDns = WeightPlan::overflowOnly(shop(), OverflowPolicy::Dns, {}, &error);
    QCOMPARE(buildSteeringRecord(*offDns, &error)->kind, SteeringRecord::Kind::StaticCname);
    // Everything to the proxies: the overflow keeps a token weight so it stays the fallback.
    const auto all =
        WeightPlan::build(1.0, proxies(), shop(), OverflowPolicy::RoundRobin, {}, &error);
    QCOMPARE(weightOf(all->overflowServers, QStringLiteral("127.0.2.1")), 1);
    QVERIFY(buildSteeringRecord(withDeadlines(*all), &error));
    // No proxy with headroom: nothing to the proxies whatever the fraction.
    QList<ProxyShare> full = proxies();
    for (ProxyShare &p : full)
        p.headroomRps = 0;
    const auto none = WeightPlan::build(0.9, full, shop(), OverflowPolicy::RoundRobin, {}, &error);
    QVERIFY(none->proxies.isEmpty());
}

void TestWeightPlan::deadBand_data()
{
    using Weights = QHash<QString, int>;
    QTest::addColumn<Weights>("before");
    QTest::addColumn<Weights>("now");
    QTest::addColumn<bool>("moved");
    const QString p = QStringLiteral("proxy1");
    const QString o = QStringLiteral("origin");
    QTest::newRow("same") << Weights{{p, 5000}, {o, 5000}} << Weights{{p, 5000}, {o, 5000}}
                          << false;
    // Shares, not weights: the same split at another total has not moved.
    QTest::newRow("scaled") << Weights{{p, 5000}, {o, 5000}} << Weights{{p, 50}, {o, 50}} << false;
    QTest::newRow("inside the band")
        << Weights{{p, 5000}, {o, 5000}} << Weights{{p, 5150}, {o, 4850}} << false;
    QTest::newRow("beyond the band")
        << Weights{{p, 5000}, {o, 5000}} << Weights{{p, 5300}, {o, 4700}} << true;
    QTest::newRow("target gone") << Weights{{p, 3000}, {o, 7000}} << Weights{{o, 10000}} << true;
    QTest::newRow("target new") << Weights{{o, 10000}} << Weights{{p, 3000}, {o, 7000}} << true;
    QTest::newRow("tiny target gone")
        << Weights{{p, 100}, {o, 9900}} << Weights{{o, 10000}} << false;
    QTest::newRow("from nothing") << Weights{} << Weights{{o, 10000}} << true;
}

void TestWeightPlan::deadBand()
{
    using Weights = QHash<QString, int>;
    QFETCH(Weights, before);
    QFETCH(Weights, now);
    QFETCH(bool, moved);
    QCOMPARE(WeightPlan::sharesMoved(before, now, 0.02), moved);
}

QTEST_GUILESS_MAIN(TestWeightPlan)
#include "tst_weightplan.moc"
