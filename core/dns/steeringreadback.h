#pragma once

#include "dnsmessage.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace headroom {

// What the authoritative server actually serves at one name, read back (AXFR) and decoded: for
// our LUA steering records, the weights before the deadline and the answer after it.
struct ServedSteering
{
    struct Weight
    {
        QString target;
        int weight = 0;
    };
    QString owner;
    QString kind; // "LUA A", "LUA AAAA", "LUA CNAME", "A", "AAAA", "CNAME", ...
    quint32 ttl = 0;
    QList<Weight> weights;       // static records: every address/target with weight 1
    QList<Weight> afterDeadline; // empty when the record has no deadline
    QDateTime deadline;          // invalid when none
    QString code;                // the Lua code, for LUA records
    bool recognised = true;      // false: a LUA record not written by our template
};

// Decodes the records at each steering name; infrastructure (SOA, NS, and A records of names
// listed in `skipOwners`) is left out. Records are grouped by owner, in owner order.
QList<ServedSteering> readBackSteering(const QList<DnsRecord> &zoneRecords,
                                       const QStringList &skipOwners = {});
ServedSteering decodeServed(const DnsRecord &record);

} // namespace headroom
