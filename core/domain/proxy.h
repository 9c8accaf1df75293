#pragma once

#include <QHostAddress>
#include <QString>

namespace headroom {

// One rate-limiting proxy in the fleet: where to send traffic and where to scrape its metrics.
struct Proxy
{
    qint64 id = 0; // store row id; 0 until stored
    QString name;  // unique, e.g. "proxy1"
    QHostAddress address;
    quint16 httpPort = 0;
    quint16 metricsPort = 0;
    double capacityRps = 0; // requests per second the proxy can sell
    QString pool;           // capacity pool the proxy's rate is sold from
};

} // namespace headroom
