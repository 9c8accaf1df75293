#pragma once

#include <QPointer>
#include <QToolButton>

class QPlainTextEdit;

namespace headroom {

class ControllerHost;

// Where the steering loop runs, for the status bar: a coloured dot and "Steering here", "Steered
// by headroomctl run (pid 1234)" or "No controller: <reason>", the whole story in the tooltip.
// A click opens the toggle "Run the steering loop in this console" above the loop's recent log.
class StatusBarController final : public QToolButton
{
    Q_OBJECT
public:
    // `host` may be null: the button then says that no controller runs. Not owned.
    explicit StatusBarController(ControllerHost *host, QWidget *parent = nullptr);

    // Checkable, following the host's isEnabled(); toggling it enables or disables the host.
    QAction *runHereAction() const { return m_runHere; }
    QPlainTextEdit *logView() const { return m_log; }

Q_SIGNALS:
    // The operator turned the loop in this console on or off (for the app to remember).
    void runHereToggled(bool on);

private:
    void updateState();

    QPointer<ControllerHost> m_host;
    QAction *m_runHere = nullptr;
    QPlainTextEdit *m_log = nullptr;
};

} // namespace headroom
