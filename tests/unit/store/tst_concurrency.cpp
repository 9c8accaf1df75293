// The console and `headroomctl run` write to one database file at the same time. This test runs
// that for real: it re-launches its own binary as two writer processes that insert into the same
// file as fast as they can while the test process reads, then checks that nothing was lost.

#include "store/database.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <cstdio>
#include <memory>

using namespace headroom;

namespace {

const QString WriterFlag = QStringLiteral("--writer");
constexpr int RowsPerWriter = 1000;

// Transaction sizes cycle through this pattern: mostly single rows, some multi-row batches.
constexpr int BatchPattern[] = {1, 1, 1, 5, 1, 2, 1, 10};

Result<void> insertRows(Database &db, const QString &tag, int first, int count)
{
    QSqlQuery insert(db.connection());
    insert.prepare(QStringLiteral("INSERT INTO audit_log (at, actor, action, detail) VALUES (:at, "
                                  ":actor, :action, :detail)"));
    for (int sequence = first; sequence < first + count; ++sequence) {
        insert.bindValue(QStringLiteral(":at"), QDateTime::currentMSecsSinceEpoch());
        insert.bindValue(QStringLiteral(":actor"), tag);
        insert.bindValue(QStringLiteral(":action"), QStringLiteral("write"));
        insert.bindValue(QStringLiteral(":detail"), QString::number(sequence));
        if (!insert.exec())
            return StoreError{insert.lastError().text(),
                              insert.lastError().nativeErrorCode().toInt()};
    }
    return {};
}

// Child process: --writer <db> <tag> <count> <go-file> [open-after-go]. Says "ready", waits for
// the go file so both writers start together, then writes. By default it opens the database before
// saying ready; with open-after-go it opens after the go signal, so two children create and migrate
// a fresh file at the same moment.
int runWriter(const QStringList &args)
{
    if (args.size() != 6 && args.size() != 7) {
        std::fprintf(stderr, "usage: --writer <db> <tag> <count> <go-file> [open-after-go]\n");
        return 64;
    }
    const QString path = args.at(2);
    const QString tag = args.at(3);
    const int count = args.at(4).toInt();
    const QString goFile = args.at(5);
    const bool openAfterGo = args.size() == 7 && args.at(6) == QLatin1String("open-after-go");

    Database db;
    const auto open = [&] {
        const Result<void> opened = db.open(path);
        if (!opened)
            std::fprintf(stderr, "writer %s: open: %s\n", qPrintable(tag),
                         qPrintable(opened.error().message));
        return opened.ok();
    };
    if (!openAfterGo && !open())
        return 2;
    std::printf("ready\n");
    std::fflush(stdout);

    const QDeadlineTimer deadline(15000);
    while (!QFile::exists(goFile)) {
        if (deadline.hasExpired()) {
            std::fprintf(stderr, "writer %s: no go signal\n", qPrintable(tag));
            return 3;
        }
        QThread::msleep(1);
    }
    if (openAfterGo && !open())
        return 2;

    int written = 0;
    for (int round = 0; written < count; ++round) {
        const int batch = std::min(BatchPattern[round % std::size(BatchPattern)], count - written);
        const Result<void> done =
            db.writeTransaction([&] { return insertRows(db, tag, written, batch); });
        if (!done) {
            std::fprintf(stderr, "writer %s: row %d: %s\n", qPrintable(tag), written,
                         qPrintable(done.error().message));
            return 4;
        }
        written += batch;
        // A little think time, as real callers have: without it the writer that got the lock
        // first re-takes it before the other's busy handler wakes, and the runs never interleave.
        QThread::usleep(QRandomGenerator::global()->bounded(300));
    }
    std::printf("done retries=%d\n", db.busyRetries());
    std::fflush(stdout);
    return 0;
}

QVariant scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery query(db);
    query.prepare(sql);
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec() || !query.next())
        return {};
    const QVariant value = query.value(0);
    query.finish();
    return value;
}

} // namespace

class TestConcurrency final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoProcessesWriteAtOnce();
    void twoProcessesCreateTheFileAtOnce();

private:
    // Starts one writer per tag and waits until each has said "ready".
    static bool startWriters(std::vector<std::unique_ptr<QProcess>> &writers,
                             const QStringList &tags, const QStringList &arguments);
    static bool finishedCleanly(QProcess &process, const QString &tag);
};

bool TestConcurrency::startWriters(std::vector<std::unique_ptr<QProcess>> &writers,
                                   const QStringList &tags, const QStringList &arguments)
{
    for (const QString &tag : tags) {
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QStringList processArguments = arguments;
        processArguments.insert(2, tag);
        process->start(QCoreApplication::applicationFilePath(), processArguments);
        if (!process->waitForStarted(10000)) {
            qWarning("cannot start writer: %s", qPrintable(process->errorString()));
            return false;
        }
        writers.push_back(std::move(process));
    }
    for (const auto &process : writers) {
        while (!process->canReadLine()) {
            if (!process->waitForReadyRead(15000)) {
                qWarning("a writer did not become ready");
                return false;
            }
        }
        if (process->readLine().trimmed() != "ready")
            return false;
    }
    return true;
}

bool TestConcurrency::finishedCleanly(QProcess &process, const QString &tag)
{
    const QByteArray output = process.readAllStandardOutput().trimmed();
    qInfo("writer %s: %s (exit code %d)", qPrintable(tag), output.constData(), process.exitCode());
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

void TestConcurrency::twoProcessesWriteAtOnce()
{
    QElapsedTimer clock;
    clock.start();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("shared.db"));
    const QString goFile = dir.filePath(QStringLiteral("go"));

    Database reader;
    const Result<void> opened = reader.open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));

    const QStringList tags{QStringLiteral("console"), QStringLiteral("ctl")};
    std::vector<std::unique_ptr<QProcess>> writers;
    QVERIFY(
        startWriters(writers, tags, {WriterFlag, path, QString::number(RowsPerWriter), goFile}));

    {
        QFile go(goFile);
        QVERIFY(go.open(QIODevice::WriteOnly));
    }

    // Read while they write: the count only ever grows.
    int reads = 0;
    int last = 0;
    const QDeadlineTimer deadline(30000);
    const auto running = [&] {
        for (const auto &process : writers)
            if (process->state() != QProcess::NotRunning)
                return true;
        return false;
    };
    while (running()) {
        QVERIFY2(!deadline.hasExpired(), "writers did not finish in time");
        const QVariant count =
            scalar(reader.connection(), QStringLiteral("SELECT count(*) FROM audit_log"));
        QVERIFY(count.isValid());
        QVERIFY(count.toInt() >= last);
        last = count.toInt();
        ++reads;
        for (const auto &process : writers)
            if (process->state() != QProcess::NotRunning)
                process->waitForFinished(5);
    }

    for (qsizetype i = 0; i < qsizetype(writers.size()); ++i)
        QVERIFY(finishedCleanly(*writers[size_t(i)], tags.at(i)));

    const QSqlDatabase db = reader.connection();
    for (const QString &tag : tags) {
        QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM audit_log WHERE actor = ?"), {tag})
                     .toInt(),
                 RowsPerWriter);
        // Retried transactions must not have written twice.
        QCOMPARE(
            scalar(db,
                   QStringLiteral("SELECT count(DISTINCT detail) FROM audit_log WHERE actor = ?"),
                   {tag})
                .toInt(),
            RowsPerWriter);
    }
    QCOMPARE(scalar(db, QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));

    // Not a requirement of the store, but without interleaving the test proved nothing.
    const int interleaved =
        scalar(db,
               QStringLiteral("SELECT count(*) FROM audit_log WHERE actor = ? AND id BETWEEN "
                              "(SELECT min(id) FROM audit_log WHERE actor = ?) AND "
                              "(SELECT max(id) FROM audit_log WHERE actor = ?)"),
               {tags.at(1), tags.at(0), tags.at(0)})
            .toInt();
    qInfo("parent reads: %d, rows of one writer inside the other's range: %d, %lld ms", reads,
          interleaved, qint64(clock.elapsed()));
    if (interleaved == 0)
        qWarning("the writers did not overlap; the run did not exercise concurrency");
}

void TestConcurrency::twoProcessesCreateTheFileAtOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("fresh/shared.db"));
    const QString goFile = dir.filePath(QStringLiteral("go"));
    constexpr int rows = 50;

    const QStringList tags{QStringLiteral("first"), QStringLiteral("second")};
    std::vector<std::unique_ptr<QProcess>> writers;
    QVERIFY(startWriters(
        writers, tags,
        {WriterFlag, path, QString::number(rows), goFile, QStringLiteral("open-after-go")}));
    QVERIFY(!QFile::exists(path));
    {
        QFile go(goFile);
        QVERIFY(go.open(QIODevice::WriteOnly));
    }
    for (qsizetype i = 0; i < qsizetype(writers.size()); ++i) {
        QVERIFY(writers[size_t(i)]->waitForFinished(30000));
        QVERIFY(finishedCleanly(*writers[size_t(i)], tags.at(i)));
    }

    Database db;
    const Result<void> opened = db.open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    QCOMPARE(db.schemaVersion().value(), latestVersion(builtInMigrations()));
    for (const QString &tag : tags)
        QCOMPARE(scalar(db.connection(),
                        QStringLiteral("SELECT count(*) FROM audit_log WHERE actor = ?"), {tag})
                     .toInt(),
                 rows);
    QCOMPARE(scalar(db.connection(), QStringLiteral("PRAGMA integrity_check")).toString(),
             QStringLiteral("ok"));
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() > 1 && args.at(1) == WriterFlag)
        return runWriter(args);
    TestConcurrency test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_concurrency.moc"
