#include "leasesview.h"

#include "emptystate.h"
#include "leaseboard.h"
#include "leasedetailpanel.h"
#include "leasepresentation.h"
#include "leaseschedulecommand.h"
#include "leasetablemodel.h"
#include "leasetimelinewidget.h"
#include "viewheader.h"

#include <QAction>
#include <QButtonGroup>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>

namespace headroom {

namespace {

constexpr qint64 HourMs = 3600LL * 1000;
constexpr qint64 DayMs = 24 * HourMs;
// The forecast moves by the hour at most; reading weeks of history more often buys nothing.
constexpr int ForecastEveryTicks = 600;

QFrame *panel(const QString &name, QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(name);
    frame->setAttribute(Qt::WA_StyledBackground);
    frame->setStyleSheet(QStringLiteral("QFrame#%1 { background: white;"
                                        " border: 1px solid #d5dbe3; border-radius: 8px; }")
                             .arg(name));
    return frame;
}

QString buttonStyle()
{
    return QStringLiteral(
        "QToolButton { border: 1px solid #c3ccd8; padding: 4px 10px; background: white; }"
        "QToolButton:checked { background: #2f5d8f; color: white; border-color: #2f5d8f; }"
        "QToolButton:disabled { color: #a8b0bb; }");
}

QString legendSwatch(const QColor &colour, const QString &text)
{
    return QStringLiteral("<span style='color:%1'>&#9632;</span>&nbsp;%2").arg(colour.name(), text);
}

} // namespace

LeasesView::LeasesView(QWidget *parent)
    : QWidget(parent), m_board(new LeaseBoard(this)), m_model(new LeaseTableModel(this)),
      m_sorted(new QSortFilterProxyModel(this)), m_undo(new QUndoStack(this)),
      m_clock(new QTimer(this))
{
    m_empty = new EmptyState(
        icons::Glyph::Leases, QStringLiteral("No lease records"),
        QStringLiteral("The console reads leases from the Headroom database, and none is "
                       "connected: start it with --sandbox, or set the database in Settings. "
                       "An empty page does not mean nothing is leased."),
        this);
    m_content = makeContent();
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Leases"),
        QStringLiteral("Capacity sold to purchasers, pool by pool over the forecast spare "
                       "capacity. Drag a lease to move it, drag its edges to resize it; every "
                       "change is checked against the forecast and can be undone."),
        this));
    layout->addWidget(m_pages, 1);

    connect(m_board, &LeaseBoard::changed, this, &LeasesView::boardChanged);
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &LeasesView::tick);
    m_clock->start();
    showNow();
    updateEmptyState();
}

QWidget *LeasesView::makeToolbar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);

    m_undoAction = m_undo->createUndoAction(this, QStringLiteral("Undo"));
    m_undoAction->setObjectName(QStringLiteral("undoLease"));
    m_undoAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Z)});
    m_undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_redoAction = m_undo->createRedoAction(this, QStringLiteral("Redo"));
    m_redoAction->setObjectName(QStringLiteral("redoLease"));
    m_redoAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    m_redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_undoAction);
    addAction(m_redoAction);
    for (QAction *action : {m_undoAction, m_redoAction}) {
        auto *button = new QToolButton(bar);
        button->setObjectName(action->objectName() + QStringLiteral("Button"));
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setStyleSheet(buttonStyle());
        row->addWidget(button);
    }
    m_undoAction->setToolTip(QStringLiteral("Undo the last move (Ctrl+Z)"));
    m_redoAction->setToolTip(QStringLiteral("Redo (Ctrl+Shift+Z)"));
    row->addSpacing(16);

    const auto navButton = [this, bar, row](const QString &text, const QString &name,
                                            const QString &tip, auto slot) {
        auto *button = new QToolButton(bar);
        button->setText(text);
        button->setObjectName(name);
        button->setToolTip(tip);
        button->setStyleSheet(buttonStyle());
        connect(button, &QToolButton::clicked, this, slot);
        row->addWidget(button);
    };
    navButton(QStringLiteral("◀"), QStringLiteral("earlier"), QStringLiteral("Earlier"), [this] {
        m_followNow = false;
        m_timeline->setRange(m_timeline->rangeStart() - m_timeline->rangeSpan() / 2,
                             m_timeline->rangeSpan());
    });
    navButton(QStringLiteral("Now"), QStringLiteral("now"),
              QStringLiteral("Back to the present, and follow it"), [this] { showNow(); });
    navButton(QStringLiteral("▶"), QStringLiteral("later"), QStringLiteral("Later"), [this] {
        m_followNow = false;
        m_timeline->setRange(m_timeline->rangeStart() + m_timeline->rangeSpan() / 2,
                             m_timeline->rangeSpan());
    });
    row->addSpacing(16);

    m_spans = new QButtonGroup(bar);
    m_spans->setExclusive(true);
    auto *spans = new QHBoxLayout;
    spans->setSpacing(0);
    for (const int days : {1, 3, 7}) {
        auto *button = new QToolButton(bar);
        button->setText(days == 1 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(days));
        button->setObjectName(QStringLiteral("span_%1").arg(days));
        button->setCheckable(true);
        button->setMinimumWidth(64);
        button->setStyleSheet(buttonStyle());
        m_spans->addButton(button, days);
        spans->addWidget(button);
    }
    m_spans->button(3)->setChecked(true);
    connect(m_spans, &QButtonGroup::idClicked, this,
            [this](int days) { showSpan(qint64(days) * DayMs); });
    row->addLayout(spans);
    row->addStretch(1);

    auto *legend = new QLabel(bar);
    legend->setObjectName(QStringLiteral("leaseLegend"));
    legend->setTextFormat(Qt::RichText);
    QStringList items;
    for (const LeaseState state : {LeaseState::Scheduled, LeaseState::Provisioning,
                                   LeaseState::Active, LeaseState::Draining, LeaseState::Ended})
        items.append(
            legendSwatch(presentation::leaseColor(state), presentation::leaseStateText(state)));
    items.append(QStringLiteral("<span style='color:#2e9d50'>&#9601;&#9603;&#9605;</span>&nbsp;"
                                "forecast spare (p10)"));
    items.append(QStringLiteral("<span style='color:#9fb3c8'>&#9632;</span>&nbsp;firm leased"));
    legend->setText(items.join(QStringLiteral("&nbsp;&nbsp;&nbsp;")));
    legend->setStyleSheet(QStringLiteral("color: #5b6574;"));
    row->addWidget(legend);
    return bar;
}

QWidget *LeasesView::makeContent()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(makeToolbar());

    // One line that is always there, so the timeline never moves under a dragging hand.
    m_message = new QLabel(content);
    m_message->setObjectName(QStringLiteral("leaseMessage"));
    m_message->setWordWrap(false);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_message->setFixedHeight(m_message->fontMetrics().height() + 16);
    layout->addWidget(m_message);
    showMessage(QString(), MessageKind::Info);

    // The timeline, scrolling vertically when there are more pools than fit.
    m_timeline = new LeaseTimelineWidget(m_board, content);
    auto *scroll = new QScrollArea(content);
    scroll->setObjectName(QStringLiteral("leaseTimelineScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(m_timeline);
    QFrame *timelinePanel = panel(QStringLiteral("timelinePanel"), content);
    auto *timelineLayout = new QVBoxLayout(timelinePanel);
    timelineLayout->setContentsMargins(1, 1, 1, 1);
    timelineLayout->addWidget(scroll);

    // The table of leases.
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(LeaseTableModel::SortRole);
    m_table = new QTableView(content);
    m_table->setObjectName(QStringLiteral("leaseTable"));
    m_table->setModel(m_sorted);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setSortingEnabled(true);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 14);
    m_table->sortByColumn(LeaseTableModel::Window, Qt::AscendingOrder);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setMinimumSectionSize(50);
    const QFontMetrics metrics = m_table->fontMetrics();
    const auto width = [&metrics](const char *sample) {
        return metrics.horizontalAdvance(QLatin1String(sample)) + 32;
    };
    header->resizeSection(LeaseTableModel::Site, width("tickets.example") + 20);
    header->resizeSection(LeaseTableModel::Pool, width("sandbox"));
    header->resizeSection(LeaseTableModel::Rate, width("1,250 req/s") - 8);
    header->resizeSection(LeaseTableModel::Kind, width("best-effort") - 8);
    header->resizeSection(LeaseTableModel::State, width("Provisioning") + 12);
    header->resizeSection(LeaseTableModel::Countdown, width("starts in 23h 59m"));
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_syncing && current.isValid())
                    selectLease(current.data(LeaseTableModel::LeaseIdRole).toLongLong());
            });

    QFrame *tablePanel = panel(QStringLiteral("leaseTablePanel"), content);
    auto *tableLayout = new QVBoxLayout(tablePanel);
    tableLayout->setContentsMargins(1, 8, 1, 1);
    tableLayout->setSpacing(4);
    m_tableCaption = new QLabel(tablePanel);
    m_tableCaption->setObjectName(QStringLiteral("leaseTableCaption"));
    QFont captionFont = m_tableCaption->font();
    captionFont.setBold(true);
    m_tableCaption->setFont(captionFont);
    m_tableCaption->setContentsMargins(12, 0, 12, 0);
    tableLayout->addWidget(m_tableCaption);
    tableLayout->addWidget(m_table, 1);

    m_detail = new LeaseDetailPanel(m_board, content);
    QFrame *detailPanel = panel(QStringLiteral("leaseDetailPanel"), content);
    auto *detailLayout = new QVBoxLayout(detailPanel);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_detail);

    auto *bottom = new QSplitter(Qt::Horizontal, content);
    bottom->setChildrenCollapsible(false);
    bottom->addWidget(tablePanel);
    bottom->addWidget(detailPanel);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setSizes({700, 420});
    detailPanel->setMinimumWidth(320);

    m_splitter = new QSplitter(Qt::Vertical, content);
    m_splitter->setObjectName(QStringLiteral("leaseSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(timelinePanel);
    m_splitter->addWidget(bottom);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({440, 300});
    bottom->setMinimumHeight(180);
    timelinePanel->setMinimumHeight(160);
    layout->addWidget(m_splitter, 1);
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_splitterMoved = true; });

    connect(m_timeline, &LeaseTimelineWidget::leaseSelected, this, &LeasesView::selectLease);
    connect(m_timeline, &LeaseTimelineWidget::rescheduleRequested, this, &LeasesView::reschedule);
    connect(m_timeline, &LeaseTimelineWidget::refused, this,
            [this](const QString &why) { showMessage(why, MessageKind::Error); });
    connect(m_timeline, &LeaseTimelineWidget::dragChanged, this,
            [this](const QString &text, bool over) {
                if (!text.isEmpty())
                    showMessage(text, over ? MessageKind::Warning : MessageKind::Info);
            });
    connect(m_timeline, &LeaseTimelineWidget::rangeChanged, this, [this](qint64, qint64 span) {
        QAbstractButton *button = m_spans->button(int(span / DayMs));
        if (button && span % DayMs == 0) {
            button->setChecked(true);
        } else if (QAbstractButton *checked = m_spans->checkedButton()) {
            m_spans->setExclusive(false);
            checked->setChecked(false);
            m_spans->setExclusive(true);
        }
    });
    return content;
}

void LeasesView::setDatabasePath(const QString &path)
{
    m_undo->clear(); // its steps belong to the records they were taken on
    m_board->open(path);
    updateEmptyState();
}

QString LeasesView::databasePath() const
{
    return m_board->databasePath();
}

void LeasesView::updateEmptyState()
{
    QString headline;
    QString hint;
    if (m_board->databasePath().isEmpty()) {
        headline = QStringLiteral("No lease records");
        hint = QStringLiteral("The console reads leases from the Headroom database, and none is "
                              "connected: start it with --sandbox, or set the database in "
                              "Settings. An empty page does not mean nothing is leased.");
    } else if (!m_board->isOpen()) {
        headline = QStringLiteral("Lease records not readable");
        hint = QStringLiteral("%1 could not be opened: %2")
                   .arg(m_board->databasePath(), m_board->error());
    } else if (m_board->pools().isEmpty()) {
        headline = QStringLiteral("No leases yet");
        hint = QStringLiteral("No lease has been sold and no proxy pool is registered in %1. "
                              "Leases appear here on a timeline over their pool's forecast "
                              "spare capacity as soon as there are any.")
                   .arg(m_board->databasePath());
    }
    if (headline.isEmpty()) {
        m_pages->setCurrentWidget(m_content);
        return;
    }
    // EmptyState has no setter for its headline; a fresh one is cheap.
    if (m_empty->headline() != headline) {
        auto *replacement = new EmptyState(icons::Glyph::Leases, headline, hint, this);
        m_pages->insertWidget(0, replacement);
        m_pages->removeWidget(m_empty);
        m_empty->deleteLater();
        m_empty = replacement;
    } else {
        m_empty->setHint(hint);
    }
    m_pages->setCurrentWidget(m_empty);
}

bool LeasesView::isShowingEmptyState() const
{
    return m_pages->currentWidget() == m_empty;
}

QString LeasesView::emptyHeadline() const
{
    return isShowingEmptyState() ? m_empty->headline() : QString();
}

void LeasesView::boardChanged()
{
    QHash<qint64, QList<ScheduleConflict>> conflicts;
    for (const Lease &lease : m_board->leases()) {
        const QList<ScheduleConflict> c = m_board->conflicts(lease.id);
        if (!c.isEmpty())
            conflicts.insert(lease.id, c);
    }
    m_syncing = true;
    m_model->setLeases(m_board->leases(), conflicts);
    m_syncing = false;
    int open = 0;
    for (const Lease &lease : m_board->leases())
        open += isTerminal(lease.state) ? 0 : 1;
    m_tableCaption->setText(
        m_board->leases().isEmpty()
            ? QStringLiteral("No leases sold yet")
            : QStringLiteral("%1 open lease%2").arg(open).arg(open == 1 ? "" : "s") +
                  (m_board->leases().size() > open
                       ? QStringLiteral(" · %1 ended in the last 3 days")
                             .arg(m_board->leases().size() - open)
                       : QString()));
    if (!m_board->error().isEmpty())
        showMessage(QStringLiteral("Reading the lease records failed: ") + m_board->error(),
                    MessageKind::Error);
    if (m_selected != 0 && !m_board->lease(m_selected))
        selectLease(0);
    else
        syncTableSelection();
    updateEmptyState();
    fitTimeline();
}

void LeasesView::fitTimeline()
{
    // The timeline takes the height its pools need, up to most of the view; the table and the
    // detail get the rest. Once the operator moves the splitter, it stays where they put it.
    if (m_splitterMoved || m_splitter->height() <= 0)
        return;
    const int total = m_splitter->height() - m_splitter->handleWidth();
    const int wanted = m_timeline->layout().height() + 4;
    const int timeline = std::clamp(wanted, 160, std::max(160, total * 66 / 100));
    m_splitter->setSizes({timeline, std::max(180, total - timeline)});
}

void LeasesView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTimeline();
    elideMessage();
}

void LeasesView::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_model->setNow(now);
    m_timeline->setNow(now);
    m_detail->setNow(now);
    if (m_followNow) {
        const qint64 start = (now / HourMs) * HourMs - m_timeline->rangeSpan() / 8;
        if (start / HourMs != m_timeline->rangeStart() / HourMs)
            m_timeline->setRange(start, m_timeline->rangeSpan());
    }
    if (!isVisible() || m_timeline->isDragging())
        return;
    m_board->refresh();
    if (++m_ticks % ForecastEveryTicks == 0)
        m_board->refreshForecast();
}

void LeasesView::showSpan(qint64 spanMs)
{
    if (m_followNow) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_timeline->setRange((now / HourMs) * HourMs - spanMs / 8, spanMs);
    } else {
        m_timeline->setRange(m_timeline->rangeStart(), spanMs);
    }
}

void LeasesView::showNow()
{
    m_followNow = true;
    showSpan(m_timeline->rangeSpan());
}

void LeasesView::selectLease(qint64 id)
{
    m_selected = id;
    m_timeline->setSelectedLease(id);
    m_detail->setLease(id);
    syncTableSelection();
    // Bring a lease chosen in the table into view.
    const auto lease = m_board->lease(id);
    if (lease) {
        const auto window = lease->currentOrNextWindow(m_timeline->now())
                                .value_or(lease->window(lease->windowCount() - 1));
        const qint64 start = m_timeline->rangeStart();
        const qint64 end = start + m_timeline->rangeSpan();
        if (window.endMs <= start || window.startMs >= end) {
            m_followNow = false;
            m_timeline->setRange(window.startMs - m_timeline->rangeSpan() / 8,
                                 m_timeline->rangeSpan());
        }
    }
}

void LeasesView::syncTableSelection()
{
    const int row = m_model->rowOf(m_selected);
    m_syncing = true;
    if (row < 0) {
        m_table->selectionModel()->clearSelection();
        m_table->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
    } else {
        const QModelIndex index = m_sorted->mapFromSource(m_model->index(row, 0));
        if (m_table->currentIndex().row() != index.row() ||
            !m_table->selectionModel()->isRowSelected(index.row(), {})) {
            m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                  QItemSelectionModel::Rows);
            m_table->scrollTo(index);
        }
    }
    m_syncing = false;
}

void LeasesView::reschedule(qint64 leaseId, LeaseWindow before, LeaseWindow after)
{
    const auto lease = m_board->lease(leaseId);
    if (!lease)
        return;
    Lease proposed = *lease;
    proposed.startsAtMs = after.startMs;
    proposed.endsAtMs = after.endMs;
    const QList<ScheduleConflict> conflicts =
        m_board->check(proposed, QDateTime::currentMSecsSinceEpoch());

    m_commandFailed = false;
    m_undo->push(
        new LeaseScheduleCommand(m_board, *lease, before, after, [this](const QString &why) {
            m_commandFailed = true;
            showMessage(why, MessageKind::Error);
        }));
    if (m_commandFailed)
        return;
    const QString moved = QStringLiteral("%1 now runs %2 UTC.")
                              .arg(lease->siteName, presentation::windowText(proposed));
    const bool over =
        std::any_of(conflicts.cbegin(), conflicts.cend(), [](const ScheduleConflict &c) {
            return c.kind == ScheduleConflict::Kind::OverForecast;
        });
    if (over)
        showMessage(QStringLiteral("%1 It is over the forecast headroom: %2. Ctrl+Z undoes it.")
                        .arg(moved, describeConflicts(conflicts)),
                    MessageKind::Warning);
    else if (!conflicts.isEmpty())
        showMessage(QStringLiteral("%1 Part of it has no forecast to check against: %2.")
                        .arg(moved, describeConflicts(conflicts)),
                    MessageKind::Info);
    else
        showMessage(moved + QStringLiteral(" It fits the forecast."), MessageKind::Info);
}

void LeasesView::showMessage(const QString &text, MessageKind kind)
{
    m_messageKind = kind;
    m_messageText = text;
    QString colours;
    if (text.isEmpty()) {
        colours = QStringLiteral("background: transparent; border: 1px solid transparent; "
                                 "color: #5b6574;");
    } else {
        switch (kind) {
        case MessageKind::Info:
            colours = QStringLiteral("background: #eaf1f8; border: 1px solid #b9cde3; "
                                     "color: #1d2430;");
            break;
        case MessageKind::Warning:
            colours = QStringLiteral("background: #fdf0e1; border: 1px solid #e8b777; "
                                     "color: #5c3a07;");
            break;
        case MessageKind::Error:
            colours = QStringLiteral("background: #fbe9e9; border: 1px solid #e3a3a4; "
                                     "color: #7a1d1f;");
            break;
        }
    }
    m_message->setStyleSheet(
        QStringLiteral("QLabel#leaseMessage { %1 border-radius: 6px; padding: 0px 10px; }")
            .arg(colours));
    m_message->setToolTip(text);
    elideMessage();
}

void LeasesView::elideMessage()
{
    const QString text =
        m_messageText.isEmpty()
            ? QStringLiteral("Drag a lease to move it and its edges to resize it, in steps of a "
                             "quarter hour. Ctrl+Z undoes a move, Ctrl+Shift+Z redoes it.")
            : m_messageText;
    const int room = m_message->width() - 24;
    m_message->setText(room > 80 ? m_message->fontMetrics().elidedText(text, Qt::ElideRight, room)
                                 : text);
}

QString LeasesView::message() const
{
    return m_messageText;
}

} // namespace headroom
