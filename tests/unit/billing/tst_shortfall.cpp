// The firm shortfall credit: the controller's decision (firmShortfall, pure), its ledger
// (ShortfallRepository: replays count once, malformed rows refused) and a firm lease shed for 10
// minutes getting exactly the credit the rules give.
#include "billing/invoicerun.h"
#include "billing/shortfall.h"
#include "billingtestdata.h"
#include "store/billingrepository.h"
#include "store/shortfallrepository.h"
#include "store/tariffrepository.h"

#include <QTemporaryDir>
#include <QTest>

using namespace headroom;
using namespace headroom::billingtest;

class TestShortfall final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decision_data();
    void decision();
    void ledgerCountsReplaysOnce();
    void ledgerRefusesMalformedRows();
    void firmLeaseShedForTenMinutes();
};

// "id:rate:allocated,..." -> leases; expected "id:shedMilli,...".
void TestShortfall::decision_data()
{
    QTest::addColumn<QString>("leases");
    QTest::addColumn<double>("demand");
    QTest::addColumn<bool>("known");
    QTest::addColumn<qint64>("durationMs");
    QTest::addColumn<QString>("expected");
    QTest::newRow("delivered in full") << "1:100:100" << 200.0 << true << qint64(1000) << "";
    QTest::newRow("capacity ran out, demand above the rate")
        << "1:100:60" << 200.0 << true << qint64(1000) << "1:40000";
    QTest::newRow("demand exactly the rate")
        << "1:100:60" << 100.0 << true << qint64(1000) << "1:40000";
    QTest::newRow("purchaser sends less than the allocation")
        << "1:100:60" << 50.0 << true << qint64(1000) << "";
    QTest::newRow("purchaser sends less than the rate, more than allocated")
        << "1:100:60" << 80.0 << true << qint64(1000) << "1:20000";
    QTest::newRow("no demand estimate yet") << "1:100:0" << 200.0 << false << qint64(1000) << "";
    QTest::newRow("no demand") << "1:100:0" << 0.0 << true << qint64(1000) << "";
    QTest::newRow("nothing allocated at all")
        << "1:100:0" << 150.0 << true << qint64(1000) << "1:100000";
    QTest::newRow("two firm leases claim demand oldest first")
        << "2:100:0,1:100:100" << 150.0 << true << qint64(1000) << "2:50000";
    QTest::newRow("less than 0.001 req/s is none")
        << "1:100:99.9996" << 200.0 << true << qint64(1000) << "";
    QTest::newRow("zero interval") << "1:100:0" << 200.0 << true << qint64(0) << "";
    QTest::newRow("not a number demand")
        << "1:100:0" << std::numeric_limits<double>::quiet_NaN() << true << qint64(1000) << "";
}

void TestShortfall::decision()
{
    QFETCH(QString, leases);
    QFETCH(double, demand);
    QFETCH(bool, known);
    QFETCH(qint64, durationMs);
    QFETCH(QString, expected);
    QList<FirmAllocation> in;
    for (const QString &l : leases.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList f = l.split(QLatin1Char(':'));
        in.append({f[0].toLongLong(), f[1].toDouble(), f[2].toDouble()});
    }
    const QList<ShortfallSample> out = firmShortfall(in, demand, known, 12345, durationMs);
    QStringList got;
    for (const ShortfallSample &s : out) {
        QCOMPARE(s.atMs, qint64(12345));
        QCOMPARE(s.durationMs, durationMs);
        got.append(QStringLiteral("%1:%2").arg(s.leaseId).arg(s.shedMilliRps));
    }
    QCOMPARE(got.join(QLatin1Char(',')), expected);
}

void TestShortfall::ledgerCountsReplaysOnce()
{
    QTemporaryDir dir;
    Database db;
    QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
    const qint64 site = addSite(db, QStringLiteral("shop.example"), addPurchaser(db, "Shop"));
    const qint64 lease =
        addLease(db, site, LeaseKind::Firm, 100, utcMs(2026, 3, 10, 10), utcMs(2026, 3, 10, 12));
    QVERIFY(lease > 0);
    ShortfallRepository ledger(db);
    const QList<ShortfallSample> rows = {{lease, utcMs(2026, 3, 10, 10, 1), 1000, 40000},
                                         {lease, utcMs(2026, 3, 10, 10, 2), 1500, 10000}};
    QCOMPARE(ledger.record(rows).value(), 2);
    QCOMPARE(ledger.record(rows).value(), 0); // the same poll written again
    QCOMPARE(ledger.record({rows[1]}).value(), 0);
    QCOMPARE(ledger.shedMilliRpsMs(lease, utcMs(2026, 3, 1), utcMs(2026, 4, 1)).value(),
             qint64(40000) * 1000 + qint64(10000) * 1500);
    QCOMPARE(ledger.shedMilliRpsMs(lease, utcMs(2026, 3, 10, 10, 2), utcMs(2026, 4, 1)).value(),
             qint64(10000) * 1500);
}

void TestShortfall::ledgerRefusesMalformedRows()
{
    QTemporaryDir dir;
    Database db;
    QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
    const qint64 site = addSite(db, QStringLiteral("shop.example"), std::nullopt);
    const qint64 lease =
        addLease(db, site, LeaseKind::Firm, 100, utcMs(2026, 3, 10, 10), utcMs(2026, 3, 10, 12));
    ShortfallRepository ledger(db);
    const ShortfallSample good{lease, 1, 1000, 1000};
    for (ShortfallSample bad :
         {ShortfallSample{0, 1, 1000, 1000}, ShortfallSample{lease, 2, 0, 1},
          ShortfallSample{lease, 3, 3600001, 1}, ShortfallSample{lease, 4, 1000, 0},
          ShortfallSample{lease, 5, 1000, -7}, ShortfallSample{lease + 99, 6, 1000, 1}}) {
        // A bad row fails the whole write: the good one beside it is not stored either.
        QVERIFY(!ledger.record({good, bad}).ok());
        QCOMPARE(ledger.shedMilliRpsMs(lease, 0, std::numeric_limits<qint64>::max()).value(), 0);
    }
}

// The controller's decision, poll by poll for 10 minutes, into the ledger (twice, as a replay
// would), then the invoice run: credit = price x shed req/s x 600 s / 3600, exactly.
void TestShortfall::firmLeaseShedForTenMinutes()
{
    QTemporaryDir dir;
    Database db;
    QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))).ok());
    const qint64 purchaser = addPurchaser(db, QStringLiteral("Shop Ltd"));
    const qint64 site = addSite(db, QStringLiteral("shop.example"), purchaser);
    const qint64 lease =
        addLease(db, site, LeaseKind::Firm, 100, utcMs(2026, 3, 10, 10), utcMs(2026, 3, 10, 12));
    QVERIFY(TariffRepository(db).set(lease, Tariff{QStringLiteral("EUR"), 120, 0, 0}).ok());
    QVERIFY(activate(db, lease, utcMs(2026, 3, 10, 9, 59)));

    ShortfallRepository ledger(db);
    const qint64 shedFrom = utcMs(2026, 3, 10, 10, 30);
    int recorded = 0;
    for (int poll = 0; poll < 600; ++poll) {
        // Headroom for 60 of the 100 req/s sold while the site wants 200.
        const auto shed =
            firmShortfall({{lease, 100, 60}}, 200, true, shedFrom + poll * 1000, 1000);
        QCOMPARE(shed.size(), 1);
        recorded += ledger.record(shed).value();
        QCOMPARE(ledger.record(shed).value(), 0); // replayed
    }
    QCOMPARE(recorded, 600);
    // Delivered in full before and after: no rows.
    QVERIFY(firmShortfall({{lease, 100, 100}}, 200, true, shedFrom - 1000, 1000).isEmpty());

    QString error;
    const BillingPeriod march = *BillingPeriod::parse(QStringLiteral("2026-03"), &error);
    const auto report = InvoiceRun(db).run(march, std::nullopt, utcMs(2026, 4, 2));
    QVERIFY2(report.ok(), qPrintable(report.error().message));
    QCOMPARE(report.value().drafts.size(), 1);
    const InvoiceLine &line = report.value().drafts.first().lines.first();
    QCOMPARE(line.leaseId, lease);
    QCOMPARE(line.chargeMinor, qint64(120) * 100 * 2);         // 2 h x 100 req/s x 1.20
    QCOMPARE(line.creditMinor, qint64(120) * 40 * 600 / 3600); // 800: 40 req/s for 600 s
    QCOMPARE(line.amountMinor, qint64(24000 - 800));
    QCOMPARE(line.shedMilliRpsMs, qint64(40000) * 600000);
    QVERIFY(line.description.contains(QLatin1String("shortfall 6.667 req/s x h credited")));
}

QTEST_GUILESS_MAIN(TestShortfall)
#include "tst_shortfall.moc"
