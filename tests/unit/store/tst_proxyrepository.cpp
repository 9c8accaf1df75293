#include "domain/proxy.h"
#include "store/database.h"
#include "store/proxyrepository.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

Q_DECLARE_METATYPE(headroom::Proxy)

namespace {

Proxy makeProxy(const QString &name, const QString &address, quint16 httpPort, quint16 metricsPort,
                double capacityRps, const QString &pool)
{
    Proxy proxy;
    proxy.name = name;
    proxy.address = QHostAddress(address);
    proxy.httpPort = httpPort;
    proxy.metricsPort = metricsPort;
    proxy.capacityRps = capacityRps;
    proxy.pool = pool;
    return proxy;
}

void compareFields(const Proxy &actual, const Proxy &expected)
{
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.address, expected.address);
    QCOMPARE(actual.httpPort, expected.httpPort);
    QCOMPARE(actual.metricsPort, expected.metricsPort);
    QCOMPARE(actual.capacityRps, expected.capacityRps);
    QCOMPARE(actual.pool, expected.pool);
}

} // namespace

class TestProxyRepository final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void roundTrip_data();
    void roundTrip();
    void upsertReplaces();
    void allIsOrderedByName();
    void removeByName();
    void hostileNamesAreStoredVerbatim_data();
    void hostileNamesAreStoredVerbatim();
    void invalidProxiesAreRejected();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

void TestProxyRepository::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(m_dir->filePath(QStringLiteral("headroom.db")));
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
}

void TestProxyRepository::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestProxyRepository::roundTrip_data()
{
    QTest::addColumn<Proxy>("proxy");
    QTest::newRow("ipv4") << makeProxy(QStringLiteral("proxy1"), QStringLiteral("10.0.0.11"), 8080,
                                       9100, 250.5, QStringLiteral("eu-west"));
    QTest::newRow("ipv6") << makeProxy(QStringLiteral("proxy6"), QStringLiteral("2001:db8::1"), 80,
                                       9113, 1000, QStringLiteral("default"));
    QTest::newRow("ports at limits")
        << makeProxy(QStringLiteral("edge"), QStringLiteral("127.0.0.1"), 65535, 1, 0, QString());
    QTest::newRow("no address") << makeProxy(QStringLiteral("unplaced"), QString(), 0, 0, 1e6,
                                             QStringLiteral("spare"));
    QTest::newRow("unicode") << makeProxy(QStringLiteral("prøxy-東京"), QStringLiteral("192.0.2.7"),
                                          3128, 9090, 0.125, QStringLiteral("ασία"));
}

void TestProxyRepository::roundTrip()
{
    QFETCH(Proxy, proxy);
    ProxyRepository repository(*m_db);

    const Result<qint64> id = repository.upsert(proxy);
    QVERIFY2(id.ok(), qPrintable(id.error().message));
    QVERIFY(id.value() > 0);

    const Result<std::optional<Proxy>> found = repository.byName(proxy.name);
    QVERIFY(found.ok());
    QVERIFY(found.value().has_value());
    QCOMPARE(found.value()->id, id.value());
    compareFields(*found.value(), proxy);

    const Result<QList<Proxy>> all = repository.all();
    QVERIFY(all.ok());
    QCOMPARE(all.value().size(), 1);
    compareFields(all.value().first(), proxy);
}

void TestProxyRepository::upsertReplaces()
{
    ProxyRepository repository(*m_db);
    const Proxy first = makeProxy(QStringLiteral("proxy1"), QStringLiteral("10.0.0.1"), 8080, 9100,
                                  100, QStringLiteral("a"));
    const Proxy second = makeProxy(QStringLiteral("proxy1"), QStringLiteral("10.0.0.2"), 8081, 9101,
                                   200, QStringLiteral("b"));
    const Result<qint64> firstId = repository.upsert(first);
    QVERIFY(firstId.ok());
    const Result<qint64> secondId = repository.upsert(second);
    QVERIFY(secondId.ok());
    QCOMPARE(secondId.value(), firstId.value());

    const Result<QList<Proxy>> all = repository.all();
    QVERIFY(all.ok());
    QCOMPARE(all.value().size(), 1);
    compareFields(all.value().first(), second);
}

void TestProxyRepository::allIsOrderedByName()
{
    ProxyRepository repository(*m_db);
    for (const char *name : {"proxy3", "proxy1", "proxy2"})
        QVERIFY(repository
                    .upsert(makeProxy(QLatin1String(name), QStringLiteral("10.0.0.1"), 80, 81, 1,
                                      QString()))
                    .ok());
    const Result<QList<Proxy>> all = repository.all();
    QVERIFY(all.ok());
    QStringList names;
    for (const Proxy &proxy : all.value())
        names.append(proxy.name);
    QCOMPARE(names, (QStringList{QStringLiteral("proxy1"), QStringLiteral("proxy2"),
                                 QStringLiteral("proxy3")}));
}

void TestProxyRepository::removeByName()
{
    ProxyRepository repository(*m_db);
    QVERIFY(repository
                .upsert(makeProxy(QStringLiteral("gone"), QStringLiteral("10.0.0.1"), 80, 81, 1,
                                  QString()))
                .ok());
    QVERIFY(repository
                .upsert(makeProxy(QStringLiteral("stays"), QStringLiteral("10.0.0.2"), 80, 81, 1,
                                  QString()))
                .ok());

    const Result<bool> removed = repository.remove(QStringLiteral("gone"));
    QVERIFY(removed.ok());
    QVERIFY(removed.value());
    const Result<bool> again = repository.remove(QStringLiteral("gone"));
    QVERIFY(again.ok());
    QVERIFY(!again.value());

    QVERIFY(!repository.byName(QStringLiteral("gone")).value().has_value());
    QVERIFY(repository.byName(QStringLiteral("stays")).value().has_value());
}

void TestProxyRepository::hostileNamesAreStoredVerbatim_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("quote") << QStringLiteral("o'brien");
    QTest::newRow("double quote") << QStringLiteral("say \"hi\"");
    QTest::newRow("injection") << QStringLiteral("x'; DROP TABLE proxies; --");
    QTest::newRow("named placeholder") << QStringLiteral(":name");
    QTest::newRow("positional placeholder") << QStringLiteral("?");
    QTest::newRow("percent") << QStringLiteral("%1 %2");
    QTest::newRow("backslash and newline") << QStringLiteral("a\\b\nc");
}

void TestProxyRepository::hostileNamesAreStoredVerbatim()
{
    QFETCH(QString, name);
    ProxyRepository repository(*m_db);
    const Proxy proxy =
        makeProxy(name, QStringLiteral("10.0.0.9"), 80, 81, 5, QStringLiteral("'; DROP TABLE x"));
    const Result<qint64> id = repository.upsert(proxy);
    QVERIFY2(id.ok(), qPrintable(id.error().message));

    const Result<std::optional<Proxy>> found = repository.byName(name);
    QVERIFY(found.ok());
    QVERIFY(found.value().has_value());
    compareFields(*found.value(), proxy);

    QVERIFY(m_db->connection().tables().contains(QStringLiteral("proxies")));
    const Result<QList<Proxy>> all = repository.all();
    QVERIFY(all.ok());
    QCOMPARE(all.value().size(), 1);

    const Result<bool> removed = repository.remove(name);
    QVERIFY(removed.ok());
    QVERIFY(removed.value());
}

void TestProxyRepository::invalidProxiesAreRejected()
{
    ProxyRepository repository(*m_db);
    QVERIFY(
        !repository.upsert(makeProxy(QString(), QStringLiteral("10.0.0.1"), 80, 81, 1, QString()))
             .ok());
    QVERIFY(!repository
                 .upsert(makeProxy(QStringLiteral("negative"), QStringLiteral("10.0.0.1"), 80, 81,
                                   -1, QString()))
                 .ok());
    QVERIFY(repository.all().value().isEmpty());
}

QTEST_GUILESS_MAIN(TestProxyRepository)
#include "tst_proxyrepository.moc"
