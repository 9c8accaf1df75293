#pragma once

#include "api/apiconnection.h"
#include "api/ratelimiter.h"
#include "api/requestframer.h"
#include "market/marketservice.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <memory>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QTcpServer;
class QTcpSocket;

namespace headroom {

class Database;
class GroupCommit;

struct PurchaserApiConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0; // 0: any free port (PurchaserApi::port() says which)
    // PEM files; both or neither. With them the API speaks only TLS.
    QString certificateFile;
    QString keyFile;

    RequestFramer::Limits limits; // body 16 KiB, head 8 KiB, ...
    int requestTimeoutMs = 10000;
    int idleTimeoutMs = 60000;
    int maxConnections = 512;

    // Per purchaser (all their tokens together).
    double purchaserRatePerSecond = 50;
    int purchaserBurst = 100;
    // Per client address, spent only by failed authentication (missing, unknown or revoked
    // token): slows down token guessing without touching honest clients.
    double authFailureRatePerSecond = 0.2;
    int authFailureBurst = 10;
    RateLimiter::Clock rateClock; // monotonic ms; tests step it

    bool groupCommit = true; // see GroupCommit
    int maxGroup = 256;
    MarketService::Clock marketClock; // UTC ms; tests
};

// The purchasers' JSON API (issue 6) over QHttpServer, on a Database it is given (it opens
// nothing itself; the Database must stay on this object's thread). Bearer tokens map to a
// purchaser through PurchaserRepository::purchaserForToken; a purchaser only ever sees and touches
// their own bids, purchases, leases, usage and invoices - anyone else's are 404, exactly like ids
// that do not exist. Market writes go through MarketService, grouped into durable transactions
// (GroupCommit), and are answered after their commit. Routes, status codes and limits:
// docs/API.md.
//
// Tokens never leave the request: not in logs (QHttpServer's own debug output, which prints
// every header, is switched off), not in the database (only their hash is compared), not in any
// message.
class PurchaserApi final : public QObject
{
    Q_OBJECT
public:
    PurchaserApi(Database &database, PurchaserApiConfig config, QObject *parent = nullptr);
    ~PurchaserApi() override;

    // Loads the certificate and key when given (refusing, with a reason, files that do not load,
    // do not match, or a certificate that is not valid now), then listens. False with *error.
    bool start(QString *error);

    quint16 port() const { return m_port; }
    QUrl url() const; // http(s)://address:port
    bool isTls() const { return m_tls; }
    const GroupCommit &groupCommit() const { return *m_groupCommit; }

Q_SIGNALS:
    // One line per answered request: client, method, path, status, purchaser, time. Never a
    // header, a body or a query string.
    void requestLogged(const QString &line);

private:
    struct Call; // one request being answered

    void adopt(QTcpSocket *socket);
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void route(const std::shared_ptr<Call> &call);
    bool authenticate(const std::shared_ptr<Call> &call);

    void listOffers(const std::shared_ptr<Call> &call);
    void showOffer(const std::shared_ptr<Call> &call, qint64 id);
    void placeBid(const std::shared_ptr<Call> &call);
    void listBids(const std::shared_ptr<Call> &call);
    void showBid(const std::shared_ptr<Call> &call, qint64 id);
    void cancelBid(const std::shared_ptr<Call> &call, qint64 id);
    void listPurchases(const std::shared_ptr<Call> &call);
    void showPurchase(const std::shared_ptr<Call> &call, qint64 id);
    void listLeases(const std::shared_ptr<Call> &call);
    void showLease(const std::shared_ptr<Call> &call, qint64 id, bool usage);
    void listInvoices(const std::shared_ptr<Call> &call);

    void answer(const std::shared_ptr<Call> &call, ApiResponse response);
    void answerError(const std::shared_ptr<Call> &call, int status, const QString &code,
                     const QString &message, QList<ApiHeader> headers = {});
    void answerMarketError(const std::shared_ptr<Call> &call, const MarketError &error);
    void answerStorageError(const std::shared_ptr<Call> &call, const QString &detail);

    Database &m_database;
    PurchaserApiConfig m_config;
    MarketService m_market;
    RateLimiter m_purchaserLimit;
    RateLimiter m_authFailureLimit;
    QHttpServer *m_http = nullptr;
    GroupCommit *m_groupCommit = nullptr;
    QTcpServer *m_listener = nullptr;
    QPointer<ApiConnection> m_dispatching;
    int m_connections = 0;
    quint16 m_port = 0;
    bool m_tls = false;
};

} // namespace headroom
