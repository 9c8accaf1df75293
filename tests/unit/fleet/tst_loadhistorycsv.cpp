// Load history imported from CSV: good files become samples, hostile ones are refused as a whole
// with the line that is wrong.
#include "fleet/loadhistorycsv.h"

#include <QBuffer>
#include <QTest>

using namespace headroom;

namespace {
const QByteArray kHeader = "time,proxy,pool,capacity_rps,total_rps,purchaser_rps\n";
constexpr qint64 kNow = 1'790'000'000'000; // 2026-09
} // namespace

class TestLoadHistoryCsv : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void goodFile();
    void hostile_data();
    void hostile();
};

void TestLoadHistoryCsv::goodFile()
{
    QByteArray data = kHeader + "2026-08-01T00:00:00Z,proxy1,edge,1000,420.5,20\r\n\n"
                                "1785542460,proxy-2.b,edge_2,2000,0,0\n";
    QBuffer buffer(&data);
    buffer.open(QIODevice::ReadOnly);
    const LoadHistoryCsv csv = parseLoadHistoryCsv(buffer, kNow);
    QVERIFY2(csv.ok(), qPrintable(csv.error));
    QCOMPARE(csv.samples.size(), 2);
    QCOMPARE(csv.samples.at(0).atMs, qint64(1785542400000));
    QCOMPARE(csv.samples.at(0).proxy, QStringLiteral("proxy1"));
    QCOMPARE(csv.samples.at(0).pool, QStringLiteral("edge"));
    QCOMPARE(csv.samples.at(0).capacityRps, 1000.0);
    QCOMPARE(csv.samples.at(0).totalRps, 420.5);
    QCOMPARE(csv.samples.at(0).purchaserRps, 20.0);
    QCOMPARE(csv.samples.at(1).atMs, qint64(1785542460000));
}

void TestLoadHistoryCsv::hostile_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray() << "no header";
    QTest::newRow("no header") << QByteArray("1785542400,p,e,1,1,0\n") << "line 1: the header";
    QTest::newRow("few fields") << kHeader + "1785542400,p,e,1,1\n"
                                << "line 2: expected 6";
    QTest::newRow("extra field") << kHeader + "1785542400,p,e,1,1,0,9\n"
                                 << "line 2: expected 6";
    QTest::newRow("local time") << kHeader + "2026-08-01T00:00:00,p,e,1,1,0\n"
                                << "line 2: time";
    QTest::newRow("before 2000") << kHeader + "0,p,e,1,1,0\n"
                                 << "line 2: time";
    QTest::newRow("future") << kHeader + "1890000000,p,e,1,1,0\n"
                            << "line 2: time";
    QTest::newRow("name injection") << kHeader + "1785542400,p';DROP TABLE x,e,1,1,0\n"
                                    << "line 2: proxy";
    QTest::newRow("quoted") << kHeader + "1785542400,\"p\",e,1,1,0\n"
                            << "line 2: proxy";
    QTest::newRow("nan") << kHeader + "1785542400,p,e,nan,1,0\n"
                         << "line 2: rates";
    QTest::newRow("inf") << kHeader + "1785542400,p,e,1,inf,0\n"
                         << "line 2: rates";
    QTest::newRow("huge") << kHeader + "1785542400,p,e,1e308,1,0\n"
                          << "line 2: rates";
    QTest::newRow("negative") << kHeader + "1785542400,p,e,1,-1,0\n"
                              << "line 2: rates";
    QTest::newRow("purchaser above total") << kHeader + "1785542400,p,e,10,1,2\n"
                                           << "line 2: purchaser_rps";
    QTest::newRow("bad after good") << kHeader + "1785542400,p,e,1,1,0\nx\n"
                                    << "line 3:";
    QTest::newRow("long line") << kHeader + QByteArray(2000, 'a') + "\n"
                               << "line 2: longer";
    QTest::newRow("binary") << kHeader + QByteArray("\x00\xff,p,e,1,1,0\n", 13) << "line 2: time";
}

void TestLoadHistoryCsv::hostile()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, error);
    QBuffer buffer(&data);
    buffer.open(QIODevice::ReadOnly);
    const LoadHistoryCsv csv = parseLoadHistoryCsv(buffer, kNow);
    QVERIFY(!csv.ok());
    QVERIFY2(csv.error.contains(error), qPrintable(csv.error));
    QVERIFY(csv.samples.isEmpty());
}

QTEST_GUILESS_MAIN(TestLoadHistoryCsv)
#include "tst_loadhistorycsv.moc"
