// Load profiles of the traffic generator: the offered rate over time.

#include "sandbox/loadprofile.h"

#include <QtTest>

using namespace headroom;

class TestLoadProfile final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rates_data();
    void rates();
    void badInputIsRefused_data();
    void badInputIsRefused();
    void diurnalIntegratesToItsMean();
};

void TestLoadProfile::rates_data()
{
    QTest::addColumn<QString>("profile");
    QTest::addColumn<double>("duration");
    QTest::addColumn<double>("at");
    QTest::addColumn<double>("expected");
    QTest::newRow("steady start") << QStringLiteral("steady") << 10.0 << 0.0 << 200.0;
    QTest::newRow("steady late") << QStringLiteral("steady") << 10.0 << 9.9 << 200.0;
    QTest::newRow("step before") << QStringLiteral("step") << 10.0 << 4.9 << 100.0;
    QTest::newRow("step after") << QStringLiteral("step") << 10.0 << 5.0 << 200.0;
    QTest::newRow("step unbounded before") << QStringLiteral("step") << 0.0 << 59.0 << 100.0;
    QTest::newRow("step unbounded after") << QStringLiteral("step") << 0.0 << 60.0 << 200.0;
    QTest::newRow("diurnal night") << QStringLiteral("diurnal") << 0.0 << 0.0 << 20.0;
    QTest::newRow("diurnal midday") << QStringLiteral("diurnal") << 0.0 << 300.0 << 200.0;
    QTest::newRow("diurnal next night") << QStringLiteral("diurnal") << 0.0 << 600.0 << 20.0;
}

void TestLoadProfile::rates()
{
    QFETCH(QString, profile);
    QFETCH(double, duration);
    QFETCH(double, at);
    QFETCH(double, expected);
    QString error;
    const auto p = LoadProfile::parse(profile, 200, duration, 600, &error);
    QVERIFY2(p, qPrintable(error));
    QCOMPARE(p->name(), profile);
    QVERIFY2(qAbs(p->rateAt(at) - expected) < 1e-9, qPrintable(QString::number(p->rateAt(at))));
}

void TestLoadProfile::badInputIsRefused_data()
{
    QTest::addColumn<QString>("profile");
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("period");
    QTest::newRow("unknown") << QStringLiteral("sawtooth") << 100.0 << 600.0;
    QTest::newRow("zero rate") << QStringLiteral("steady") << 0.0 << 600.0;
    QTest::newRow("negative rate") << QStringLiteral("steady") << -5.0 << 600.0;
    QTest::newRow("nan rate") << QStringLiteral("steady") << qQNaN() << 600.0;
    QTest::newRow("huge rate") << QStringLiteral("steady") << 1e9 << 600.0;
    QTest::newRow("short period") << QStringLiteral("diurnal") << 100.0 << 0.5;
}

void TestLoadProfile::badInputIsRefused()
{
    QFETCH(QString, profile);
    QFETCH(double, rate);
    QFETCH(double, period);
    QString error;
    QVERIFY(!LoadProfile::parse(profile, rate, 10, period, &error));
    QVERIFY(!error.isEmpty());
}

void TestLoadProfile::diurnalIntegratesToItsMean()
{
    QString error;
    const auto p = LoadProfile::parse(QStringLiteral("diurnal"), 100, 0, 60, &error);
    QVERIFY(p);
    double sum = 0;
    const int steps = 60000;
    for (int i = 0; i < steps; ++i)
        sum += p->rateAt((i + 0.5) * 60.0 / steps) * (60.0 / steps);
    QVERIFY(qAbs(sum / 60 - 55) < 1e-6); // mean 0.55 R over a whole day
}

QTEST_GUILESS_MAIN(TestLoadProfile)
#include "tst_loadprofile.moc"
