#pragma once

#include "domain/lease.h"

#include <QWidget>

class QAction;
class QButtonGroup;
class QLabel;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;
class QUndoStack;

namespace headroom {

class EmptyState;
class LeaseBoard;
class LeaseDetailPanel;
class LeaseTableModel;
class LeaseTimelineWidget;

// Sold capacity over time: a timeline of the leases of each proxy pool across days, over the
// pool's forecast spare capacity, where operators move and resize leases by dragging (checked
// live against the forecast, undoable); a table of the leases with countdowns to each start and
// end; and the selected lease's live steering. Reads the Headroom database given by
// setDatabasePath(); without one it says so.
//
// A drop that goes over the forecast is applied, not refused: forecasts are the 10th percentile
// of past headroom and operators may know better (a purchaser's event, a pool about to grow). The
// view says plainly that it is over, by how much and when, the bar stays marked red, and Ctrl+Z
// takes it back.
class LeasesView final : public QWidget
{
    Q_OBJECT
public:
    enum class MessageKind
    {
        Info,
        Warning,
        Error
    };

    explicit LeasesView(QWidget *parent = nullptr);

    // Opens the lease records at `path` on this thread (empty: none). Safe to call again, e.g.
    // when the settings change or once the sandbox is up.
    void setDatabasePath(const QString &path);
    QString databasePath() const;

    void selectLease(qint64 id);
    qint64 selectedLease() const { return m_selected; }
    // The visible span of the timeline, starting a little before the present.
    void showSpan(qint64 spanMs);
    void showNow();

    LeaseBoard *board() const { return m_board; }
    LeaseTimelineWidget *timeline() const { return m_timeline; }
    LeaseTableModel *tableModel() const { return m_model; }
    QTableView *table() const { return m_table; }
    LeaseDetailPanel *detail() const { return m_detail; }
    QUndoStack *undoStack() const { return m_undo; }
    QAction *undoAction() const { return m_undoAction; }
    QAction *redoAction() const { return m_redoAction; }
    // The last thing said about a move or a refusal, in full; empty before the first.
    QString message() const;
    MessageKind messageKind() const { return m_messageKind; }
    bool isShowingEmptyState() const;
    QString emptyHeadline() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    QWidget *makeToolbar();
    void fitTimeline();
    QWidget *makeContent();
    void tick();
    void boardChanged();
    void reschedule(qint64 leaseId, LeaseWindow before, LeaseWindow after);
    void showMessage(const QString &text, MessageKind kind);
    void elideMessage();
    void syncTableSelection();
    void updateEmptyState();

    LeaseBoard *m_board = nullptr;
    LeaseTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QUndoStack *m_undo = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    LeaseTimelineWidget *m_timeline = nullptr;
    QTableView *m_table = nullptr;
    LeaseDetailPanel *m_detail = nullptr;
    QStackedWidget *m_pages = nullptr;
    EmptyState *m_empty = nullptr;
    QWidget *m_content = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_tableCaption = nullptr;
    QButtonGroup *m_spans = nullptr;
    QTimer *m_clock = nullptr;
    QString m_messageText;
    MessageKind m_messageKind = MessageKind::Info;
    qint64 m_selected = 0;
    bool m_followNow = true;
    bool m_splitterMoved = false;
    bool m_syncing = false;
    bool m_commandFailed = false;
    int m_ticks = 0;
};

} // namespace headroom
