#include "fleet/headroommodel.h"

#include <QTest>

using namespace headroom;

namespace {

LoadSample sample(const QString &proxy, const QString &pool, double capacity, double total,
                  double purchaser, qint64 atMs = 1764000000000)
{
    return LoadSample{atMs, proxy, pool, capacity, total, purchaser};
}

} // namespace

class TestHeadroomModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void baseAndHeadroom_data();
    void baseAndHeadroom();
    void aggregateEmpty();
    void aggregateOnePool();
    void aggregateNetsDeficits();
    void aggregateMixedPoolsHasNoName();
};

void TestHeadroomModel::baseAndHeadroom_data()
{
    QTest::addColumn<double>("capacity");
    QTest::addColumn<double>("total");
    QTest::addColumn<double>("purchaser");
    QTest::addColumn<double>("target");
    QTest::addColumn<double>("expectedBase");
    QTest::addColumn<double>("expectedHeadroom");

    QTest::newRow("idle") << 1000.0 << 0.0 << 0.0 << 0.8 << 0.0 << 800.0;
    QTest::newRow("base only") << 1000.0 << 300.0 << 0.0 << 0.8 << 300.0 << 500.0;
    // Purchaser traffic is ours to steer: it does not reduce headroom.
    QTest::newRow("purchaser excluded") << 1000.0 << 700.0 << 400.0 << 0.8 << 300.0 << 500.0;
    QTest::newRow("all purchaser") << 1000.0 << 900.0 << 900.0 << 0.8 << 0.0 << 800.0;
    // Counters scraped a moment apart: purchaser above total is no negative base load.
    QTest::newRow("purchaser above total") << 1000.0 << 100.0 << 150.0 << 0.8 << 0.0 << 800.0;
    QTest::newRow("exactly at target") << 1000.0 << 800.0 << 0.0 << 0.8 << 800.0 << 0.0;
    QTest::newRow("overloaded is negative") << 1000.0 << 950.0 << 50.0 << 0.8 << 900.0 << -100.0;
    QTest::newRow("other target") << 500.0 << 100.0 << 0.0 << 0.5 << 100.0 << 150.0;
    QTest::newRow("no capacity") << 0.0 << 20.0 << 0.0 << 0.8 << 20.0 << -20.0;
}

void TestHeadroomModel::baseAndHeadroom()
{
    QFETCH(double, capacity);
    QFETCH(double, total);
    QFETCH(double, purchaser);
    QFETCH(double, target);
    QFETCH(double, expectedBase);
    QFETCH(double, expectedHeadroom);

    const LoadSample s =
        sample(QStringLiteral("proxy1"), QStringLiteral("edge"), capacity, total, purchaser);
    QCOMPARE(baseLoad(s), expectedBase);
    QCOMPARE(headroomRps(s, target), expectedHeadroom);
    if (qFuzzyCompare(target, 0.8))
        QCOMPARE(headroomRps(s), expectedHeadroom); // the default target
}

void TestHeadroomModel::aggregateEmpty()
{
    const PoolHeadroom pool = aggregate({});
    QCOMPARE(pool.proxies, 0);
    QCOMPARE(pool.headroomRps, 0.0);
    QVERIFY(pool.pool.isEmpty());
}

void TestHeadroomModel::aggregateOnePool()
{
    const QString edge = QStringLiteral("edge");
    const PoolHeadroom pool =
        aggregate({sample(QStringLiteral("proxy1"), edge, 1000, 300, 100, 1000),
                   sample(QStringLiteral("proxy2"), edge, 500, 100, 0, 3000),
                   sample(QStringLiteral("proxy3"), edge, 2000, 1000, 1000, 2000)});
    QCOMPARE(pool.pool, edge);
    QCOMPARE(pool.atMs, qint64(3000));
    QCOMPARE(pool.proxies, 3);
    QCOMPARE(pool.overloaded, 0);
    QCOMPARE(pool.capacityRps, 3500.0);
    QCOMPARE(pool.baseLoadRps, 300.0);
    // 0.8 × 3500 − 300
    QCOMPARE(pool.headroomRps, 2500.0);
    QCOMPARE(pool.sellableRps, 2500.0);
    QCOMPARE(pool.deficitRps, 0.0);
}

void TestHeadroomModel::aggregateNetsDeficits()
{
    const QString edge = QStringLiteral("edge");
    const PoolHeadroom pool = aggregate({sample(QStringLiteral("proxy1"), edge, 1000, 1000, 0),
                                         sample(QStringLiteral("proxy2"), edge, 1000, 100, 0)},
                                        0.8);
    QCOMPARE(pool.proxies, 2);
    QCOMPARE(pool.overloaded, 1);
    QCOMPARE(pool.deficitRps, 200.0);  // proxy1: 800 − 1000
    QCOMPARE(pool.sellableRps, 700.0); // proxy2: 800 − 100
    QCOMPARE(pool.headroomRps, 500.0); // conservative: the deficit is netted
}

void TestHeadroomModel::aggregateMixedPoolsHasNoName()
{
    const PoolHeadroom pool =
        aggregate({sample(QStringLiteral("proxy1"), QStringLiteral("edge"), 100, 0, 0),
                   sample(QStringLiteral("proxy2"), QStringLiteral("core"), 100, 0, 0),
                   sample(QStringLiteral("proxy3"), QStringLiteral("edge"), 100, 0, 0)});
    QVERIFY(pool.pool.isEmpty());
    QCOMPARE(pool.proxies, 3);
    QCOMPARE(pool.headroomRps, 240.0);
}

QTEST_GUILESS_MAIN(TestHeadroomModel)
#include "tst_headroommodel.moc"
