#include "dns/zonefile.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

namespace {

DnsName zoneName(const char *text)
{
    const std::optional<DnsName> name = DnsName::parse(QString::fromLatin1(text));
    Q_ASSERT(name);
    return *name;
}

QString typeName(quint16 type)
{
    switch (type) {
    case 15:
        return QStringLiteral("MX");
    case 65402:
        return QStringLiteral("TYPE65402");
    default:
        return recordTypeName(type);
    }
}

// "name ttl TYPE rdata", one string per record: short to write in tables, exact to compare.
QStringList describe(const QList<DnsRecord> &records)
{
    QStringList out;
    for (const DnsRecord &r : records)
        out.append(
            QStringLiteral("%1 %2 %3 %4").arg(r.name).arg(r.ttl).arg(typeName(r.type), r.text));
    return out;
}

// "line: part of the reason"
QStringList describe(const QList<ZoneFileProblem> &problems)
{
    QStringList out;
    for (const ZoneFileProblem &p : problems)
        out.append(QStringLiteral("%1: %2").arg(p.line).arg(p.reason));
    return out;
}

bool isPrintableAscii(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

const char *const kGoodZone = R"zone($TTL 2h
$ORIGIN shop.example.
; the purchaser's zone, as exported
@   IN  SOA ns1 hostmaster (
        2024010101 ; serial
        7200       ; refresh
        3600       ; retry
        1209600    ; expire
        300 )      ; minimum
    IN  NS  ns1
    IN  NS  ns2.provider.example.
    IN  MX  10 mail
ns1         A     192.0.2.1
www   300   A     192.0.2.10
            AAAA  2001:DB8::10
WWW.Shop.Example. IN A 192.0.2.11
api   CNAME www
cdn   IN 1h CNAME edge.cdn.example.
@     TXT   "v=spf1 -all" "; not a comment ( nor a parenthesis"
mail  3600 IN A 192.0.2.25 ; trailing comment

$ORIGIN eu
www  1d  A 192.0.2.30
$TTL 60
blog.eu.shop.example.  AAAA 2001:db8::1
)zone";

const QStringList kGoodRecords = {
    QStringLiteral("shop.example. 7200 SOA ns1.shop.example. hostmaster.shop.example. "
                   "2024010101 7200 3600 1209600 300"),
    QStringLiteral("shop.example. 7200 NS ns1.shop.example."),
    QStringLiteral("shop.example. 7200 NS ns2.provider.example."),
    QStringLiteral("shop.example. 7200 MX 10 mail.shop.example."),
    QStringLiteral("ns1.shop.example. 7200 A 192.0.2.1"),
    QStringLiteral("www.shop.example. 300 A 192.0.2.10"),
    QStringLiteral("www.shop.example. 7200 AAAA 2001:db8::10"),
    QStringLiteral("www.shop.example. 7200 A 192.0.2.11"),
    QStringLiteral("api.shop.example. 7200 CNAME www.shop.example."),
    QStringLiteral("cdn.shop.example. 3600 CNAME edge.cdn.example."),
    QStringLiteral(
        "shop.example. 7200 TXT \"v=spf1 -all\" \"; not a comment ( nor a parenthesis\""),
    QStringLiteral("mail.shop.example. 3600 A 192.0.2.25"),
    QStringLiteral("www.eu.shop.example. 86400 A 192.0.2.30"),
    QStringLiteral("blog.eu.shop.example. 60 AAAA 2001:db8::1"),
};

} // namespace

class TestZoneFile final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goodZone_data();
    void goodZone();
    void badLines_data();
    void badLines();
    void problemTextIsPrintable();
    void problemCap();
    void fatal_data();
    void fatal();
    void recordCap_data();
    void recordCap();
    void readFile();
    void readUnreadableFile();
    void nameMap_data();
    void nameMap();
    void nameMapBadData();
    void garbage_data();
    void garbage();
    void mutations();
};

void TestZoneFile::goodZone_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<quint32>("defaultTtl");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("full zone") << QByteArray(kGoodZone) << 3600u << kGoodRecords;
    QByteArray crlf(kGoodZone);
    crlf.replace("\n", "\r\n");
    QTest::newRow("CRLF line ends") << crlf << 3600u << kGoodRecords;
    QByteArray noFinalNewline(kGoodZone);
    noFinalNewline.chop(1);
    QTest::newRow("no final newline") << noFinalNewline << 3600u << kGoodRecords;
    QTest::newRow("empty") << QByteArray() << 3600u << QStringList();
    QTest::newRow("blank lines and comments")
        << QByteArray("\n\n   \t\n; only a comment\n  ; indented comment\n\r\n") << 3600u
        << QStringList();
    QTest::newRow("default TTL without $TTL")
        << QByteArray("www A 192.0.2.1\n") << 123u
        << QStringList{QStringLiteral("www.shop.example. 123 A 192.0.2.1")};
    QTest::newRow("default TTL of zero is kept")
        << QByteArray("www A 192.0.2.1\n") << 0u
        << QStringList{QStringLiteral("www.shop.example. 0 A 192.0.2.1")};
    QTest::newRow("explicit TTL of zero")
        << QByteArray("www 0 A 192.0.2.1\n") << 3600u
        << QStringList{QStringLiteral("www.shop.example. 0 A 192.0.2.1")};
    QTest::newRow("TTL units") << QByteArray("a 1h30m A 192.0.2.1\nb 2W A 192.0.2.2\n") << 3600u
                               << QStringList{
                                      QStringLiteral("a.shop.example. 5400 A 192.0.2.1"),
                                      QStringLiteral("b.shop.example. 1209600 A 192.0.2.2")};
    QTest::newRow("@ as owner and as target")
        << QByteArray("@ A 192.0.2.1\nwww CNAME @\n") << 3600u
        << QStringList{QStringLiteral("shop.example. 3600 A 192.0.2.1"),
                       QStringLiteral("www.shop.example. 3600 CNAME shop.example.")};
    QTest::newRow("owner omitted repeats the previous one")
        << QByteArray("www A 192.0.2.1\n\tA 192.0.2.2\n; comment between\n  AAAA ::1\n") << 3600u
        << QStringList{QStringLiteral("www.shop.example. 3600 A 192.0.2.1"),
                       QStringLiteral("www.shop.example. 3600 A 192.0.2.2"),
                       QStringLiteral("www.shop.example. 3600 AAAA ::1")};
    QTest::newRow("absolute $ORIGIN")
        << QByteArray("$ORIGIN other.example.\nwww A 192.0.2.1\n") << 3600u
        << QStringList{QStringLiteral("www.other.example. 3600 A 192.0.2.1")};
    QTest::newRow("relative $ORIGIN twice")
        << QByteArray("$ORIGIN b\n$ORIGIN a\nx A 192.0.2.1\n") << 3600u
        << QStringList{QStringLiteral("x.a.b.shop.example. 3600 A 192.0.2.1")};
    QTest::newRow("directives in lower case with comment")
        << QByteArray("$ttl 5 ; five\n$origin x.example. ; there\n@ A 192.0.2.1\n") << 3600u
        << QStringList{QStringLiteral("x.example. 5 A 192.0.2.1")};
    QTest::newRow("parentheses around an A record")
        << QByteArray("www (\n  300\n  A 192.0.2.1 )\nnext A 192.0.2.2\n") << 3600u
        << QStringList{QStringLiteral("www.shop.example. 300 A 192.0.2.1"),
                       QStringLiteral("next.shop.example. 3600 A 192.0.2.2")};
    QTest::newRow("escaped semicolon in TXT")
        << QByteArray("t TXT a\\;b\n") << 3600u
        << QStringList{QStringLiteral("t.shop.example. 3600 TXT \"a;b\"")};
    QTest::newRow("wildcard and underscore owners")
        << QByteArray("* A 192.0.2.1\n_dmarc TXT \"v=DMARC1\"\n") << 3600u
        << QStringList{QStringLiteral("*.shop.example. 3600 A 192.0.2.1"),
                       QStringLiteral("_dmarc.shop.example. 3600 TXT \"v=DMARC1\"")};
    QTest::newRow("RFC 3597 unknown type")
        << QByteArray("lua TYPE65402 \\# 4 01020304\n") << 3600u
        << QStringList{QStringLiteral("lua.shop.example. 3600 TYPE65402 \\# 4 01020304")};
}

void TestZoneFile::goodZone()
{
    QFETCH(QByteArray, text);
    QFETCH(quint32, defaultTtl);
    QFETCH(QStringList, expected);

    const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"), defaultTtl);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(describe(result.problems).join(QLatin1Char('\n')), QString());
    QCOMPARE(describe(result.records), expected);
    for (const DnsRecord &r : result.records) {
        if (r.type == quint16(RecordType::A) || r.type == quint16(RecordType::AAAA))
            QCOMPARE(r.address.toString(), r.text);
        if (r.type == quint16(RecordType::CNAME) || r.type == quint16(RecordType::NS))
            QCOMPARE(r.target, r.text);
    }
}

void TestZoneFile::badLines_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("problems"); // "line: part of the reason"

    const QString ok1 = QStringLiteral("ok.shop.example. 3600 A 192.0.2.1");
    const QString ok2 = QStringLiteral("ok2.shop.example. 3600 A 192.0.2.2");

    QTest::newRow("bad IPv4 address")
        << QByteArray("www A 192.0.2.300\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: rdata")};
    QTest::newRow("bad IPv6 address")
        << QByteArray("ok A 192.0.2.1\nwww AAAA 2001:db8::g\n") << QStringList{ok1}
        << QStringList{QStringLiteral("2: rdata")};
    QTest::newRow("bad lines among good ones, after a multi-line SOA")
        << QByteArray("@ SOA ns1 hostmaster (\n 1\n 2\n 3\n 4\n 5 )\n"
                      "ok A 192.0.2.1\n"
                      "bad A not-an-address\n"
                      "\n"
                      "ok2 A 192.0.2.2\n"
                      "worse MX mail\n")
        << QStringList{QStringLiteral("shop.example. 3600 SOA ns1.shop.example. "
                                      "hostmaster.shop.example. 1 2 3 4 5"),
                       ok1, ok2}
        << QStringList{QStringLiteral("8: rdata"), QStringLiteral("11: ")};
    QTest::newRow("bad multi-line record")
        << QByteArray("ok A 192.0.2.1\nx MX (\n 10\n bad..name )\nok2 A 192.0.2.2\n")
        << QStringList{ok1, ok2} << QStringList{QStringLiteral("2: ")};
    QTest::newRow("$INCLUDE is refused")
        << QByteArray("$INCLUDE /etc/passwd\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: $INCLUDE refused")};
    QTest::newRow("$INCLUDE with origin, lower case")
        << QByteArray("ok A 192.0.2.1\n$include /etc/shadow other.example.\n") << QStringList{ok1}
        << QStringList{QStringLiteral("2: $INCLUDE refused")};
    QTest::newRow("$GENERATE") << QByteArray("$GENERATE 1-100 host$ A 192.0.2.$\nok A 192.0.2.1\n")
                               << QStringList{ok1}
                               << QStringList{QStringLiteral("1: unsupported directive $GENERATE")};
    QTest::newRow("bad $TTL keeps the old one")
        << QByteArray("$TTL soon\n$TTL 99999999999\n$TTL\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: $TTL"), QStringLiteral("2: $TTL"),
                       QStringLiteral("3: $TTL")};
    QTest::newRow("bad $ORIGIN keeps the old one")
        << QByteArray("$ORIGIN\n$ORIGIN a..b\n$ORIGIN a b\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: $ORIGIN"), QStringLiteral("2: $ORIGIN"),
                       QStringLiteral("3: $ORIGIN")};
    QTest::newRow("unknown type") << QByteArray("www FOO 192.0.2.1\nok A 192.0.2.1\n")
                                  << QStringList{ok1} << QStringList{QStringLiteral("1: ")};
    QTest::newRow("numeric type out of range")
        << QByteArray("www TYPE99999 \\# 0\nw2 TYPE1x 1\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: bad record type TYPE99999"),
                       QStringLiteral("2: bad record type TYPE1x")};
    QTest::newRow("numeric class out of range")
        << QByteArray("www CLASS70000 A 192.0.2.1\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: bad class CLASS70000")};
    QTest::newRow("class CH") << QByteArray("www CH A 192.0.2.1\nok A 192.0.2.1\n")
                              << QStringList{ok1}
                              << QStringList{QStringLiteral("1: only class IN")};
    QTest::newRow("meta types") << QByteArray("a AXFR\nb ANY \\# 0\nok A 192.0.2.1\n")
                                << QStringList{ok1}
                                << QStringList{QStringLiteral("1: "), QStringLiteral("2: ")};
    QTest::newRow("no type") << QByteArray("www\nwww 300\nwww 300 IN\nok A 192.0.2.1\n")
                             << QStringList{ok1}
                             << QStringList{QStringLiteral("1: no record type"),
                                            QStringLiteral("2: no record type"),
                                            QStringLiteral("3: no record type")};
    QTest::newRow("missing rdata") << QByteArray("www A\nok A 192.0.2.1\n") << QStringList{ok1}
                                   << QStringList{QStringLiteral("1: ")};
    QTest::newRow("superfluous rdata") << QByteArray("www A 192.0.2.1 192.0.2.2\nok A 192.0.2.1\n")
                                       << QStringList{ok1} << QStringList{QStringLiteral("1: ")};
    QTest::newRow("TTL with junk")
        << QByteArray("www 3600x A 192.0.2.1\nw2 99999999999 A 192.0.2.1\nok A 192.0.2.1\n")
        << QStringList{ok1}
        << QStringList{QStringLiteral("1: TTL is not"), QStringLiteral("2: TTL is not")};
    QTest::newRow("owner starting with @")
        << QByteArray("@evil A 192.0.2.1\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: owner name starts with '@'")};
    QTest::newRow("non-ASCII owner, UTF-8")
        << QByteArray("b\xc3\xbc"
                      "cher A 192.0.2.1\nok A 192.0.2.1\n")
        << QStringList{ok1} << QStringList{QStringLiteral("1: owner name contains")};
    QTest::newRow("non-ASCII owner, escaped")
        << QByteArray("caf\\195\\169 A 192.0.2.1\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: owner name contains")};
    QTest::newRow("control character in owner")
        << QByteArray("a\\009b A 192.0.2.1\na\\ b A 192.0.2.1\nok A 192.0.2.1\n")
        << QStringList{ok1}
        << QStringList{QStringLiteral("1: owner name contains"),
                       QStringLiteral("2: owner name contains")};
    const QByteArray nul(1, '\0');
    QTest::newRow("NUL byte") << QByteArray("ok A 192.0.2.1\nwww A 192.0.2.1" + nul +
                                            "\nok2 A 192.0.2.2\n")
                              << QStringList{ok1, ok2} << QStringList{QStringLiteral("2: NUL")};
    QTest::newRow("NUL inside a multi-line record")
        << QByteArray("ok A 192.0.2.1\nwww A (\n" + nul + "\n192.0.2.1 )\nok2 A 192.0.2.2\n")
        << QStringList{ok1, ok2} << QStringList{QStringLiteral("2: NUL")};
    QTest::newRow("stray closing parenthesis")
        << QByteArray("www A 192.0.2.1 )\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: ')' without '('")};
    QTest::newRow("unclosed parenthesis swallows the rest")
        << QByteArray("ok A 192.0.2.1\n@ SOA ns1 hostmaster ( 1 2 3\nwww A 192.0.2.1\n")
        << QStringList{ok1} << QStringList{QStringLiteral("2: '(' on line 2 is never closed")};
    QTest::newRow("unterminated quote")
        << QByteArray("t TXT \"abc\nok A 192.0.2.1\n") << QStringList{ok1}
        << QStringList{QStringLiteral("1: quoted string not closed")};
    QTest::newRow("TXT string over 255 octets")
        << QByteArray("t TXT \"" + QByteArray(256, 'x') + "\"\nok A 192.0.2.1\n")
        << QStringList{ok1} << QStringList{QStringLiteral("1: ")};
    QTest::newRow("owner name over 255 octets")
        << QByteArray(QByteArray(60, 'a').append('.').repeated(5) +
                      " A 192.0.2.1\nok A 192.0.2.1\n")
        << QStringList{ok1} << QStringList{QStringLiteral("1: ")};
    QTest::newRow("huge line") << QByteArray("ok A 192.0.2.1\nt TXT " +
                                             QByteArray(100 * 1024, 'x') + "\nok2 A 192.0.2.2\n")
                               << QStringList{ok1, ok2}
                               << QStringList{QStringLiteral("2: line of 102406 bytes")};
    QTest::newRow("huge comment line")
        << QByteArray("ok A 192.0.2.1 ;" + QByteArray(70000, ';') + "\nok2 A 192.0.2.2\n")
        << QStringList{ok2} << QStringList{QStringLiteral("1: line of 70016 bytes")};
    QByteArray longRecord("ok A 192.0.2.1\nbig TXT (\n");
    for (int i = 0; i < 300; ++i)
        longRecord += "  \"" + QByteArray(250, 'y') + "\"\n";
    longRecord += ")\nok2 A 192.0.2.2\n";
    QTest::newRow("multi-line record over 64 KiB")
        << longRecord << QStringList{ok1, ok2}
        << QStringList{QStringLiteral("2: record longer than 65536 bytes")};
}

void TestZoneFile::badLines()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, problems);

    const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(describe(result.records), expected);
    const QStringList actual = describe(result.problems);
    QCOMPARE(actual.size(), problems.size());
    for (qsizetype i = 0; i < problems.size(); ++i) {
        const QString line = problems.at(i).section(QLatin1Char(' '), 0, 0);
        const QString part = problems.at(i).section(QLatin1Char(' '), 1);
        QVERIFY2(actual.at(i).startsWith(line + QLatin1Char(' ')), qPrintable(actual.at(i)));
        QVERIFY2(actual.at(i).contains(part), qPrintable(actual.at(i)));
        QVERIFY2(result.problems.at(i).reason.size() > 3, qPrintable(actual.at(i)));
        QVERIFY(isPrintableAscii(result.problems.at(i).text));
    }
}

void TestZoneFile::problemTextIsPrintable()
{
    const QByteArray text("ok A 192.0.2.1\n\x1b]0;pwned\x07 A \xff\xfe\0 1.2.3.4\n", 39);
    const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"));
    QCOMPARE(result.records.size(), 1);
    QCOMPARE(result.problems.size(), 1);
    QCOMPARE(result.problems.first().line, 2);
    QCOMPARE(result.problems.first().text,
             QStringLiteral("\\027]0;pwned\\007 A \\255\\254\\000 1.2.3.4"));

    // Long lines are quoted shortened.
    const ZoneFileResult longLine =
        parseZoneFile("x TXT " + QByteArray(5000, 'z') + '\n', zoneName("shop.example"));
    QCOMPARE(longLine.problems.size(), 1);
    QVERIFY(longLine.problems.first().text.size() < 200);
    QVERIFY(longLine.problems.first().text.endsWith(QStringLiteral("...")));
}

void TestZoneFile::problemCap()
{
    const QByteArray text = QByteArray("bad A x\n").repeated(1500) + "ok A 192.0.2.1\n";
    const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"));
    QVERIFY(result.ok());
    QCOMPARE(describe(result.records),
             QStringList{QStringLiteral("ok.shop.example. 3600 A 192.0.2.1")});
    QCOMPARE(result.problems.size(), zonefile::MaxListedProblems + 1);
    QCOMPARE(result.problems.at(999).line, 1000);
    QCOMPARE(result.problems.last().line, 1001);
    QCOMPARE(result.problems.last().reason,
             QStringLiteral("500 more problems from this line on, not listed"));
}

void TestZoneFile::fatal_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("errorPart");

    QTest::newRow("16 MiB and one byte")
        << QByteArray(zonefile::MaxFileSize + 1, '\n') << QStringLiteral("at most 16777216");
}

void TestZoneFile::fatal()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, errorPart);

    const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"));
    QVERIFY(!result.ok());
    QVERIFY2(result.error.contains(errorPart), qPrintable(result.error));
    QVERIFY(result.records.isEmpty());
}

void TestZoneFile::recordCap_data()
{
    QTest::addColumn<qsizetype>("cap");

    QTest::newRow("1000") << qsizetype(1000);
    // A million records take about a minute under ASan: run with HEADROOM_SLOW_TESTS=1.
    if (qEnvironmentVariableIsSet("HEADROOM_SLOW_TESTS"))
        QTest::newRow("default") << qsizetype(0);
}

// `cap` records fit; one more is fatal, and then nothing is imported.
void TestZoneFile::recordCap()
{
    QFETCH(qsizetype, cap);

    QCOMPARE(zonefile::MaxRecords, qsizetype(1000000));
    const qsizetype limit = cap == 0 ? zonefile::MaxRecords : cap;
    const DnsName zone = zoneName("shop.example");
    const auto parse = [&](const QByteArray &text) {
        return cap == 0 ? parseZoneFile(text, zone) : parseZoneFile(text, zone, 3600, cap);
    };
    QByteArray text = QByteArray("a A 192.0.2.1\n").repeated(limit);
    if (cap != 0) { // the default case only checks the overflow, to halve the time
        const ZoneFileResult result = parse(text);
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.records.size(), limit);
    }
    text += "; comments and blank lines do not count\n\n$TTL 5\nb A 192.0.2.2\n";
    const ZoneFileResult result = parse(text);
    QVERIFY(!result.ok());
    QCOMPARE(result.error, QStringLiteral("more than %1 records").arg(limit));
    QVERIFY(result.records.isEmpty());
}

void TestZoneFile::readFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const DnsName zone = zoneName("shop.example");

    const QString good = dir.filePath(QStringLiteral("good.zone"));
    {
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kGoodZone);
    }
    const ZoneFileResult result = readZoneFile(good, zone);
    QVERIFY2(result.ok(), qPrintable(result.error));
    QCOMPARE(describe(result.records), kGoodRecords);

    const ZoneFileResult missing = readZoneFile(dir.filePath(QStringLiteral("none")), zone);
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error.contains(QStringLiteral("does not exist")), qPrintable(missing.error));

    const ZoneFileResult directory = readZoneFile(dir.path(), zone);
    QVERIFY(!directory.ok());
    QVERIFY2(directory.error.contains(QStringLiteral("not a regular file")),
             qPrintable(directory.error));

    const ZoneFileResult device = readZoneFile(QStringLiteral("/dev/zero"), zone);
    QVERIFY(!device.ok());

    const QString big = dir.filePath(QStringLiteral("big.zone"));
    {
        QFile f(big);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(zonefile::MaxFileSize + 1)); // sparse
    }
    const ZoneFileResult tooBig = readZoneFile(big, zone);
    QVERIFY(!tooBig.ok());
    QVERIFY2(tooBig.error.contains(QStringLiteral("at most 16777216")), qPrintable(tooBig.error));
}

void TestZoneFile::readUnreadableFile()
{
    // Tests run as root here, which ignores permission bits: a dangling link cannot be read by
    // anyone, so it stands in for an unreadable file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString unreadable = dir.filePath(QStringLiteral("secret.zone"));
    QVERIFY(QFile::link(dir.filePath(QStringLiteral("missing-target")), unreadable));
    const ZoneFileResult denied = readZoneFile(unreadable, zoneName("shop.example"));
    QVERIFY(!denied.ok());
    QVERIFY(!denied.error.isEmpty());
}

void TestZoneFile::nameMap_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("entries");
    QTest::addColumn<QStringList>("problems"); // parts, in order

    QTest::newRow("good zone")
        << QStringLiteral("shop.example") << QByteArray(kGoodZone)
        << QStringList{QStringLiteral("ns1.shop.example. 7200 A 192.0.2.1"),
                       QStringLiteral("www.shop.example. 300 A 192.0.2.10"),
                       QStringLiteral("www.shop.example. 7200 AAAA 2001:db8::10"),
                       QStringLiteral("www.shop.example. 7200 A 192.0.2.11"),
                       QStringLiteral("api.shop.example. 7200 CNAME www.shop.example."),
                       QStringLiteral("cdn.shop.example. 3600 CNAME edge.cdn.example."),
                       QStringLiteral("mail.shop.example. 3600 A 192.0.2.25"),
                       QStringLiteral("www.eu.shop.example. 86400 A 192.0.2.30"),
                       QStringLiteral("blog.eu.shop.example. 60 AAAA 2001:db8::1")}
        << QStringList{QStringLiteral("shop.example. MX 10 mail.shop.example.: unsupported type"),
                       QStringLiteral("shop.example. TXT \"v=spf1 -all\" \"; not a comment ( "
                                      "nor a parenthesis\": unsupported type")};
    QTest::newRow("SOA and NS skipped silently, even outside the zone")
        << QStringLiteral("shop.example")
        << QByteArray("@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nsub NS ns.other.example.\n"
                      "other.example. NS ns1\n")
        << QStringList() << QStringList();
    QTest::newRow("outside the zone")
        << QStringLiteral("shop.example")
        << QByteArray("www A 192.0.2.1\nwww.other.example. A 192.0.2.2\n"
                      "myshop.example. A 192.0.2.3\nexample. AAAA ::1\n")
        << QStringList{QStringLiteral("www.shop.example. 3600 A 192.0.2.1")}
        << QStringList{QStringLiteral("www.other.example. A 192.0.2.2: outside zone shop.example."),
                       QStringLiteral("myshop.example. A 192.0.2.3: outside zone"),
                       QStringLiteral("example. AAAA ::1: outside zone")};
    QTest::newRow("the apex is inside")
        << QStringLiteral("Shop.Example.") << QByteArray("@ A 192.0.2.1\n")
        << QStringList{QStringLiteral("shop.example. 3600 A 192.0.2.1")} << QStringList();
    QTest::newRow("unsupported types")
        << QStringLiteral("shop.example")
        << QByteArray("@ MX 10 mail\n_sip._tcp SRV 0 0 5060 sip\nlua TYPE65402 \\# 1 00\n")
        << QStringList()
        << QStringList{QStringLiteral("shop.example. MX 10 mail.shop.example.: unsupported type"),
                       QStringLiteral("_sip._tcp.shop.example. SRV 0 0 5060 sip.shop.example.: "
                                      "unsupported type"),
                       QStringLiteral("lua.shop.example. TYPE65402 \\# 1 00: unsupported type")};
    QTest::newRow("owners that are not host names")
        << QStringLiteral("shop.example")
        << QByteArray("* A 192.0.2.1\n_acme A 192.0.2.2\na--b A 192.0.2.3\n")
        << QStringList{QStringLiteral("_acme.shop.example. 3600 A 192.0.2.2")}
        << QStringList{QStringLiteral("*.shop.example. A 192.0.2.1: owner is not a host name"),
                       QStringLiteral("a--b.shop.example. A 192.0.2.3: owner is not a host name")};
    QTest::newRow("CNAME targets that are not host names")
        << QStringLiteral("shop.example")
        << QByteArray(
               "a CNAME *.other.example.\nb CNAME .\nc CNAME x\\\"y\nd CNAME Edge.CDN.example.\n")
        << QStringList{QStringLiteral("d.shop.example. 3600 CNAME edge.cdn.example.")}
        << QStringList{QStringLiteral("a.shop.example. CNAME *.other.example.: target is not"),
                       QStringLiteral("b.shop.example. CNAME .: target is not"),
                       QStringLiteral("c.shop.example. CNAME x\"y.shop.example.: target is not")};
}

void TestZoneFile::nameMap()
{
    QFETCH(QString, zone);
    QFETCH(QByteArray, text);
    QFETCH(QStringList, entries);
    QFETCH(QStringList, problems);

    const std::optional<DnsName> zoneName = DnsName::parse(zone);
    QVERIFY(zoneName);
    const ZoneFileResult file = parseZoneFile(text, *zoneName);
    QVERIFY2(file.ok(), qPrintable(file.error));
    QCOMPARE(describe(file.problems).join(QLatin1Char('\n')), QString());

    const NameMap map = nameMapFrom(*zoneName, file.records);
    QCOMPARE(describe(map.entries), entries);
    QCOMPARE(map.problems.size(), problems.size());
    for (qsizetype i = 0; i < problems.size(); ++i)
        QVERIFY2(map.problems.at(i).contains(problems.at(i)), qPrintable(map.problems.at(i)));
    for (const DnsRecord &r : map.entries) {
        if (r.type == quint16(RecordType::CNAME))
            QCOMPARE(r.target, r.text);
        else
            QCOMPARE(r.address.toString(), r.text);
    }
}

// Records as an AXFR might hand them over, with data that did not decode.
void TestZoneFile::nameMapBadData()
{
    const DnsName zone = zoneName("shop.example");
    DnsRecord a;
    a.name = QStringLiteral("a.shop.example.");
    a.type = quint16(RecordType::A);
    a.text = QStringLiteral("\\# 3 010203");
    DnsRecord aaaaWithV4 = a;
    aaaaWithV4.name = QStringLiteral("b.shop.example.");
    aaaaWithV4.type = quint16(RecordType::AAAA);
    aaaaWithV4.address = QHostAddress(QStringLiteral("192.0.2.1"));
    DnsRecord cname = a;
    cname.name = QStringLiteral("c.shop.example.");
    cname.type = quint16(RecordType::CNAME);
    DnsRecord hostileName = a;
    hostileName.name = QStringLiteral("x\x1b[31m.shop.example.");
    hostileName.address = QHostAddress(QStringLiteral("192.0.2.1"));
    DnsRecord upper = a;
    upper.name = QStringLiteral("UP.Shop.Example");
    upper.address = QHostAddress(QStringLiteral("192.0.2.9"));

    const NameMap map = nameMapFrom(zone, {a, aaaaWithV4, cname, hostileName, upper});
    QCOMPARE(map.problems.size(), 4);
    QVERIFY2(map.problems.at(0).contains(QStringLiteral("a.shop.example. A \\# 3 010203: data is "
                                                        "not an IPv4 address")),
             qPrintable(map.problems.at(0)));
    QVERIFY2(map.problems.at(1).contains(QStringLiteral("not an IPv6 address")),
             qPrintable(map.problems.at(1)));
    QVERIFY2(map.problems.at(2).contains(QStringLiteral("target is not a host name")),
             qPrintable(map.problems.at(2)));
    QVERIFY2(map.problems.at(3).contains(QStringLiteral("owner is not a host name")),
             qPrintable(map.problems.at(3)));
    for (const QString &p : map.problems)
        QVERIFY2(isPrintableAscii(p), qPrintable(p));
    QCOMPARE(map.entries.size(), 1);
    QCOMPARE(map.entries.first().name, QStringLiteral("up.shop.example."));
}

void TestZoneFile::garbage_data()
{
    QTest::addColumn<QByteArray>("text");

    QRandomGenerator random(42);
    QByteArray binary(256 * 1024, Qt::Uninitialized);
    random.fillRange(reinterpret_cast<quint32 *>(binary.data()), binary.size() / 4);
    QTest::newRow("random bytes") << binary;
    QByteArray printableNoise;
    const QByteArray alphabet("abc019.@$();\"\\ \t\n*-_:ASOAINCNAMETXT");
    for (int i = 0; i < 200000; ++i)
        printableNoise += alphabet.at(random.bounded(alphabet.size()));
    QTest::newRow("zone-like noise") << printableNoise;
    QTest::newRow("only parentheses") << QByteArray(100000, '(');
    QTest::newRow("only closing parentheses") << QByteArray(100000, ')');
    QTest::newRow("only quotes") << QByteArray(100000, '"');
    QTest::newRow("only backslashes") << QByteArray(100000, '\\');
    QTest::newRow("only NUL") << QByteArray(100000, '\0');
    QTest::newRow("many open parentheses lines") << QByteArray("(\n").repeated(50000);
    QTest::newRow("many short bad lines") << QByteArray("x\n").repeated(5000);
    QTest::newRow("escape at the end") << QByteArray("www TXT abc\\");
    QTest::newRow("unknown-format rdata lies about its length") << QByteArray(
        "a TYPE65402 \\# 65535 00\nb A \\# 2 0102\nc TXT \\# 300 " + QByteArray(600, 'f') + "\n");
}

void TestZoneFile::garbage()
{
    QFETCH(QByteArray, text);

    const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"));
    QVERIFY2(result.ok(), qPrintable(result.error));
    QVERIFY(result.problems.size() <= zonefile::MaxListedProblems + 1);
    for (const ZoneFileProblem &p : result.problems) {
        QVERIFY(p.line >= 1);
        QVERIFY(isPrintableAscii(p.text));
    }
    const NameMap map = nameMapFrom(zoneName("shop.example"), result.records);
    for (const QString &p : map.problems)
        QVERIFY2(isPrintableAscii(p), qPrintable(p));
}

// A small libFuzzer-style loop: mutations of the good zone must never crash (ASan/UBSan builds)
// and must always give line numbers inside the text.
void TestZoneFile::mutations()
{
    QRandomGenerator random(20240601);
    const QByteArray seed(kGoodZone);
    const QList<QByteArray> dictionary = {
        "(",        ")",           "\"",     ";",          "\\",     "\n",    QByteArray(1, '\0'),
        "$INCLUDE", "$ORIGIN ",    "$TTL ",  "@",          "\\# ",   "TYPE",  "CLASS",
        "65535",    "4294967296 ", "\\255",  "\xff\xfe",   " IN ",   " CH ",  "..",
        " SOA ",    " TXT ",       " AAAA ", " CNAME ",    " MX ",   " LOC ", " WKS ",
        " APL ",    " NSEC ",      " HIP ",  " IPSECKEY ", " SVCB ", " CAA ", " DS ",
        " 1 2 3 ",  "\r\n",        "\t",     "*",          "\\000",  "::",    "0x"};
    for (int round = 0; round < 2000; ++round) {
        QByteArray text = seed;
        const int steps = 1 + random.bounded(8);
        for (int s = 0; s < steps; ++s) {
            const qsizetype at = random.bounded(text.size() + 1);
            switch (random.bounded(6)) {
            case 0: // flip a byte
                if (at < text.size())
                    text[at] = char(random.bounded(256));
                break;
            case 1: // insert a random byte
                text.insert(at, char(random.bounded(256)));
                break;
            case 2: // delete a range
                text.remove(at, random.bounded(1, 40));
                break;
            case 3: { // duplicate a range
                const QByteArray part = text.mid(at, random.bounded(1, 80));
                text.insert(random.bounded(text.size() + 1), part);
                break;
            }
            case 4: // insert a token
                text.insert(at, dictionary.at(random.bounded(dictionary.size())));
                break;
            default: // swap two lines' worth of text
                text.insert(random.bounded(text.size() + 1), text.mid(at, 30));
                text.remove(at, 30);
                break;
            }
        }
        const ZoneFileResult result = parseZoneFile(text, zoneName("shop.example"));
        QVERIFY2(result.ok(), qPrintable(result.error));
        const int lines = int(text.count('\n')) + 1;
        for (const ZoneFileProblem &p : result.problems) {
            QVERIFY2(
                p.line >= 1 && p.line <= lines,
                qPrintable(
                    QStringLiteral("round %1: line %2 of %3").arg(round).arg(p.line).arg(lines)));
            QVERIFY(isPrintableAscii(p.text));
            QVERIFY(!p.reason.isEmpty());
        }
        const NameMap map = nameMapFrom(zoneName("shop.example"), result.records);
        QVERIFY(map.entries.size() <= result.records.size());
    }
}

QTEST_GUILESS_MAIN(TestZoneFile)
#include "tst_zonefile.moc"
