#pragma once

#include "control/schedulecheck.h"
#include "domain/lease.h"
#include "leaseboard.h"
#include "leasetimelinelayout.h"

#include <QPointer>
#include <QWidget>
#include <optional>

namespace headroom {

// The leases of every pool across days, as bars in lanes over the pool's forecast spare capacity
// (a green band, req/s up from the bottom) and the firm leases' total (a line; red where it is
// above the forecast), with a line at the present. Times are UTC.
//
// Drag a bar to move a scheduled lease, drag an edge to change its start or end (an active or
// provisioning lease only its end), in steps of SnapMs. While dragging, the proposed times are
// checked against the forecast live: the bar turns red (over the forecast) or amber (no forecast
// for some hours) and dragChanged() says why. Dropping does not write anything itself: it emits
// rescheduleRequested() for the view to put on its undo stack. Ctrl+wheel zooms, Shift+wheel
// scrolls.
class LeaseTimelineWidget final : public QWidget
{
    Q_OBJECT
public:
    static constexpr qint64 SnapMs = 15LL * 60 * 1000;
    static constexpr qint64 MinSpanMs = 6LL * 3600 * 1000;
    static constexpr qint64 MaxSpanMs = 14LL * 24 * 3600 * 1000;
    static constexpr int BadgeSize = 16;

    // `board` is not owned and must outlive the widget.
    explicit LeaseTimelineWidget(LeaseBoard *board, QWidget *parent = nullptr);

    void setRange(qint64 startMs, qint64 spanMs);
    qint64 rangeStart() const { return m_layout.rangeStart(); }
    qint64 rangeSpan() const { return m_layout.rangeSpan(); }
    // The present: the now-line, the countdowns on the bars and the earliest a lease may start.
    void setNow(qint64 nowMs);
    qint64 now() const { return m_nowMs; }

    void setSelectedLease(qint64 id);
    qint64 selectedLease() const { return m_selected; }

    const LeaseTimelineLayout &layout() const { return m_layout; }
    // Where a lease's window is drawn, in widget coordinates; null when not shown.
    QRect barRect(qint64 leaseId, int window = 0) const;

    bool isDragging() const { return m_drag.has_value() && m_drag->started; }
    std::optional<Lease> proposedLease() const;
    QList<ScheduleConflict> dragConflicts() const;
    void cancelDrag();

    // Rounds to the nearest SnapMs.
    static qint64 snap(qint64 ms);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void leaseSelected(qint64 id); // 0: none
    void rescheduleRequested(qint64 leaseId, headroom::LeaseWindow before,
                             headroom::LeaseWindow after);
    // An edit the lease does not allow, in a sentence.
    void refused(const QString &message);
    // While dragging: the proposed window and the check's verdict; empty text when it ends.
    void dragChanged(const QString &text, bool overForecast);
    void rangeChanged(qint64 startMs, qint64 spanMs);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    struct Hit
    {
        qint64 leaseId = 0;
        int window = 0;
        LeaseEdit edit = LeaseEdit::Move;
    };
    struct Drag
    {
        Hit hit;
        Lease original;
        Lease proposed;
        QPoint pressPos;
        QString refusal; // non-empty: this edit is not allowed
        bool started = false;
        bool refusedShown = false;
        QList<ScheduleConflict> conflicts;
    };

    void relayout();
    int labelWidth(const Lease &lease) const;
    std::optional<Hit> hitTest(const QPoint &point) const;
    void updateDrag(const QPoint &point);
    QString toolTipAt(const QPoint &point) const;
    QList<Lease> shownLeases() const; // with the proposed lease in place of the stored one

    void paintRuler(QPainter &painter) const;
    void paintGroup(QPainter &painter, const TimelineGroup &group,
                    const QList<Lease> &leases) const;
    void paintForecast(QPainter &painter, const TimelineGroup &group) const;
    void paintLeasedTotal(QPainter &painter, const TimelineGroup &group,
                          const QList<Lease> &leases) const;
    void paintBar(QPainter &painter, const Lease &lease, int window, const QRect &rect) const;
    void paintNowLine(QPainter &painter) const;
    void drawBadge(QPainter &painter, const QRectF &where, bool inverted) const;

    QPointer<LeaseBoard> m_board;
    LeaseTimelineLayout m_layout;
    qint64 m_nowMs = 0;
    qint64 m_selected = 0;
    std::optional<Drag> m_drag;
};

} // namespace headroom
