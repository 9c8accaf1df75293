#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <utility>

namespace headroom {

// Spare capacity forecast by hour of the week; the method and its limits are in docs/FORECAST.md.

inline constexpr int HoursPerWeek = 168;
inline constexpr double DefaultForecastQuantile = 0.10;
// An hour of the week is forecast only from this many distinct weeks of history.
inline constexpr int DefaultMinWeeksPerHour = 3;

struct HourOfWeekEstimate
{
    int hourOfWeek = 0;      // 0 = Monday 00:00–01:00 UTC, 167 = Sunday 23:00–24:00
    double p10Headroom = 0;  // the quantile of past headroom in that hour (req/s); 0 if no samples
    int samples = 0;         // points of history that fell into the hour
    int weeks = 0;           // distinct calendar weeks (Monday-based, UTC) those came from
    double confidence = 0.9; // 1 − quantile: the share of past points at or above p10Headroom
};

// The hour of the week (0 = Monday 00:00 UTC) that contains the instant.
int hourOfWeek(qint64 atMs);

// One estimate for each of the 168 hours, in hourOfWeek order (index = hour of the week), from a
// pool headroom series of (unix ms UTC, req/s) points, e.g. LoadHistoryRepository::
// headroomSeries(). The estimate is the lower empirical quantile (nearest rank: the smallest
// value with at least `quantile` of the points at or below it). Non-finite points are ignored;
// quantile is clamped to [0, 1].
QList<HourOfWeekEstimate>
estimateByHourOfWeek(const QList<std::pair<qint64, double>> &poolHeadroomSeries,
                     double quantile = DefaultForecastQuantile);

struct OfferProposal
{
    QString pool;
    double rateRps = 0;    // the lowest estimate over the window, rounded down to the step
    int startHour = 0;     // hour of the day the window starts, 0–23 UTC
    int hours = 0;         // length; the window may run past midnight
    bool daily = false;    // the same window on all seven days
    QList<int> days;       // if not daily: the days it starts on, 0 = Monday … 6 = Sunday
    double confidence = 0; // the share of past points in each hour that had at least rateRps

    // "300 req/s free 02:00–06:00 daily on pool edge",
    // "300 req/s free 02:00–06:00 on Sat, Sun on pool edge".
    QString describe() const;
};

// Proposes offers from the 168 estimates (missing hours count as unknown): every maximal run of
// consecutive hours (wrapping midnight and the end of the week) whose estimate is at least
// minRps and which has at least minWeeks of history, if it lasts at least minHours. Runs with
// the same start hour and length are merged; if one starts on each of the seven days the offer
// is daily. The rate is the lowest estimate over the merged runs, rounded down to a multiple of
// step (no rounding for step <= 0); offers whose rounded rate falls below minRps are dropped.
// Daily offers come first, then by start hour and first day. If notes is given, it receives one
// sentence for each stretch of hours left out for lack of history.
QList<OfferProposal> proposeOffers(const QString &pool, const QList<HourOfWeekEstimate> &estimates,
                                   double minRps = 50, int minHours = 2, double step = 50,
                                   int minWeeks = DefaultMinWeeksPerHour,
                                   QStringList *notes = nullptr);

} // namespace headroom
