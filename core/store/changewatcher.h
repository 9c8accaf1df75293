#pragma once

#include <QObject>
#include <QString>

class QThread;

namespace headroom {

// Says when anything was committed to a database file by another connection: another process
// (the purchaser API, headroomctl, the controller) or another thread of this one. It polls
// SQLite's data_version on a connection of its own, on a thread of its own, so the caller's
// thread never waits on the file; the pragma reads a counter in the WAL index, not a table, so
// a poll every half second costs next to nothing. Several commits between two polls make one
// changed().
class ChangeWatcher final : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 500;

    explicit ChangeWatcher(QObject *parent = nullptr);
    // Stops the polling thread and waits for it.
    ~ChangeWatcher() override;

    // Watches the database at `path` (empty: stops watching). The first poll only sets the
    // baseline: changed() means a commit after it. A file that cannot be opened or read is
    // reported by failed() and tried again at the next poll.
    void watch(const QString &path, int intervalMs = DefaultIntervalMs);
    QString path() const { return m_path; }
    bool isWatching() const { return m_thread != nullptr; }

Q_SIGNALS:
    void changed();
    void failed(const QString &error);

private:
    void stop();

    QString m_path;
    QThread *m_thread = nullptr;
    quint64 m_generation = 0; // replies from an earlier watch() are dropped
};

} // namespace headroom
