#pragma once

#include "fleet/healthmonitor.h"

#include <QDateTime>
#include <QList>

namespace headroom::testdata {

// A small fleet in every state the console distinguishes, for tests and screenshots.
inline QList<EndpointHealth> sampleEndpoints()
{
    const QDateTime now = QDateTime::currentDateTime();
    const auto endpoint = [&now](const char *name, EndpointHealth::Kind kind, const char *address,
                                 quint16 port, EndpointHealth::State state, double latency,
                                 const char *detail) {
        EndpointHealth e;
        e.name = QLatin1String(name);
        e.kind = kind;
        e.address = QHostAddress(QLatin1String(address));
        e.port = port;
        e.state = state;
        e.latencyMs = latency;
        e.detail = QLatin1String(detail);
        e.lastChecked = state == EndpointHealth::State::Unknown ? QDateTime() : now;
        return e;
    };
    using K = EndpointHealth::Kind;
    using S = EndpointHealth::State;
    return {
        endpoint("pdns-auth", K::Dns, "127.0.0.1", 25353, S::Up, 1.4,
                 "SOA edge.headroom.test serial 2024112501"),
        endpoint("proxy1", K::Proxy, "127.0.1.1", 8405, S::Up, 3.2, "HTTP 200, 412 metrics"),
        endpoint("proxy2", K::Proxy, "127.0.1.2", 8405, S::Up, 312.0, "HTTP 200, 409 metrics"),
        endpoint("proxy3", K::Proxy, "127.0.1.3", 8405, S::Down, 0, "Connection refused"),
        endpoint("proxy4", K::Proxy, "::1", 8405, S::Unknown, 0, ""),
    };
}

} // namespace headroom::testdata
