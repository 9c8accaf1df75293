#include "proxyloadmodel.h"

#include "statuspresentation.h"

#include <QLocale>

namespace headroom {

namespace {

HealthGrade gradeOf(ProxyLoad::State state)
{
    switch (state) {
    case ProxyLoad::State::Up:
        return HealthGrade::Up;
    case ProxyLoad::State::Down:
        return HealthGrade::Down;
    case ProxyLoad::State::Unknown:
        break;
    }
    return HealthGrade::Unknown;
}

QString number(double value)
{
    return QLocale().toString(value, 'f', value != 0 && std::abs(value) < 10 ? 1 : 0);
}

const QString kDash = QStringLiteral("—");

} // namespace

ProxyLoadModel::ProxyLoadModel(QObject *parent) : QAbstractTableModel(parent) {}

QString ProxyLoadModel::rateText(double rps)
{
    return QStringLiteral("%1 req/s").arg(number(rps));
}

QString ProxyLoadModel::sitesText(const ProxySnapshot &row)
{
    QStringList parts;
    for (const auto &[host, rps] : row.sites)
        parts.append(QStringLiteral("%1 %2").arg(host, number(rps)));
    return parts.join(QStringLiteral(" · "));
}

QString ProxyLoadModel::stateText(ProxyLoad::State state)
{
    return presentation::text(gradeOf(state));
}

void ProxyLoadModel::setSnapshots(const QList<ProxySnapshot> &rows)
{
    bool sameRows = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameRows && i < rows.size(); ++i)
        sameRows = rows.at(i).name == m_rows.at(i).name;
    if (!sameRows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    m_rows = rows;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

int ProxyLoadModel::rowOf(const QString &proxy) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == proxy)
            return int(i);
    }
    return -1;
}

int ProxyLoadModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProxyLoadModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProxyLoadModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ProxySnapshot &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case SortRole:
        return sortValue(row, column);
    case ProxyNameRole:
        return row.name;
    case UtilisationRole:
        if (column == Utilisation && row.hasLoad && row.capacityRps > 0)
            return row.utilisation;
        return {};
    case Qt::DecorationRole:
        if (column == State)
            return presentation::dot(gradeOf(row.state));
        return {};
    case Qt::TextAlignmentRole:
        if (column >= Load && column <= Connections)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (column == Headroom && row.hasLoad && row.headroomRps < 0)
            return presentation::color(HealthGrade::Down);
        if (column == State)
            return presentation::color(gradeOf(row.state)).darker(115);
        return {};
    case Qt::ToolTipRole:
        if (column == State && !row.error.isEmpty())
            return row.error;
        if (column == Sites)
            return sitesText(row);
        return {};
    default:
        return {};
    }
}

QVariant ProxyLoadModel::display(const ProxySnapshot &row, int column) const
{
    switch (column) {
    case Name:
        return row.name;
    case State:
        return stateText(row.state);
    case Load:
        return row.hasLoad ? rateText(row.totalRps) : kDash;
    case Capacity:
        return row.capacityRps > 0 ? rateText(row.capacityRps) : kDash;
    case Utilisation:
        return row.hasLoad && row.capacityRps > 0
                   ? QStringLiteral("%1 %").arg(qRound(row.utilisation * 100))
                   : kDash;
    case Headroom:
        return row.hasLoad && row.capacityRps > 0 ? rateText(row.headroomRps) : kDash;
    case Connections:
        return row.hasLoad ? QLocale().toString(qRound(row.connections)) : kDash;
    case Sites:
        return row.sites.isEmpty() ? kDash : sitesText(row);
    default:
        return {};
    }
}

QVariant ProxyLoadModel::sortValue(const ProxySnapshot &row, int column) const
{
    switch (column) {
    case Name:
        return row.name;
    case State:
        return int(gradeOf(row.state));
    case Load:
        return row.totalRps;
    case Capacity:
        return row.capacityRps;
    case Utilisation:
        return row.utilisation;
    case Headroom:
        return row.headroomRps;
    case Connections:
        return row.connections;
    case Sites:
        return sitesText(row);
    default:
        return {};
    }
}

QVariant ProxyLoadModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::TextAlignmentRole && section >= Load &&
        section <= Connections && section != Utilisation)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return QStringLiteral("Proxy");
    case State:
        return QStringLiteral("State");
    case Load:
        return QStringLiteral("Load");
    case Capacity:
        return QStringLiteral("Capacity");
    case Utilisation:
        return QStringLiteral("Utilisation");
    case Headroom:
        return QStringLiteral("Headroom");
    case Connections:
        return QStringLiteral("Conns");
    case Sites:
        return QStringLiteral("Per-site load (req/s)");
    default:
        return {};
    }
}

} // namespace headroom
