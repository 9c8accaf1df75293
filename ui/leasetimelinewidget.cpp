#include "leasetimelinewidget.h"

#include "leasepresentation.h"

#include <QApplication>
#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace headroom {

namespace {

constexpr qint64 HourMs = 3600LL * 1000;
constexpr qint64 DayMs = 24 * HourMs;
constexpr int EdgeGrip = 7;

const QColor kInk(0x1d, 0x24, 0x30);
const QColor kMuted(0x5b, 0x65, 0x74);
const QColor kGrid(0xe6, 0xea, 0xf0);
const QColor kDayLine(0xb8, 0xc2, 0xcf);
const QColor kPlot(0xfb, 0xfc, 0xfd);
const QColor kBand(0x2e, 0x9d, 0x50);
const QColor kOver(0xd0, 0x38, 0x3b);
const QColor kUnknown(0xd9, 0x90, 0x1a);
const QColor kLeased(0x2f, 0x5d, 0x8f);

qint64 floorTo(qint64 ms, qint64 step)
{
    const qint64 q = ms / step;
    return (ms % step != 0 && ms < 0 ? q - 1 : q) * step;
}

qint64 ceilTo(qint64 ms, qint64 step)
{
    const qint64 f = floorTo(ms, step);
    return f == ms ? f : f + step;
}

QString shiftText(qint64 ms)
{
    if (ms == 0)
        return QStringLiteral("±0");
    const qint64 minutes = std::abs(ms) / 60000;
    const QString sign = ms > 0 ? QStringLiteral("+") : QStringLiteral("\u2212");
    if (minutes < 60)
        return QStringLiteral("%1%2 min").arg(sign).arg(minutes);
    if (minutes % 60 == 0)
        return QStringLiteral("%1%2 h").arg(sign).arg(minutes / 60);
    return QStringLiteral("%1%2 h %3 min").arg(sign).arg(minutes / 60).arg(minutes % 60);
}

bool hasOver(const QList<ScheduleConflict> &conflicts)
{
    return std::any_of(conflicts.cbegin(), conflicts.cend(), [](const ScheduleConflict &c) {
        return c.kind == ScheduleConflict::Kind::OverForecast;
    });
}

const HourOfWeekEstimate *estimateAt(const QList<HourOfWeekEstimate> &estimates, qint64 ms)
{
    const int h = hourOfWeek(ms);
    return h >= 0 && h < estimates.size() ? &estimates.at(h) : nullptr;
}

} // namespace

LeaseTimelineWidget::LeaseTimelineWidget(LeaseBoard *board, QWidget *parent)
    : QWidget(parent), m_board(board), m_nowMs(QDateTime::currentMSecsSinceEpoch())
{
    setObjectName(QStringLiteral("leaseTimeline"));
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
    m_layout.setRange(floorTo(m_nowMs, HourMs) - 6 * HourMs, 3 * DayMs);
    if (m_board)
        connect(m_board, &LeaseBoard::changed, this, &LeaseTimelineWidget::relayout);
    relayout();
}

qint64 LeaseTimelineWidget::snap(qint64 ms)
{
    return floorTo(ms + SnapMs / 2, SnapMs);
}

void LeaseTimelineWidget::setRange(qint64 startMs, qint64 spanMs)
{
    spanMs = std::clamp(spanMs, MinSpanMs, MaxSpanMs);
    if (startMs == m_layout.rangeStart() && spanMs == m_layout.rangeSpan())
        return;
    const bool zoomed = spanMs != m_layout.rangeSpan();
    m_layout.setRange(startMs, spanMs);
    if (zoomed)
        relayout(); // labels fit differently, so lanes may differ
    else
        update();
    Q_EMIT rangeChanged(startMs, spanMs);
}

void LeaseTimelineWidget::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    update();
}

void LeaseTimelineWidget::setSelectedLease(qint64 id)
{
    if (m_selected == id)
        return;
    m_selected = id;
    update();
}

QRect LeaseTimelineWidget::barRect(qint64 leaseId, int window) const
{
    if (!m_board)
        return {};
    const auto lease = m_board->lease(leaseId);
    if (!lease || window < 0 || window >= lease->windowCount())
        return {};
    return m_layout.barRect(*lease, window);
}

std::optional<Lease> LeaseTimelineWidget::proposedLease() const
{
    if (!isDragging())
        return std::nullopt;
    return m_drag->proposed;
}

QList<ScheduleConflict> LeaseTimelineWidget::dragConflicts() const
{
    return isDragging() ? m_drag->conflicts : QList<ScheduleConflict>();
}

void LeaseTimelineWidget::cancelDrag()
{
    const bool was = isDragging();
    m_drag.reset();
    if (was) {
        QToolTip::hideText();
        Q_EMIT dragChanged(QString(), false);
    }
    update();
}

QSize LeaseTimelineWidget::sizeHint() const
{
    return {960, m_layout.height()};
}

QSize LeaseTimelineWidget::minimumSizeHint() const
{
    return {LeaseTimelineLayout::GutterWidth + 300, m_layout.height()};
}

void LeaseTimelineWidget::relayout()
{
    if (m_board)
        m_layout.rebuild(*m_board, width(), [this](const Lease &l) { return labelWidth(l); });
    if (m_drag && (!m_board || !m_board->lease(m_drag->hit.leaseId)))
        cancelDrag();
    setMinimumHeight(m_layout.height());
    updateGeometry();
    update();
}

void LeaseTimelineWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
}

QList<Lease> LeaseTimelineWidget::shownLeases() const
{
    QList<Lease> leases = m_board ? m_board->leases() : QList<Lease>();
    if (isDragging()) {
        for (Lease &lease : leases) {
            if (lease.id == m_drag->proposed.id)
                lease = m_drag->proposed;
        }
    }
    return leases;
}

// --- painting ------------------------------------------------------------------------------

void LeaseTimelineWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::white);
    painter.setRenderHint(QPainter::Antialiasing);
    const QList<Lease> leases = shownLeases();
    for (const TimelineGroup &group : m_layout.groups())
        paintGroup(painter, group, leases);
    paintRuler(painter);
    paintNowLine(painter);
}

void LeaseTimelineWidget::paintRuler(QPainter &painter) const
{
    const int h = LeaseTimelineLayout::RulerHeight;
    const int left = LeaseTimelineLayout::GutterWidth;
    const int right = width() - LeaseTimelineLayout::RightMargin;
    painter.save();
    painter.fillRect(QRect(0, 0, width(), h), QColor(0xf3, 0xf5, 0xf8));
    painter.setPen(QColor(0xd5, 0xdb, 0xe3));
    painter.drawLine(QPointF(0, h - 0.5), QPointF(width(), h - 0.5));

    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    painter.setFont(bold);
    painter.setPen(kMuted);
    painter.drawText(QRect(12, 0, left - 20, h / 2 + 2), Qt::AlignLeft | Qt::AlignVCenter,
                     QStringLiteral("UTC"));

    painter.setClipRect(QRect(left, 0, right - left, h));
    const QLocale c = QLocale::c();
    // Days: a strong tick and the date, kept in view while the day is.
    for (qint64 day = floorTo(m_layout.rangeStart(), DayMs); day < m_layout.rangeEnd();
         day += DayMs) {
        const double x = m_layout.xOf(day);
        painter.setPen(kDayLine);
        painter.drawLine(QPointF(x, 0), QPointF(x, h));
        // The full date when it fits in the visible part of the day, else a short one, else none.
        const double dayStart = std::max(x, double(left)) + 8;
        const double dayEnd = std::min(m_layout.xOf(day + DayMs), double(right)) - 8;
        const QDateTime date = QDateTime::fromMSecsSinceEpoch(day, Qt::UTC);
        QString label = c.toString(date, QStringLiteral("dddd d MMMM"));
        if (boldMetrics.horizontalAdvance(label) > dayEnd - dayStart)
            label = c.toString(date, QStringLiteral("ddd d MMM"));
        if (boldMetrics.horizontalAdvance(label) > dayEnd - dayStart)
            continue;
        // Kept in view while the day is: it slides left with the day's start, not past its end.
        const double textX = std::min(dayStart, dayEnd - boldMetrics.horizontalAdvance(label));
        painter.setPen(kInk);
        painter.setFont(bold);
        painter.drawText(QPointF(textX, h / 2 - 6), label);
    }
    // Hours: as many as fit with room to read them.
    const QFontMetrics metrics(font());
    const double room = metrics.horizontalAdvance(QStringLiteral("00:00")) + 24;
    qint64 step = HourMs;
    for (const qint64 hours : {1, 2, 3, 6, 12, 24}) {
        step = hours * HourMs;
        if (double(step) * m_layout.pixelsPerMs() >= room)
            break;
    }
    painter.setFont(font());
    // The now-line's tag sits in this row; hours under it are left out.
    const double nowX = m_layout.xOf(m_nowMs);
    const double nowHalf = (boldMetrics.horizontalAdvance(QStringLiteral("now 00:00")) + 14) / 2.0;
    for (qint64 t = floorTo(m_layout.rangeStart(), step); t <= m_layout.rangeEnd(); t += step) {
        const double x = m_layout.xOf(t);
        painter.setPen(kDayLine);
        painter.drawLine(QPointF(x, h - 6), QPointF(x, h));
        if (t % DayMs == 0 && step < DayMs)
            continue; // the date stands for midnight
        if (std::abs(x - nowX) < nowHalf + room / 2 - 10)
            continue;
        painter.setPen(kMuted);
        const QString label =
            c.toString(QDateTime::fromMSecsSinceEpoch(t, Qt::UTC), QStringLiteral("HH:mm"));
        painter.drawText(QRectF(x - room / 2, h / 2, room, h / 2 - 6), Qt::AlignCenter, label);
    }
    painter.restore();
}

void LeaseTimelineWidget::paintGroup(QPainter &painter, const TimelineGroup &group,
                                     const QList<Lease> &leases) const
{
    const QRect plot = group.plot;
    painter.save();

    // The gutter: the pool, what its forecast rests on, and the scale.
    QFont title = font();
    title.setBold(true);
    title.setPointSizeF(title.pointSizeF() * 1.2);
    painter.setFont(title);
    painter.setPen(kInk);
    const QRect nameRect(12, group.gutter.top() + 8, group.gutter.width() - 20,
                         QFontMetrics(title).height());
    painter.drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetrics(title).elidedText(group.pool, Qt::ElideRight, nameRect.width()));
    const QList<HourOfWeekEstimate> forecast = m_board->forecast(group.pool);
    int weeks = 0;
    for (const HourOfWeekEstimate &e : forecast)
        weeks = std::max(weeks, e.weeks);
    painter.setFont(font());
    painter.setPen(kMuted);
    const QString basis = forecast.isEmpty() || weeks == 0
                              ? QStringLiteral("no forecast yet")
                              : QStringLiteral("p10 of %1 week%2")
                                    .arg(weeks)
                                    .arg(weeks == 1 ? QString() : QStringLiteral("s"));
    painter.drawText(
        QRect(12, nameRect.bottom() + 2, group.gutter.width() - 20, fontMetrics().height()),
        Qt::AlignLeft | Qt::AlignVCenter, basis);
    const QLocale locale;
    for (const double fraction : {0.0, 0.5, 1.0}) {
        const double rps = group.scaleMaxRps * fraction;
        const double y = m_layout.yOf(group, rps);
        const QString label =
            fraction == 0.0 ? QStringLiteral("0 req/s") : locale.toString(qRound64(rps));
        const QRectF textRect(0, y - fontMetrics().height(), group.gutter.width() - 8,
                              fontMetrics().height());
        if (fraction < 1.0 || textRect.top() > nameRect.bottom() + fontMetrics().height() + 4)
            painter.drawText(textRect, Qt::AlignRight | Qt::AlignBottom, label);
    }

    // The plot: background, grid, forecast, leased total, bars.
    painter.fillRect(plot, kPlot);
    painter.setClipRect(plot);
    painter.setPen(QPen(kGrid, 1));
    for (const double fraction : {0.5, 1.0}) {
        const double y = std::round(m_layout.yOf(group, group.scaleMaxRps * fraction)) + 0.5;
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    for (qint64 t = floorTo(m_layout.rangeStart(), 6 * HourMs); t <= m_layout.rangeEnd();
         t += 6 * HourMs) {
        const double x = std::round(m_layout.xOf(t)) + 0.5;
        painter.setPen(QPen(t % DayMs == 0 ? kDayLine : kGrid, 1));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
    paintForecast(painter, group);

    // While dragging in this pool, the stretches that do not fit, across the whole plot.
    if (isDragging() && m_drag->proposed.pool == group.pool) {
        for (const ScheduleConflict &c : m_drag->conflicts) {
            QColor shade = c.kind == ScheduleConflict::Kind::OverForecast ? kOver : kUnknown;
            shade.setAlpha(28);
            const double x0 = m_layout.xOf(c.startMs);
            const double x1 = m_layout.xOf(c.endMs);
            painter.fillRect(QRectF(x0, plot.top(), x1 - x0, plot.height()), shade);
        }
    }
    paintLeasedTotal(painter, group, leases);

    // Bars: the dragged lease's old place as a ghost, the selected lease on top.
    QList<const Lease *> mine;
    for (const Lease &lease : leases) {
        if (lease.pool == group.pool)
            mine.append(&lease);
    }
    std::stable_partition(mine.begin(), mine.end(),
                          [this](const Lease *l) { return l->id != m_selected; });
    if (isDragging() && m_drag->original.pool == group.pool) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(kMuted, 1.2, Qt::DashLine));
        for (int i = 0; i < m_drag->original.windowCount(); ++i) {
            const QRect r = m_layout.barRect(m_drag->original, i);
            if (r.right() >= plot.left() && r.left() <= plot.right())
                painter.drawRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
        }
    }
    for (const Lease *lease : mine) {
        for (int i = 0; i < lease->windowCount(); ++i) {
            const QRect r = m_layout.barRect(*lease, i);
            if (r.right() < plot.left() || r.left() > plot.right())
                continue;
            paintBar(painter, *lease, i, r);
        }
    }
    painter.restore();

    painter.setPen(QColor(0xd5, 0xdb, 0xe3));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(plot).adjusted(0.5, 0.5, -0.5, -0.5));
}

void LeaseTimelineWidget::paintForecast(QPainter &painter, const TimelineGroup &group) const
{
    const QList<HourOfWeekEstimate> estimates = m_board->forecast(group.pool);
    if (estimates.isEmpty())
        return;
    const int minWeeks = ScheduleCheckOptions().minWeeks;
    QPainterPath known;
    QPainterPath knownEdge;
    QPainterPath tentative;
    QPainterPath tentativeEdge;
    QPainterPath *lastEdge = nullptr;
    QPointF lastPoint;
    const double bottom = group.plot.bottom() + 1;
    for (qint64 t = floorTo(m_layout.rangeStart(), HourMs); t < m_layout.rangeEnd(); t += HourMs) {
        const HourOfWeekEstimate *e = estimateAt(estimates, t);
        if (!e || e->samples == 0) {
            lastEdge = nullptr;
            continue;
        }
        const bool sure = e->weeks >= minWeeks;
        const double x0 = m_layout.xOf(t);
        const double x1 = m_layout.xOf(t + HourMs);
        const double y = m_layout.yOf(group, std::max(0.0, e->p10Headroom));
        (sure ? known : tentative).addRect(QRectF(QPointF(x0, y), QPointF(x1, bottom)));
        QPainterPath *edge = sure ? &knownEdge : &tentativeEdge;
        if (edge == lastEdge && lastPoint.x() == x0) {
            edge->lineTo(x0, y);
        } else {
            edge->moveTo(x0, y);
        }
        edge->lineTo(x1, y);
        lastEdge = edge;
        lastPoint = QPointF(x1, y);
    }
    painter.save();
    painter.setPen(Qt::NoPen);
    QColor fill = kBand;
    fill.setAlpha(46);
    painter.setBrush(fill);
    painter.drawPath(known.simplified());
    fill.setAlpha(20);
    painter.setBrush(fill);
    painter.drawPath(tentative.simplified());
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(kBand, 1.6));
    painter.drawPath(knownEdge);
    painter.setPen(QPen(kBand.lighter(130), 1.2, Qt::DashLine));
    painter.drawPath(tentativeEdge);
    painter.restore();
}

void LeaseTimelineWidget::paintLeasedTotal(QPainter &painter, const TimelineGroup &group,
                                           const QList<Lease> &leases) const
{
    const QList<std::pair<qint64, double>> steps =
        LeaseTimelineLayout::leasedSteps(leases, group.pool);
    if (steps.isEmpty())
        return;
    const QList<HourOfWeekEstimate> estimates = m_board->forecast(group.pool);
    const int minWeeks = ScheduleCheckOptions().minWeeks;
    painter.save();
    // The total as an area with a step edge, under the red.
    QPainterPath edge;
    QPainterPath area;
    const double bottom = group.plot.bottom() + 1;
    for (qsizetype i = 0; i + 1 < steps.size(); ++i) {
        const double level = steps.at(i).second;
        if (level <= 0)
            continue;
        const double x0 = m_layout.xOf(steps.at(i).first);
        const double x1 = m_layout.xOf(steps.at(i + 1).first);
        const double y = m_layout.yOf(group, level);
        area.addRect(QRectF(QPointF(x0, y), QPointF(x1, bottom)));
        const double previous = i == 0 ? 0.0 : steps.at(i - 1).second;
        edge.moveTo(x0, previous > 0 ? m_layout.yOf(group, previous) : bottom);
        edge.lineTo(x0, y);
        edge.lineTo(x1, y);
        if (steps.at(i + 1).second <= 0)
            edge.lineTo(x1, bottom);
    }
    QColor leased = kLeased;
    leased.setAlpha(52);
    painter.setPen(Qt::NoPen);
    painter.setBrush(leased);
    painter.drawPath(area.simplified());
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(kLeased, 1.6));
    painter.drawPath(edge);
    // Red where the firm leases add up to more than the forecast, hour by hour.
    QColor over = kOver;
    over.setAlpha(120);
    for (qsizetype i = 0; i + 1 < steps.size(); ++i) {
        const double level = steps.at(i).second;
        const qint64 from = std::max(steps.at(i).first, m_layout.rangeStart());
        const qint64 to = std::min(steps.at(i + 1).first, m_layout.rangeEnd());
        if (level <= 0 || from >= to)
            continue;
        for (qint64 t = from; t < to;) {
            const qint64 next = std::min(to, floorTo(t, HourMs) + HourMs);
            const HourOfWeekEstimate *e = estimateAt(estimates, t);
            if (e && e->samples > 0 && e->weeks >= minWeeks && level > e->p10Headroom + 1e-6) {
                const double top = m_layout.yOf(group, level);
                const double base = m_layout.yOf(group, std::max(0.0, e->p10Headroom));
                painter.fillRect(
                    QRectF(QPointF(m_layout.xOf(t), top), QPointF(m_layout.xOf(next), base)), over);
            }
            t = next;
        }
    }
    painter.restore();
}

int LeaseTimelineWidget::labelWidth(const Lease &lease) const
{
    QFont bold = font();
    bold.setBold(true);
    const int site = QFontMetrics(bold).horizontalAdvance(lease.siteName);
    const QString steered =
        lease.state == LeaseState::Active ? QStringLiteral(" · 100 % steered") : QString();
    const int details = fontMetrics().horizontalAdvance(
        presentation::leaseRateKindText(lease) + steered + QStringLiteral(" · starts in 00h 00m"));
    const int badge = m_board && hasOver(m_board->conflicts(lease.id)) ? BadgeSize + 4 : 0;
    return std::max(site, details) + badge + 14;
}

void LeaseTimelineWidget::drawBadge(QPainter &painter, const QRectF &where, bool inverted) const
{
    painter.save();
    painter.setPen(Qt::NoPen);
    painter.setBrush(inverted ? QColor(Qt::white) : kOver);
    painter.drawEllipse(where);
    QFont f = font();
    f.setBold(true);
    painter.setFont(f);
    painter.setPen(inverted ? kOver : QColor(Qt::white));
    painter.drawText(where, Qt::AlignCenter, QStringLiteral("!"));
    painter.restore();
}

void LeaseTimelineWidget::paintBar(QPainter &painter, const Lease &lease, int window,
                                   const QRect &rect) const
{
    const bool dragged = isDragging() && lease.id == m_drag->proposed.id;
    const QList<ScheduleConflict> conflicts =
        dragged ? m_drag->conflicts : m_board->conflicts(lease.id);
    const bool over = hasOver(conflicts);
    QColor fill = presentation::leaseColor(lease.state);
    if (dragged)
        fill = over ? kOver : (conflicts.isEmpty() ? fill : kUnknown);
    const bool bestEffort = lease.kind == LeaseKind::BestEffort;
    const bool finished = isTerminal(lease.state);
    QColor text = Qt::white;
    QColor detailText = QColor(255, 255, 255, 225);
    if (bestEffort || finished) {
        text = finished ? kMuted : fill.darker(170);
        detailText = text;
        fill = finished ? QColor(0xdf, 0xe3, 0xe9) : fill.lighter(175);
    }

    const QRectF r = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5);
    painter.save();
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill);
    painter.drawRoundedRect(r, 5, 5);
    if (bestEffort && !finished) {
        // Best-effort reserves nothing: hatched, outlined in its state's colour.
        painter.setBrush(QBrush(fill.darker(112), Qt::BDiagPattern));
        painter.drawRoundedRect(r, 5, 5);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(presentation::leaseColor(lease.state), 1.4));
        painter.drawRoundedRect(r, 5, 5);
    } else if (finished) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(0xb8, 0xc2, 0xcf), 1));
        painter.drawRoundedRect(r, 5, 5);
    }
    if (lease.id == m_selected) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(kInk, 2.4));
        painter.drawRoundedRect(r.adjusted(0.7, 0.7, -0.7, -0.7), 5, 5);
    } else if (over && !dragged) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(kOver, 2.4));
        painter.drawRoundedRect(r.adjusted(0.7, 0.7, -0.7, -0.7), 5, 5);
    }

    // The label: the site, then rate, kind and what comes next; inside the bar when it fits,
    // else to its right on a light backdrop.
    const QRect plot = m_layout.group(lease.pool) ? m_layout.group(lease.pool)->plot : rect;
    const int wanted = labelWidth(lease);
    const bool inside = LeaseTimelineLayout::labelFitsInside(rect.width(), wanted);
    QRect textRect;
    if (inside) {
        textRect = rect.intersected(plot).adjusted(8, 3, -6, -3);
    } else {
        textRect = QRect(rect.right() + LeaseTimelineLayout::LabelGap, rect.top() + 3, wanted - 12,
                         rect.height() - 6);
        text = kInk;
        detailText = kMuted;
    }
    if (over) {
        const QRectF badge(inside ? textRect.right() - BadgeSize + 1 : textRect.left(),
                           rect.top() + 5, BadgeSize, BadgeSize);
        if (textRect.width() > BadgeSize + 24) {
            if (inside) {
                drawBadge(painter, badge, dragged);
                textRect.setRight(textRect.right() - BadgeSize - 4);
            } else {
                textRect.setLeft(textRect.left() + BadgeSize + 4); // drawn with the backdrop
            }
        }
    }
    if (textRect.width() >= 24) {
        QFont bold = font();
        bold.setBold(true);
        const QFontMetrics boldMetrics(bold);
        const QFontMetrics metrics(font());
        QStringList details{presentation::leaseRateKindText(lease)};
        if (lease.state == LeaseState::Active) {
            if (const auto status = m_board->status(lease.id); status && status->inWindow)
                details.append(QStringLiteral("%1 % steered").arg(qRound(status->fraction * 100)));
        }
        const auto next = lease.currentOrNextWindow(m_nowMs);
        if (!finished && next && next->startMs == lease.window(window).startMs)
            details.append(presentation::countdownText(lease, m_nowMs));
        if (dragged)
            details = QStringList{
                presentation::windowText(lease.window(window).startMs, lease.window(window).endMs)};
        const QString detailLine = details.join(QStringLiteral(" · "));
        if (!inside) {
            // A light backdrop as wide as the text, so the band behind does not cross it.
            const int used =
                std::min(textRect.width(), std::max(boldMetrics.horizontalAdvance(lease.siteName),
                                                    metrics.horizontalAdvance(detailLine)));
            QRect backdrop = textRect;
            backdrop.setWidth(used);
            if (over)
                backdrop.setLeft(backdrop.left() - BadgeSize - 4);
            QColor white = Qt::white;
            white.setAlpha(215);
            painter.setPen(Qt::NoPen);
            painter.setBrush(white);
            painter.drawRoundedRect(QRectF(backdrop).adjusted(-4, -2, 4, 2), 4, 4);
            if (over) // the badge again, over its backdrop
                drawBadge(painter, QRectF(backdrop.left(), rect.top() + 5, BadgeSize, BadgeSize),
                          false);
        }
        const int lineHeight = textRect.height() / 2;
        painter.setPen(text);
        painter.setFont(bold);
        painter.drawText(QRect(textRect.left(), textRect.top(), textRect.width(), lineHeight),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         boldMetrics.elidedText(lease.siteName, Qt::ElideRight, textRect.width()));
        painter.setPen(detailText);
        painter.setFont(font());
        painter.drawText(QRect(textRect.left(), textRect.top() + lineHeight, textRect.width(),
                               textRect.height() - lineHeight),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(detailLine, Qt::ElideRight, textRect.width()));
    }
    painter.restore();
}

void LeaseTimelineWidget::paintNowLine(QPainter &painter) const
{
    if (m_nowMs < m_layout.rangeStart() || m_nowMs > m_layout.rangeEnd())
        return;
    const double x = std::round(m_layout.xOf(m_nowMs)) + 0.5;
    painter.save();
    painter.setPen(QPen(kOver, 2));
    painter.drawLine(QPointF(x, LeaseTimelineLayout::RulerHeight - 4), QPointF(x, height()));
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    const QString label = QStringLiteral("now %1").arg(QLocale::c().toString(
        QDateTime::fromMSecsSinceEpoch(m_nowMs, Qt::UTC), QStringLiteral("HH:mm")));
    const QFontMetrics metrics(bold);
    const QRectF pill(x - metrics.horizontalAdvance(label) / 2.0 - 7,
                      LeaseTimelineLayout::RulerHeight - metrics.height() - 8,
                      metrics.horizontalAdvance(label) + 14, metrics.height() + 4);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kOver);
    painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);
    painter.setPen(Qt::white);
    painter.drawText(pill, Qt::AlignCenter, label);
    painter.restore();
}

// --- interaction ---------------------------------------------------------------------------

std::optional<LeaseTimelineWidget::Hit> LeaseTimelineWidget::hitTest(const QPoint &point) const
{
    if (!m_board)
        return std::nullopt;
    const TimelineGroup *group = m_layout.groupAt(point);
    if (!group || !group->plot.contains(point))
        return std::nullopt;
    const QList<Lease> leases = m_board->leases();
    // The selected lease is painted on top, so it is hit first.
    QList<const Lease *> order;
    for (const Lease &lease : leases) {
        if (lease.pool != group->pool)
            continue;
        if (lease.id == m_selected)
            order.prepend(&lease);
        else
            order.append(&lease);
    }
    for (const Lease *lease : order) {
        for (int i = 0; i < lease->windowCount(); ++i) {
            const QRect r = m_layout.barRect(*lease, i);
            if (!r.contains(point))
                continue;
            Hit hit;
            hit.leaseId = lease->id;
            hit.window = i;
            const int grip = std::min(EdgeGrip, r.width() / 3);
            if (point.x() <= r.left() + grip)
                hit.edit = LeaseEdit::ResizeStart;
            else if (point.x() >= r.right() - grip)
                hit.edit = LeaseEdit::ResizeEnd;
            else
                hit.edit = LeaseEdit::Move;
            return hit;
        }
    }
    return std::nullopt;
}

void LeaseTimelineWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    const auto hit = hitTest(event->position().toPoint());
    if (!hit) {
        m_drag.reset();
        if (m_layout.groupAt(event->position().toPoint())) {
            setSelectedLease(0);
            Q_EMIT leaseSelected(0);
        }
        return;
    }
    const Lease lease = *m_board->lease(hit->leaseId);
    Drag drag;
    drag.hit = *hit;
    drag.original = lease;
    drag.proposed = lease;
    drag.pressPos = event->position().toPoint();
    drag.refusal = LeaseBoard::editRefusal(lease, hit->edit);
    m_drag = drag;
    if (m_selected != lease.id) {
        setSelectedLease(lease.id);
        Q_EMIT leaseSelected(lease.id);
    }
}

void LeaseTimelineWidget::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (!(event->buttons() & Qt::LeftButton) || !m_drag) {
        const auto hit = hitTest(pos);
        Qt::CursorShape shape = Qt::ArrowCursor;
        if (hit) {
            const auto lease = m_board->lease(hit->leaseId);
            if (lease && LeaseBoard::editRefusal(*lease, hit->edit).isEmpty())
                shape = hit->edit == LeaseEdit::Move ? Qt::OpenHandCursor : Qt::SizeHorCursor;
            else
                shape = Qt::PointingHandCursor;
        }
        setCursor(shape);
        return;
    }
    if (!m_drag->started) {
        if ((pos - m_drag->pressPos).manhattanLength() < QApplication::startDragDistance())
            return;
        if (!m_drag->refusal.isEmpty()) {
            if (!m_drag->refusedShown) {
                m_drag->refusedShown = true;
                Q_EMIT refused(m_drag->refusal);
            }
            return;
        }
        m_drag->started = true;
        setCursor(m_drag->hit.edit == LeaseEdit::Move ? Qt::ClosedHandCursor : Qt::SizeHorCursor);
    }
    updateDrag(pos);
}

void LeaseTimelineWidget::updateDrag(const QPoint &point)
{
    Drag &drag = *m_drag;
    const Lease &o = drag.original;
    Lease p = o;
    const qint64 shift =
        qint64(std::llround((point.x() - drag.pressPos.x()) / m_layout.pixelsPerMs()));
    const qint64 earliest = ceilTo(m_nowMs, SnapMs);
    const bool daily = o.dailyDays > 1;
    switch (drag.hit.edit) {
    case LeaseEdit::Move: {
        const qint64 length = o.endsAtMs - o.startsAtMs;
        p.startsAtMs = std::max(snap(o.startsAtMs + shift), earliest);
        p.endsAtMs = p.startsAtMs + length;
        break;
    }
    case LeaseEdit::ResizeStart: {
        qint64 start = std::min(snap(o.startsAtMs + shift), o.endsAtMs - SnapMs);
        if (daily)
            start = std::max(start, o.endsAtMs - DayMs + SnapMs);
        p.startsAtMs = std::max(start, std::min(earliest, o.endsAtMs - SnapMs));
        break;
    }
    case LeaseEdit::ResizeEnd: {
        const qint64 offset = qint64(drag.hit.window) * DayMs;
        qint64 end = std::max(snap(o.endsAtMs + shift), o.startsAtMs + SnapMs);
        if (daily)
            end = std::min(end, o.startsAtMs + DayMs - SnapMs);
        // The window being dragged may not end in the past.
        end = std::max(end, earliest - offset);
        p.endsAtMs = end;
        break;
    }
    }
    drag.proposed = p;
    drag.conflicts = m_board->check(p, m_nowMs);

    const qint64 moved = drag.hit.edit == LeaseEdit::ResizeEnd ? p.endsAtMs - o.endsAtMs
                                                               : p.startsAtMs - o.startsAtMs;
    QString text = QStringLiteral("%1 → %2 (%3)")
                       .arg(o.siteName, presentation::windowText(p), shiftText(moved));
    const bool over = hasOver(drag.conflicts);
    if (drag.conflicts.isEmpty())
        text += QStringLiteral(": fits the forecast.");
    else if (over)
        text += QStringLiteral(": over the forecast. ") + describeConflicts(drag.conflicts);
    else
        text +=
            QStringLiteral(": not forecast for all of it. ") + describeConflicts(drag.conflicts);
    setToolTip(QString());
    QToolTip::showText(mapToGlobal(point), text, this);
    Q_EMIT dragChanged(text, over);
    update();
}

void LeaseTimelineWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_drag) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    const Drag drag = *m_drag;
    m_drag.reset();
    setCursor(Qt::ArrowCursor);
    if (!drag.started) {
        update();
        return;
    }
    QToolTip::hideText();
    Q_EMIT dragChanged(QString(), false);
    update();
    const Lease &o = drag.original;
    const Lease &p = drag.proposed;
    if (p.startsAtMs != o.startsAtMs || p.endsAtMs != o.endsAtMs)
        Q_EMIT rescheduleRequested(o.id, LeaseWindow{o.startsAtMs, o.endsAtMs},
                                   LeaseWindow{p.startsAtMs, p.endsAtMs});
}

void LeaseTimelineWidget::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && m_drag) {
        cancelDrag();
        return;
    }
    QWidget::keyPressEvent(event);
}

void LeaseTimelineWidget::wheelEvent(QWheelEvent *event)
{
    const QPoint delta = event->angleDelta();
    const double x = event->position().x();
    if (event->modifiers() & Qt::ControlModifier) {
        if (delta.y() == 0)
            return;
        const qint64 anchor = m_layout.timeAt(x);
        const double factor = std::pow(1.25, -delta.y() / 120.0);
        const qint64 span = std::clamp(qint64(double(rangeSpan()) * factor), MinSpanMs, MaxSpanMs);
        const double share = (x - LeaseTimelineLayout::GutterWidth) /
                             std::max(1.0, double(width() - LeaseTimelineLayout::GutterWidth -
                                                  LeaseTimelineLayout::RightMargin));
        setRange(floorTo(anchor - qint64(share * double(span)), SnapMs), span);
        event->accept();
        return;
    }
    const int steps = delta.x() != 0                             ? delta.x()
                      : (event->modifiers() & Qt::ShiftModifier) ? delta.y()
                                                                 : 0;
    if (steps == 0) {
        event->ignore(); // vertical scrolling belongs to the scroll area
        return;
    }
    const qint64 shift = qint64(double(rangeSpan()) / 24.0 * (-steps / 120.0));
    setRange(floorTo(rangeStart() + shift, SnapMs), rangeSpan());
    event->accept();
}

bool LeaseTimelineWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && !isDragging()) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

QString LeaseTimelineWidget::toolTipAt(const QPoint &point) const
{
    if (!m_board)
        return {};
    if (const auto hit = hitTest(point)) {
        const auto lease = m_board->lease(hit->leaseId);
        if (!lease)
            return {};
        QStringList lines{
            QStringLiteral("<b>%1</b> %2")
                .arg(lease->siteName.toHtmlEscaped(), presentation::leaseRateKindText(*lease)),
            QStringLiteral("%1 · pool %2")
                .arg(presentation::leaseStateText(lease->state), lease->pool.toHtmlEscaped()),
            presentation::windowText(*lease) + QStringLiteral(" UTC"),
            presentation::countdownText(*lease, m_nowMs)};
        const QList<ScheduleConflict> conflicts = m_board->conflicts(lease->id);
        if (hasOver(conflicts))
            lines.append(QStringLiteral("<span style='color:#b02a2d'>Over the forecast: %1</span>")
                             .arg(describeConflicts(conflicts).toHtmlEscaped()));
        const QString refusal = LeaseBoard::editRefusal(*lease, hit->edit);
        lines.append(QStringLiteral("<i>%1</i>")
                         .arg(refusal.isEmpty()
                                  ? (hit->edit == LeaseEdit::Move
                                         ? QStringLiteral("Drag to move, drag an edge to resize.")
                                         : QStringLiteral("Drag to resize."))
                                  : refusal.toHtmlEscaped()));
        return lines.join(QStringLiteral("<br>"));
    }
    const TimelineGroup *group = m_layout.groupAt(point);
    if (!group || !group->plot.contains(point))
        return {};
    const qint64 at = m_layout.timeAt(point.x());
    const qint64 hour = floorTo(at, HourMs);
    const QList<HourOfWeekEstimate> estimates = m_board->forecast(group->pool);
    const HourOfWeekEstimate *e = estimateAt(estimates, at);
    double leased = 0;
    for (const auto &[from, rps] :
         LeaseTimelineLayout::leasedSteps(m_board->leases(), group->pool)) {
        if (from <= at)
            leased = rps;
    }
    const QString when = presentation::windowText(hour, hour + HourMs);
    QString forecast;
    if (!e || e->samples == 0)
        forecast = QStringLiteral("no history for this hour of the week");
    else
        forecast = QStringLiteral("%1 spare (p10 of %2 week%3%4)")
                       .arg(presentation::rateText(e->p10Headroom))
                       .arg(e->weeks)
                       .arg(e->weeks == 1 ? QString() : QStringLiteral("s"))
                       .arg(e->weeks < ScheduleCheckOptions().minWeeks
                                ? QStringLiteral(", too few to rely on")
                                : QString());
    return QStringLiteral("<b>Pool %1</b>, %2 UTC<br>Forecast: %3<br>Leased (firm): %4")
        .arg(group->pool.toHtmlEscaped(), when, forecast, presentation::rateText(leased));
}

} // namespace headroom
