#include "importednamesmodel.h"

#include "dnspresentation.h"

namespace headroom {

ImportedNamesModel::ImportedNamesModel(QObject *parent) : QAbstractTableModel(parent) {}

void ImportedNamesModel::setOverview(const DnsOverview &overview)
{
    const auto key = [](const ImportedName &n) {
        return std::tie(n.zone, n.name, n.type, n.value);
    };
    const bool sameRows = std::equal(
        m_rows.cbegin(), m_rows.cend(), overview.imported.cbegin(), overview.imported.cend(),
        [&key](const auto &a, const auto &b) { return key(a) == key(b); });
    if (sameRows) {
        m_rows = overview.imported;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = overview.imported;
    endResetModel();
}

int ImportedNamesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ImportedNamesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportedNamesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ImportedName &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Zone:
            return presentation::nameText(row.zone);
        case Name:
            return presentation::nameText(row.name);
        case Type:
            return row.type;
        case Value:
            return presentation::nameText(row.value);
        case Ttl:
            return QStringLiteral("%1 s").arg(row.ttl);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (row.importedAtMs <= 0)
            return {};
        return QStringLiteral("Imported from %1 at %2")
            .arg(presentation::nameText(row.zone),
                 presentation::timeText(QDateTime::fromMSecsSinceEpoch(row.importedAtMs, Qt::UTC)));
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant ImportedNamesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Zone:
        return QStringLiteral("Zone");
    case Name:
        return QStringLiteral("Name");
    case Type:
        return QStringLiteral("Type");
    case Value:
        return QStringLiteral("Value");
    case Ttl:
        return QStringLiteral("TTL");
    default:
        return {};
    }
}

} // namespace headroom
