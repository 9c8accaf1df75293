// headroomctl fleet status / forecast against the sandbox's real proxies under known load.

#include "sandboxfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QtTest>

using namespace headroom;

class TestCtlFleet final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void statusReportsLoadAgainstCapacity();
    void forecastSaysWhenHistoryIsMissing();
    void provisionThenDeprovisionThroughTheCli();

private:
    QStringList where() const
    {
        return {QStringLiteral("--port-base"), QString::number(m_fixture.layout().portBase),
                QStringLiteral("--state-dir"), m_fixture.layout().stateDir};
    }
    QString ctl() const { return test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"); }
    test::SandboxFixture m_fixture;
};

void TestCtlFleet::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

void TestCtlFleet::statusReportsLoadAgainstCapacity()
{
    // A known load from a second process, measured by a third.
    QProcess load;
    load.start(ctl(), QStringList{QStringLiteral("traffic"), QStringLiteral("--rate"),
                                  QStringLiteral("150"), QStringLiteral("--duration"),
                                  QStringLiteral("8")} +
                          where());
    QVERIFY(load.waitForStarted());
    QTest::qWait(2000);
    QProcess status;
    status.start(ctl(), QStringList{QStringLiteral("fleet"), QStringLiteral("status"),
                                    QStringLiteral("--json")} +
                            where());
    QVERIFY(status.waitForFinished(20000));
    QCOMPARE(status.exitCode(), 0);
    const QJsonObject o = QJsonDocument::fromJson(status.readAllStandardOutput()).object();
    const QJsonArray proxies = o.value(QStringLiteral("proxies")).toArray();
    QCOMPARE(proxies.size(), 3);
    double total = 0;
    for (const auto &v : proxies) {
        const QJsonObject p = v.toObject();
        QCOMPARE(p.value(QStringLiteral("state")).toString(), QStringLiteral("up"));
        QCOMPARE(p.value(QStringLiteral("capacity_rps")).toDouble(), 400.0);
        const double rate = p.value(QStringLiteral("request_rate")).toDouble();
        total += rate;
        QVERIFY(qAbs(p.value(QStringLiteral("headroom_rps")).toDouble() - (320 - rate)) < 1e-6);
        QVERIFY(
            p.value(QStringLiteral("sites")).toObject().contains(QStringLiteral("news.example")));
    }
    // One-second windows of a 150 req/s load: within 15 % (the scraper's own accuracy is tested
    // over longer windows in tst_fleetscraper).
    QVERIFY2(total > 127 && total < 173, qPrintable(QString::number(total)));
    QVERIFY(load.waitForFinished(20000));
    QCOMPARE(load.exitCode(), 0);
}

void TestCtlFleet::forecastSaysWhenHistoryIsMissing()
{
    QProcess p;
    p.start(ctl(), QStringList{QStringLiteral("fleet"), QStringLiteral("forecast"),
                               QStringLiteral("--json")} +
                       where());
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonArray pools = QJsonDocument::fromJson(p.readAllStandardOutput())
                                 .object()
                                 .value(QStringLiteral("pools"))
                                 .toArray();
    QCOMPARE(pools.size(), 1);
    const QJsonObject pool = pools.first().toObject();
    QCOMPARE(pool.value(QStringLiteral("pool")).toString(), QStringLiteral("sandbox"));
    QVERIFY(pool.value(QStringLiteral("offers")).toArray().isEmpty());
    QVERIFY(!pool.value(QStringLiteral("notes")).toArray().isEmpty());
}

void TestCtlFleet::provisionThenDeprovisionThroughTheCli()
{
    const auto &l = m_fixture.layout();
    const auto get = [&](const QHostAddress &proxy) {
        QTcpSocket s;
        s.connectToHost(proxy, l.proxies.first().httpPort);
        if (!s.waitForConnected(2000))
            return QByteArray();
        s.write("GET / HTTP/1.0\r\nHost: www.shop.example\r\n\r\n");
        QByteArray all;
        while (s.waitForReadyRead(2000))
            all += s.readAll();
        return all;
    };
    QVERIFY(get(l.proxies.first().address).startsWith("HTTP/1.1 421"));
    const QString origin1 =
        QStringLiteral("%1:%2").arg(l.origins[0].address.toString()).arg(l.origins[0].httpPort);
    const QString origin2 =
        QStringLiteral("%1:%2").arg(l.origins[1].address.toString()).arg(l.origins[1].httpPort);
    QProcess p;
    p.start(ctl(), QStringList{QStringLiteral("fleet"), QStringLiteral("provision"),
                               QStringLiteral("shop"), QStringLiteral("--host"),
                               QStringLiteral("www.shop.example"), QStringLiteral("--origin"),
                               origin1, QStringLiteral("--origin"), origin2 + QStringLiteral("=2"),
                               QStringLiteral("--json")} +
                       where());
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QVERIFY(o.value(QStringLiteral("ok")).toBool());
    QCOMPARE(o.value(QStringLiteral("proxies")).toArray().size(), 3);
    for (const auto &proxy : l.proxies)
        QVERIFY(get(proxy.address).startsWith("HTTP/1.1 200"));

    QProcess bad;
    bad.start(ctl(),
              QStringList{QStringLiteral("fleet"), QStringLiteral("provision"), QStringLiteral("x"),
                          QStringLiteral("--origin"), QStringLiteral("127.0.2.1:80;del")} +
                  where());
    QVERIFY(bad.waitForFinished(20000));
    QCOMPARE(bad.exitCode(), 2);

    QProcess remove;
    remove.start(ctl(), QStringList{QStringLiteral("fleet"), QStringLiteral("deprovision"),
                                    QStringLiteral("shop"), QStringLiteral("--host"),
                                    QStringLiteral("www.shop.example")} +
                            where());
    QVERIFY(remove.waitForFinished(60000));
    QCOMPARE(remove.exitCode(), 0);
    for (const auto &proxy : l.proxies)
        QVERIFY(get(proxy.address).startsWith("HTTP/1.1 421"));
}

QTEST_GUILESS_MAIN(TestCtlFleet)
#include "tst_ctl_fleet.moc"
