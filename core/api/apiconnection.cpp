#include "api/apiconnection.h"

#include "api/apijson.h"

#include <QJsonDocument>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <sys/socket.h>

namespace headroom {
namespace {

constexpr int kDrainMs = 2000;
constexpr qint64 kDrainBytes = 4 * 1024 * 1024;

} // namespace

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

ApiConnection::ApiConnection(QTcpSocket *socket, QObject *httpServer, const Options &options)
    : QObject(socket), m_socket(socket), m_httpServer(httpServer), m_options(options),
      m_framer(options.limits), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    // Bounds what one connection can make us hold, whatever QHttpServer does with it.
    socket->setReadBufferSize(options.limits.maxHeadBytes + options.limits.maxBodyBytes + 16384);
    connect(socket, &QIODevice::readyRead, this, &ApiConnection::onReadyRead);
    connect(m_timer, &QTimer::timeout, this, &ApiConnection::onTimeout);
    m_timer->start(m_options.refuseAtOnce ? 1000 : m_options.requestTimeoutMs);
}

void ApiConnection::onReadyRead()
{
    Q_EMIT readStarted();
    if (m_draining) {
        const qint64 n = m_socket->bytesAvailable();
        m_socket->skip(n);
        m_drained += n;
        if (m_drained > kDrainBytes)
            m_socket->abort();
        return;
    }
    if (m_options.refuseAtOnce) {
        ApiResponse r;
        r.status = 503;
        r.headers.append(ApiHeader("Retry-After", "1"));
        r.body = QJsonDocument(errorJson({503, QStringLiteral("too_many_connections"),
                                          QStringLiteral("the server has too many connections; "
                                                         "retry shortly")}))
                     .toJson(QJsonDocument::Compact);
        refuse(r);
        return;
    }
    const QByteArray fresh = m_socket->peek(m_socket->bytesAvailable());
    if (fresh.isEmpty())
        return;
    const bool wasIdle = m_framer.idle();
    const RequestFramer::Verdict v = m_framer.feed(fresh);
    switch (v.kind) {
    case RequestFramer::Verdict::Kind::Reject: {
        ApiResponse r;
        r.status = v.status;
        r.body =
            QJsonDocument(errorJson({v.status, v.code, v.message})).toJson(QJsonDocument::Compact);
        refuse(r);
        return;
    }
    case RequestFramer::Verdict::Kind::NeedMore:
        if (v.sendContinue)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        if (wasIdle && !m_framer.idle())
            m_timer->start(m_options.requestTimeoutMs);
        return;
    case RequestFramer::Verdict::Kind::Complete:
        m_timer->stop();
        Q_EMIT requestComplete(this);
        return;
    }
}

void ApiConnection::onTimeout()
{
    if (m_draining || m_options.refuseAtOnce) {
        m_socket->disconnectFromHost();
        return;
    }
    if (m_framer.awaitingResponse())
        return; // answered when its commit is done
    if (m_framer.idle()) {
        m_socket->disconnectFromHost();
        return;
    }
    ApiResponse r;
    r.status = 408;
    r.body = QJsonDocument(errorJson({408, QStringLiteral("request_timeout"),
                                      QStringLiteral("the request did not arrive within %1 s")
                                          .arg(m_options.requestTimeoutMs / 1000.0)}))
                 .toJson(QJsonDocument::Compact);
    refuse(r);
}

void ApiConnection::respond(const ApiResponse &response)
{
    if (!m_framer.awaitingResponse() || m_draining)
        return;
    const bool close = m_framer.closeAfterResponse();
    write(response, close);
    m_framer.responseSent();
    if (close)
        m_socket->disconnectFromHost();
    else
        m_timer->start(m_options.idleTimeoutMs);
}

void ApiConnection::refuse(const ApiResponse &response)
{
    if (m_draining)
        return;
    // QHttpServer must not parse anything more from this socket; it still deletes it when the
    // connection closes.
    QObject::disconnect(m_socket, &QIODevice::readyRead, m_httpServer, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    write(response, true);
    startDraining();
}

void ApiConnection::startDraining()
{
    m_draining = true;
    // Lingering close: once the answer is out, a plain TCP connection is half-closed, so the
    // client sees the end at once, while what it still sends is read and dropped rather than
    // answered with a reset that could destroy the answer in flight. (TLS has no half-close; the
    // client closes after reading "Connection: close", or the timer does.)
    if (!qobject_cast<QSslSocket *>(m_socket)) {
        const auto halfClose = [this] {
            if (m_socket->bytesToWrite() == 0 && m_socket->socketDescriptor() != -1)
                ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        };
        connect(m_socket, &QIODevice::bytesWritten, this, halfClose);
    }
    const qint64 n = m_socket->bytesAvailable();
    m_socket->skip(n);
    m_drained += n;
    m_timer->start(kDrainMs);
}

void ApiConnection::write(const ApiResponse &response, bool close)
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    // An answer to HEAD has no body, and no length a client could mistake for one.
    const bool head = m_framer.awaitingResponse() && m_framer.method() == "HEAD";
    QByteArray out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) +
           "\r\n";
    if (!response.body.isEmpty() && !head)
        out += "Content-Type: application/json\r\n";
    if (!head)
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (!head)
        out += response.body;
    m_socket->write(out);
}

} // namespace headroom
