// Start failures are clear errors naming the server and its log, and leave nothing running;
// two sandboxes with different port bases run side by side.

#include "sandboxfixture.h"

#include <QTemporaryDir>
#include <QUdpSocket>
#include <QtTest>

using namespace headroom;

class TestSandboxFailures final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void portInUseNamesTheServer();
    void missingProgramNamesThePackage();
    void serverDyingAtStartNamesItsLog();
    void badStateDirIsRefused();
    void twoSandboxesSideBySide();

private:
    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/headroom-test-XXXXXX")};
};

void TestSandboxFailures::portInUseNamesTheServer()
{
    const int base = test::SandboxFixture::randomPortBase();
    QString error;
    const auto layout = SandboxLayout::make(base, m_dir.path() + QStringLiteral("/busy"), &error);
    QVERIFY(layout);
    QUdpSocket squatter;
    QVERIFY(squatter.bind(layout->recursor.address, layout->recursor.port));
    Sandbox box(*layout);
    QVERIFY(!box.up({}, &error));
    QVERIFY2(error.contains(QLatin1String("recursor")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("already in use")), qPrintable(error));
    QVERIFY(test::SandboxFixture::processesMentioning(layout->stateDir).isEmpty());
}

void TestSandboxFailures::missingProgramNamesThePackage()
{
    QString error;
    const auto layout = SandboxLayout::make(test::SandboxFixture::randomPortBase(),
                                            m_dir.path() + QStringLiteral("/missing"), &error);
    QVERIFY(layout);
    Sandbox box(*layout);
    Sandbox::Options options;
    options.programOverrides.insert(QStringLiteral("named"), QString()); // "not found"
    QVERIFY(!box.up(options, &error));
    QVERIFY2(error.contains(QLatin1String("purchaser-dns")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("apt-get install bind9")), qPrintable(error));
    QVERIFY(!box.status().running);
}

void TestSandboxFailures::serverDyingAtStartNamesItsLog()
{
    QString error;
    const auto layout = SandboxLayout::make(test::SandboxFixture::randomPortBase(),
                                            m_dir.path() + QStringLiteral("/dying"), &error);
    QVERIFY(layout);
    Sandbox box(*layout);
    Sandbox::Options options;
    options.programOverrides.insert(QStringLiteral("pdns_server"), QStringLiteral("/bin/false"));
    QVERIFY(!box.up(options, &error));
    QVERIFY2(error.startsWith(QLatin1String("pdns-auth did not start")), qPrintable(error));
    QVERIFY2(error.contains(layout->logDir() + QStringLiteral("/pdns-auth.log")),
             qPrintable(error));
    // What it started before the failure (origins, BIND) was stopped again.
    QVERIFY(test::SandboxFixture::processesMentioning(layout->stateDir).isEmpty());
    QVERIFY(!box.status().exists);
}

void TestSandboxFailures::badStateDirIsRefused()
{
    QString error;
    QVERIFY(!SandboxLayout::make(30000, QStringLiteral("/tmp/x\";evil"), &error));
    QVERIFY(error.contains(QLatin1String("state directory")));
    QVERIFY(!SandboxLayout::make(30000, QStringLiteral("/tmp/with space"), &error));
    QVERIFY(!SandboxLayout::make(80, QStringLiteral("/tmp/ok"), &error));
    QVERIFY(error.contains(QLatin1String("port base")));
}

void TestSandboxFailures::twoSandboxesSideBySide()
{
    test::SandboxFixture first;
    test::SandboxFixture second;
    QString error;
    QVERIFY2(first.up(&error), qPrintable(error));
    QVERIFY2(second.up(&error), qPrintable(error));
    QVERIFY(first.layout().portBase != second.layout().portBase);
    QVERIFY(first.sandbox().status().running);
    QVERIFY(second.sandbox().status().running);

    // The same port base again is refused while the first runs, naming the first server.
    const auto clash = SandboxLayout::make(first.layout().portBase,
                                           m_dir.path() + QStringLiteral("/clash"), &error);
    QVERIFY(clash);
    Sandbox third(*clash);
    QVERIFY(!third.up({}, &error));
    QVERIFY2(error.contains(QLatin1String("pdns-auth")) && error.contains(QLatin1String("in use")),
             qPrintable(error));

    // Stopping one leaves the other untouched.
    first.down();
    QVERIFY(test::SandboxFixture::processesMentioning(first.layout().stateDir).isEmpty());
    QVERIFY(second.sandbox().status().running);
    second.down();
    QVERIFY(test::SandboxFixture::processesMentioning(second.layout().stateDir).isEmpty());
}

QTEST_GUILESS_MAIN(TestSandboxFailures)
#include "tst_sandbox_failures.moc"
