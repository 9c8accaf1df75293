#include "billing/invoice.h"

#include "domain/enumnames.h"

#include <QDate>
#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

namespace headroom {
namespace {

const char *const kKindNames[] = {"invoice", "credit-note"};
const char *const kStateNames[] = {"draft", "issued", "paid", "void"};

qint64 startOfMonthMs(int year, int month)
{
    return QDateTime(QDate(year, month, 1), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

} // namespace

QString invoiceKindName(InvoiceKind k)
{
    return enumName(k, kKindNames);
}

std::optional<InvoiceKind> invoiceKindFromName(const QString &name)
{
    return enumFromName<InvoiceKind>(name, kKindNames);
}

QString invoiceStateName(InvoiceState s)
{
    return enumName(s, kStateNames);
}

std::optional<InvoiceState> invoiceStateFromName(const QString &name)
{
    return enumFromName<InvoiceState>(name, kStateNames);
}

std::optional<BillingPeriod> BillingPeriod::parse(const QString &text, QString *error)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("(\\d{4})-(\\d{2})")));
    const auto m = re.match(text);
    const int year = m.hasMatch() ? m.captured(1).toInt() : 0;
    const int month = m.hasMatch() ? m.captured(2).toInt() : 0;
    if (year < 2000 || month < 1 || month > 12) {
        *error = QStringLiteral("'%1' is not a billing period (YYYY-MM, e.g. 2026-11)")
                     .arg(text.left(40));
        return std::nullopt;
    }
    BillingPeriod p;
    p.name = QStringLiteral("%1-%2")
                 .arg(year, 4, 10, QLatin1Char('0'))
                 .arg(month, 2, 10, QLatin1Char('0'));
    p.startMs = startOfMonthMs(year, month);
    p.endMs = month == 12 ? startOfMonthMs(year + 1, 1) : startOfMonthMs(year, month + 1);
    return p;
}

BillingPeriod BillingPeriod::containing(qint64 ms)
{
    const QDate d = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).date();
    BillingPeriod p;
    p.name = QStringLiteral("%1-%2")
                 .arg(d.year(), 4, 10, QLatin1Char('0'))
                 .arg(d.month(), 2, 10, QLatin1Char('0'));
    p.startMs = startOfMonthMs(d.year(), d.month());
    p.endMs =
        d.month() == 12 ? startOfMonthMs(d.year() + 1, 1) : startOfMonthMs(d.year(), d.month() + 1);
    return p;
}

} // namespace headroom
