// The Leases view over a temporary database holding sites, leases in several states, a status
// from the steering loop and four weeks of load history: the table and its countdowns, moving
// and resizing leases by simulated mouse drags (written to the database, checked against the
// forecast, undone and redone), what is refused, the detail panel, the empty states, and a
// screenshot with realistic data.

#include "domain/site.h"
#include "leaseboard.h"
#include "leasedetailpanel.h"
#include "leasepresentation.h"
#include "leasesview.h"
#include "leasetablemodel.h"
#include "leasetimelinewidget.h"
#include "store/auditrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/loadhistoryrepository.h"
#include "store/proxyrepository.h"
#include "store/siterepository.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDir>
#include <QJsonObject>
#include <QLabel>
#include <QScrollArea>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>
#include <cmath>
#include <functional>

using namespace headroom;

namespace {

constexpr qint64 MinuteMs = 60 * 1000;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;
constexpr qint64 WeekMs = 7 * DayMs;
const QString kPool = QStringLiteral("sandbox");

qint64 thisHour()
{
    return QDateTime::currentMSecsSinceEpoch() / HourMs * HourMs;
}

qint64 addSite(Database &db, const QString &name, const QString &label, const QString &origin)
{
    Site site;
    site.name = name;
    site.label = label;
    site.hosts = {QStringLiteral("www.") + name};
    site.origins = {{QHostAddress(origin), 25320, 1, false}};
    const auto id = SiteRepository(db).add(site);
    if (!id)
        qFatal("site %s: %s", qPrintable(name), qPrintable(id.error().message));
    return id.value();
}

qint64 addLease(Database &db, qint64 siteId, const QString &pool, double rps, qint64 start,
                qint64 end, LeaseKind kind = LeaseKind::Firm, int dailyDays = 0)
{
    Lease lease;
    lease.siteId = siteId;
    lease.pool = pool;
    lease.rateRps = rps;
    lease.startsAtMs = start;
    lease.endsAtMs = end;
    lease.kind = kind;
    lease.dailyDays = dailyDays;
    const auto id = LeaseRepository(db).add(lease, QStringLiteral("test"));
    if (!id)
        qFatal("lease: %s", qPrintable(id.error().message));
    return id.value();
}

void moveTo(Database &db, qint64 id, const QList<LeaseState> &path)
{
    LeaseRepository leases(db);
    LeaseState from = LeaseState::Scheduled;
    for (const LeaseState to : path) {
        const auto moved = leases.transition(id, from, to, QStringLiteral("by the test"));
        if (!moved || !moved.value())
            qFatal("lease %lld did not move to %s", id, qPrintable(leaseStateName(to)));
        from = to;
    }
}

// Four weeks of a pool's load before the hour `now`, two samples an hour, from one proxy of
// `capacity`: the headroom at the default 80 % target is headroom(t).
void addHistory(Database &db, const QString &pool, double capacity, qint64 now,
                const std::function<double(qint64)> &headroom)
{
    QList<LoadSample> samples;
    for (qint64 t = now - 4 * WeekMs + HourMs; t < now - HourMs; t += HourMs) {
        for (const qint64 offset : {10 * MinuteMs, 40 * MinuteMs}) {
            LoadSample s;
            s.atMs = t + offset;
            s.proxy = pool + QStringLiteral("-proxy1");
            s.pool = pool;
            s.capacityRps = capacity;
            s.totalRps = std::max(0.0, 0.8 * capacity - headroom(t));
            samples.append(s);
        }
    }
    const Result<void> stored = LoadHistoryRepository(db).append(samples);
    if (!stored)
        qFatal("history: %s", qPrintable(stored.error().message));
}

// True when t falls, in any week, into [from, from + length).
bool sameHourOfWeek(qint64 t, qint64 from, qint64 length)
{
    const qint64 offset = ((t - from) % WeekMs + WeekMs) % WeekMs;
    return offset < length;
}

struct Sample
{
    QString path;
    qint64 base = 0;      // the current hour
    qint64 scheduled = 0; // shop.example, firm 100 req/s, base+3h to base+6h
    qint64 active = 0;    // tickets.example, firm 150 req/s, base−2h to base+1h, with a status
    qint64 bestEffort = 0;
};

// The forecast is 500 req/s, except 60 req/s from base+9h to base+12h.
Sample makeSample(const QString &path)
{
    Sample s;
    s.path = path;
    s.base = thisHour();
    Database db;
    const Result<void> opened = db.open(path);
    if (!opened)
        qFatal("database: %s", qPrintable(opened.error().message));
    const qint64 shop = addSite(db, QStringLiteral("shop.example"), QStringLiteral("shop"),
                                QStringLiteral("127.0.2.1"));
    const qint64 tickets = addSite(db, QStringLiteral("tickets.example"), QStringLiteral("tickets"),
                                   QStringLiteral("127.0.2.2"));
    s.scheduled = addLease(db, shop, kPool, 100, s.base + 3 * HourMs, s.base + 6 * HourMs);
    s.active = addLease(db, tickets, kPool, 150, s.base - 2 * HourMs, s.base + HourMs);
    moveTo(db, s.active, {LeaseState::Provisioning, LeaseState::Active});
    s.bestEffort = addLease(db, shop, kPool, 80, s.base + 26 * HourMs, s.base + 30 * HourMs,
                            LeaseKind::BestEffort);
    LeaseStatus status;
    status.leaseId = s.active;
    status.atMs = QDateTime::currentMSecsSinceEpoch();
    status.inWindow = true;
    status.allocatedRps = 150;
    status.demandRps = 360;
    status.deliveredRps = 63;
    status.fraction = 0.42;
    status.weights = QJsonObject{{QStringLiteral("127.0.1.1"), 60},
                                 {QStringLiteral("127.0.1.2"), 30},
                                 {QStringLiteral("origin"), 10}};
    const Result<void> written = LeaseRepository(db).setStatus(status);
    if (!written)
        qFatal("status: %s", qPrintable(written.error().message));
    // tickets.example on the proxies: two converged (one at its second attempt), one failing.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Result<void> provisioned = SiteRepository(db).setProvisioning(
        tickets, {{QStringLiteral("proxy1"), QStringLiteral("provisioned"), 1, QString(), now},
                  {QStringLiteral("proxy2"), QStringLiteral("provisioned"), 2, QString(), now},
                  {QStringLiteral("proxy3"), QStringLiteral("failed"), 3,
                   QStringLiteral("runtime API: connection refused"), now}});
    if (!provisioned)
        qFatal("provisioning: %s", qPrintable(provisioned.error().message));
    const qint64 trough = s.base + 9 * HourMs;
    addHistory(db, kPool, 1000, s.base,
               [trough](qint64 t) { return sameHourOfWeek(t, trough, 3 * HourMs) ? 60.0 : 500.0; });
    return s;
}

// The lease as stored, read through a connection of the test's own.
Lease stored(const QString &path, qint64 id)
{
    Database db;
    if (!db.open(path))
        qFatal("cannot reopen the database");
    const auto lease = LeaseRepository(db).byId(id);
    if (!lease || !lease.value())
        qFatal("lease %lld not found", id);
    return *lease.value();
}

// A press, a few moves and a release, like a hand would.
void drag(QWidget *widget, QPoint from, QPoint to, bool release = true)
{
    QTest::mousePress(widget, Qt::LeftButton, Qt::NoModifier, from);
    const int steps = 6;
    for (int i = 1; i <= steps; ++i)
        QTest::mouseMove(widget, from + (to - from) * i / steps);
    if (release)
        QTest::mouseRelease(widget, Qt::LeftButton, Qt::NoModifier, to);
}

int pixelsFor(const LeaseTimelineWidget *timeline, qint64 ms)
{
    return int(std::lround(double(ms) * timeline->layout().pixelsPerMs()));
}

QString cell(const LeaseTableModel *model, qint64 leaseId, int column)
{
    return model->index(model->rowOf(leaseId), column).data().toString();
}

} // namespace

class TestLeasesView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void withoutDatabase();
    void unreadableDatabase();
    void emptyDatabase();
    void tableShowsLeasesWithCountdowns();
    void countdownTexts();
    void dragMovesScheduledLeaseWithUndoRedo();
    void conflictingDragIsFlagged();
    void activeLeaseOnlyItsEnd();
    void undoRefusedOnceTheLeaseStarted();
    void detailShowsLiveSteering();
    void detailFollowsProvisioning();
    void screenshot();

private:
    // Opens the sample in a shown view and waits for its forecast.
    void openView(LeasesView &view, const Sample &sample);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestLeasesView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestLeasesView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("headroom.sqlite"));
}

void TestLeasesView::openView(LeasesView &view, const Sample &sample)
{
    view.resize(1400, 900);
    view.setDatabasePath(sample.path);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(!view.board()->forecast(kPool).isEmpty());
    QVERIFY(!view.isShowingEmptyState());
    QCoreApplication::processEvents();
}

void TestLeasesView::withoutDatabase()
{
    LeasesView view;
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.isShowingEmptyState());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("No lease records"));
    QCOMPARE(view.tableModel()->rowCount(), 0);
    QVERIFY(!view.undoAction()->isEnabled());
    QVERIFY(!view.grab().isNull());
}

void TestLeasesView::unreadableDatabase()
{
    LeasesView view;
    const QString file = m_dir->filePath(QStringLiteral("not-a-database.sqlite"));
    QFile garbage(file);
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write(QByteArray(4096, 'x'));
    garbage.close();
    view.setDatabasePath(file);
    QVERIFY(view.isShowingEmptyState());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("Lease records not readable"));
    // Closing again goes back to the plain empty state.
    view.setDatabasePath(QString());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("No lease records"));
}

void TestLeasesView::emptyDatabase()
{
    LeasesView view;
    view.setDatabasePath(m_path);
    QVERIFY(view.isShowingEmptyState());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("No leases yet"));

    // A registered pool is enough for the timeline (its forecast band) to be worth showing.
    {
        Database db;
        QVERIFY(db.open(m_path));
        Proxy proxy;
        proxy.name = QStringLiteral("proxy1");
        proxy.address = QHostAddress(QStringLiteral("127.0.1.1"));
        proxy.httpPort = 25310;
        proxy.metricsPort = 25311;
        proxy.capacityRps = 400;
        proxy.pool = kPool;
        QVERIFY(ProxyRepository(db).upsert(proxy));
    }
    view.board()->refresh();
    QVERIFY(!view.isShowingEmptyState());
    QCOMPARE(view.board()->pools(), QStringList{kPool});
    QCOMPARE(view.tableModel()->rowCount(), 0);
}

void TestLeasesView::tableShowsLeasesWithCountdowns()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    LeaseTableModel *model = view.tableModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->rowCount(), 3);

    QCOMPARE(cell(model, sample.scheduled, LeaseTableModel::Site), QStringLiteral("shop.example"));
    QCOMPARE(cell(model, sample.scheduled, LeaseTableModel::Pool), kPool);
    QCOMPARE(cell(model, sample.scheduled, LeaseTableModel::Rate), QStringLiteral("100 req/s"));
    QCOMPARE(cell(model, sample.scheduled, LeaseTableModel::Kind), QStringLiteral("firm"));
    QCOMPARE(cell(model, sample.scheduled, LeaseTableModel::State), QStringLiteral("Scheduled"));
    QCOMPARE(cell(model, sample.active, LeaseTableModel::State), QStringLiteral("Active"));
    QCOMPARE(cell(model, sample.bestEffort, LeaseTableModel::Kind), QStringLiteral("best-effort"));
    QVERIFY(cell(model, sample.scheduled, LeaseTableModel::Countdown)
                .startsWith(QStringLiteral("starts in ")));
    QVERIFY(cell(model, sample.active, LeaseTableModel::Countdown)
                .startsWith(QStringLiteral("ends in ")));

    // Exact countdowns at a given instant.
    model->setNow(sample.base + 3 * HourMs - (HourMs + 4 * MinuteMs));
    QCOMPARE(cell(model, sample.scheduled, LeaseTableModel::Countdown),
             QStringLiteral("starts in 1h 04m"));
    model->setNow(sample.base + HourMs - (12 * MinuteMs + 30 * 1000));
    QCOMPARE(cell(model, sample.active, LeaseTableModel::Countdown),
             QStringLiteral("ends in 12m 30s"));

    // The view's clock moves them on every second: one change over the countdown column.
    QSignalSpy ticks(model, &QAbstractItemModel::dataChanged);
    const auto countdownTicked = [&ticks] {
        for (const QList<QVariant> &change : ticks) {
            const QModelIndex from = change.at(0).toModelIndex();
            const QModelIndex to = change.at(1).toModelIndex();
            if (from.column() == LeaseTableModel::Countdown &&
                to.column() == LeaseTableModel::Countdown && from.row() == 0 && to.row() == 2)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(countdownTicked(), 2500);
    QVERIFY(cell(model, sample.active, LeaseTableModel::Countdown) !=
            QStringLiteral("ends in 12m 30s"));
}

void TestLeasesView::countdownTexts()
{
    Lease lease;
    lease.siteName = QStringLiteral("shop.example");
    lease.rateRps = 100;
    lease.startsAtMs = 10 * DayMs;
    lease.endsAtMs = 10 * DayMs + 4 * HourMs;
    const qint64 start = lease.startsAtMs;
    QCOMPARE(presentation::countdownText(lease, start - 45 * 1000),
             QStringLiteral("starts in 45s"));
    QCOMPARE(presentation::countdownText(lease, start - (2 * DayMs + 3 * HourMs)),
             QStringLiteral("starts in 2d 03h"));
    QCOMPARE(presentation::countdownText(lease, start + 2 * MinuteMs),
             QStringLiteral("start due 2m 00s ago"));
    lease.state = LeaseState::Active;
    QCOMPARE(presentation::countdownText(lease, start + HourMs), QStringLiteral("ends in 3h 00m"));
    lease.dailyDays = 3; // between windows it counts to the next start
    QCOMPARE(presentation::countdownText(lease, start + 5 * HourMs),
             QStringLiteral("starts in 19h 00m"));
    lease.state = LeaseState::Ended;
    QCOMPARE(presentation::countdownText(lease, lease.finalEndMs() + 90 * MinuteMs),
             QStringLiteral("ended 1h 30m ago"));
    QCOMPARE(presentation::leaseLabel(lease), QStringLiteral("shop.example 100 req/s firm"));
}

void TestLeasesView::dragMovesScheduledLeaseWithUndoRedo()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    view.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    LeaseTimelineWidget *timeline = view.timeline();
    const Lease before = stored(m_path, sample.scheduled);

    const QRect bar = timeline->barRect(sample.scheduled);
    QVERIFY(bar.isValid());
    QVERIFY(timeline->rect().contains(bar));
    const QPoint from = bar.center();
    drag(timeline, from, from + QPoint(pixelsFor(timeline, 3 * HourMs), 0));

    const Lease after = stored(m_path, sample.scheduled);
    QCOMPARE(after.startsAtMs, before.startsAtMs + 3 * HourMs);
    QCOMPARE(after.endsAtMs, before.endsAtMs + 3 * HourMs);
    QCOMPARE(after.state, LeaseState::Scheduled);
    QCOMPARE(view.undoStack()->count(), 1);
    QCOMPARE(view.messageKind(), LeasesView::MessageKind::Info);
    QVERIFY2(view.message().contains(QStringLiteral("It fits the forecast")),
             qPrintable(view.message()));
    QCOMPARE(timeline->barRect(sample.scheduled).left(),
             bar.left() + pixelsFor(timeline, 3 * HourMs));
    // The move is in the lease's history.
    QVERIFY(view.board()
                ->events(sample.scheduled)
                .last()
                .note.startsWith(QStringLiteral("moved in the console")));

    // Ctrl+Z puts it back...
    QVERIFY(timeline->hasFocus());
    QTest::keyClick(timeline, Qt::Key_Z, Qt::ControlModifier);
    Lease undone = stored(m_path, sample.scheduled);
    QCOMPARE(undone.startsAtMs, before.startsAtMs);
    QCOMPARE(undone.endsAtMs, before.endsAtMs);
    QCOMPARE(view.undoStack()->index(), 0);
    QVERIFY(view.redoAction()->isEnabled());

    // ... the toolbar's Redo moves it again, and Ctrl+Shift+Z after another undo too.
    auto *redo = view.findChild<QToolButton *>(QStringLiteral("redoLeaseButton"));
    QVERIFY(redo);
    QTest::mouseClick(redo, Qt::LeftButton);
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, before.startsAtMs + 3 * HourMs);
    auto *undo = view.findChild<QToolButton *>(QStringLiteral("undoLeaseButton"));
    QTest::mouseClick(undo, Qt::LeftButton);
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, before.startsAtMs);
    timeline->setFocus();
    QTest::keyClick(timeline, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, before.startsAtMs + 3 * HourMs);
    QCOMPARE(stored(m_path, sample.scheduled).endsAtMs, before.endsAtMs + 3 * HourMs);
    QCOMPARE(view.undoStack()->index(), 1);

    // A resize of the start, snapped to the quarter hour.
    const QRect moved = timeline->barRect(sample.scheduled);
    drag(timeline, QPoint(moved.left() + 2, moved.center().y()),
         QPoint(moved.left() + 2 - pixelsFor(timeline, 45 * MinuteMs), moved.center().y()));
    const Lease resized = stored(m_path, sample.scheduled);
    QCOMPARE(resized.startsAtMs, before.startsAtMs + 3 * HourMs - 45 * MinuteMs);
    QCOMPARE(resized.endsAtMs, before.endsAtMs + 3 * HourMs);
    QCOMPARE(view.undoStack()->count(), 2);

    // Every step is in the audit log as the console's: the drag, two undos and two redos are
    // moves, the last drag a resize.
    Database db;
    QVERIFY(db.open(m_path));
    const auto audit = AuditRepository(db).list(100);
    QVERIFY(audit);
    int moves = 0;
    int resizes = 0;
    for (const AuditEntry &e : audit.value()) {
        QVERIFY2(e.actor.startsWith(QStringLiteral("console:")), qPrintable(e.actor));
        QVERIFY2(e.detail.startsWith(QStringLiteral("lease %1 (").arg(sample.scheduled)),
                 qPrintable(e.detail));
        moves += e.action == QLatin1String("lease.move");
        resizes += e.action == QLatin1String("lease.resize");
    }
    QCOMPARE(moves, 5);
    QCOMPARE(resizes, 1);
    QCOMPARE(audit.value().size(), 6);
}

void TestLeasesView::conflictingDragIsFlagged()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    LeaseTimelineWidget *timeline = view.timeline();
    const Lease before = stored(m_path, sample.scheduled);
    QVERIFY(view.board()->conflicts(sample.scheduled).isEmpty());

    // +6 h puts the lease (100 req/s) on the 60 req/s trough from base+9h to base+12h.
    const QPoint from = timeline->barRect(sample.scheduled).center();
    const QPoint to = from + QPoint(pixelsFor(timeline, 6 * HourMs), 0);
    const QPoint origin = timeline->mapTo(&view, QPoint(0, 0));
    drag(timeline, from, to, false);
    QVERIFY(timeline->isDragging());
    // What the drag says never moves the timeline under the hand.
    QCoreApplication::processEvents();
    QCOMPARE(timeline->mapTo(&view, QPoint(0, 0)), origin);
    const QList<ScheduleConflict> live = timeline->dragConflicts();
    QCOMPARE(live.size(), 1);
    QCOMPARE(live.first().kind, ScheduleConflict::Kind::OverForecast);
    QCOMPARE(live.first().startMs, sample.base + 9 * HourMs);
    QCOMPARE(live.first().endMs, sample.base + 12 * HourMs);
    QVERIFY(
        live.first().describe().endsWith(QStringLiteral(": 100 req/s leased, 60 req/s forecast")));
    QCOMPARE(view.messageKind(), LeasesView::MessageKind::Warning);
    QVERIFY2(view.message().contains(QStringLiteral("over the forecast")),
             qPrintable(view.message()));
    QVERIFY(view.message().contains(live.first().describe()));
    // Nothing is written before the drop.
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, before.startsAtMs);

    // Dropping applies it, with a warning that stays, and marks the lease.
    QTest::mouseRelease(timeline, Qt::LeftButton, Qt::NoModifier, to);
    QVERIFY(!timeline->isDragging());
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, before.startsAtMs + 6 * HourMs);
    QCOMPARE(view.messageKind(), LeasesView::MessageKind::Warning);
    QVERIFY2(view.message().contains(QStringLiteral("over the forecast headroom: ") +
                                     live.first().describe()),
             qPrintable(view.message()));
    QCOMPARE(view.board()->conflicts(sample.scheduled).size(), 1);
    const QModelIndex site =
        view.tableModel()->index(view.tableModel()->rowOf(sample.scheduled), LeaseTableModel::Site);
    QVERIFY(site.data(Qt::ToolTipRole).toString().contains(live.first().describe()));
    QVERIFY(!site.data(Qt::DecorationRole).value<QIcon>().isNull());

    // Escape abandons a drag without writing.
    const QPoint again = timeline->barRect(sample.scheduled).center();
    drag(timeline, again, again - QPoint(pixelsFor(timeline, 2 * HourMs), 0), false);
    QVERIFY(timeline->isDragging());
    QTest::keyClick(timeline, Qt::Key_Escape);
    QVERIFY(!timeline->isDragging());
    QTest::mouseRelease(timeline, Qt::LeftButton, Qt::NoModifier, again);
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, before.startsAtMs + 6 * HourMs);
    QCOMPARE(view.undoStack()->count(), 1);
}

void TestLeasesView::activeLeaseOnlyItsEnd()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    LeaseTimelineWidget *timeline = view.timeline();
    const Lease before = stored(m_path, sample.active);
    const QRect bar = timeline->barRect(sample.active);
    QVERIFY(bar.isValid());

    // Its body does not move.
    drag(timeline, bar.center(), bar.center() + QPoint(pixelsFor(timeline, 2 * HourMs), 0));
    QCOMPARE(stored(m_path, sample.active).startsAtMs, before.startsAtMs);
    QCOMPARE(view.messageKind(), LeasesView::MessageKind::Error);
    QVERIFY2(view.message().contains(QStringLiteral("only its end can be changed")),
             qPrintable(view.message()));
    QCOMPARE(view.undoStack()->count(), 0);

    // Its right edge does.
    const QPoint edge(bar.right() - 2, bar.center().y());
    drag(timeline, edge, edge + QPoint(pixelsFor(timeline, HourMs), 0));
    const Lease after = stored(m_path, sample.active);
    QCOMPARE(after.startsAtMs, before.startsAtMs);
    QCOMPARE(after.endsAtMs, before.endsAtMs + HourMs);
    QCOMPARE(after.state, LeaseState::Active);
    QCOMPARE(view.undoStack()->count(), 1);

    // An ended lease is left alone.
    {
        Database db;
        QVERIFY(db.open(m_path));
        QVERIFY(LeaseRepository(db)
                    .transition(sample.active, LeaseState::Active, LeaseState::Draining,
                                QStringLiteral("test"))
                    .value());
    }
    view.board()->refresh();
    const QPoint drained(timeline->barRect(sample.active).right() - 2, bar.center().y());
    drag(timeline, drained, drained + QPoint(pixelsFor(timeline, HourMs), 0));
    QCOMPARE(stored(m_path, sample.active).endsAtMs, after.endsAtMs);
    QVERIFY2(view.message().contains(QStringLiteral("is draining and can no longer be moved")),
             qPrintable(view.message()));
}

void TestLeasesView::undoRefusedOnceTheLeaseStarted()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    LeaseTimelineWidget *timeline = view.timeline();
    const QPoint from = timeline->barRect(sample.scheduled).center();
    drag(timeline, from, from + QPoint(pixelsFor(timeline, 2 * HourMs), 0));
    const Lease moved = stored(m_path, sample.scheduled);
    QCOMPARE(view.undoStack()->count(), 1);

    // The controller takes the lease meanwhile: moving its start back is no longer allowed.
    {
        Database db;
        QVERIFY(db.open(m_path));
        QVERIFY(LeaseRepository(db)
                    .transition(sample.scheduled, LeaseState::Scheduled, LeaseState::Provisioning,
                                QStringLiteral("test"))
                    .value());
    }
    view.board()->refresh();
    view.undoAction()->trigger();
    QCOMPARE(stored(m_path, sample.scheduled).startsAtMs, moved.startsAtMs);
    QCOMPARE(view.messageKind(), LeasesView::MessageKind::Error);
    QVERIFY2(view.message().contains(QStringLiteral("only its end can be changed")),
             qPrintable(view.message()));
    // The step that cannot be taken is dropped from the stack.
    QCOMPARE(view.undoStack()->count(), 0);
}

void TestLeasesView::detailShowsLiveSteering()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    LeaseDetailPanel *detail = view.detail();
    QCOMPARE(detail->lease(), 0);

    // A click on the bar selects the lease everywhere.
    QTest::mouseClick(view.timeline(), Qt::LeftButton, Qt::NoModifier,
                      view.timeline()->barRect(sample.active).center());
    QCOMPARE(view.selectedLease(), sample.active);
    QCOMPARE(detail->lease(), sample.active);
    QCOMPARE(view.table()->currentIndex().data(LeaseTableModel::LeaseIdRole).toLongLong(),
             sample.active);
    QCOMPARE(stored(m_path, sample.active).endsAtMs, sample.base + HourMs); // a click moves nothing

    QCOMPARE(detail->titleText(), QStringLiteral("tickets.example"));
    QCOMPARE(detail->fractionText(), QStringLiteral("42 %"));
    QCOMPARE(detail->ratesText(),
             QStringLiteral("Delivered 63 req/s · Allocated 150 req/s · Demand 360 req/s"));
    QCOMPARE(detail->weightsText(), QStringLiteral("127.0.1.1 60 60 %\n127.0.1.2 30 30 %\n"
                                                   "origin 10 10 %"));
    QVERIFY(detail->countdownText().startsWith(QStringLiteral("ends in ")));
    const QStringList events = detail->eventsText().split(QLatin1Char('\n'));
    QCOMPARE(events.size(), 3);
    QVERIFY2(events.first().contains(QStringLiteral("provisioning → active by the test")),
             qPrintable(events.first()));
    QVERIFY(events.last().contains(QStringLiteral("scheduled created by test")));
    // Its site on each proxy, as the controller stored it.
    QCOMPARE(detail->proxiesText(),
             QStringLiteral("proxy1 provisioned\nproxy2 provisioned after 2 attempts\n"
                            "proxy3 failed after 3 attempts: runtime API: connection refused"));
    const auto *proxiesSummary = detail->findChild<QLabel *>(QStringLiteral("leaseProxiesSummary"));
    QVERIFY(proxiesSummary && proxiesSummary->isVisible());
    QCOMPARE(proxiesSummary->text(), QStringLiteral("2 of 3 provisioned · 1 failed"));
    const auto *proxies = detail->findChild<QLabel *>(QStringLiteral("leaseProxies"));
    QVERIFY(proxies && proxies->isVisible());
    QVERIFY(proxies->text().contains(QStringLiteral("✓")));
    QVERIFY(proxies->text().contains(QStringLiteral("runtime API: connection refused")));

    // Selecting a row in the table shows the other lease, which has no status yet.
    const int row = view.tableModel()->rowOf(sample.scheduled);
    const QModelIndex index = view.table()->model()->index(0, 0);
    Q_UNUSED(row)
    for (int r = 0; r < view.table()->model()->rowCount(); ++r) {
        const QModelIndex i = view.table()->model()->index(r, 0);
        if (i.data(LeaseTableModel::LeaseIdRole).toLongLong() == sample.scheduled)
            view.table()->setCurrentIndex(i);
    }
    Q_UNUSED(index)
    QCOMPARE(detail->lease(), sample.scheduled);
    QCOMPARE(view.timeline()->selectedLease(), sample.scheduled);
    QCOMPARE(detail->fractionText(), QStringLiteral("—"));
    QVERIFY(detail->weightsText().isEmpty());
    // shop.example has not been on the proxies yet.
    QVERIFY(detail->proxiesText().isEmpty());
    QVERIFY(proxies->text().contains(QStringLiteral("Not provisioned yet")));
    QVERIFY(proxiesSummary->text().isEmpty());
}

void TestLeasesView::detailFollowsProvisioning()
{
    const Sample sample = makeSample(m_path);
    LeasesView view;
    openView(view, sample);
    view.selectLease(sample.scheduled);
    LeaseDetailPanel *detail = view.detail();
    QVERIFY(detail->proxiesText().isEmpty());
    const qint64 shop = view.board()->lease(sample.scheduled)->siteId;

    // The controller retries until every proxy has the site; the panel follows each write.
    const auto write = [&](const QList<SiteProvisioning> &states) {
        Database db;
        QVERIFY(db.open(m_path));
        QVERIFY(SiteRepository(db).setProvisioning(shop, states));
        view.board()->refresh();
    };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    write({{QStringLiteral("proxy1"), QStringLiteral("provisioned"), 1, QString(), now},
           {QStringLiteral("proxy2"), QStringLiteral("pending"), 2,
            QStringLiteral("runtime API: no answer in 2000 ms"), now}});
    QCOMPARE(detail->proxiesText(), QStringLiteral("proxy1 provisioned\nproxy2 pending attempt 2: "
                                                   "runtime API: no answer in 2000 ms"));
    write({{QStringLiteral("proxy1"), QStringLiteral("provisioned"), 1, QString(), now + 1000},
           {QStringLiteral("proxy2"), QStringLiteral("provisioned"), 3, QString(), now + 1000}});
    QCOMPARE(detail->proxiesText(),
             QStringLiteral("proxy1 provisioned\nproxy2 provisioned after 3 attempts"));
    QCOMPARE(detail->findChild<QLabel *>(QStringLiteral("leaseProxiesSummary"))->text(),
             QStringLiteral("2 of 2 provisioned"));
}

void TestLeasesView::screenshot()
{
    // Two pools over three days: a diurnal forecast (most spare capacity around 03:00 UTC), the
    // leases of four purchasers in every state, one of them over the forecast.
    const qint64 base = thisHour();
    const qint64 midnight = base / DayMs * DayMs;
    {
        Database db;
        QVERIFY(db.open(m_path));
        const qint64 shop = addSite(db, QStringLiteral("shop.example"), QStringLiteral("shop"),
                                    QStringLiteral("127.0.2.1"));
        const qint64 tickets = addSite(db, QStringLiteral("tickets.example"),
                                       QStringLiteral("tickets"), QStringLiteral("127.0.2.2"));
        const qint64 video = addSite(db, QStringLiteral("video.example"), QStringLiteral("video"),
                                     QStringLiteral("127.0.2.3"));
        const qint64 docs = addSite(db, QStringLiteral("docs.example"), QStringLiteral("docs"),
                                    QStringLiteral("127.0.2.4"));
        const QString fra = QStringLiteral("edge-fra");

        const qint64 active =
            addLease(db, shop, kPool, 200, base - 3 * HourMs, base + HourMs + 12 * MinuteMs);
        moveTo(db, active, {LeaseState::Provisioning, LeaseState::Active});
        const qint64 ended = addLease(db, docs, kPool, 120, base - 9 * HourMs, base - 5 * HourMs);
        moveTo(db, ended,
               {LeaseState::Provisioning, LeaseState::Active, LeaseState::Draining,
                LeaseState::Ended});
        addLease(db, shop, kPool, 250, midnight + DayMs + 1 * HourMs, midnight + DayMs + 6 * HourMs,
                 LeaseKind::Firm, 2);
        addLease(db, tickets, kPool, 150, base + 3 * HourMs, base + 7 * HourMs);
        addLease(db, video, kPool, 120, base + 20 * HourMs, base + 26 * HourMs,
                 LeaseKind::BestEffort);
        addLease(db, tickets, fra, 400, base + 5 * HourMs, base + 13 * HourMs);
        const qint64 docsFra = addLease(db, docs, fra, 180, base - 4 * HourMs, base + 2 * HourMs);
        moveTo(db, docsFra, {LeaseState::Provisioning, LeaseState::Active});
        addLease(db, video, fra, 300, midnight + DayMs + 18 * HourMs,
                 midnight + 2 * DayMs + 2 * HourMs);

        LeaseStatus status;
        status.leaseId = active;
        status.atMs = QDateTime::currentMSecsSinceEpoch() - 2000;
        status.inWindow = true;
        status.allocatedRps = 200;
        status.demandRps = 540;
        status.deliveredRps = 187.4;
        status.fraction = 0.37;
        status.weights = QJsonObject{{QStringLiteral("127.0.1.1"), 40},
                                     {QStringLiteral("127.0.1.2"), 35},
                                     {QStringLiteral("127.0.1.3"), 25},
                                     {QStringLiteral("origin.shop.example"), 170}};
        QVERIFY(LeaseRepository(db).setStatus(status));
        status.leaseId = docsFra;
        status.fraction = 0.55;
        QVERIFY(LeaseRepository(db).setStatus(status));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(SiteRepository(db).setProvisioning(
            shop, {{QStringLiteral("proxy1"), QStringLiteral("provisioned"), 1, QString(), now},
                   {QStringLiteral("proxy2"), QStringLiteral("provisioned"), 1, QString(), now},
                   {QStringLiteral("proxy3"), QStringLiteral("pending"), 2,
                    QStringLiteral("runtime API: no answer in 2000 ms"), now}}));

        const auto diurnal = [](double low, double high) {
            return [low, high](qint64 t) {
                const double hour = double((t % DayMs) / HourMs);
                const double night = 0.5 + 0.5 * std::cos(2 * M_PI * (hour - 3) / 24);
                return low + (high - low) * night;
            };
        };
        addHistory(db, kPool, 1000, base, diurnal(110, 640));
        addHistory(db, fra, 1400, base, diurnal(260, 980));
    }
    LeasesView view;
    view.resize(1440, 900);
    view.setDatabasePath(m_path);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(!view.board()->forecast(QStringLiteral("edge-fra")).isEmpty());
    for (const Lease &lease : view.board()->leases()) {
        if (lease.siteName == QStringLiteral("shop.example") && lease.state == LeaseState::Active)
            view.selectLease(lease.id);
    }
    QTest::qWait(50);
    const QPixmap shot = view.grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-leases.png"))));
        // The whole of the selected lease's panel, which scrolls in the view.
        const auto *scroll = view.detail()->findChild<QScrollArea *>();
        QVERIFY(scroll && scroll->widget());
        QVERIFY(scroll->widget()->grab().save(
            QDir(dir).filePath(QStringLiteral("console-leases-detail.png"))));
    }

    // Halfway through dragging the daily lease into the afternoon, where the pool is busy.
    qint64 daily = 0;
    for (const Lease &lease : view.board()->leases()) {
        if (lease.dailyDays == 2)
            daily = lease.id;
    }
    LeaseTimelineWidget *timeline = view.timeline();
    const QPoint from = timeline->barRect(daily).center();
    drag(timeline, from, from + QPoint(pixelsFor(timeline, 8 * HourMs), 0), false);
    QVERIFY(timeline->isDragging());
    QVERIFY(!timeline->dragConflicts().isEmpty());
    QTest::qWait(50); // the detail panel's layout follows the new selection
    const QPixmap dragging = view.grab();
    QTest::keyClick(timeline, Qt::Key_Escape);
    QTest::mouseRelease(timeline, Qt::LeftButton, Qt::NoModifier, from);
    if (!dir.isEmpty())
        QVERIFY(dragging.save(QDir(dir).filePath(QStringLiteral("console-leases-drag.png"))));
}

QTEST_MAIN(TestLeasesView)
#include "tst_leasesview.moc"
