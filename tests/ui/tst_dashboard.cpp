// The dashboard's fleet parts with synthetic polls fed into a FleetMonitor: the monitor's
// arithmetic and bounded history, ProxyLoadModel under QAbstractItemModelTester, the chart
// following polls, range and selection, and 200 proxies at 60 polls through the whole view.

#include "dashboardview.h"
#include "fleet/fleetmonitor.h"
#include "fleetchartview.h"
#include "mainwindow.h"
#include "proxyloadmodel.h"

#include <QAbstractItemModelTester>
#include <QButtonGroup>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

using namespace headroom;

namespace {

const qint64 kStartMs = QDateTime(QDate(2024, 5, 1), QTime(14, 0, 0), Qt::UTC).toMSecsSinceEpoch();
const QString kNews = QStringLiteral("news.example");
const QString kShop = QStringLiteral("shop.example");

QString proxyName(int i)
{
    return QStringLiteral("proxy%1").arg(i + 1, 3, 10, QLatin1Char('0'));
}

QList<Proxy> proxies(int count, double capacity = 400)
{
    QList<Proxy> list;
    for (int i = 0; i < count; ++i) {
        Proxy p;
        p.name = proxyName(i);
        p.capacityRps = capacity;
        p.pool = QStringLiteral("sandbox");
        list.append(p);
    }
    return list;
}

// One poll: proxy i serves news at 100 + 10 i (+ the poll, so values move) and shop at 20.
QList<ProxyLoad> poll(int count, quint64 number, bool baseline = false)
{
    QList<ProxyLoad> loads;
    for (int i = 0; i < count; ++i) {
        ProxyLoad l;
        l.name = proxyName(i);
        l.state = ProxyLoad::State::Up;
        l.scraped = true;
        l.baseline = baseline;
        l.poll = number;
        const double news = 100 + 10 * i + double(number % 5);
        l.sites.insert(kNews, {news, 0, 0, 0});
        l.sites.insert(kShop, {20, 0, 0, 0});
        l.requestRate = news + 20;
        l.currentConnections = 5 + i;
        loads.append(l);
    }
    return loads;
}

void feed(FleetMonitor &monitor, int proxies, int polls, qint64 fromMs = kStartMs)
{
    monitor.ingest(poll(proxies, 0, true), fromMs);
    for (int n = 1; n <= polls; ++n)
        monitor.ingest(poll(proxies, quint64(n)), fromMs + n * 1000);
}

} // namespace

class TestDashboard final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void monitorSplitsLoad();
    void monitorHistoryIsBounded();
    void monitorDownProxyHasNoCapacity();
    void modelUnderTester();
    void modelOneChangePerPoll();
    void chartFollowsPolls();
    void rangeSwitching();
    void selectionSync();
    void hoverShowsValues();
    void withoutFleet();
    void mainWindowPassesTheFleet();
    void twoHundredProxies();
};

void TestDashboard::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestDashboard::monitorSplitsLoad()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(3));
    monitor.setPurchaserSites({kShop});
    QSignalSpy updated(&monitor, &FleetMonitor::updated);
    monitor.ingest(poll(3, 0, true), kStartMs);
    QCOMPARE(updated.size(), 1);
    // The first read only sets a baseline: no rates yet.
    QVERIFY(!monitor.snapshot().first().hasLoad);
    QVERIFY(monitor.series(QString(), FleetRange::FiveMinutes).isEmpty());

    monitor.ingest(poll(3, 1), kStartMs + 1000);
    const QList<ProxySnapshot> rows = monitor.snapshot();
    QCOMPARE(rows.size(), 3);
    const ProxySnapshot &p2 = rows.at(1);
    QCOMPARE(p2.name, QStringLiteral("proxy002"));
    QCOMPARE(p2.state, ProxyLoad::State::Up);
    QCOMPARE(p2.capacityRps, 400.0);
    QCOMPARE(p2.pool, QStringLiteral("sandbox"));
    QCOMPARE(p2.totalRps, 131.0);
    QCOMPARE(p2.purchaserRps, 20.0);
    QCOMPARE(p2.baseRps, 111.0);
    QCOMPARE(p2.headroomRps, 0.8 * 400 - 111.0);
    QCOMPARE(p2.sites.first().first, kNews); // busiest first
    QCOMPARE(ProxyLoadModel::sitesText(p2), QStringLiteral("news.example 111 · shop.example 20"));

    const ProxySnapshot total = monitor.fleetTotal();
    QCOMPARE(total.capacityRps, 1200.0);
    QCOMPARE(total.totalRps, 121.0 + 131.0 + 141.0);
    QCOMPARE(total.purchaserRps, 60.0);
    QCOMPARE(total.headroomRps, 0.8 * 1200 - (total.totalRps - 60));
    QCOMPARE(monitor.upCount(), 3);

    monitor.setTargetUtilisation(0.5);
    monitor.ingest(poll(3, 2), kStartMs + 2000);
    QCOMPARE(monitor.snapshot().at(1).headroomRps, 0.5 * 400 - 112.0);
    const QList<FleetPoint> series =
        monitor.series(QStringLiteral("proxy002"), FleetRange::FiveMinutes);
    QCOMPARE(series.size(), 2);
    QCOMPARE(series.last().atMs, kStartMs + 2000);
    QCOMPARE(series.last().totalRps, 132.0f);
    QCOMPARE(monitor.series(QString(), FleetRange::FiveMinutes).size(), 2);
    QVERIFY(monitor.series(QStringLiteral("nope"), FleetRange::FiveMinutes).isEmpty());
}

void TestDashboard::monitorHistoryIsBounded()
{
    // 26 hours of polls every 2 s for one proxy: each range keeps its window at its resolution.
    FleetMonitor monitor;
    monitor.setProxies(proxies(1));
    const qint64 step = 2000;
    const qint64 polls = 26 * 3600 * 1000 / step;
    monitor.ingest(poll(1, 0, true), kStartMs);
    for (qint64 n = 1; n <= polls; ++n)
        monitor.ingest(poll(1, quint64(n)), kStartMs + n * step);
    const qint64 end = kStartMs + polls * step;
    QCOMPARE(monitor.lastPollMs(), end);

    const auto check = [&](FleetRange range, int minimum, int maximum) {
        const QList<FleetPoint> s = monitor.series(proxyName(0), range);
        QVERIFY2(s.size() >= minimum && s.size() <= maximum, qPrintable(QString::number(s.size())));
        QVERIFY(s.first().atMs >= end - rangeMs(range) - resolutionMs(range));
        QVERIFY(s.last().atMs <= end && s.last().atMs > end - resolutionMs(range));
        for (qsizetype i = 1; i < s.size(); ++i)
            QVERIFY(s.at(i).atMs > s.at(i - 1).atMs);
    };
    check(FleetRange::FiveMinutes, 149, 151);
    check(FleetRange::OneHour, 359, 362);
    check(FleetRange::Day, 1439, 1442);
    // Averages of 101..104 and 120 around the minute.
    const FleetPoint p = monitor.series(proxyName(0), FleetRange::Day).at(100);
    QVERIFY(p.totalRps > 119 && p.totalRps < 125);
    QCOMPARE(p.capacityRps, 400.0f);
}

void TestDashboard::monitorDownProxyHasNoCapacity()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(2));
    feed(monitor, 2, 2);
    QList<ProxyLoad> loads = poll(2, 3);
    loads[1].state = ProxyLoad::State::Down;
    loads[1].scraped = false;
    loads[1].error = QStringLiteral("connection refused");
    monitor.ingest(loads, kStartMs + 3000);
    const ProxySnapshot down = monitor.snapshot().at(1);
    QCOMPARE(down.state, ProxyLoad::State::Down);
    QCOMPARE(down.totalRps, 0.0);
    QCOMPARE(down.error, QStringLiteral("connection refused"));
    QCOMPARE(monitor.upCount(), 1);
    QCOMPARE(monitor.fleetTotal().capacityRps, 400.0);
    QCOMPARE(monitor.fleetTotal().totalRps, 123.0);
}

void TestDashboard::modelUnderTester()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(3));
    ProxyLoadModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSnapshots(monitor.snapshot());
    QCOMPARE(model.rowCount(), 0);
    feed(monitor, 3, 2);
    model.setSnapshots(monitor.snapshot());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(ProxyLoadModel::ColumnCount));
    const auto text = [&model](int row, int column) {
        return model.data(model.index(row, column)).toString();
    };
    QCOMPARE(text(0, ProxyLoadModel::Name), QStringLiteral("proxy001"));
    QCOMPARE(text(0, ProxyLoadModel::State), QStringLiteral("Up"));
    QCOMPARE(text(0, ProxyLoadModel::Load), QStringLiteral("122 req/s"));
    QCOMPARE(text(0, ProxyLoadModel::Capacity), QStringLiteral("400 req/s"));
    QCOMPARE(text(0, ProxyLoadModel::Utilisation), QStringLiteral("31 %"));
    QCOMPARE(text(0, ProxyLoadModel::Headroom), QStringLiteral("198 req/s"));
    QCOMPARE(text(0, ProxyLoadModel::Connections), QStringLiteral("5"));
    QCOMPARE(text(0, ProxyLoadModel::Sites), QStringLiteral("news.example 102 · shop.example 20"));
    QVERIFY(model.data(model.index(0, ProxyLoadModel::State), Qt::DecorationRole).isValid());
    QCOMPARE(
        model.data(model.index(0, ProxyLoadModel::Utilisation), ProxyLoadModel::UtilisationRole)
            .toDouble(),
        122.0 / 400);
    QCOMPARE(model.data(model.index(2, ProxyLoadModel::Load), ProxyLoadModel::SortRole).toDouble(),
             142.0);
    // Different proxies: a reset, still consistent under the tester.
    FleetMonitor other;
    other.setProxies(proxies(5));
    feed(other, 5, 1);
    model.setSnapshots(other.snapshot());
    QCOMPARE(model.rowCount(), 5);
    model.setSnapshots({});
    QCOMPARE(model.rowCount(), 0);
}

void TestDashboard::modelOneChangePerPoll()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(50));
    ProxyLoadModel model;
    feed(monitor, 50, 1);
    model.setSnapshots(monitor.snapshot());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    for (int n = 2; n < 7; ++n) {
        monitor.ingest(poll(50, quint64(n)), kStartMs + n * 1000);
        model.setSnapshots(monitor.snapshot());
    }
    QCOMPARE(changed.size(), 5);
    QCOMPARE(reset.size(), 0);
    const QModelIndex topLeft = changed.last().at(0).toModelIndex();
    const QModelIndex bottomRight = changed.last().at(1).toModelIndex();
    QCOMPARE(topLeft, model.index(0, 0));
    QCOMPARE(bottomRight, model.index(49, ProxyLoadModel::ColumnCount - 1));
}

void TestDashboard::chartFollowsPolls()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(3));
    monitor.setPurchaserSites({kShop});
    DashboardView view(nullptr, &monitor);
    view.resize(1280, 860);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.figure(QStringLiteral("load")), QStringLiteral("—"));

    FleetChartView *chart = view.chartView();
    QLineSeries *total = chart->totalSeries();
    QSignalSpy replaced(total, &QXYSeries::pointsReplaced);
    feed(monitor, 3, 10);
    // Ten polls with rates (the baseline has none), one replace per poll.
    QCOMPARE(total->count(), 10);
    QCOMPARE(replaced.size(), 11);
    QCOMPARE(chart->capacitySeries()->count(), 10);
    QCOMPARE(chart->capacitySeries()->at(9).y(), 1200.0);
    QCOMPARE(chart->targetSeries()->at(9).y(), 960.0);
    QCOMPARE(chart->baseSeries()->at(9).y(), monitor.fleetTotal().baseRps);
    QCOMPARE(total->at(9).y(), monitor.fleetTotal().totalRps);
    QCOMPARE(total->at(9).x(), double(kStartMs + 10000));
    QVERIFY(chart->rateAxis()->max() >= 1200);
    QCOMPARE(chart->headroomSeries()->at(9).y(), 960.0);
    QCOMPARE(view.figure(QStringLiteral("capacity")), QStringLiteral("1,200"));
    QCOMPARE(view.figure(QStringLiteral("proxies")), QStringLiteral("3 / 3"));
    QCOMPARE(view.figure(QStringLiteral("utilisation")), QStringLiteral("33 %"));
    QCOMPARE(view.proxyModel()->rowCount(), 3);
}

void TestDashboard::rangeSwitching()
{
    // Two hours of history, fed before the view exists.
    FleetMonitor monitor;
    monitor.setProxies(proxies(2));
    const int polls = 2 * 3600;
    feed(monitor, 2, polls);
    const qint64 end = kStartMs + polls * 1000;
    DashboardView view(nullptr, &monitor);
    view.resize(1280, 860);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QDateTimeAxis *axis = view.chartView()->timeAxis();
    const auto span = [axis] { return axis->min().msecsTo(axis->max()); };
    QCOMPARE(view.range(), FleetRange::FiveMinutes);
    QCOMPARE(span(), rangeMs(FleetRange::FiveMinutes));
    QCOMPARE(axis->max().toMSecsSinceEpoch(), end);
    QCOMPARE(view.chartView()->totalSeries()->count(), 301);
    QCOMPARE(axis->format(), QStringLiteral("HH:mm:ss"));

    auto *hour =
        view.findChild<QToolButton *>(QStringLiteral("range_%1").arg(int(FleetRange::OneHour)));
    QVERIFY(hour);
    QTest::mouseClick(hour, Qt::LeftButton);
    QCOMPARE(view.range(), FleetRange::OneHour);
    QCOMPARE(span(), rangeMs(FleetRange::OneHour));
    const int hourPoints = int(view.chartView()->totalSeries()->count());
    QVERIFY2(hourPoints >= 360 && hourPoints <= 362, qPrintable(QString::number(hourPoints)));
    QCOMPARE(axis->format(), QStringLiteral("HH:mm"));

    // Less history than the range: the axis starts at the first point.
    view.setRange(FleetRange::Day);
    QVERIFY(view.findChild<QToolButton *>(QStringLiteral("range_%1").arg(int(FleetRange::Day)))
                ->isChecked());
    QVERIFY2(span() > 7100 * 1000 && span() <= polls * 1000, qPrintable(QString::number(span())));
    const int dayPoints = int(view.chartView()->totalSeries()->count());
    QVERIFY2(dayPoints >= 120 && dayPoints <= 121, qPrintable(QString::number(dayPoints)));
    // Polls keep the chosen range.
    monitor.ingest(poll(2, polls + 1), end + 1000);
    QCOMPARE(axis->max().toMSecsSinceEpoch(), end + 1000);
    QVERIFY(span() > 7100 * 1000);
    view.setRange(FleetRange::FiveMinutes);
    QCOMPARE(span(), rangeMs(FleetRange::FiveMinutes));

    // A console just started: a minute at least, not a sliver at the right edge.
    FleetMonitor fresh;
    fresh.setProxies(proxies(1));
    feed(fresh, 1, 10);
    DashboardView young(nullptr, &fresh);
    QCOMPARE(young.chartView()->timeAxis()->min().msecsTo(young.chartView()->timeAxis()->max()),
             qint64(60 * 1000));
}

void TestDashboard::selectionSync()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(3));
    DashboardView view(nullptr, &monitor);
    view.resize(1280, 860);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    feed(monitor, 3, 5);
    auto *combo = view.findChild<QComboBox *>(QStringLiteral("proxyChoice"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), 4);
    QCOMPARE(combo->currentText(), QStringLiteral("All proxies"));

    // A table row selects the chart's proxy.
    QTableView *table = view.proxyTable();
    const QModelIndex row2 = table->model()->index(1, ProxyLoadModel::Load);
    table->scrollTo(row2);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(row2).center());
    QCOMPARE(view.selectedProxy(), QStringLiteral("proxy002"));
    QCOMPARE(combo->currentText(), QStringLiteral("proxy002"));
    QCOMPARE(view.chartView()->capacitySeries()->at(0).y(), 400.0);
    QCOMPARE(view.chartView()->totalSeries()->at(4).y(), 130.0);

    // Polls keep the selection and the chart on the proxy.
    monitor.ingest(poll(3, 6), kStartMs + 6000);
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(table->currentIndex().data(ProxyLoadModel::ProxyNameRole).toString(),
             QStringLiteral("proxy002"));
    QCOMPARE(view.chartView()->totalSeries()->count(), 6);
    QCOMPARE(view.chartView()->totalSeries()->at(5).y(), 131.0);

    // The combo selects the table row; "All proxies" clears it.
    combo->setCurrentIndex(combo->findText(QStringLiteral("proxy003")));
    QCOMPARE(view.selectedProxy(), QStringLiteral("proxy003"));
    QCOMPARE(table->currentIndex().data(ProxyLoadModel::ProxyNameRole).toString(),
             QStringLiteral("proxy003"));
    combo->setCurrentIndex(0);
    QCOMPARE(view.selectedProxy(), QString());
    QVERIFY(table->selectionModel()->selectedRows().isEmpty());
    QCOMPARE(view.chartView()->capacitySeries()->at(0).y(), 1200.0);
}

void TestDashboard::hoverShowsValues()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(2));
    monitor.setPurchaserSites({kShop});
    DashboardView view(nullptr, &monitor);
    view.resize(1280, 860);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    feed(monitor, 2, 60);
    FleetChartView *chart = view.chartView();
    const QString text = chart->hoverText(kStartMs + 30400);
    QVERIFY2(text.contains(QStringLiteral("250 req/s")), qPrintable(text)); // 120 + 130, poll 30
    QVERIFY(text.contains(QStringLiteral("Headroom")));
    QVERIFY(text.contains(QStringLiteral("800 req/s"))); // capacity
    QVERIFY(text.contains(QStringLiteral("40 req/s")));  // purchaser
    // Hovering over the plot finds a point; outside it nothing.
    const QRectF plot = chart->chart()->plotArea();
    const QPoint inside = chart->mapFromScene(chart->chart()->mapToScene(plot.center())) +
                          QPoint(plot.width() / 4, 0);
    QVERIFY(!chart->hoverAt(inside).isEmpty());
    QVERIFY(chart->hoverAt(QPoint(1, 1)).isEmpty());
    QTest::mouseMove(chart->viewport(), inside);
}

void TestDashboard::withoutFleet()
{
    DashboardView view(nullptr, nullptr);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.figure(QStringLiteral("load")), QStringLiteral("—"));
    QVERIFY(!view.chartView()->isVisible());
    QCOMPARE(view.proxyModel()->rowCount(), 0);
}

void TestDashboard::mainWindowPassesTheFleet()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(3));
    MainWindow window(nullptr, nullptr, nullptr, &monitor);
    auto *view = qobject_cast<DashboardView *>(window.viewWidget(MainWindow::View::Dashboard));
    QVERIFY(view);
    feed(monitor, 3, 3);
    QCOMPARE(view->proxyModel()->rowCount(), 3);
    QCOMPARE(view->figure(QStringLiteral("proxies")), QStringLiteral("3 / 3"));
}

// Not a benchmark: a guard against a view that does per-cell or per-series work per poll.
void TestDashboard::twoHundredProxies()
{
    FleetMonitor monitor;
    monitor.setProxies(proxies(200));
    monitor.setPurchaserSites({kShop});
    DashboardView view(nullptr, &monitor);
    view.resize(1600, 1000);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy changed(view.proxyModel(), &QAbstractItemModel::dataChanged);
    QElapsedTimer clock;
    clock.start();
    monitor.ingest(poll(200, 0, true), kStartMs);
    for (int n = 1; n <= 60; ++n) {
        monitor.ingest(poll(200, quint64(n)), kStartMs + n * 1000);
        if (n == 30)
            view.setSelectedProxy(proxyName(150));
        QCoreApplication::processEvents(); // paint, as the event loop would every second
    }
    const qint64 elapsed = clock.elapsed();
    qInfo("200 proxies x 60 polls through the dashboard: %lld ms", elapsed);
    QVERIFY2(elapsed < 10000, qPrintable(QString::number(elapsed)));
    QCOMPARE(changed.size(), 60);
    QCOMPARE(view.proxyModel()->rowCount(), 200);
    QCOMPARE(view.chartView()->totalSeries()->count(), 60);
    QCOMPARE(view.figure(QStringLiteral("proxies")), QStringLiteral("200 / 200"));
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
