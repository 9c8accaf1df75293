#include "api/apirequest.h"

#include "api/strictjson.h"

#include <QHash>
#include <QSet>
#include <QUrl>

namespace headroom {
namespace {

ApiError badRequest(const QString &code, const QString &message)
{
    return ApiError{400, code, message};
}

ApiError invalidValue(const QString &message)
{
    return ApiError{422, QStringLiteral("invalid_value"), message};
}

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// A JSON integer lexeme (-?digits) within [least, most]; nullopt when out of range.
std::optional<qint64> integerInRange(const QString &lexeme, qint64 least, qint64 most)
{
    if (lexeme.startsWith(QLatin1Char('-')) || lexeme.size() > 18)
        return std::nullopt; // negative (also -0), or beyond 10^18
    bool ok = false;
    const qint64 v = lexeme.toLongLong(&ok);
    if (!ok || v < least || v > most)
        return std::nullopt;
    return v;
}

QString trimmedLatin1(QByteArrayView v)
{
    return QString::fromLatin1(v.trimmed());
}

// Splits a percent-encoded query into decoded key/value pairs; unknown or repeated keys are 400.
ApiParsed<QHash<QString, QString>> splitQuery(const QString &query, const QStringList &allowed)
{
    QHash<QString, QString> values;
    if (query.isEmpty())
        return values;
    if (query.size() > 1000)
        return badRequest(QStringLiteral("bad_query"), QStringLiteral("the query is too long"));
    const auto pairs = query.split(QLatin1Char('&'));
    for (const QString &pair : pairs) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        const QString key =
            QUrl::fromPercentEncoding(pair.left(eq < 0 ? pair.size() : eq).toUtf8());
        const QString value =
            eq < 0 ? QString() : QUrl::fromPercentEncoding(pair.mid(eq + 1).toUtf8());
        if (!allowed.contains(key))
            return badRequest(QStringLiteral("bad_query"),
                              allowed.isEmpty()
                                  ? QStringLiteral("this route takes no query parameters")
                                  : QStringLiteral("unknown query parameter %1; this route takes "
                                                   "%2")
                                        .arg(describeKey(key), allowed.join(QStringLiteral(", "))));
        if (values.contains(key))
            return badRequest(QStringLiteral("bad_query"),
                              QStringLiteral("query parameter %1 is given twice").arg(key));
        values.insert(key, value);
    }
    return values;
}

} // namespace

std::optional<ApiError> checkJsonContentType(QByteArrayView contentType)
{
    // media-type [; charset=utf-8], case-insensitive, optional spaces around ';' and '='.
    const QString value = trimmedLatin1(contentType).toLower();
    const auto parts = value.split(QLatin1Char(';'));
    bool ok = parts.first().trimmed() == QLatin1String("application/json") && parts.size() <= 2;
    if (ok && parts.size() == 2) {
        const auto param = parts.at(1).split(QLatin1Char('='));
        ok = param.size() == 2 && param.at(0).trimmed() == QLatin1String("charset") &&
             (param.at(1).trimmed() == QLatin1String("utf-8") ||
              param.at(1).trimmed() == QLatin1String("\"utf-8\""));
    }
    if (ok)
        return std::nullopt;
    return badRequest(QStringLiteral("unsupported_content_type"),
                      contentType.isEmpty()
                          ? QStringLiteral("the body needs Content-Type: application/json")
                          : QStringLiteral("the body must be Content-Type: application/json "
                                           "(UTF-8)"));
}

ApiParsed<BidBody> parseBidBody(QByteArrayView body)
{
    QString error;
    const auto members = parseStrictJsonObject(body, &error);
    if (!members)
        return badRequest(QStringLiteral("malformed_json"),
                          QStringLiteral("the body is not a valid JSON object: %1").arg(error));

    static const QStringList fields = {QStringLiteral("offer_id"), QStringLiteral("rate_rps"),
                                       QStringLiteral("min_rps"), QStringLiteral("price_minor"),
                                       QStringLiteral("site_id")};
    static const QSet<QString> optional = {QStringLiteral("min_rps"), QStringLiteral("site_id")};
    QHash<QString, QString> lexemes; // field -> integer lexeme; null optional fields are left out
    for (const JsonMember &m : members.value()) {
        if (!fields.contains(m.key))
            return badRequest(QStringLiteral("unknown_field"),
                              QStringLiteral("unknown field %1; a bid has %2")
                                  .arg(describeKey(m.key), fields.join(QStringLiteral(", "))));
        if (m.type == JsonMember::Type::Null && optional.contains(m.key))
            continue;
        if (m.type != JsonMember::Type::Integer)
            return badRequest(
                QStringLiteral("wrong_type"),
                QStringLiteral("%1 must be an integer, not %2").arg(m.key, jsonTypeName(m.type)));
        lexemes.insert(m.key, m.text);
    }
    for (const QString &f : fields) {
        if (!optional.contains(f) && !lexemes.contains(f))
            return badRequest(QStringLiteral("missing_field"),
                              QStringLiteral("%1 is required").arg(f));
    }

    BidBody bid;
    const auto field = [&](const QString &name, qint64 least, qint64 most,
                           qint64 *out) -> std::optional<ApiError> {
        const auto v = integerInRange(lexemes.value(name), least, most);
        if (!v)
            return invalidValue(
                QStringLiteral("%1 must be from %2 to %3").arg(name).arg(least).arg(most));
        *out = *v;
        return std::nullopt;
    };
    if (auto e = field(QStringLiteral("offer_id"), 1, apilimits::kMaxId, &bid.offerId))
        return *e;
    if (auto e = field(QStringLiteral("rate_rps"), 1, apilimits::kMaxRateRps, &bid.rateRps))
        return *e;
    if (auto e =
            field(QStringLiteral("price_minor"), 0, apilimits::kMaxPriceMinor, &bid.priceMinor))
        return *e;
    if (lexemes.contains(QStringLiteral("min_rps"))) {
        qint64 v = 0;
        if (auto e = field(QStringLiteral("min_rps"), 1, apilimits::kMaxRateRps, &v))
            return *e;
        if (v > bid.rateRps)
            return invalidValue(QStringLiteral("min_rps must not exceed rate_rps"));
        bid.minRps = v;
    }
    if (lexemes.contains(QStringLiteral("site_id"))) {
        qint64 v = 0;
        if (auto e = field(QStringLiteral("site_id"), 1, apilimits::kMaxId, &v))
            return *e;
        bid.siteId = v;
    }
    return bid;
}

ApiParsed<std::optional<QString>> parseIdempotencyKey(QByteArrayView value, bool present)
{
    if (!present)
        return std::optional<QString>();
    bool ok = !value.isEmpty() && value.size() <= apilimits::kMaxIdempotencyKey;
    for (const char c : value) {
        ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-');
    }
    if (!ok)
        return badRequest(QStringLiteral("bad_idempotency_key"),
                          QStringLiteral("Idempotency-Key must be 1 to %1 letters, digits or "
                                         ". _ : - (a UUID is a good key)")
                              .arg(apilimits::kMaxIdempotencyKey));
    return std::optional<QString>(QString::fromLatin1(value));
}

std::optional<QString> bearerToken(QByteArrayView authorization)
{
    const QByteArrayView v = authorization.trimmed();
    if (v.size() < 8 || v.size() > 200 ||
        !v.first(6).toByteArray().toLower().startsWith("bearer") || (v[6] != ' '))
        return std::nullopt;
    const QByteArrayView token = v.sliced(6).trimmed();
    for (const char c : token) {
        if (c <= ' ' || quint8(c) >= 0x7F)
            return std::nullopt;
    }
    if (token.isEmpty())
        return std::nullopt;
    return QString::fromLatin1(token);
}

std::optional<qint64> parsePathId(QStringView segment)
{
    if (segment.isEmpty() || segment.size() > 16 || segment.front() == QLatin1Char('0'))
        return std::nullopt;
    for (const QChar c : segment) {
        if (!isAsciiDigit(c))
            return std::nullopt;
    }
    const qint64 v = segment.toLongLong();
    if (v < 1 || v > apilimits::kMaxId)
        return std::nullopt;
    return v;
}

ApiParsed<BidQuery> parseBidQuery(const QString &query)
{
    auto values = splitQuery(query, {QStringLiteral("offer_id"), QStringLiteral("open")});
    if (!values)
        return values.error();
    BidQuery q;
    const QHash<QString, QString> &v = values.value();
    if (v.contains(QStringLiteral("offer_id"))) {
        const auto id = parsePathId(v.value(QStringLiteral("offer_id")));
        if (!id)
            return badRequest(
                QStringLiteral("bad_query"),
                QStringLiteral("offer_id must be an offer's id (a positive integer)"));
        q.offerId = id;
    }
    if (v.contains(QStringLiteral("open"))) {
        const QString open = v.value(QStringLiteral("open"));
        if (open != QLatin1String("true") && open != QLatin1String("false"))
            return badRequest(QStringLiteral("bad_query"),
                              QStringLiteral("open must be true or false"));
        q.openOnly = open == QLatin1String("true");
    }
    return q;
}

ApiParsed<PurchaseQuery> parsePurchaseQuery(const QString &query)
{
    auto values = splitQuery(query, {QStringLiteral("state")});
    if (!values)
        return values.error();
    PurchaseQuery q;
    if (values.value().contains(QStringLiteral("state"))) {
        q.state = purchaseStateFromName(values.value().value(QStringLiteral("state")));
        if (!q.state)
            return badRequest(QStringLiteral("bad_query"),
                              QStringLiteral("state must be pending, approved or rejected"));
    }
    return q;
}

std::optional<ApiError> checkNoQuery(const QString &query)
{
    auto values = splitQuery(query, {});
    if (!values)
        return values.error();
    return std::nullopt;
}

} // namespace headroom
