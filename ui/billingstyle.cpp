#include "billingstyle.h"

#include <QFrame>
#include <QLabel>
#include <QPushButton>

namespace headroom::billingstyle {

QFrame *panel(const QString &objectName, QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(objectName);
    frame->setAttribute(Qt::WA_StyledBackground);
    frame->setStyleSheet(QStringLiteral("QFrame#%1 { background: white;"
                                        " border: 1px solid #d5dbe3; border-radius: 8px; }")
                             .arg(objectName));
    return frame;
}

QLabel *title(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.1);
    label->setFont(font);
    return label;
}

QLabel *caption(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setStyleSheet(QStringLiteral("color: #5b6574;"));
    label->setWordWrap(true);
    return label;
}

QPushButton *button(const QString &text, const QString &objectName, bool primary, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(objectName);
    b->setStyleSheet(
        primary ? QStringLiteral(
                      "QPushButton { background: #2f5d8f; color: white; border: 1px solid #2f5d8f;"
                      " border-radius: 4px; padding: 5px 12px; }"
                      "QPushButton:hover { background: #264d78; }"
                      "QPushButton:disabled { background: #a8b9cc; border-color: #a8b9cc; }")
                : QStringLiteral(
                      "QPushButton { background: white; color: #1d2430; border: 1px solid #c3ccd8;"
                      " border-radius: 4px; padding: 5px 12px; }"
                      "QPushButton:hover { background: #eef2f7; }"
                      "QPushButton:disabled { color: #a8b0bb; }"));
    return b;
}

} // namespace headroom::billingstyle
