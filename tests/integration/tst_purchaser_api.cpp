// The purchaser API over real HTTP on loopback: an in-process PurchaserApi on a database of its
// own, spoken to with raw sockets (so that malformed, oversized and pipelined requests can be
// sent byte for byte), TLS with a certificate made by the openssl CLI, and `headroomctl api` as a
// process. Every status code of docs/API.md, another purchaser's token on a purchaser's objects,
// replayed requests, revoked tokens, rate limits, and that no token ever reaches a log.
#include "api/groupcommit.h"
#include "api/purchaserapi.h"
#include "market/marketservice.h"
#include "sandboxfixture.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace headroom;

namespace {

constexpr qint64 kHourMs = 3600 * 1000;

struct HttpReply
{
    int status = 0; // 0: no answer (closed, reset or timed out)
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool closedAfter = false;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[n, v] : headers) {
            if (n.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString errorCode() const
    {
        return json()
            .value(QStringLiteral("error"))
            .toObject()
            .value(QStringLiteral("code"))
            .toString();
    }
    QString errorMessage() const
    {
        return json()
            .value(QStringLiteral("error"))
            .toObject()
            .value(QStringLiteral("message"))
            .toString();
    }
};

// A keep-alive client on one connection that sends raw bytes and reads one answer, with the
// event loop running (the server may be in this thread).
class RawClient
{
public:
    explicit RawClient(quint16 port, const QSslConfiguration *tls = nullptr)
    {
        if (tls) {
            auto *ssl = new QSslSocket;
            ssl->setSslConfiguration(*tls);
            m_socket.reset(ssl);
            ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        } else {
            m_socket.reset(new QTcpSocket);
            m_socket->connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        }
    }

    QAbstractSocket &socket() { return *m_socket; }

    // Waits until the connection is up (encrypted, for TLS).
    bool waitConnected(int timeoutMs = 5000)
    {
        auto *ssl = qobject_cast<QSslSocket *>(m_socket.get());
        return waitFor(
            [&] {
                return ssl ? ssl->isEncrypted()
                           : m_socket->state() == QAbstractSocket::ConnectedState;
            },
            timeoutMs);
    }

    void write(const QByteArray &bytes)
    {
        if (!waitConnected())
            return;
        m_socket->write(bytes);
    }

    HttpReply send(const QByteArray &raw, int timeoutMs = 5000)
    {
        write(raw);
        return read(timeoutMs);
    }

    // Reads one answer (after any 100 Continue).
    HttpReply read(int timeoutMs = 5000, bool skipContinue = true)
    {
        HttpReply reply;
        waitFor(
            [&] {
                m_buffer += m_socket->readAll();
                while (true) {
                    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
                    if (end < 0)
                        return m_socket->state() == QAbstractSocket::UnconnectedState;
                    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
                    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
                    const int status = statusLine.value(1).toInt();
                    if (status == 100 && skipContinue) {
                        m_buffer.remove(0, end + 4);
                        continue;
                    }
                    qsizetype length = 0;
                    QList<QPair<QByteArray, QByteArray>> headers;
                    for (qsizetype i = 1; i < lines.size(); ++i) {
                        const QByteArray line = lines.at(i).trimmed();
                        const qsizetype colon = line.indexOf(':');
                        headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
                        if (headers.last().first.compare("content-length", Qt::CaseInsensitive) ==
                            0)
                            length = headers.last().second.toLongLong();
                    }
                    if (m_buffer.size() < end + 4 + length)
                        return m_socket->state() == QAbstractSocket::UnconnectedState;
                    reply.status = status;
                    reply.headers = headers;
                    reply.body = m_buffer.mid(end + 4, length);
                    m_buffer.remove(0, end + 4 + length);
                    return true;
                }
            },
            timeoutMs);
        reply.closedAfter = reply.header("Connection").compare("close", Qt::CaseInsensitive) == 0 ||
                            m_socket->state() == QAbstractSocket::UnconnectedState;
        return reply;
    }

    bool waitClosed(int timeoutMs = 5000)
    {
        return waitFor(
            [&] {
                m_socket->readAll();
                return m_socket->state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

    static bool waitFor(const std::function<bool()> &done, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!done()) {
            if (t.elapsed() > timeoutMs)
                return false;
            QTest::qWait(2);
        }
        return true;
    }

private:
    std::unique_ptr<QAbstractSocket> m_socket;
    QByteArray m_buffer;
};

QByteArray request(const QByteArray &method, const QByteArray &target, const QString &token = {},
                   const QByteArray &body = {}, const QByteArray &extraHeaders = {},
                   const QByteArray &contentType = "application/json")
{
    QByteArray r = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token.toLatin1() + "\r\n";
    if (!body.isEmpty() || method == "POST") {
        if (!contentType.isEmpty())
            r += "Content-Type: " + contentType + "\r\n";
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    r += extraHeaders;
    r += "\r\n";
    r += body;
    return r;
}

QByteArray bidBody(qint64 offer, qint64 rate, qint64 price, const QByteArray &extra = {})
{
    return "{\"offer_id\":" + QByteArray::number(offer) +
           ",\"rate_rps\":" + QByteArray::number(rate) +
           ",\"price_minor\":" + QByteArray::number(price) + extra + "}";
}

QString g_logged; // every message Qt logged while the tests ran
QtMessageHandler g_previousHandler = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_logged += message + QLatin1Char('\n');
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

} // namespace

class TestPurchaserApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void offersAndAuctionAggregatesOnly();
    void placeBidReadItBackAndList();
    void fixedPriceBidMakesAPurchase();
    void statusCodes_data();
    void statusCodes();
    void malformedHttp_data();
    void malformedHttp();
    void oversizedBodyRefusedBeforeItIsRead();
    void oversizedBodySentAnywayStillGetsTheAnswer();
    void expectContinue();
    void slowRequestTimesOut();
    void anotherPurchasersObjectsAre404AndUntouched();
    void siteOfAnotherPurchaserIs403AndNothingStored();
    void replayedIdempotencyKey();
    void revokedTokenIs401();
    void purchaserRateLimitIs429WithRetryAfter();
    void failedAuthenticationIsRateLimitedPerAddress();
    void leasesAndUsage();
    void invoicesShowNoDrafts();
    void storageFailureIs500();
    void concurrentBidsShareCommits();
    void keepAliveAndConnectionClose();
    void tlsWithSelfSignedCertificate();
    void tlsRefusesFilesThatDoNotLoad();
    void throughTheBinary();
    void binaryRefusesPlainHttpOffLoopback();
    void tokensNeverLogged();

private:
    qint64 addPurchaser(const QString &name, QString *token);
    qint64 addSite(qint64 purchaser, const QString &label);
    Offer postOffer(PricingMode mode, qint64 rate, qint64 price);
    std::unique_ptr<PurchaserApi> startApi(PurchaserApiConfig config);
    HttpReply call(const QByteArray &raw) { return RawClient(m_api->port()).send(raw); }
    qint64 countBids(qint64 purchaser);

    QTemporaryDir m_dir;
    QString m_dbPath;
    Database m_db;
    std::unique_ptr<MarketService> m_market;
    std::unique_ptr<PurchaserApi> m_api;
    QStringList m_logLines;
    QStringList m_tokens;
    QString m_tokenA;
    QString m_tokenB;
    qint64 m_purchaserA = 0;
    qint64 m_purchaserB = 0;
    qint64 m_siteA = 0;
    qint64 m_siteB = 0;
    Offer m_fixed;
    Offer m_auction;
    Offer m_withdrawn;
};

qint64 TestPurchaserApi::addPurchaser(const QString &name, QString *token)
{
    Purchaser p;
    p.organisation = name;
    p.contactEmail = QStringLiteral("ops@example.com");
    const auto id = PurchaserRepository(m_db).add(p);
    if (!id)
        return 0;
    const auto t = PurchaserRepository(m_db).issueToken(id.value(), QStringLiteral("test"));
    if (!t)
        return 0;
    *token = t.value();
    m_tokens.append(t.value());
    return id.value();
}

qint64 TestPurchaserApi::addSite(qint64 purchaser, const QString &label)
{
    Site s;
    s.name = label + QStringLiteral(".example");
    s.label = label;
    s.purchaserId = purchaser;
    s.hosts = {s.name, QStringLiteral("www.") + s.name};
    s.origins = {SiteOrigin{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
    const auto id = SiteRepository(m_db).add(s);
    return id ? id.value() : 0;
}

Offer TestPurchaserApi::postOffer(PricingMode mode, qint64 rate, qint64 price)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Offer o;
    o.pool = QStringLiteral("sandbox");
    o.rateRps = rate;
    o.startsAtMs = (now / 60000 + 24 * 60) * 60000;
    o.durationMs = kHourMs;
    o.pricing = mode;
    o.currency = QStringLiteral("EUR");
    if (mode == PricingMode::Auction) {
        o.reserveMinor = price;
        o.closesAtMs = now + 12 * kHourMs;
    } else {
        o.priceMinor = price;
    }
    const auto posted = m_market->postOffer(o, QStringLiteral("test: no load history"),
                                            QStringLiteral("operator:test"));
    if (!posted)
        qWarning() << "posting an offer failed:" << posted.error().message;
    return posted ? posted.value() : Offer{};
}

std::unique_ptr<PurchaserApi> TestPurchaserApi::startApi(PurchaserApiConfig config)
{
    auto api = std::make_unique<PurchaserApi>(m_db, std::move(config));
    QObject::connect(api.get(), &PurchaserApi::requestLogged, api.get(),
                     [this](const QString &line) { m_logLines.append(line); });
    QString error;
    if (!api->start(&error)) {
        qWarning() << "API did not start:" << error;
        return nullptr;
    }
    return api;
}

qint64 TestPurchaserApi::countBids(qint64 purchaser)
{
    BidFilter f;
    f.purchaserId = purchaser;
    const auto bids = m_market->bids(f);
    return bids ? bids.value().size() : -1;
}

void TestPurchaserApi::initTestCase()
{
    g_previousHandler = qInstallMessageHandler(captureMessages);
    // QHttpServer's debug output prints every header; ask for it: the API must switch it off.
    QLoggingCategory::setFilterRules(QStringLiteral("qt.httpserver*=true"));
    QVERIFY(m_dir.isValid());
    m_dbPath = m_dir.filePath(QStringLiteral("headroom.sqlite"));
    const auto opened = m_db.open(m_dbPath);
    QVERIFY2(opened, qPrintable(opened.error().message));
    m_market = std::make_unique<MarketService>(m_db);
    m_purchaserA = addPurchaser(QStringLiteral("Shop A"), &m_tokenA);
    m_purchaserB = addPurchaser(QStringLiteral("Shop B"), &m_tokenB);
    QVERIFY(m_purchaserA > 0 && m_purchaserB > 0);
    m_siteA = addSite(m_purchaserA, QStringLiteral("shopa"));
    m_siteB = addSite(m_purchaserB, QStringLiteral("shopb"));
    QVERIFY(m_siteA > 0 && m_siteB > 0);
    m_fixed = postOffer(PricingMode::Fixed, 1000, 1200);
    m_auction = postOffer(PricingMode::Auction, 500, 100);
    m_withdrawn = postOffer(PricingMode::Fixed, 10, 100);
    QVERIFY(m_fixed.id > 0 && m_auction.id > 0 && m_withdrawn.id > 0);
    QVERIFY(m_market->withdrawOffer(m_withdrawn.id, QStringLiteral("operator:test")));

    PurchaserApiConfig config;
    config.purchaserRatePerSecond = 10000;
    config.purchaserBurst = 10000;
    config.authFailureRatePerSecond = 10000;
    config.authFailureBurst = 10000;
    m_api = startApi(config);
    QVERIFY(m_api);
    QCOMPARE(m_api->url().scheme(), QStringLiteral("http"));
}

void TestPurchaserApi::cleanupTestCase()
{
    m_api.reset();
    qInstallMessageHandler(g_previousHandler);
}

void TestPurchaserApi::offersAndAuctionAggregatesOnly()
{
    const HttpReply list = call(request("GET", "/v1/offers", m_tokenA));
    QCOMPARE(list.status, 200);
    QCOMPARE(list.header("Content-Type"), QByteArray("application/json"));
    const QJsonArray offers = list.json().value(QStringLiteral("offers")).toArray();
    QList<qint64> ids;
    for (const QJsonValue &o : offers)
        ids.append(o.toObject().value(QStringLiteral("id")).toInteger());
    QVERIFY(ids.contains(m_fixed.id) && ids.contains(m_auction.id));
    QVERIFY2(!ids.contains(m_withdrawn.id), "only open offers are listed");

    // B bids on the auction; A sees that one bid is open, and nothing of it.
    const QByteArray bBid = bidBody(m_auction.id, 50, 777);
    QCOMPARE(call(request("POST", "/v1/bids", m_tokenB, bBid)).status, 201);
    const HttpReply detail =
        call(request("GET", "/v1/offers/" + QByteArray::number(m_auction.id), m_tokenA));
    QCOMPARE(detail.status, 200);
    const QJsonObject offer = detail.json().value(QStringLiteral("offer")).toObject();
    QCOMPARE(offer.value(QStringLiteral("pricing")).toString(), QStringLiteral("auction"));
    QVERIFY(offer.value(QStringLiteral("open_bids")).toInt() >= 1);
    QCOMPARE(offer.value(QStringLiteral("your_bids")).toArray().size(), 0);
    QVERIFY2(!detail.body.contains("777"), "another bidder's price must not show");
    QVERIFY(!detail.body.contains("Shop B"));
    QVERIFY(!offer.contains(QStringLiteral("override_reason")));
}

void TestPurchaserApi::placeBidReadItBackAndList()
{
    const HttpReply placed =
        call(request("POST", "/v1/bids", m_tokenA, bidBody(m_auction.id, 100, 150)));
    QCOMPARE(placed.status, 201);
    const QJsonObject bid = placed.json().value(QStringLiteral("bid")).toObject();
    const qint64 id = bid.value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    QCOMPARE(placed.header("Location"), "/v1/bids/" + QByteArray::number(id));
    QCOMPARE(bid.value(QStringLiteral("state")).toString(), QStringLiteral("open"));
    QCOMPARE(bid.value(QStringLiteral("site_id")).toInteger(), m_siteA);
    QCOMPARE(bid.value(QStringLiteral("source")).toString(), QStringLiteral("api"));
    QVERIFY(placed.json()
                .value(QStringLiteral("explanation"))
                .toString()
                .contains(QStringLiteral("sealed")));

    const HttpReply read = call(request("GET", "/v1/bids/" + QByteArray::number(id), m_tokenA));
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json()
                 .value(QStringLiteral("bid"))
                 .toObject()
                 .value(QStringLiteral("rate_rps"))
                 .toInt(),
             100);

    const HttpReply mine = call(request(
        "GET", "/v1/bids?offer_id=" + QByteArray::number(m_auction.id) + "&open=true", m_tokenA));
    QCOMPARE(mine.status, 200);
    const QJsonArray bids = mine.json().value(QStringLiteral("bids")).toArray();
    QVERIFY(!bids.isEmpty());
    for (const QJsonValue &b : bids)
        QCOMPARE(b.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("open"));

    // The offer now lists it among the caller's own bids.
    const HttpReply detail =
        call(request("GET", "/v1/offers/" + QByteArray::number(m_auction.id), m_tokenA));
    QVERIFY(!detail.json()
                 .value(QStringLiteral("offer"))
                 .toObject()
                 .value(QStringLiteral("your_bids"))
                 .toArray()
                 .isEmpty());

    // Cancel it: 200, then it is withdrawn; a second cancel is a conflict.
    const HttpReply cancelled =
        call(request("DELETE", "/v1/bids/" + QByteArray::number(id), m_tokenA));
    QCOMPARE(cancelled.status, 200);
    QCOMPARE(cancelled.json()
                 .value(QStringLiteral("bid"))
                 .toObject()
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("withdrawn"));
    const HttpReply again = call(request("DELETE", "/v1/bids/" + QByteArray::number(id), m_tokenA));
    QCOMPARE(again.status, 409);
    QCOMPARE(again.errorCode(), QStringLiteral("conflict"));
}

void TestPurchaserApi::fixedPriceBidMakesAPurchase()
{
    const HttpReply placed = call(
        request("POST", "/v1/bids", m_tokenA, bidBody(m_fixed.id, 10, 1200, ",\"min_rps\":5")));
    QCOMPARE(placed.status, 201);
    const QJsonArray purchases = placed.json().value(QStringLiteral("purchases")).toArray();
    QCOMPARE(purchases.size(), 1);
    const qint64 purchase = purchases.first().toObject().value(QStringLiteral("id")).toInteger();
    QCOMPARE(purchases.first().toObject().value(QStringLiteral("state")).toString(),
             QStringLiteral("pending"));

    const HttpReply one =
        call(request("GET", "/v1/purchases/" + QByteArray::number(purchase), m_tokenA));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.json()
                 .value(QStringLiteral("purchase"))
                 .toObject()
                 .value(QStringLiteral("currency"))
                 .toString(),
             QStringLiteral("EUR"));
    const HttpReply pending = call(request("GET", "/v1/purchases?state=pending", m_tokenA));
    QCOMPARE(pending.status, 200);
    QVERIFY(!pending.json().value(QStringLiteral("purchases")).toArray().isEmpty());

    // A won bid cannot be cancelled: 409.
    const qint64 bid = placed.json()
                           .value(QStringLiteral("bid"))
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toInteger();
    const HttpReply cancel =
        call(request("DELETE", "/v1/bids/" + QByteArray::number(bid), m_tokenA));
    QCOMPARE(cancel.status, 409);
}

void TestPurchaserApi::statusCodes_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("who"); // A, B, none, junk, unknown
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("extraHeaders");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray json = "application/json";
    const QByteArray none;
    // The offer ids are fixed by initTestCase: 1 fixed, 2 auction, 3 withdrawn.
    const QByteArray good = bidBody(2, 10, 150);

    QTest::newRow("200 offers") << QByteArray("GET") << QByteArray("/v1/offers")
                                << QStringLiteral("A") << none << json << none << 200 << QString();
    QTest::newRow("201 bid") << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
                             << good << json << none << 201 << QString();
    QTest::newRow("201 bid with charset")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << good
        << QByteArray("application/json; charset=utf-8") << none << 201 << QString();

    QTest::newRow("400 malformed json") << QByteArray("POST") << QByteArray("/v1/bids")
                                        << QStringLiteral("A") << QByteArray("{\"offer_id\":2,")
                                        << json << none << 400 << QStringLiteral("malformed_json");
    QTest::newRow("400 not an object")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << QByteArray("[1,2,3]") << json << none << 400 << QStringLiteral("malformed_json");
    QTest::newRow("400 duplicate key")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << QByteArray(R"({"offer_id":2,"rate_rps":10,"rate_rps":9999,"price_minor":150})") << json
        << none << 400 << QStringLiteral("malformed_json");
    QTest::newRow("400 wrong content type")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << good
        << QByteArray("application/x-www-form-urlencoded") << none << 400
        << QStringLiteral("unsupported_content_type");
    QTest::newRow("400 no content type")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << good << none
        << none << 400 << QStringLiteral("unsupported_content_type");
    QTest::newRow("400 unknown field")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(2, 10, 150, ",\"purchaser_id\":2") << json << none << 400
        << QStringLiteral("unknown_field");
    QTest::newRow("400 string for int")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << QByteArray(R"({"offer_id":"2","rate_rps":10,"price_minor":150})") << json << none << 400
        << QStringLiteral("wrong_type");
    QTest::newRow("400 float for int")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << QByteArray(R"({"offer_id":2,"rate_rps":10.5,"price_minor":150})") << json << none << 400
        << QStringLiteral("wrong_type");
    QTest::newRow("400 1e308") << QByteArray("POST") << QByteArray("/v1/bids")
                               << QStringLiteral("A")
                               << QByteArray(R"({"offer_id":2,"rate_rps":1e308,"price_minor":150})")
                               << json << none << 400 << QStringLiteral("wrong_type");
    QTest::newRow("400 nested junk")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << QByteArray(R"({"offer_id":{"$ne":null},"rate_rps":10,"price_minor":150})") << json
        << none << 400 << QStringLiteral("wrong_type");
    QTest::newRow("400 missing field")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << QByteArray(R"({"offer_id":2,"rate_rps":10})") << json << none << 400
        << QStringLiteral("missing_field");
    QTest::newRow("400 invalid utf-8") << QByteArray("POST") << QByteArray("/v1/bids")
                                       << QStringLiteral("A") << QByteArray("{\"offer_id\xff\":2}")
                                       << json << none << 400 << QStringLiteral("malformed_json");
    QTest::newRow("400 empty body")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << none << json
        << none << 400 << QStringLiteral("malformed_json");
    QTest::newRow("400 bad idempotency key")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << good << json
        << QByteArray("Idempotency-Key: has space\r\n") << 400
        << QStringLiteral("bad_idempotency_key");
    QTest::newRow("400 unknown query")
        << QByteArray("GET") << QByteArray("/v1/bids?purchaser_id=2") << QStringLiteral("A") << none
        << json << none << 400 << QStringLiteral("bad_query");
    QTest::newRow("400 query where none")
        << QByteArray("GET") << QByteArray("/v1/offers?x=1") << QStringLiteral("A") << none << json
        << none << 400 << QStringLiteral("bad_query");
    QTest::newRow("400 body on GET")
        << QByteArray("GET") << QByteArray("/v1/offers") << QStringLiteral("A") << QByteArray("{}")
        << json << none << 400 << QStringLiteral("unexpected_body");

    QTest::newRow("401 no token") << QByteArray("GET") << QByteArray("/v1/bids")
                                  << QStringLiteral("none") << none << json << none << 401
                                  << QStringLiteral("unauthorized");
    QTest::newRow("401 unknown token")
        << QByteArray("GET") << QByteArray("/v1/bids") << QStringLiteral("unknown") << none << json
        << none << 401 << QStringLiteral("unauthorized");
    QTest::newRow("401 junk token")
        << QByteArray("GET") << QByteArray("/v1/bids") << QStringLiteral("junk") << none << json
        << none << 401 << QStringLiteral("unauthorized");
    QTest::newRow("401 basic auth")
        << QByteArray("GET") << QByteArray("/v1/bids") << QStringLiteral("none") << none << json
        << QByteArray("Authorization: Basic YTpi\r\n") << 401 << QStringLiteral("unauthorized");
    QTest::newRow("401 before body checks")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("none")
        << QByteArray("junk") << json << none << 401 << QStringLiteral("unauthorized");

    QTest::newRow("403 posting an offer")
        << QByteArray("POST") << QByteArray("/v1/offers") << QStringLiteral("A") << QByteArray("{}")
        << json << none << 403 << QStringLiteral("forbidden");
    QTest::newRow("403 withdrawing an offer")
        << QByteArray("DELETE") << QByteArray("/v1/offers/1") << QStringLiteral("A") << none << json
        << none << 403 << QStringLiteral("forbidden");
    QTest::newRow("403 a site that is not theirs")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(2, 10, 150, ",\"site_id\":2") << json << none << 403
        << QStringLiteral("forbidden");
    QTest::newRow("403 a site that does not exist")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(2, 10, 150, ",\"site_id\":999") << json << none << 403
        << QStringLiteral("forbidden");

    QTest::newRow("404 unknown route")
        << QByteArray("GET") << QByteArray("/v1/nothing") << QStringLiteral("A") << none << json
        << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 root") << QByteArray("GET") << QByteArray("/") << QStringLiteral("A") << none
                              << json << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 no version")
        << QByteArray("GET") << QByteArray("/offers") << QStringLiteral("A") << none << json << none
        << 404 << QStringLiteral("not_found");
    QTest::newRow("404 trailing slash")
        << QByteArray("GET") << QByteArray("/v1/offers/") << QStringLiteral("A") << none << json
        << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 non-numeric id")
        << QByteArray("GET") << QByteArray("/v1/bids/abc") << QStringLiteral("A") << none << json
        << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 traversal")
        << QByteArray("GET") << QByteArray("/v1/bids/../offers") << QStringLiteral("A") << none
        << json << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 no such bid")
        << QByteArray("GET") << QByteArray("/v1/bids/999999") << QStringLiteral("A") << none << json
        << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 no such offer")
        << QByteArray("GET") << QByteArray("/v1/offers/999999") << QStringLiteral("A") << none
        << json << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 bid on no such offer")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(999999, 10, 150) << json << none << 404 << QStringLiteral("not_found");
    QTest::newRow("404 no such lease")
        << QByteArray("GET") << QByteArray("/v1/leases/999999/usage") << QStringLiteral("A") << none
        << json << none << 404 << QStringLiteral("not_found");

    QTest::newRow("405 put bids") << QByteArray("PUT") << QByteArray("/v1/bids")
                                  << QStringLiteral("A") << none << json << none << 405
                                  << QStringLiteral("method_not_allowed");
    QTest::newRow("405 post purchases")
        << QByteArray("POST") << QByteArray("/v1/purchases") << QStringLiteral("A")
        << QByteArray("{}") << json << none << 405 << QStringLiteral("method_not_allowed");
    QTest::newRow("405 head (no body)")
        << QByteArray("HEAD") << QByteArray("/v1/offers") << QStringLiteral("A") << none << json
        << none << 405 << QString();
    QTest::newRow("405 invented method")
        << QByteArray("BREW") << QByteArray("/v1/offers") << QStringLiteral("A") << none << json
        << none << 405 << QStringLiteral("method_not_allowed");

    QTest::newRow("409 withdrawn offer")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << bidBody(3, 5, 150)
        << json << none << 409 << QStringLiteral("conflict");

    QTest::newRow("422 negative rate")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(2, -5, 150) << json << none << 422 << QStringLiteral("invalid_value");
    QTest::newRow("422 huge price")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(2, 5, 100000001) << json << none << 422 << QStringLiteral("invalid_value");
    QTest::newRow("422 below the reserve")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A") << bidBody(2, 5, 99)
        << json << none << 422 << QStringLiteral("invalid");
    QTest::newRow("422 below the fixed price")
        << QByteArray("POST") << QByteArray("/v1/bids") << QStringLiteral("A")
        << bidBody(1, 5, 1199) << json << none << 422 << QStringLiteral("invalid");
}

void TestPurchaserApi::statusCodes()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QString, who);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, extraHeaders);
    QFETCH(int, status);
    QFETCH(QString, code);
    QCOMPARE(m_fixed.id, 1);
    QCOMPARE(m_auction.id, 2);
    QCOMPARE(m_withdrawn.id, 3);
    QCOMPARE(m_siteB, 2);
    const QString token = who == QLatin1String("A")   ? m_tokenA
                          : who == QLatin1String("B") ? m_tokenB
                          : who == QLatin1String("unknown")
                              ? QStringLiteral("hr_") + QString(43, QLatin1Char('x'))
                          : who == QLatin1String("junk") ? QStringLiteral("not-a-token")
                                                         : QString();
    const qint64 before = countBids(m_purchaserA);
    const HttpReply reply = call(request(method, target, token, body, extraHeaders, contentType));
    QVERIFY2(
        reply.status == status,
        qPrintable(
            QStringLiteral("got %1: %2").arg(reply.status).arg(QString::fromUtf8(reply.body))));
    if (!code.isEmpty()) {
        QCOMPARE(reply.errorCode(), code);
        QVERIFY2(reply.errorMessage().size() > 10, "every error says what is wrong");
    }
    if (status == 401) {
        QVERIFY(reply.header("WWW-Authenticate").startsWith("Bearer"));
    }
    if (status == 405) {
        QVERIFY(!reply.header("Allow").isEmpty());
    }
    if (status >= 400) {
        QCOMPARE(countBids(m_purchaserA), before); // a refusal stores nothing
    }
}

void TestPurchaserApi::malformedHttp_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\xfchello\r\n\r\n") << 400
                             << QStringLiteral("bad_request");
    QTest::newRow("http/2 preface")
        << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400 << QStringLiteral("bad_request");
    QTest::newRow("chunked body") << QByteArray("POST /v1/bids HTTP/1.1\r\nTransfer-Encoding: "
                                                "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                                  << 411 << QStringLiteral("length_required");
    QTest::newRow("headers too large")
        << QByteArray("GET /v1/offers HTTP/1.1\r\nX-Junk: " + QByteArray(10000, 'j') + "\r\n\r\n")
        << 431 << QStringLiteral("headers_too_large");
    QTest::newRow("target too long")
        << QByteArray("GET /v1/" + QByteArray(5000, 'a') + " HTTP/1.1\r\n\r\n") << 414
        << QStringLiteral("uri_too_long");
    QTest::newRow("pipelined")
        << QByteArray("GET /v1/offers HTTP/1.1\r\n\r\nGET /v1/offers HTTP/1.1\r\n\r\n") << 400
        << QStringLiteral("pipelining_not_supported");
    QTest::newRow("smuggling: two lengths")
        << QByteArray("POST /v1/bids HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\n")
        << 400 << QStringLiteral("bad_request");
    QTest::newRow("websocket upgrade")
        << QByteArray(
               "GET /v1/offers HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        << 400 << QStringLiteral("bad_request");
}

void TestPurchaserApi::malformedHttp()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(QString, code);
    RawClient client(m_api->port());
    const HttpReply reply = client.send(raw);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.errorCode(), code);
    QVERIFY(reply.closedAfter);
    QVERIFY(client.waitClosed());
    // The server is still fine.
    QCOMPARE(call(request("GET", "/v1/offers", m_tokenA)).status, 200);
}

void TestPurchaserApi::oversizedBodyRefusedBeforeItIsRead()
{
    // The head announces 10 MB; the answer comes without a byte of the body sent.
    RawClient client(m_api->port());
    const HttpReply reply = client.send(
        "POST /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m_tokenA.toLatin1() +
        "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
    QCOMPARE(reply.status, 413);
    QCOMPARE(reply.errorCode(), QStringLiteral("payload_too_large"));
    QVERIFY(reply.errorMessage().contains(QStringLiteral("16384")));
    QVERIFY(reply.closedAfter);
}

void TestPurchaserApi::oversizedBodySentAnywayStillGetsTheAnswer()
{
    const qint64 before = countBids(m_purchaserA);
    // 64 KiB of JSON sent in one go with the head: the client still reads a 413, not a reset.
    QByteArray body = "{\"offer_id\":2,\"rate_rps\":10,\"price_minor\":150,\"pad\":\"";
    body += QByteArray(64 * 1024, 'p');
    body += "\"}";
    RawClient client(m_api->port());
    const HttpReply reply = client.send(request("POST", "/v1/bids", m_tokenA, body));
    QCOMPARE(reply.status, 413);
    QCOMPARE(countBids(m_purchaserA), before);
    // Just over the limit (16 KiB + 1) as well.
    QByteArray edge = bidBody(2, 10, 150);
    edge.insert(1, QByteArray(16385 - edge.size(), ' '));
    QCOMPARE(edge.size(), 16385);
    QCOMPARE(call(request("POST", "/v1/bids", m_tokenA, edge)).status, 413);
    // Exactly at the limit is read (and parsed: whitespace is valid JSON).
    edge.remove(1, 1);
    QCOMPARE(call(request("POST", "/v1/bids", m_tokenA, edge)).status, 201);
}

void TestPurchaserApi::expectContinue()
{
    // As curl does for larger bodies: the head first, the body after "100 Continue".
    RawClient client(m_api->port());
    const QByteArray body = bidBody(2, 7, 150);
    client.write("POST /v1/bids HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                 m_tokenA.toLatin1() +
                 "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n\r\n");
    const HttpReply interim = client.read(5000, false);
    QCOMPARE(interim.status, 100);
    client.write(body);
    QCOMPARE(client.read().status, 201);
}

void TestPurchaserApi::slowRequestTimesOut()
{
    PurchaserApiConfig config;
    config.requestTimeoutMs = 300;
    const auto api = startApi(config);
    QVERIFY(api);
    RawClient client(api->port());
    client.write("GET /v1/offers HTTP/1.1\r\nHost: x\r\n"); // the head never ends
    const HttpReply reply = client.read(3000);
    QCOMPARE(reply.status, 408);
    QCOMPARE(reply.errorCode(), QStringLiteral("request_timeout"));
    QVERIFY(client.waitClosed(4000));
}

void TestPurchaserApi::anotherPurchasersObjectsAre404AndUntouched()
{
    // A's open auction bid and A's purchase.
    const HttpReply placed =
        call(request("POST", "/v1/bids", m_tokenA, bidBody(m_auction.id, 20, 300)));
    QCOMPARE(placed.status, 201);
    const QByteArray bid = QByteArray::number(placed.json()
                                                  .value(QStringLiteral("bid"))
                                                  .toObject()
                                                  .value(QStringLiteral("id"))
                                                  .toInteger());
    const HttpReply bought =
        call(request("POST", "/v1/bids", m_tokenA, bidBody(m_fixed.id, 3, 1200)));
    QCOMPARE(bought.status, 201);
    const QByteArray purchase = QByteArray::number(bought.json()
                                                       .value(QStringLiteral("purchases"))
                                                       .toArray()
                                                       .first()
                                                       .toObject()
                                                       .value(QStringLiteral("id"))
                                                       .toInteger());
    const auto approval = m_market->approve(purchase.toLongLong(), QStringLiteral("operator:test"));
    QVERIFY2(approval, qPrintable(approval ? QString() : approval.error().message));
    const QByteArray lease = QByteArray::number(approval.value().leaseIds.first());

    // B's token on each of them: 404, exactly as for an id that does not exist.
    const HttpReply getBid = call(request("GET", "/v1/bids/" + bid, m_tokenB));
    QCOMPARE(getBid.status, 404);
    const HttpReply missing = call(request("GET", "/v1/bids/999999", m_tokenB));
    QCOMPARE(getBid.errorCode(), missing.errorCode());
    QCOMPARE(call(request("DELETE", "/v1/bids/" + bid, m_tokenB)).status, 404);
    QCOMPARE(call(request("GET", "/v1/purchases/" + purchase, m_tokenB)).status, 404);
    QCOMPARE(call(request("GET", "/v1/leases/" + lease, m_tokenB)).status, 404);
    QCOMPARE(call(request("GET", "/v1/leases/" + lease + "/usage", m_tokenB)).status, 404);

    // Nothing changed: A's bid is still open, and B's lists hold none of A's objects.
    const auto stillOpen = m_market->bid(bid.toLongLong(), std::nullopt);
    QVERIFY(stillOpen);
    QCOMPARE(stillOpen.value().state, BidState::Open);
    for (const QByteArray &list :
         {QByteArray("/v1/bids"), QByteArray("/v1/purchases"), QByteArray("/v1/leases")}) {
        const HttpReply r = call(request("GET", list, m_tokenB));
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        const QJsonArray items = o.value(o.keys().first()).toArray();
        for (const QJsonValue &item : items) {
            const QJsonObject i = item.toObject();
            QVERIFY(i.value(QStringLiteral("site_id")).toInteger() != m_siteA);
        }
    }
    // And A still sees them.
    QCOMPARE(call(request("GET", "/v1/bids/" + bid, m_tokenA)).status, 200);
    QCOMPARE(call(request("GET", "/v1/leases/" + lease, m_tokenA)).status, 200);
}

void TestPurchaserApi::siteOfAnotherPurchaserIs403AndNothingStored()
{
    const qint64 beforeA = countBids(m_purchaserA);
    const qint64 beforeB = countBids(m_purchaserB);
    const HttpReply reply = call(
        request("POST", "/v1/bids", m_tokenA,
                bidBody(m_auction.id, 10, 150, ",\"site_id\":" + QByteArray::number(m_siteB))));
    QCOMPARE(reply.status, 403);
    QVERIFY(reply.errorMessage().contains(QStringLiteral("not one of your sites")));
    QCOMPARE(countBids(m_purchaserA), beforeA);
    QCOMPARE(countBids(m_purchaserB), beforeB);
    // Their own site by id is fine.
    QCOMPARE(
        call(request("POST", "/v1/bids", m_tokenA,
                     bidBody(m_auction.id, 10, 150, ",\"site_id\":" + QByteArray::number(m_siteA))))
            .status,
        201);
}

void TestPurchaserApi::replayedIdempotencyKey()
{
    const QByteArray key = "Idempotency-Key: 7d1c4f52-replay-test\r\n";
    const QByteArray body = bidBody(m_auction.id, 42, 420);
    const HttpReply first = call(request("POST", "/v1/bids", m_tokenA, body, key));
    QCOMPARE(first.status, 201);
    QVERIFY(first.header("Idempotent-Replayed").isEmpty());
    const qint64 id = first.json()
                          .value(QStringLiteral("bid"))
                          .toObject()
                          .value(QStringLiteral("id"))
                          .toInteger();
    const qint64 count = countBids(m_purchaserA);

    // The same request again (a client retrying after a lost answer): the same bid, no new row.
    const HttpReply replay = call(request("POST", "/v1/bids", m_tokenA, body, key));
    QCOMPARE(replay.status, 201);
    QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
    QCOMPARE(replay.json()
                 .value(QStringLiteral("bid"))
                 .toObject()
                 .value(QStringLiteral("id"))
                 .toInteger(),
             id);
    QCOMPARE(countBids(m_purchaserA), count);

    // The same key with another body: 409, nothing stored.
    const HttpReply other =
        call(request("POST", "/v1/bids", m_tokenA, bidBody(m_auction.id, 43, 420), key));
    QCOMPARE(other.status, 409);
    QCOMPARE(other.errorCode(), QStringLiteral("conflict"));
    QCOMPARE(countBids(m_purchaserA), count);

    // Keys are per purchaser: B may use the same one.
    QCOMPARE(call(request("POST", "/v1/bids", m_tokenB, body, key)).status, 201);
    QCOMPARE(countBids(m_purchaserA), count);

    // Two copies at the same time, on two connections (one group commit): one bid.
    const QByteArray key2 = "Idempotency-Key: concurrent-replay\r\n";
    RawClient c1(m_api->port());
    RawClient c2(m_api->port());
    QVERIFY(c1.waitConnected() && c2.waitConnected());
    c1.write(request("POST", "/v1/bids", m_tokenA, body, key2));
    c2.write(request("POST", "/v1/bids", m_tokenA, body, key2));
    const HttpReply r1 = c1.read();
    const HttpReply r2 = c2.read();
    QCOMPARE(r1.status, 201);
    QCOMPARE(r2.status, 201);
    QCOMPARE(r1.json().value(QStringLiteral("bid")).toObject().value(QStringLiteral("id")),
             r2.json().value(QStringLiteral("bid")).toObject().value(QStringLiteral("id")));
    QCOMPARE(countBids(m_purchaserA), count + 1);
}

void TestPurchaserApi::revokedTokenIs401()
{
    QString token;
    const qint64 id = addPurchaser(QStringLiteral("Shop C"), &token);
    QVERIFY(id > 0);
    QCOMPARE(call(request("GET", "/v1/bids", token)).status, 200);
    QVERIFY(PurchaserRepository(m_db).revokeTokens(id));
    const HttpReply reply = call(request("GET", "/v1/bids", token));
    QCOMPARE(reply.status, 401);
    QVERIFY(reply.header("WWW-Authenticate").contains("invalid_token"));
    QVERIFY(reply.errorMessage().contains(QStringLiteral("revoked")));
    QVERIFY(!reply.body.contains(token.toLatin1()));
}

void TestPurchaserApi::purchaserRateLimitIs429WithRetryAfter()
{
    qint64 now = 1'000'000;
    PurchaserApiConfig config;
    config.purchaserRatePerSecond = 1;
    config.purchaserBurst = 3;
    config.rateClock = [&] { return now; };
    const auto api = startApi(config);
    QVERIFY(api);
    RawClient client(api->port());
    for (int i = 0; i < 3; ++i)
        QCOMPARE(client.send(request("GET", "/v1/offers", m_tokenA)).status, 200);
    const HttpReply limited = client.send(request("GET", "/v1/offers", m_tokenA));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("1"));
    QCOMPARE(limited.errorCode(), QStringLiteral("rate_limited"));
    // Another purchaser is not affected.
    QCOMPARE(client.send(request("GET", "/v1/offers", m_tokenB)).status, 200);
    now += 1000;
    QCOMPARE(client.send(request("GET", "/v1/offers", m_tokenA)).status, 200);
    QCOMPARE(client.send(request("GET", "/v1/offers", m_tokenA)).status, 429);
}

void TestPurchaserApi::failedAuthenticationIsRateLimitedPerAddress()
{
    qint64 now = 5'000'000;
    PurchaserApiConfig config;
    config.authFailureRatePerSecond = 0.1; // one more guess every 10 s
    config.authFailureBurst = 3;
    config.rateClock = [&] { return now; };
    const auto api = startApi(config);
    QVERIFY(api);
    const QString guess = QStringLiteral("hr_") + QString(43, QLatin1Char('g'));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(RawClient(api->port()).send(request("GET", "/v1/bids", guess)).status, 401);
    const HttpReply limited = RawClient(api->port()).send(request("GET", "/v1/bids", guess));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("10"));
    // While limited, even a good token from that address waits: guessing cannot be interleaved.
    QCOMPARE(RawClient(api->port()).send(request("GET", "/v1/bids", m_tokenA)).status, 429);
    now += 10'000;
    QCOMPARE(RawClient(api->port()).send(request("GET", "/v1/bids", m_tokenA)).status, 200);
}

void TestPurchaserApi::leasesAndUsage()
{
    // A purchase of A's, approved: a lease of A's site; metered usage on it.
    const HttpReply bought =
        call(request("POST", "/v1/bids", m_tokenA, bidBody(m_fixed.id, 4, 1200)));
    QCOMPARE(bought.status, 201);
    const qint64 purchase = bought.json()
                                .value(QStringLiteral("purchases"))
                                .toArray()
                                .first()
                                .toObject()
                                .value(QStringLiteral("id"))
                                .toInteger();
    const auto approval = m_market->approve(purchase, QStringLiteral("operator:test"));
    QVERIFY(approval);
    const qint64 lease = approval.value().leaseIds.first();
    Proxy proxy;
    proxy.name = QStringLiteral("proxy1");
    proxy.address = QHostAddress(QStringLiteral("127.0.1.1"));
    proxy.httpPort = 8080;
    proxy.metricsPort = 8081;
    proxy.capacityRps = 400;
    proxy.pool = QStringLiteral("sandbox");
    QVERIFY(ProxyRepository(m_db).upsert(proxy));
    QList<UsageSample> samples;
    for (int i = 0; i < 3; ++i) {
        UsageSample s;
        s.sampleUid = QStringLiteral("api-test-%1").arg(i);
        s.leaseId = lease;
        s.proxy = QStringLiteral("proxy1");
        s.site = QStringLiteral("shopa.example");
        s.atMs = QDateTime::currentMSecsSinceEpoch();
        s.requests = 100 + quint64(i);
        s.bytes = 1000;
        samples.append(s);
    }
    QVERIFY(UsageRepository(m_db).record(samples));

    const HttpReply list = call(request("GET", "/v1/leases", m_tokenA));
    QCOMPARE(list.status, 200);
    bool found = false;
    for (const QJsonValue &v : list.json().value(QStringLiteral("leases")).toArray()) {
        const QJsonObject l = v.toObject();
        if (l.value(QStringLiteral("id")).toInteger() != lease)
            continue;
        found = true;
        QCOMPARE(l.value(QStringLiteral("state")).toString(), QStringLiteral("scheduled"));
        QCOMPARE(l.value(QStringLiteral("rate_rps")).toDouble(), 4.0);
        QCOMPARE(l.value(QStringLiteral("site_id")).toInteger(), m_siteA);
        QVERIFY(l.value(QStringLiteral("current_or_next_window")).isObject());
        QVERIFY(!l.value(QStringLiteral("starts_at")).toString().isEmpty());
    }
    QVERIFY(found);
    const HttpReply usage =
        call(request("GET", "/v1/leases/" + QByteArray::number(lease) + "/usage", m_tokenA));
    QCOMPARE(usage.status, 200);
    const QJsonObject u = usage.json().value(QStringLiteral("usage")).toObject();
    QCOMPARE(u.value(QStringLiteral("requests")).toInteger(), 303);
    QCOMPARE(u.value(QStringLiteral("bytes")).toInteger(), 3000);
    // B has no leases at all.
    QCOMPARE(call(request("GET", "/v1/leases", m_tokenB))
                 .json()
                 .value(QStringLiteral("leases"))
                 .toArray()
                 .size(),
             0);
}

void TestPurchaserApi::invoicesShowNoDrafts()
{
    // A's October invoice, issued, and A's and B's November drafts.
    BillingRepository billing(m_db);
    const auto draft = [](qint64 purchaser, const QString &period, qint64 total) {
        Invoice i;
        i.purchaserId = purchaser;
        i.period = period;
        i.currency = QStringLiteral("EUR");
        i.subtotalMinor = total;
        i.totalMinor = total;
        return i;
    };
    const auto october =
        billing.replaceDrafts(QStringLiteral("2026-10"), m_purchaserA,
                              {draft(m_purchaserA, QStringLiteral("2026-10"), 4321)});
    QVERIFY2(october, qPrintable(october ? QString() : october.error().message));
    const auto issued = billing.issue(october.value().first(), QDateTime::currentMSecsSinceEpoch());
    QVERIFY2(issued, qPrintable(issued ? QString() : issued.error().message));
    QVERIFY(billing.replaceDrafts(QStringLiteral("2026-11"), std::nullopt,
                                  {draft(m_purchaserA, QStringLiteral("2026-11"), 1),
                                   draft(m_purchaserB, QStringLiteral("2026-11"), 2)}));

    const HttpReply a = call(request("GET", "/v1/invoices", m_tokenA));
    QCOMPARE(a.status, 200);
    const QJsonArray invoices = a.json().value(QStringLiteral("invoices")).toArray();
    QCOMPARE(invoices.size(), 1);
    const QJsonObject invoice = invoices.first().toObject();
    QCOMPARE(invoice.value(QStringLiteral("state")).toString(), QStringLiteral("issued"));
    QCOMPARE(invoice.value(QStringLiteral("number")).toString(), issued.value().number);
    QCOMPARE(invoice.value(QStringLiteral("total_minor")).toInteger(), 4321);
    QVERIFY(invoice.value(QStringLiteral("lines")).isArray());
    // B: a draft only, so nothing; never A's.
    const HttpReply b = call(request("GET", "/v1/invoices", m_tokenB));
    QCOMPARE(b.status, 200);
    QCOMPARE(b.json().value(QStringLiteral("invoices")).toArray().size(), 0);
}

void TestPurchaserApi::storageFailureIs500()
{
    m_db.close();
    const HttpReply reply = call(request("GET", "/v1/bids", m_tokenA));
    const auto reopened = m_db.open(m_dbPath);
    QVERIFY2(reopened, qPrintable(reopened.error().message));
    QCOMPARE(reply.status, 500);
    QCOMPARE(reply.errorCode(), QStringLiteral("storage_error"));
    QVERIFY2(!reply.errorMessage().contains(QStringLiteral("SQL"), Qt::CaseInsensitive),
             "SQLite's words stay in the log");
    QCOMPARE(call(request("GET", "/v1/bids", m_tokenA)).status, 200);
}

void TestPurchaserApi::concurrentBidsShareCommits()
{
    const quint64 commitsBefore = m_api->groupCommit().commits();
    const qint64 before = countBids(m_purchaserA);
    constexpr int kClients = 24;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<RawClient>(m_api->port()));
        QVERIFY(clients.back()->waitConnected());
    }
    for (int i = 0; i < kClients; ++i)
        clients[size_t(i)]->write(
            request("POST", "/v1/bids", m_tokenA, bidBody(m_auction.id, 1 + i, 200)));
    for (int i = 0; i < kClients; ++i)
        QCOMPARE(clients[size_t(i)]->read().status, 201);
    QCOMPARE(countBids(m_purchaserA), before + kClients);
    const quint64 commits = m_api->groupCommit().commits() - commitsBefore;
    qInfo("%d concurrent bids in %llu durable commits", kClients,
          static_cast<unsigned long long>(commits));
    QVERIFY(commits >= 1 && commits < quint64(kClients));
}

void TestPurchaserApi::keepAliveAndConnectionClose()
{
    RawClient client(m_api->port());
    for (int i = 0; i < 3; ++i) {
        const HttpReply r = client.send(request("GET", "/v1/offers", m_tokenA));
        QCOMPARE(r.status, 200);
        QVERIFY(!r.closedAfter);
    }
    const HttpReply last =
        client.send(request("GET", "/v1/offers", m_tokenA, {}, "Connection: close\r\n"));
    QCOMPARE(last.status, 200);
    QCOMPARE(last.header("Connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    // HTTP/1.0 closes unless asked otherwise.
    RawClient old(m_api->port());
    const HttpReply r10 = old.send("GET /v1/offers HTTP/1.0\r\nAuthorization: Bearer " +
                                   m_tokenA.toLatin1() + "\r\n\r\n");
    QCOMPARE(r10.status, 200);
    QVERIFY(old.waitClosed());
}

namespace {

// A self-signed certificate for 127.0.0.1 made by the openssl CLI.
bool makeCertificate(const QString &dir, const QString &name, QString *why)
{
    QProcess p;
    p.start(QStringLiteral("openssl"),
            {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
             QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
             QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
             QStringLiteral("-keyout"), dir + QLatin1Char('/') + name + QStringLiteral(".key"),
             QStringLiteral("-out"), dir + QLatin1Char('/') + name + QStringLiteral(".pem"),
             QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
             QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
             QStringLiteral("subjectAltName=IP:127.0.0.1")});
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        *why = QStringLiteral("openssl failed: ") +
               QString::fromLocal8Bit(p.readAllStandardError()) + p.errorString();
        return false;
    }
    return true;
}

} // namespace

void TestPurchaserApi::tlsWithSelfSignedCertificate()
{
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no OpenSSL");
    QString why;
    QVERIFY2(makeCertificate(m_dir.path(), QStringLiteral("api"), &why), qPrintable(why));
    PurchaserApiConfig config;
    config.certificateFile = m_dir.filePath(QStringLiteral("api.pem"));
    config.keyFile = m_dir.filePath(QStringLiteral("api.key"));
    const auto api = startApi(config);
    QVERIFY(api);
    QVERIFY(api->isTls());
    QCOMPARE(api->url().scheme(), QStringLiteral("https"));

    // A client that trusts only this certificate (and checks the name): a normal exchange.
    QSslConfiguration trust = QSslConfiguration::defaultConfiguration();
    trust.setCaCertificates(QSslCertificate::fromPath(config.certificateFile));
    RawClient client(api->port(), &trust);
    QVERIFY2(client.waitConnected(), "TLS handshake with the API failed");
    const HttpReply reply = client.send(request("GET", "/v1/offers", m_tokenA));
    QCOMPARE(reply.status, 200);
    QCOMPARE(
        client.send(request("POST", "/v1/bids", m_tokenA, bidBody(m_auction.id, 9, 150))).status,
        201);
    // A client that does not trust it gets no answer.
    QSslConfiguration strict = QSslConfiguration::defaultConfiguration();
    RawClient distrustful(api->port(), &strict);
    QVERIFY(!distrustful.waitConnected(3000));
    // Plain HTTP on the TLS port: no HTTP answer at all (the token was never accepted in clear).
    RawClient plain(api->port());
    const HttpReply none = plain.send(request("GET", "/v1/offers"), 3000);
    QCOMPARE(none.status, 0);
}

void TestPurchaserApi::tlsRefusesFilesThatDoNotLoad()
{
    QString why;
    QVERIFY2(makeCertificate(m_dir.path(), QStringLiteral("one"), &why), qPrintable(why));
    QVERIFY2(makeCertificate(m_dir.path(), QStringLiteral("two"), &why), qPrintable(why));
    QFile junk(m_dir.filePath(QStringLiteral("junk.pem")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    junk.close();
    struct Case
    {
        QString cert;
        QString key;
        QString expected;
    };
    const QList<Case> cases = {
        {m_dir.filePath(QStringLiteral("missing.pem")), m_dir.filePath(QStringLiteral("one.key")),
         QStringLiteral("cannot read the certificate")},
        {junk.fileName(), m_dir.filePath(QStringLiteral("one.key")),
         QStringLiteral("holds no PEM certificate")},
        {m_dir.filePath(QStringLiteral("one.pem")), junk.fileName(),
         QStringLiteral("no unencrypted PEM private key")},
        {m_dir.filePath(QStringLiteral("one.pem")), m_dir.filePath(QStringLiteral("one.pem")),
         QStringLiteral("no unencrypted PEM private key")},
        {m_dir.filePath(QStringLiteral("one.pem")), m_dir.filePath(QStringLiteral("two.key")),
         QStringLiteral("do not work together")},
        {m_dir.filePath(QStringLiteral("one.pem")), QString(),
         QStringLiteral("both a certificate and its private key")},
    };
    for (const Case &c : cases) {
        PurchaserApiConfig config;
        config.certificateFile = c.cert;
        config.keyFile = c.key;
        PurchaserApi api(m_db, config);
        QString error;
        QVERIFY(!api.start(&error));
        QVERIFY2(error.contains(c.expected), qPrintable(error));
        QCOMPARE(api.port(), quint16(0));
    }
}

void TestPurchaserApi::throughTheBinary()
{
    QProcess server;
    server.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
                 {QStringLiteral("api"), QStringLiteral("--db"), m_dbPath,
                  QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(server.waitForStarted());
    QByteArray out;
    QVERIFY(RawClient::waitFor(
        [&] {
            out += server.readAllStandardOutput();
            return out.contains('\n') || server.state() == QProcess::NotRunning;
        },
        20000));
    const auto m = QRegularExpression(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"))
                       .match(QString::fromUtf8(out));
    QVERIFY2(m.hasMatch(), out.constData());
    const quint16 port = quint16(m.captured(1).toUInt());

    RawClient client(port);
    QCOMPARE(client.send(request("GET", "/v1/offers", m_tokenA)).status, 200);
    const HttpReply bid =
        client.send(request("POST", "/v1/bids", m_tokenA, bidBody(m_auction.id, 11, 150)));
    QCOMPARE(bid.status, 201);
    const qint64 id =
        bid.json().value(QStringLiteral("bid")).toObject().value(QStringLiteral("id")).toInteger();
    QVERIFY(m_market->bid(id, m_purchaserA)); // durable in the shared database
    QCOMPARE(
        client
            .send(request("GET", "/v1/bids", QStringLiteral("hr_") + QString(43, QLatin1Char('z'))))
            .status,
        401);
    QCOMPARE(client.send(request("POST", "/v1/bids", m_tokenA, "{\"offer_id\":1e308}")).status,
             400);

    server.terminate(); // SIGTERM
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    const QByteArray log = server.readAllStandardError();
    QVERIFY2(log.contains("POST /v1/bids 201"), log.constData());
    for (const QString &t : std::as_const(m_tokens))
        QVERIFY2(!log.contains(t.toLatin1()), "a token reached the access log");
    QVERIFY(!log.contains("Bearer"));
}

void TestPurchaserApi::binaryRefusesPlainHttpOffLoopback()
{
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
            {QStringLiteral("api"), QStringLiteral("--db"), m_dbPath, QStringLiteral("--listen"),
             QStringLiteral("0.0.0.0:0")});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("--cert"));
    QProcess half;
    half.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
               {QStringLiteral("api"), QStringLiteral("--db"), m_dbPath, QStringLiteral("--cert"),
                m_dir.filePath(QStringLiteral("api.pem"))});
    QVERIFY(half.waitForFinished(20000));
    QCOMPARE(half.exitCode(), 2);
}

void TestPurchaserApi::tokensNeverLogged()
{
    QVERIFY(!m_logLines.isEmpty());
    const QString all = m_logLines.join(QLatin1Char('\n')) + g_logged;
    for (const QString &t : std::as_const(m_tokens))
        QVERIFY2(!all.contains(t), "a token reached a log");
    QVERIFY(!all.contains(QStringLiteral("Bearer")));
    QVERIFY(!all.contains(QStringLiteral("QHttpServerRequest(")));
    const QLoggingCategory httpServer("qt.httpserver");
    QVERIFY2(!httpServer.isDebugEnabled(), "qt.httpserver debug output must stay off");
    QVERIFY(m_logLines.join(QLatin1Char('\n')).contains(QStringLiteral("GET /v1/offers 200")));
}

QTEST_GUILESS_MAIN(TestPurchaserApi)
#include "tst_purchaser_api.moc"
