#include "zonefile.h"

#include "ldnsptr.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <optional>

namespace headroom {

using namespace zonefile;

namespace {

constexpr qsizetype MaxQuotedText = 120; // of a line in a problem report
constexpr quint64 MaxTtl = 0x7fffffff;   // RFC 2181 section 8
constexpr quint32 MaxTypeOrClass = 0xffff;

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Printable ASCII as is, anything else as a zone file \DDD escape: safe for terminals and logs.
QString printable(QByteArrayView bytes)
{
    QString out;
    qsizetype i = 0;
    for (; i < bytes.size() && out.size() < MaxQuotedText; ++i) {
        const auto c = uchar(bytes[i]);
        if (c >= 0x20 && c < 0x7f)
            out += QLatin1Char(char(c));
        else
            out += QStringLiteral("\\%1").arg(uint(c), 3, 10, QLatin1Char('0'));
    }
    if (i < bytes.size())
        out += QStringLiteral("...");
    return out;
}

QString printableText(const QString &text)
{
    return printable(QByteArrayView(text.toUtf8()));
}

// A TTL in seconds: "3600", "1h30m", "2D". Stricter than ldns_str2period, which stops silently
// at the first character it does not know.
bool parsePeriod(QByteArrayView text, quint32 *seconds)
{
    quint64 total = 0;
    quint64 current = 0;
    bool digits = false;
    for (const char c : text) {
        if (isDigit(c)) {
            current = current * 10 + quint64(c - '0');
            if (current > MaxTtl)
                return false;
            digits = true;
            continue;
        }
        quint64 unit = 0;
        switch (c) {
        case 's':
        case 'S':
            unit = 1;
            break;
        case 'm':
        case 'M':
            unit = 60;
            break;
        case 'h':
        case 'H':
            unit = 3600;
            break;
        case 'd':
        case 'D':
            unit = 86400;
            break;
        case 'w':
        case 'W':
            unit = 604800;
            break;
        default:
            return false;
        }
        if (!digits)
            return false;
        total += current * unit;
        current = 0;
        digits = false;
        if (total > MaxTtl)
            return false;
    }
    total += current;
    if (text.isEmpty() || total > MaxTtl)
        return false;
    *seconds = quint32(total);
    return true;
}

// "TYPE65402" or "CLASS3": ldns reads the number with atoi(), unchecked.
bool isNumericForm(QByteArrayView token, QByteArrayView prefix)
{
    return token.size() > prefix.size() &&
           QByteArrayView(token.first(prefix.size())).compare(prefix, Qt::CaseInsensitive) == 0;
}

bool numericFormValue(QByteArrayView token, QByteArrayView prefix, quint32 *value)
{
    quint32 v = 0;
    for (const char c : token.sliced(prefix.size())) {
        if (!isDigit(c))
            return false;
        v = v * 10 + quint32(c - '0');
        if (v > MaxTypeOrClass)
            return false;
    }
    *value = v;
    return true;
}

// Whitespace-separated tokens; a backslash escapes the next character.
QList<QByteArrayView> tokens(QByteArrayView text)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    while (i < text.size()) {
        while (i < text.size() && isBlank(text[i]))
            ++i;
        const qsizetype start = i;
        while (i < text.size() && !isBlank(text[i]))
            i += text[i] == '\\' ? 2 : 1;
        i = std::min(i, text.size());
        if (i > start)
            out.append(text.sliced(start, i - start));
    }
    return out;
}

// One entry of the file: a directive or a record, joined across parentheses.
struct Entry
{
    int line = 0;         // first physical line, 1-based
    QByteArrayView first; // that line, for problem reports
    QByteArray text;      // comments dropped, parentheses resolved, one line
    QString problem;      // the reader already knows the entry is bad
};

// Splits master file text into entries. Linear in the input; never holds more than
// MaxLineLength bytes of one entry.
class EntryReader
{
public:
    explicit EntryReader(const QByteArray &data) : m_data(data) {}

    // The next entry that is not blank; false at the end of the data.
    bool next(Entry *entry);

private:
    static void fail(Entry *entry, const QString &reason)
    {
        if (entry->problem.isEmpty())
            entry->problem = reason;
    }

    const QByteArray &m_data;
    qsizetype m_pos = 0;
    int m_line = 0;
};

bool EntryReader::next(Entry *entry)
{
    *entry = Entry();
    int depth = 0;
    int openedOn = 0;
    bool tooLong = false;
    bool nul = false;
    const auto append = [&](char c) {
        if (entry->text.size() < MaxLineLength)
            entry->text.append(c);
        else
            tooLong = true;
    };
    const auto finish = [&]() {
        if (nul)
            fail(entry, QStringLiteral("NUL byte in the text"));
        if (tooLong)
            fail(entry, QStringLiteral("record longer than %1 bytes").arg(MaxLineLength));
        while (!entry->text.isEmpty() && isBlank(entry->text.back()))
            entry->text.chop(1);
    };

    while (m_pos < m_data.size()) {
        const qsizetype newline = m_data.indexOf('\n', m_pos);
        const qsizetype end = newline < 0 ? m_data.size() : newline;
        const QByteArrayView line(m_data.constData() + m_pos, end - m_pos);
        m_pos = end + 1;
        ++m_line;
        if (entry->line == 0) {
            entry->line = m_line;
            entry->first = line;
        }
        if (line.size() > MaxLineLength)
            fail(entry, QStringLiteral("line of %1 bytes (at most %2)")
                            .arg(line.size())
                            .arg(MaxLineLength));

        bool quoted = false;
        bool escaped = false;
        for (const char c : line) {
            if (c == '\0') {
                nul = true;
            } else if (escaped) {
                escaped = false;
                append(c);
            } else if (c == '\\') {
                escaped = true;
                append(c);
            } else if (quoted) {
                quoted = c != '"';
                append(c);
            } else if (c == '"') {
                quoted = true;
                append(c);
            } else if (c == ';') {
                break;
            } else if (c == '(') {
                if (depth++ == 0)
                    openedOn = m_line;
                append(' ');
            } else if (c == ')') {
                if (depth == 0)
                    fail(entry, QStringLiteral("')' without '('"));
                else
                    --depth;
                append(' ');
            } else if (c == '\r') {
                append(' ');
            } else {
                append(c);
            }
        }
        if (quoted)
            fail(entry, QStringLiteral("quoted string not closed on its line"));
        if (depth > 0) {
            append(' ');
            continue;
        }
        finish();
        if (entry->problem.isEmpty() && entry->text.trimmed().isEmpty()) {
            *entry = Entry();
            nul = tooLong = false;
            continue;
        }
        return true;
    }
    if (entry->line == 0)
        return false;
    // Only an open parenthesis carries an entry to the end of the data.
    fail(entry, QStringLiteral("'(' on line %1 is never closed").arg(openedOn));
    finish();
    return true;
}

class ZoneParser
{
public:
    ZoneParser(const DnsName &origin, quint32 defaultTtl, qsizetype maxRecords)
        : m_origin(ldns_dname_new_frm_str(origin.absolute().toLatin1().constData())),
          m_ttl(defaultTtl), m_maxRecords(maxRecords)
    {
    }

    ZoneFileResult parse(const QByteArray &text);

private:
    void problem(const Entry &entry, const QString &reason);
    void directive(const Entry &entry);
    // False when the entry is fatal for the whole file.
    bool record(const Entry &entry);

    ZoneFileResult m_result;
    LdnsRdfPtr m_origin;
    LdnsRdfPtr m_previousOwner;
    quint32 m_ttl;
    qsizetype m_maxRecords;
    qsizetype m_unlisted = 0;
    int m_firstUnlisted = 0;
};

void ZoneParser::problem(const Entry &entry, const QString &reason)
{
    if (m_result.problems.size() < MaxListedProblems) {
        m_result.problems.append({entry.line, printable(entry.first), reason});
    } else if (m_unlisted++ == 0) {
        m_firstUnlisted = entry.line;
    }
}

void ZoneParser::directive(const Entry &entry)
{
    const QList<QByteArrayView> words = tokens(entry.text);
    const QByteArray keyword = words.first().toByteArray().toUpper();
    if (keyword == "$INCLUDE") {
        problem(entry, QStringLiteral("$INCLUDE refused: a zone file may not read other files"));
    } else if (keyword == "$TTL") {
        quint32 ttl = 0;
        if (words.size() != 2 || !parsePeriod(words.at(1), &ttl))
            problem(entry, QStringLiteral("$TTL needs one TTL of at most %1 seconds").arg(MaxTtl));
        else
            m_ttl = ttl;
    } else if (keyword == "$ORIGIN") {
        if (words.size() != 2) {
            problem(entry, QStringLiteral("$ORIGIN needs one name"));
            return;
        }
        const QByteArray name = words.at(1).toByteArray();
        if (name == "@")
            return;
        LdnsRdfPtr origin(name.startsWith('@') ? nullptr
                                               : ldns_dname_new_frm_str(name.constData()));
        if (!origin) {
            problem(entry, QStringLiteral("$ORIGIN: not a domain name"));
            return;
        }
        if (!ldns_dname_str_absolute(name.constData())) {
            const ldns_status status = ldns_dname_cat(origin.get(), m_origin.get());
            if (status != LDNS_STATUS_OK) {
                problem(entry, QStringLiteral("$ORIGIN: %1")
                                   .arg(QString::fromLatin1(ldns_get_errorstr_by_id(status))));
                return;
            }
        }
        m_origin = std::move(origin);
    } else {
        problem(entry, QStringLiteral("unsupported directive %1").arg(printable(keyword)));
    }
}

bool ZoneParser::record(const Entry &entry)
{
    // Owner, TTL and class are read here, where ldns is lax (it ignores junk after a TTL, reads
    // "TYPEnnn" with atoi() and knows only the TTL-before-class order of RFC 1035's two). ldns
    // then gets "owner class type rdata" and the TTL is set afterwards.
    const QList<QByteArrayView> words = tokens(entry.text);
    const bool ownerOmitted = isBlank(entry.text.front());
    qsizetype next = ownerOmitted ? 0 : 1;
    if (!ownerOmitted && words.first().startsWith('@') && words.first().size() > 1) {
        problem(entry, QStringLiteral("owner name starts with '@'"));
        return true;
    }
    std::optional<quint32> ttl;
    QByteArrayView classWord;
    for (int field = 0; field < 2 && next < words.size(); ++field) {
        const QByteArrayView word = words.at(next);
        quint32 value = 0;
        if (!ttl && isDigit(word.front())) {
            if (!parsePeriod(word, &value)) {
                problem(entry,
                        QStringLiteral("TTL is not a number of at most %1 seconds").arg(MaxTtl));
                return true;
            }
            ttl = value;
        } else if (classWord.isEmpty() && isNumericForm(word, "CLASS")) {
            if (!numericFormValue(word, "CLASS", &value)) {
                problem(entry, QStringLiteral("bad class %1").arg(printable(word)));
                return true;
            }
            classWord = word;
        } else if (classWord.isEmpty() &&
                   ldns_get_rr_class_by_name(word.toByteArray().constData()) != 0) {
            classWord = word;
        } else {
            break;
        }
        ++next;
    }
    if (next >= words.size()) {
        problem(entry, QStringLiteral("no record type"));
        return true;
    }
    const QByteArrayView typeWord = words.at(next);
    quint32 numericType = 0;
    if (isNumericForm(typeWord, "TYPE") && !numericFormValue(typeWord, "TYPE", &numericType)) {
        problem(entry, QStringLiteral("bad record type %1").arg(printable(typeWord)));
        return true;
    }
    QByteArray text = ownerOmitted ? QByteArray(" ") : words.first().toByteArray();
    if (!classWord.isEmpty())
        text += ' ' + classWord.toByteArray();
    text += ' ';
    text += QByteArrayView(typeWord.data(), entry.text.constEnd() - typeWord.data());

    ldns_rr *raw = nullptr;
    ldns_rdf *previous = m_previousOwner.release();
    const ldns_status status =
        ldns_rr_new_frm_str(&raw, text.constData(), m_ttl, m_origin.get(), &previous);
    m_previousOwner.reset(previous);
    const LdnsRrPtr rr(raw);
    if (status != LDNS_STATUS_OK || !rr) {
        problem(entry, QString::fromLatin1(ldns_get_errorstr_by_id(status)));
        return true;
    }

    const auto type = quint16(ldns_rr_get_type(rr.get()));
    if (type == 0) {
        problem(entry, QStringLiteral("unknown record type %1").arg(printable(typeWord)));
        return true;
    }
    // OPT, TKEY, TSIG and the query types live in messages, never in zones.
    if (type == 41 || (type >= 249 && type <= 255)) {
        problem(entry, QStringLiteral("%1 is not a zone record type").arg(printable(typeWord)));
        return true;
    }
    if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN) {
        problem(entry, QStringLiteral("only class IN is supported"));
        return true;
    }
    const ldns_rdf *owner = ldns_rr_owner(rr.get());
    const uint8_t *wire = ldns_rdf_data(owner);
    for (size_t i = 0, size = ldns_rdf_size(owner); i < size;) {
        const size_t length = wire[i++];
        for (size_t end = std::min(size, i + length); i < end; ++i) {
            if (wire[i] <= 0x20 || wire[i] >= 0x7f) {
                problem(entry, QStringLiteral(
                                   "owner name contains a space, control or non-ASCII character"));
                return true;
            }
        }
    }
    ldns_rr_set_ttl(rr.get(), ttl.value_or(m_ttl));

    if (m_result.records.size() >= m_maxRecords) {
        m_result.error = QStringLiteral("more than %1 records").arg(m_maxRecords);
        return false;
    }
    m_result.records.append(dnswire::recordFromLdns(rr.get()));
    return true;
}

ZoneFileResult ZoneParser::parse(const QByteArray &text)
{
    if (!m_origin) {
        m_result.error = QStringLiteral("invalid origin");
        return m_result;
    }
    if (text.size() > MaxFileSize) {
        m_result.error =
            QStringLiteral("zone text of %1 bytes (at most %2)").arg(text.size()).arg(MaxFileSize);
        return m_result;
    }
    EntryReader reader(text);
    Entry entry;
    while (reader.next(&entry)) {
        if (!entry.problem.isEmpty())
            problem(entry, entry.problem);
        else if (entry.text.startsWith('$'))
            directive(entry);
        else if (!record(entry))
            break;
    }
    if (!m_result.ok()) {
        m_result.records.clear();
        return m_result;
    }
    if (m_unlisted > 0)
        m_result.problems.append(
            {m_firstUnlisted, QString(),
             QStringLiteral("%1 more problems from this line on, not listed").arg(m_unlisted)});
    return m_result;
}

QString typeName(quint16 type)
{
    char *name = ldns_rr_type2str(ldns_rr_type(type));
    if (!name)
        return recordTypeName(type);
    const QString out = QString::fromLatin1(name);
    free(name); // NOLINT: allocated by ldns with malloc
    return out;
}

QString describe(const DnsRecord &record)
{
    return printableText(
        QStringLiteral("%1 %2 %3").arg(record.name, typeName(record.type), record.text));
}

} // namespace

ZoneFileResult parseZoneFile(const QByteArray &text, const DnsName &origin, quint32 defaultTtl)
{
    return parseZoneFile(text, origin, defaultTtl, MaxRecords);
}

ZoneFileResult parseZoneFile(const QByteArray &text, const DnsName &origin, quint32 defaultTtl,
                             qsizetype maxRecords)
{
    return ZoneParser(origin, defaultTtl, maxRecords).parse(text);
}

ZoneFileResult readZoneFile(const QString &path, const DnsName &origin)
{
    ZoneFileResult result;
    const QFileInfo info(path);
    // A FIFO or device would block or never end.
    if (!info.isFile()) {
        result.error = info.exists() ? QStringLiteral("%1 is not a regular file").arg(path)
                                     : QStringLiteral("%1 does not exist").arg(path);
        return result;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return result;
    }
    if (file.size() > MaxFileSize) {
        result.error = QStringLiteral("%1 is %2 bytes (at most %3)")
                           .arg(path)
                           .arg(file.size())
                           .arg(MaxFileSize);
        return result;
    }
    const QByteArray data = file.read(MaxFileSize + 1);
    if (file.error() != QFileDevice::NoError) {
        result.error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return result;
    }
    if (data.size() > MaxFileSize) {
        result.error = QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(MaxFileSize);
        return result;
    }
    return parseZoneFile(data, origin);
}

NameMap nameMapFrom(const DnsName &zone, const QList<DnsRecord> &records)
{
    NameMap map;
    for (const DnsRecord &r : records) {
        const auto type = RecordType(r.type);
        if (type == RecordType::SOA || type == RecordType::NS)
            continue;
        if (type != RecordType::A && type != RecordType::AAAA && type != RecordType::CNAME) {
            map.problems.append(QStringLiteral("%1: unsupported type, skipped").arg(describe(r)));
            continue;
        }
        QString error;
        const std::optional<DnsName> owner = DnsName::parse(r.name, &error);
        if (!owner) {
            map.problems.append(
                QStringLiteral("%1: owner is not a host name (%2)").arg(describe(r), error));
            continue;
        }
        if (!owner->isSubdomainOf(zone)) {
            map.problems.append(
                QStringLiteral("%1: outside zone %2").arg(describe(r), zone.absolute()));
            continue;
        }
        DnsRecord entry = r;
        entry.name = owner->absolute();
        if (type == RecordType::A || type == RecordType::AAAA) {
            const auto wanted = type == RecordType::A ? QAbstractSocket::IPv4Protocol
                                                      : QAbstractSocket::IPv6Protocol;
            if (r.address.protocol() != wanted) {
                map.problems.append(QStringLiteral("%1: data is not an %2 address")
                                        .arg(describe(r), type == RecordType::A
                                                              ? QStringLiteral("IPv4")
                                                              : QStringLiteral("IPv6")));
                continue;
            }
        } else {
            const std::optional<DnsName> target = DnsName::parse(r.target, &error);
            if (!target) {
                map.problems.append(
                    QStringLiteral("%1: target is not a host name (%2)").arg(describe(r), error));
                continue;
            }
            entry.target = target->absolute();
            entry.text = entry.target;
        }
        map.entries.append(entry);
    }
    return map;
}

} // namespace headroom
