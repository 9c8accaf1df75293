#include "weightbardelegate.h"

#include "servedsteeringmodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace headroom {

namespace {

struct Segment
{
    QString label;
    int weight = 0;
    QColor color;
};

QList<Segment> segmentsOf(const QModelIndex &index)
{
    QList<Segment> out;
    const QVariantList list = index.data(ServedSteeringModel::WeightSegmentsRole).toList();
    for (const QVariant &item : list) {
        const QVariantList fields = item.toList();
        if (fields.size() == 3)
            out.append(
                {fields.at(0).toString(), fields.at(1).toInt(), fields.at(2).value<QColor>()});
    }
    return out;
}

constexpr int kPadding = 6;
constexpr int kSwatch = 8;
constexpr int kGap = 4;

} // namespace

void WeightBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    const QList<Segment> segments = segmentsOf(index);
    if (segments.isEmpty()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect cell = option.rect.adjusted(kPadding, 0, -kPadding, 0);
    const QFontMetrics metrics = option.fontMetrics;
    // Two lines when the row has room (the legend above a bar as wide as the cell), else one
    // (a short bar, then the legend).
    const bool stacked = cell.height() >= metrics.height() + BarHeight + 12;
    const int textHeight = metrics.height();
    const int block = stacked ? textHeight + 5 + BarHeight : textHeight;
    const int top = cell.top() + (cell.height() - block) / 2;

    int total = 0;
    for (const Segment &s : segments)
        total += qMax(0, s.weight);
    const QRectF bar = stacked ? QRectF(cell.left(), top + textHeight + 5, cell.width(), BarHeight)
                               : QRectF(cell.left(), cell.center().y() - BarHeight / 2.0 + 0.5,
                                        qMin(BarWidth, cell.width() / 3), BarHeight);
    QPainterPath clip;
    clip.addRoundedRect(bar, BarHeight / 2.0, BarHeight / 2.0);
    painter->setClipPath(clip);
    painter->fillRect(bar, option.palette.color(QPalette::Midlight));
    qreal x = bar.left();
    for (const Segment &s : segments) {
        if (total <= 0 || s.weight <= 0)
            continue;
        const qreal width = bar.width() * s.weight / total;
        painter->fillRect(QRectF(x, bar.top(), width, bar.height()), s.color);
        // A hairline between segments, so equal neighbours stay apart.
        if (x > bar.left())
            painter->fillRect(QRectF(x, bar.top(), 1, bar.height()),
                              option.palette.color(QPalette::Base));
        x += width;
    }
    painter->setClipping(false);

    // The legend: swatch, label and weight per target, elided at the cell's end.
    const bool equal = std::all_of(segments.cbegin(), segments.cend(), [&segments](const auto &s) {
        return s.weight == segments.first().weight;
    });
    const QColor textColor = option.palette.color(
        option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text);
    const int right = cell.right();
    const QRect line = stacked ? QRect(cell.left(), top, cell.width(), textHeight)
                               : QRect(int(bar.right()) + 10, cell.top(), 0, cell.height());
    int left = line.left();
    const int middle = line.center().y();
    const int minimumText = metrics.horizontalAdvance(QStringLiteral("xx…"));
    for (const Segment &s : segments) {
        const QString text = equal ? s.label : QStringLiteral("%1 %2").arg(s.label).arg(s.weight);
        if (left + kSwatch + kGap + minimumText > right) {
            painter->setPen(textColor);
            painter->drawText(QRect(left, line.top(), right - left, line.height()),
                              Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("…"));
            break;
        }
        painter->setPen(Qt::NoPen);
        painter->setBrush(s.color);
        painter->drawRoundedRect(QRectF(left, middle - kSwatch / 2.0 + 0.5, kSwatch, kSwatch), 2,
                                 2);
        left += kSwatch + kGap;
        const int available = right - left;
        const QString shown = metrics.elidedText(text, Qt::ElideRight, available);
        painter->setPen(textColor);
        painter->drawText(QRect(left, line.top(), available, line.height()),
                          Qt::AlignLeft | Qt::AlignVCenter, shown);
        if (shown != text)
            break;
        left += metrics.horizontalAdvance(text) + 12;
    }
    painter->restore();
}

QSize WeightBarDelegate::sizeHint(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QList<Segment> segments = segmentsOf(index);
    if (segments.isEmpty())
        return size;
    int width = 2 * kPadding;
    for (const Segment &s : segments)
        width += kSwatch + kGap +
                 option.fontMetrics.horizontalAdvance(
                     QStringLiteral("%1 %2").arg(s.label).arg(s.weight)) +
                 12;
    size.setWidth(qMax(size.width(), width));
    size.setHeight(qMax(size.height(), option.fontMetrics.height() + BarHeight + 17));
    return size;
}

} // namespace headroom
