// Measures the sandbox PowerDNS settings the steering relies on: an RFC 2136 update is visible in
// the very next answer (packet and query caches are purged), and every query of a LUA record
// gets its own weighted pick (LUA answers bypass the packet cache). Updates are sent with BIND's
// nsupdate here; the project's own ldns updater is tested in its own suite.

#include "dns/dnsclient.h"
#include "sandboxfixture.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace headroom;

class TestPdnsCaching final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void updateIsVisibleInTheNextAnswer();
    void everyQueryGetsItsOwnWeightedPick();

private:
    bool nsupdate(const QByteArray &commands, QString *error);
    DnsResponse ask(const QString &name) const
    {
        const auto &l = m_fixture.layout();
        return DnsClient::querySync(l.authoritative.address, l.authoritative.port,
                                    {name, quint16(RecordType::A), false}, 2000);
    }
    test::SandboxFixture m_fixture;
    QTemporaryDir m_tmp;
};

void TestPdnsCaching::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

bool TestPdnsCaching::nsupdate(const QByteArray &commands, QString *error)
{
    const auto &l = m_fixture.layout();
    QFile secretFile(l.updateKeyFile());
    if (!secretFile.open(QIODevice::ReadOnly)) {
        *error = secretFile.errorString();
        return false;
    }
    const QString keyPath = m_tmp.path() + QStringLiteral("/update.key");
    QFile key(keyPath);
    if (!key.open(QIODevice::WriteOnly | QIODevice::Truncate,
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = key.errorString();
        return false;
    }
    key.write("key \"" + l.updateKeyName.toLatin1() + "\" { algorithm hmac-sha256; secret \"" +
              secretFile.readAll().trimmed() + "\"; };\n");
    key.close();
    QProcess p;
    p.start(QStringLiteral("nsupdate"), {QStringLiteral("-k"), keyPath});
    if (!p.waitForStarted(5000)) {
        *error = QStringLiteral("nsupdate (bind9-dnsutils) did not start: ") + p.errorString();
        return false;
    }
    p.write("server " + l.authoritative.address.toString().toLatin1() + " " +
            QByteArray::number(l.authoritative.port) + "\nzone " + l.ourZone.toLatin1() + "\n" +
            commands + "send\n");
    p.closeWriteChannel();
    p.waitForFinished(10000);
    *error = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

void TestPdnsCaching::updateIsVisibleInTheNextAnswer()
{
    const QString name = QStringLiteral("static.") + m_fixture.layout().ourZone;
    for (int round = 1; round <= 10; ++round) {
        // Warm the caches with the old answer first, then replace it.
        ask(name);
        ask(name);
        const QByteArray address = "192.0.2." + QByteArray::number(round);
        QString error;
        QVERIFY2(nsupdate("update delete " + name.toLatin1() + " A\nupdate add " + name.toLatin1() +
                              " 20 A " + address + "\n",
                          &error),
                 qPrintable(error));
        const DnsResponse r = ask(name);
        QVERIFY(r.ok());
        QCOMPARE(r.addresses().size(), 1);
        QCOMPARE(r.addresses().first().toString().toLatin1(), address);
    }
}

void TestPdnsCaching::everyQueryGetsItsOwnWeightedPick()
{
    const QString name = QStringLiteral("weighted.") + m_fixture.layout().ourZone;
    const QByteArray code = "pickwrandom({{70,'192.0.2.10'},{30,'192.0.2.20'}})";
    // LUA RDATA: type A (2 bytes) + the code as one character-string (RFC 3597 form).
    QByteArray rdata("\x00\x01", 2);
    rdata += char(code.size());
    rdata += code;
    QString error;
    QVERIFY2(nsupdate("update delete " + name.toLatin1() + "\nupdate add " + name.toLatin1() +
                          " 5 TYPE65402 \\# " + QByteArray::number(rdata.size()) + " " +
                          rdata.toHex() + "\n",
                      &error),
             qPrintable(error));
    int first = 0;
    int runs = 0;
    QString previous;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
        const DnsResponse r = ask(name);
        QVERIFY(r.ok());
        QCOMPARE(r.addresses().size(), 1);
        const QString got = r.addresses().first().toString();
        first += got == QLatin1String("192.0.2.10");
        runs += got != previous;
        previous = got;
    }
    const double share = double(first) / n;
    qInfo("first target share %.3f over %d queries, %d runs", share, n, runs);
    QVERIFY2(share > 0.66 && share < 0.74, qPrintable(QString::number(share)));
    // A cached answer would come back in long runs; independent picks alternate often
    // (expected runs for p=0.7: 1 + 2*n*p*(1-p) = 841).
    QVERIFY2(runs > 600, qPrintable(QString::number(runs)));
}

QTEST_GUILESS_MAIN(TestPdnsCaching)
#include "tst_pdns_caching.moc"
