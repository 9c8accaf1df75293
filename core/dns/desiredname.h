#pragma once

#include "dnsname.h"

#include <QByteArray>
#include <QList>

namespace headroom {

// What one name we manage in our zone should serve. The database holds these (the desired
// state); the authoritative server is the truth of what is served; reconcile closes the gap.
struct DesiredName
{
    DnsName owner;
    bool present = true; // false: the name must not exist (lease over, site removed)
    quint16 type = 0;    // 65402 LUA, 1 A, 28 AAAA, 5 CNAME
    quint32 ttl = 20;
    QList<QByteArray> rdatas; // wire-format RDATA; order does not matter
    qint64 updatedAtMs = 0;
};

} // namespace headroom
