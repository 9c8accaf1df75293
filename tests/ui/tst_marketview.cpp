// The Market view over a temporary database holding a pool with four weeks of load history (so
// offers can be checked against its forecast), purchasers and their sites: an offer posted by
// typing into the form's fields (refused while a field is wrong, and saying why), bids placed
// through the market service from another connection - as the purchaser API does, from another
// process - arriving in the bids table once the change watcher fires, a purchase approved and
// another rejected with a reason by clicking the queue's buttons, and the lease and records the
// database then holds. Also: the override a pool without history needs, an auction's countdown
// and clearing preview, the purchaser form's refusal of card numbers, and a screenshot.

#include "approvalqueuepanel.h"
#include "audittablemodel.h"
#include "bidtablemodel.h"
#include "delegationprobe.h"
#include "market/marketservice.h"
#include "marketboard.h"
#include "marketpresentation.h"
#include "marketview.h"
#include "offerbidspanel.h"
#include "offertablemodel.h"
#include "postofferdialog.h"
#include "purchasequeuemodel.h"
#include "purchaserdialog.h"
#include "purchasertablemodel.h"
#include "store/auditrepository.h"
#include "store/changewatcher.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/loadhistoryrepository.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>
#include <cmath>
#include <functional>
#include <memory>

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

qint64 addPurchaser(Database &db, const QString &organisation, const QString &email)
{
    Purchaser p;
    p.organisation = organisation;
    p.contactName = QStringLiteral("Ops desk");
    p.contactEmail = email;
    p.paymentTokenRef = QStringLiteral("pm_1Nc") + organisation.left(3).toLower() + "xyz";
    const auto id = PurchaserRepository(db).add(p);
    if (!id)
        qFatal("purchaser %s: %s", qPrintable(organisation), qPrintable(id.error().message));
    return id.value();
}

qint64 addSite(Database &db, qint64 purchaserId, const QString &name, const QString &label,
               const QString &origin)
{
    Site site;
    site.name = name;
    site.label = label;
    site.purchaserId = purchaserId;
    site.hosts = {QStringLiteral("www.") + name};
    site.origins = {{QHostAddress(origin), 25320, 1, false}};
    const auto id = SiteRepository(db).add(site);
    if (!id)
        qFatal("site %s: %s", qPrintable(name), qPrintable(id.error().message));
    return id.value();
}

void addProxy(Database &db, const QString &name, const QString &pool, const QString &address)
{
    Proxy proxy;
    proxy.name = name;
    proxy.address = QHostAddress(address);
    proxy.httpPort = 25310;
    proxy.metricsPort = 25311;
    proxy.capacityRps = 1000;
    proxy.pool = pool;
    if (!ProxyRepository(db).upsert(proxy))
        qFatal("proxy %s not stored", qPrintable(name));
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

struct Sample
{
    qint64 shop = 0; // purchaser ids
    qint64 tickets = 0;
    qint64 shopSite = 0;
    qint64 ticketsSite = 0;
};

// A pool with 500 req/s of forecast spare capacity at every hour, its proxy, two purchasers with
// one site each.
Sample makeSample(const QString &path)
{
    Database db;
    const Result<void> opened = db.open(path);
    if (!opened)
        qFatal("database: %s", qPrintable(opened.error().message));
    Sample s;
    addProxy(db, QStringLiteral("proxy1"), kPool, QStringLiteral("127.0.1.1"));
    addHistory(db, kPool, 1000, thisHour(), [](qint64) { return 500.0; });
    s.shop =
        addPurchaser(db, QStringLiteral("Example Shop Ltd"), QStringLiteral("ops@shop.example"));
    s.tickets =
        addPurchaser(db, QStringLiteral("Tickets Inc"), QStringLiteral("noc@tickets.example"));
    s.shopSite = addSite(db, s.shop, QStringLiteral("shop.example"), QStringLiteral("shop"),
                         QStringLiteral("127.0.2.1"));
    s.ticketsSite = addSite(db, s.tickets, QStringLiteral("tickets.example"),
                            QStringLiteral("tickets"), QStringLiteral("127.0.2.2"));
    return s;
}

// A bid as the purchaser API places it: from its own connection, as the purchaser.
BidOutcome placeBid(const QString &path, const BidRequest &request)
{
    Database db;
    if (!db.open(path))
        qFatal("cannot open the database for a bid");
    auto outcome = MarketService(db).placeBid(
        request, QStringLiteral("purchaser:%1").arg(request.purchaserId));
    if (!outcome)
        qFatal("bid refused: %s", qPrintable(outcome.error().message));
    return outcome.value();
}

BidRequest bidRequest(qint64 offerId, qint64 purchaserId, qint64 rate, qint64 priceMinor,
                      std::optional<qint64> minRps = std::nullopt, const QString &key = {})
{
    BidRequest r;
    r.offerId = offerId;
    r.purchaserId = purchaserId;
    r.rateRps = rate;
    r.minRps = minRps;
    r.priceMinor = priceMinor;
    r.source = QStringLiteral("api");
    if (!key.isEmpty())
        r.requestId = key;
    return r;
}

Offer postOffer(Database &db, Offer offer, const QString &overrideReason = {})
{
    const auto posted =
        MarketService(db).postOffer(offer, overrideReason, QStringLiteral("operator:test"));
    if (!posted)
        qFatal("offer refused: %s", qPrintable(posted.error().message));
    return posted.value();
}

void clearAndType(QLineEdit *edit, const QString &text)
{
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

QString cell(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

// Clicks the row of a table on its first cell, as a hand would.
void clickRow(QTableView *table, int row)
{
    const QRect rect = table->visualRect(table->model()->index(row, 0));
    QVERIFY(rect.isValid());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
}

// Every label of the widget's tree, visible or not.
QString allLabelText(const QWidget *widget)
{
    QStringList texts;
    for (const QLabel *label : widget->findChildren<QLabel *>())
        texts.append(label->text() + QLatin1Char(' ') + label->toolTip());
    return texts.join(QLatin1Char('\n'));
}

} // namespace

class TestMarketView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void withoutDatabase();
    void unreadableDatabase();
    void durationParsing_data();
    void durationParsing();
    void watcherSeesCommitsOfOtherConnections();
    void postOfferApproveAndReject();
    void overrideReasonRequired();
    void auctionCountdownAndPreview();
    void approvalChecksDelegationWhenTargetsKnown();
    void purchaserFormRefusesCardNumbers();
    void screenshot();

private:
    void openView(MarketView &view, QSize size = QSize(1400, 900));
    void attachTesters(MarketView &view);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void TestMarketView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestMarketView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("headroom.sqlite"));
}

void TestMarketView::cleanup()
{
    m_testers.clear();
}

void TestMarketView::openView(MarketView &view, QSize size)
{
    view.resize(size);
    view.setDatabasePath(m_path);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.board()->hasSnapshot());
    QVERIFY2(view.board()->snapshot().error.isEmpty(), qPrintable(view.board()->snapshot().error));
    QVERIFY(!view.isShowingEmptyState());
}

void TestMarketView::attachTesters(MarketView &view)
{
    const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
    for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *>{
             view.offersModel(), view.bidsPanel()->model(), view.queuePanel()->model(),
             view.purchasersModel(), view.auditModel()})
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(model, mode));
}

void TestMarketView::withoutDatabase()
{
    MarketView view;
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.isShowingEmptyState());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("No market records"));
    QCOMPARE(view.offersModel()->rowCount(), 0);
    QVERIFY(!view.board()->watcher()->isWatching());
}

void TestMarketView::unreadableDatabase()
{
    const QString file = m_dir->filePath(QStringLiteral("not-a-database.sqlite"));
    QFile garbage(file);
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write(QByteArray(4096, 'x'));
    garbage.close();
    MarketView view;
    view.setDatabasePath(file);
    QTRY_VERIFY(view.board()->hasSnapshot());
    QVERIFY(view.isShowingEmptyState());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("Market records not readable"));
    view.setDatabasePath(QString());
    QCOMPARE(view.emptyHeadline(), QStringLiteral("No market records"));
}

void TestMarketView::durationParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("minutes"); // -1: refused
    QTest::newRow("hours") << "4h" << qint64(240);
    QTest::newRow("plain hours") << "3" << qint64(180);
    QTest::newRow("minutes") << "90m" << qint64(90);
    QTest::newRow("min") << "45min" << qint64(45);
    QTest::newRow("both") << "1h30m" << qint64(90);
    QTest::newRow("both spaced") << " 1h 30m " << qint64(90);
    QTest::newRow("fraction") << "2.5h" << qint64(150);
    QTest::newRow("zero") << "0h" << qint64(0);
    QTest::newRow("empty") << "" << qint64(-1);
    QTest::newRow("junk") << "four hours" << qint64(-1);
    QTest::newRow("negative") << "-2h" << qint64(-1);
    QTest::newRow("seconds") << "0.01h" << qint64(-1); // 36 s: not whole minutes
    QTest::newRow("unit only") << "h" << qint64(-1);
    QTest::newRow("days") << "2d" << qint64(-1);
}

void TestMarketView::durationParsing()
{
    QFETCH(QString, text);
    QFETCH(qint64, minutes);
    const auto parsed = presentation::parseDurationMinutes(text);
    if (minutes < 0)
        QVERIFY2(!parsed, qPrintable(text));
    else
        QCOMPARE(parsed.value_or(-1), minutes);
}

void TestMarketView::watcherSeesCommitsOfOtherConnections()
{
    makeSample(m_path);
    ChangeWatcher watcher;
    QSignalSpy changed(&watcher, &ChangeWatcher::changed);
    watcher.watch(m_path, 50);
    QTest::qWait(300); // the baseline, and nothing since
    QCOMPARE(changed.count(), 0);
    {
        Database db;
        QVERIFY(db.open(m_path));
        addPurchaser(db, QStringLiteral("Late Comer GmbH"), QStringLiteral("a@late.example"));
    }
    QTRY_VERIFY(changed.count() >= 1);
    const int seen = changed.count();
    QTest::qWait(300);
    QCOMPARE(changed.count(), seen); // one commit, one change
    watcher.watch(QString());
    QVERIFY(!watcher.isWatching());
}

void TestMarketView::postOfferApproveAndReject()
{
    const Sample sample = makeSample(m_path);
    MarketView view;
    openView(view);
    attachTesters(view);
    QCOMPARE(view.offersModel()->rowCount(), 0);
    QCOMPARE(view.purchasersModel()->rowCount(), 2);
    QVERIFY(!view.checksDelegation());

    // The form, through its fields.
    QTest::mouseClick(view.postOfferButton(), Qt::LeftButton);
    PostOfferDialog *dialog = view.offerDialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    auto *pool = dialog->findChild<QComboBox *>(QStringLiteral("offerPool"));
    auto *rate = dialog->findChild<QLineEdit *>(QStringLiteral("offerRate"));
    auto *duration = dialog->findChild<QLineEdit *>(QStringLiteral("offerDuration"));
    auto *price = dialog->findChild<QLineEdit *>(QStringLiteral("offerPrice"));
    auto *rateError = dialog->findChild<QLabel *>(QStringLiteral("offerRateError"));
    auto *durationError = dialog->findChild<QLabel *>(QStringLiteral("offerDurationError"));
    QVERIFY(pool && rate && duration && price && rateError && durationError);
    QCOMPARE(pool->currentText(), kPool); // the registered pool is offered
    QVERIFY(!dialog->okButton()->isEnabled());
    QCOMPARE(dialog->fieldError(PostOfferDialog::Field::Rate),
             QStringLiteral("Give the rate for sale, in req/s."));

    QTest::keyClicks(rate, QStringLiteral("2x0"));
    QVERIFY(!dialog->okButton()->isEnabled());
    QVERIFY(rateError->isVisible());
    QCOMPARE(rateError->text(),
             QStringLiteral("The rate must be a whole number of req/s, e.g. 200."));
    clearAndType(rate, QStringLiteral("200"));
    QVERIFY(!rateError->isVisible());
    QVERIFY(dialog->fieldError(PostOfferDialog::Field::Rate).isEmpty());

    clearAndType(duration, QStringLiteral("three hours"));
    QVERIFY(durationError->isVisible());
    QVERIFY2(durationError->text().contains(QStringLiteral("4h, 90m or 1h30m")),
             qPrintable(durationError->text()));
    clearAndType(duration, QStringLiteral("3h"));
    QVERIFY(!durationError->isVisible());

    // Still no price: OK stays disabled and says so.
    QVERIFY(!dialog->okButton()->isEnabled());
    QCOMPARE(dialog->problem(), QStringLiteral("Give the price per unit."));
    QTest::keyClicks(price, QStringLiteral("12.505"));
    QVERIFY(dialog->fieldError(PostOfferDialog::Field::Price).contains(QStringLiteral("12.50")));
    QVERIFY(!dialog->okButton()->isEnabled());
    QTest::keyClick(price, Qt::Key_Backspace);

    // Well-formed: checked against the forecast off the GUI thread, then OK.
    QTRY_VERIFY(!dialog->isChecking());
    QVERIFY(dialog->forecastCheck());
    QVERIFY2(!dialog->needsOverride(), qPrintable(dialog->forecastCheck()->summary));
    QVERIFY(dialog->okButton()->isEnabled());
    const Offer expected = *dialog->offer();
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_VERIFY(!view.offerDialog());
    QTRY_COMPARE(view.offersModel()->rowCount(), 1);
    QVERIFY2(view.message().startsWith(QStringLiteral("Posted offer ")),
             qPrintable(view.message()));
    QCOMPARE(view.messageKind(), MessageLine::Kind::Success);

    Offer posted;
    {
        Database db;
        QVERIFY(db.open(m_path));
        const auto offers = MarketService(db).offers(false);
        QVERIFY(offers);
        QCOMPARE(offers.value().size(), 1);
        posted = offers.value().first();
    }
    QCOMPARE(posted.pool, kPool);
    QCOMPARE(posted.rateRps, 200);
    QCOMPARE(posted.durationMs, 3 * HourMs);
    QCOMPARE(posted.startsAtMs, expected.startsAtMs);
    QCOMPARE(posted.dailyDays, 0);
    QCOMPARE(posted.kind, LeaseKind::Firm);
    QCOMPARE(posted.pricing, PricingMode::Fixed);
    QCOMPARE(posted.priceMinor, 1250);
    QCOMPARE(posted.currency, QStringLiteral("EUR"));
    QCOMPARE(view.selectedOffer(), posted.id);
    QCOMPARE(cell(view.offersModel(), 0, OfferTableModel::State), QStringLiteral("Open"));
    QCOMPARE(cell(view.offersModel(), 0, OfferTableModel::Price), QStringLiteral("12.50 EUR"));
    QCOMPARE(cell(view.offersModel(), 0, OfferTableModel::Sold), QStringLiteral("200 left"));

    // A bid from the API's process: the watcher sees the commit, the bids table shows it.
    BidTableModel *bids = view.bidsPanel()->model();
    QCOMPARE(bids->rowCount(), 0);
    const BidOutcome first = placeBid(
        m_path, bidRequest(posted.id, sample.shop, 120, 1250, std::nullopt, QStringLiteral("k1")));
    QCOMPARE(first.purchases.size(), 1);
    QTRY_COMPARE(bids->rowCount(), 1);
    QCOMPARE(cell(bids, 0, BidTableModel::Purchaser), QStringLiteral("Example Shop Ltd"));
    QCOMPARE(cell(bids, 0, BidTableModel::Rate), QStringLiteral("120 req/s"));
    QCOMPARE(cell(bids, 0, BidTableModel::Price), QStringLiteral("12.50 EUR"));
    QCOMPARE(cell(bids, 0, BidTableModel::State), QStringLiteral("Won"));
    QCOMPARE(bids->index(0, BidTableModel::Purchaser).data(Qt::ToolTipRole).toString(),
             QStringLiteral("Bid %1, placed through the purchaser API (idempotency key k1)")
                 .arg(first.bid.id));
    QCOMPARE(cell(view.offersModel(), 0, OfferTableModel::Sold),
             QStringLiteral("120 sold · 80 left"));

    // In the approval queue, worth 120 × 12.50 an hour.
    ApprovalQueuePanel *queue = view.queuePanel();
    QCOMPARE(view.tabs()->currentWidget(), queue);
    QTRY_COMPARE(queue->model()->rowCount(), 1);
    QCOMPARE(cell(queue->model(), 0, PurchaseQueueModel::Purchaser),
             QStringLiteral("Example Shop Ltd"));
    QCOMPARE(cell(queue->model(), 0, PurchaseQueueModel::Site), QStringLiteral("shop.example"));
    QCOMPARE(cell(queue->model(), 0, PurchaseQueueModel::Total), QStringLiteral("1500.00 EUR/h"));
    QCOMPARE(view.tabs()->tabText(0), QStringLiteral("Approval queue (1)"));
    QVERIFY(!queue->approveButton()->isEnabled()); // nothing selected
    clickRow(queue->table(), 0);
    QCOMPARE(queue->selectedPurchase(), first.purchases.first().id);
    QVERIFY(queue->approveButton()->isEnabled());
    QVERIFY(!queue->rejectButton()->isEnabled()); // no reason typed

    QTest::mouseClick(queue->approveButton(), Qt::LeftButton);
    QTRY_VERIFY(view.message().startsWith(QStringLiteral("Approved purchase")));
    QVERIFY2(view.message().contains(QStringLiteral("Delegation not checked")),
             qPrintable(view.message()));
    QCOMPARE(view.messageKind(), MessageLine::Kind::Warning);
    QTRY_COMPARE(queue->model()->rowCount(), 0);
    QVERIFY(!queue->isBusy());

    // A second purchase, rejected: the button waits for a reason.
    const BidOutcome second =
        placeBid(m_path, bidRequest(posted.id, sample.tickets, 50, 1300, std::nullopt));
    QCOMPARE(second.purchases.size(), 1);
    QTRY_COMPARE(bids->rowCount(), 2);
    QTRY_COMPARE(queue->model()->rowCount(), 1);
    clickRow(queue->table(), 0);
    QCOMPARE(queue->selectedPurchase(), second.purchases.first().id);
    QVERIFY(!queue->rejectButton()->isEnabled());
    QTest::keyClicks(queue->reasonEdit(), QStringLiteral("   "));
    QVERIFY(!queue->rejectButton()->isEnabled()); // blanks are no reason
    clearAndType(queue->reasonEdit(), QStringLiteral("site not verified yet"));
    QVERIFY(queue->rejectButton()->isEnabled());
    QTest::mouseClick(queue->rejectButton(), Qt::LeftButton);
    QTRY_VERIFY(view.message().startsWith(QStringLiteral("Rejected purchase")));
    QVERIFY(view.message().contains(QStringLiteral("site not verified yet")));
    QTRY_COMPARE(queue->model()->rowCount(), 0);
    QVERIFY(queue->reasonEdit()->text().isEmpty());
    QTRY_COMPARE(cell(view.offersModel(), 0, OfferTableModel::Sold),
                 QStringLiteral("120 sold · 80 left")); // the 50 are back on sale

    // What the database now holds: one lease, as bought; the rejection and its reason.
    {
        Database db;
        QVERIFY(db.open(m_path));
        const auto leases = LeaseRepository(db).all();
        QVERIFY(leases);
        QCOMPARE(leases.value().size(), 1);
        const Lease &lease = leases.value().first();
        QCOMPARE(lease.siteId, sample.shopSite);
        QCOMPARE(lease.pool, kPool);
        QCOMPARE(lease.rateRps, 120.0);
        QCOMPARE(lease.startsAtMs, posted.startsAtMs);
        QCOMPARE(lease.endsAtMs, posted.startsAtMs + 3 * HourMs);
        QCOMPARE(lease.dailyDays, 0);
        QCOMPARE(lease.kind, LeaseKind::Firm);
        QCOMPARE(lease.offerId.value_or(0), posted.id);
        QCOMPARE(lease.state, LeaseState::Scheduled);

        const MarketService market(db);
        const auto approved = market.purchase(first.purchases.first().id, std::nullopt);
        QVERIFY(approved);
        QCOMPARE(approved.value().state, PurchaseState::Approved);
        // The console acts as itself in the audit log: console:<login name>.
        QVERIFY(approved.value().decidedBy.startsWith(QStringLiteral("console:")));
        const auto rejected = market.purchase(second.purchases.first().id, std::nullopt);
        QVERIFY(rejected);
        QCOMPARE(rejected.value().state, PurchaseState::Rejected);
        QCOMPARE(rejected.value().reason, QStringLiteral("site not verified yet"));
    }

    // The audit tab has every step, newest first.
    QTRY_VERIFY(!view.auditModel()->entries().isEmpty() &&
                view.auditModel()->entries().first().action == QLatin1String("purchase.reject"));
    QStringList actions;
    for (const AuditEntry &e : view.auditModel()->entries())
        actions.append(e.action);
    QVERIFY2(actions.contains(QStringLiteral("purchase.approve")), qPrintable(actions.join(',')));
    QVERIFY(actions.contains(QStringLiteral("offer.post")));
    QCOMPARE(cell(view.purchasersModel(), view.purchasersModel()->rowOf(sample.shop),
                  PurchaserTableModel::Purchases),
             QStringLiteral("1"));
}

void TestMarketView::overrideReasonRequired()
{
    makeSample(m_path);
    MarketView view;
    openView(view);
    attachTesters(view);
    PostOfferDialog *dialog = view.openOfferDialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    auto *pool = dialog->findChild<QComboBox *>(QStringLiteral("offerPool"));
    auto *overrideEdit = dialog->findChild<QLineEdit *>(QStringLiteral("offerOverride"));
    auto *forecast = dialog->findChild<QLabel *>(QStringLiteral("offerForecast"));
    QVERIFY(pool && overrideEdit && forecast);

    // A pool with no load history: nothing to check the offer against.
    clearAndType(pool->lineEdit(), QStringLiteral("Edge FRA"));
    QVERIFY(
        dialog->fieldError(PostOfferDialog::Field::Pool).contains(QStringLiteral("lower-case")));
    clearAndType(pool->lineEdit(), QStringLiteral("edge-fra"));
    QVERIFY(dialog->fieldError(PostOfferDialog::Field::Pool).isEmpty());
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("offerRate")),
                     QStringLiteral("100"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("offerPrice")),
                     QStringLiteral("10"));
    QTRY_VERIFY(!dialog->isChecking());
    QVERIFY(dialog->needsOverride());
    QVERIFY(overrideEdit->isVisible());
    QVERIFY2(forecast->text().contains(QStringLiteral("too little load history")),
             qPrintable(forecast->text()));
    QVERIFY(!dialog->okButton()->isEnabled());
    QCOMPARE(dialog->problem(), QStringLiteral("Posting above the forecast needs a reason."));
    QTest::keyClicks(overrideEdit, QStringLiteral("new pool, history starts Monday"));
    QVERIFY(dialog->okButton()->isEnabled());
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_COMPARE(view.offersModel()->rowCount(), 1);
    QCOMPARE(view.messageKind(), MessageLine::Kind::Warning);
    const Offer offer = view.offersModel()->offers().first();
    QCOMPARE(offer.pool, QStringLiteral("edge-fra"));
    QCOMPARE(offer.overrideReason, QStringLiteral("new pool, history starts Monday"));
    QCOMPARE(cell(view.offersModel(), 0, OfferTableModel::State),
             QStringLiteral("Open (override)"));
}

void TestMarketView::auctionCountdownAndPreview()
{
    const Sample sample = makeSample(m_path);
    const qint64 start = thisHour() + 4 * HourMs;
    const qint64 closes = QDateTime::currentMSecsSinceEpoch() / MinuteMs * MinuteMs + 47 * MinuteMs;
    qint64 offerId = 0;
    {
        Database db;
        QVERIFY(db.open(m_path));
        Offer offer;
        offer.pool = kPool;
        offer.rateRps = 300;
        offer.startsAtMs = start;
        offer.durationMs = 4 * HourMs;
        offer.pricing = PricingMode::Auction;
        offer.reserveMinor = 800;
        offer.currency = QStringLiteral("EUR");
        offer.closesAtMs = closes;
        offerId = postOffer(db, offer).id;
    }
    placeBid(m_path, bidRequest(offerId, sample.shop, 200, 1100, qint64(100)));
    placeBid(m_path, bidRequest(offerId, sample.tickets, 150, 950, std::nullopt));

    MarketView view;
    openView(view);
    attachTesters(view);
    QCOMPARE(view.selectedOffer(), offerId);
    OfferTableModel *offers = view.offersModel();
    QVERIFY2(cell(offers, 0, OfferTableModel::Closes).startsWith(QStringLiteral("closes in 4")),
             qPrintable(cell(offers, 0, OfferTableModel::Closes)));
    QCOMPARE(cell(offers, 0, OfferTableModel::Price), QStringLiteral("reserve 8.00 EUR"));
    offers->setNow(closes - (12 * MinuteMs + 5000));
    QCOMPARE(cell(offers, 0, OfferTableModel::Closes), QStringLiteral("closes in 12m 05s"));
    offers->setNow(closes + 1000);
    QCOMPARE(cell(offers, 0, OfferTableModel::Closes), QStringLiteral("closing…"));

    // One timer moves the countdown on every second: a change over that column alone.
    QSignalSpy ticks(offers, &QAbstractItemModel::dataChanged);
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(ticks.cbegin(), ticks.cend(),
                    [](const QList<QVariant> &change) {
                        return change.at(0).toModelIndex().column() == OfferTableModel::Closes &&
                               change.at(1).toModelIndex().column() == OfferTableModel::Closes;
                    }),
        2500);
    QVERIFY(cell(offers, 0, OfferTableModel::Closes).startsWith(QStringLiteral("closes in ")));

    // Both bids, and what the auction would clear at if it closed now: Tickets' all-or-nothing
    // 150 does not fit beside Shop's 200, so Shop gets its 200 at the price of the losing bid.
    QCOMPARE(view.bidsPanel()->model()->rowCount(), 2);
    QCOMPARE(cell(view.bidsPanel()->model(), 1, BidTableModel::Minimum), QStringLiteral("all"));
    QCOMPARE(cell(view.bidsPanel()->model(), 0, BidTableModel::State), QStringLiteral("Open"));
    const QString preview = view.bidsPanel()->previewText();
    QVERIFY2(preview.startsWith(QStringLiteral("Clearing preview")), qPrintable(preview));
    const auto expected = view.board()->preview(offerId);
    QVERIFY(expected && expected->ok());
    QVERIFY2(preview.contains(
                 QStringLiteral("Clears at %1 per req/s·h")
                     .arg(formatMinor(expected->clearingPriceMinor, QStringLiteral("EUR")))),
             qPrintable(preview));
    QVERIFY2(preview.contains(QStringLiteral("%1 of 300 req/s sold").arg(expected->unitsSold)),
             qPrintable(preview));
    QVERIFY2(preview.contains(QStringLiteral("Winners: Example Shop Ltd")), qPrintable(preview));
    QVERIFY(preview.contains(expected->explanation.mid(1)));

    // A third bid arrives; the preview follows.
    placeBid(m_path, bidRequest(offerId, sample.tickets, 100, 1200, std::nullopt));
    QTRY_COMPARE(view.bidsPanel()->model()->rowCount(), 3);
    QTRY_VERIFY(view.bidsPanel()->previewText().contains(QStringLiteral("Tickets Inc 100 req/s")));
}

void TestMarketView::approvalChecksDelegationWhenTargetsKnown()
{
    const Sample sample = makeSample(m_path);
    qint64 purchaseId = 0;
    {
        Database db;
        QVERIFY(db.open(m_path));
        Offer offer;
        offer.pool = kPool;
        offer.rateRps = 100;
        offer.startsAtMs = thisHour() + 2 * HourMs;
        offer.durationMs = 2 * HourMs;
        offer.priceMinor = 900;
        offer.currency = QStringLiteral("EUR");
        const Offer posted = postOffer(db, offer);
        const auto outcome = MarketService(db).placeBid(
            bidRequest(posted.id, sample.shop, 100, 900), QStringLiteral("purchaser:1"));
        QVERIFY(outcome && outcome.value().purchases.size() == 1);
        purchaseId = outcome.value().purchases.first().id;
    }
    // Servers that do not answer: a port nothing listens on, held so nothing else takes it.
    QUdpSocket silent;
    QVERIFY(silent.bind(QHostAddress::LocalHost, 0));
    DelegationTargets targets;
    targets.zone = *DnsName::parse(QStringLiteral("edge.headroom.test"));
    targets.ourServers = {{QHostAddress::LocalHost, silent.localPort()}};
    targets.resolver = QHostAddress::LocalHost;
    targets.resolverPort = silent.localPort();
    targets.purchaserAuthority = QHostAddress::LocalHost;
    targets.purchaserAuthorityPort = silent.localPort();
    targets.timeoutMs = 200;

    MarketView view;
    view.setDelegationTargets(targets);
    QVERIFY(view.checksDelegation());
    openView(view);
    ApprovalQueuePanel *queue = view.queuePanel();
    QTRY_COMPARE(queue->model()->rowCount(), 1);
    queue->selectPurchase(purchaseId);
    QTest::mouseClick(queue->approveButton(), Qt::LeftButton);
    QVERIFY(queue->isBusy()); // the check runs off the GUI thread
    QVERIFY(!queue->approveButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(view.message().startsWith(QStringLiteral("Approved purchase")), 15000);
    QVERIFY2(view.message().contains(QStringLiteral("Delegation: www.shop.example misconfigured")),
             qPrintable(view.message()));
    QCOMPARE(view.messageKind(), MessageLine::Kind::Warning);
}

void TestMarketView::purchaserFormRefusesCardNumbers()
{
    makeSample(m_path);
    MarketView view;
    openView(view);
    attachTesters(view);
    QTest::mouseClick(view.addPurchaserButton(), Qt::LeftButton);
    PurchaserDialog *dialog = view.purchaserDialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    const auto edit = [dialog](const char *name) {
        return dialog->findChild<QLineEdit *>(QLatin1String(name));
    };
    QVERIFY(!dialog->okButton()->isEnabled());
    QCOMPARE(dialog->fieldError(PurchaserDialog::Field::Organisation),
             QStringLiteral("Give the purchaser's organisation."));
    QTest::keyClicks(edit("purchaserOrganisation"), QStringLiteral("Video Co"));
    QVERIFY(dialog->okButton()->isEnabled());

    // A card number, wherever it is typed, is refused and never repeated.
    const QString card = QStringLiteral("4111 1111 1111 1111");
    QTest::keyClicks(edit("purchaserToken"), card);
    QVERIFY(!dialog->okButton()->isEnabled());
    QVERIFY(dialog->fieldError(PurchaserDialog::Field::Token)
                .startsWith(QStringLiteral("This looks like a card number.")));
    QVERIFY(!allLabelText(dialog).contains(QStringLiteral("1111")));
    QVERIFY(!dialog->okButton()->toolTip().contains(QStringLiteral("1111")));
    clearAndType(edit("purchaserToken"), QString());
    QTest::keyClicks(edit("purchaserAddress"), QStringLiteral("card 4111-1111-1111-1111"));
    QVERIFY(!dialog->okButton()->isEnabled());
    QVERIFY(dialog->fieldError(PurchaserDialog::Field::Address)
                .startsWith(QStringLiteral("This looks like a card number.")));
    QVERIFY(!allLabelText(dialog).contains(QStringLiteral("1111")));
    clearAndType(edit("purchaserAddress"), QStringLiteral("1 Film Street, Leeds"));
    // The last-4 field takes four characters: a card number cannot be typed there at all.
    QTest::keyClicks(edit("purchaserLast4"), QStringLiteral("4111111111111111"));
    QCOMPARE(edit("purchaserLast4")->text(), QStringLiteral("4111"));

    // The repository's own rules, under their field.
    QTest::keyClicks(edit("purchaserEmail"), QStringLiteral("ops@"));
    QVERIFY(!dialog->okButton()->isEnabled());
    QCOMPARE(dialog->fieldError(PurchaserDialog::Field::Email),
             QStringLiteral("The contact e-mail address is not valid."));
    QTest::keyClicks(edit("purchaserEmail"), QStringLiteral("video.example"));
    QTest::keyClicks(edit("purchaserToken"), QStringLiteral("pm_1NcVideo"));
    QVERIFY2(dialog->okButton()->isEnabled(), qPrintable(dialog->problem()));
    QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
    QTRY_COMPARE(view.purchasersModel()->rowCount(), 3);
    QTRY_VERIFY(!view.purchaserDialog());
    QVERIFY(view.message().startsWith(QStringLiteral("Added purchaser")));
    QCOMPARE(view.tabs()->currentIndex(), 1);
    const int row = int(view.purchasersModel()->rowCount()) - 1;
    QCOMPARE(cell(view.purchasersModel(), row, PurchaserTableModel::Organisation),
             QStringLiteral("Video Co"));
    QCOMPARE(cell(view.purchasersModel(), row, PurchaserTableModel::Payment),
             QStringLiteral("pm_1NcVideo"));
    {
        Database db;
        QVERIFY(db.open(m_path));
        const auto all = PurchaserRepository(db).all();
        QVERIFY(all);
        const Purchaser &stored = all.value().last();
        QCOMPARE(stored.paymentLast4.value_or(QString()), QStringLiteral("4111"));
        for (const QString &field : {stored.organisation, stored.billingAddress,
                                     stored.paymentTokenRef, stored.contactEmail})
            QVERIFY(!PurchaserRepository::looksLikeCardNumber(field));
        // The console's audit row names the organisation only: no card digits, no payment token.
        const auto audit = AuditRepository(db).list(1);
        QVERIFY(audit && audit.value().size() == 1);
        const AuditEntry &e = audit.value().first();
        QCOMPARE(e.action, QStringLiteral("purchaser.add"));
        QVERIFY(e.actor.startsWith(QStringLiteral("console:")));
        QCOMPARE(e.detail, QStringLiteral("purchaser %1 added: Video Co").arg(stored.id));
    }
}

void TestMarketView::screenshot()
{
    // Two pools with a day-and-night forecast, four purchasers, and the market in every state:
    // an auction closing soon with three bids, a daily fixed-price offer with purchases waiting,
    // a continuous best-effort book, a sold-out offer and a withdrawn one.
    const qint64 base = thisHour();
    const QString fra = QStringLiteral("edge-fra");
    qint64 auction = 0;
    {
        Database db;
        QVERIFY(db.open(m_path));
        addProxy(db, QStringLiteral("proxy1"), kPool, QStringLiteral("127.0.1.1"));
        addProxy(db, QStringLiteral("fra1"), fra, QStringLiteral("127.0.1.2"));
        addHistory(db, kPool, 2000, base, [](qint64) { return 1400.0; });
        addHistory(db, fra, 2000, base, [](qint64) { return 1200.0; });
        const qint64 shop = addPurchaser(db, QStringLiteral("Example Shop Ltd"),
                                         QStringLiteral("ops@shop.example"));
        const qint64 tickets =
            addPurchaser(db, QStringLiteral("Tickets Inc"), QStringLiteral("noc@tickets.example"));
        const qint64 video =
            addPurchaser(db, QStringLiteral("Video Co"), QStringLiteral("tv@video.example"));
        const qint64 docs =
            addPurchaser(db, QStringLiteral("Docs Foundation"), QStringLiteral("it@docs.example"));
        addSite(db, shop, QStringLiteral("shop.example"), QStringLiteral("shop"),
                QStringLiteral("127.0.2.1"));
        addSite(db, tickets, QStringLiteral("tickets.example"), QStringLiteral("tickets"),
                QStringLiteral("127.0.2.2"));
        addSite(db, video, QStringLiteral("video.example"), QStringLiteral("video"),
                QStringLiteral("127.0.2.3"));
        addSite(db, docs, QStringLiteral("docs.example"), QStringLiteral("docs"),
                QStringLiteral("127.0.2.4"));
        MarketService market(db);
        const auto bid = [&market](qint64 offer, qint64 purchaser, qint64 rate, qint64 price,
                                   std::optional<qint64> minimum) {
            const auto placed = market.placeBid(bidRequest(offer, purchaser, rate, price, minimum),
                                                QStringLiteral("purchaser:%1").arg(purchaser));
            if (!placed)
                qFatal("bid: %s", qPrintable(placed.error().message));
            return placed.value();
        };

        Offer o;
        o.pool = kPool;
        o.currency = QStringLiteral("EUR");
        o.rateRps = 400;
        o.startsAtMs = base + 3 * HourMs;
        o.durationMs = 4 * HourMs;
        o.pricing = PricingMode::Auction;
        o.reserveMinor = 800;
        o.closesAtMs = QDateTime::currentMSecsSinceEpoch() / MinuteMs * MinuteMs + 47 * MinuteMs;
        auction = postOffer(db, o).id;
        bid(auction, shop, 200, 1150, qint64(100));
        bid(auction, tickets, 150, 1020, std::nullopt);
        bid(auction, video, 120, 940, qint64(60));
        bid(auction, docs, 80, 820, std::nullopt);

        Offer daily;
        daily.pool = kPool;
        daily.currency = QStringLiteral("EUR");
        daily.rateRps = 250;
        daily.startsAtMs = base / DayMs * DayMs + DayMs + HourMs;
        daily.durationMs = 5 * HourMs;
        daily.dailyDays = 5;
        daily.priceMinor = 1250;
        const qint64 dailyId = postOffer(db, daily).id;
        bid(dailyId, shop, 100, 1250, std::nullopt);
        bid(dailyId, docs, 60, 1300, std::nullopt);

        Offer book;
        book.pool = fra;
        book.currency = QStringLiteral("EUR");
        book.rateRps = 600;
        book.startsAtMs = base + 2 * HourMs;
        book.durationMs = 8 * HourMs;
        book.kind = LeaseKind::BestEffort;
        book.pricing = PricingMode::Continuous;
        book.priceMinor = 40;
        const qint64 bookId = postOffer(db, book).id;
        const BidOutcome traded = bid(bookId, tickets, 200, 45, std::nullopt);
        bid(bookId, video, 150, 30, std::nullopt);
        for (const Purchase &p : traded.purchases)
            QVERIFY(market.approve(p.id, QStringLiteral("operator:alice")));

        Offer sold;
        sold.pool = fra;
        sold.currency = QStringLiteral("EUR");
        sold.rateRps = 250;
        sold.startsAtMs = base + 6 * HourMs;
        sold.durationMs = 6 * HourMs;
        sold.priceMinor = 1000;
        const qint64 soldId = postOffer(db, sold).id;
        for (const Purchase &p : bid(soldId, video, 250, 1000, std::nullopt).purchases)
            QVERIFY(market.approve(p.id, QStringLiteral("operator:alice")));

        Offer withdrawn = sold;
        withdrawn.startsAtMs = base + 30 * HourMs;
        withdrawn.rateRps = 150;
        QVERIFY(
            market.withdrawOffer(postOffer(db, withdrawn).id, QStringLiteral("operator:alice")));
    }
    MarketView view;
    openView(view, QSize(1440, 900));
    view.selectOffer(auction);
    // One purchase approved through the queue, so the status line shows what that says.
    ApprovalQueuePanel *queue = view.queuePanel();
    QTRY_COMPARE(queue->model()->rowCount(), 2);
    queue->selectPurchase(queue->model()->purchases().first().id);
    QTest::mouseClick(queue->approveButton(), Qt::LeftButton);
    QTRY_VERIFY(view.message().startsWith(QStringLiteral("Approved purchase")));
    QTRY_COMPARE(queue->model()->rowCount(), 1);
    queue->selectPurchase(queue->model()->purchases().first().id);
    QTest::keyClicks(queue->reasonEdit(), QStringLiteral("docs.example not delegated yet"));
    QTest::qWait(50);
    const QPixmap shot = view.grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-market.png"))));
    }

    // The offer form, halfway through: a bad rate, then the forecast check of a good one.
    PostOfferDialog *dialog = view.openOfferDialog();
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("offerRate")),
                     QStringLiteral("3000"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("offerPrice")),
                     QStringLiteral("11.5"));
    QTRY_VERIFY(!dialog->isChecking());
    QVERIFY(dialog->needsOverride()); // 3,000 req/s is above the 1,400 the pool has spare
    QTest::qWait(50);
    const QPixmap form = dialog->grab();
    if (!dir.isEmpty())
        QVERIFY(form.save(QDir(dir).filePath(QStringLiteral("console-market-offer.png"))));
    dialog->reject();
}

QTEST_MAIN(TestMarketView)
#include "tst_marketview.moc"
