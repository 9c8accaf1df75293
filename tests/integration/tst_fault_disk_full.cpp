// Fault: the disk under the database full (issue 8). headroomctl writes to a database on a real
// 2 MiB tmpfs, mounted in a private mount namespace (`unshare -m`, as root: CI runs the suite as
// root on a fresh Debian 12 machine) by fault_disk_full.sh, which then fills it:
//   - a large import (one transaction) on a nearly full disk fails with "disk full: ...", exit 1,
//     and none of it is stored;
//   - a small write on a disk full to the last block fails the same way;
//   - once space is free again, writes work, `PRAGMA integrity_check` says ok and every row
//     written before is there.
// No root, no unshare or no tmpfs fails the test; nothing here skips.
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/loadhistoryrepository.h"
#include "store/purchaserrepository.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;
using namespace headroom::test;

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray("(missing)");
}

} // namespace

class TestFaultDiskFull : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fullDiskFailsCleanly();

private:
    QTemporaryDir m_dir;
};

void TestFaultDiskFull::fullDiskFailsCleanly()
{
    const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
    QVERIFY2(!unshare.isEmpty(), "unshare (util-linux) not found");
    const QString script = qEnvironmentVariable("HEADROOM_SOURCE_DIR") +
                           QStringLiteral("/tests/integration/fault_disk_full.sh");
    QVERIFY2(QFile::exists(script), qPrintable(script));

    // 19,000 rows of load history: one transaction of well over a megabyte.
    const QString csv = m_dir.filePath(QStringLiteral("history.csv"));
    {
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("time,proxy,pool,capacity_rps,total_rps,purchaser_rps\n");
        const qint64 start = QDateTime::currentSecsSinceEpoch() - 19000;
        for (int i = 0; i < 19000; ++i)
            f.write(QStringLiteral("%1,proxy%2,sandbox,1000,%3,0\n")
                        .arg(start + i)
                        .arg(1 + i % 3)
                        .arg(100 + i % 400)
                        .toLatin1());
    }
    const QString out = m_dir.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));

    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(unshare, {QStringLiteral("--mount"), QStringLiteral("--propagation"),
                      QStringLiteral("private"), QStringLiteral("sh"), script,
                      SandboxFixture::binDir() + QStringLiteral("/headroomctl"), out, csv});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray said = p.readAll();
    QVERIFY2(p.exitCode() == 0, said.constData());

    const auto rc = [&](const QString &step) {
        return readFile(out + QLatin1Char('/') + step + QStringLiteral(".rc")).toInt();
    };
    const auto errOf = [&](const QString &step) {
        return readFile(out + QLatin1Char('/') + step + QStringLiteral(".err"));
    };
    for (const QString &step :
         {QStringLiteral("before1"), QStringLiteral("before2"), QStringLiteral("before3")})
        QVERIFY2(rc(step) == 0, errOf(step).constData());
    qInfo("nearly full: %s", readFile(out + QStringLiteral("/df-nearly.txt")).constData());
    qInfo("import on it: exit %d: %s", rc(QStringLiteral("import")),
          errOf(QStringLiteral("import")).constData());
    QCOMPARE(rc(QStringLiteral("import")), 1);
    QVERIFY2(errOf(QStringLiteral("import")).contains("disk full"),
             errOf(QStringLiteral("import")).constData());
    qInfo("small write on it: exit %d: %s", rc(QStringLiteral("nearlyfull")),
          errOf(QStringLiteral("nearlyfull")).constData());
    qInfo("full: %s", readFile(out + QStringLiteral("/df-full.txt")).constData());
    qInfo("small write on the full disk: exit %d: %s", rc(QStringLiteral("full")),
          errOf(QStringLiteral("full")).constData());
    QCOMPARE(rc(QStringLiteral("full")), 1);
    QVERIFY2(errOf(QStringLiteral("full")).contains("disk full"),
             errOf(QStringLiteral("full")).constData());
    QVERIFY2(rc(QStringLiteral("after")) == 0, errOf(QStringLiteral("after")).constData());

    // The database as it was left: intact, everything acknowledged in it, nothing else.
    const QString copy = out + QStringLiteral("/headroom.sqlite");
    {
        QSqlDatabase raw =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("c"));
        raw.setDatabaseName(copy);
        QVERIFY(raw.open());
        QSqlQuery check(raw);
        QVERIFY(check.exec(QStringLiteral("PRAGMA integrity_check")));
        QVERIFY(check.next());
        QCOMPARE(check.value(0).toString(), QStringLiteral("ok"));
        QSqlQuery rows(raw);
        QVERIFY(rows.exec(QStringLiteral("SELECT COUNT(*) FROM load_history_second")));
        QVERIFY(rows.next());
        QCOMPARE(rows.value(0).toInt(), 0); // the failed import left nothing
        check.finish();
        rows.finish();
        raw.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("c"));
    Database db;
    QVERIFY(db.open(copy).ok());
    QStringList names;
    for (const Purchaser &purchaser : PurchaserRepository(db).all().value())
        names.append(purchaser.organisation);
    QStringList expected = {QStringLiteral("Before 1"), QStringLiteral("Before 2"),
                            QStringLiteral("Before 3")};
    if (rc(QStringLiteral("nearlyfull")) == 0)
        expected.append(QStringLiteral("Nearly full"));
    else
        QVERIFY2(errOf(QStringLiteral("nearlyfull")).contains("disk full"),
                 errOf(QStringLiteral("nearlyfull")).constData());
    expected.append(QStringLiteral("After"));
    QCOMPARE(names, expected);
}

QTEST_GUILESS_MAIN(TestFaultDiskFull)
#include "tst_fault_disk_full.moc"
