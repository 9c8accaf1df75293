// The console's steering loop (ControllerHost) on a real sandbox, next to `headroomctl run` as a
// separate process: only one of them steers. While the host holds the controller lock,
// `headroomctl run` is refused and names it; the host's loop provisions a purchaser site on the
// real proxies and activates its lease, with the per-proxy state stored; and when a
// `headroomctl run` that holds the lock is killed, the host takes over within a few seconds.
#include "control/controllerhost.h"
#include "control/controllerlock.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/siterepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QProcess>
#include <QTest>
#include <csignal>

using namespace headroom;
using namespace headroom::test;

class TestConsoleController final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void headroomctlRunIsRefusedWhileTheConsoleSteers();
    void consoleLoopProvisionsAndActivatesALease();
    void consoleTakesOverWhenHeadroomctlRunDies();

private:
    QStringList runArguments() const;
    bool logHas(const QString &text) const;

    SandboxFixture m_sandbox;
    std::unique_ptr<ControllerHost> m_host;
    QProcess *m_ctl = nullptr;
};

void TestConsoleController::initTestCase()
{
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
    const auto config = ControllerConfig::forSandbox(m_sandbox.layout(), &error);
    QVERIFY2(config, qPrintable(error));
    m_host = std::make_unique<ControllerHost>(QStringLiteral("headroom console"));
    m_host->setConfig(*config);
}

void TestConsoleController::cleanupTestCase()
{
    if (m_ctl) {
        ::kill(pid_t(m_ctl->processId()), SIGKILL);
        m_ctl->waitForFinished(5000);
    }
    m_host.reset();
    m_sandbox.down();
}

QStringList TestConsoleController::runArguments() const
{
    return {QStringLiteral("run"), QStringLiteral("--port-base"),
            QString::number(m_sandbox.layout().portBase), QStringLiteral("--state-dir"),
            m_sandbox.layout().stateDir};
}

bool TestConsoleController::logHas(const QString &text) const
{
    const QStringList log = m_host->log();
    return std::any_of(log.cbegin(), log.cend(),
                       [&text](const QString &line) { return line.contains(text); });
}

void TestConsoleController::headroomctlRunIsRefusedWhileTheConsoleSteers()
{
    m_host->start();
    QCOMPARE(m_host->state(), ControllerHost::State::Steering);
    QTRY_VERIFY_WITH_TIMEOUT(logHas(QStringLiteral("controller started: 3 proxies")), 10000);

    QProcess run;
    run.start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"), runArguments());
    QVERIFY(run.waitForStarted(5000));
    QVERIFY(run.waitForFinished(60000));
    const QString stderrText = QString::fromUtf8(run.readAllStandardError());
    QCOMPARE(run.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.exitCode(), 1);
    QVERIFY2(stderrText.contains(QStringLiteral("headroomctl run: another controller is running "
                                                "(headroom console pid %1 on ")
                                     .arg(QCoreApplication::applicationPid())),
             qPrintable(stderrText));
    QVERIFY2(stderrText.contains(QStringLiteral("only one may steer")), qPrintable(stderrText));
    // Refused, it changed nothing: the console still steers.
    QCOMPARE(m_host->state(), ControllerHost::State::Steering);
}

void TestConsoleController::consoleLoopProvisionsAndActivatesALease()
{
    const SandboxLayout &l = m_sandbox.layout();
    Database db;
    QVERIFY(db.open(l.databaseFile()).ok());
    Site shop;
    shop.name = QStringLiteral("shop.example");
    shop.label = QStringLiteral("shop");
    shop.hosts = {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")};
    for (const OriginEndpoint &o : l.origins) {
        if (o.site == l.purchaserZone)
            shop.origins.append({o.address, o.httpPort, 1, false});
    }
    shop.originName = QStringLiteral("origin.shop.example");
    const auto siteId = SiteRepository(db).add(shop);
    QVERIFY2(siteId, qPrintable(siteId.error().message));
    Lease lease;
    lease.siteId = siteId.value();
    lease.pool = l.pool;
    lease.rateRps = 50;
    lease.startsAtMs = QDateTime::currentMSecsSinceEpoch();
    lease.endsAtMs = lease.startsAtMs + 3600 * 1000;
    lease.kind = LeaseKind::Firm;
    const auto leaseId = LeaseRepository(db).add(lease, QStringLiteral("test"));
    QVERIFY2(leaseId, qPrintable(leaseId.error().message));

    // The console's loop puts the site on every proxy, stores each proxy's state and steers.
    const auto provisioned = [&] {
        const auto states = SiteRepository(db).provisioning(siteId.value());
        if (!states || states.value().size() != l.proxies.size())
            return false;
        return std::all_of(states.value().cbegin(), states.value().cend(),
                           [](const SiteProvisioning &s) { return s.state == "provisioned"; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(provisioned(), 60000);
    const auto states = SiteRepository(db).provisioning(siteId.value()).value();
    for (const SiteProvisioning &s : states)
        QVERIFY2(s.attempts >= 1 && s.error.isEmpty(), qPrintable(s.proxy + ": " + s.error));
    QTRY_VERIFY_WITH_TIMEOUT(
        LeaseRepository(db).byId(leaseId.value()).value()->state == LeaseState::Active, 30000);
    QVERIFY(logHas(QStringLiteral("shop.example: provisioned on every proxy")));
    QCOMPARE(m_host->state(), ControllerHost::State::Steering);
}

void TestConsoleController::consoleTakesOverWhenHeadroomctlRunDies()
{
    const QString lockPath = m_host->lockPath();
    m_host->shutdown();
    QVERIFY(!ControllerLock::isHeld(lockPath));

    m_ctl = new QProcess(this);
    m_ctl->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_ctl->start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"), runArguments());
    QVERIFY(m_ctl->waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(ControllerLock::isHeld(lockPath), 30000);

    m_host->start();
    QCOMPARE(m_host->state(), ControllerHost::State::SteeredElsewhere);
    QVERIFY2(m_host->holder().startsWith(
                 QStringLiteral("headroomctl run pid %1 on ").arg(m_ctl->processId())),
             qPrintable(m_host->holder()));
    QTest::qWait(2 * ControllerHost::DefaultRetryMs);
    QCOMPARE(m_host->state(), ControllerHost::State::SteeredElsewhere);

    QElapsedTimer clock;
    clock.start();
    ::kill(pid_t(m_ctl->processId()), SIGKILL);
    QVERIFY(m_ctl->waitForFinished(5000));
    QTRY_COMPARE_WITH_TIMEOUT(m_host->state(), ControllerHost::State::Steering, 5000);
    QVERIFY2(clock.elapsed() < ControllerHost::DefaultRetryMs + 1500,
             qPrintable(QString::number(clock.elapsed())));
    delete m_ctl;
    m_ctl = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(logHas(QStringLiteral("controller started: 3 proxies")), 10000);

    m_host->shutdown();
    QVERIFY(!ControllerLock::isHeld(lockPath));
}

QTEST_GUILESS_MAIN(TestConsoleController)
#include "tst_console_controller.moc"
