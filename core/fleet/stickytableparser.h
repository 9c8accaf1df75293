#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <optional>

namespace headroom {

struct SiteCounters
{
    quint64 requests = 0; // http_req_cnt
    quint64 bytesOut = 0; // bytes_out_cnt
};

// The per-Host stick table as HAProxy's runtime API prints it for `show table NAME`.
struct StickyTable
{
    QString name;
    // Entry key -> counters. A key is a host name (lower-case LDH), optionally followed by '/'
    // and the generation of the proxy configuration that counted it ("news.example/3"): each
    // graceful reload counts under a new generation, so the entries the old process hands over
    // through `peers` are never written by the new one (see siteOfKey()).
    QHash<QString, SiteCounters> sites;
    // Entries skipped because their key is not a valid host name ("line N: reason"). Keys come
    // from the client's Host header, so one hostile client must not spoil everybody's counters.
    QStringList rejected;
};

// Strict on what HAProxy itself writes (header, field syntax, numbers, final empty line = not
// truncated): any violation fails the whole reply with "line N: reason" in *error. Entries whose
// key is not a host name are only rejected (listed in `rejected`).
std::optional<StickyTable> parseStickyTable(const QByteArray &reply, QString *error,
                                            qsizetype maxBytes = 16 * 1024 * 1024);

// The host name of an entry key ("news.example/3" -> "news.example"); empty for a key that is
// neither a host name nor a host name with a generation (1-9 digits, no leading zero).
QString siteOfKey(QByteArrayView key);

// Lower-case LDH labels separated by '.', 1-63 bytes each, at most 253 bytes, no leading or
// trailing '-' in a label, no empty label (a trailing dot is not accepted either).
bool isValidHostName(QByteArrayView host);

} // namespace headroom
