#pragma once

#include "domain/market.h"
#include "store/result.h"

#include <QList>
#include <optional>

namespace headroom {

class Database;

// The market's rows: offers, bids, purchases, the operator's market rules and the audit log.
// Plain reads and writes with bound values; the rules of the market (who may do what, when) are
// MarketService's, which calls these inside its own transactions.
class MarketRepository final
{
public:
    explicit MarketRepository(Database &database);

    Result<qint64> insertOffer(const Offer &offer);
    Result<std::optional<Offer>> offer(qint64 id) const;
    Result<QList<Offer>> offers(bool openOnly) const;
    // Compare-and-set on the state; false when the offer was no longer in `from`.
    Result<bool> setOfferState(qint64 id, OfferState from, OfferState to);
    Result<void> setOfferSold(qint64 id, qint64 soldRps);
    Result<void> setOfferPrice(qint64 id, qint64 priceMinor);

    Result<qint64> insertBid(const MarketBid &bid);
    Result<std::optional<MarketBid>> bid(qint64 id) const;
    Result<std::optional<MarketBid>> bidByRequest(qint64 purchaserId,
                                                  const QString &requestId) const;
    // Oldest first.
    Result<QList<MarketBid>> bids(std::optional<qint64> offerId, std::optional<qint64> purchaserId,
                                  bool openOnly) const;
    Result<bool> setBidState(qint64 id, BidState from, BidState to);

    Result<qint64> insertPurchase(const Purchase &purchase);
    Result<std::optional<Purchase>> purchase(qint64 id) const;
    Result<std::optional<Purchase>> purchaseForBid(qint64 bidId) const;
    // Oldest first.
    Result<QList<Purchase>> purchases(std::optional<qint64> purchaserId,
                                      std::optional<PurchaseState> state,
                                      std::optional<qint64> offerId = std::nullopt) const;
    // pending -> approved | rejected, compare-and-set; false when no longer pending.
    Result<bool> decidePurchase(qint64 id, PurchaseState to, const QString &reason,
                                const QString &by, qint64 atMs);
    Result<void> setLeasePurchase(qint64 leaseId, qint64 purchaseId);

    // The organisation of a purchaser; nullopt when there is none with that id.
    Result<std::optional<QString>> purchaserName(qint64 purchaserId) const;
    // The purchaser's sites as (id, name), by name: what a bid may name.
    Result<QList<std::pair<qint64, QString>>> sitesOf(qint64 purchaserId) const;

    Result<std::optional<QString>> rule(const QString &key) const;
    Result<void> setRule(const QString &key, const QString &value);

    // The audit log (AuditRepository), inside the market's transactions.
    Result<void> addAudit(const AuditEntry &entry);
    Result<QList<AuditEntry>> audit(int limit) const; // newest first

private:
    Result<QList<Offer>> selectOffers(const QString &where, const QVariantList &values) const;
    Result<QList<MarketBid>> selectBids(const QString &where, const QVariantList &values) const;
    Result<QList<Purchase>> selectPurchases(const QString &where, const QVariantList &values) const;

    Database &m_database;
};

} // namespace headroom
