// Fuzz target: what a purchaser's client sends the API. The first byte selects, the rest is the
// input:
//   0 - a JSON body for the strict parser (parseStrictJsonObject), checked against QJsonDocument;
//   1 - the body of POST /v1/bids (parseBidBody), the only request body the API takes;
//   2 - one header or query value, given to every header and query parser (Content-Type,
//       Idempotency-Key, Authorization, path ids, the query strings of the GET routes);
//   3 - the raw bytes of a connection for the HTTP front door (RequestFramer).
// (The selector is the byte's value modulo 4: the seeds use '0' to '3'.)
//
// Invariants: an accepted value is in its documented range and agrees with an independent reading
// of the same bytes; an error is a 400 or 422 whose message is printable ASCII and never repeats
// the client's bytes beyond a plain field name; a byte stream frames the same whether it arrives
// in one piece or in fragments.

#include "api/apirequest.h"
#include "api/requestframer.h"
#include "api/strictjson.h"
#include "fuzzcheck.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <cmath>
#include <cstdlib>

using namespace headroom;

namespace {

// Short enough that no message can carry a whole hostile body, long enough for any of ours.
constexpr qsizetype kMaxMessage = 300;

bool isPlainError(const QString &message)
{
    return !message.isEmpty() && message.size() <= kMaxMessage && fuzz::isPrintableAscii(message);
}

bool matches(const QString &pattern, const QString &text)
{
    const QRegularExpression re(QRegularExpression::anchoredPattern(pattern));
    return re.match(text).hasMatch();
}

// A number with an exponent that overflows a double, or underflows it to 0 (RFC 8259 lets a
// parser refuse those; Qt does).
bool hasNumberBeyondDouble(const QByteArray &body)
{
    static const QRegularExpression number(QStringLiteral("[0-9]+(\\.[0-9]+)?[eE][-+]?[0-9]+"));
    for (auto it = number.globalMatch(QString::fromLatin1(body)); it.hasNext();) {
        const QString lexeme = it.next().captured();
        const double v = std::strtod(lexeme.toLatin1().constData(), nullptr);
        const QString mantissa =
            lexeme.left(lexeme.indexOf(QRegularExpression(QStringLiteral("[eE]"))));
        if (std::isinf(v) ||
            (v == 0 && mantissa.contains(QRegularExpression(QStringLiteral("[1-9]")))))
            return true;
    }
    return false;
}

void checkStrictJson(const QByteArray &body)
{
    QString error;
    const auto members = parseStrictJsonObject(body, &error);

    // Tight limits: what passes them passes the defaults with the same members.
    StrictJsonLimits tight;
    tight.maxDepth = 2;
    tight.maxMembers = 3;
    tight.maxStringChars = 12;
    tight.maxNumberChars = 6;
    QString tightError;
    const auto tightMembers = parseStrictJsonObject(body, &tightError, tight);
    if (tightMembers) {
        FUZZ_CHECK(members, error);
        FUZZ_CHECK(tightMembers->size() == members->size() && tightMembers->size() <= 3);
        for (qsizetype i = 0; i < members->size(); ++i) {
            FUZZ_CHECK(tightMembers->at(i).key == members->at(i).key);
            FUZZ_CHECK(tightMembers->at(i).type == members->at(i).type);
            FUZZ_CHECK(tightMembers->at(i).text == members->at(i).text);
        }
    } else {
        FUZZ_CHECK(isPlainError(tightError), tightError);
    }

    if (!members) {
        FUZZ_CHECK(isPlainError(error), error);
        return;
    }
    FUZZ_CHECK(members->size() <= StrictJsonLimits().maxMembers);

    // Qt's parser is more lenient (duplicate keys, deeper nesting) and stricter only on numbers a
    // double cannot hold, which the strict parser keeps as lexemes: what the strict parser
    // accepts, Qt reads as the same object.
    QJsonParseError qtError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &qtError);
    if (qtError.error == QJsonParseError::IllegalNumber && hasNumberBeyondDouble(body))
        return;
    FUZZ_CHECK(qtError.error == QJsonParseError::NoError && doc.isObject(), qtError.errorString());
    // Qt also drops one U+FEFF (a byte order mark) written raw at the start of a string, and
    // then finds no member under the key it lists; such objects are compared no further. (A
    // U+FEFF written as \ufeff is kept by both.)
    const bool rawBom = body.contains("\xEF\xBB\xBF");
    for (const JsonMember &m : *members) {
        if (rawBom && m.key.startsWith(QChar(0xFEFF)))
            return;
    }
    const QJsonObject object = doc.object();
    FUZZ_CHECK(object.size() == members->size());
    QSet<QString> keys;
    for (const JsonMember &m : *members) {
        FUZZ_CHECK(!keys.contains(m.key), m.key);
        keys.insert(m.key);
        FUZZ_CHECK(object.contains(m.key), m.key);
        const QJsonValue v = object.value(m.key);
        switch (m.type) {
        case JsonMember::Type::String:
            FUZZ_CHECK(v.isString() &&
                           (v.toString() == m.text || (rawBom && m.text.startsWith(QChar(0xFEFF)) &&
                                                       v.toString() == m.text.mid(1))),
                       m.key);
            break;
        case JsonMember::Type::Integer:
            FUZZ_CHECK(matches(QStringLiteral("-?(0|[1-9][0-9]*)"), m.text), m.text);
            FUZZ_CHECK(v.isDouble(), m.text);
            break;
        case JsonMember::Type::Number:
            FUZZ_CHECK(matches(QStringLiteral("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?"),
                               m.text) &&
                           !matches(QStringLiteral("-?(0|[1-9][0-9]*)"), m.text),
                       m.text);
            FUZZ_CHECK(v.isDouble(), m.text);
            break;
        case JsonMember::Type::Bool:
            FUZZ_CHECK(v.isBool() &&
                       m.text == (v.toBool() ? QLatin1String("true") : QLatin1String("false")));
            break;
        case JsonMember::Type::Null:
            FUZZ_CHECK(v.isNull());
            break;
        case JsonMember::Type::Object:
            FUZZ_CHECK(v.isObject());
            break;
        case JsonMember::Type::Array:
            FUZZ_CHECK(v.isArray());
            break;
        }
        if (m.type == JsonMember::Type::Integer || m.type == JsonMember::Type::Number)
            FUZZ_CHECK(m.text.size() <= StrictJsonLimits().maxNumberChars);
    }
}

void checkApiError(const ApiError &error)
{
    FUZZ_CHECK(error.status == 400 || error.status == 422, QString::number(error.status));
    FUZZ_CHECK(matches(QStringLiteral("[a-z_]{3,40}"), error.code), error.code);
    FUZZ_CHECK(isPlainError(error.message), error.message);
}

void checkBidBody(const QByteArray &body)
{
    const auto bid = parseBidBody(body);
    QString error;
    const auto members = parseStrictJsonObject(body, &error);
    if (!bid) {
        checkApiError(bid.error());
        // Only a body the strict parser refuses is malformed JSON.
        FUZZ_CHECK((bid.error().code == QLatin1String("malformed_json")) == !members);
        return;
    }
    FUZZ_CHECK(members, error);
    const BidBody &b = bid.value();
    FUZZ_CHECK(b.offerId >= 1 && b.offerId <= apilimits::kMaxId);
    FUZZ_CHECK(b.rateRps >= 1 && b.rateRps <= apilimits::kMaxRateRps);
    FUZZ_CHECK(b.priceMinor >= 0 && b.priceMinor <= apilimits::kMaxPriceMinor);
    FUZZ_CHECK(!b.minRps || (*b.minRps >= 1 && *b.minRps <= b.rateRps));
    FUZZ_CHECK(!b.siteId || (*b.siteId >= 1 && *b.siteId <= apilimits::kMaxId));

    // Each value is exactly the integer written in the body, under its own name.
    QHash<QString, JsonMember> byKey;
    for (const JsonMember &m : *members)
        byKey.insert(m.key, m);
    const auto written = [&](const char *name, std::optional<qint64> value) {
        const JsonMember m = byKey.value(QLatin1String(name));
        if (!value)
            return !byKey.contains(QLatin1String(name)) || m.type == JsonMember::Type::Null;
        return m.type == JsonMember::Type::Integer && m.text == QString::number(*value);
    };
    FUZZ_CHECK(written("offer_id", b.offerId));
    FUZZ_CHECK(written("rate_rps", b.rateRps));
    FUZZ_CHECK(written("price_minor", b.priceMinor));
    FUZZ_CHECK(written("min_rps", b.minRps));
    FUZZ_CHECK(written("site_id", b.siteId));
    for (const JsonMember &m : *members) {
        FUZZ_CHECK(matches(QStringLiteral("offer_id|rate_rps|price_minor|min_rps|site_id"), m.key),
                   m.key);
    }
}

void checkHeaderValues(const QByteArray &value)
{
    if (const auto e = checkJsonContentType(value)) {
        checkApiError(*e);
    } else {
        const QString v = QString::fromLatin1(value).trimmed().toLower();
        FUZZ_CHECK(v.startsWith(QLatin1String("application/json")), v);
    }

    const auto key = parseIdempotencyKey(value, true);
    if (key) {
        FUZZ_CHECK(key.value() && matches(QStringLiteral("[A-Za-z0-9._:-]{1,100}"), *key.value()));
        FUZZ_CHECK(key.value()->toLatin1() == value);
    } else {
        checkApiError(key.error());
    }
    const auto absent = parseIdempotencyKey(value, false);
    FUZZ_CHECK(absent && !absent.value());

    if (const auto token = bearerToken(value)) {
        FUZZ_CHECK(matches(QStringLiteral("[\\x21-\\x7e]{1,193}"), *token), *token);
        FUZZ_CHECK(value.contains(token->toLatin1()));
    }

    const QString text = QString::fromUtf8(value);
    if (const auto id = parsePathId(text)) {
        FUZZ_CHECK(*id >= 1 && *id <= apilimits::kMaxId);
        FUZZ_CHECK(QString::number(*id) == text, text); // no sign, no leading zero, no spaces
    }

    const auto bids = parseBidQuery(text);
    if (bids) {
        FUZZ_CHECK(!bids.value().offerId || *bids.value().offerId >= 1);
        FUZZ_CHECK(!text.isEmpty() || (!bids.value().offerId && !bids.value().openOnly));
    } else {
        checkApiError(bids.error());
        FUZZ_CHECK(bids.error().status == 400);
    }
    const auto purchases = parsePurchaseQuery(text);
    if (!purchases) {
        checkApiError(purchases.error());
        FUZZ_CHECK(purchases.error().status == 400);
    }
    const auto none = checkNoQuery(text);
    FUZZ_CHECK(none.has_value() == !text.isEmpty());
    if (none)
        checkApiError(*none);
}

// What the connection handler sees of a framer: the first refusal, or the state at the end.
struct Framing
{
    int status = 0;
    QString code;
    bool sendContinue = false;
    bool idle = false;
    bool awaiting = false;
    bool close = false;
    QByteArray method;
    QByteArray target;
};

Framing frame(const QByteArray &stream, const QList<qsizetype> &cuts)
{
    RequestFramer framer;
    Framing out;
    qsizetype start = 0;
    for (qsizetype k = 0; k <= cuts.size(); ++k) {
        const qsizetype end = k < cuts.size() ? cuts.at(k) : stream.size();
        const auto v = framer.feed(QByteArrayView(stream).sliced(start, end - start));
        start = end;
        if (v.kind == RequestFramer::Verdict::Kind::Reject) {
            FUZZ_CHECK(QList<int>({400, 411, 413, 414, 431, 505}).contains(v.status),
                       QString::number(v.status));
            FUZZ_CHECK(matches(QStringLiteral("[a-z_]{3,40}"), v.code), v.code);
            FUZZ_CHECK(isPlainError(v.message), v.message);
            out.status = v.status;
            out.code = v.code;
            return out;
        }
        FUZZ_CHECK(v.status == 0);
        out.sendContinue = out.sendContinue || v.sendContinue;
    }
    out.idle = framer.idle();
    out.awaiting = framer.awaitingResponse();
    out.close = framer.closeAfterResponse();
    out.method = framer.method();
    out.target = framer.target();
    if (out.awaiting) {
        FUZZ_CHECK(matches(QStringLiteral("[A-Z]{1,16}"), QString::fromLatin1(out.method)));
        FUZZ_CHECK(
            matches(QStringLiteral("/[\\x21-\\x7e]{0,2047}"), QString::fromLatin1(out.target)));
    }
    return out;
}

void checkFraming(const QByteArray &input)
{
    if (input.isEmpty())
        return;
    // The first byte chooses where the rest is cut into the fragments that arrive.
    const quint8 step = quint8(input.at(0));
    const QByteArray stream = input.mid(1);
    QList<qsizetype> cuts;
    for (qsizetype at = 1 + step % 7; at < stream.size(); at += 1 + (at * step) % 13)
        cuts.append(at);

    const Framing whole = frame(stream, {});
    const Framing pieces = frame(stream, cuts);
    FUZZ_CHECK(whole.status == pieces.status && whole.code == pieces.code, whole.code);
    if (whole.status == 0) {
        FUZZ_CHECK(whole.idle == pieces.idle && whole.awaiting == pieces.awaiting);
        FUZZ_CHECK(whole.close == pieces.close && whole.sendContinue == pieces.sendContinue);
        FUZZ_CHECK(whole.method == pieces.method && whole.target == pieces.target);
    }

    // A connection that is answered as soon as each request is complete: any number of
    // requests, each refused or complete on its own.
    RequestFramer served;
    for (qsizetype at = 0; at < stream.size();) {
        const qsizetype n = std::min<qsizetype>(stream.size() - at, 1 + (at + step) % 61);
        const auto v = served.feed(QByteArrayView(stream).sliced(at, n));
        at += n;
        if (v.kind == RequestFramer::Verdict::Kind::Reject)
            break;
        if (served.awaitingResponse())
            served.responseSent();
        FUZZ_CHECK(!served.awaitingResponse());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray input = fuzz::bytesOf(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0:
        checkStrictJson(input);
        break;
    case 1:
        checkBidBody(input);
        break;
    case 2:
        checkHeaderValues(input);
        break;
    default:
        checkFraming(input);
        break;
    }
    return 0;
}
