#pragma once

#include <QColor>
#include <QIcon>

namespace headroom::icons {

// The console's own glyphs, painted rather than loaded: Qt's SVG image plugin is optional on
// Linux distributions, and an icon that silently fails to load leaves an empty square.
enum class Glyph
{
    Dashboard,
    Market,
    Leases,
    Billing,
    Dns,
    Settings
};

// Normal mode in `color`; Selected mode in white, for highlighted navigation rows.
QIcon glyph(Glyph which, const QColor &color = QColor(0x4a, 0x55, 0x68));
QPixmap glyphPixmap(Glyph which, int size, const QColor &color);

// resources/icons/headroom.svg when the SVG plugin is present, else the same mark painted.
QIcon application();

} // namespace headroom::icons
