#include "leasetablemodel.h"

#include "leasepresentation.h"
#include "statuspresentation.h"

#include <QApplication>
#include <QDateTime>
#include <QStyle>
#include <algorithm>
#include <limits>

namespace headroom {

LeaseTableModel::LeaseTableModel(QObject *parent)
    : QAbstractTableModel(parent), m_nowMs(QDateTime::currentMSecsSinceEpoch())
{
}

void LeaseTableModel::setLeases(const QList<Lease> &leases,
                                const QHash<qint64, QList<ScheduleConflict>> &conflicts)
{
    bool sameRows = leases.size() == m_leases.size();
    for (qsizetype i = 0; sameRows && i < leases.size(); ++i)
        sameRows = leases.at(i).id == m_leases.at(i).id;
    if (!sameRows) {
        beginResetModel();
        m_leases = leases;
        m_conflicts = conflicts;
        endResetModel();
        return;
    }
    m_leases = leases;
    m_conflicts = conflicts;
    if (!m_leases.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void LeaseTableModel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (!m_leases.isEmpty())
        Q_EMIT dataChanged(index(0, Countdown), index(rowCount() - 1, Countdown),
                           {Qt::DisplayRole, SortRole});
}

int LeaseTableModel::rowOf(qint64 leaseId) const
{
    for (qsizetype i = 0; i < m_leases.size(); ++i) {
        if (m_leases.at(i).id == leaseId)
            return int(i);
    }
    return -1;
}

int LeaseTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_leases.size());
}

int LeaseTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool LeaseTableModel::overForecast(qint64 leaseId) const
{
    const auto it = m_conflicts.find(leaseId);
    if (it == m_conflicts.cend())
        return false;
    return std::any_of(it->cbegin(), it->cend(), [](const ScheduleConflict &c) {
        return c.kind == ScheduleConflict::Kind::OverForecast;
    });
}

QVariant LeaseTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Lease &lease = m_leases.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(lease, index.column());
    case SortRole:
        return sortValue(lease, index.column());
    case LeaseIdRole:
        return lease.id;
    case Qt::DecorationRole:
        if (index.column() == State)
            return presentation::leaseDot(lease.state);
        if (index.column() == Site && overForecast(lease.id))
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State)
            return presentation::leaseColor(lease.state).darker(115);
        if (isTerminal(lease.state))
            return QColor(0x8c, 0x93, 0x9d);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Site && overForecast(lease.id))
            return QStringLiteral("Over the forecast headroom: %1")
                .arg(describeConflicts(m_conflicts.value(lease.id)));
        if (index.column() == Window)
            return presentation::windowText(lease) + QStringLiteral(" (UTC)");
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Rate)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant LeaseTableModel::display(const Lease &lease, int column) const
{
    switch (column) {
    case Site:
        return lease.siteName;
    case Pool:
        return lease.pool;
    case Rate:
        return presentation::rateText(lease.rateRps);
    case Kind:
        return presentation::leaseKindText(lease.kind);
    case State:
        return presentation::leaseStateText(lease.state);
    case Window:
        return presentation::windowText(lease);
    case Countdown:
        return presentation::countdownText(lease, m_nowMs);
    default:
        return {};
    }
}

QVariant LeaseTableModel::sortValue(const Lease &lease, int column) const
{
    switch (column) {
    case Rate:
        return lease.rateRps;
    case State:
        return int(lease.state);
    case Window:
        return lease.startsAtMs;
    case Countdown: {
        const auto window = lease.currentOrNextWindow(m_nowMs);
        if (isTerminal(lease.state) || !window)
            return std::numeric_limits<qint64>::max();
        return m_nowMs < window->startMs ? window->startMs : window->endMs;
    }
    default:
        return display(lease, column);
    }
}

QVariant LeaseTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Site:
        return QStringLiteral("Site");
    case Pool:
        return QStringLiteral("Pool");
    case Rate:
        return QStringLiteral("Rate");
    case Kind:
        return QStringLiteral("Kind");
    case State:
        return QStringLiteral("State");
    case Window:
        return QStringLiteral("Window (UTC)");
    case Countdown:
        return QStringLiteral("Next");
    default:
        return {};
    }
}

} // namespace headroom
