#pragma once

#include "store/migrations.h"
#include "store/result.h"

#include <QSqlDatabase>
#include <QString>
#include <functional>

namespace headroom {

// One SQLite connection to the Headroom database file. The console and `headroomctl run` open the
// same file at the same time, so the connection runs in WAL mode (readers never block the writer)
// and every write is a short BEGIN IMMEDIATE transaction that waits on the busy timeout.
//
// A Database belongs to the thread that opened it (a Qt SQL connection cannot cross threads). It
// is not a QObject: it has no signals, services that need them wrap it.
class Database final
{
public:
    static constexpr int BusyTimeoutMs = 5000;
    // How many times writeTransaction() runs the work before giving up on a busy database.
    static constexpr int MaxWriteAttempts = 4;

    Database();
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    // Opens (creating the file and its directory if needed) and configures the connection: WAL,
    // foreign keys, busy timeout, synchronous=NORMAL; then migrates the schema to the latest
    // version. A file whose schema is newer than this build is refused and left untouched.
    Result<void> open(const QString &path);
    // The same with an explicit migration list: a test hook.
    Result<void> open(const QString &path, const QList<Migration> &migrations);
    void close();

    bool isOpen() const;
    QString path() const { return m_path; }
    Result<int> schemaVersion() const;

    // How long a statement waits for another connection's lock before failing busy. open() sets
    // BusyTimeoutMs; tests shorten it to reach the retry path quickly.
    Result<void> setBusyTimeout(int milliseconds);

    // Runs work inside one write transaction (BEGIN IMMEDIATE ... COMMIT); an error returned by
    // work rolls it back. If SQLite still reports the database busy after the busy timeout, the
    // transaction is rolled back and the work run again, up to MaxWriteAttempts times with a short
    // backoff, so work must only touch the database. Keep it short: other processes wait for it.
    // Called from inside another writeTransaction() on the same Database, the work joins the
    // outer transaction (one atomic unit, e.g. approving a purchase and creating its lease).
    Result<void> writeTransaction(const std::function<Result<void>()> &work);

    // writeTransaction() with synchronous=FULL: the commit is on disk (WAL fsynced) before it
    // returns, so what was acknowledged survives a power loss - for ledgers (bids, purchases,
    // metering), at the price of one fsync per commit.
    Result<void> durableWriteTransaction(const std::function<Result<void>()> &work);

    // Whether a write could start now: takes the write lock (waiting at most waitMs for another
    // connection to release it) and lets it go at once, writing nothing. A busy error means
    // another connection holds the lock; the steering loop uses this to go on without the
    // database instead of stalling on every write of a poll.
    Result<void> probeWriteLock(int waitMs);

    // Who holds the write lock of the database at `path` right now, from the kernel's table of
    // file locks (Linux): "pid 1234: sqlite3", or empty when nobody (else) holds it or it cannot
    // be told.
    static QString writeLockHolder(const QString &path);

    // How often writeTransaction() had to retry since open(); for diagnostics and tests.
    int busyRetries() const { return m_busyRetries; }

    // The underlying connection, for repositories in core/store only.
    QSqlDatabase connection() const { return m_db; }

private:
    Result<void> configure(const QList<Migration> &migrations);
    Result<void> attemptWrite(const std::function<Result<void>()> &work);

    QString m_connectionName;
    QString m_path;
    QSqlDatabase m_db;
    int m_busyRetries = 0;
    int m_transactionDepth = 0;
};

} // namespace headroom
