#pragma once

#include "domain/market.h"
#include "domain/purchaser.h"

#include <QColor>
#include <QIcon>
#include <QString>
#include <optional>

namespace headroom::presentation {

// How the market looks everywhere in the console: state words and colours, prices with their
// unit, countdowns to an auction's close. Times are UTC, as everywhere else.

QString offerStateText(OfferState state); // "Open", "Awarded", "Closed", "Withdrawn"
QColor offerStateColor(OfferState state);
QString bidStateText(BidState state); // "Open", "Won", "Lost", "Withdrawn"
QColor bidStateColor(BidState state);
QString purchaseStateText(PurchaseState state); // "Pending", "Approved", "Rejected"
QColor purchaseStateColor(PurchaseState state);
QIcon stateDot(const QColor &color);

QString pricingText(PricingMode mode); // "fixed", "auction", "continuous"
QString kindText(LeaseKind kind);      // "firm", "best-effort"
// What a unit's price buys: "per req/s·h" (firm), "per 1k req" (best-effort, billed on use).
QString priceUnitText(LeaseKind kind);
// "12.00 EUR" (fixed), "ask 12.00 EUR" (continuous), "reserve 8.00 EUR" (auction).
QString offerPriceText(const Offer &offer);
// "120 sold · 180 left", "300 left", "sold out".
QString offerSoldText(const Offer &offer);
// "Tue 14 May 02:00–06:00", with " · daily ×5" for daily offers.
QString offerWindowText(const Offer &offer);
// The same with the time zone said after the times: "Tue 14 May 02:00–06:00 UTC · daily ×5".
QString offerWindowUtcText(const Offer &offer);
// For an open auction: "closes in 1h 04m", or "closing…" once due (the controller closes it);
// "closed" after; for other pricing, an em dash.
QString offerCloseText(const Offer &offer, qint64 nowMs);
// "offer 4 · sandbox 300 req/s" for messages.
QString offerLabel(const Offer &offer);

// "45s", "12m", "3h 05m", "2d 03h" ago.
QString ageText(qint64 ms);
// What the purchase is worth per hour at its full rate: "24.00 EUR/h" for firm capacity,
// "≤ 8.64 EUR/h" for best-effort (billed on the requests carried).
QString hourlyTotalText(const Purchase &purchase, LeaseKind kind);
// The processor's token ("pm_1NcXyZabcde…" when long), "card …4242", or "none".
QString paymentText(const Purchaser &purchaser);

// "4h", "90m", "1h30m", "1h 30m", "2.5h" or a plain number of hours, in whole minutes; nullopt
// for anything else.
std::optional<qint64> parseDurationMinutes(const QString &text);
// 270 -> "4h 30m", 240 -> "4h", 45 -> "45m".
QString durationMinutesText(qint64 minutes);

} // namespace headroom::presentation

namespace headroom {
struct Approval;
}

namespace headroom::presentation {

// What an approval did, in one sentence for the status line: the purchase, the lease(s) created
// and each host's delegation verdict - or that the delegation was not checked.
QString approvalText(const Approval &approval, bool delegationChecked);
// True when every host of the site was found delegated to us.
bool allDelegated(const Approval &approval);

} // namespace headroom::presentation
