#include "zonetransfer.h"

#include "dnstransport.h"
#include "ldnsptr.h"

#include <QtEndian>

namespace headroom {

namespace {
constexpr int kMaxRecords = 1000000;
}

std::optional<LuaRdata> parseLuaRdata(const QByteArray &rdata)
{
    if (rdata.size() < 3)
        return std::nullopt;
    LuaRdata out;
    out.innerType = qFromBigEndian<quint16>(rdata.constData());
    qsizetype pos = 2;
    while (pos < rdata.size()) {
        const int len = quint8(rdata.at(pos));
        if (pos + 1 + len > rdata.size())
            return std::nullopt;
        out.code += rdata.mid(pos + 1, len);
        pos += 1 + len;
    }
    return out;
}

ZoneTransferResult transferZone(const QHostAddress &server, quint16 port, const DnsName &zone,
                                const std::optional<TsigKey> &key, int timeoutMs)
{
    ZoneTransferResult result;
    LdnsRdfPtr qname(ldns_dname_new_frm_str(zone.absolute().toLatin1().constData()));
    LdnsPktPtr query(ldns_pkt_query_new(qname.release(), LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0));
    ldns_pkt_set_random_id(query.get());
    const quint16 id = ldns_pkt_id(query.get());
    QByteArray keyName;
    LdnsRdfPtr previousMac;
    if (key) {
        if (!key->isValid(&result.error))
            return result;
        keyName = key->name.toLatin1() + '.';
        const ldns_status st =
            ldns_pkt_tsig_sign(query.get(), keyName.constData(), key->secret.constData(), 300,
                               key->ldnsAlgorithm().constData(), nullptr);
        if (st != LDNS_STATUS_OK) {
            result.error = QStringLiteral("TSIG signing failed");
            return result;
        }
        previousMac.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(query.get()), 3)));
    }
    const QByteArray wire = packetToWire(query.get(), &result.error);
    if (wire.isEmpty())
        return result;

    int soaSeen = 0;
    const auto onMessage = [&](const QByteArray &message, QString *error) -> bool {
        ++result.messages;
        ldns_pkt *raw = nullptr;
        const ldns_status st = ldns_wire2pkt(
            &raw, reinterpret_cast<const uint8_t *>(message.constData()), size_t(message.size()));
        LdnsPktPtr pkt(raw);
        if (st != LDNS_STATUS_OK || !pkt) {
            *error = QStringLiteral("malformed message %1 in the transfer").arg(result.messages);
            return false;
        }
        if (ldns_pkt_id(pkt.get()) != id) {
            *error = QStringLiteral("transfer answer does not match the query id");
            return false;
        }
        const int rcode = int(ldns_pkt_get_rcode(pkt.get()));
        if (rcode != 0) {
            *error = QStringLiteral("the server answered the transfer of %1 with %2%3")
                         .arg(zone.absolute(), rcodeName(rcode),
                              rcode == 5 || rcode == 9
                                  ? QStringLiteral(" (transfer not allowed: key or address)")
                                  : QString());
            return false;
        }
        if (key) {
            const ldns_rr *tsig = ldns_pkt_tsig(pkt.get());
            if (result.messages == 1 && !tsig) {
                *error = QStringLiteral("the transfer answer is not signed");
                return false;
            }
            if (tsig) {
                const bool verified =
                    result.messages == 1
                        ? ldns_pkt_tsig_verify(
                              pkt.get(), reinterpret_cast<const uint8_t *>(message.constData()),
                              size_t(message.size()), keyName.constData(), key->secret.constData(),
                              previousMac.get())
                        : ldns_pkt_tsig_verify_next(
                              pkt.get(), reinterpret_cast<const uint8_t *>(message.constData()),
                              size_t(message.size()), keyName.constData(), key->secret.constData(),
                              previousMac.get(), 1); // later messages: timers only (RFC 8945 5.3.1)
                if (!verified) {
                    *error =
                        QStringLiteral("the transfer's TSIG signature did not verify (message %1)")
                            .arg(result.messages);
                    return false;
                }
                previousMac.reset(ldns_rdf_clone(ldns_rr_rdf(tsig, 3)));
            }
        }
        const ldns_rr_list *answer = ldns_pkt_answer(pkt.get());
        for (size_t i = 0; answer && i < ldns_rr_list_rr_count(answer); ++i) {
            const ldns_rr *rr = ldns_rr_list_rr(answer, i);
            const DnsRecord rec = dnswire::recordFromLdns(rr);
            if (rec.type == quint16(RecordType::SOA)) {
                ++soaSeen;
                if (soaSeen == 2)
                    return false; // the closing SOA: done
            } else if (soaSeen == 0) {
                *error = QStringLiteral("the transfer does not start with the SOA");
                return false;
            }
            if (result.records.size() >= kMaxRecords) {
                *error = QStringLiteral("the zone has more than %1 records").arg(kMaxRecords);
                return false;
            }
            result.records.append(rec);
        }
        return true;
    };
    if (!dnstransport::streamTcp(server, port, wire, timeoutMs, onMessage, &result.error)) {
        result.records.clear();
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace headroom
