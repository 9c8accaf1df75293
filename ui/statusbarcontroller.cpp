#include "statusbarcontroller.h"

#include "control/controllerhost.h"

#include <QFontDatabase>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QWidgetAction>

namespace headroom {

namespace {

constexpr int MaxReasonChars = 56;

// "headroomctl run pid 1234 on host since ..." -> "headroomctl run (pid 1234)".
QString shortHolder(const QString &holder)
{
    static const QRegularExpression described(QStringLiteral("^(.+) pid (\\d+) on "));
    const QRegularExpressionMatch m = described.match(holder);
    return m.hasMatch() ? QStringLiteral("%1 (pid %2)").arg(m.captured(1), m.captured(2)) : holder;
}

QIcon dot(const QColor &colour)
{
    QPixmap pixmap(24, 24);
    pixmap.setDevicePixelRatio(2);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(1, 1, 10, 10));
    return QIcon(pixmap);
}

} // namespace

StatusBarController::StatusBarController(ControllerHost *host, QWidget *parent)
    : QToolButton(parent), m_host(host)
{
    setObjectName(QStringLiteral("controllerStatus"));
    setAutoRaise(true);
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setPopupMode(QToolButton::InstantPopup);
    setIconSize(QSize(12, 12));

    auto *menu = new QMenu(this);
    m_runHere = menu->addAction(QStringLiteral("Run the steering loop in this console"));
    m_runHere->setObjectName(QStringLiteral("runSteeringLoopHere"));
    m_runHere->setCheckable(true);
    m_runHere->setToolTip(QStringLiteral(
        "Take over steering whenever no other controller (headroomctl run) is running"));
    menu->addSeparator();

    auto *logPane = new QWidget(menu);
    auto *logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(8, 4, 8, 8);
    logLayout->setSpacing(4);
    auto *caption = new QLabel(QStringLiteral("Steering loop log"), logPane);
    caption->setStyleSheet(QStringLiteral("color: #5b6574; font-weight: bold;"));
    m_log = new QPlainTextEdit(logPane);
    m_log->setObjectName(QStringLiteral("controllerLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumBlockCount(ControllerHost::MaxLogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setMinimumSize(640, 260);
    logLayout->addWidget(caption);
    logLayout->addWidget(m_log);
    auto *logAction = new QWidgetAction(menu);
    logAction->setDefaultWidget(logPane);
    menu->addAction(logAction);
    setMenu(menu);

    connect(m_runHere, &QAction::triggered, this, [this](bool on) {
        if (m_host)
            m_host->setEnabled(on);
        Q_EMIT runHereToggled(on);
    });
    if (m_host) {
        m_log->setPlainText(m_host->log().join(QLatin1Char('\n')));
        connect(m_host, &ControllerHost::message, m_log,
                [this](const QString &line) { m_log->appendPlainText(line); });
        connect(m_host, &ControllerHost::stateChanged, this, &StatusBarController::updateState);
        connect(menu, &QMenu::aboutToShow, m_log, [this] {
            m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
        });
    } else {
        m_runHere->setEnabled(false);
    }
    updateState();
}

void StatusBarController::updateState()
{
    QColor colour(0xd9, 0x90, 0x1a);
    QString text;
    QString detail;
    if (!m_host) {
        text = QStringLiteral("No controller");
        detail = QStringLiteral("This console does not watch the steering loop.");
    } else {
        switch (m_host->state()) {
        case ControllerHost::State::Steering:
            colour = QColor(0x2e, 0x9d, 0x50);
            text = QStringLiteral("Steering here");
            detail = QStringLiteral("This console runs the steering loop.");
            break;
        case ControllerHost::State::SteeredElsewhere:
            colour = QColor(0x2f, 0x5d, 0x8f);
            text = QStringLiteral("Steered by %1").arg(shortHolder(m_host->holder()));
            detail = QStringLiteral("Steered by %1.").arg(m_host->holder());
            break;
        case ControllerHost::State::NoController: {
            const QString reason = m_host->reason();
            text = QStringLiteral("No controller: %1")
                       .arg(reason.size() > MaxReasonChars
                                ? reason.left(MaxReasonChars - 1) + QChar(0x2026)
                                : reason);
            detail = QStringLiteral("No controller is steering: %1.").arg(reason);
            break;
        }
        }
        m_runHere->setChecked(m_host->isEnabled());
        if (!m_host->lockPath().isEmpty())
            detail += QStringLiteral("\nController lock: %1").arg(m_host->lockPath());
    }
    setText(text);
    setIcon(dot(colour));
    setToolTip(detail + QStringLiteral("\nClick for the log and to run the loop here or not."));
    setAccessibleName(text);
}

} // namespace headroom
