#pragma once

#include "domain/lease.h"
#include "fleet/forecast.h"

#include <QHash>
#include <QList>
#include <QRect>
#include <QString>
#include <functional>
#include <utility>

namespace headroom {

class LeaseBoard;

// One pool's band on the timeline: its name and scale in the gutter, its lanes of lease bars in
// the plot, the forecast band and the leased total behind them on the same req/s scale.
struct TimelineGroup
{
    QString pool;
    QRect gutter; // left of the plot: the pool's name and the req/s scale
    QRect plot;   // time runs across it; rates run up from its bottom edge
    double scaleMaxRps = 0;
    int lanes = 0;
};

// Where everything on the lease timeline goes: time to x, a pool to its group, a lease to its lane
// and bars. Lanes are packed from the stored times, first come first served, so a lease keeps its
// lane while it is dragged. Plain geometry: LeaseTimelineWidget paints and hit-tests with it.
class LeaseTimelineLayout
{
public:
    static constexpr int GutterWidth = 160;
    static constexpr int RulerHeight = 50;
    static constexpr int LaneHeight = 44;
    static constexpr int BarHeight = 38;
    static constexpr int GroupPadding = 10;
    static constexpr int GroupGap = 14;
    static constexpr int MinPlotHeight = 130;
    // Below the lowest lane, so that the bottom of the band is never hidden behind bars.
    static constexpr int BandReserve = 22;
    static constexpr int RightMargin = 12;

    void setRange(qint64 startMs, qint64 spanMs);
    qint64 rangeStart() const { return m_startMs; }
    qint64 rangeSpan() const { return m_spanMs; }
    qint64 rangeEnd() const { return m_startMs + m_spanMs; }

    // How wide a lease's label is; a bar too narrow for it has it drawn to its right, and the
    // lane keeps room for it there.
    using LabelWidth = std::function<int(const Lease &)>;

    // Recomputes groups, lanes and scales for a widget `width` pixels wide at the current range.
    void rebuild(const LeaseBoard &board, int width, const LabelWidth &labelWidth = {});
    // Whether the label of a bar this wide goes inside it.
    static bool labelFitsInside(int barWidth, int labelWidth) { return barWidth >= labelWidth + 4; }
    static constexpr int LabelGap = 6;
    int height() const { return m_height; }
    int width() const { return m_width; }

    double pixelsPerMs() const;
    double xOf(qint64 ms) const;
    qint64 timeAt(double x) const;
    double yOf(const TimelineGroup &group, double rps) const;

    QList<TimelineGroup> groups() const { return m_groups; }
    const TimelineGroup *group(const QString &pool) const;
    const TimelineGroup *groupAt(const QPoint &point) const;
    int lane(qint64 leaseId) const { return m_lanes.value(leaseId, 0); }
    // The bar of one of the lease's windows (with whatever times `lease` carries); null when the
    // lease's pool has no group.
    QRect barRect(const Lease &lease, int window) const;

    // Firm open leases of `pool` summed over time: (from, req/s) steps in time order, the last one
    // back to 0. `leases` may hold a proposed version of a lease in place of the stored one.
    static QList<std::pair<qint64, double>> leasedSteps(const QList<Lease> &leases,
                                                        const QString &pool);

private:
    qint64 m_startMs = 0;
    qint64 m_spanMs = 3LL * 24 * 3600 * 1000;
    int m_width = 0;
    int m_height = RulerHeight;
    QList<TimelineGroup> m_groups;
    QHash<qint64, int> m_lanes;
};

} // namespace headroom
