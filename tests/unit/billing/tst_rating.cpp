// Money, rounding and rating (docs/BILLING.md): data tables of good and hostile inputs. Every
// expected figure is worked out by hand from the written rules, not by the code under test.
#include "billing/money.h"
#include "billing/rater.h"
#include "billingtestdata.h"

#include <QTest>
#include <limits>

using namespace headroom;
using namespace headroom::billingtest;

namespace {
constexpr qint64 kMax = std::numeric_limits<qint64>::max();
constexpr qint64 kMin = std::numeric_limits<qint64>::min();
} // namespace

class TestRating final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void divideHalfUp_data();
    void divideHalfUp();
    void addRefusesOverflow();
    void formatDecimal_data();
    void formatDecimal();
    void toMilli_data();
    void toMilli();
    void taxOn_data();
    void taxOn();
    void period_data();
    void period();
    void rateLease_data();
    void rateLease();
    void firmChargeCoversOnlyActiveTime_data();
    void firmChargeCoversOnlyActiveTime();
};

void TestRating::divideHalfUp_data()
{
    QTest::addColumn<qint64>("numerator");
    QTest::addColumn<qint64>("denominator");
    QTest::addColumn<qint64>("expected"); // -1: refused
    QTest::newRow("zero") << qint64(0) << qint64(7) << qint64(0);
    QTest::newRow("below half") << qint64(4) << qint64(10) << qint64(0);
    QTest::newRow("exact half goes up") << qint64(5) << qint64(10) << qint64(1);
    QTest::newRow("1.5 -> 2") << qint64(15) << qint64(10) << qint64(2);
    QTest::newRow("2.5 -> 3, not to even") << qint64(25) << qint64(10) << qint64(3);
    QTest::newRow("1.4999 -> 1") << qint64(14999) << qint64(10000) << qint64(1);
    QTest::newRow("1/3 -> 0") << qint64(1) << qint64(3) << qint64(0);
    QTest::newRow("2/3 -> 1") << qint64(2) << qint64(3) << qint64(1);
    QTest::newRow("odd denominator half") << qint64(3) << qint64(2) << qint64(2);
    QTest::newRow("exact") << qint64(700) << qint64(7) << qint64(100);
    QTest::newRow("largest") << kMax << qint64(1) << kMax;
    QTest::newRow("negative refused") << qint64(-1) << qint64(10) << qint64(-1);
    QTest::newRow("zero denominator refused") << qint64(10) << qint64(0) << qint64(-1);
    QTest::newRow("negative denominator refused") << qint64(10) << qint64(-5) << qint64(-1);
}

void TestRating::divideHalfUp()
{
    QFETCH(qint64, numerator);
    QFETCH(qint64, denominator);
    QFETCH(qint64, expected);
    QString error;
    const auto got = money::divideHalfUp(numerator, denominator, &error);
    if (expected < 0) {
        QVERIFY(!got);
        QVERIFY(!error.isEmpty());
    } else {
        QVERIFY2(got, qPrintable(error));
        QCOMPARE(*got, expected);
    }
}

void TestRating::addRefusesOverflow()
{
    QString error;
    // Beyond qint64: refused, never wrapped.
    QVERIFY(!money::divideHalfUp(Int128(kMax) + 1, 1, &error));
    QVERIFY(error.contains(QLatin1String("overflow")));
    QVERIFY(!money::divideHalfUp(Int128(kMax) * 2 + 1, 2, &error)); // max + 0.5 rounds up
    QCOMPARE(*money::divideHalfUp(Int128(kMax) * 2, 2, &error), kMax);
    QVERIFY(!money::add(kMax, 1, &error));
    QVERIFY(!money::add(kMin, -1, &error));
    QCOMPARE(*money::add(kMax - 1, 1, &error), kMax);
    QVERIFY(!money::multiply(Int128(1) << 100, Int128(1) << 30));
    QVERIFY(money::multiply(Int128(1) << 60, Int128(1) << 60));
}

void TestRating::formatDecimal_data()
{
    QTest::addColumn<qint64>("minor");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<bool>("grouping");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero") << qint64(0) << "EUR" << false << "0.00";
    QTest::newRow("cents") << qint64(5) << "EUR" << false << "0.05";
    QTest::newRow("negative cents") << qint64(-5) << "EUR" << false << "-0.05";
    QTest::newRow("plain") << qint64(123456) << "EUR" << false << "1234.56";
    QTest::newRow("grouped") << qint64(1234567890) << "USD" << true << "12,345,678.90";
    QTest::newRow("negative grouped") << qint64(-123456) << "EUR" << true << "-1,234.56";
    QTest::newRow("yen has no minor unit") << qint64(1200) << "JPY" << true << "1,200";
    QTest::newRow("dinar has three") << qint64(1234) << "BHD" << false << "1.234";
    QTest::newRow("largest") << kMax << "EUR" << false << "92233720368547758.07";
    QTest::newRow("smallest") << kMin << "EUR" << false << "-92233720368547758.08";
}

void TestRating::formatDecimal()
{
    QFETCH(qint64, minor);
    QFETCH(QString, currency);
    QFETCH(bool, grouping);
    QFETCH(QString, expected);
    QCOMPARE(money::formatDecimal(minor, currency, grouping), expected);
    QCOMPARE(money::format(minor, currency),
             currency + QLatin1Char(' ') + money::formatDecimal(minor, currency, true));
}

void TestRating::toMilli_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<qint64>("expected"); // -1: refused
    QTest::newRow("whole") << 100.0 << qint64(100000);
    QTest::newRow("quarter") << 0.25 << qint64(250);
    QTest::newRow("rounds down below half") << 33.3334 << qint64(33333);
    QTest::newRow("rounds half up") << 0.0625 << qint64(63);
    QTest::newRow("zero") << 0.0 << qint64(0);
    QTest::newRow("negative") << -1.0 << qint64(-1);
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << qint64(-1);
    QTest::newRow("infinite") << std::numeric_limits<double>::infinity() << qint64(-1);
    QTest::newRow("too large") << 1e16 << qint64(-1);
}

void TestRating::toMilli()
{
    QFETCH(double, value);
    QFETCH(qint64, expected);
    QString error;
    const auto got = money::toMilli(value, &error);
    if (expected < 0) {
        QVERIFY(!got);
    } else {
        QVERIFY2(got, qPrintable(error));
        QCOMPARE(*got, expected);
    }
}

void TestRating::taxOn_data()
{
    QTest::addColumn<qint64>("subtotal");
    QTest::addColumn<int>("bp");
    QTest::addColumn<qint64>("expected"); // -1: refused
    QTest::newRow("19 % of 10.00") << qint64(1000) << 1900 << qint64(190);
    QTest::newRow("0.19 cent -> 0") << qint64(1) << 1900 << qint64(0);
    QTest::newRow("0.57 cent -> 1") << qint64(3) << 1900 << qint64(1);
    QTest::newRow("exact half -> up") << qint64(5) << 1000 << qint64(1);
    QTest::newRow("1.5 -> 2") << qint64(15) << 1000 << qint64(2);
    QTest::newRow("no tax") << qint64(12345) << 0 << qint64(0);
    QTest::newRow("100 %") << kMax << 10000 << kMax;
    QTest::newRow("rate above 100 % refused") << qint64(100) << 10001 << qint64(-1);
    QTest::newRow("negative rate refused") << qint64(100) << -1 << qint64(-1);
    QTest::newRow("negative subtotal refused") << qint64(-100) << 1900 << qint64(-1);
}

void TestRating::taxOn()
{
    QFETCH(qint64, subtotal);
    QFETCH(int, bp);
    QFETCH(qint64, expected);
    QString error;
    const auto got = headroom::taxOn(subtotal, bp, &error);
    if (expected < 0) {
        QVERIFY(!got);
        QVERIFY(!error.isEmpty());
    } else {
        QVERIFY2(got, qPrintable(error));
        QCOMPARE(*got, expected);
    }
}

void TestRating::period_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("end");
    QTest::newRow("november") << "2026-11" << true << utcMs(2026, 11, 1) << utcMs(2026, 12, 1);
    QTest::newRow("december") << "2026-12" << true << utcMs(2026, 12, 1) << utcMs(2027, 1, 1);
    QTest::newRow("leap february") << "2028-02" << true << utcMs(2028, 2, 1) << utcMs(2028, 3, 1);
    for (const char *bad : {"2026-13", "2026-00", "2026-1", "1999-12", "abcd-ef", "2026-11x", "",
                            "2026-11-01", " 2026-11", "2026/11"})
        QTest::addRow("bad '%s'", bad)
            << QString::fromLatin1(bad) << false << qint64(0) << qint64(0);
}

void TestRating::period()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, start);
    QFETCH(qint64, end);
    QString error;
    const auto p = BillingPeriod::parse(text, &error);
    QCOMPARE(p.has_value(), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(p->name, text);
    QCOMPARE(p->startMs, start);
    QCOMPARE(p->endMs, end);
    QCOMPARE(BillingPeriod::containing(end - 1).name, text);
    QCOMPARE(BillingPeriod::containing(start).name, text);
}

void TestRating::rateLease_data()
{
    QTest::addColumn<bool>("firm");
    QTest::addColumn<double>("rate");
    QTest::addColumn<qint64>("firmPrice");
    QTest::addColumn<qint64>("per1k");
    QTest::addColumn<qint64>("perGb");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("daily");
    QTest::addColumn<qint64>("cancelledAt"); // -1: not cancelled
    QTest::addColumn<bool>("failed");
    QTest::addColumn<qint64>("requests");
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<qint64>("shed");   // 0.001 req/s x ms
    QTest::addColumn<qint64>("charge"); // -1: refused
    QTest::addColumn<qint64>("credit");
    QTest::addColumn<qint64>("quantityMilli");

    const qint64 h10 = utcMs(2026, 3, 10, 10);
    const qint64 h11 = utcMs(2026, 3, 10, 11);
    const qint64 h12 = utcMs(2026, 3, 10, 12);
    const QString eur = QStringLiteral("EUR");
    // Firm: price x rate x hours, rate in 0.001 req/s, time in ms, / 3.6e9, rounded once.
    QTest::newRow("firm 100 req/s for an hour")
        << true << 100.0 << qint64(12) << qint64(0) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(1200) << qint64(0)
        << qint64(100000);
    QTest::newRow("firm 1 req/s for 10 min at 3: 0.5 rounds up")
        << true << 1.0 << qint64(3) << qint64(0) << qint64(0) << eur << h10 << h10 + 600000 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(1) << qint64(0)
        << qint64(167);
    QTest::newRow("firm 1 req/s for 10 min at 2: 0.333 rounds down")
        << true << 1.0 << qint64(2) << qint64(0) << qint64(0) << eur << h10 << h10 + 600000 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(0) << qint64(0)
        << qint64(167);
    QTest::newRow("firm fractional rate 33.3334 -> 33.333 req/s")
        << true << 33.3334 << qint64(3) << qint64(0) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(100) << qint64(0)
        << qint64(33333);
    QTest::newRow("firm window across the month's start counts March only")
        << true << 10.0 << qint64(100) << qint64(0) << qint64(0) << eur << utcMs(2026, 2, 28, 23)
        << utcMs(2026, 3, 1, 1) << 0 << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0)
        << qint64(1000) << qint64(0) << qint64(10000);
    QTest::newRow("daily windows: two of five in March")
        << true << 10.0 << qint64(100) << qint64(0) << qint64(0) << eur << utcMs(2026, 3, 30, 22)
        << utcMs(2026, 3, 30, 23) << 5 << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0)
        << qint64(2000) << qint64(0) << qint64(20000);
    QTest::newRow("cancelled halfway")
        << true << 10.0 << qint64(100) << qint64(0) << qint64(0) << eur << h10 << h12 << 0 << h11
        << false << qint64(0) << qint64(0) << qint64(0) << qint64(1000) << qint64(0)
        << qint64(10000);
    QTest::newRow("failed lease is not charged")
        << true << 10.0 << qint64(100) << qint64(0) << qint64(0) << eur << h10 << h12 << 0
        << qint64(-1) << true << qint64(0) << qint64(0) << qint64(0) << qint64(0) << qint64(0)
        << qint64(0);
    // 40 req/s shed for 600 s: 40,000 x 600,000 = 2.4e10; x 120 / 3.6e9 = 800.
    QTest::newRow("firm shed 40 req/s for 10 minutes")
        << true << 100.0 << qint64(120) << qint64(0) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(24000000000) << qint64(12000)
        << qint64(800) << qint64(100000);
    QTest::newRow("credit never above the charge")
        << true << 100.0 << qint64(120) << qint64(0) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(kMax) << qint64(12000)
        << qint64(12000) << qint64(100000);
    QTest::newRow("firm overflow refused")
        << true << 1e9 << qint64(1000000000000) << qint64(0) << qint64(0) << eur
        << utcMs(2026, 3, 1) << utcMs(2026, 4, 1) << 0 << qint64(-1) << false << qint64(0)
        << qint64(0) << qint64(0) << qint64(-1) << qint64(0) << qint64(0);
    QTest::newRow("price above the limit refused")
        << true << 1.0 << qint64(1000000000001) << qint64(0) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(-1) << qint64(0)
        << qint64(0);
    QTest::newRow("negative price refused")
        << true << 1.0 << qint64(-1) << qint64(0) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(-1) << qint64(0)
        << qint64(0);
    QTest::newRow("bad currency refused")
        << true << 1.0 << qint64(1) << qint64(0) << qint64(0) << "eur" << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(-1) << qint64(0)
        << qint64(0);
    // Best effort: (per1k x requests x 10^6 + perGb x bytes) / 10^9, rounded once.
    QTest::newRow("best effort per 1,000 requests, exact")
        << false << 50.0 << qint64(0) << qint64(250) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(123456) << qint64(0) << qint64(0) << qint64(30864)
        << qint64(0) << qint64(123456);
    QTest::newRow("best effort half a cent rounds up")
        << false << 50.0 << qint64(0) << qint64(250) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(2) << qint64(0) << qint64(0) << qint64(1) << qint64(0)
        << qint64(2);
    QTest::newRow("best effort quarter cent rounds down")
        << false << 50.0 << qint64(0) << qint64(250) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(1) << qint64(0) << qint64(0) << qint64(0) << qint64(0)
        << qint64(1);
    QTest::newRow("best effort per GB")
        << false << 50.0 << qint64(0) << qint64(0) << qint64(10) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(1500000000) << qint64(0) << qint64(15)
        << qint64(0) << qint64(0);
    // 0.5 + 0.5 = 1, where rounding each part would give 2.
    QTest::newRow("best effort rounds once, not per part")
        << false << 50.0 << qint64(0) << qint64(250) << qint64(10) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(2) << qint64(50000000) << qint64(0) << qint64(1)
        << qint64(0) << qint64(2);
    QTest::newRow("best effort without usage")
        << false << 50.0 << qint64(0) << qint64(250) << qint64(10) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(0) << qint64(0) << qint64(0) << qint64(0) << qint64(0)
        << qint64(0);
    QTest::newRow("best effort overflow refused")
        << false << 50.0 << qint64(0) << qint64(1000000000000) << qint64(0) << eur << h10 << h11
        << 0 << qint64(-1) << false << kMax << qint64(0) << qint64(0) << qint64(-1) << qint64(0)
        << qint64(0);
    QTest::newRow("negative usage refused")
        << false << 50.0 << qint64(0) << qint64(250) << qint64(0) << eur << h10 << h11 << 0
        << qint64(-1) << false << qint64(-1) << qint64(0) << qint64(0) << qint64(-1) << qint64(0)
        << qint64(0);
}

void TestRating::rateLease()
{
    QFETCH(bool, firm);
    QFETCH(double, rate);
    QFETCH(qint64, firmPrice);
    QFETCH(qint64, per1k);
    QFETCH(qint64, perGb);
    QFETCH(QString, currency);
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, daily);
    QFETCH(qint64, cancelledAt);
    QFETCH(bool, failed);
    QFETCH(qint64, requests);
    QFETCH(qint64, bytes);
    QFETCH(qint64, shed);
    QFETCH(qint64, charge);
    QFETCH(qint64, credit);
    QFETCH(qint64, quantityMilli);

    RatingInput in;
    in.lease.id = 7;
    in.lease.kind = firm ? LeaseKind::Firm : LeaseKind::BestEffort;
    in.lease.rateRps = rate;
    in.lease.startsAtMs = from;
    in.lease.endsAtMs = to;
    in.lease.dailyDays = daily;
    in.lease.state = failed ? LeaseState::Failed : LeaseState::Ended;
    if (cancelledAt >= 0)
        in.lease.cancelledAtMs = cancelledAt;
    in.siteName = QStringLiteral("shop.example");
    in.tariff = Tariff{currency, firmPrice, per1k, perGb};
    QString error;
    in.period = *BillingPeriod::parse(QStringLiteral("2026-03"), &error);
    in.usage = UsageTotals{requests, bytes, 1};
    in.shedMilliRpsMs = shed;
    in.activeFromMs = 0; // active since before any window

    const auto line = headroom::rateLease(in, &error);
    if (charge < 0) {
        QVERIFY(!line);
        QVERIFY(!error.isEmpty());
        return;
    }
    QVERIFY2(line, qPrintable(error));
    QCOMPARE(line->leaseId, qint64(7));
    QCOMPARE(line->chargeMinor, charge);
    QCOMPARE(line->creditMinor, credit);
    QCOMPARE(line->amountMinor, charge - credit);
    QCOMPARE(line->quantityMilli, quantityMilli);
    QCOMPARE(line->requests, requests);
    QCOMPARE(line->bytes, bytes);
    QVERIFY(line->description.contains(QLatin1String("shop.example")));
}

// A firm lease is charged only while it was active: not while provisioning, not after it stopped,
// not at all if it never became active. 10 req/s at 1.00 per req/s-hour: 1000 per hour.
void TestRating::firmChargeCoversOnlyActiveTime_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("daily");
    QTest::addColumn<qint64>("activeFrom");  // -1: never active
    QTest::addColumn<qint64>("activeUntil"); // -1: still active
    QTest::addColumn<qint64>("charge");
    const qint64 h10 = utcMs(2026, 3, 10, 10);
    const qint64 h12 = utcMs(2026, 3, 10, 12);
    QTest::newRow("never active") << h10 << h12 << 0 << qint64(-1) << qint64(-1) << qint64(0);
    QTest::newRow("active before the window")
        << h10 << h12 << 0 << h10 - 60000 << qint64(-1) << qint64(2000);
    QTest::newRow("provisioned 30 minutes late")
        << h10 << h12 << 0 << h10 + 1800000 << qint64(-1) << qint64(1500);
    QTest::newRow("stopped after an hour")
        << h10 << h12 << 0 << h10 << h10 + 3600000 << qint64(1000);
    QTest::newRow("active only on the last daily window of March")
        << utcMs(2026, 3, 30, 22) << utcMs(2026, 3, 30, 23) << 5 << utcMs(2026, 3, 31, 22, 30)
        << qint64(-1) << qint64(500);
}

void TestRating::firmChargeCoversOnlyActiveTime()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, daily);
    QFETCH(qint64, activeFrom);
    QFETCH(qint64, activeUntil);
    QFETCH(qint64, charge);
    RatingInput in;
    in.lease.id = 3;
    in.lease.kind = LeaseKind::Firm;
    in.lease.rateRps = 10;
    in.lease.startsAtMs = from;
    in.lease.endsAtMs = to;
    in.lease.dailyDays = daily;
    in.lease.state = LeaseState::Ended;
    in.siteName = QStringLiteral("shop.example");
    in.tariff = Tariff{QStringLiteral("EUR"), 100, 0, 0};
    QString error;
    in.period = *BillingPeriod::parse(QStringLiteral("2026-03"), &error);
    if (activeFrom >= 0)
        in.activeFromMs = activeFrom;
    if (activeUntil >= 0)
        in.activeUntilMs = activeUntil;
    const auto line = headroom::rateLease(in, &error);
    QVERIFY2(line, qPrintable(error));
    QCOMPARE(line->chargeMinor, charge);
    QCOMPARE(line->description.contains(QLatin1String("never active")), activeFrom < 0);
}

QTEST_GUILESS_MAIN(TestRating)
#include "tst_rating.moc"
