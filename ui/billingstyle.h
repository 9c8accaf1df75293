#pragma once

#include <QString>

class QFrame;
class QLabel;
class QPushButton;
class QWidget;

namespace headroom::billingstyle {

// The Billing view's panels and buttons, in the console's look (white panels with a rounded
// border, a blue primary action, white secondary ones).
QFrame *panel(const QString &objectName, QWidget *parent);
QLabel *title(const QString &text, QWidget *parent);
QLabel *caption(const QString &text, QWidget *parent);
QPushButton *button(const QString &text, const QString &objectName, bool primary, QWidget *parent);

} // namespace headroom::billingstyle
