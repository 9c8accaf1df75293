#pragma once

#include <QWidget>

class QLabel;

namespace headroom {

// The title and one-line purpose at the top of every view, so all views line up.
class ViewHeader final : public QWidget
{
    Q_OBJECT
public:
    ViewHeader(const QString &title, const QString &description, QWidget *parent = nullptr);

    QString title() const;
    QString description() const;

private:
    QLabel *m_title = nullptr;
    QLabel *m_description = nullptr;
};

} // namespace headroom
