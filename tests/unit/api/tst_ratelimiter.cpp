// Token buckets with a stepped clock: bursts, refill, Retry-After, independent keys, a clock that
// steps back, and the bounded table.

#include "api/ratelimiter.h"

#include <QtTest>

using namespace headroom;

class TestRateLimiter final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sequence_data();
    void sequence();
    void keysAreIndependent();
    void peekDoesNotSpend();
    void clockSteppingBackAddsNothing();
    void zeroRateNeverRefills();
    void tableIsBounded();
};

// A script of requests: "a" acquire, "+N" advance N ms; expected: one char per acquire, 'y' or
// 'n', and for refusals the Retry-After in ms.
void TestRateLimiter::sequence_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("burst");
    QTest::addColumn<QStringList>("script");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QList<qint64>>("retryAfter");
    const auto script = [](const char *s) {
        return QString::fromLatin1(s).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    };
    QTest::newRow("burst then refused")
        << 1.0 << 3 << script("a a a a") << QStringLiteral("yyyn") << QList<qint64>{1000};
    QTest::newRow("refill one per second")
        << 1.0 << 2 << script("a a a +500 a +500 a a") << QStringLiteral("yynnyn")
        << QList<qint64>{1000, 500, 1000};
    QTest::newRow("refill caps at burst")
        << 10.0 << 2 << script("a a +60000 a a a") << QStringLiteral("yyyyn") << QList<qint64>{100};
    QTest::newRow("fractional rate") << 0.25 << 1 << script("a a +3000 a +1000 a")
                                     << QStringLiteral("ynny") << QList<qint64>{4000, 1000};
    QTest::newRow("fast rate") << 1000.0 << 5 << script("a a a a a a +1 a")
                               << QStringLiteral("yyyyyny") << QList<qint64>{1};
    QTest::newRow("refusals do not spend")
        << 1.0 << 1 << script("a a a a +1000 a") << QStringLiteral("ynnny")
        << QList<qint64>{1000, 1000, 1000};
}

void TestRateLimiter::sequence()
{
    QFETCH(double, rate);
    QFETCH(int, burst);
    QFETCH(QStringList, script);
    QFETCH(QString, expected);
    QFETCH(QList<qint64>, retryAfter);
    qint64 now = 1'000'000;
    RateLimiter limiter(rate, burst, [&] { return now; });
    QString got;
    QList<qint64> waits;
    for (const QString &step : std::as_const(script)) {
        if (step.startsWith(QLatin1Char('+'))) {
            now += step.mid(1).toLongLong();
            continue;
        }
        const auto d = limiter.acquire("k");
        got += d.allowed ? QLatin1Char('y') : QLatin1Char('n');
        if (!d.allowed)
            waits.append(d.retryAfterMs);
    }
    QCOMPARE(got, expected);
    QCOMPARE(waits, retryAfter);
}

void TestRateLimiter::keysAreIndependent()
{
    qint64 now = 0;
    RateLimiter limiter(1, 1, [&] { return now; });
    QVERIFY(limiter.acquire("purchaser:1").allowed);
    QVERIFY(!limiter.acquire("purchaser:1").allowed);
    QVERIFY(limiter.acquire("purchaser:2").allowed);
    QCOMPARE(limiter.trackedKeys(), 2);
}

void TestRateLimiter::peekDoesNotSpend()
{
    qint64 now = 0;
    RateLimiter limiter(1, 2, [&] { return now; });
    QVERIFY(limiter.peek("a").allowed); // unknown key: a full bucket
    QCOMPARE(limiter.trackedKeys(), 0);
    QVERIFY(limiter.acquire("a").allowed);
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.peek("a").allowed);
    QVERIFY(limiter.acquire("a").allowed);
    const auto d = limiter.peek("a");
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfterMs, qint64(1000));
}

void TestRateLimiter::clockSteppingBackAddsNothing()
{
    qint64 now = 10'000;
    RateLimiter limiter(1, 1, [&] { return now; });
    QVERIFY(limiter.acquire("a").allowed);
    now = 0; // back by 10 s
    QVERIFY(!limiter.acquire("a").allowed);
    now = 999;
    QVERIFY(!limiter.acquire("a").allowed);
    now = 1999;
    QVERIFY(limiter.acquire("a").allowed);
}

void TestRateLimiter::zeroRateNeverRefills()
{
    qint64 now = 0;
    RateLimiter limiter(0, 1, [&] { return now; });
    QVERIFY(limiter.acquire("a").allowed);
    now += 86'400'000;
    const auto d = limiter.acquire("a");
    QVERIFY(!d.allowed);
    QVERIFY(d.retryAfterMs >= 3'600'000);
}

void TestRateLimiter::tableIsBounded()
{
    qint64 now = 0;
    RateLimiter limiter(
        1, 2, [&] { return now; }, 100);
    for (int i = 0; i < 1000; ++i) {
        limiter.acquire(QByteArray::number(i));
        ++now;
    }
    QVERIFY(limiter.trackedKeys() <= 100);
    // The newest keys kept their history: the one just used is still partly spent.
    limiter.acquire("999");
    QVERIFY(!limiter.acquire("999").allowed);
}

QTEST_APPLESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
