#pragma once

#include "fleet/fleetmonitor.h"

#include <QChartView>
#include <QList>

class QAreaSeries;
class QDateTimeAxis;
class QGraphicsLineItem;
class QLineSeries;
class QValueAxis;

namespace headroom {

// Load against capacity over time for one proxy or the fleet: base load and purchaser load as
// stacked areas, the capacity line and the target-utilisation line; the gap between the stack
// and the target line, shaded green, is the headroom. The series are created once: setPoints()
// replaces each series' points in one call, so a redraw per second stays cheap. Hovering shows the
// values at the cursor.
class FleetChartView final : public QChartView
{
    Q_OBJECT
public:
    explicit FleetChartView(QWidget *parent = nullptr);

    // `endMs` is the right edge of the time axis (the last poll); the left edge is the range
    // before it, or the first point when the history is shorter (at least a minute), so a
    // freshly started console does not draw a sliver at the right edge.
    void setPoints(const QList<FleetPoint> &points, qint64 endMs, FleetRange range,
                   double targetUtilisation);
    QList<FleetPoint> points() const { return m_points; }

    // The point nearest to `atMs` as the hover tooltip shows it; empty without points.
    QString hoverText(qint64 atMs) const;
    // What hovering at `position` (viewport coordinates) shows; also moves the cursor line.
    QString hoverAt(const QPoint &position);

    QLineSeries *baseSeries() const { return m_baseUpper; }
    QLineSeries *totalSeries() const { return m_totalUpper; }
    QLineSeries *capacitySeries() const { return m_capacity; }
    QLineSeries *targetSeries() const { return m_targetLine; }
    QLineSeries *headroomSeries() const { return m_headroomUpper; }
    QDateTimeAxis *timeAxis() const { return m_time; }
    QValueAxis *rateAxis() const { return m_rate; }

protected:
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    const FleetPoint *nearest(qint64 atMs) const;

    QLineSeries *m_baseUpper;
    QLineSeries *m_purchaserLower;
    QLineSeries *m_totalUpper;
    QAreaSeries *m_baseArea;
    QAreaSeries *m_purchaserArea;
    QLineSeries *m_headroomLower;
    QLineSeries *m_headroomUpper;
    QAreaSeries *m_headroomArea;
    QLineSeries *m_capacity;
    QLineSeries *m_targetLine;
    QDateTimeAxis *m_time;
    QValueAxis *m_rate;
    QGraphicsLineItem *m_cursor = nullptr;
    QList<FleetPoint> m_points;
    double m_target = DefaultTargetUtilisation;
};

} // namespace headroom
