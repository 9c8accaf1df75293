#pragma once

#include <QString>

namespace headroom {

// What a lease is charged, in minor units of `currency` (ISO 4217, e.g. "EUR"). A firm lease is
// charged firmMinorPerRpsHour for every req/s it was sold, per hour of its windows; a best-effort
// lease is charged for what the proxies metered: bestEffortMinorPer1kRequests per 1,000 requests
// and bestEffortMinorPerGb per 10^9 bytes sent. A lease without a tariff is not billed.
struct Tariff
{
    QString currency;
    qint64 firmMinorPerRpsHour = 0;
    qint64 bestEffortMinorPer1kRequests = 0;
    qint64 bestEffortMinorPerGb = 0;
};

// Empty when the tariff can be stored: a currency code and prices from 0 to kMaxTariffMinor.
QString tariffProblem(const Tariff &tariff);
// 10^12 minor units (ten billion euros) per unit: far above any real price, and small enough that
// a month of any lease stays exact in 128-bit arithmetic.
inline constexpr qint64 kMaxTariffMinor = 1000000000000;

} // namespace headroom
