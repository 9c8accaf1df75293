#include "dnstransport.h"

#include <QDeadlineTimer>
#include <QTcpSocket>
#include <QUdpSocket>
#include <QtEndian>

namespace headroom::dnstransport {

namespace {
constexpr qint64 kMaxMessage = 65535;

int remaining(const QDeadlineTimer &d)
{
    return int(std::max<qint64>(1, d.remainingTime()));
}

bool readExactly(QTcpSocket &s, qint64 n, QByteArray *out, const QDeadlineTimer &deadline)
{
    out->clear();
    while (out->size() < n) {
        if (s.bytesAvailable() == 0 && !s.waitForReadyRead(remaining(deadline)))
            return false;
        out->append(s.read(n - out->size()));
        if (deadline.hasExpired() && out->size() < n)
            return false;
    }
    return true;
}
} // namespace

QByteArray exchangeUdp(const QHostAddress &server, quint16 port, const QByteArray &wire, quint16 id,
                       int timeoutMs, QString *error)
{
    QUdpSocket s;
    if (s.writeDatagram(wire, server, port) != wire.size()) {
        *error = s.errorString();
        return {};
    }
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (!s.waitForReadyRead(remaining(deadline)))
            break;
        while (s.hasPendingDatagrams()) {
            QByteArray data(std::min(s.pendingDatagramSize(), kMaxMessage), Qt::Uninitialized);
            QHostAddress from;
            quint16 fromPort = 0;
            const qint64 got = s.readDatagram(data.data(), data.size(), &from, &fromPort);
            if (got < 2 || fromPort != port)
                continue;
            data.truncate(got);
            if (qFromBigEndian<quint16>(data.constData()) == id)
                return data;
        }
    }
    *error = QStringLiteral("no answer from %1:%2 within %3 ms (UDP)")
                 .arg(server.toString())
                 .arg(port)
                 .arg(timeoutMs);
    return {};
}

bool streamTcp(const QHostAddress &server, quint16 port, const QByteArray &wire, int timeoutMs,
               const std::function<bool(const QByteArray &, QString *)> &onMessage, QString *error)
{
    if (wire.size() > kMaxMessage) {
        *error = QStringLiteral("message of %1 bytes is too large for DNS").arg(wire.size());
        return false;
    }
    QTcpSocket s;
    const QDeadlineTimer deadline(timeoutMs);
    s.connectToHost(server, port);
    if (!s.waitForConnected(remaining(deadline))) {
        *error = s.error() == QAbstractSocket::SocketTimeoutError
                     ? QStringLiteral("no connection to %1:%2 within %3 ms (TCP)")
                           .arg(server.toString())
                           .arg(port)
                           .arg(timeoutMs)
                     : QStringLiteral("cannot connect to %1:%2 (TCP): %3")
                           .arg(server.toString())
                           .arg(port)
                           .arg(s.errorString());
        return false;
    }
    QByteArray framed(2, Qt::Uninitialized);
    qToBigEndian<quint16>(quint16(wire.size()), framed.data());
    framed += wire;
    s.write(framed);
    if (!s.waitForBytesWritten(remaining(deadline))) {
        *error = s.errorString();
        return false;
    }
    for (;;) {
        QByteArray lengthBytes;
        if (!readExactly(s, 2, &lengthBytes, deadline)) {
            *error = QStringLiteral("no complete answer from %1:%2 within %3 ms (TCP)")
                         .arg(server.toString())
                         .arg(port)
                         .arg(timeoutMs);
            return false;
        }
        const quint16 length = qFromBigEndian<quint16>(lengthBytes.constData());
        QByteArray message;
        if (length < 12 || !readExactly(s, length, &message, deadline)) {
            *error = QStringLiteral("truncated DNS message from %1:%2 (TCP)")
                         .arg(server.toString())
                         .arg(port);
            return false;
        }
        error->clear();
        const bool more = onMessage(message, error);
        if (!error->isEmpty())
            return false;
        if (!more)
            return true;
    }
}

QByteArray exchangeTcp(const QHostAddress &server, quint16 port, const QByteArray &wire,
                       int timeoutMs, QString *error)
{
    QByteArray answer;
    const bool ok = streamTcp(
        server, port, wire, timeoutMs,
        [&answer](const QByteArray &m, QString *) {
            answer = m;
            return false;
        },
        error);
    return ok ? answer : QByteArray();
}

} // namespace headroom::dnstransport
