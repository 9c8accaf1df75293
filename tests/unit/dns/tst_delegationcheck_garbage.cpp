// checkDelegation against fake UDP DNS servers: hostile or odd answers end in a Misconfigured
// report that names the error, never in a crash; hand-made good answers give the right verdict.

#include "dns/delegationcheck.h"
#include "dns/dnsmessage.h"

#include <QNetworkDatagram>
#include <QThread>
#include <QUdpSocket>
#include <QtEndian>
#include <QtTest>
#include <atomic>
#include <functional>
#include <future>
#include <memory>

using namespace headroom;

namespace {

constexpr quint16 kQr = 0x8000;
constexpr quint16 kAa = 0x0400;
constexpr quint16 kTc = 0x0200;
constexpr quint16 kRa = 0x0080;
constexpr int kServfail = 2;

// A DNS server on 127.0.0.1 in its own thread (checkDelegation blocks the test's thread). Each
// query is handed to `reply`; a null result means no answer at all.
class FakeDnsServer final
{
public:
    using Reply = std::function<QByteArray(const QByteArray &query)>;

    explicit FakeDnsServer(Reply reply)
    {
        std::promise<quint16> bound;
        std::future<quint16> port = bound.get_future();
        m_thread.reset(QThread::create([this, reply, &bound] {
            QUdpSocket socket;
            const bool ok = socket.bind(QHostAddress::LocalHost, 0);
            bound.set_value(ok ? socket.localPort() : 0);
            while (!m_stop.load()) {
                if (!socket.waitForReadyRead(20))
                    continue;
                while (socket.hasPendingDatagrams()) {
                    const QNetworkDatagram query = socket.receiveDatagram();
                    const QByteArray answer = reply(query.data());
                    if (!answer.isNull())
                        socket.writeDatagram(answer, query.senderAddress(), query.senderPort());
                }
            }
        }));
        m_thread->start();
        m_port = port.get();
    }
    ~FakeDnsServer()
    {
        m_stop.store(true);
        m_thread->wait();
    }
    FakeDnsServer(const FakeDnsServer &) = delete;
    FakeDnsServer &operator=(const FakeDnsServer &) = delete;

    quint16 port() const { return m_port; }

private:
    std::atomic<bool> m_stop{false};
    std::unique_ptr<QThread> m_thread;
    quint16 m_port = 0;
};

QByteArray u16(quint16 v)
{
    QByteArray b(2, Qt::Uninitialized);
    qToBigEndian(v, b.data());
    return b;
}

QByteArray encodeName(const QString &name)
{
    QByteArray out;
    for (const QString &label : name.split(QLatin1Char('.'), Qt::SkipEmptyParts)) {
        out.append(char(label.size()));
        out.append(label.toLatin1());
    }
    out.append('\0');
    return out;
}

struct Rr
{
    QString name;
    RecordType type;
    QString data; // a name for CNAME / NS, an IPv4 address for A
};

QByteArray encodeRr(const Rr &rr)
{
    QByteArray rdata;
    if (rr.type == RecordType::A) {
        rdata.resize(4);
        qToBigEndian(QHostAddress(rr.data).toIPv4Address(), rdata.data());
    } else {
        rdata = encodeName(rr.data);
    }
    return encodeName(rr.name) + u16(quint16(rr.type)) + u16(1) + u16(0) + u16(60) +
           u16(quint16(rdata.size())) + rdata;
}

// The question section of a query (id and header stripped).
QByteArray questionOf(const QByteArray &query)
{
    qsizetype i = 12;
    while (i < query.size() && query.at(i) != 0)
        i += 1 + quint8(query.at(i));
    return query.mid(12, i + 1 + 4 - 12);
}

QByteArray respond(const QByteArray &query, quint16 flags, int rcode, const QList<Rr> &answer,
                   const QList<Rr> &authority = {})
{
    QByteArray out = query.left(2);
    out += u16(quint16(kQr | flags | (quint8(query.at(2)) & 0x01) << 8 | rcode));
    out += u16(1) + u16(quint16(answer.size())) + u16(quint16(authority.size())) + u16(0);
    out += questionOf(query);
    for (const Rr &rr : answer)
        out += encodeRr(rr);
    for (const Rr &rr : authority)
        out += encodeRr(rr);
    return out;
}

const QString kHost = QStringLiteral("www.shop.example.");
const QString kOurs = QStringLiteral("shop.edge.headroom.test.");

FakeDnsServer::Reply hostileReply(const QString &kind)
{
    if (kind == QLatin1String("garbage"))
        return [](const QByteArray &) { return QByteArray("\x00\x01 not DNS at all", 17); };
    if (kind == QLatin1String("short"))
        return [](const QByteArray &) { return QByteArray("\xde\xad\x81", 3); };
    if (kind == QLatin1String("lying-counts")) {
        return [](const QByteArray &q) {
            return q.left(2) + u16(0x8180) + u16(1) + u16(200) + u16(0) + u16(0) + questionOf(q);
        };
    }
    if (kind == QLatin1String("wrong-id")) {
        return [](const QByteArray &q) {
            QByteArray r = respond(q, kAa, 0, {{kHost, RecordType::CNAME, kOurs}});
            r[0] = char(~r.at(0));
            return r;
        };
    }
    if (kind == QLatin1String("other-question")) {
        return [](const QByteArray &q) {
            QByteArray other = q;
            other.replace(encodeName(kHost), encodeName(QStringLiteral("evil.example.")));
            return respond(
                other, kAa, 0,
                {{QStringLiteral("evil.example."), RecordType::A, QStringLiteral("192.0.2.66")}});
        };
    }
    if (kind == QLatin1String("truncated"))
        return [](const QByteArray &q) { return respond(q, kAa | kTc, 0, {}); };
    if (kind == QLatin1String("servfail"))
        return [](const QByteArray &q) { return respond(q, kRa, kServfail, {}); };
    if (kind == QLatin1String("cname-loop")) {
        return [](const QByteArray &q) {
            return respond(q, kAa, 0,
                           {{kHost, RecordType::CNAME, QStringLiteral("a.shop.example.")},
                            {QStringLiteral("a.shop.example."), RecordType::CNAME, kHost}});
        };
    }
    return [](const QByteArray &) { return QByteArray(); }; // silent
}

DelegationCheckInput input(quint16 authorityPort, quint16 resolverPort,
                           QList<std::pair<QHostAddress, quint16>> ourServers = {})
{
    DelegationCheckInput in{
        *DnsName::parse(kHost), *DnsName::parse(QStringLiteral("edge.headroom.test")),
        std::move(ourServers),  QHostAddress(QHostAddress::LocalHost),
        resolverPort,           QHostAddress(QHostAddress::LocalHost),
        authorityPort};
    in.timeoutMs = 400;
    return in;
}

FakeDnsServer::Reply cnameIntoOurZone()
{
    return [](const QByteArray &q) {
        return respond(q, kAa, 0, {{kHost, RecordType::CNAME, kOurs}});
    };
}

FakeDnsServer::Reply referralToUs()
{
    return [](const QByteArray &q) {
        return respond(q, 0, 0, {},
                       {{QStringLiteral("shop.example."), RecordType::NS,
                         QStringLiteral("ns1.edge.headroom.test.")}});
    };
}

} // namespace

class TestDelegationCheckGarbage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hostileAuthority_data();
    void hostileAuthority();
    void hostileResolverAfterCname_data();
    void hostileResolverAfterCname();
    void hostileOurServerAfterReferral();
    void cnameFollowedByResolver();
    void resolverSeesStaleAddress();
    void referralServedByUs();
    void plainAddressNotDelegated();
};

void TestDelegationCheckGarbage::hostileAuthority_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("error");
    QTest::newRow("garbage") << "garbage"
                             << "malformed DNS response";
    QTest::newRow("shorter than a header") << "short"
                                           << "malformed DNS response";
    QTest::newRow("counts without records") << "lying-counts"
                                            << "malformed DNS response";
    QTest::newRow("wrong id") << "wrong-id"
                              << "no answer from 127.0.0.1";
    QTest::newRow("other question") << "other-question"
                                    << "answers a different question";
    QTest::newRow("truncated, no TCP") << "truncated"
                                       << "truncated answer over UDP";
    QTest::newRow("silent") << "silent"
                            << "no answer from 127.0.0.1";
    QTest::newRow("servfail") << "servfail"
                              << "SERVFAIL";
    QTest::newRow("cname loop") << "cname-loop"
                                << "CNAME loop";
}

void TestDelegationCheckGarbage::hostileAuthority()
{
    QFETCH(QString, kind);
    QFETCH(QString, error);
    FakeDnsServer authority(hostileReply(kind));
    FakeDnsServer resolver(cnameIntoOurZone());
    QVERIFY(authority.port() != 0 && resolver.port() != 0);
    const DelegationReport r = checkDelegation(input(authority.port(), resolver.port()));
    QCOMPARE(r.host, kHost);
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QVERIFY2(r.explanation.contains(error), qPrintable(r.explanation));
    // What the resolver saw is recorded whatever the authority did.
    QCOMPARE(r.resolverRecords,
             QStringList{QStringLiteral("www.shop.example. 60 CNAME shop.edge.headroom.test.")});
    QCOMPARE(r.toJson().value(QLatin1String("verdict")).toString(),
             QStringLiteral("misconfigured"));
}

void TestDelegationCheckGarbage::hostileResolverAfterCname_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("error");
    QTest::newRow("garbage") << "garbage"
                             << "malformed DNS response";
    QTest::newRow("wrong id") << "wrong-id"
                              << "no answer from 127.0.0.1";
    QTest::newRow("truncated, no TCP") << "truncated"
                                       << "truncated answer over UDP";
    QTest::newRow("servfail") << "servfail"
                              << "SERVFAIL";
}

void TestDelegationCheckGarbage::hostileResolverAfterCname()
{
    QFETCH(QString, kind);
    QFETCH(QString, error);
    FakeDnsServer authority(cnameIntoOurZone());
    FakeDnsServer resolver(hostileReply(kind));
    const DelegationReport r = checkDelegation(input(authority.port(), resolver.port()));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("CNAME"));
    QVERIFY2(r.explanation.contains(error), qPrintable(r.explanation));
    QCOMPARE(r.authoritativeRecords,
             QStringList{QStringLiteral("www.shop.example. 60 CNAME shop.edge.headroom.test.")});
}

void TestDelegationCheckGarbage::hostileOurServerAfterReferral()
{
    FakeDnsServer authority(referralToUs());
    FakeDnsServer resolver(hostileReply(QStringLiteral("servfail")));
    FakeDnsServer ours(hostileReply(QStringLiteral("garbage")));
    const DelegationReport r = checkDelegation(input(
        authority.port(), resolver.port(), {{QHostAddress(QHostAddress::LocalHost), ours.port()}}));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("NS"));
    QVERIFY2(r.explanation.startsWith(QLatin1String("Lame delegation")), qPrintable(r.explanation));
    QVERIFY2(r.explanation.contains(QLatin1String("malformed DNS response")),
             qPrintable(r.explanation));
    QCOMPARE(r.authoritativeRecords,
             QStringList{QStringLiteral("shop.example. 60 NS ns1.edge.headroom.test.")});
}

void TestDelegationCheckGarbage::cnameFollowedByResolver()
{
    FakeDnsServer authority(cnameIntoOurZone());
    FakeDnsServer resolver([](const QByteArray &q) {
        return respond(q, kRa, 0,
                       {{kHost, RecordType::CNAME, kOurs},
                        {kOurs, RecordType::A, QStringLiteral("127.0.1.1")}});
    });
    const DelegationReport r = checkDelegation(input(authority.port(), resolver.port()));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Delegated, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("CNAME"));
    QVERIFY2(r.explanation.contains(QLatin1String("127.0.1.1")), qPrintable(r.explanation));
    QCOMPARE(r.resolverRecords,
             QStringList({QStringLiteral("www.shop.example. 60 CNAME shop.edge.headroom.test."),
                          QStringLiteral("shop.edge.headroom.test. 60 A 127.0.1.1")}));
}

void TestDelegationCheckGarbage::resolverSeesStaleAddress()
{
    FakeDnsServer authority(cnameIntoOurZone());
    FakeDnsServer resolver([](const QByteArray &q) {
        return respond(q, kRa, 0, {{kHost, RecordType::A, QStringLiteral("192.0.2.7")}});
    });
    const DelegationReport r = checkDelegation(input(authority.port(), resolver.port()));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Misconfigured, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("CNAME"));
    QVERIFY2(r.explanation.contains(QLatin1String("192.0.2.7")), qPrintable(r.explanation));
}

void TestDelegationCheckGarbage::referralServedByUs()
{
    FakeDnsServer authority(referralToUs());
    FakeDnsServer resolver(hostileReply(QStringLiteral("servfail")));
    FakeDnsServer ours([](const QByteArray &q) {
        return respond(q, kAa, 0, {{kHost, RecordType::A, QStringLiteral("127.0.1.2")}});
    });
    const DelegationReport r = checkDelegation(input(
        authority.port(), resolver.port(), {{QHostAddress(QHostAddress::LocalHost), ours.port()}}));
    QVERIFY2(r.verdict == DelegationReport::Verdict::Delegated, qPrintable(r.explanation));
    QCOMPARE(r.via, QStringLiteral("NS"));
}

void TestDelegationCheckGarbage::plainAddressNotDelegated()
{
    FakeDnsServer authority([](const QByteArray &q) {
        return respond(q, kAa, 0, {{kHost, RecordType::A, QStringLiteral("192.0.2.8")}},
                       {{QStringLiteral("shop.example."), RecordType::NS,
                         QStringLiteral("ns1.edge.headroom.test.")}});
    });
    FakeDnsServer resolver(hostileReply(QStringLiteral("garbage")));
    const DelegationReport r = checkDelegation(input(authority.port(), resolver.port()));
    QVERIFY2(r.verdict == DelegationReport::Verdict::NotDelegated, qPrintable(r.explanation));
    QCOMPARE(r.via, QString());
    QCOMPARE(r.authoritativeRecords.size(), 2);
}

QTEST_GUILESS_MAIN(TestDelegationCheckGarbage)
#include "tst_delegationcheck_garbage.moc"
