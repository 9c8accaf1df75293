// The market verbs of headroomctl as an operator runs them against a real sandbox: post an offer
// (refused above the forecast without a reason), take a bid by phone, approve the purchase - which
// creates the lease and runs the delegation check against the sandbox's real BIND and recursor -
// reject another with a reason, an auction closed and cleared, and the audit log.
#include "sandboxfixture.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

} // namespace

class TestCtlMarket : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sellByPhoneAndApprove();
    void auctionThroughTheCli();
    void hostileInputIsRefused_data();
    void hostileInputIsRefused();
    void importedHistoryLetsTheForecastVouch();

private:
    Run ctl(QStringList args);
    test::SandboxFixture m_sandbox;
};

Run TestCtlMarket::ctl(QStringList args)
{
    args << QStringLiteral("--port-base") << QString::number(m_sandbox.layout().portBase)
         << QStringLiteral("--state-dir") << m_sandbox.layout().stateDir;
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"), args);
    p.waitForFinished(60000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

void TestCtlMarket::initTestCase()
{
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
    Run r = ctl({QStringLiteral("purchaser"), QStringLiteral("add"), QStringLiteral("Shop Ltd"),
                 QStringLiteral("--email"), QStringLiteral("ops@shop.example"),
                 QStringLiteral("--card-last4"), QStringLiteral("4242")});
    QVERIFY2(r.code == 0, r.err.constData());
    QStringList site{QStringLiteral("site"),
                     QStringLiteral("add"),
                     QStringLiteral("shop.example"),
                     QStringLiteral("--purchaser"),
                     QStringLiteral("1"),
                     QStringLiteral("--origin-name"),
                     QStringLiteral("origin.shop.example")};
    for (const OriginEndpoint &o : m_sandbox.layout().origins) {
        if (o.site == m_sandbox.layout().purchaserZone)
            site << QStringLiteral("--origin")
                 << QStringLiteral("%1:%2").arg(o.address.toString()).arg(o.httpPort);
    }
    r = ctl(site);
    QVERIFY2(r.code == 0, r.err.constData());
}

void TestCtlMarket::cleanupTestCase()
{
    m_sandbox.down();
}

void TestCtlMarket::sellByPhoneAndApprove()
{
    const QStringList post{QStringLiteral("offer"),   QStringLiteral("post"),
                           QStringLiteral("--rate"),  QStringLiteral("100"),
                           QStringLiteral("--from"),  QStringLiteral("+10m"),
                           QStringLiteral("--hours"), QStringLiteral("4"),
                           QStringLiteral("--price"), QStringLiteral("12.00")};
    // A fresh sandbox has no load history: the forecast cannot vouch for the offer.
    Run r = ctl(post);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("override"), r.err.constData());
    r = ctl({QStringLiteral("offer"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY(r.json().value(QStringLiteral("offers")).toArray().isEmpty());

    r = ctl(post + QStringList{QStringLiteral("--override"),
                               QStringLiteral("launch week, sold by hand"),
                               QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const int offer = r.json().value(QStringLiteral("id")).toInt();
    QCOMPARE(r.json().value(QStringLiteral("pool")).toString(), m_sandbox.layout().pool);
    QCOMPARE(r.json().value(QStringLiteral("override_reason")).toString(),
             QStringLiteral("launch week, sold by hand"));

    r = ctl({QStringLiteral("bid"), QStringLiteral("place"), QString::number(offer),
             QStringLiteral("--purchaser"), QStringLiteral("1"), QStringLiteral("--rate"),
             QStringLiteral("60"), QStringLiteral("--price"), QStringLiteral("12"),
             QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonArray bought = r.json().value(QStringLiteral("purchases")).toArray();
    QCOMPARE(bought.size(), 1);
    const int purchase = bought.first().toObject().value(QStringLiteral("id")).toInt();

    r = ctl({QStringLiteral("purchase"), QStringLiteral("list"), QStringLiteral("--pending"),
             QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("purchases")).toArray().size(), 1);

    r = ctl({QStringLiteral("purchase"), QStringLiteral("approve"), QString::number(purchase),
             QStringLiteral("--actor"), QStringLiteral("alice"), QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject approval = r.json();
    QCOMPARE(approval.value(QStringLiteral("leases")).toArray().size(), 1);
    QVERIFY(approval.value(QStringLiteral("delegation_checked")).toBool());
    // The sandbox's BIND hands www.shop.example to our zone by CNAME: checked for real.
    bool wwwDelegated = false;
    for (const QJsonValue &v : approval.value(QStringLiteral("delegation")).toArray()) {
        const QJsonObject d = v.toObject();
        if (d.value(QStringLiteral("host")).toString() == QLatin1String("www.shop.example."))
            wwwDelegated =
                d.value(QStringLiteral("verdict")).toString() == QLatin1String("delegated");
    }
    QVERIFY2(wwwDelegated, r.out.constData());

    r = ctl({QStringLiteral("lease"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonArray leases = r.json().value(QStringLiteral("leases")).toArray();
    QCOMPARE(leases.size(), 1);
    const QJsonObject lease = leases.first().toObject();
    QCOMPARE(lease.value(QStringLiteral("site")).toString(), QStringLiteral("shop.example"));
    QCOMPARE(lease.value(QStringLiteral("rate_rps")).toDouble(), 60.0);
    QCOMPARE(lease.value(QStringLiteral("kind")).toString(), QStringLiteral("firm"));

    // The other 40 sell to the same purchaser, and are turned down.
    r = ctl({QStringLiteral("bid"), QStringLiteral("place"), QString::number(offer),
             QStringLiteral("--purchaser"), QStringLiteral("1"), QStringLiteral("--rate"),
             QStringLiteral("40"), QStringLiteral("--price"), QStringLiteral("12"),
             QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const int second = r.json()
                           .value(QStringLiteral("purchases"))
                           .toArray()
                           .first()
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toInt();
    r = ctl({QStringLiteral("purchase"), QStringLiteral("reject"), QString::number(second)});
    QCOMPARE(r.code, 2); // no reason
    r = ctl({QStringLiteral("purchase"), QStringLiteral("reject"), QString::number(second),
             QStringLiteral("--reason"), QStringLiteral("over the account's credit limit")});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("lease"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("leases")).toArray().size(), 1);
    r = ctl({QStringLiteral("offer"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonObject o = r.json().value(QStringLiteral("offers")).toArray().first().toObject();
    QCOMPARE(o.value(QStringLiteral("left_rps")).toInt(), 40);
    QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("open"));

    r = ctl({QStringLiteral("purchase"), QStringLiteral("audit")});
    QVERIFY(r.out.contains("operator:alice  purchase.approve"));
    QVERIFY(r.out.contains("purchase.reject"));
    QVERIFY(r.out.contains("over the account's credit limit"));
    QVERIFY(r.out.contains("purchase.delegation"));
}

void TestCtlMarket::auctionThroughTheCli()
{
    Run r = ctl({QStringLiteral("offer"), QStringLiteral("post"), QStringLiteral("--rate"),
                 QStringLiteral("50"), QStringLiteral("--from"), QStringLiteral("+2h"),
                 QStringLiteral("--hours"), QStringLiteral("1"), QStringLiteral("--pricing"),
                 QStringLiteral("auction"), QStringLiteral("--reserve"), QStringLiteral("5"),
                 QStringLiteral("--closes"), QStringLiteral("+1h"), QStringLiteral("--override"),
                 QStringLiteral("test"), QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QString offer = QString::number(r.json().value(QStringLiteral("id")).toInt());
    r = ctl({QStringLiteral("bid"), QStringLiteral("place"), offer, QStringLiteral("--purchaser"),
             QStringLiteral("1"), QStringLiteral("--rate"), QStringLiteral("30"),
             QStringLiteral("--price"), QStringLiteral("7.50")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.contains("sealed"));
    r = ctl({QStringLiteral("offer"), QStringLiteral("preview"), offer, QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("units_sold")).toInt(), 30);
    QCOMPARE(r.json().value(QStringLiteral("clearing_price_minor")).toInt(), 500); // the reserve
    r = ctl({QStringLiteral("offer"), QStringLiteral("close"), offer});
    QCOMPARE(r.code, 2); // not due
    r = ctl({QStringLiteral("offer"), QStringLiteral("close"), offer, QStringLiteral("--early")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("30 req/s at 5.00 EUR"), r.out.constData());
    r = ctl({QStringLiteral("offer"), QStringLiteral("withdraw"), offer});
    QCOMPARE(r.code, 2); // sold
}

void TestCtlMarket::hostileInputIsRefused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("message");
    const QStringList post{QStringLiteral("offer"), QStringLiteral("post"),
                           QStringLiteral("--override"), QStringLiteral("t")};
    QTest::newRow("rate not a number")
        << (post + QStringList{"--rate", "1e9", "--hours", "1", "--price", "1"})
        << QByteArray("--rate");
    QTest::newRow("price with three decimals")
        << (post + QStringList{"--rate", "10", "--hours", "1", "--price", "1.005"})
        << QByteArray("--price");
    QTest::newRow("pool injection")
        << (post + QStringList{"--rate", "10", "--hours", "1", "--price", "1", "--pool",
                               "x'); DROP TABLE offers; --"})
        << QByteArray("pool");
    QTest::newRow("auction without close")
        << (post + QStringList{"--rate", "10", "--hours", "1", "--pricing", "auction"})
        << QByteArray("closing time");
    QTest::newRow("bid on a missing offer")
        << QStringList{"bid", "place", "999", "--purchaser", "1", "--rate", "1", "--price", "1"}
        << QByteArray("no offer 999");
    QTest::newRow("bid for a missing purchaser")
        << QStringList{"bid", "place", "1", "--purchaser", "77", "--rate", "1", "--price", "1"}
        << QByteArray("no purchaser 77");
    QTest::newRow("approve nothing")
        << QStringList{"purchase", "approve", "abc"} << QByteArray("name one purchase");
}

void TestCtlMarket::hostileInputIsRefused()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, message);
    const Run before =
        ctl({QStringLiteral("purchase"), QStringLiteral("audit"), QStringLiteral("--json")});
    const Run r = ctl(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(message), r.err.constData());
    const Run after =
        ctl({QStringLiteral("purchase"), QStringLiteral("audit"), QStringLiteral("--json")});
    QCOMPARE(after.out, before.out); // nothing happened
}

void TestCtlMarket::importedHistoryLetsTheForecastVouch()
{
    // Four weeks of history every 10 minutes: each proxy 1,000 req/s capacity, 200 base load, so
    // the pool has 3 x (0.8 x 1,000 - 200) = 1,800 req/s of headroom at every hour.
    QTemporaryDir dir;
    QFile csv(dir.filePath(QStringLiteral("history.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("time,proxy,pool,capacity_rps,total_rps,purchaser_rps\n");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (qint64 t = now - 28 * 86400; t < now - 3600; t += 600) {
        for (const ProxyEndpoint &p : m_sandbox.layout().proxies)
            csv.write(QStringLiteral("%1,%2,%3,1000,200,0\n")
                          .arg(t)
                          .arg(p.name, m_sandbox.layout().pool)
                          .toUtf8());
    }
    csv.close();
    Run r = ctl({QStringLiteral("fleet"), QStringLiteral("import-history"), csv.fileName()});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("imported"), r.out.constData());

    const QStringList post{QStringLiteral("offer"),   QStringLiteral("post"),
                           QStringLiteral("--from"),  QStringLiteral("+1d"),
                           QStringLiteral("--hours"), QStringLiteral("2"),
                           QStringLiteral("--price"), QStringLiteral("3"),
                           QStringLiteral("--json"),  QStringLiteral("--rate")};
    // Within the forecast: no override needed, none stored.
    r = ctl(post + QStringList{QStringLiteral("500")});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.json().value(QStringLiteral("override_reason")).toString(), QString());
    // Beyond it (1,800 less what is already claimed): refused without a reason.
    r = ctl(post + QStringList{QStringLiteral("1500")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("above the forecast headroom"), r.err.constData());

    // A hostile file imports nothing.
    QFile bad(dir.filePath(QStringLiteral("bad.csv")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("time,proxy,pool,capacity_rps,total_rps,purchaser_rps\n1785542400,p,e,nan,1,0\n");
    bad.close();
    r = ctl({QStringLiteral("fleet"), QStringLiteral("import-history"), bad.fileName()});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("line 2") && r.err.contains("nothing imported"), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCtlMarket)
#include "tst_ctl_market.moc"
