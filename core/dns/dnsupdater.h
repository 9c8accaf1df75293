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
struct NameReplacement
{
    DnsName owner;
    quint16 type = 1;
    quint32 ttl = 20;
    QList<QByteArray> rdatas; // wire-format RDATA

    static NameReplacement forSteering(const DnsName &owner, const SteeringRecord &record);
};

struct UpdateResult
{
    bool ok = false;
    int rcode = -1;    // -1: no answer
    int tsigError = 0; // 16 BADSIG, 17 BADKEY, 18 BADTIME
    QString error;     // a sentence for the operator when !ok
    int attempts = 0;
    bool viaTcp = false;
    int messageBytes = 0;
    double latencyMs = 0;
};

// Sends RFC 2136 UPDATEs, signed with TSIG, to one zone's primary server. All changes passed to
// one apply() go in one message (TCP when it is too big for UDP). Timeouts are retried with
// exponential backoff; every RCODE and TSIG error becomes a clear error. Blocking: call it from a
// worker thread or a command-line tool.
class DnsUpdater final
{
public:
    struct Target
    {
        QHostAddress server;
        quint16 port = 53;
        DnsName zone;
        TsigKey key;
    };

    explicit DnsUpdater(Target target, int timeoutMs = 2000, int maxAttempts = 4);

    UpdateResult apply(const QList<NameReplacement> &changes) const;

    // The signed message, for tests; *requestMac receives the MAC for verifying the answer.
    static QByteArray buildMessage(const DnsName &zone, const QList<NameReplacement> &changes,
                                   const TsigKey &key, quint16 *id, QByteArray *requestMac,
                                   QString *error);
    static QString explainRcode(int rcode, int tsigError);

private:
    UpdateResult applyOnce(const QList<NameReplacement> &changes) const;

    Target m_target;
    int m_timeoutMs;
    int m_maxAttempts;
};

} // namespace headroom
