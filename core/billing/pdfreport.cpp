#include "billing/pdfreport.h"

#include "billing/money.h"
#include "billing/rater.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QTimeZone>
#include <map>

namespace headroom {
namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

// An amount as one unbreakable word ("EUR&nbsp;1,234.56"), so a narrow column never splits it.
QString amount(qint64 minor, const QString &currency)
{
    return esc(money::format(minor, currency)).replace(QLatin1Char(' '), QStringLiteral("&nbsp;"));
}

QString multiline(const QString &s)
{
    return esc(s).replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QString date(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-dd"));
}

QString percent(int basisPoints)
{
    return QStringLiteral("%1.%2 %")
        .arg(basisPoints / 100)
        .arg(basisPoints % 100, 2, 10, QLatin1Char('0'));
}

QString documentTitle(const Invoice &d)
{
    if (d.state == InvoiceState::Draft)
        return d.kind == InvoiceKind::CreditNote ? QStringLiteral("Draft credit note")
                                                 : QStringLiteral("Draft invoice (not issued)");
    return (d.kind == InvoiceKind::CreditNote ? QStringLiteral("Credit note ")
                                              : QStringLiteral("Invoice ")) +
           d.number;
}

QString sellerBlock(const QString &name, const QString &address, const QString &taxId)
{
    QString html = QStringLiteral("<p><b style=\"font-size:13pt\">%1</b>")
                       .arg(esc(name.isEmpty() ? QStringLiteral("(company name not set: "
                                                                "headroomctl billing settings)")
                                               : name));
    if (!address.isEmpty())
        html += QStringLiteral("<br>") + multiline(address);
    if (!taxId.isEmpty())
        html += QStringLiteral("<br>Tax id: ") + esc(taxId);
    return html + QStringLiteral("</p>");
}

QString documentHtml(const Invoice &d, const PdfReportInput &in, bool pageBreak)
{
    const auto m = [&](qint64 minor) { return amount(minor, d.currency); };
    QString html = pageBreak ? QStringLiteral("<div style=\"page-break-before:always\">")
                             : QStringLiteral("<div>");
    html += sellerBlock(d.sellerName, d.sellerAddress, d.sellerTaxId);
    html += QStringLiteral("<h2>%1</h2>").arg(esc(documentTitle(d)));
    html += QStringLiteral("<p>Period: %1<br>State: %2")
                .arg(esc(d.period), esc(invoiceStateName(d.state)));
    if (d.issuedAtMs)
        html += QStringLiteral("<br>Issued: %1").arg(date(*d.issuedAtMs));
    if (d.paidAtMs)
        html += QStringLiteral("<br>Paid: %1").arg(date(*d.paidAtMs));
    if (d.creditNoteFor)
        html += QStringLiteral("<br>Cancels invoice %1")
                    .arg(esc(
                        in.numbersById.value(*d.creditNoteFor, QString::number(*d.creditNoteFor))));
    if (!d.reason.isEmpty())
        html += QStringLiteral("<br>Reason: %1").arg(esc(d.reason));
    html += QStringLiteral("</p>");
    const QString buyer =
        d.buyerName.isEmpty() ? in.purchaserNames.value(d.purchaserId) : d.buyerName;
    html += QStringLiteral("<p><b>Bill to</b><br>%1 (purchaser %2)")
                .arg(esc(buyer), QString::number(d.purchaserId));
    if (!d.buyerAddress.isEmpty())
        html += QStringLiteral("<br>") + multiline(d.buyerAddress);
    html += QStringLiteral("</p>");

    html += QStringLiteral(
        "<table border=\"1\" cellspacing=\"0\" cellpadding=\"2\" width=\"100%\" "
        "style=\"font-size:8pt\"><tr><th>Lease</th><th>Description</th><th>Quantity</th>"
        "<th>Unit price</th><th>Charge</th><th>Credit</th><th>Amount</th></tr>");
    for (const InvoiceLine &l : d.lines) {
        const QString amountCell =
            QStringLiteral("<td align=\"right\" style=\"white-space:nowrap\">%1</td>");
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td align=\"right\">%3 %4</td>")
                    .arg(l.leaseId)
                    .arg(esc(l.description), esc(formatMilli(l.quantityMilli)), esc(l.unit)) +
                amountCell.arg(m(l.unitPriceMinor)) + amountCell.arg(m(l.chargeMinor)) +
                amountCell.arg(m(l.creditMinor)) + amountCell.arg(m(l.amountMinor)) +
                QStringLiteral("</tr>");
    }
    html += QStringLiteral("</table>");
    html += QStringLiteral("<table cellpadding=\"3\" width=\"100%\">"
                           "<tr><td width=\"70%\" align=\"right\">Subtotal</td>"
                           "<td align=\"right\">%1</td></tr>"
                           "<tr><td align=\"right\">Tax %2</td><td align=\"right\">%3</td></tr>"
                           "<tr><td align=\"right\"><b>Total</b></td>"
                           "<td align=\"right\"><b>%4</b></td></tr></table>")
                .arg(m(d.subtotalMinor), esc(percent(d.taxRateBp)), m(d.taxMinor), m(d.totalMinor));
    return html + QStringLiteral("</div>");
}

QString reportHtml(const PdfReportInput &in)
{
    QString html = QStringLiteral("<html><body>");
    if (!in.summary) {
        for (qsizetype i = 0; i < in.documents.size(); ++i)
            html += documentHtml(in.documents[i], in, i > 0);
        return html + QStringLiteral("</body></html>");
    }
    html += sellerBlock(in.seller.companyName, in.seller.companyAddress, in.seller.taxId);
    html += QStringLiteral("<p style=\"font-size:14pt\"><b>%1</b></p>").arg(esc(in.title));
    html += QStringLiteral("<p>Generated %1 UTC by Headroom. Amounts in minor units rounded half "
                           "up once per line; tax rounded once per document.</p>")
                .arg(esc(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd "
                                                                                 "HH:mm"))));
    html += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"2\" "
                           "width=\"100%\" style=\"font-size:8pt\"><tr><th>Document</th>"
                           "<th>State</th><th>Purchaser</th><th>Subtotal</th><th>Tax</th>"
                           "<th>Total</th></tr>");
    std::map<QString, qint64> net;    // issued, paid, void and credit notes: what was billed
    std::map<QString, qint64> drafts; // not billed yet
    const QString cell = QStringLiteral("<td style=\"white-space:nowrap\">%1</td>");
    const QString amountCell =
        QStringLiteral("<td align=\"right\" style=\"white-space:nowrap\">%1</td>");
    for (const Invoice &d : in.documents) {
        const QString buyer =
            d.buyerName.isEmpty() ? in.purchaserNames.value(d.purchaserId) : d.buyerName;
        html +=
            QStringLiteral("<tr>") +
            cell.arg(esc(d.number.isEmpty() ? QStringLiteral("draft %1").arg(d.id) : d.number)) +
            cell.arg(esc(invoiceStateName(d.state))) +
            QStringLiteral("<td>%1</td>").arg(esc(buyer)) +
            amountCell.arg(amount(d.subtotalMinor, d.currency)) +
            amountCell.arg(amount(d.taxMinor, d.currency)) +
            amountCell.arg(amount(d.totalMinor, d.currency)) + QStringLiteral("</tr>");
        // Sums of integers; an overflow here would need more than 9.2e18 minor units.
        (d.state == InvoiceState::Draft ? drafts : net)[d.currency] += d.totalMinor;
    }
    html += QStringLiteral("</table>");
    for (const auto &[currency, total] : net)
        html += QStringLiteral("<p><b>Net billed in %1: %2</b> (invoices less credit notes)</p>")
                    .arg(esc(currency), esc(money::format(total, currency)));
    for (const auto &[currency, total] : drafts)
        html += QStringLiteral("<p>Drafts not yet issued, %1: %2</p>")
                    .arg(esc(currency), esc(money::format(total, currency)));
    if (in.documents.isEmpty())
        html += QStringLiteral("<p>No invoices or credit notes in this range.</p>");
    for (const Invoice &d : in.documents)
        html += documentHtml(d, in, true);
    return html + QStringLiteral("</body></html>");
}

} // namespace

bool writePdfReport(const QString &path, const PdfReportInput &input, QString *error)
{
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        *error = QStringLiteral("PDF rendering needs a QGuiApplication (fonts)");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    {
        QPdfWriter writer(&file);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        writer.setResolution(300);
        writer.setTitle(input.title);
        writer.setCreator(QStringLiteral("Headroom"));
        QTextDocument document;
        QFont font = document.defaultFont();
        font.setPointSizeF(9);
        document.setDefaultFont(font);
        document.setHtml(reportHtml(input));
        document.print(&writer);
    }
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace headroom
