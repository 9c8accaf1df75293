// The status bar's DNS fault indicator over a real database (issue 8): failing rows in the
// update log - as the steering loop writes them while PowerDNS is away, here or in a
// `headroomctl run` elsewhere - show "DNS updates failing since HH:MM:SS" with the count and the
// last error; the first success clears it. The rows are written by another connection, as the
// loop would, and the widget follows through its ChangeWatcher.
#include "statusbardnsupdates.h"
#include "store/database.h"
#include "store/dnsrepository.h"

#include <QDateTime>
#include <QDir>
#include <QMainWindow>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

class TestFaultStatusBar final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showsTheOutageAndClearsIt();
    void pureStates();

private:
    QTemporaryDir m_dir;
};

void TestFaultStatusBar::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestFaultStatusBar::showsTheOutageAndClearsIt()
{
    const QString path = m_dir.filePath(QStringLiteral("headroom.sqlite"));
    Database writer;
    QVERIFY(writer.open(path).ok());
    UpdateLogRepository log(writer);
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 60000;
    QVERIFY(log.append({t0, QStringLiteral("edge.headroom.test."), 3, true, 0, {}, 2.0}).ok());

    QMainWindow window;
    auto *indicator = new StatusBarDnsUpdates(&window);
    window.statusBar()->addPermanentWidget(indicator);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    indicator->setDatabasePath(path);
    QTest::qWait(1500); // read once: all well
    QVERIFY(!indicator->isVisible());

    const QString error = QStringLiteral("no answer from 127.0.0.1:25300 within 1500 ms (UDP)");
    const qint64 since = t0 + 10000;
    for (int i = 0; i < 4; ++i)
        QVERIFY(log.append({since + i * 4000, QStringLiteral("edge.headroom.test."), 3, false, -1,
                            error, 1500.0})
                    .ok());
    QTRY_VERIFY_WITH_TIMEOUT(indicator->isVisible(), 5000);
    const QString clock =
        QDateTime::fromMSecsSinceEpoch(since).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
    QVERIFY2(indicator->text().contains(QStringLiteral("DNS updates failing since ") + clock),
             qPrintable(indicator->text()));
    QVERIFY2(indicator->toolTip().contains(QStringLiteral("4 UPDATE(s)")),
             qPrintable(indicator->toolTip()));
    QVERIFY2(indicator->toolTip().contains(error), qPrintable(indicator->toolTip()));
    QCOMPARE(indicator->accessibleName(), QStringLiteral("DNS updates failing since ") + clock);
    // How it looks (docs/console-dns-fault.png with HEADROOM_SCREENSHOT_DIR set).
    window.resize(900, 120);
    QTest::qWait(50);
    const QPixmap shot = window.statusBar()->grab();
    QVERIFY(!shot.isNull());
    if (const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR"); !dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-dns-fault.png"))));
    }

    // More failures keep the start of the outage.
    QVERIFY(log.append({since + 20000, QStringLiteral("edge.headroom.test."), 3, false, -1, error,
                        1500.0})
                .ok());
    QTRY_VERIFY_WITH_TIMEOUT(indicator->toolTip().contains(QStringLiteral("5 UPDATE(s)")), 5000);
    QVERIFY(indicator->text().contains(clock));

    // The first success clears it.
    QVERIFY(log.append({since + 25000, QStringLiteral("edge.headroom.test."), 3, true, 0, {}, 3.0})
                .ok());
    QTRY_VERIFY_WITH_TIMEOUT(!indicator->isVisible(), 5000);

    // A new outage starts a new "since".
    QVERIFY(log.append({since + 30000, QStringLiteral("edge.headroom.test."), 3, false, 5,
                        QStringLiteral("REFUSED"), 1.0})
                .ok());
    QTRY_VERIFY_WITH_TIMEOUT(indicator->isVisible(), 5000);
    const QString newClock = QDateTime::fromMSecsSinceEpoch(since + 30000)
                                 .toLocalTime()
                                 .toString(QStringLiteral("HH:mm:ss"));
    QVERIFY2(indicator->text().contains(newClock), qPrintable(indicator->text()));

    // No database: nothing to say.
    indicator->setDatabasePath(QString());
    QVERIFY(!indicator->isVisible());
}

void TestFaultStatusBar::pureStates()
{
    StatusBarDnsUpdates indicator;
    indicator.show();
    indicator.showFailureRun(
        UpdateFailureRun{1'800'000'000'000, 1'800'000'060'000, 7, QStringLiteral("SERVFAIL")});
    QVERIFY(indicator.isVisible());
    QVERIFY(indicator.toolTip().contains(QStringLiteral("7 UPDATE(s)")));
    QVERIFY(indicator.toolTip().contains(QStringLiteral("SERVFAIL")));
    indicator.showFailureRun(std::nullopt);
    QVERIFY(!indicator.isVisible());
    QVERIFY(indicator.text().isEmpty());
}

QTEST_MAIN(TestFaultStatusBar)
#include "tst_fault_statusbar.moc"
