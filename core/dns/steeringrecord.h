#pragma once

#include "dnsname.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <optional>

namespace headroom {

// One answer target with its weight. For address answers `address` is used; when the record
// must answer names (part of the traffic goes back to the purchaser's DNS), `name` is used, so
// proxies then need a name in our zone (e.g. proxy1.edge.headroom.test).
struct WeightedTarget
{
    QHostAddress address;
    std::optional<DnsName> name;
    int weight = 0; // 0 = leave out; 1..65535 otherwise
};

// What one site's name should answer. Built by the steering loop (or `dns set-weights`).
struct WeightTable
{
    QList<WeightedTarget> proxies;         // our proxies, weighted by their headroom
    QList<WeightedTarget> overflowServers; // the purchaser's servers (their assignment algorithm)
    std::optional<DnsName> overflowName;   // or: the purchaser's origin name, back to their DNS
    qint64 leaseEndUnix = 0;               // after this the name answers the purchaser alone
    qint64 validUntilUnix = 0;             // weights expire here if the controller goes quiet
    quint32 ttl = 20;
};

// The record that makes the authoritative server answer a WeightTable.
struct SteeringRecord
{
    enum class Kind
    {
        StaticA, // plain A/AAAA RRset: no split is needed (the answer is the overflow alone)
        StaticCname,
        LuaA,     // LUA record of inner type A (address answers)
        LuaCname, // LUA record of inner type CNAME (some answers are names)
    };
    Kind kind = Kind::StaticA;
    quint32 ttl = 20;
    QList<QHostAddress> staticAddresses; // StaticA
    std::optional<DnsName> staticTarget; // StaticCname
    QByteArray luaCode;                  // Lua* : the code, single quotes only
    // Lua*: the LUA RDATA as sent in an UPDATE: 2-byte big-endian inner type, then luaCode as
    // DNS character-strings of at most 255 octets, split only right after a ',' or a ' '.
    QByteArray luaRdata() const;
    quint16 innerType() const; // 1 (A), 28 (AAAA) or 5 (CNAME)
};

// Builds the record, or returns nullopt with a precise error. Rules:
//  - zero-weight targets are left out (PowerDNS answers SERVFAIL for a 0 weight or empty list);
//  - any overflowName, or any target given only by name, makes the record answer names (CNAME);
//  - before min(leaseEnd, validUntil): pickwrandom over proxies + overflow; after: the overflow
//    alone (overflow servers by their weights, else overflowName);
//  - no proxy with weight > 0: the overflow alone - a static record when it needs no split
//    (one name, or addresses with equal weights), else a LUA record without deadline;
//  - mixing IPv4 and IPv6 targets in one record, an address that is not a plain unicast IP
//    (no scope ids), a weight outside 0..65535, no target at all, or a deadline <= 0 with proxies
//    present is an error.
std::optional<SteeringRecord> buildSteeringRecord(const WeightTable &table, QString *error);

// The last check buildSteeringRecord() applies: true only for code of the steering template
// (pickwrandom lists, the os.time() deadline block) whose single-quoted literals hold nothing
// but address or name characters. For anyone about to send Lua code they did not build here.
bool isWellFormedSteeringCode(const QByteArray &code);

} // namespace headroom
