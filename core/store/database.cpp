#include "store/database.h"

#include "store/sqlerror.h"
#include "store/transaction.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QThread>
#include <atomic>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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

// "device:inode" as /proc/locks writes it (hex major and minor), or empty.
QString lockKeyOf(const QString &path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return QStringLiteral("%1:%2:%3")
        .arg(major(st.st_dev), 2, 16, QLatin1Char('0'))
        .arg(minor(st.st_dev), 2, 16, QLatin1Char('0'))
        .arg(quint64(st.st_ino));
}

QString describeProcess(qint64 pid)
{
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    QString what;
    if (cmdline.open(QIODevice::ReadOnly)) {
        QList<QByteArray> argv = cmdline.read(4096).split('\0');
        while (!argv.isEmpty() && argv.last().isEmpty())
            argv.removeLast();
        QStringList words;
        for (qsizetype i = 0; i < argv.size() && i < 3; ++i) {
            QString word = QString::fromLocal8Bit(argv[i]);
            if (i == 0)
                word = QFileInfo(word).fileName();
            words.append(word.left(60));
        }
        what = words.join(QLatin1Char(' '));
    }
    return what.isEmpty() ? QStringLiteral("pid %1").arg(pid)
                          : QStringLiteral("pid %1: %2").arg(pid).arg(what);
}

// SQLite reports a full file system as SQLITE_FULL when a write runs out of room, but as a plain
// I/O error when it cannot even create its WAL index on opening. Either way, when the file
// system under the database has (next to) no room left, say so.
StoreError explainDiskFull(StoreError error, const QString &databasePath)
{
    if (error.nativeCode != 10 && error.nativeCode != 13)
        return error;
    const QString dir = QFileInfo(databasePath).absolutePath();
    const QStorageInfo storage(dir);
    constexpr qint64 kNearlyFull = 256 * 1024;
    if (error.nativeCode == 13 && error.message.startsWith(QLatin1String("disk full")))
        return error;
    if (!storage.isValid() || storage.bytesAvailable() > kNearlyFull)
        return error;
    return StoreError{QStringLiteral("disk full: %1 has %2 KiB free (%3); nothing was written "
                                     "(free space there and try again)")
                          .arg(storage.rootPath())
                          .arg(storage.bytesAvailable() / 1024)
                          .arg(error.message),
                      13};
}

} // namespace

QString Database::writeLockHolder(const QString &path)
{
    // SQLite's write lock is a POSIX lock: in WAL mode on byte 120 of the -shm file, in rollback
    // mode on the database file's RESERVED byte (0x40000001).
    const QString shm = lockKeyOf(path + QStringLiteral("-shm"));
    const QString main = lockKeyOf(path);
    QFile locks(QStringLiteral("/proc/locks"));
    if ((shm.isEmpty() && main.isEmpty()) || !locks.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression line(QStringLiteral(
        "^\\d+: POSIX +ADVISORY +WRITE +(\\d+) +([0-9a-f]+:[0-9a-f]+:\\d+) +(\\d+) +(\\d+|EOF)$"));
    const qint64 self = QCoreApplication::applicationPid();
    for (const QByteArray &raw : locks.readAll().split('\n')) {
        const auto m = line.match(QString::fromLatin1(raw.trimmed()));
        if (!m.hasMatch())
            continue;
        const qint64 pid = m.captured(1).toLongLong();
        const QString key = m.captured(2);
        const quint64 start = m.captured(3).toULongLong();
        if (pid == self)
            continue;
        if ((!shm.isEmpty() && key == shm && start == 120) ||
            (!main.isEmpty() && key == main && start == 0x40000001))
            return describeProcess(pid);
    }
    return {};
}

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
        return explainDiskFull(error, file.absoluteFilePath());
    }
    m_path = file.absoluteFilePath();

    const Result<void> configured = configure(migrations);
    if (!configured) {
        close();
        return explainDiskFull(configured.error(), file.absoluteFilePath());
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

Result<void> Database::probeWriteLock(int waitMs)
{
    if (m_transactionDepth > 0)
        return {}; // this connection holds it
    if (const Result<void> shortened = setBusyTimeout(waitMs); !shortened)
        return shortened;
    Result<void> outcome;
    {
        Transaction transaction(*this);
        if (!transaction.isActive())
            outcome = transaction.beginError();
    } // rolled back: nothing was written
    if (const Result<void> restored = setBusyTimeout(BusyTimeoutMs); !restored && outcome)
        return restored;
    return outcome;
}

Result<void> Database::writeTransaction(const std::function<Result<void>()> &work)
{
    // Nested: the work joins the transaction already open (which holds the write lock, so it
    // cannot be busy); its error makes the outer work fail and roll everything back.
    if (m_transactionDepth > 0)
        return work();
    QElapsedTimer waited;
    waited.start();
    Result<void> outcome;
    for (int attempt = 1; attempt <= MaxWriteAttempts; ++attempt) {
        outcome = attemptWrite(work);
        if (!outcome && !outcome.error().isBusy())
            return explainDiskFull(outcome.error(), m_path);
        if (outcome)
            return outcome;
        if (attempt < MaxWriteAttempts) {
            ++m_busyRetries;
            // Jitter so two processes that collided do not collide again in lockstep.
            QThread::msleep(10 * attempt + QRandomGenerator::global()->bounded(10));
        }
    }
    // What an operator needs: who is in the way, and that nothing half-happened.
    const QString holder = writeLockHolder(m_path);
    return StoreError{QStringLiteral("the database is busy: another process (%1) holds its write "
                                     "lock; nothing was changed (waited %2 s, %3 attempts: %4)")
                          .arg(holder.isEmpty() ? QStringLiteral("unknown") : holder)
                          .arg(double(waited.elapsed()) / 1000.0, 0, 'f', 1)
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
