#include "store/marketrepository.h"

#include "store/auditrepository.h"
#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlQuery>
#include <QVariant>
#include <cmath>

namespace headroom {
namespace {

QVariant nullable(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong));
}

QVariant nullableText(const std::optional<QString> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::QString));
}

QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

std::optional<qint64> optionalInt(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}

qint64 units(const QVariant &v)
{
    return qint64(std::llround(v.toDouble()));
}

const QString kOfferColumns = QStringLiteral(
    "o.id, o.pool, o.rate_rps, o.starts_at, o.duration_s, o.daily_days, o.kind, o.pricing, "
    "o.price_minor, o.reserve_minor, o.currency, o.closes_at, o.state, o.override_reason, "
    "o.sold_rps, o.created_at");

const QString kBidColumns = QStringLiteral(
    "b.id, b.offer_id, b.purchaser_id, p.organisation, b.site_id, b.rate_rps, b.min_rps, "
    "b.price_minor, b.state, b.source, b.request_id, b.created_at");

const QString kPurchaseColumns = QStringLiteral(
    "u.id, u.offer_id, u.bid_id, u.purchaser_id, p.organisation, u.site_id, "
    "coalesce(s.name, ''), u.rate_rps, u.price_minor, u.currency, u.state, u.reason, "
    "u.decided_by, u.decided_at, u.created_at");

Offer offerFrom(const QSqlQuery &q)
{
    Offer o;
    o.id = q.value(0).toLongLong();
    o.pool = q.value(1).toString();
    o.rateRps = units(q.value(2));
    o.startsAtMs = q.value(3).toLongLong();
    o.durationMs = q.value(4).toLongLong() * 1000;
    o.dailyDays = q.value(5).toInt();
    o.kind = leaseKindFromName(q.value(6).toString()).value_or(LeaseKind::Firm);
    o.pricing = pricingModeFromName(q.value(7).toString()).value_or(PricingMode::Fixed);
    o.priceMinor = q.value(8).toLongLong();
    o.reserveMinor = q.value(9).toLongLong();
    o.currency = q.value(10).toString();
    o.closesAtMs = optionalInt(q.value(11));
    o.state = offerStateFromName(q.value(12).toString()).value_or(OfferState::Closed);
    o.overrideReason = q.value(13).toString();
    o.soldRps = units(q.value(14));
    o.createdAtMs = q.value(15).toLongLong();
    return o;
}

MarketBid bidFrom(const QSqlQuery &q)
{
    MarketBid b;
    b.id = q.value(0).toLongLong();
    b.offerId = q.value(1).toLongLong();
    b.purchaserId = q.value(2).toLongLong();
    b.purchaserName = q.value(3).toString();
    b.siteId = optionalInt(q.value(4));
    b.rateRps = units(q.value(5));
    if (!q.value(6).isNull())
        b.minRps = units(q.value(6));
    b.priceMinor = q.value(7).toLongLong();
    b.state = bidStateFromName(q.value(8).toString()).value_or(BidState::Lost);
    b.source = q.value(9).toString();
    if (!q.value(10).isNull())
        b.requestId = q.value(10).toString();
    b.createdAtMs = q.value(11).toLongLong();
    return b;
}

Purchase purchaseFrom(const QSqlQuery &q)
{
    Purchase u;
    u.id = q.value(0).toLongLong();
    u.offerId = q.value(1).toLongLong();
    u.bidId = optionalInt(q.value(2));
    u.purchaserId = q.value(3).toLongLong();
    u.purchaserName = q.value(4).toString();
    u.siteId = optionalInt(q.value(5));
    u.siteName = q.value(6).toString();
    u.rateRps = units(q.value(7));
    u.priceMinor = q.value(8).toLongLong();
    u.currency = q.value(9).toString();
    u.state = purchaseStateFromName(q.value(10).toString()).value_or(PurchaseState::Rejected);
    u.reason = q.value(11).toString();
    u.decidedBy = q.value(12).toString();
    u.decidedAtMs = optionalInt(q.value(13));
    u.createdAtMs = q.value(14).toLongLong();
    return u;
}

} // namespace

MarketRepository::MarketRepository(Database &database) : m_database(database) {}

Result<qint64> MarketRepository::insertOffer(const Offer &o)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral(
        "INSERT INTO offers (pool, rate_rps, starts_at, duration_s, daily_days, kind, pricing, "
        "price_minor, reserve_minor, currency, closes_at, state, override_reason, sold_rps, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(text(o.pool));
    q.addBindValue(double(o.rateRps));
    q.addBindValue(o.startsAtMs);
    q.addBindValue(o.durationMs / 1000);
    q.addBindValue(o.dailyDays);
    q.addBindValue(leaseKindName(o.kind));
    q.addBindValue(pricingModeName(o.pricing));
    q.addBindValue(o.priceMinor);
    q.addBindValue(o.reserveMinor);
    q.addBindValue(text(o.currency));
    q.addBindValue(nullable(o.closesAtMs));
    q.addBindValue(offerStateName(o.state));
    q.addBindValue(text(o.overrideReason));
    q.addBindValue(double(o.soldRps));
    q.addBindValue(o.createdAtMs);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("storing the offer"));
    return q.lastInsertId().toLongLong();
}

Result<QList<Offer>> MarketRepository::selectOffers(const QString &where,
                                                    const QVariantList &values) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT %1 FROM offers o %2 ORDER BY o.id").arg(kOfferColumns, where));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("reading offers"));
    QList<Offer> list;
    while (q.next())
        list.append(offerFrom(q));
    return list;
}

Result<std::optional<Offer>> MarketRepository::offer(qint64 id) const
{
    auto list = selectOffers(QStringLiteral("WHERE o.id = ?"), {id});
    if (!list)
        return list.error();
    if (list.value().isEmpty())
        return std::optional<Offer>();
    return std::optional<Offer>(list.value().constFirst());
}

Result<QList<Offer>> MarketRepository::offers(bool openOnly) const
{
    if (openOnly)
        return selectOffers(QStringLiteral("WHERE o.state = 'open'"), {});
    return selectOffers(QString(), {});
}

Result<bool> MarketRepository::setOfferState(qint64 id, OfferState from, OfferState to)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("UPDATE offers SET state = ? WHERE id = ? AND state = ?"));
    q.addBindValue(offerStateName(to));
    q.addBindValue(id);
    q.addBindValue(offerStateName(from));
    if (!q.exec())
        return toStoreError(q, QStringLiteral("changing offer %1").arg(id));
    return q.numRowsAffected() > 0;
}

Result<void> MarketRepository::setOfferSold(qint64 id, qint64 soldRps)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("UPDATE offers SET sold_rps = ? WHERE id = ?"));
    q.addBindValue(double(soldRps));
    q.addBindValue(id);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("changing offer %1").arg(id));
    return {};
}

Result<void> MarketRepository::setOfferPrice(qint64 id, qint64 priceMinor)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("UPDATE offers SET price_minor = ? WHERE id = ?"));
    q.addBindValue(priceMinor);
    q.addBindValue(id);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("repricing offer %1").arg(id));
    return {};
}

Result<qint64> MarketRepository::insertBid(const MarketBid &b)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("INSERT INTO bids (offer_id, purchaser_id, site_id, rate_rps, "
                             "min_rps, price_minor, state, source, request_id, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(b.offerId);
    q.addBindValue(b.purchaserId);
    q.addBindValue(nullable(b.siteId));
    q.addBindValue(double(b.rateRps));
    q.addBindValue(b.minRps ? QVariant(double(*b.minRps)) : QVariant(QMetaType(QMetaType::Double)));
    q.addBindValue(b.priceMinor);
    q.addBindValue(bidStateName(b.state));
    q.addBindValue(text(b.source));
    q.addBindValue(nullableText(b.requestId));
    q.addBindValue(b.createdAtMs);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("storing the bid"));
    return q.lastInsertId().toLongLong();
}

Result<QList<MarketBid>> MarketRepository::selectBids(const QString &where,
                                                      const QVariantList &values) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT %1 FROM bids b JOIN purchasers p ON p.id = b.purchaser_id "
                             "%2 ORDER BY b.id")
                  .arg(kBidColumns, where));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("reading bids"));
    QList<MarketBid> list;
    while (q.next())
        list.append(bidFrom(q));
    return list;
}

Result<std::optional<MarketBid>> MarketRepository::bid(qint64 id) const
{
    auto list = selectBids(QStringLiteral("WHERE b.id = ?"), {id});
    if (!list)
        return list.error();
    if (list.value().isEmpty())
        return std::optional<MarketBid>();
    return std::optional<MarketBid>(list.value().constFirst());
}

Result<std::optional<MarketBid>> MarketRepository::bidByRequest(qint64 purchaserId,
                                                                const QString &requestId) const
{
    auto list = selectBids(QStringLiteral("WHERE b.purchaser_id = ? AND b.request_id = ?"),
                           {purchaserId, requestId});
    if (!list)
        return list.error();
    if (list.value().isEmpty())
        return std::optional<MarketBid>();
    return std::optional<MarketBid>(list.value().constFirst());
}

Result<QList<MarketBid>> MarketRepository::bids(std::optional<qint64> offerId,
                                                std::optional<qint64> purchaserId,
                                                bool openOnly) const
{
    QStringList conditions;
    QVariantList values;
    if (offerId) {
        conditions << QStringLiteral("b.offer_id = ?");
        values << *offerId;
    }
    if (purchaserId) {
        conditions << QStringLiteral("b.purchaser_id = ?");
        values << *purchaserId;
    }
    if (openOnly)
        conditions << QStringLiteral("b.state = 'open'");
    return selectBids(conditions.isEmpty()
                          ? QString()
                          : QStringLiteral("WHERE ") + conditions.join(QStringLiteral(" AND ")),
                      values);
}

Result<bool> MarketRepository::setBidState(qint64 id, BidState from, BidState to)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("UPDATE bids SET state = ? WHERE id = ? AND state = ?"));
    q.addBindValue(bidStateName(to));
    q.addBindValue(id);
    q.addBindValue(bidStateName(from));
    if (!q.exec())
        return toStoreError(q, QStringLiteral("changing bid %1").arg(id));
    return q.numRowsAffected() > 0;
}

Result<qint64> MarketRepository::insertPurchase(const Purchase &u)
{
    QSqlQuery q(m_database.connection());
    q.prepare(
        QStringLiteral("INSERT INTO purchases (offer_id, bid_id, purchaser_id, site_id, "
                       "rate_rps, price_minor, currency, state, reason, decided_by, "
                       "decided_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(u.offerId);
    q.addBindValue(nullable(u.bidId));
    q.addBindValue(u.purchaserId);
    q.addBindValue(nullable(u.siteId));
    q.addBindValue(double(u.rateRps));
    q.addBindValue(u.priceMinor);
    q.addBindValue(text(u.currency));
    q.addBindValue(purchaseStateName(u.state));
    q.addBindValue(text(u.reason));
    q.addBindValue(text(u.decidedBy));
    q.addBindValue(nullable(u.decidedAtMs));
    q.addBindValue(u.createdAtMs);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("storing the purchase"));
    return q.lastInsertId().toLongLong();
}

Result<QList<Purchase>> MarketRepository::selectPurchases(const QString &where,
                                                          const QVariantList &values) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT %1 FROM purchases u JOIN purchasers p ON p.id = "
                             "u.purchaser_id LEFT JOIN sites s ON s.id = u.site_id %2 "
                             "ORDER BY u.id")
                  .arg(kPurchaseColumns, where));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("reading purchases"));
    QList<Purchase> list;
    while (q.next())
        list.append(purchaseFrom(q));
    return list;
}

Result<std::optional<Purchase>> MarketRepository::purchase(qint64 id) const
{
    auto list = selectPurchases(QStringLiteral("WHERE u.id = ?"), {id});
    if (!list)
        return list.error();
    if (list.value().isEmpty())
        return std::optional<Purchase>();
    return std::optional<Purchase>(list.value().constFirst());
}

Result<std::optional<Purchase>> MarketRepository::purchaseForBid(qint64 bidId) const
{
    auto list = selectPurchases(QStringLiteral("WHERE u.bid_id = ?"), {bidId});
    if (!list)
        return list.error();
    if (list.value().isEmpty())
        return std::optional<Purchase>();
    return std::optional<Purchase>(list.value().constFirst());
}

Result<QList<Purchase>> MarketRepository::purchases(std::optional<qint64> purchaserId,
                                                    std::optional<PurchaseState> state,
                                                    std::optional<qint64> offerId) const
{
    QStringList conditions;
    QVariantList values;
    if (purchaserId) {
        conditions << QStringLiteral("u.purchaser_id = ?");
        values << *purchaserId;
    }
    if (state) {
        conditions << QStringLiteral("u.state = ?");
        values << purchaseStateName(*state);
    }
    if (offerId) {
        conditions << QStringLiteral("u.offer_id = ?");
        values << *offerId;
    }
    return selectPurchases(conditions.isEmpty() ? QString()
                                                : QStringLiteral("WHERE ") +
                                                      conditions.join(QStringLiteral(" AND ")),
                           values);
}

Result<bool> MarketRepository::decidePurchase(qint64 id, PurchaseState to, const QString &reason,
                                              const QString &by, qint64 atMs)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("UPDATE purchases SET state = ?, reason = ?, decided_by = ?, "
                             "decided_at = ? WHERE id = ? AND state = 'pending'"));
    q.addBindValue(purchaseStateName(to));
    q.addBindValue(text(reason));
    q.addBindValue(text(by));
    q.addBindValue(atMs);
    q.addBindValue(id);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("deciding purchase %1").arg(id));
    return q.numRowsAffected() > 0;
}

Result<void> MarketRepository::setLeasePurchase(qint64 leaseId, qint64 purchaseId)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("UPDATE leases SET purchase_id = ? WHERE id = ?"));
    q.addBindValue(purchaseId);
    q.addBindValue(leaseId);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("linking lease %1").arg(leaseId));
    return {};
}

Result<std::optional<QString>> MarketRepository::purchaserName(qint64 purchaserId) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT organisation FROM purchasers WHERE id = ?"));
    q.addBindValue(purchaserId);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("reading purchaser %1").arg(purchaserId));
    if (!q.next())
        return std::optional<QString>();
    return std::optional<QString>(q.value(0).toString());
}

Result<QList<std::pair<qint64, QString>>> MarketRepository::sitesOf(qint64 purchaserId) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT id, name FROM sites WHERE purchaser_id = ? ORDER BY name"));
    q.addBindValue(purchaserId);
    if (!q.exec())
        return toStoreError(q,
                            QStringLiteral("reading the sites of purchaser %1").arg(purchaserId));
    QList<std::pair<qint64, QString>> sites;
    while (q.next())
        sites.append({q.value(0).toLongLong(), q.value(1).toString()});
    return sites;
}

Result<std::optional<QString>> MarketRepository::rule(const QString &key) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT value FROM market_rules WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec())
        return toStoreError(q, QStringLiteral("reading the market rules"));
    if (!q.next())
        return std::optional<QString>();
    return std::optional<QString>(q.value(0).toString());
}

Result<void> MarketRepository::setRule(const QString &key, const QString &value)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("INSERT INTO market_rules (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(text(value));
    if (!q.exec())
        return toStoreError(q, QStringLiteral("storing the market rule"));
    return {};
}

Result<void> MarketRepository::addAudit(const AuditEntry &e)
{
    const auto id = AuditRepository(m_database).add(e);
    if (!id)
        return id.error();
    return {};
}

Result<QList<AuditEntry>> MarketRepository::audit(int limit) const
{
    return AuditRepository(m_database).list(limit);
}

} // namespace headroom
