#include "billing/tariff.h"

#include "billing/money.h"

namespace headroom {

QString tariffProblem(const Tariff &tariff)
{
    if (!money::isCurrencyCode(tariff.currency))
        return QStringLiteral("the currency must be an ISO 4217 code of three capital letters "
                              "(e.g. EUR)");
    for (const qint64 price : {tariff.firmMinorPerRpsHour, tariff.bestEffortMinorPer1kRequests,
                               tariff.bestEffortMinorPerGb}) {
        if (price < 0)
            return QStringLiteral("a price cannot be negative");
        if (price > kMaxTariffMinor)
            return QStringLiteral("a price is above the limit of %1 minor units")
                .arg(kMaxTariffMinor);
    }
    return {};
}

} // namespace headroom
