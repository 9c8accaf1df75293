#include "api/groupcommit.h"

#include "store/database.h"

namespace headroom {

GroupCommit::GroupCommit(Database &database, QObject *parent)
    : QObject(parent), m_database(database)
{
}

void GroupCommit::submit(Write write, Done done)
{
    ++m_writes;
    if (!m_grouping) {
        write(); // its own durable transaction
        ++m_commits;
        done();
        return;
    }
    m_queue.append(Job{std::move(write), std::move(done)});
    if (m_scheduled)
        return;
    m_scheduled = true;
    // After the events already waiting (other clients' requests) have been read: they join.
    QMetaObject::invokeMethod(this, &GroupCommit::flush, Qt::QueuedConnection);
}

void GroupCommit::flush()
{
    m_scheduled = false;
    if (m_queue.isEmpty())
        return;
    const qsizetype n = qMin<qsizetype>(m_queue.size(), m_maxGroup);
    QList<Job> group = m_queue.mid(0, n);
    m_queue.remove(0, n);

    const Result<void> committed = m_database.durableWriteTransaction([&]() -> Result<void> {
        for (const Job &job : std::as_const(group)) {
            if (!job.write())
                return StoreError{QStringLiteral("a write of the group failed")};
        }
        return {};
    });
    if (committed) {
        ++m_commits;
    } else {
        // Rolled back: nothing of the group is stored. Each write again, alone.
        ++m_fallbacks;
        for (const Job &job : std::as_const(group)) {
            job.write();
            ++m_commits;
        }
    }
    for (const Job &job : std::as_const(group))
        job.done();
    if (!m_queue.isEmpty() && !m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(this, &GroupCommit::flush, Qt::QueuedConnection);
    }
}

} // namespace headroom
