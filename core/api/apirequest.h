#pragma once

#include "domain/market.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>
#include <optional>
#include <utility>

namespace headroom {

// The purchaser API's inputs: hostile bytes from the network turned into value types, or an
// ApiError that names the HTTP status and says precisely what is wrong. Structure (not JSON, not
// an object, an unknown or missing field, a wrong JSON type) is 400; a well-formed value out of
// its range is 422. Messages never repeat what the client sent beyond a plain field name.
struct ApiError
{
    int status = 400;
    QString code;    // machine-readable, e.g. "malformed_json", "unknown_field", "invalid_value"
    QString message; // one sentence for the caller
};

template <typename T> class [[nodiscard]] ApiParsed
{
public:
    ApiParsed(T value) : m_value(std::move(value)) {}
    ApiParsed(ApiError error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T value() && { return std::move(*m_value); }
    const ApiError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    ApiError m_error;
};

namespace apilimits {
constexpr qint64 kMaxId = 9007199254740991; // 2^53 - 1: exact in every JSON implementation
constexpr qint64 kMaxRateRps = 10'000'000;
constexpr qint64 kMaxPriceMinor = 100'000'000;
constexpr int kMaxIdempotencyKey = 100;
} // namespace apilimits

// POST /v1/bids.
struct BidBody
{
    qint64 offerId = 0;
    qint64 rateRps = 0;
    std::optional<qint64> minRps; // absent or null: all or nothing
    qint64 priceMinor = 0;
    std::optional<qint64> siteId; // absent or null: the purchaser's only site
};

// Content-Type must be application/json, optionally with charset=utf-8 (any case); else 400.
std::optional<ApiError> checkJsonContentType(QByteArrayView contentType);
// The body of POST /v1/bids: exactly the fields of BidBody, each an integer in range.
ApiParsed<BidBody> parseBidBody(QByteArrayView body);

// The Idempotency-Key header (present: the header was sent, even empty): 1 to 100 of
// A-Z a-z 0-9 . _ : -, else 400. nullopt when absent.
ApiParsed<std::optional<QString>> parseIdempotencyKey(QByteArrayView value, bool present);

// The token of "Authorization: Bearer <token>" (scheme case-insensitive, one space or more);
// nullopt for any other shape. The token itself is checked by
// PurchaserRepository::purchaserForToken.
std::optional<QString> bearerToken(QByteArrayView authorization);

// An id in a path: 1 to 16 decimal digits without sign or leading zero, at most kMaxId; nullopt
// otherwise (the route answers 404: such an object does not exist).
std::optional<qint64> parsePathId(QStringView segment);

// Query strings (percent-encoded, as in the URL). Unknown or repeated parameters are 400.
struct BidQuery
{
    std::optional<qint64> offerId; // offer_id=N
    bool openOnly = false;         // open=true|false
};
ApiParsed<BidQuery> parseBidQuery(const QString &query);
struct PurchaseQuery
{
    std::optional<PurchaseState> state; // state=pending|approved|rejected
};
ApiParsed<PurchaseQuery> parsePurchaseQuery(const QString &query);
// For routes that take no parameters.
std::optional<ApiError> checkNoQuery(const QString &query);

} // namespace headroom
