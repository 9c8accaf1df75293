#include "billing/csvexport.h"

#include "billing/money.h"
#include "store/billingrepository.h"

#include <QIODevice>
#include <charconv>

namespace headroom {
namespace {

constexpr qsizetype kFlushBytes = 1 << 20;

void appendInt(QByteArray &buffer, qint64 value)
{
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, value);
    buffer.append(digits, r.ptr - digits);
}

// Thousandths as a plain decimal: "1234.567", "-0.500".
QString milliDecimal(qint64 milli)
{
    const bool negative = milli < 0;
    const quint64 m = negative ? quint64(0) - quint64(milli) : quint64(milli);
    return (negative ? QStringLiteral("-") : QString()) + QString::number(m / 1000) +
           QLatin1Char('.') + QStringLiteral("%1").arg(m % 1000, 3, 10, QLatin1Char('0'));
}

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days algorithm).
void civilFromDays(qint64 z, qint64 *year, unsigned *month, unsigned *day)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = qint64(yoe) + era * 400 + (*month <= 2 ? 1 : 0);
}

void appendPadded(QByteArray &out, qint64 value, int width)
{
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, value);
    for (qsizetype pad = width - (r.ptr - digits); pad > 0; --pad)
        out.append('0');
    out.append(digits, r.ptr - digits);
}

void appendIsoUtc(QByteArray &out, qint64 ms)
{
    const qint64 days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    const qint64 inDay = ms - days * 86400000;
    qint64 year = 0;
    unsigned month = 0;
    unsigned day = 0;
    civilFromDays(days, &year, &month, &day);
    appendPadded(out, year, 4);
    out.append('-');
    appendPadded(out, month, 2);
    out.append('-');
    appendPadded(out, day, 2);
    out.append('T');
    appendPadded(out, inDay / 3600000, 2);
    out.append(':');
    appendPadded(out, inDay / 60000 % 60, 2);
    out.append(':');
    appendPadded(out, inDay / 1000 % 60, 2);
    out.append('.');
    appendPadded(out, inDay % 1000, 3);
    out.append('Z');
}

} // namespace

QByteArray isoUtc(qint64 ms)
{
    QByteArray out;
    out.reserve(24);
    appendIsoUtc(out, ms);
    return out;
}

CsvWriter::CsvWriter(QIODevice &device) : m_device(device)
{
    m_buffer.reserve(kFlushBytes + 4096);
}

void CsvWriter::separator()
{
    if (!m_atRecordStart)
        m_buffer.append(',');
    m_atRecordStart = false;
}

void CsvWriter::text(const QString &value)
{
    separator();
    // The common case - ASCII that needs no quoting and is no formula - is copied as it is,
    // without converting through a temporary.
    const QChar first = value.isEmpty() ? QChar() : value.front();
    const bool formula = first == QLatin1Char('=') || first == QLatin1Char('+') ||
                         first == QLatin1Char('-') || first == QLatin1Char('@') ||
                         first == QLatin1Char('\t');
    bool plain = !formula;
    for (qsizetype i = 0; plain && i < value.size(); ++i) {
        const char16_t c = value[i].unicode();
        plain = c < 0x80 && c != u',' && c != u'"' && c != u'\r' && c != u'\n';
    }
    if (plain) {
        const qsizetype at = m_buffer.size();
        m_buffer.resize(at + value.size());
        char *out = m_buffer.data() + at;
        for (const QChar c : value)
            *out++ = char(c.unicode());
        return;
    }
    QByteArray utf8 = value.toUtf8();
    if (formula)
        utf8.prepend('\'');
    bool quote = false;
    for (const char c : utf8) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        m_buffer.append(utf8);
        return;
    }
    m_buffer.append('"');
    for (const char c : utf8) {
        if (c == '"')
            m_buffer.append('"');
        m_buffer.append(c);
    }
    m_buffer.append('"');
}

void CsvWriter::number(qint64 value)
{
    separator();
    appendInt(m_buffer, value);
}

void CsvWriter::decimal(const QString &value)
{
    separator();
    m_buffer.append(value.toLatin1());
}

void CsvWriter::raw(const QByteArray &ascii)
{
    separator();
    m_buffer.append(ascii);
}

void CsvWriter::isoTime(qint64 ms)
{
    separator();
    appendIsoUtc(m_buffer, ms);
}

void CsvWriter::empty()
{
    separator();
}

void CsvWriter::endRecord()
{
    m_buffer.append("\r\n", 2);
    m_atRecordStart = true;
    flushIfFull();
}

void CsvWriter::flushIfFull()
{
    if (m_buffer.size() < kFlushBytes || m_failed)
        return;
    if (m_device.write(m_buffer) != m_buffer.size())
        m_failed = true;
    m_buffer.clear();
}

bool CsvWriter::finish(QString *error)
{
    if (!m_failed && !m_buffer.isEmpty() && m_device.write(m_buffer) != m_buffer.size())
        m_failed = true;
    m_buffer.clear();
    if (m_failed)
        *error = QStringLiteral("writing the CSV failed: %1").arg(m_device.errorString());
    return !m_failed;
}

bool writeLineItemsCsv(QIODevice &out, const QList<Invoice> &documents,
                       const QHash<qint64, QString> &purchaserNames, QString *error)
{
    CsvWriter csv(out);
    for (const char *name : {"document_id",
                             "document_number",
                             "document_kind",
                             "document_state",
                             "credit_note_for",
                             "period",
                             "purchaser_id",
                             "purchaser",
                             "currency",
                             "issued_at",
                             "lease_id",
                             "lease_kind",
                             "description",
                             "quantity",
                             "unit",
                             "unit_price",
                             "charge",
                             "credit",
                             "amount",
                             "requests",
                             "bytes",
                             "document_subtotal",
                             "tax_rate_bp",
                             "document_tax",
                             "document_total"})
        csv.text(QString::fromLatin1(name));
    csv.endRecord();
    QHash<qint64, QString> numbers;
    for (const Invoice &d : documents)
        numbers.insert(d.id, d.number);
    for (const Invoice &d : documents) {
        const auto money = [&](qint64 minor) {
            csv.decimal(money::formatDecimal(minor, d.currency));
        };
        const qsizetype rows = std::max<qsizetype>(1, d.lines.size());
        for (qsizetype r = 0; r < rows; ++r) {
            csv.number(d.id);
            csv.text(d.number);
            csv.text(invoiceKindName(d.kind));
            csv.text(invoiceStateName(d.state));
            if (d.creditNoteFor)
                csv.text(numbers.value(*d.creditNoteFor, QString::number(*d.creditNoteFor)));
            else
                csv.empty();
            csv.text(d.period);
            csv.number(d.purchaserId);
            csv.text(purchaserNames.value(d.purchaserId, d.buyerName));
            csv.text(d.currency);
            if (d.issuedAtMs)
                csv.isoTime(*d.issuedAtMs);
            else
                csv.empty();
            if (r < d.lines.size()) {
                const InvoiceLine &l = d.lines[r];
                csv.number(l.leaseId);
                csv.text(leaseKindName(l.leaseKind));
                csv.text(l.description);
                csv.decimal(milliDecimal(l.quantityMilli));
                csv.text(l.unit);
                money(l.unitPriceMinor);
                money(l.chargeMinor);
                money(l.creditMinor);
                money(l.amountMinor);
                csv.number(l.requests);
                csv.number(l.bytes);
            } else {
                for (int i = 0; i < 11; ++i)
                    csv.empty();
            }
            money(d.subtotalMinor);
            csv.number(d.taxRateBp);
            money(d.taxMinor);
            money(d.totalMinor);
            csv.endRecord();
        }
    }
    return csv.finish(error);
}

std::optional<qint64> writeUsageCsv(QIODevice &out, const BillingRepository &repository,
                                    qint64 fromMs, qint64 toMs, std::optional<qint64> leaseId,
                                    QString *error)
{
    CsvWriter csv(out);
    for (const char *name : {"sample_uid", "at_utc", "at_ms", "lease_id", "purchaser_id", "site",
                             "proxy", "requests", "bytes"})
        csv.text(QString::fromLatin1(name));
    csv.endRecord();
    const auto rows = repository.forEachUsageSample(fromMs, toMs, leaseId, [&](const UsageRow &u) {
        csv.text(u.sampleUid);
        csv.isoTime(u.atMs);
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
        return true;
    });
    if (!rows) {
        *error = rows.error().message;
        return std::nullopt;
    }
    if (!csv.finish(error))
        return std::nullopt;
    return rows.value();
}

} // namespace headroom
