#include "invoicetablemodel.h"

#include "billing/money.h"
#include "billingpresentation.h"

#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QTimeZone>

namespace headroom {

InvoiceTableModel::InvoiceTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void InvoiceTableModel::setInvoices(const QList<Invoice> &invoices,
                                    const QHash<qint64, QString> &purchaserNames)
{
    bool sameRows = invoices.size() == m_invoices.size();
    for (qsizetype i = 0; sameRows && i < invoices.size(); ++i)
        sameRows = invoices.at(i).id == m_invoices.at(i).id;
    if (!sameRows)
        beginResetModel();
    m_invoices = invoices;
    m_names = purchaserNames;
    if (!sameRows)
        endResetModel();
    else if (!m_invoices.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int InvoiceTableModel::rowOf(qint64 invoiceId) const
{
    for (qsizetype i = 0; i < m_invoices.size(); ++i) {
        if (m_invoices.at(i).id == invoiceId)
            return int(i);
    }
    return -1;
}

QString InvoiceTableModel::purchaserName(const Invoice &invoice) const
{
    const QString name = m_names.value(invoice.purchaserId);
    if (!name.isEmpty())
        return name;
    return invoice.buyerName.isEmpty() ? QStringLiteral("purchaser %1").arg(invoice.purchaserId)
                                       : invoice.buyerName;
}

int InvoiceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_invoices.size());
}

int InvoiceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InvoiceTableModel::display(const Invoice &invoice, int column) const
{
    switch (column) {
    case Number:
        return presentation::invoiceNumberText(invoice);
    case Purchaser:
        return purchaserName(invoice);
    case Period:
        return invoice.period;
    case State:
        return presentation::invoiceStateText(invoice);
    case Subtotal:
        return money::format(invoice.subtotalMinor, invoice.currency);
    case Tax:
        return money::format(invoice.taxMinor, invoice.currency);
    case Total:
        return money::format(invoice.totalMinor, invoice.currency);
    case Issued:
        return invoice.issuedAtMs
                   ? QDateTime::fromMSecsSinceEpoch(*invoice.issuedAtMs, QTimeZone::utc())
                         .toString(QStringLiteral("yyyy-MM-dd"))
                   : QStringLiteral("—");
    default:
        return {};
    }
}

QVariant InvoiceTableModel::sortKey(const Invoice &invoice, int column) const
{
    switch (column) {
    case Number:
        // Drafts after the numbered documents.
        return invoice.number.isEmpty()
                   ? QStringLiteral("~%1").arg(invoice.id, 12, 10, QLatin1Char('0'))
                   : invoice.number;
    case State:
        return int(invoice.state) * 2 + (invoice.kind == InvoiceKind::CreditNote ? 1 : 0);
    case Subtotal:
        return invoice.subtotalMinor;
    case Tax:
        return invoice.taxMinor;
    case Total:
        return invoice.totalMinor;
    case Issued:
        return invoice.issuedAtMs.value_or(0);
    default:
        return display(invoice, column);
    }
}

QVariant InvoiceTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Invoice &invoice = m_invoices.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(invoice, column);
    case InvoiceIdRole:
        return invoice.id;
    case SortRole:
        return sortKey(invoice, column);
    case Qt::TextAlignmentRole:
        if (column == Subtotal || column == Tax || column == Total)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == State)
            return presentation::invoiceStateColor(invoice);
        if (column == Number && invoice.number.isEmpty())
            return QColor(0x6b, 0x75, 0x84);
        return {};
    case Qt::DecorationRole:
        if (column == State)
            return presentation::invoiceStateDot(presentation::invoiceStateColor(invoice));
        return {};
    case Qt::FontRole:
        if (column == Total) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == State && invoice.kind == InvoiceKind::CreditNote)
            return QStringLiteral("Credit note: %1").arg(invoice.reason);
        if (column == State && invoice.state == InvoiceState::Void)
            return QStringLiteral("Cancelled in full by a credit note");
        if (column == State && invoice.state == InvoiceState::Draft)
            return QStringLiteral("Not issued: a new invoice run replaces it");
        if (column == Tax)
            return QStringLiteral("%1.%2 %")
                .arg(invoice.taxRateBp / 100)
                .arg(invoice.taxRateBp % 100, 2, 10, QLatin1Char('0'));
        if (column == Total)
            return QStringLiteral("%1 line%2")
                .arg(invoice.lines.size())
                .arg(invoice.lines.size() == 1 ? "" : "s");
        return {};
    default:
        return {};
    }
}

QVariant InvoiceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return (section == Subtotal || section == Tax || section == Total)
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Number:
        return QStringLiteral("Number");
    case Purchaser:
        return QStringLiteral("Purchaser");
    case Period:
        return QStringLiteral("Period");
    case State:
        return QStringLiteral("State");
    case Subtotal:
        return QStringLiteral("Subtotal");
    case Tax:
        return QStringLiteral("Tax");
    case Total:
        return QStringLiteral("Total");
    case Issued:
        return QStringLiteral("Issued");
    default:
        return {};
    }
}

} // namespace headroom
