#include "billing/money.h"

#include <QStringList>
#include <cmath>
#include <limits>

namespace headroom::money {

std::optional<Int128> multiply(Int128 a, Int128 b)
{
    Int128 product = 0;
    if (__builtin_mul_overflow(a, b, &product))
        return std::nullopt;
    return product;
}

std::optional<qint64> divideHalfUp(Int128 numerator, Int128 denominator, QString *error)
{
    if (numerator < 0) {
        *error = QStringLiteral("a negative amount cannot be rated");
        return std::nullopt;
    }
    if (denominator <= 0) {
        *error = QStringLiteral("rating divides by a non-positive number");
        return std::nullopt;
    }
    // q + (r >= d - r) is floor((n + d/2) / d) for odd and even d alike, without overflowing n.
    const Int128 quotient = numerator / denominator;
    const Int128 remainder = numerator % denominator;
    const Int128 rounded = quotient + (remainder >= denominator - remainder ? 1 : 0);
    if (rounded > Int128(std::numeric_limits<qint64>::max())) {
        *error = QStringLiteral("the amount is too large to represent (overflow refused)");
        return std::nullopt;
    }
    return qint64(rounded);
}

std::optional<qint64> add(qint64 a, qint64 b, QString *error)
{
    qint64 sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        *error = QStringLiteral("the total is too large to represent (overflow refused)");
        return std::nullopt;
    }
    return sum;
}

std::optional<qint64> toMilli(double value, QString *error)
{
    if (!std::isfinite(value) || value < 0 || value > 1e15) {
        *error = QStringLiteral("a measured quantity is negative, not a number or out of range");
        return std::nullopt;
    }
    // Half up: the same rule as for money, applied once to the measurement.
    return qint64(std::floor(value * 1000.0 + 0.5));
}

bool isCurrencyCode(const QString &code)
{
    if (code.size() != 3)
        return false;
    for (const QChar c : code) {
        if (c < QLatin1Char('A') || c > QLatin1Char('Z'))
            return false;
    }
    return true;
}

int minorDigits(const QString &currency)
{
    static const QStringList none = {
        QStringLiteral("BIF"), QStringLiteral("CLP"), QStringLiteral("DJF"), QStringLiteral("GNF"),
        QStringLiteral("ISK"), QStringLiteral("JPY"), QStringLiteral("KMF"), QStringLiteral("KRW"),
        QStringLiteral("PYG"), QStringLiteral("RWF"), QStringLiteral("UGX"), QStringLiteral("UYI"),
        QStringLiteral("VND"), QStringLiteral("VUV"), QStringLiteral("XAF"), QStringLiteral("XOF"),
        QStringLiteral("XPF")};
    static const QStringList three = {
        QStringLiteral("BHD"), QStringLiteral("IQD"), QStringLiteral("JOD"), QStringLiteral("KWD"),
        QStringLiteral("LYD"), QStringLiteral("OMR"), QStringLiteral("TND")};
    if (none.contains(currency))
        return 0;
    if (three.contains(currency))
        return 3;
    return 2;
}

QString formatDecimal(qint64 minor, const QString &currency, bool grouping)
{
    const int digits = minorDigits(currency);
    // The magnitude as unsigned, so that the minimum qint64 has one too.
    const bool negative = minor < 0;
    const quint64 magnitude = negative ? quint64(0) - quint64(minor) : quint64(minor);
    quint64 scale = 1;
    for (int i = 0; i < digits; ++i)
        scale *= 10;
    QString whole = QString::number(magnitude / scale);
    if (grouping) {
        for (qsizetype at = whole.size() - 3; at > 0; at -= 3)
            whole.insert(at, QLatin1Char(','));
    }
    QString text = negative ? QStringLiteral("-") + whole : whole;
    if (digits > 0)
        text += QLatin1Char('.') +
                QStringLiteral("%1").arg(magnitude % scale, digits, 10, QLatin1Char('0'));
    return text;
}

QString format(qint64 minor, const QString &currency)
{
    return currency + QLatin1Char(' ') + formatDecimal(minor, currency, true);
}

} // namespace headroom::money
