#pragma once

#include "billingboard.h"

#include <QAbstractTableModel>
#include <QList>

namespace headroom {

// What the period has not billed yet, per lease: purchaser, site, the requests and bytes no
// issued invoice covers, and the amount the core's rater gives for them (or why there is none).
class UnbilledUsageModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Lease,
        Purchaser,
        Site,
        Requests,
        Bytes,
        Estimate,
        Note,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 2;

    explicit UnbilledUsageModel(QObject *parent = nullptr);

    void setRows(const QList<UnbilledRow> &rows);
    QList<UnbilledRow> rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVariant display(const UnbilledRow &row, int column) const;

    QList<UnbilledRow> m_rows;
};

} // namespace headroom
