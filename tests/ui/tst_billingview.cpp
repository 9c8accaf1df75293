// The Billing view over a temporary database holding a purchaser, a site, a best-effort lease with
// its tariff and metered usage: through the widgets, the invoice run makes a draft with the right
// total, it is issued, paid and credited; the exports write CSV and PDF files whose figures are
// checked; a large usage export shows progress and Cancel leaves no file. The models run under
// QAbstractItemModelTester. Last, a screenshot with a year of realistic billing.

#include "billing/invoice.h"
#include "billing/money.h"
#include "billingboard.h"
#include "billingexporter.h"
#include "billingexportpanel.h"
#include "billingview.h"
#include "domain/lease.h"
#include "domain/proxy.h"
#include "domain/purchaser.h"
#include "domain/site.h"
#include "invoicepanel.h"
#include "invoicetablemodel.h"
#include "revenuechartview.h"
#include "store/auditrepository.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/tariffrepository.h"
#include "store/usagerepository.h"
#include "tablesection.h"
#include "unbilledusagemodel.h"

#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace headroom;

namespace {

// A month well in the past, so its invoices can be issued without "before the period end".
const QString kPeriod = QStringLiteral("2025-03");
// 1,234,500 requests at EUR 0.50 per 1,000: EUR 617.25; 19 % tax EUR 117.28 (117.2775 rounded
// half up); total EUR 734.53.
constexpr qint64 kRequests = 1234500;
constexpr qint64 kSubtotalMinor = 61725;
constexpr qint64 kTaxMinor = 11728;
constexpr qint64 kTotalMinor = 73453;
constexpr int kSamples = 30; // one a day, 41,150 requests each

qint64 utcMs(int year, int month, int day, int hour = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

template <typename T> T must(Result<T> result, const char *what)
{
    if (!result)
        qFatal("%s: %s", what, qPrintable(result.error().message));
    return std::move(result).value();
}

void must(const Result<void> &result, const char *what)
{
    if (!result)
        qFatal("%s: %s", what, qPrintable(result.error().message));
}

void setSettings(Database &db)
{
    BillingSettings s;
    s.companyName = QStringLiteral("Headroom Edge GmbH");
    s.companyAddress = QStringLiteral("Hafenstrasse 12\n20359 Hamburg");
    s.taxId = QStringLiteral("DE123456789");
    s.taxRateBp = 1900;
    s.currency = QStringLiteral("EUR");
    must(BillingRepository(db).setSettings(s), "settings");
}

qint64 addPurchaser(Database &db, const QString &name)
{
    Purchaser p;
    p.organisation = name;
    p.contactName = QStringLiteral("Billing desk");
    p.contactEmail = QStringLiteral("billing@example.com");
    p.billingAddress = QStringLiteral("1 Market Street\nSpringfield");
    p.paymentLast4 = QStringLiteral("4242");
    return must(PurchaserRepository(db).add(p), "purchaser");
}

qint64 addSite(Database &db, const QString &name, qint64 purchaserId, int origin)
{
    Site s;
    s.name = name;
    s.label = name.section(QLatin1Char('.'), 0, 0);
    s.hosts = {name, QStringLiteral("www.") + name};
    s.origins = {{QHostAddress(QStringLiteral("127.0.2.%1").arg(origin)), 8080, 1, false}};
    s.originName = QStringLiteral("origin.") + name;
    s.purchaserId = purchaserId;
    return must(SiteRepository(db).add(s), "site");
}

void addProxy(Database &db, const QString &name)
{
    Proxy p;
    p.name = name;
    p.address = QHostAddress(QStringLiteral("127.0.1.1"));
    p.httpPort = 80;
    p.metricsPort = 8405;
    p.capacityRps = 1000;
    p.pool = QStringLiteral("sandbox");
    must(ProxyRepository(db).upsert(p), "proxy");
}

qint64 addLease(Database &db, qint64 siteId, LeaseKind kind, double rps, qint64 fromMs, qint64 toMs,
                const Tariff &tariff)
{
    Lease l;
    l.siteId = siteId;
    l.pool = QStringLiteral("sandbox");
    l.kind = kind;
    l.rateRps = rps;
    l.startsAtMs = fromMs;
    l.endsAtMs = toMs;
    const qint64 id = must(LeaseRepository(db).add(l, QStringLiteral("test")), "lease");
    must(TariffRepository(db).set(id, tariff), "tariff");
    return id;
}

UsageSample sample(qint64 leaseId, const QString &site, qint64 atMs, qint64 requests, qint64 bytes,
                   const QString &uid)
{
    UsageSample s;
    s.sampleUid = uid;
    s.leaseId = leaseId;
    s.proxy = QStringLiteral("proxy1");
    s.site = site;
    s.atMs = atMs;
    s.requests = quint64(requests);
    s.bytes = quint64(bytes);
    return s;
}

struct Fixture
{
    qint64 purchaser = 0;
    qint64 lease = 0;
};

// One purchaser with one best-effort lease through March 2025 at EUR 0.50 per 1,000 requests,
// and kRequests metered in it; `extraSamples` more (1 request each, spread over the month) for
// the large exports.
Fixture makeDatabase(const QString &path, int extraSamples = 0)
{
    Fixture f;
    Database db;
    must(db.open(path), "database");
    setSettings(db);
    addProxy(db, QStringLiteral("proxy1"));
    f.purchaser = addPurchaser(db, QStringLiteral("Northwind Tickets Ltd"));
    const qint64 site = addSite(db, QStringLiteral("tickets.example"), f.purchaser, 1);
    f.lease = addLease(db, site, LeaseKind::BestEffort, 400, utcMs(2025, 3, 1), utcMs(2025, 3, 31),
                       Tariff{QStringLiteral("EUR"), 0, 50, 0});
    QList<UsageSample> samples;
    for (int day = 0; day < kSamples; ++day)
        samples.append(sample(f.lease, QStringLiteral("tickets.example"),
                              utcMs(2025, 3, 1 + day, 12), kRequests / kSamples, 2000000,
                              QStringLiteral("proxy1/1/%1/www.tickets.example").arg(day)));
    const qint64 start = utcMs(2025, 3, 1);
    const qint64 span = utcMs(2025, 4, 1) - start;
    samples.reserve(samples.size() + extraSamples);
    for (int i = 0; i < extraSamples; ++i)
        samples.append(sample(f.lease, QStringLiteral("tickets.example"),
                              start + span * i / std::max(1, extraSamples) + 1, 0, 100,
                              QStringLiteral("proxy1/2/%1/www.tickets.example").arg(i)));
    must(UsageRepository(db).record(samples), "usage");
    return f;
}

// RFC 4180 records of a file, as the export writes them (fields here hold no line breaks).
QList<QStringList> readCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QStringList> records;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        QString text = QString::fromUtf8(line);
        if (text.endsWith(QLatin1Char('\r')))
            text.chop(1);
        QStringList fields;
        QString field;
        bool quoted = false;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (quoted && c == QLatin1Char('"') && i + 1 < text.size() &&
                text.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = !quoted;
            } else if (c == QLatin1Char(',') && !quoted) {
                fields.append(field);
                field.clear();
            } else {
                field += c;
            }
        }
        fields.append(field);
        records.append(fields);
    }
    return records;
}

QString column(const QList<QStringList> &records, int row, const char *name)
{
    const qsizetype at = records.value(0).indexOf(QLatin1String(name));
    return at < 0 ? QStringLiteral("<no column %1>").arg(QLatin1String(name))
                  : records.value(row).value(at);
}

QString cell(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

void clickRow(QTableView *table, int sourceRow)
{
    const auto *sorted = table->model();
    // The view shows the panel's sorting proxy; find the row by the invoice id it holds.
    for (int r = 0; r < sorted->rowCount(); ++r) {
        if (r == sourceRow) {
            const QRect rect = table->visualRect(sorted->index(r, 1));
            QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::NoModifier, rect.center());
            return;
        }
    }
}

int rowOfInvoice(QTableView *table, qint64 id)
{
    for (int r = 0; r < table->model()->rowCount(); ++r) {
        if (table->model()->index(r, 0).data(InvoiceTableModel::InvoiceIdRole).toLongLong() == id)
            return r;
    }
    return -1;
}

void clickInvoice(QTableView *table, qint64 id)
{
    clickRow(table, rowOfInvoice(table, id));
}

} // namespace

class TestBillingView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void withoutDatabase();
    void invoiceModelUnderTester();
    void unbilledModelUnderTester();
    void runIssueAndExportThroughTheWidgets();
    void usageCsvExport();
    void cancelLargeUsageExport();
    void pdfExports();
    void creditNoteNeedsAReason();
    void screenshot();

private:
    void openView(BillingView &view, const QString &period = kPeriod);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestBillingView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestBillingView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("headroom.sqlite"));
}

void TestBillingView::openView(BillingView &view, const QString &period)
{
    view.resize(1400, 1000);
    QVERIFY(view.setPeriod(period));
    view.setDatabasePath(m_path);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.board()->hasSnapshot() && !view.board()->isReading());
    QCOMPARE(view.board()->snapshot().error, QString());
}

void TestBillingView::withoutDatabase()
{
    BillingView view;
    view.show();
    QVERIFY(view.isShowingEmptyState());
    QVERIFY(!view.exportPanel()->csvButton()->isEnabled());
    view.setDatabasePath(m_path);
    QVERIFY(!view.isShowingEmptyState());
    QTRY_VERIFY(view.board()->hasSnapshot());
    QCOMPARE(view.invoiceModel()->rowCount(), 0);
    QVERIFY(view.invoicePanel()->section()->placeholder().contains(QLatin1String("Run invoices")));
    view.setDatabasePath(QString());
    QVERIFY(view.isShowingEmptyState());
}

void TestBillingView::invoiceModelUnderTester()
{
    InvoiceTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Invoice draft;
    draft.id = 1;
    draft.purchaserId = 7;
    draft.period = kPeriod;
    draft.currency = QStringLiteral("EUR");
    draft.subtotalMinor = kSubtotalMinor;
    draft.taxRateBp = 1900;
    draft.taxMinor = kTaxMinor;
    draft.totalMinor = kTotalMinor;
    Invoice issued = draft;
    issued.id = 2;
    issued.number = QStringLiteral("HR-2025-000001");
    issued.state = InvoiceState::Void;
    issued.issuedAtMs = utcMs(2025, 4, 2);
    Invoice note = issued;
    note.id = 3;
    note.number = QStringLiteral("CN-2025-000001");
    note.kind = InvoiceKind::CreditNote;
    note.state = InvoiceState::Issued;
    note.creditNoteFor = 2;
    note.reason = QStringLiteral("wrong tariff");
    note.subtotalMinor = -kSubtotalMinor;
    note.taxMinor = -kTaxMinor;
    note.totalMinor = -kTotalMinor;
    const QHash<qint64, QString> names{{7, QStringLiteral("Northwind Tickets Ltd")}};

    model.setInvoices({draft}, names);
    model.setInvoices({draft, issued, note}, names);
    model.setInvoices({draft, issued, note}, names); // the same rows: dataChanged only
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(&model, 0, InvoiceTableModel::Number), QStringLiteral("draft"));
    QCOMPARE(cell(&model, 0, InvoiceTableModel::Purchaser),
             QStringLiteral("Northwind Tickets Ltd"));
    QCOMPARE(cell(&model, 0, InvoiceTableModel::State), QStringLiteral("Draft"));
    QCOMPARE(cell(&model, 0, InvoiceTableModel::Subtotal), QStringLiteral("EUR 617.25"));
    QCOMPARE(cell(&model, 0, InvoiceTableModel::Tax), QStringLiteral("EUR 117.28"));
    QCOMPARE(cell(&model, 0, InvoiceTableModel::Total), QStringLiteral("EUR 734.53"));
    QCOMPARE(cell(&model, 1, InvoiceTableModel::State), QStringLiteral("Void"));
    QCOMPARE(cell(&model, 1, InvoiceTableModel::Issued), QStringLiteral("2025-04-02"));
    QCOMPARE(cell(&model, 2, InvoiceTableModel::State), QStringLiteral("Credit note"));
    QCOMPARE(cell(&model, 2, InvoiceTableModel::Total), QStringLiteral("EUR -734.53"));
    // Every state has a colour of its own.
    QSet<QRgb> colours;
    for (int row = 0; row < 3; ++row)
        colours.insert(model.index(row, InvoiceTableModel::State)
                           .data(Qt::ForegroundRole)
                           .value<QColor>()
                           .rgb());
    QCOMPARE(colours.size(), 3);
    QCOMPARE(model.index(2, 0).data(InvoiceTableModel::InvoiceIdRole).toLongLong(), 3);
    QCOMPARE(model.rowOf(2), 1);
    model.setInvoices({}, names);
    QCOMPARE(model.rowCount(), 0);
}

void TestBillingView::unbilledModelUnderTester()
{
    UnbilledUsageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    UnbilledRow lease;
    lease.leaseId = 4;
    lease.kind = LeaseKind::BestEffort;
    lease.site = QStringLiteral("tickets.example");
    lease.purchaserId = 7;
    lease.purchaserName = QStringLiteral("Northwind Tickets Ltd");
    lease.samples = 30;
    lease.requests = kRequests;
    lease.bytes = 60000000;
    lease.estimateMinor = kSubtotalMinor;
    lease.currency = QStringLiteral("EUR");
    lease.note = QStringLiteral("next invoice run");
    UnbilledRow stray;
    stray.site = QStringLiteral("unknown.example");
    stray.requests = 12;
    stray.bytes = 999;
    stray.note = QStringLiteral("no lease: never billed");
    model.setRows({lease});
    model.setRows({lease, stray});
    model.setRows({lease, stray});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(&model, 0, UnbilledUsageModel::Lease), QStringLiteral("4 · best-effort"));
    QCOMPARE(cell(&model, 0, UnbilledUsageModel::Requests), QStringLiteral("1,234,500"));
    QCOMPARE(cell(&model, 0, UnbilledUsageModel::Bytes), QStringLiteral("60.0 MB"));
    QCOMPARE(cell(&model, 0, UnbilledUsageModel::Estimate), QStringLiteral("EUR 617.25"));
    QCOMPARE(cell(&model, 1, UnbilledUsageModel::Lease), QStringLiteral("no lease"));
    QCOMPARE(cell(&model, 1, UnbilledUsageModel::Purchaser), QStringLiteral("—"));
    QCOMPARE(cell(&model, 1, UnbilledUsageModel::Bytes), QStringLiteral("999 B"));
    QCOMPARE(cell(&model, 1, UnbilledUsageModel::Estimate), QStringLiteral("—"));
    model.setRows({});
    QCOMPARE(model.rowCount(), 0);
}

void TestBillingView::runIssueAndExportThroughTheWidgets()
{
    const Fixture f = makeDatabase(m_path);
    BillingView view;
    const QString csv = m_dir->filePath(QStringLiteral("lines.csv"));
    QList<BillingExportKind> asked;
    view.setExportPathProvider([&](BillingExportKind kind, const QString &suggested) {
        asked.append(kind);
        [&] {
            QVERIFY(suggested.startsWith(QLatin1String("headroom-invoice-lines-2025-03-01")));
        }();
        return csv;
    });
    openView(view);
    InvoicePanel *panel = view.invoicePanel();
    QTableView *table = panel->table();

    // Not billed yet: the whole month, with what the run will charge.
    QCOMPARE(view.unbilledModel()->rowCount(), 1);
    QCOMPARE(cell(view.unbilledModel(), 0, UnbilledUsageModel::Purchaser),
             QStringLiteral("Northwind Tickets Ltd"));
    QCOMPARE(cell(view.unbilledModel(), 0, UnbilledUsageModel::Requests),
             QStringLiteral("1,234,500"));
    QCOMPARE(cell(view.unbilledModel(), 0, UnbilledUsageModel::Estimate),
             QStringLiteral("EUR 617.25"));
    QCOMPARE(view.invoiceModel()->rowCount(), 0);
    QVERIFY(!panel->issueButton()->isEnabled());

    // The invoice run makes one draft.
    QCOMPARE(panel->runButton()->text(), QStringLiteral("Run invoices for 2025-03"));
    QVERIFY(panel->runButton()->isEnabled());
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QTRY_COMPARE(view.invoiceModel()->rowCount(), 1);
    QTRY_VERIFY(view.message().startsWith(QLatin1String("Invoice run 2025-03: 1 draft")));
    QCOMPARE(view.messageKind(), MessageLine::Kind::Success);
    const InvoiceTableModel *model = view.invoiceModel();
    QCOMPARE(cell(model, 0, InvoiceTableModel::Number), QStringLiteral("draft"));
    QCOMPARE(cell(model, 0, InvoiceTableModel::State), QStringLiteral("Draft"));
    QCOMPARE(cell(model, 0, InvoiceTableModel::Purchaser), QStringLiteral("Northwind Tickets Ltd"));
    QCOMPARE(cell(model, 0, InvoiceTableModel::Subtotal), QStringLiteral("EUR 617.25"));
    QCOMPARE(cell(model, 0, InvoiceTableModel::Tax), QStringLiteral("EUR 117.28"));
    QCOMPARE(cell(model, 0, InvoiceTableModel::Total), QStringLiteral("EUR 734.53"));
    const qint64 invoiceId = model->invoices().first().id;
    // Still unbilled until issued, and said to be on the draft.
    QCOMPARE(view.unbilledModel()->rowCount(), 1);
    QCOMPARE(cell(view.unbilledModel(), 0, UnbilledUsageModel::Note),
             QStringLiteral("on a draft, not issued"));
    // The run selects the draft it made; a click selects it too.
    clickInvoice(table, invoiceId);
    QCOMPARE(panel->selectedInvoice(), invoiceId);
    QVERIFY(panel->issueButton()->isEnabled());
    QVERIFY(!panel->paidButton()->isEnabled());
    QVERIFY(!panel->creditButton()->isEnabled());

    // Issue it: it takes its number.
    QTest::mouseClick(panel->issueButton(), Qt::LeftButton);
    QTRY_COMPARE(cell(model, 0, InvoiceTableModel::State), QStringLiteral("Issued"));
    QVERIFY(cell(model, 0, InvoiceTableModel::Number).startsWith(QLatin1String("HR-")));
    QVERIFY2(view.message().startsWith(QLatin1String("Issued HR-")), qPrintable(view.message()));
    QVERIFY(view.message().endsWith(QLatin1String("EUR 734.53")));
    const QString number = cell(model, 0, InvoiceTableModel::Number);
    // Billed in full now: nothing is left unbilled.
    QTRY_COMPARE(view.unbilledModel()->rowCount(), 0);
    // The chart counts it in March, net of tax.
    const RevenueChartView *chart = view.chart();
    QCOMPARE(chart->currency(), QStringLiteral("EUR"));
    QCOMPARE(chart->months().size(), 12);
    QCOMPARE(chart->months().last().period, kPeriod);
    QCOMPARE(chart->netMinor(11), kSubtotalMinor);
    QCOMPARE(chart->outstandingSet()->at(11), 617.25);
    QCOMPARE(chart->paidSet()->at(11), 0.0);
    QVERIFY(chart->valueLabels().contains(QStringLiteral("EUR 0")));
    QVERIFY(std::any_of(
        chart->valueLabels().cbegin(), chart->valueLabels().cend(), [](const QString &l) {
            return l.startsWith(QLatin1String("EUR ")) && l != QLatin1String("EUR 0");
        }));

    // Export the line items of the month, to the path the provider gives.
    BillingExportPanel *exports = view.exportPanel();
    QCOMPARE(exports->from(), QDate(2025, 3, 1));
    QCOMPARE(exports->to(), QDate(2025, 3, 31));
    QTest::mouseClick(exports->csvButton(), Qt::LeftButton);
    QCOMPARE(asked, QList<BillingExportKind>{BillingExportKind::LineItemsCsv});
    QTRY_VERIFY(!exports->isExporting());
    QVERIFY2(exports->statusText().startsWith(QLatin1String("Wrote 1 row")),
             qPrintable(exports->statusText()));
    QCOMPARE(exports->progressBar()->value(), 1000);
    const QList<QStringList> records = readCsv(csv);
    QCOMPARE(records.size(), 2);
    QCOMPARE(column(records, 1, "document_number"), number);
    QCOMPARE(column(records, 1, "document_state"), QStringLiteral("issued"));
    QCOMPARE(column(records, 1, "purchaser"), QStringLiteral("Northwind Tickets Ltd"));
    QCOMPARE(column(records, 1, "lease_id"), QString::number(f.lease));
    QCOMPARE(column(records, 1, "requests"), QString::number(kRequests));
    QCOMPARE(column(records, 1, "amount"), QStringLiteral("617.25"));
    QCOMPARE(column(records, 1, "document_subtotal"), QStringLiteral("617.25"));
    QCOMPARE(column(records, 1, "document_tax"), QStringLiteral("117.28"));
    QCOMPARE(column(records, 1, "document_total"), QStringLiteral("734.53"));

    // Paid, then credited: the chart moves the month to paid, then the credit note takes it back.
    clickInvoice(table, invoiceId);
    QVERIFY(panel->paidButton()->isEnabled());
    QTest::mouseClick(panel->paidButton(), Qt::LeftButton);
    QTRY_COMPARE(cell(model, rowOfInvoice(table, invoiceId), InvoiceTableModel::State),
                 QStringLiteral("Paid"));
    QTRY_COMPARE(view.chart()->paidSet()->at(11), 617.25);
    QTest::keyClicks(panel->reasonEdit(), QStringLiteral("tariff was agreed at EUR 0.40"));
    QVERIFY(panel->creditButton()->isEnabled());
    QTest::mouseClick(panel->creditButton(), Qt::LeftButton);
    QTRY_COMPARE(model->rowCount(), 2);
    QTRY_COMPARE(cell(model, model->rowOf(invoiceId), InvoiceTableModel::State),
                 QStringLiteral("Void"));
    const Invoice note = model->invoices().at(model->rowOf(invoiceId) == 0 ? 1 : 0);
    QCOMPARE(note.kind, InvoiceKind::CreditNote);
    QVERIFY(note.number.startsWith(QLatin1String("CN-")));
    QCOMPARE(note.totalMinor, -kTotalMinor);
    QVERIFY(view.message().startsWith(QStringLiteral("Issued credit note ") + note.number));
    QVERIFY(panel->reasonEdit()->text().isEmpty());
    QTRY_COMPARE(view.chart()->netMinor(11), 0);
    // The month is unbilled again, for the next run.
    QTRY_COMPARE(view.unbilledModel()->rowCount(), 1);

    // Each step is in the audit log as the console's, oldest last.
    Database db;
    QVERIFY(db.open(m_path));
    const auto audit = AuditRepository(db).list(10);
    QVERIFY(audit);
    QStringList actions;
    for (const AuditEntry &e : audit.value()) {
        QVERIFY2(e.actor.startsWith(QStringLiteral("console:")), qPrintable(e.actor));
        actions.prepend(e.action);
    }
    QCOMPARE(actions, QStringList({QStringLiteral("billing.invoice.run"),
                                   QStringLiteral("billing.invoice.issue"),
                                   QStringLiteral("billing.invoice.pay"),
                                   QStringLiteral("billing.invoice.credit")}));
    QVERIFY(audit.value().first().detail.endsWith(QStringLiteral("tariff was agreed at EUR 0.40")));
}

void TestBillingView::usageCsvExport()
{
    const Fixture f = makeDatabase(m_path);
    qint64 other = 0;
    {
        Database db;
        QVERIFY(db.open(m_path));
        other = addPurchaser(db, QStringLiteral("Contoso Retail AG"));
    }
    BillingView view;
    const QString csv = m_dir->filePath(QStringLiteral("usage.csv"));
    view.setExportPathProvider([&](BillingExportKind, const QString &) { return csv; });
    openView(view);
    // Only the first ten days.
    view.exportPanel()->toEdit()->setDate(QDate(2025, 3, 10));
    QTest::mouseClick(view.exportPanel()->usageButton(), Qt::LeftButton);
    QTRY_VERIFY(!view.exportPanel()->isExporting());
    QVERIFY2(view.exportPanel()->statusText().startsWith(QLatin1String("Wrote 10 rows")),
             qPrintable(view.exportPanel()->statusText()));
    const QList<QStringList> records = readCsv(csv);
    QCOMPARE(records.size(), 11);
    QCOMPARE(records.first(), (QStringList{"sample_uid", "at_utc", "at_ms", "lease_id",
                                           "purchaser_id", "site", "proxy", "requests", "bytes"}));
    qint64 requests = 0;
    for (int r = 1; r < records.size(); ++r) {
        QCOMPARE(column(records, r, "lease_id"), QString::number(f.lease));
        QCOMPARE(column(records, r, "purchaser_id"), QString::number(f.purchaser));
        requests += column(records, r, "requests").toLongLong();
    }
    QCOMPARE(requests, 10 * (kRequests / kSamples));
    QCOMPARE(column(records, 1, "at_utc"), QStringLiteral("2025-03-01T12:00:00.000Z"));

    // Another purchaser's filter exports none of these samples.
    view.setPurchaserFilter(other);
    QCOMPARE(view.purchaserCombo()->currentText(), QStringLiteral("Contoso Retail AG"));
    QTRY_COMPARE(view.board()->snapshot().purchaserId, std::optional<qint64>(other));
    QTest::mouseClick(view.exportPanel()->usageButton(), Qt::LeftButton);
    QTRY_VERIFY(!view.exportPanel()->isExporting());
    QCOMPARE(readCsv(csv).size(), 1);
}

void TestBillingView::cancelLargeUsageExport()
{
    constexpr int Large = 200000;
    QElapsedTimer timer;
    timer.start();
    makeDatabase(m_path, Large);
    qInfo("%d samples stored in %lld ms", Large, timer.elapsed());
    BillingView view;
    const QString csv = m_dir->filePath(QStringLiteral("large-usage.csv"));
    view.setExportPathProvider([&](BillingExportKind, const QString &) { return csv; });
    openView(view);
    BillingExportPanel *exports = view.exportPanel();

    // Progress moves, then Cancel stops it; nothing is left, not even a temporary file.
    QList<int> seen;
    connect(exports->exporter(), &BillingExporter::progress, this,
            [&seen](int permille, qint64) { seen.append(permille); });
    QTest::mouseClick(exports->usageButton(), Qt::LeftButton);
    QVERIFY(exports->isExporting());
    QVERIFY(exports->cancelButton()->isEnabled());
    QVERIFY(!exports->csvButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(exports->progressBar()->value() > 0, 60000);
    QVERIFY(exports->isExporting());
    QTest::mouseClick(exports->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY(!exports->isExporting());
    QVERIFY2(exports->statusText().contains(QLatin1String("cancelled")),
             qPrintable(exports->statusText()));
    QVERIFY(!QFile::exists(csv));
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden),
             (QStringList{"headroom.sqlite", "headroom.sqlite-shm", "headroom.sqlite-wal"}));
    // Stopped part way.
    QVERIFY(!seen.isEmpty());
    QVERIFY(seen.last() < 1000);
    QVERIFY(std::is_sorted(seen.cbegin(), seen.cend()));
    QVERIFY(exports->csvButton()->isEnabled());
    QVERIFY(!exports->cancelButton()->isEnabled());

    // An older file at the path stays as it was.
    {
        QFile old(csv);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("older export\r\n");
    }
    QTest::mouseClick(exports->usageButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(exports->progressBar()->value() > 0, 60000);
    QTest::mouseClick(exports->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY(!exports->isExporting());
    {
        QFile old(csv);
        QVERIFY(old.open(QIODevice::ReadOnly));
        QCOMPARE(old.readAll(), QByteArray("older export\r\n"));
    }

    // Left to run, the same export completes, its progress moving all along.
    seen.clear();
    timer.restart();
    QTest::mouseClick(exports->usageButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!exports->isExporting(), 120000);
    qInfo("%d samples exported in %lld ms, %lld progress reports", Large + kSamples,
          timer.elapsed(), qint64(seen.size()));
    QVERIFY2(exports->statusText().startsWith(QLatin1String("Wrote 200,030 rows")),
             qPrintable(exports->statusText()));
    QCOMPARE(exports->progressBar()->value(), 1000);
    QVERIFY(std::is_sorted(seen.cbegin(), seen.cend()));
    QVERIFY2(QSet<int>(seen.cbegin(), seen.cend()).size() >= 3, "progress did not move");
    QFile done(csv);
    QVERIFY(done.open(QIODevice::ReadOnly));
    qint64 lines = 0;
    while (!done.atEnd()) {
        done.readLine();
        ++lines;
    }
    QCOMPARE(lines, Large + kSamples + 1);
}

void TestBillingView::pdfExports()
{
    makeDatabase(m_path);
    {
        // Issued, through the repositories this time: the widgets' own run is tested above.
        Database db;
        QVERIFY(db.open(m_path));
        QString error;
        const auto report = InvoiceRun(db).run(*BillingPeriod::parse(kPeriod, &error), std::nullopt,
                                               utcMs(2025, 4, 2));
        QVERIFY(report && report.value().drafts.size() == 1);
        QVERIFY(BillingRepository(db).issue(report.value().drafts.first().id, utcMs(2025, 4, 2)));
    }
    BillingView view;
    QString target;
    view.setExportPathProvider([&](BillingExportKind, const QString &) { return target; });
    openView(view);
    const auto textOf = [](const QString &pdf) {
        QProcess p;
        p.start(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
        if (!p.waitForFinished(30000) || p.exitCode() != 0)
            return QString();
        return QString::fromUtf8(p.readAllStandardOutput());
    };
    const bool havePdfToText =
        !QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty();

    // The report of the range.
    target = m_dir->filePath(QStringLiteral("report.pdf"));
    QTest::mouseClick(view.exportPanel()->pdfButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!view.exportPanel()->isExporting(), 60000);
    QVERIFY2(view.exportPanel()->statusText().startsWith(QLatin1String("Wrote 1 document")),
             qPrintable(view.exportPanel()->statusText()));
    QFile report(target);
    QVERIFY(report.open(QIODevice::ReadOnly));
    QCOMPARE(report.read(5), QByteArray("%PDF-"));
    if (havePdfToText) {
        const QString text = textOf(target);
        QVERIFY2(text.contains(QLatin1String("734.53")), qPrintable(text.left(2000)));
        QVERIFY(text.contains(QLatin1String("Headroom Edge GmbH")));
    }

    // The selected invoice alone.
    QTRY_COMPARE(view.invoiceModel()->rowCount(), 1);
    const Invoice invoice = view.invoiceModel()->invoices().first();
    clickInvoice(view.invoicePanel()->table(), invoice.id);
    QVERIFY(view.invoicePanel()->pdfButton()->isEnabled());
    target = m_dir->filePath(invoice.number + QStringLiteral(".pdf"));
    QTest::mouseClick(view.invoicePanel()->pdfButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!view.exportPanel()->isExporting(), 60000);
    QFile single(target);
    QVERIFY2(single.open(QIODevice::ReadOnly), qPrintable(view.exportPanel()->statusText()));
    QCOMPARE(single.read(5), QByteArray("%PDF-"));
    if (havePdfToText) {
        const QString text = textOf(target);
        QVERIFY(text.contains(invoice.number));
        QVERIFY(text.contains(QLatin1String("734.53")));
    } else {
        qWarning("pdftotext not found: the PDFs' text was not checked");
    }

    // Paid elsewhere (headroomctl, another console): the view reads it when it is committed.
    {
        Database db;
        QVERIFY(db.open(m_path));
        QVERIFY(BillingRepository(db).markPaid(invoice.id, utcMs(2025, 4, 20)));
    }
    QTRY_COMPARE(cell(view.invoiceModel(), 0, InvoiceTableModel::State), QStringLiteral("Paid"));
}

void TestBillingView::creditNoteNeedsAReason()
{
    makeDatabase(m_path);
    BillingView view;
    openView(view);
    InvoicePanel *panel = view.invoicePanel();
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QTRY_COMPARE(view.invoiceModel()->rowCount(), 1);
    const qint64 id = view.invoiceModel()->invoices().first().id;
    clickInvoice(panel->table(), id);
    // A draft is not credited: a new run replaces it.
    QVERIFY(!panel->reasonEdit()->isEnabled());
    QVERIFY(!panel->creditButton()->isEnabled());
    QTest::mouseClick(panel->issueButton(), Qt::LeftButton);
    QTRY_COMPARE(cell(view.invoiceModel(), 0, InvoiceTableModel::State), QStringLiteral("Issued"));
    QVERIFY(panel->reasonEdit()->isEnabled());
    QVERIFY(!panel->creditButton()->isEnabled());
    QTest::keyClicks(panel->reasonEdit(), QStringLiteral("   "));
    QVERIFY(!panel->creditButton()->isEnabled());
    QTest::keyClick(panel->reasonEdit(), Qt::Key_Return);
    QTest::qWait(100);
    QCOMPARE(view.invoiceModel()->rowCount(), 1);
    panel->reasonEdit()->clear();
    QTest::keyClicks(panel->reasonEdit(), QStringLiteral("duplicate"));
    QVERIFY(panel->creditButton()->isEnabled());
    QTest::keyClick(panel->reasonEdit(), Qt::Key_Return);
    QTRY_COMPARE(view.invoiceModel()->rowCount(), 2);

    // Issuing a draft of a month that has not ended asks first; "no" leaves it a draft.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const BillingPeriod current = BillingPeriod::containing(now);
    qint64 firm = 0;
    {
        Database db;
        QVERIFY(db.open(m_path));
        const qint64 site = addSite(db, QStringLiteral("shop.example"),
                                    addPurchaser(db, QStringLiteral("Contoso Retail AG")), 2);
        const qint64 lease = addLease(db, site, LeaseKind::BestEffort, 100, current.startMs,
                                      current.endMs - 1, Tariff{QStringLiteral("EUR"), 0, 100, 0});
        QVERIFY(UsageRepository(db).record(
            {sample(lease, QStringLiteral("shop.example"), std::max(current.startMs, now - 60000),
                    5000, 0, QStringLiteral("proxy1/9/1/shop"))}));
        // A firm lease, active from now: what the run would charge is its time from now on.
        const qint64 other = addSite(db, QStringLiteral("video.example"),
                                     addPurchaser(db, QStringLiteral("Fabrikam Media")), 3);
        firm = addLease(db, other, LeaseKind::Firm, 100, now - 3600 * 1000, now + 7200 * 1000,
                        Tariff{QStringLiteral("EUR"), 3, 0, 0});
        LeaseRepository leases(db);
        QVERIFY(leases.transition(firm, LeaseState::Scheduled, LeaseState::Provisioning,
                                  QStringLiteral("test")));
        QVERIFY(leases.transition(firm, LeaseState::Provisioning, LeaseState::Active,
                                  QStringLiteral("test")));
    }
    int asked = 0;
    bool answer = false;
    view.setEarlyIssueConfirmation([&](const Invoice &invoice) {
        ++asked;
        [&] { QCOMPARE(invoice.period, current.name); }();
        return answer;
    });
    QVERIFY(view.setPeriod(current.name));
    QTRY_COMPARE(view.board()->snapshot().period.name, current.name);
    QTRY_VERIFY(panel->runButton()->text().endsWith(current.name));
    QTRY_COMPARE(view.unbilledModel()->rowCount(), 2);
    for (const UnbilledRow &row : view.unbilledModel()->rows()) {
        QCOMPARE(row.note, QStringLiteral("next invoice run"));
        QVERIFY(row.estimateMinor.value_or(0) > 0);
        if (row.leaseId == firm)
            // 100 req/s at EUR 0.03 per req/s and hour: EUR 3 an hour, at most two hours.
            QVERIFY(*row.estimateMinor <= 600);
    }
    // One purchaser, chosen in the filter: only their usage, and only their draft is made.
    QComboBox *purchasers = view.purchaserCombo();
    const int contoso = purchasers->findText(QStringLiteral("Contoso Retail AG"));
    QVERIFY(contoso > 0);
    purchasers->setCurrentIndex(contoso);
    QTRY_COMPARE(view.board()->snapshot().purchaserId, view.purchaserFilter());
    QVERIFY(view.purchaserFilter().has_value());
    QTRY_COMPARE(view.unbilledModel()->rowCount(), 1);
    QCOMPARE(cell(view.unbilledModel(), 0, UnbilledUsageModel::Site),
             QStringLiteral("shop.example"));
    QTest::mouseClick(panel->runButton(), Qt::LeftButton);
    QTRY_COMPARE(view.invoiceModel()->rowCount(), 1);
    const qint64 early = view.invoiceModel()->invoices().first().id;
    clickInvoice(panel->table(), early);
    QTest::mouseClick(panel->issueButton(), Qt::LeftButton);
    QCOMPARE(asked, 1);
    QTest::qWait(100);
    QCOMPARE(cell(view.invoiceModel(), 0, InvoiceTableModel::State), QStringLiteral("Draft"));
    answer = true;
    QTest::mouseClick(panel->issueButton(), Qt::LeftButton);
    QCOMPARE(asked, 2);
    QTRY_COMPARE(cell(view.invoiceModel(), 0, InvoiceTableModel::State), QStringLiteral("Issued"));
    // 5,000 requests at EUR 1.00 per 1,000, and 19 % tax.
    QCOMPARE(cell(view.invoiceModel(), 0, InvoiceTableModel::Total), QStringLiteral("EUR 5.95"));
}

void TestBillingView::screenshot()
{
    // A year of billing for three purchasers: best-effort leases, invoices issued each
    // month and paid after a few weeks; last month one is paid, one still owed, one credited and
    // billed again, and usage came in after the invoices; the current month is not billed yet.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const BillingPeriod current = BillingPeriod::containing(now);
    QList<BillingPeriod> months{current};
    for (int i = 1; i < 13; ++i)
        months.prepend(BillingPeriod::containing(months.first().startMs - 1));
    const BillingPeriod &last = months.at(11);
    {
        Database db;
        QVERIFY(db.open(m_path));
        setSettings(db);
        addProxy(db, QStringLiteral("proxy1"));
        const qint64 northwind = addPurchaser(db, QStringLiteral("Northwind Tickets Ltd"));
        const qint64 contoso = addPurchaser(db, QStringLiteral("Contoso Retail AG"));
        const qint64 fabrikam = addPurchaser(db, QStringLiteral("Fabrikam Media"));
        const qint64 tickets = addSite(db, QStringLiteral("tickets.example"), northwind, 1);
        const qint64 shop = addSite(db, QStringLiteral("shop.contoso.example"), contoso, 2);
        const qint64 video = addSite(db, QStringLiteral("video.fabrikam.example"), fabrikam, 3);
        const qint64 docs = addSite(db, QStringLiteral("docs.contoso.example"), contoso, 4);
        int uid = 0;
        const auto add = [&uid](QList<UsageSample> &to, qint64 lease, const QString &site,
                                qint64 at, qint64 requests, qint64 bytes) {
            to.append(sample(lease, site, at, requests, bytes,
                             QStringLiteral("proxy1/1/%1/%2").arg(++uid).arg(site)));
        };
        QList<UsageSample> late;
        BillingRepository billing(db);
        for (qsizetype m = 0; m < months.size(); ++m) {
            const BillingPeriod &p = months.at(m);
            const double growth = 1.0 + 0.07 * double(m) + (m % 3 == 1 ? 0.12 : 0.0);
            const qint64 end = std::min(p.endMs, now - 3600 * 1000);
            // Best effort, billed on what was carried. (Firm leases are billed for the time they
            // were active, which only the controller's lease events can say of past months.)
            const qint64 ticketing = addLease(db, tickets, LeaseKind::BestEffort, 200, p.startMs,
                                              p.endMs - 1, Tariff{QStringLiteral("EUR"), 0, 12, 0});
            const qint64 retail = addLease(db, shop, LeaseKind::BestEffort, 300, p.startMs,
                                           p.endMs - 1, Tariff{QStringLiteral("EUR"), 0, 40, 900});
            const qint64 media = addLease(db, video, LeaseKind::BestEffort, 500, p.startMs,
                                          p.endMs - 1, Tariff{QStringLiteral("EUR"), 0, 25, 1500});
            QList<UsageSample> samples;
            for (qint64 t = p.startMs + 6 * 3600 * 1000; t < end; t += 24 * 3600 * 1000) {
                add(samples, ticketing, QStringLiteral("tickets.example"), t,
                    qint64(240000 * growth), qint64(3e9 * growth));
                add(samples, retail, QStringLiteral("shop.contoso.example"), t,
                    qint64(410000 * growth), qint64(21e9 * growth));
                add(samples, media, QStringLiteral("video.fabrikam.example"), t,
                    qint64(260000 * growth), qint64(58e9 * growth));
                if (&p == &last && t + 24 * 3600 * 1000 >= p.endMs) {
                    // The last poll of the month, delivered after its invoice was issued.
                    add(late, retail, QStringLiteral("shop.contoso.example"), t + 3600 * 1000,
                        380000, 19000000000);
                    add(late, media, QStringLiteral("video.fabrikam.example"), t + 3600 * 1000,
                        240000, 52000000000);
                    UsageSample stray =
                        sample(0, QStringLiteral("old-cdn.example"), t + 3600 * 1000, 1830, 4100000,
                               QStringLiteral("proxy1/1/%1/stray").arg(++uid));
                    stray.leaseId.reset();
                    late.append(stray);
                }
            }
            if (&p == &months.last()) {
                // This month's new lease has no price yet.
                const qint64 docsLease =
                    addLease(db, docs, LeaseKind::BestEffort, 80, p.startMs, p.endMs - 1,
                             Tariff{QStringLiteral("EUR"), 0, 60, 0});
                add(samples, docsLease, QStringLiteral("docs.contoso.example"),
                    std::max(p.startMs, now - 7200 * 1000), 52000, 900000000);
            }
            must(UsageRepository(db).record(samples), "usage");
            if (&p == &months.last())
                break;
            const qint64 issuedAt = std::min(p.endMs + 2 * 24 * 3600 * 1000, now);
            const auto run = must(InvoiceRun(db).run(p, std::nullopt, issuedAt), "invoice run");
            for (const Invoice &draft : run.drafts) {
                const Invoice issued = must(billing.issue(draft.id, issuedAt), "issue");
                if (&p == &last && draft.purchaserId == fabrikam) {
                    must(billing.creditNote(issued.id, QStringLiteral("wrong per-GB price"),
                                            std::min(issuedAt + 3600 * 1000, now)),
                         "credit");
                    const auto again = must(InvoiceRun(db).run(p, fabrikam, now), "re-run");
                    for (const Invoice &d : again.drafts)
                        must(billing.issue(d.id, now), "re-issue");
                } else if (&p != &last || draft.purchaserId == northwind) {
                    must(billing.markPaid(issued.id,
                                          std::min(issuedAt + 20LL * 24 * 3600 * 1000, now)),
                         "paid");
                }
            }
        }
        must(UsageRepository(db).record(late), "late usage");
    }
    BillingView view;
    view.resize(1440, 940);
    QVERIFY(view.setPeriod(last.name));
    view.setDatabasePath(m_path);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.board()->hasSnapshot() && !view.board()->isReading());
    QCOMPARE(view.board()->snapshot().error, QString());
    QCOMPARE(view.board()->snapshot().period.name, last.name);
    QCOMPARE(view.invoiceModel()->rowCount(), 5);
    QVERIFY(view.unbilledModel()->rowCount() >= 3);
    QVERIFY(view.chart()->netMinor(0) > 0);
    QVERIFY(view.chart()->netMinor(11) > 0);
    for (const Invoice &i : view.invoiceModel()->invoices()) {
        if (i.state == InvoiceState::Issued && i.kind == InvoiceKind::Invoice)
            view.invoicePanel()->selectInvoice(i.id);
    }
    QTest::qWait(100);
    const QPixmap shot = view.grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-billing.png"))));
    }
}

QTEST_MAIN(TestBillingView)
#include "tst_billingview.moc"
