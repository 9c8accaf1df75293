#include "dnsupdater.h"

#include "dnsmessage.h"
#include "dnstransport.h"
#include "ldnsptr.h"

#include <QElapsedTimer>
#include <QHash>
#include <QThread>

namespace headroom {

namespace {

constexpr int kTsigFudgeSeconds = 300;

QByteArray nameWire(const DnsName &name)
{
    LdnsRdfPtr rdf(ldns_dname_new_frm_str(name.absolute().toLatin1().constData()));
    if (!rdf)
        return {};
    return QByteArray(reinterpret_cast<const char *>(ldns_rdf_data(rdf.get())),
                      qsizetype(ldns_rdf_size(rdf.get())));
}

ldns_rr *newRr(const DnsName &owner, quint16 type, ldns_rr_class cls, quint32 ttl)
{
    ldns_rr *rr = ldns_rr_new();
    ldns_rr_set_owner(rr, ldns_dname_new_frm_str(owner.absolute().toLatin1().constData()));
    ldns_rr_set_type(rr, ldns_rr_type(type));
    ldns_rr_set_class(rr, cls);
    ldns_rr_set_ttl(rr, ttl);
    return rr;
}

int tsigErrorOf(const ldns_pkt *pkt)
{
    const ldns_rr *tsig = ldns_pkt_tsig(pkt);
    if (!tsig || ldns_rr_rd_count(tsig) < 6)
        return 0;
    const ldns_rdf *err = ldns_rr_rdf(tsig, 5);
    return err && ldns_rdf_size(err) == 2 ? int(ldns_rdf2native_int16(err)) : 0;
}

// Upper bound of the octets `change` adds to an UPDATE message, with every name written in full:
// ldns compresses names on the wire, but not in the copy it makes to compute the TSIG, and it
// asserts (aborts) rather than fail when either exceeds 65,535 octets.
qsizetype wireEstimate(const NameReplacement &change)
{
    const qsizetype fixed =
        change.owner.absolute().size() + 1 + 10; // owner, type, class, TTL, length
    const qsizetype rrs =
        1 + change.deleteTypes.size() + (change.anchored ? 1 : 0) + change.rdatas.size();
    qsizetype total = fixed * rrs;
    if (change.anchored)
        total += NameReplacement::anchorRdata().size();
    for (const QByteArray &rdata : change.rdatas)
        total += rdata.size();
    return total;
}

// Room for the header, the zone and the TSIG record in a 65,535-octet message.
constexpr qsizetype kMaxChangeOctets = 65535 - 12 - 260 - 400;

} // namespace

NameReplacement NameReplacement::forSteering(const DnsName &owner, const SteeringRecord &record)
{
    NameReplacement r(owner, 0, record.ttl, {});
    switch (record.kind) {
    case SteeringRecord::Kind::LuaA:
    case SteeringRecord::Kind::LuaCname:
        r.type = quint16(RecordType::LUA);
        r.rdatas = {record.luaRdata()};
        break;
    case SteeringRecord::Kind::StaticCname:
        r.type = quint16(RecordType::CNAME);
        r.rdatas = {nameWire(*record.staticTarget)};
        break;
    case SteeringRecord::Kind::StaticA:
        r.type = record.innerType();
        for (const QHostAddress &a : record.staticAddresses) {
            if (a.protocol() == QAbstractSocket::IPv4Protocol) {
                const quint32 v4 = a.toIPv4Address();
                const char bytes[4] = {char(v4 >> 24), char(v4 >> 16), char(v4 >> 8), char(v4)};
                r.rdatas.append(QByteArray(bytes, 4));
            } else {
                const Q_IPV6ADDR v6 = a.toIPv6Address();
                r.rdatas.append(QByteArray(reinterpret_cast<const char *>(v6.c), 16));
            }
        }
        break;
    }
    return forDesired(owner, r.type, r.ttl, r.rdatas);
}

NameReplacement NameReplacement::forDesired(const DnsName &owner, quint16 type, quint32 ttl,
                                            const QList<QByteArray> &rdatas)
{
    NameReplacement r(owner, type, ttl, rdatas);
    const bool anchorable =
        !rdatas.isEmpty() && (type == quint16(RecordType::LUA) || type == quint16(RecordType::A) ||
                              type == quint16(RecordType::AAAA));
    if (anchorable) {
        r.anchored = true;
        r.deleteTypes = {quint16(RecordType::LUA), quint16(RecordType::A),
                         quint16(RecordType::AAAA), quint16(RecordType::CNAME)};
    }
    return r;
}

QByteArray NameReplacement::anchorRdata()
{
    static const QByteArray text("headroom-steering");
    return char(text.size()) + text;
}

bool NameReplacement::isAnchor(quint16 type, const QByteArray &rdata)
{
    return type == quint16(RecordType::TXT) && rdata == anchorRdata();
}

DnsUpdater::DnsUpdater(Target target, int timeoutMs, int maxAttempts)
    : m_target(std::move(target)), m_timeoutMs(timeoutMs), m_maxAttempts(std::max(1, maxAttempts))
{
}

QByteArray DnsUpdater::buildMessage(const DnsName &zone, const QList<NameReplacement> &changes,
                                    const TsigKey &key, quint16 *id, QByteArray *requestMac,
                                    QString *error)
{
    if (!key.isValid(error))
        return {};
    qsizetype octets = 0;
    for (const NameReplacement &c : changes)
        octets += wireEstimate(c);
    if (octets > kMaxChangeOctets) {
        // ldns asserts rather than fail on a message over 64 KiB: refuse it here.
        *error = QStringLiteral("the changes need about %1 octets, more than one DNS message holds")
                     .arg(octets);
        return {};
    }
    LdnsPktPtr pkt(ldns_pkt_new());
    ldns_pkt_set_opcode(pkt.get(), LDNS_PACKET_UPDATE);
    ldns_pkt_set_random_id(pkt.get());
    ldns_rr *zoneRr = newRr(zone, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
    ldns_rr_set_question(zoneRr, true);
    ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_QUESTION, zoneRr);
    for (const NameReplacement &c : changes) {
        if (!c.owner.isSubdomainOf(zone)) {
            *error =
                QStringLiteral("%1 is not in zone %2").arg(c.owner.absolute(), zone.absolute());
            return {};
        }
        // Delete the answer RRsets (class ANY, each type) or the whole name (type ANY), then add
        // the anchor and the new records. Readers see the message as one change.
        if (c.deleteTypes.isEmpty()) {
            ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_AUTHORITY,
                             newRr(c.owner, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_ANY, 0));
        }
        for (const quint16 type : c.deleteTypes)
            ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_AUTHORITY,
                             newRr(c.owner, type, LDNS_RR_CLASS_ANY, 0));
        if (c.anchored) {
            const QByteArray anchor = NameReplacement::anchorRdata();
            ldns_rr *rr = newRr(c.owner, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, c.ttl);
            ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, size_t(anchor.size()),
                                                       anchor.constData()));
            ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_AUTHORITY, rr);
        }
        for (const QByteArray &rdata : c.rdatas) {
            if (rdata.isEmpty() || rdata.size() > 65000) {
                *error = QStringLiteral("bad RDATA for %1").arg(c.owner.absolute());
                return {};
            }
            ldns_rr *rr = newRr(c.owner, c.type, LDNS_RR_CLASS_IN, c.ttl);
            ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, size_t(rdata.size()),
                                                       rdata.constData()));
            ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_AUTHORITY, rr);
        }
    }
    const QByteArray keyName = key.name.toLatin1() + '.';
    const ldns_status st =
        ldns_pkt_tsig_sign(pkt.get(), keyName.constData(), key.secret.constData(),
                           kTsigFudgeSeconds, key.ldnsAlgorithm().constData(), nullptr);
    if (st != LDNS_STATUS_OK) {
        *error = QStringLiteral("TSIG signing failed: %1")
                     .arg(QString::fromLatin1(ldns_get_errorstr_by_id(st)));
        return {};
    }
    const ldns_rr *tsig = ldns_pkt_tsig(pkt.get());
    const ldns_rdf *mac = tsig ? ldns_rr_rdf(tsig, 3) : nullptr;
    if (mac)
        *requestMac = QByteArray(reinterpret_cast<const char *>(ldns_rdf_data(mac)),
                                 qsizetype(ldns_rdf_size(mac)));
    *id = ldns_pkt_id(pkt.get());
    return packetToWire(pkt.get(), error);
}

QString DnsUpdater::explainRcode(int rcode, int tsigError)
{
    switch (tsigError) {
    case 16:
        return QStringLiteral("BADSIG: the server rejected our TSIG signature (wrong secret)");
    case 17:
        return QStringLiteral("BADKEY: the server does not know our TSIG key name or algorithm");
    case 18:
        return QStringLiteral("BADTIME: our clock and the server's differ by more than the fudge");
    default:
        break;
    }
    switch (rcode) {
    case 0:
        return QStringLiteral("NOERROR");
    case 1:
        return QStringLiteral("FORMERR: the server could not parse the update");
    case 2:
        return QStringLiteral("SERVFAIL: the server failed to apply the update (see its log)");
    case 4:
        return QStringLiteral("NOTIMP: the server does not accept dynamic updates");
    case 5:
        return QStringLiteral("REFUSED: the server refused the update - a wrong or unknown TSIG "
                              "key or secret, our clock more than 5 minutes off the server's "
                              "(TSIG time check), or updates not allowed from this address (the "
                              "reason is only in the DNS server's log)");
    case 6:
        return QStringLiteral("YXDOMAIN: a name that should not exist does");
    case 7:
        return QStringLiteral("YXRRSET: an RRset that should not exist does");
    case 8:
        return QStringLiteral("NXRRSET: an RRset that should exist does not");
    case 9:
        return QStringLiteral("NOTAUTH: the server is not authoritative for the zone");
    case 10:
        return QStringLiteral("NOTZONE: a name in the update is outside the zone");
    default:
        return QStringLiteral("RCODE %1").arg(rcode);
    }
}

UpdateResult DnsUpdater::applyOnce(const DnsName &zone, const QList<NameReplacement> &changes) const
{
    UpdateResult result;
    quint16 id = 0;
    QByteArray requestMac;
    const QByteArray wire =
        buildMessage(zone, changes, m_target.key, &id, &requestMac, &result.error);
    if (wire.isEmpty())
        return result;
    result.messageBytes = int(wire.size());
    result.viaTcp = wire.size() > dnstransport::kMaxUdpMessage;
    QElapsedTimer clock;
    clock.start();
    QString transportError;
    const QByteArray answer = result.viaTcp
                                  ? dnstransport::exchangeTcp(m_target.server, m_target.port, wire,
                                                              m_timeoutMs, &transportError)
                                  : dnstransport::exchangeUdp(m_target.server, m_target.port, wire,
                                                              id, m_timeoutMs, &transportError);
    result.latencyMs = double(clock.nsecsElapsed()) / 1e6;
    if (answer.isEmpty()) {
        result.error = transportError;
        return result;
    }
    ldns_pkt *raw = nullptr;
    const ldns_status st = ldns_wire2pkt(
        &raw, reinterpret_cast<const uint8_t *>(answer.constData()), size_t(answer.size()));
    LdnsPktPtr resp(raw);
    if (st != LDNS_STATUS_OK || !resp || ldns_pkt_id(resp.get()) != id) {
        result.error = QStringLiteral("malformed or mismatched answer to the update");
        return result;
    }
    result.rcode = int(ldns_pkt_get_rcode(resp.get()));
    result.tsigError = tsigErrorOf(resp.get());
    const bool signedAnswer = ldns_pkt_tsig(resp.get()) != nullptr;
    if (result.rcode == 0 && result.tsigError == 0) {
        // A success must come back signed with our key, or it could be forged.
        const QByteArray keyName = m_target.key.name.toLatin1() + '.';
        LdnsRdfPtr mac(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, size_t(requestMac.size()),
                                             requestMac.constData()));
        if (!signedAnswer ||
            !ldns_pkt_tsig_verify(resp.get(), reinterpret_cast<const uint8_t *>(answer.constData()),
                                  size_t(answer.size()), keyName.constData(),
                                  m_target.key.secret.constData(), mac.get())) {
            result.error = QStringLiteral("the answer's TSIG signature did not verify");
            return result;
        }
        result.ok = true;
        return result;
    }
    result.error = explainRcode(result.rcode, result.tsigError);
    return result;
}

UpdateResult DnsUpdater::applyMessage(const DnsName &zone, const QList<NameReplacement> &changes,
                                      int maxAttempts) const
{
    UpdateResult result;
    for (int attempt = 1; attempt <= maxAttempts; ++attempt) {
        result = applyOnce(zone, changes);
        result.attempts = attempt;
        // Only a missing answer is worth repeating: the replacement is idempotent.
        if (result.ok || result.rcode >= 0 || result.messageBytes == 0)
            return result;
        if (attempt < maxAttempts)
            QThread::msleep(100u << (attempt - 1));
    }
    if (maxAttempts > 1)
        result.error = QStringLiteral("%1 (after %2 attempts)").arg(result.error).arg(maxAttempts);
    return result;
}

UpdateResult DnsUpdater::apply(const QList<NameReplacement> &changes) const
{
    return apply(changes, m_maxAttempts);
}

UpdateResult DnsUpdater::apply(const QList<NameReplacement> &changes, int maxAttempts) const
{
    maxAttempts = std::max(1, maxAttempts);
    // Per zone (the most specific of the sub-zones and the zone), one message when the changes
    // fit (the normal case); otherwise consecutive messages of as many whole names as fit, each
    // atomic for readers, stopping at the first failure.
    QList<std::pair<DnsName, QList<NameReplacement>>> messages;
    QHash<QString, qsizetype> openMessage; // zone -> index of its message being filled
    QHash<QString, qsizetype> octetsIn;
    for (const NameReplacement &c : changes) {
        DnsName zone = m_target.zone;
        for (const DnsName &sub : m_target.subZones) {
            if (c.owner.isSubdomainOf(sub) && sub.isSubdomainOf(zone))
                zone = sub;
        }
        const QString key = zone.absolute();
        const qsizetype size = wireEstimate(c);
        auto open = openMessage.find(key);
        if (open == openMessage.end() || octetsIn.value(key) + size > kMaxChangeOctets) {
            messages.append({zone, {}});
            open = openMessage.insert(key, messages.size() - 1);
            octetsIn.insert(key, 0);
        }
        messages[*open].second.append(c);
        octetsIn[key] += size;
    }
    UpdateResult total;
    for (const auto &[zone, message] : std::as_const(messages)) {
        const UpdateResult r = applyMessage(zone, message, maxAttempts);
        total.ok = r.ok;
        total.rcode = r.rcode;
        total.tsigError = r.tsigError;
        total.error = r.error;
        total.attempts = std::max(total.attempts, r.attempts);
        total.viaTcp = total.viaTcp || r.viaTcp;
        total.messageBytes += r.messageBytes;
        total.latencyMs += r.latencyMs;
        total.messages += 1;
        if (!r.ok)
            break;
    }
    return total;
}

} // namespace headroom
