#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <functional>

namespace headroom::dnstransport {

// Blocking DNS exchanges for worker threads and command-line tools (never the GUI thread).

// Largest UPDATE we send over UDP: PowerDNS silently dropped larger ones (EDNS-safe size).
constexpr int kMaxUdpMessage = 1232;

QByteArray exchangeUdp(const QHostAddress &server, quint16 port, const QByteArray &wire, quint16 id,
                       int timeoutMs, QString *error);
QByteArray exchangeTcp(const QHostAddress &server, quint16 port, const QByteArray &wire,
                       int timeoutMs, QString *error);
// Sends `wire` over TCP and hands each response message to `onMessage` until it returns false
// (done) or sets an error. For AXFR.
bool streamTcp(const QHostAddress &server, quint16 port, const QByteArray &wire, int timeoutMs,
               const std::function<bool(const QByteArray &message, QString *error)> &onMessage,
               QString *error);

} // namespace headroom::dnstransport
