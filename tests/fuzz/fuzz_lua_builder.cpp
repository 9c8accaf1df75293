// Fuzz target: the Lua code of steering records, which PowerDNS executes. No input may yield Lua
// text outside the safe template. The first byte selects, the rest is the input:
//   even - a weight table as text, one setting a line (fields separated by spaces):
//            ttl N | lease UNIX | valid UNIX | origin NAME
//            proxy ADDRESS|- NAME|- WEIGHT | server ADDRESS|- NAME|- WEIGHT
//          Addresses go through QHostAddress::setAddress() and names through DnsName::parse(),
//          as `dns set-weights` reads them; numbers may be anything (out of range on purpose).
//          buildSteeringRecord() runs on the table; a record it returns must pass the checker
//          below, agree with isWellFormedSteeringCode(), say only what the table says, and split
//          into RDATA as documented.
//   odd  - the bytes are Lua code: isWellFormedSteeringCode() must agree with the checker below.
//
// The checker is written here, independently of steeringrecord.cpp: a hand-written recursive
// descent over the template, then byte rules and a reading of every literal (inet_pton for
// addresses, the host name rules for names).

#include "dns/dnsname.h"
#include "dns/steeringrecord.h"
#include "dns/zonetransfer.h"
#include "fuzzcheck.h"

#include <QHostAddress>
#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

using namespace headroom;

namespace {

// ---- the independent checker ---------------------------------------------------------------

struct Pair
{
    int weight = 0; // 0: a single literal, not a pickwrandom list
    std::string literal;
    bool operator<(const Pair &o) const
    {
        return std::tie(weight, literal) < std::tie(o.weight, o.literal);
    }
};

struct Template
{
    bool hasDeadline = false;
    std::string deadline;
    std::vector<Pair> before; // without a deadline: the only answer
    std::vector<Pair> after;
};

// The template, and nothing else:
//   code     := answer | ";if os.time() < " DEADLINE " then return " answer " else return "
//               answer " end"
//   answer   := literal | "pickwrandom({" pair ("," pair)* "})"
//   pair     := "{" WEIGHT "," literal "}"
//   literal  := "'" [a-z0-9._:-]+ "'"
//   DEADLINE := [1-9][0-9]{0,18}      WEIGHT := [1-9][0-9]{0,4}
class TemplateReader
{
public:
    explicit TemplateReader(std::string_view code) : m_code(code) {}

    bool read(Template *out)
    {
        if (word(";if os.time() < ")) {
            out->hasDeadline = true;
            return number(19, &out->deadline) && word(" then return ") && answer(&out->before) &&
                   word(" else return ") && answer(&out->after) && word(" end") && atEnd();
        }
        return answer(&out->before) && atEnd();
    }

private:
    bool atEnd() const { return m_pos == m_code.size(); }

    bool word(std::string_view w)
    {
        if (m_code.substr(m_pos, w.size()) != w)
            return false;
        m_pos += w.size();
        return true;
    }

    bool number(size_t maxDigits, std::string *out)
    {
        const size_t start = m_pos;
        if (atEnd() || m_code[m_pos] < '1' || m_code[m_pos] > '9')
            return false;
        while (!atEnd() && m_code[m_pos] >= '0' && m_code[m_pos] <= '9')
            ++m_pos;
        *out = std::string(m_code.substr(start, m_pos - start));
        return out->size() <= maxDigits;
    }

    bool literal(std::string *out)
    {
        if (!word("'"))
            return false;
        const size_t start = m_pos;
        while (!atEnd()) {
            const char c = m_code[m_pos];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == ':' || c == '-'))
                break;
            ++m_pos;
        }
        if (m_pos == start)
            return false;
        *out = std::string(m_code.substr(start, m_pos - start));
        return word("'");
    }

    bool answer(std::vector<Pair> *out)
    {
        if (!atEnd() && m_code[m_pos] == '\'') {
            Pair single;
            if (!literal(&single.literal))
                return false;
            out->push_back(single);
            return true;
        }
        if (!word("pickwrandom({"))
            return false;
        do {
            Pair p;
            std::string weight;
            if (!word("{") || !number(5, &weight) || !word(",") || !literal(&p.literal) ||
                !word("}"))
                return false;
            p.weight = std::stoi(weight);
            out->push_back(p);
        } while (word(","));
        return word("})");
    }

    std::string_view m_code;
    size_t m_pos = 0;
};

// Byte rules any Lua we send must keep, whatever the grammar says: printable ASCII, single quotes
// only and balanced, no backslash, no brackets (long strings), and outside the quoted literals no
// comment ("--") and no concatenation ("..").
bool keepsByteRules(std::string_view code)
{
    bool quoted = false;
    for (size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '[' || c == ']' || c == '`')
            return false;
        if (c == '\'') {
            quoted = !quoted;
            continue;
        }
        if (!quoted && i + 1 < code.size() &&
            ((c == '-' && code[i + 1] == '-') || (c == '.' && code[i + 1] == '.')))
            return false;
    }
    return !quoted;
}

bool isSafeTemplate(std::string_view code, Template *out)
{
    return keepsByteRules(code) && TemplateReader(code).read(out);
}

// An absolute host name as DNS and our Lua may carry it: labels of [a-z0-9_-], 1-63 octets, no
// leading or trailing '-', "--" only as the "xn--" of an IDNA A-label, 253 octets at most.
bool isAbsoluteHostName(std::string_view name)
{
    if (name.size() < 2 || name.size() > 254 || name.back() != '.')
        return false;
    name.remove_suffix(1);
    size_t start = 0;
    while (start <= name.size()) {
        const size_t dot = std::min(name.find('.', start), name.size());
        const std::string_view label = name.substr(start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (const char c : label) {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
                return false;
        }
        const size_t dashes = label.find("--");
        if (dashes != std::string_view::npos &&
            (dashes != 2 || label.substr(0, 2) != "xn" || label.find("--", 3) != label.npos))
            return false;
        start = dot + 1;
    }
    return true;
}

// A plain unicast address in the form Lua gets it: 4 or 16 bytes, empty when it is not one.
std::string unicastAddress(const std::string &literal, int *family)
{
    unsigned char bytes[16] = {};
    if (inet_pton(AF_INET, literal.c_str(), bytes) == 1) {
        char back[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, bytes, back, sizeof back);
        const bool unspecified = bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0;
        const bool broadcast =
            bytes[0] == 255 && bytes[1] == 255 && bytes[2] == 255 && bytes[3] == 255;
        const bool multicast = bytes[0] >= 224 && bytes[0] <= 239;
        const bool linkLocal = bytes[0] == 169 && bytes[1] == 254;
        if (literal != back || unspecified || broadcast || multicast || linkLocal)
            return {};
        *family = AF_INET;
        return std::string(reinterpret_cast<char *>(bytes), 4);
    }
    if (inet_pton(AF_INET6, literal.c_str(), bytes) == 1) {
        static const unsigned char zero[16] = {};
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        const bool unspecified = std::memcmp(bytes, zero, 16) == 0;
        const bool v4Mapped = std::memcmp(bytes, mapped, 12) == 0;
        const bool multicast = bytes[0] == 0xff;
        const bool linkLocal = bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
        if (unspecified || v4Mapped || multicast || linkLocal)
            return {};
        *family = AF_INET6;
        return std::string(reinterpret_cast<char *>(bytes), 16);
    }
    return {};
}

std::string bytesOfAddress(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v = address.toIPv4Address();
        const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
        return std::string(b, 4);
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return std::string(reinterpret_cast<const char *>(v6.c), 16);
}

// ---- the weight table, from text -------------------------------------------------------------

WeightTable readTable(const QByteArray &text)
{
    WeightTable table;
    const auto target = [](const QList<QByteArray> &f) {
        WeightedTarget t;
        if (f.size() > 1 && f.at(1) != "-")
            t.address.setAddress(QString::fromUtf8(f.at(1)));
        if (f.size() > 2 && f.at(2) != "-")
            t.name = DnsName::parse(QString::fromUtf8(f.at(2)));
        if (f.size() > 3)
            t.weight = int(f.at(3).toLongLong()); // wraps on purpose: any int
        return t;
    };
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.first() == "ttl" && f.size() > 1)
            table.ttl = quint32(f.at(1).toULongLong());
        else if (f.first() == "lease" && f.size() > 1)
            table.leaseEndUnix = f.at(1).toLongLong();
        else if (f.first() == "valid" && f.size() > 1)
            table.validUntilUnix = f.at(1).toLongLong();
        else if (f.first() == "origin" && f.size() > 1)
            table.overflowName = DnsName::parse(QString::fromUtf8(f.at(1)));
        else if (f.first() == "proxy")
            table.proxies.append(target(f));
        else if (f.first() == "server")
            table.overflowServers.append(target(f));
    }
    return table;
}

// ---- what a built record must be -------------------------------------------------------------

// The (weight, literal) pairs the table allows, in address form and in name form.
struct Allowed
{
    std::set<Pair> addressPairs;
    std::set<Pair> namePairs;
    std::set<std::string> addresses; // bytes
    std::set<std::string> names;
};

Allowed allowedFrom(const QList<WeightedTarget> &targets)
{
    Allowed a;
    for (const WeightedTarget &t : targets) {
        if (t.weight <= 0)
            continue;
        if (!t.address.isNull()) {
            a.addressPairs.insert({t.weight, bytesOfAddress(t.address)});
            a.addresses.insert(bytesOfAddress(t.address));
        }
        if (t.name) {
            a.namePairs.insert({t.weight, t.name->absolute().toStdString()});
            a.names.insert(t.name->absolute().toStdString());
        }
    }
    return a;
}

// Each pair of an answer is a target of the table with its weight (a lone literal: any weight).
void checkAnswer(const std::vector<Pair> &answer, bool names, const Allowed &allowed, int *family)
{
    FUZZ_CHECK(!answer.empty());
    FUZZ_CHECK(answer.size() == 1 || answer.front().weight > 0);
    for (const Pair &p : answer) {
        const QString literal = QString::fromStdString(p.literal);
        FUZZ_CHECK(answer.size() == 1 || (p.weight >= 1 && p.weight <= 65535), literal);
        if (names) {
            FUZZ_CHECK(isAbsoluteHostName(p.literal), literal);
            FUZZ_CHECK(p.weight == 0 ? allowed.names.count(p.literal) == 1
                                     : allowed.namePairs.count(p) == 1,
                       literal);
            continue;
        }
        int f = 0;
        const std::string bytes = unicastAddress(p.literal, &f);
        FUZZ_CHECK(!bytes.empty(), literal);
        FUZZ_CHECK(*family == 0 || *family == f, literal); // one family in one record
        *family = f;
        FUZZ_CHECK(p.weight == 0 ? allowed.addresses.count(bytes) == 1
                                 : allowed.addressPairs.count({p.weight, bytes}) == 1,
                   literal);
    }
}

void checkRdata(const SteeringRecord &record)
{
    const QByteArray rdata = record.luaRdata();
    FUZZ_CHECK(rdata.size() >= 3 && rdata.size() <= 65535, QString::number(rdata.size()));
    const auto parsed = parseLuaRdata(rdata);
    FUZZ_CHECK(parsed && parsed->innerType == record.innerType() && parsed->code == record.luaCode);
    // Character-strings of at most 255 octets, cut only after ',' or ' ' outside a literal.
    qsizetype pos = 2;
    int quotes = 0;
    while (pos < rdata.size()) {
        const int length = quint8(rdata.at(pos));
        const QByteArray piece = rdata.mid(pos + 1, length);
        FUZZ_CHECK(length > 0 && piece.size() == length);
        quotes += int(piece.count('\''));
        pos += 1 + length;
        if (pos < rdata.size()) {
            FUZZ_CHECK(piece.endsWith(',') || piece.endsWith(' '), QString::fromLatin1(piece));
            FUZZ_CHECK(quotes % 2 == 0, QString::fromLatin1(piece));
        }
    }
}

void checkBuilt(const WeightTable &table)
{
    QString error;
    const auto record = buildSteeringRecord(table, &error);
    if (!record) {
        // Messages name targets by number, address or DNS name: never a scope id or other text.
        FUZZ_CHECK(!error.isEmpty() && fuzz::isPrintableAscii(error), error);
        return;
    }
    FUZZ_CHECK(record->ttl == table.ttl && record->ttl <= 2147483647u);
    const Allowed proxies = allowedFrom(table.proxies);
    const Allowed servers = allowedFrom(table.overflowServers);
    const bool anyProxy = !proxies.addresses.empty() || !proxies.names.empty();
    const auto serverAddresses = [&] {
        std::set<std::string> out;
        for (const WeightedTarget &t : table.overflowServers) {
            if (t.weight > 0 && !t.address.isNull())
                out.insert(bytesOfAddress(t.address));
        }
        return out;
    }();

    switch (record->kind) {
    case SteeringRecord::Kind::StaticA: {
        FUZZ_CHECK(!anyProxy && record->luaCode.isEmpty() && !record->staticAddresses.isEmpty());
        int family = 0;
        for (const QHostAddress &a : record->staticAddresses) {
            FUZZ_CHECK(a.scopeId().isEmpty());
            int f = 0;
            FUZZ_CHECK(!unicastAddress(a.toString().toStdString(), &f).empty(), a.toString());
            FUZZ_CHECK(family == 0 || family == f);
            family = f;
            FUZZ_CHECK(serverAddresses.count(bytesOfAddress(a)) == 1, a.toString());
        }
        return;
    }
    case SteeringRecord::Kind::StaticCname: {
        FUZZ_CHECK(!anyProxy && record->luaCode.isEmpty() && record->staticTarget);
        const std::string target = record->staticTarget->absolute().toStdString();
        FUZZ_CHECK(isAbsoluteHostName(target), record->staticTarget->absolute());
        FUZZ_CHECK(
            servers.names.count(target) == 1 ||
                (table.overflowName && table.overflowName->absolute().toStdString() == target),
            record->staticTarget->absolute());
        return;
    }
    case SteeringRecord::Kind::LuaA:
    case SteeringRecord::Kind::LuaCname:
        break;
    }

    const std::string code = record->luaCode.toStdString();
    const QString shown = QString::fromLatin1(record->luaCode);
    Template t;
    FUZZ_CHECK(isSafeTemplate(code, &t), shown);
    FUZZ_CHECK(isWellFormedSteeringCode(record->luaCode), shown);

    const bool names = record->kind == SteeringRecord::Kind::LuaCname;
    Allowed everyone = proxies;
    everyone.addressPairs.insert(servers.addressPairs.begin(), servers.addressPairs.end());
    everyone.namePairs.insert(servers.namePairs.begin(), servers.namePairs.end());
    everyone.addresses.insert(servers.addresses.begin(), servers.addresses.end());
    everyone.names.insert(servers.names.begin(), servers.names.end());
    Allowed overflow = servers;
    if (table.overflowName) {
        // The origin name answers after the deadline when no server has a weight.
        overflow.names.insert(table.overflowName->absolute().toStdString());
        overflow.namePairs.insert({1, table.overflowName->absolute().toStdString()});
        everyone.names.insert(table.overflowName->absolute().toStdString());
        everyone.namePairs.insert({1, table.overflowName->absolute().toStdString()});
    }

    int family = 0;
    FUZZ_CHECK(t.hasDeadline == anyProxy, shown); // proxies only ever answer before a deadline
    if (t.hasDeadline) {
        const qint64 lease = table.leaseEndUnix;
        const qint64 valid = table.validUntilUnix;
        const qint64 deadline =
            lease > 0 && valid > 0 ? std::min(lease, valid) : std::max(lease, valid);
        FUZZ_CHECK(t.deadline == std::to_string(deadline), shown);
        checkAnswer(t.before, names, everyone, &family);
        checkAnswer(t.after, names, overflow, &family);
    } else {
        checkAnswer(t.before, names, servers, &family);
    }
    const quint16 expectedType = names ? 5 : family == AF_INET6 ? 28 : 1;
    FUZZ_CHECK(record->innerType() == expectedType, shown);
    checkRdata(*record);
}

void checkRawCode(const QByteArray &code)
{
    Template ignored;
    const bool ours = isSafeTemplate(code.toStdString(), &ignored);
    const bool product = isWellFormedSteeringCode(code);
    // Accepting more than the template is the danger; refusing a template code would only
    // refuse an update. Both must agree.
    FUZZ_CHECK(!product || ours, QString::fromLatin1(code));
    FUZZ_CHECK(product || !ours, QString::fromLatin1(code));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input = fuzz::bytesOf(data + 1, size - 1);
    if (data[0] % 2 == 0)
        checkBuilt(readTable(input));
    else
        checkRawCode(input);
    return 0;
}
