#pragma once

#include "icons.h"

#include <QWidget>

class QLabel;

namespace headroom {

// What a view shows while it has nothing to show: a faint glyph, a headline and a hint that says
// plainly why, so an empty view is never mistaken for a broken one.
class EmptyState final : public QWidget
{
    Q_OBJECT
public:
    EmptyState(icons::Glyph glyph, const QString &headline, const QString &hint,
               QWidget *parent = nullptr);

    void setHint(const QString &hint);
    QString headline() const;
    QString hint() const;

private:
    QLabel *m_headline = nullptr;
    QLabel *m_hint = nullptr;
};

} // namespace headroom
