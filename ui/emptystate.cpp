#include "emptystate.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace headroom {

EmptyState::EmptyState(icons::Glyph glyph, const QString &headline, const QString &hint,
                       QWidget *parent)
    : QWidget(parent), m_headline(new QLabel(headline, this)), m_hint(new QLabel(hint, this))
{
    // Opaque: the palette's placeholder colour is translucent, which shows every overlap of
    // pen and fill in the glyph.
    const QColor text = palette().color(QPalette::WindowText);
    const QColor window = palette().color(QPalette::Window);
    const QColor faint = QColor::fromRgbF(0.45f * text.redF() + 0.55f * window.redF(),
                                          0.45f * text.greenF() + 0.55f * window.greenF(),
                                          0.45f * text.blueF() + 0.55f * window.blueF());

    auto *icon = new QLabel(this);
    icon->setPixmap(icons::glyphPixmap(glyph, 64, faint));
    icon->setAlignment(Qt::AlignCenter);

    m_headline->setObjectName(QStringLiteral("emptyHeadline"));
    m_headline->setAlignment(Qt::AlignCenter);
    QFont headlineFont = m_headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.2);
    headlineFont.setBold(true);
    m_headline->setFont(headlineFont);

    m_hint->setObjectName(QStringLiteral("emptyHint"));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    // A fixed width lets the layout give the wrapped text the height it needs.
    m_hint->setFixedWidth(480);
    setHint(hint);
    QPalette hintPalette = m_hint->palette();
    hintPalette.setColor(QPalette::WindowText, faint);
    m_hint->setPalette(hintPalette);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->setSpacing(10);
    layout->addStretch(2);
    layout->addWidget(icon, 0, Qt::AlignHCenter);
    layout->addSpacing(6);
    layout->addWidget(m_headline, 0, Qt::AlignHCenter);
    auto *hintRow = new QHBoxLayout;
    hintRow->addStretch();
    hintRow->addWidget(m_hint);
    hintRow->addStretch();
    layout->addLayout(hintRow);
    layout->addStretch(3);
}

void EmptyState::setHint(const QString &hint)
{
    m_hint->setText(hint);
    // Inside nested layouts a word-wrapped label is sized by its hint, not by its text.
    m_hint->setMinimumHeight(m_hint->heightForWidth(m_hint->width()));
}

QString EmptyState::headline() const
{
    return m_headline->text();
}

QString EmptyState::hint() const
{
    return m_hint->text();
}

} // namespace headroom
