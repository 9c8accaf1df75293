#include "store/database.h"
#include "store/migrations.h"
#include "store/transaction.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

namespace {

QVariant scalar(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0);
}

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

bool tableExists(const QSqlDatabase &db, const QString &table)
{
    return db.tables().contains(table);
}

} // namespace

class TestMigrations final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void freshDatabaseReachesLatestVersion();
    void createsParentDirectory();
    void reopenIsIdempotent();
    void pragmasAreSet();
    void newerDatabaseIsRefusedAndUntouched();
    void failingMigrationRollsBack();
    void failingMigrationOnFreshFileKeepsEarlierSteps();
    void malformedMigrationListIsRejected();
    void foreignKeysAreEnforced();
    void migration7KeepsThePlaceholderInvoices();
    void checkConstraintsRejectBadValues_data();
    void checkConstraintsRejectBadValues();
    void transactionRollsBackUnlessCommitted();
    void writeTransactionRollsBackOnWorkError();
    void writeTransactionGivesUpWhenBusy();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("headroom.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestMigrations::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestMigrations::freshDatabaseReachesLatestVersion()
{
    Database db;
    const Result<void> opened = db.open(dbPath());
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    QVERIFY(latestVersion(builtInMigrations()) >= 2);
    const Result<int> version = db.schemaVersion();
    QVERIFY(version.ok());
    QCOMPARE(version.value(), latestVersion(builtInMigrations()));

    const QStringList tables = db.connection().tables();
    for (const char *table :
         {"proxies", "purchasers", "sites", "site_origins", "offers", "bids", "leases",
          "lease_events", "usage_samples", "invoices", "audit_log", "lease_tariffs",
          "lease_shortfall", "billing_settings", "invoice_series", "invoice_lines"})
        QVERIFY2(tables.contains(QLatin1String(table)), table);
    // Migration 2 ran too.
    QCOMPARE(scalar(db.connection(),
                    QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                                   "name = 'usage_samples_proxy'"))
                 .toInt(),
             1);
}

void TestMigrations::createsParentDirectory()
{
    const QString path = m_dir->filePath(QStringLiteral("a/b/c/headroom.db"));
    Database db;
    const Result<void> opened = db.open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    QVERIFY(QFile::exists(path));
}

void TestMigrations::reopenIsIdempotent()
{
    {
        Database db;
        QVERIFY(db.open(dbPath()).ok());
        const Result<void> written = db.writeTransaction([&]() -> Result<void> {
            QSqlQuery insert(db.connection());
            insert.prepare(QStringLiteral(
                "INSERT INTO audit_log (at, actor, action) VALUES (:at, :actor, :action)"));
            insert.bindValue(QStringLiteral(":at"), 1);
            insert.bindValue(QStringLiteral(":actor"), QStringLiteral("test"));
            insert.bindValue(QStringLiteral(":action"), QStringLiteral("kept"));
            if (!insert.exec())
                return StoreError{insert.lastError().text()};
            return {};
        });
        QVERIFY2(written.ok(), qPrintable(written.error().message));
    }
    for (int round = 0; round < 2; ++round) {
        Database db;
        const Result<void> opened = db.open(dbPath());
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        QCOMPARE(db.schemaVersion().value(), latestVersion(builtInMigrations()));
        QCOMPARE(scalar(db.connection(), QStringLiteral("SELECT count(*) FROM audit_log")).toInt(),
                 1);
        // Running the migrations again explicitly is a no-op as well.
        QVERIFY(migrate(db).ok());
        QCOMPARE(db.schemaVersion().value(), latestVersion(builtInMigrations()));
    }
}

void TestMigrations::pragmasAreSet()
{
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    const QSqlDatabase c = db.connection();
    QCOMPARE(scalar(c, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(scalar(c, QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
    QCOMPARE(scalar(c, QStringLiteral("PRAGMA busy_timeout")).toInt(), Database::BusyTimeoutMs);
    QCOMPARE(scalar(c, QStringLiteral("PRAGMA synchronous")).toInt(), 1); // NORMAL
}

void TestMigrations::newerDatabaseIsRefusedAndUntouched()
{
    const int future = latestVersion(builtInMigrations()) + 7;
    {
        QSqlDatabase raw =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        raw.setDatabaseName(dbPath());
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        QVERIFY(query.exec(QStringLiteral("CREATE TABLE from_the_future (x INTEGER)")));
        QVERIFY(query.exec(QStringLiteral("PRAGMA user_version = %1").arg(future)));
        query.finish();
        raw.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    const QByteArray before = fileHash(dbPath());
    QVERIFY(!before.isEmpty());

    Database db;
    const Result<void> opened = db.open(dbPath());
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().message.contains(QString::number(future)),
             qPrintable(opened.error().message));
    QVERIFY(opened.error().message.contains(QLatin1String("refusing")));
    QVERIFY(!db.isOpen());

    QCOMPARE(fileHash(dbPath()), before);
    QVERIFY(!QFile::exists(dbPath() + QLatin1String("-wal")));
}

void TestMigrations::failingMigrationRollsBack()
{
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    const int before = db.schemaVersion().value();

    QList<Migration> list = builtInMigrations();
    list.append(Migration{before + 1,
                          QStringLiteral("breaks halfway"),
                          {QStringLiteral("CREATE TABLE half_done (x INTEGER)"),
                           QStringLiteral("INSERT INTO half_done (x) VALUES (1)"),
                           QStringLiteral("INSERT INTO no_such_table (x) VALUES (1)")}});
    const Result<void> migrated = migrate(db, list);
    QVERIFY(!migrated.ok());
    QVERIFY2(migrated.error().message.contains(QLatin1String("breaks halfway")),
             qPrintable(migrated.error().message));

    QCOMPARE(db.schemaVersion().value(), before);
    QVERIFY(!tableExists(db.connection(), QStringLiteral("half_done")));

    // The file is still usable, and a fixed migration applies.
    list.last().statements.removeLast();
    const Result<void> fixed = migrate(db, list);
    QVERIFY2(fixed.ok(), qPrintable(fixed.error().message));
    QCOMPARE(db.schemaVersion().value(), before + 1);
    QVERIFY(tableExists(db.connection(), QStringLiteral("half_done")));
}

void TestMigrations::failingMigrationOnFreshFileKeepsEarlierSteps()
{
    QList<Migration> list = builtInMigrations();
    const int good = latestVersion(list);
    list.append(Migration{
        good + 1,
        QStringLiteral("bad"),
        {QStringLiteral("CREATE TABLE later (x INTEGER)"), QStringLiteral("THIS IS NOT SQL")}});
    {
        Database db;
        QVERIFY(!db.open(dbPath(), list).ok());
        QVERIFY(!db.isOpen());
    }
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    QCOMPARE(db.schemaVersion().value(), good);
    QVERIFY(!tableExists(db.connection(), QStringLiteral("later")));
}

void TestMigrations::malformedMigrationListIsRejected()
{
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    QList<Migration> list = builtInMigrations();
    list.append(Migration{latestVersion(list) + 2, QStringLiteral("gap"), {}});
    QVERIFY(!migrate(db, list).ok());
    QCOMPARE(db.schemaVersion().value(), latestVersion(builtInMigrations()));
}

void TestMigrations::foreignKeysAreEnforced()
{
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    QSqlQuery query(db.connection());
    query.prepare(QStringLiteral("INSERT INTO sites (name, label, purchaser_id, created_at) "
                                 "VALUES (:name, 'www', :purchaser, 0)"));
    query.bindValue(QStringLiteral(":name"), QStringLiteral("www.example.com"));
    query.bindValue(QStringLiteral(":purchaser"), 4242);
    QVERIFY(!query.exec());
    QCOMPARE(scalar(db.connection(), QStringLiteral("SELECT count(*) FROM sites")).toInt(), 0);
}

// Migration 7 rebuilds the placeholder invoices table of migration 1: rows in it survive, a draft
// loses the number it should never have had, and the billing triggers guard the issued one.
void TestMigrations::migration7KeepsThePlaceholderInvoices()
{
    {
        Database db;
        QVERIFY(db.open(dbPath(), builtInMigrations().mid(0, 6)).ok());
        QCOMPARE(db.schemaVersion().value(), 6);
        QSqlQuery q(db.connection());
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO purchasers (id, organisation, created_at) VALUES (1, 'ACME', 0)")));
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO invoices (id, number, purchaser_id, period, state, total_minor, "
            "currency, created_at) VALUES (1, 'OLD-1', 1, '2026-01', 'issued', 1234, 'EUR', 5), "
            "(2, 'OLD-2', 1, '2026-02', 'draft', 99, 'EUR', 6)")));
    }
    Database db;
    const Result<void> opened = db.open(dbPath());
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    QVERIFY(db.schemaVersion().value() >= 7);
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("SELECT id, number, state, kind, subtotal_minor, tax_minor, "
                                  "total_minor, issued_at FROM invoices ORDER BY id")));
    QVERIFY(q.next());
    QCOMPARE(q.value(1).toString(), QStringLiteral("OLD-1"));
    QCOMPARE(q.value(2).toString(), QStringLiteral("issued"));
    QCOMPARE(q.value(3).toString(), QStringLiteral("invoice"));
    QCOMPARE(q.value(4).toLongLong(), 1234);
    QCOMPARE(q.value(5).toLongLong(), 0);
    QCOMPARE(q.value(6).toLongLong(), 1234);
    QCOMPARE(q.value(7).toLongLong(), 5);
    QVERIFY(q.next());
    QVERIFY(q.value(1).isNull());
    QCOMPARE(q.value(2).toString(), QStringLiteral("draft"));
    QVERIFY(q.value(7).isNull());
    QVERIFY(!q.next());
    q.finish();
    QSqlQuery change(db.connection());
    QVERIFY(!change.exec(QStringLiteral("UPDATE invoices SET total_minor = 1, subtotal_minor = 1 "
                                        "WHERE id = 1")));
    QVERIFY(change.exec(QStringLiteral("UPDATE invoices SET total_minor = 1, subtotal_minor = 1 "
                                       "WHERE id = 2")));
    QCOMPARE(scalar(db.connection(), QStringLiteral("PRAGMA foreign_key_check")).isValid(), false);
}

void TestMigrations::checkConstraintsRejectBadValues_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QVariantList>("values");

    const QString site =
        QStringLiteral("INSERT INTO sites (name, label, purchaser_id, assignment, created_at) "
                       "VALUES (?, 'a', 1, ?, 0)");
    const QString offer = QStringLiteral(
        "INSERT INTO offers (pool, rate_rps, starts_at, duration_s, kind, pricing, price_minor, "
        "currency, created_at) VALUES ('default', ?, 0, 3600, ?, ?, ?, ?, 0)");
    const QString purchaser = QStringLiteral(
        "INSERT INTO purchasers (organisation, payment_last4, created_at) VALUES (?, ?, 0)");

    QTest::newRow("site assignment")
        << site << QVariantList{QStringLiteral("a.example"), QStringLiteral("random")};
    QTest::newRow("offer kind") << offer
                                << QVariantList{10.0, QStringLiteral("maybe"),
                                                QStringLiteral("fixed"), 100,
                                                QStringLiteral("EUR")};
    QTest::newRow("offer pricing")
        << offer
        << QVariantList{10.0, QStringLiteral("firm"), QStringLiteral("haggle"), 100,
                        QStringLiteral("EUR")};
    QTest::newRow("negative price")
        << offer
        << QVariantList{10.0, QStringLiteral("firm"), QStringLiteral("fixed"), -1,
                        QStringLiteral("EUR")};
    QTest::newRow("zero rate") << offer
                               << QVariantList{0.0, QStringLiteral("firm"), QStringLiteral("fixed"),
                                               1, QStringLiteral("EUR")};
    QTest::newRow("card number as last4")
        << purchaser << QVariantList{QStringLiteral("ACME"), QStringLiteral("4111111111111111")};
    const QString invoice = QStringLiteral(
        "INSERT INTO invoices (kind, purchaser_id, period, currency, subtotal_minor, tax_minor, "
        "total_minor, credit_note_for, created_at) VALUES (?, 1, ?, 'EUR', ?, ?, ?, ?, 0)");
    const QVariant none(QMetaType::fromType<qint64>());
    QTest::newRow("invoice period not YYYY-MM")
        << invoice
        << QVariantList{QStringLiteral("invoice"), QStringLiteral("2026-3"), 1, 0, 1, none};
    QTest::newRow("invoice total is not subtotal + tax")
        << invoice
        << QVariantList{QStringLiteral("invoice"), QStringLiteral("2026-03"), 100, 19, 120, none};
    QTest::newRow("negative invoice")
        << invoice
        << QVariantList{QStringLiteral("invoice"), QStringLiteral("2026-03"), -100, 0, -100, none};
    QTest::newRow("credit note for nothing")
        << invoice
        << QVariantList{
               QStringLiteral("credit-note"), QStringLiteral("2026-03"), -100, 0, -100, none};
    QTest::newRow("unknown document kind")
        << invoice
        << QVariantList{QStringLiteral("receipt"), QStringLiteral("2026-03"), 1, 0, 1, none};
    QTest::newRow("unknown billing setting")
        << QStringLiteral("INSERT INTO billing_settings (key, value) VALUES (?, ?)")
        << QVariantList{QStringLiteral("bank_password"), QStringLiteral("x")};
    QTest::newRow("wrong type in STRICT table")
        << offer
        << QVariantList{QStringLiteral("fast"), QStringLiteral("firm"), QStringLiteral("fixed"), 1,
                        QStringLiteral("EUR")};
}

void TestMigrations::checkConstraintsRejectBadValues()
{
    QFETCH(QString, sql);
    QFETCH(QVariantList, values);

    Database db;
    QVERIFY(db.open(dbPath()).ok());
    QSqlQuery purchaser(db.connection());
    QVERIFY(purchaser.exec(QStringLiteral(
        "INSERT INTO purchasers (id, organisation, created_at) VALUES (1, 'ACME', 0)")));

    QSqlQuery query(db.connection());
    QVERIFY(query.prepare(sql));
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    QVERIFY(!query.exec());
    QVERIFY2(query.lastError().nativeErrorCode().toInt() % 256 == 19, // SQLITE_CONSTRAINT
             qPrintable(query.lastError().text()));
}

void TestMigrations::transactionRollsBackUnlessCommitted()
{
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    const QString insert =
        QStringLiteral("INSERT INTO audit_log (at, actor, action) VALUES (1, 'test', 'x')");
    {
        Transaction transaction(db);
        QVERIFY(transaction.isActive());
        QSqlQuery query(db.connection());
        QVERIFY(query.exec(insert));
    }
    QCOMPARE(scalar(db.connection(), QStringLiteral("SELECT count(*) FROM audit_log")).toInt(), 0);
    {
        Transaction transaction(db);
        QSqlQuery query(db.connection());
        QVERIFY(query.exec(insert));
        QVERIFY(transaction.commit().ok());
        QVERIFY(!transaction.isActive());
    }
    QCOMPARE(scalar(db.connection(), QStringLiteral("SELECT count(*) FROM audit_log")).toInt(), 1);
}

void TestMigrations::writeTransactionRollsBackOnWorkError()
{
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    const Result<void> outcome = db.writeTransaction([&]() -> Result<void> {
        QSqlQuery query(db.connection());
        if (!query.exec(
                QStringLiteral("INSERT INTO audit_log (at, actor, action) VALUES (1, 'a', 'b')")))
            return StoreError{QStringLiteral("unexpected")};
        return StoreError{QStringLiteral("changed my mind")};
    });
    QVERIFY(!outcome.ok());
    QCOMPARE(outcome.error().message, QStringLiteral("changed my mind"));
    QCOMPARE(db.busyRetries(), 0);
    QCOMPARE(scalar(db.connection(), QStringLiteral("SELECT count(*) FROM audit_log")).toInt(), 0);
}

void TestMigrations::writeTransactionGivesUpWhenBusy()
{
    Database holder;
    QVERIFY(holder.open(dbPath()).ok());
    Database db;
    QVERIFY(db.open(dbPath()).ok());
    QVERIFY(db.setBusyTimeout(20).ok());

    Transaction lock(holder);
    QVERIFY(lock.isActive());
    int runs = 0;
    const Result<void> outcome = db.writeTransaction([&]() -> Result<void> {
        ++runs;
        return {};
    });
    QVERIFY(!outcome.ok());
    QVERIFY2(outcome.error().isBusy(), qPrintable(outcome.error().message));
    QCOMPARE(runs, 0); // BEGIN IMMEDIATE failed, so the work never started
    QCOMPARE(db.busyRetries(), Database::MaxWriteAttempts - 1);

    // Readers are not blocked by the writer (WAL).
    QCOMPARE(scalar(db.connection(), QStringLiteral("SELECT count(*) FROM proxies")).toInt(), 0);

    lock.rollback();
    QVERIFY(db.writeTransaction([] { return Result<void>(); }).ok());
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
