#include "fleet/forecast.h"

#include <QMap>
#include <QSet>
#include <algorithm>
#include <cmath>

namespace headroom {
namespace {

constexpr qint64 HourMs = 3600 * 1000;
constexpr qint64 WeekMs = HoursPerWeek * HourMs;
// 1970-01-01 was a Thursday: the Unix epoch is 72 hours into its Monday-based week.
constexpr qint64 EpochHourOfWeek = 72;

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The Monday-based week that contains the instant, counted from the week of the epoch.
qint64 weekIndex(qint64 atMs)
{
    return floorDiv(atMs + EpochHourOfWeek * HourMs, WeekMs);
}

QString dayName(int day)
{
    static const char *const names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    return QLatin1String(names[((day % 7) + 7) % 7]);
}

QString clock(int hour)
{
    return QStringLiteral("%1:00").arg(((hour % 24) + 24) % 24, 2, 10, QLatin1Char('0'));
}

QString rateText(double rps)
{
    return QString::number(rps, 'f', rps == std::floor(rps) ? 0 : 1);
}

struct Run
{
    int start = 0; // hour of the week
    int hours = 0;
};

// Maximal runs of true on the 168-hour circle. If every hour is true, one run from hour 0.
QList<Run> circularRuns(const QList<bool> &on)
{
    QList<Run> runs;
    const auto firstOff = std::find(on.cbegin(), on.cend(), false);
    if (firstOff == on.cend()) {
        if (!on.isEmpty())
            runs.append(Run{0, int(on.size())});
        return runs;
    }
    const int n = int(on.size());
    const int origin = int(firstOff - on.cbegin());
    Run current;
    bool inRun = false;
    for (int step = 1; step <= n; ++step) {
        const int h = (origin + step) % n;
        if (on.at(h)) {
            if (!inRun) {
                current = Run{h, 0};
                inRun = true;
            }
            ++current.hours;
        } else if (inRun) {
            runs.append(current);
            inRun = false;
        }
    }
    return runs; // the walk ends on origin, which is off, so no run is left open
}

} // namespace

int hourOfWeek(qint64 atMs)
{
    return int(floorDiv(atMs, HourMs) + EpochHourOfWeek - weekIndex(atMs) * HoursPerWeek);
}

QList<HourOfWeekEstimate>
estimateByHourOfWeek(const QList<std::pair<qint64, double>> &poolHeadroomSeries, double quantile)
{
    const double q = std::isnan(quantile) ? DefaultForecastQuantile : qBound(0.0, quantile, 1.0);
    QList<QList<double>> values(HoursPerWeek);
    QList<QSet<qint64>> weeks(HoursPerWeek);
    for (const auto &[atMs, rps] : poolHeadroomSeries) {
        if (!std::isfinite(rps))
            continue;
        const int h = hourOfWeek(atMs);
        values[h].append(rps);
        weeks[h].insert(weekIndex(atMs));
    }

    QList<HourOfWeekEstimate> estimates;
    estimates.reserve(HoursPerWeek);
    for (int h = 0; h < HoursPerWeek; ++h) {
        QList<double> &points = values[h];
        HourOfWeekEstimate estimate;
        estimate.hourOfWeek = h;
        estimate.samples = int(points.size());
        estimate.weeks = int(weeks.at(h).size());
        estimate.confidence = 1.0 - q;
        if (!points.isEmpty()) {
            // Nearest rank: the k-th smallest with k = ceil(q·n), at least the first.
            const qsizetype rank = qBound<qsizetype>(
                1, qsizetype(std::ceil(q * double(points.size()))), points.size());
            std::nth_element(points.begin(), points.begin() + (rank - 1), points.end());
            estimate.p10Headroom = points.at(rank - 1);
        }
        estimates.append(estimate);
    }
    return estimates;
}

QString OfferProposal::describe() const
{
    QString window;
    if (hours >= 24)
        window = QStringLiteral("from %1 for %2 h").arg(clock(startHour)).arg(hours);
    else
        window = QStringLiteral("%1\u2013%2").arg(clock(startHour), clock(startHour + hours));

    QString when;
    if (daily) {
        when = QStringLiteral("daily");
    } else {
        QStringList names;
        for (const int day : days)
            names.append(dayName(day));
        when = QStringLiteral("on ") + names.join(QStringLiteral(", "));
    }
    return QStringLiteral("%1 req/s free %2 %3 on pool %4")
        .arg(rateText(rateRps), window, when, pool);
}

QList<OfferProposal> proposeOffers(const QString &pool, const QList<HourOfWeekEstimate> &estimates,
                                   double minRps, int minHours, double step, int minWeeks,
                                   QStringList *notes)
{
    QList<const HourOfWeekEstimate *> byHour(HoursPerWeek, nullptr);
    for (const HourOfWeekEstimate &estimate : estimates) {
        if (estimate.hourOfWeek >= 0 && estimate.hourOfWeek < HoursPerWeek)
            byHour[estimate.hourOfWeek] = &estimate;
    }

    QList<bool> known(HoursPerWeek, false);
    QList<bool> eligible(HoursPerWeek, false);
    for (int h = 0; h < HoursPerWeek; ++h) {
        const HourOfWeekEstimate *estimate = byHour.at(h);
        known[h] = estimate && estimate->samples > 0 && estimate->weeks >= minWeeks;
        eligible[h] =
            known.at(h) && std::isfinite(estimate->p10Headroom) && estimate->p10Headroom >= minRps;
    }

    if (notes) {
        QList<bool> unknown(HoursPerWeek);
        for (int h = 0; h < HoursPerWeek; ++h)
            unknown[h] = !known.at(h);
        for (const Run &run : circularRuns(unknown)) {
            int fewest = minWeeks;
            for (int i = 0; i < run.hours; ++i) {
                const HourOfWeekEstimate *estimate = byHour.at((run.start + i) % HoursPerWeek);
                fewest = qMin(fewest, estimate ? estimate->weeks : 0);
            }
            const int end = run.start + run.hours;
            const QString when = run.hours == HoursPerWeek
                                     ? QStringLiteral("at any hour")
                                     : QStringLiteral("from %1 %2 to %3 %4")
                                           .arg(dayName(run.start / 24), clock(run.start % 24),
                                                dayName((end / 24) % 7), clock(end % 24));
            notes->append(QStringLiteral("No offer %1: too little history (as few as %2 of the "
                                         "%3 weeks needed).")
                              .arg(when)
                              .arg(fewest)
                              .arg(minWeeks));
        }
    }

    // Runs grouped by (start hour of the day, length); the value is the runs' lowest estimate.
    struct Group
    {
        QList<int> days;
        double lowest = 0;
        double confidence = 1;
    };
    QMap<std::pair<int, int>, Group> groups;
    for (const Run &run : circularRuns(eligible)) {
        if (run.hours < qMax(1, minHours))
            continue;
        double lowest = byHour.at(run.start)->p10Headroom;
        double confidence = byHour.at(run.start)->confidence;
        for (int i = 0; i < run.hours; ++i) {
            const HourOfWeekEstimate *estimate = byHour.at((run.start + i) % HoursPerWeek);
            lowest = qMin(lowest, estimate->p10Headroom);
            confidence = qMin(confidence, estimate->confidence);
        }
        if (run.hours == HoursPerWeek) { // spare all week: a daily offer round the clock
            groups.insert(std::make_pair(0, 24), Group{{0, 1, 2, 3, 4, 5, 6}, lowest, confidence});
            continue;
        }
        const auto key = std::make_pair(run.start % 24, run.hours);
        auto it = groups.find(key);
        if (it == groups.end()) {
            groups.insert(key, Group{{run.start / 24}, lowest, confidence});
        } else {
            it->days.append(run.start / 24);
            it->lowest = qMin(it->lowest, lowest);
            it->confidence = qMin(it->confidence, confidence);
        }
    }

    QList<OfferProposal> proposals;
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        const double rate = step > 0 ? std::floor(it->lowest / step) * step : it->lowest;
        if (rate < minRps || rate <= 0)
            continue;
        OfferProposal proposal;
        proposal.pool = pool;
        proposal.rateRps = rate;
        proposal.startHour = it.key().first;
        proposal.hours = it.key().second;
        proposal.confidence = it->confidence;
        QList<int> days = it->days;
        std::sort(days.begin(), days.end());
        proposal.daily = days.size() == 7;
        if (!proposal.daily)
            proposal.days = days;
        proposals.append(proposal);
    }
    std::stable_sort(proposals.begin(), proposals.end(),
                     [](const OfferProposal &a, const OfferProposal &b) {
                         if (a.daily != b.daily)
                             return a.daily;
                         if (a.startHour != b.startHour)
                             return a.startHour < b.startHour;
                         const int aDay = a.days.isEmpty() ? -1 : a.days.constFirst();
                         const int bDay = b.days.isEmpty() ? -1 : b.days.constFirst();
                         return aDay < bDay;
                     });
    return proposals;
}

} // namespace headroom
