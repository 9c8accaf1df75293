// Invoices in the store: the invoice run, re-runs that replace drafts only, gapless numbers (also
// with two connections issuing at once), issued invoices the database itself refuses to change,
// the state transitions and credit notes, and metering that counts every request exactly once
// (duplicates, replays, a proxy restart in the middle of the month).
#include "billing/invoicerun.h"
#include "billingtestdata.h"
#include "fleet/counterrate.h"
#include "store/billingrepository.h"
#include "store/tariffrepository.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <memory>

using namespace headroom;
using namespace headroom::billingtest;

namespace {

// Every figure in these tests is worked out from this set-up by hand:
//   purchaser A: L1 firm 10 req/s, 2 h in March at EUR 1.00/req/s-h      -> 2000
//                L2 best effort, 1,501 requests at 2.50/1k and 3 GB at 0.10/GB
//                   (375.25 + 30 = 405.25)                                  -> 405
//                subtotal 2405, tax 19 % = 456.95                           -> 457, total 2862
//   purchaser B: L3 best effort, 3,000 requests at USD 1.00/1k             -> 300
//                tax 57, total 357 (a USD invoice of its own)
//   not billed:  L4 (B, firm, no tariff), L5 (site without purchaser); L6 is in April.
struct March
{
    qint64 a = 0;
    qint64 b = 0;
    qint64 l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0;
    BillingPeriod period;
};

QVariant scalar(Database &db, const QString &sql)
{
    QSqlQuery q(db.connection());
    if (!q.exec(sql) || !q.next())
        return {};
    return q.value(0);
}

// Runs sql and returns the error text, empty when it succeeded.
QString execute(Database &db, const QString &sql)
{
    QSqlQuery q(db.connection());
    return q.exec(sql) ? QString() : q.lastError().text();
}

QString rowDump(Database &db, qint64 invoiceId)
{
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("SELECT * FROM invoices WHERE id = ?"));
    q.addBindValue(invoiceId);
    QStringList parts;
    if (q.exec() && q.next()) {
        for (int i = 0; i < 30 && q.value(i).isValid(); ++i)
            parts.append(q.value(i).toString());
    }
    QSqlQuery lines(db.connection());
    lines.prepare(QStringLiteral("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY id"));
    lines.addBindValue(invoiceId);
    if (lines.exec()) {
        while (lines.next()) {
            for (int i = 0; i < 20 && lines.value(i).isValid(); ++i)
                parts.append(lines.value(i).toString());
        }
    }
    return parts.join(QLatin1Char('|'));
}

} // namespace

class TestInvoices final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void runRatesEveryLeaseOfThePeriod();
    void rerunReplacesDraftsOnly();
    void rerunForOnePurchaserLeavesTheOthers();
    void numbersOnlyAtIssueAndWithoutGaps();
    void concurrentIssueFromTwoConnections();
    void issuedInvoiceIsImmutable();
    void stateTransitions();
    void creditNoteVoidsAndTheNextRunBillsAgain();
    void aLeaseIsNeverBilledTwice();
    void duplicatedAndReplayedSamplesLeaveTotalsUnchanged();
    void proxyRestartMidPeriodNeitherLosesNorDoubleCounts();
    void unbilledUsage();
    void settingsAreValidated();

private:
    void setUpMarch();
    Invoice draftOf(qint64 purchaser);
    QString path() const { return m_dir->filePath(QStringLiteral("headroom.sqlite")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    March m;
};

void TestInvoices::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>();
    QVERIFY(m_db->open(path()).ok());
}

void TestInvoices::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestInvoices::setUpMarch()
{
    Database &db = *m_db;
    QString error;
    m.period = *BillingPeriod::parse(QStringLiteral("2026-03"), &error);
    BillingSettings s;
    s.companyName = QStringLiteral("Headroom Edge GmbH");
    s.companyAddress = QStringLiteral("Kantstr. 1\n10623 Berlin");
    s.taxId = QStringLiteral("DE123456789");
    s.taxRateBp = 1900;
    s.currency = QStringLiteral("EUR");
    QVERIFY(BillingRepository(db).setSettings(s).ok());
    QVERIFY(addProxy(db, QStringLiteral("proxy1")));
    m.a = addPurchaser(db, QStringLiteral("Shop Ltd"));
    m.b = addPurchaser(db, QStringLiteral("News plc"));
    const qint64 shop = addSite(db, QStringLiteral("shop.example"), m.a);
    const qint64 news = addSite(db, QStringLiteral("news.example"), m.b);
    const qint64 blog = addSite(db, QStringLiteral("blog.example"), std::nullopt);
    m.l1 = addLease(db, shop, LeaseKind::Firm, 10, utcMs(2026, 3, 10, 10), utcMs(2026, 3, 10, 12));
    m.l2 = addLease(db, shop, LeaseKind::BestEffort, 50, utcMs(2026, 3, 1), utcMs(2026, 3, 31));
    m.l3 = addLease(db, news, LeaseKind::BestEffort, 50, utcMs(2026, 3, 5), utcMs(2026, 3, 6));
    m.l4 = addLease(db, news, LeaseKind::Firm, 5, utcMs(2026, 3, 5), utcMs(2026, 3, 6));
    m.l5 = addLease(db, blog, LeaseKind::BestEffort, 5, utcMs(2026, 3, 5), utcMs(2026, 3, 6));
    m.l6 = addLease(db, shop, LeaseKind::Firm, 10, utcMs(2026, 4, 10, 10), utcMs(2026, 4, 10, 12));
    QVERIFY(activate(db, m.l1, utcMs(2026, 3, 10, 9, 59)));
    TariffRepository tariffs(db);
    QVERIFY(tariffs.set(m.l1, {QStringLiteral("EUR"), 100, 0, 0}).ok());
    QVERIFY(tariffs.set(m.l2, {QStringLiteral("EUR"), 0, 250, 10}).ok());
    QVERIFY(tariffs.set(m.l3, {QStringLiteral("USD"), 0, 100, 0}).ok());
    QVERIFY(tariffs.set(m.l5, {QStringLiteral("EUR"), 0, 100, 0}).ok());
    QVERIFY(tariffs.set(m.l6, {QStringLiteral("EUR"), 100, 0, 0}).ok());
    const QString p = QStringLiteral("proxy1");
    const QList<UsageSample> usage = {
        sample(p, 0, 1, m.l2, QStringLiteral("shop.example"), utcMs(2026, 3, 2), 1000, 2000000000),
        sample(p, 0, 2, m.l2, QStringLiteral("shop.example"), utcMs(2026, 3, 3), 500, 1000000000),
        sample(p, 0, 3, m.l2, QStringLiteral("shop.example"), utcMs(2026, 3, 31, 23, 59, 59), 1, 0),
        // Outside March: not billed in it.
        sample(p, 0, 4, m.l2, QStringLiteral("shop.example"), utcMs(2026, 4, 1), 7000, 0),
        sample(p, 0, 0, m.l2, QStringLiteral("shop.example"), utcMs(2026, 2, 28, 23, 59, 59), 9000,
               0),
        sample(p, 0, 5, m.l3, QStringLiteral("news.example"), utcMs(2026, 3, 5, 1), 1000, 0),
        sample(p, 0, 6, m.l3, QStringLiteral("news.example"), utcMs(2026, 3, 5, 2), 2000, 0),
        sample(p, 0, 7, m.l5, QStringLiteral("blog.example"), utcMs(2026, 3, 5, 2), 2000, 0)};
    QCOMPARE(UsageRepository(db).record(usage).value(), int(usage.size()));
}

Invoice TestInvoices::draftOf(qint64 purchaser)
{
    InvoiceFilter f;
    f.fromPeriod = f.toPeriod = m.period.name;
    f.purchaserId = purchaser;
    f.state = InvoiceState::Draft;
    const auto list = BillingRepository(*m_db).invoices(f, true);
    return list && list.value().size() == 1 ? list.value().first() : Invoice{};
}

void TestInvoices::runRatesEveryLeaseOfThePeriod()
{
    setUpMarch();
    const auto report = InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1, 9));
    QVERIFY2(report.ok(), qPrintable(report.error().message));
    QCOMPARE(report.value().drafts.size(), 2);
    QCOMPARE(report.value().replacedDrafts, 0);

    const Invoice a = draftOf(m.a);
    QCOMPARE(a.currency, QStringLiteral("EUR"));
    QCOMPARE(a.lines.size(), 2);
    QCOMPARE(a.lines[0].leaseId, m.l1);
    QCOMPARE(a.lines[0].amountMinor, qint64(2000));
    QCOMPARE(a.lines[1].leaseId, m.l2);
    QCOMPARE(a.lines[1].requests, qint64(1501));
    QCOMPARE(a.lines[1].bytes, qint64(3000000000));
    QCOMPARE(a.lines[1].amountMinor, qint64(405));
    QCOMPARE(a.subtotalMinor, qint64(2405));
    QCOMPARE(a.taxRateBp, 1900);
    QCOMPARE(a.taxMinor, qint64(457));
    QCOMPARE(a.totalMinor, qint64(2862));
    QVERIFY(a.number.isEmpty());
    QCOMPARE(a.state, InvoiceState::Draft);

    const Invoice b = draftOf(m.b);
    QCOMPARE(b.currency, QStringLiteral("USD"));
    QCOMPARE(b.lines.size(), 1);
    QCOMPARE(b.totalMinor, qint64(357));

    // The leases that were not billed are listed with the reason.
    QStringList skipped;
    for (const SkippedLease &s : report.value().skipped) {
        QVERIFY(!s.error);
        skipped.append(QStringLiteral("%1 %2").arg(s.leaseId).arg(s.reason));
    }
    QCOMPARE(skipped.size(), 2);
    QVERIFY2(skipped[0].startsWith(QStringLiteral("%1 no tariff").arg(m.l4)),
             qPrintable(skipped[0]));
    QVERIFY2(skipped[1].startsWith(
                 QStringLiteral("%1 its site blog.example has no purchaser").arg(m.l5)),
             qPrintable(skipped[1]));
}

void TestInvoices::rerunReplacesDraftsOnly()
{
    setUpMarch();
    BillingRepository repository(*m_db);
    QVERIFY(InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1)).ok());
    const Invoice a = draftOf(m.a);
    const auto issued = repository.issue(a.id, utcMs(2026, 4, 2));
    QVERIFY2(issued.ok(), qPrintable(issued.error().message));
    const QString before = rowDump(*m_db, a.id);
    const Invoice oldB = draftOf(m.b);

    // Late usage for both purchasers, then the period again.
    const QString p = QStringLiteral("proxy1");
    QVERIFY(UsageRepository(*m_db)
                .record({sample(p, 0, 20, m.l2, QStringLiteral("shop.example"), utcMs(2026, 3, 20),
                                4000, 0),
                         sample(p, 0, 21, m.l3, QStringLiteral("news.example"),
                                utcMs(2026, 3, 5, 3), 1000, 0)})
                .ok());
    const auto again = InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 3));
    QVERIFY(again.ok());
    QCOMPARE(again.value().replacedDrafts, 1);
    QCOMPARE(again.value().drafts.size(), 1); // only B: A's leases are on HR-2026-000001
    QCOMPARE(rowDump(*m_db, a.id), before);   // the issued invoice did not change at all
    int billedAlready = 0;
    for (const SkippedLease &s : again.value().skipped)
        billedAlready += s.reason.contains(QLatin1String("billed on HR-2026-000001")) ? 1 : 0;
    QCOMPARE(billedAlready, 2); // L1 and L2
    const Invoice newB = draftOf(m.b);
    QVERIFY(newB.id != oldB.id);
    QCOMPARE(newB.totalMinor, qint64(400 + 76)); // 4,000 requests now
    QVERIFY(!repository.invoice(oldB.id).value().has_value());
    QCOMPARE(scalar(*m_db, QStringLiteral("SELECT count(*) FROM invoices")).toInt(), 2);
}

void TestInvoices::rerunForOnePurchaserLeavesTheOthers()
{
    setUpMarch();
    QVERIFY(InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1)).ok());
    const Invoice a = draftOf(m.a);
    const Invoice b = draftOf(m.b);
    const auto again = InvoiceRun(*m_db).run(m.period, m.b, utcMs(2026, 4, 1));
    QVERIFY(again.ok());
    QCOMPARE(again.value().replacedDrafts, 1);
    QCOMPARE(again.value().drafts.size(), 1);
    QCOMPARE(draftOf(m.a).id, a.id);
    QVERIFY(draftOf(m.b).id != b.id);
    QCOMPARE(draftOf(m.b).totalMinor, b.totalMinor);
}

void TestInvoices::numbersOnlyAtIssueAndWithoutGaps()
{
    Database &db = *m_db;
    BillingRepository repository(db);
    // Twelve purchasers, each with one best-effort lease in March and April.
    QList<qint64> purchasers;
    for (int i = 0; i < 12; ++i) {
        const qint64 p = addPurchaser(db, QStringLiteral("P%1").arg(i));
        const qint64 site = addSite(db, QStringLiteral("s%1.example").arg(i), p);
        const qint64 lease =
            addLease(db, site, LeaseKind::Firm, 1, utcMs(2026, 3, 31, 23), utcMs(2026, 4, 1, 1));
        QVERIFY(TariffRepository(db).set(lease, {QStringLiteral("EUR"), 100, 0, 0}).ok());
        purchasers.append(p);
    }
    QString error;
    const BillingPeriod march = *BillingPeriod::parse(QStringLiteral("2026-03"), &error);
    const BillingPeriod april = *BillingPeriod::parse(QStringLiteral("2026-04"), &error);
    // Drafts, replaced three times: none of this takes a number.
    for (int round = 0; round < 3; ++round) {
        QVERIFY(InvoiceRun(db).run(march, std::nullopt, utcMs(2026, 5, 1)).ok());
        QVERIFY(InvoiceRun(db).run(april, std::nullopt, utcMs(2026, 5, 1)).ok());
    }
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM invoices WHERE number IS NOT NULL"))
                 .toInt(),
             0);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM invoice_series")).toInt(), 0);
    const auto drafts = repository.invoices({}, false).value();
    QCOMPARE(drafts.size(), 24);
    // A refused issue (the month has not ended) takes no number either.
    QVERIFY(!repository.issue(drafts.first().id, utcMs(2026, 3, 20)).ok());
    QStringList numbers;
    for (qsizetype i = 0; i < drafts.size(); ++i) {
        // Issue in an interleaved order, with a refused second issue between.
        const Invoice &d = drafts[(i * 5) % drafts.size()];
        const auto issued = repository.issue(d.id, utcMs(2026, 5, 2));
        QVERIFY2(issued.ok(), qPrintable(issued.error().message));
        numbers.append(issued.value().number);
        QVERIFY(!repository.issue(d.id, utcMs(2026, 5, 2)).ok());
    }
    for (qsizetype i = 0; i < numbers.size(); ++i)
        QCOMPARE(numbers[i], QStringLiteral("HR-2026-%1").arg(i + 1, 6, 10, QLatin1Char('0')));
    // Credit notes have their own series; a new year starts a new one.
    const auto note =
        repository.creditNote(drafts[3].id, QStringLiteral("wrong rate"), utcMs(2026, 5, 3));
    QVERIFY2(note.ok(), qPrintable(note.error().message));
    QCOMPARE(note.value().number, QStringLiteral("CN-2026-000001"));
    QVERIFY(InvoiceRun(db).run(march, std::nullopt, utcMs(2027, 1, 5)).ok());
    const auto redo =
        repository.invoices({march.name, march.name, std::nullopt, InvoiceState::Draft}, false);
    QCOMPARE(redo.value().size(), 1);
    QCOMPARE(repository.issue(redo.value().first().id, utcMs(2027, 1, 5)).value().number,
             QStringLiteral("HR-2027-000001"));
}

void TestInvoices::concurrentIssueFromTwoConnections()
{
    Database &db = *m_db;
    constexpr int kDrafts = 40;
    for (int i = 0; i < kDrafts; ++i) {
        const qint64 p = addPurchaser(db, QStringLiteral("P%1").arg(i));
        const qint64 lease = addLease(db, addSite(db, QStringLiteral("s%1.example").arg(i), p),
                                      LeaseKind::Firm, 1, utcMs(2026, 3, 2), utcMs(2026, 3, 3));
        QVERIFY(TariffRepository(db).set(lease, {QStringLiteral("EUR"), 100, 0, 0}).ok());
    }
    QString error;
    QVERIFY(InvoiceRun(db)
                .run(*BillingPeriod::parse(QStringLiteral("2026-03"), &error), std::nullopt,
                     utcMs(2026, 4, 1))
                .ok());
    QList<qint64> ids;
    for (const Invoice &i : BillingRepository(db).invoices({}, false).value())
        ids.append(i.id);
    QCOMPARE(ids.size(), kDrafts);

    // Two connections (each on its own thread, as two processes would be) issue every draft:
    // both try each one, so every issue races another.
    const QString file = path();
    std::atomic<int> issued{0};
    std::atomic<int> refused{0};
    std::atomic<int> failed{0};
    const auto issuer = [&](bool reverse) {
        Database own;
        if (!own.open(file).ok()) {
            failed += kDrafts;
            return;
        }
        BillingRepository repository(own);
        for (int n = 0; n < kDrafts; ++n) {
            const qint64 id = ids[reverse ? kDrafts - 1 - n : n];
            const auto r = repository.issue(id, utcMs(2026, 4, 2));
            if (r.ok())
                ++issued;
            else if (r.error().message.contains(QLatin1String("issued already")))
                ++refused;
            else
                ++failed;
        }
    };
    std::unique_ptr<QThread> one(QThread::create(issuer, false));
    std::unique_ptr<QThread> two(QThread::create(issuer, true));
    one->start();
    two->start();
    QVERIFY(one->wait(60000));
    QVERIFY(two->wait(60000));
    QCOMPARE(failed.load(), 0);
    QCOMPARE(issued.load(), kDrafts);
    QCOMPARE(refused.load(), kDrafts);

    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT seq, number FROM invoices ORDER BY seq")));
    int expected = 1;
    while (q.next()) {
        QCOMPARE(q.value(0).toInt(), expected);
        QCOMPARE(q.value(1).toString(),
                 QStringLiteral("HR-2026-%1").arg(expected, 6, 10, QLatin1Char('0')));
        ++expected;
    }
    QCOMPARE(expected - 1, kDrafts);
    q.finish();
    QCOMPARE(scalar(db, QStringLiteral("SELECT last FROM invoice_series WHERE series = "
                                       "'HR-2026'"))
                 .toInt(),
             kDrafts);
}

void TestInvoices::issuedInvoiceIsImmutable()
{
    setUpMarch();
    QVERIFY(InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1)).ok());
    const Invoice a = draftOf(m.a);
    const Invoice b = draftOf(m.b);
    // A draft may still be changed (the triggers guard issued invoices only).
    QCOMPARE(execute(*m_db, QStringLiteral("UPDATE invoice_lines SET description = 'x' WHERE "
                                           "invoice_id = %1")
                                .arg(b.id)),
             QString());
    QVERIFY(BillingRepository(*m_db).issue(a.id, utcMs(2026, 4, 2)).ok());
    const QString before = rowDump(*m_db, a.id);
    const qint64 line = a.lines.first().id;
    for (const QString &sql :
         {QStringLiteral("UPDATE invoices SET total_minor = total_minor + 1, subtotal_minor = "
                         "subtotal_minor + 1 WHERE id = %1"),
          QStringLiteral("UPDATE invoices SET tax_minor = 0, total_minor = subtotal_minor WHERE "
                         "id = %1"),
          QStringLiteral("UPDATE invoices SET number = 'HR-2026-000099' WHERE id = %1"),
          QStringLiteral("UPDATE invoices SET buyer_name = 'Someone else' WHERE id = %1"),
          QStringLiteral("UPDATE invoices SET issued_at = 0 WHERE id = %1"),
          QStringLiteral("UPDATE invoices SET state = 'draft' WHERE id = %1"),
          QStringLiteral("UPDATE invoices SET state = 'void' WHERE id = %1"),
          QStringLiteral("DELETE FROM invoices WHERE id = %1"),
          QStringLiteral("DELETE FROM invoice_lines WHERE invoice_id = %1"),
          QStringLiteral("INSERT INTO invoice_lines (invoice_id, lease_id, lease_kind, "
                         "description, quantity_milli, unit, unit_price_minor, charge_minor, "
                         "credit_minor, amount_minor) SELECT %1, lease_id, lease_kind, 'more', 1, "
                         "'x', 1, 1, 0, 1 FROM invoice_lines WHERE invoice_id = %1 LIMIT 1")}) {
        const QString error = execute(*m_db, sql.arg(a.id));
        QVERIFY2(!error.isEmpty(), qPrintable(sql));
        QVERIFY2(error.contains(QLatin1String("never")) ||
                     error.contains(QLatin1String("credit note")) ||
                     error.contains(QLatin1String("invoice states")),
                 qPrintable(error));
    }
    const QString lineUpdate = execute(
        *m_db,
        QStringLiteral("UPDATE invoice_lines SET amount_minor = 0, charge_minor = 0 WHERE id = %1")
            .arg(line));
    QVERIFY(lineUpdate.contains(QLatin1String("never change")));
    QCOMPARE(rowDump(*m_db, a.id), before);
}

void TestInvoices::stateTransitions()
{
    setUpMarch();
    BillingRepository repository(*m_db);
    QVERIFY(InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1)).ok());
    const Invoice a = draftOf(m.a);
    const Invoice b = draftOf(m.b);
    const qint64 now = utcMs(2026, 4, 2);
    QVERIFY(!repository.markPaid(a.id, now).ok());                        // a draft is not paid
    QVERIFY(!repository.creditNote(a.id, QStringLiteral("x"), now).ok()); // nor credited
    QVERIFY(!repository.issue(a.id, utcMs(2026, 3, 31, 23)).ok());        // the month goes on
    QVERIFY(repository.issue(a.id, utcMs(2026, 3, 31, 23), true).ok());   // unless on purpose
    QVERIFY(!repository.issue(a.id, now).ok());
    QVERIFY(!repository.creditNote(a.id, QString(), now).ok()); // a reason is required
    QVERIFY(!repository.creditNote(a.id, QStringLiteral("bad\x01reason"), now).ok());
    const auto paid = repository.markPaid(a.id, now);
    QVERIFY(paid.ok());
    QCOMPARE(paid.value().state, InvoiceState::Paid);
    QVERIFY(!repository.markPaid(a.id, now).ok());
    // A paid invoice can still be corrected (a refund is then owed).
    const auto note = repository.creditNote(a.id, QStringLiteral("refund"), now);
    QVERIFY2(note.ok(), qPrintable(note.error().message));
    QCOMPARE(repository.invoice(a.id).value()->state, InvoiceState::Void);
    QVERIFY(!repository.creditNote(a.id, QStringLiteral("again"), now).ok());
    QVERIFY(!repository.creditNote(note.value().id, QStringLiteral("credit a credit"), now).ok());
    QVERIFY(!repository.markPaid(note.value().id, now).ok());
    QVERIFY(!repository.markPaid(a.id, now).ok());
    // A plain issued invoice can be voided only through its credit note, never directly.
    QVERIFY(repository.issue(b.id, now).ok());
    QVERIFY(
        execute(*m_db, QStringLiteral("UPDATE invoices SET state = 'void' WHERE id = %1").arg(b.id))
            .contains(QLatin1String("credit note")));
    QVERIFY(!repository.issue(424242, now).ok());
    QVERIFY(!repository.markPaid(424242, now).ok());
}

void TestInvoices::creditNoteVoidsAndTheNextRunBillsAgain()
{
    setUpMarch();
    BillingRepository repository(*m_db);
    QVERIFY(InvoiceRun(*m_db).run(m.period, m.a, utcMs(2026, 4, 1)).ok());
    const auto invoice = repository.issue(draftOf(m.a).id, utcMs(2026, 4, 2));
    QVERIFY(invoice.ok());
    const auto note = repository.creditNote(
        invoice.value().id, QStringLiteral("tariff of L2 was wrong"), utcMs(2026, 4, 5));
    QVERIFY2(note.ok(), qPrintable(note.error().message));
    const Invoice n = *repository.invoice(note.value().id).value();
    QCOMPARE(n.kind, InvoiceKind::CreditNote);
    QCOMPARE(n.state, InvoiceState::Issued);
    QCOMPARE(n.number, QStringLiteral("CN-2026-000001"));
    QCOMPARE(n.creditNoteFor, std::optional<qint64>(invoice.value().id));
    QCOMPARE(n.reason, QStringLiteral("tariff of L2 was wrong"));
    QCOMPARE(n.subtotalMinor, -invoice.value().subtotalMinor);
    QCOMPARE(n.taxMinor, -invoice.value().taxMinor);
    QCOMPARE(n.totalMinor, qint64(-2862));
    QCOMPARE(n.sellerName, invoice.value().sellerName);
    QCOMPARE(n.buyerName, QStringLiteral("Shop Ltd"));
    qint64 sum = 0;
    for (const InvoiceLine &l : n.lines)
        sum += l.amountMinor;
    QCOMPARE(sum, n.subtotalMinor);
    QCOMPARE(repository.invoice(invoice.value().id).value()->state, InvoiceState::Void);

    // Corrected tariff, next run: the leases are billed again, on a new number.
    QVERIFY(TariffRepository(*m_db).set(m.l2, {QStringLiteral("EUR"), 0, 200, 10}).ok());
    const auto rerun = InvoiceRun(*m_db).run(m.period, m.a, utcMs(2026, 4, 6));
    QVERIFY(rerun.ok());
    QCOMPARE(rerun.value().drafts.size(), 1);
    const Invoice fixed = draftOf(m.a);
    QCOMPARE(fixed.lines.size(), 2);
    QCOMPARE(fixed.subtotalMinor, qint64(2000 + 330)); // 300.2 + 30 -> 330
    QCOMPARE(repository.issue(fixed.id, utcMs(2026, 4, 6)).value().number,
             QStringLiteral("HR-2026-000002"));
}

void TestInvoices::aLeaseIsNeverBilledTwice()
{
    setUpMarch();
    BillingRepository repository(*m_db);
    QVERIFY(InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1)).ok());
    Invoice a = draftOf(m.a);
    QVERIFY(repository.issue(a.id, utcMs(2026, 4, 2)).ok());
    // A stale draft holding an issued lease (as a run racing an issue would produce) is refused.
    a.id = 0;
    a.state = InvoiceState::Draft;
    a.number.clear();
    const auto stored = repository.replaceDrafts(m.period.name, m.a, {a});
    QVERIFY(!stored.ok());
    QVERIFY2(stored.error().message.contains(QLatin1String("billed on HR-2026-000001")),
             qPrintable(stored.error().message));
    QCOMPARE(scalar(*m_db, QStringLiteral("SELECT count(*) FROM invoices")).toInt(), 2);
}

void TestInvoices::duplicatedAndReplayedSamplesLeaveTotalsUnchanged()
{
    setUpMarch();
    const auto first = InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1));
    QVERIFY(first.ok());
    const qint64 totalA = draftOf(m.a).totalMinor;
    const qint64 totalB = draftOf(m.b).totalMinor;

    // Every sample again (a replayed batch), and a batch with a duplicate inside it.
    const QString p = QStringLiteral("proxy1");
    UsageRepository usage(*m_db);
    const QList<UsageSample> replay = {
        sample(p, 0, 1, m.l2, QStringLiteral("shop.example"), utcMs(2026, 3, 2), 1000, 2000000000),
        sample(p, 0, 2, m.l2, QStringLiteral("shop.example"), utcMs(2026, 3, 3), 500, 1000000000),
        sample(p, 0, 5, m.l3, QStringLiteral("news.example"), utcMs(2026, 3, 5, 1), 1000, 0)};
    QCOMPARE(usage.record(replay).value(), 0);
    QCOMPARE(usage.record(replay + replay).value(), 0);
    // A replay with different figures under the same identity is still the same sample.
    UsageSample altered = replay.first();
    altered.requests = 999999;
    QCOMPARE(usage.record({altered}).value(), 0);

    const auto second = InvoiceRun(*m_db).run(m.period, std::nullopt, utcMs(2026, 4, 1));
    QVERIFY(second.ok());
    QCOMPARE(draftOf(m.a).totalMinor, totalA);
    QCOMPARE(draftOf(m.b).totalMinor, totalB);
    QCOMPARE(usage.totalsForLease(m.l2).value().first, quint64(1000 + 500 + 1 + 7000 + 9000));
}

// What the controller writes around a restart of a proxy: deltas from CounterRate's reset rule,
// uids "proxy/epoch/poll/host" with the epoch bumped at the restart. The month's invoice bills
// exactly what the proxy counted, however often samples are delivered again.
void TestInvoices::proxyRestartMidPeriodNeitherLosesNorDoubleCounts()
{
    Database &db = *m_db;
    QVERIFY(addProxy(db, QStringLiteral("proxy1")));
    const qint64 purchaser = addPurchaser(db, QStringLiteral("Shop Ltd"));
    const qint64 lease =
        addLease(db, addSite(db, QStringLiteral("shop.example"), purchaser), LeaseKind::BestEffort,
                 100, utcMs(2026, 3, 1), utcMs(2026, 3, 31));
    QVERIFY(TariffRepository(db).set(lease, {QStringLiteral("EUR"), 0, 1000, 0}).ok()); // 1 ct/req

    // The proxy's counter: baseline 0, then 100, 250, 400; it restarts (counts from 0 again):
    // 30, 80, 200. What it counted after the baseline: 400 + 200 = 600.
    struct Reading
    {
        quint64 value;
        bool restarted;
    };
    const QList<Reading> readings = {{0, false}, {100, false}, {250, false}, {400, false},
                                     {30, true}, {80, false},  {200, false}};
    CounterRate counter;
    int epoch = 0;
    QList<UsageSample> written;
    UsageRepository usage(db);
    for (qsizetype poll = 0; poll < readings.size(); ++poll) {
        if (readings[poll].restarted)
            ++epoch;
        const CounterStep step = counter.update(readings[poll].value, (poll + 1) * 1000000000LL,
                                                readings[poll].restarted);
        if (step.baseline || step.delta == 0)
            continue;
        const UsageSample s = sample(QStringLiteral("proxy1"), epoch, int(poll + 1), lease,
                                     QStringLiteral("shop.example"),
                                     utcMs(2026, 3, 10) + poll * 1000, step.delta, step.delta * 10);
        written.append(s);
        QCOMPARE(usage.record({s}).value(), 1);
        // Everything delivered so far arrives again after each poll (a replayed queue).
        QCOMPARE(usage.record(written).value(), 0);
    }
    QCOMPARE(epoch, 1);
    QCOMPARE(usage.totalsForLease(lease).value().first, quint64(600));
    QString error;
    const auto report = InvoiceRun(db).run(*BillingPeriod::parse(QStringLiteral("2026-03"), &error),
                                           std::nullopt, utcMs(2026, 4, 1));
    QVERIFY(report.ok());
    QCOMPARE(report.value().drafts.size(), 1);
    QCOMPARE(report.value().drafts.first().lines.first().requests, qint64(600));
    QCOMPARE(report.value().drafts.first().subtotalMinor, qint64(600));
}

void TestInvoices::unbilledUsage()
{
    setUpMarch();
    BillingRepository repository(*m_db);
    const auto before = repository.unbilledUsage(utcMs(2026, 3, 1), utcMs(2026, 4, 1), m.l2);
    QVERIFY(before.ok());
    QCOMPARE(before.value().size(), 1);
    QCOMPARE(before.value().first().requests, qint64(1501));
    QCOMPARE(before.value().first().billedRequests, qint64(0));

    QVERIFY(InvoiceRun(*m_db).run(m.period, m.a, utcMs(2026, 4, 1)).ok());
    QVERIFY(repository.issue(draftOf(m.a).id, utcMs(2026, 4, 1)).ok());
    // A sample that arrives after the invoice: unbilled.
    QVERIFY(
        UsageRepository(*m_db)
            .record({sample(QStringLiteral("proxy1"), 0, 40, m.l2, QStringLiteral("shop.example"),
                            utcMs(2026, 3, 31, 23, 59, 59) + 5, 9, 0)})
            .ok());
    const auto after =
        repository.unbilledUsage(utcMs(2026, 3, 15), utcMs(2026, 3, 16), std::nullopt);
    QVERIFY(after.ok());
    bool sawL2 = false;
    bool sawBlog = false;
    for (const UnbilledUsage &u : after.value()) {
        QCOMPARE(u.period, QStringLiteral("2026-03")); // the whole month, from a day in it
        if (u.leaseId == m.l2) {
            sawL2 = true;
            QCOMPARE(u.requests, qint64(1510));
            QCOMPARE(u.billedRequests, qint64(1501));
            QCOMPARE(u.invoiceNumbers, QStringList{QStringLiteral("HR-2026-000001")});
        }
        if (u.leaseId == m.l5) {
            sawBlog = true;
            QCOMPARE(u.billedRequests, qint64(0));
        }
    }
    QVERIFY(sawL2);
    QVERIFY(sawBlog);
}

void TestInvoices::settingsAreValidated()
{
    BillingRepository repository(*m_db);
    BillingSettings s;
    s.companyName = QStringLiteral("ACME");
    s.taxRateBp = 10001;
    QVERIFY(!repository.setSettings(s).ok());
    s.taxRateBp = -1;
    QVERIFY(!repository.setSettings(s).ok());
    s.taxRateBp = 2000;
    s.currency = QStringLiteral("euro");
    QVERIFY(!repository.setSettings(s).ok());
    s.currency = QStringLiteral("EUR");
    s.companyName = QStringLiteral("bad\x07name");
    QVERIFY(!repository.setSettings(s).ok());
    s.companyName = QString(201, QLatin1Char('x'));
    QVERIFY(!repository.setSettings(s).ok());
    QCOMPARE(repository.settings().value().taxRateBp, 0); // nothing stored
    s.companyName = QStringLiteral("ACME");
    s.companyAddress = QStringLiteral("line 1\nline 2");
    QVERIFY(repository.setSettings(s).ok());
    QCOMPARE(repository.settings().value().companyAddress, s.companyAddress);
    QCOMPARE(repository.settings().value().taxRateBp, 2000);
    QVERIFY(!TariffRepository(*m_db).set(1, {QStringLiteral("EUR"), -1, 0, 0}).ok());
    QVERIFY(!TariffRepository(*m_db).set(1, {QStringLiteral("EU"), 1, 0, 0}).ok());
    QVERIFY(!TariffRepository(*m_db).set(424242, {QStringLiteral("EUR"), 1, 0, 0}).ok());
    QVERIFY(!TariffRepository(*m_db).get(424242).value().has_value());
}

QTEST_GUILESS_MAIN(TestInvoices)
#include "tst_invoices.moc"
