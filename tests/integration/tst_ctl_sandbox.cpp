// The CLI as a user drives it: headroomctl sandbox up / status --json / traffic / down.

#include "sandboxfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace headroom;

namespace {
struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run ctl(const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}
} // namespace

class TestCtlSandbox final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void statusJsonListsEveryEndpoint();
    void trafficReportsRequestsSpreadOverProxies();
    void unknownVerbAndBadOptionsAreUsageErrors();
    void downLeavesNothingBehind();
    void cleanupTestCase();

private:
    QStringList where() const
    {
        return {QStringLiteral("--port-base"), QString::number(m_base),
                QStringLiteral("--state-dir"), m_stateDir};
    }
    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/headroom-test-XXXXXX")};
    int m_base = 0;
    QString m_stateDir;
};

void TestCtlSandbox::initTestCase()
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_base = test::SandboxFixture::randomPortBase();
        m_stateDir = m_dir.path() + QStringLiteral("/sb");
        const Run r = ctl(QStringList{QStringLiteral("sandbox"), QStringLiteral("up")} + where());
        if (r.exitCode == 0) {
            QVERIFY(r.out.contains("sandbox running"));
            return;
        }
        QVERIFY2(r.err.contains("already in use"), r.err.constData());
    }
    QFAIL("no free port base found");
}

void TestCtlSandbox::statusJsonListsEveryEndpoint()
{
    const Run r = ctl(
        QStringList{QStringLiteral("sandbox"), QStringLiteral("status"), QStringLiteral("--json")} +
        where());
    QCOMPARE(r.exitCode, 0);
    QJsonParseError pe;
    const QJsonObject s = QJsonDocument::fromJson(r.out, &pe).object();
    QCOMPARE(pe.error, QJsonParseError::NoError);
    QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    QCOMPARE(s.value(QStringLiteral("port_base")).toInt(), m_base);
    QCOMPARE(s.value(QStringLiteral("state_dir")).toString(), m_stateDir);
    const QJsonObject auth = s.value(QStringLiteral("authoritative")).toObject();
    QCOMPARE(auth.value(QStringLiteral("port")).toInt(), m_base);
    QVERIFY(auth.value(QStringLiteral("zones"))
                .toArray()
                .contains(QStringLiteral("edge.headroom.test")));
    QCOMPARE(
        s.value(QStringLiteral("purchaser_dns")).toObject().value(QStringLiteral("port")).toInt(),
        m_base + 1);
    QCOMPARE(s.value(QStringLiteral("recursor")).toObject().value(QStringLiteral("port")).toInt(),
             m_base + 2);
    QCOMPARE(s.value(QStringLiteral("proxies")).toArray().size(), 3);
    QCOMPARE(s.value(QStringLiteral("origins")).toArray().size(), 3);
    const QJsonObject tsig = s.value(QStringLiteral("tsig")).toObject();
    QCOMPARE(tsig.value(QStringLiteral("update_key_name")).toString(),
             QStringLiteral("headroom-update"));
    QCOMPARE(tsig.value(QStringLiteral("algorithm")).toString(), QStringLiteral("hmac-sha256"));
    QVERIFY(!tsig.contains(QStringLiteral("secret")));
    const QJsonArray servers = s.value(QStringLiteral("servers")).toArray();
    QCOMPARE(servers.size(), 9); // 3 origins, BIND, PowerDNS, recursor, 3 proxies
    for (const auto &v : servers) {
        QVERIFY(v.toObject().value(QStringLiteral("running")).toBool());
        QVERIFY(QFile::exists(v.toObject().value(QStringLiteral("log")).toString()));
    }
}

void TestCtlSandbox::trafficReportsRequestsSpreadOverProxies()
{
    const Run r =
        ctl(QStringList{QStringLiteral("traffic"), QStringLiteral("--profile"),
                        QStringLiteral("steady"), QStringLiteral("--rate"), QStringLiteral("200"),
                        QStringLiteral("--duration"), QStringLiteral("4"), QStringLiteral("--host"),
                        QStringLiteral("news.example"), QStringLiteral("--json")} +
            where());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject rep = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(rep.value(QStringLiteral("requested")).toInt(), 800);
    QCOMPARE(rep.value(QStringLiteral("ok")).toInt(), 800);
    QCOMPARE(rep.value(QStringLiteral("errors")).toInt(), 0);
    const QJsonObject targets = rep.value(QStringLiteral("by_target")).toObject();
    QCOMPARE(targets.size(), 3);
    for (const QString &a :
         {QStringLiteral("127.0.1.1"), QStringLiteral("127.0.1.2"), QStringLiteral("127.0.1.3")})
        QVERIFY2(targets.value(a).toInt() > 150, r.out.constData());
}

void TestCtlSandbox::unknownVerbAndBadOptionsAreUsageErrors()
{
    QCOMPARE(ctl({QStringLiteral("frobnicate")}).exitCode, 2);
    QCOMPARE(
        ctl(QStringList{QStringLiteral("sandbox"), QStringLiteral("sideways")} + where()).exitCode,
        2);
    const Run bad = ctl(QStringList{QStringLiteral("traffic"), QStringLiteral("--profile"),
                                    QStringLiteral("sawtooth")} +
                        where());
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains("unknown profile"));
}

void TestCtlSandbox::downLeavesNothingBehind()
{
    QVERIFY(!test::SandboxFixture::processesMentioning(m_stateDir).isEmpty());
    const Run r = ctl(QStringList{QStringLiteral("sandbox"), QStringLiteral("down")} + where());
    QCOMPARE(r.exitCode, 0);
    QVERIFY(test::SandboxFixture::processesMentioning(m_stateDir).isEmpty());
    const Run st = ctl(
        QStringList{QStringLiteral("sandbox"), QStringLiteral("status"), QStringLiteral("--json")} +
        where());
    QCOMPARE(st.exitCode, 3);
    QCOMPARE(QJsonDocument::fromJson(st.out).object().value(QStringLiteral("state")).toString(),
             QStringLiteral("stopped"));
}

void TestCtlSandbox::cleanupTestCase()
{
    ctl(QStringList{QStringLiteral("sandbox"), QStringLiteral("down")} + where());
}

QTEST_GUILESS_MAIN(TestCtlSandbox)
#include "tst_ctl_sandbox.moc"
