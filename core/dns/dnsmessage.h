#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace headroom {

// DNS record types we read. Values are the IANA numbers.
enum class RecordType : quint16
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    TXT = 16,
    AAAA = 28,
    AXFR = 252,
    LUA = 65402,
};

QString recordTypeName(quint16 type);

// One resource record as read off the wire. Only fields that make sense for the type are set.
struct DnsRecord
{
    QString name; // owner, absolute, lower case, with trailing dot
    quint16 type = 0;
    quint32 ttl = 0;
    QHostAddress address; // A / AAAA
    QString target;       // CNAME / NS target, absolute with trailing dot
    QString text;         // presentation form of the RDATA
    QByteArray rdata;     // wire-format RDATA (uncompressed)
};

struct DnsQuestion
{
    QString name; // absolute, with or without trailing dot
    quint16 type = quint16(RecordType::A);
    bool recursionDesired = false;
};

// The outcome of one query. `ok()` means a well-formed answer arrived; rcode may still be non-zero.
struct DnsResponse
{
    bool answered = false;
    bool mismatched = false; // a datagram with another query's id: not ours, keep waiting
    QString error;           // transport or parse error when !answered
    int rcode = -1;          // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED...
    bool truncated = false;
    bool authoritative = false;
    QList<DnsRecord> answer;
    QList<DnsRecord> authority;
    double latencyMs = 0;

    bool ok() const { return answered && rcode == 0; }
    QList<QHostAddress> addresses() const;
    quint32 minTtl() const;
};

QString rcodeName(int rcode);

// Wire-format helpers around ldns. Hostile bytes in, value types or a precise error out.
namespace dnswire {
// Builds a query with a random id. Returns an empty array (and sets *error) for an invalid name.
QByteArray buildQuery(const DnsQuestion &question, quint16 *id, QString *error);
// Parses a response and checks that it answers `question` with `id`.
DnsResponse parseResponse(const QByteArray &wire, quint16 id, const DnsQuestion &question);
} // namespace dnswire

} // namespace headroom
