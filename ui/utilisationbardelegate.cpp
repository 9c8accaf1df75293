#include "utilisationbardelegate.h"

#include "proxyloadmodel.h"
#include "statuspresentation.h"

#include <QApplication>
#include <QPainter>

namespace headroom {

UtilisationBarDelegate::UtilisationBarDelegate(double target, QObject *parent)
    : QStyledItemDelegate(parent), m_target(target)
{
}

void UtilisationBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                   const QModelIndex &index) const
{
    const QVariant value = index.data(ProxyLoadModel::UtilisationRole);
    if (!value.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const double utilisation = value.toDouble();
    const QRect cell = option.rect.adjusted(8, 0, -8, 0);
    const QRect bar(cell.left(), cell.center().y() - BarHeight / 2 + 1,
                    std::min(BarWidth, cell.width() / 2), BarHeight);
    const HealthGrade grade = utilisation >= 1.0       ? HealthGrade::Down
                              : utilisation > m_target ? HealthGrade::Slow
                                                       : HealthGrade::Up;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0xe3, 0xe8, 0xef));
    painter->drawRoundedRect(bar, 3, 3);
    QRect fill = bar;
    fill.setWidth(int(bar.width() * std::clamp(utilisation, 0.0, 1.0)));
    if (fill.width() > 0) {
        painter->setBrush(presentation::color(grade));
        painter->drawRoundedRect(fill, 3, 3);
    }
    const int tick = bar.left() + int(bar.width() * m_target);
    painter->setPen(QPen(QColor(0x2b, 0x33, 0x40), 1));
    painter->drawLine(tick, bar.top() - 2, tick, bar.bottom() + 2);

    const QRect textRect(bar.right() + 8, cell.top(), cell.right() - bar.right() - 8,
                         cell.height());
    painter->setPen(opt.palette.color(
        option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, text);
    painter->restore();
}

QSize UtilisationBarDelegate::sizeHint(const QStyleOptionViewItem &option,
                                       const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(
        std::max(size.width(),
                 BarWidth + 16 + option.fontMetrics.horizontalAdvance(QStringLiteral("100 %"))));
    return size;
}

} // namespace headroom
