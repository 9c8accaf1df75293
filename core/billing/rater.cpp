#include "billing/rater.h"

#include "billing/money.h"

#include <algorithm>

namespace headroom {
namespace {

constexpr qint64 kMsPerHour = 3600000;
// rate in 0.001 req/s x time in ms -> req/s x h: divide by 1,000 x 3,600,000.
constexpr qint64 kMilliRpsMsPerRpsHour = 1000 * kMsPerHour;
constexpr qint64 kBytesPerGb = 1000000000; // decimal gigabytes, as the tariff says

QString grouped(qint64 n)
{
    QString s = QString::number(n);
    const qsizetype firstDigit = s.startsWith(QLatin1Char('-')) ? 1 : 0;
    for (qsizetype at = s.size() - 3; at > firstDigit; at -= 3)
        s.insert(at, QLatin1Char(','));
    return s;
}

} // namespace

QString formatMilli(qint64 milli)
{
    const bool negative = milli < 0;
    const quint64 m = negative ? quint64(0) - quint64(milli) : quint64(milli);
    QString whole = grouped(qint64(m / 1000));
    return (negative ? QStringLiteral("-") : QString()) + whole + QLatin1Char('.') +
           QStringLiteral("%1").arg(m % 1000, 3, 10, QLatin1Char('0'));
}

qint64 billedMsInPeriod(const Lease &lease, const BillingPeriod &period,
                        std::optional<qint64> activeFromMs, std::optional<qint64> activeUntilMs)
{
    if (lease.state == LeaseState::Failed || !activeFromMs)
        return 0;
    qint64 cutOff = lease.cancelledAtMs ? *lease.cancelledAtMs : lease.finalEndMs();
    if (activeUntilMs)
        cutOff = std::min(cutOff, *activeUntilMs);
    qint64 total = 0;
    for (int i = 0; i < lease.windowCount(); ++i) {
        const LeaseWindow w = lease.window(i);
        const qint64 from = std::max({w.startMs, period.startMs, *activeFromMs});
        const qint64 to = std::min({w.endMs, period.endMs, cutOff});
        if (to > from)
            total += to - from;
    }
    return total;
}

std::optional<qint64> taxOn(qint64 subtotalMinor, int basisPoints, QString *error)
{
    if (basisPoints < 0 || basisPoints > 10000) {
        *error = QStringLiteral("the tax rate must be 0 to 10000 basis points");
        return std::nullopt;
    }
    return money::divideHalfUp(Int128(subtotalMinor) * basisPoints, 10000, error);
}

std::optional<InvoiceLine> rateLease(const RatingInput &in, QString *error)
{
    if (const QString why = tariffProblem(in.tariff); !why.isEmpty()) {
        *error = why;
        return std::nullopt;
    }
    if (in.usage.requests < 0 || in.usage.bytes < 0 || in.shedMilliRpsMs < 0) {
        *error = QStringLiteral("negative usage cannot be rated");
        return std::nullopt;
    }
    const auto overflow = [&] {
        *error = QStringLiteral("the amount is too large to represent (overflow refused)");
        return std::nullopt;
    };
    InvoiceLine line;
    line.leaseId = in.lease.id;
    line.leaseKind = in.lease.kind;
    line.requests = in.usage.requests;
    line.bytes = in.usage.bytes;

    if (in.lease.kind == LeaseKind::Firm) {
        const auto milliRps = money::toMilli(in.lease.rateRps, error);
        if (!milliRps)
            return std::nullopt;
        const qint64 ms = billedMsInPeriod(in.lease, in.period, in.activeFromMs, in.activeUntilMs);
        const auto sold = money::multiply(*milliRps, ms); // 0.001 req/s x ms
        if (!sold)
            return overflow();
        // Shortfall recorded near a window's edge may reach past the billed time: never credit
        // more than was charged.
        const Int128 shed = std::min<Int128>(in.shedMilliRpsMs, *sold);
        const auto chargeExact = money::multiply(*sold, in.tariff.firmMinorPerRpsHour);
        const auto creditExact = money::multiply(shed, in.tariff.firmMinorPerRpsHour);
        if (!chargeExact || !creditExact)
            return overflow();
        const auto charge = money::divideHalfUp(*chargeExact, kMilliRpsMsPerRpsHour, error);
        const auto credit = money::divideHalfUp(*creditExact, kMilliRpsMsPerRpsHour, error);
        const auto quantity = money::divideHalfUp(*sold, kMsPerHour, error);
        const auto shedShown = money::divideHalfUp(shed, kMsPerHour, error);
        const auto hoursShown = money::divideHalfUp(ms, 3600, error); // thousandths of an hour
        if (!charge || !credit || !quantity || !shedShown || !hoursShown)
            return std::nullopt;
        line.rateMilliRps = *milliRps;
        line.billedMs = ms;
        line.shedMilliRpsMs = qint64(shed);
        line.quantityMilli = *quantity;
        line.unit = QStringLiteral("req/s x h");
        line.unitPriceMinor = in.tariff.firmMinorPerRpsHour;
        line.chargeMinor = *charge;
        line.creditMinor = *credit;
        line.amountMinor = *charge - *credit;
        line.description =
            QStringLiteral("%1: firm %2 req/s, %3 h in %4")
                .arg(in.siteName, formatMilli(*milliRps), formatMilli(*hoursShown), in.period.name);
        if (shed > 0)
            line.description +=
                QStringLiteral("; shortfall %1 req/s x h credited").arg(formatMilli(*shedShown));
        if (!in.activeFromMs || in.lease.state == LeaseState::Failed)
            line.description += QStringLiteral("; never active, not charged");
        return line;
    }

    const auto perRequests = money::multiply(Int128(in.usage.requests) * 1000000,
                                             in.tariff.bestEffortMinorPer1kRequests);
    const auto perBytes = money::multiply(in.usage.bytes, in.tariff.bestEffortMinorPerGb);
    if (!perRequests || !perBytes)
        return overflow();
    Int128 exact = 0;
    if (__builtin_add_overflow(*perRequests, *perBytes, &exact))
        return overflow();
    const auto charge = money::divideHalfUp(exact, kBytesPerGb, error);
    if (!charge)
        return std::nullopt;
    line.quantityMilli = in.usage.requests; // thousands of requests, x 1000
    line.unit = QStringLiteral("thousand requests");
    line.unitPriceMinor = in.tariff.bestEffortMinorPer1kRequests;
    line.perGbMinor = in.tariff.bestEffortMinorPerGb;
    line.chargeMinor = *charge;
    line.amountMinor = *charge;
    line.description =
        QStringLiteral("%1: best effort, %2 requests").arg(in.siteName, grouped(in.usage.requests));
    if (in.tariff.bestEffortMinorPerGb > 0) {
        // Bytes in thousandths of a GB, for reading only; the charge used the exact count.
        QString ignored;
        const qint64 mgb = money::divideHalfUp(in.usage.bytes, 1000000, &ignored).value_or(0);
        line.description += QStringLiteral(" and %1 GB at %2/GB")
                                .arg(formatMilli(mgb), money::format(in.tariff.bestEffortMinorPerGb,
                                                                     in.tariff.currency));
    }
    line.description += QStringLiteral(" in %1").arg(in.period.name);
    return line;
}

} // namespace headroom
