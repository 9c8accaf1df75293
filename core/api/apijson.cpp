#include "api/apijson.h"

#include <QDateTime>
#include <QJsonArray>

namespace headroom {
namespace {

QJsonValue optionalId(const std::optional<qint64> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalTime(const std::optional<qint64> &ms)
{
    return ms ? QJsonValue(apiTime(*ms)) : QJsonValue(QJsonValue::Null);
}

QJsonObject windowJson(const LeaseWindow &w)
{
    return {{QStringLiteral("starts_at"), apiTime(w.startMs)},
            {QStringLiteral("ends_at"), apiTime(w.endMs)}};
}

} // namespace

QString apiTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject errorJson(const ApiError &error)
{
    return {{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), error.code},
                                                  {QStringLiteral("message"), error.message}}}};
}

QJsonObject offerJson(const Offer &o)
{
    QJsonObject j{{QStringLiteral("id"), o.id},
                  {QStringLiteral("pool"), o.pool},
                  {QStringLiteral("kind"), leaseKindName(o.kind)},
                  {QStringLiteral("pricing"), pricingModeName(o.pricing)},
                  {QStringLiteral("state"), offerStateName(o.state)},
                  {QStringLiteral("rate_rps"), o.rateRps},
                  {QStringLiteral("units_left"), qMax<qint64>(0, o.unitsLeft())},
                  {QStringLiteral("starts_at"), apiTime(o.startsAtMs)},
                  {QStringLiteral("ends_at"), apiTime(o.endsAtMs())},
                  {QStringLiteral("daily_days"), o.dailyDays},
                  {QStringLiteral("currency"), o.currency},
                  {QStringLiteral("created_at"), apiTime(o.createdAtMs)}};
    switch (o.pricing) {
    case PricingMode::Fixed:
        j.insert(QStringLiteral("price_minor"), o.priceMinor);
        break;
    case PricingMode::Continuous:
        j.insert(QStringLiteral("ask_minor"), o.priceMinor);
        break;
    case PricingMode::Auction:
        j.insert(QStringLiteral("reserve_minor"), o.reserveMinor);
        j.insert(QStringLiteral("closes_at"), optionalTime(o.closesAtMs));
        break;
    }
    return j;
}

QJsonObject bidJson(const MarketBid &b)
{
    return {{QStringLiteral("id"), b.id},
            {QStringLiteral("offer_id"), b.offerId},
            {QStringLiteral("site_id"), optionalId(b.siteId)},
            {QStringLiteral("rate_rps"), b.rateRps},
            {QStringLiteral("min_rps"), optionalId(b.minRps)},
            {QStringLiteral("price_minor"), b.priceMinor},
            {QStringLiteral("state"), bidStateName(b.state)},
            {QStringLiteral("source"), b.source},
            {QStringLiteral("idempotency_key"),
             b.requestId ? QJsonValue(*b.requestId) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("created_at"), apiTime(b.createdAtMs)}};
}

QJsonObject purchaseJson(const Purchase &p)
{
    return {{QStringLiteral("id"), p.id},
            {QStringLiteral("offer_id"), p.offerId},
            {QStringLiteral("bid_id"), optionalId(p.bidId)},
            {QStringLiteral("site_id"), optionalId(p.siteId)},
            {QStringLiteral("site"), p.siteName},
            {QStringLiteral("rate_rps"), p.rateRps},
            {QStringLiteral("price_minor"), p.priceMinor},
            {QStringLiteral("currency"), p.currency},
            {QStringLiteral("state"), purchaseStateName(p.state)},
            {QStringLiteral("reason"), p.reason},
            {QStringLiteral("decided_at"), optionalTime(p.decidedAtMs)},
            {QStringLiteral("created_at"), apiTime(p.createdAtMs)}};
}

QJsonObject leaseJson(const Lease &l, qint64 nowMs)
{
    const auto window = isTerminal(l.state) ? std::nullopt : l.currentOrNextWindow(nowMs);
    return {{QStringLiteral("id"), l.id},
            {QStringLiteral("site_id"), l.siteId},
            {QStringLiteral("site"), l.siteName},
            {QStringLiteral("offer_id"), optionalId(l.offerId)},
            {QStringLiteral("state"), leaseStateName(l.state)},
            {QStringLiteral("kind"), leaseKindName(l.kind)},
            {QStringLiteral("rate_rps"), l.rateRps},
            {QStringLiteral("starts_at"), apiTime(l.startsAtMs)},
            {QStringLiteral("ends_at"), apiTime(l.endsAtMs)},
            {QStringLiteral("daily_days"), l.dailyDays},
            {QStringLiteral("final_end_at"), apiTime(l.finalEndMs())},
            {QStringLiteral("in_window"), !isTerminal(l.state) && l.inWindow(nowMs)},
            {QStringLiteral("current_or_next_window"),
             window ? QJsonValue(windowJson(*window)) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("created_at"), apiTime(l.createdAtMs)}};
}

QJsonObject usageJson(qint64 leaseId, quint64 requests, quint64 bytes)
{
    // Totals are sums of signed 64-bit columns; they fit a double exactly below 2^53.
    return {{QStringLiteral("lease_id"), leaseId},
            {QStringLiteral("requests"), qint64(requests)},
            {QStringLiteral("bytes"), qint64(bytes)}};
}

QJsonObject invoiceJson(const Invoice &i)
{
    QJsonArray lines;
    for (const InvoiceLine &l : i.lines) {
        lines.append(QJsonObject{{QStringLiteral("lease_id"), l.leaseId},
                                 {QStringLiteral("kind"), leaseKindName(l.leaseKind)},
                                 {QStringLiteral("description"), l.description},
                                 {QStringLiteral("quantity_milli"), l.quantityMilli},
                                 {QStringLiteral("unit"), l.unit},
                                 {QStringLiteral("unit_price_minor"), l.unitPriceMinor},
                                 {QStringLiteral("charge_minor"), l.chargeMinor},
                                 {QStringLiteral("credit_minor"), l.creditMinor},
                                 {QStringLiteral("amount_minor"), l.amountMinor},
                                 {QStringLiteral("requests"), l.requests},
                                 {QStringLiteral("bytes"), l.bytes}});
    }
    return {{QStringLiteral("id"), i.id},
            {QStringLiteral("number"), i.number},
            {QStringLiteral("kind"), invoiceKindName(i.kind)},
            {QStringLiteral("state"), invoiceStateName(i.state)},
            {QStringLiteral("period"), i.period},
            {QStringLiteral("currency"), i.currency},
            {QStringLiteral("subtotal_minor"), i.subtotalMinor},
            {QStringLiteral("tax_rate_bp"), i.taxRateBp},
            {QStringLiteral("tax_minor"), i.taxMinor},
            {QStringLiteral("total_minor"), i.totalMinor},
            {QStringLiteral("credit_note_for"), optionalId(i.creditNoteFor)},
            {QStringLiteral("issued_at"), optionalTime(i.issuedAtMs)},
            {QStringLiteral("paid_at"), optionalTime(i.paidAtMs)},
            {QStringLiteral("voided_at"), optionalTime(i.voidedAtMs)},
            {QStringLiteral("lines"), lines}};
}

} // namespace headroom
