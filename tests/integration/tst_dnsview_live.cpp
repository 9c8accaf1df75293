// The console's DNS view against the sandbox's real servers: one steering record written by
// TSIG-signed UPDATE into our PowerDNS, the purchaser's names checked at its BIND and through
// the recursor, the purchaser's zone imported into the database - then the overview service
// reads it all back on its thread and the view shows it, offscreen.

#include "delegationmodel.h"
#include "dns/dnsoverviewservice.h"
#include "dns/dnsupdater.h"
#include "dns/steeringzones.h"
#include "dns/zonetransfer.h"
#include "dnsview.h"
#include "importednamesmodel.h"
#include "mainwindow.h"
#include "sandbox/sandboxtargets.h"
#include "sandboxfixture.h"
#include "servedsteeringmodel.h"
#include "store/database.h"
#include "store/dnsrepository.h"
#include "updatelogmodel.h"

#include <QDir>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

using namespace headroom;

class TestDnsViewLive final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void viewRendersRealData();
    void cleanupTestCase();

private:
    void importPurchaserZone(Database &db);
    test::SandboxFixture m_fixture;
};

void TestDnsViewLive::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

void TestDnsViewLive::cleanupTestCase()
{
    m_fixture.down();
}

// What `headroomctl dns import-zone` stores: the purchaser's address and alias records.
void TestDnsViewLive::importPurchaserZone(Database &db)
{
    const SandboxLayout &l = m_fixture.layout();
    QString error;
    const auto key = TsigKey::fromFile(l.axfrKeyName, l.axfrKeyFile(), &error);
    QVERIFY2(key, qPrintable(error));
    const auto zone = DnsName::parse(l.purchaserZone);
    QVERIFY(zone);
    const ZoneTransferResult transfer =
        transferZone(l.purchaserDns.address, l.purchaserDns.port, *zone, key);
    QVERIFY2(transfer.ok, qPrintable(transfer.error));
    QList<ImportedName> rows;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const DnsRecord &r : transfer.records) {
        if (r.type != quint16(RecordType::A) && r.type != quint16(RecordType::AAAA) &&
            r.type != quint16(RecordType::CNAME))
            continue;
        rows.append({zone->absolute(), r.name, recordTypeName(r.type),
                     r.address.isNull() ? r.target : r.address.toString(), r.ttl, now});
    }
    QVERIFY(!rows.isEmpty());
    const auto stored = ImportedNameRepository(db).replaceZone(zone->absolute(), rows);
    QVERIFY2(stored.ok(), qPrintable(stored.error().message));
}

void TestDnsViewLive::viewRendersRealData()
{
    const SandboxLayout &l = m_fixture.layout();
    const DnsOverviewConfig config = dnsOverviewConfigFor(l);
    QVERIFY2(config.key, "the sandbox's update key must be readable once it is up");

    // One steering record, as the controller writes it: 60/40 on two proxies, 25 to the
    // purchaser's origin, the origin alone after a deadline nine and a half minutes away.
    WeightTable t;
    t.proxies = {{l.proxies.at(0).address, std::nullopt, 60},
                 {l.proxies.at(1).address, std::nullopt, 40}};
    t.overflowServers = {{l.origins.at(0).address, std::nullopt, 25}};
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    t.leaseEndUnix = now + 3600;
    t.validUntilUnix = now + 570;
    QString error;
    const auto record = buildSteeringRecord(t, &error);
    QVERIFY2(record, qPrintable(error));
    // The site's steering name, in its shard: what www.shop.example is a CNAME to.
    const DnsName owner =
        *SteeringZones(config.zone, int(config.subZones.size())).ownerFor(QStringLiteral("shop"));
    DnsUpdater updater({config.server, config.port, config.zone, *config.key, config.subZones},
                       2000, 2);
    const UpdateResult applied = updater.apply({NameReplacement::forSteering(owner, *record)});
    QVERIFY2(applied.ok, qPrintable(applied.error));

    // The database the console reads: the update's outcome and the purchaser's name map.
    {
        Database db;
        const auto opened = db.open(config.databasePath);
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        const auto logged = UpdateLogRepository(db).append(
            {QDateTime::currentMSecsSinceEpoch(), config.zone.absolute(), 1, true, applied.rcode,
             QString(), applied.latencyMs});
        QVERIFY2(logged.ok(), qPrintable(logged.error().message));
        importPurchaserZone(db);
        if (QTest::currentTestFailed())
            return;
    }

    DnsOverviewService service(config);
    MainWindow window(nullptr, nullptr, &service);
    window.resize(1180, 820);
    window.showView(MainWindow::View::Dns);
    auto *view = qobject_cast<DnsView *>(window.viewWidget(MainWindow::View::Dns));
    QVERIFY(view);
    QVERIFY(view->isConfigured());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QSignalSpy updated(&service, &DnsOverviewService::updated);
    service.refresh();
    QVERIFY(updated.wait(30000));
    const auto overview = updated.first().at(0).value<DnsOverview>();
    QVERIFY2(overview.servedError.isEmpty(), qPrintable(overview.servedError));
    QVERIFY2(overview.databaseError.isEmpty(), qPrintable(overview.databaseError));
    QTRY_VERIFY(!service.isRefreshing());

    // Served: exactly our record (ns1 and the proxies' names are hidden), with its weights.
    ServedSteeringModel *served = view->servedModel();
    QCOMPARE(served->rowCount(), 1);
    const auto text = [](QAbstractItemModel *model, int row, int column) {
        return model->data(model->index(row, column)).toString();
    };
    QCOMPARE(text(served, 0, ServedSteeringModel::Name), owner.relative());
    QCOMPARE(text(served, 0, ServedSteeringModel::Kind), QStringLiteral("LUA A"));
    QCOMPARE(text(served, 0, ServedSteeringModel::Weights),
             QStringLiteral("proxy1 60 · proxy2 40 · shop-origin1 25"));
    const QString countdown = text(served, 0, ServedSteeringModel::Deadline);
    QVERIFY2(countdown == QLatin1String("in 9 min") || countdown == QLatin1String("in 8 min"),
             qPrintable(countdown));
    QCOMPARE(text(served, 0, ServedSteeringModel::Fallback), QStringLiteral("shop-origin1"));

    // The three delegation verdicts of the purchaser's names.
    DelegationModel *delegations = view->delegationModel();
    QCOMPARE(delegations->rowCount(), 3);
    QHash<QString, QString> verdicts;
    for (int row = 0; row < 3; ++row)
        verdicts.insert(text(delegations, row, DelegationModel::Host),
                        text(delegations, row, DelegationModel::Verdict));
    QCOMPARE(verdicts.value(QStringLiteral("www.shop.example")), QStringLiteral("Delegated"));
    QCOMPARE(verdicts.value(QStringLiteral("api.shop.example")), QStringLiteral("Not delegated"));
    QCOMPARE(verdicts.value(QStringLiteral("cdn.shop.example")), QStringLiteral("Misconfigured"));
    // Our record now serves the CNAME target: no "target not served yet".
    for (const DelegationReport &r : overview.delegations) {
        if (r.host == QLatin1String("www.shop.example."))
            QVERIFY2(!r.explanation.contains(QLatin1String("not served yet")),
                     qPrintable(r.explanation));
    }

    // The database parts.
    QVERIFY(view->importedModel()->rowCount() >= 5);
    QCOMPARE(view->updateModel()->rowCount(), 1);
    QCOMPARE(text(view->updateModel(), 0, UpdateLogModel::Result), QStringLiteral("OK"));
    QVERIFY(view->refreshStatus().startsWith(QStringLiteral("Refreshed ")));

    // Let the layouts settle around the tables' new heights before the picture.
    QTest::qWait(300);
    const QPixmap shot = window.grab();
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), window.size());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-dns.png"))));
        QVERIFY(view->grab().save(QDir(dir).filePath(QStringLiteral("console-dns-view.png"))));
    }
}

QTEST_MAIN(TestDnsViewLive)
#include "tst_dnsview_live.moc"
