#pragma once

#include "dnsmessage.h"
#include "dnsname.h"
#include "tsigkey.h"

#include <QHostAddress>
#include <optional>

namespace headroom {

struct ZoneTransferResult
{
    bool ok = false;
    QString error;
    QList<DnsRecord> records; // in transfer order, the closing SOA left out
    int messages = 0;
};

// AXFR over TCP, signed with TSIG when a key is given (and then every signed answer message
// must verify). Blocking: worker threads and command-line tools only.
ZoneTransferResult transferZone(const QHostAddress &server, quint16 port, const DnsName &zone,
                                const std::optional<TsigKey> &key, int timeoutMs = 5000);

// A LUA record's RDATA: the inner type and the Lua code (character-strings joined).
struct LuaRdata
{
    quint16 innerType = 0;
    QByteArray code;
};
std::optional<LuaRdata> parseLuaRdata(const QByteArray &rdata);

} // namespace headroom
