#pragma once

#include "dns/dnsname.h"
#include "market/marketservice.h"

#include <QHostAddress>
#include <QList>
#include <optional>
#include <utility>

namespace headroom {

struct DnsOverviewConfig;

// Where an approval's delegation check looks, as `headroomctl dns check-delegation` does: our
// zone and authoritative servers, a resolver, and the purchaser's authoritative server. The
// console knows the last two only for a sandbox (the DNS view's configuration); configured from
// Settings alone it does not, and approvals then say the delegation was not checked.
struct DelegationTargets
{
    DnsName zone;
    QList<std::pair<QHostAddress, quint16>> ourServers;
    QHostAddress resolver;
    quint16 resolverPort = 53;
    QHostAddress purchaserAuthority;
    quint16 purchaserAuthorityPort = 53;
    int timeoutMs = 2000; // per query

    // From the DNS view's configuration; nullopt when it lacks the zone, our server, the
    // resolver or the purchaser's authority.
    static std::optional<DelegationTargets> from(const DnsOverviewConfig &config);
};

// checkDelegation() of one host against `targets`. Blocking: for the approval's worker thread.
MarketService::DelegationProbe makeDelegationProbe(const DelegationTargets &targets);

} // namespace headroom
