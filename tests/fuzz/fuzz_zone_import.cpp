// Fuzz target: `dns import-zone` - a purchaser's zone into the name-to-address map the steering
// loop keeps. The first byte selects the source, the rest is its bytes:
//   even - zone file text (parseZoneFile with origin shop.example), then nameMapFrom;
//   odd  - an AXFR answer as it arrives over TCP: DNS messages, each behind its 2-byte length.
//          Each message is decoded as transferZone() decodes it (ldns_wire2pkt, the answer
//          section through dnswire::recordFromLdns, SOA first, the second SOA ends it) and as
//          dnswire::parseResponse() decodes answers; the records go through nameMapFrom.
// transferZone() itself needs a server; its id and TSIG checks are left to the sandbox tests.
//
// Invariants: records are normalised (absolute, lower-case owner; TTL within RFC 2181), problem
// reports are printable ASCII with a real line number, and every entry of the name map is a host
// name inside the zone with data of its type: A an IPv4 address, AAAA an IPv6 one, CNAME a host
// name. Nothing else reaches the map.

#include "dns/dnsmessage.h"
#include "dns/dnsname.h"
#include "dns/ldnsptr.h"
#include "dns/zonefile.h"
#include "fuzzcheck.h"

#include <QtEndian>

using namespace headroom;

namespace {

constexpr quint32 kMaxTtl = 0x7fffffff;
// Low enough that an input of a few KB can reach the "too many records" error.
constexpr qsizetype kMaxRecords = 100;

const DnsName &zone()
{
    static const DnsName name = *DnsName::parse(QStringLiteral("shop.example"));
    return name;
}

bool isLdhName(const QString &name)
{
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (!((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_' ||
              u == u'.'))
            return false;
    }
    return true;
}

void checkRecord(const DnsRecord &r)
{
    FUZZ_CHECK(r.name.endsWith(QLatin1Char('.')), r.name);
    FUZZ_CHECK(r.name == r.name.toLower(), r.name);
    if (r.type == quint16(RecordType::A) && !r.address.isNull())
        FUZZ_CHECK(r.address.protocol() == QAbstractSocket::IPv4Protocol && r.rdata.size() == 4);
    if (r.type == quint16(RecordType::AAAA) && !r.address.isNull())
        FUZZ_CHECK(r.address.protocol() == QAbstractSocket::IPv6Protocol && r.rdata.size() == 16);
    if (r.type != quint16(RecordType::A) && r.type != quint16(RecordType::AAAA))
        FUZZ_CHECK(r.address.isNull());
    if (!r.target.isEmpty())
        FUZZ_CHECK(r.target.endsWith(QLatin1Char('.')) && r.target == r.target.toLower(), r.target);
}

void checkNameMap(const QList<DnsRecord> &records)
{
    const NameMap map = nameMapFrom(zone(), records);
    qsizetype skipped = 0;
    for (const DnsRecord &r : records)
        skipped += r.type == quint16(RecordType::SOA) || r.type == quint16(RecordType::NS);
    FUZZ_CHECK(map.entries.size() + map.problems.size() + skipped == records.size());
    for (const QString &problem : map.problems)
        FUZZ_CHECK(fuzz::isPrintableAscii(problem), problem);
    for (const DnsRecord &e : map.entries) {
        const auto owner = DnsName::parse(e.name);
        FUZZ_CHECK(owner && owner->absolute() == e.name && isLdhName(e.name), e.name);
        FUZZ_CHECK(owner->isSubdomainOf(zone()), e.name);
        switch (RecordType(e.type)) {
        case RecordType::A:
            FUZZ_CHECK(e.address.protocol() == QAbstractSocket::IPv4Protocol, e.text);
            FUZZ_CHECK(e.target.isEmpty());
            break;
        case RecordType::AAAA:
            FUZZ_CHECK(e.address.protocol() == QAbstractSocket::IPv6Protocol, e.text);
            FUZZ_CHECK(e.target.isEmpty());
            break;
        case RecordType::CNAME: {
            const auto target = DnsName::parse(e.target);
            FUZZ_CHECK(target && target->absolute() == e.target && isLdhName(e.target), e.target);
            FUZZ_CHECK(e.text == e.target && e.address.isNull());
            break;
        }
        default:
            FUZZ_CHECK(false, QString::number(e.type));
        }
    }
}

void checkZoneText(const QByteArray &text)
{
    const ZoneFileResult result = parseZoneFile(text, zone(), 3600, kMaxRecords);
    if (!result.ok()) {
        FUZZ_CHECK(result.records.isEmpty());
        FUZZ_CHECK(fuzz::isPrintableAscii(result.error), result.error);
        return;
    }
    const qsizetype lines = text.count('\n') + 1;
    for (const ZoneFileProblem &p : result.problems) {
        FUZZ_CHECK(p.line >= 1 && p.line <= lines, QString::number(p.line));
        // At most 120 characters, the last maybe a 4-character \DDD escape, then "...".
        FUZZ_CHECK(fuzz::isPrintableAscii(p.text) && p.text.size() <= 126, p.text);
        FUZZ_CHECK(!p.reason.isEmpty() && fuzz::isPrintableAscii(p.reason), p.reason);
    }
    for (const DnsRecord &r : result.records) {
        checkRecord(r);
        FUZZ_CHECK(r.ttl <= kMaxTtl, QString::number(r.ttl));
        // Query and message types never come out of a zone file.
        FUZZ_CHECK(r.type != 0 && r.type != 41 && (r.type < 249 || r.type > 255));
    }
    checkNameMap(result.records);
}

// What transferZone() does with one answer message; false when the transfer stops here.
bool transferMessage(const QByteArray &message, int *soaSeen, QList<DnsRecord> *records)
{
    ldns_pkt *raw = nullptr;
    const ldns_status status = ldns_wire2pkt(
        &raw, reinterpret_cast<const uint8_t *>(message.constData()), size_t(message.size()));
    const LdnsPktPtr pkt(raw);
    if (status != LDNS_STATUS_OK || !pkt)
        return false;

    // The same message through the query path, as the answer to its own question.
    DnsQuestion question;
    const ldns_rr_list *q = ldns_pkt_question(pkt.get());
    if (q && ldns_rr_list_rr_count(q) == 1) {
        const ldns_rr *qrr = ldns_rr_list_rr(q, 0);
        question.name = ldnsToString(ldns_rr_owner(qrr));
        question.type = quint16(ldns_rr_get_type(qrr));
    }
    const DnsResponse response = dnswire::parseResponse(message, ldns_pkt_id(pkt.get()), question);
    FUZZ_CHECK(response.answered || !response.error.isEmpty());
    for (const DnsRecord &r : response.answer + response.authority)
        checkRecord(r);
    if (response.answered)
        FUZZ_CHECK(response.addresses().size() <= response.answer.size());

    if (ldns_pkt_get_rcode(pkt.get()) != 0)
        return false;
    const ldns_rr_list *answer = ldns_pkt_answer(pkt.get());
    for (size_t i = 0; answer && i < ldns_rr_list_rr_count(answer); ++i) {
        const DnsRecord r = dnswire::recordFromLdns(ldns_rr_list_rr(answer, i));
        checkRecord(r);
        if (r.type == quint16(RecordType::SOA)) {
            if (++*soaSeen == 2)
                return false;
        } else if (*soaSeen == 0) {
            return false;
        }
        records->append(r);
    }
    return true;
}

void checkTransfer(const QByteArray &stream)
{
    QList<DnsRecord> records;
    int soaSeen = 0;
    qsizetype pos = 0;
    while (pos + 2 <= stream.size()) {
        const quint16 length = qFromBigEndian<quint16>(stream.constData() + pos);
        pos += 2;
        // A length beyond the data: the stream was cut; decode what there is (never a crash).
        const QByteArray message = stream.mid(pos, length);
        pos += message.size();
        if (length < 12 || !transferMessage(message, &soaSeen, &records))
            break;
    }
    checkNameMap(records);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input = fuzz::bytesOf(data + 1, size - 1);
    if (data[0] % 2 == 0)
        checkZoneText(input);
    else
        checkTransfer(input);
    return 0;
}
