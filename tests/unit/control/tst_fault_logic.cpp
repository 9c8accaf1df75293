// The pure pieces of fault handling in the steering loop (docs/reliability-faults.md): the
// backoff of DNS retries, the detection of wall-clock jumps against the monotonic clock, and the
// lease lifecycle under a clock that jumps (it only ever moves forwards).
#include "control/lifecycle.h"
#include "control/retrybackoff.h"

#include <QTest>
#include <limits>

using namespace headroom;

class TestFaultLogic : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void doublesToTheCap_data();
    void doublesToTheCap();
    void jitterStaysWithinItsShare();
    void absurdInputsStaySane();
    void clockJumps_data();
    void clockJumps();
    void firstObservationIsNoJump();
    void lifecycleNeverGoesBack_data();
    void lifecycleNeverGoesBack();
    void forwardJumpEndsPassedWindows();
};

void TestFaultLogic::doublesToTheCap_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("first") << 1 << qint64(1000);
    QTest::newRow("second") << 2 << qint64(2000);
    QTest::newRow("third") << 3 << qint64(4000);
    QTest::newRow("fourth") << 4 << qint64(8000);
    QTest::newRow("capped") << 5 << qint64(8000);
    QTest::newRow("long outage") << 500 << qint64(8000);
}

void TestFaultLogic::doublesToTheCap()
{
    QFETCH(int, failures);
    QFETCH(qint64, expected);
    const RetryBackoff b;
    QCOMPARE(b.delayMs(failures, 0.5), expected); // 0.5: no jitter
}

void TestFaultLogic::jitterStaysWithinItsShare()
{
    const RetryBackoff b;
    QCOMPARE(b.delayMs(2, 0.0), qint64(1800));
    QCOMPARE(b.delayMs(2, 0.999999), qint64(2200));
    for (double u = 0; u < 1; u += 0.01) {
        const qint64 d = b.delayMs(4, u);
        QVERIFY(d >= 7200 && d <= 8800);
    }
}

void TestFaultLogic::absurdInputsStaySane()
{
    RetryBackoff b;
    QCOMPARE(b.delayMs(0, 0.5), qint64(1000));
    QCOMPARE(b.delayMs(-3, 0.5), qint64(1000));
    QCOMPARE(b.delayMs(std::numeric_limits<int>::max(), 0.5), qint64(8000));
    QCOMPARE(b.delayMs(1, -4), qint64(900));
    QCOMPARE(b.delayMs(1, 17), qint64(1100));
    b.jitter = 3; // clamped to ±50 %
    QCOMPARE(b.delayMs(1, 0), qint64(500));
    b.firstMs = 0;
    QCOMPARE(b.delayMs(1, 0.5), qint64(1));
}

void TestFaultLogic::clockJumps_data()
{
    QTest::addColumn<qint64>("wallStep");
    QTest::addColumn<qint64>("monotonicStep");
    QTest::addColumn<qint64>("jump");
    QTest::newRow("a poll") << qint64(1000) << qint64(1000) << qint64(0);
    QTest::newRow("a late poll") << qint64(4000) << qint64(4000) << qint64(0);
    QTest::newRow("NTP slew, small step") << qint64(1300) << qint64(1000) << qint64(0);
    QTest::newRow("just within tolerance") << qint64(6000) << qint64(1000) << qint64(0);
    QTest::newRow("forwards 2 min") << qint64(121000) << qint64(1000) << qint64(120000);
    QTest::newRow("backwards 1 h") << qint64(-3599000) << qint64(1000) << qint64(-3600000);
    QTest::newRow("wall stood still 10 s") << qint64(0) << qint64(10000) << qint64(-10000);
}

void TestFaultLogic::clockJumps()
{
    QFETCH(qint64, wallStep);
    QFETCH(qint64, monotonicStep);
    QFETCH(qint64, jump);
    ClockJumpDetector d(5000);
    QCOMPARE(d.observe(1'800'000'000'000, 50'000), qint64(0));
    QCOMPARE(d.observe(1'800'000'000'000 + wallStep, 50'000 + monotonicStep), jump);
    // Measured from the new position: the next ordinary poll is no jump.
    QCOMPARE(d.observe(1'800'000'000'000 + wallStep + 1000, 50'000 + monotonicStep + 1000),
             qint64(0));
}

void TestFaultLogic::firstObservationIsNoJump()
{
    ClockJumpDetector d;
    QCOMPARE(d.observe(123, 99'999'999), qint64(0));
}

namespace {
constexpr qint64 kStart = 1'800'000'000'000;
constexpr qint64 kEnd = kStart + 3'600'000;

Lease leaseIn(LeaseState state)
{
    Lease l;
    l.id = 1;
    l.siteId = 1;
    l.rateRps = 100;
    l.startsAtMs = kStart;
    l.endsAtMs = kEnd;
    l.state = state;
    if (state == LeaseState::Draining)
        l.drainUntilMs = kEnd + 10'000;
    return l;
}
} // namespace

void TestFaultLogic::lifecycleNeverGoesBack_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<qint64>("nowMs");
    // The clock jumped back to before the window, or to its middle, after each state.
    for (const LeaseState s : {LeaseState::Ended, LeaseState::Cancelled, LeaseState::Failed,
                               LeaseState::Active, LeaseState::Draining}) {
        for (const qint64 now : {kStart - 86'400'000, kStart - 60'000, kStart + 60'000}) {
            QTest::addRow("%s at %lld", qPrintable(leaseStateName(s)), qlonglong(now - kStart))
                << int(s) << now;
        }
    }
}

// A backward jump moves no lease back: ended, cancelled and failed leases stay so; an active
// lease stays active (outside its window it steers nothing until the window comes round); a
// draining lease waits for its drain deadline (longer, by the size of the jump).
void TestFaultLogic::lifecycleNeverGoesBack()
{
    QFETCH(int, state);
    QFETCH(qint64, nowMs);
    LifecycleFacts facts;
    facts.provisioned = true;
    const auto step = nextLifecycleStep(leaseIn(LeaseState(state)), nowMs, facts, {});
    QVERIFY2(!step, step ? qPrintable(leaseStateName(step->to)) : "");
}

// A forward jump past the end of the window drains an active lease at once, and a scheduled one
// whose windows all passed ends without ever starting.
void TestFaultLogic::forwardJumpEndsPassedWindows()
{
    LifecycleFacts facts;
    facts.provisioned = true;
    const auto active = nextLifecycleStep(leaseIn(LeaseState::Active), kEnd + 120'000, facts, {});
    QVERIFY(active);
    QCOMPARE(active->to, LeaseState::Draining);
    const auto scheduled =
        nextLifecycleStep(leaseIn(LeaseState::Scheduled), kEnd + 3'600'000, facts, {});
    QVERIFY(scheduled);
    QCOMPARE(scheduled->to, LeaseState::Ended);
}

QTEST_GUILESS_MAIN(TestFaultLogic)
#include "tst_fault_logic.moc"
