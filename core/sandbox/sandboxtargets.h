#pragma once

#include "dns/dnsoverviewservice.h"
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

// The DNS overview of a sandbox: our zone at its PowerDNS, hiding ns1 and the proxies' own names;
// the purchaser's three names (delegated by CNAME, not delegated, lame NS) checked at its BIND
// and through the recursor; the database headroomctl uses with this sandbox. The TSIG key file
// is written when the sandbox comes up: before that the config has no key (and the server
// refuses the transfer), so make it again once the sandbox is up.
inline DnsOverviewConfig dnsOverviewConfigFor(const SandboxLayout &l)
{
    DnsOverviewConfig config;
    config.server = l.authoritative.address;
    config.port = l.authoritative.port;
    config.zone = DnsName::parse(l.ourZone).value_or(DnsName());
    for (const QString &shard : l.shardZones())
        config.subZones.append(DnsName::parse(shard).value_or(DnsName()));
    QString ignored;
    config.key = TsigKey::fromFile(l.updateKeyName, l.updateKeyFile(), &ignored, l.algorithm);
    config.resolver = l.recursor.address;
    config.resolverPort = l.recursor.port;
    config.purchaserAuthority = l.purchaserDns.address;
    config.purchaserAuthorityPort = l.purchaserDns.port;
    for (const char *host : {"www.", "api.", "cdn."})
        config.purchaserNames.append(QLatin1String(host) + l.purchaserZone);
    config.databasePath = l.databaseFile();
    config.skipOwners.append(QStringLiteral("ns1.%1.").arg(l.ourZone));
    for (const auto &p : l.proxies)
        config.skipOwners.append(QStringLiteral("%1.%2.").arg(p.name, l.ourZone));
    for (const auto &o : l.origins)
        config.targetLabels.insert(o.address.toString(), o.name);
    return config;
}

} // namespace headroom
