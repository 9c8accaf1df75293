#include "domain/market.h"

#include "domain/enumnames.h"

#include <QRegularExpression>

namespace headroom {
namespace {

const char *const kPricingNames[] = {"fixed", "auction", "continuous"};
const char *const kOfferStateNames[] = {"open", "closed", "awarded", "withdrawn"};
const char *const kBidStateNames[] = {"open", "won", "lost", "withdrawn"};
const char *const kPurchaseStateNames[] = {"pending", "approved", "rejected"};

// Larger than any network we would steer; keeps units x price x hours far inside qint64.
constexpr qint64 kMaxUnits = 10'000'000;
constexpr qint64 kMaxPriceMinor = 100'000'000; // 1,000,000.00 per unit
constexpr qint64 kLatestMs = 253402300799000;  // 9999-12-31

} // namespace

QString pricingModeName(PricingMode m)
{
    return enumName(m, kPricingNames);
}

std::optional<PricingMode> pricingModeFromName(const QString &name)
{
    return enumFromName<PricingMode>(name, kPricingNames);
}

QString offerStateName(OfferState s)
{
    return enumName(s, kOfferStateNames);
}

std::optional<OfferState> offerStateFromName(const QString &name)
{
    return enumFromName<OfferState>(name, kOfferStateNames);
}

QString bidStateName(BidState s)
{
    return enumName(s, kBidStateNames);
}

std::optional<BidState> bidStateFromName(const QString &name)
{
    return enumFromName<BidState>(name, kBidStateNames);
}

QString purchaseStateName(PurchaseState s)
{
    return enumName(s, kPurchaseStateNames);
}

std::optional<PurchaseState> purchaseStateFromName(const QString &name)
{
    return enumFromName<PurchaseState>(name, kPurchaseStateNames);
}

Lease Offer::asLease() const
{
    Lease lease;
    lease.id = -id; // never a stored lease's id
    lease.offerId = id;
    lease.pool = pool;
    lease.rateRps = double(rateRps);
    lease.startsAtMs = startsAtMs;
    lease.endsAtMs = startsAtMs + durationMs;
    lease.dailyDays = dailyDays;
    lease.kind = kind;
    return lease;
}

QString Offer::validate() const
{
    static const QRegularExpression poolName(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-z0-9][a-z0-9_-]{0,62}")));
    if (!poolName.match(pool).hasMatch())
        return QStringLiteral("the pool must be a name of lower-case letters, digits, - and _");
    if (rateRps < 1 || rateRps > kMaxUnits)
        return QStringLiteral("the rate must be a whole number of req/s from 1 to %1")
            .arg(kMaxUnits);
    if (durationMs < 60'000 || durationMs % 60'000 != 0)
        return QStringLiteral("the window must last a whole number of minutes, at least one");
    if (dailyDays < 0 || dailyDays > 366)
        return QStringLiteral("a daily offer repeats on 1 to 366 days");
    if (dailyDays > 1 && durationMs >= Lease::kDayMs)
        return QStringLiteral("a daily window must be shorter than a day");
    if (startsAtMs < 0 || startsAtMs + durationMs + qint64(dailyDays) * Lease::kDayMs > kLatestMs)
        return QStringLiteral("the offer's times are out of range");
    static const QRegularExpression iso4217(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Z]{3}")));
    if (!iso4217.match(currency).hasMatch())
        return QStringLiteral("the currency must be three capital letters (ISO 4217), e.g. EUR");
    if (priceMinor < 0 || priceMinor > kMaxPriceMinor || reserveMinor < 0 ||
        reserveMinor > kMaxPriceMinor)
        return QStringLiteral("prices must be from 0 to 1,000,000.00 per unit");
    switch (pricing) {
    case PricingMode::Fixed:
    case PricingMode::Continuous:
        if (priceMinor <= 0)
            return QStringLiteral("a fixed or continuous offer needs a price above 0");
        if (closesAtMs)
            return QStringLiteral("only an auction has a closing time");
        break;
    case PricingMode::Auction:
        if (!closesAtMs)
            return QStringLiteral("an auction needs a closing time");
        if (*closesAtMs > startsAtMs)
            return QStringLiteral("the auction must close before the window starts");
        if (*closesAtMs < 0)
            return QStringLiteral("the closing time is out of range");
        if (priceMinor != 0)
            return QStringLiteral("an auction has a reserve, not a price");
        break;
    }
    if (overrideReason.size() > 500)
        return QStringLiteral("the override reason is longer than 500 characters");
    return {};
}

} // namespace headroom
