#pragma once

#include "billing/invoice.h"

#include <QColor>
#include <QIcon>
#include <QString>

namespace headroom::presentation {

// How invoices and usage look in the console: state words and colours, numbers, bytes, months.
// Amounts are always formatted from integer minor units (money::format), never from doubles.

// "Draft", "Issued", "Paid", "Void"; an issued credit note is "Credit note".
QString invoiceStateText(const Invoice &invoice);
QColor invoiceStateColor(const Invoice &invoice);
QIcon invoiceStateDot(const QColor &color);
// The number, or "draft" while it has none.
QString invoiceNumberText(const Invoice &invoice);
// "HR-2026-000001 (shop GmbH, 2026-10)" or "the draft of shop GmbH for 2026-10", for messages.
QString invoiceLabel(const Invoice &invoice, const QString &purchaserName);

// "1,234,567"
QString countText(qint64 count);
// "999 B", "12.3 kB", "4.56 GB" (decimal units, as the tariff's GB is 10^9 bytes).
QString bytesText(qint64 bytes);
// "Nov 2026" for "2026-11".
QString periodText(const QString &period);
// "Nov" (or "Nov 26" when `withYear`) for "2026-11", for the chart's axis.
QString periodShortText(const QString &period, bool withYear);

} // namespace headroom::presentation
