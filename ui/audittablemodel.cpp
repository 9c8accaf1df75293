#include "audittablemodel.h"

#include "leasepresentation.h"

#include <QDateTime>
#include <QLocale>

namespace headroom {

AuditTableModel::AuditTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void AuditTableModel::setEntries(const QList<AuditEntry> &entries)
{
    bool sameRows = entries.size() == m_entries.size();
    for (qsizetype i = 0; sameRows && i < entries.size(); ++i)
        sameRows = entries.at(i).id == m_entries.at(i).id;
    if (sameRows)
        return; // entries are never changed once written
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

int AuditTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditEntry &entry = m_entries.at(index.row());
    if (role == Qt::ToolTipRole) {
        if (index.column() == Time)
            return presentation::instantText(entry.atMs);
        if (index.column() == Detail)
            return entry.detail;
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return QLocale::c().toString(QDateTime::fromMSecsSinceEpoch(entry.atMs, Qt::UTC),
                                     QStringLiteral("d MMM HH:mm:ss"));
    case Actor:
        return entry.actor;
    case Action:
        return entry.action;
    case Detail:
        return entry.detail;
    default:
        return {};
    }
}

QVariant AuditTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return QStringLiteral("Time (UTC)");
    case Actor:
        return QStringLiteral("Who");
    case Action:
        return QStringLiteral("Action");
    case Detail:
        return QStringLiteral("Detail");
    default:
        return {};
    }
}

} // namespace headroom
