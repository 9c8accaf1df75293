#include "icons.h"

#include <QImageReader>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QtMath>

// Resources compiled into a static library are only linked in when something refers to them.
static void initHeadroomResources()
{
    Q_INIT_RESOURCE(headroom);
}

namespace headroom::icons {

namespace {

// Every glyph is drawn on a 24 × 24 grid and scaled.
void paintGlyph(QPainter &p, Glyph which, const QColor &color)
{
    QPen pen(color, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    switch (which) {
    case Glyph::Dashboard: {
        // A gauge: an arc, ticks and a needle.
        p.drawArc(QRectF(3, 5, 18, 18), 0, 180 * 16);
        p.drawLine(QPointF(3, 14), QPointF(21, 14));
        p.drawLine(QPointF(12, 14), QPointF(17, 8.5));
        p.setBrush(color);
        p.drawEllipse(QPointF(12, 14), 1.6, 1.6);
        p.setBrush(Qt::NoBrush);
        p.drawLine(QPointF(5, 19), QPointF(19, 19));
        break;
    }
    case Glyph::Market: {
        // Rising bars with a trend line.
        p.drawLine(QPointF(3, 21), QPointF(21, 21));
        p.setBrush(color);
        p.drawRect(QRectF(5, 15, 3, 5));
        p.drawRect(QRectF(10.5, 11, 3, 9));
        p.drawRect(QRectF(16, 7, 3, 13));
        p.setBrush(Qt::NoBrush);
        p.drawPolyline(QPolygonF{QPointF(4, 10), QPointF(9, 6), QPointF(13, 7), QPointF(20, 2.5)});
        break;
    }
    case Glyph::Leases: {
        // A clock: capacity is leased by the hour.
        p.drawEllipse(QPointF(12, 12), 9, 9);
        p.drawLine(QPointF(12, 12), QPointF(12, 6.5));
        p.drawLine(QPointF(12, 12), QPointF(16, 14));
        break;
    }
    case Glyph::Billing: {
        // A receipt with a torn edge.
        QPainterPath receipt;
        receipt.moveTo(5, 21);
        receipt.lineTo(5, 3);
        receipt.lineTo(19, 3);
        receipt.lineTo(19, 21);
        receipt.lineTo(16.7, 19.5);
        receipt.lineTo(14.3, 21);
        receipt.lineTo(12, 19.5);
        receipt.lineTo(9.7, 21);
        receipt.lineTo(7.3, 19.5);
        receipt.closeSubpath();
        p.drawPath(receipt);
        p.drawLine(QPointF(8.5, 8), QPointF(15.5, 8));
        p.drawLine(QPointF(8.5, 12), QPointF(15.5, 12));
        p.drawLine(QPointF(8.5, 16), QPointF(12.5, 16));
        break;
    }
    case Glyph::Dns: {
        // A globe.
        p.drawEllipse(QPointF(12, 12), 9, 9);
        p.drawEllipse(QPointF(12, 12), 4, 9);
        p.drawLine(QPointF(3, 12), QPointF(21, 12));
        p.drawLine(QPointF(4.5, 7.5), QPointF(19.5, 7.5));
        p.drawLine(QPointF(4.5, 16.5), QPointF(19.5, 16.5));
        break;
    }
    case Glyph::Settings: {
        // Three sliders.
        for (const auto &[y, x] : {std::pair{6.0, 15.0}, {12.0, 8.0}, {18.0, 13.0}}) {
            p.drawLine(QPointF(3, y), QPointF(21, y));
            p.setBrush(Qt::white);
            p.drawEllipse(QPointF(x, y), 2.4, 2.4);
            p.setBrush(Qt::NoBrush);
        }
        break;
    }
    }
}

void paintApplicationMark(QPainter &p, int size)
{
    // Mirrors resources/icons/headroom.svg: a rounded tile, a capacity bar with its spare part
    // highlighted, and a ceiling line.
    p.scale(size / 64.0, size / 64.0);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x1f, 0x3a, 0x5f));
    p.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12);
    const QColor used(0xe8, 0xee, 0xf5);
    const QColor spare(0x3c, 0xc4, 0x7c);
    p.setBrush(used);
    p.drawRoundedRect(QRectF(13, 36, 10, 16), 2, 2);
    p.drawRoundedRect(QRectF(27, 28, 10, 24), 2, 2);
    p.drawRoundedRect(QRectF(41, 40, 10, 12), 2, 2);
    p.setBrush(spare);
    p.drawRoundedRect(QRectF(13, 20, 10, 14), 2, 2);
    p.drawRoundedRect(QRectF(27, 20, 10, 6), 2, 2);
    p.drawRoundedRect(QRectF(41, 20, 10, 18), 2, 2);
    p.setPen(QPen(used, 3, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(10, 14), QPointF(54, 14));
}

} // namespace

QPixmap glyphPixmap(Glyph which, int size, const QColor &color)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 24.0, size / 24.0);
    paintGlyph(painter, which, color);
    return pixmap;
}

QIcon glyph(Glyph which, const QColor &color)
{
    QIcon icon;
    for (const int size : {16, 20, 24, 32, 48, 64}) {
        icon.addPixmap(glyphPixmap(which, size, color), QIcon::Normal);
        icon.addPixmap(glyphPixmap(which, size, Qt::white), QIcon::Selected);
    }
    return icon;
}

QIcon application()
{
    initHeadroomResources();
    if (QImageReader::supportedImageFormats().contains("svg")) {
        const QIcon svg(QStringLiteral(":/icons/headroom.svg"));
        if (!svg.isNull())
            return svg;
    }
    QIcon icon;
    for (const int size : {16, 24, 32, 48, 64, 128, 256}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        paintApplicationMark(painter, size);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace headroom::icons
