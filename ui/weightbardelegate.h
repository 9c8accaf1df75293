#pragma once

#include <QStyledItemDelegate>

namespace headroom {

// Paints a weights cell as a horizontal stacked bar (one segment per target, its width the
// target's share) with the targets as a legend, each after a swatch of its segment's colour: the
// legend above a bar as wide as the cell in a two-line row, else a short bar and the legend
// beside it. Reads ServedSteeringModel::WeightSegmentsRole; other cells are painted as usual.
class WeightBarDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    static constexpr int BarWidth = 96;
    static constexpr int BarHeight = 8;

    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace headroom
