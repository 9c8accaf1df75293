// HAProxy's runtime API at the lowest level that works, against the sandbox's real proxies: the
// scraper's socket (level operator) reads the per-site stick table but is refused every command
// that changes servers; the provisioner's socket (level admin) is not; the master CLI is at level
// operator; every socket is a unix socket only its owner may open, and so are the files holding
// secrets. What HAProxy 2.6 does not check by level (map commands) is pinned here too, so that
// docs/SECURITY.md stays true.
#include "fleet/runtimeapi.h"
#include "fleet/stickytableparser.h"
#include "sandboxfixture.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QLocalSocket>
#include <QTest>
#include <QTimer>
#include <sys/socket.h>
#include <sys/stat.h>

using namespace headroom;

namespace {

// One command on a CLI socket; the master CLI answers only after the client half-closes.
QByteArray cli(const QString &socket, const QString &command, bool halfClose = false)
{
    QLocalSocket s;
    s.connectToServer(socket);
    if (!s.waitForConnected(3000))
        return "error: " + s.errorString().toLatin1();
    s.write(command.toLatin1() + '\n');
    s.waitForBytesWritten(3000);
    if (halfClose)
        ::shutdown(int(s.socketDescriptor()), SHUT_WR);
    QByteArray answer;
    QDeadlineTimer deadline(5000);
    while (s.state() == QLocalSocket::ConnectedState && !deadline.hasExpired()) {
        s.waitForReadyRead(100);
        answer += s.readAll();
    }
    answer += s.readAll();
    return answer;
}

// The mode bits of a path (sockets included), without the file type.
mode_t modeOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 07777;
    return st.st_mode & 07777;
}

bool isSocket(const QString &path)
{
    struct stat st = {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 && S_ISSOCK(st.st_mode);
}

const QByteArray kDenied = "Permission denied";

} // namespace

class TestRuntimeLevels final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void socketsAndSecretsAreOwnerOnly();
    void monitorSocketReadsTheStickTable();
    void monitorSocketIsRefusedServerChanges_data();
    void monitorSocketIsRefusedServerChanges();
    void adminSocketProvisions();
    void mapCommandsAreNotLevelChecked();
    void masterCliIsOperatorLevel();

private:
    const ProxyEndpoint &proxy() const { return m_sandbox.layout().proxies.first(); }
    test::SandboxFixture m_sandbox;
};

void TestRuntimeLevels::initTestCase()
{
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
}

void TestRuntimeLevels::cleanupTestCase()
{
    m_sandbox.down();
}

void TestRuntimeLevels::socketsAndSecretsAreOwnerOnly()
{
    const SandboxLayout &l = m_sandbox.layout();
    for (const ProxyEndpoint &p : l.proxies) {
        for (const QString &socket : {p.runtimeSocket, p.monitorSocket, p.masterSocket}) {
            QVERIFY2(isSocket(socket), qPrintable(socket));
            QVERIFY2(
                modeOf(socket) == 0600,
                qPrintable(QStringLiteral("%1 has mode %2").arg(socket).arg(modeOf(socket), 0, 8)));
        }
        // No runtime API on TCP: the only listeners are traffic, metrics and the local peer.
        QFile cfg(l.serverDir(p.name) + QStringLiteral("/haproxy.cfg"));
        QVERIFY(cfg.open(QIODevice::ReadOnly));
        const QByteArray c = cfg.readAll();
        QCOMPARE(c.count("stats socket /"), qsizetype(2));
        QVERIFY(!c.contains("stats socket ipv") && !c.contains("stats socket *"));
    }
    QCOMPARE(modeOf(l.stateDir + QStringLiteral("/secrets")), mode_t(0700));
    for (const QString &secret :
         {l.updateKeyFile(), l.axfrKeyFile(),
          // The servers' own copies: PowerDNS's backend (tsigkeys) and BIND's configuration.
          l.serverDir(l.authoritative.name) + QStringLiteral("/pdns.sqlite3"),
          l.serverDir(l.purchaserDns.name) + QStringLiteral("/named.conf")}) {
        QVERIFY2(
            modeOf(secret) == 0600,
            qPrintable(QStringLiteral("%1 has mode %2").arg(secret).arg(modeOf(secret), 0, 8)));
    }
}

void TestRuntimeLevels::monitorSocketReadsTheStickTable()
{
    const test::HttpResult r = test::httpGet(proxy().address, proxy().httpPort,
                                             m_sandbox.layout().subscriberZone.toLatin1());
    QCOMPARE(r.status, 200);
    const QByteArray table = cli(proxy().monitorSocket, QStringLiteral("show table per_site"));
    QVERIFY2(!table.contains("insufficient privileges"), table.constData());
    QString error;
    const auto parsed = parseStickyTable(table, &error);
    QVERIFY2(parsed, qPrintable(error));
    QVERIFY2(table.contains("key=" + m_sandbox.layout().subscriberZone.toLatin1() + "/"),
             table.constData());
    // What the scraper and the sandbox's reload read: also open to the monitor socket.
    QVERIFY(cli(proxy().monitorSocket, QStringLiteral("show servers state be_news"))
                .contains("be_news"));
    QVERIFY(cli(proxy().monitorSocket, QStringLiteral("show peers")).contains("tables"));
    QVERIFY(cli(proxy().monitorSocket, QStringLiteral("show cli level")).startsWith("operator"));
    QVERIFY(cli(proxy().runtimeSocket, QStringLiteral("show cli level")).startsWith("admin"));
}

void TestRuntimeLevels::monitorSocketIsRefusedServerChanges_data()
{
    QTest::addColumn<QString>("command");
    QTest::newRow("disable server") << QStringLiteral("disable server be_news/news");
    QTest::newRow("enable server") << QStringLiteral("enable server be_news/news");
    QTest::newRow("set server state") << QStringLiteral("set server be_news/news state maint");
    QTest::newRow("set server addr")
        << QStringLiteral("set server be_news/news addr 127.0.2.1 port 80");
    QTest::newRow("set weight") << QStringLiteral("set weight be_news/news 0");
    QTest::newRow("add server") << QStringLiteral("add server be_slot31/probe 127.0.2.1:80");
    QTest::newRow("del server") << QStringLiteral("del server be_news/news");
    QTest::newRow("clear counters all") << QStringLiteral("clear counters all");
    QTest::newRow("shutdown frontend") << QStringLiteral("shutdown frontend http");
    QTest::newRow("set maxconn") << QStringLiteral("set maxconn global 1");
}

void TestRuntimeLevels::monitorSocketIsRefusedServerChanges()
{
    QFETCH(QString, command);
    const QByteArray before = cli(proxy().runtimeSocket, QStringLiteral("show servers state"));
    const QByteArray answer = cli(proxy().monitorSocket, command);
    QVERIFY2(answer.trimmed() == kDenied, answer.constData());
    QCOMPARE(cli(proxy().runtimeSocket, QStringLiteral("show servers state")), before);
    // The proxy still routes the subscriber: nothing was disabled.
    QCOMPARE(test::httpGet(proxy().address, proxy().httpPort,
                           m_sandbox.layout().subscriberZone.toLatin1())
                 .status,
             200);
}

void TestRuntimeLevels::adminSocketProvisions()
{
    // The provisioner's socket is the one with admin: a dynamic server comes and goes.
    QCOMPARE(cli(proxy().runtimeSocket, QStringLiteral("add server be_slot31/probe 127.0.2.1:80"))
                 .trimmed(),
             QByteArray("New server registered."));
    QVERIFY(cli(proxy().monitorSocket, QStringLiteral("show servers state be_slot31"))
                .contains(" probe "));
    QCOMPARE(cli(proxy().runtimeSocket, QStringLiteral("del server be_slot31/probe")).trimmed(),
             QByteArray("Server deleted."));
}

void TestRuntimeLevels::mapCommandsAreNotLevelChecked()
{
    // HAProxy 2.6 checks no level for add/set/del map: an operator (even a user) socket may
    // change the Host map. Only the socket's mode (0600, this user) keeps others out, which is
    // why both sockets are owner-only. If a later HAProxy refuses this, update docs/SECURITY.md.
    const QString map = proxy().hostMap;
    const QByteArray added =
        cli(proxy().monitorSocket, QStringLiteral("add map %1 probe.invalid be_unknown").arg(map));
    QVERIFY2(added.trimmed().isEmpty(), added.constData());
    QVERIFY(cli(proxy().runtimeSocket, QStringLiteral("show map %1").arg(map))
                .contains("probe.invalid be_unknown"));
    QVERIFY(cli(proxy().runtimeSocket, QStringLiteral("del map %1 probe.invalid").arg(map))
                .trimmed()
                .isEmpty());
    QVERIFY(!cli(proxy().runtimeSocket, QStringLiteral("show map %1").arg(map))
                 .contains("probe.invalid"));
}

void TestRuntimeLevels::masterCliIsOperatorLevel()
{
    QVERIFY(cli(proxy().masterSocket, QStringLiteral("show proc"), true).contains("master"));
    QVERIFY(
        cli(proxy().masterSocket, QStringLiteral("show cli level"), true).startsWith("operator"));
    // Through the master, a worker's CLI is at operator too: no server changes that way either.
    QVERIFY(cli(proxy().masterSocket, QStringLiteral("@1 show cli level"), true)
                .startsWith("operator"));
    QCOMPARE(
        cli(proxy().masterSocket, QStringLiteral("@1 disable server be_news/news"), true).trimmed(),
        kDenied);
}

QTEST_GUILESS_MAIN(TestRuntimeLevels)
#include "tst_runtime_levels.moc"
