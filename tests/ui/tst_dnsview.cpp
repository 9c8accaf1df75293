// The DNS view's models under QAbstractItemModelTester with hand-made overviews (every verdict, a
// deadline, an error), the view itself offscreen, and the overview service's threading and
// database reads - nothing here touches a DNS server.

#include "delegationmodel.h"
#include "dns/dnsoverviewservice.h"
#include "dnspresentation.h"
#include "dnsview.h"
#include "emptystate.h"
#include "importednamesmodel.h"
#include "mainwindow.h"
#include "servedsteeringmodel.h"
#include "store/database.h"
#include "store/dnsrepository.h"
#include "tablesection.h"
#include "updatelogmodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QElapsedTimer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

namespace {

const QDateTime kNow = QDateTime(QDate(2024, 5, 1), QTime(14, 0, 0), Qt::UTC);

ServedSteering steering()
{
    ServedSteering s;
    s.owner = QStringLiteral("shop.edge.headroom.test.");
    s.kind = QStringLiteral("LUA A");
    s.ttl = 20;
    s.weights = {{QStringLiteral("127.0.1.1"), 60},
                 {QStringLiteral("127.0.1.2"), 40},
                 {QStringLiteral("127.0.2.1"), 25}};
    s.afterDeadline = {{QStringLiteral("127.0.2.1"), 1}};
    s.deadline = kNow.addSecs(9 * 60 + 30);
    s.code = QStringLiteral(";if os.time() < ... end");
    return s;
}

DnsOverview sampleOverview()
{
    DnsOverview o;
    o.at = kNow;
    ServedSteering expired = steering();
    expired.owner = QStringLiteral("expired.edge.headroom.test.");
    expired.deadline = kNow.addSecs(-150);
    ServedSteering staticSet;
    staticSet.owner = QStringLiteral("news.edge.headroom.test.");
    staticSet.kind = QStringLiteral("A");
    staticSet.ttl = 300;
    staticSet.weights = {{QStringLiteral("127.0.1.1"), 1}, {QStringLiteral("127.0.1.3"), 1}};
    ServedSteering foreign;
    foreign.owner = QStringLiteral("odd.edge.headroom.test.");
    foreign.kind = QStringLiteral("LUA A");
    foreign.ttl = 60;
    foreign.recognised = false;
    foreign.code = QStringLiteral("pickrandom({'192.0.2.1'})");
    o.served = {expired, staticSet, foreign, steering()};
    o.targetLabels = {{QStringLiteral("127.0.1.1"), QStringLiteral("proxy1")},
                      {QStringLiteral("127.0.1.2"), QStringLiteral("proxy2")},
                      {QStringLiteral("127.0.1.3"), QStringLiteral("proxy3")},
                      {QStringLiteral("127.0.2.1"), QStringLiteral("origin")}};

    DelegationReport www;
    www.host = QStringLiteral("www.shop.example.");
    www.verdict = DelegationReport::Verdict::Delegated;
    www.via = QStringLiteral("CNAME");
    www.explanation = QStringLiteral("CNAME into edge.headroom.test; the resolver agrees.");
    www.authoritativeRecords = {
        QStringLiteral("www.shop.example. 60 CNAME shop.edge.headroom.test.")};
    www.resolverRecords = {QStringLiteral("www.shop.example. 60 CNAME shop.edge.headroom.test."),
                           QStringLiteral("shop.edge.headroom.test. 20 A 127.0.1.1")};
    DelegationReport api;
    api.host = QStringLiteral("api.shop.example.");
    api.verdict = DelegationReport::Verdict::NotDelegated;
    api.explanation = QStringLiteral("The purchaser's server answers with its own address.");
    api.authoritativeRecords = {QStringLiteral("api.shop.example. 60 A 127.0.2.1")};
    DelegationReport cdn;
    cdn.host = QStringLiteral("cdn.shop.example.");
    cdn.verdict = DelegationReport::Verdict::Misconfigured;
    cdn.via = QStringLiteral("NS");
    cdn.explanation = QStringLiteral("Lame delegation: 127.0.0.1:53 answers REFUSED.");
    cdn.authoritativeRecords = {QStringLiteral("cdn.shop.example. 60 NS ns1.edge.headroom.test.")};
    o.delegations = {www, api, cdn};

    const qint64 ms = kNow.toMSecsSinceEpoch();
    o.imported = {{QStringLiteral("shop.example."), QStringLiteral("api.shop.example."),
                   QStringLiteral("A"), QStringLiteral("127.0.2.1"), 60, ms},
                  {QStringLiteral("shop.example."), QStringLiteral("www.shop.example."),
                   QStringLiteral("CNAME"), QStringLiteral("shop.edge.headroom.test."), 60, ms}};
    o.updates = {{ms, QStringLiteral("edge.headroom.test."), 3, true, 0, QString(), 4.25},
                 {ms - 60000, QStringLiteral("edge.headroom.test."), 1, false, 5,
                  QStringLiteral("REFUSED: TSIG verification failed"), 152.0}};
    return o;
}

QString cell(const QAbstractItemModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return model.data(model.index(row, column), role).toString();
}

} // namespace

class TestDnsView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void countdownText_data();
    void countdownText();
    void weightsText();
    void servedModel();
    void servedModelKeepsRowsWhenOwnersStay();
    void delegationModel();
    void importedNamesModel();
    void updateLogModel();
    void viewWithoutServiceExplains();
    void viewShowsOverview();
    void viewShowsErrors();
    void mainWindowPassesTheService();
    void serviceNeverBlocksAndCoalesces();
    void serviceReadsTheDatabaseOnItsThread();
};

void TestDnsView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestDnsView::countdownText_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("nine minutes") << qint64(9 * 60 + 30) << QStringLiteral("in 9 min");
    QTest::newRow("seconds") << qint64(45) << QStringLiteral("in 45 s");
    QTest::newRow("hours") << qint64(2 * 3600 + 5 * 60) << QStringLiteral("in 2 h 5 min");
    QTest::newRow("whole hours") << qint64(3 * 3600) << QStringLiteral("in 3 h");
    QTest::newRow("days") << qint64(5 * 86400) << QStringLiteral("in 5 days");
    QTest::newRow("now") << qint64(0) << QStringLiteral("now");
    QTest::newRow("passed") << qint64(-150) << QStringLiteral("passed 2 min ago");
}

void TestDnsView::countdownText()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(presentation::countdownText(kNow.addSecs(seconds), kNow), text);
    QCOMPARE(presentation::countdownText(QDateTime(), kNow), QStringLiteral("—"));
}

void TestDnsView::weightsText()
{
    const QHash<QString, QString> labels = sampleOverview().targetLabels;
    QCOMPARE(presentation::weightsText(steering().weights, labels),
             QStringLiteral("proxy1 60 · proxy2 40 · origin 25"));
    QCOMPARE(presentation::weightsText(
                 {{QStringLiteral("127.0.1.1"), 1}, {QStringLiteral("127.0.1.2"), 1}}, labels),
             QStringLiteral("proxy1 · proxy2"));
    QCOMPARE(presentation::weightsText({{QStringLiteral("origin.shop.example."), 1}}, labels),
             QStringLiteral("origin.shop.example"));
    QCOMPARE(presentation::weightsText({}, labels), QStringLiteral("—"));
    const QString tip = presentation::weightsToolTip(steering().weights, labels);
    QVERIFY2(tip.contains(QStringLiteral("proxy1 (127.0.1.1): weight 60, 48.0 %")),
             qPrintable(tip));
}

void TestDnsView::servedModel()
{
    ServedSteeringModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(ServedSteeringModel::ColumnCount));
    model.setOverview(sampleOverview());
    model.setNow(kNow);
    QCOMPARE(model.rowCount(), 4);

    // Rows keep the overview's order (the read-back's owner order).
    const int shop = 3;
    QCOMPARE(cell(model, shop, ServedSteeringModel::Name),
             QStringLiteral("shop.edge.headroom.test"));
    QCOMPARE(cell(model, shop, ServedSteeringModel::Kind), QStringLiteral("LUA A"));
    QCOMPARE(cell(model, shop, ServedSteeringModel::Ttl), QStringLiteral("20 s"));
    QCOMPARE(cell(model, shop, ServedSteeringModel::Weights),
             QStringLiteral("proxy1 60 · proxy2 40 · origin 25"));
    QCOMPARE(cell(model, shop, ServedSteeringModel::Deadline), QStringLiteral("in 9 min"));
    QCOMPARE(cell(model, shop, ServedSteeringModel::Fallback), QStringLiteral("origin"));
    QVERIFY(cell(model, shop, ServedSteeringModel::Deadline, Qt::ToolTipRole)
                .contains(QStringLiteral("2024-05-01 14:09:30")));
    QVERIFY(!model.data(model.index(shop, ServedSteeringModel::Deadline), Qt::ForegroundRole)
                 .isValid());

    const QVariantList segments = model
                                      .data(model.index(shop, ServedSteeringModel::Weights),
                                            ServedSteeringModel::WeightSegmentsRole)
                                      .toList();
    QCOMPARE(segments.size(), 3);
    QCOMPARE(segments.at(0).toList().at(0).toString(), QStringLiteral("proxy1"));
    QCOMPARE(segments.at(0).toList().at(1).toInt(), 60);
    // A target has one colour in every row; different targets differ.
    const QColor proxy1 = segments.at(0).toList().at(2).value<QColor>();
    QVERIFY(proxy1 != segments.at(1).toList().at(2).value<QColor>());
    const QVariantList other = model
                                   .data(model.index(1, ServedSteeringModel::Weights),
                                         ServedSteeringModel::WeightSegmentsRole)
                                   .toList();
    QCOMPARE(other.at(0).toList().at(2).value<QColor>(), proxy1);

    // The deadline has passed: the fallback is what is served now, in red.
    QCOMPARE(cell(model, 0, ServedSteeringModel::Deadline), QStringLiteral("passed 2 min ago"));
    QCOMPARE(model.data(model.index(0, ServedSteeringModel::Deadline), Qt::ForegroundRole)
                 .value<QColor>(),
             presentation::color(HealthGrade::Down));
    // A static RRset: equal weights, no deadline.
    QCOMPARE(cell(model, 1, ServedSteeringModel::Weights), QStringLiteral("proxy1 · proxy3"));
    QCOMPARE(cell(model, 1, ServedSteeringModel::Deadline), QStringLiteral("—"));
    QCOMPARE(cell(model, 1, ServedSteeringModel::Fallback), QStringLiteral("—"));
    // Somebody else's LUA record is shown, not decoded.
    QCOMPARE(cell(model, 2, ServedSteeringModel::Weights),
             QStringLiteral("not written by Headroom"));
    QVERIFY(cell(model, 2, ServedSteeringModel::Weights, Qt::ToolTipRole)
                .contains(QStringLiteral("pickrandom")));
    QVERIFY(!model
                 .data(model.index(2, ServedSteeringModel::Weights),
                       ServedSteeringModel::WeightSegmentsRole)
                 .isValid());

    // The clock moves the countdown.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setNow(kNow.addSecs(9 * 60 + 45));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(cell(model, shop, ServedSteeringModel::Deadline), QStringLiteral("passed 15 s ago"));
    model.setNow(kNow.addSecs(9 * 60));
    QCOMPARE(model.data(model.index(shop, ServedSteeringModel::Deadline), Qt::ForegroundRole)
                 .value<QColor>(),
             presentation::color(HealthGrade::Slow));

    model.setOverview({});
    QCOMPARE(model.rowCount(), 0);
}

void TestDnsView::servedModelKeepsRowsWhenOwnersStay()
{
    ServedSteeringModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    DnsOverview o = sampleOverview();
    model.setOverview(o);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    o.served.last().weights.first().weight = 70;
    model.setOverview(o);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(changed.size(), 1);
    QVERIFY(cell(model, 3, ServedSteeringModel::Weights).startsWith(QStringLiteral("proxy1 70")));
    o.served.removeFirst();
    model.setOverview(o);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 3);
}

void TestDnsView::delegationModel()
{
    DelegationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOverview(sampleOverview());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(DelegationModel::ColumnCount));
    const QStringList verdicts = {QStringLiteral("Delegated"), QStringLiteral("Not delegated"),
                                  QStringLiteral("Misconfigured")};
    const QList<HealthGrade> grades = {HealthGrade::Up, HealthGrade::Slow, HealthGrade::Down};
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(cell(model, row, DelegationModel::Verdict), verdicts.at(row));
        QVERIFY(!model.data(model.index(row, DelegationModel::Verdict), Qt::DecorationRole)
                     .value<QIcon>()
                     .isNull());
        QCOMPARE(model.data(model.index(row, DelegationModel::Verdict), Qt::ForegroundRole)
                     .value<QColor>(),
                 presentation::color(grades.at(row)).darker(110));
    }
    QCOMPARE(cell(model, 0, DelegationModel::Host), QStringLiteral("www.shop.example"));
    QCOMPARE(cell(model, 0, DelegationModel::Via), QStringLiteral("CNAME"));
    QCOMPARE(cell(model, 1, DelegationModel::Via), QStringLiteral("—"));
    QCOMPARE(cell(model, 2, DelegationModel::Via), QStringLiteral("NS"));
    QVERIFY(cell(model, 2, DelegationModel::Explanation).startsWith(QStringLiteral("Lame")));
    // The tooltip carries the exact records, from both vantage points.
    const QString tip = cell(model, 0, DelegationModel::Host, Qt::ToolTipRole);
    QVERIFY2(tip.contains(QStringLiteral("www.shop.example. 60 CNAME shop.edge.headroom.test.")),
             qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("shop.edge.headroom.test. 20 A 127.0.1.1")),
             qPrintable(tip));
    QVERIFY(cell(model, 1, DelegationModel::Explanation, Qt::ToolTipRole)
                .contains(QStringLiteral("<i>none</i>")));
}

void TestDnsView::importedNamesModel()
{
    ImportedNamesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOverview(sampleOverview());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 1, ImportedNamesModel::Zone), QStringLiteral("shop.example"));
    QCOMPARE(cell(model, 1, ImportedNamesModel::Name), QStringLiteral("www.shop.example"));
    QCOMPARE(cell(model, 1, ImportedNamesModel::Type), QStringLiteral("CNAME"));
    QCOMPARE(cell(model, 1, ImportedNamesModel::Value), QStringLiteral("shop.edge.headroom.test"));
    QCOMPARE(cell(model, 0, ImportedNamesModel::Value), QStringLiteral("127.0.2.1"));
    QCOMPARE(cell(model, 1, ImportedNamesModel::Ttl), QStringLiteral("60 s"));
    QVERIFY(cell(model, 0, ImportedNamesModel::Name, Qt::ToolTipRole)
                .startsWith(QStringLiteral("Imported from shop.example at ")));
}

void TestDnsView::updateLogModel()
{
    UpdateLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setOverview(sampleOverview());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, UpdateLogModel::Result), QStringLiteral("OK"));
    QCOMPARE(cell(model, 0, UpdateLogModel::Changes), QStringLiteral("3"));
    QCOMPARE(cell(model, 0, UpdateLogModel::Latency), QStringLiteral("4.3 ms"));
    QCOMPARE(model.data(model.index(0, UpdateLogModel::Result), Qt::ForegroundRole).value<QColor>(),
             presentation::color(HealthGrade::Up).darker(110));
    QCOMPARE(cell(model, 1, UpdateLogModel::Result),
             QStringLiteral("REFUSED: TSIG verification failed"));
    QCOMPARE(cell(model, 1, UpdateLogModel::Latency), QStringLiteral("152 ms"));
    QCOMPARE(model.data(model.index(1, UpdateLogModel::Result), Qt::ForegroundRole).value<QColor>(),
             presentation::color(HealthGrade::Down).darker(110));
    QVERIFY(cell(model, 1, UpdateLogModel::Time, Qt::ToolTipRole)
                .startsWith(QStringLiteral("2024-05-01 13:59:00 UTC: 1 name(s)")));
}

void TestDnsView::viewWithoutServiceExplains()
{
    DnsView view(nullptr);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.isConfigured());
    auto *empty = view.findChild<EmptyState *>();
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    QCOMPARE(empty->headline(), QStringLiteral("No DNS server configured"));
    QVERIFY(!view.refreshButton()->isVisible());
    QVERIFY(!view.servedSection()->isVisible());
}

void TestDnsView::viewShowsOverview()
{
    DnsOverviewService service; // never refreshed here: no network
    DnsView view(&service);
    view.resize(1000, 820);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.isConfigured());
    QVERIFY(!view.findChild<EmptyState *>());
    QCOMPARE(view.refreshStatus(), QStringLiteral("Not refreshed yet"));
    QVERIFY(!view.servedSection()->isShowingTable());
    QVERIFY(view.refreshButton()->isEnabled());

    view.setOverview(sampleOverview());
    QVERIFY(view.refreshStatus().startsWith(QStringLiteral("Refreshed ")));
    for (TableSection *section : {view.servedSection(), view.delegationSection(),
                                  view.importedSection(), view.updateSection()}) {
        // Once the layouts have settled, each section has room for all of its table.
        const QTableView *sectionTable = section->table();
        QTRY_VERIFY2(sectionTable->mapTo(section, QPoint(0, sectionTable->height())).y() <=
                         section->height(),
                     qPrintable(section->title()));
        QVERIFY2(section->isShowingTable(), qPrintable(section->title()));
        QVERIFY2(section->error().isEmpty(), qPrintable(section->title()));
        QVERIFY2(section->table()->isVisible(), qPrintable(section->title()));
        // Sized to its rows: no row is hidden behind a scroll bar.
        const QTableView *table = section->table();
        QVERIFY2(table->rowViewportPosition(table->model()->rowCount() - 1) + table->rowHeight(0) <=
                     table->viewport()->height(),
                 qPrintable(section->title()));
    }
    QCOMPARE(view.servedModel()->rowCount(), 4);
    QCOMPARE(view.delegationModel()->rowCount(), 3);
    QCOMPARE(view.importedModel()->rowCount(), 2);
    QCOMPARE(view.updateModel()->rowCount(), 2);

    const QPixmap shot = view.grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("dns-sample.png"))));
    }
}

void TestDnsView::viewShowsErrors()
{
    DnsOverviewService service;
    DnsView view(&service);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    DnsOverview o;
    o.at = QDateTime::currentDateTimeUtc();
    o.servedError = QStringLiteral("REFUSED");
    o.databaseError = QStringLiteral("unable to open database file");
    view.setOverview(o);
    QCOMPARE(view.servedSection()->error(), QStringLiteral("Zone transfer failed: REFUSED"));
    QVERIFY(!view.servedSection()->isShowingTable());
    QVERIFY(view.servedSection()->placeholder().contains(QStringLiteral("does not mean nothing")));
    QVERIFY(view.importedSection()->error().contains(QStringLiteral("unable to open")));
    QVERIFY(view.updateSection()->error().contains(QStringLiteral("unable to open")));
    QVERIFY(view.delegationSection()->error().isEmpty());
}

void TestDnsView::mainWindowPassesTheService()
{
    DnsOverviewService service;
    MainWindow window(nullptr, nullptr, &service);
    auto *view = qobject_cast<DnsView *>(window.viewWidget(MainWindow::View::Dns));
    QVERIFY(view);
    QVERIFY(view->isConfigured());
    MainWindow without(nullptr, nullptr);
    auto *none = qobject_cast<DnsView *>(without.viewWidget(MainWindow::View::Dns));
    QVERIFY(none);
    QVERIFY(!none->isConfigured());
}

void TestDnsView::serviceNeverBlocksAndCoalesces()
{
    // No server, zone or database configured: every part fails at once, without the network.
    DnsOverviewService service;
    QCOMPARE(service.interval(), DnsOverviewService::DefaultIntervalMs);
    DnsView view(&service);
    QSignalSpy updated(&service, &DnsOverviewService::updated);
    QSignalSpy refreshing(&service, &DnsOverviewService::refreshingChanged);
    QElapsedTimer clock;
    clock.start();
    service.refresh();
    QVERIFY(service.isRefreshing());
    QVERIFY(!view.refreshButton()->isEnabled());
    QCOMPARE(view.refreshStatus(), QStringLiteral("Refreshing…"));
    service.refresh();
    service.refresh();
    QVERIFY(clock.elapsed() < 100);
    // The two requests made while the first ran became one more refresh.
    QTRY_COMPARE(updated.size(), 2);
    QTRY_VERIFY(!service.isRefreshing());
    QTest::qWait(100);
    QCOMPARE(updated.size(), 2);
    QCOMPARE(refreshing.size(), 2); // on once, off once
    const auto overview = updated.last().at(0).value<DnsOverview>();
    QVERIFY(overview.at.isValid());
    QVERIFY(!overview.servedError.isEmpty());
    QCOMPARE(overview.databaseError, QStringLiteral("No database is configured."));
    QVERIFY(overview.delegations.isEmpty());
    QVERIFY(service.latest());
    QVERIFY(view.refreshButton()->isEnabled());
    QVERIFY(view.servedSection()->error().startsWith(QStringLiteral("Zone transfer failed")));

    // Periodic refresh, and the button.
    service.setInterval(50);
    service.start();
    QTRY_VERIFY(updated.size() >= 5);
    service.stop();
    QTRY_VERIFY(!service.isRefreshing());
    const auto before = updated.size();
    QTest::mouseClick(view.refreshButton(), Qt::LeftButton);
    QTRY_COMPARE(updated.size(), before + 1);
}

void TestDnsView::serviceReadsTheDatabaseOnItsThread()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("headroom.sqlite"));
    {
        Database db;
        const auto opened = db.open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        const auto imported = ImportedNameRepository(db).replaceZone(
            QStringLiteral("shop.example."), sampleOverview().imported);
        QVERIFY2(imported.ok(), qPrintable(imported.error().message));
        for (const UpdateLogEntry &entry : sampleOverview().updates) {
            const auto appended = UpdateLogRepository(db).append(entry);
            QVERIFY2(appended.ok(), qPrintable(appended.error().message));
        }
    }
    DnsOverviewConfig config;
    config.databasePath = path;
    DnsOverviewService service(config);
    QSignalSpy updated(&service, &DnsOverviewService::updated);
    service.refresh();
    QTRY_COMPARE(updated.size(), 1);
    const auto overview = updated.first().at(0).value<DnsOverview>();
    QVERIFY2(overview.databaseError.isEmpty(), qPrintable(overview.databaseError));
    QCOMPARE(overview.imported.size(), 2);
    QCOMPARE(overview.imported.first().name, QStringLiteral("api.shop.example."));
    QCOMPARE(overview.updates.size(), 2);
    QVERIFY(overview.updates.first().ok); // newest first
    QCOMPARE(overview.updates.last().error, QStringLiteral("REFUSED: TSIG verification failed"));

    // A database that cannot be opened is an error in the overview, not a crash.
    QFile blocker(dir.filePath(QStringLiteral("file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    config.databasePath = dir.filePath(QStringLiteral("file/headroom.sqlite"));
    service.setConfig(config);
    service.refresh();
    QTRY_COMPARE(updated.size(), 2);
    const auto failed = updated.last().at(0).value<DnsOverview>();
    QVERIFY(!failed.databaseError.isEmpty());
    QVERIFY(failed.imported.isEmpty());
}

QTEST_MAIN(TestDnsView)
#include "tst_dnsview.moc"
