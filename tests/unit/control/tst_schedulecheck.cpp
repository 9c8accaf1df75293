// checkSchedule(): a proposed lease against a pool's hour-of-week forecast and the pool's other
// leases; which leases count, where the time is cut, how conflicts merge and read.

#include "control/schedulecheck.h"

#include <QTest>

using namespace headroom;

Q_DECLARE_METATYPE(headroom::Lease)

namespace {

// 2025-12-01 00:00 UTC, a Monday.
constexpr qint64 Monday = 1764547200000;
constexpr qint64 MinuteMs = 60 * 1000;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;
constexpr qint64 Tuesday = Monday + DayMs;

// 168 hours of `rps` headroom from four weeks of history.
QList<HourOfWeekEstimate> flat(double rps, int weeks = 4)
{
    QList<HourOfWeekEstimate> estimates;
    for (int h = 0; h < HoursPerWeek; ++h) {
        HourOfWeekEstimate e;
        e.hourOfWeek = h;
        e.p10Headroom = rps;
        e.samples = weeks * 60;
        e.weeks = weeks;
        estimates.append(e);
    }
    return estimates;
}

Lease lease(qint64 id, double rps, qint64 startMs, qint64 endMs, LeaseKind kind = LeaseKind::Firm,
            const QString &pool = QStringLiteral("edge"))
{
    Lease l;
    l.id = id;
    l.siteId = 1;
    l.siteName = QStringLiteral("shop.example");
    l.pool = pool;
    l.rateRps = rps;
    l.startsAtMs = startMs;
    l.endsAtMs = endMs;
    l.kind = kind;
    return l;
}

QStringList sentences(const QList<ScheduleConflict> &conflicts)
{
    QStringList out;
    for (const ScheduleConflict &c : conflicts)
        out.append(c.describe());
    return out;
}

} // namespace

class TestScheduleCheck final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fitsUnderTheForecast();
    void exactlyTheForecastFits();
    void overlapOverTheForecast();
    void aloneOverTheForecast();
    void whichLeasesCount_data();
    void whichLeasesCount();
    void cutsAtLeaseEdgesInsideAnHour();
    void forecastRangeInOneStretch();
    void stretchesSplitWhereTheLeasedRateChanges();
    void unknownHours();
    void shortEstimateListIsUnknown();
    void dailyLeases();
    void notBeforeClipsThePast();
    void acrossMidnight();
    void describeMany();
};

void TestScheduleCheck::fitsUnderTheForecast()
{
    const Lease proposed = lease(0, 100, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs);
    const QList<Lease> others{lease(2, 150, Tuesday + HourMs, Tuesday + 5 * HourMs)};
    QVERIFY(checkSchedule(proposed, others, flat(300)).isEmpty());
}

void TestScheduleCheck::exactlyTheForecastFits()
{
    const Lease proposed = lease(0, 100, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs);
    const QList<Lease> others{lease(2, 200, Tuesday + HourMs, Tuesday + 5 * HourMs)};
    QVERIFY(checkSchedule(proposed, others, flat(300)).isEmpty());
}

void TestScheduleCheck::overlapOverTheForecast()
{
    const Lease proposed = lease(1, 250, Tuesday + HourMs, Tuesday + 5 * HourMs);
    const QList<Lease> others{lease(2, 200, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs)};
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, others, flat(300));
    QCOMPARE(conflicts.size(), 1);
    const ScheduleConflict &c = conflicts.first();
    QCOMPARE(c.kind, ScheduleConflict::Kind::OverForecast);
    QCOMPARE(c.startMs, Tuesday + 2 * HourMs);
    QCOMPARE(c.endMs, Tuesday + 4 * HourMs);
    QCOMPARE(c.leasedRps, 450.0);
    QCOMPARE(c.forecastMinRps, 300.0);
    QCOMPARE(c.forecastMaxRps, 300.0);
    QCOMPARE(c.shortfallRps, 150.0);
    QCOMPARE(c.describe(), QStringLiteral("Tue 02:00–04:00: 450 req/s leased, 300 req/s forecast"));
}

void TestScheduleCheck::aloneOverTheForecast()
{
    const Lease proposed = lease(1, 400.5, Tuesday + 2 * HourMs, Tuesday + 3 * HourMs);
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, {}, flat(300));
    QCOMPARE(sentences(conflicts), QStringList{QStringLiteral(
                                       "Tue 02:00–03:00: 400.5 req/s leased, 300 req/s forecast")});
}

void TestScheduleCheck::whichLeasesCount_data()
{
    QTest::addColumn<Lease>("other");
    QTest::addColumn<bool>("countBestEffort");
    QTest::addColumn<bool>("counted");

    const Lease firm = lease(2, 200, Tuesday, Tuesday + 6 * HourMs);
    QTest::newRow("firm, same pool") << firm << false << true;
    Lease bestEffort = firm;
    bestEffort.kind = LeaseKind::BestEffort;
    QTest::newRow("best-effort") << bestEffort << false << false;
    QTest::newRow("best-effort, counted by option") << bestEffort << true << true;
    Lease otherPool = firm;
    otherPool.pool = QStringLiteral("fra");
    QTest::newRow("other pool") << otherPool << false << false;
    Lease itself = firm;
    itself.id = 1;
    QTest::newRow("the proposed lease itself") << itself << false << false;
    for (const LeaseState state : {LeaseState::Ended, LeaseState::Cancelled, LeaseState::Failed}) {
        Lease terminal = firm;
        terminal.state = state;
        QTest::newRow(qPrintable(leaseStateName(state))) << terminal << false << false;
    }
    for (const LeaseState state :
         {LeaseState::Provisioning, LeaseState::Active, LeaseState::Draining}) {
        Lease open = firm;
        open.state = state;
        QTest::newRow(qPrintable(leaseStateName(state))) << open << false << true;
    }
    Lease cancelling = firm;
    cancelling.state = LeaseState::Active;
    cancelling.cancelledAtMs = Tuesday;
    QTest::newRow("being cancelled") << cancelling << false << false;
}

void TestScheduleCheck::whichLeasesCount()
{
    QFETCH(Lease, other);
    QFETCH(bool, countBestEffort);
    QFETCH(bool, counted);
    const Lease proposed = lease(1, 200, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs);
    ScheduleCheckOptions options;
    options.countBestEffort = countBestEffort;
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, {other}, flat(300), options);
    QCOMPARE(!conflicts.isEmpty(), counted);
    if (counted)
        QCOMPARE(conflicts.first().leasedRps, 400.0);
}

void TestScheduleCheck::cutsAtLeaseEdgesInsideAnHour()
{
    // The other lease runs 02:30–03:15: only that part of the proposed window is short.
    const Lease proposed = lease(1, 200, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs);
    const QList<Lease> others{
        lease(2, 150, Tuesday + 2 * HourMs + 30 * MinuteMs, Tuesday + 3 * HourMs + 15 * MinuteMs)};
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, others, flat(300));
    QCOMPARE(conflicts.size(), 1);
    QCOMPARE(conflicts.first().startMs, Tuesday + 2 * HourMs + 30 * MinuteMs);
    QCOMPARE(conflicts.first().endMs, Tuesday + 3 * HourMs + 15 * MinuteMs);
    QCOMPARE(conflicts.first().describe(),
             QStringLiteral("Tue 02:30–03:15: 350 req/s leased, 300 req/s forecast"));

    // Back to back with the proposed lease is no overlap.
    const QList<Lease> adjacent{lease(3, 250, Tuesday, Tuesday + 2 * HourMs),
                                lease(4, 250, Tuesday + 4 * HourMs, Tuesday + 6 * HourMs)};
    QVERIFY(checkSchedule(proposed, adjacent, flat(300)).isEmpty());
}

void TestScheduleCheck::forecastRangeInOneStretch()
{
    QList<HourOfWeekEstimate> estimates = flat(500);
    const int tue2 = 24 + 2;
    estimates[tue2].p10Headroom = 300;
    estimates[tue2 + 1].p10Headroom = 280;
    const Lease proposed = lease(1, 450, Tuesday + 2 * HourMs, Tuesday + 5 * HourMs);
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, {}, estimates);
    QCOMPARE(conflicts.size(), 1);
    QCOMPARE(conflicts.first().forecastMinRps, 280.0);
    QCOMPARE(conflicts.first().forecastMaxRps, 300.0);
    QCOMPARE(conflicts.first().shortfallRps, 170.0);
    QCOMPARE(conflicts.first().describe(),
             QStringLiteral("Tue 02:00–04:00: 450 req/s leased, 280–300 req/s forecast"));
}

void TestScheduleCheck::stretchesSplitWhereTheLeasedRateChanges()
{
    const Lease proposed = lease(1, 250, Tuesday + 2 * HourMs, Tuesday + 6 * HourMs);
    const QList<Lease> others{lease(2, 100, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs),
                              lease(3, 200, Tuesday + 3 * HourMs, Tuesday + 5 * HourMs)};
    QCOMPARE(
        sentences(checkSchedule(proposed, others, flat(300))),
        (QStringList{QStringLiteral("Tue 02:00–03:00: 350 req/s leased, 300 req/s forecast"),
                     QStringLiteral("Tue 03:00–04:00: 550 req/s leased, 300 req/s forecast"),
                     QStringLiteral("Tue 04:00–05:00: 450 req/s leased, 300 req/s forecast")}));
}

void TestScheduleCheck::unknownHours()
{
    QList<HourOfWeekEstimate> estimates = flat(1000);
    // Tuesday 03:00 has only two weeks of history; 04:00 none at all.
    estimates[24 + 3].weeks = 2;
    estimates[24 + 4] = HourOfWeekEstimate{24 + 4, 0, 0, 0, 0.9};
    const Lease proposed = lease(1, 100, Tuesday + 2 * HourMs, Tuesday + 6 * HourMs);
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, {}, estimates);
    QCOMPARE(conflicts.size(), 1);
    QCOMPARE(conflicts.first().kind, ScheduleConflict::Kind::NoForecast);
    QCOMPARE(conflicts.first().shortfallRps, 0.0);
    QCOMPARE(conflicts.first().describe(),
             QStringLiteral("Tue 03:00–05:00: 100 req/s leased, no forecast (too little history)"));

    // Two weeks are enough when the caller says so; the empty hour stays unknown.
    ScheduleCheckOptions lenient;
    lenient.minWeeks = 2;
    QCOMPARE(sentences(checkSchedule(proposed, {}, estimates, lenient)),
             QStringList{QStringLiteral(
                 "Tue 04:00–05:00: 100 req/s leased, no forecast (too little history)")});
}

void TestScheduleCheck::shortEstimateListIsUnknown()
{
    const Lease proposed = lease(1, 100, Tuesday + 2 * HourMs, Tuesday + 3 * HourMs);
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, {}, {});
    QCOMPARE(conflicts.size(), 1);
    QCOMPARE(conflicts.first().kind, ScheduleConflict::Kind::NoForecast);
}

void TestScheduleCheck::dailyLeases()
{
    // 02:00–04:00 on Tue, Wed and Thu; a one-off lease on Wednesday night takes the room.
    Lease proposed = lease(1, 200, Tuesday + 2 * HourMs, Tuesday + 4 * HourMs);
    proposed.dailyDays = 3;
    const qint64 wednesday = Tuesday + DayMs;
    const QList<Lease> others{lease(2, 200, wednesday + 3 * HourMs, wednesday + 8 * HourMs)};
    QCOMPARE(sentences(checkSchedule(proposed, others, flat(300))),
             QStringList{QStringLiteral("Wed 03:00–04:00: 400 req/s leased, 300 req/s forecast")});

    // A daily lease in `others` counts on each of its days.
    Lease daily = lease(3, 200, Monday + 3 * HourMs, Monday + 5 * HourMs);
    daily.dailyDays = 7;
    const Lease oneOff = lease(4, 150, Tuesday + 22 * HourMs, Tuesday + 30 * HourMs);
    QCOMPARE(sentences(checkSchedule(oneOff, {daily}, flat(300))),
             QStringList{QStringLiteral("Wed 03:00–05:00: 350 req/s leased, 300 req/s forecast")});
}

void TestScheduleCheck::notBeforeClipsThePast()
{
    const Lease proposed = lease(1, 400, Tuesday + 2 * HourMs, Tuesday + 6 * HourMs);
    ScheduleCheckOptions options;
    options.notBeforeMs = Tuesday + 4 * HourMs + 30 * MinuteMs;
    QCOMPARE(sentences(checkSchedule(proposed, {}, flat(300), options)),
             QStringList{QStringLiteral("Tue 04:30–06:00: 400 req/s leased, 300 req/s forecast")});
    options.notBeforeMs = Tuesday + 6 * HourMs;
    QVERIFY(checkSchedule(proposed, {}, flat(300), options).isEmpty());
}

void TestScheduleCheck::acrossMidnight()
{
    const Lease proposed = lease(1, 400, Tuesday + 23 * HourMs, Tuesday + 25 * HourMs);
    QCOMPARE(
        sentences(checkSchedule(proposed, {}, flat(300))),
        QStringList{QStringLiteral("Tue 23:00–Wed 01:00: 400 req/s leased, 300 req/s forecast")});
    const Lease toMidnight = lease(1, 400, Tuesday + 22 * HourMs, Tuesday + 24 * HourMs);
    QCOMPARE(sentences(checkSchedule(toMidnight, {}, flat(300))),
             QStringList{QStringLiteral("Tue 22:00–24:00: 400 req/s leased, 300 req/s forecast")});
    // Sunday night into Monday wraps the hour of the week.
    const qint64 sunday = Monday + 6 * DayMs;
    QList<HourOfWeekEstimate> estimates = flat(1000);
    estimates[167].p10Headroom = 300;
    estimates[0].p10Headroom = 300;
    const Lease wrap = lease(1, 400, sunday + 22 * HourMs, sunday + 26 * HourMs);
    QCOMPARE(
        sentences(checkSchedule(wrap, {}, estimates)),
        QStringList{QStringLiteral("Sun 23:00–Mon 01:00: 400 req/s leased, 300 req/s forecast")});
}

void TestScheduleCheck::describeMany()
{
    Lease proposed = lease(1, 400, Monday + 2 * HourMs, Monday + 3 * HourMs);
    proposed.dailyDays = 5;
    const QList<ScheduleConflict> conflicts = checkSchedule(proposed, {}, flat(300));
    QCOMPARE(conflicts.size(), 5);
    QCOMPARE(describeConflicts(conflicts, 2),
             QStringLiteral("Mon 02:00–03:00: 400 req/s leased, 300 req/s forecast; "
                            "Tue 02:00–03:00: 400 req/s leased, 300 req/s forecast; and 3 more"));
    QCOMPARE(describeConflicts({}), QString());
}

QTEST_GUILESS_MAIN(TestScheduleCheck)
#include "tst_schedulecheck.moc"
