#include "store/changewatcher.h"

#include "store/database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>

namespace headroom {

namespace {

// Lives on the watcher's thread: its connection is opened, used and closed there only.
class Poller final : public QObject
{
public:
    Poller(QString path, int intervalMs, std::function<void()> onChange,
           std::function<void(QString)> onFailure)
        : m_path(std::move(path)), m_intervalMs(intervalMs), m_onChange(std::move(onChange)),
          m_onFailure(std::move(onFailure))
    {
    }

    void start()
    {
        auto *timer = new QTimer(this);
        timer->setInterval(m_intervalMs);
        QObject::connect(timer, &QTimer::timeout, this, [this] { poll(); });
        timer->start();
        poll();
    }

private:
    void poll()
    {
        QString error;
        const std::optional<qint64> version = readVersion(&error);
        if (!version) {
            if (error != m_lastError)
                m_onFailure(error);
            m_lastError = error;
            m_database.reset(); // open again next time
            return;
        }
        m_lastError.clear();
        if (m_version && *m_version != *version)
            m_onChange();
        m_version = version;
    }

    std::optional<qint64> readVersion(QString *error)
    {
        if (!m_database) {
            auto database = std::make_unique<Database>();
            const Result<void> opened = database->open(m_path);
            if (!opened) {
                *error = opened.error().message;
                return std::nullopt;
            }
            m_database = std::move(database);
            m_version.reset(); // another connection: another counter
        }
        // Changes by other connections only, which is every change: this one never writes.
        QSqlQuery query(m_database->connection());
        if (!query.exec(QStringLiteral("PRAGMA data_version")) || !query.next()) {
            *error = query.lastError().text();
            return std::nullopt;
        }
        const qint64 version = query.value(0).toLongLong();
        query.finish(); // no read transaction left open between polls
        return version;
    }

    QString m_path;
    int m_intervalMs = ChangeWatcher::DefaultIntervalMs;
    std::function<void()> m_onChange;
    std::function<void(QString)> m_onFailure;
    std::unique_ptr<Database> m_database;
    std::optional<qint64> m_version;
    QString m_lastError;
};

} // namespace

ChangeWatcher::ChangeWatcher(QObject *parent) : QObject(parent) {}

ChangeWatcher::~ChangeWatcher()
{
    stop();
}

void ChangeWatcher::watch(const QString &path, int intervalMs)
{
    stop();
    m_path = path;
    if (path.isEmpty())
        return;
    const quint64 generation = m_generation;
    // The poller's callbacks run on its thread; what they say is handed to this one, where a
    // reply from an earlier watch() is recognised by its generation and dropped.
    auto *poller = new Poller(
        path, qMax(50, intervalMs),
        [this, generation] {
            QMetaObject::invokeMethod(
                this,
                [this, generation] {
                    if (generation == m_generation)
                        Q_EMIT changed();
                },
                Qt::QueuedConnection);
        },
        [this, generation](const QString &error) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, error] {
                    if (generation == m_generation)
                        Q_EMIT failed(error);
                },
                Qt::QueuedConnection);
        });
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("ChangeWatcher"));
    poller->moveToThread(m_thread);
    // Deleted on its own thread once the loop has ended, closing its connection there.
    connect(m_thread, &QThread::finished, poller, &QObject::deleteLater);
    connect(m_thread, &QThread::started, poller, [poller] { poller->start(); });
    m_thread->start(QThread::LowPriority);
}

void ChangeWatcher::stop()
{
    ++m_generation;
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

} // namespace headroom
