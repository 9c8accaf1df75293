#pragma once

#include "fleet/headroommodel.h"
#include "store/result.h"

#include <QList>
#include <utility>

namespace headroom {

class Database;

// The load history the headroom forecast learns from, kept at falling resolution so that it stays
// bounded: per proxy, one row a second for the last hour (load_history_second), then one row a
// minute for 30 days (load_history_minute). append() writes seconds; rollUp() must be called
// periodically (e.g. once a minute) to fold old seconds into minutes and drop what has expired.
// With proxies scraped at 1 Hz the store then holds at most about
// proxies × (SecondRetentionMs / 1000 + MinuteRetentionMs / 60000) rows.
class LoadHistoryRepository final
{
public:
    static constexpr qint64 SecondRetentionMs = 3600LL * 1000;
    static constexpr qint64 MinuteRetentionMs = 30LL * 24 * 3600 * 1000;

    // targetUtilisation is the one the minute rows' min/max/avg headroom columns are computed at;
    // headroomSeries() takes its own and does not depend on it.
    explicit LoadHistoryRepository(Database &database,
                                   double targetUtilisation = DefaultTargetUtilisation);

    // Stores the samples in one transaction: all or none. Each is filed under its second (atMs
    // rounded down to a multiple of 1000); a second sample for the same proxy and second replaces
    // the first. A sample without a proxy name, with a negative time or with a negative or
    // non-finite rate is rejected, and with it the whole batch.
    Result<void> append(const QList<LoadSample> &samples);

    // In one transaction: folds the seconds older than SecondRetentionMs before nowMs (at <=
    // nowMs − SecondRetentionMs) into their minutes, merging with a minute row already there
    // (weighted by sample count), and deletes them; then deletes minutes older than
    // MinuteRetentionMs (at < nowMs − MinuteRetentionMs).
    Result<void> rollUp(qint64 nowMs);

    // The pool's headroom at targetUtilisation for every minute that starts in [fromMs, toMs) and
    // has any history, oldest first, as (minute start in unix ms, req/s). Second and minute rows
    // are both read and merged, so the series is the same before and after a roll-up. A proxy's
    // minute is target × average capacity − average base load; the pool's is the sum over the
    // proxies that have history in that minute (a proxy that was not scraped adds nothing:
    // conservative).
    Result<QList<std::pair<qint64, double>>>
    headroomSeries(const QString &pool, qint64 fromMs, qint64 toMs,
                   double targetUtilisation = DefaultTargetUtilisation) const;

    // Row counts, for diagnostics and tests.
    Result<qint64> secondRowCount() const;
    Result<qint64> minuteRowCount() const;

private:
    Database &m_database;
    double m_targetUtilisation;
};

} // namespace headroom
