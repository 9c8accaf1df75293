// The DNS steering driver against the sandbox's real PowerDNS and BIND: weights go in by
// TSIG-signed RFC 2136 UPDATE (ldns), come back by AXFR, and split real answers as set.

#include "dns/dnsclient.h"
#include "dns/dnsupdater.h"
#include "dns/dnsupdateservice.h"
#include "dns/steeringreadback.h"
#include "dns/steeringzones.h"
#include "dns/zonetransfer.h"
#include "sandboxfixture.h"

#include <QDateTime>
#include <QThread>
#include <QtTest>

using namespace headroom;

namespace {
DnsName name(const QString &text)
{
    return *DnsName::parse(text);
}
WeightedTarget target(const char *address, int weight)
{
    return {QHostAddress(QString::fromLatin1(address)), std::nullopt, weight};
}
qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}
// The usual table of these tests: a lease for an hour, weights valid for ten minutes.
std::optional<SteeringRecord> steeringRecord(const QList<WeightedTarget> &proxies,
                                             const QList<WeightedTarget> &overflow, QString *error)
{
    WeightTable t;
    t.proxies = proxies;
    t.overflowServers = overflow;
    t.leaseEndUnix = now() + 3600;
    t.validUntilUnix = now() + 600;
    return buildSteeringRecord(t, error);
}
} // namespace

class TestDnsUpdater final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void weightsAppliedAndReadBack();
    void tenThousandLookupsSplitAsWeighted();
    void deadlineFallbackSwitchesAtTheDeadline();
    void overflowAloneIsAStaticRecord();
    void wrongSecretSurfacesTheServersError();
    void zoneTheServerDoesNotServeIsNotAuth();
    void largeBatchGoesOverTcpInOneMessage();
    void transferOfShopExampleYieldsExactlyItsRecords();
    void transferWithoutKeyIsRefused();
    void serviceAppliesOffTheCallersThread();
    void shardedChangesGoToTheirZones();

private:
    DnsUpdater updater(const QByteArray &secret = {}) const;
    DnsResponse ask(const QString &owner) const
    {
        const auto &l = m_fixture.layout();
        return DnsClient::querySync(l.authoritative.address, l.authoritative.port,
                                    {owner, quint16(RecordType::A), false}, 2000);
    }
    test::SandboxFixture m_fixture;
    TsigKey m_key;
};

void TestDnsUpdater::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
    const auto key = TsigKey::fromFile(m_fixture.layout().updateKeyName,
                                       m_fixture.layout().updateKeyFile(), &error);
    QVERIFY2(key, qPrintable(error));
    m_key = *key;
}

DnsUpdater TestDnsUpdater::updater(const QByteArray &secret) const
{
    const auto &l = m_fixture.layout();
    TsigKey key = m_key;
    if (!secret.isEmpty())
        key.secret = secret;
    return DnsUpdater({l.authoritative.address, l.authoritative.port, name(l.ourZone), key, {}},
                      1000, 2);
}

void TestDnsUpdater::weightsAppliedAndReadBack()
{
    QString error;
    const auto record =
        steeringRecord({target("127.0.1.1", 50), target("127.0.1.2", 30), target("127.0.1.3", 20)},
                       {target("127.0.2.1", 1)}, &error);
    QVERIFY2(record, qPrintable(error));
    const DnsName owner = name(QStringLiteral("shop.edge.headroom.test"));
    const UpdateResult r = updater().apply({NameReplacement::forSteering(owner, *record)});
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.attempts, 1);
    QVERIFY(!r.viaTcp);

    const auto &l = m_fixture.layout();
    const ZoneTransferResult zone =
        transferZone(l.authoritative.address, l.authoritative.port, name(l.ourZone), m_key);
    QVERIFY2(zone.ok, qPrintable(zone.error));
    int found = 0;
    int anchors = 0;
    for (const DnsRecord &rec : zone.records) {
        if (rec.name != owner.absolute())
            continue;
        if (NameReplacement::isAnchor(rec.type, rec.rdata)) {
            ++anchors; // keeps the name from ever being empty during updates
            continue;
        }
        ++found;
        QCOMPARE(rec.type, quint16(RecordType::LUA));
        QCOMPARE(rec.ttl, 20u);
        const auto lua = parseLuaRdata(rec.rdata);
        QVERIFY(lua);
        QCOMPARE(lua->innerType, quint16(1));
        QCOMPARE(lua->code, record->luaCode);
    }
    QCOMPARE(found, 1);
    QCOMPARE(anchors, 1);
}

void TestDnsUpdater::tenThousandLookupsSplitAsWeighted()
{
    QString error;
    const auto record =
        steeringRecord({target("127.0.1.1", 50), target("127.0.1.2", 30), target("127.0.1.3", 20)},
                       {target("127.0.2.1", 1)}, &error);
    QVERIFY2(record, qPrintable(error));
    const QString owner = QStringLiteral("split.edge.headroom.test");
    QVERIFY(updater().apply({NameReplacement::forSteering(name(owner), *record)}).ok);

    QHash<QString, int> counts;
    const int n = 10000;
    for (int i = 0; i < n; ++i) {
        const DnsResponse r = ask(owner);
        QVERIFY2(r.ok(), qPrintable(r.error + rcodeName(r.rcode)));
        QCOMPARE(r.addresses().size(), 1);
        ++counts[r.addresses().first().toString()];
    }
    // Weights 50/30/20 plus 1 for the overflow: expected shares 49.5 %, 29.7 %, 19.8 %, 1 %.
    const double total = 101;
    const QList<std::pair<QString, double>> expected = {{QStringLiteral("127.0.1.1"), 50 / total},
                                                        {QStringLiteral("127.0.1.2"), 30 / total},
                                                        {QStringLiteral("127.0.1.3"), 20 / total},
                                                        {QStringLiteral("127.0.2.1"), 1 / total}};
    for (const auto &[address, share] : expected) {
        const double got = double(counts.value(address)) / n;
        qInfo("%s: %.4f (expected %.4f)", qPrintable(address), got, share);
        QVERIFY2(std::abs(got - share) <= 0.02, qPrintable(address));
    }
}

void TestDnsUpdater::deadlineFallbackSwitchesAtTheDeadline()
{
    WeightTable t;
    t.proxies = {target("127.0.1.1", 1), target("127.0.1.2", 1)};
    t.overflowServers = {target("127.0.2.2", 1)};
    t.leaseEndUnix = now() + 3600;
    t.validUntilUnix = now() + 3; // the controller "dies": no refresh comes
    QString error;
    const auto record = buildSteeringRecord(t, &error);
    QVERIFY2(record, qPrintable(error));
    const QString owner = QStringLiteral("deadline.edge.headroom.test");
    QVERIFY(updater().apply({NameReplacement::forSteering(name(owner), *record)}).ok);
    int onProxies = 0;
    for (int i = 0; i < 60; ++i) {
        const DnsResponse r = ask(owner);
        QVERIFY(r.ok());
        onProxies += r.addresses().first().toString().startsWith(QLatin1String("127.0.1."));
    }
    QVERIFY(onProxies > 20);
    while (now() <= t.validUntilUnix)
        QThread::msleep(100);
    for (int i = 0; i < 200; ++i) {
        const DnsResponse r = ask(owner);
        QVERIFY(r.ok());
        QCOMPARE(r.addresses().first().toString(), QStringLiteral("127.0.2.2"));
    }
}

void TestDnsUpdater::overflowAloneIsAStaticRecord()
{
    WeightTable t;
    t.proxies = {target("127.0.1.1", 0)};
    t.overflowName = name(QStringLiteral("origin.shop.example"));
    t.leaseEndUnix = now() + 3600;
    t.validUntilUnix = now() + 600;
    QString error;
    const auto record = buildSteeringRecord(t, &error);
    QVERIFY2(record, qPrintable(error));
    QCOMPARE(record->kind, SteeringRecord::Kind::StaticCname);
    const QString owner = QStringLiteral("static.edge.headroom.test");
    QVERIFY(updater().apply({NameReplacement::forSteering(name(owner), *record)}).ok);
    const auto &l = m_fixture.layout();
    const DnsResponse r = DnsClient::querySync(l.authoritative.address, l.authoritative.port,
                                               {owner, quint16(RecordType::CNAME), false}, 2000);
    QVERIFY(r.ok());
    QCOMPARE(r.answer.size(), 1);
    QCOMPARE(r.answer.first().target, QStringLiteral("origin.shop.example."));
}

void TestDnsUpdater::wrongSecretSurfacesTheServersError()
{
    const QByteArray wrong = QByteArray(32, 'x').toBase64();
    NameReplacement change{name(QStringLiteral("evil.edge.headroom.test")),
                           1,
                           20,
                           {QByteArray("\x7f\x00\x00\x01", 4)}};
    const UpdateResult r = updater(wrong).apply({change});
    QVERIFY(!r.ok);
    QCOMPARE(r.rcode, 5);
    QVERIFY2(r.error.startsWith(QLatin1String("REFUSED")), qPrintable(r.error));
    QCOMPARE(r.attempts, 1); // an answer is final: no retry
    QCOMPARE(ask(QStringLiteral("evil.edge.headroom.test")).rcode, 3); // NXDOMAIN: nothing applied
}

void TestDnsUpdater::zoneTheServerDoesNotServeIsNotAuth()
{
    const auto &l = m_fixture.layout();
    DnsUpdater other({l.authoritative.address,
                      l.authoritative.port,
                      name(QStringLiteral("not-ours.test")),
                      m_key,
                      {}},
                     1000, 1);
    const UpdateResult r = other.apply(
        {{name(QStringLiteral("a.not-ours.test")), 1, 20, {QByteArray("\1\2\3\4", 4)}}});
    QVERIFY(!r.ok);
    QCOMPARE(r.rcode, 9);
    QVERIFY(r.error.startsWith(QLatin1String("NOTAUTH")));
    // A name outside the zone is refused before anything is sent.
    const UpdateResult outside = updater().apply(
        {{name(QStringLiteral("www.shop.example")), 1, 20, {QByteArray("\1\2\3\4", 4)}}});
    QVERIFY(!outside.ok);
    QCOMPARE(outside.messageBytes, 0);
    QVERIFY(outside.error.contains(QLatin1String("not in zone")));
}

void TestDnsUpdater::largeBatchGoesOverTcpInOneMessage()
{
    QList<NameReplacement> changes;
    QString error;
    const auto record =
        steeringRecord({target("127.0.1.1", 3), target("127.0.1.2", 2), target("127.0.1.3", 1)},
                       {target("127.0.2.1", 1)}, &error);
    QVERIFY(record);
    for (int i = 0; i < 200; ++i)
        changes.append(NameReplacement::forSteering(
            name(QStringLiteral("site%1.edge.headroom.test").arg(i)), *record));
    const UpdateResult r = updater().apply(changes);
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.viaTcp);
    QVERIFY(r.messageBytes > 10000);
    qInfo("200 RRsets in %d UPDATE(s), %d bytes over TCP: %.1f ms", r.messages, r.messageBytes,
          r.latencyMs);
    QVERIFY(r.messages <= 2);
    for (int i : {0, 99, 199})
        QVERIFY(ask(QStringLiteral("site%1.edge.headroom.test").arg(i)).ok());

    // More than one 64 KiB message holds: split into whole names, never an oversized message.
    QList<NameReplacement> many;
    for (int i = 0; i < 800; ++i)
        many.append(NameReplacement::forSteering(
            name(QStringLiteral("many%1.edge.headroom.test").arg(i)), *record));
    const UpdateResult split = updater().apply(many);
    QVERIFY2(split.ok, qPrintable(split.error));
    QVERIFY(split.messages >= 2);
    for (int i : {0, 399, 799})
        QVERIFY(ask(QStringLiteral("many%1.edge.headroom.test").arg(i)).ok());
}

void TestDnsUpdater::transferOfShopExampleYieldsExactlyItsRecords()
{
    const auto &l = m_fixture.layout();
    QString error;
    const auto key = TsigKey::fromFile(l.axfrKeyName, l.axfrKeyFile(), &error);
    QVERIFY2(key, qPrintable(error));
    const ZoneTransferResult zone =
        transferZone(l.purchaserDns.address, l.purchaserDns.port, name(l.purchaserZone), key);
    QVERIFY2(zone.ok, qPrintable(zone.error));
    QStringList got;
    for (const DnsRecord &r : zone.records)
        got.append(QStringLiteral("%1 %2 %3").arg(r.name, recordTypeName(r.type), r.text));
    got.sort();
    const QStringList expected = {
        QStringLiteral("api.shop.example. A 127.0.2.1"),
        QStringLiteral("cdn.shop.example. NS ns1.edge.headroom.test."),
        QStringLiteral("ns1.shop.example. A 127.0.0.1"),
        QStringLiteral("origin.shop.example. A 127.0.2.1"),
        QStringLiteral("origin.shop.example. A 127.0.2.2"),
        QStringLiteral("shop.example. A 127.0.2.1"),
        QStringLiteral("shop.example. NS ns1.shop.example."),
        QStringLiteral(
            "shop.example. SOA ns1.shop.example. hostmaster.shop.example. 1 3600 600 86400 60"),
        QStringLiteral("www.shop.example. CNAME shop.s09.edge.headroom.test."),
    };
    QCOMPARE(got, expected);
}

void TestDnsUpdater::transferWithoutKeyIsRefused()
{
    const auto &l = m_fixture.layout();
    const ZoneTransferResult zone = transferZone(l.purchaserDns.address, l.purchaserDns.port,
                                                 name(l.purchaserZone), std::nullopt);
    QVERIFY(!zone.ok);
    QVERIFY2(zone.error.contains(QLatin1String("REFUSED")) ||
                 zone.error.contains(QLatin1String("NOTAUTH")),
             qPrintable(zone.error));
    QVERIFY(zone.records.isEmpty());
}

void TestDnsUpdater::serviceAppliesOffTheCallersThread()
{
    const auto &l = m_fixture.layout();
    DnsUpdateService service(
        {l.authoritative.address, l.authoritative.port, name(l.ourZone), m_key, {}});
    QSignalSpy applied(&service, &DnsUpdateService::applied);
    QString error;
    const auto record = steeringRecord({target("127.0.1.3", 1)}, {target("127.0.2.1", 1)}, &error);
    QVERIFY(record);
    QElapsedTimer clock;
    clock.start();
    quint64 last = 0;
    for (int i = 0; i < 20; ++i)
        last = service.submit({NameReplacement::forSteering(
            name(QStringLiteral("async%1.edge.headroom.test").arg(i)), *record)});
    QVERIFY2(clock.elapsed() < 50, "submit() must not wait for the network");
    QCOMPARE(service.pending(), 20);
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 20, 10000);
    QCOMPARE(applied.last().at(0).toULongLong(), last);
    for (const auto &call : applied)
        QVERIFY(call.at(1).value<UpdateResult>().ok);
    QCOMPARE(service.pending(), 0);
    // Read back decoded: the weights as served.
    const ZoneTransferResult zone =
        transferZone(l.authoritative.address, l.authoritative.port, name(l.ourZone), m_key);
    QVERIFY(zone.ok);
    const auto served = readBackSteering(zone.records);
    const auto it = std::find_if(served.cbegin(), served.cend(), [](const ServedSteering &s) {
        return s.owner == QLatin1String("async7.edge.headroom.test.");
    });
    QVERIFY(it != served.cend());
    QVERIFY(it->recognised);
    QCOMPARE(it->kind, QStringLiteral("LUA A"));
    QCOMPARE(it->weights.size(), 2);
    QVERIFY(it->deadline.isValid());
    QCOMPARE(it->afterDeadline.size(), 1);
    QCOMPARE(it->afterDeadline.first().target, QStringLiteral("127.0.2.1"));
}

void TestDnsUpdater::shardedChangesGoToTheirZones()
{
    const auto &l = m_fixture.layout();
    const SteeringZones zones(name(l.ourZone), l.shardCount);
    DnsUpdater sharded(
        {l.authoritative.address, l.authoritative.port, name(l.ourZone), m_key, zones.shards()},
        1000, 2);
    QString error;
    const auto record = steeringRecord({target("127.0.1.1", 2), target("127.0.1.2", 1)},
                                       {target("127.0.2.1", 1)}, &error);
    QVERIFY(record);
    QList<NameReplacement> changes;
    QSet<QString> touched;
    for (int i = 0; i < 40; ++i) {
        const DnsName owner = *zones.ownerFor(QStringLiteral("tenant%1").arg(i));
        touched.insert(zones.zoneOf(owner).absolute());
        changes.append(NameReplacement::forSteering(owner, *record));
    }
    const UpdateResult r = sharded.apply(changes);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.messages, int(touched.size())); // one UPDATE per shard touched
    for (int i : {0, 17, 39}) {
        const DnsName owner = *zones.ownerFor(QStringLiteral("tenant%1").arg(i));
        QVERIFY(ask(owner.relative()).ok());
        // Served from the shard zone itself (read back there), not from the parent.
        const ZoneTransferResult shard =
            transferZone(l.authoritative.address, l.authoritative.port, zones.zoneOf(owner), m_key);
        QVERIFY2(shard.ok, qPrintable(shard.error));
        QVERIFY(std::any_of(shard.records.cbegin(), shard.records.cend(),
                            [&](const DnsRecord &rec) { return rec.name == owner.absolute(); }));
    }
}

QTEST_GUILESS_MAIN(TestDnsUpdater)
#include "tst_dns_updater.moc"
