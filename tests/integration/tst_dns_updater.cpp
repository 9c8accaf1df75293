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
#include <QNetworkInterface>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <QUdpSocket>
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
// A name in wire form: length-prefixed labels, then the root.
QByteArray wireName(const QString &name)
{
    QByteArray out;
    for (const QString &label : name.split(QLatin1Char('.'), Qt::SkipEmptyParts))
        out += char(label.size()) + label.toLatin1();
    return out + '\0';
}

// An RFC 2136 UPDATE that adds `owner` A `address` to `zone`, with no TSIG at all.
QByteArray unsignedUpdate(quint16 id, const QString &zone, const QString &owner,
                          const QHostAddress &address)
{
    QByteArray m;
    const auto u16 = [&m](quint16 v) {
        m += char(v >> 8);
        m += char(v & 0xff);
    };
    u16(id);
    u16(0x2800); // opcode 5, UPDATE
    u16(1);      // ZOCOUNT
    u16(0);      // PRCOUNT
    u16(1);      // UPCOUNT
    u16(0);      // ADCOUNT: no TSIG
    m += wireName(zone);
    u16(6); // SOA
    u16(1); // IN
    m += wireName(owner);
    u16(1); // A
    u16(1); // IN
    u16(0);
    u16(60); // TTL
    u16(4);
    const quint32 a = address.toIPv4Address();
    u16(quint16(a >> 16));
    u16(quint16(a & 0xffff));
    return m;
}

// Sends `message` over UDP from `source` and returns the answer's RCODE (-1: no answer).
int sendFrom(const QHostAddress &source, const QHostAddress &server, quint16 port,
             const QByteArray &message)
{
    QUdpSocket socket;
    if (!socket.bind(source, 0))
        return -2;
    socket.writeDatagram(message, server, port);
    QDeadlineTimer deadline(3000);
    while (!deadline.hasExpired()) {
        if (!socket.hasPendingDatagrams() && !socket.waitForReadyRead(100))
            continue;
        QByteArray answer(int(socket.pendingDatagramSize()), Qt::Uninitialized);
        socket.readDatagram(answer.data(), answer.size());
        if (answer.size() >= 12 && answer.left(2) == message.left(2))
            return answer.at(3) & 0x0f;
    }
    return -1;
}

// A local IPv4 address that is not loopback, if the machine has one.
std::optional<QHostAddress> outsideAddress()
{
    for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
        if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback() && !a.isLinkLocal())
            return a;
    }
    return std::nullopt;
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
    void unsignedUpdateIsRefused();
    void unknownKeyIsRefused();
    void wrongAlgorithmIsRefused();
    void updatesOnlyFromLoopback();
    void transferOfOurZoneNeedsTheKey();
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
    // The zone's SOA serial: PowerDNS raises it on every UPDATE it applies (SOA-EDIT-DNSUPDATE).
    qint64 serial() const
    {
        const auto &l = m_fixture.layout();
        const DnsResponse r =
            DnsClient::querySync(l.authoritative.address, l.authoritative.port,
                                 {l.ourZone, quint16(RecordType::SOA), false}, 2000);
        if (!r.ok() || r.answer.isEmpty())
            return -1;
        return r.answer.first().text.split(QLatin1Char(' ')).value(2).toLongLong();
    }
    // Nothing was applied: the name does not exist and the zone's serial did not move.
    void verifyUnchanged(const QString &owner, qint64 serialBefore) const
    {
        QCOMPARE(ask(owner).rcode, 3); // NXDOMAIN
        QCOMPARE(serial(), serialBefore);
    }
    NameReplacement probeChange(const QString &owner) const
    {
        return {name(owner), 1, 20, {QByteArray("\xc0\x00\x02\x63", 4)}};
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

void TestDnsUpdater::unsignedUpdateIsRefused()
{
    const auto &l = m_fixture.layout();
    const qint64 before = serial();
    QVERIFY(before > 0);
    const QString owner = QStringLiteral("unsigned.edge.headroom.test");
    const int rcode = sendFrom(
        QHostAddress(QHostAddress::LocalHost), l.authoritative.address, l.authoritative.port,
        unsignedUpdate(0x5151, l.ourZone, owner, QHostAddress(QStringLiteral("192.0.2.99"))));
    QCOMPARE(rcode, 5); // REFUSED, from loopback, which may update - but only signed
    verifyUnchanged(owner, before);
}

void TestDnsUpdater::unknownKeyIsRefused()
{
    const auto &l = m_fixture.layout();
    const qint64 before = serial();
    TsigKey other = m_key;
    other.name = QStringLiteral("not-a-key-of-ours");
    const DnsUpdater updater(
        {l.authoritative.address, l.authoritative.port, name(l.ourZone), other, {}}, 1000, 1);
    const UpdateResult r =
        updater.apply({probeChange(QStringLiteral("unknown-key.edge.headroom.test"))});
    QVERIFY(!r.ok);
    QCOMPARE(r.rcode, 5);
    QVERIFY2(r.error.startsWith(QLatin1String("REFUSED")), qPrintable(r.error));
    verifyUnchanged(QStringLiteral("unknown-key.edge.headroom.test"), before);
}

void TestDnsUpdater::wrongAlgorithmIsRefused()
{
    const auto &l = m_fixture.layout();
    const qint64 before = serial();
    for (const QString &algorithm : {QStringLiteral("hmac-sha512"), QStringLiteral("hmac-sha1")}) {
        TsigKey other = m_key; // the right name and secret, the wrong algorithm
        other.algorithm = algorithm;
        const DnsUpdater updater(
            {l.authoritative.address, l.authoritative.port, name(l.ourZone), other, {}}, 1000, 1);
        const UpdateResult r =
            updater.apply({probeChange(QStringLiteral("wrong-algorithm.edge.headroom.test"))});
        QVERIFY(!r.ok);
        QCOMPARE(r.rcode, 5);
        QVERIFY2(r.error.startsWith(QLatin1String("REFUSED")), qPrintable(r.error));
    }
    verifyUnchanged(QStringLiteral("wrong-algorithm.edge.headroom.test"), before);
}

void TestDnsUpdater::updatesOnlyFromLoopback()
{
    // The zones say who may update them: the sandbox key (TSIG-ALLOW-DNSUPDATE), from loopback
    // (ALLOW-DNSUPDATE-FROM, with allow-dnsupdate-from in pdns.conf), and who may transfer them
    // (TSIG-ALLOW-AXFR) - on every zone the server has.
    const auto &l = m_fixture.layout();
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("pdns-metadata"));
        db.setDatabaseName(l.serverDir(l.authoritative.name) + QStringLiteral("/pdns.sqlite3"));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT d.name, m.kind, m.content FROM domains d LEFT JOIN "
                                      "domainmetadata m ON m.domain_id = d.id "
                                      "ORDER BY d.name, m.kind")));
        QHash<QString, QStringList> meta;
        while (q.next())
            meta[q.value(0).toString()].append(q.value(1).toString() + QLatin1Char('=') +
                                               q.value(2).toString());
        QCOMPARE(meta.size(), 1 + l.shardCount + 1); // ours, the shards, the subscriber's
        for (auto it = meta.cbegin(); it != meta.cend(); ++it) {
            for (const QString &required :
                 {QStringLiteral("ALLOW-DNSUPDATE-FROM=127.0.0.0/8"),
                  QStringLiteral("TSIG-ALLOW-DNSUPDATE=") + l.updateKeyName,
                  QStringLiteral("TSIG-ALLOW-AXFR=") + l.updateKeyName})
                QVERIFY2(it.value().contains(required),
                         qPrintable(it.key() + QLatin1String(": ") + it.value().join(',')));
        }
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("pdns-metadata"));

    // And PowerDNS holds to it: a correctly signed UPDATE from another address of this machine
    // is refused. (A machine with no address but loopback can only show the metadata above.)
    const auto outside = outsideAddress();
    if (!outside) {
        qWarning("no non-loopback IPv4 address here: the source check rests on the metadata");
        return;
    }
    const QString owner = QStringLiteral("outside.edge.headroom.test");
    const qint64 before = serial();
    quint16 id = 0;
    QByteArray mac;
    QString error;
    const QByteArray signedUpdate =
        DnsUpdater::buildMessage(name(l.ourZone), {probeChange(owner)}, m_key, &id, &mac, &error);
    QVERIFY2(!signedUpdate.isEmpty(), qPrintable(error));
    QCOMPARE(sendFrom(*outside, l.authoritative.address, l.authoritative.port, signedUpdate), 5);
    verifyUnchanged(owner, before);
    // The same message from loopback is applied: it was the source that was refused.
    const QByteArray again =
        DnsUpdater::buildMessage(name(l.ourZone), {probeChange(owner)}, m_key, &id, &mac, &error);
    QCOMPARE(sendFrom(QHostAddress(QHostAddress::LocalHost), l.authoritative.address,
                      l.authoritative.port, again),
             0);
    QVERIFY(ask(owner).ok());
    qInfo("a signed UPDATE from %s was refused, from 127.0.0.1 applied",
          qPrintable(outside->toString()));
}

void TestDnsUpdater::transferOfOurZoneNeedsTheKey()
{
    const auto &l = m_fixture.layout();
    for (const QString &zone : {l.ourZone, l.shardZones().first(), l.subscriberZone}) {
        const ZoneTransferResult unsignedTransfer =
            transferZone(l.authoritative.address, l.authoritative.port, name(zone), std::nullopt);
        QVERIFY2(!unsignedTransfer.ok, qPrintable(zone));
        QVERIFY(unsignedTransfer.records.isEmpty());
        TsigKey wrong = m_key;
        wrong.secret = QByteArray(32, 'w').toBase64();
        const ZoneTransferResult wrongKey =
            transferZone(l.authoritative.address, l.authoritative.port, name(zone), wrong);
        QVERIFY2(!wrongKey.ok, qPrintable(zone));
        QVERIFY(wrongKey.records.isEmpty());
        const ZoneTransferResult signedTransfer =
            transferZone(l.authoritative.address, l.authoritative.port, name(zone), m_key);
        QVERIFY2(signedTransfer.ok, qPrintable(zone + QLatin1String(": ") + signedTransfer.error));
        QVERIFY(!signedTransfer.records.isEmpty());
    }
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
