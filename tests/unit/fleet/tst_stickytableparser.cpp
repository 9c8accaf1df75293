// `show table per_site` answers of HAProxy 2.6, real and hostile.

#include "fleet/stickytableparser.h"

#include <QtTest>

using namespace headroom;

namespace {
const QByteArray kHeader = "# table: per_site, type: string, size:102400, used:2\n";
QByteArray entry(const QByteArray &key, const QByteArray &req = "3",
                 const QByteArray &bytes = "303")
{
    return "0x55727bba7788: key=" + key + " use=0 exp=86397657 http_req_cnt=" + req +
           " http_req_rate(1000)=0 bytes_out_cnt=" + bytes + "\n";
}
} // namespace

class TestStickyTableParser final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void realReply();
    void rejectedKeys_data();
    void rejectedKeys();
    void hostileReplies_data();
    void hostileReplies();
    void hostNames_data();
    void hostNames();
    void generationKeys();
};

void TestStickyTableParser::realReply()
{
    // Captured from HAProxy 2.6.12, including hostile Host headers as HAProxy escapes them.
    const QByteArray reply =
        "# table: per_site, type: string, size:102400, used:6\n"
        "0x55727bbac5d8: key=[ use=0 exp=86399789 http_req_cnt=1 http_req_rate(1000)=1 "
        "bytes_out_cnt=101\n"
        "0x55727bbac068: key=a\\ b\\ http_req_cnt\\=999999 use=0 exp=86399735 http_req_cnt=1 "
        "http_req_rate(1000)=1 bytes_out_cnt=101\n"
        "0x55727bbac238: key=caf\\xC3\\xA9.example use=0 exp=86399751 http_req_cnt=1 "
        "http_req_rate(1000)=1 bytes_out_cnt=101\n"
        "0x55727bba7788: key=news.example use=0 exp=86387643 http_req_cnt=3 "
        "http_req_rate(1000)=0 bytes_out_cnt=303\n"
        "0x55727bbab968: key=shop.example use=0 exp=86387655 http_req_cnt=1 "
        "http_req_rate(1000)=0 bytes_out_cnt=101\n"
        "0x55727bbac408: key=x\"\\\\y use=0 exp=86399770 http_req_cnt=1 http_req_rate(1000)=1 "
        "bytes_out_cnt=101\n"
        "\n";
    QString error;
    const auto t = parseStickyTable(reply, &error);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(t->name, QStringLiteral("per_site"));
    QCOMPARE(t->sites.size(), 2);
    QCOMPARE(t->sites.value(QStringLiteral("news.example")).requests, 3u);
    QCOMPARE(t->sites.value(QStringLiteral("news.example")).bytesOut, 303u);
    QCOMPARE(t->sites.value(QStringLiteral("shop.example")).requests, 1u);
    QCOMPARE(t->rejected.size(), 4);
    QVERIFY(t->rejected.first().startsWith(QStringLiteral("line 2:")));

    const auto empty =
        parseStickyTable("# table: per_site, type: string, size:102400, used:0\n\n", &error);
    QVERIFY2(empty, qPrintable(error));
    QVERIFY(empty->sites.isEmpty());

    for (qsizetype cut = 1; cut < reply.size() - 1; ++cut)
        QVERIFY(!parseStickyTable(reply.left(cut), &error));
}

void TestStickyTableParser::rejectedKeys_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::newRow("upper case") << QByteArray("News.example");
    QTest::newRow("escaped space") << QByteArray("a\\ b");
    QTest::newRow("escaped utf8") << QByteArray("caf\\xC3\\xA9.example");
    QTest::newRow("raw utf8") << QByteArray("caf\xc3\xa9.example");
    QTest::newRow("port") << QByteArray("news.example:80");
    QTest::newRow("underscore") << QByteArray("a_b.example");
    QTest::newRow("empty label") << QByteArray("a..example");
    QTest::newRow("trailing dot") << QByteArray("news.example.");
    QTest::newRow("leading hyphen") << QByteArray("-a.example");
    QTest::newRow("long label") << QByteArray(64, 'a') + ".example";
    QTest::newRow("too long") << (QByteArray(60, 'a') + '.').repeated(5);
    QTest::newRow("empty") << QByteArray("");
    // Generation suffixes (see siteOfKey): digits only, no leading zero, at most 9.
    QTest::newRow("generation zero") << QByteArray("news.example/0");
    QTest::newRow("generation leading zero") << QByteArray("news.example/07");
    QTest::newRow("generation letters") << QByteArray("news.example/2a");
    QTest::newRow("generation empty") << QByteArray("news.example/");
    QTest::newRow("generation too long") << QByteArray("news.example/1234567890");
    QTest::newRow("two generations") << QByteArray("news.example/1/2");
    QTest::newRow("generation only") << QByteArray("/3");
    QTest::newRow("bad host with generation") << QByteArray("News.example/3");
}

void TestStickyTableParser::rejectedKeys()
{
    QFETCH(QByteArray, key);
    QString error;
    const auto t = parseStickyTable(kHeader + entry(key) + entry("ok.example") + "\n", &error);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(t->sites.size(), 1);
    QVERIFY(t->sites.contains(QStringLiteral("ok.example")));
    QCOMPARE(t->rejected.size(), 1);
}

void TestStickyTableParser::hostileReplies_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray() << "empty reply";
    QTest::newRow("no such table") << QByteArray("No such table\n\n") << "line 1: not a table dump";
    QTest::newRow("truncated") << kHeader + entry("a.example") << "line 3: reply truncated";
    QTest::newRow("cut in entry") << kHeader + entry("a.example").left(40)
                                  << "line 2: reply truncated";
    QTest::newRow("not string") << QByteArray("# table: per_site, type: ip, size:10, used:0\n\n")
                                << "line 1: table is not keyed by strings";
    QTest::newRow("bad name") << QByteArray("# table: per site, type: string\n\n")
                              << "line 1: malformed table name";
    QTest::newRow("missing field") << kHeader + "0x1: key=a.example use=0 http_req_cnt=3\n\n"
                                   << "line 2: entry lacks http_req_cnt or bytes_out_cnt";
    QTest::newRow("no address") << kHeader + "key=a.example http_req_cnt=1 bytes_out_cnt=2\n\n"
                                << "line 2: entry does not start";
    QTest::newRow("no key") << kHeader + "0x1: use=0 http_req_cnt=1 bytes_out_cnt=2\n\n"
                            << "line 2: entry without key";
    QTest::newRow("negative") << kHeader + entry("a.example", "-1") + "\n"
                              << "line 2: invalid http_req_cnt";
    QTest::newRow("huge") << kHeader + entry("a.example", "3", "99999999999999999999999") + "\n"
                          << "line 2: invalid bytes_out_cnt";
    QTest::newRow("above 2^53") << kHeader + entry("a.example", "9007199254740993") + "\n"
                                << "line 2: invalid http_req_cnt";
    QTest::newRow("not a number") << kHeader + entry("a.example", "3x") + "\n"
                                  << "line 2: invalid http_req_cnt";
    QTest::newRow("duplicate field")
        << kHeader + "0x1: key=a.example http_req_cnt=1 http_req_cnt=2 bytes_out_cnt=2\n\n"
        << "line 2: duplicate field http_req_cnt";
    QTest::newRow("duplicate key") << kHeader + entry("a.example") + entry("a.example") + "\n"
                                   << "line 3: duplicate key a.example";
    QTest::newRow("blank line inside") << kHeader + "\n" + entry("a.example") + "\n"
                                       << "line 2: empty line inside";
    QTest::newRow("field without =") << kHeader + "0x1: key=a.example junk http_req_cnt=1\n\n"
                                     << "line 2: field without '='";
    QTest::newRow("oversized") << kHeader + QByteArray(20 * 1024 * 1024, 'x') + "\n\n"
                               << "reply larger than";
}

void TestStickyTableParser::hostileReplies()
{
    QFETCH(QByteArray, reply);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!parseStickyTable(reply, &actual));
    QVERIFY2(actual.startsWith(error), qPrintable(actual));
}

void TestStickyTableParser::hostNames_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QByteArray("news.example") << true;
    QTest::newRow("digits and hyphen") << QByteArray("a-1.b2.example") << true;
    QTest::newRow("single label") << QByteArray("localhost") << true;
    QTest::newRow("63") << QByteArray(63, 'a') + ".x" << true;
    QTest::newRow("64") << QByteArray(64, 'a') + ".x" << false;
    QTest::newRow("upper") << QByteArray("A.example") << false;
    QTest::newRow("trailing hyphen") << QByteArray("a-.example") << false;
    QTest::newRow("ipv6") << QByteArray("[::1]") << false;
}

void TestStickyTableParser::hostNames()
{
    QFETCH(QByteArray, host);
    QFETCH(bool, valid);
    QCOMPARE(isValidHostName(host), valid);
}

void TestStickyTableParser::generationKeys()
{
    // A reloaded proxy's table: the entry the old process handed over and the new one's.
    QString error;
    const auto t =
        parseStickyTable(kHeader + entry("news.example/1", "700", "7000") +
                             entry("news.example/2", "42", "420") + entry("shop.example") + "\n",
                         &error);
    QVERIFY2(t, qPrintable(error));
    QCOMPARE(t->sites.size(), 3);
    QVERIFY(t->rejected.isEmpty());
    QCOMPARE(t->sites.value(QStringLiteral("news.example/1")).requests, 700u);
    QCOMPARE(t->sites.value(QStringLiteral("news.example/2")).bytesOut, 420u);
    QCOMPARE(siteOfKey("news.example/1"), QStringLiteral("news.example"));
    QCOMPARE(siteOfKey("news.example/123456789"), QStringLiteral("news.example"));
    QCOMPARE(siteOfKey("shop.example"), QStringLiteral("shop.example"));
    QVERIFY(siteOfKey("news.example/0").isEmpty());
    QVERIFY(siteOfKey("a b/1").isEmpty());
}

QTEST_GUILESS_MAIN(TestStickyTableParser)
#include "tst_stickytableparser.moc"
