#include "steeringrecord.h"

#include <QRegularExpression>
#include <QStringList>
#include <algorithm>

// The Lua code built here is executed by the DNS server. Every piece of text in it comes from
// the fixed template below, integers, QHostAddress::toString() of a checked unicast address or
// DnsName::absolute() of a validated name. The finished code is checked once more against the
// template's grammar before it leaves this file.

namespace headroom {

namespace {

constexpr int MaxWeight = 65535;
constexpr qsizetype MaxCharacterString = 255;
constexpr qsizetype MaxRdata = 65535;
constexpr quint32 MaxTtl = 2147483647; // RFC 2181 section 8
constexpr quint16 TypeA = 1;
constexpr quint16 TypeCname = 5;
constexpr quint16 TypeAaaa = 28;

std::nullopt_t fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

// A target with weight > 0, with a label for error messages ("proxy 2 (127.0.1.2)").
struct Candidate
{
    const WeightedTarget *target = nullptr;
    QString label;
};

struct Entry
{
    int weight = 0;
    QString literal; // re-serialised address or absolute name, to be single-quoted
};

QString describe(const QString &role, qsizetype index, const WeightedTarget &target)
{
    QString what;
    if (target.name) {
        what = target.name->relative();
    } else if (!target.address.isNull()) {
        QHostAddress plain = target.address;
        plain.setScopeId(QString()); // a scope id is free text: keep it out of messages
        what = plain.toString();
    }
    const QString label = QStringLiteral("%1 %2").arg(role).arg(index + 1);
    return what.isEmpty() ? label : QStringLiteral("%1 (%2)").arg(label, what);
}

// Empty when `address` may be written into a record; otherwise why not.
QString addressProblem(const QHostAddress &address)
{
    if (address.isNull())
        return QStringLiteral("is not an IP address");
    if (!address.scopeId().isEmpty())
        return QStringLiteral("has a scope id");
    if (address.isMulticast())
        return QStringLiteral("is a multicast address");
    if (address.isLinkLocal())
        return QStringLiteral("is a link-local address");
    QString text;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        if (address.toIPv4Address() == 0)
            return QStringLiteral("is the unspecified address");
        if (address.isBroadcast())
            return QStringLiteral("is the broadcast address");
        text = address.toString();
        static const QRegularExpression ipv4(
            QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{1,3}(\\.[0-9]{1,3}){3}")));
        if (!ipv4.match(text).hasMatch())
            return QStringLiteral("does not print as an IPv4 address");
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        bool unspecified = true;
        bool v4Prefix = true; // ::ffff:0:0/96
        for (int i = 0; i < 16; ++i) {
            unspecified = unspecified && bytes[i] == 0;
            if (i < 10)
                v4Prefix = v4Prefix && bytes[i] == 0;
            else if (i < 12)
                v4Prefix = v4Prefix && bytes[i] == 0xff;
        }
        if (unspecified)
            return QStringLiteral("is the unspecified address");
        if (v4Prefix)
            return QStringLiteral("is an IPv4-mapped IPv6 address (give the IPv4 address)");
        text = address.toString();
        static const QRegularExpression ipv6(
            QRegularExpression::anchoredPattern(QStringLiteral("[0-9a-f:.]{2,45}")));
        if (!ipv6.match(text).hasMatch())
            return QStringLiteral("does not print as an IPv6 address");
    } else {
        return QStringLiteral("is not an IPv4 or IPv6 address");
    }
    if (QHostAddress(text) != address)
        return QStringLiteral("does not survive re-parsing");
    return QString();
}

// Weight range for all targets; then the targets with weight > 0, each with an address or a
// name, and any address a plain unicast one.
bool collect(const QList<WeightedTarget> &targets, const QString &role, QList<Candidate> *out,
             QString *error)
{
    for (qsizetype i = 0; i < targets.size(); ++i) {
        const WeightedTarget &target = targets.at(i);
        const QString label = describe(role, i, target);
        if (target.weight < 0 || target.weight > MaxWeight) {
            fail(error, QStringLiteral("%1 has weight %2 (allowed 0..%3)")
                            .arg(label)
                            .arg(target.weight)
                            .arg(MaxWeight));
            return false;
        }
        if (target.weight == 0)
            continue;
        if (target.address.isNull() && !target.name) {
            fail(error, QStringLiteral("%1 has neither an address nor a name").arg(label));
            return false;
        }
        if (!target.address.isNull()) {
            const QString problem = addressProblem(target.address);
            if (!problem.isEmpty()) {
                fail(error, QStringLiteral("%1: the address %2").arg(label, problem));
                return false;
            }
        }
        out->append({&target, label});
    }
    return true;
}

QString quoted(const QString &literal)
{
    return QLatin1Char('\'') + literal + QLatin1Char('\'');
}

// 'x' for a single target, else pickwrandom({{w,'x'},...}). Weights are never 0 here.
QString answerExpression(const QList<Entry> &entries)
{
    if (entries.size() == 1)
        return quoted(entries.first().literal);
    QStringList pairs;
    for (const Entry &entry : entries)
        pairs << QStringLiteral("{%1,%2}").arg(entry.weight).arg(quoted(entry.literal));
    return QStringLiteral("pickwrandom({%1})").arg(pairs.join(QLatin1Char(',')));
}

// Splits code into <= 255-octet pieces, only right after a ',' or ' ' outside a quoted literal.
// Greedy: each piece is as long as allowed. Empty list when some stretch cannot be split.
QList<QByteArray> splitCode(const QByteArray &code)
{
    QList<QByteArray> pieces;
    qsizetype start = 0;
    while (start < code.size()) {
        if (code.size() - start <= MaxCharacterString) {
            pieces << code.mid(start);
            break;
        }
        qsizetype cut = -1;
        bool inQuote = false;
        for (qsizetype i = start; i < code.size() && i - start < MaxCharacterString; ++i) {
            const char c = code.at(i);
            if (c == '\'')
                inQuote = !inQuote;
            else if (!inQuote && (c == ',' || c == ' '))
                cut = i + 1;
        }
        if (cut <= start)
            return {};
        pieces << code.mid(start, cut - start);
        start = cut;
    }
    return pieces;
}

} // namespace

bool isWellFormedSteeringCode(const QByteArray &code)
{
    static const QRegularExpression charset(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9 .:{},'()<>;_=-]+")));
    const QString text = QString::fromLatin1(code);
    if (!charset.match(text).hasMatch())
        return false;
    // Literals first: address or name characters between single quotes. What is left must be
    // the template exactly, with '@' for each literal - so no quote, no '-' (comment), no call
    // other than os.time() and pickwrandom() can remain. The placeholder is a character the
    // charset refuses: a letter would let an unquoted Lua name ("L") pass for a literal.
    static const QRegularExpression literal(QStringLiteral("'[a-z0-9._:-]+'"));
    QString skeleton = text;
    skeleton.replace(literal, QStringLiteral("@"));
    static const QRegularExpression grammar = [] {
        const QString answer = QStringLiteral("(?:@|pickwrandom\\(\\{\\{[1-9][0-9]{0,4},@\\}"
                                              "(?:,\\{[1-9][0-9]{0,4},@\\})*\\}\\))");
        return QRegularExpression(QRegularExpression::anchoredPattern(
            QStringLiteral("(?:%1|;if os\\.time\\(\\) < [1-9][0-9]{0,18} then return %1 else "
                           "return %1 end)")
                .arg(answer)));
    }();
    return grammar.match(skeleton).hasMatch();
}

QByteArray SteeringRecord::luaRdata() const
{
    if (kind != Kind::LuaA && kind != Kind::LuaCname)
        return {};
    const QList<QByteArray> pieces = splitCode(luaCode);
    if (pieces.isEmpty())
        return {};
    QByteArray rdata;
    const quint16 type = innerType();
    rdata.append(char(type >> 8));
    rdata.append(char(type & 0xff));
    for (const QByteArray &piece : pieces) {
        rdata.append(char(quint8(piece.size())));
        rdata.append(piece);
    }
    return rdata;
}

quint16 SteeringRecord::innerType() const
{
    switch (kind) {
    case Kind::StaticCname:
    case Kind::LuaCname:
        return TypeCname;
    case Kind::StaticA:
        return !staticAddresses.isEmpty() &&
                       staticAddresses.first().protocol() == QAbstractSocket::IPv6Protocol
                   ? TypeAaaa
                   : TypeA;
    case Kind::LuaA:
        // Our template's only ':' are inside IPv6 literals, and one record never mixes families.
        return luaCode.contains(':') ? TypeAaaa : TypeA;
    }
    return TypeA;
}

std::optional<SteeringRecord> buildSteeringRecord(const WeightTable &table, QString *error)
{
    if (table.ttl > MaxTtl)
        return fail(error, QStringLiteral("TTL %1 is above %2").arg(table.ttl).arg(MaxTtl));
    if (table.leaseEndUnix < 0 || table.validUntilUnix < 0)
        return fail(error, QStringLiteral("negative deadline (lease end %1, valid until %2)")
                               .arg(table.leaseEndUnix)
                               .arg(table.validUntilUnix));

    QList<Candidate> proxies;
    QList<Candidate> servers;
    if (!collect(table.proxies, QStringLiteral("proxy"), &proxies, error) ||
        !collect(table.overflowServers, QStringLiteral("overflow server"), &servers, error))
        return std::nullopt;

    // The overflow is the weighted servers; only when there are none, the origin name.
    const bool overflowIsName = servers.isEmpty() && table.overflowName.has_value();
    if (proxies.isEmpty() && servers.isEmpty() && !overflowIsName)
        return fail(error, QStringLiteral("no target at all: no proxy or overflow server has a "
                                          "weight above 0, and there is no overflow name"));
    if (!proxies.isEmpty() && servers.isEmpty() && !overflowIsName)
        return fail(error, QStringLiteral("no overflow (servers or origin name) to answer once "
                                          "the lease or the weights expire"));

    // One LUA record has one inner type: if anything must be answered by name, all are.
    bool byName = overflowIsName;
    for (const QList<Candidate> *list : {&proxies, &servers}) {
        for (const Candidate &candidate : *list)
            byName = byName || candidate.target->address.isNull();
    }

    auto toEntries = [&](const QList<Candidate> &candidates, QList<Entry> *entries) -> bool {
        for (const Candidate &candidate : candidates) {
            const WeightedTarget &target = *candidate.target;
            if (byName) {
                if (!target.name) {
                    fail(error,
                         QStringLiteral("%1 has no name for a CNAME answer").arg(candidate.label));
                    return false;
                }
                entries->append({target.weight, target.name->absolute()});
            } else {
                entries->append({target.weight, target.address.toString()});
            }
        }
        return true;
    };
    QList<Entry> proxyEntries;
    QList<Entry> serverEntries;
    if (!toEntries(proxies, &proxyEntries) || !toEntries(servers, &serverEntries))
        return std::nullopt;

    if (!byName) {
        const QAbstractSocket::NetworkLayerProtocol family =
            (proxies.isEmpty() ? servers : proxies).first().target->address.protocol();
        for (const QList<Candidate> *list : {&proxies, &servers}) {
            for (const Candidate &candidate : *list) {
                if (candidate.target->address.protocol() != family)
                    return fail(error, QStringLiteral("%1: IPv4 and IPv6 targets mixed in one "
                                                      "record")
                                           .arg(candidate.label));
            }
        }
    }

    SteeringRecord record;
    record.ttl = table.ttl;
    QString code;
    if (proxies.isEmpty()) {
        // The overflow alone: a plain record when no split is needed.
        if (overflowIsName) {
            record.kind = SteeringRecord::Kind::StaticCname;
            record.staticTarget = table.overflowName;
            return record;
        }
        if (byName && servers.size() == 1) {
            record.kind = SteeringRecord::Kind::StaticCname;
            record.staticTarget = servers.first().target->name;
            return record;
        }
        const int firstWeight = servers.first().target->weight;
        const bool equal = std::all_of(servers.cbegin(), servers.cend(), [&](const Candidate &c) {
            return c.target->weight == firstWeight;
        });
        if (!byName && equal) {
            record.kind = SteeringRecord::Kind::StaticA;
            for (const Candidate &candidate : servers) {
                if (!record.staticAddresses.contains(candidate.target->address))
                    record.staticAddresses << candidate.target->address;
            }
            return record;
        }
        code = answerExpression(serverEntries);
    } else {
        qint64 deadline = 0;
        if (table.leaseEndUnix > 0 && table.validUntilUnix > 0)
            deadline = std::min(table.leaseEndUnix, table.validUntilUnix);
        else
            deadline = std::max(table.leaseEndUnix, table.validUntilUnix);
        if (deadline <= 0)
            return fail(error, QStringLiteral("no deadline: proxies need a lease end or a "
                                              "valid-until time"));
        const QList<Entry> before = proxyEntries + serverEntries;
        const QList<Entry> after =
            overflowIsName ? QList<Entry>{{1, table.overflowName->absolute()}} : serverEntries;
        code = QStringLiteral(";if os.time() < %1 then return %2 else return %3 end")
                   .arg(deadline)
                   .arg(answerExpression(before), answerExpression(after));
    }
    record.kind = byName ? SteeringRecord::Kind::LuaCname : SteeringRecord::Kind::LuaA;

    record.luaCode = code.toLatin1();
    if (!isWellFormedSteeringCode(record.luaCode))
        return fail(error, QStringLiteral("refusing the generated Lua code: it does not match the "
                                          "steering template"));
    const QByteArray rdata = record.luaRdata();
    if (rdata.isEmpty())
        return fail(error, QStringLiteral("the Lua code cannot be split into 255-octet strings "
                                          "outside its literals (a name is too long)"));
    if (rdata.size() > MaxRdata)
        return fail(error, QStringLiteral("the LUA record would be %1 octets (at most %2): too "
                                          "many targets")
                               .arg(rdata.size())
                               .arg(MaxRdata));
    return record;
}

} // namespace headroom
