#include "stickytableparser.h"

#include <QList>
#include <algorithm>
#include <limits>

namespace headroom {

namespace {

// Splits on spaces that are not escaped with a backslash (HAProxy escapes spaces, '=' and
// backslashes in string keys).
QList<QByteArrayView> splitFields(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype start = 0;
    qsizetype i = 0;
    while (i < line.size()) {
        if (line[i] == '\\') {
            i += 2;
            continue;
        }
        if (line[i] == ' ') {
            if (i > start)
                out.append(line.sliced(start, i - start));
            start = i + 1;
        }
        ++i;
    }
    if (start < line.size())
        out.append(line.sliced(start));
    return out;
}

std::optional<quint64> parseCount(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 20)
        return std::nullopt;
    quint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const quint64 digit = quint64(c - '0');
        if (value > (std::numeric_limits<quint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    // Counters must stay exact when turned into rates (doubles): below 2^53.
    if (value > (quint64(1) << 53))
        return std::nullopt;
    return value;
}

} // namespace

bool isValidHostName(QByteArrayView host)
{
    if (host.isEmpty() || host.size() > 253)
        return false;
    qsizetype labelStart = 0;
    for (qsizetype i = 0; i <= host.size(); ++i) {
        if (i == host.size() || host[i] == '.') {
            const qsizetype len = i - labelStart;
            if (len < 1 || len > 63)
                return false;
            if (host[labelStart] == '-' || host[i - 1] == '-')
                return false;
            labelStart = i + 1;
            continue;
        }
        const char c = host[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

QString siteOfKey(QByteArrayView key)
{
    const qsizetype slash = key.lastIndexOf('/');
    if (slash >= 0) {
        const QByteArrayView generation = key.sliced(slash + 1);
        const bool digits = !generation.isEmpty() && generation.size() <= 9 &&
                            generation.front() != '0' &&
                            std::all_of(generation.begin(), generation.end(),
                                        [](char c) { return c >= '0' && c <= '9'; });
        if (!digits)
            return {};
        key = key.first(slash);
    }
    return isValidHostName(key) ? QString::fromLatin1(key) : QString();
}

std::optional<StickyTable> parseStickyTable(const QByteArray &reply, QString *error,
                                            qsizetype maxBytes)
{
    const auto fail = [error](qsizetype line, const QString &why) {
        *error = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(why) : why;
        return std::nullopt;
    };
    if (reply.size() > maxBytes)
        return fail(0, QStringLiteral("reply larger than %1 bytes").arg(maxBytes));
    if (reply.isEmpty())
        return fail(0, QStringLiteral("empty reply"));
    // The CLI ends every answer with an empty line; without it the reply was cut short.
    if (!reply.endsWith("\n\n"))
        return fail(reply.count('\n') + 1, QStringLiteral("reply truncated (no final empty line)"));

    const QByteArrayView body(reply.constData(), reply.size() - 1);
    const QList<QByteArrayView> lines = [&] {
        QList<QByteArrayView> out;
        qsizetype start = 0;
        while (start < body.size()) {
            const qsizetype nl = body.indexOf('\n', start);
            out.append(body.sliced(start, nl - start));
            start = nl + 1;
        }
        return out;
    }();

    StickyTable table;
    // "# table: per_site, type: string, size:102400, used:2"
    const QByteArrayView header = lines.first();
    static constexpr QByteArrayView kPrefix = "# table: ";
    if (!header.startsWith(kPrefix)) {
        const QByteArrayView shown = header.first(std::min<qsizetype>(header.size(), 80));
        return fail(1, QStringLiteral("not a table dump: \"%1\"")
                           .arg(QString::fromLatin1(shown).toHtmlEscaped()));
    }
    const qsizetype comma = header.indexOf(',', kPrefix.size());
    if (comma < 0)
        return fail(1, QStringLiteral("malformed table header"));
    const QByteArrayView name = header.sliced(kPrefix.size(), comma - kPrefix.size());
    const bool nameOk = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
    if (name.isEmpty() || name.size() > 64 || !nameOk)
        return fail(1, QStringLiteral("malformed table name"));
    table.name = QString::fromLatin1(name);
    if (!header.sliced(comma).contains(", type: string"))
        return fail(1, QStringLiteral("table is not keyed by strings"));

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype lineNumber = i + 1;
        const QByteArrayView line = lines[i];
        if (line.isEmpty())
            return fail(lineNumber, QStringLiteral("empty line inside the table"));
        if (line.size() > 4096)
            return fail(lineNumber, QStringLiteral("entry longer than 4096 bytes"));
        const QList<QByteArrayView> fields = splitFields(line);
        // "0x55727bba7788: key=news.example use=0 exp=86397657 http_req_cnt=3 ..."
        if (fields.size() < 2 || !fields[0].startsWith("0x") || !fields[0].endsWith(':'))
            return fail(lineNumber, QStringLiteral("entry does not start with an address"));
        if (!fields[1].startsWith("key="))
            return fail(lineNumber, QStringLiteral("entry without key"));
        std::optional<quint64> requests;
        std::optional<quint64> bytesOut;
        for (qsizetype f = 2; f < fields.size(); ++f) {
            const qsizetype eq = fields[f].indexOf('=');
            if (eq <= 0)
                return fail(lineNumber, QStringLiteral("field without '='"));
            const QByteArrayView field = fields[f].first(eq);
            const QByteArrayView value = fields[f].sliced(eq + 1);
            if (field == "http_req_cnt" || field == "bytes_out_cnt") {
                auto &slot = field == "http_req_cnt" ? requests : bytesOut;
                if (slot)
                    return fail(
                        lineNumber,
                        QStringLiteral("duplicate field %1").arg(QString::fromLatin1(field)));
                slot = parseCount(value);
                if (!slot)
                    return fail(lineNumber,
                                QStringLiteral("invalid %1").arg(QString::fromLatin1(field)));
            }
        }
        if (!requests || !bytesOut)
            return fail(lineNumber, QStringLiteral("entry lacks http_req_cnt or bytes_out_cnt"));
        const QByteArrayView key = fields[1].sliced(4);
        if (siteOfKey(key).isEmpty()) {
            table.rejected.append(
                QStringLiteral("line %1: key is not a host name").arg(lineNumber));
            continue;
        }
        const QString entry = QString::fromLatin1(key);
        if (table.sites.contains(entry))
            return fail(lineNumber, QStringLiteral("duplicate key %1").arg(entry));
        table.sites.insert(entry, {*requests, *bytesOut});
    }
    return table;
}

} // namespace headroom
