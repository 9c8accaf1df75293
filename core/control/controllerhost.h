#pragma once

#include "control/controller.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <memory>
#include <optional>

class QThread;
class QTimer;

namespace headroom {

class ControllerLock;

// Runs the steering loop inside a program that does other work (the console) whenever no other
// controller does. Only the holder of the database's ControllerLock steers: the host tries the
// lock every retry interval while it does not hold it, so it takes over within one interval of
// `headroomctl run` exiting or crashing (the kernel drops a dead holder's lock), and while it
// holds the lock `headroomctl run` is refused with this host's name.
//
// The Controller lives on a thread of its own (it opens its own database connection there and
// its polls never wait on the host's event loop); the host lives on the thread that created it
// and only takes and releases the lock, which never blocks.
class ControllerHost final : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        NoController,     // nobody steers: reason() says why this process does not
        Steering,         // this process holds the lock and runs the loop
        SteeredElsewhere, // another process holds the lock: holder()
    };
    Q_ENUM(State)

    static constexpr int DefaultRetryMs = 2000;
    static constexpr int MaxLogLines = 200;
    // After the loop failed to start (database unreadable, ...), wait this long before retrying.
    static constexpr int StartFailureBackoffMs = 15000;

    // `who` names this process in the lock file, for the controller that is refused.
    explicit ControllerHost(QString who, QObject *parent = nullptr);
    // Stops the loop (waiting for its thread) and releases the lock.
    ~ControllerHost() override;

    // The loop to run while this process holds the lock of config.databasePath. Restarts a
    // running loop with the new configuration.
    void setConfig(const ControllerConfig &config);
    // Nothing to run here: only watch the lock of `databasePath` (empty: no database) and give
    // `whyNot` as the reason while nobody steers. Stops a running loop.
    void watchOnly(const QString &databasePath, const QString &whyNot);
    // Whether to take the lock when it is free (default: yes). Off, a running loop is stopped,
    // the lock released, and the host only watches.
    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }
    // Whether there is a loop to run (setConfig() was called, not watchOnly() since).
    bool canRun() const { return m_config.has_value(); }
    void setRetryInterval(int ms);

    // Checks now, then every retry interval.
    void start();
    // Stops the loop and the checks, releases the lock: what the program does on quitting.
    void shutdown();

    State state() const { return m_state; }
    // Who holds the lock, as its file says: "headroomctl run pid 1234 on host since ..."
    QString holder() const { return m_state == State::SteeredElsewhere ? m_detail : QString(); }
    // Why nobody steers from here.
    QString reason() const { return m_state == State::NoController ? m_detail : QString(); }
    // "steering here", "steered by <holder>" or "no controller (<reason>)".
    QString stateText() const;
    QString lockPath() const;
    // The controller's and the host's last MaxLogLines lines, oldest first, each "hh:mm:ss text".
    QStringList log() const { return m_log; }

Q_SIGNALS:
    void stateChanged();
    void message(const QString &line); // a line as appended to log()

private:
    void check();
    void startController();
    void stopController();
    void release(const QString &why);
    void onStartFailed(const QString &error);
    void setState(State state, const QString &detail);
    void appendLog(const QString &line);

    QString m_who;
    std::optional<ControllerConfig> m_config;
    QString m_watchedPath;
    QString m_whyNot;
    std::unique_ptr<ControllerLock> m_lock;
    QTimer *m_timer = nullptr;
    QThread *m_thread = nullptr;
    QObject *m_anchor = nullptr; // lives on m_thread; parent of the Controller
    quint64 m_run = 0;           // counts loops started, to ignore a stopped one's late report
    QElapsedTimer m_sinceStartFailure;
    bool m_enabled = true;
    State m_state = State::NoController;
    QString m_detail = QStringLiteral("not started");
    QStringList m_log;
};

} // namespace headroom
