#pragma once

#include "control/schedulecheck.h"
#include "dns/delegationcheck.h"
#include "domain/market.h"
#include "market/clearing.h"

#include <QList>
#include <QString>
#include <functional>
#include <optional>
#include <utility>

namespace headroom {

class Database;

// Why a market operation was refused. The kinds map one to one onto the purchaser API's status
// codes: Invalid 422, NotFound 404 (also for another purchaser's objects: they do not exist for
// the caller), Conflict 409 (the object is not in a state that allows it), Storage 500.
struct MarketError
{
    enum class Kind
    {
        Invalid,
        NotFound,
        Conflict,
        Storage
    };
    Kind kind = Kind::Invalid;
    QString message; // one sentence, safe to show the caller
};

template <typename T> class [[nodiscard]] MarketResult
{
public:
    MarketResult(T value) : m_value(std::move(value)) {}
    MarketResult(MarketError error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T value() && { return std::move(*m_value); }
    const MarketError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    MarketError m_error;
};

// The forecast check of an offer against its pool's spare capacity.
struct OfferCheck
{
    QList<ScheduleConflict> conflicts; // empty: the offer fits the forecast
    QString summary;                   // describeConflicts(), or "fits the forecast"
    bool needsOverride() const { return !conflicts.isEmpty(); }
};

struct BidRequest
{
    qint64 offerId = 0;
    qint64 purchaserId = 0;
    std::optional<qint64> siteId; // must be one of the purchaser's sites; nullopt: their only one
    qint64 rateRps = 0;
    std::optional<qint64> minRps; // nullopt: all or nothing
    qint64 priceMinor = 0;
    QString source = QStringLiteral("operator"); // or "api"
    std::optional<QString> requestId;            // idempotency key (API), unique per purchaser
};

struct BidOutcome
{
    MarketBid bid;
    QList<Purchase> purchases; // created by this bid (fixed price, or a continuous trade)
    bool replayed = false;     // the same requestId was seen before: nothing new was done
    QString explanation;       // "won 100 req/s at 12.00 EUR", "resting in the book", ...
};

struct Approval
{
    Purchase purchase;
    QList<qint64> leaseIds;             // the leases it created
    QList<DelegationReport> delegation; // one per host of the site, if a probe was given
};

struct AutoApproveRule
{
    bool enabled = false;
    qint64 maxRps = 0; // only purchases up to this rate; 0: any rate
};

struct BidFilter
{
    std::optional<qint64> offerId;
    std::optional<qint64> purchaserId;
    bool openOnly = false;
};

struct PurchaseFilter
{
    std::optional<qint64> purchaserId;
    std::optional<PurchaseState> state;
};

// The market: offers, bids, clearing, purchases and their approval, with an audit row (who, when,
// what) written in the same transaction as every change. All state is in the database, so the
// console, `headroomctl` and the purchaser API (separate processes) see one market; an operation
// is one short write transaction, and the continuous book is rebuilt from the offer's resting
// bids inside it.
//
// `actor` is who asks: "operator:<name>", "purchaser:<id>", "rule:auto-approve", "controller".
// Operations on behalf of a purchaser (`asPurchaser` set) see only that purchaser's objects: any
// other is NotFound, never Forbidden, so ids of others' objects leak nothing.
//
// Pricing (see docs/MARKET.md): fixed-price bids at or above the posted price are filled at once
// (first come, first served; a partial fill down to the bid's minimum); auction bids wait for the
// close and clear at one uniform price (clearUniformAuction); continuous bids trade against the
// offer's ask when they cross and otherwise rest until the ask is repriced down to them.
class MarketService final
{
public:
    using Clock = std::function<qint64()>; // UTC ms
    // Runs the delegation check for one host (blocking: CLI and worker threads only).
    using DelegationProbe = std::function<DelegationReport(const QString &host)>;

    explicit MarketService(Database &database, Clock clock = {});

    // Offers.
    MarketResult<OfferCheck> checkOffer(const Offer &offer) const;
    // Posts after the forecast check; over the forecast it needs a non-empty overrideReason,
    // which is stored with the offer and in the audit log.
    MarketResult<Offer> postOffer(Offer offer, const QString &overrideReason, const QString &actor);
    // Only while open and nothing is sold; open bids on it are lost.
    MarketResult<Offer> withdrawOffer(qint64 offerId, const QString &actor);
    // Continuous offers: a new ask price; resting bids that now cross trade at it.
    MarketResult<QList<Purchase>> repriceOffer(qint64 offerId, qint64 priceMinor,
                                               const QString &actor);
    MarketResult<QList<Offer>> offers(bool openOnly = false) const;
    MarketResult<Offer> offer(qint64 offerId) const;

    // Bids. A replayed requestId returns the first outcome (replayed = true) if the request is the
    // same, Conflict if it differs.
    MarketResult<BidOutcome> placeBid(const BidRequest &request, const QString &actor);
    MarketResult<MarketBid> cancelBid(qint64 bidId, std::optional<qint64> asPurchaser,
                                      const QString &actor);
    MarketResult<QList<MarketBid>> bids(const BidFilter &filter) const;
    MarketResult<MarketBid> bid(qint64 bidId, std::optional<qint64> asPurchaser) const;

    // Auctions. The preview clears the bids as they stand without changing anything.
    MarketResult<ClearingResult> previewClearing(qint64 offerId) const;
    // Closes at or after closesAtMs (early = true: before it, recorded as such).
    MarketResult<QList<Purchase>> closeAuction(qint64 offerId, const QString &actor,
                                               bool early = false);
    // Every auction whose close has passed; the controller calls this each poll.
    MarketResult<int> closeDueAuctions(const QString &actor);

    // Purchases. Approval creates one lease (the offer's pool, windows and kind; the purchase's
    // site and rate) and its tariff, then, if a probe is given, checks every host of the site is
    // delegated to us and records the verdicts. Rejection needs a reason and gives the units back
    // to the offer.
    MarketResult<QList<Purchase>> purchases(const PurchaseFilter &filter) const;
    MarketResult<Purchase> purchase(qint64 purchaseId, std::optional<qint64> asPurchaser) const;
    MarketResult<Approval> approve(qint64 purchaseId, const QString &actor,
                                   const DelegationProbe &probe = {});
    MarketResult<Purchase> reject(qint64 purchaseId, const QString &reason, const QString &actor);
    // Records delegation verdicts found later (the console runs the check off the GUI thread).
    MarketResult<bool> recordDelegation(qint64 purchaseId, const QList<DelegationReport> &reports,
                                        const QString &actor);

    MarketResult<AutoApproveRule> autoApproveRule() const;
    MarketResult<bool> setAutoApproveRule(const AutoApproveRule &rule, const QString &actor);

    // Newest first.
    MarketResult<QList<AuditEntry>> audit(int limit = 200) const;

private:
    qint64 now() const;
    // Approves, as the auto-approve rule, the new purchases it covers; updates them in place.
    void applyAutoApprove(QList<Purchase> &purchases);

    Database &m_database;
    Clock m_clock;
};

// Money for people: 1234 EUR -> "12.34 EUR" (two decimals; minor units are cents).
QString formatMinor(qint64 minor, const QString &currency);
// "12.34" or "12" -> 1234; nullopt for anything else (negative, > 2 decimals, overflow, junk).
std::optional<qint64> parseMinor(const QString &text);

} // namespace headroom
