#include "api/strictjson.h"

#include <QSet>
#include <QStringDecoder>

namespace headroom {
namespace {

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool validUtf8(QByteArrayView b, qsizetype *badAt)
{
    qsizetype i = 0;
    const qsizetype n = b.size();
    const auto byte = [&](qsizetype k) { return k < n ? quint8(b[k]) : quint8(0); };
    const auto cont = [&](qsizetype k) { return k < n && (quint8(b[k]) & 0xC0) == 0x80; };
    while (i < n) {
        const quint8 c = quint8(b[i]);
        int need = 0;
        bool ok = true;
        if (c < 0x80) {
            need = 0;
        } else if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c == 0xE0) {
            ok = byte(i + 1) >= 0xA0 && byte(i + 1) <= 0xBF;
            need = 2;
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
            need = 2;
        } else if (c == 0xED) {
            ok = byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F;
            need = 2;
        } else if (c == 0xF0) {
            ok = byte(i + 1) >= 0x90 && byte(i + 1) <= 0xBF;
            need = 3;
        } else if (c >= 0xF1 && c <= 0xF3) {
            need = 3;
        } else if (c == 0xF4) {
            ok = byte(i + 1) >= 0x80 && byte(i + 1) <= 0x8F;
            need = 3;
        } else {
            ok = false;
        }
        for (int k = 1; ok && k <= need; ++k)
            ok = cont(i + k);
        if (!ok) {
            *badAt = i;
            return false;
        }
        i += 1 + need;
    }
    return true;
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

class Parser
{
public:
    Parser(QByteArrayView bytes, const StrictJsonLimits &limits) : m_b(bytes), m_limits(limits) {}

    std::optional<QList<JsonMember>> document(QString *error)
    {
        QList<JsonMember> members;
        skipSpace();
        if (atEnd()) {
            fail(QStringLiteral("the body is empty; expected a JSON object"));
        } else if (current() != '{') {
            fail(QStringLiteral("expected a JSON object"));
        } else if (object(1, &members)) {
            skipSpace();
            if (!atEnd())
                fail(QStringLiteral("unexpected data after the JSON object"));
        }
        if (!m_error.isEmpty()) {
            *error = m_error;
            return std::nullopt;
        }
        return members;
    }

private:
    bool atEnd() const { return m_pos >= m_b.size(); }
    char current() const { return m_b[m_pos]; }

    bool fail(const QString &what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1 (at byte %2)").arg(what).arg(m_pos);
        return false;
    }

    void skipSpace()
    {
        while (!atEnd() &&
               (current() == ' ' || current() == '\t' || current() == '\n' || current() == '\r'))
            ++m_pos;
    }

    bool expect(char c, const QString &what)
    {
        skipSpace();
        if (atEnd() || current() != c)
            return fail(atEnd() ? QStringLiteral("the JSON ends early; expected %1").arg(what)
                                : QStringLiteral("expected %1").arg(what));
        ++m_pos;
        return true;
    }

    bool hex4(char32_t *out)
    {
        if (m_pos + 4 > m_b.size())
            return fail(QStringLiteral("incomplete \\u escape"));
        char32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_b[m_pos + k];
            int d = -1;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            if (d < 0)
                return fail(QStringLiteral("bad \\u escape"));
            v = v * 16 + char32_t(d);
        }
        m_pos += 4;
        *out = v;
        return true;
    }

    // At the opening quote.
    bool string(QString *out)
    {
        ++m_pos;
        QByteArray utf8;
        while (true) {
            if (atEnd())
                return fail(QStringLiteral("unterminated string"));
            if (utf8.size() > m_limits.maxStringChars)
                return fail(QStringLiteral("a string is longer than %1 bytes")
                                .arg(m_limits.maxStringChars));
            const char c = current();
            if (c == '"') {
                ++m_pos;
                break;
            }
            if (quint8(c) < 0x20)
                return fail(QStringLiteral("control character in a string"));
            if (c != '\\') {
                utf8.append(c);
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (atEnd())
                return fail(QStringLiteral("unterminated string"));
            const char e = current();
            ++m_pos;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                utf8.append(e);
                break;
            case 'b':
                utf8.append('\b');
                break;
            case 'f':
                utf8.append('\f');
                break;
            case 'n':
                utf8.append('\n');
                break;
            case 'r':
                utf8.append('\r');
                break;
            case 't':
                utf8.append('\t');
                break;
            case 'u': {
                char32_t cp = 0;
                if (!hex4(&cp))
                    return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return fail(QStringLiteral("lone low surrogate in a \\u escape"));
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    char32_t low = 0;
                    if (m_pos + 2 > m_b.size() || m_b[m_pos] != '\\' || m_b[m_pos + 1] != 'u')
                        return fail(QStringLiteral("lone high surrogate in a \\u escape"));
                    m_pos += 2;
                    if (!hex4(&low))
                        return false;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return fail(QStringLiteral("lone high surrogate in a \\u escape"));
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                appendUtf8(utf8, cp);
                break;
            }
            default:
                --m_pos;
                return fail(QStringLiteral("bad escape in a string"));
            }
        }
        if (out) {
            // Not QString::fromUtf8(), which drops a U+FEFF that starts the string: "\ufeffa"
            // would read as "a", and such a key as another member's.
            QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
            *out = decoder.decode(utf8);
        }
        return true;
    }

    bool digits()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && current() >= '0' && current() <= '9')
            ++m_pos;
        return m_pos > start;
    }

    bool number(QString *lexeme, bool *integer)
    {
        const qsizetype start = m_pos;
        *integer = true;
        if (current() == '-')
            ++m_pos;
        if (atEnd() || current() < '0' || current() > '9')
            return fail(QStringLiteral("a number needs digits"));
        if (current() == '0') {
            ++m_pos;
            if (!atEnd() && current() >= '0' && current() <= '9')
                return fail(QStringLiteral("a number has a leading zero"));
        } else {
            digits();
        }
        if (!atEnd() && current() == '.') {
            ++m_pos;
            *integer = false;
            if (!digits())
                return fail(QStringLiteral("a number needs digits after the decimal point"));
        }
        if (!atEnd() && (current() == 'e' || current() == 'E')) {
            ++m_pos;
            *integer = false;
            if (!atEnd() && (current() == '+' || current() == '-'))
                ++m_pos;
            if (!digits())
                return fail(QStringLiteral("a number needs digits in its exponent"));
        }
        if (m_pos - start > m_limits.maxNumberChars) {
            m_pos = start;
            return fail(QStringLiteral("a number is longer than %1 characters")
                            .arg(m_limits.maxNumberChars));
        }
        *lexeme = QString::fromLatin1(m_b.sliced(start, m_pos - start));
        return true;
    }

    bool literal(const char *word)
    {
        const QByteArrayView w(word);
        if (m_b.sliced(m_pos).startsWith(w)) {
            m_pos += w.size();
            return true;
        }
        return fail(QStringLiteral("unexpected character"));
    }

    bool value(int depth, JsonMember::Type *type, QString *text)
    {
        skipSpace();
        if (atEnd())
            return fail(QStringLiteral("the JSON ends early; expected a value"));
        switch (current()) {
        case '{':
            *type = JsonMember::Type::Object;
            return object(depth + 1, nullptr);
        case '[':
            *type = JsonMember::Type::Array;
            return array(depth + 1);
        case '"':
            *type = JsonMember::Type::String;
            return string(text);
        case 't':
            *type = JsonMember::Type::Bool;
            *text = QStringLiteral("true");
            return literal("true");
        case 'f':
            *type = JsonMember::Type::Bool;
            *text = QStringLiteral("false");
            return literal("false");
        case 'n':
            *type = JsonMember::Type::Null;
            return literal("null");
        default:
            break;
        }
        if (current() == '-' || (current() >= '0' && current() <= '9')) {
            bool integer = true;
            if (!number(text, &integer))
                return false;
            *type = integer ? JsonMember::Type::Integer : JsonMember::Type::Number;
            return true;
        }
        return fail(QStringLiteral("unexpected character"));
    }

    bool tooDeep(int depth)
    {
        if (depth > m_limits.maxDepth)
            return fail(
                QStringLiteral("values are nested more than %1 deep").arg(m_limits.maxDepth));
        return false;
    }

    // At '['.
    bool array(int depth)
    {
        if (tooDeep(depth))
            return false;
        ++m_pos;
        skipSpace();
        if (!atEnd() && current() == ']') {
            ++m_pos;
            return true;
        }
        while (true) {
            JsonMember::Type type = JsonMember::Type::Null;
            QString ignored;
            if (!value(depth, &type, &ignored))
                return false;
            skipSpace();
            if (atEnd())
                return fail(QStringLiteral("the JSON ends early; expected ',' or ']'"));
            if (current() == ']') {
                ++m_pos;
                return true;
            }
            if (current() != ',')
                return fail(QStringLiteral("expected ',' or ']'"));
            ++m_pos;
        }
    }

    // At '{'. members is null for nested objects (checked, not kept).
    bool object(int depth, QList<JsonMember> *members)
    {
        if (tooDeep(depth))
            return false;
        ++m_pos;
        QSet<QString> keys;
        skipSpace();
        if (!atEnd() && current() == '}') {
            ++m_pos;
            return true;
        }
        while (true) {
            skipSpace();
            if (atEnd() || current() != '"')
                return fail(atEnd() ? QStringLiteral("the JSON ends early; expected a key")
                                    : QStringLiteral("expected a quoted key"));
            const qsizetype keyAt = m_pos;
            QString key;
            if (!string(&key))
                return false;
            if (keys.contains(key)) {
                m_pos = keyAt;
                return fail(QStringLiteral("duplicate key %1").arg(describeKey(key)));
            }
            keys.insert(key);
            if (members && keys.size() > m_limits.maxMembers)
                return fail(
                    QStringLiteral("more than %1 members in the object").arg(m_limits.maxMembers));
            if (!expect(':', QStringLiteral("':' after a key")))
                return false;
            JsonMember member;
            member.key = key;
            if (!value(depth, &member.type, &member.text))
                return false;
            if (members)
                members->append(member);
            skipSpace();
            if (atEnd())
                return fail(QStringLiteral("the JSON ends early; expected ',' or '}'"));
            if (current() == '}') {
                ++m_pos;
                return true;
            }
            if (current() != ',')
                return fail(QStringLiteral("expected ',' or '}'"));
            ++m_pos;
        }
    }

    QByteArrayView m_b;
    const StrictJsonLimits &m_limits;
    qsizetype m_pos = 0;
    QString m_error;
};

} // namespace

QString describeKey(const QString &key)
{
    if (key.isEmpty() || key.size() > 40)
        return QStringLiteral("(a key of %1 characters)").arg(key.size());
    for (const QChar c : key) {
        if (!(c.unicode() < 0x80 && (c.isLetterOrNumber() || c == QLatin1Char('_') ||
                                     c == QLatin1Char('-') || c == QLatin1Char('.'))))
            return QStringLiteral("(a key with unusual characters)");
    }
    return QLatin1Char('"') + key + QLatin1Char('"');
}

QString jsonTypeName(JsonMember::Type type)
{
    switch (type) {
    case JsonMember::Type::String:
        return QStringLiteral("a string");
    case JsonMember::Type::Integer:
        return QStringLiteral("an integer");
    case JsonMember::Type::Number:
        return QStringLiteral("a number with a fraction or exponent");
    case JsonMember::Type::Bool:
        return QStringLiteral("a boolean");
    case JsonMember::Type::Null:
        return QStringLiteral("null");
    case JsonMember::Type::Object:
        return QStringLiteral("an object");
    case JsonMember::Type::Array:
        return QStringLiteral("an array");
    }
    return QStringLiteral("a value");
}

std::optional<QList<JsonMember>> parseStrictJsonObject(QByteArrayView bytes, QString *error,
                                                       const StrictJsonLimits &limits)
{
    qsizetype badAt = 0;
    if (bytes.startsWith("\xEF\xBB\xBF")) {
        *error = QStringLiteral("the body starts with a byte order mark; send plain UTF-8");
        return std::nullopt;
    }
    if (!validUtf8(bytes, &badAt)) {
        *error = QStringLiteral("the body is not valid UTF-8 (at byte %1)").arg(badAt);
        return std::nullopt;
    }
    return Parser(bytes, limits).document(error);
}

} // namespace headroom
