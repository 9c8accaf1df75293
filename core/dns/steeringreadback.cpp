#include "steeringreadback.h"

#include "dnsupdater.h"
#include "steeringrecord.h"
#include "zonetransfer.h"

#include <QMap>
#include <QRegularExpression>

namespace headroom {

namespace {

QList<ServedSteering::Weight> pairsIn(const QString &code)
{
    static const QRegularExpression pair(QStringLiteral("\\{(\\d+),'([^']+)'\\}"));
    QList<ServedSteering::Weight> out;
    for (auto it = pair.globalMatch(code); it.hasNext();) {
        const auto m = it.next();
        out.append({m.captured(2), m.captured(1).toInt()});
    }
    // A single target is written as a plain literal: 'x'.
    static const QRegularExpression single(QStringLiteral("^\\s*(?:return )?'([^']+)'\\s*$"));
    const auto one = single.match(code);
    if (out.isEmpty() && one.hasMatch())
        out.append({one.captured(1), 1});
    return out;
}

} // namespace

ServedSteering decodeServed(const DnsRecord &record)
{
    ServedSteering s;
    s.owner = record.name;
    s.ttl = record.ttl;
    if (record.type != quint16(RecordType::LUA)) {
        s.kind = recordTypeName(record.type);
        s.weights.append({record.address.isNull() ? record.target : record.address.toString(), 1});
        if (s.weights.first().target.isEmpty())
            s.weights.first().target = record.text;
        return s;
    }
    const auto lua = parseLuaRdata(record.rdata);
    if (!lua) {
        s.kind = QStringLiteral("LUA");
        s.recognised = false;
        return s;
    }
    s.kind = QStringLiteral("LUA ") + recordTypeName(lua->innerType);
    s.code = QString::fromLatin1(lua->code);
    if (!isWellFormedSteeringCode(lua->code)) {
        s.recognised = false;
        return s;
    }
    static const QRegularExpression deadline(
        QStringLiteral("^;if os\\.time\\(\\) < (\\d+) then return (.*) else return (.*) end$"));
    const auto m = deadline.match(s.code);
    if (m.hasMatch()) {
        s.deadline = QDateTime::fromSecsSinceEpoch(m.captured(1).toLongLong(), Qt::UTC);
        s.weights = pairsIn(m.captured(2));
        s.afterDeadline = pairsIn(m.captured(3));
    } else {
        s.weights = pairsIn(s.code);
    }
    return s;
}

QList<ServedSteering> readBackSteering(const QList<DnsRecord> &zoneRecords,
                                       const QStringList &skipOwners)
{
    QMap<QString, ServedSteering> byOwner;
    for (const DnsRecord &r : zoneRecords) {
        // The server's clock record (serverclock.h) is ours but steers nothing.
        if (r.type == quint16(RecordType::SOA) || r.type == quint16(RecordType::NS) ||
            NameReplacement::isAnchor(r.type, r.rdata) || skipOwners.contains(r.name) ||
            r.name.startsWith(QLatin1String("_clock.")))
            continue;
        const ServedSteering decoded = decodeServed(r);
        auto it = byOwner.find(r.name);
        if (it == byOwner.end()) {
            byOwner.insert(r.name, decoded);
        } else {
            // A static RRset: one entry per address.
            it->weights += decoded.weights;
        }
    }
    return byOwner.values();
}

} // namespace headroom
