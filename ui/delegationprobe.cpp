#include "delegationprobe.h"

#include "dns/delegationcheck.h"
#include "dns/dnsoverviewservice.h"

namespace headroom {

std::optional<DelegationTargets> DelegationTargets::from(const DnsOverviewConfig &config)
{
    if (config.zone.relative().isEmpty() || config.server.isNull() || config.resolver.isNull() ||
        config.purchaserAuthority.isNull())
        return std::nullopt;
    DelegationTargets t;
    t.zone = config.zone;
    t.ourServers = {{config.server, config.port}};
    t.resolver = config.resolver;
    t.resolverPort = config.resolverPort;
    t.purchaserAuthority = config.purchaserAuthority;
    t.purchaserAuthorityPort = config.purchaserAuthorityPort;
    t.timeoutMs = config.timeoutMs;
    return t;
}

MarketService::DelegationProbe makeDelegationProbe(const DelegationTargets &targets)
{
    return [targets](const QString &host) {
        QString error;
        const auto name = DnsName::parse(host, &error);
        if (!name) {
            DelegationReport report;
            report.host = host;
            report.verdict = DelegationReport::Verdict::Misconfigured;
            report.explanation = QStringLiteral("Not a valid host name: %1").arg(error);
            return report;
        }
        const DelegationCheckInput in{*name,
                                      targets.zone,
                                      targets.ourServers,
                                      targets.resolver,
                                      targets.resolverPort,
                                      targets.purchaserAuthority,
                                      targets.purchaserAuthorityPort,
                                      targets.timeoutMs};
        return checkDelegation(in);
    };
}

} // namespace headroom
