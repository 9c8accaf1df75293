#include "dnsclient.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QUdpSocket>
#include <memory>

namespace headroom {

namespace {
constexpr qint64 kMaxUdpResponse = 65535;
}

DnsClient::DnsClient(QObject *parent) : QObject(parent) {}

void DnsClient::query(const QHostAddress &server, quint16 port, const DnsQuestion &question,
                      int timeoutMs, QObject *context, Callback done)
{
    quint16 id = 0;
    QString error;
    const QByteArray wire = dnswire::buildQuery(question, &id, &error);
    QPointer<QObject> guard(context);
    if (wire.isEmpty()) {
        DnsResponse resp;
        resp.error = error;
        QTimer::singleShot(0, this, [guard, done, resp] {
            if (guard)
                done(resp);
        });
        return;
    }

    // One socket per query: a fresh source port each time, and nothing to demultiplex.
    auto *socket = new QUdpSocket(this);
    auto *timer = new QTimer(socket);
    auto clock = std::make_shared<QElapsedTimer>();
    auto finished = std::make_shared<bool>(false);
    ++m_inFlight;
    auto finish = [this, socket, guard, done, finished](const DnsResponse &resp) {
        if (*finished)
            return;
        *finished = true;
        --m_inFlight;
        socket->close();
        socket->deleteLater();
        if (guard)
            done(resp);
    };
    connect(socket, &QUdpSocket::readyRead, socket, [socket, id, question, clock, finish] {
        while (socket->hasPendingDatagrams()) {
            const qint64 size = std::min(socket->pendingDatagramSize(), kMaxUdpResponse);
            QByteArray data(std::max<qint64>(size, 0), Qt::Uninitialized);
            const qint64 got = socket->readDatagram(data.data(), data.size());
            if (got < 0)
                continue;
            data.truncate(got);
            DnsResponse resp = dnswire::parseResponse(data, id, question);
            if (resp.mismatched)
                continue; // a stray datagram: keep waiting for ours
            resp.latencyMs = double(clock->nsecsElapsed()) / 1e6;
            finish(resp);
            return;
        }
    });
    connect(socket, &QUdpSocket::errorOccurred, socket, [socket, finish] {
        DnsResponse resp;
        resp.error = socket->errorString();
        finish(resp);
    });
    connect(timer, &QTimer::timeout, socket, [timeoutMs, finish] {
        DnsResponse resp;
        resp.error = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        finish(resp);
    });
    timer->setSingleShot(true);
    timer->start(timeoutMs);
    clock->start();
    socket->bind(server.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress::LocalHostIPv6
                                                                    : QHostAddress::AnyIPv4,
                 0);
    socket->writeDatagram(wire, server, port);
}

DnsResponse DnsClient::querySync(const QHostAddress &server, quint16 port,
                                 const DnsQuestion &question, int timeoutMs)
{
    DnsResponse resp;
    quint16 id = 0;
    const QByteArray wire = dnswire::buildQuery(question, &id, &resp.error);
    if (wire.isEmpty())
        return resp;
    QUdpSocket socket;
    QElapsedTimer clock;
    clock.start();
    if (socket.writeDatagram(wire, server, port) != wire.size()) {
        resp.error = socket.errorString();
        return resp;
    }
    while (clock.elapsed() < timeoutMs) {
        if (!socket.waitForReadyRead(int(std::max<qint64>(1, timeoutMs - clock.elapsed()))))
            break;
        while (socket.hasPendingDatagrams()) {
            QByteArray data(std::min(socket.pendingDatagramSize(), kMaxUdpResponse),
                            Qt::Uninitialized);
            const qint64 got = socket.readDatagram(data.data(), data.size());
            if (got < 0)
                continue;
            data.truncate(got);
            DnsResponse parsed = dnswire::parseResponse(data, id, question);
            if (parsed.mismatched)
                continue;
            parsed.latencyMs = double(clock.nsecsElapsed()) / 1e6;
            return parsed;
        }
    }
    resp.error = QStringLiteral("no answer from %1:%2 within %3 ms")
                     .arg(server.toString())
                     .arg(port)
                     .arg(timeoutMs);
    return resp;
}

} // namespace headroom
