#include "reconciler.h"

#include <QHostAddress>
#include <QMap>
#include <QStringList>
#include <algorithm>
#include <optional>
#include <tuple>

namespace headroom {

namespace {

constexpr quint16 TypeA = quint16(RecordType::A);
constexpr quint16 TypeAaaa = quint16(RecordType::AAAA);
constexpr quint16 TypeCname = quint16(RecordType::CNAME);
constexpr quint16 TypeLua = quint16(RecordType::LUA);

const QString NothingServed = QStringLiteral("(none)");
const QString Absent = QStringLiteral("(absent)");
const QString OutsideZone = QStringLiteral("(outside zone)");
const QString NoRecords = QStringLiteral("(no records)");

// One record as compared: two owners are in sync when their sets of these are equal.
using Record = std::tuple<quint16, quint32, QByteArray>;

// Sorted, without repeats: an RRset is a set, and an AXFR may repeat records (the SOA).
QList<Record> normalised(QList<Record> records)
{
    std::sort(records.begin(), records.end());
    records.erase(std::unique(records.begin(), records.end()), records.end());
    return records;
}

QString describeRecords(const QList<Record> &records)
{
    QStringList parts;
    for (const auto &[type, ttl, rdata] : records)
        parts.append(QStringLiteral("%1 %2 %3")
                         .arg(recordTypeName(type))
                         .arg(ttl)
                         .arg(describeRdata(type, rdata)));
    return parts.join(QStringLiteral("; "));
}

QString describeDesired(const DesiredName &name, const QList<Record> &records)
{
    if (!name.present)
        return Absent;
    return records.isEmpty() ? NoRecords : describeRecords(records);
}

QList<Record> recordsOf(const DesiredName &name)
{
    QList<Record> records;
    for (const QByteArray &rdata : name.rdatas)
        records.append(Record{name.type, name.ttl, rdata});
    return normalised(records);
}

NameReplacement deletion(const DnsName &owner)
{
    return NameReplacement{owner, 0, 0, {}};
}

// Bytes from the wire in a form that is safe to show: printable ASCII as is, except `special`
// characters (backslash-escaped); everything else as \DDD.
void appendEscaped(QString *out, QByteArrayView bytes, QByteArrayView special, bool spaceAsIs)
{
    for (const char c : bytes) {
        const auto u = quint8(c);
        if (special.contains(c)) {
            out->append(QLatin1Char('\\'));
            out->append(QLatin1Char(c));
        } else if ((u > 0x20 && u < 0x7f) || (u == 0x20 && spaceAsIs)) {
            out->append(QLatin1Char(c));
        } else {
            out->append(QStringLiteral("\\%1").arg(uint(u), 3, 10, QLatin1Char('0')));
        }
    }
}

// An uncompressed wire-format name that fills `rdata` exactly.
std::optional<QString> describeName(const QByteArray &rdata)
{
    QString out;
    qsizetype at = 0;
    while (at < rdata.size()) {
        const auto length = qsizetype(quint8(rdata.at(at)));
        ++at;
        if (length == 0)
            return at == rdata.size()
                       ? std::optional<QString>(out.isEmpty() ? QStringLiteral(".") : out)
                       : std::nullopt;
        if (length > 63 || rdata.size() - at < length)
            return std::nullopt; // a compression pointer or a truncated label
        appendEscaped(&out, QByteArrayView(rdata).sliced(at, length), "\\.\"", false);
        out.append(QLatin1Char('.'));
        at += length;
    }
    return std::nullopt; // no terminating root label
}

// A LUA record's RDATA: the 2-octet inner type, then character-strings filling the rest.
std::optional<QString> describeLua(const QByteArray &rdata)
{
    if (rdata.size() < 2)
        return std::nullopt;
    const quint16 inner = quint16(quint8(rdata.at(0)) << 8 | quint8(rdata.at(1)));
    QByteArray code;
    qsizetype at = 2;
    while (at < rdata.size()) {
        const auto length = qsizetype(quint8(rdata.at(at)));
        ++at;
        if (rdata.size() - at < length)
            return std::nullopt;
        code.append(rdata.mid(at, length));
        at += length;
    }
    QString out = recordTypeName(inner) + QStringLiteral(" \"");
    appendEscaped(&out, code, "\\\"", true);
    out.append(QLatin1Char('"'));
    return out;
}

struct ServedOwner
{
    DnsName owner;
    QList<Record> records;
    bool hasLua = false;
};

struct PlannedLine
{
    ReconcileLine line;
    std::optional<NameReplacement> change;
};

} // namespace

QString describeRdata(quint16 type, const QByteArray &rdata)
{
    std::optional<QString> text;
    if (type == TypeA && rdata.size() == 4) {
        text =
            QHostAddress(quint32(quint8(rdata.at(0))) << 24 | quint32(quint8(rdata.at(1))) << 16 |
                         quint32(quint8(rdata.at(2))) << 8 | quint32(quint8(rdata.at(3))))
                .toString();
    } else if (type == TypeAaaa && rdata.size() == 16) {
        text = QHostAddress(reinterpret_cast<const quint8 *>(rdata.constData())).toString();
    } else if (type == TypeCname) {
        text = describeName(rdata);
    } else if (type == TypeLua) {
        text = describeLua(rdata);
    }
    return text ? *text : QString::fromLatin1(rdata.toHex());
}

ReconcilePlan planReconcile(const DnsName &zone, const QList<DesiredName> &desired,
                            const QList<DnsRecord> &served)
{
    QMap<QString, ServedOwner> servedByOwner;
    for (const DnsRecord &record : served) {
        const std::optional<DnsName> owner = DnsName::parse(record.name);
        if (!owner || !owner->isSubdomainOf(zone))
            continue;
        ServedOwner &entry = servedByOwner[owner->absolute()];
        entry.owner = *owner;
        entry.records.append(Record{record.type, record.ttl, record.rdata});
        entry.hasLua = entry.hasLua || record.type == TypeLua;
    }
    for (ServedOwner &entry : servedByOwner)
        entry.records = normalised(entry.records);

    QMap<QString, DesiredName> desiredByOwner;
    for (const DesiredName &name : desired)
        desiredByOwner.insert(name.owner.absolute(), name);

    QMap<QString, PlannedLine> planned;
    for (const DesiredName &name : std::as_const(desiredByOwner)) {
        const QString key = name.owner.absolute();
        const QList<Record> wanted = recordsOf(name);
        PlannedLine &entry = planned[key];
        entry.line.owner = name.owner;
        entry.line.desired = describeDesired(name, wanted);

        if (!name.owner.isSubdomainOf(zone)) {
            entry.line.state = ReconcileLine::State::Different;
            entry.line.served = OutsideZone;
            continue;
        }

        const auto found = servedByOwner.constFind(key);
        QList<Record> have = found == servedByOwner.constEnd() ? QList<Record>() : found->records;
        // The anchor TXT of an address or LUA answer belongs to it (NameReplacement).
        if (name.present)
            have.removeIf([](const Record &r) {
                return NameReplacement::isAnchor(std::get<0>(r), std::get<2>(r));
            });
        entry.line.served = have.isEmpty() ? NothingServed : describeRecords(have);

        if (name.present) {
            if (have == wanted) {
                entry.line.state = ReconcileLine::State::InSync;
            } else {
                entry.line.state = have.isEmpty() ? ReconcileLine::State::Missing
                                                  : ReconcileLine::State::Different;
                entry.change =
                    NameReplacement::forDesired(name.owner, name.type, name.ttl, name.rdatas);
            }
        } else if (have.isEmpty()) {
            entry.line.state = ReconcileLine::State::InSync;
        } else {
            entry.line.state = ReconcileLine::State::Different;
            entry.change = deletion(name.owner);
        }
    }

    for (const ServedOwner &entry : std::as_const(servedByOwner)) {
        const QString key = entry.owner.absolute();
        if (!entry.hasLua || desiredByOwner.contains(key))
            continue;
        PlannedLine &extra = planned[key];
        extra.line.owner = entry.owner;
        extra.line.state = ReconcileLine::State::Extra;
        extra.line.served = describeRecords(entry.records);
        extra.line.desired = Absent;
        extra.change = deletion(entry.owner);
    }

    ReconcilePlan plan;
    for (const PlannedLine &entry : std::as_const(planned)) {
        plan.lines.append(entry.line);
        if (entry.change)
            plan.changes.append(*entry.change);
    }
    return plan;
}

} // namespace headroom
