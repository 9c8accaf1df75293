#pragma once

#include "dns/dnsoverviewservice.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>

namespace headroom {

// The names of our zone as the authoritative server serves them (read back, not our database):
// one row per owner, with its weights, deadline and the answer after the deadline.
class ServedSteeringModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Kind,
        Ttl,
        Weights,
        Deadline,
        Fallback,
        ColumnCount
    };
    // For the Weights column: a QVariantList of QVariantLists {label (QString), weight (int),
    // colour (QColor)}, for the weight bar. Colours follow the target, so a proxy has the same
    // colour in every row.
    static constexpr int WeightSegmentsRole = Qt::UserRole + 1;

    explicit ServedSteeringModel(QObject *parent = nullptr);

    // The deadline countdown is relative to this time (now by default); the view moves it on.
    void setNow(const QDateTime &now);
    QDateTime now() const { return m_now; }

    QList<ServedSteering> rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public Q_SLOTS:
    void setOverview(const headroom::DnsOverview &overview);

private:
    QVariant display(const ServedSteering &row, int column) const;
    QVariant segments(const ServedSteering &row) const;

    QList<ServedSteering> m_rows;
    QHash<QString, QString> m_labels;
    QHash<QString, int> m_colorIndex; // target -> series colour
    QDateTime m_now = QDateTime::currentDateTimeUtc();
};

} // namespace headroom
