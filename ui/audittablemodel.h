#pragma once

#include "domain/audit.h"

#include <QAbstractTableModel>
#include <QList>

namespace headroom {

// The audit log, newest first: who did what, when (operators in the console and headroomctl,
// purchasers, the controller).
class AuditTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Actor,
        Action,
        Detail,
        ColumnCount
    };

    explicit AuditTableModel(QObject *parent = nullptr);

    void setEntries(const QList<AuditEntry> &entries);
    QList<AuditEntry> entries() const { return m_entries; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<AuditEntry> m_entries;
};

} // namespace headroom
