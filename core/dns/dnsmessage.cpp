#include "dnsmessage.h"

#include "ldnsptr.h"

#include <algorithm>
#include <limits>

namespace headroom {

QString recordTypeName(quint16 type)
{
    switch (RecordType(type)) {
    case RecordType::A:
        return QStringLiteral("A");
    case RecordType::NS:
        return QStringLiteral("NS");
    case RecordType::CNAME:
        return QStringLiteral("CNAME");
    case RecordType::SOA:
        return QStringLiteral("SOA");
    case RecordType::TXT:
        return QStringLiteral("TXT");
    case RecordType::AAAA:
        return QStringLiteral("AAAA");
    case RecordType::AXFR:
        return QStringLiteral("AXFR");
    case RecordType::LUA:
        return QStringLiteral("LUA");
    }
    return QStringLiteral("TYPE%1").arg(type);
}

QString rcodeName(int rcode)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode >= 0 && rcode < int(std::size(names)))
        return QString::fromLatin1(names[rcode]);
    return QStringLiteral("RCODE%1").arg(rcode);
}

QList<QHostAddress> DnsResponse::addresses() const
{
    QList<QHostAddress> out;
    for (const DnsRecord &r : answer) {
        if (r.type == quint16(RecordType::A) || r.type == quint16(RecordType::AAAA))
            out.append(r.address);
    }
    return out;
}

quint32 DnsResponse::minTtl() const
{
    quint32 ttl = std::numeric_limits<quint32>::max();
    for (const DnsRecord &r : answer)
        ttl = std::min(ttl, r.ttl);
    return answer.isEmpty() ? 0 : ttl;
}

namespace dnswire {

QString normalisedName(const QString &name)
{
    QString n = name.toLower();
    if (!n.endsWith(QLatin1Char('.')))
        n.append(QLatin1Char('.'));
    return n;
}

DnsRecord recordFromLdns(const ldns_rr *rr)
{
    DnsRecord rec;
    rec.name = normalisedName(ldnsToString(ldns_rr_owner(rr)));
    rec.type = quint16(ldns_rr_get_type(rr));
    rec.ttl = ldns_rr_ttl(rr);
    const ldns_rdf *first = ldns_rr_rd_count(rr) > 0 ? ldns_rr_rdf(rr, 0) : nullptr;
    if (first) {
        const auto *data = ldns_rdf_data(first);
        const size_t size = ldns_rdf_size(first);
        if (rec.type == quint16(RecordType::A) && size == 4) {
            rec.address = QHostAddress(quint32(data[0]) << 24 | quint32(data[1]) << 16 |
                                       quint32(data[2]) << 8 | quint32(data[3]));
        } else if (rec.type == quint16(RecordType::AAAA) && size == 16) {
            rec.address = QHostAddress(data);
        } else if ((rec.type == quint16(RecordType::CNAME) ||
                    rec.type == quint16(RecordType::NS)) &&
                   ldns_rdf_get_type(first) == LDNS_RDF_TYPE_DNAME) {
            rec.target = normalisedName(ldnsToString(first));
        }
    }
    QStringList parts;
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i)
        parts.append(ldnsToString(ldns_rr_rdf(rr, i)));
    rec.text = parts.join(QLatin1Char(' '));
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
        rec.rdata.append(reinterpret_cast<const char *>(ldns_rdf_data(rdf)),
                         qsizetype(ldns_rdf_size(rdf)));
    }
    return rec;
}

namespace {

QList<DnsRecord> toRecords(const ldns_rr_list *list)
{
    QList<DnsRecord> out;
    if (!list)
        return out;
    for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        out.append(recordFromLdns(ldns_rr_list_rr(list, i)));
    return out;
}

} // namespace

QByteArray buildQuery(const DnsQuestion &question, quint16 *id, QString *error)
{
    const QByteArray name = question.name.toLatin1();
    if (name.isEmpty() || name.size() > 254 || question.name.toLatin1() != question.name.toUtf8()) {
        if (error)
            *error = QStringLiteral("invalid query name '%1'").arg(question.name);
        return {};
    }
    LdnsRdfPtr dname(ldns_dname_new_frm_str(name.constData()));
    if (!dname) {
        if (error)
            *error = QStringLiteral("invalid query name '%1'").arg(question.name);
        return {};
    }
    LdnsPktPtr pkt(ldns_pkt_query_new(dname.release(), ldns_rr_type(question.type),
                                      LDNS_RR_CLASS_IN, question.recursionDesired ? LDNS_RD : 0));
    if (!pkt) {
        if (error)
            *error = QStringLiteral("could not build a query");
        return {};
    }
    ldns_pkt_set_random_id(pkt.get());
    *id = ldns_pkt_id(pkt.get());
    return packetToWire(pkt.get(), error);
}

DnsResponse parseResponse(const QByteArray &wire, quint16 id, const DnsQuestion &question)
{
    DnsResponse resp;
    ldns_pkt *raw = nullptr;
    const ldns_status status = ldns_wire2pkt(
        &raw, reinterpret_cast<const uint8_t *>(wire.constData()), size_t(wire.size()));
    LdnsPktPtr pkt(raw);
    if (status != LDNS_STATUS_OK || !pkt) {
        resp.error = QStringLiteral("malformed DNS response: %1")
                         .arg(QString::fromLatin1(ldns_get_errorstr_by_id(status)));
        return resp;
    }
    if (ldns_pkt_id(pkt.get()) != id || !ldns_pkt_qr(pkt.get())) {
        resp.mismatched = true;
        resp.error = QStringLiteral("response does not match the query id");
        return resp;
    }
    const ldns_rr_list *q = ldns_pkt_question(pkt.get());
    if (q && ldns_rr_list_rr_count(q) == 1) {
        const ldns_rr *qrr = ldns_rr_list_rr(q, 0);
        if (normalisedName(ldnsToString(ldns_rr_owner(qrr))) != normalisedName(question.name) ||
            quint16(ldns_rr_get_type(qrr)) != question.type) {
            resp.error = QStringLiteral("response answers a different question");
            return resp;
        }
    }
    resp.answered = true;
    resp.rcode = int(ldns_pkt_get_rcode(pkt.get()));
    resp.truncated = ldns_pkt_tc(pkt.get());
    resp.authoritative = ldns_pkt_aa(pkt.get());
    resp.answer = toRecords(ldns_pkt_answer(pkt.get()));
    resp.authority = toRecords(ldns_pkt_authority(pkt.get()));
    return resp;
}

} // namespace dnswire
} // namespace headroom
