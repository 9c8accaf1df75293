#pragma once

#include <QLabel>

namespace headroom {

// One line that says what the last action did, coloured by how it went, elided to the width with
// the whole text in its tooltip. It keeps its height when empty, so nothing under it moves.
class MessageLine final : public QLabel
{
    Q_OBJECT
public:
    enum class Kind
    {
        Info,
        Success,
        Warning,
        Error
    };

    explicit MessageLine(QWidget *parent = nullptr);

    // Shown while there is no message.
    void setIdleText(const QString &text);
    void showMessage(const QString &text, Kind kind);
    void clearMessage();
    QString message() const { return m_text; }
    Kind kind() const { return m_kind; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void elide();

    QString m_text;
    QString m_idle;
    Kind m_kind = Kind::Info;
};

} // namespace headroom
