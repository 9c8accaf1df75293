#pragma once

#include "dnsname.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <utility>

namespace headroom {

// Whether a purchaser's host name is really steered by our DNS: the purchaser must hand the name
// to our zone (by CNAME or by NS), and the hand-over must work as seen from the outside.
struct DelegationReport
{
    enum class Verdict
    {
        Delegated,
        NotDelegated,
        Misconfigured,
    };

    QString host; // absolute
    Verdict verdict = Verdict::Misconfigured;
    QString via;         // "CNAME" or "NS" or ""
    QString explanation; // one sentence for the operator
    // Exact records seen, presentation form "name TTL TYPE data": the answer section, then the
    // authority section (where a referral's NS records and an NXDOMAIN's SOA appear).
    QStringList authoritativeRecords; // at the purchaser's authoritative server
    QStringList resolverRecords;      // through the resolver

    // {"host", "verdict": "delegated" | "not-delegated" | "misconfigured", "via", "explanation",
    //  "authoritativeRecords": [...], "resolverRecords": [...]}
    QJsonObject toJson() const;
};

// "delegated", "not-delegated", "misconfigured": stable words for JSON and scripts.
QString delegationVerdictName(DelegationReport::Verdict verdict);

struct DelegationCheckInput
{
    DnsName host;
    DnsName ourZone;
    QList<std::pair<QHostAddress, quint16>> ourServers; // our authoritative servers
    QHostAddress resolver;
    quint16 resolverPort = 53;
    QHostAddress purchaserAuthority; // an authoritative server of the purchaser's zone
    quint16 purchaserAuthorityPort = 53;
    int timeoutMs = 2000; // per query
};

// Blocking: several DNS round trips. Worker threads and the CLI only, never the GUI thread.
//
// 1. Ask the purchaser's authoritative server for HOST A without recursion (over TCP again if the
//    UDP answer is truncated).
//    - A CNAME chain from HOST whose targets reach our zone (the zone itself or below) makes
//      HOST a "CNAME" candidate.
//    - A referral (no answer, not authoritative, NS records in the authority section owned by
//      HOST or one of its parents) whose NS targets are in our zone makes it an "NS" candidate.
// 2. Ask the resolver for HOST A with recursion and record what it returns (always, whatever
//    the verdict, so the operator sees what the world sees).
// 3. The verdict:
//    Delegated      CNAME: the resolver's chain from HOST also passes through our zone. If that
//                   chain ends in NXDOMAIN the explanation says "target not served yet".
//                   NS: every server in `ourServers` answers HOST authoritatively (AA bit set,
//                   NOERROR or NXDOMAIN).
//    NotDelegated   the authority answers for HOST itself (A records, or no data), or its CNAME
//                   chain or referral leads somewhere other than our zone.
//    Misconfigured  NS into our zone that one of our servers does not serve (REFUSED, NOTAUTH,
//                   any other error, no AA bit, no answer): a lame delegation; a CNAME into our
//                   zone while the resolver sees another chain (stale cache, other data) or
//                   fails; the authority answering NXDOMAIN, SERVFAIL or another error for HOST;
//                   any server giving no usable answer (timeout, wrong id, garbage, truncated
//                   beyond recovery) - the explanation then carries the error.
DelegationReport checkDelegation(const DelegationCheckInput &in);

} // namespace headroom
