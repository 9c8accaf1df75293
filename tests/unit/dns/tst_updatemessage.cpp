// The UPDATE message builder, offline: what it refuses before anything could be sent.

#include "dns/dnsupdater.h"

#include <QElapsedTimer>
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QtEndian>
#include <QtTest>

using namespace headroom;

namespace {
DnsName name(const char *text)
{
    return *DnsName::parse(QString::fromLatin1(text));
}
TsigKey key()
{
    return {QStringLiteral("headroom-update"), QStringLiteral("hmac-sha256"),
            QByteArray(32, 'k').toBase64()};
}
} // namespace

class TestUpdateMessage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void signedUpdateHasTheRightShape();
    void anchoredChangeDeletesOnlyAnswerTypes();
    void oversizedChangeIsRefusedNotAborted();
    void nameOutsideTheZoneIsRefused();
    void invalidKeysAreRefused_data();
    void invalidKeysAreRefused();
    void everyErrorIsASentence_data();
    void everyErrorIsASentence();
    void silentServerIsRetriedWithBackoff();
};

void TestUpdateMessage::signedUpdateHasTheRightShape()
{
    quint16 id = 0;
    QByteArray mac;
    QString error;
    const QByteArray wire = DnsUpdater::buildMessage(
        name("edge.headroom.test"),
        {NameReplacement(name("shop.edge.headroom.test"), 1, 20, {QByteArray("\x7f\0\0\1", 4)})},
        key(), &id, &mac, &error);
    QVERIFY2(!wire.isEmpty(), qPrintable(error));
    QCOMPARE(qFromBigEndian<quint16>(wire.constData()), id);
    QCOMPARE((quint8(wire.at(2)) >> 3) & 0xf, 5);                // opcode UPDATE
    QCOMPARE(qFromBigEndian<quint16>(wire.constData() + 4), 1);  // one zone
    QCOMPARE(qFromBigEndian<quint16>(wire.constData() + 8), 2);  // delete name + add
    QCOMPARE(qFromBigEndian<quint16>(wire.constData() + 10), 1); // TSIG
    QVERIFY(!mac.isEmpty());
}

void TestUpdateMessage::anchoredChangeDeletesOnlyAnswerTypes()
{
    const NameReplacement lua = NameReplacement::forDesired(name("shop.edge.headroom.test"), 65402,
                                                            20, {QByteArray("\0\1\3'x'", 6)});
    QVERIFY(lua.anchored);
    QCOMPARE(lua.deleteTypes, QList<quint16>({65402, 1, 28, 5}));
    const NameReplacement cname = NameReplacement::forDesired(name("shop.edge.headroom.test"), 5,
                                                              20, {QByteArray("\1x\0", 3)});
    QVERIFY(!cname.anchored);
    QVERIFY(cname.deleteTypes.isEmpty()); // a CNAME cannot share its name with the anchor
    const NameReplacement gone =
        NameReplacement::forDesired(name("shop.edge.headroom.test"), 0, 0, {});
    QVERIFY(!gone.anchored);
    QVERIFY(gone.deleteTypes.isEmpty());
    QVERIFY(NameReplacement::isAnchor(16, NameReplacement::anchorRdata()));
    QVERIFY(!NameReplacement::isAnchor(1, NameReplacement::anchorRdata()));
}

void TestUpdateMessage::oversizedChangeIsRefusedNotAborted()
{
    QList<QByteArray> rdatas;
    for (int i = 0; i < 300; ++i)
        rdatas.append(QByteArray(250, char(i)));
    quint16 id = 0;
    QByteArray mac;
    QString error;
    const QByteArray wire =
        DnsUpdater::buildMessage(name("edge.headroom.test"),
                                 {NameReplacement(name("big.edge.headroom.test"), 16, 20, rdatas)},
                                 key(), &id, &mac, &error);
    QVERIFY(wire.isEmpty());
    QVERIFY2(error.contains(QLatin1String("more than one DNS message holds")), qPrintable(error));
}

void TestUpdateMessage::nameOutsideTheZoneIsRefused()
{
    quint16 id = 0;
    QByteArray mac;
    QString error;
    QVERIFY(DnsUpdater::buildMessage(
                name("edge.headroom.test"),
                {NameReplacement(name("www.shop.example"), 1, 20, {QByteArray("\1\2\3\4", 4)})},
                key(), &id, &mac, &error)
                .isEmpty());
    QVERIFY(error.contains(QLatin1String("not in zone")));
}

void TestUpdateMessage::invalidKeysAreRefused_data()
{
    QTest::addColumn<QString>("keyName");
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<QByteArray>("secret");
    QTest::newRow("secret not base64") << QStringLiteral("k") << QStringLiteral("hmac-sha256")
                                       << QByteArray("not base64 at all!!");
    QTest::newRow("short secret") << QStringLiteral("k") << QStringLiteral("hmac-sha256")
                                  << QByteArray("YWJj");
    QTest::newRow("bad name") << QStringLiteral("k\"ey") << QStringLiteral("hmac-sha256")
                              << QByteArray(32, 'k').toBase64();
    QTest::newRow("unknown algorithm")
        << QStringLiteral("k") << QStringLiteral("hmac-md5") << QByteArray(32, 'k').toBase64();
}

void TestUpdateMessage::invalidKeysAreRefused()
{
    QFETCH(QString, keyName);
    QFETCH(QString, algorithm);
    QFETCH(QByteArray, secret);
    quint16 id = 0;
    QByteArray mac;
    QString error;
    QVERIFY(DnsUpdater::buildMessage(
                name("edge.headroom.test"),
                {NameReplacement(name("a.edge.headroom.test"), 1, 20, {QByteArray("\1\2\3\4", 4)})},
                TsigKey{keyName, algorithm, secret}, &id, &mac, &error)
                .isEmpty());
    QVERIFY(!error.isEmpty());
}

void TestUpdateMessage::everyErrorIsASentence_data()
{
    QTest::addColumn<int>("rcode");
    QTest::addColumn<int>("tsigError");
    QTest::addColumn<QString>("starts");
    QTest::newRow("formerr") << 1 << 0 << QStringLiteral("FORMERR");
    QTest::newRow("servfail") << 2 << 0 << QStringLiteral("SERVFAIL");
    QTest::newRow("notimp") << 4 << 0 << QStringLiteral("NOTIMP");
    QTest::newRow("refused") << 5 << 0 << QStringLiteral("REFUSED");
    QTest::newRow("yxdomain") << 6 << 0 << QStringLiteral("YXDOMAIN");
    QTest::newRow("yxrrset") << 7 << 0 << QStringLiteral("YXRRSET");
    QTest::newRow("nxrrset") << 8 << 0 << QStringLiteral("NXRRSET");
    QTest::newRow("notauth") << 9 << 0 << QStringLiteral("NOTAUTH");
    QTest::newRow("notzone") << 10 << 0 << QStringLiteral("NOTZONE");
    QTest::newRow("badsig") << 9 << 16 << QStringLiteral("BADSIG");
    QTest::newRow("badkey") << 9 << 17 << QStringLiteral("BADKEY");
    QTest::newRow("badtime") << 9 << 18 << QStringLiteral("BADTIME");
    QTest::newRow("unknown") << 23 << 0 << QStringLiteral("RCODE 23");
}

void TestUpdateMessage::everyErrorIsASentence()
{
    QFETCH(int, rcode);
    QFETCH(int, tsigError);
    QFETCH(QString, starts);
    const QString text = DnsUpdater::explainRcode(rcode, tsigError);
    QVERIFY2(text.startsWith(starts), qPrintable(text));
}

void TestUpdateMessage::silentServerIsRetriedWithBackoff()
{
    // A test double for what the real server will not do on demand: swallow every UPDATE.
    QUdpSocket silent;
    QVERIFY(silent.bind(QHostAddress::LocalHost, 0));
    const DnsUpdater updater(
        {QHostAddress::LocalHost, silent.localPort(), name("edge.headroom.test"), key(), {}}, 100,
        3);
    QElapsedTimer clock;
    clock.start();
    const UpdateResult r = updater.apply(
        {NameReplacement(name("a.edge.headroom.test"), 1, 20, {QByteArray("\1\2\3\4", 4)})});
    QVERIFY(!r.ok);
    QCOMPARE(r.rcode, -1);
    QCOMPARE(r.attempts, 3);
    QVERIFY2(r.error.contains(QLatin1String("after 3 attempts")), qPrintable(r.error));
    // 3 x 100 ms timeouts + 100 + 200 ms backoff.
    QVERIFY(clock.elapsed() >= 550);
    int datagrams = 0;
    while (silent.hasPendingDatagrams()) {
        silent.receiveDatagram();
        ++datagrams;
    }
    QCOMPARE(datagrams, 3);
}

QTEST_GUILESS_MAIN(TestUpdateMessage)
#include "tst_updatemessage.moc"
