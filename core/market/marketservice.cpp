#include "market/marketservice.h"

#include "billing/tariff.h"
#include "fleet/forecast.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/loadhistoryrepository.h"
#include "store/marketrepository.h"
#include "store/siterepository.h"
#include "store/tariffrepository.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>
#include <algorithm>

namespace headroom {
namespace {

constexpr qint64 kForecastHistoryMs = 28LL * 24 * 3600 * 1000;
constexpr qint64 kMaxUnits = 10'000'000;
constexpr qint64 kMaxPriceMinor = 100'000'000;

MarketError invalid(const QString &message)
{
    return MarketError{MarketError::Kind::Invalid, message};
}

MarketError notFound(const QString &message)
{
    return MarketError{MarketError::Kind::NotFound, message};
}

MarketError conflict(const QString &message)
{
    return MarketError{MarketError::Kind::Conflict, message};
}

MarketError storage(const StoreError &error)
{
    return MarketError{MarketError::Kind::Storage, error.message};
}

// A store read as a market answer: its value, or its failure as a Storage error.
template <typename T> MarketResult<T> fromStore(Result<T> read)
{
    if (!read)
        return storage(read.error());
    return std::move(read).value();
}

QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

// An actor or reason is free text from a person: bounded and without control characters, so it
// cannot forge lines in the audit log or a terminal.
QString cleanText(const QString &s, int max)
{
    QString out;
    out.reserve(qMin(s.size(), max));
    for (const QChar c : s) {
        if (out.size() >= max)
            break;
        out.append(c.category() == QChar::Other_Control ? QLatin1Char(' ') : c);
    }
    return out.trimmed();
}

OverflowPolicy overflowFor(Assignment a)
{
    switch (a) {
    case Assignment::RoundRobin:
        return OverflowPolicy::RoundRobin;
    case Assignment::Weighted:
        return OverflowPolicy::Weighted;
    case Assignment::PrimaryBackup:
        return OverflowPolicy::PrimaryBackup;
    case Assignment::None:
        break;
    }
    return OverflowPolicy::Dns;
}

qint64 finalEndMs(const Offer &o)
{
    return o.asLease().finalEndMs();
}

// Runs `work` in one durable write transaction. `work` returns a MarketError to refuse (the
// transaction is rolled back) or nothing to commit.
template <typename Work> std::optional<MarketError> inTransaction(Database &db, Work &&work)
{
    std::optional<MarketError> refusal;
    const Result<void> written = db.durableWriteTransaction([&]() -> Result<void> {
        refusal = work();
        if (refusal)
            return StoreError{refusal->message};
        return {};
    });
    if (refusal)
        return refusal;
    if (!written)
        return storage(written.error());
    return std::nullopt;
}

} // namespace

QString formatMinor(qint64 minor, const QString &currency)
{
    const bool negative = minor < 0;
    const quint64 magnitude = negative ? quint64(0) - quint64(minor) : quint64(minor);
    return QStringLiteral("%1%2.%3 %4")
        .arg(negative ? QStringLiteral("-") : QString())
        .arg(magnitude / 100)
        .arg(magnitude % 100, 2, 10, QLatin1Char('0'))
        .arg(currency);
}

std::optional<qint64> parseMinor(const QString &text)
{
    static const QRegularExpression money(
        QRegularExpression::anchoredPattern(QStringLiteral("(\\d{1,12})(?:\\.(\\d{1,2}))?")));
    const auto m = money.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    qint64 minor = m.captured(1).toLongLong() * 100;
    const QString cents = m.captured(2);
    if (cents.size() == 1)
        minor += cents.toLongLong() * 10;
    else if (cents.size() == 2)
        minor += cents.toLongLong();
    return minor;
}

MarketService::MarketService(Database &database, Clock clock)
    : m_database(database), m_clock(std::move(clock))
{
}

qint64 MarketService::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

MarketResult<OfferCheck> MarketService::checkOffer(const Offer &offer) const
{
    if (const QString problem = offer.validate(); !problem.isEmpty())
        return invalid(problem);
    const qint64 at = now();
    const auto series =
        LoadHistoryRepository(m_database).headroomSeries(offer.pool, at - kForecastHistoryMs, at);
    if (!series)
        return storage(series.error());
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(series.value());

    // What else already claims the pool: open leases, and the unsold (or sold but not yet
    // approved) part of other offers that are still for sale or awarded.
    const auto leases = LeaseRepository(m_database).open();
    if (!leases)
        return storage(leases.error());
    QList<Lease> others;
    QHash<qint64, double> leasedFromOffer;
    for (const Lease &l : leases.value()) {
        if (l.pool != offer.pool)
            continue;
        others.append(l);
        if (l.offerId)
            leasedFromOffer[*l.offerId] += l.rateRps;
    }
    const auto offers = MarketRepository(m_database).offers(false);
    if (!offers)
        return storage(offers.error());
    for (const Offer &o : offers.value()) {
        if (o.id == offer.id || o.pool != offer.pool ||
            (o.state != OfferState::Open && o.state != OfferState::Awarded))
            continue;
        Lease claim = o.asLease();
        claim.kind = LeaseKind::Firm; // an unsold offer claims its capacity whatever its kind
        claim.rateRps = (o.state == OfferState::Open ? double(o.rateRps) : double(o.soldRps)) -
                        leasedFromOffer.value(o.id);
        if (claim.rateRps > 0)
            others.append(claim);
    }
    ScheduleCheckOptions options;
    options.notBeforeMs = at;
    OfferCheck check;
    check.conflicts = checkSchedule(offer.asLease(), others, estimates, options);
    check.summary = check.conflicts.isEmpty() ? QStringLiteral("fits the forecast headroom")
                                              : describeConflicts(check.conflicts);
    return check;
}

MarketResult<Offer> MarketService::postOffer(Offer offer, const QString &overrideReason,
                                             const QString &actor)
{
    offer.id = 0;
    offer.state = OfferState::Open;
    offer.soldRps = 0;
    offer.overrideReason = cleanText(overrideReason, 500);
    offer.createdAtMs = now();
    auto check = checkOffer(offer);
    if (!check)
        return check.error();
    if (finalEndMs(offer) <= offer.createdAtMs)
        return invalid(QStringLiteral("the offer's window has already ended"));
    if (offer.closesAtMs && *offer.closesAtMs <= offer.createdAtMs)
        return invalid(QStringLiteral("the auction's closing time has already passed"));
    if (check.value().needsOverride() && offer.overrideReason.isEmpty())
        return conflict(QStringLiteral("the offer is above the forecast headroom (%1); post it "
                                       "with an override reason to sell it anyway")
                            .arg(check.value().summary));
    if (!check.value().needsOverride())
        offer.overrideReason.clear();
    const QString who = cleanText(actor, 100);
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        MarketRepository repo(m_database);
        const auto id = repo.insertOffer(offer);
        if (!id)
            return storage(id.error());
        offer.id = id.value();
        QString detail =
            QStringLiteral("offer %1: %2 req/s of pool %3 from %4 UTC for %5 min%6, "
                           "%7, %8")
                .arg(offer.id)
                .arg(offer.rateRps)
                .arg(offer.pool, utc(offer.startsAtMs))
                .arg(offer.durationMs / 60000)
                .arg(offer.dailyDays > 0 ? QStringLiteral(" daily for %1 days").arg(offer.dailyDays)
                                         : QString())
                .arg(leaseKindName(offer.kind), pricingModeName(offer.pricing));
        if (!offer.overrideReason.isEmpty())
            detail += QStringLiteral("; above the forecast (%1), override: %2")
                          .arg(check.value().summary, offer.overrideReason);
        if (const auto a =
                repo.addAudit({0, offer.createdAtMs, who, QStringLiteral("offer.post"), detail});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    return offer;
}

MarketResult<Offer> MarketService::withdrawOffer(qint64 offerId, const QString &actor)
{
    const QString who = cleanText(actor, 100);
    Offer result;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        MarketRepository repo(m_database);
        const auto offer = repo.offer(offerId);
        if (!offer)
            return storage(offer.error());
        if (!offer.value())
            return notFound(QStringLiteral("no offer %1").arg(offerId));
        result = *offer.value();
        if (result.state != OfferState::Open)
            return conflict(QStringLiteral("offer %1 is %2; only an open offer can be withdrawn")
                                .arg(offerId)
                                .arg(offerStateName(result.state)));
        const auto sold = repo.purchases(std::nullopt, std::nullopt, offerId);
        if (!sold)
            return storage(sold.error());
        for (const Purchase &p : sold.value()) {
            if (p.state != PurchaseState::Rejected)
                return conflict(QStringLiteral("offer %1 has sold %2 req/s (purchase %3); an "
                                               "offer can be withdrawn only until it sells")
                                    .arg(offerId)
                                    .arg(p.rateRps)
                                    .arg(p.id));
        }
        const auto moved = repo.setOfferState(offerId, OfferState::Open, OfferState::Withdrawn);
        if (!moved)
            return storage(moved.error());
        const auto open = repo.bids(offerId, std::nullopt, true);
        if (!open)
            return storage(open.error());
        for (const MarketBid &b : open.value()) {
            if (const auto s = repo.setBidState(b.id, BidState::Open, BidState::Lost); !s)
                return storage(s.error());
        }
        result.state = OfferState::Withdrawn;
        if (const auto a = repo.addAudit({0, now(), who, QStringLiteral("offer.withdraw"),
                                          QStringLiteral("offer %1 withdrawn; %2 open bid(s) lost")
                                              .arg(offerId)
                                              .arg(open.value().size())});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    return result;
}

MarketResult<QList<Offer>> MarketService::offers(bool openOnly) const
{
    return fromStore(MarketRepository(m_database).offers(openOnly));
}

MarketResult<Offer> MarketService::offer(qint64 offerId) const
{
    const auto o = MarketRepository(m_database).offer(offerId);
    if (!o)
        return storage(o.error());
    if (!o.value())
        return notFound(QStringLiteral("no offer %1").arg(offerId));
    return *o.value();
}

namespace {

QString checkBidRequest(const BidRequest &r)
{
    if (r.rateRps < 1 || r.rateRps > kMaxUnits)
        return QStringLiteral("rate_rps must be a whole number from 1 to %1").arg(kMaxUnits);
    if (r.minRps && (*r.minRps < 1 || *r.minRps > r.rateRps))
        return QStringLiteral("min_rps must be from 1 to rate_rps");
    if (r.priceMinor < 0 || r.priceMinor > kMaxPriceMinor)
        return QStringLiteral("price_minor must be from 0 to %1").arg(kMaxPriceMinor);
    if (r.source != QLatin1String("operator") && r.source != QLatin1String("api"))
        return QStringLiteral("a bid comes from the operator or the API");
    static const QRegularExpression key(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9._:-]{1,100}")));
    if (r.requestId && !key.match(*r.requestId).hasMatch())
        return QStringLiteral("the idempotency key must be 1 to 100 letters, digits or . _ : -");
    return {};
}

// A resting bid won `units` at `priceMinor`: the bid is won and a pending purchase made for it.
// Inside the caller's transaction.
MarketResult<Purchase> awardBid(MarketRepository &repo, const MarketBid &b, const Offer &o,
                                qint64 units, qint64 priceMinor, qint64 at)
{
    if (const auto s = repo.setBidState(b.id, BidState::Open, BidState::Won); !s)
        return storage(s.error());
    Purchase p;
    p.offerId = o.id;
    p.bidId = b.id;
    p.purchaserId = b.purchaserId;
    p.purchaserName = b.purchaserName;
    p.siteId = b.siteId;
    p.rateRps = units;
    p.priceMinor = priceMinor;
    p.currency = o.currency;
    p.createdAtMs = at;
    const auto id = repo.insertPurchase(p);
    if (!id)
        return storage(id.error());
    p.id = id.value();
    return p;
}

Bid clearingBid(const MarketBid &b)
{
    Bid bid;
    bid.id = b.id;
    bid.purchaserId = b.purchaserId;
    bid.units = b.rateRps;
    bid.minUnits = b.minRps.value_or(b.rateRps);
    bid.priceMinor = b.priceMinor;
    bid.placedAtMs = b.createdAtMs;
    bid.sequence = quint64(b.id);
    bid.cancelled = b.state == BidState::Withdrawn;
    return bid;
}

} // namespace

MarketResult<BidOutcome> MarketService::placeBid(const BidRequest &request, const QString &actor)
{
    if (const QString problem = checkBidRequest(request); !problem.isEmpty())
        return invalid(problem);
    const QString who = cleanText(actor, 100);
    const qint64 at = now();
    BidOutcome outcome;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        outcome = BidOutcome{};
        MarketRepository repo(m_database);
        if (request.requestId) {
            const auto earlier = repo.bidByRequest(request.purchaserId, *request.requestId);
            if (!earlier)
                return storage(earlier.error());
            if (const auto &b = earlier.value()) {
                const bool same = b->offerId == request.offerId && b->rateRps == request.rateRps &&
                                  b->minRps == request.minRps &&
                                  b->priceMinor == request.priceMinor &&
                                  (!request.siteId || b->siteId == request.siteId);
                if (!same)
                    return conflict(QStringLiteral("this idempotency key was used for a "
                                                   "different bid (%1)")
                                        .arg(b->id));
                outcome.bid = *b;
                outcome.replayed = true;
                const auto p = repo.purchaseForBid(b->id);
                if (!p)
                    return storage(p.error());
                if (p.value())
                    outcome.purchases.append(*p.value());
                outcome.explanation = QStringLiteral("already placed as bid %1").arg(b->id);
                return std::nullopt;
            }
        }
        const auto purchaser = repo.purchaserName(request.purchaserId);
        if (!purchaser)
            return storage(purchaser.error());
        if (!purchaser.value())
            return notFound(QStringLiteral("no purchaser %1").arg(request.purchaserId));
        const auto found = repo.offer(request.offerId);
        if (!found)
            return storage(found.error());
        if (!found.value())
            return notFound(QStringLiteral("no offer %1").arg(request.offerId));
        Offer offer = *found.value();
        if (offer.state != OfferState::Open)
            return conflict(QStringLiteral("offer %1 is %2 and takes no bids")
                                .arg(offer.id)
                                .arg(offerStateName(offer.state)));
        if (at >= finalEndMs(offer))
            return conflict(QStringLiteral("offer %1's window has ended").arg(offer.id));
        if (offer.pricing == PricingMode::Auction && offer.closesAtMs && at >= *offer.closesAtMs)
            return conflict(QStringLiteral("the auction for offer %1 closed at %2 UTC")
                                .arg(offer.id)
                                .arg(utc(*offer.closesAtMs)));

        // The site the capacity is for: one of the purchaser's own.
        const auto theirs = repo.sitesOf(request.purchaserId);
        if (!theirs)
            return storage(theirs.error());
        std::optional<std::pair<qint64, QString>> site;
        if (request.siteId) {
            for (const auto &s : theirs.value()) {
                if (s.first == *request.siteId)
                    site = s;
            }
            if (!site)
                return notFound(QStringLiteral("purchaser %1 has no site %2")
                                    .arg(request.purchaserId)
                                    .arg(*request.siteId));
        } else if (theirs.value().size() == 1) {
            site = theirs.value().constFirst();
        } else if (theirs.value().isEmpty()) {
            return invalid(QStringLiteral("purchaser %1 has no site yet; a site is registered "
                                          "before bidding")
                               .arg(request.purchaserId));
        } else {
            return invalid(QStringLiteral("purchaser %1 has %2 sites; name the one the bid is for")
                               .arg(request.purchaserId)
                               .arg(theirs.value().size()));
        }
        const std::optional<qint64> siteId = site->first;

        MarketBid bid;
        bid.offerId = offer.id;
        bid.purchaserId = request.purchaserId;
        bid.purchaserName = *purchaser.value();
        bid.siteId = siteId;
        bid.rateRps = request.rateRps;
        bid.minRps = request.minRps;
        bid.priceMinor = request.priceMinor;
        bid.source = request.source;
        bid.requestId = request.requestId;
        bid.createdAtMs = at;
        const qint64 least = request.minRps.value_or(request.rateRps);

        QList<std::pair<qint64, qint64>> fills; // units, price per unit
        switch (offer.pricing) {
        case PricingMode::Fixed: {
            if (request.priceMinor < offer.priceMinor)
                return invalid(QStringLiteral("offer %1 sells at %2 per req/s; the bid offers %3")
                                   .arg(offer.id)
                                   .arg(formatMinor(offer.priceMinor, offer.currency),
                                        formatMinor(request.priceMinor, offer.currency)));
            const qint64 units = qMin(request.rateRps, offer.unitsLeft());
            if (units < least)
                return conflict(QStringLiteral("offer %1 has %2 req/s left; the bid needs at "
                                               "least %3")
                                    .arg(offer.id)
                                    .arg(offer.unitsLeft())
                                    .arg(least));
            fills.append({units, offer.priceMinor});
            break;
        }
        case PricingMode::Auction:
            if (request.priceMinor < offer.reserveMinor)
                return invalid(QStringLiteral("the bid is below the auction's reserve of %1 per "
                                              "req/s")
                                   .arg(formatMinor(offer.reserveMinor, offer.currency)));
            break;
        case PricingMode::Continuous:
            break;
        }
        bid.state = fills.isEmpty() ? BidState::Open : BidState::Won;
        const auto id = repo.insertBid(bid);
        if (!id) {
            if (id.error().isConstraint() && request.requestId)
                return conflict(QStringLiteral("this idempotency key is already in use"));
            return storage(id.error());
        }
        bid.id = id.value();

        if (offer.pricing == PricingMode::Continuous) {
            // The book as it stands: the offer's ask first, then the resting bids in arrival
            // order (none of them crosses it, or it would have traded), then this bid.
            ContinuousBook book;
            Ask ask;
            ask.id = offer.id;
            ask.units = offer.unitsLeft();
            ask.priceMinor = offer.priceMinor;
            ask.sequence = 0;
            if (ask.units > 0)
                book.addAsk(ask);
            const auto resting = repo.bids(offer.id, std::nullopt, true);
            if (!resting)
                return storage(resting.error());
            for (const MarketBid &b : resting.value()) {
                const BookUpdate u = book.addBid(clearingBid(b));
                if (!u.ok() || (b.id != bid.id && !u.trades.isEmpty()))
                    return storage(StoreError{
                        QStringLiteral("the order book of offer %1 is inconsistent: %2")
                            .arg(offer.id)
                            .arg(u.error.isEmpty() ? QStringLiteral("a resting bid crosses")
                                                   : u.error)});
                for (const Trade &t : u.trades)
                    fills.append({t.units, t.priceMinor});
            }
            if (!fills.isEmpty()) {
                bid.state = BidState::Won;
                if (const auto s = repo.setBidState(bid.id, BidState::Open, BidState::Won); !s)
                    return storage(s.error());
            }
        }

        // One purchase per bid: the fills of one arrival are against the one ask.
        qint64 units = 0;
        qint64 price = 0;
        for (const auto &[u, p] : fills) {
            units += u;
            price = p;
        }
        if (units > 0) {
            Purchase purchase;
            purchase.offerId = offer.id;
            purchase.bidId = bid.id;
            purchase.purchaserId = bid.purchaserId;
            purchase.purchaserName = bid.purchaserName;
            purchase.siteId = siteId;
            purchase.siteName = site->second;
            purchase.rateRps = units;
            purchase.priceMinor = price;
            purchase.currency = offer.currency;
            purchase.createdAtMs = at;
            const auto pid = repo.insertPurchase(purchase);
            if (!pid)
                return storage(pid.error());
            purchase.id = pid.value();
            outcome.purchases.append(purchase);
            offer.soldRps += units;
            if (const auto s = repo.setOfferSold(offer.id, offer.soldRps); !s)
                return storage(s.error());
            if (offer.unitsLeft() <= 0) {
                if (const auto s =
                        repo.setOfferState(offer.id, OfferState::Open, OfferState::Awarded);
                    !s)
                    return storage(s.error());
            }
            outcome.explanation =
                QStringLiteral("won %1 req/s at %2 per req/s; purchase %3 awaits approval")
                    .arg(units)
                    .arg(formatMinor(price, offer.currency))
                    .arg(purchase.id);
        } else if (offer.pricing == PricingMode::Auction) {
            outcome.explanation = QStringLiteral("sealed until the auction closes at %1 UTC")
                                      .arg(utc(offer.closesAtMs.value_or(0)));
        } else {
            outcome.explanation =
                QStringLiteral("resting in the book below the ask of %1 per req/s")
                    .arg(formatMinor(offer.priceMinor, offer.currency));
        }
        outcome.bid = bid;
        if (const auto a = repo.addAudit(
                {0, at, who, QStringLiteral("bid.place"),
                 QStringLiteral("bid %1 on offer %2 by purchaser %3: %4 req/s (min %5) at %6; %7")
                     .arg(bid.id)
                     .arg(offer.id)
                     .arg(bid.purchaserId)
                     .arg(bid.rateRps)
                     .arg(least)
                     .arg(formatMinor(bid.priceMinor, offer.currency), outcome.explanation)});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    if (!outcome.replayed)
        applyAutoApprove(outcome.purchases);
    return outcome;
}

void MarketService::applyAutoApprove(QList<Purchase> &purchases)
{
    const auto rule = autoApproveRule();
    if (!rule || !rule.value().enabled)
        return;
    for (Purchase &p : purchases) {
        if (rule.value().maxRps != 0 && p.rateRps > rule.value().maxRps)
            continue;
        // A purchase the rule cannot approve (its site gone, say) stays in the queue.
        if (auto approved = approve(p.id, QStringLiteral("rule:auto-approve")))
            p = approved.value().purchase;
    }
}

MarketResult<MarketBid> MarketService::cancelBid(qint64 bidId, std::optional<qint64> asPurchaser,
                                                 const QString &actor)
{
    const QString who = cleanText(actor, 100);
    MarketBid result;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        MarketRepository repo(m_database);
        const auto bid = repo.bid(bidId);
        if (!bid)
            return storage(bid.error());
        if (!bid.value() || (asPurchaser && bid.value()->purchaserId != *asPurchaser))
            return notFound(QStringLiteral("no bid %1").arg(bidId));
        result = *bid.value();
        if (result.state != BidState::Open)
            return conflict(QStringLiteral("bid %1 is %2; only an open bid can be cancelled")
                                .arg(bidId)
                                .arg(bidStateName(result.state)));
        const auto offer = repo.offer(result.offerId);
        if (!offer)
            return storage(offer.error());
        if (offer.value() && offer.value()->closesAtMs && now() >= *offer.value()->closesAtMs)
            return conflict(QStringLiteral("the auction closed at %1 UTC; bids are final")
                                .arg(utc(*offer.value()->closesAtMs)));
        const auto moved = repo.setBidState(bidId, BidState::Open, BidState::Withdrawn);
        if (!moved)
            return storage(moved.error());
        if (!moved.value())
            return conflict(QStringLiteral("bid %1 changed meanwhile").arg(bidId));
        result.state = BidState::Withdrawn;
        if (const auto a = repo.addAudit(
                {0, now(), who, QStringLiteral("bid.cancel"),
                 QStringLiteral("bid %1 on offer %2 cancelled").arg(bidId).arg(result.offerId)});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    return result;
}

MarketResult<QList<MarketBid>> MarketService::bids(const BidFilter &filter) const
{
    return fromStore(
        MarketRepository(m_database).bids(filter.offerId, filter.purchaserId, filter.openOnly));
}

MarketResult<MarketBid> MarketService::bid(qint64 bidId, std::optional<qint64> asPurchaser) const
{
    const auto b = MarketRepository(m_database).bid(bidId);
    if (!b)
        return storage(b.error());
    if (!b.value() || (asPurchaser && b.value()->purchaserId != *asPurchaser))
        return notFound(QStringLiteral("no bid %1").arg(bidId));
    return *b.value();
}

MarketResult<ClearingResult> MarketService::previewClearing(qint64 offerId) const
{
    const auto found = offer(offerId);
    if (!found)
        return found.error();
    const Offer &o = found.value();
    if (o.pricing != PricingMode::Auction)
        return conflict(QStringLiteral("offer %1 is %2; only auctions are cleared at a close")
                            .arg(offerId)
                            .arg(pricingModeName(o.pricing)));
    const auto open = MarketRepository(m_database).bids(offerId, std::nullopt, true);
    if (!open)
        return storage(open.error());
    QList<Bid> bids;
    for (const MarketBid &b : open.value())
        bids.append(clearingBid(b));
    return clearUniformAuction(o.rateRps, o.reserveMinor, bids);
}

MarketResult<QList<Purchase>> MarketService::closeAuction(qint64 offerId, const QString &actor,
                                                          bool early)
{
    const QString who = cleanText(actor, 100);
    const qint64 at = now();
    QList<Purchase> created;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        created.clear();
        MarketRepository repo(m_database);
        const auto found = repo.offer(offerId);
        if (!found)
            return storage(found.error());
        if (!found.value())
            return notFound(QStringLiteral("no offer %1").arg(offerId));
        const Offer o = *found.value();
        if (o.pricing != PricingMode::Auction)
            return conflict(QStringLiteral("offer %1 is not an auction").arg(offerId));
        if (o.state != OfferState::Open)
            return conflict(
                QStringLiteral("offer %1 is already %2").arg(offerId).arg(offerStateName(o.state)));
        if (!early && o.closesAtMs && at < *o.closesAtMs)
            return conflict(QStringLiteral("the auction for offer %1 closes at %2 UTC; close it "
                                           "early only on purpose")
                                .arg(offerId)
                                .arg(utc(*o.closesAtMs)));
        const auto open = repo.bids(offerId, std::nullopt, true);
        if (!open)
            return storage(open.error());
        QList<Bid> bids;
        QHash<qint64, MarketBid> byId;
        for (const MarketBid &b : open.value()) {
            bids.append(clearingBid(b));
            byId.insert(b.id, b);
        }
        const ClearingResult result = clearUniformAuction(o.rateRps, o.reserveMinor, bids);
        if (!result.ok())
            return storage(
                StoreError{QStringLiteral("clearing offer %1: %2").arg(offerId).arg(result.error)});
        for (const Fill &f : result.fills) {
            auto p = awardBid(repo, byId[f.bidId], o, f.units, f.priceMinor, at);
            if (!p)
                return p.error();
            created.append(p.value());
        }
        for (const qint64 loser : result.losers) {
            if (const auto s = repo.setBidState(loser, BidState::Open, BidState::Lost); !s)
                return storage(s.error());
        }
        if (const auto s = repo.setOfferSold(offerId, result.unitsSold); !s)
            return storage(s.error());
        const OfferState to = result.unitsSold > 0 ? OfferState::Awarded : OfferState::Closed;
        if (const auto s = repo.setOfferState(offerId, OfferState::Open, to); !s)
            return storage(s.error());
        if (const auto a = repo.addAudit(
                {0, at, who, QStringLiteral("offer.close"),
                 QStringLiteral("auction %1 closed%2: %3 req/s sold to %4 bid(s) at %5 per "
                                "req/s; %6")
                     .arg(offerId)
                     .arg(early ? QStringLiteral(" early") : QString())
                     .arg(result.unitsSold)
                     .arg(result.fills.size())
                     .arg(formatMinor(result.clearingPriceMinor, o.currency), result.explanation)});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    applyAutoApprove(created);
    return created;
}

MarketResult<int> MarketService::closeDueAuctions(const QString &actor)
{
    const auto open = offers(true);
    if (!open)
        return open.error();
    int closed = 0;
    const qint64 at = now();
    for (const Offer &o : open.value()) {
        if (o.pricing != PricingMode::Auction || !o.closesAtMs || at < *o.closesAtMs)
            continue;
        const auto done = closeAuction(o.id, actor);
        if (!done && done.error().kind != MarketError::Kind::Conflict)
            return done.error();
        if (done)
            ++closed;
    }
    return closed;
}

MarketResult<QList<Purchase>> MarketService::repriceOffer(qint64 offerId, qint64 priceMinor,
                                                          const QString &actor)
{
    if (priceMinor <= 0 || priceMinor > kMaxPriceMinor)
        return invalid(QStringLiteral("the ask must be from 0.01 to 1,000,000.00 per req/s"));
    const QString who = cleanText(actor, 100);
    const qint64 at = now();
    QList<Purchase> created;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        created.clear();
        MarketRepository repo(m_database);
        const auto found = repo.offer(offerId);
        if (!found)
            return storage(found.error());
        if (!found.value())
            return notFound(QStringLiteral("no offer %1").arg(offerId));
        Offer o = *found.value();
        if (o.pricing != PricingMode::Continuous)
            return conflict(QStringLiteral("only a continuous offer's ask can be repriced"));
        if (o.state != OfferState::Open)
            return conflict(
                QStringLiteral("offer %1 is %2").arg(offerId).arg(offerStateName(o.state)));
        if (const auto s = repo.setOfferPrice(offerId, priceMinor); !s)
            return storage(s.error());
        // Resting bids first, in arrival order; then the repriced ask arrives and trades with
        // every bid it now crosses, best price first, at the bid's price.
        const auto resting = repo.bids(offerId, std::nullopt, true);
        if (!resting)
            return storage(resting.error());
        ContinuousBook book;
        QHash<qint64, MarketBid> byId;
        quint64 last = 0;
        for (const MarketBid &b : resting.value()) {
            const BookUpdate u = book.addBid(clearingBid(b));
            if (!u.ok())
                return storage(StoreError{u.error});
            byId.insert(b.id, b);
            last = qMax(last, quint64(b.id));
        }
        Ask ask;
        ask.id = offerId;
        ask.units = o.unitsLeft();
        ask.priceMinor = priceMinor;
        ask.sequence = last + 1;
        const BookUpdate u = ask.units > 0 ? book.addAsk(ask) : BookUpdate{};
        if (!u.ok())
            return storage(StoreError{u.error});
        for (const Trade &t : u.trades) {
            auto p = awardBid(repo, byId[t.bidId], o, t.units, t.priceMinor, at);
            if (!p)
                return p.error();
            created.append(p.value());
            o.soldRps += t.units;
        }
        if (const auto s = repo.setOfferSold(offerId, o.soldRps); !s)
            return storage(s.error());
        if (o.unitsLeft() <= 0) {
            if (const auto s = repo.setOfferState(offerId, OfferState::Open, OfferState::Awarded);
                !s)
                return storage(s.error());
        }
        if (const auto a = repo.addAudit(
                {0, at, who, QStringLiteral("offer.reprice"),
                 QStringLiteral("offer %1 ask now %2 per req/s; %3 resting bid(s) traded")
                     .arg(offerId)
                     .arg(formatMinor(priceMinor, o.currency))
                     .arg(created.size())});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    applyAutoApprove(created);
    return created;
}

MarketResult<QList<Purchase>> MarketService::purchases(const PurchaseFilter &filter) const
{
    return fromStore(MarketRepository(m_database).purchases(filter.purchaserId, filter.state));
}

MarketResult<Purchase> MarketService::purchase(qint64 purchaseId,
                                               std::optional<qint64> asPurchaser) const
{
    const auto p = MarketRepository(m_database).purchase(purchaseId);
    if (!p)
        return storage(p.error());
    if (!p.value() || (asPurchaser && p.value()->purchaserId != *asPurchaser))
        return notFound(QStringLiteral("no purchase %1").arg(purchaseId));
    return *p.value();
}

MarketResult<Approval> MarketService::approve(qint64 purchaseId, const QString &actor,
                                              const DelegationProbe &probe)
{
    const QString who = cleanText(actor, 100);
    const qint64 at = now();
    Approval approval;
    Site site;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        approval = Approval{};
        MarketRepository repo(m_database);
        const auto found = repo.purchase(purchaseId);
        if (!found)
            return storage(found.error());
        if (!found.value())
            return notFound(QStringLiteral("no purchase %1").arg(purchaseId));
        Purchase p = *found.value();
        if (p.state != PurchaseState::Pending)
            return conflict(QStringLiteral("purchase %1 is already %2")
                                .arg(purchaseId)
                                .arg(purchaseStateName(p.state)));
        const auto offer = repo.offer(p.offerId);
        if (!offer)
            return storage(offer.error());
        if (!offer.value())
            return notFound(QStringLiteral("purchase %1's offer is gone").arg(purchaseId));
        const Offer &o = *offer.value();
        if (!p.siteId)
            return conflict(
                QStringLiteral("purchase %1's site was removed; reject it").arg(purchaseId));
        const auto s = SiteRepository(m_database).byId(*p.siteId);
        if (!s)
            return storage(s.error());
        if (!s.value())
            return conflict(
                QStringLiteral("purchase %1's site was removed; reject it").arg(purchaseId));
        site = *s.value();
        if (at >= finalEndMs(o))
            return conflict(QStringLiteral("purchase %1's window has already ended; reject it")
                                .arg(purchaseId));

        Lease lease;
        lease.siteId = site.id;
        lease.offerId = o.id;
        lease.pool = o.pool;
        lease.rateRps = double(p.rateRps);
        lease.startsAtMs = o.startsAtMs;
        lease.endsAtMs = o.endsAtMs();
        lease.dailyDays = o.dailyDays;
        lease.kind = o.kind;
        lease.overflow = overflowFor(site.assignment);
        lease.note = QStringLiteral("purchase %1").arg(purchaseId);
        const auto leaseId = LeaseRepository(m_database).add(lease, who);
        if (!leaseId)
            return leaseId.error().isConstraint() || leaseId.error().nativeCode == 0
                       ? conflict(leaseId.error().message)
                       : storage(leaseId.error());
        if (const auto l = repo.setLeasePurchase(leaseId.value(), purchaseId); !l)
            return storage(l.error());
        Tariff tariff;
        tariff.currency = p.currency;
        if (o.kind == LeaseKind::Firm)
            tariff.firmMinorPerRpsHour = p.priceMinor;
        else
            tariff.bestEffortMinorPer1kRequests = p.priceMinor;
        if (const auto t = TariffRepository(m_database).set(leaseId.value(), tariff); !t)
            return storage(t.error());
        const auto decided =
            repo.decidePurchase(purchaseId, PurchaseState::Approved, QString(), who, at);
        if (!decided)
            return storage(decided.error());
        if (!decided.value())
            return conflict(QStringLiteral("purchase %1 changed meanwhile").arg(purchaseId));
        p.state = PurchaseState::Approved;
        p.decidedBy = who;
        p.decidedAtMs = at;
        approval.purchase = p;
        approval.leaseIds.append(leaseId.value());
        if (const auto a = repo.addAudit(
                {0, at, who, QStringLiteral("purchase.approve"),
                 QStringLiteral("purchase %1 (purchaser %2, site %3, %4 req/s at %5) approved; "
                                "lease %6 created")
                     .arg(purchaseId)
                     .arg(p.purchaserId)
                     .arg(site.name)
                     .arg(p.rateRps)
                     .arg(formatMinor(p.priceMinor, p.currency))
                     .arg(leaseId.value())});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    if (probe) {
        for (const QString &host : site.hosts)
            approval.delegation.append(probe(host));
        if (const auto r = recordDelegation(purchaseId, approval.delegation, who); !r)
            return r.error();
    }
    return approval;
}

MarketResult<Purchase> MarketService::reject(qint64 purchaseId, const QString &reason,
                                             const QString &actor)
{
    const QString why = cleanText(reason, 500);
    if (why.isEmpty())
        return invalid(QStringLiteral("a rejection needs a reason"));
    const QString who = cleanText(actor, 100);
    const qint64 at = now();
    Purchase result;
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        MarketRepository repo(m_database);
        const auto found = repo.purchase(purchaseId);
        if (!found)
            return storage(found.error());
        if (!found.value())
            return notFound(QStringLiteral("no purchase %1").arg(purchaseId));
        result = *found.value();
        if (result.state != PurchaseState::Pending)
            return conflict(QStringLiteral("purchase %1 is already %2")
                                .arg(purchaseId)
                                .arg(purchaseStateName(result.state)));
        const auto decided = repo.decidePurchase(purchaseId, PurchaseState::Rejected, why, who, at);
        if (!decided)
            return storage(decided.error());
        if (!decided.value())
            return conflict(QStringLiteral("purchase %1 changed meanwhile").arg(purchaseId));
        // The units go back on sale (an auction, once closed, stays closed).
        const auto offer = repo.offer(result.offerId);
        if (!offer)
            return storage(offer.error());
        if (offer.value()) {
            const Offer &o = *offer.value();
            if (const auto s = repo.setOfferSold(o.id, qMax<qint64>(0, o.soldRps - result.rateRps));
                !s)
                return storage(s.error());
            if (o.state == OfferState::Awarded && o.pricing != PricingMode::Auction &&
                at < finalEndMs(o)) {
                if (const auto s = repo.setOfferState(o.id, OfferState::Awarded, OfferState::Open);
                    !s)
                    return storage(s.error());
            }
        }
        result.state = PurchaseState::Rejected;
        result.reason = why;
        result.decidedBy = who;
        result.decidedAtMs = at;
        if (const auto a = repo.addAudit(
                {0, at, who, QStringLiteral("purchase.reject"),
                 QStringLiteral("purchase %1 rejected: %2").arg(purchaseId).arg(why)});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    return result;
}

MarketResult<bool> MarketService::recordDelegation(qint64 purchaseId,
                                                   const QList<DelegationReport> &reports,
                                                   const QString &actor)
{
    const QString who = cleanText(actor, 100);
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        MarketRepository repo(m_database);
        for (const DelegationReport &r : reports) {
            const auto a = repo.addAudit(
                {0, now(), who, QStringLiteral("purchase.delegation"),
                 QStringLiteral("purchase %1: %2 is %3%4: %5")
                     .arg(purchaseId)
                     .arg(cleanText(r.host, 260), delegationVerdictName(r.verdict),
                          r.via.isEmpty() ? QString() : QStringLiteral(" via ") + r.via,
                          cleanText(r.explanation, 500))});
            if (!a)
                return storage(a.error());
        }
        return std::nullopt;
    });
    if (refused)
        return *refused;
    return true;
}

MarketResult<AutoApproveRule> MarketService::autoApproveRule() const
{
    MarketRepository repo(m_database);
    const auto enabled = repo.rule(QStringLiteral("auto_approve"));
    if (!enabled)
        return storage(enabled.error());
    const auto max = repo.rule(QStringLiteral("auto_approve_max_rps"));
    if (!max)
        return storage(max.error());
    AutoApproveRule rule;
    rule.enabled = enabled.value().value_or(QString()) == QLatin1String("on");
    rule.maxRps = qMax<qint64>(0, max.value().value_or(QStringLiteral("0")).toLongLong());
    return rule;
}

MarketResult<bool> MarketService::setAutoApproveRule(const AutoApproveRule &rule,
                                                     const QString &actor)
{
    if (rule.maxRps < 0 || rule.maxRps > kMaxUnits)
        return invalid(QStringLiteral("the auto-approve limit must be from 0 (any) to %1 req/s")
                           .arg(kMaxUnits));
    const QString who = cleanText(actor, 100);
    const auto refused = inTransaction(m_database, [&]() -> std::optional<MarketError> {
        MarketRepository repo(m_database);
        if (const auto s =
                repo.setRule(QStringLiteral("auto_approve"),
                             rule.enabled ? QStringLiteral("on") : QStringLiteral("off"));
            !s)
            return storage(s.error());
        if (const auto s =
                repo.setRule(QStringLiteral("auto_approve_max_rps"), QString::number(rule.maxRps));
            !s)
            return storage(s.error());
        if (const auto a = repo.addAudit(
                {0, now(), who, QStringLiteral("rule.auto-approve"),
                 rule.enabled
                     ? QStringLiteral("auto-approve on for purchases up to %1")
                           .arg(rule.maxRps == 0 ? QStringLiteral("any rate")
                                                 : QStringLiteral("%1 req/s").arg(rule.maxRps))
                     : QStringLiteral("auto-approve off")});
            !a)
            return storage(a.error());
        return std::nullopt;
    });
    if (refused)
        return *refused;
    return true;
}

MarketResult<QList<AuditEntry>> MarketService::audit(int limit) const
{
    return fromStore(MarketRepository(m_database).audit(limit));
}

} // namespace headroom
