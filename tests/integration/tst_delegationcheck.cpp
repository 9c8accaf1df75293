// checkDelegation against the sandbox's real servers: the purchaser's BIND (shop.example), our
// PowerDNS (edge.headroom.test) and the PowerDNS Recursor in front of both.

#include "dns/delegationcheck.h"
#include "sandboxfixture.h"

#include <QJsonArray>
#include <QtTest>

using namespace headroom;

class TestDelegationCheck final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cnameIntoOurZoneIsDelegated();
    void plainAddressIsNotDelegated();
    void lameNsIsMisconfigured();
    void missingNameIsMisconfigured();
    void silentAuthorityIsMisconfigured();
    void cleanupTestCase();

private:
    DelegationCheckInput input(const QString &host) const;
    test::SandboxFixture m_fixture;
};

void TestDelegationCheck::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

DelegationCheckInput TestDelegationCheck::input(const QString &host) const
{
    const SandboxLayout &l = m_fixture.layout();
    DelegationCheckInput in{*DnsName::parse(host),
                            *DnsName::parse(l.ourZone),
                            {{l.authoritative.address, l.authoritative.port}},
                            l.recursor.address,
                            l.recursor.port,
                            l.purchaserDns.address,
                            l.purchaserDns.port};
    in.timeoutMs = 3000;
    return in;
}

void TestDelegationCheck::cnameIntoOurZoneIsDelegated()
{
    const DelegationReport r = checkDelegation(input(QStringLiteral("www.shop.example")));
    QCOMPARE(r.host, QStringLiteral("www.shop.example."));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Delegated, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("CNAME"));
    QVERIFY2(r.authoritativeRecords.contains(
                 QStringLiteral("www.shop.example. 60 CNAME shop.s09.edge.headroom.test.")),
             qPrintable(r.authoritativeRecords.join(QLatin1Char('|'))));
    // No lease has put shop.s09.edge.headroom.test (shop's steering name) into our zone yet.
    QVERIFY2(r.explanation.contains(QLatin1String("target not served yet")),
             qPrintable(r.explanation));
    QVERIFY2(!r.resolverRecords.isEmpty(), qPrintable(r.explanation));
    QVERIFY(r.resolverRecords.first().startsWith(QLatin1String("www.shop.example. ")));
    QVERIFY(
        r.resolverRecords.first().endsWith(QLatin1String(" CNAME shop.s09.edge.headroom.test.")));

    const QJsonObject json = r.toJson();
    QCOMPARE(json.value(QLatin1String("verdict")).toString(), QStringLiteral("delegated"));
    QCOMPARE(json.value(QLatin1String("via")).toString(), QStringLiteral("CNAME"));
    QCOMPARE(json.value(QLatin1String("authoritativeRecords")).toArray().size(),
             r.authoritativeRecords.size());
}

void TestDelegationCheck::plainAddressIsNotDelegated()
{
    const DelegationReport r = checkDelegation(input(QStringLiteral("api.shop.example")));
    QVERIFY2(r.verdict == DelegationReport::Verdict::NotDelegated, qPrintable(r.explanation));
    QCOMPARE(r.via, QString());
    QVERIFY2(r.authoritativeRecords.contains(QStringLiteral("api.shop.example. 60 A 127.0.2.1")),
             qPrintable(r.authoritativeRecords.join(QLatin1Char('|'))));
    QCOMPARE(r.toJson().value(QLatin1String("verdict")).toString(),
             QStringLiteral("not-delegated"));
    QVERIFY2(r.resolverRecords.contains(QStringLiteral("api.shop.example. 60 A 127.0.2.1")),
             qPrintable(r.resolverRecords.join(QLatin1Char('|'))));
}

void TestDelegationCheck::lameNsIsMisconfigured()
{
    const DelegationReport r = checkDelegation(input(QStringLiteral("cdn.shop.example")));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("NS"));
    QVERIFY2(r.authoritativeRecords.contains(
                 QStringLiteral("cdn.shop.example. 60 NS ns1.edge.headroom.test.")),
             qPrintable(r.authoritativeRecords.join(QLatin1Char('|'))));
    QVERIFY2(r.explanation.startsWith(QLatin1String("Lame delegation")), qPrintable(r.explanation));
    // PowerDNS refuses a name outside the zones it serves.
    QVERIFY2(r.explanation.contains(QLatin1String("REFUSED")), qPrintable(r.explanation));
}

void TestDelegationCheck::missingNameIsMisconfigured()
{
    const DelegationReport r = checkDelegation(input(QStringLiteral("nope.shop.example")));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QCOMPARE(r.via, QString());
    QVERIFY2(r.explanation.contains(QLatin1String("NXDOMAIN")), qPrintable(r.explanation));
    // The SOA of the purchaser's zone comes with the NXDOMAIN.
    QCOMPARE(r.authoritativeRecords.size(), 1);
    QVERIFY(r.authoritativeRecords.first().startsWith(QLatin1String("shop.example. ")));
    QVERIFY(r.authoritativeRecords.first().contains(QLatin1String(" SOA ")));
    // The resolver's view is recorded too: the same NXDOMAIN with the same SOA.
    QCOMPARE(r.resolverRecords.size(), 1);
    QVERIFY(r.resolverRecords.first().startsWith(QLatin1String("shop.example. ")));
}

void TestDelegationCheck::silentAuthorityIsMisconfigured()
{
    // A port in the sandbox's span where nothing listens: the authority never answers.
    DelegationCheckInput in = input(QStringLiteral("www.shop.example"));
    in.purchaserAuthorityPort = quint16(m_fixture.layout().portBase + 7);
    in.timeoutMs = 300;
    const DelegationReport r = checkDelegation(in);
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QVERIFY2(r.explanation.contains(QLatin1String("no usable answer")), qPrintable(r.explanation));
    QVERIFY(r.authoritativeRecords.isEmpty());
}

void TestDelegationCheck::cleanupTestCase()
{
    m_fixture.down();
}

QTEST_GUILESS_MAIN(TestDelegationCheck)
#include "tst_delegationcheck.moc"
