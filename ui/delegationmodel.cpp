#include "delegationmodel.h"

#include "dnspresentation.h"

#include <QFont>

namespace headroom {

DelegationModel::DelegationModel(QObject *parent) : QAbstractTableModel(parent) {}

void DelegationModel::setOverview(const DnsOverview &overview)
{
    const bool sameHosts = std::equal(
        m_rows.cbegin(), m_rows.cend(), overview.delegations.cbegin(), overview.delegations.cend(),
        [](const auto &a, const auto &b) { return a.host == b.host; });
    if (sameHosts) {
        m_rows = overview.delegations;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = overview.delegations;
    endResetModel();
}

int DelegationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DelegationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DelegationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DelegationReport &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Host:
            return presentation::nameText(row.host);
        case Verdict:
            return presentation::verdictText(row.verdict);
        case Via:
            return row.via.isEmpty() ? QStringLiteral("—") : row.via;
        case Explanation:
            return row.explanation;
        default:
            return {};
        }
    case Qt::DecorationRole:
        return column == Verdict ? QVariant(presentation::dot(row.verdict)) : QVariant();
    case Qt::ForegroundRole:
        if (column == Verdict)
            return presentation::color(row.verdict).darker(110);
        return {};
    case Qt::FontRole:
        if (column == Host || column == Verdict) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole:
        return presentation::delegationToolTip(row);
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant DelegationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Host:
        return QStringLiteral("Host");
    case Verdict:
        return QStringLiteral("Verdict");
    case Via:
        return QStringLiteral("Via");
    case Explanation:
        return QStringLiteral("Explanation");
    default:
        return {};
    }
}

} // namespace headroom
