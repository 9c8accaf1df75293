#include "control/schedulecheck.h"

#include <QDateTime>
#include <QStringList>
#include <algorithm>
#include <cmath>

namespace headroom {
namespace {

constexpr qint64 HourMs = 3600 * 1000;
// Rates are compared with this slack so that 300 leased against a 300 forecast is no conflict.
constexpr double RateEpsilon = 1e-6;

qint64 floorTo(qint64 atMs, qint64 step)
{
    const qint64 q = atMs / step;
    return (atMs % step != 0 && atMs < 0 ? q - 1 : q) * step;
}

bool counts(const Lease &other, const Lease &proposed, const ScheduleCheckOptions &options)
{
    if (other.pool != proposed.pool || isTerminal(other.state) || other.cancelledAtMs)
        return false;
    if (proposed.id != 0 && other.id == proposed.id)
        return false;
    return other.kind == LeaseKind::Firm || options.countBestEffort;
}

QString rateText(double rps)
{
    const double rounded = std::round(rps);
    return std::abs(rps - rounded) < 0.05 ? QString::number(qint64(rounded))
                                          : QString::number(rps, 'f', 1);
}

struct Piece
{
    qint64 startMs = 0;
    qint64 endMs = 0;
    double leasedRps = 0;
    bool known = false;
    double forecastRps = 0;
};

} // namespace

QString ScheduleConflict::describe() const
{
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(startMs, Qt::UTC);
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(endMs, Qt::UTC);
    const QLocale c = QLocale::c();
    const QString from = c.toString(start, QStringLiteral("ddd HH:mm"));
    // A stretch ending at midnight ends "24:00" on its own day rather than "00:00" the next.
    const bool midnight = end.time() == QTime(0, 0) && end.date() == start.date().addDays(1);
    QString to;
    if (midnight)
        to = QStringLiteral("24:00");
    else if (end.date() == start.date())
        to = c.toString(end, QStringLiteral("HH:mm"));
    else
        to = c.toString(end, QStringLiteral("ddd HH:mm"));
    const QString when = QStringLiteral("%1\u2013%2").arg(from, to);
    if (kind == Kind::NoForecast)
        return QStringLiteral("%1: %2 req/s leased, no forecast (too little history)")
            .arg(when, rateText(leasedRps));
    const QString forecast =
        rateText(forecastMinRps) == rateText(forecastMaxRps)
            ? rateText(forecastMinRps)
            : QStringLiteral("%1\u2013%2").arg(rateText(forecastMinRps), rateText(forecastMaxRps));
    return QStringLiteral("%1: %2 req/s leased, %3 req/s forecast")
        .arg(when, rateText(leasedRps), forecast);
}

QList<ScheduleConflict> checkSchedule(const Lease &proposed, const QList<Lease> &others,
                                      const QList<HourOfWeekEstimate> &estimates,
                                      const ScheduleCheckOptions &options)
{
    QList<Lease> counted;
    for (const Lease &other : others) {
        if (counts(other, proposed, options))
            counted.append(other);
    }

    QList<Piece> pieces;
    for (int w = 0; w < proposed.windowCount(); ++w) {
        const LeaseWindow window = proposed.window(w);
        const qint64 from = std::max(window.startMs, options.notBeforeMs);
        const qint64 to = window.endMs;
        if (from >= to)
            continue;

        // Cut at every hour (each has its own estimate) and at every edge of a counted window.
        QList<qint64> cuts{from, to};
        for (qint64 h = floorTo(from, HourMs) + HourMs; h < to; h += HourMs)
            cuts.append(h);
        QList<LeaseWindow> overlapping;
        QList<double> rates;
        for (const Lease &other : counted) {
            for (int i = 0; i < other.windowCount(); ++i) {
                const LeaseWindow o = other.window(i);
                if (o.startMs >= to || o.endMs <= from)
                    continue;
                overlapping.append(o);
                rates.append(other.rateRps);
                if (o.startMs > from)
                    cuts.append(o.startMs);
                if (o.endMs < to)
                    cuts.append(o.endMs);
            }
        }
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

        for (qsizetype i = 0; i + 1 < cuts.size(); ++i) {
            Piece piece;
            piece.startMs = cuts.at(i);
            piece.endMs = cuts.at(i + 1);
            piece.leasedRps = proposed.rateRps;
            // Every edge is a cut, so a window covers a piece entirely or not at all.
            for (qsizetype o = 0; o < overlapping.size(); ++o) {
                if (overlapping.at(o).startMs <= piece.startMs &&
                    piece.startMs < overlapping.at(o).endMs)
                    piece.leasedRps += rates.at(o);
            }
            const int hour = hourOfWeek(piece.startMs);
            if (hour < estimates.size() && estimates.at(hour).weeks >= options.minWeeks &&
                estimates.at(hour).samples > 0) {
                piece.known = true;
                piece.forecastRps = estimates.at(hour).p10Headroom;
            }
            pieces.append(piece);
        }
    }

    QList<ScheduleConflict> conflicts;
    for (const Piece &piece : pieces) {
        const bool over = piece.known && piece.leasedRps > piece.forecastRps + RateEpsilon;
        if (piece.known && !over)
            continue;
        const auto kind =
            piece.known ? ScheduleConflict::Kind::OverForecast : ScheduleConflict::Kind::NoForecast;
        if (!conflicts.isEmpty()) {
            ScheduleConflict &last = conflicts.last();
            if (last.endMs == piece.startMs && last.kind == kind &&
                std::abs(last.leasedRps - piece.leasedRps) < RateEpsilon) {
                last.endMs = piece.endMs;
                if (piece.known) {
                    last.forecastMinRps = std::min(last.forecastMinRps, piece.forecastRps);
                    last.forecastMaxRps = std::max(last.forecastMaxRps, piece.forecastRps);
                    last.shortfallRps = last.leasedRps - last.forecastMinRps;
                }
                continue;
            }
        }
        ScheduleConflict conflict;
        conflict.kind = kind;
        conflict.startMs = piece.startMs;
        conflict.endMs = piece.endMs;
        conflict.leasedRps = piece.leasedRps;
        conflict.forecastMinRps = piece.forecastRps;
        conflict.forecastMaxRps = piece.forecastRps;
        conflict.shortfallRps = piece.known ? piece.leasedRps - piece.forecastRps : 0;
        conflicts.append(conflict);
    }
    return conflicts;
}

QString describeConflicts(const QList<ScheduleConflict> &conflicts, int maxShown)
{
    QStringList sentences;
    const qsizetype shown = std::min<qsizetype>(std::max(maxShown, 1), conflicts.size());
    for (qsizetype i = 0; i < shown; ++i)
        sentences.append(conflicts.at(i).describe());
    QString text = sentences.join(QStringLiteral("; "));
    if (conflicts.size() > shown)
        text += QStringLiteral("; and %1 more").arg(conflicts.size() - shown);
    return text;
}

} // namespace headroom
