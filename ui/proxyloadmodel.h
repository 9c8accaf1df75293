#pragma once

#include "fleet/fleetmonitor.h"

#include <QAbstractTableModel>
#include <QList>

namespace headroom {

// The fleet's proxies as table rows, one per proxy, from FleetMonitor snapshots. While the
// proxies stay the same, a new snapshot is one dataChanged() over the whole table (not one per
// cell), so 200 proxies at 1 Hz cost one repaint per poll and selection survives every poll.
class ProxyLoadModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        State,
        Load,
        Capacity,
        Utilisation,
        Headroom,
        Connections,
        Sites,
        ColumnCount
    };
    // Raw values for sorting: numbers as doubles, state by severity.
    static constexpr int SortRole = Qt::UserRole + 1;
    // Utilisation as a fraction (1.0 = at capacity), or an invalid QVariant without load.
    static constexpr int UtilisationRole = Qt::UserRole + 2;
    // The proxy's name, whatever the column.
    static constexpr int ProxyNameRole = Qt::UserRole + 3;

    explicit ProxyLoadModel(QObject *parent = nullptr);

    void setSnapshots(const QList<ProxySnapshot> &rows);
    QList<ProxySnapshot> snapshots() const { return m_rows; }
    // The utilisation drawn as the target line in the bar delegate, and where headroom ends.
    void setTargetUtilisation(double target) { m_target = target; }
    double targetUtilisation() const { return m_target; }
    int rowOf(const QString &proxy) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString rateText(double rps);                // "1,234 req/s"
    static QString sitesText(const ProxySnapshot &row); // "news.example 120 · shop.example 40"
    static QString stateText(ProxyLoad::State state);

private:
    QVariant display(const ProxySnapshot &row, int column) const;
    QVariant sortValue(const ProxySnapshot &row, int column) const;

    QList<ProxySnapshot> m_rows;
    double m_target = DefaultTargetUtilisation;
};

} // namespace headroom
