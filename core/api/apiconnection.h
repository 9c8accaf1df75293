#pragma once

#include "api/requestframer.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>

class QTcpSocket;
class QTimer;

namespace headroom {

using ApiHeader = QPair<QByteArray, QByteArray>;

// One answer of the purchaser API.
struct ApiResponse
{
    int status = 200;
    QByteArray body; // JSON; empty for none
    QList<ApiHeader> headers;
};

QByteArray reasonPhrase(int status);

// One client connection of the purchaser API: a RequestFramer in front of QHttpServer, time
// limits, and the way answers go out.
//
// It sees every byte first (its readyRead slot is connected before QHttpServer's), so an
// oversized, malformed or pipelined request is refused before QHttpServer buffers it: the framer
// answers, QHttpServer is disconnected from the socket, and what the client still sends is read
// and dropped for a moment so that it reads the answer instead of a reset. A request whose head
// arrives too slowly is answered 408; an idle keep-alive connection is closed.
//
// Answers are written here rather than through QHttpServerResponder, which keeps a raw pointer to
// the socket and a reference to a request object that QHttpServer reuses for the next request:
// the API answers some requests after a group commit, when neither may be valid any more. The
// connection is a child of its socket, so a QPointer to it says whether the client is still there.
class ApiConnection final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        RequestFramer::Limits limits;
        int requestTimeoutMs = 10000; // from a request's first byte to its last
        int idleTimeoutMs = 60000;    // keep-alive between requests
        bool refuseAtOnce = false;    // over the connection limit: answer 503 and close
    };

    // `httpServer` is the QHttpServer whose readyRead connection is cut on a refusal.
    ApiConnection(QTcpSocket *socket, QObject *httpServer, const Options &options);

    QTcpSocket *socket() const { return m_socket; }
    // The method and request target of the complete request (as the framer read them).
    QByteArray method() const { return m_framer.method(); }
    QByteArray target() const { return m_framer.target(); }

    // Answers the complete request; then the connection takes the next one, or closes when the
    // request asked for that.
    void respond(const ApiResponse &response);
    // Answers `response` and closes, whatever state the request is in.
    void refuse(const ApiResponse &response);

Q_SIGNALS:
    // A whole request is in and QHttpServer is about to dispatch it (emitted from readyRead,
    // before QHttpServer's own handler runs).
    void requestComplete(headroom::ApiConnection *connection);
    // Emitted from readyRead before anything else: any earlier dispatch marker is stale.
    void readStarted();

private:
    void onReadyRead();
    void onTimeout();
    void write(const ApiResponse &response, bool close);
    void startDraining();

    QTcpSocket *m_socket;
    QObject *m_httpServer;
    Options m_options;
    RequestFramer m_framer;
    QTimer *m_timer;
    bool m_draining = false;
    qint64 m_drained = 0;
};

} // namespace headroom
