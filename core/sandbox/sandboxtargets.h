#pragma once

#include "fleet/healthmonitor.h"
#include "sandboxlayout.h"

namespace headroom {

// What to watch in a sandbox: both DNS servers, the recursor and every proxy.
inline HealthTargets healthTargetsFor(const SandboxLayout &l)
{
    HealthTargets t;
    t.dns.append({l.authoritative.name, l.authoritative.address, l.authoritative.port, l.ourZone});
    t.dns.append({l.recursor.name, l.recursor.address, l.recursor.port, l.ourZone});
    t.dns.append(
        {l.purchaserDns.name, l.purchaserDns.address, l.purchaserDns.port, l.purchaserZone});
    for (const auto &p : l.proxies)
        t.proxies.append({p.name, p.address, p.metricsPort});
    return t;
}

} // namespace headroom
