// Lease windows and the lifecycle state machine, including catching up on transitions missed
// while no controller ran.
#include "control/lifecycle.h"

#include <QTest>

using namespace headroom;

namespace {

constexpr qint64 H = 3600 * 1000;
constexpr qint64 T0 = 1'800'000'000'000; // a fixed instant

Lease lease(LeaseState state, qint64 start = T0, qint64 end = T0 + 4 * H, int daily = 0)
{
    Lease l;
    l.id = 1;
    l.rateRps = 100;
    l.startsAtMs = start;
    l.endsAtMs = end;
    l.dailyDays = daily;
    l.state = state;
    return l;
}

// Applies steps until the lease stays put, like the controller does in one poll.
Lease settle(Lease l, qint64 now, const LifecycleFacts &facts)
{
    const LifecyclePolicy policy;
    for (int i = 0; i < 10; ++i) {
        const auto step = nextLifecycleStep(l, now, facts, policy);
        if (!step)
            break;
        l.state = step->to;
        if (step->drainUntilMs)
            l.drainUntilMs = step->drainUntilMs;
    }
    return l;
}

} // namespace

class TestLifecycle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void dailyWindows();
    void validation();
    void provisionsAheadOfTheWindow();
    void activeOnceProvisioned();
    void drainsThenEnds();
    void cancellation();
    void catchesUpAfterDowntime();
    void failsWhenItCannotProvision();
};

void TestLifecycle::dailyWindows()
{
    const Lease l = lease(LeaseState::Scheduled, T0, T0 + 4 * H, 3);
    QCOMPARE(l.windowCount(), 3);
    QCOMPARE(l.finalEndMs(), T0 + 2 * Lease::kDayMs + 4 * H);
    QVERIFY(!l.inWindow(T0 - 1));
    QVERIFY(l.inWindow(T0));
    QVERIFY(!l.inWindow(T0 + 4 * H)); // end is exclusive
    QVERIFY(l.inWindow(T0 + Lease::kDayMs + H));
    QVERIFY(!l.inWindow(T0 + Lease::kDayMs + 5 * H));
    QCOMPARE(l.currentOrNextWindow(T0 + 5 * H)->startMs, T0 + Lease::kDayMs);
    QVERIFY(!l.currentOrNextWindow(l.finalEndMs()));
}

void TestLifecycle::validation()
{
    QVERIFY(lease(LeaseState::Scheduled).validate().isEmpty());
    QVERIFY(!lease(LeaseState::Scheduled, T0, T0).validate().isEmpty());
    QVERIFY(!lease(LeaseState::Scheduled, T0, T0 + 25 * H, 2).validate().isEmpty());
    Lease l = lease(LeaseState::Scheduled);
    l.rateRps = std::nan("");
    QVERIFY(!l.validate().isEmpty());
    l.rateRps = -1;
    QVERIFY(!l.validate().isEmpty());
}

void TestLifecycle::provisionsAheadOfTheWindow()
{
    const LifecyclePolicy policy;
    const Lease l = lease(LeaseState::Scheduled);
    QVERIFY(!nextLifecycleStep(l, T0 - policy.provisionLeadMs - 1, {}, policy));
    const auto step = nextLifecycleStep(l, T0 - policy.provisionLeadMs, {}, policy);
    QVERIFY(step);
    QCOMPARE(step->to, LeaseState::Provisioning);
}

void TestLifecycle::activeOnceProvisioned()
{
    const LifecyclePolicy policy;
    const Lease l = lease(LeaseState::Provisioning);
    QVERIFY(!nextLifecycleStep(l, T0, {}, policy));
    LifecycleFacts facts;
    facts.provisioned = true;
    QCOMPARE(nextLifecycleStep(l, T0, facts, policy)->to, LeaseState::Active);
}

void TestLifecycle::drainsThenEnds()
{
    const LifecyclePolicy policy;
    Lease l = lease(LeaseState::Active);
    QVERIFY(!nextLifecycleStep(l, T0 + 4 * H - 1, {}, policy));
    const auto drain = nextLifecycleStep(l, T0 + 4 * H, {}, policy);
    QCOMPARE(drain->to, LeaseState::Draining);
    QCOMPARE(*drain->drainUntilMs, T0 + 4 * H + policy.drainMs);
    l.state = LeaseState::Draining;
    l.drainUntilMs = drain->drainUntilMs;
    QVERIFY(!nextLifecycleStep(l, *l.drainUntilMs - 1, {}, policy));
    QCOMPARE(nextLifecycleStep(l, *l.drainUntilMs, {}, policy)->to, LeaseState::Ended);
}

void TestLifecycle::cancellation()
{
    Lease scheduled = lease(LeaseState::Scheduled);
    scheduled.cancelledAtMs = T0 - H;
    QCOMPARE(settle(scheduled, T0 - H, {}).state, LeaseState::Cancelled);

    Lease active = lease(LeaseState::Active);
    active.cancelledAtMs = T0 + H;
    const Lease draining = settle(active, T0 + H, {});
    QCOMPARE(draining.state, LeaseState::Draining); // answers go home first
    QCOMPARE(settle(draining, *draining.drainUntilMs, {}).state, LeaseState::Cancelled);
}

void TestLifecycle::catchesUpAfterDowntime()
{
    // Scheduled, and the controller comes back after the whole lease: straight to ended.
    QCOMPARE(settle(lease(LeaseState::Scheduled), T0 + 5 * H, {}).state, LeaseState::Ended);
    // Active when the controller died, back after the end: drains (answers home) first.
    QCOMPARE(settle(lease(LeaseState::Active), T0 + 5 * H, {}).state, LeaseState::Draining);
    // Scheduled, back in the middle of the window with the site provisioned: active in one poll.
    LifecycleFacts facts;
    facts.provisioned = true;
    QCOMPARE(settle(lease(LeaseState::Scheduled), T0 + H, facts).state, LeaseState::Active);
    // A daily lease between two windows stays active (its site stays provisioned).
    QCOMPARE(settle(lease(LeaseState::Active, T0, T0 + 4 * H, 3), T0 + 10 * H, facts).state,
             LeaseState::Active);
}

void TestLifecycle::failsWhenItCannotProvision()
{
    LifecycleFacts facts;
    facts.cannotProvision = true;
    facts.failure = QStringLiteral("every proxy slot is taken");
    const auto step =
        nextLifecycleStep(lease(LeaseState::Provisioning), T0, facts, LifecyclePolicy());
    QCOMPARE(step->to, LeaseState::Failed);
    QCOMPARE(step->note, facts.failure);
}

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
