#include "billingpresentation.h"

#include <QDate>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace headroom::presentation {

namespace {

QDate periodDate(const QString &period)
{
    return QDate::fromString(period + QStringLiteral("-01"), Qt::ISODate);
}

} // namespace

QString invoiceStateText(const Invoice &invoice)
{
    if (invoice.kind == InvoiceKind::CreditNote && invoice.state != InvoiceState::Draft)
        return QStringLiteral("Credit note");
    switch (invoice.state) {
    case InvoiceState::Draft:
        return QStringLiteral("Draft");
    case InvoiceState::Issued:
        return QStringLiteral("Issued");
    case InvoiceState::Paid:
        return QStringLiteral("Paid");
    case InvoiceState::Void:
        return QStringLiteral("Void");
    }
    return {};
}

QColor invoiceStateColor(const Invoice &invoice)
{
    if (invoice.kind == InvoiceKind::CreditNote && invoice.state != InvoiceState::Draft)
        return QColor(0x7b, 0x5e, 0xa7); // purple: money going back
    switch (invoice.state) {
    case InvoiceState::Draft:
        return QColor(0x5f, 0x7a, 0x99); // slate: not yet anything
    case InvoiceState::Issued:
        return QColor(0xc2, 0x7c, 0x0e); // amber: waiting for payment
    case InvoiceState::Paid:
        return QColor(0x2e, 0x8b, 0x47); // green: done
    case InvoiceState::Void:
        return QColor(0x8a, 0x93, 0x9e); // grey: cancelled by a credit note
    }
    return {};
}

QIcon invoiceStateDot(const QColor &color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    return QIcon(pixmap);
}

QString invoiceNumberText(const Invoice &invoice)
{
    return invoice.number.isEmpty() ? QStringLiteral("draft") : invoice.number;
}

QString invoiceLabel(const Invoice &invoice, const QString &purchaserName)
{
    const QString who = purchaserName.isEmpty()
                            ? QStringLiteral("purchaser %1").arg(invoice.purchaserId)
                            : purchaserName;
    if (invoice.number.isEmpty())
        return QStringLiteral("the draft of %1 for %2").arg(who, invoice.period);
    return QStringLiteral("%1 (%2, %3)").arg(invoice.number, who, invoice.period);
}

QString countText(qint64 count)
{
    QString digits = QString::number(count < 0 ? -count : count);
    for (qsizetype at = digits.size() - 3; at > 0; at -= 3)
        digits.insert(at, QLatin1Char(','));
    return count < 0 ? QStringLiteral("-") + digits : digits;
}

QString bytesText(qint64 bytes)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    if (bytes < 1000 && bytes > -1000)
        return QStringLiteral("%1 B").arg(bytes);
    double value = double(bytes);
    int unit = -1;
    while ((value >= 1000 || value <= -1000) && unit < 4) {
        value /= 1000;
        ++unit;
    }
    const int decimals = (value >= 100 || value <= -100) ? 0
                         : (value >= 10 || value <= -10) ? 1
                                                         : 2;
    return QStringLiteral("%1 %2").arg(QLocale::c().toString(value, 'f', decimals),
                                       QLatin1String(units[unit]));
}

QString periodText(const QString &period)
{
    const QDate d = periodDate(period);
    return d.isValid() ? QLocale::c().toString(d, QStringLiteral("MMM yyyy")) : period;
}

QString periodShortText(const QString &period, bool withYear)
{
    const QDate d = periodDate(period);
    if (!d.isValid())
        return period;
    return QLocale::c().toString(d, withYear ? QStringLiteral("MMM yy") : QStringLiteral("MMM"));
}

} // namespace headroom::presentation
