#pragma once

#include <QString>
#include <optional>

namespace headroom {

// Money is an integer number of minor units (cents) of an ISO 4217 currency; it is never held in
// floating point. Rating works on exact integer products in 128 bits and rounds once, at the last
// step, half up (docs/BILLING.md "Rounding"):
//
//     amount = floor((numerator + denominator / 2) / denominator)    for numerator >= 0
//
// i.e. an exact half goes up (0.5 -> 1, 2.5 -> 3), anything below it goes down. Only non-negative
// quantities are rated: a negative input, a zero denominator or a result beyond qint64 is refused
// with an error, never wrapped or clamped.
__extension__ typedef __int128 Int128;

namespace money {

// a * b, or nullopt when the product does not fit in 128 bits.
std::optional<Int128> multiply(Int128 a, Int128 b);
// numerator / denominator rounded half up, as above; nullopt with *error for a negative
// numerator, a denominator <= 0, or a result above qint64's maximum.
std::optional<qint64> divideHalfUp(Int128 numerator, Int128 denominator, QString *error);
// a + b without overflow; nullopt with *error when the sum leaves qint64.
std::optional<qint64> add(qint64 a, qint64 b, QString *error);

// A measured, non-negative real quantity (a rate in req/s) in thousandths, rounded half up: the
// one place where a double turns into an integer on the way to a price. Refuses NaN, infinities,
// negatives and values above 1e15.
std::optional<qint64> toMilli(double value, QString *error);

// Three upper-case ASCII letters.
bool isCurrencyCode(const QString &code);
// Digits after the decimal point of the currency's minor unit (ISO 4217): 0 for JPY, KRW, ...,
// 3 for BHD, KWD, ..., 2 for everything else.
int minorDigits(const QString &currency);
// "1234.56", "-0.05", "1200" (JPY): the plain decimal of a minor amount, from integer math. With
// grouping: "1,234.56".
QString formatDecimal(qint64 minor, const QString &currency, bool grouping = false);
// "EUR 1,234.56": how every amount is shown to people.
QString format(qint64 minor, const QString &currency);

} // namespace money
} // namespace headroom
