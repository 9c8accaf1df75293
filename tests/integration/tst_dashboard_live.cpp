// The console's dashboard on the sandbox's three real HAProxy proxies: steady traffic on
// news.example, a FleetMonitor polling them with the capacities the sandbox registered in its
// database, and the dashboard rendered offscreen with what it measured.

#include "dashboardview.h"
#include "fleet/fleetmonitor.h"
#include "fleetchartview.h"
#include "mainwindow.h"
#include "proxyloadmodel.h"
#include "sandbox/trafficgenerator.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/proxyrepository.h"

#include <QDir>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

using namespace headroom;

class TestDashboardLive final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void dashboardRendersLiveData();
    void cleanupTestCase();

private:
    test::SandboxFixture m_fixture;
};

void TestDashboardLive::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

void TestDashboardLive::cleanupTestCase()
{
    m_fixture.down();
}

void TestDashboardLive::dashboardRendersLiveData()
{
    const SandboxLayout &l = m_fixture.layout();

    // The proxies' capacity and pool, as the console reads them at start-up.
    QList<Proxy> proxies;
    {
        Database db;
        const auto opened = db.open(l.databaseFile());
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        const auto all = ProxyRepository(db).all();
        QVERIFY2(all.ok(), qPrintable(all.error().message));
        proxies = all.value();
    }
    QCOMPARE(proxies.size(), 3);

    // Steady load on the subscriber site, resolved through the sandbox's DNS to all proxies.
    // A minute of polls for the screenshot (the chart spans at least a minute); a dozen otherwise,
    // which is enough to check every figure and keeps the suite short.
    const int polls = qEnvironmentVariableIsSet("HEADROOM_SCREENSHOT_DIR") ? 62 : 12;
    const double seconds = polls + 13;
    const double rate = 360; // 30 % of the three proxies' 1,200 req/s
    QString error;
    TrafficOptions traffic;
    traffic.profile = *LoadProfile::parse(QStringLiteral("steady"), rate, seconds, 600, &error);
    traffic.durationSeconds = seconds;
    traffic.host = l.subscriberZone;
    traffic.httpPort = l.proxies.first().httpPort;
    traffic.resolvers = 300;
    traffic.servers = {{l.ourZone, l.authoritative.address, l.authoritative.port},
                       {l.subscriberZone, l.authoritative.address, l.authoritative.port}};
    TrafficGenerator generator(traffic);

    FleetMonitor monitor;
    monitor.setProxies(proxies);
    monitor.setEndpoints(l.proxies);
    monitor.setPurchaserSites({l.purchaserZone});

    MainWindow window(nullptr, nullptr, nullptr, &monitor);
    window.resize(1440, 900);
    window.showView(MainWindow::View::Dashboard);
    auto *view = qobject_cast<DashboardView *>(window.viewWidget(MainWindow::View::Dashboard));
    QVERIFY(view);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    generator.start();
    QTest::qWait(1500);
    monitor.start();
    QSignalSpy updated(&monitor, &FleetMonitor::updated);
    // The first poll sets the baseline; the next ones measure. Wait for a minute of polls so the
    // chart (which spans at least a minute) has a line worth looking at.
    for (int i = 0; i < polls; ++i)
        QVERIFY(updated.wait(3000));

    ProxyLoadModel *model = view->proxyModel();
    QCOMPARE(model->rowCount(), 3);
    const auto cell = [model](int row, int column, int role = Qt::DisplayRole) {
        return model->data(model->index(row, column), role);
    };
    double fleetLoad = 0;
    for (int row = 0; row < 3; ++row) {
        const QString name = cell(row, ProxyLoadModel::Name).toString();
        QCOMPARE(cell(row, ProxyLoadModel::State).toString(), QStringLiteral("Up"));
        const double load = cell(row, ProxyLoadModel::Load, ProxyLoadModel::SortRole).toDouble();
        QVERIFY2(load > 0, qPrintable(name));
        fleetLoad += load;
        QCOMPARE(cell(row, ProxyLoadModel::Capacity, ProxyLoadModel::SortRole).toDouble(), 400.0);
        QCOMPARE(cell(row, ProxyLoadModel::Capacity).toString(), QStringLiteral("400 req/s"));
        QVERIFY2(cell(row, ProxyLoadModel::Sites).toString().contains(l.subscriberZone),
                 qPrintable(cell(row, ProxyLoadModel::Sites).toString()));
        const double headroom =
            cell(row, ProxyLoadModel::Headroom, ProxyLoadModel::SortRole).toDouble();
        QVERIFY(qAbs(headroom - (0.8 * 400 - load)) < 1e-6); // nothing purchased yet
    }
    QVERIFY2(fleetLoad > 0.7 * rate && fleetLoad < 1.3 * rate,
             qPrintable(QString::number(fleetLoad)));
    QCOMPARE(view->figure(QStringLiteral("proxies")), QStringLiteral("3 / 3"));
    QCOMPARE(view->figure(QStringLiteral("capacity")), QStringLiteral("1,200"));
    QVERIFY(view->chartView()->totalSeries()->count() >= polls - 7);
    QCOMPARE(view->chartView()->capacitySeries()->points().last().y(), 1200.0);

    QTest::qWait(200);
    const QPixmap shot = window.grab();
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), window.size());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-dashboard.png"))));
        // One proxy selected, as an operator drills in.
        view->setSelectedProxy(l.proxies.at(1).name);
        QTest::qWait(100);
        QVERIFY(
            view->grab().save(QDir(dir).filePath(QStringLiteral("console-dashboard-proxy.png"))));
    }
    monitor.stop();
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    generator.stop();
    QVERIFY(!finished.isEmpty() || finished.wait(20000));
}

QTEST_MAIN(TestDashboardLive)
#include "tst_dashboard_live.moc"
