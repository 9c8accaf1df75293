#pragma once

#include "dnsname.h"
#include "steeringrecord.h"
#include "tsigkey.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace headroom {

// Replace everything stored at `owner` with `rdatas` of `type` (an empty list only deletes).
// Delete-name + add in one UPDATE is atomic for readers.
//
// Address and LUA answers are "anchored": the name also carries a fixed TXT record, and an update
// deletes only the answer types (LUA, A, AAAA, CNAME) instead of the whole name. The name is then
// never empty in the middle of an UPDATE, which spares PowerDNS a read of the whole zone to fix
// empty non-terminals - the cost that grows with zone size (docs/BENCHMARKS.md). A CNAME cannot
// share its name with a TXT record, so CNAME answers and deletions replace the whole name.
struct NameReplacement
{
    NameReplacement() = default;
    // Replaces the whole name (not anchored); see forDesired() for the anchored form.
    NameReplacement(DnsName owner_, quint16 type_, quint32 ttl_, QList<QByteArray> rdatas_)
        : owner(std::move(owner_)), type(type_), ttl(ttl_), rdatas(std::move(rdatas_))
    {
    }

    DnsName owner;
    quint16 type = 1;
    quint32 ttl = 20;
    QList<QByteArray> rdatas;   // wire-format RDATA
    QList<quint16> deleteTypes; // empty: delete every RRset at the name
    bool anchored = false;      // also add the anchor TXT record

    // The replacement that makes `owner` serve exactly rdatas of type (nothing, when empty).
    static NameReplacement forDesired(const DnsName &owner, quint16 type, quint32 ttl,
                                      const QList<QByteArray> &rdatas);
    static NameReplacement forSteering(const DnsName &owner, const SteeringRecord &record);
    // The TXT RDATA ("headroom-steering") that keeps an anchored name from ever being empty.
    static QByteArray anchorRdata();
    static bool isAnchor(quint16 type, const QByteArray &rdata);
};

struct UpdateResult
{
    bool ok = false;
    int rcode = -1;    // -1: no answer
    int tsigError = 0; // 16 BADSIG, 17 BADKEY, 18 BADTIME
    QString error;     // a sentence for the operator when !ok
    int attempts = 0;
    bool viaTcp = false;
    int messageBytes = 0; // total over all messages
    int messages = 0;     // UPDATE messages sent: 1 unless the changes exceed one message
    double latencyMs = 0;
    // The server's clock minus ours, in seconds, read after the update when the caller asked
    // for it (DnsUpdateService, serverclock.h): lets the caller state deadlines in the server's
    // time, whatever our own clock did. Missing: the server answered but serves no clock record.
    // (The time in a TSIG-signed answer cannot serve: PowerDNS echoes the request's time.)
    bool serverClockKnown = false;
    bool serverClockMissing = false;
    qint64 serverClockOffsetS = 0;
};

// Sends RFC 2136 UPDATEs, signed with TSIG, to one zone's primary server. All changes passed to
// one apply() for one zone go in one message (TCP when it is too big for UDP); changes that
// cannot fit one 64 KiB message go in as few consecutive messages as hold them. Changes under a
// sub-zone (a steering shard) go to that zone, one message per zone touched. Timeouts are retried
// with exponential backoff; every RCODE and TSIG error becomes a clear error. Blocking: call it
// from a worker thread or a command-line tool.
class DnsUpdater final
{
public:
    struct Target
    {
        QHostAddress server;
        quint16 port = 53;
        DnsName zone;
        TsigKey key;
        QList<DnsName> subZones; // child zones on the same server (steering shards)
    };

    explicit DnsUpdater(Target target, int timeoutMs = 2000, int maxAttempts = 4);

    UpdateResult apply(const QList<NameReplacement> &changes) const;
    // The same with at most `maxAttempts` sends per message (>= 1) instead of the configured
    // number: a caller that retries on its own (with backoff, while the server is down) sends
    // each message once.
    UpdateResult apply(const QList<NameReplacement> &changes, int maxAttempts) const;

    // The signed message, for tests; *requestMac receives the MAC for verifying the answer.
    static QByteArray buildMessage(const DnsName &zone, const QList<NameReplacement> &changes,
                                   const TsigKey &key, quint16 *id, QByteArray *requestMac,
                                   QString *error);
    static QString explainRcode(int rcode, int tsigError);

private:
    UpdateResult applyMessage(const DnsName &zone, const QList<NameReplacement> &changes,
                              int maxAttempts) const;
    UpdateResult applyOnce(const DnsName &zone, const QList<NameReplacement> &changes) const;

    Target m_target;
    int m_timeoutMs;
    int m_maxAttempts;
};

} // namespace headroom
