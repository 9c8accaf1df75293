#include "api/purchaserapi.h"

#include "api/apijson.h"
#include "api/apirequest.h"
#include "api/groupcommit.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <mutex>

namespace headroom {
namespace {

// QTcpServer and QSslServer that hand each connection to the API before QHttpServer connects to
// it, so that the API's readyRead handler runs first (see ApiConnection).
class GuardedTcpServer final : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;
    std::function<void(QTcpSocket *)> adopt;

    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = QTcpServer::nextPendingConnection();
        if (socket && adopt)
            adopt(socket);
        return socket;
    }
};

class GuardedSslServer final : public QSslServer
{
public:
    using QSslServer::QSslServer;
    std::function<void(QTcpSocket *)> adopt;

    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = QSslServer::nextPendingConnection();
        if (socket && adopt)
            adopt(socket);
        return socket;
    }
};

// qt.httpserver's debug output prints every request header, Authorization included. Whatever
// logging rules are set, it stays off in a process that serves the API.
QLoggingCategory::CategoryFilter g_previousFilter = nullptr;

void quietHttpServerDebug(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    if (qstrncmp(category->categoryName(), "qt.httpserver", 13) == 0)
        category->setEnabled(QtDebugMsg, false);
}

// The rate-limit key of a client: its IPv4 address, or the /64 of an IPv6 one (one host usually
// has a whole /64).
QByteArray clientKey(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QByteArray::number(v4);
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 8).toHex();
}

// The request line as logged: a token pasted into the path by mistake (tokens belong in the
// Authorization header, and the query string is never logged) is cut to its prefix.
QString loggedPath(const QString &path)
{
    static const QRegularExpression token(QStringLiteral("hr_[A-Za-z0-9_-]{8,}"));
    QString out = path.left(200);
    out.replace(token, QStringLiteral("hr_[redacted]"));
    return out;
}

QByteArray retryAfterSeconds(qint64 ms)
{
    return QByteArray::number(qMax<qint64>(1, (ms + 999) / 1000));
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool readSmallFile(const QString &path, const QString &what, QByteArray *out, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the %1 %2: %3").arg(what, path, f.errorString());
        return false;
    }
    if (f.size() > 1024 * 1024) {
        *error =
            QStringLiteral("the %1 %2 is larger than 1 MiB; is it the right file?").arg(what, path);
        return false;
    }
    *out = f.readAll();
    return true;
}

// Completes one TLS handshake against the configuration on loopback: the only reliable test that
// the key belongs to the certificate (OpenSSL checks it when the server side starts).
bool handshakeWorks(const QSslConfiguration &configuration, QString *error)
{
    QSslServer server;
    server.setSslConfiguration(configuration);
    if (!server.listen(QHostAddress(QHostAddress::LocalHost), 0)) {
        *error =
            QStringLiteral("cannot test the certificate on loopback: %1").arg(server.errorString());
        return false;
    }
    QString serverError;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QSslSocket client;
    client.setPeerVerifyMode(QSslSocket::VerifyNone);
    QObject::connect(&server, &QSslServer::errorOccurred, &loop,
                     [&](QSslSocket *socket, QAbstractSocket::SocketError) {
                         serverError = socket->errorString();
                         loop.quit();
                     });
    QObject::connect(&server, &QSslServer::handshakeInterruptedOnError, &loop,
                     [&](QSslSocket *, const QSslError &e) {
                         serverError = e.errorString();
                         loop.quit();
                     });
    QObject::connect(&client, &QSslSocket::encrypted, &loop, &QEventLoop::quit);
    QObject::connect(&client, &QAbstractSocket::errorOccurred, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
    timer.start(5000);
    if (client.state() != QAbstractSocket::UnconnectedState)
        loop.exec();
    if (client.isEncrypted())
        return true;
    *error = QStringLiteral("the certificate and private key do not work together: %1")
                 .arg(serverError.isEmpty() ? client.errorString() : serverError);
    return false;
}

bool loadTls(const QString &certificateFile, const QString &keyFile,
             QSslConfiguration *configuration, QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("TLS is not available: Qt found no usable OpenSSL library");
        return false;
    }
    QByteArray certificatePem;
    QByteArray keyPem;
    if (!readSmallFile(certificateFile, QStringLiteral("certificate"), &certificatePem, error) ||
        !readSmallFile(keyFile, QStringLiteral("private key"), &keyPem, error))
        return false;
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = QStringLiteral("%1 holds no PEM certificate").arg(certificateFile);
        return false;
    }
    const QSslCertificate &leaf = chain.first();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (leaf.expiryDate() <= now) {
        *error = QStringLiteral("the certificate in %1 expired on %2")
                     .arg(certificateFile, leaf.expiryDate().toString(Qt::ISODate));
        return false;
    }
    if (leaf.effectiveDate() > now) {
        *error = QStringLiteral("the certificate in %1 is not valid before %2")
                     .arg(certificateFile, leaf.effectiveDate().toString(Qt::ISODate));
        return false;
    }
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
        key = QSslKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = QStringLiteral("%1 holds no unencrypted PEM private key (RSA or EC)").arg(keyFile);
        return false;
    }
    if (key.algorithm() != leaf.publicKey().algorithm()) {
        *error = QStringLiteral("the private key in %1 is not the certificate's (a different "
                                "algorithm)")
                     .arg(keyFile);
        return false;
    }
    configuration->setLocalCertificateChain(chain);
    configuration->setPrivateKey(key);
    configuration->setProtocol(QSsl::TlsV1_2OrLater);
    configuration->setPeerVerifyMode(QSslSocket::VerifyNone);
    return handshakeWorks(*configuration, error);
}

} // namespace

// One request being answered. Everything needed from QHttpServer's request is copied, because
// the answer may come after a group commit, when QHttpServer has reused or freed the request.
struct PurchaserApi::Call
{
    QPointer<ApiConnection> connection;
    QElapsedTimer started;
    QByteArray method;
    QString path;  // without the query; printable ASCII (the framer checked)
    QString query; // percent-encoded
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QHostAddress peer;
    qint64 purchaserId = 0; // once authenticated
    bool answered = false;

    // The value of a header sent once; nullopt when absent. *repeated when sent more than once.
    std::optional<QByteArray> header(const QByteArray &lowerName, bool *repeated = nullptr) const
    {
        std::optional<QByteArray> value;
        for (const auto &[name, v] : headers) {
            if (name.toLower() != lowerName)
                continue;
            if (value && repeated)
                *repeated = true;
            value = v;
        }
        return value;
    }
    QString actor() const { return QStringLiteral("purchaser:%1").arg(purchaserId); }
};

PurchaserApi::PurchaserApi(Database &database, PurchaserApiConfig config, QObject *parent)
    : QObject(parent), m_database(database), m_config(std::move(config)),
      m_market(database, m_config.marketClock),
      m_purchaserLimit(m_config.purchaserRatePerSecond, m_config.purchaserBurst,
                       m_config.rateClock),
      m_authFailureLimit(m_config.authFailureRatePerSecond, m_config.authFailureBurst,
                         m_config.rateClock),
      m_http(new QHttpServer(this)), m_groupCommit(new GroupCommit(database, this))
{
    static std::once_flag quiet;
    std::call_once(
        quiet, [] { g_previousFilter = QLoggingCategory::installFilter(quietHttpServerDebug); });
    m_groupCommit->setGrouping(m_config.groupCommit);
    m_groupCommit->setMaxGroup(m_config.maxGroup);
    m_http->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            dispatch(request, std::move(responder));
        });
}

PurchaserApi::~PurchaserApi()
{
    // Connections and their sockets go first, while the services they call still exist.
    delete m_http;
    m_http = nullptr;
}

QUrl PurchaserApi::url() const
{
    QUrl u;
    u.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    u.setHost(m_config.address.toString());
    u.setPort(m_port);
    return u;
}

bool PurchaserApi::start(QString *error)
{
    if (m_listener) {
        *error = QStringLiteral("the API is already listening");
        return false;
    }
    const bool tls = !m_config.certificateFile.isEmpty();
    if (tls != !m_config.keyFile.isEmpty()) {
        *error = QStringLiteral("TLS needs both a certificate and its private key");
        return false;
    }
    QTcpServer *server = nullptr;
    const auto adopt = [this](QTcpSocket *socket) { this->adopt(socket); };
    if (tls) {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        if (!loadTls(m_config.certificateFile, m_config.keyFile, &configuration, error))
            return false;
        auto *ssl = new GuardedSslServer(this);
        ssl->setSslConfiguration(configuration);
        ssl->setHandshakeTimeout(m_config.requestTimeoutMs);
        ssl->adopt = adopt;
        server = ssl;
    } else {
        auto *plain = new GuardedTcpServer(this);
        plain->adopt = adopt;
        server = plain;
    }
    server->setListenBacklogSize(1024);
    if (!server->listen(m_config.address, m_config.port)) {
        *error = QStringLiteral("cannot listen on %1 port %2: %3")
                     .arg(m_config.address.toString())
                     .arg(m_config.port)
                     .arg(server->errorString());
        delete server;
        return false;
    }
    m_http->bind(server);
    m_listener = server;
    m_port = server->serverPort();
    m_tls = tls;
    return true;
}

void PurchaserApi::adopt(QTcpSocket *socket)
{
    ApiConnection::Options options;
    options.limits = m_config.limits;
    options.requestTimeoutMs = m_config.requestTimeoutMs;
    options.idleTimeoutMs = m_config.idleTimeoutMs;
    options.refuseAtOnce = m_connections >= m_config.maxConnections;
    auto *connection = new ApiConnection(socket, m_http, options);
    ++m_connections;
    connect(connection, &QObject::destroyed, this, [this] { --m_connections; });
    connect(connection, &ApiConnection::readStarted, this, [this] { m_dispatching.clear(); });
    connect(connection, &ApiConnection::requestComplete, this,
            [this](ApiConnection *c) { m_dispatching = c; });
}

void PurchaserApi::dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // The framer of the connection QHttpServer is reading from said, in this same readyRead,
    // that a whole request is in. If not, the two disagree about where a request ends: never
    // guess which client this is.
    ApiConnection *connection = m_dispatching.data();
    m_dispatching.clear();
    if (!connection || connection->socket()->peerAddress() != request.remoteAddress()) {
        qWarning("purchaser API: a request was dispatched without a framed request; refused");
        responder.write(QHttpServerResponder::StatusCode::InternalServerError);
        return;
    }
    auto call = std::make_shared<Call>();
    call->started.start();
    call->connection = connection;
    call->method = connection->method();
    const QString target = QString::fromLatin1(connection->target());
    const qsizetype q = target.indexOf(QLatin1Char('?'));
    call->path = q < 0 ? target : target.left(q);
    call->query = q < 0 ? QString() : target.mid(q + 1);
    call->body = request.body();
    call->headers = request.headers();
    call->peer = request.remoteAddress();
    route(call);
}

void PurchaserApi::route(const std::shared_ptr<Call> &call)
{
    enum class Route
    {
        None,
        Offers,
        Offer,
        Bids,
        Bid,
        Purchases,
        Purchase,
        Leases,
        Lease,
        LeaseUsage,
        Invoices
    };
    const QStringList s = call->path.split(QLatin1Char('/'));
    Route r = Route::None;
    std::optional<qint64> id;
    const auto is = [&](int i, const char *name) { return s.value(i) == QLatin1String(name); };
    if (s.size() >= 3 && s.at(0).isEmpty() && is(1, "v1")) {
        const QString collection = s.at(2);
        if (s.size() == 3) {
            r = collection == QLatin1String("offers")      ? Route::Offers
                : collection == QLatin1String("bids")      ? Route::Bids
                : collection == QLatin1String("purchases") ? Route::Purchases
                : collection == QLatin1String("leases")    ? Route::Leases
                : collection == QLatin1String("invoices")  ? Route::Invoices
                                                           : Route::None;
        } else if (s.size() == 4 || (s.size() == 5 && is(2, "leases") && is(4, "usage"))) {
            id = parsePathId(s.at(3));
            if (id) {
                r = s.size() == 5                              ? Route::LeaseUsage
                    : collection == QLatin1String("offers")    ? Route::Offer
                    : collection == QLatin1String("bids")      ? Route::Bid
                    : collection == QLatin1String("purchases") ? Route::Purchase
                    : collection == QLatin1String("leases")    ? Route::Lease
                                                               : Route::None;
            }
        }
    }
    if (r == Route::None) {
        answerError(call, 404, QStringLiteral("not_found"),
                    QStringLiteral("no such resource; the API's routes are under /v1 (see "
                                   "docs/API.md)"));
        return;
    }

    // What each resource answers to, and what it answers only to the operator (403).
    QByteArrayList allowed{"GET"};
    QByteArrayList operatorOnly;
    if (r == Route::Bids)
        allowed.append("POST");
    if (r == Route::Bid)
        allowed.append("DELETE");
    if (r == Route::Offers)
        operatorOnly = {"POST"};
    if (r == Route::Offer)
        operatorOnly = {"PUT", "PATCH", "DELETE"};
    if (!allowed.contains(call->method) && !operatorOnly.contains(call->method)) {
        answerError(
            call, 405, QStringLiteral("method_not_allowed"),
            QStringLiteral("%1 is not allowed here; use %2")
                .arg(QString::fromLatin1(call->method), QString::fromLatin1(allowed.join(", "))),
            {{"Allow", allowed.join(", ")}});
        return;
    }
    if (!authenticate(call))
        return;
    if (operatorOnly.contains(call->method)) {
        answerError(call, 403, QStringLiteral("forbidden"),
                    QStringLiteral("offers are posted and withdrawn by the operator; purchasers "
                                   "can read them and bid"));
        return;
    }
    if (call->method != "POST" && !call->body.isEmpty()) {
        answerError(call, 400, QStringLiteral("unexpected_body"),
                    QStringLiteral("%1 takes no body").arg(QString::fromLatin1(call->method)));
        return;
    }
    if (r != Route::Bids && r != Route::Purchases) {
        if (const auto e = checkNoQuery(call->query)) {
            answerError(call, e->status, e->code, e->message);
            return;
        }
    }

    switch (r) {
    case Route::Offers:
        listOffers(call);
        return;
    case Route::Offer:
        showOffer(call, *id);
        return;
    case Route::Bids:
        if (call->method == "POST")
            placeBid(call);
        else
            listBids(call);
        return;
    case Route::Bid:
        if (call->method == "DELETE")
            cancelBid(call, *id);
        else
            showBid(call, *id);
        return;
    case Route::Purchases:
        listPurchases(call);
        return;
    case Route::Purchase:
        showPurchase(call, *id);
        return;
    case Route::Leases:
        listLeases(call);
        return;
    case Route::Lease:
        showLease(call, *id, false);
        return;
    case Route::LeaseUsage:
        showLease(call, *id, true);
        return;
    case Route::Invoices:
        listInvoices(call);
        return;
    case Route::None:
        return;
    }
}

bool PurchaserApi::authenticate(const std::shared_ptr<Call> &call)
{
    const QByteArray client = clientKey(call->peer);
    if (const auto d = m_authFailureLimit.peek(client); !d.allowed) {
        answerError(call, 429, QStringLiteral("rate_limited"),
                    QStringLiteral("too many failed authentications from your address; retry in "
                                   "%1 s")
                        .arg(QString::fromLatin1(retryAfterSeconds(d.retryAfterMs))),
                    {{"Retry-After", retryAfterSeconds(d.retryAfterMs)}});
        return false;
    }
    const auto refuse = [&](const QString &message, bool tokenPresented) {
        m_authFailureLimit.acquire(client);
        QByteArray challenge = "Bearer realm=\"headroom\"";
        if (tokenPresented)
            challenge += ", error=\"invalid_token\"";
        answerError(call, 401, QStringLiteral("unauthorized"), message,
                    {{"WWW-Authenticate", challenge}});
        return false;
    };
    bool repeated = false;
    const auto authorization = call->header("authorization", &repeated);
    if (!authorization)
        return refuse(QStringLiteral("this API needs a token: send Authorization: Bearer <token> "
                                     "(the operator issues it with headroomctl purchaser token)"),
                      false);
    const auto token = repeated ? std::nullopt : bearerToken(*authorization);
    if (!token)
        return refuse(QStringLiteral("the Authorization header must be exactly one "
                                     "'Bearer <token>'"),
                      true);
    const auto who = PurchaserRepository(m_database).purchaserForToken(*token);
    if (!who) {
        answerStorageError(call, who.error().message);
        return false;
    }
    if (!who.value())
        return refuse(QStringLiteral("the token is not valid: unknown or revoked"), true);
    call->purchaserId = *who.value();
    if (const auto d = m_purchaserLimit.acquire(QByteArray::number(call->purchaserId));
        !d.allowed) {
        answerError(call, 429, QStringLiteral("rate_limited"),
                    QStringLiteral("more than %1 requests a second (bursts of %2); retry in %3 s")
                        .arg(m_purchaserLimit.ratePerSecond())
                        .arg(m_purchaserLimit.burst())
                        .arg(QString::fromLatin1(retryAfterSeconds(d.retryAfterMs))),
                    {{"Retry-After", retryAfterSeconds(d.retryAfterMs)}});
        return false;
    }
    return true;
}

void PurchaserApi::listOffers(const std::shared_ptr<Call> &call)
{
    const auto offers = m_market.offers(true);
    if (!offers) {
        answerMarketError(call, offers.error());
        return;
    }
    QJsonArray list;
    for (const Offer &o : offers.value())
        list.append(offerJson(o));
    answer(call, {200, json({{QStringLiteral("offers"), list}}), {}});
}

void PurchaserApi::showOffer(const std::shared_ptr<Call> &call, qint64 id)
{
    const auto offer = m_market.offer(id);
    if (!offer) {
        answerMarketError(call, offer.error());
        return;
    }
    // Of the bids: how many are open (a number, nobody's bid), and the caller's own.
    BidFilter open;
    open.offerId = id;
    open.openOnly = true;
    const auto openBids = m_market.bids(open);
    BidFilter mine;
    mine.offerId = id;
    mine.purchaserId = call->purchaserId;
    const auto ownBids = m_market.bids(mine);
    if (!openBids || !ownBids) {
        answerMarketError(call, openBids ? ownBids.error() : openBids.error());
        return;
    }
    QJsonObject o = offerJson(offer.value());
    o.insert(QStringLiteral("open_bids"), openBids.value().size());
    QJsonArray own;
    for (const MarketBid &b : ownBids.value())
        own.append(bidJson(b));
    o.insert(QStringLiteral("your_bids"), own);
    answer(call, {200, json({{QStringLiteral("offer"), o}}), {}});
}

void PurchaserApi::placeBid(const std::shared_ptr<Call> &call)
{
    if (const auto e = checkJsonContentType(call->header("content-type").value_or(QByteArray()))) {
        answerError(call, e->status, e->code, e->message);
        return;
    }
    bool repeated = false;
    const auto keyHeader = call->header("idempotency-key", &repeated);
    if (repeated) {
        answerError(call, 400, QStringLiteral("bad_idempotency_key"),
                    QStringLiteral("send Idempotency-Key once"));
        return;
    }
    const auto key = parseIdempotencyKey(keyHeader.value_or(QByteArray()), keyHeader.has_value());
    if (!key) {
        answerError(call, key.error().status, key.error().code, key.error().message);
        return;
    }
    const auto body = parseBidBody(call->body);
    if (!body) {
        answerError(call, body.error().status, body.error().code, body.error().message);
        return;
    }
    // A site is named by the purchaser, so naming someone else's is an action they may not take:
    // 403, the same answer for a site that does not exist, so it tells nothing about other ids.
    if (body.value().siteId) {
        const auto site = SiteRepository(m_database).byId(*body.value().siteId);
        if (!site) {
            answerStorageError(call, site.error().message);
            return;
        }
        if (!site.value() || site.value()->purchaserId != call->purchaserId) {
            answerError(
                call, 403, QStringLiteral("forbidden"),
                QStringLiteral("site_id %1 is not one of your sites").arg(*body.value().siteId));
            return;
        }
    }
    BidRequest request;
    request.offerId = body.value().offerId;
    request.purchaserId = call->purchaserId;
    request.siteId = body.value().siteId;
    request.rateRps = body.value().rateRps;
    request.minRps = body.value().minRps;
    request.priceMinor = body.value().priceMinor;
    request.source = QStringLiteral("api");
    request.requestId = key.value();

    auto outcome = std::make_shared<std::optional<MarketResult<BidOutcome>>>();
    const QString actor = call->actor();
    m_groupCommit->submit(
        [this, request, outcome, actor] {
            outcome->emplace(m_market.placeBid(request, actor));
            return (*outcome)->ok() || (*outcome)->error().kind != MarketError::Kind::Storage;
        },
        [this, call, outcome] {
            const MarketResult<BidOutcome> &r = **outcome;
            if (!r) {
                answerMarketError(call, r.error());
                return;
            }
            QJsonArray purchases;
            for (const Purchase &p : r.value().purchases)
                purchases.append(purchaseJson(p));
            ApiResponse response;
            response.status = 201;
            response.body = json({{QStringLiteral("bid"), bidJson(r.value().bid)},
                                  {QStringLiteral("purchases"), purchases},
                                  {QStringLiteral("explanation"), r.value().explanation}});
            response.headers.append(
                {"Location", "/v1/bids/" + QByteArray::number(r.value().bid.id)});
            if (r.value().replayed)
                response.headers.append(ApiHeader("Idempotent-Replayed", "true"));
            answer(call, response);
        });
}

void PurchaserApi::listBids(const std::shared_ptr<Call> &call)
{
    const auto query = parseBidQuery(call->query);
    if (!query) {
        answerError(call, query.error().status, query.error().code, query.error().message);
        return;
    }
    BidFilter filter;
    filter.offerId = query.value().offerId;
    filter.purchaserId = call->purchaserId;
    filter.openOnly = query.value().openOnly;
    const auto bids = m_market.bids(filter);
    if (!bids) {
        answerMarketError(call, bids.error());
        return;
    }
    QJsonArray list;
    for (const MarketBid &b : bids.value())
        list.append(bidJson(b));
    answer(call, {200, json({{QStringLiteral("bids"), list}}), {}});
}

void PurchaserApi::showBid(const std::shared_ptr<Call> &call, qint64 id)
{
    const auto bid = m_market.bid(id, call->purchaserId);
    if (!bid) {
        answerMarketError(call, bid.error());
        return;
    }
    answer(call, {200, json({{QStringLiteral("bid"), bidJson(bid.value())}}), {}});
}

void PurchaserApi::cancelBid(const std::shared_ptr<Call> &call, qint64 id)
{
    auto outcome = std::make_shared<std::optional<MarketResult<MarketBid>>>();
    const qint64 purchaser = call->purchaserId;
    const QString actor = call->actor();
    m_groupCommit->submit(
        [this, id, purchaser, actor, outcome] {
            outcome->emplace(m_market.cancelBid(id, purchaser, actor));
            return (*outcome)->ok() || (*outcome)->error().kind != MarketError::Kind::Storage;
        },
        [this, call, outcome] {
            const MarketResult<MarketBid> &r = **outcome;
            if (!r) {
                answerMarketError(call, r.error());
                return;
            }
            answer(call, {200, json({{QStringLiteral("bid"), bidJson(r.value())}}), {}});
        });
}

void PurchaserApi::listPurchases(const std::shared_ptr<Call> &call)
{
    const auto query = parsePurchaseQuery(call->query);
    if (!query) {
        answerError(call, query.error().status, query.error().code, query.error().message);
        return;
    }
    PurchaseFilter filter;
    filter.purchaserId = call->purchaserId;
    filter.state = query.value().state;
    const auto purchases = m_market.purchases(filter);
    if (!purchases) {
        answerMarketError(call, purchases.error());
        return;
    }
    QJsonArray list;
    for (const Purchase &p : purchases.value())
        list.append(purchaseJson(p));
    answer(call, {200, json({{QStringLiteral("purchases"), list}}), {}});
}

void PurchaserApi::showPurchase(const std::shared_ptr<Call> &call, qint64 id)
{
    const auto purchase = m_market.purchase(id, call->purchaserId);
    if (!purchase) {
        answerMarketError(call, purchase.error());
        return;
    }
    answer(call, {200, json({{QStringLiteral("purchase"), purchaseJson(purchase.value())}}), {}});
}

void PurchaserApi::listLeases(const std::shared_ptr<Call> &call)
{
    const auto sites = SiteRepository(m_database).all();
    if (!sites) {
        answerStorageError(call, sites.error().message);
        return;
    }
    QList<Lease> leases;
    LeaseRepository repository(m_database);
    for (const Site &site : sites.value()) {
        if (site.purchaserId != call->purchaserId)
            continue;
        const auto ofSite = repository.forSite(site.id);
        if (!ofSite) {
            answerStorageError(call, ofSite.error().message);
            return;
        }
        leases += ofSite.value();
    }
    std::sort(leases.begin(), leases.end(),
              [](const Lease &a, const Lease &b) { return a.id < b.id; });
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonArray list;
    for (const Lease &l : std::as_const(leases))
        list.append(leaseJson(l, now));
    answer(call, {200, json({{QStringLiteral("leases"), list}}), {}});
}

void PurchaserApi::showLease(const std::shared_ptr<Call> &call, qint64 id, bool usage)
{
    const auto lease = LeaseRepository(m_database).byId(id);
    if (!lease) {
        answerStorageError(call, lease.error().message);
        return;
    }
    std::optional<Site> site;
    if (lease.value()) {
        const auto found = SiteRepository(m_database).byId(lease.value()->siteId);
        if (!found) {
            answerStorageError(call, found.error().message);
            return;
        }
        site = found.value();
    }
    if (!lease.value() || !site || site->purchaserId != call->purchaserId) {
        answerError(call, 404, QStringLiteral("not_found"), QStringLiteral("no lease %1").arg(id));
        return;
    }
    if (!usage) {
        answer(call, {200,
                      json({{QStringLiteral("lease"),
                             leaseJson(*lease.value(), QDateTime::currentMSecsSinceEpoch())}}),
                      {}});
        return;
    }
    const auto totals = UsageRepository(m_database).totalsForLease(id);
    if (!totals) {
        answerStorageError(call, totals.error().message);
        return;
    }
    answer(call, {200,
                  json({{QStringLiteral("usage"),
                         usageJson(id, totals.value().first, totals.value().second)}}),
                  {}});
}

void PurchaserApi::listInvoices(const std::shared_ptr<Call> &call)
{
    InvoiceFilter filter;
    filter.purchaserId = call->purchaserId;
    const auto invoices = BillingRepository(m_database).invoices(filter, true);
    if (!invoices) {
        answerStorageError(call, invoices.error().message);
        return;
    }
    QJsonArray list;
    for (const Invoice &i : invoices.value()) {
        if (i.state != InvoiceState::Draft) // a draft is the operator's until issued
            list.append(invoiceJson(i));
    }
    answer(call, {200, json({{QStringLiteral("invoices"), list}}), {}});
}

void PurchaserApi::answer(const std::shared_ptr<Call> &call, ApiResponse response)
{
    if (call->answered)
        return;
    call->answered = true;
    if (call->connection)
        call->connection->respond(response);
    Q_EMIT requestLogged(
        QStringLiteral("%1 %2 %3 %4 %5 %6 ms")
            .arg(call->peer.toString(), QString::fromLatin1(call->method), loggedPath(call->path))
            .arg(response.status)
            .arg(call->purchaserId > 0 ? call->actor() : QStringLiteral("-"))
            .arg(double(call->started.nsecsElapsed()) / 1e6, 0, 'f', 1));
}

void PurchaserApi::answerError(const std::shared_ptr<Call> &call, int status, const QString &code,
                               const QString &message, QList<ApiHeader> headers)
{
    answer(call, {status, json(errorJson({status, code, message})), std::move(headers)});
}

void PurchaserApi::answerMarketError(const std::shared_ptr<Call> &call, const MarketError &error)
{
    switch (error.kind) {
    case MarketError::Kind::Invalid:
        answerError(call, 422, QStringLiteral("invalid"), error.message);
        return;
    case MarketError::Kind::NotFound:
        answerError(call, 404, QStringLiteral("not_found"), error.message);
        return;
    case MarketError::Kind::Conflict:
        answerError(call, 409, QStringLiteral("conflict"), error.message);
        return;
    case MarketError::Kind::Storage:
        answerStorageError(call, error.message);
        return;
    }
}

void PurchaserApi::answerStorageError(const std::shared_ptr<Call> &call, const QString &detail)
{
    // The detail (SQLite's words) is for the operator's log, not for the client.
    Q_EMIT requestLogged(QStringLiteral("storage error: %1").arg(detail.left(300)));
    answerError(call, 500, QStringLiteral("storage_error"),
                QStringLiteral("the market's database failed and nothing was changed; retry (a bid "
                               "with the same Idempotency-Key)"));
}

} // namespace headroom
