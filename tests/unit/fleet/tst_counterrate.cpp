// Cumulative counters to deltas and rates, across restarts.

#include "fleet/counterrate.h"

#include <QtTest>

using namespace headroom;

Q_DECLARE_METATYPE(QList<quint64>)
Q_DECLARE_METATYPE(QList<bool>)

class TestCounterRate final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sequence_data();
    void sequence();
    void rate();
    void seededCountsFromZero();
};

void TestCounterRate::sequence_data()
{
    QTest::addColumn<QList<quint64>>("readings");
    QTest::addColumn<QList<bool>>("restarted"); // the source says it restarted before reading i
    QTest::addColumn<QList<quint64>>("deltas");
    QTest::addColumn<QList<bool>>("resets");
    QTest::addColumn<quint64>("total");

    const QList<bool> none(6, false);
    QTest::newRow("steady") << QList<quint64>{10, 20, 35, 35, 50} << none
                            << QList<quint64>{0, 10, 15, 0, 15} << QList<bool>{0, 0, 0, 0, 0}
                            << quint64(40);
    QTest::newRow("restart lower")
        << QList<quint64>{100, 150, 7, 20} << none << QList<quint64>{0, 50, 7, 13}
        << QList<bool>{0, 0, 1, 0} << quint64(70);
    QTest::newRow("restart to zero") << QList<quint64>{100, 0, 5} << none << QList<quint64>{0, 0, 5}
                                     << QList<bool>{0, 1, 0} << quint64(5);
    QTest::newRow("two restarts") << QList<quint64>{50, 60, 3, 1, 4} << none
                                  << QList<quint64>{0, 10, 3, 1, 3} << QList<bool>{0, 0, 1, 1, 0}
                                  << quint64(17);
    // A restart whose new count already exceeds the old one is only visible to the caller (new
    // process start time): without the flag it would look like growth of 30 - 20 = 10.
    QTest::newRow("flagged restart above old")
        << QList<quint64>{10, 20, 30} << QList<bool>{false, false, true}
        << QList<quint64>{0, 10, 30} << QList<bool>{0, 0, 1} << quint64(40);
    QTest::newRow("huge values") << QList<quint64>{(quint64(1) << 53) - 10, (quint64(1) << 53)}
                                 << none << QList<quint64>{0, 10} << QList<bool>{0, 0}
                                 << quint64(10);
}

void TestCounterRate::sequence()
{
    QFETCH(QList<quint64>, readings);
    QFETCH(QList<bool>, restarted);
    QFETCH(QList<quint64>, deltas);
    QFETCH(QList<bool>, resets);
    QFETCH(quint64, total);
    CounterRate c;
    quint64 sum = 0;
    for (qsizetype i = 0; i < readings.size(); ++i) {
        const CounterStep s = c.update(readings[i], qint64(i) * 1000000000, restarted.value(i));
        QCOMPARE(s.baseline, i == 0);
        QCOMPARE(s.delta, deltas[i]);
        QCOMPARE(s.reset, resets[i]);
        sum += s.delta;
    }
    QCOMPARE(sum, total);
    QCOMPARE(c.lastReading(), readings.last());
}

void TestCounterRate::rate()
{
    CounterRate c;
    QCOMPARE(c.update(1000, 0).rate, 0.0);
    QCOMPARE(c.update(1150, 1000000000).rate, 150.0);
    QCOMPARE(c.update(1225, 1500000000).rate, 150.0);
    QCOMPARE(c.update(1300, 1500000000).rate, 0.0); // zero interval: no rate, delta still exact
    const CounterStep reset = c.update(40, 2500000000);
    QCOMPARE(reset.delta, 40u);
    QCOMPARE(reset.rate, 40.0);
    c.clear();
    QVERIFY(!c.hasReading());
    QVERIFY(c.update(5, 3000000000).baseline);
}

void TestCounterRate::seededCountsFromZero()
{
    CounterRate c;
    c.seed(0, 0);
    const CounterStep s = c.update(12, 2000000000);
    QVERIFY(!s.baseline);
    QCOMPARE(s.delta, 12u);
    QCOMPARE(s.rate, 6.0);
}

QTEST_GUILESS_MAIN(TestCounterRate)
#include "tst_counterrate.moc"
