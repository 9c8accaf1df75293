#include "statusbarhealth.h"
#include "statuspresentation.h"
#include "uitestdata.h"

#include <QLabel>
#include <QTest>

using namespace headroom;

class TestStatusBarHealth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void saysWhenNothingIsMonitored();
    void oneIndicatorPerEndpoint();
    void indicatorsFollowChanges();
};

void TestStatusBarHealth::saysWhenNothingIsMonitored()
{
    StatusBarHealth health(nullptr);
    health.show();
    QVERIFY(QTest::qWaitForWindowExposed(&health));
    QCOMPARE(health.indicatorCount(), 0);
    const auto labels = health.findChildren<QLabel *>();
    QCOMPARE(labels.size(), 1);
    QVERIFY(labels.first()->isVisible());
}

void TestStatusBarHealth::oneIndicatorPerEndpoint()
{
    StatusBarHealth health(nullptr);
    health.show();
    const QList<EndpointHealth> endpoints = testdata::sampleEndpoints();
    health.setEndpoints(endpoints);
    QCOMPARE(health.indicatorCount(), endpoints.size());
    const auto indicators = health.findChildren<QLabel *>(QStringLiteral("healthIndicator"));
    QCOMPARE(indicators.size(), endpoints.size());
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        const QLabel *label = indicators[i];
        QVERIFY(label->text().contains(endpoints[i].name));
        QVERIFY(
            label->text().contains(presentation::color(presentation::grade(endpoints[i])).name()));
        QVERIFY(label->toolTip().contains(presentation::addressText(endpoints[i])));
    }
    QVERIFY(indicators[0]->text().contains(QStringLiteral(" ms")));
    QVERIFY(indicators[3]->text().contains(QStringLiteral("down")));
}

void TestStatusBarHealth::indicatorsFollowChanges()
{
    StatusBarHealth health(nullptr);
    QList<EndpointHealth> endpoints = testdata::sampleEndpoints();
    health.setEndpoints(endpoints);
    endpoints.resize(2);
    endpoints[1].state = EndpointHealth::State::Down;
    health.setEndpoints(endpoints);
    QCOMPARE(health.indicatorCount(), 2);
    QCOMPARE(health.findChildren<QLabel *>(QStringLiteral("healthIndicator")).size(), 2);
    health.setEndpoints({});
    QCOMPARE(health.indicatorCount(), 0);

    HealthMonitor monitor;
    StatusBarHealth followed(&monitor);
    Q_EMIT monitor.changed();
    QCOMPARE(followed.indicatorCount(), monitor.endpoints().size());
}

QTEST_MAIN(TestStatusBarHealth)
#include "tst_statusbarhealth.moc"
