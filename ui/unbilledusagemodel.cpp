#include "unbilledusagemodel.h"

#include "billing/money.h"
#include "billingpresentation.h"

#include <QColor>

namespace headroom {

namespace {

bool sameRow(const UnbilledRow &a, const UnbilledRow &b)
{
    return a.leaseId == b.leaseId && a.site == b.site;
}

} // namespace

UnbilledUsageModel::UnbilledUsageModel(QObject *parent) : QAbstractTableModel(parent) {}

void UnbilledUsageModel::setRows(const QList<UnbilledRow> &rows)
{
    bool same = rows.size() == m_rows.size();
    for (qsizetype i = 0; same && i < rows.size(); ++i)
        same = sameRow(rows.at(i), m_rows.at(i));
    if (!same)
        beginResetModel();
    m_rows = rows;
    if (!same)
        endResetModel();
    else if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int UnbilledUsageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UnbilledUsageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UnbilledUsageModel::display(const UnbilledRow &row, int column) const
{
    switch (column) {
    case Lease:
        if (!row.leaseId)
            return QStringLiteral("no lease");
        return QStringLiteral("%1 · %2")
            .arg(*row.leaseId)
            .arg(row.kind == LeaseKind::BestEffort ? QStringLiteral("best-effort")
                                                   : QStringLiteral("firm"));
    case Purchaser:
        return row.purchaserName.isEmpty() ? QStringLiteral("—") : row.purchaserName;
    case Site:
        return row.site;
    case Requests:
        return presentation::countText(row.requests);
    case Bytes:
        return presentation::bytesText(row.bytes);
    case Estimate:
        return row.estimateMinor ? money::format(*row.estimateMinor, row.currency)
                                 : QStringLiteral("—");
    case Note:
        return row.note;
    default:
        return {};
    }
}

QVariant UnbilledUsageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UnbilledRow &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case SortRole:
        switch (column) {
        case Lease:
            return row.leaseId.value_or(0);
        case Requests:
            return row.requests;
        case Bytes:
            return row.bytes;
        case Estimate:
            return row.estimateMinor.value_or(-1);
        default:
            return display(row, column);
        }
    case Qt::TextAlignmentRole:
        if (column == Requests || column == Bytes || column == Estimate)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == Note || (column == Estimate && !row.estimateMinor))
            return QColor(0x6b, 0x75, 0x84);
        if (column == Lease && !row.leaseId)
            return QColor(0x9a, 0x5b, 0x13);
        return {};
    case Qt::ToolTipRole:
        if (column == Requests || column == Bytes)
            return QStringLiteral("%1 samples metered in the period; %2 requests, %3 bytes not "
                                  "on an issued invoice")
                .arg(presentation::countText(row.samples), presentation::countText(row.requests),
                     presentation::countText(row.bytes));
        if (column == Estimate)
            return row.estimateMinor
                       ? QStringLiteral("Rated with the lease's tariff as the invoice run would "
                                        "(before tax)")
                       : row.note;
        if (column == Note && !row.invoiceNumbers.isEmpty())
            return QStringLiteral("Billed on ") + row.invoiceNumbers.join(QStringLiteral(", "));
        return {};
    default:
        return {};
    }
}

QVariant UnbilledUsageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return (section == Requests || section == Bytes || section == Estimate)
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Lease:
        return QStringLiteral("Lease");
    case Purchaser:
        return QStringLiteral("Purchaser");
    case Site:
        return QStringLiteral("Site");
    case Requests:
        return QStringLiteral("Requests");
    case Bytes:
        return QStringLiteral("Bytes");
    case Estimate:
        return QStringLiteral("Estimated");
    case Note:
        return QStringLiteral("Status");
    default:
        return {};
    }
}

} // namespace headroom
