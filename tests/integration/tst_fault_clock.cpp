// Fault: the wall clock jumping forwards and back under a running `headroomctl run` (issue 8), on
// the sandbox's real servers. libfaketime (Debian package faketime) is preloaded into the
// controller only and moved while it runs (FAKETIME_TIMESTAMP_FILE re-read on every call;
// the monotonic clock left alone, as a real jump leaves it). PowerDNS keeps the true time.
//   - each jump is logged once, with its size;
//   - the deadline written into the records stays "now + validity" in PowerDNS's time (it is
//     taken from the server's signed answers), not 120 s in the future after a +120 s jump;
//   - a forward jump past the lease's window ends it; the jump back does not revive it;
//   - metering stays exact: every request sent is counted once (counter deltas, not time);
//   - a jump beyond the TSIG fudge (300 s) makes PowerDNS refuse our signatures: a clear error.
// The test binaries run under AddressSanitizer, which wants to be first among the preloaded
// libraries: ASAN_OPTIONS=verify_asan_link_order=0 lets libfaketime go first (checked to work).
// A missing server or libfaketime fails the test; nothing here skips.
#include "faultsupport.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace headroom;
using namespace headroom::test;

namespace {
const QString LibFaketime = QStringLiteral("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
constexpr int Validity = 10;
} // namespace

class TestFaultClock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void jumpsForwardsAndBack();

private:
    void setOffset(const QString &offset);
    QProcessEnvironment fakedEnvironment() const;
    int countLog(const ControllerProcess &c, const QString &text) const;

    SandboxFixture m_sandbox;
    QTemporaryDir m_dir;
    QString m_offsetFile;
};

void TestFaultClock::initTestCase()
{
    QVERIFY2(QFile::exists(LibFaketime),
             "libfaketime is not installed (apt-get install faketime; scripts/setup does)");
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
    m_offsetFile = m_dir.filePath(QStringLiteral("faketime"));
    setOffset(QStringLiteral("+0"));
}

void TestFaultClock::cleanupTestCase()
{
    m_sandbox.down();
}

void TestFaultClock::setOffset(const QString &offset)
{
    QFile f(m_offsetFile);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(offset.toLatin1() + '\n');
}

QProcessEnvironment TestFaultClock::fakedEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LD_PRELOAD"), LibFaketime);
    env.insert(QStringLiteral("FAKETIME_TIMESTAMP_FILE"), m_offsetFile);
    env.insert(QStringLiteral("FAKETIME_NO_CACHE"), QStringLiteral("1"));
    env.insert(QStringLiteral("FAKETIME_DONT_FAKE_MONOTONIC"), QStringLiteral("1"));
    env.insert(QStringLiteral("ASAN_OPTIONS"), env.value(QStringLiteral("ASAN_OPTIONS")) +
                                                   QStringLiteral(":verify_asan_link_order=0"));
    return env;
}

int TestFaultClock::countLog(const ControllerProcess &c, const QString &text) const
{
    return int(messagesContaining(c.messages(), text));
}

void TestFaultClock::jumpsForwardsAndBack()
{
    const SandboxLayout &l = m_sandbox.layout();
    Database db;
    QVERIFY(db.open(l.databaseFile()).ok());
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    const qint64 leaseId = addShopLease(db, l, start - 10000, start + 150000);
    QVERIFY(leaseId > 0);
    ControllerProcess controller(l, m_dir.filePath(QStringLiteral("controller.log")));
    QVERIFY(controller.start({QStringLiteral("--ttl"), QStringLiteral("2"),
                              QStringLiteral("--validity"), QString::number(Validity)},
                             fakedEnvironment()));
    QTRY_VERIFY_WITH_TIMEOUT(LeaseRepository(db).byId(leaseId).value()->state == LeaseState::Active,
                             30000);
    for (const ProxyEndpoint &p : l.proxies)
        QTRY_COMPARE_WITH_TIMEOUT(statusVia(p, "www.shop.example"), 200, 20000);
    const auto metered = [&] {
        return qint64(UsageRepository(db).totalsForLease(leaseId).value().first);
    };
    QTest::qWait(3000);
    const qint64 before = metered();
    qint64 sent = 0;
    const auto send = [&](int rounds) {
        for (int i = 0; i < rounds; ++i) {
            for (const ProxyEndpoint &p : l.proxies) {
                if (statusVia(p, "www.shop.example") != 200)
                    return false;
                ++sent;
            }
        }
        return true;
    };
    // How far ahead of PowerDNS's (true) clock the served deadline is, at worst over `ms`.
    const auto worstLead = [&](int ms) {
        qint64 worst = -1000;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            const ServedSteering s = servedSteering(l, QStringLiteral("shop"));
            if (s.found && s.deadlineUnix > 0)
                worst = std::max(worst, s.deadlineUnix - QDateTime::currentSecsSinceEpoch());
            QTest::qWait(250);
        }
        return worst;
    };
    QVERIFY(send(10));
    const qint64 leadBefore = worstLead(4000);
    QVERIFY2(leadBefore > 0 && leadBefore <= Validity + 3, QByteArray::number(leadBefore));

    // +120 s: within the TSIG fudge, inside the lease's window.
    setOffset(QStringLiteral("+120"));
    QTRY_COMPARE_WITH_TIMEOUT(
        countLog(controller, QStringLiteral("wall clock jumped forwards by 120")), 1, 10000);
    const qint64 leadAfterJump = worstLead(Validity * 1000 + 3000);
    qInfo("served deadline ahead of the DNS server's clock: %lld s before the jump, at most %lld s "
          "in the %d s after a +120 s jump (validity %d s)",
          qlonglong(leadBefore), qlonglong(leadAfterJump), Validity + 3, Validity);
    QVERIFY2(leadAfterJump > 0 && leadAfterJump <= Validity + 3, QByteArray::number(leadAfterJump));
    QVERIFY(send(10));
    QCOMPARE(LeaseRepository(db).byId(leaseId).value()->state, LeaseState::Active);
    QTRY_COMPARE_WITH_TIMEOUT(metered() - before, sent, 10000);

    // +200 s: past the window's end (start + 150 s): the lease drains and ends.
    setOffset(QStringLiteral("+200"));
    QTRY_COMPARE_WITH_TIMEOUT(
        countLog(controller, QStringLiteral("wall clock jumped forwards by 80")), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(LeaseRepository(db).byId(leaseId).value()->state, LeaseState::Ended,
                              30000);
    const qsizetype events = LeaseRepository(db).events(leaseId).value().size();

    // Back to the true time: logged, and the lease stays ended.
    setOffset(QStringLiteral("+0"));
    QTRY_COMPARE_WITH_TIMEOUT(
        countLog(controller, QStringLiteral("wall clock jumped backwards by 200")), 1, 10000);
    QTest::qWait(5000);
    QCOMPARE(LeaseRepository(db).byId(leaseId).value()->state, LeaseState::Ended);
    QCOMPARE(LeaseRepository(db).events(leaseId).value().size(), events);
    QCOMPARE(metered() - before, sent);
    qInfo("%lld requests sent across the jumps, %lld metered", qlonglong(sent),
          qlonglong(metered() - before));
    QCOMPARE(countLog(controller, QStringLiteral("DNS updates failing")), 0);
    controller.stop();
    for (const QString &m : controller.messages()) {
        if (m.contains(QLatin1String("clock")) || m.contains(QLatin1String("lease")))
            qInfo("log: %s", qPrintable(m));
    }
    const QStringList repeated = repeatedMessages(controller.messages(), 3);
    QVERIFY2(repeated.isEmpty(), qPrintable(repeated.join(QLatin1Char('\n'))));

    // A jump beyond the TSIG fudge: PowerDNS refuses the signature, and says why.
    setOffset(QStringLiteral("+3600"));
    const CtlRun r =
        runCtl(QStringList{QStringLiteral("dns"), QStringLiteral("set-weights"),
                           QStringLiteral("clockcheck"), QStringLiteral("--proxy"),
                           l.proxies.first().address.toString() + QStringLiteral("=100"),
                           QStringLiteral("--overflow"),
                           l.origins.first().address.toString() + QStringLiteral("=1")} +
                   sandboxArgs(l),
               30000, fakedEnvironment());
    qInfo("an UPDATE signed 1 h ahead: exit %d: %s", r.code, r.err.trimmed().constData());
    QCOMPARE(r.code, 1);
    // PowerDNS 4.7 answers REFUSED without a TSIG error (BADTIME) for a skewed clock.
    QVERIFY2(r.err.contains("BADTIME") || r.err.contains("clock more than 5 minutes off"),
             r.err.constData());
    setOffset(QStringLiteral("+0"));
}

QTEST_GUILESS_MAIN(TestFaultClock)
#include "tst_fault_clock.moc"
