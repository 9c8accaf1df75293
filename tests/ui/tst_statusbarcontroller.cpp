// The status bar's steering-loop indicator over a ControllerHost and a temporary database: what
// it says for each state, the loop's log, and the toggle that runs the loop in this console.
#include "control/controllerhost.h"
#include "control/controllerlock.h"
#include "statusbarcontroller.h"

#include <QAction>
#include <QDir>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

namespace {

ControllerConfig configFor(const QString &databasePath)
{
    ControllerConfig c;
    c.databasePath = databasePath;
    c.dns.server = QHostAddress(QHostAddress::LocalHost);
    c.dns.port = 9;
    c.dns.zone = *DnsName::parse(QStringLiteral("edge.headroom.test"));
    c.dns.key.name = QStringLiteral("headroom-update");
    c.dns.key.secret = QByteArrayLiteral("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    return c;
}

} // namespace

class TestStatusBarController final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void withoutHost();
    void followsTheHost();
    void toggleRunsTheLoopHereOrNot();
};

void TestStatusBarController::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestStatusBarController::withoutHost()
{
    StatusBarController status(nullptr);
    QCOMPARE(status.text(), QStringLiteral("No controller"));
    QVERIFY(!status.runHereAction()->isEnabled());
}

void TestStatusBarController::followsTheHost()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("headroom.sqlite"));
    ControllerHost host(QStringLiteral("headroom console"));
    host.setRetryInterval(100);
    host.watchOnly(db, QStringLiteral("starting the sandbox"));
    host.start();
    StatusBarController status(&host);
    status.show();
    QVERIFY(QTest::qWaitForWindowExposed(&status));
    QCOMPARE(status.text(), QStringLiteral("No controller: starting the sandbox"));
    QVERIFY(status.toolTip().contains(ControllerLock::pathFor(db)));
    QVERIFY(status.runHereAction()->isChecked());

    ControllerLock other(ControllerLock::pathFor(db));
    QString error;
    QVERIFY(other.tryLock(QStringLiteral("headroomctl run"), &error));
    QTRY_COMPARE(status.text(), QStringLiteral("Steered by headroomctl run (pid %1)")
                                    .arg(QCoreApplication::applicationPid()));
    QVERIFY(status.toolTip().contains(QStringLiteral("Steered by headroomctl run pid ")));

    host.setConfig(configFor(db));
    other.unlock();
    QTRY_COMPARE(status.text(), QStringLiteral("Steering here"));
    // The loop's own lines reach the log view.
    QTRY_VERIFY(status.logView()->toPlainText().contains(QStringLiteral("controller started")));
    const QString log = status.logView()->toPlainText();
    QVERIFY2(log.contains(QStringLiteral("steered by headroomctl run pid ")), qPrintable(log));
    QVERIFY(log.contains(QStringLiteral("steering here")));

    const QString dirPath = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dirPath.isEmpty()) {
        QVERIFY(QDir().mkpath(dirPath));
        QVERIFY(
            status.grab().save(QDir(dirPath).filePath(QStringLiteral("controller-status.png"))));
        QWidget *pane = status.logView()->parentWidget();
        pane->resize(pane->sizeHint());
        QVERIFY(pane->grab().save(QDir(dirPath).filePath(QStringLiteral("controller-log.png"))));
    }
    host.shutdown();
    QCOMPARE(status.text(), QStringLiteral("No controller: stopped"));
}

void TestStatusBarController::toggleRunsTheLoopHereOrNot()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("headroom.sqlite"));
    ControllerHost host(QStringLiteral("headroom console"));
    host.setConfig(configFor(db));
    host.start();
    StatusBarController status(&host);
    QSignalSpy toggled(&status, &StatusBarController::runHereToggled);
    QCOMPARE(status.text(), QStringLiteral("Steering here"));

    status.runHereAction()->trigger();
    QCOMPARE(toggled.size(), 1);
    QCOMPARE(toggled.first().first().toBool(), false);
    QVERIFY(!host.isEnabled());
    QCOMPARE(status.text(), QStringLiteral("No controller: turned off in this console"));
    QVERIFY(!ControllerLock::isHeld(ControllerLock::pathFor(db)));

    status.runHereAction()->trigger();
    QVERIFY(host.isEnabled());
    QVERIFY(status.runHereAction()->isChecked());
    QCOMPARE(status.text(), QStringLiteral("Steering here"));
    host.shutdown();
}

QTEST_MAIN(TestStatusBarController)
#include "tst_statusbarcontroller.moc"
