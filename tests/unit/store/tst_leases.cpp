// Sites, leases, their live status and metering in the store; migration 5 from a version 4
// database; the one-controller lock.
#include "control/controllerlock.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/migrations.h"
#include "store/proxyrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

namespace {

constexpr qint64 H = 3600 * 1000;

Site shop()
{
    Site s;
    s.name = QStringLiteral("shop.example");
    s.label = QStringLiteral("shop");
    s.hosts = {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")};
    s.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 2, false},
                 {QHostAddress(QStringLiteral("127.0.2.2")), 8080, 1, true}};
    s.originName = QStringLiteral("origin.shop.example");
    s.assignment = Assignment::PrimaryBackup;
    return s;
}

Lease leaseFor(qint64 siteId, qint64 start)
{
    Lease l;
    l.siteId = siteId;
    l.pool = QStringLiteral("edge");
    l.rateRps = 100;
    l.startsAtMs = start;
    l.endsAtMs = start + 4 * H;
    l.kind = LeaseKind::Firm;
    l.overflow = OverflowPolicy::Dns;
    return l;
}

} // namespace

class TestLeases : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void siteRoundTrip();
    void hostileSitesAreRefused_data();
    void hostileSitesAreRefused();
    void hostBelongsToOneSite();
    void leaseTransitionsAreCompareAndSet();
    void cancelScheduledAndRunning();
    void rescheduleOnlyWhatMayMove();
    void statusRoundTrip();
    void meteringCountsEachSampleOnce();
    void migrationFiveKeepsOldLeasesAndEvents();
    void oneControllerAtATime();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

void TestLeases::init()
{
    m_db.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(m_dir->filePath(QStringLiteral("h.db")));
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
}

void TestLeases::siteRoundTrip()
{
    SiteRepository sites(*m_db);
    const auto id = sites.add(shop());
    QVERIFY2(id.ok(), qPrintable(id.error().message));
    const auto read = sites.byName(QStringLiteral("SHOP.example"));
    QVERIFY(read.ok() && read.value());
    const Site s = *read.value();
    QCOMPARE(s.label, QStringLiteral("shop"));
    QCOMPARE(s.hosts,
             (QStringList{QStringLiteral("shop.example"), QStringLiteral("www.shop.example")}));
    QCOMPARE(s.origins.size(), 2);
    QVERIFY(s.origins[1].backup);
    QCOMPARE(s.origins[0].weight, 2);
    QCOMPARE(s.assignment, Assignment::PrimaryBackup);
    QCOMPARE(s.slot, -1);
    QVERIFY(sites.setSlot(s.id, 4).ok());
    QCOMPARE(sites.usedSlots().value(), QList<int>{4});
    QVERIFY(sites
                .setProvisioning(s.id, {{QStringLiteral("proxy1"), QStringLiteral("provisioned"), 1,
                                         QString(), 5}})
                .ok());
    QCOMPARE(sites.provisioning(s.id).value().first().state, QStringLiteral("provisioned"));
}

void TestLeases::hostileSitesAreRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::newRow("quote in name") << "name"
                                   << "shop'.example";
    QTest::newRow("upper case name") << "name"
                                     << "Shop.example";
    QTest::newRow("lua in label") << "label"
                                  << "a')os.exit()--";
    QTest::newRow("label with dot") << "label"
                                    << "a.b";
    QTest::newRow("space in host") << "host"
                                   << "www shop.example";
    QTest::newRow("newline in host") << "host"
                                     << "www.shop.example\nbackend x";
    QTest::newRow("bad origin name") << "origin-name"
                                     << "origin..shop";
    QTest::newRow("multicast origin") << "origin"
                                      << "224.0.0.1";
    QTest::newRow("only backups") << "backups"
                                  << "";
}

void TestLeases::hostileSitesAreRefused()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    Site s = shop();
    if (field == QLatin1String("name"))
        s.name = value;
    else if (field == QLatin1String("label"))
        s.label = value;
    else if (field == QLatin1String("host"))
        s.hosts.append(value);
    else if (field == QLatin1String("origin-name"))
        s.originName = value;
    else if (field == QLatin1String("origin"))
        s.origins[0].address = QHostAddress(value);
    else
        s.origins[0].backup = true;
    const auto id = SiteRepository(*m_db).add(s);
    QVERIFY(!id.ok());
    QVERIFY(!id.error().message.isEmpty());
    QCOMPARE(SiteRepository(*m_db).all().value().size(), 0);
}

void TestLeases::hostBelongsToOneSite()
{
    SiteRepository sites(*m_db);
    QVERIFY(sites.add(shop()).ok());
    Site other = shop();
    other.name = QStringLiteral("other.example");
    other.label = QStringLiteral("other");
    other.hosts = {QStringLiteral("www.shop.example")};
    const auto id = sites.add(other);
    QVERIFY(!id.ok());
    QVERIFY(id.error().isConstraint());
    QCOMPARE(sites.all().value().size(), 1); // nothing half-stored
}

void TestLeases::leaseTransitionsAreCompareAndSet()
{
    const qint64 site = SiteRepository(*m_db).add(shop()).value();
    LeaseRepository leases(*m_db);
    const auto id = leases.add(leaseFor(site, 1'800'000'000'000), QStringLiteral("test"));
    QVERIFY2(id.ok(), qPrintable(id.error().message));
    QCOMPARE(leases.byId(id.value()).value()->state, LeaseState::Scheduled);
    QVERIFY(leases
                .transition(id.value(), LeaseState::Scheduled, LeaseState::Provisioning,
                            QStringLiteral("go"))
                .value());
    // A second controller that still saw "scheduled" cannot move it again.
    QVERIFY(!leases
                 .transition(id.value(), LeaseState::Scheduled, LeaseState::Provisioning,
                             QStringLiteral("go"))
                 .value());
    QVERIFY(leases
                .transition(id.value(), LeaseState::Provisioning, LeaseState::Draining,
                            QStringLiteral("over"), 42)
                .value());
    const Lease l = *leases.byId(id.value()).value();
    QCOMPARE(l.state, LeaseState::Draining);
    QCOMPARE(*l.drainUntilMs, 42);
    const auto events = leases.events(id.value()).value();
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].to, QStringLiteral("scheduled"));
    QCOMPARE(events[2].from, QStringLiteral("provisioning"));
    QCOMPARE(leases.open().value().size(), 1);
    // A lease for a site that does not exist is refused.
    QVERIFY(!leases.add(leaseFor(site + 100, 1'800'000'000'000), QStringLiteral("test")).ok());
}

void TestLeases::cancelScheduledAndRunning()
{
    const qint64 site = SiteRepository(*m_db).add(shop()).value();
    LeaseRepository leases(*m_db);
    const qint64 a = leases.add(leaseFor(site, 1'800'000'000'000), QStringLiteral("t")).value();
    const qint64 b = leases.add(leaseFor(site, 1'800'000'000'000), QStringLiteral("t")).value();
    QVERIFY(leases.transition(b, LeaseState::Scheduled, LeaseState::Provisioning, {}).value());
    QVERIFY(leases.cancel(a, QStringLiteral("ops")).value());
    QVERIFY(leases.cancel(b, QStringLiteral("ops")).value());
    QCOMPARE(leases.byId(a).value()->state, LeaseState::Cancelled);
    // A running lease is only marked: the controller drains it first.
    QCOMPARE(leases.byId(b).value()->state, LeaseState::Provisioning);
    QVERIFY(leases.byId(b).value()->cancelledAtMs.has_value());
    QVERIFY(!leases.cancel(a, QStringLiteral("ops")).value()); // already
    QVERIFY(!leases.cancel(9999, QStringLiteral("ops")).ok());
}

void TestLeases::rescheduleOnlyWhatMayMove()
{
    const qint64 site = SiteRepository(*m_db).add(shop()).value();
    LeaseRepository leases(*m_db);
    const qint64 start = 1'800'000'000'000;
    const qint64 id = leases.add(leaseFor(site, start), QStringLiteral("t")).value();
    QVERIFY(leases.reschedule(id, start + H, start + 5 * H, QStringLiteral("drag")).value());
    QCOMPARE(leases.byId(id).value()->startsAtMs, start + H);
    QVERIFY(!leases.reschedule(id, start, start, QString()).ok()); // empty window
    QVERIFY(leases.transition(id, LeaseState::Scheduled, LeaseState::Cancelled, {}).value());
    QVERIFY(!leases.reschedule(id, start, start + H, QString()).ok()); // over
}

void TestLeases::statusRoundTrip()
{
    const qint64 site = SiteRepository(*m_db).add(shop()).value();
    LeaseRepository leases(*m_db);
    const qint64 id = leases.add(leaseFor(site, 1'800'000'000'000), QStringLiteral("t")).value();
    LeaseStatus s;
    s.leaseId = id;
    s.atMs = 7;
    s.inWindow = true;
    s.allocatedRps = 100;
    s.demandRps = 210;
    s.deliveredRps = 98.5;
    s.fraction = 1.7; // clamped
    s.weights = QJsonObject{{QStringLiteral("proxy1"), 2500}};
    QVERIFY(leases.setStatus(s).ok());
    s.deliveredRps = 99;
    QVERIFY(leases.setStatus(s).ok()); // overwritten, not added
    const auto read = leases.status(id).value();
    QVERIFY(read);
    QCOMPARE(read->deliveredRps, 99.0);
    QCOMPARE(read->fraction, 1.0);
    QCOMPARE(read->weights.value(QStringLiteral("proxy1")).toInt(), 2500);
}

void TestLeases::meteringCountsEachSampleOnce()
{
    Proxy p;
    p.name = QStringLiteral("proxy1");
    QVERIFY(ProxyRepository(*m_db).upsert(p).ok());
    const qint64 site = SiteRepository(*m_db).add(shop()).value();
    const qint64 lease =
        LeaseRepository(*m_db).add(leaseFor(site, 1'800'000'000'000), QStringLiteral("t")).value();
    UsageRepository usage(*m_db);
    const QList<UsageSample> batch = {
        {QStringLiteral("proxy1/0/5/www.shop.example"), lease, QStringLiteral("proxy1"),
         QStringLiteral("shop.example"), 1, 120, 5000},
        {QStringLiteral("proxy1/0/6/www.shop.example"), lease, QStringLiteral("proxy1"),
         QStringLiteral("shop.example"), 2, 80, 3000}};
    QCOMPARE(usage.record(batch).value(), 2);
    QCOMPARE(usage.record(batch).value(), 0); // replayed: nothing new
    const auto totals = usage.totalsForLease(lease).value();
    QCOMPARE(totals.first, quint64(200));
    QCOMPARE(totals.second, quint64(8000));
}

void TestLeases::migrationFiveKeepsOldLeasesAndEvents()
{
    m_db.reset();
    const QString path = m_dir->filePath(QStringLiteral("v4.db"));
    {
        Database v4;
        QVERIFY(v4.open(path, builtInMigrations().mid(0, 4)).ok());
        QSqlQuery q(v4.connection());
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO purchasers (id, organisation, created_at) VALUES (1, 'ACME', 0)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO sites (id, name, purchaser_id, created_at) "
                                      "VALUES (1, 'Shop.Example', 1, 0)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO site_origins (site_id, address, port) VALUES "
                                      "(1, '127.0.2.1', 80)")));
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO leases (id, site_id, rate_rps, starts_at, ends_at, kind, state, "
            "created_at) VALUES (1, 1, 50, 10, 20, 'firm', 'expired', 5)")));
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO lease_events (lease_id, at, to_state) VALUES (1, 6, 'expired')")));
    }
    Database db;
    const Result<void> opened = db.open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    QCOMPARE(db.schemaVersion().value(), latestVersion(builtInMigrations()));
    LeaseRepository leases(db);
    const auto lease = leases.byId(1).value();
    QVERIFY(lease);
    QCOMPARE(lease->state, LeaseState::Ended);
    QCOMPARE(lease->siteName, QStringLiteral("shop.example"));
    QCOMPARE(leases.events(1).value().size(), 1); // not cascaded away by the table rebuild
    const auto site = SiteRepository(db).byId(1).value();
    QCOMPARE(site->origins.size(), 1);
    QCOMPARE(site->label, QStringLiteral("site1"));
    QSqlQuery fk(db.connection());
    QVERIFY(fk.exec(QStringLiteral("PRAGMA foreign_keys")) && fk.next());
    QCOMPARE(fk.value(0).toInt(), 1); // enforcement is back on
}

void TestLeases::oneControllerAtATime()
{
    const QString path = ControllerLock::pathFor(m_dir->filePath(QStringLiteral("h.db")));
    QString error;
    {
        ControllerLock first(path);
        QVERIFY(first.tryLock(QStringLiteral("test"), &error));
        ControllerLock second(path);
        QVERIFY(!second.tryLock(QStringLiteral("test"), &error));
        QVERIFY2(error.contains(QStringLiteral("another controller")), qPrintable(error));
        QVERIFY(error.contains(QStringLiteral("test pid")));
    }
    // Another process holds it, then dies: the lock is free at once, no stale file to clear.
    // (-o: flock itself holds the lock, not the sleep it runs.)
    QProcess holder;
    holder.start(QStringLiteral("flock"),
                 {QStringLiteral("-o"), path, QStringLiteral("sleep"), QStringLiteral("30")});
    QVERIFY(holder.waitForStarted());
    const auto free = [&] {
        ControllerLock probe(path);
        return probe.tryLock(QStringLiteral("probe"), &error);
    };
    QTRY_VERIFY_WITH_TIMEOUT(!free(), 5000);
    holder.kill();
    holder.waitForFinished();
    // flock's child closes its copy of the descriptor just after the fork: allow for that moment.
    ControllerLock mine(path);
    QTRY_VERIFY_WITH_TIMEOUT(mine.tryLock(QStringLiteral("test"), &error), 5000);
}

QTEST_GUILESS_MAIN(TestLeases)
#include "tst_leases.moc"
