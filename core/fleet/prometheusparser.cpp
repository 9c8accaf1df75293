#include "prometheusparser.h"

#include <QSet>
#include <QStringDecoder>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace headroom {

namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool validUtf8(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString ignored = decoder.decode(bytes);
    Q_UNUSED(ignored);
    return !decoder.hasError();
}

// Reads a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) at pos; empty when there is none.
QByteArrayView readName(QByteArrayView line, qsizetype &pos, bool allowColon)
{
    const qsizetype start = pos;
    while (pos < line.size()) {
        const char c = line[pos];
        const bool ok = isNameStart(c) || (allowColon && c == ':') || (pos > start && isDigit(c));
        if (!ok)
            break;
        ++pos;
    }
    return line.sliced(start, pos - start);
}

void skipSpaces(QByteArrayView line, qsizetype &pos)
{
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t'))
        ++pos;
}

// Go's strconv.ParseFloat as Prometheus uses it, restricted to the spellings exporters write.
std::optional<double> parseValue(QByteArrayView token)
{
    if (token == "NaN")
        return std::nan("");
    if (token == "+Inf" || token == "Inf")
        return HUGE_VAL;
    if (token == "-Inf")
        return -HUGE_VAL;
    if (token.isEmpty() || token.size() > 64)
        return std::nullopt;
    // [+-]? digits [. digits] [eE [+-] digits], at least one digit in the mantissa
    qsizetype i = 0;
    if (token[i] == '+' || token[i] == '-')
        ++i;
    qsizetype digits = 0;
    while (i < token.size() && isDigit(token[i])) {
        ++i;
        ++digits;
    }
    if (i < token.size() && token[i] == '.') {
        ++i;
        while (i < token.size() && isDigit(token[i])) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0)
        return std::nullopt;
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        if (i < token.size() && (token[i] == '+' || token[i] == '-'))
            ++i;
        qsizetype expDigits = 0;
        while (i < token.size() && isDigit(token[i])) {
            ++i;
            ++expDigits;
        }
        if (expDigits == 0)
            return std::nullopt;
    }
    if (i != token.size())
        return std::nullopt;
    const std::string s(token.data(), size_t(token.size()));
    return std::strtod(s.c_str(), nullptr); // overflow gives +-HUGE_VAL, as Go does
}

bool parseTimestamp(QByteArrayView token)
{
    qsizetype i = 0;
    if (i < token.size() && token[i] == '-')
        ++i;
    if (i == token.size() || token.size() - i > 18)
        return false;
    for (; i < token.size(); ++i) {
        if (!isDigit(token[i]))
            return false;
    }
    return true;
}

class LineParser
{
public:
    LineParser(QByteArrayView line, const PrometheusLimits &limits) : m_line(line), m_limits(limits)
    {
    }

    // Returns an error text, empty on success.
    QString parseSample(PrometheusSample *out, QByteArray *seriesKey)
    {
        qsizetype pos = 0;
        const QByteArrayView name = readName(m_line, pos, true);
        if (name.isEmpty())
            return QStringLiteral("expected a metric name");
        out->name = QString::fromLatin1(name);
        *seriesKey = name.toByteArray();
        if (pos < m_line.size() && m_line[pos] == '{') {
            ++pos;
            const QString e = parseLabels(pos, out, seriesKey);
            if (!e.isEmpty())
                return e;
        }
        if (pos >= m_line.size() || (m_line[pos] != ' ' && m_line[pos] != '\t'))
            return QStringLiteral("expected a space before the value");
        skipSpaces(m_line, pos);
        qsizetype end = pos;
        while (end < m_line.size() && m_line[end] != ' ' && m_line[end] != '\t')
            ++end;
        const auto value = parseValue(m_line.sliced(pos, end - pos));
        if (!value)
            return QStringLiteral("invalid value \"%1\"")
                .arg(QString::fromLatin1(m_line.sliced(pos, std::min<qsizetype>(end - pos, 40))));
        out->value = *value;
        pos = end;
        skipSpaces(m_line, pos);
        if (pos < m_line.size()) {
            end = pos;
            while (end < m_line.size() && m_line[end] != ' ' && m_line[end] != '\t')
                ++end;
            if (!parseTimestamp(m_line.sliced(pos, end - pos)))
                return QStringLiteral("invalid timestamp");
            pos = end;
            skipSpaces(m_line, pos);
            if (pos < m_line.size())
                return QStringLiteral("unexpected text after the timestamp");
        }
        return {};
    }

private:
    QString parseLabels(qsizetype &pos, PrometheusSample *out, QByteArray *seriesKey)
    {
        QList<std::pair<QByteArray, QByteArray>> raw;
        for (;;) {
            skipSpaces(m_line, pos);
            if (pos >= m_line.size())
                return QStringLiteral("unterminated label set");
            if (m_line[pos] == '}') {
                ++pos;
                break;
            }
            const QByteArrayView labelName = readName(m_line, pos, false);
            if (labelName.isEmpty())
                return QStringLiteral("expected a label name");
            skipSpaces(m_line, pos);
            if (pos >= m_line.size() || m_line[pos] != '=')
                return QStringLiteral("expected '=' after label %1")
                    .arg(QString::fromLatin1(labelName));
            ++pos;
            skipSpaces(m_line, pos);
            if (pos >= m_line.size() || m_line[pos] != '"')
                return QStringLiteral("expected '\"' to open the value of label %1")
                    .arg(QString::fromLatin1(labelName));
            ++pos;
            QByteArray value;
            bool closed = false;
            while (pos < m_line.size()) {
                const char c = m_line[pos++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\') {
                    if (pos >= m_line.size())
                        return QStringLiteral("unterminated escape in label %1")
                            .arg(QString::fromLatin1(labelName));
                    const char e = m_line[pos++];
                    if (e == '\\')
                        value += '\\';
                    else if (e == '"')
                        value += '"';
                    else if (e == 'n')
                        value += '\n';
                    else
                        return QStringLiteral("invalid escape \\%1 in label %2")
                            .arg(QChar::fromLatin1(e))
                            .arg(QString::fromLatin1(labelName));
                } else {
                    value += c;
                }
                if (value.size() > m_limits.maxLabelValueLength)
                    return QStringLiteral("value of label %1 longer than %2 bytes")
                        .arg(QString::fromLatin1(labelName))
                        .arg(m_limits.maxLabelValueLength);
            }
            if (!closed)
                return QStringLiteral("unterminated value of label %1")
                    .arg(QString::fromLatin1(labelName));
            if (!validUtf8(value))
                return QStringLiteral("value of label %1 is not UTF-8")
                    .arg(QString::fromLatin1(labelName));
            const QString key = QString::fromLatin1(labelName);
            if (out->labels.contains(key))
                return QStringLiteral("duplicate label %1").arg(key);
            if (out->labels.size() >= m_limits.maxLabelsPerSample)
                return QStringLiteral("more than %1 labels").arg(m_limits.maxLabelsPerSample);
            // Not QString::fromUtf8(), which drops a U+FEFF that starts the value:
            // "\xEF\xBB\xBFhttp" must not read as "http".
            QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
            out->labels.insert(key, decoder.decode(value));
            raw.append({labelName.toByteArray(), value});
            skipSpaces(m_line, pos);
            if (pos < m_line.size() && m_line[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos < m_line.size() && m_line[pos] == '}') {
                ++pos;
                break;
            }
            return QStringLiteral("expected ',' or '}' after label %1").arg(key);
        }
        std::sort(raw.begin(), raw.end());
        for (const auto &[k, v] : raw) {
            seriesKey->append('\0');
            seriesKey->append(k);
            seriesKey->append('\0');
            seriesKey->append(v);
        }
        return {};
    }

    QByteArrayView m_line;
    const PrometheusLimits &m_limits;
};

QString checkComment(QByteArrayView line, QSet<QByteArray> *typed, QSet<QByteArray> *helped)
{
    // "# HELP name text", "# TYPE name type"; any other "#..." line is a plain comment.
    qsizetype pos = 1;
    skipSpaces(line, pos);
    const bool help = line.sliced(pos).startsWith("HELP ") || line.sliced(pos).startsWith("HELP\t");
    const bool type = line.sliced(pos).startsWith("TYPE ") || line.sliced(pos).startsWith("TYPE\t");
    if (!help && !type)
        return validUtf8(line) ? QString() : QStringLiteral("comment is not UTF-8");
    pos += 4;
    skipSpaces(line, pos);
    const QByteArrayView name = readName(line, pos, true);
    if (name.isEmpty())
        return QStringLiteral("%1 without a metric name").arg(help ? "HELP" : "TYPE");
    if (pos < line.size() && line[pos] != ' ' && line[pos] != '\t')
        return QStringLiteral("invalid metric name in %1").arg(help ? "HELP" : "TYPE");
    skipSpaces(line, pos);
    const QByteArrayView rest = line.sliced(pos);
    if (help) {
        if (helped->contains(name.toByteArray()))
            return QStringLiteral("second HELP for %1").arg(QString::fromLatin1(name));
        helped->insert(name.toByteArray());
        for (qsizetype i = 0; i < rest.size(); ++i) {
            if (rest[i] == '\\') {
                if (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n'))
                    return QStringLiteral("invalid escape in HELP");
                ++i;
            }
        }
        return validUtf8(rest) ? QString() : QStringLiteral("HELP text is not UTF-8");
    }
    static const QList<QByteArrayView> kTypes = {"counter", "gauge", "histogram", "summary",
                                                 "untyped"};
    QByteArrayView t = rest;
    while (!t.isEmpty() && (t.back() == ' ' || t.back() == '\t'))
        t.chop(1);
    if (!kTypes.contains(t))
        return QStringLiteral("unknown TYPE \"%1\"")
            .arg(QString::fromLatin1(t.first(std::min<qsizetype>(t.size(), 40))));
    if (typed->contains(name.toByteArray()))
        return QStringLiteral("second TYPE for %1").arg(QString::fromLatin1(name));
    typed->insert(name.toByteArray());
    return {};
}

} // namespace

std::optional<QList<PrometheusSample>> parsePrometheusText(const QByteArray &text, QString *error,
                                                           const PrometheusLimits &limits)
{
    const auto fail = [error](qsizetype line, const QString &why) {
        *error = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(why) : why;
        return std::nullopt;
    };
    if (text.size() > limits.maxBytes)
        return fail(0, QStringLiteral("metrics larger than %1 bytes").arg(limits.maxBytes));
    if (!text.isEmpty() && !text.endsWith('\n')) {
        const qsizetype lines = text.count('\n') + 1;
        return fail(lines, QStringLiteral("no final newline (truncated)"));
    }
    QList<PrometheusSample> samples;
    QSet<QByteArray> series;
    QSet<QByteArray> typed;
    QSet<QByteArray> helped;
    qsizetype lineNumber = 0;
    qsizetype start = 0;
    while (start < text.size()) {
        ++lineNumber;
        const qsizetype nl = text.indexOf('\n', start);
        QByteArrayView line(text.constData() + start, nl - start);
        start = nl + 1;
        if (line.size() > limits.maxLineLength)
            return fail(lineNumber,
                        QStringLiteral("line longer than %1 bytes").arg(limits.maxLineLength));
        if (line.contains('\0') || line.contains('\r'))
            return fail(lineNumber, QStringLiteral("control character in line"));
        qsizetype pos = 0;
        skipSpaces(line, pos);
        if (pos == line.size())
            continue;
        line = line.sliced(pos);
        if (line[0] == '#') {
            const QString e = checkComment(line, &typed, &helped);
            if (!e.isEmpty())
                return fail(lineNumber, e);
            continue;
        }
        if (samples.size() >= limits.maxSamples)
            return fail(lineNumber, QStringLiteral("more than %1 samples").arg(limits.maxSamples));
        PrometheusSample sample;
        QByteArray key;
        const QString e = LineParser(line, limits).parseSample(&sample, &key);
        if (!e.isEmpty())
            return fail(lineNumber, e);
        if (series.contains(key))
            return fail(lineNumber, QStringLiteral("duplicate series %1").arg(sample.name));
        series.insert(key);
        samples.append(std::move(sample));
    }
    return samples;
}

std::optional<ProxyCounters> extractCounters(const QList<PrometheusSample> &samples, QString *error,
                                             const QString &frontend)
{
    const QString proxyLabel = QStringLiteral("proxy");
    const auto find = [&](const QString &name, bool needsLabel,
                          const PrometheusSample **found) -> bool {
        *found = nullptr;
        for (const auto &s : samples) {
            if (s.name != name)
                continue;
            if (needsLabel && s.labels.value(proxyLabel) != frontend)
                continue;
            if (*found) {
                *error = QStringLiteral("%1 appears twice").arg(name);
                return false;
            }
            *found = &s;
        }
        if (!*found && needsLabel) {
            *error = QStringLiteral("%1{proxy=\"%2\"} missing").arg(name, frontend);
            return false;
        }
        return true;
    };
    const auto counter = [&](const QString &name, quint64 *out) -> bool {
        const PrometheusSample *s = nullptr;
        if (!find(name, true, &s))
            return false;
        // Integral and exact in a double: below 2^53.
        if (!std::isfinite(s->value) || s->value < 0 || s->value != std::floor(s->value) ||
            s->value > 9007199254740992.0) {
            *error = QStringLiteral("%1 is not a valid counter (%2)").arg(name).arg(s->value);
            return false;
        }
        *out = quint64(s->value);
        return true;
    };
    ProxyCounters c;
    if (!counter(QStringLiteral("haproxy_frontend_http_requests_total"), &c.requests) ||
        !counter(QStringLiteral("haproxy_frontend_bytes_out_total"), &c.bytesOut))
        return std::nullopt;
    const PrometheusSample *s = nullptr;
    if (!find(QStringLiteral("haproxy_frontend_current_sessions"), true, &s))
        return std::nullopt;
    if (!std::isfinite(s->value) || s->value < 0) {
        *error = QStringLiteral("haproxy_frontend_current_sessions is invalid");
        return std::nullopt;
    }
    c.currentSessions = s->value;
    if (!find(QStringLiteral("haproxy_process_start_time_seconds"), false, &s))
        return std::nullopt;
    if (s) {
        if (!std::isfinite(s->value) || s->value < 0) {
            *error = QStringLiteral("haproxy_process_start_time_seconds is invalid");
            return std::nullopt;
        }
        c.processStartTime = s->value;
    }
    return c;
}

} // namespace headroom
