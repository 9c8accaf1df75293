#include "updatelogmodel.h"

#include "dnspresentation.h"

#include <QFont>

namespace headroom {

namespace {

QString resultText(const UpdateLogEntry &entry)
{
    if (entry.ok)
        return QStringLiteral("OK");
    if (!entry.error.isEmpty())
        return entry.error;
    if (entry.rcode < 0)
        return QStringLiteral("no answer");
    return QStringLiteral("failed (rcode %1)").arg(entry.rcode);
}

} // namespace

UpdateLogModel::UpdateLogModel(QObject *parent) : QAbstractTableModel(parent) {}

void UpdateLogModel::setOverview(const DnsOverview &overview)
{
    // Unchanged rows (same time and zone, in order) are updated in place, keeping the selection.
    const bool same = std::equal(
        m_rows.cbegin(), m_rows.cend(), overview.updates.cbegin(), overview.updates.cend(),
        [](const auto &a, const auto &b) { return a.atMs == b.atMs && a.zone == b.zone; });
    if (same) {
        m_rows = overview.updates;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = overview.updates;
    endResetModel();
}

int UpdateLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int UpdateLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UpdateLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UpdateLogEntry &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time:
            return presentation::timeText(QDateTime::fromMSecsSinceEpoch(row.atMs, Qt::UTC));
        case Zone:
            return presentation::nameText(row.zone);
        case Changes:
            return QString::number(row.changes);
        case Result:
            return resultText(row);
        case Latency:
            return presentation::millisecondsText(row.latencyMs);
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (column == Result)
            return presentation::dot(row.ok ? HealthGrade::Up : HealthGrade::Down);
        return {};
    case Qt::ForegroundRole:
        if (column == Result)
            return presentation::color(row.ok ? HealthGrade::Up : HealthGrade::Down).darker(110);
        return {};
    case Qt::FontRole:
        if (column == Result && row.ok) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole:
        return QStringLiteral("%1 UTC: %2 name(s) in %3, %4 after %5")
            .arg(QDateTime::fromMSecsSinceEpoch(row.atMs, Qt::UTC)
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
            .arg(row.changes)
            .arg(presentation::nameText(row.zone), resultText(row),
                 presentation::millisecondsText(row.latencyMs));
    case Qt::TextAlignmentRole:
        if (column == Changes || column == Latency)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant UpdateLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return QStringLiteral("Time");
    case Zone:
        return QStringLiteral("Zone");
    case Changes:
        return QStringLiteral("Changes");
    case Result:
        return QStringLiteral("Result");
    case Latency:
        return QStringLiteral("Latency");
    default:
        return {};
    }
}

} // namespace headroom
