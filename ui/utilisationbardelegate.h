#pragma once

#include <QStyledItemDelegate>

namespace headroom {

// Paints a utilisation cell as a small bar (green, amber above the target, red at capacity) with
// a tick at the target utilisation and the percentage beside it. Reads
// ProxyLoadModel::UtilisationRole; cells without it are painted as usual.
class UtilisationBarDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    static constexpr int BarWidth = 80;
    static constexpr int BarHeight = 10;

    explicit UtilisationBarDelegate(double target, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    double m_target;
};

} // namespace headroom
