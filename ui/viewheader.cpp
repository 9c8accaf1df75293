#include "viewheader.h"

#include <QLabel>
#include <QVBoxLayout>

namespace headroom {

ViewHeader::ViewHeader(const QString &title, const QString &description, QWidget *parent)
    : QWidget(parent), m_title(new QLabel(title, this)),
      m_description(new QLabel(description, this))
{
    m_title->setObjectName(QStringLiteral("viewTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_description->setObjectName(QStringLiteral("viewDescription"));
    m_description->setWordWrap(true);
    QPalette palette = m_description->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    m_description->setPalette(palette);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_description);
}

QString ViewHeader::title() const
{
    return m_title->text();
}

QString ViewHeader::description() const
{
    return m_description->text();
}

} // namespace headroom
