#include "databasethread.h"

#include "store/database.h"

#include <QPointer>
#include <QThread>

namespace headroom {

// Touched on the worker thread only.
struct DatabaseThread::Connection
{
    QString path;
    std::unique_ptr<Database> database;
    QString error;
};

DatabaseThread::DatabaseThread(const QString &name, QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_host(new QObject),
      m_connection(std::make_shared<Connection>()),
      m_stopping(std::make_shared<std::atomic_bool>(false))
{
    m_thread->setObjectName(name);
    m_host->moveToThread(m_thread);
    m_thread->start();
}

DatabaseThread::~DatabaseThread()
{
    *m_stopping = true;
    // Queued after every job, so it runs last: the connection is closed on its own thread.
    QMetaObject::invokeMethod(
        m_host,
        [connection = m_connection] {
            connection->database.reset();
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
    m_thread->wait();
    delete m_host;
}

void DatabaseThread::run(QObject *context, Job job)
{
    ++m_pending;
    QPointer<QObject> guard(context);
    QMetaObject::invokeMethod(
        m_host,
        [this, guard, job = std::move(job), path = m_path, connection = m_connection,
         stopping = m_stopping] {
            if (*stopping)
                return;
            if (connection->path != path || (!connection->database && !path.isEmpty())) {
                connection->database.reset();
                connection->path = path;
                connection->error.clear();
                if (path.isEmpty()) {
                    connection->error = QStringLiteral("no database is configured");
                } else {
                    auto database = std::make_unique<Database>();
                    const Result<void> opened = database->open(path);
                    if (opened)
                        connection->database = std::move(database);
                    else
                        connection->error = opened.error().message;
                }
            }
            Reply reply = job(connection->database.get(), connection->error);
            // This object outlives the thread (the destructor waits), so it is there to take
            // the reply; the reply itself runs only if its context still exists.
            QMetaObject::invokeMethod(
                this,
                [this, guard, reply = std::move(reply)] {
                    --m_pending;
                    if (guard && reply)
                        reply();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace headroom
