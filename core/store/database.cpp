#include "store/database.h"

#include "store/sqlerror.h"
#include "store/transaction.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <atomic>

namespace headroom {
namespace {

const QString Driver = QStringLiteral("QSQLITE");

QString nextConnectionName()
{
    static std::atomic<quint64> counter{0};
    return QStringLiteral("headroom-store-%1").arg(counter.fetch_add(1) + 1);
}

// Runs a PRAGMA and returns its first column (null if it returns no row).
Result<QVariant> pragma(const QSqlDatabase &db, const QString &statement)
{
    QSqlQuery query(db);
    if (!query.exec(statement))
        return toStoreError(query, statement);
    QVariant value = query.next() ? query.value(0) : QVariant();
    query.finish();
    return value;
}

} // namespace

Database::Database() = default;

Database::~Database()
{
    close();
}

Result<void> Database::open(const QString &path)
{
    return open(path, builtInMigrations());
}

Result<void> Database::open(const QString &path, const QList<Migration> &migrations)
{
    close();
    if (!QSqlDatabase::isDriverAvailable(Driver))
        return StoreError{QStringLiteral("the Qt SQLite driver (QSQLITE) is not available")};
    if (path.isEmpty())
        return StoreError{QStringLiteral("no database path given")};

    const QFileInfo file(path);
    if (!QDir().mkpath(file.absolutePath()))
        return StoreError{
            QStringLiteral("cannot create the directory %1").arg(file.absolutePath())};

    m_connectionName = nextConnectionName();
    m_db = QSqlDatabase::addDatabase(Driver, m_connectionName);
    m_db.setDatabaseName(file.absoluteFilePath());
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
    if (!m_db.open()) {
        const StoreError error = toStoreError(
            m_db.lastError(), QStringLiteral("opening %1").arg(file.absoluteFilePath()));
        close();
        return error;
    }
    m_path = file.absoluteFilePath();

    const Result<void> configured = configure(migrations);
    if (!configured) {
        close();
        return configured;
    }
    return {};
}

Result<void> Database::configure(const QList<Migration> &migrations)
{
    if (const Result<void> timeout = setBusyTimeout(BusyTimeoutMs); !timeout)
        return timeout;

    // Refuse a newer schema before anything below writes to the file (switching to WAL does).
    const Result<int> version = schemaVersion();
    if (!version)
        return version.error();
    if (version.value() > latestVersion(migrations))
        return StoreError{QStringLiteral("the database %1 has schema version %2 but this build "
                                         "knows only up to version %3; refusing to use it "
                                         "(upgrade Headroom)")
                              .arg(m_path)
                              .arg(version.value())
                              .arg(latestVersion(migrations))};

    // Another process may hold a lock while it switches a fresh file to WAL; retry briefly.
    Result<QVariant> mode = StoreError{};
    for (int attempt = 1; attempt <= MaxWriteAttempts; ++attempt) {
        mode = pragma(m_db, QStringLiteral("PRAGMA journal_mode = WAL"));
        if (mode || !mode.error().isBusy())
            break;
        QThread::msleep(20 * attempt);
    }
    if (!mode)
        return mode.error();
    if (mode.value().toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return StoreError{QStringLiteral("cannot switch %1 to WAL mode (journal mode is '%2'); "
                                         "is it on a network file system?")
                              .arg(m_path, mode.value().toString())};

    if (const auto fk = pragma(m_db, QStringLiteral("PRAGMA foreign_keys = ON")); !fk)
        return fk.error();
    const auto fkOn = pragma(m_db, QStringLiteral("PRAGMA foreign_keys"));
    if (!fkOn)
        return fkOn.error();
    if (fkOn.value().toInt() != 1)
        return StoreError{QStringLiteral("this SQLite build cannot enforce foreign keys")};

    // In WAL mode NORMAL is durable against application crashes; a power loss may only lose the
    // last transactions, never corrupt the file.
    if (const auto sync = pragma(m_db, QStringLiteral("PRAGMA synchronous = NORMAL")); !sync)
        return sync.error();

    return migrate(*this, migrations);
}

void Database::close()
{
    if (m_connectionName.isEmpty())
        return;
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_connectionName.clear();
    m_path.clear();
    m_busyRetries = 0;
}

bool Database::isOpen() const
{
    return m_db.isOpen();
}

Result<void> Database::setBusyTimeout(int milliseconds)
{
    // PRAGMAs take no bound parameters; the value is an int, so nothing but digits reaches SQL.
    const Result<QVariant> set =
        pragma(m_db, QStringLiteral("PRAGMA busy_timeout = %1").arg(qMax(0, milliseconds)));
    if (!set)
        return set.error();
    return {};
}

Result<int> Database::schemaVersion() const
{
    const Result<QVariant> version = pragma(m_db, QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    return version.value().toInt();
}

Result<void> Database::writeTransaction(const std::function<Result<void>()> &work)
{
    // Nested: the work joins the transaction already open (which holds the write lock, so it
    // cannot be busy); its error makes the outer work fail and roll everything back.
    if (m_transactionDepth > 0)
        return work();
    Result<void> outcome;
    for (int attempt = 1; attempt <= MaxWriteAttempts; ++attempt) {
        outcome = attemptWrite(work);
        if (outcome || !outcome.error().isBusy())
            return outcome;
        if (attempt < MaxWriteAttempts) {
            ++m_busyRetries;
            // Jitter so two processes that collided do not collide again in lockstep.
            QThread::msleep(10 * attempt + QRandomGenerator::global()->bounded(10));
        }
    }
    return StoreError{QStringLiteral("gave up after %1 attempts: %2")
                          .arg(MaxWriteAttempts)
                          .arg(outcome.error().message),
                      outcome.error().nativeCode};
}

Result<void> Database::durableWriteTransaction(const std::function<Result<void>()> &work)
{
    if (m_transactionDepth > 0)
        return work(); // the outer transaction decides
    // Outside the transaction: SQLite ignores a change of this pragma inside one.
    QSqlQuery full(m_db);
    if (!full.exec(QStringLiteral("PRAGMA synchronous = FULL")))
        return toStoreError(full, QStringLiteral("making the write durable"));
    full.finish();
    const Result<void> outcome = writeTransaction(work);
    QSqlQuery normal(m_db);
    normal.exec(QStringLiteral("PRAGMA synchronous = NORMAL"));
    return outcome;
}

Result<void> Database::attemptWrite(const std::function<Result<void>()> &work)
{
    Transaction transaction(*this);
    if (!transaction.isActive())
        return transaction.beginError();
    ++m_transactionDepth;
    const Result<void> done = work();
    --m_transactionDepth;
    if (!done)
        return done; // the transaction rolls back as it goes out of scope
    return transaction.commit();
}

} // namespace headroom
