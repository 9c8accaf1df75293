#pragma once

#include "billing/invoice.h"

#include <QHash>
#include <QString>

namespace headroom {

// What a PDF billing report shows: the operator's details, a title (the range), a summary of the
// documents with net totals per currency, then each document on pages of its own.
struct PdfReportInput
{
    BillingSettings seller;
    QString title;
    QList<Invoice> documents;              // with their lines
    QHash<qint64, QString> purchaserNames; // for drafts, which copy the buyer only at issue
    QHash<qint64, QString> numbersById;    // credit notes name the invoice they cancel
    bool summary = true;                   // false: the documents alone (one invoice as a PDF)
};

// Renders with Qt (QTextDocument onto a QPdfWriter, A4) and writes the file atomically: on any
// failure nothing is left at `path`. Needs a QGuiApplication (fonts); false with *error without
// one. Every amount is formatted from integer minor units (money::format).
bool writePdfReport(const QString &path, const PdfReportInput &input, QString *error);

} // namespace headroom
