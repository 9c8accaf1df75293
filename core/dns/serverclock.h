#pragma once

#include "dnsname.h"
#include "dnsupdater.h"

#include <QHostAddress>
#include <optional>

namespace headroom {

// The DNS server's own clock, as its LUA records see it. The deadlines in the steering records
// ("os.time() < T") are checked by the server against that clock, not ours, so the controller
// states them in it: it keeps a LUA TXT record at "_clock.<zone>" whose Lua returns os.time(),
// with TTL 0, and reads it after its UPDATEs. A wall-clock jump on the controller's machine
// then moves no deadline - the server's clock did not jump.
namespace serverclock {

DnsName ownerIn(const DnsName &zone);
// The replacement that makes the server serve the clock record (LUA TXT "os.time()", TTL 0);
// anchored like a steering record, so `dns diff` sees it as one of ours.
NameReplacement record(const DnsName &zone);

struct Reading
{
    bool answered = false; // the server answered the query (else: error)
    bool present = false;  // and served the record
    qint64 offsetS = 0;    // its time minus ours, seconds (when present)
    QString error;
};
// Asks `server` for the record (UDP, blocking: worker threads only).
Reading read(const QHostAddress &server, quint16 port, const DnsName &zone, int timeoutMs);

} // namespace serverclock
} // namespace headroom
