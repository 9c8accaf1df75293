#pragma once

// ldns stays behind this boundary: C resources owned by unique_ptr with ldns deleters,
// conversions to Qt types. Include only from core/dns/*.cpp.

#include <QByteArray>
#include <QString>
#include <ldns/ldns.h>
#include <memory>

namespace headroom {

struct LdnsPktDeleter
{
    void operator()(ldns_pkt *p) const { ldns_pkt_free(p); }
};
struct LdnsRdfDeleter
{
    void operator()(ldns_rdf *p) const { ldns_rdf_deep_free(p); }
};
struct LdnsRrDeleter
{
    void operator()(ldns_rr *p) const { ldns_rr_free(p); }
};
struct LdnsBufferDeleter
{
    void operator()(ldns_buffer *p) const { ldns_buffer_free(p); }
};

using LdnsPktPtr = std::unique_ptr<ldns_pkt, LdnsPktDeleter>;
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;
using LdnsRrPtr = std::unique_ptr<ldns_rr, LdnsRrDeleter>;
using LdnsBufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferDeleter>;

inline QString ldnsToString(const ldns_rdf *rdf)
{
    if (!rdf)
        return {};
    char *s = ldns_rdf2str(rdf);
    if (!s)
        return {};
    QString out = QString::fromLatin1(s);
    free(s); // NOLINT: allocated by ldns with malloc
    return out;
}

inline QByteArray packetToWire(const ldns_pkt *pkt, QString *error)
{
    uint8_t *wire = nullptr;
    size_t size = 0;
    const ldns_status status = ldns_pkt2wire(&wire, pkt, &size);
    if (status != LDNS_STATUS_OK || !wire) {
        if (error)
            *error = QString::fromLatin1(ldns_get_errorstr_by_id(status));
        return {};
    }
    QByteArray out(reinterpret_cast<const char *>(wire), qsizetype(size));
    free(wire); // NOLINT: allocated by ldns with malloc
    return out;
}

struct DnsRecord;
namespace dnswire {
DnsRecord recordFromLdns(const ldns_rr *rr);
QString normalisedName(const QString &name);
} // namespace dnswire

} // namespace headroom
