#pragma once

#include "dnsmessage.h"
#include "dnsname.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace headroom {

// A zone file entry that was not imported. `line` is the first line of the entry (1-based),
// `text` that line, shortened and with anything but printable ASCII escaped as \DDD, so it is
// safe to print.
struct ZoneFileProblem
{
    int line = 0;
    QString text;
    QString reason;
};

struct ZoneFileResult
{
    QList<DnsRecord> records; // in file order
    QList<ZoneFileProblem> problems;
    QString error; // fatal (unreadable, too large, too many records): import nothing

    bool ok() const { return error.isEmpty(); }
};

namespace zonefile {
constexpr qsizetype MaxFileSize = 16 * 1024 * 1024;
constexpr qsizetype MaxLineLength = 64 * 1024; // a physical line, and a record across lines
constexpr qsizetype MaxRecords = 1000000;
constexpr qsizetype MaxListedProblems = 1000; // further ones are counted in one last problem
} // namespace zonefile

// Parses RFC 1035 master file text: $ORIGIN (relative to the current origin), $TTL, '@',
// relative names, omitted owners, parentheses across lines, comments, quoted strings.
// Hostile input is expected: a malformed or unsupported entry becomes a problem with its line
// number and the reason (ldns's, or ours) and parsing goes on with the next entry. $INCLUDE is
// refused, never followed. Records without a TTL get the current $TTL, else `defaultTtl`.
// Owner names must be printable ASCII; only class IN is accepted.
ZoneFileResult parseZoneFile(const QByteArray &text, const DnsName &origin,
                             quint32 defaultTtl = 3600);
// The same with another record cap: for callers that want less than zonefile::MaxRecords, and for
// tests, which cannot afford a million records under the sanitizers.
ZoneFileResult parseZoneFile(const QByteArray &text, const DnsName &origin, quint32 defaultTtl,
                             qsizetype maxRecords);
// Reads at most zonefile::MaxFileSize bytes; a larger or unreadable file is an error.
ZoneFileResult readZoneFile(const QString &path, const DnsName &origin);

// The purchaser's name-to-address map out of any record list (AXFR or file): A, AAAA and CNAME
// records inside `zone` are kept (owner and CNAME target normalised to lower-case absolute
// names); SOA and NS are skipped silently; every other type, and any record whose owner is
// outside `zone` or not a host name, or whose data does not parse, is a problem naming the record.
struct NameMap
{
    QList<DnsRecord> entries;
    QStringList problems;
};
NameMap nameMapFrom(const DnsName &zone, const QList<DnsRecord> &records);

} // namespace headroom
