#include "control/controllerhost.h"

#include "control/controllerlock.h"
#include "market/auctioncloser.h"

#include <QDateTime>
#include <QThread>
#include <QTimer>

namespace headroom {

ControllerHost::ControllerHost(QString who, QObject *parent)
    : QObject(parent), m_who(std::move(who)), m_timer(new QTimer(this))
{
    m_timer->setInterval(DefaultRetryMs);
    connect(m_timer, &QTimer::timeout, this, &ControllerHost::check);
}

ControllerHost::~ControllerHost()
{
    m_timer->stop();
    stopController();
    m_lock.reset();
}

void ControllerHost::setConfig(const ControllerConfig &config)
{
    release(QStringLiteral("released the controller lock to apply a new configuration"));
    m_config = config;
    m_watchedPath.clear();
    m_whyNot.clear();
    m_sinceStartFailure.invalidate();
    if (m_timer->isActive())
        check();
}

void ControllerHost::watchOnly(const QString &databasePath, const QString &whyNot)
{
    release(QStringLiteral("released the controller lock: nothing to run here any more"));
    m_config.reset();
    m_watchedPath = databasePath;
    m_whyNot = whyNot;
    m_sinceStartFailure.invalidate();
    if (m_timer->isActive())
        check();
}

void ControllerHost::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    m_sinceStartFailure.invalidate();
    if (!enabled)
        release(QStringLiteral("stopped the steering loop here and released the controller lock"));
    if (m_timer->isActive())
        check();
}

void ControllerHost::setRetryInterval(int ms)
{
    m_timer->setInterval(ms);
}

void ControllerHost::start()
{
    m_timer->start();
    check();
}

void ControllerHost::shutdown()
{
    m_timer->stop();
    release(QStringLiteral("stopped the steering loop and released the controller lock"));
    setState(State::NoController, QStringLiteral("stopped"));
}

QString ControllerHost::lockPath() const
{
    if (m_config)
        return ControllerLock::pathFor(m_config->databasePath);
    return m_watchedPath.isEmpty() ? QString() : ControllerLock::pathFor(m_watchedPath);
}

QString ControllerHost::stateText() const
{
    switch (m_state) {
    case State::Steering:
        return QStringLiteral("steering here");
    case State::SteeredElsewhere:
        return QStringLiteral("steered by %1").arg(m_detail);
    case State::NoController:
        break;
    }
    return QStringLiteral("no controller (%1)").arg(m_detail);
}

void ControllerHost::check()
{
    const QString path = lockPath();
    if (path.isEmpty()) {
        setState(State::NoController,
                 m_whyNot.isEmpty() ? QStringLiteral("no database") : m_whyNot);
        return;
    }
    if (m_lock && m_lock->isLocked()) {
        setState(State::Steering, QString());
        return;
    }
    const bool backingOff =
        m_sinceStartFailure.isValid() && m_sinceStartFailure.elapsed() < StartFailureBackoffMs;
    if (m_enabled && m_config && !backingOff) {
        m_lock = std::make_unique<ControllerLock>(path);
        QString error;
        if (m_lock->tryLock(m_who, &error)) {
            setState(State::Steering, QString());
            startController();
            return;
        }
        if (ControllerLock::isHeld(path))
            setState(State::SteeredElsewhere, m_lock->holder());
        else
            setState(State::NoController, error);
        return;
    }
    if (ControllerLock::isHeld(path)) {
        setState(State::SteeredElsewhere, ControllerLock(path).holder());
        return;
    }
    if (backingOff && m_state == State::NoController)
        return; // keeps the start failure as the reason until the next attempt
    setState(State::NoController,
             m_config ? QStringLiteral("turned off in this console") : m_whyNot);
}

void ControllerHost::startController()
{
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("steering loop"));
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread);
    // Deferred deletions still run on a thread that has finished its event loop.
    connect(m_thread, &QThread::finished, m_anchor, &QObject::deleteLater);
    m_thread->start();
    const quint64 run = ++m_run;
    // On the loop's thread: the Controller opens its database connection there.
    QMetaObject::invokeMethod(
        m_anchor,
        [this, anchor = m_anchor, config = *m_config, run] {
            auto *controller = new Controller(config, anchor);
            connect(controller, &Controller::message, this, &ControllerHost::appendLog);
            auto *auctions = new AuctionCloser(config.databasePath, controller);
            connect(auctions, &AuctionCloser::message, this, &ControllerHost::appendLog);
            connect(controller, &Controller::cycleFinished, auctions, &AuctionCloser::closeDue);
            QString error;
            if (controller->start(&error))
                return;
            delete controller;
            QMetaObject::invokeMethod(
                this,
                [this, run, error] {
                    if (run == m_run)
                        onStartFailed(error);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void ControllerHost::stopController()
{
    if (!m_thread)
        return;
    ++m_run;
    QMetaObject::invokeMethod(
        m_anchor,
        [anchor = m_anchor] {
            const QObjectList children = anchor->children();
            qDeleteAll(children); // the Controller stops and closes its database on its thread
        },
        Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_anchor = nullptr;
}

void ControllerHost::release(const QString &why)
{
    const bool held = m_lock && m_lock->isLocked();
    stopController();
    if (m_lock)
        m_lock->unlock();
    if (held)
        appendLog(why);
}

void ControllerHost::onStartFailed(const QString &error)
{
    appendLog(QStringLiteral("cannot start the steering loop: %1").arg(error));
    release(QStringLiteral("released the controller lock"));
    m_sinceStartFailure.start();
    setState(State::NoController, error);
}

void ControllerHost::setState(State state, const QString &detail)
{
    if (state == m_state && detail == m_detail)
        return;
    m_state = state;
    m_detail = detail;
    appendLog(stateText());
    Q_EMIT stateChanged();
}

void ControllerHost::appendLog(const QString &line)
{
    const QString stamped =
        QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss ")) + line;
    m_log.append(stamped);
    if (m_log.size() > MaxLogLines)
        m_log.remove(0, m_log.size() - MaxLogLines);
    Q_EMIT message(stamped);
}

} // namespace headroom
