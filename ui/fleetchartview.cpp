#include "fleetchartview.h"

#include "proxyloadmodel.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace headroom {

namespace {

const QColor kBase(0x3b, 0x6e, 0xa8);
const QColor kPurchaser(0xe0, 0x8a, 0x1e);
const QColor kCapacity(0xc0, 0x39, 0x2b);
const QColor kTarget(0x2b, 0x33, 0x40);
const QColor kHeadroom(0x2e, 0x9d, 0x50);

QColor translucent(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

// A round tick interval (1, 2, 2.5 or 5 × 10^k) giving about six intervals up to `value`.
double niceStep(double value)
{
    const double raw = std::max(value, 1.0) / 6;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (step * magnitude >= raw)
            return step * magnitude;
    }
    return 10 * magnitude;
}

} // namespace

FleetChartView::FleetChartView(QWidget *parent)
    : QChartView(new QChart, parent), m_baseUpper(new QLineSeries(this)),
      m_purchaserLower(new QLineSeries(this)), m_totalUpper(new QLineSeries(this)),
      m_baseArea(new QAreaSeries(m_baseUpper)),
      m_purchaserArea(new QAreaSeries(m_totalUpper, m_purchaserLower)),
      m_headroomLower(new QLineSeries(this)), m_headroomUpper(new QLineSeries(this)),
      m_headroomArea(new QAreaSeries(m_headroomUpper, m_headroomLower)),
      m_capacity(new QLineSeries), m_targetLine(new QLineSeries), m_time(new QDateTimeAxis),
      m_rate(new QValueAxis)
{
    setObjectName(QStringLiteral("fleetChart"));
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    setMinimumHeight(220);

    QChart *c = chart();
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(0);
    c->setMargins(QMargins(6, 6, 12, 6));
    c->layout()->setContentsMargins(0, 0, 0, 0);

    m_baseArea->setName(QStringLiteral("Base load"));
    m_baseArea->setColor(translucent(kBase, 150));
    m_baseArea->setBorderColor(kBase);
    m_purchaserArea->setName(QStringLiteral("Purchaser load"));
    m_purchaserArea->setColor(translucent(kPurchaser, 170));
    m_purchaserArea->setBorderColor(kPurchaser);
    m_headroomArea->setName(QStringLiteral("Headroom"));
    m_headroomArea->setColor(translucent(kHeadroom, 55));
    m_headroomArea->setPen(Qt::NoPen);
    m_capacity->setName(QStringLiteral("Capacity"));
    m_capacity->setPen(QPen(kCapacity, 2.5));
    m_targetLine->setPen(QPen(kTarget, 1.8, Qt::DashLine));

    for (QAbstractSeries *series : std::initializer_list<QAbstractSeries *>{
             m_headroomArea, m_baseArea, m_purchaserArea, m_capacity, m_targetLine})
        c->addSeries(series);

    QFont axisFont = font();
    axisFont.setPointSizeF(axisFont.pointSizeF() * 1.05);
    QFont titleFont = axisFont;
    titleFont.setBold(true);

    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(6);
    m_time->setLabelsFont(axisFont);
    m_time->setGridLineColor(QColor(0xe3, 0xe8, 0xef));
    m_rate->setLabelFormat(QStringLiteral("%d"));
    m_rate->setTitleText(QStringLiteral("req/s"));
    m_rate->setTitleFont(titleFont);
    m_rate->setLabelsFont(axisFont);
    m_rate->setGridLineColor(QColor(0xe3, 0xe8, 0xef));
    m_rate->setRange(0, 10);
    c->addAxis(m_time, Qt::AlignBottom);
    c->addAxis(m_rate, Qt::AlignLeft);
    for (QAbstractSeries *series : c->series()) {
        series->attachAxis(m_time);
        series->attachAxis(m_rate);
    }

    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 1.05);
    c->legend()->setFont(legendFont);
    c->legend()->setAlignment(Qt::AlignTop);
    c->legend()->setMarkerShape(QLegend::MarkerShapeRectangle);

    m_cursor = new QGraphicsLineItem(c);
    m_cursor->setPen(QPen(QColor(0x2b, 0x33, 0x40, 140), 1, Qt::DotLine));
    m_cursor->setZValue(100);
    m_cursor->hide();
}

void FleetChartView::setPoints(const QList<FleetPoint> &points, qint64 endMs, FleetRange range,
                               double targetUtilisation)
{
    m_points = points;
    m_target = targetUtilisation;
    m_targetLine->setName(QStringLiteral("Target %1 %").arg(qRound(targetUtilisation * 100)));

    QList<QPointF> base, total, capacity, target, headroom;
    base.reserve(points.size());
    total.reserve(points.size());
    capacity.reserve(points.size());
    target.reserve(points.size());
    double top = 0;
    for (const FleetPoint &p : points) {
        const double x = double(p.atMs);
        base.append({x, p.baseRps});
        total.append({x, std::max(p.totalRps, p.baseRps)});
        capacity.append({x, p.capacityRps});
        target.append({x, p.capacityRps * targetUtilisation});
        headroom.append({x, std::max(p.capacityRps * targetUtilisation, total.last().y())});
        top = std::max({top, double(p.totalRps), double(p.capacityRps)});
    }
    // One replace per series and poll: no series is ever recreated.
    m_baseUpper->replace(base);
    m_purchaserLower->replace(base);
    m_totalUpper->replace(total);
    m_capacity->replace(capacity);
    m_targetLine->replace(target);
    m_headroomLower->replace(total);
    m_headroomUpper->replace(headroom);

    const qint64 span = rangeMs(range);
    const qint64 end = endMs > 0 ? endMs : QDateTime::currentMSecsSinceEpoch();
    qint64 start = end - span;
    // Trim only a real lack of history, not the half bucket an average is off the window's edge.
    if (!points.isEmpty() && points.first().atMs - start > 2 * resolutionMs(range))
        start = std::min(points.first().atMs, end - 60 * 1000);
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(start), QDateTime::fromMSecsSinceEpoch(end));
    switch (range) {
    case FleetRange::FiveMinutes:
        m_time->setFormat(QStringLiteral("HH:mm:ss"));
        m_time->setTickCount(6);
        break;
    case FleetRange::OneHour:
        m_time->setFormat(QStringLiteral("HH:mm"));
        m_time->setTickCount(7);
        break;
    case FleetRange::Day:
        m_time->setFormat(QStringLiteral("HH:mm"));
        m_time->setTickCount(7);
        break;
    }
    const double step = niceStep(top * 1.1);
    const int intervals = std::max(1, int(std::ceil(top * 1.1 / step)));
    if (m_rate->max() != step * intervals) {
        m_rate->setRange(0, step * intervals);
        m_rate->setTickCount(intervals + 1);
    }
    m_cursor->hide();
}

const FleetPoint *FleetChartView::nearest(qint64 atMs) const
{
    if (m_points.isEmpty())
        return nullptr;
    const auto after = std::lower_bound(m_points.cbegin(), m_points.cend(), atMs,
                                        [](const FleetPoint &p, qint64 t) { return p.atMs < t; });
    if (after == m_points.cend())
        return &m_points.last();
    if (after == m_points.cbegin())
        return &*after;
    const auto before = after - 1;
    return (atMs - before->atMs) <= (after->atMs - atMs) ? &*before : &*after;
}

QString FleetChartView::hoverText(qint64 atMs) const
{
    const FleetPoint *p = nearest(atMs);
    if (!p)
        return {};
    const auto rate = [](double v) { return ProxyLoadModel::rateText(v); };
    const double utilisation = p->capacityRps > 0 ? p->totalRps / p->capacityRps : 0;
    return QStringLiteral("<b>%1</b><table>"
                          "<tr><td>Load</td><td align=right><b>%2</b> (%3 %)</td></tr>"
                          "<tr><td>&nbsp;&nbsp;base</td><td align=right>%4</td></tr>"
                          "<tr><td>&nbsp;&nbsp;purchaser</td><td align=right>%5</td></tr>"
                          "<tr><td>Capacity</td><td align=right>%6</td></tr>"
                          "<tr><td>Target %7 %</td><td align=right>%8</td></tr>"
                          "<tr><td>Headroom</td><td align=right><b>%9</b></td></tr></table>")
        .arg(QDateTime::fromMSecsSinceEpoch(p->atMs).toString(QStringLiteral("HH:mm:ss")),
             rate(p->totalRps), QString::number(qRound(utilisation * 100)), rate(p->baseRps),
             rate(p->purchaserRps), rate(p->capacityRps), QString::number(qRound(m_target * 100)),
             rate(p->capacityRps * m_target), rate(p->headroomRps));
}

QString FleetChartView::hoverAt(const QPoint &position)
{
    const QPointF scenePos = mapToScene(position);
    const QPointF chartPos = chart()->mapFromScene(scenePos);
    const QRectF plot = chart()->plotArea();
    if (!plot.contains(chartPos) || m_points.isEmpty()) {
        m_cursor->hide();
        return {};
    }
    const qint64 atMs = qint64(chart()->mapToValue(chartPos, m_capacity).x());
    const FleetPoint *p = nearest(atMs);
    const double x = chart()->mapToPosition(QPointF(double(p->atMs), 0), m_capacity).x();
    m_cursor->setLine(x, plot.top(), x, plot.bottom());
    m_cursor->show();
    return hoverText(atMs);
}

void FleetChartView::mouseMoveEvent(QMouseEvent *event)
{
    const QString text = hoverAt(event->position().toPoint());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint() + QPoint(16, 16), text, this);
    QChartView::mouseMoveEvent(event);
}

void FleetChartView::leaveEvent(QEvent *event)
{
    m_cursor->hide();
    QToolTip::hideText();
    QChartView::leaveEvent(event);
}

void FleetChartView::resizeEvent(QResizeEvent *event)
{
    m_cursor->hide();
    QChartView::resizeEvent(event);
}

} // namespace headroom
