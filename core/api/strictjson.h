#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <optional>

namespace headroom {

// One member of a JSON object as it was written: its JSON type and its text. Numbers keep their
// lexeme, so that "1", "1.0", "1e0" and 9007199254740993 stay distinguishable (QJsonDocument
// turns them all into doubles and keeps only the last of duplicate keys).
struct JsonMember
{
    enum class Type
    {
        String,
        Integer, // -?(0|[1-9][0-9]*): no fraction, no exponent
        Number,  // any other number (a fraction or an exponent)
        Bool,
        Null,
        Object,
        Array
    };
    QString key;
    Type type = Type::Null;
    QString text; // String: the decoded string; Integer/Number: the lexeme; Bool: true/false
};

QString jsonTypeName(JsonMember::Type type); // "a string", "an integer", ...
// A key for an error message: quoted when it is short and plain ASCII, else only described, so a
// message never carries a client's arbitrary bytes back.
QString describeKey(const QString &key);

struct StrictJsonLimits
{
    int maxDepth = 8;    // nesting inside member values (the object itself is depth 1)
    int maxMembers = 64; // of the top-level object
    int maxStringChars = 4096;
    int maxNumberChars = 40;
};

// Parses `bytes` as exactly one JSON object (RFC 8259) and returns its members in order. Stricter
// than the RFC where a hostile client could exploit leniency: invalid UTF-8, a byte order mark,
// lone surrogates, control characters in strings, duplicate keys (after unescaping), trailing
// bytes and values nested deeper than the limits are errors. Nested objects and arrays are checked
// for syntax and reported by type only. The error says what and at which byte offset, never
// repeating the input (beyond a plain key, see describeKey).
std::optional<QList<JsonMember>> parseStrictJsonObject(QByteArrayView bytes, QString *error,
                                                       const StrictJsonLimits &limits = {});

} // namespace headroom
