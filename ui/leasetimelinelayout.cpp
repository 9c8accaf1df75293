#include "leasetimelinelayout.h"

#include "leaseboard.h"

#include <QMap>
#include <algorithm>
#include <cmath>

namespace headroom {

namespace {

bool countsInTotal(const Lease &lease)
{
    return lease.kind == LeaseKind::Firm && !isTerminal(lease.state) && !lease.cancelledAtMs;
}

// 1, 2 or 5 times a power of ten, at least `value`: a scale that reads at a glance.
double niceCeiling(double value)
{
    if (!(value > 0))
        return 100;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10 * magnitude;
}

} // namespace

void LeaseTimelineLayout::setRange(qint64 startMs, qint64 spanMs)
{
    m_startMs = startMs;
    m_spanMs = std::max<qint64>(spanMs, 3600 * 1000);
}

double LeaseTimelineLayout::pixelsPerMs() const
{
    const int plotWidth = std::max(1, m_width - GutterWidth - RightMargin);
    return double(plotWidth) / double(m_spanMs);
}

double LeaseTimelineLayout::xOf(qint64 ms) const
{
    return GutterWidth + double(ms - m_startMs) * pixelsPerMs();
}

qint64 LeaseTimelineLayout::timeAt(double x) const
{
    return m_startMs + qint64(std::llround((x - GutterWidth) / pixelsPerMs()));
}

double LeaseTimelineLayout::yOf(const TimelineGroup &group, double rps) const
{
    const double fraction = group.scaleMaxRps > 0 ? rps / group.scaleMaxRps : 0;
    return group.plot.bottom() + 1 - fraction * group.plot.height();
}

const TimelineGroup *LeaseTimelineLayout::group(const QString &pool) const
{
    for (const TimelineGroup &g : m_groups) {
        if (g.pool == pool)
            return &g;
    }
    return nullptr;
}

const TimelineGroup *LeaseTimelineLayout::groupAt(const QPoint &point) const
{
    for (const TimelineGroup &g : m_groups) {
        if (g.plot.contains(point) || g.gutter.contains(point))
            return &g;
    }
    return nullptr;
}

QRect LeaseTimelineLayout::barRect(const Lease &lease, int window) const
{
    const TimelineGroup *g = group(lease.pool);
    if (!g)
        return {};
    const LeaseWindow w = lease.window(window);
    const int left = int(std::floor(xOf(w.startMs)));
    const int right = int(std::ceil(xOf(w.endMs)));
    const int top = g->plot.top() + GroupPadding + lane(lease.id) * LaneHeight;
    return QRect(left, top, std::max(3, right - left), BarHeight);
}

QList<std::pair<qint64, double>> LeaseTimelineLayout::leasedSteps(const QList<Lease> &leases,
                                                                  const QString &pool)
{
    QMap<qint64, double> deltas;
    for (const Lease &lease : leases) {
        if (lease.pool != pool || !countsInTotal(lease))
            continue;
        for (int i = 0; i < lease.windowCount(); ++i) {
            const LeaseWindow w = lease.window(i);
            deltas[w.startMs] += lease.rateRps;
            deltas[w.endMs] -= lease.rateRps;
        }
    }
    QList<std::pair<qint64, double>> steps;
    double level = 0;
    for (auto it = deltas.cbegin(); it != deltas.cend(); ++it) {
        level += it.value();
        if (std::abs(level) < 1e-9)
            level = 0;
        steps.append({it.key(), level});
    }
    return steps;
}

void LeaseTimelineLayout::rebuild(const LeaseBoard &board, int width, const LabelWidth &labelWidth)
{
    m_width = width;
    m_groups.clear();
    m_lanes.clear();
    const QList<Lease> leases = board.leases();
    int y = RulerHeight + GroupGap / 2;
    for (const QString &pool : board.pools()) {
        QList<Lease> mine;
        for (const Lease &lease : leases) {
            if (lease.pool == pool)
                mine.append(lease);
        }
        std::stable_sort(mine.begin(), mine.end(), [](const Lease &a, const Lease &b) {
            return a.startsAtMs != b.startsAtMs ? a.startsAtMs < b.startsAtMs : a.id < b.id;
        });
        // First fit: the lowest lane whose last lease (and its label, when that is drawn to the
        // right of a narrow bar) ends before this one starts.
        QList<qint64> laneEnds;
        for (const Lease &lease : mine) {
            qint64 end = lease.finalEndMs();
            if (labelWidth) {
                const int label = labelWidth(lease);
                const int bar = int(double(lease.endsAtMs - lease.startsAtMs) * pixelsPerMs());
                if (!labelFitsInside(bar, label))
                    end += qint64(double(label + 2 * LabelGap) / pixelsPerMs());
            }
            int lane = 0;
            while (lane < laneEnds.size() && laneEnds.at(lane) > lease.startsAtMs)
                ++lane;
            if (lane == laneEnds.size())
                laneEnds.append(end);
            else
                laneEnds[lane] = end;
            m_lanes.insert(lease.id, lane);
        }

        TimelineGroup g;
        g.pool = pool;
        g.lanes = int(laneEnds.size());
        double top = 0;
        for (const HourOfWeekEstimate &e : board.forecast(pool)) {
            if (e.samples > 0)
                top = std::max(top, e.p10Headroom);
        }
        for (const auto &[at, rps] : leasedSteps(leases, pool)) {
            Q_UNUSED(at)
            top = std::max(top, rps);
        }
        g.scaleMaxRps = niceCeiling(top * 1.1);
        const int lanesHeight = 2 * GroupPadding + std::max(1, g.lanes) * LaneHeight;
        const int plotHeight = std::max(MinPlotHeight, lanesHeight + BandReserve);
        g.gutter = QRect(0, y, GutterWidth, plotHeight);
        g.plot = QRect(GutterWidth, y, std::max(1, width - GutterWidth - RightMargin), plotHeight);
        m_groups.append(g);
        y += plotHeight + GroupGap;
    }
    m_height = y;
}

} // namespace headroom
