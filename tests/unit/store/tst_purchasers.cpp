// Purchasers: card numbers are refused wherever they appear and never stored; API tokens are
// random, stored only hashed, and can be revoked; migration 6 applies on a version 5 database.
#include "store/database.h"
#include "store/migrations.h"
#include "store/purchaserrepository.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

class TestPurchasers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void roundTrip();
    void cardNumbersAreRefused_data();
    void cardNumbersAreRefused();
    void tokensAreHashedAndRevocable();
    void migrationSixOnVersionFive();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    QString m_path;
};

void TestPurchasers::init()
{
    m_db.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("h.db"));
    m_db = std::make_unique<Database>();
    QVERIFY(m_db->open(m_path).ok());
}

void TestPurchasers::roundTrip()
{
    Purchaser p;
    p.organisation = QStringLiteral("Shop Ltd");
    p.contactEmail = QStringLiteral("ops@shop.example");
    p.paymentTokenRef = QStringLiteral("pm_1NcXyZabc");
    p.paymentLast4 = QStringLiteral("4242");
    const auto id = PurchaserRepository(*m_db).add(p);
    QVERIFY2(id.ok(), qPrintable(id.error().message));
    const auto read = PurchaserRepository(*m_db).byId(id.value()).value();
    QCOMPARE(read->organisation, p.organisation);
    QCOMPARE(*read->paymentLast4, QStringLiteral("4242"));
}

void TestPurchasers::cardNumbersAreRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::newRow("token is a card") << "token"
                                     << "4111111111111111";
    QTest::newRow("spaced card") << "token"
                                 << "4111 1111 1111 1111";
    QTest::newRow("card in address") << "address"
                                     << "Main St 1, card 5500-0000-0000-0004";
    QTest::newRow("card as last4") << "last4"
                                   << "4111111111111111";
    QTest::newRow("card in organisation") << "organisation"
                                          << "ACME 378282246310005";
    QTest::newRow("last4 not digits") << "last4"
                                      << "42a2";
    QTest::newRow("bad email") << "email"
                               << "ops at shop";
    QTest::newRow("control in name") << "organisation" << QStringLiteral("Shop\x01Ltd");
}

void TestPurchasers::cardNumbersAreRefused()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    Purchaser p;
    p.organisation = QStringLiteral("Shop Ltd");
    if (field == QLatin1String("token"))
        p.paymentTokenRef = value;
    else if (field == QLatin1String("address"))
        p.billingAddress = value;
    else if (field == QLatin1String("last4"))
        p.paymentLast4 = value;
    else if (field == QLatin1String("organisation"))
        p.organisation = value;
    else
        p.contactEmail = value;
    const auto id = PurchaserRepository(*m_db).add(p);
    QVERIFY(!id.ok());
    // The refusal never repeats the number back.
    QVERIFY(!id.error().message.contains(QStringLiteral("4111")));
    m_db.reset();
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains("4111111111111111"));
    QVERIFY(!bytes.contains("378282246310005"));
}

void TestPurchasers::tokensAreHashedAndRevocable()
{
    Purchaser p;
    p.organisation = QStringLiteral("Shop Ltd");
    const qint64 id = PurchaserRepository(*m_db).add(p).value();
    PurchaserRepository repo(*m_db);
    const QString token = repo.issueToken(id, QStringLiteral("ci")).value();
    QVERIFY(token.startsWith(QStringLiteral("hr_")));
    QCOMPARE(token.size(), 46);
    QCOMPARE(repo.purchaserForToken(token).value(), std::optional<qint64>(id));
    QVERIFY(!repo.purchaserForToken(token + QLatin1Char('x')).value());
    QVERIFY(!repo.purchaserForToken(QStringLiteral("' OR 1=1 --")).value());
    QVERIFY(repo.issueToken(id, {}).value() != token); // random
    QCOMPARE(repo.revokeTokens(id).value(), 2);
    QVERIFY(!repo.purchaserForToken(token).value());
    m_db.reset();
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(token.toLatin1())); // only its hash
}

void TestPurchasers::migrationSixOnVersionFive()
{
    m_db.reset();
    const QString path = m_dir->filePath(QStringLiteral("v5.db"));
    {
        Database v5;
        QVERIFY(v5.open(path, builtInMigrations().mid(0, 5)).ok());
        QSqlQuery q(v5.connection());
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO purchasers (id, organisation, created_at) VALUES (1, 'ACME', 0)")));
    }
    Database db;
    QVERIFY(db.open(path).ok());
    QVERIFY(db.schemaVersion().value() >= 6);
    QCOMPARE(PurchaserRepository(db).byId(1).value()->organisation, QStringLiteral("ACME"));
    QVERIFY(db.connection().tables().contains(QStringLiteral("purchases")));
}

QTEST_GUILESS_MAIN(TestPurchasers)
#include "tst_purchasers.moc"
