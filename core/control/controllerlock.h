#pragma once

#include <QString>

namespace headroom {

// "Only one controller at a time": an exclusive flock() on a file beside the database. The
// kernel drops the lock when its holder exits or crashes, so a dead controller never holds it;
// the file also names the holder (pid, host, program) for the one that is refused.
class ControllerLock final
{
public:
    explicit ControllerLock(QString path);
    ~ControllerLock();
    ControllerLock(const ControllerLock &) = delete;
    ControllerLock &operator=(const ControllerLock &) = delete;

    // The lock file for a database file: "<database>.controller.lock".
    static QString pathFor(const QString &databasePath);

    // Non-blocking. False with *error naming the holder when another process has it.
    bool tryLock(const QString &who, QString *error);
    void unlock();
    bool isLocked() const { return m_fd >= 0; }
    // Who holds it according to the file (may be stale if nobody holds the lock).
    QString holder() const;

    // Whether a process holds the lock at `path` now: for a watcher that will not take it. Takes
    // a shared lock for an instant (a controller trying at that very instant is refused) and
    // writes nothing; false when the file does not exist.
    static bool isHeld(const QString &path);

private:
    QString m_path;
    int m_fd = -1;
};

} // namespace headroom
