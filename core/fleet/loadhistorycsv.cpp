#include "fleet/loadhistorycsv.h"

#include <QDateTime>
#include <QIODevice>
#include <QRegularExpression>
#include <cmath>

namespace headroom {
namespace {

constexpr qint64 kEarliestMs = 946684800000; // 2000-01-01
constexpr qint64 kMaxLineBytes = 512;

std::optional<qint64> parseWhen(const QString &text, qint64 nowMs)
{
    qint64 ms = 0;
    bool isNumber = false;
    const qint64 seconds = text.toLongLong(&isNumber);
    if (isNumber) {
        if (seconds < 0 || seconds > 253402300799)
            return std::nullopt;
        ms = seconds * 1000;
    } else {
        if (!text.endsWith(QLatin1Char('Z')))
            return std::nullopt;
        const QDateTime t = QDateTime::fromString(text, Qt::ISODate);
        if (!t.isValid())
            return std::nullopt;
        ms = t.toMSecsSinceEpoch();
    }
    if (ms < kEarliestMs || ms > nowMs + 86400000)
        return std::nullopt;
    return ms;
}

std::optional<double> parseRate(const QString &text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < 0 || v > 1e9)
        return std::nullopt;
    return v;
}

} // namespace

LoadHistoryCsv parseLoadHistoryCsv(QIODevice &in, qint64 nowMs)
{
    static const QRegularExpression name(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9._-]{1,63}")));
    LoadHistoryCsv result;
    const auto fail = [&](qint64 line, const QString &why) {
        result.samples.clear();
        result.error = QStringLiteral("line %1: %2").arg(line).arg(why);
        return result;
    };
    qint64 lineNo = 0;
    bool header = false;
    while (!in.atEnd()) {
        const QByteArray raw = in.readLine(kMaxLineBytes + 2);
        ++lineNo;
        if (raw.size() > kMaxLineBytes && !raw.endsWith('\n'))
            return fail(lineNo, QStringLiteral("longer than %1 bytes").arg(kMaxLineBytes));
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty())
            continue;
        if (!header) {
            if (line != QLatin1String("time,proxy,pool,capacity_rps,total_rps,purchaser_rps"))
                return fail(lineNo, QStringLiteral("the header must be "
                                                   "time,proxy,pool,capacity_rps,total_rps,"
                                                   "purchaser_rps"));
            header = true;
            continue;
        }
        const QStringList f = line.split(QLatin1Char(','));
        if (f.size() != 6)
            return fail(lineNo, QStringLiteral("expected 6 fields, found %1").arg(f.size()));
        const auto when = parseWhen(f.at(0), nowMs);
        if (!when)
            return fail(lineNo, QStringLiteral("time must be ISO 8601 UTC (ending in Z) or unix "
                                               "seconds, from 2000 to tomorrow"));
        if (!name.match(f.at(1)).hasMatch() || !name.match(f.at(2)).hasMatch())
            return fail(lineNo, QStringLiteral("proxy and pool are 1-63 letters, digits, . _ -"));
        const auto capacity = parseRate(f.at(3));
        const auto total = parseRate(f.at(4));
        const auto purchaser = parseRate(f.at(5));
        if (!capacity || !total || !purchaser)
            return fail(lineNo, QStringLiteral("rates are numbers from 0 to 1e9"));
        if (*purchaser > *total)
            return fail(lineNo, QStringLiteral("purchaser_rps is more than total_rps"));
        if (result.samples.size() >= kMaxLoadHistoryRows)
            return fail(lineNo, QStringLiteral("more than %1 rows").arg(kMaxLoadHistoryRows));
        result.samples.append({*when, f.at(1), f.at(2), *capacity, *total, *purchaser});
    }
    if (!header)
        return fail(lineNo, QStringLiteral("empty: no header"));
    return result;
}

} // namespace headroom
