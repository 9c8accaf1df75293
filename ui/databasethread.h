#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace headroom {

class Database;

// A thread with a connection of its own to one database file, for the console's reads and writes
// off the GUI thread. Jobs run one after another, in the order given; each gets the connection
// (opened on first use, and again when the path changes) or, if it cannot be opened, why not.
// What a job returns is run back on this object's thread, unless the given context is gone by
// then.
class DatabaseThread final : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void()>;
    // `database` is null when the file could not be opened; `openError` then says why.
    using Job = std::function<Reply(Database *database, const QString &openError)>;

    explicit DatabaseThread(const QString &name, QObject *parent = nullptr);
    // Lets the running job finish, drops the queued ones and closes the connection.
    ~DatabaseThread() override;

    // Jobs given from now on use a connection to `path`.
    void setPath(const QString &path) { m_path = path; }
    QString path() const { return m_path; }

    void run(QObject *context, Job job);
    // Jobs given and not yet replied to.
    int pending() const { return m_pending; }

private:
    struct Connection;

    QString m_path;
    QThread *m_thread = nullptr;
    QObject *m_host = nullptr; // lives on m_thread
    std::shared_ptr<Connection> m_connection;
    std::shared_ptr<std::atomic_bool> m_stopping;
    int m_pending = 0;
};

} // namespace headroom
