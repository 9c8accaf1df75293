#include "api/requestframer.h"

#include <QList>
#include <optional>

namespace headroom {
namespace {

bool isBlank(char c)
{
    // What QHttpServer skips before a request line.
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
}

bool isTokenChar(char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

QByteArray trimmedOws(QByteArrayView v)
{
    qsizetype b = 0;
    qsizetype e = v.size();
    while (b < e && (v[b] == ' ' || v[b] == '\t'))
        ++b;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
        --e;
    return v.sliced(b, e - b).toByteArray();
}

bool hasToken(const QByteArray &list, const char *token)
{
    const auto items = list.toLower().split(',');
    for (const QByteArray &item : items) {
        if (trimmedOws(item) == token)
            return true;
    }
    return false;
}

} // namespace

RequestFramer::RequestFramer(const Limits &limits) : m_limits(limits) {}

RequestFramer::Verdict RequestFramer::reject(int status, const QString &code,
                                             const QString &message)
{
    m_state = State::Rejected;
    Verdict v;
    v.kind = Verdict::Kind::Reject;
    v.status = status;
    v.code = code;
    v.message = message;
    return v;
}

void RequestFramer::responseSent()
{
    if (m_state != State::Complete)
        return;
    m_state = State::Start;
    m_head.clear();
    m_skipped = 0;
    m_bodyLeft = 0;
    m_close = false;
}

RequestFramer::Verdict RequestFramer::feed(QByteArrayView bytes)
{
    Verdict result;
    qsizetype i = 0;
    while (i < bytes.size()) {
        switch (m_state) {
        case State::Rejected:
            return reject(400, QStringLiteral("bad_request"),
                          QStringLiteral("the connection is closing"));
        case State::Complete:
            // Only blank bytes may follow a request before its answer (QHttpServer skips them);
            // anything else is the next request, pipelined.
            for (; i < bytes.size(); ++i) {
                if (!isBlank(bytes[i]))
                    return reject(400, QStringLiteral("pipelining_not_supported"),
                                  QStringLiteral("send one request at a time: wait for each "
                                                 "answer before sending the next request"));
            }
            break;
        case State::Start:
            if (isBlank(bytes[i])) {
                ++i;
                if (++m_skipped > m_limits.maxHeadBytes)
                    return reject(400, QStringLiteral("bad_request"),
                                  QStringLiteral("too many blank lines before the request"));
                break;
            }
            m_state = State::Head;
            break;
        case State::Head: {
            const char c = bytes[i++];
            m_head.append(c);
            if (c == '\n' && (m_head.endsWith("\n\n") || m_head.endsWith("\n\r\n"))) {
                const Verdict head = headComplete();
                if (head.kind == Verdict::Kind::Reject)
                    return head;
                result.sendContinue = head.sendContinue;
                m_head.clear();
                m_state = m_bodyLeft > 0 ? State::Body : State::Complete;
                if (m_state == State::Complete)
                    result.kind = Verdict::Kind::Complete;
                break;
            }
            if (!m_head.contains('\n') && m_head.size() > m_limits.maxTargetBytes + 32)
                return reject(414, QStringLiteral("uri_too_long"),
                              QStringLiteral("the request line is longer than %1 bytes")
                                  .arg(m_limits.maxTargetBytes + 32));
            if (m_head.size() > m_limits.maxHeadBytes)
                return reject(431, QStringLiteral("headers_too_large"),
                              QStringLiteral("the request line and headers are longer than %1 "
                                             "bytes")
                                  .arg(m_limits.maxHeadBytes));
            break;
        }
        case State::Body: {
            const qint64 take = qMin<qint64>(m_bodyLeft, bytes.size() - i);
            m_bodyLeft -= take;
            i += take;
            if (m_bodyLeft == 0) {
                m_state = State::Complete;
                result.kind = Verdict::Kind::Complete;
            }
            break;
        }
        }
    }
    return result;
}

RequestFramer::Verdict RequestFramer::headComplete()
{
    QList<QByteArray> lines = m_head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return reject(400, QStringLiteral("bad_request"), QStringLiteral("no request line"));

    // METHOD SP request-target SP HTTP-version, single spaces.
    const QList<QByteArray> parts = lines.constFirst().split(' ');
    const QString badLine = QStringLiteral("the request line is not METHOD /path HTTP/1.1");
    if (parts.size() != 3 || parts.at(0).isEmpty() || parts.at(0).size() > 16)
        return reject(400, QStringLiteral("bad_request"), badLine);
    for (const char c : parts.at(0)) {
        if (c < 'A' || c > 'Z')
            return reject(400, QStringLiteral("bad_request"), badLine);
    }
    const QByteArray &target = parts.at(1);
    if (target.size() > m_limits.maxTargetBytes)
        return reject(414, QStringLiteral("uri_too_long"),
                      QStringLiteral("the request target is longer than %1 bytes")
                          .arg(m_limits.maxTargetBytes));
    if (!target.startsWith('/'))
        return reject(400, QStringLiteral("bad_request"),
                      QStringLiteral("the request target must be a path starting with /"));
    for (const char c : target) {
        if (quint8(c) <= 0x20 || quint8(c) >= 0x7F)
            return reject(400, QStringLiteral("bad_request"),
                          QStringLiteral("the request target has bytes that must be "
                                         "percent-encoded"));
    }
    const QByteArray &version = parts.at(2);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        if (version.startsWith("HTTP/"))
            return reject(505, QStringLiteral("http_version_not_supported"),
                          QStringLiteral("only HTTP/1.1 and HTTP/1.0 are spoken here"));
        return reject(400, QStringLiteral("bad_request"), badLine);
    }

    if (lines.size() - 1 > m_limits.maxHeaderLines)
        return reject(431, QStringLiteral("headers_too_large"),
                      QStringLiteral("more than %1 header lines").arg(m_limits.maxHeaderLines));
    std::optional<QByteArray> contentLength;
    QByteArray connection;
    bool expectContinue = false;
    for (qsizetype n = 1; n < lines.size(); ++n) {
        const QByteArray &line = lines.at(n);
        if (line.isEmpty() || line.startsWith(' ') || line.startsWith('\t'))
            return reject(400, QStringLiteral("bad_request"),
                          QStringLiteral("folded or empty header lines are not accepted"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return reject(400, QStringLiteral("bad_request"),
                          QStringLiteral("a header line is not NAME: VALUE"));
        for (qsizetype k = 0; k < colon; ++k) {
            if (!isTokenChar(line.at(k)))
                return reject(400, QStringLiteral("bad_request"),
                              QStringLiteral("a header name has a character it may not have"));
        }
        const QByteArray name = line.left(colon).toLower();
        const QByteArray value = trimmedOws(QByteArrayView(line).sliced(colon + 1));
        for (const char c : value) {
            if ((quint8(c) < 0x20 && c != '\t') || quint8(c) == 0x7F)
                return reject(400, QStringLiteral("bad_request"),
                              QStringLiteral("a header value has a control character"));
        }
        if (name == "content-length") {
            bool digitsOnly = !value.isEmpty() && value.size() <= 18;
            for (const char c : value)
                digitsOnly = digitsOnly && c >= '0' && c <= '9';
            if (!digitsOnly || (contentLength && *contentLength != value))
                return reject(400, QStringLiteral("bad_request"),
                              QStringLiteral("Content-Length must be one decimal number"));
            contentLength = value;
        } else if (name == "transfer-encoding") {
            return reject(411, QStringLiteral("length_required"),
                          QStringLiteral("send the body with Content-Length; Transfer-Encoding "
                                         "(chunked) is not accepted"));
        } else if (name == "upgrade") {
            return reject(400, QStringLiteral("bad_request"),
                          QStringLiteral("protocol upgrades are not supported"));
        } else if (name == "connection") {
            connection += value + ',';
        } else if (name == "expect") {
            expectContinue = value.toLower() == "100-continue";
        }
    }
    m_method = parts.at(0);
    m_target = target;
    m_bodyLeft = contentLength ? contentLength->toLongLong() : 0;
    if (m_bodyLeft > m_limits.maxBodyBytes)
        return reject(413, QStringLiteral("payload_too_large"),
                      QStringLiteral("the body is %1 bytes; the limit is %2 bytes")
                          .arg(m_bodyLeft)
                          .arg(m_limits.maxBodyBytes));
    m_close =
        version == "HTTP/1.0" ? !hasToken(connection, "keep-alive") : hasToken(connection, "close");
    Verdict v;
    v.sendContinue = expectContinue && m_bodyLeft > 0;
    return v;
}

} // namespace headroom
