#include "control/allocator.h"

#include <QTest>

using namespace headroom;

class TestAllocator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void headroomIsTargetMinusBase();
    void firmFirstOldestFirst();
    void bestEffortSharesMaxMinFairly();
    void neverMoreThanTheHeadroom();
    void shortFirmIsFlagged();
};

void TestAllocator::headroomIsTargetMinusBase()
{
    ProxyCapacity p{QStringLiteral("p"), {}, QStringLiteral("pool"), 400, 250, 100, true};
    QCOMPARE(p.baseRps(), 150.0);
    QCOMPARE(p.headroomRps(0.8), 170.0);
    p.totalRps = 500;
    p.purchaserRps = 0;
    QCOMPARE(p.headroomRps(0.8), 0.0); // saturated by base load
    p.totalRps = 10;
    p.up = false;
    QCOMPARE(p.headroomRps(0.8), 0.0); // down
}

void TestAllocator::firmFirstOldestFirst()
{
    const auto g = allocate(150, {{3, LeaseKind::BestEffort, 100, 1000, true},
                                  {2, LeaseKind::Firm, 100, 0, false},
                                  {1, LeaseKind::Firm, 100, 0, false}});
    QCOMPARE(g[2].allocatedRps, 100.0); // lease 1: oldest firm
    QCOMPARE(g[1].allocatedRps, 50.0);  // lease 2: what is left
    QVERIFY(g[1].shortOfFirm);
    QCOMPARE(g[0].allocatedRps, 0.0); // best-effort: nothing left
}

void TestAllocator::bestEffortSharesMaxMinFairly()
{
    // 300 left for three best-effort leases wanting 50 (demand), 200 and 200.
    const auto g = allocate(300, {{1, LeaseKind::BestEffort, 100, 50, true},
                                  {2, LeaseKind::BestEffort, 200, 0, false},
                                  {3, LeaseKind::BestEffort, 200, 0, false}});
    QCOMPARE(g[0].allocatedRps, 50.0);
    QCOMPARE(g[1].allocatedRps, 125.0);
    QCOMPARE(g[2].allocatedRps, 125.0);
}

void TestAllocator::neverMoreThanTheHeadroom()
{
    for (double h : {0.0, 1.0, 99.5, 1000.0, -5.0, std::nan("")}) {
        const auto g = allocate(h, {{1, LeaseKind::Firm, 400, 0, false},
                                    {2, LeaseKind::BestEffort, 400, 0, false},
                                    {3, LeaseKind::BestEffort, 10, 0, false}});
        double sum = 0;
        for (const auto &x : g)
            sum += x.allocatedRps;
        QVERIFY(sum <= std::max(0.0, std::isfinite(h) ? h : 0.0) + 1e-9);
    }
}

void TestAllocator::shortFirmIsFlagged()
{
    const auto g = allocate(100, {{1, LeaseKind::Firm, 100, 0, false}});
    QVERIFY(!g[0].shortOfFirm);
    const auto h = allocate(99, {{1, LeaseKind::Firm, 100, 0, false}});
    QVERIFY(h[0].shortOfFirm);
}

QTEST_GUILESS_MAIN(TestAllocator)
#include "tst_allocator.moc"
