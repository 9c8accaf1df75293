// The URL list of `fleet provision --warm`: a purchaser's file, so hostile input. Bad lines are
// rejected one by one with their line number, the rest is kept; the limits hold.

#include "fleet/cachewarmer.h"

#include <QtTest>

using namespace headroom;

namespace {
QList<DnsName> siteHosts()
{
    return {*DnsName::parse(QStringLiteral("www.shop.example")),
            *DnsName::parse(QStringLiteral("shop.example"))};
}
} // namespace

class TestWarmList final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void goodLines();
    void badLines_data();
    void badLines();
    void badLinesDoNotStopTheRest();
    void duplicatesAndLimits();
    void noHosts();
};

void TestWarmList::goodLines()
{
    const QByteArray text = "# warm these\n"
                            "\n"
                            "/static/app.css\r\n"
                            "  /static/app.js?v=3&x=%20y  \n"
                            "http://www.shop.example/img/a.png\n"
                            "https://SHOP.example./\n"
                            "http://shop.example\n"
                            "HTTP://www.shop.example:80/p?q#frag\n"
                            "/with#fragment\n"
                            "\t# indented comment\n";
    const WarmList l = parseWarmList(text, siteHosts());
    // "http://shop.example" is the same URL as "https://SHOP.example./" (same Host and path).
    QCOMPARE(l.rejected.size(), 1);
    QCOMPARE(l.rejected.first().line, 7);
    QVERIFY(l.rejected.first().reason.contains(QStringLiteral("same URL as line 6")));
    QVERIFY(!l.truncated);
    const QList<WarmUrl> want = {
        {QStringLiteral("www.shop.example"), QStringLiteral("/static/app.css")},
        {QStringLiteral("www.shop.example"), QStringLiteral("/static/app.js?v=3&x=%20y")},
        {QStringLiteral("www.shop.example"), QStringLiteral("/img/a.png")},
        {QStringLiteral("shop.example"), QStringLiteral("/")},
        {QStringLiteral("www.shop.example"), QStringLiteral("/p?q")},
        {QStringLiteral("www.shop.example"), QStringLiteral("/with")},
    };
    QCOMPARE(l.urls, want);
}

void TestWarmList::badLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("reason");
    QTest::newRow("other host") << QByteArray("http://evil.example/x") << "not one of the site's";
    QTest::newRow("suffix host") << QByteArray("http://www.shop.example.evil.example/x")
                                 << "not one of the site's";
    QTest::newRow("ftp") << QByteArray("ftp://www.shop.example/x") << "not http or https";
    QTest::newRow("javascript") << QByteArray("javascript:alert(1)") << "not http or https";
    QTest::newRow("file") << QByteArray("file:///etc/passwd") << "not http or https";
    QTest::newRow("relative") << QByteArray("static/app.css") << "relative path";
    QTest::newRow("user info") << QByteArray("http://user:pw@www.shop.example/x") << "user info";
    QTest::newRow("port") << QByteArray("http://www.shop.example:8080/x") << "port 8080";
    QTest::newRow("space") << QByteArray("/a b") << "space";
    QTest::newRow("tab inside") << QByteArray("/a\tb") << "space";
    QTest::newRow("crlf smuggling") << QByteArray("/a\rHost: evil.example") << "space";
    QTest::newRow("nul") << QByteArray("/a\0b", 4) << "control character";
    QTest::newRow("non-ascii") << QByteArray("/caf\xc3\xa9") << "non-ASCII";
    QTest::newRow("dot dot") << QByteArray("/static/../../etc/passwd") << "dot segment";
    QTest::newRow("encoded dot dot") << QByteArray("/static/%2E%2e/x") << "dot segment";
    QTest::newRow("dot") << QByteArray("/./x") << "dot segment";
    QTest::newRow("bad percent") << QByteArray("/a%zz") << "percent-encoding";
    QTest::newRow("cut percent") << QByteArray("/a%2") << "percent-encoding";
    QTest::newRow("network path") << QByteArray("//evil.example/x") << "'//'";
    QTest::newRow("too long") << QByteArray("/" + QByteArray(3000, 'a')) << "longer than 2048";
}

void TestWarmList::badLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, reason);
    const WarmList l = parseWarmList("/ok\n" + line + "\n/also-ok\n", siteHosts());
    QCOMPARE(l.urls.size(), 2);
    QCOMPARE(l.rejected.size(), 1);
    QCOMPARE(l.rejected.first().line, 2);
    QVERIFY2(l.rejected.first().reason.contains(reason), qPrintable(l.rejected.first().reason));
    // A reason never echoes a whole hostile line.
    QVERIFY(l.rejected.first().reason.size() < 200);
}

void TestWarmList::badLinesDoNotStopTheRest()
{
    QByteArray text;
    for (int i = 0; i < 50; ++i)
        text += (i % 2 ? "/page/" + QByteArray::number(i)
                       : "http://evil.example/" + QByteArray::number(i)) +
                "\n";
    const WarmList l = parseWarmList(text, siteHosts());
    QCOMPARE(l.urls.size(), 25);
    QCOMPARE(l.rejected.size(), 25);
    for (int i = 0; i < 25; ++i)
        QCOMPARE(l.rejected[i].line, 2 * i + 1);
    QCOMPARE(l.urls.first().path, QStringLiteral("/page/1"));
}

void TestWarmList::duplicatesAndLimits()
{
    const WarmList dup = parseWarmList("/a\n/b\n/a\n", siteHosts());
    QCOMPARE(dup.urls.size(), 2);
    QCOMPARE(dup.rejected.size(), 1);
    QCOMPARE(dup.rejected.first().line, 3);
    QVERIFY(dup.rejected.first().reason.contains(QStringLiteral("line 1")));

    WarmListLimits limits;
    limits.maxUrls = 10;
    QByteArray many;
    for (int i = 0; i < 100; ++i)
        many += "/p" + QByteArray::number(i) + "\n";
    const WarmList capped = parseWarmList(many, siteHosts(), limits);
    QCOMPARE(capped.urls.size(), 10);
    QVERIFY(capped.truncated);
    QCOMPARE(capped.rejected.size(), 1); // one note for the rest, not 90
    QCOMPARE(capped.rejected.first().line, 11);

    limits = {};
    limits.maxBytes = 1000;
    QByteArray more;
    for (int i = 0; i < 300; ++i)
        more += "/p" + QByteArray::number(i) + "\n";
    const WarmList cut = parseWarmList(more + QByteArray(5000, 'x'), siteHosts(), limits);
    QVERIFY(cut.truncated);
    QVERIFY(cut.rejected.isEmpty()); // a line cut by the byte limit is dropped, not rejected
    QVERIFY(cut.urls.size() > 50 && cut.urls.size() < 300);
    QCOMPARE(cut.urls.last().path, QStringLiteral("/p%1").arg(cut.urls.size() - 1));

    const WarmList binary = parseWarmList(QByteArray(4096, '\xff'), siteHosts());
    QVERIFY(binary.urls.isEmpty());
    QCOMPARE(binary.rejected.size(), 1);
}

void TestWarmList::noHosts()
{
    const WarmList l = parseWarmList("/a\n", {});
    QVERIFY(l.urls.isEmpty());
    QCOMPARE(l.rejected.size(), 1);
}

QTEST_GUILESS_MAIN(TestWarmList)
#include "tst_warmlist.moc"
