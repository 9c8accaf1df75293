#include "billingexportjob.h"

#include "billing/csvexport.h"
#include "billing/pdfreport.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/purchaserrepository.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QTemporaryFile>
#include <QTimeZone>

namespace headroom {

namespace {

QString day(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-dd"));
}

// The months whose invoices a range covers: every month it overlaps.
QList<BillingPeriod> monthsOf(qint64 fromMs, qint64 toMs)
{
    QList<BillingPeriod> months;
    for (BillingPeriod p = BillingPeriod::containing(fromMs); p.startMs < toMs;
         p = BillingPeriod::containing(p.endMs))
        months.append(p);
    return months;
}

BillingExportResult failed(const QString &error)
{
    BillingExportResult r;
    r.error = error;
    return r;
}

BillingExportResult cancelled(const QString &path)
{
    BillingExportResult r;
    r.cancelled = true;
    r.path = path;
    return r;
}

Result<QHash<qint64, QString>> purchaserNames(Database &database)
{
    const auto all = PurchaserRepository(database).all();
    if (!all)
        return all.error();
    QHash<qint64, QString> names;
    for (const Purchaser &p : all.value())
        names.insert(p.id, p.organisation);
    return names;
}

// Every document of the months the range overlaps, a month at a time; false when cancelled.
// `each` gets the month's documents; progress runs from 0 to `upTo` permille.
Result<bool> forEachMonth(const BillingRepository &billing, const BillingExportRequest &request,
                          const std::atomic_bool &cancel, const BillingExportProgress &progress,
                          int upTo, const std::function<bool(const QList<Invoice> &)> &each)
{
    const QList<BillingPeriod> months = monthsOf(request.fromMs, request.toMs);
    for (qsizetype i = 0; i < months.size(); ++i) {
        if (cancel.load(std::memory_order_relaxed))
            return false;
        InvoiceFilter filter;
        filter.fromPeriod = filter.toPeriod = months[i].name;
        filter.purchaserId = request.purchaserId;
        const auto documents = billing.invoices(filter, true);
        if (!documents)
            return documents.error();
        if (!each(documents.value()))
            return StoreError{QStringLiteral("writing failed")};
        progress(int((i + 1) * upTo / months.size()), -1);
    }
    return true;
}

BillingExportResult lineItems(Database &database, const BillingExportRequest &request,
                              const std::atomic_bool &cancel, const BillingExportProgress &progress)
{
    const auto names = purchaserNames(database);
    if (!names)
        return failed(names.error().message);
    QSaveFile file(request.path);
    if (!file.open(QIODevice::WriteOnly))
        return failed(QStringLiteral("cannot write %1: %2").arg(request.path, file.errorString()));
    BillingExportResult result;
    QString error;
    bool first = true;
    const auto written = forEachMonth(
        BillingRepository(database), request, cancel,
        [&](int permille, qint64) { progress(permille, result.rows); }, 1000,
        [&](const QList<Invoice> &documents) {
            QBuffer buffer;
            buffer.open(QIODevice::WriteOnly);
            if (!writeLineItemsCsv(buffer, documents, names.value(), &error))
                return false;
            QByteArray bytes = buffer.data();
            // Each piece starts with the header; the file has it once.
            if (!first)
                bytes.remove(0, bytes.indexOf("\r\n") + 2);
            first = false;
            if (file.write(bytes) != bytes.size()) {
                error = file.errorString();
                return false;
            }
            for (const Invoice &d : documents)
                result.rows += std::max<qsizetype>(1, d.lines.size());
            result.documents += documents.size();
            return true;
        });
    if (!written) {
        file.cancelWriting();
        return failed(error.isEmpty() ? written.error().message : error);
    }
    if (!written.value() || cancel.load()) {
        file.cancelWriting();
        return cancelled(request.path);
    }
    if (!file.commit())
        return failed(QStringLiteral("cannot write %1: %2").arg(request.path, file.errorString()));
    result.ok = true;
    result.path = request.path;
    return result;
}

BillingExportResult usage(Database &database, const BillingExportRequest &request,
                          const std::atomic_bool &cancel, const BillingExportProgress &progress)
{
    QSaveFile file(request.path);
    if (!file.open(QIODevice::WriteOnly))
        return failed(QStringLiteral("cannot write %1: %2").arg(request.path, file.errorString()));
    CsvWriter csv(file);
    // The columns of writeUsageCsv (docs/BILLING.md, "CSV, usage detail").
    for (const char *name : {"sample_uid", "at_utc", "at_ms", "lease_id", "purchaser_id", "site",
                             "proxy", "requests", "bytes"})
        csv.text(QString::fromLatin1(name));
    csv.endRecord();
    BillingExportResult result;
    bool stopped = false;
    qint64 seen = 0;
    const double span = double(std::max<qint64>(1, request.toMs - request.fromMs));
    const auto read = BillingRepository(database).forEachUsageSample(
        request.fromMs, request.toMs, std::nullopt, [&](const UsageRow &u) {
            if (cancel.load(std::memory_order_relaxed)) {
                stopped = true;
                return false;
            }
            // Samples come in time order, so how far into the range this one is, is how far the
            // export is: no count of the rows first (that would read them all twice).
            if ((++seen & 511) == 0)
                progress(int(double(u.atMs - request.fromMs) * 1000 / span), result.rows);
            if (request.purchaserId && u.purchaserId != request.purchaserId)
                return true;
            csv.text(u.sampleUid);
            csv.raw(isoUtc(u.atMs));
            csv.number(u.atMs);
            if (u.leaseId)
                csv.number(*u.leaseId);
            else
                csv.empty();
            if (u.purchaserId)
                csv.number(*u.purchaserId);
            else
                csv.empty();
            csv.text(u.site);
            csv.text(u.proxy);
            csv.number(u.requests);
            csv.number(u.bytes);
            csv.endRecord();
            ++result.rows;
            return true;
        });
    if (!read) {
        file.cancelWriting();
        return failed(read.error().message);
    }
    QString error;
    if (stopped || cancel.load()) {
        file.cancelWriting();
        return cancelled(request.path);
    }
    if (!csv.finish(&error)) {
        file.cancelWriting();
        return failed(error);
    }
    if (!file.commit())
        return failed(QStringLiteral("cannot write %1: %2").arg(request.path, file.errorString()));
    progress(1000, result.rows);
    result.ok = true;
    result.path = request.path;
    return result;
}

// Renders into a temporary file, then copies it into place through a QSaveFile: a PDF cannot be
// laid out in pieces, so a cancel during the layout takes effect when it is done.
BillingExportResult pdf(const PdfReportInput &input, const BillingExportRequest &request,
                        const std::atomic_bool &cancel, const BillingExportProgress &progress)
{
    progress(-1, 0);
    QTemporaryFile rendered(QDir::temp().filePath(QStringLiteral("headroom-billing-XXXXXX.pdf")));
    if (!rendered.open())
        return failed(
            QStringLiteral("cannot make a temporary file: %1").arg(rendered.errorString()));
    rendered.close();
    QString error;
    if (!writePdfReport(rendered.fileName(), input, &error))
        return failed(error);
    if (cancel.load())
        return cancelled(request.path);
    QFile source(rendered.fileName());
    QSaveFile target(request.path);
    if (!source.open(QIODevice::ReadOnly))
        return failed(QStringLiteral("cannot read the rendered PDF: %1").arg(source.errorString()));
    if (!target.open(QIODevice::WriteOnly))
        return failed(
            QStringLiteral("cannot write %1: %2").arg(request.path, target.errorString()));
    const QByteArray bytes = source.readAll();
    if (target.write(bytes) != bytes.size() || cancel.load()) {
        target.cancelWriting();
        return cancel.load() ? cancelled(request.path)
                             : failed(QStringLiteral("cannot write %1: %2")
                                          .arg(request.path, target.errorString()));
    }
    if (!target.commit())
        return failed(
            QStringLiteral("cannot write %1: %2").arg(request.path, target.errorString()));
    progress(1000, 0);
    BillingExportResult result;
    result.ok = true;
    result.path = request.path;
    result.documents = input.documents.size();
    return result;
}

BillingExportResult report(Database &database, const BillingExportRequest &request,
                           const std::atomic_bool &cancel, const BillingExportProgress &progress)
{
    const BillingRepository billing(database);
    const auto names = purchaserNames(database);
    const auto settings = billing.settings();
    if (!names || !settings)
        return failed(!names ? names.error().message : settings.error().message);
    PdfReportInput input;
    input.seller = settings.value();
    input.purchaserNames = names.value();
    input.title =
        QStringLiteral("Billing report %1 to %2").arg(day(request.fromMs), day(request.toMs - 1));
    if (request.purchaserId)
        input.title += QStringLiteral(", ") + (request.purchaserName.isEmpty()
                                                   ? names.value().value(*request.purchaserId)
                                                   : request.purchaserName);
    // Reading is the part that can be measured: the first 40 %.
    const auto read = forEachMonth(billing, request, cancel, progress, 400,
                                   [&input](const QList<Invoice> &documents) {
                                       input.documents += documents;
                                       return true;
                                   });
    if (!read)
        return failed(read.error().message);
    if (!read.value())
        return cancelled(request.path);
    for (const Invoice &d : std::as_const(input.documents))
        input.numbersById.insert(d.id, d.number);
    return pdf(input, request, cancel, progress);
}

BillingExportResult invoicePdf(Database &database, const BillingExportRequest &request,
                               const std::atomic_bool &cancel,
                               const BillingExportProgress &progress)
{
    const BillingRepository billing(database);
    const auto found = billing.invoice(request.invoiceId);
    const auto names = purchaserNames(database);
    const auto settings = billing.settings();
    if (!found || !names || !settings)
        return failed(!found   ? found.error().message
                      : !names ? names.error().message
                               : settings.error().message);
    if (!found.value())
        return failed(QStringLiteral("invoice %1 is gone").arg(request.invoiceId));
    const Invoice &invoice = *found.value();
    PdfReportInput input;
    input.seller = settings.value();
    input.purchaserNames = names.value();
    input.documents = {invoice};
    input.summary = false;
    input.title = invoice.number.isEmpty() ? QStringLiteral("Draft invoice") : invoice.number;
    if (invoice.creditNoteFor) {
        const auto original = billing.invoice(*invoice.creditNoteFor);
        if (original && original.value())
            input.numbersById.insert(*invoice.creditNoteFor, original.value()->number);
    }
    return pdf(input, request, cancel, progress);
}

} // namespace

BillingExportResult runBillingExport(Database &database, const BillingExportRequest &request,
                                     const std::atomic_bool &cancel,
                                     const BillingExportProgress &progress)
{
    if (request.path.isEmpty())
        return failed(QStringLiteral("no file to write to"));
    if (request.kind != BillingExportKind::InvoicePdf && request.toMs <= request.fromMs)
        return failed(QStringLiteral("the range ends before it starts"));
    switch (request.kind) {
    case BillingExportKind::LineItemsCsv:
        return lineItems(database, request, cancel, progress);
    case BillingExportKind::UsageCsv:
        return usage(database, request, cancel, progress);
    case BillingExportKind::ReportPdf:
        return report(database, request, cancel, progress);
    case BillingExportKind::InvoicePdf:
        return invoicePdf(database, request, cancel, progress);
    }
    return failed(QStringLiteral("unknown export"));
}

QString suggestedExportName(const BillingExportRequest &request, const QString &invoiceNumber)
{
    const QString range =
        QStringLiteral("%1-to-%2").arg(day(request.fromMs), day(request.toMs - 1));
    switch (request.kind) {
    case BillingExportKind::LineItemsCsv:
        return QStringLiteral("headroom-invoice-lines-%1.csv").arg(range);
    case BillingExportKind::UsageCsv:
        return QStringLiteral("headroom-usage-%1.csv").arg(range);
    case BillingExportKind::ReportPdf:
        return QStringLiteral("headroom-billing-report-%1.pdf").arg(range);
    case BillingExportKind::InvoicePdf:
        return (invoiceNumber.isEmpty() ? QStringLiteral("draft-invoice-%1").arg(request.invoiceId)
                                        : invoiceNumber) +
               QStringLiteral(".pdf");
    }
    return {};
}

} // namespace headroom
