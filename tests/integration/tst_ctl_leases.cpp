// The site, lease and purchaser verbs of headroomctl as a user runs them, on a database of their
// own (--db): what they accept, what they refuse with exit 2 and a sentence, and that a refusal
// stores nothing.
#include "sandboxfixture.h"

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
};

} // namespace

class TestCtlLeases : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void siteAndLeaseLifecycleThroughTheCli();
    void hostileInputIsRefused_data();
    void hostileInputIsRefused();
    void purchaserTokenAndCardRefusal();

private:
    Run ctl(const QStringList &args);
    QTemporaryDir m_dir;
};

Run TestCtlLeases::ctl(const QStringList &args)
{
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
            args + QStringList{QStringLiteral("--db"), m_dir.filePath(QStringLiteral("h.db"))});
    p.waitForFinished(30000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

void TestCtlLeases::siteAndLeaseLifecycleThroughTheCli()
{
    Run r = ctl({QStringLiteral("site"), QStringLiteral("add"), QStringLiteral("shop.example"),
                 QStringLiteral("--origin"), QStringLiteral("127.0.2.1:8080=3"),
                 QStringLiteral("--origin"), QStringLiteral("127.0.2.2:8080,backup"),
                 QStringLiteral("--assignment"), QStringLiteral("primary-backup")});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("site"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonObject site = QJsonDocument::fromJson(r.out)
                                 .object()
                                 .value(QStringLiteral("sites"))
                                 .toArray()
                                 .first()
                                 .toObject();
    QCOMPARE(site.value(QStringLiteral("label")).toString(), QStringLiteral("shop"));
    QCOMPARE(site.value(QStringLiteral("hosts")).toArray().size(), 2);
    QVERIFY(site.value(QStringLiteral("origins"))
                .toArray()
                .at(1)
                .toObject()
                .value(QStringLiteral("backup"))
                .toBool());

    r = ctl({QStringLiteral("lease"), QStringLiteral("add"), QStringLiteral("--site"),
             QStringLiteral("shop.example"), QStringLiteral("--rate"), QStringLiteral("100"),
             QStringLiteral("--from"), QStringLiteral("+1h"), QStringLiteral("--to"),
             QStringLiteral("+5h"), QStringLiteral("--daily"), QStringLiteral("3"),
             QStringLiteral("--kind"), QStringLiteral("firm"), QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject added = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(added.value(QStringLiteral("overflow")).toString(), QStringLiteral("primary-backup"));
    QCOMPARE(added.value(QStringLiteral("daily_days")).toInt(), 3);
    const int id = added.value(QStringLiteral("id")).toInt();

    r = ctl({QStringLiteral("lease"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonObject listed = QJsonDocument::fromJson(r.out)
                                   .object()
                                   .value(QStringLiteral("leases"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(listed.value(QStringLiteral("state")).toString(), QStringLiteral("scheduled"));
    QVERIFY(listed.value(QStringLiteral("countdown"))
                .toString()
                .startsWith(QStringLiteral("starts in")));

    r = ctl({QStringLiteral("lease"), QStringLiteral("show"), QString::number(id)});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("daily for 3 days"));
    QVERIFY2(r.out.contains("created by operator:"), r.out.constData()); // the audit log's actor

    r = ctl({QStringLiteral("lease"), QStringLiteral("cancel"), QString::number(id)});
    QCOMPARE(r.code, 0);
    r = ctl({QStringLiteral("lease"), QStringLiteral("cancel"), QString::number(id)});
    QCOMPARE(r.code, 1); // already
    r = ctl({QStringLiteral("lease"), QStringLiteral("list"), QStringLiteral("--all"),
             QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(r.out)
                 .object()
                 .value(QStringLiteral("leases"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("state"))
                 .toString(),
             QStringLiteral("cancelled"));
    r = ctl({QStringLiteral("lease"), QStringLiteral("list")});
    QVERIFY(r.out.contains("no leases"));
}

void TestCtlLeases::hostileInputIsRefused_data()
{
    QTest::addColumn<QStringList>("args");
    const QString s = QStringLiteral("site");
    const QString a = QStringLiteral("add");
    const QString l = QStringLiteral("lease");
    QTest::newRow("lua in site name") << QStringList{s,
                                                     a,
                                                     QStringLiteral("x')os.exit()--.example"),
                                                     QStringLiteral("--origin"),
                                                     QStringLiteral("127.0.0.1:80"),
                                                     QStringLiteral("--origin-name"),
                                                     QStringLiteral("o.example")};
    QTest::newRow("newline in host") << QStringList{s,
                                                    a,
                                                    QStringLiteral("b.example"),
                                                    QStringLiteral("--host"),
                                                    QStringLiteral("b.example\nbackend x"),
                                                    QStringLiteral("--origin"),
                                                    QStringLiteral("127.0.0.1:80"),
                                                    QStringLiteral("--origin-name"),
                                                    QStringLiteral("o.example")};
    QTest::newRow("origin without port") << QStringList{s,
                                                        a,
                                                        QStringLiteral("c.example"),
                                                        QStringLiteral("--origin"),
                                                        QStringLiteral("127.0.0.1"),
                                                        QStringLiteral("--origin-name"),
                                                        QStringLiteral("o.example")};
    QTest::newRow("no overflow target")
        << QStringList{s, a, QStringLiteral("d.example"), QStringLiteral("--origin"),
                       QStringLiteral("127.0.0.1:80")};
    QTest::newRow("unknown site") << QStringList{l,
                                                 a,
                                                 QStringLiteral("--site"),
                                                 QStringLiteral("nope.example"),
                                                 QStringLiteral("--rate"),
                                                 QStringLiteral("10"),
                                                 QStringLiteral("--from"),
                                                 QStringLiteral("+1h"),
                                                 QStringLiteral("--to"),
                                                 QStringLiteral("+2h"),
                                                 QStringLiteral("--kind"),
                                                 QStringLiteral("firm")};
    QTest::newRow("bad kind") << QStringList{l,
                                             a,
                                             QStringLiteral("--site"),
                                             QStringLiteral("nope.example"),
                                             QStringLiteral("--rate"),
                                             QStringLiteral("10"),
                                             QStringLiteral("--from"),
                                             QStringLiteral("+1h"),
                                             QStringLiteral("--to"),
                                             QStringLiteral("+2h"),
                                             QStringLiteral("--kind"),
                                             QStringLiteral("cheap")};
    QTest::newRow("negative rate") << QStringList{l,
                                                  a,
                                                  QStringLiteral("--site"),
                                                  QStringLiteral("nope.example"),
                                                  QStringLiteral("--rate"),
                                                  QStringLiteral("-5"),
                                                  QStringLiteral("--from"),
                                                  QStringLiteral("+1h"),
                                                  QStringLiteral("--to"),
                                                  QStringLiteral("+2h"),
                                                  QStringLiteral("--kind"),
                                                  QStringLiteral("firm")};
    QTest::newRow("ends before it starts") << QStringList{l,
                                                          a,
                                                          QStringLiteral("--site"),
                                                          QStringLiteral("nope.example"),
                                                          QStringLiteral("--rate"),
                                                          QStringLiteral("5"),
                                                          QStringLiteral("--from"),
                                                          QStringLiteral("+2h"),
                                                          QStringLiteral("--to"),
                                                          QStringLiteral("+1h"),
                                                          QStringLiteral("--kind"),
                                                          QStringLiteral("firm")};
    QTest::newRow("not a time") << QStringList{l,
                                               a,
                                               QStringLiteral("--site"),
                                               QStringLiteral("nope.example"),
                                               QStringLiteral("--rate"),
                                               QStringLiteral("5"),
                                               QStringLiteral("--from"),
                                               QStringLiteral("tomorrow'; DROP TABLE leases"),
                                               QStringLiteral("--to"),
                                               QStringLiteral("+1h"),
                                               QStringLiteral("--kind"),
                                               QStringLiteral("firm")};
}

void TestCtlLeases::hostileInputIsRefused()
{
    QFETCH(QStringList, args);
    const Run r = ctl(args);
    QCOMPARE(r.code, 2);
    QVERIFY(!r.err.isEmpty());
    const Run sites =
        ctl({QStringLiteral("site"), QStringLiteral("list"), QStringLiteral("--json")});
    for (const auto &v :
         QJsonDocument::fromJson(sites.out).object().value(QStringLiteral("sites")).toArray())
        QCOMPARE(v.toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("shop.example"));
}

void TestCtlLeases::purchaserTokenAndCardRefusal()
{
    Run r = ctl({QStringLiteral("purchaser"), QStringLiteral("add"), QStringLiteral("Card Co"),
                 QStringLiteral("--payment-token"), QStringLiteral("4111 1111 1111 1111")});
    QCOMPARE(r.code, 2);
    QVERIFY(!r.err.contains("4111"));
    r = ctl({QStringLiteral("purchaser"), QStringLiteral("add"), QStringLiteral("Shop Ltd"),
             QStringLiteral("--card-last4"), QStringLiteral("4242"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const int id = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("id")).toInt();
    r = ctl({QStringLiteral("purchaser"), QStringLiteral("token"), QString::number(id),
             QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QByteArray token = QJsonDocument::fromJson(r.out)
                                 .object()
                                 .value(QStringLiteral("token"))
                                 .toString()
                                 .toLatin1();
    QVERIFY(token.startsWith("hr_"));
    QByteArray bytes; // the database and its write-ahead log, whatever was not checkpointed
    for (const QString &name : {QStringLiteral("h.db"), QStringLiteral("h.db-wal")}) {
        QFile file(m_dir.filePath(name));
        if (file.open(QIODevice::ReadOnly))
            bytes += file.readAll();
    }
    QVERIFY(bytes.contains("Shop Ltd")); // the check reads where the data is
    QVERIFY(!bytes.contains(token));
    QVERIFY(!bytes.contains("4111"));
}

QTEST_GUILESS_MAIN(TestCtlLeases)
#include "tst_ctl_leases.moc"
