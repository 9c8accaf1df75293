// Cache warming on the sandbox (issue 4: "add a purchaser site to every proxy ... optionally warm
// the cache from a URL list"): `headroomctl fleet provision ... --warm FILE` provisions the site,
// then every proxy fetches every accepted URL; bad lines of the list are reported one by one and
// the rest is warmed; a second request is answered from the proxy's cache for what the origins
// allow to be cached (X-Cache-Status), and a proxy that cannot be reached fails with its reason.

#include "fleet/cachewarmer.h"
#include "sandboxfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace headroom;

namespace {
// An HTTP/1.1 GET (HAProxy 2.6 answers HTTP/1.0 requests from its cache never): status line and
// headers, lower-case.
QByteArray headersOf(const QHostAddress &address, quint16 port, const QByteArray &host,
                     const QByteArray &path)
{
    QTcpSocket s;
    s.connectToHost(address, port);
    if (!s.waitForConnected(2000))
        return {};
    s.write("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    QByteArray all;
    while (s.waitForReadyRead(2000))
        all += s.readAll();
    all += s.readAll();
    return all.left(all.indexOf("\r\n\r\n")).toLower();
}
} // namespace

class TestCacheWarm final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void provisionWarmsEveryProxyAndSkipsBadLines();
    void aCleanListWarmsCompletely();
    void anUnreachableProxyFailsWithItsReason();
    void cleanupTestCase();

private:
    QStringList where() const
    {
        return {QStringLiteral("--port-base"), QString::number(m_fixture.layout().portBase),
                QStringLiteral("--state-dir"), m_fixture.layout().stateDir};
    }
    // Runs `fleet provision shop ... --warm FILE --json`; the exit code and the JSON answer.
    QJsonObject provision(const QByteArray &list, int *exitCode, QByteArray *stderrText);

    test::SandboxFixture m_fixture;
};

void TestCacheWarm::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
}

QJsonObject TestCacheWarm::provision(const QByteArray &list, int *exitCode, QByteArray *stderrText)
{
    const auto &l = m_fixture.layout();
    const QString file = m_fixture.stateRoot() + QStringLiteral("/warm.txt");
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(list) != list.size())
        return {};
    f.close();
    QStringList args = {QStringLiteral("fleet"), QStringLiteral("provision"),
                        QStringLiteral("shop"), QStringLiteral("--host"),
                        QStringLiteral("www.shop.example")};
    for (int i = 0; i < 2; ++i)
        args << QStringLiteral("--origin")
             << QStringLiteral("%1:%2")
                    .arg(l.origins[i].address.toString())
                    .arg(l.origins[i].httpPort);
    args << QStringLiteral("--warm") << file << QStringLiteral("--json") << where();
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"), args);
    if (!p.waitForFinished(90000))
        return {};
    *exitCode = p.exitCode();
    *stderrText = p.readAllStandardError();
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

void TestCacheWarm::provisionWarmsEveryProxyAndSkipsBadLines()
{
    const auto &l = m_fixture.layout();
    const QByteArray list = "# shop's static files\n"                     // 1
                            "/static/app.css\n"                           // 2
                            "http://www.shop.example/static/app.js?v=3\n" // 3
                            "/\n"                                         // 4: not cacheable
                            "http://evil.example/static/x.css\n"          // 5: another host
                            "/static/../../etc/passwd\n"                  // 6: dot segments
                            "/static/app.css\n"                           // 7: duplicate
                            "ftp://www.shop.example/x\n"                  // 8: scheme
                            "/static/a b\n";                              // 9: space
    int code = -1;
    QByteArray errors;
    const QJsonObject o = provision(list, &code, &errors);
    qInfo("stderr:\n%s", errors.constData());
    QVERIFY2(o.value(QStringLiteral("ok")).toBool(), QJsonDocument(o).toJson().constData());
    QCOMPARE(code, 1); // provisioned and warmed, but not every line of the list
    for (int line : {5, 6, 7, 8, 9})
        QVERIFY2(errors.contains(" line " + QByteArray::number(line) + " skipped: "),
                 errors.constData());

    const QJsonObject warm = o.value(QStringLiteral("warm")).toObject();
    QVERIFY(warm.value(QStringLiteral("ran")).toBool());
    QCOMPARE(warm.value(QStringLiteral("urls")).toInt(), 3);
    QVERIFY(!warm.value(QStringLiteral("complete")).toBool());
    QList<int> rejectedLines;
    for (const auto &v : warm.value(QStringLiteral("rejected")).toArray())
        rejectedLines.append(v.toObject().value(QStringLiteral("line")).toInt());
    QCOMPARE(rejectedLines, (QList<int>{5, 6, 7, 8, 9}));

    const QJsonArray proxies = warm.value(QStringLiteral("proxies")).toArray();
    QCOMPARE(proxies.size(), l.proxies.size());
    for (const auto &v : proxies) {
        const QJsonObject p = v.toObject();
        const QString name = p.value(QStringLiteral("proxy")).toString();
        QCOMPARE(p.value(QStringLiteral("warmed")).toInt(), 3);
        QCOMPARE(p.value(QStringLiteral("failed")).toInt(), 0);
        QCOMPARE(p.value(QStringLiteral("cached")).toInt(), 2);
        QCOMPARE(p.value(QStringLiteral("not_cached")).toInt(), 1);
        const QJsonArray fetches = p.value(QStringLiteral("fetches")).toArray();
        QCOMPARE(fetches.size(), 3);
        for (const auto &fv : fetches) {
            const QJsonObject f = fv.toObject();
            const QString path = f.value(QStringLiteral("path")).toString();
            QCOMPARE(f.value(QStringLiteral("host")).toString(),
                     QStringLiteral("www.shop.example"));
            QCOMPARE(f.value(QStringLiteral("status")).toInt(), 200);
            const bool cacheable = path.startsWith(QStringLiteral("/static/"));
            // First request: fetched from an origin; second: from the cache when allowed.
            QCOMPARE(f.value(QStringLiteral("first_cache")).toString(), QStringLiteral("MISS"));
            QCOMPARE(f.value(QStringLiteral("second_cache")).toString(),
                     cacheable ? QStringLiteral("HIT") : QStringLiteral("MISS"));
            qInfo("%s %s: HTTP %d, %s then %s", qPrintable(name), qPrintable(path),
                  f.value(QStringLiteral("status")).toInt(),
                  qPrintable(f.value(QStringLiteral("first_cache")).toString()),
                  qPrintable(f.value(QStringLiteral("second_cache")).toString()));
        }
    }

    // Seen from outside: a client's first request for a warmed URL is a cache hit on every proxy.
    for (const auto &p : l.proxies) {
        for (const QByteArray &path :
             {QByteArray("/static/app.css"), QByteArray("/static/app.js?v=3")}) {
            const QByteArray h = headersOf(p.address, p.httpPort, "www.shop.example", path);
            QVERIFY2(h.startsWith("http/1.1 200"), h.constData());
            QVERIFY2(h.contains("\r\nx-cache-status: hit"), h.constData());
            QVERIFY(h.contains("\r\nx-origin: shop-origin"));
        }
        const QByteArray page = headersOf(p.address, p.httpPort, "www.shop.example", "/");
        QVERIFY2(page.startsWith("http/1.1 200"), page.constData());
        QVERIFY(page.contains("\r\nx-cache-status: miss"));
    }
}

void TestCacheWarm::aCleanListWarmsCompletely()
{
    int code = -1;
    QByteArray errors;
    const QJsonObject o =
        provision("/static/app.css\n/static/new.css\n", &code, &errors); // provisioned already
    QVERIFY2(code == 0, errors.constData());
    const QJsonObject warm = o.value(QStringLiteral("warm")).toObject();
    QVERIFY(warm.value(QStringLiteral("complete")).toBool());
    QVERIFY(warm.value(QStringLiteral("rejected")).toArray().isEmpty());
    for (const auto &v : warm.value(QStringLiteral("proxies")).toArray()) {
        const QJsonObject p = v.toObject();
        QCOMPARE(p.value(QStringLiteral("warmed")).toInt(), 2);
        QCOMPARE(p.value(QStringLiteral("cached")).toInt(), 2);
        for (const auto &fv : p.value(QStringLiteral("fetches")).toArray()) {
            const QJsonObject f = fv.toObject();
            // Warmed a moment ago (max-age 60): already in the cache; the new one is not yet.
            const bool old =
                f.value(QStringLiteral("path")).toString() == QLatin1String("/static/app.css");
            QCOMPARE(f.value(QStringLiteral("first_cache")).toString(),
                     old ? QStringLiteral("HIT") : QStringLiteral("MISS"));
        }
    }
}

void TestCacheWarm::anUnreachableProxyFailsWithItsReason()
{
    const auto &l = m_fixture.layout();
    QTcpServer closed; // a port that was just free: nothing listens on it once closed
    QVERIFY(closed.listen(QHostAddress(QStringLiteral("127.0.0.1"))));
    const quint16 port = closed.serverPort();
    closed.close();
    QList<WarmTarget> targets;
    for (const auto &p : l.proxies)
        targets.append({p.name, p.address, p.httpPort});
    targets.append({QStringLiteral("gone"), QHostAddress(QStringLiteral("127.0.0.1")), port});
    CacheWarmer::Options options;
    options.concurrency = 2;
    options.timeoutMs = 2000;
    CacheWarmer warmer(options);
    QSignalSpy finished(&warmer, &CacheWarmer::finished);
    const QList<WarmUrl> urls = {
        {QStringLiteral("www.shop.example"), QStringLiteral("/static/app.css")},
        {QStringLiteral("www.shop.example"), QStringLiteral("/static/other.css")},
        {QStringLiteral("unknown.example"), QStringLiteral("/static/app.css")}};
    QString error;
    QVERIFY2(warmer.start(urls, targets, &error), qPrintable(error));
    QVERIFY(!warmer.start(urls, targets, &error)); // one run at a time
    QVERIFY(finished.wait(20000));
    const WarmReport report = finished.first().first().value<WarmReport>();
    qInfo("%s", qPrintable(report.toText()));
    QVERIFY(!report.complete());
    QCOMPARE(report.proxies.size(), 4);
    for (const WarmProxyReport &p : report.proxies) {
        QCOMPARE(p.fetches.size(), 3);
        if (p.proxy == QLatin1String("gone")) {
            QCOMPARE(p.failed, 3);
            QVERIFY2(
                p.fetches.first().error.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
                qPrintable(p.fetches.first().error));
            continue;
        }
        QCOMPARE(p.warmed, 2);
        QCOMPARE(p.cached, 2);
        QCOMPARE(p.failed, 1); // a host the proxies do not serve
        QCOMPARE(p.fetches.last().error, QStringLiteral("HTTP 421"));
    }
}

void TestCacheWarm::cleanupTestCase()
{
    m_fixture.down();
}

QTEST_GUILESS_MAIN(TestCacheWarm)
#include "tst_cache_warm.moc"
