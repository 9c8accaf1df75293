#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace headroom {

// The front door of one HTTP/1.x connection: sees each byte as it arrives, before QHttpServer
// buffers it, and decides whether the request is one we are willing to read.
//
// QHttpServer 6.4 has no limits of its own: it keeps reading a request line or a header block of
// any length, buffers a body of whatever Content-Length says (or an endless chunked one) in memory
// twice, and closes the connection without a word on a request line it cannot parse. The framer
// refuses those early with a status: 400 (malformed request line or header, pipelined requests,
// protocol upgrade), 411 (a body without Content-Length, e.g. chunked), 413 (Content-Length over
// the body limit: refused before a byte of the body is read), 414 (request target too long), 431
// (header block too large).
//
// One request at a time: bytes of a next request that arrive before the answer to the current one
// was sent are refused (400), so answers can never be reordered or mixed up - the API answers
// some requests later (after their commit), and QHttpServer 6.4 would otherwise dispatch the next
// one meanwhile.
class RequestFramer final
{
public:
    struct Limits
    {
        int maxHeadBytes = 8192;   // request line + headers
        int maxTargetBytes = 2048; // the request target (path and query)
        int maxHeaderLines = 64;
        qint64 maxBodyBytes = 16384;
    };

    struct Verdict
    {
        enum class Kind
        {
            NeedMore, // keep reading
            Complete, // one whole request is in: let it be dispatched
            Reject    // answer `status` and close
        };
        Kind kind = Kind::NeedMore;
        bool sendContinue = false; // the head asked "Expect: 100-continue" and the body may come
        int status = 0;            // Reject only
        QString code;
        QString message;
    };

    explicit RequestFramer(const Limits &limits);
    RequestFramer() : RequestFramer(Limits{}) {}

    // Feeds bytes that arrived on the connection (each byte exactly once).
    Verdict feed(QByteArrayView bytes);
    // The answer to the complete request was sent: the next request may start.
    void responseSent();

    // Between requests (nothing of a request seen, or its answer sent).
    bool idle() const { return m_state == State::Start; }
    bool awaitingResponse() const { return m_state == State::Complete; }
    // The request said Connection: close, or is HTTP/1.0 without keep-alive.
    bool closeAfterResponse() const { return m_close; }
    // Of the last request whose head was complete: "GET", "/v1/bids?open=true".
    QByteArray method() const { return m_method; }
    QByteArray target() const { return m_target; }

private:
    enum class State
    {
        Start, // before the request line (blank lines are skipped, as QHttpServer does)
        Head,
        Body,
        Complete,
        Rejected
    };

    Verdict reject(int status, const QString &code, const QString &message);
    Verdict headComplete();

    Limits m_limits;
    State m_state = State::Start;
    QByteArray m_head;
    QByteArray m_method;
    QByteArray m_target;
    int m_skipped = 0; // blank bytes before the request line
    qint64 m_bodyLeft = 0;
    bool m_close = false;
};

} // namespace headroom
