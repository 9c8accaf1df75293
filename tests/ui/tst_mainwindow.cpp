#include "dashboardview.h"
#include "endpointtablemodel.h"
#include "fleet/healthmonitor.h"
#include "mainwindow.h"
#include "settingsview.h"
#include "statusbarhealth.h"
#include "uitestdata.h"

#include <QDir>
#include <QListWidget>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void startsOnDashboard();
    void navigationListSwitchesViews();
    void shortcutsSwitchViews();
    void showViewSelectsNavigationRow();
    void remembersGeometryAndView();
    void worksWithoutMonitorOrSettings();
    void followsHealthMonitor();
    void screenshots();

private:
    QSettings &settings() { return *m_settings; }

    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestMainWindow::init()
{
    QFile::remove(m_dir.filePath(QStringLiteral("headroom.ini")));
    m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("headroom.ini")),
                                             QSettings::IniFormat);
}

void TestMainWindow::cleanup()
{
    m_settings.reset();
}

void TestMainWindow::startsOnDashboard()
{
    MainWindow window(nullptr, &settings());
    QCOMPARE(window.currentView(), MainWindow::View::Dashboard);
    QVERIFY(qobject_cast<DashboardView *>(window.viewWidget(MainWindow::View::Dashboard)));
    QVERIFY(qobject_cast<SettingsView *>(window.viewWidget(MainWindow::View::Settings)));
    QVERIFY(window.windowTitle().contains(QStringLiteral("Headroom")));
    QVERIFY(!window.windowIcon().isNull());
    QVERIFY(QFile::exists(QStringLiteral(":/icons/headroom.svg")));
    for (int i = 0; i < MainWindow::ViewCount; ++i)
        QVERIFY(window.viewWidget(MainWindow::View(i)));
}

void TestMainWindow::navigationListSwitchesViews()
{
    MainWindow window(nullptr, &settings());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *navigation = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    auto *stack = window.findChild<QStackedWidget *>();
    QVERIFY(navigation);
    QVERIFY(stack);
    QCOMPARE(navigation->count(), MainWindow::ViewCount);

    for (int i = MainWindow::ViewCount - 1; i >= 0; --i) {
        QListWidgetItem *item = navigation->item(i);
        QVERIFY(!item->icon().isNull());
        const QRect rect = navigation->visualItemRect(item);
        QVERIFY2(rect.isValid(), qPrintable(item->text()));
        QTest::mouseClick(navigation->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(window.currentView(), MainWindow::View(i));
        QCOMPARE(stack->currentWidget(), window.viewWidget(MainWindow::View(i)));
        QVERIFY(stack->currentWidget()->isVisible());
    }
}

void TestMainWindow::shortcutsSwitchViews()
{
    MainWindow window(nullptr, &settings());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    auto *navigation = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    for (int i = MainWindow::ViewCount - 1; i >= 0; --i) {
        QWidget *before = window.findChild<QStackedWidget *>()->currentWidget();
        QTest::keyClick(&window, Qt::Key(Qt::Key_1 + i), Qt::ControlModifier);
        QCOMPARE(window.currentView(), MainWindow::View(i));
        QCOMPARE(navigation->currentRow(), i);
        if (i != MainWindow::ViewCount - 1)
            QVERIFY(window.findChild<QStackedWidget *>()->currentWidget() != before);
    }
}

void TestMainWindow::showViewSelectsNavigationRow()
{
    MainWindow window(nullptr, &settings());
    auto *navigation = window.findChild<QListWidget *>(QStringLiteral("navigation"));
    window.showView(MainWindow::View::Billing);
    QCOMPARE(navigation->currentRow(), int(MainWindow::View::Billing));
    QCOMPARE(window.currentView(), MainWindow::View::Billing);
}

void TestMainWindow::remembersGeometryAndView()
{
    {
        MainWindow window(nullptr, &settings());
        window.resize(1000, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showView(MainWindow::View::Leases);
        window.close();
    }
    QVERIFY(settings().contains(QStringLiteral("ui/mainWindow/geometry")));
    MainWindow window(nullptr, &settings());
    QCOMPARE(window.size(), QSize(1000, 640));
    QCOMPARE(window.currentView(), MainWindow::View::Leases);
}

void TestMainWindow::worksWithoutMonitorOrSettings()
{
    MainWindow window(nullptr, nullptr);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    for (int i = 0; i < MainWindow::ViewCount; ++i) {
        window.showView(MainWindow::View(i));
        QCOMPARE(window.currentView(), MainWindow::View(i));
    }
}

void TestMainWindow::followsHealthMonitor()
{
    // A monitor without targets never touches the network; the window must accept it.
    HealthMonitor monitor;
    MainWindow window(&monitor, &settings());
    auto *model = window.findChild<EndpointTableModel *>();
    auto *health = window.findChild<StatusBarHealth *>();
    QVERIFY(model);
    QVERIFY(health);
    QCOMPARE(model->rowCount(), 0);
    QCOMPARE(health->indicatorCount(), 0);
    Q_EMIT monitor.changed();
    QCOMPARE(model->rowCount(), int(monitor.endpoints().size()));
    QCOMPARE(health->indicatorCount(), monitor.endpoints().size());
}

void TestMainWindow::screenshots()
{
    MainWindow window(nullptr, &settings());
    window.resize(1180, 720);
    const QList<EndpointHealth> endpoints = testdata::sampleEndpoints();
    window.findChild<EndpointTableModel *>()->setEndpoints(endpoints);
    window.findChild<StatusBarHealth *>()->setEndpoints(endpoints);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QVERIFY(QDir().mkpath(dir));
    static const char *const names[] = {"dashboard", "market", "leases",
                                        "billing",   "dns",    "settings"};
    for (int i = 0; i < MainWindow::ViewCount; ++i) {
        window.showView(MainWindow::View(i));
        QCoreApplication::processEvents();
        const QPixmap view = window.viewWidget(MainWindow::View(i))->grab();
        QVERIFY(!view.isNull());
        QVERIFY(view.width() > 400 && view.height() > 300);
        const QPixmap whole = window.grab();
        QCOMPARE(whole.size(), window.size());
        if (!dir.isEmpty()) {
            const QString base = QDir(dir).filePath(QLatin1String(names[i]));
            QVERIFY(whole.save(base + QStringLiteral(".png")));
            QVERIFY(view.save(base + QStringLiteral("-view.png")));
        }
    }

    // The empty dashboard, as an operator sees it before the first probe round.
    window.findChild<EndpointTableModel *>()->setEndpoints({});
    window.findChild<StatusBarHealth *>()->setEndpoints({});
    window.showView(MainWindow::View::Dashboard);
    const QPixmap empty = window.grab();
    QVERIFY(!empty.isNull());
    if (!dir.isEmpty())
        QVERIFY(empty.save(QDir(dir).filePath(QStringLiteral("dashboard-empty.png"))));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
