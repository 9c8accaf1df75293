#include "endpointtablemodel.h"

#include "statuspresentation.h"

#include <QFont>

namespace headroom {

namespace {

bool sameRows(const QList<EndpointHealth> &a, const QList<EndpointHealth> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].name != b[i].name || a[i].kind != b[i].kind)
            return false;
    }
    return true;
}

int severity(HealthGrade grade)
{
    switch (grade) {
    case HealthGrade::Down:
        return 0;
    case HealthGrade::Slow:
        return 1;
    case HealthGrade::Unknown:
        return 2;
    case HealthGrade::Up:
        break;
    }
    return 3;
}

} // namespace

EndpointTableModel::EndpointTableModel(HealthMonitor *monitor, QObject *parent)
    : QAbstractTableModel(parent), m_monitor(monitor)
{
    if (!m_monitor)
        return;
    connect(m_monitor, &HealthMonitor::changed, this,
            [this] { setEndpoints(m_monitor->endpoints()); });
    m_endpoints = m_monitor->endpoints();
}

void EndpointTableModel::setEndpoints(const QList<EndpointHealth> &endpoints)
{
    if (sameRows(m_endpoints, endpoints)) {
        m_endpoints = endpoints;
        if (!m_endpoints.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_endpoints = endpoints;
    endResetModel();
}

int EndpointTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_endpoints.size());
}

int EndpointTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EndpointTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EndpointHealth &endpoint = m_endpoints.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(endpoint, column);
    case SortRole:
        return sortValue(endpoint, column);
    case Qt::DecorationRole:
        if (column == State)
            return presentation::dot(presentation::grade(endpoint));
        return {};
    case Qt::ToolTipRole:
        return presentation::toolTip(endpoint);
    case Qt::ForegroundRole:
        if (column == State)
            return presentation::color(presentation::grade(endpoint));
        return {};
    case Qt::FontRole:
        if (column == Name || column == State) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == Latency)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant EndpointTableModel::display(const EndpointHealth &endpoint, int column) const
{
    switch (column) {
    case Name:
        return endpoint.name;
    case Kind:
        return presentation::kindText(endpoint.kind);
    case Address:
        return presentation::addressText(endpoint);
    case State:
        return presentation::text(presentation::grade(endpoint));
    case Latency:
        return presentation::latencyText(endpoint);
    case LastChecked:
        return presentation::lastCheckedText(endpoint);
    case Detail:
        return endpoint.detail;
    default:
        return {};
    }
}

QVariant EndpointTableModel::sortValue(const EndpointHealth &endpoint, int column) const
{
    switch (column) {
    case State:
        return severity(presentation::grade(endpoint));
    case Latency:
        return endpoint.state == EndpointHealth::State::Up ? endpoint.latencyMs : -1.0;
    case LastChecked:
        return endpoint.lastChecked;
    case Address:
        return QStringLiteral("%1/%2")
            .arg(endpoint.address.toString())
            .arg(endpoint.port, 5, 10, QLatin1Char('0'));
    default:
        return display(endpoint, column);
    }
}

QVariant EndpointTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return QStringLiteral("Name");
    case Kind:
        return QStringLiteral("Kind");
    case Address:
        return QStringLiteral("Address");
    case State:
        return QStringLiteral("State");
    case Latency:
        return QStringLiteral("Latency");
    case LastChecked:
        return QStringLiteral("Last checked");
    case Detail:
        return QStringLiteral("Detail");
    default:
        return {};
    }
}

} // namespace headroom
