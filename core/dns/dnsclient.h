#pragma once

#include "dnsmessage.h"

#include <QHostAddress>
#include <QObject>
#include <functional>

namespace headroom {

// Sends single DNS queries over UDP. Asynchronous use never blocks the calling thread; the
// synchronous form is for worker threads and command-line tools.
class DnsClient final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const DnsResponse &)>;

    explicit DnsClient(QObject *parent = nullptr);

    // Calls `done` exactly once, on this object's thread, unless `context` is destroyed first.
    void query(const QHostAddress &server, quint16 port, const DnsQuestion &question, int timeoutMs,
               QObject *context, Callback done);

    static DnsResponse querySync(const QHostAddress &server, quint16 port,
                                 const DnsQuestion &question, int timeoutMs);

    int inFlight() const { return m_inFlight; }

private:
    int m_inFlight = 0;
};

} // namespace headroom
