#include "dns/desiredname.h"
#include "domain/importedname.h"
#include "domain/updatelogentry.h"
#include "store/database.h"
#include "store/dnsrepository.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

Q_DECLARE_METATYPE(headroom::DesiredName)
Q_DECLARE_METATYPE(headroom::ImportedName)

namespace {

DnsName name(const QString &text)
{
    const std::optional<DnsName> parsed = DnsName::parse(text);
    if (!parsed)
        qFatal("bad test name %s", qPrintable(text));
    return *parsed;
}

DesiredName makeDesired(const QString &owner, bool present, quint16 type, quint32 ttl,
                        QList<QByteArray> rdatas, qint64 updatedAtMs = 1764000000000)
{
    DesiredName desired;
    desired.owner = name(owner);
    desired.present = present;
    desired.type = type;
    desired.ttl = ttl;
    desired.rdatas = std::move(rdatas);
    desired.updatedAtMs = updatedAtMs;
    return desired;
}

QByteArray bytes(std::initializer_list<int> values)
{
    QByteArray out;
    for (const int v : values)
        out.append(char(v));
    return out;
}

void compareDesired(const DesiredName &actual, const DesiredName &expected)
{
    QCOMPARE(actual.owner.absolute(), expected.owner.absolute());
    QCOMPARE(actual.present, expected.present);
    QCOMPARE(actual.type, expected.type);
    QCOMPARE(actual.ttl, expected.ttl);
    QCOMPARE(actual.rdatas, expected.rdatas);
    QCOMPARE(actual.updatedAtMs, expected.updatedAtMs);
}

ImportedName makeImported(const QString &name, const QString &type, const QString &value,
                          quint32 ttl = 300)
{
    return ImportedName{QString(), name, type, value, ttl, 1764000000000};
}

UpdateLogEntry makeEntry(qint64 atMs, const QString &zone, bool ok)
{
    return UpdateLogEntry{atMs, zone, 3, ok, ok ? 0 : 5, ok ? QString() : QStringLiteral("REFUSED"),
                          12.5};
}

} // namespace

class TestDnsRepository final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void desiredRoundTrip_data();
    void desiredRoundTrip();
    void desiredUpsertReplaces();
    void desiredAllIsOrderedByOwner();
    void desiredByOwnerAndRemove();
    void desiredUpsertAllIsOneTransaction();
    void desiredOversizedRdataIsRejected();
    void desiredOwnerIsStoredAbsoluteLowerCase();
    void corruptDesiredRowsAreReported_data();
    void corruptDesiredRowsAreReported();

    void importedRoundTrip();
    void importedReplaceZoneReplacesOnlyThatZone();
    void importedFailedReplaceKeepsPreviousContent_data();
    void importedFailedReplaceKeepsPreviousContent();
    void importedDuplicatesAreStoredOnce();
    void importedEmptyReplaceClearsZone();

    void updateLogNewestFirst();
    void updateLogKeepsNewestThousand();
    void updateLogNonPositiveCount();

private:
    QSqlQuery rawQuery() const { return QSqlQuery(m_db->connection()); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

void TestDnsRepository::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(m_dir->filePath(QStringLiteral("headroom.db")));
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
}

void TestDnsRepository::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestDnsRepository::desiredRoundTrip_data()
{
    QTest::addColumn<DesiredName>("desired");

    const QByteArray lua = bytes({0x00, 0x01}) + char(20) + "pickwrandom({{1,'a'}})";
    QTest::newRow("lua") << makeDesired(QStringLiteral("www.shop.example"), true, 65402, 20, {lua});
    QTest::newRow("two addresses") << makeDesired(QStringLiteral("a.edge.example."), true, 1, 300,
                                                  {bytes({192, 0, 2, 1}), bytes({192, 0, 2, 2})});
    QTest::newRow("zero bytes") << makeDesired(QStringLiteral("z.example"), true, 28, 60,
                                               {QByteArray(16, '\0'), bytes({0, 0, 0})});
    QTest::newRow("255 octets") << makeDesired(QStringLiteral("l.example"), true, 65402, 20,
                                               {QByteArray(255, '\xff')});
    QTest::newRow("256 octets") << makeDesired(QStringLiteral("l.example"), true, 65402, 20,
                                               {QByteArray(256, '\x01')});
    QTest::newRow("65535 octets and an empty one")
        << makeDesired(QStringLiteral("big.example"), true, 99, 1,
                       {QByteArray(65535, '\x80'), QByteArray(), bytes({0})});
    QTest::newRow("absent") << makeDesired(QStringLiteral("gone.example"), false, 0, 0, {});
    QTest::newRow("present, no records")
        << makeDesired(QStringLiteral("empty.example"), true, 1, 20, {});
    QTest::newRow("limits") << makeDesired(QStringLiteral("max.example"), true, 65535, 4294967295u,
                                           {bytes({1})}, 0);
}

void TestDnsRepository::desiredRoundTrip()
{
    QFETCH(DesiredName, desired);
    DnsDesiredRepository repository(*m_db);

    const Result<void> stored = repository.upsert(desired);
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));

    const Result<std::optional<DesiredName>> found = repository.byOwner(desired.owner);
    QVERIFY2(found.ok(), qPrintable(found.error().message));
    QVERIFY(found.value().has_value());
    compareDesired(*found.value(), desired);

    const Result<QList<DesiredName>> all = repository.all();
    QVERIFY2(all.ok(), qPrintable(all.error().message));
    QCOMPARE(all.value().size(), 1);
    compareDesired(all.value().first(), desired);
}

void TestDnsRepository::desiredUpsertReplaces()
{
    DnsDesiredRepository repository(*m_db);
    const DesiredName first =
        makeDesired(QStringLiteral("www.example"), true, 1, 20, {bytes({10, 0, 0, 1})}, 1);
    const DesiredName second = makeDesired(QStringLiteral("WWW.Example."), false, 0, 0, {}, 2);
    QVERIFY(repository.upsert(first).ok());
    QVERIFY(repository.upsert(second).ok());

    const Result<QList<DesiredName>> all = repository.all();
    QVERIFY(all.ok());
    QCOMPARE(all.value().size(), 1);
    compareDesired(all.value().first(), second);
}

void TestDnsRepository::desiredAllIsOrderedByOwner()
{
    DnsDesiredRepository repository(*m_db);
    QList<DesiredName> names;
    for (const char *owner : {"c.example", "a.example", "b.a.example", "a-b.example"})
        names.append(makeDesired(QLatin1String(owner), true, 1, 20, {bytes({1, 2, 3, 4})}));
    const Result<void> stored = repository.upsertAll(names);
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));

    const Result<QList<DesiredName>> all = repository.all();
    QVERIFY(all.ok());
    QStringList owners;
    for (const DesiredName &desired : all.value())
        owners.append(desired.owner.absolute());
    QCOMPARE(owners, (QStringList{QStringLiteral("a-b.example."), QStringLiteral("a.example."),
                                  QStringLiteral("b.a.example."), QStringLiteral("c.example.")}));
}

void TestDnsRepository::desiredByOwnerAndRemove()
{
    DnsDesiredRepository repository(*m_db);
    QVERIFY(repository.upsert(makeDesired(QStringLiteral("gone.example"), true, 1, 20, {})).ok());
    QVERIFY(repository.upsert(makeDesired(QStringLiteral("stays.example"), true, 1, 20, {})).ok());

    const Result<std::optional<DesiredName>> none =
        repository.byOwner(name(QStringLiteral("never.example")));
    QVERIFY(none.ok());
    QVERIFY(!none.value().has_value());

    const Result<bool> removed = repository.remove(name(QStringLiteral("gone.example")));
    QVERIFY(removed.ok());
    QVERIFY(removed.value());
    const Result<bool> again = repository.remove(name(QStringLiteral("gone.example")));
    QVERIFY(again.ok());
    QVERIFY(!again.value());

    QVERIFY(!repository.byOwner(name(QStringLiteral("gone.example"))).value().has_value());
    QVERIFY(repository.byOwner(name(QStringLiteral("stays.example"))).value().has_value());
}

void TestDnsRepository::desiredUpsertAllIsOneTransaction()
{
    DnsDesiredRepository repository(*m_db);
    const DesiredName kept = makeDesired(QStringLiteral("a.example"), true, 1, 20, {}, 1);
    QVERIFY(repository.upsert(kept).ok());

    // The database refuses the middle row; the rows before it must not stay written.
    QSqlQuery trigger = rawQuery();
    QVERIFY(trigger.exec(QStringLiteral(
        "CREATE TRIGGER refuse BEFORE INSERT ON dns_desired WHEN NEW.owner = 'boom.example.' "
        "BEGIN SELECT RAISE(ABORT, 'refused by test'); END")));

    const Result<void> stored = repository.upsertAll({
        makeDesired(QStringLiteral("a.example"), false, 0, 0, {}, 2),
        makeDesired(QStringLiteral("boom.example"), true, 1, 20, {}),
        makeDesired(QStringLiteral("c.example"), true, 1, 20, {}),
    });
    QVERIFY(!stored.ok());
    QVERIFY2(stored.error().message.contains(QLatin1String("boom.example.")),
             qPrintable(stored.error().message));

    const Result<QList<DesiredName>> all = repository.all();
    QVERIFY(all.ok());
    QCOMPARE(all.value().size(), 1);
    compareDesired(all.value().first(), kept);
}

void TestDnsRepository::desiredOversizedRdataIsRejected()
{
    DnsDesiredRepository repository(*m_db);
    const Result<void> stored = repository.upsertAll({
        makeDesired(QStringLiteral("fine.example"), true, 1, 20, {bytes({1, 2, 3, 4})}),
        makeDesired(QStringLiteral("huge.example"), true, 65402, 20, {QByteArray(65536, 'x')}),
    });
    QVERIFY(!stored.ok());
    QVERIFY2(stored.error().message.contains(QLatin1String("huge.example.")),
             qPrintable(stored.error().message));
    QVERIFY(repository.all().value().isEmpty());

    QVERIFY(!repository.upsert(DesiredName()).ok()); // no owner
}

void TestDnsRepository::desiredOwnerIsStoredAbsoluteLowerCase()
{
    DnsDesiredRepository repository(*m_db);
    QVERIFY(
        repository.upsert(makeDesired(QStringLiteral("Mixed.Case.Example"), true, 1, 20, {})).ok());
    QSqlQuery query = rawQuery();
    QVERIFY(query.exec(QStringLiteral("SELECT owner FROM dns_desired")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("mixed.case.example."));

    // The schema itself refuses owners that are not absolute and lower case.
    for (const char *owner : {"Upper.example.", "relative.example", "."}) {
        QSqlQuery insert = rawQuery();
        insert.prepare(QStringLiteral("INSERT INTO dns_desired (owner, present, type, ttl, rdata, "
                                      "updated_at) VALUES (:owner, 1, 1, 20, x'', 0)"));
        insert.bindValue(QStringLiteral(":owner"), QLatin1String(owner));
        QVERIFY2(!insert.exec(), owner);
    }
}

void TestDnsRepository::corruptDesiredRowsAreReported_data()
{
    QTest::addColumn<QString>("corruption");
    QTest::addColumn<QString>("owner"); // as the error must name it

    QTest::newRow("length past the end")
        << QStringLiteral("UPDATE dns_desired SET rdata = x'0005ab'")
        << QStringLiteral("victim.example.");
    QTest::newRow("half a length") << QStringLiteral("UPDATE dns_desired SET rdata = x'000101ff'")
                                   << QStringLiteral("victim.example.");
    QTest::newRow("huge length") << QStringLiteral("UPDATE dns_desired SET rdata = x'ffff00'")
                                 << QStringLiteral("victim.example.");
    QTest::newRow("owner with a space")
        << QStringLiteral("UPDATE dns_desired SET owner = 'bad name.example.'")
        << QStringLiteral("bad name.example.");
    QTest::newRow("owner with a quote")
        << QStringLiteral("UPDATE dns_desired SET owner = 'x''); os.exit(); --.'")
        << QStringLiteral("x'); os.exit(); --.");
    QTest::newRow("empty label") << QStringLiteral("UPDATE dns_desired SET owner = 'a..example.'")
                                 << QStringLiteral("a..example.");
    // Rows written past the CHECK constraints (an older tool, a hand edit).
    QTest::newRow("present out of range") << QStringLiteral("UPDATE dns_desired SET present = 7")
                                          << QStringLiteral("victim.example.");
    QTest::newRow("negative ttl") << QStringLiteral("UPDATE dns_desired SET ttl = -1")
                                  << QStringLiteral("victim.example.");
    QTest::newRow("type out of range") << QStringLiteral("UPDATE dns_desired SET type = 70000")
                                       << QStringLiteral("victim.example.");
}

void TestDnsRepository::corruptDesiredRowsAreReported()
{
    QFETCH(QString, corruption);
    QFETCH(QString, owner);
    DnsDesiredRepository repository(*m_db);
    QVERIFY(repository
                .upsert(makeDesired(QStringLiteral("victim.example"), true, 1, 20,
                                    {bytes({10, 0, 0, 1})}))
                .ok());

    QSqlQuery query = rawQuery();
    QVERIFY(query.exec(QStringLiteral("PRAGMA ignore_check_constraints = ON")));
    QVERIFY2(query.exec(corruption), qPrintable(corruption));
    QVERIFY(query.exec(QStringLiteral("PRAGMA ignore_check_constraints = OFF")));

    const Result<QList<DesiredName>> all = repository.all();
    QVERIFY(!all.ok());
    QVERIFY2(all.error().message.contains(owner), qPrintable(all.error().message));

    if (const std::optional<DnsName> parsed = DnsName::parse(owner)) {
        const Result<std::optional<DesiredName>> one = repository.byOwner(*parsed);
        QVERIFY(!one.ok());
        QVERIFY2(one.error().message.contains(owner), qPrintable(one.error().message));
    }
}

void TestDnsRepository::importedRoundTrip()
{
    ImportedNameRepository repository(*m_db);
    const QList<ImportedName> names = {
        makeImported(QStringLiteral("www.shop.example."), QStringLiteral("CNAME"),
                     QStringLiteral("origin.shop.example."), 3600),
        makeImported(QStringLiteral("origin.shop.example."), QStringLiteral("AAAA"),
                     QStringLiteral("2001:db8::1"), 4294967295u),
        makeImported(QStringLiteral("origin.shop.example."), QStringLiteral("A"),
                     QStringLiteral("192.0.2.10"), 0),
    };
    const Result<void> stored = repository.replaceZone(QStringLiteral("shop.example."), names);
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));

    const Result<QList<ImportedName>> read = repository.byZone(QStringLiteral("shop.example."));
    QVERIFY2(read.ok(), qPrintable(read.error().message));
    QCOMPARE(read.value().size(), 3);
    // Ordered by name, type, value.
    const QList<int> order = {2, 1, 0};
    for (qsizetype i = 0; i < order.size(); ++i) {
        const ImportedName &actual = read.value().at(i);
        const ImportedName &expected = names.at(order.at(i));
        QCOMPARE(actual.zone, QStringLiteral("shop.example."));
        QCOMPARE(actual.name, expected.name);
        QCOMPARE(actual.type, expected.type);
        QCOMPARE(actual.value, expected.value);
        QCOMPARE(actual.ttl, expected.ttl);
        QCOMPARE(actual.importedAtMs, expected.importedAtMs);
    }
    QCOMPARE(repository.zones().value(), QStringList{QStringLiteral("shop.example.")});
    QVERIFY(repository.byZone(QStringLiteral("other.example.")).value().isEmpty());
}

void TestDnsRepository::importedReplaceZoneReplacesOnlyThatZone()
{
    ImportedNameRepository repository(*m_db);
    QVERIFY(repository
                .replaceZone(QStringLiteral("b.example."),
                             {makeImported(QStringLiteral("x.b.example."), QStringLiteral("A"),
                                           QStringLiteral("192.0.2.1"))})
                .ok());
    QVERIFY(repository
                .replaceZone(QStringLiteral("a.example."),
                             {makeImported(QStringLiteral("old.a.example."), QStringLiteral("A"),
                                           QStringLiteral("192.0.2.2"))})
                .ok());
    QVERIFY(repository
                .replaceZone(QStringLiteral("a.example."),
                             {makeImported(QStringLiteral("new.a.example."), QStringLiteral("A"),
                                           QStringLiteral("192.0.2.3"))})
                .ok());

    const QList<ImportedName> a = repository.byZone(QStringLiteral("a.example.")).value();
    QCOMPARE(a.size(), 1);
    QCOMPARE(a.first().name, QStringLiteral("new.a.example."));
    QCOMPARE(repository.byZone(QStringLiteral("b.example.")).value().size(), 1);
    QCOMPARE(repository.zones().value(),
             (QStringList{QStringLiteral("a.example."), QStringLiteral("b.example.")}));
}

void TestDnsRepository::importedFailedReplaceKeepsPreviousContent_data()
{
    QTest::addColumn<ImportedName>("bad");
    QTest::newRow("MX") << makeImported(QStringLiteral("mail.shop.example."), QStringLiteral("MX"),
                                        QStringLiteral("10 mx.shop.example."));
    QTest::newRow("lower-case type") << makeImported(
        QStringLiteral("www.shop.example."), QStringLiteral("a"), QStringLiteral("192.0.2.9"));
    QTest::newRow("empty name") << makeImported(QString(), QStringLiteral("A"),
                                                QStringLiteral("192.0.2.9"));
}

void TestDnsRepository::importedFailedReplaceKeepsPreviousContent()
{
    QFETCH(ImportedName, bad);
    ImportedNameRepository repository(*m_db);
    const QString zone = QStringLiteral("shop.example.");
    const QList<ImportedName> before = {
        makeImported(QStringLiteral("www.shop.example."), QStringLiteral("A"),
                     QStringLiteral("192.0.2.1")),
        makeImported(QStringLiteral("www.shop.example."), QStringLiteral("A"),
                     QStringLiteral("192.0.2.2")),
    };
    QVERIFY(repository.replaceZone(zone, before).ok());

    // The bad row comes after good ones, so they were already inserted when it fails.
    const Result<void> replaced = repository.replaceZone(
        zone, {makeImported(QStringLiteral("new.shop.example."), QStringLiteral("A"),
                            QStringLiteral("192.0.2.7")),
               bad});
    QVERIFY(!replaced.ok());
    QVERIFY2(replaced.error().isConstraint(), qPrintable(replaced.error().message));

    const QList<ImportedName> after = repository.byZone(zone).value();
    QCOMPARE(after.size(), 2);
    QCOMPARE(after.at(0).value, QStringLiteral("192.0.2.1"));
    QCOMPARE(after.at(1).value, QStringLiteral("192.0.2.2"));
}

void TestDnsRepository::importedDuplicatesAreStoredOnce()
{
    ImportedNameRepository repository(*m_db);
    const ImportedName row = makeImported(QStringLiteral("www.shop.example."), QStringLiteral("A"),
                                          QStringLiteral("192.0.2.1"));
    const Result<void> stored = repository.replaceZone(QStringLiteral("shop.example."), {row, row});
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));
    QCOMPARE(repository.byZone(QStringLiteral("shop.example.")).value().size(), 1);
}

void TestDnsRepository::importedEmptyReplaceClearsZone()
{
    ImportedNameRepository repository(*m_db);
    QVERIFY(repository
                .replaceZone(QStringLiteral("shop.example."),
                             {makeImported(QStringLiteral("www.shop.example."), QStringLiteral("A"),
                                           QStringLiteral("192.0.2.1"))})
                .ok());
    QVERIFY(repository.replaceZone(QStringLiteral("shop.example."), {}).ok());
    QVERIFY(repository.byZone(QStringLiteral("shop.example.")).value().isEmpty());
    QVERIFY(repository.zones().value().isEmpty());
    QVERIFY(!repository.replaceZone(QString(), {}).ok());
}

void TestDnsRepository::updateLogNewestFirst()
{
    UpdateLogRepository repository(*m_db);
    QVERIFY(repository.append(makeEntry(1000, QStringLiteral("edge.example."), true)).ok());
    QVERIFY(repository.append(makeEntry(3000, QStringLiteral("edge.example."), false)).ok());
    // Appended later but stamped earlier (another process's clock): it sorts by its time.
    QVERIFY(repository.append(makeEntry(2000, QStringLiteral("other.example."), true)).ok());

    const Result<QList<UpdateLogEntry>> latest = repository.latest(10);
    QVERIFY2(latest.ok(), qPrintable(latest.error().message));
    QCOMPARE(latest.value().size(), 3);
    QCOMPARE(latest.value().at(0).atMs, 3000);
    QCOMPARE(latest.value().at(1).atMs, 2000);
    QCOMPARE(latest.value().at(2).atMs, 1000);

    const UpdateLogEntry &failed = latest.value().at(0);
    QCOMPARE(failed.zone, QStringLiteral("edge.example."));
    QCOMPARE(failed.changes, 3);
    QCOMPARE(failed.ok, false);
    QCOMPARE(failed.rcode, 5);
    QCOMPARE(failed.error, QStringLiteral("REFUSED"));
    QCOMPARE(failed.latencyMs, 12.5);
    QCOMPARE(latest.value().at(1).ok, true);
    QCOMPARE(latest.value().at(1).error, QString(""));

    QCOMPARE(repository.latest(2).value().size(), 2);
}

void TestDnsRepository::updateLogKeepsNewestThousand()
{
    UpdateLogRepository repository(*m_db);
    const int total = UpdateLogRepository::MaxEntries + 5;
    for (int i = 1; i <= total; ++i) {
        const Result<void> appended =
            repository.append(makeEntry(i, QStringLiteral("edge.example."), true));
        QVERIFY2(appended.ok(), qPrintable(appended.error().message));
    }
    QSqlQuery count = rawQuery();
    QVERIFY(count.exec(QStringLiteral("SELECT count(*), min(at), max(at) FROM dns_update_log")));
    QVERIFY(count.next());
    QCOMPARE(count.value(0).toInt(), UpdateLogRepository::MaxEntries);
    QCOMPARE(count.value(1).toLongLong(), 6);
    QCOMPARE(count.value(2).toLongLong(), total);

    const QList<UpdateLogEntry> all = repository.latest(5000).value();
    QCOMPARE(all.size(), UpdateLogRepository::MaxEntries);
    QCOMPARE(all.first().atMs, total);
    QCOMPARE(all.last().atMs, 6);
}

void TestDnsRepository::updateLogNonPositiveCount()
{
    UpdateLogRepository repository(*m_db);
    QVERIFY(repository.append(makeEntry(1, QStringLiteral("edge.example."), true)).ok());
    QVERIFY(repository.latest(0).value().isEmpty());
    QVERIFY(repository.latest(-1).value().isEmpty());
    QVERIFY(!repository.append(UpdateLogEntry{1, QString(), -1, true, 0, QString(), 0}).ok());
}

QTEST_GUILESS_MAIN(TestDnsRepository)
#include "tst_dnsrepository.moc"
