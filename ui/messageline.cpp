#include "messageline.h"

namespace headroom {

MessageLine::MessageLine(QWidget *parent) : QLabel(parent)
{
    setWordWrap(false);
    setTextFormat(Qt::PlainText);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    setFixedHeight(fontMetrics().height() + 16);
    clearMessage();
}

void MessageLine::setIdleText(const QString &text)
{
    m_idle = text;
    elide();
}

void MessageLine::clearMessage()
{
    showMessage(QString(), Kind::Info);
}

void MessageLine::showMessage(const QString &text, Kind kind)
{
    m_text = text;
    m_kind = kind;
    QString colours;
    if (text.isEmpty()) {
        colours = QStringLiteral("background: transparent; border: 1px solid transparent; "
                                 "color: #5b6574;");
    } else {
        switch (kind) {
        case Kind::Info:
            colours = QStringLiteral("background: #eaf1f8; border: 1px solid #b9cde3; "
                                     "color: #1d2430;");
            break;
        case Kind::Success:
            colours = QStringLiteral("background: #e7f4ea; border: 1px solid #a9d5b4; "
                                     "color: #173d22;");
            break;
        case Kind::Warning:
            colours = QStringLiteral("background: #fdf0e1; border: 1px solid #e8b777; "
                                     "color: #5c3a07;");
            break;
        case Kind::Error:
            colours = QStringLiteral("background: #fbe9e9; border: 1px solid #e3a3a4; "
                                     "color: #7a1d1f;");
            break;
        }
    }
    setStyleSheet(
        QStringLiteral("QLabel { %1 border-radius: 6px; padding: 0px 10px; }").arg(colours));
    setToolTip(text);
    elide();
}

void MessageLine::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    elide();
}

void MessageLine::elide()
{
    const QString text = m_text.isEmpty() ? m_idle : m_text;
    const int room = width() - 24;
    setText(room > 80 ? fontMetrics().elidedText(text, Qt::ElideRight, room) : text);
}

} // namespace headroom
