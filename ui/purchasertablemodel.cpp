#include "purchasertablemodel.h"

#include "marketpresentation.h"

namespace headroom {

PurchaserTableModel::PurchaserTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void PurchaserTableModel::setRecords(const QList<Purchaser> &purchasers, const QList<Site> &sites,
                                     const QList<Purchase> &purchases)
{
    QHash<qint64, QStringList> siteNames;
    for (const Site &s : sites) {
        if (s.purchaserId)
            siteNames[*s.purchaserId].append(s.name);
    }
    QHash<qint64, int> approved;
    QHash<qint64, int> pending;
    for (const Purchase &p : purchases) {
        if (p.state == PurchaseState::Approved)
            ++approved[p.purchaserId];
        else if (p.state == PurchaseState::Pending)
            ++pending[p.purchaserId];
    }
    bool sameRows = purchasers.size() == m_purchasers.size();
    for (qsizetype i = 0; sameRows && i < purchasers.size(); ++i)
        sameRows = purchasers.at(i).id == m_purchasers.at(i).id;
    if (!sameRows)
        beginResetModel();
    m_purchasers = purchasers;
    m_sites = siteNames;
    m_approved = approved;
    m_pending = pending;
    if (!sameRows)
        endResetModel();
    else if (!m_purchasers.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int PurchaserTableModel::rowOf(qint64 purchaserId) const
{
    for (qsizetype i = 0; i < m_purchasers.size(); ++i) {
        if (m_purchasers.at(i).id == purchaserId)
            return int(i);
    }
    return -1;
}

int PurchaserTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_purchasers.size());
}

int PurchaserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PurchaserTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Purchaser &purchaser = m_purchasers.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(purchaser, index.column());
    case PurchaserIdRole:
        return purchaser.id;
    case Qt::ToolTipRole:
        if (index.column() == Organisation && !purchaser.billingAddress.isEmpty())
            return QStringLiteral("Billing address:\n") + purchaser.billingAddress;
        if (index.column() == Contact || index.column() == Email) {
            QStringList lines{purchaser.contactName, purchaser.contactEmail,
                              purchaser.contactPhone};
            lines.removeAll(QString());
            return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
        }
        if (index.column() == Purchases && m_pending.value(purchaser.id) > 0)
            return QStringLiteral("%1 approved, %2 awaiting approval")
                .arg(m_approved.value(purchaser.id))
                .arg(m_pending.value(purchaser.id));
        if (index.column() == Sites)
            return m_sites.value(purchaser.id).join(QStringLiteral("\n"));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Purchases)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant PurchaserTableModel::display(const Purchaser &purchaser, int column) const
{
    switch (column) {
    case Organisation:
        return purchaser.organisation;
    case Contact:
        return purchaser.contactName;
    case Email:
        return purchaser.contactEmail;
    case Payment:
        return presentation::paymentText(purchaser);
    case Sites: {
        const QStringList names = m_sites.value(purchaser.id);
        if (names.size() <= 1)
            return names.value(0, QStringLiteral("—"));
        return QStringLiteral("%1 +%2").arg(names.first()).arg(names.size() - 1);
    }
    case Purchases: {
        const int pending = m_pending.value(purchaser.id);
        const QString approved = QString::number(m_approved.value(purchaser.id));
        return pending > 0 ? QStringLiteral("%1 +%2").arg(approved).arg(pending) : approved;
    }
    default:
        return {};
    }
}

QVariant PurchaserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Organisation:
        return QStringLiteral("Organisation");
    case Contact:
        return QStringLiteral("Contact");
    case Email:
        return QStringLiteral("E-mail");
    case Payment:
        return QStringLiteral("Payment");
    case Sites:
        return QStringLiteral("Sites");
    case Purchases:
        return QStringLiteral("Bought");
    default:
        return {};
    }
}

} // namespace headroom
