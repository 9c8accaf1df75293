// Fault: the purchaser's DNS unreachable while importing their zone (issue 8), through
// `headroomctl dns import-zone` against the sandbox's real BIND. Stopped (connection refused),
// frozen (SIGSTOP: it accepts the connection and never answers) or an address nothing answers
// on: each time a clear error that names the server (and the timeout when one ran out), exit 1,
// and the names imported before stay as they were.
// A missing server fails the test (the fixture's up() fails); nothing here skips.
#include "faultsupport.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/dnsrepository.h"

#include <QTest>
#include <csignal>

using namespace headroom;
using namespace headroom::test;

class TestFaultImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void firstImportWorks();
    void serverStopped();
    void serverFrozen();
    void nothingAnswers();
    void worksAgain();

private:
    CtlRun import(const QString &server, const QStringList &more = {});
    int storedNames();
    void expectUnchanged(const CtlRun &r, const QString &server);

    SandboxFixture m_sandbox;
    QString m_server;
    int m_names = 0;
};

void TestFaultImport::initTestCase()
{
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
    const SandboxLayout &l = m_sandbox.layout();
    m_server =
        QStringLiteral("%1:%2").arg(l.purchaserDns.address.toString()).arg(l.purchaserDns.port);
}

void TestFaultImport::cleanupTestCase()
{
    m_sandbox.down();
}

CtlRun TestFaultImport::import(const QString &server, const QStringList &more)
{
    return runCtl(QStringList{QStringLiteral("dns"), QStringLiteral("import-zone"),
                              QStringLiteral("shop.example"), QStringLiteral("--server"), server,
                              QStringLiteral("--tsig"), QStringLiteral("shop-axfr")} +
                  sandboxArgs(m_sandbox.layout()) + more);
}

int TestFaultImport::storedNames()
{
    Database db;
    if (!db.open(m_sandbox.layout().databaseFile()))
        return -1;
    const auto names = ImportedNameRepository(db).byZone(QStringLiteral("shop.example."));
    return names ? int(names.value().size()) : -1;
}

void TestFaultImport::expectUnchanged(const CtlRun &r, const QString &server)
{
    qInfo("exit %d after %lld ms: %s", r.code, qlonglong(r.elapsedMs), r.err.trimmed().constData());
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(server.toLatin1()), r.err.constData());
    QVERIFY2(r.err.contains("nothing was stored"), r.err.constData());
    QCOMPARE(storedNames(), m_names);
}

void TestFaultImport::firstImportWorks()
{
    const CtlRun r = import(m_server);
    QVERIFY2(r.code == 0, r.err.constData());
    m_names = storedNames();
    QVERIFY2(m_names >= 2, r.out.constData());
}

void TestFaultImport::serverStopped()
{
    QString error;
    QVERIFY2(m_sandbox.sandbox().stopServer(m_sandbox.layout().purchaserDns.name, &error),
             qPrintable(error));
    const CtlRun r = import(m_server);
    expectUnchanged(r, m_server);
    QVERIFY2(r.err.contains("refused"), r.err.constData());
    QVERIFY2(r.err.contains(QStringLiteral("the %1 names imported before").arg(m_names).toLatin1()),
             r.err.constData());
    QVERIFY2(m_sandbox.sandbox().startServer(m_sandbox.layout().purchaserDns.name, &error),
             qPrintable(error));
}

void TestFaultImport::serverFrozen()
{
    // Its listening socket stays open: the kernel completes the connection, nobody answers.
    const SandboxStatus st = m_sandbox.sandbox().status();
    qint64 pid = 0;
    for (const SandboxServerStatus &s : st.servers) {
        if (s.name == m_sandbox.layout().purchaserDns.name && s.running)
            pid = s.process.pid;
    }
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
    const CtlRun r = import(m_server, {QStringLiteral("--timeout"), QStringLiteral("2000")});
    ::kill(pid_t(pid), SIGCONT);
    expectUnchanged(r, m_server);
    QVERIFY2(r.err.contains("within 2000 ms"), r.err.constData());
    QVERIFY2(r.elapsedMs < 10000, "the timeout was not kept");
}

void TestFaultImport::nothingAnswers()
{
    // TEST-NET-1: routed nowhere. Depending on the machine's routes the connection times out or
    // fails at once; either way the error names the server.
    const QString blackhole = QStringLiteral("192.0.2.1:53");
    const CtlRun r = import(blackhole, {QStringLiteral("--timeout"), QStringLiteral("1500")});
    expectUnchanged(r, blackhole);
    QVERIFY2(r.elapsedMs < 10000, "the timeout was not kept");
}

void TestFaultImport::worksAgain()
{
    const CtlRun r = import(m_server);
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(storedNames(), m_names);
}

QTEST_GUILESS_MAIN(TestFaultImport)
#include "tst_fault_import.moc"
