#pragma once

#include "api/apirequest.h"
#include "billing/invoice.h"
#include "domain/lease.h"
#include "domain/market.h"

#include <QJsonObject>
#include <QString>

namespace headroom {

// What the purchaser API shows of each record, in its JSON shape (snake_case; times as ISO 8601
// UTC with milliseconds; money as integer minor units with the currency). Only what a purchaser
// may see of their own objects: no other purchaser's name, no operator notes, no audit actors.

QString apiTime(qint64 ms); // "2026-05-01T10:00:00.000Z"

QJsonObject errorJson(const ApiError &error); // {"error": {"code": ..., "message": ...}}
// A public offer. For an auction, nothing about its bids (see offerDetailJson).
QJsonObject offerJson(const Offer &offer);
QJsonObject bidJson(const MarketBid &bid);
QJsonObject purchaseJson(const Purchase &purchase);
QJsonObject leaseJson(const Lease &lease, qint64 nowMs);
QJsonObject usageJson(qint64 leaseId, quint64 requests, quint64 bytes);
// Issued, paid or void invoices and credit notes (drafts are not shown), with their lines.
QJsonObject invoiceJson(const Invoice &invoice);

} // namespace headroom
