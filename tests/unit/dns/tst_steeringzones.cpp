// Steering names spread over shard zones: stable, spread evenly, and found again.

#include "dns/steeringzones.h"

#include <QHash>
#include <QtTest>

using namespace headroom;

class TestSteeringZones final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ownerIsStableAndInItsShard();
    void sitesSpreadEvenly();
    void zoneOfFindsTheMostSpecificZone();
    void labelsOnly_data();
    void labelsOnly();
    void noShardsMeansTheParent();
};

namespace {
const DnsName kParent = *DnsName::parse(QStringLiteral("edge.headroom.test"));
}

void TestSteeringZones::ownerIsStableAndInItsShard()
{
    const SteeringZones zones(kParent, 16);
    QCOMPARE(zones.shards().size(), 16);
    QCOMPARE(zones.shards().first().relative(), QStringLiteral("s00.edge.headroom.test"));
    QCOMPARE(zones.all().size(), 17);
    // FNV-1a of "shop" mod 16: fixed forever, purchasers CNAME to it.
    QCOMPARE(zones.ownerFor(QStringLiteral("shop"))->relative(),
             QStringLiteral("shop.s09.edge.headroom.test"));
    QCOMPARE(zones.ownerFor(QStringLiteral("SHOP"))->relative(),
             QStringLiteral("shop.s09.edge.headroom.test"));
}

void TestSteeringZones::sitesSpreadEvenly()
{
    const SteeringZones zones(kParent, 64);
    QHash<QString, int> perShard;
    for (int i = 0; i < 10000; ++i)
        ++perShard[zones.zoneOf(*zones.ownerFor(QStringLiteral("site%1").arg(i))).relative()];
    QCOMPARE(perShard.size(), 64);
    for (const int n : std::as_const(perShard))
        QVERIFY2(n > 100 && n < 220, qPrintable(QString::number(n))); // mean 156
}

void TestSteeringZones::zoneOfFindsTheMostSpecificZone()
{
    const SteeringZones zones(kParent, 4);
    QCOMPARE(zones.zoneOf(*DnsName::parse(QStringLiteral("a.s03.edge.headroom.test"))).relative(),
             QStringLiteral("s03.edge.headroom.test"));
    QCOMPARE(zones.zoneOf(*DnsName::parse(QStringLiteral("proxy1.edge.headroom.test"))).relative(),
             QStringLiteral("edge.headroom.test"));
    QCOMPARE(zones.zoneOf(*DnsName::parse(QStringLiteral("a.s07.edge.headroom.test"))).relative(),
             QStringLiteral("edge.headroom.test")); // s07 is not a shard of four
}

void TestSteeringZones::labelsOnly_data()
{
    QTest::addColumn<QString>("label");
    QTest::newRow("dotted") << QStringLiteral("a.b");
    QTest::newRow("quote") << QStringLiteral("sh'op");
    QTest::newRow("empty") << QString();
    QTest::newRow("space") << QStringLiteral("a b");
    QTest::newRow("too long") << QString(64, QLatin1Char('a'));
}

void TestSteeringZones::labelsOnly()
{
    QFETCH(QString, label);
    QString error;
    QVERIFY(!SteeringZones(kParent, 16).ownerFor(label, &error));
    QVERIFY(!error.isEmpty());
}

void TestSteeringZones::noShardsMeansTheParent()
{
    const SteeringZones zones(kParent, 0);
    QCOMPARE(zones.ownerFor(QStringLiteral("shop"))->relative(),
             QStringLiteral("shop.edge.headroom.test"));
    QCOMPARE(zones.all().size(), 1);
}

QTEST_GUILESS_MAIN(TestSteeringZones)
#include "tst_steeringzones.moc"
