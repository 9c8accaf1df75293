#include "fleet/forecast.h"

#include <QTest>
#include <functional>

using namespace headroom;

Q_DECLARE_METATYPE(headroom::HourOfWeekEstimate)

namespace {

using Series = QList<std::pair<qint64, double>>;

// 2025-12-01 00:00 UTC, a Monday.
constexpr qint64 Monday = 1764547200000;
constexpr qint64 MinuteMs = 60 * 1000;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;

// One point a minute for `days` days from `start`; value(day of week 0 = Monday, hour, minute
// index since start) gives the pool headroom.
Series synthetic(int days, const std::function<double(int, int, qint64)> &value,
                 qint64 start = Monday)
{
    Series series;
    const qint64 minutes = qint64(days) * 24 * 60;
    series.reserve(minutes);
    for (qint64 i = 0; i < minutes; ++i) {
        const qint64 at = start + i * MinuteMs;
        const int day = int(((at - Monday) / DayMs) % 7);
        const int hour = int((at / HourMs) % 24);
        series.append({at, value(day, hour, i)});
    }
    return series;
}

// A diurnal shape: a night-time trough of base load leaves 300–345 req/s between 02:00 and
// 06:00, a shoulder of 40 req/s (below the 50 req/s minimum) around it, nothing by day.
double diurnal(int, int hour, qint64 minute)
{
    if (hour >= 2 && hour < 6)
        return 300.0 + double((minute * 7) % 46);
    if (hour == 1 || hour == 6)
        return 40.0;
    return -150.0 + double(minute % 60);
}

QString names(const QList<OfferProposal> &proposals)
{
    QStringList out;
    for (const OfferProposal &proposal : proposals)
        out.append(proposal.describe());
    return out.join(QStringLiteral(" | "));
}

HourOfWeekEstimate estimate(int hourOfWeek, double p10, int weeks = 4)
{
    HourOfWeekEstimate e;
    e.hourOfWeek = hourOfWeek;
    e.p10Headroom = p10;
    e.samples = weeks * 60;
    e.weeks = weeks;
    e.confidence = 0.9;
    return e;
}

// 168 estimates of `p10`; then `hours` (hour of the week → value) set.
QList<HourOfWeekEstimate> flat(double p10, const QList<std::pair<int, double>> &hours = {})
{
    QList<HourOfWeekEstimate> list;
    for (int h = 0; h < HoursPerWeek; ++h)
        list.append(estimate(h, p10));
    for (const auto &[h, value] : hours)
        list[h].p10Headroom = value;
    return list;
}

} // namespace

class TestForecast final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hourOfWeekOfInstants_data();
    void hourOfWeekOfInstants();
    void quantileIsNearestRank_data();
    void quantileIsNearestRank();
    void estimatesCoverEveryHourAndCountWeeks();
    void nonFiniteHeadroomIsIgnored();

    void diurnalFourWeeksGivesOneDailyOffer();
    void weekendOnlyWindowIsPerDay();
    void outliersDoNotMoveTheP10();
    void tooLittleHistoryGivesNoOffer();
    void partlyShortHistoryOffersOnlyKnownDays();
    void windowWrappingMidnight();
    void dailyRateIsTheLowestDay();

    void proposalRules_data();
    void proposalRules();
    void describe_data();
    void describe();
};

void TestForecast::hourOfWeekOfInstants_data()
{
    QTest::addColumn<qint64>("atMs");
    QTest::addColumn<int>("expected");

    QTest::newRow("epoch is Thursday") << qint64(0) << 72;
    QTest::newRow("Monday 00:00") << Monday << 0;
    QTest::newRow("Monday 00:59:59.999") << Monday + HourMs - 1 << 0;
    QTest::newRow("Monday 01:00") << Monday + HourMs << 1;
    QTest::newRow("Tuesday 02:30") << Monday + DayMs + 2 * HourMs + 30 * MinuteMs << 26;
    QTest::newRow("Sunday 23:59") << Monday + 7 * DayMs - MinuteMs << 167;
    QTest::newRow("next Monday") << Monday + 7 * DayMs << 0;
    QTest::newRow("before the epoch") << qint64(-1) << 71;
}

void TestForecast::hourOfWeekOfInstants()
{
    QFETCH(qint64, atMs);
    QFETCH(int, expected);
    QCOMPARE(hourOfWeek(atMs), expected);
}

void TestForecast::quantileIsNearestRank_data()
{
    QTest::addColumn<double>("quantile");
    QTest::addColumn<double>("expected");

    // Ten points 10, 20, ..., 100 (given in scrambled order).
    QTest::newRow("p10 is the smallest of ten") << 0.10 << 10.0;
    QTest::newRow("p25 rounds the rank up") << 0.25 << 30.0;
    QTest::newRow("median") << 0.50 << 50.0;
    QTest::newRow("p0 is the minimum") << 0.0 << 10.0;
    QTest::newRow("p100 is the maximum") << 1.0 << 100.0;
    QTest::newRow("clamped below") << -3.0 << 10.0;
    QTest::newRow("clamped above") << 7.0 << 100.0;
}

void TestForecast::quantileIsNearestRank()
{
    QFETCH(double, quantile);
    QFETCH(double, expected);
    Series series;
    const int order[] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};
    for (int i = 0; i < 10; ++i)
        series.append({Monday + 5 * HourMs + i * MinuteMs, 10.0 * order[i]});
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(series, quantile);
    QCOMPARE(estimates.size(), HoursPerWeek);
    QCOMPARE(estimates.at(5).samples, 10);
    QCOMPARE(estimates.at(5).p10Headroom, expected);
    QCOMPARE(estimates.at(5).confidence, 1.0 - qBound(0.0, quantile, 1.0));
}

void TestForecast::estimatesCoverEveryHourAndCountWeeks()
{
    // Three points in Tuesday 03:00 of three different weeks, two in the same week.
    const int tuesday3 = 24 + 3;
    const Series series = {{Monday + tuesday3 * HourMs, 100.0},
                           {Monday + tuesday3 * HourMs + MinuteMs, 200.0},
                           {Monday + 7 * DayMs + tuesday3 * HourMs, 300.0},
                           {Monday + 21 * DayMs + tuesday3 * HourMs + 59 * MinuteMs, 400.0}};
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(series);
    QCOMPARE(estimates.size(), HoursPerWeek);
    for (int h = 0; h < HoursPerWeek; ++h) {
        QCOMPARE(estimates.at(h).hourOfWeek, h);
        if (h != tuesday3) {
            QCOMPARE(estimates.at(h).samples, 0);
            QCOMPARE(estimates.at(h).weeks, 0);
        }
    }
    QCOMPARE(estimates.at(tuesday3).samples, 4);
    QCOMPARE(estimates.at(tuesday3).weeks, 3);
    QCOMPARE(estimates.at(tuesday3).p10Headroom, 100.0);
}

void TestForecast::nonFiniteHeadroomIsIgnored()
{
    const Series series = {{Monday, qQNaN()}, {Monday + MinuteMs, qInf()}, {Monday + 2, 75.0}};
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(series);
    QCOMPARE(estimates.at(0).samples, 1);
    QCOMPARE(estimates.at(0).p10Headroom, 75.0);
}

void TestForecast::diurnalFourWeeksGivesOneDailyOffer()
{
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(synthetic(28, diurnal));
    for (int day = 0; day < 7; ++day) {
        for (int hour = 2; hour < 6; ++hour) {
            const HourOfWeekEstimate &e = estimates.at(day * 24 + hour);
            QCOMPARE(e.weeks, 4);
            QCOMPARE(e.samples, 4 * 60);
            QVERIFY2(e.p10Headroom >= 300 && e.p10Headroom < 350,
                     qPrintable(QString::number(e.p10Headroom)));
        }
    }
    QStringList notes;
    const QList<OfferProposal> offers =
        proposeOffers(QStringLiteral("edge"), estimates, 50, 2, 50, 3, &notes);
    QCOMPARE(offers.size(), 1);
    const OfferProposal &offer = offers.constFirst();
    QCOMPARE(offer.pool, QStringLiteral("edge"));
    QCOMPARE(offer.rateRps, 300.0);
    QCOMPARE(offer.startHour, 2);
    QCOMPARE(offer.hours, 4);
    QVERIFY(offer.daily);
    QVERIFY(offer.days.isEmpty());
    QCOMPARE(offer.confidence, 0.9);
    QCOMPARE(offer.describe(),
             QStringLiteral("300 req/s free 02:00\u201306:00 daily on pool edge"));
    QVERIFY2(notes.isEmpty(), qPrintable(notes.join(u'\n')));
}

void TestForecast::weekendOnlyWindowIsPerDay()
{
    const auto weekend = [](int day, int hour, qint64) {
        return (day >= 5 && hour >= 10 && hour < 18) ? 500.0 : 10.0;
    };
    const QList<OfferProposal> offers =
        proposeOffers(QStringLiteral("edge"), estimateByHourOfWeek(synthetic(28, weekend)));
    QCOMPARE(offers.size(), 1);
    const OfferProposal &offer = offers.constFirst();
    QVERIFY(!offer.daily);
    QCOMPARE(offer.days, QList<int>({5, 6}));
    QCOMPARE(offer.startHour, 10);
    QCOMPARE(offer.hours, 8);
    QCOMPARE(offer.rateRps, 500.0);
    QCOMPARE(offer.describe(),
             QStringLiteral("500 req/s free 10:00\u201318:00 on Sat, Sun on pool edge"));
}

void TestForecast::outliersDoNotMoveTheP10()
{
    // 400 ± 50 req/s of uniform noise between 02:00 and 06:00; every tenth minute is an outlier,
    // alternately a collapse to −1000 and a spike to +5000 (10 % in all, 5 % below).
    quint32 state = 12345;
    const auto noisy = [&state](int, int hour, qint64 minute) {
        state = state * 1664525u + 1013904223u;
        if (hour < 2 || hour >= 6)
            return 0.0;
        if (minute % 10 == 0)
            return (minute / 10) % 2 == 0 ? -1000.0 : 5000.0;
        return 400.0 + (double(state >> 8) / double(1u << 24) - 0.5) * 100.0;
    };
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(synthetic(28, noisy));
    for (int day = 0; day < 7; ++day) {
        for (int hour = 2; hour < 6; ++hour) {
            const double p10 = estimates.at(day * 24 + hour).p10Headroom;
            // The 5 % collapses fall below the 10th percentile and the spikes above it: it stays
            // in the noise band's lower tail.
            QVERIFY2(p10 >= 350 && p10 < 400, qPrintable(QString::number(p10)));
        }
    }
    const QList<OfferProposal> offers = proposeOffers(QStringLiteral("edge"), estimates);
    QCOMPARE(names(offers), QStringLiteral("350 req/s free 02:00\u201306:00 daily on pool edge"));
}

void TestForecast::tooLittleHistoryGivesNoOffer()
{
    QStringList notes;
    const QList<OfferProposal> offers = proposeOffers(
        QStringLiteral("edge"), estimateByHourOfWeek(synthetic(14, diurnal)), 50, 2, 50, 3, &notes);
    QVERIFY2(offers.isEmpty(), qPrintable(names(offers)));
    QCOMPARE(notes.size(), 1);
    QVERIFY2(notes.constFirst().contains(QStringLiteral("too little history")),
             qPrintable(notes.constFirst()));
    QVERIFY2(notes.constFirst().contains(QStringLiteral("2 of the 3 weeks")),
             qPrintable(notes.constFirst()));

    QVERIFY(proposeOffers(QStringLiteral("edge"), estimateByHourOfWeek({})).isEmpty());
    QVERIFY(proposeOffers(QStringLiteral("edge"), {}).isEmpty());
}

void TestForecast::partlyShortHistoryOffersOnlyKnownDays()
{
    // Twenty days from a Monday: Sundays were seen in two weeks only.
    QStringList notes;
    const QList<OfferProposal> offers = proposeOffers(
        QStringLiteral("edge"), estimateByHourOfWeek(synthetic(20, diurnal)), 50, 2, 50, 3, &notes);
    QCOMPARE(names(offers),
             QStringLiteral("300 req/s free 02:00\u201306:00 on Mon, Tue, Wed, Thu, Fri, Sat on "
                            "pool edge"));
    QCOMPARE(notes.size(), 1);
    QVERIFY2(notes.constFirst().startsWith(QStringLiteral("No offer from Sun 00:00 to Mon 00:00")),
             qPrintable(notes.constFirst()));
}

void TestForecast::windowWrappingMidnight()
{
    const auto night = [](int, int hour, qint64) {
        return (hour >= 22 || hour < 3) ? 275.0 : -20.0;
    };
    const QList<OfferProposal> offers =
        proposeOffers(QStringLiteral("edge"), estimateByHourOfWeek(synthetic(28, night)));
    QCOMPARE(offers.size(), 1);
    QVERIFY(offers.constFirst().daily);
    QCOMPARE(offers.constFirst().startHour, 22);
    QCOMPARE(offers.constFirst().hours, 5);
    QCOMPARE(offers.constFirst().rateRps, 250.0);
    QCOMPARE(offers.constFirst().describe(),
             QStringLiteral("250 req/s free 22:00\u201303:00 daily on pool edge"));
}

void TestForecast::dailyRateIsTheLowestDay()
{
    // The same window every day, with more to spare at the weekend: daily at the weekday rate.
    const auto shape = [](int day, int hour, qint64) {
        if (hour < 2 || hour >= 6)
            return 0.0;
        return day >= 5 ? 800.0 : 320.0;
    };
    const QList<OfferProposal> offers =
        proposeOffers(QStringLiteral("edge"), estimateByHourOfWeek(synthetic(28, shape)));
    QCOMPARE(names(offers), QStringLiteral("300 req/s free 02:00\u201306:00 daily on pool edge"));
}

void TestForecast::proposalRules_data()
{
    QTest::addColumn<QList<HourOfWeekEstimate>>("estimates");
    QTest::addColumn<double>("minRps");
    QTest::addColumn<QString>("expected");

    QTest::newRow("nothing spare") << flat(0) << 50.0 << QString();
    QTest::newRow("spare all week is daily round the clock")
        << flat(120) << 50.0
        << QStringLiteral("100 req/s free from 00:00 for 24 h daily on pool p");
    QTest::newRow("one hour is too short") << flat(0, {{26, 500}}) << 50.0 << QString();
    QTest::newRow("two hours are enough")
        << flat(0, {{26, 500}, {27, 180}}) << 50.0
        << QStringLiteral("150 req/s free 02:00\u201304:00 on Tue on pool p");
    QTest::newRow("below minimum after rounding")
        << flat(0, {{26, 70}, {27, 70}}) << 60.0 << QString();
    QTest::newRow("run over the end of the week")
        << flat(0, {{166, 200}, {167, 200}, {0, 200}, {1, 200}}) << 50.0
        << QStringLiteral("200 req/s free 22:00\u201302:00 on Sun on pool p");
    QTest::newRow("weekend-long run") << [] {
        QList<std::pair<int, double>> hours;
        for (int h = 120; h < 168; ++h)
            hours.append({h, 90});
        return flat(0, hours);
    }() << 50.0 << QStringLiteral("50 req/s free from 00:00 for 48 h on Sat on pool p");
    QTest::newRow("two windows, sorted by start")
        << flat(0, {{30, 100}, {31, 100}, {8, 60}, {9, 60}}) << 50.0
        << QStringLiteral("100 req/s free 06:00\u201308:00 on Tue on pool p | "
                          "50 req/s free 08:00\u201310:00 on Mon on pool p");
    QTest::newRow("too few weeks") << [] {
        QList<HourOfWeekEstimate> list = flat(0, {{26, 500}, {27, 500}});
        list[27].weeks = 2;
        return list;
    }() << 50.0 << QString();
}

void TestForecast::proposalRules()
{
    QFETCH(QList<HourOfWeekEstimate>, estimates);
    QFETCH(double, minRps);
    QFETCH(QString, expected);
    QCOMPARE(names(proposeOffers(QStringLiteral("p"), estimates, minRps)), expected);
}

void TestForecast::describe_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("startHour");
    QTest::addColumn<int>("hours");
    QTest::addColumn<bool>("daily");
    QTest::addColumn<QList<int>>("days");
    QTest::addColumn<QString>("expected");

    QTest::newRow("daily") << 300.0 << 2 << 4 << true << QList<int>()
                           << QStringLiteral("300 req/s free 02:00\u201306:00 daily on pool edge");
    QTest::newRow("days") << 50.0 << 22 << 5 << false << QList<int>{0, 4}
                          << QStringLiteral(
                                 "50 req/s free 22:00\u201303:00 on Mon, Fri on pool edge");
    QTest::newRow("fraction") << 12.5 << 0 << 2 << true << QList<int>()
                              << QStringLiteral(
                                     "12.5 req/s free 00:00\u201302:00 daily on pool edge");
    QTest::newRow("to midnight") << 100.0 << 20 << 4 << true << QList<int>()
                                 << QStringLiteral(
                                        "100 req/s free 20:00\u201300:00 daily on pool edge");
}

void TestForecast::describe()
{
    QFETCH(double, rate);
    QFETCH(int, startHour);
    QFETCH(int, hours);
    QFETCH(bool, daily);
    QFETCH(QList<int>, days);
    QFETCH(QString, expected);
    OfferProposal offer;
    offer.pool = QStringLiteral("edge");
    offer.rateRps = rate;
    offer.startHour = startHour;
    offer.hours = hours;
    offer.daily = daily;
    offer.days = days;
    QCOMPARE(offer.describe(), expected);
}

QTEST_GUILESS_MAIN(TestForecast)
#include "tst_forecast.moc"
