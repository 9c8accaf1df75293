#pragma once

#include "domain/audit.h"
#include "domain/lease.h"

#include <QString>
#include <optional>

namespace headroom {

// The market's records (issue 6). Quantities are whole req/s ("units"); prices are integer minor
// units of the offer's currency per unit: per req/s per hour of the window for a firm offer, per
// 1,000 requests carried for a best-effort one (billed on use). Times are UTC milliseconds.

enum class PricingMode
{
    Fixed,     // the posted price, first come first served
    Auction,   // sealed bids, multi-unit uniform price, cleared at closesAtMs
    Continuous // standing bids matched against the offer's ask as they arrive
};

// open -> awarded (sold out, or an auction that sold something) | closed (an auction that sold
// nothing) | withdrawn (by the operator, only while nothing is sold). A fixed or continuous offer
// is open while it has units left; a rejected purchase gives its units back.
enum class OfferState
{
    Open,
    Closed,
    Awarded,
    Withdrawn
};

enum class BidState
{
    Open,     // an auction bid before the close, or a continuous bid resting in the book
    Won,      // filled (wholly or partly): a purchase exists
    Lost,     // the auction closed without it, or the offer was withdrawn
    Withdrawn // cancelled by its bidder before it traded
};

enum class PurchaseState
{
    Pending,
    Approved,
    Rejected
};

QString pricingModeName(PricingMode m); // "fixed", "auction", "continuous"
std::optional<PricingMode> pricingModeFromName(const QString &name);
QString offerStateName(OfferState s); // "open", "closed", "awarded", "withdrawn"
std::optional<OfferState> offerStateFromName(const QString &name);
QString bidStateName(BidState s); // "open", "won", "lost", "withdrawn"
std::optional<BidState> bidStateFromName(const QString &name);
QString purchaseStateName(PurchaseState s); // "pending", "approved", "rejected"
std::optional<PurchaseState> purchaseStateFromName(const QString &name);

// Capacity for sale: `rateRps` of `pool` during one window or the same window on `dailyDays`
// consecutive days.
struct Offer
{
    qint64 id = 0;
    QString pool;
    qint64 rateRps = 0; // units for sale
    qint64 startsAtMs = 0;
    qint64 durationMs = 0;
    int dailyDays = 0; // 0: one window
    LeaseKind kind = LeaseKind::Firm;
    PricingMode pricing = PricingMode::Fixed;
    qint64 priceMinor = 0;            // fixed: the price; continuous: the ask; auction: unused (0)
    qint64 reserveMinor = 0;          // auction: the least a unit sells for
    QString currency;                 // ISO 4217, e.g. "EUR"
    std::optional<qint64> closesAtMs; // auction only
    OfferState state = OfferState::Open;
    QString overrideReason; // set when posted above the forecast headroom
    qint64 soldRps = 0;     // units in pending or approved purchases
    qint64 createdAtMs = 0;

    qint64 endsAtMs() const { return startsAtMs + durationMs; } // of the first window
    qint64 unitsLeft() const { return rateRps - soldRps; }
    // The offer's windows as a (scheduled) lease of its pool, for forecast checks.
    Lease asLease() const;
    // Empty when the offer is well-formed; else the first problem, in words for the operator.
    QString validate() const;
};

struct MarketBid
{
    qint64 id = 0;
    qint64 offerId = 0;
    qint64 purchaserId = 0;
    QString purchaserName; // filled by the repository
    std::optional<qint64> siteId;
    qint64 rateRps = 0;           // units wanted
    std::optional<qint64> minRps; // the least it accepts; nullopt: all or nothing
    qint64 priceMinor = 0;        // the most it pays per unit
    BidState state = BidState::Open;
    QString source;                   // "operator" or "api"
    std::optional<QString> requestId; // the API's Idempotency-Key
    qint64 createdAtMs = 0;
};

struct Purchase
{
    qint64 id = 0;
    qint64 offerId = 0;
    std::optional<qint64> bidId;
    qint64 purchaserId = 0;
    QString purchaserName; // filled by the repository
    std::optional<qint64> siteId;
    QString siteName; // filled by the repository
    qint64 rateRps = 0;
    qint64 priceMinor = 0; // what it pays per unit (the clearing price for an auction)
    QString currency;
    PurchaseState state = PurchaseState::Pending;
    QString reason; // why rejected (or a note on approval)
    QString decidedBy;
    std::optional<qint64> decidedAtMs;
    qint64 createdAtMs = 0;
};

} // namespace headroom
