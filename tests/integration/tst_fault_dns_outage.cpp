// Fault: PowerDNS stopped for 60 s under a running `headroomctl run` (issue 8), on the sandbox's
// real servers. While it is away the controller retries with a growing pause (1 s doubling to
// 8 s, ±10 %), logs the outage once when it starts and once when it ends, and writes each
// failed try to the update log - from which the console's status bar shows "DNS updates failing
// since ..." (the widget itself runs here against the same database). Once PowerDNS is back the
// served zone equals the desired state (`headroomctl dns diff` exits 0) within one pause and a
// poll, and the steering record names the proxies again.
// A missing server fails the test (the fixture's up() fails); nothing here skips.
#include "faultsupport.h"
#include "sandboxfixture.h"
#include "statusbardnsupdates.h"
#include "store/database.h"
#include "store/dnsrepository.h"
#include "store/leaserepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace headroom;
using namespace headroom::test;

namespace {
constexpr int OutageSeconds = 60;
constexpr qint64 BackoffCapMs = 8000; // ControllerConfig's default RetryBackoff
} // namespace

class TestFaultDnsOutage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void outageIsRetriedWithBackoffAndConverges();

private:
    SandboxFixture m_sandbox;
    QTemporaryDir m_logs;
};

void TestFaultDnsOutage::initTestCase()
{
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
}

void TestFaultDnsOutage::cleanupTestCase()
{
    m_sandbox.down();
}

void TestFaultDnsOutage::outageIsRetriedWithBackoffAndConverges()
{
    const SandboxLayout &l = m_sandbox.layout();
    Database db;
    QVERIFY(db.open(l.databaseFile()).ok());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 leaseId = addShopLease(db, l, now, now + 3600 * 1000);
    QVERIFY(leaseId > 0);

    // The console's indicator, on the same database the daemon writes.
    StatusBarDnsUpdates indicator;
    indicator.setDatabasePath(l.databaseFile());

    ControllerProcess controller(l, m_logs.filePath(QStringLiteral("controller.log")));
    QVERIFY(controller.start({QStringLiteral("--ttl"), QStringLiteral("2")}));
    QTRY_VERIFY_WITH_TIMEOUT(LeaseRepository(db).byId(leaseId).value()->state == LeaseState::Active,
                             30000);
    const auto diffExit = [&] {
        return runCtl(QStringList{QStringLiteral("dns"), QStringLiteral("diff")} + sandboxArgs(l),
                      20000)
            .code;
    };
    QTRY_COMPARE_WITH_TIMEOUT(diffExit(), 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(servedSteering(l, QStringLiteral("shop")).found, 10000);
    QVERIFY(indicator.isHidden());

    // PowerDNS goes away for a minute.
    QString error;
    const qint64 outageStartMs = QDateTime::currentMSecsSinceEpoch();
    QVERIFY2(m_sandbox.sandbox().stopServer(l.authoritative.name, &error), qPrintable(error));
    QElapsedTimer outage;
    outage.start();
    // The console shows it while it lasts.
    QTRY_VERIFY_WITH_TIMEOUT(!indicator.isHidden(), 20000);
    QVERIFY2(indicator.text().contains(QLatin1String("DNS updates failing since")),
             qPrintable(indicator.text()));
    qInfo("status bar: %s", qPrintable(indicator.accessibleName()));
    while (outage.elapsed() < OutageSeconds * 1000)
        QTest::qWait(500);
    QVERIFY(!indicator.isHidden());
    QVERIFY2(m_sandbox.sandbox().startServer(l.authoritative.name, &error), qPrintable(error));
    QElapsedTimer back;
    back.start();
    const qint64 backMs = QDateTime::currentMSecsSinceEpoch();
    qInfo("PowerDNS was away %.1f s", double(backMs - outageStartMs) / 1000.0);

    // Converged: the served zone equals the desired state.
    QTRY_COMPARE_WITH_TIMEOUT(diffExit(), 0, 30000);
    const double convergedS = double(back.elapsed()) / 1000.0;
    const ServedSteering served = servedSteering(l, QStringLiteral("shop"));
    QVERIFY2(served.found, qPrintable(served.error));
    QVERIFY2(std::any_of(l.proxies.cbegin(), l.proxies.cend(),
                         [&](const ProxyEndpoint &p) { return namesProxy(served, l, p); }),
             qPrintable(served.code));
    QVERIFY2(served.deadlineUnix > QDateTime::currentSecsSinceEpoch(), qPrintable(served.code));
    QTRY_VERIFY_WITH_TIMEOUT(indicator.isHidden(), 20000);

    // The tries, as the update log has them: growing pauses up to the cap.
    const auto log = UpdateLogRepository(db).latest(200);
    QVERIFY(log.ok());
    QList<qint64> failedAt;
    qint64 recoveredAt = 0;
    for (const UpdateLogEntry &e : log.value()) {
        if (e.atMs < outageStartMs)
            continue;
        if (!e.ok)
            failedAt.prepend(e.atMs);
        else if (recoveredAt == 0 || e.atMs < recoveredAt)
            recoveredAt = e.atMs;
    }
    QVERIFY(recoveredAt > 0);
    QStringList gapText;
    QList<qint64> gaps;
    for (qsizetype i = 1; i < failedAt.size(); ++i) {
        gaps.append(failedAt[i] - failedAt[i - 1]);
        gapText.append(QString::number(double(gaps.last()) / 1000.0, 'f', 1));
    }
    qInfo("%lld failed tries in %d s, gaps between them (s): %s; converged (dns diff = 0) %.1f s "
          "after PowerDNS returned; first successful update %.1f s after it",
          qlonglong(failedAt.size()), OutageSeconds, qPrintable(gapText.join(QLatin1Char(' '))),
          convergedS, double(recoveredAt - backMs) / 1000.0);
    // Not a try per poll (60+), and not a stall either.
    QVERIFY2(failedAt.size() >= 6 && failedAt.size() <= 20, qPrintable(gapText.join(' ')));
    QVERIFY(gaps.size() >= 5);
    QVERIFY2(gaps.last() > 2 * gaps.first(), qPrintable(gapText.join(' ')));
    // Each gap is the pause (at most the cap + 10 %) plus one try and the poll that sends it.
    for (const qint64 g : gaps)
        QVERIFY2(g <= BackoffCapMs * 11 / 10 + 4000, qPrintable(gapText.join(' ')));
    QVERIFY2(recoveredAt - backMs <= BackoffCapMs * 11 / 10 + 3000,
             "the first update after PowerDNS returned came later than one pause and a poll");

    // The log: the outage once, its end once, and nothing repeating.
    controller.stop();
    const QStringList messages = controller.messages();
    for (const QString &m : messages) {
        if (m.startsWith(QLatin1String("DNS updates")))
            qInfo("log: %s", qPrintable(m));
    }
    QCOMPARE(messagesStartingWith(messages, QStringLiteral("DNS updates failing since")), 1);
    QCOMPARE(messagesStartingWith(messages, QStringLiteral("DNS updates applied again after")), 1);
    const QStringList repeated = repeatedMessages(messages, 3);
    QVERIFY2(repeated.isEmpty(), qPrintable(repeated.join(QLatin1Char('\n'))));
}

QTEST_MAIN(TestFaultDnsOutage)
#include "tst_fault_dns_outage.moc"
