#pragma once

#include <QList>
#include <QObject>
#include <functional>

namespace headroom {

class Database;

// Group commit for the purchaser API's market writes. A durable commit costs one fsync of the
// WAL (synchronous=FULL: about 7.5 ms on the development VM, so at most ~130 commits a second).
// Writes submitted while the event loop is busy are run together in one durable transaction
// (Database::durableWriteTransaction, which MarketService's own transactions join), and each
// caller is answered only after that commit: every acknowledged write is on disk, and one fsync
// serves the whole group.
//
// A write that fails with a storage error may have left partial changes, so the whole group is
// rolled back and each write is run again alone, in its own durable transaction; refusals
// (invalid, not found, conflict) change nothing and do not disturb the group.
class GroupCommit final : public QObject
{
    Q_OBJECT
public:
    // Runs the write (on this thread, inside the group's transaction; possibly again, alone or
    // after a busy retry, so it must only touch the database and record its own outcome). Returns
    // false on a storage failure.
    using Write = std::function<bool()>;
    // Runs once the write's outcome is final and durable (or failed).
    using Done = std::function<void()>;

    explicit GroupCommit(Database &database, QObject *parent = nullptr);

    // Off: each write is run at once in its own transaction (for comparison in the benchmark).
    void setGrouping(bool on) { m_grouping = on; }
    void setMaxGroup(int n) { m_maxGroup = qMax(1, n); }

    void submit(Write write, Done done);

    // Statistics since construction.
    quint64 commits() const { return m_commits; }
    quint64 writes() const { return m_writes; }
    quint64 fallbacks() const { return m_fallbacks; }

private:
    struct Job
    {
        Write write;
        Done done;
    };

    void flush();

    Database &m_database;
    QList<Job> m_queue;
    bool m_scheduled = false;
    bool m_grouping = true;
    int m_maxGroup = 256;
    quint64 m_commits = 0;
    quint64 m_writes = 0;
    quint64 m_fallbacks = 0;
};

} // namespace headroom
