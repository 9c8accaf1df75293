#include "servedsteeringmodel.h"

#include "dnspresentation.h"

#include <QFont>

namespace headroom {

namespace {

bool sameOwners(const QList<ServedSteering> &a, const QList<ServedSteering> &b)
{
    return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(),
                      [](const auto &x, const auto &y) { return x.owner == y.owner; });
}

} // namespace

ServedSteeringModel::ServedSteeringModel(QObject *parent) : QAbstractTableModel(parent) {}

void ServedSteeringModel::setOverview(const DnsOverview &overview)
{
    QHash<QString, int> colors;
    QStringList targets;
    for (const ServedSteering &row : overview.served)
        for (const auto &list : {row.weights, row.afterDeadline})
            for (const ServedSteering::Weight &w : list)
                if (!targets.contains(w.target))
                    targets.append(w.target);
    // Ordered by label, so proxy1, proxy2, proxy3 take the first colours in order.
    std::sort(targets.begin(), targets.end(), [&overview](const QString &a, const QString &b) {
        return presentation::targetText(a, overview.targetLabels) <
               presentation::targetText(b, overview.targetLabels);
    });
    for (const QString &target : std::as_const(targets))
        colors.insert(target, int(colors.size()));

    m_now = QDateTime::currentDateTimeUtc();
    if (sameOwners(m_rows, overview.served)) {
        m_rows = overview.served;
        m_labels = overview.targetLabels;
        m_colorIndex = colors;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = overview.served;
    m_labels = overview.targetLabels;
    m_colorIndex = colors;
    endResetModel();
}

void ServedSteeringModel::setNow(const QDateTime &now)
{
    m_now = now;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, Deadline), index(rowCount() - 1, Deadline));
}

int ServedSteeringModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ServedSteeringModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ServedSteeringModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ServedSteering &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return display(row, column);
    case WeightSegmentsRole:
        return column == Weights ? segments(row) : QVariant();
    case Qt::ToolTipRole:
        if (column == Weights || column == Name) {
            if (!row.recognised)
                return QStringLiteral("A LUA record Headroom did not write:\n") + row.code;
            return presentation::weightsToolTip(row.weights, m_labels);
        }
        if (column == Deadline && row.deadline.isValid())
            return QStringLiteral("Until %1 UTC (%2 local) the weights are served; after it, %3.")
                .arg(row.deadline.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                     row.deadline.toLocalTime().toString(QStringLiteral("HH:mm:ss")),
                     presentation::weightsText(row.afterDeadline, m_labels));
        if (column == Fallback && !row.afterDeadline.isEmpty())
            return presentation::weightsToolTip(row.afterDeadline, m_labels);
        return {};
    case Qt::ForegroundRole:
        if (column == Weights && !row.recognised)
            return presentation::color(HealthGrade::Slow);
        if (column == Deadline && row.deadline.isValid()) {
            const qint64 left = m_now.secsTo(row.deadline);
            if (left <= 0)
                return presentation::color(HealthGrade::Down);
            if (left < 120)
                return presentation::color(HealthGrade::Slow);
        }
        return {};
    case Qt::FontRole:
        if (column == Name) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant ServedSteeringModel::display(const ServedSteering &row, int column) const
{
    switch (column) {
    case Name:
        return presentation::nameText(row.owner);
    case Kind:
        return row.kind;
    case Ttl:
        return QStringLiteral("%1 s").arg(row.ttl);
    case Weights:
        if (!row.recognised)
            return QStringLiteral("not written by Headroom");
        return presentation::weightsText(row.weights, m_labels);
    case Deadline:
        return presentation::countdownText(row.deadline, m_now);
    case Fallback:
        return row.afterDeadline.isEmpty() ? QStringLiteral("—")
                                           : presentation::weightsText(row.afterDeadline, m_labels);
    default:
        return {};
    }
}

QVariant ServedSteeringModel::segments(const ServedSteering &row) const
{
    if (!row.recognised)
        return {};
    QVariantList list;
    for (const ServedSteering::Weight &w : row.weights)
        list.append(
            QVariant(QVariantList{presentation::targetText(w.target, m_labels), w.weight,
                                  presentation::seriesColor(m_colorIndex.value(w.target))}));
    return list;
}

QVariant ServedSteeringModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return QStringLiteral("Name");
    case Kind:
        return QStringLiteral("Record");
    case Ttl:
        return QStringLiteral("TTL");
    case Weights:
        return QStringLiteral("Weights");
    case Deadline:
        return QStringLiteral("Deadline");
    case Fallback:
        return QStringLiteral("After the deadline");
    default:
        return {};
    }
}

} // namespace headroom
