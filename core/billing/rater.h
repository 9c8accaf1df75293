#pragma once

#include "billing/invoice.h"
#include "billing/tariff.h"
#include "domain/lease.h"

#include <optional>

namespace headroom {

// What the proxies metered for one lease within one period (usage_samples by their `at`).
struct UsageTotals
{
    qint64 requests = 0;
    qint64 bytes = 0;
    qint64 samples = 0;
};

struct RatingInput
{
    Lease lease; // its windows, kind, rate, state and cancellation
    QString siteName;
    Tariff tariff;
    BillingPeriod period;
    UsageTotals usage;
    qint64 shedMilliRpsMs = 0; // firm: the shortfall recorded within the period (lease_shortfall)
    // When the lease first became active (its site answering on the proxies) and when it stopped
    // being active, from its lease_events. A firm lease is charged for no time outside that span:
    // not while it was still provisioning, and not at all if it never became active.
    std::optional<qint64> activeFromMs;
    std::optional<qint64> activeUntilMs; // nullopt: still active
};

// The rating rules (docs/BILLING.md), pure and exact:
//   firm         charge = price per req/s-hour x rate x hours of its windows within the period
//                        while it was active
//                credit = price x shortfall (req/s x hours shed by steering), at most the charge
//   best effort  charge = price per 1,000 requests x requests / 1,000
//                       + price per GB x bytes / 10^9           (rounded once, together)
// The rate is taken in 0.001 req/s (money::toMilli), time in ms; every amount is rounded once,
// half up, from the exact integer product. nullopt with *error when an input is out of range or
// an amount would overflow: a wrong invoice is never produced.
std::optional<InvoiceLine> rateLease(const RatingInput &input, QString *error);

// The time the lease's windows cover within the period and within [activeFromMs, activeUntilMs),
// cut at its cancellation; 0 for a lease that never became active (or failed).
qint64 billedMsInPeriod(const Lease &lease, const BillingPeriod &period,
                        std::optional<qint64> activeFromMs, std::optional<qint64> activeUntilMs);

// Tax on a subtotal at `basisPoints` (1900 = 19 %), rounded once, half up.
std::optional<qint64> taxOn(qint64 subtotalMinor, int basisPoints, QString *error);

// "1,234.567" from thousandths, for quantities shown to people.
QString formatMilli(qint64 milli);

} // namespace headroom
