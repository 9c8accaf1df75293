#pragma once

#include "desiredname.h"
#include "dnsmessage.h"
#include "dnsname.h"
#include "dnsupdater.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace headroom {

// How one owner name compares between the desired state and what the server serves.
struct ReconcileLine
{
    enum class State
    {
        InSync,    // nothing to do
        Missing,   // desired, nothing served
        Different, // something served, but not what is desired (or desired outside the zone)
        Extra,     // a LUA record served at a name with no desired row
    };
    DnsName owner;
    State state = State::InSync;
    QString served;  // records at the owner, "TYPE TTL data; ..."; "(none)" or "(outside zone)"
    QString desired; // the same form; "(absent)" for a name that must not exist
};

// The changes that make the server serve the desired state, and a line per name for the operator.
struct ReconcilePlan
{
    QList<NameReplacement> changes; // in the order of their lines
    QList<ReconcileLine> lines;     // ordered by owner
    bool inSync() const { return changes.isEmpty(); }
};

// Compares the desired names with the records `served` in `zone` (an AXFR of it, say). Pure: no
// I/O. Rules:
//  - a present name is in sync when the set of (type, ttl, rdata) served at its owner - every
//    record there, of any type - equals its own set; otherwise the change replaces everything at
//    the owner with its records (Missing when nothing was served, else Different);
//  - an absent name is in sync when nothing is served at its owner; otherwise Different, and the
//    change deletes the name;
//  - a served LUA record at a name in `zone` with no desired row is Extra, and the change deletes
//    that name: only Headroom writes LUA records into our zone. Other records without a desired
//    row (SOA, NS, the proxies' own A records) are not ours and are left alone;
//  - served records outside `zone`, or whose owner is not a host name (wildcards), are ignored;
//  - a desired name outside `zone` gets a Different line with served "(outside zone)" and no
//    change; of two desired rows for one owner, the later wins.
ReconcilePlan planReconcile(const DnsName &zone, const QList<DesiredName> &desired,
                            const QList<DnsRecord> &served);

// RDATA for the operator: A and AAAA as addresses, CNAME as the absolute target name, LUA as
// `A "<code>"` (inner type, then the code's character-strings joined); anything else, or bytes
// that do not parse as their type, as lower-case hex.
QString describeRdata(quint16 type, const QByteArray &rdata);

} // namespace headroom
