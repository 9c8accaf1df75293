#pragma once

#include <QString>
#include <atomic>
#include <functional>
#include <optional>

namespace headroom {

class Database;

enum class BillingExportKind
{
    LineItemsCsv, // one row per invoice line of the documents whose month overlaps the range
    UsageCsv,     // one row per metered sample in the range
    ReportPdf,    // the operator's details, a summary and every document of the range
    InvoicePdf    // one invoice or credit note
};

struct BillingExportRequest
{
    BillingExportKind kind = BillingExportKind::LineItemsCsv;
    QString path;      // the file to write; replaced only when the export is complete
    qint64 fromMs = 0; // [fromMs, toMs), UTC
    qint64 toMs = 0;
    std::optional<qint64> purchaserId; // only this purchaser's documents and samples
    QString purchaserName;             // for the report's title
    qint64 invoiceId = 0;              // InvoicePdf
};

struct BillingExportResult
{
    bool ok = false;
    bool cancelled = false;
    QString error;
    QString path;
    qint64 rows = 0;      // CSV records written, header not counted
    qint64 documents = 0; // invoices and credit notes written
};

// How far an export is: permille of the work done, or -1 while it cannot be measured (a PDF
// being laid out); rows written so far. Called on the exporting thread, often: keep it cheap.
using BillingExportProgress = std::function<void(int permille, qint64 rows)>;

// Runs one export on the calling thread with `database` (a connection of that thread). The work
// is cut into pieces - invoices month by month, usage sample by sample in time order - so that
// progress moves and `cancel` is seen within a few milliseconds. The file is written through a
// temporary file and renamed into place only when complete: a cancelled or failed export leaves
// nothing new at `path` (an older file there stays as it was).
//
// The core's writeLineItemsCsv and writeUsageCsv write a whole export in one call, with neither
// progress nor a way to stop; this writes the same columns (line items through
// writeLineItemsCsv, a month at a time; usage through CsvWriter, row by row).
BillingExportResult runBillingExport(Database &database, const BillingExportRequest &request,
                                     const std::atomic_bool &cancel,
                                     const BillingExportProgress &progress);

// "headroom-line-items-2026-10-01-to-2026-10-31.csv" and the like: a name for the save dialog.
QString suggestedExportName(const BillingExportRequest &request, const QString &invoiceNumber = {});

} // namespace headroom
