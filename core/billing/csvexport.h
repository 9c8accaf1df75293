#pragma once

#include "billing/invoice.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <optional>

class QIODevice;

namespace headroom {

class BillingRepository;

// Writes RFC 4180 CSV: comma-separated fields, CRLF after every record, a field quoted (with inner
// quotes doubled) when it holds a comma, a quote, CR or LF. UTF-8. Text that a spreadsheet would
// run as a formula (starting with = + - @ or a tab) gets a leading apostrophe: exports hold names
// purchasers chose. Numbers are written as they are. Buffered; nothing is written to the device
// until 1 MiB is collected or finish() is called.
class CsvWriter final
{
public:
    explicit CsvWriter(QIODevice &device);

    void text(const QString &value);
    void number(qint64 value);
    void decimal(const QString &value); // a number already formatted ("12.34", "-0.05")
    void raw(const QByteArray &ascii);  // needs no quoting: digits, '-', ':', '.', letters
    void isoTime(qint64 ms);            // isoUtc(ms), written in place
    void empty();
    void endRecord();
    // Writes what is buffered; false with *error when the device refused it.
    bool finish(QString *error);

private:
    void separator();
    void flushIfFull();

    QIODevice &m_device;
    QByteArray m_buffer;
    bool m_atRecordStart = true;
    bool m_failed = false;
};

// One row per invoice line (a document without lines still gets one row), with the document's
// number, kind, state, period, purchaser and totals on every row. Money as plain decimals of the
// document's currency ("1234.56"), quantities with three decimals. `purchaserNames` by id.
bool writeLineItemsCsv(QIODevice &out, const QList<Invoice> &documents,
                       const QHash<qint64, QString> &purchaserNames, QString *error);

// Every usage sample with fromMs <= at < toMs (of one lease, if given), one row each, streamed
// from the database in time order. Returns the number of rows, or nullopt with *error.
std::optional<qint64> writeUsageCsv(QIODevice &out, const BillingRepository &repository,
                                    qint64 fromMs, qint64 toMs, std::optional<qint64> leaseId,
                                    QString *error);

// "2026-11-25T14:06:35.123Z", from integer arithmetic (the export's hot path).
QByteArray isoUtc(qint64 ms);

} // namespace headroom
