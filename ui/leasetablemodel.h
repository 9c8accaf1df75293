#pragma once

#include "control/schedulecheck.h"
#include "domain/lease.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace headroom {

// Leases as table rows, with a countdown to each one's next start or end. While the leases stay
// the same (same ids in the same order) an update is one dataChanged() over the table, and a
// tick of the clock one dataChanged() over the countdown column, so selection survives both.
class LeaseTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Site,
        Pool,
        Rate,
        Kind,
        State,
        Countdown,
        Window,
        ColumnCount
    };
    // Raw values for sorting: times and rates as numbers, state in lifecycle order.
    static constexpr int SortRole = Qt::UserRole + 1;
    // The lease id, whatever the column.
    static constexpr int LeaseIdRole = Qt::UserRole + 2;

    explicit LeaseTableModel(QObject *parent = nullptr);

    // `conflicts` by lease id: rows with any over the forecast carry a warning on the site.
    void setLeases(const QList<Lease> &leases,
                   const QHash<qint64, QList<ScheduleConflict>> &conflicts = {});
    QList<Lease> leases() const { return m_leases; }
    void setNow(qint64 nowMs);
    qint64 now() const { return m_nowMs; }
    int rowOf(qint64 leaseId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const Lease &lease, int column) const;
    QVariant sortValue(const Lease &lease, int column) const;
    bool overForecast(qint64 leaseId) const;

    QList<Lease> m_leases;
    QHash<qint64, QList<ScheduleConflict>> m_conflicts;
    qint64 m_nowMs = 0;
};

} // namespace headroom
