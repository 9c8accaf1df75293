// ControllerHost over a temporary database and its controller lock, without servers (the loop
// scrapes no proxies): who steers while another holder has the lock, taking over once it is
// released or its process is killed, turning the loop off, a loop that cannot start, and the
// bounded log.
#include "control/controllerhost.h"
#include "control/controllerlock.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace headroom;

namespace {

// Servers the loop would use; with no proxies it never scrapes and never sends an update.
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

bool logHas(const ControllerHost &host, const QString &text)
{
    const QStringList log = host.log();
    return std::any_of(log.cbegin(), log.cend(),
                       [&text](const QString &line) { return line.contains(text); });
}

} // namespace

class TestControllerHost final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void steeredByHolderUntilItReleases();
    void takesOverFromAKilledProcess();
    void turnedOffItOnlyWatches();
    void watchOnlySaysWhy();
    void loopThatCannotStartReleasesTheLock();
    void logKeepsTheLastLines();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
};

void TestControllerHost::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = m_dir->filePath(QStringLiteral("headroom.sqlite"));
}

void TestControllerHost::steeredByHolderUntilItReleases()
{
    ControllerLock a(ControllerLock::pathFor(m_db));
    QString error;
    QVERIFY2(a.tryLock(QStringLiteral("holder A"), &error), qPrintable(error));

    ControllerHost host(QStringLiteral("test console"));
    QSignalSpy changed(&host, &ControllerHost::stateChanged);
    host.setConfig(configFor(m_db));
    host.start();
    QCOMPARE(host.state(), ControllerHost::State::SteeredElsewhere);
    const QString pid = QString::number(QCoreApplication::applicationPid());
    QVERIFY2(host.holder().startsWith(QStringLiteral("holder A pid %1 on ").arg(pid)),
             qPrintable(host.holder()));
    QVERIFY2(host.stateText().startsWith(QStringLiteral("steered by holder A pid ")),
             qPrintable(host.stateText()));
    QCOMPARE(changed.size(), 1);
    QVERIFY(logHas(host, QStringLiteral("steered by holder A")));

    // A releases: the host takes over at its next try, within one retry interval (2 s).
    QElapsedTimer clock;
    clock.start();
    a.unlock();
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), ControllerHost::State::Steering, 4000);
    QVERIFY2(clock.elapsed() < ControllerHost::DefaultRetryMs + 1000,
             qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(host.stateText(), QStringLiteral("steering here"));
    // The loop runs on its own thread and its lines reach the log.
    QTRY_VERIFY_WITH_TIMEOUT(logHas(host, QStringLiteral("controller started: 0 proxies")), 5000);

    // Now the host is the one that refuses, by name.
    ControllerLock b(ControllerLock::pathFor(m_db));
    QVERIFY(!b.tryLock(QStringLiteral("holder B"), &error));
    QVERIFY2(error.contains(
                 QStringLiteral("another controller is running (test console pid %1 on ").arg(pid)),
             qPrintable(error));

    host.shutdown();
    QCOMPARE(host.state(), ControllerHost::State::NoController);
    QCOMPARE(host.stateText(), QStringLiteral("no controller (stopped)"));
    QVERIFY2(b.tryLock(QStringLiteral("holder B"), &error), qPrintable(error));
}

void TestControllerHost::takesOverFromAKilledProcess()
{
    // A process that takes the lock and then dies without releasing it (SIGKILL).
    const QString lockPath = ControllerLock::pathFor(m_db);
    QProcess holder;
    holder.start(QStringLiteral("/bin/sh"),
                 {QStringLiteral("-c"),
                  QStringLiteral("exec 9>\"$1\"; flock -x 9; echo \"crashing controller pid $$ on "
                                 "test since now\" >&9; exec sleep 30"),
                  QStringLiteral("sh"), lockPath});
    QVERIFY(holder.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(ControllerLock::isHeld(lockPath), 5000);

    ControllerHost host(QStringLiteral("test console"));
    host.setConfig(configFor(m_db));
    host.start();
    QCOMPARE(host.state(), ControllerHost::State::SteeredElsewhere);
    QVERIFY2(host.holder().startsWith(
                 QStringLiteral("crashing controller pid %1").arg(holder.processId())),
             qPrintable(host.holder()));

    QElapsedTimer clock;
    clock.start();
    ::kill(pid_t(holder.processId()), SIGKILL);
    QVERIFY(holder.waitForFinished(5000));
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), ControllerHost::State::Steering, 5000);
    QVERIFY2(clock.elapsed() < ControllerHost::DefaultRetryMs + 1500,
             qPrintable(QString::number(clock.elapsed())));
    QVERIFY(ControllerLock::isHeld(lockPath));
    host.shutdown();
    QVERIFY(!ControllerLock::isHeld(lockPath));
}

void TestControllerHost::turnedOffItOnlyWatches()
{
    const QString lockPath = ControllerLock::pathFor(m_db);
    ControllerHost host(QStringLiteral("test console"));
    host.setRetryInterval(100);
    host.setEnabled(false);
    host.setConfig(configFor(m_db));
    host.start();
    QCOMPARE(host.state(), ControllerHost::State::NoController);
    QCOMPARE(host.reason(), QStringLiteral("turned off in this console"));
    QVERIFY(!ControllerLock::isHeld(lockPath));

    host.setEnabled(true);
    QCOMPARE(host.state(), ControllerHost::State::Steering);
    QVERIFY(ControllerLock::isHeld(lockPath));

    host.setEnabled(false);
    QCOMPARE(host.state(), ControllerHost::State::NoController);
    QVERIFY(!ControllerLock::isHeld(lockPath));
    QVERIFY(logHas(host, QStringLiteral("released the controller lock")));

    // Off, it still says who steers, and never takes the lock that is given up.
    {
        ControllerLock other(lockPath);
        QString error;
        QVERIFY(other.tryLock(QStringLiteral("headroomctl run"), &error));
        QTRY_COMPARE(host.state(), ControllerHost::State::SteeredElsewhere);
        QVERIFY(host.holder().startsWith(QStringLiteral("headroomctl run pid ")));
    }
    QTRY_COMPARE(host.state(), ControllerHost::State::NoController);
    QTest::qWait(300);
    QCOMPARE(host.state(), ControllerHost::State::NoController);
    QVERIFY(!ControllerLock::isHeld(lockPath));
}

void TestControllerHost::watchOnlySaysWhy()
{
    ControllerHost host(QStringLiteral("test console"));
    host.setRetryInterval(100);
    host.watchOnly(QString(), QStringLiteral("no database configured"));
    host.start();
    QCOMPARE(host.stateText(), QStringLiteral("no controller (no database configured)"));
    QVERIFY(!host.canRun());

    host.watchOnly(m_db, QStringLiteral("starting the sandbox"));
    QCOMPARE(host.stateText(), QStringLiteral("no controller (starting the sandbox)"));
    QCOMPARE(host.lockPath(), ControllerLock::pathFor(m_db));
    ControllerLock other(host.lockPath());
    QString error;
    QVERIFY(other.tryLock(QStringLiteral("headroomctl run"), &error));
    QTRY_COMPARE(host.state(), ControllerHost::State::SteeredElsewhere);

    // The configuration arrives (the sandbox is up): the host waits for the holder.
    host.setConfig(configFor(m_db));
    QCOMPARE(host.state(), ControllerHost::State::SteeredElsewhere);
    other.unlock();
    QTRY_COMPARE(host.state(), ControllerHost::State::Steering);

    // Back to watching: the loop stops and the lock is free.
    host.watchOnly(m_db, QStringLiteral("the sandbox did not start"));
    QCOMPARE(host.stateText(), QStringLiteral("no controller (the sandbox did not start)"));
    QVERIFY(!ControllerLock::isHeld(host.lockPath()));
}

void TestControllerHost::loopThatCannotStartReleasesTheLock()
{
    // The lock can be taken (its file sits beside the database) but the database cannot be
    // opened: it is a directory.
    const QString db = m_dir->filePath(QStringLiteral("not-a-database"));
    QVERIFY(QDir().mkpath(db));
    ControllerHost host(QStringLiteral("test console"));
    host.setRetryInterval(100);
    host.setConfig(configFor(db));
    host.start();
    QTRY_COMPARE(host.state(), ControllerHost::State::NoController);
    QVERIFY2(!host.reason().isEmpty(), qPrintable(host.stateText()));
    QVERIFY(logHas(host, QStringLiteral("cannot start the steering loop: ")));
    QVERIFY(!ControllerLock::isHeld(host.lockPath()));
    // It backs off instead of trying (and logging) every interval.
    const qsizetype lines = host.log().size();
    QTest::qWait(500);
    QCOMPARE(host.log().size(), lines);
    QCOMPARE(host.state(), ControllerHost::State::NoController);
}

void TestControllerHost::logKeepsTheLastLines()
{
    ControllerHost host(QStringLiteral("test console"));
    QSignalSpy lines(&host, &ControllerHost::message);
    host.start();
    for (int i = 0; i < 250; ++i)
        host.watchOnly(m_db, QStringLiteral("reason %1").arg(i));
    QCOMPARE(host.log().size(), ControllerHost::MaxLogLines);
    QVERIFY(host.log().last().endsWith(QStringLiteral("no controller (reason 249)")));
    QVERIFY(lines.size() > ControllerHost::MaxLogLines);
    QCOMPARE(lines.last().first().toString(), host.log().last());
}

QTEST_GUILESS_MAIN(TestControllerHost)
#include "tst_controllerhost.moc"
