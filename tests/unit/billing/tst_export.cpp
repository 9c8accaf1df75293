// Exports: RFC 4180 CSV (quoting, CRLF, formula guard) read back by a small RFC 4180 parser of
// the test's own, line items and usage detail that parse back to the store's numbers, and a PDF
// whose text (pdftotext) holds the totals.
#include "billing/csvexport.h"
#include "billing/invoicerun.h"
#include "billing/money.h"
#include "billing/pdfreport.h"
#include "billingtestdata.h"
#include "store/billingrepository.h"
#include "store/tariffrepository.h"

#include <QBuffer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <limits>
#include <memory>

using namespace headroom;
using namespace headroom::billingtest;

namespace {

// RFC 4180, strictly: records end with CRLF; a quoted field may hold commas, CR, LF and doubled
// quotes; a quote inside an unquoted field is an error. nullopt on malformed input.
std::optional<QList<QStringList>> parseCsv(const QByteArray &bytes)
{
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    bool quoted = false;
    bool wasQuoted = false;
    qsizetype i = 0;
    const auto endField = [&] {
        record.append(QString::fromUtf8(field));
        field.clear();
        wasQuoted = false;
    };
    while (i < bytes.size()) {
        const char c = bytes[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < bytes.size() && bytes[i + 1] == '"') {
                    field.append('"');
                    i += 2;
                    continue;
                }
                quoted = false;
                ++i;
                continue;
            }
            field.append(c);
            ++i;
            continue;
        }
        if (c == '"') {
            if (!field.isEmpty() || wasQuoted)
                return std::nullopt;
            quoted = true;
            wasQuoted = true;
            ++i;
        } else if (c == ',') {
            endField();
            ++i;
        } else if (c == '\r') {
            if (i + 1 >= bytes.size() || bytes[i + 1] != '\n')
                return std::nullopt;
            endField();
            records.append(record);
            record.clear();
            i += 2;
        } else if (c == '\n') {
            return std::nullopt; // a bare LF ends no record
        } else {
            if (wasQuoted)
                return std::nullopt; // text after the closing quote
            field.append(c);
            ++i;
        }
    }
    if (quoted || !field.isEmpty() || !record.isEmpty())
        return std::nullopt; // the last record must end with CRLF
    return records;
}

// "1234.56" -> 123456 for a two-digit currency, from the text alone.
std::optional<qint64> parseMinorText(const QString &text, int digits)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("(-?)(\\d+)(?:\\.(\\d+))?")));
    const auto m = re.match(text);
    if (!m.hasMatch() || m.captured(3).size() != digits)
        return std::nullopt;
    qint64 scale = 1;
    for (int i = 0; i < digits; ++i)
        scale *= 10;
    const qint64 v = m.captured(2).toLongLong() * scale + (digits ? m.captured(3).toLongLong() : 0);
    return m.captured(1).isEmpty() ? v : -v;
}

// The same, or a sentinel no amount has (so a mismatch shows in QCOMPARE).
qint64 parseMinor(const QString &text, int digits)
{
    return parseMinorText(text, digits).value_or(std::numeric_limits<qint64>::min());
}

QByteArray encodeOne(const QString &value)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    CsvWriter csv(buffer);
    csv.text(value);
    csv.endRecord();
    QString error;
    if (!csv.finish(&error))
        return {};
    return buffer.data();
}

} // namespace

class TestExport final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void quoting_data();
    void quoting();
    void isoUtc_data();
    void isoUtc();
    void lineItemsParseBackToTheSameNumbers();
    void usageDetailParsesBack();
    void failingDeviceIsReported();
    void pdfHoldsTheTotals();
    void pdfToABadPathLeavesNothing();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    qint64 m_lease2 = 0;
    qint64 m_lease3 = 0;
};

// Two purchasers in March: an issued invoice that is then credited (so the export holds an
// invoice, a void invoice's credit note and a draft), with names that need quoting.
void TestExport::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>();
    QVERIFY(m_db->open(m_dir->filePath(QStringLiteral("h.sqlite"))).ok());
    Database &db = *m_db;
    BillingSettings s;
    s.companyName = QStringLiteral("Headroom Edge GmbH");
    s.companyAddress = QStringLiteral("Kantstr. 1\n10623 Berlin");
    s.taxId = QStringLiteral("DE123456789");
    s.taxRateBp = 1900;
    QVERIFY(BillingRepository(db).setSettings(s).ok());
    QVERIFY(addProxy(db, QStringLiteral("proxy1")));
    const qint64 a = addPurchaser(db, QStringLiteral("Shop, \"Quoted\" Ltd"));
    const qint64 b = addPurchaser(db, QStringLiteral("=cmd|' /C calc'!A0"));
    const qint64 shop = addSite(db, QStringLiteral("shop.example"), a);
    const qint64 news = addSite(db, QStringLiteral("news.example"), b);
    const qint64 l1 =
        addLease(db, shop, LeaseKind::Firm, 12.5, utcMs(2026, 3, 10, 10), utcMs(2026, 3, 10, 13));
    m_lease2 = addLease(db, shop, LeaseKind::BestEffort, 50, utcMs(2026, 3, 1), utcMs(2026, 3, 31));
    m_lease3 = addLease(db, news, LeaseKind::BestEffort, 50, utcMs(2026, 3, 5), utcMs(2026, 3, 6));
    QVERIFY(TariffRepository(db).set(l1, {QStringLiteral("EUR"), 333, 0, 0}).ok());
    QVERIFY(activate(db, l1, utcMs(2026, 3, 10, 10)));
    QVERIFY(TariffRepository(db).set(m_lease2, {QStringLiteral("EUR"), 0, 250, 10}).ok());
    QVERIFY(TariffRepository(db).set(m_lease3, {QStringLiteral("EUR"), 0, 77, 0}).ok());
    QList<UsageSample> usage;
    for (int i = 0; i < 500; ++i) {
        usage.append(sample(QStringLiteral("proxy1"), 0, i + 1, i % 3 ? m_lease2 : m_lease3,
                            i % 3 ? QStringLiteral("shop.example") : QStringLiteral("news.example"),
                            utcMs(2026, 3, 5) + i * 1001, quint64(100 + i), quint64(1000000 + i)));
    }
    QCOMPARE(UsageRepository(db).record(usage).value(), 500);
    QString error;
    const BillingPeriod march = *BillingPeriod::parse(QStringLiteral("2026-03"), &error);
    BillingRepository repository(db);
    QVERIFY(InvoiceRun(db).run(march, a, utcMs(2026, 4, 1)).ok());
    const auto issued =
        repository.issue(repository.invoices({}, false).value().first().id, utcMs(2026, 4, 2));
    QVERIFY(issued.ok());
    QVERIFY(repository
                .creditNote(issued.value().id, QStringLiteral("wrong, \"very\" wrong"),
                            utcMs(2026, 4, 3))
                .ok());
    QVERIFY(InvoiceRun(db).run(march, std::nullopt, utcMs(2026, 4, 4)).ok());
    QCOMPARE(repository.invoices({}, false).value().size(), 4);
}

void TestExport::quoting_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("plain") << "shop.example" << QByteArray("shop.example\r\n");
    QTest::newRow("empty") << "" << QByteArray("\r\n");
    QTest::newRow("comma") << "a,b" << QByteArray("\"a,b\"\r\n");
    QTest::newRow("quote") << "say \"hi\"" << QByteArray("\"say \"\"hi\"\"\"\r\n");
    QTest::newRow("newline") << "line 1\nline 2" << QByteArray("\"line 1\nline 2\"\r\n");
    QTest::newRow("carriage return") << "a\rb" << QByteArray("\"a\rb\"\r\n");
    QTest::newRow("utf-8") << QStringLiteral("Müller & Söhne")
                           << QByteArray("M\xc3\xbcller & S\xc3\xb6hne\r\n");
    QTest::newRow("formula") << "=1+1" << QByteArray("'=1+1\r\n");
    QTest::newRow("formula plus") << "+49 30" << QByteArray("'+49 30\r\n");
    QTest::newRow("formula minus") << "-x" << QByteArray("'-x\r\n");
    QTest::newRow("formula at") << "@SUM(A1)" << QByteArray("'@SUM(A1)\r\n");
    QTest::newRow("formula with comma") << "=A1,B1" << QByteArray("\"'=A1,B1\"\r\n");
}

void TestExport::quoting()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, encoded);
    const QByteArray got = encodeOne(value);
    QCOMPARE(got, encoded);
    const auto parsed = parseCsv(got);
    QVERIFY(parsed);
    QCOMPARE(parsed->size(), 1);
    const QString back = parsed->first().value(0);
    QCOMPARE(back.startsWith(QLatin1Char('\'')) && !value.startsWith(QLatin1Char('\''))
                 ? back.mid(1)
                 : back,
             value);
}

void TestExport::isoUtc_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::newRow("epoch") << qint64(0);
    QTest::newRow("before the epoch") << qint64(-1);
    QTest::newRow("leap day") << utcMs(2024, 2, 29, 23, 59, 59) + 999;
    QTest::newRow("century, not leap") << utcMs(2100, 3, 1);
    QTest::newRow("now-ish") << qint64(1764079595123);
    QTest::newRow("year 9999") << utcMs(9999, 12, 31, 23, 59, 59) + 999;
}

void TestExport::isoUtc()
{
    QFETCH(qint64, ms);
    QCOMPARE(QString::fromLatin1(headroom::isoUtc(ms)),
             QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs));
}

void TestExport::lineItemsParseBackToTheSameNumbers()
{
    const auto documents = BillingRepository(*m_db).invoices({}, true).value();
    QHash<qint64, QString> names;
    for (const Purchaser &p : PurchaserRepository(*m_db).all().value())
        names.insert(p.id, p.organisation);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QString error;
    QVERIFY2(writeLineItemsCsv(buffer, documents, names, &error), qPrintable(error));
    const auto parsed = parseCsv(buffer.data());
    QVERIFY2(parsed, "the export is not RFC 4180");
    const QStringList header = parsed->first();
    QCOMPARE(header.size(), 25);
    const auto col = [&](const char *name) { return header.indexOf(QLatin1String(name)); };
    for (const QStringList &r : *parsed)
        QCOMPARE(r.size(), header.size());

    qsizetype expectedRows = 0;
    for (const Invoice &d : documents)
        expectedRows += std::max<qsizetype>(1, d.lines.size());
    QCOMPARE(parsed->size() - 1, expectedRows);

    // Every number read back from the text equals the store's, and the columns add up.
    QHash<qint64, qint64> lineSums;
    qsizetype row = 1;
    for (const Invoice &d : documents) {
        for (const InvoiceLine &l : d.lines) {
            const QStringList &r = (*parsed)[row++];
            QCOMPARE(r[col("document_id")].toLongLong(), d.id);
            QCOMPARE(r[col("document_number")], d.number);
            QCOMPARE(r[col("document_kind")], invoiceKindName(d.kind));
            QCOMPARE(r[col("document_state")], invoiceStateName(d.state));
            QCOMPARE(r[col("lease_id")].toLongLong(), l.leaseId);
            QCOMPARE(r[col("description")], l.description);
            QCOMPARE(parseMinor(r[col("unit_price")], 2), l.unitPriceMinor);
            QCOMPARE(parseMinor(r[col("charge")], 2), l.chargeMinor);
            QCOMPARE(parseMinor(r[col("credit")], 2), l.creditMinor);
            QCOMPARE(parseMinor(r[col("amount")], 2), l.amountMinor);
            QCOMPARE(parseMinor(r[col("quantity")], 3), l.quantityMilli);
            QCOMPARE(r[col("requests")].toLongLong(), l.requests);
            QCOMPARE(r[col("bytes")].toLongLong(), l.bytes);
            const qint64 subtotal = parseMinor(r[col("document_subtotal")], 2);
            const qint64 tax = parseMinor(r[col("document_tax")], 2);
            QCOMPARE(subtotal, d.subtotalMinor);
            QCOMPARE(tax, d.taxMinor);
            QCOMPARE(parseMinor(r[col("document_total")], 2), subtotal + tax);
            QCOMPARE(r[col("tax_rate_bp")].toInt(), d.taxRateBp);
            lineSums[d.id] += parseMinor(r[col("amount")], 2);
            if (d.kind == InvoiceKind::CreditNote)
                QVERIFY(r[col("credit_note_for")].startsWith(QLatin1String("HR-2026-")));
            const QString name = r[col("purchaser")];
            QVERIFY2(name == names.value(d.purchaserId) ||
                         name == QLatin1Char('\'') + names.value(d.purchaserId),
                     qPrintable(name));
        }
    }
    for (const Invoice &d : documents)
        QCOMPARE(lineSums.value(d.id), d.subtotalMinor);
    // The purchaser whose name is a formula is exported inert.
    QVERIFY(buffer.data().contains("'=cmd|' /C calc'!A0"));
    QVERIFY(!buffer.data().contains(",=cmd"));
}

void TestExport::usageDetailParsesBack()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QString error;
    const BillingRepository repository(*m_db);
    const auto rows = writeUsageCsv(buffer, repository, utcMs(2026, 3, 1), utcMs(2026, 4, 1),
                                    std::nullopt, &error);
    QVERIFY2(rows, qPrintable(error));
    QCOMPARE(*rows, qint64(500));
    const auto parsed = parseCsv(buffer.data());
    QVERIFY(parsed);
    QCOMPARE(parsed->size(), 501);
    QCOMPARE(parsed->first().join(QLatin1Char(',')),
             QStringLiteral("sample_uid,at_utc,at_ms,lease_id,purchaser_id,site,proxy,requests,"
                            "bytes"));
    QHash<qint64, qint64> requests;
    QHash<qint64, qint64> bytes;
    qint64 lastAt = 0;
    for (qsizetype i = 1; i < parsed->size(); ++i) {
        const QStringList &r = (*parsed)[i];
        const qint64 at = r[2].toLongLong();
        QVERIFY(at >= lastAt); // in time order
        lastAt = at;
        QCOMPARE(r[1], QDateTime::fromMSecsSinceEpoch(at, Qt::UTC).toString(Qt::ISODateWithMs));
        QCOMPARE(r[6], QStringLiteral("proxy1"));
        requests[r[3].toLongLong()] += r[7].toLongLong();
        bytes[r[3].toLongLong()] += r[8].toLongLong();
    }
    for (const qint64 lease : {m_lease2, m_lease3}) {
        const auto totals = UsageRepository(*m_db).totalsForLease(lease).value();
        QCOMPARE(requests.value(lease), qint64(totals.first));
        QCOMPARE(bytes.value(lease), qint64(totals.second));
    }
    // One lease, a narrower range.
    QBuffer one;
    one.open(QIODevice::WriteOnly);
    const auto some = writeUsageCsv(one, repository, utcMs(2026, 3, 5), utcMs(2026, 3, 5) + 10010,
                                    m_lease3, &error);
    QCOMPARE(*some, qint64(4)); // samples 0, 3, 6, 9 of the first ten
}

void TestExport::failingDeviceIsReported()
{
    QFile readOnly(m_dir->filePath(QStringLiteral("ro.csv")));
    QVERIFY(readOnly.open(QIODevice::WriteOnly));
    readOnly.close();
    QVERIFY(readOnly.open(QIODevice::ReadOnly));
    QString error;
    QVERIFY(!writeLineItemsCsv(readOnly, BillingRepository(*m_db).invoices({}, true).value(), {},
                               &error));
    QVERIFY(error.contains(QLatin1String("failed")));
}

void TestExport::pdfHoldsTheTotals()
{
    const auto documents = BillingRepository(*m_db).invoices({}, true).value();
    PdfReportInput input;
    input.seller = BillingRepository(*m_db).settings().value();
    input.title = QStringLiteral("Billing report 2026-03-01 to 2026-03-31");
    input.documents = documents;
    for (const Invoice &d : documents)
        input.numbersById.insert(d.id, d.number);
    for (const Purchaser &p : PurchaserRepository(*m_db).all().value())
        input.purchaserNames.insert(p.id, p.organisation);
    const QString file = m_dir->filePath(QStringLiteral("report.pdf"));
    QString error;
    QVERIFY2(writePdfReport(file, input, &error), qPrintable(error));

    QProcess info;
    info.start(QStringLiteral("pdfinfo"), {file});
    QVERIFY(info.waitForFinished(30000));
    QCOMPARE(info.exitCode(), 0);
    const QString meta = QString::fromUtf8(info.readAllStandardOutput());
    const auto pages = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(meta);
    QVERIFY2(pages.hasMatch() && pages.captured(1).toInt() >= 1 + documents.size(),
             qPrintable(meta));

    QProcess text;
    text.start(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), file, QStringLiteral("-")});
    QVERIFY(text.waitForFinished(30000));
    QCOMPARE(text.exitCode(), 0);
    // Whitespace as one space: the layout may wrap a title or a name.
    const QString body = QString::fromUtf8(text.readAllStandardOutput()).simplified();
    QVERIFY(body.contains(QLatin1String("Headroom Edge GmbH")));
    QVERIFY(body.contains(QLatin1String("DE123456789")));
    QVERIFY2(body.contains(QLatin1String("Billing report 2026-03-01 to 2026-03-31")),
             qPrintable(body.left(3000)));
    qint64 net = 0;
    for (const Invoice &d : documents) {
        QVERIFY2(body.contains(money::format(d.totalMinor, d.currency)),
                 qPrintable(money::format(d.totalMinor, d.currency)));
        QVERIFY(body.contains(money::format(d.subtotalMinor, d.currency)));
        QVERIFY(body.contains(money::format(d.taxMinor, d.currency)));
        if (!d.number.isEmpty())
            QVERIFY(body.contains(d.number));
        if (d.state != InvoiceState::Draft)
            net += d.totalMinor;
    }
    QCOMPARE(net, 0); // an invoice and its credit note
    QVERIFY(body.contains(QLatin1String("Net billed in EUR: EUR 0.00")));
}

void TestExport::pdfToABadPathLeavesNothing()
{
    PdfReportInput input;
    input.title = QStringLiteral("x");
    QString error;
    const QString file = m_dir->filePath(QStringLiteral("no/such/dir/report.pdf"));
    QVERIFY(!writePdfReport(file, input, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!QFile::exists(file));
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"
