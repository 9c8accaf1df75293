#include "dns/dnsname.h"

#include <QTest>

using namespace headroom;

namespace {

QString repeated(QChar c, qsizetype count)
{
    return QString(count, c);
}

// `count` octets: labels of 63 'a' separated by dots, the last one shortened to fit.
QString nameOfLength(qsizetype count)
{
    QString name;
    while (name.size() < count) {
        if (!name.isEmpty())
            name += QLatin1Char('.');
        name += repeated(QLatin1Char('a'), std::min<qsizetype>(63, count - name.size()));
    }
    return name;
}

} // namespace

class TestDnsName final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseGood_data();
    void parseGood();
    void parseBad_data();
    void parseBad();
    void hostile_data();
    void hostile();
    void isSubdomainOf_data();
    void isSubdomainOf();
    void equality();
};

void TestDnsName::parseGood_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("absolute");

    QTest::newRow("relative") << QStringLiteral("www.shop.example")
                              << QStringLiteral("www.shop.example.");
    QTest::newRow("absolute") << QStringLiteral("www.shop.example.")
                              << QStringLiteral("www.shop.example.");
    QTest::newRow("single label") << QStringLiteral("localhost") << QStringLiteral("localhost.");
    QTest::newRow("upper case folded") << QStringLiteral("Proxy1.EDGE.Headroom.Test")
                                       << QStringLiteral("proxy1.edge.headroom.test.");
    QTest::newRow("digits") << QStringLiteral("123.example") << QStringLiteral("123.example.");
    QTest::newRow("inner hyphen") << QStringLiteral("my-shop.example")
                                  << QStringLiteral("my-shop.example.");
    QTest::newRow("underscore") << QStringLiteral("_acme-challenge.shop.example")
                                << QStringLiteral("_acme-challenge.shop.example.");
    QTest::newRow("idna a-label") << QStringLiteral("xn--bcher-kva.example")
                                  << QStringLiteral("xn--bcher-kva.example.");
    QTest::newRow("idna a-label upper")
        << QStringLiteral("XN--BCHER-KVA.example") << QStringLiteral("xn--bcher-kva.example.");
    QTest::newRow("one-char labels") << QStringLiteral("a.b.c") << QStringLiteral("a.b.c.");
    QTest::newRow("label of 63") << repeated(QLatin1Char('x'), 63) + QStringLiteral(".example")
                                 << repeated(QLatin1Char('x'), 63) + QStringLiteral(".example.");
    QTest::newRow("253 octets") << nameOfLength(253) << nameOfLength(253) + QLatin1Char('.');
    QTest::newRow("253 octets and the dot")
        << nameOfLength(253) + QLatin1Char('.') << nameOfLength(253) + QLatin1Char('.');
}

void TestDnsName::parseGood()
{
    QFETCH(QString, text);
    QFETCH(QString, absolute);

    QString error;
    const std::optional<DnsName> name = DnsName::parse(text, &error);
    QVERIFY2(name.has_value(), qPrintable(error));
    QCOMPARE(name->absolute(), absolute);
    QCOMPARE(name->relative() + QLatin1Char('.'), absolute);
    QVERIFY(!name->relative().endsWith(QLatin1Char('.')));
    // Re-parsing what we print gives the same name.
    QCOMPARE(DnsName::parse(name->absolute()), name);
    QCOMPARE(DnsName::parse(name->relative()), name);
}

void TestDnsName::parseBad_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorPart");

    QTest::newRow("empty") << QString() << QStringLiteral("empty name");
    QTest::newRow("root") << QStringLiteral(".") << QStringLiteral("root");
    QTest::newRow("two dots at end") << QStringLiteral("a..") << QStringLiteral("empty label");
    QTest::newRow("leading dot") << QStringLiteral(".a.example") << QStringLiteral("empty label");
    QTest::newRow("empty label") << QStringLiteral("a..b") << QStringLiteral("empty label");
    QTest::newRow("254 octets") << nameOfLength(254) << QStringLiteral("254 octets");
    QTest::newRow("254 octets and the dot")
        << nameOfLength(254) + QLatin1Char('.') << QStringLiteral("254 octets");
    QTest::newRow("300 octets") << nameOfLength(300) << QStringLiteral("300 octets");
    QTest::newRow("label of 64") << repeated(QLatin1Char('x'), 64) + QStringLiteral(".example")
                                 << QStringLiteral("label of 64 octets");
    QTest::newRow("leading hyphen")
        << QStringLiteral("-shop.example") << QStringLiteral("starts or ends with '-'");
    QTest::newRow("trailing hyphen")
        << QStringLiteral("shop-.example") << QStringLiteral("starts or ends with '-'");
    QTest::newRow("bare xn--") << QStringLiteral("xn--.example")
                               << QStringLiteral("starts or ends with '-'");
    QTest::newRow("double hyphen") << QStringLiteral("a--b.example") << QStringLiteral("'--'");
    QTest::newRow("double hyphen in position 3-4, not xn")
        << QStringLiteral("ab--cd.example") << QStringLiteral("'--'");
    QTest::newRow("second double hyphen in a-label")
        << QStringLiteral("xn--ab--cd.example") << QStringLiteral("'--'");
    QTest::newRow("triple hyphen after xn")
        << QStringLiteral("xn---abc.example") << QStringLiteral("'--'");
    QTest::newRow("wildcard") << QStringLiteral("*.shop.example") << QStringLiteral("U+002a");
    QTest::newRow("umlaut") << QStringLiteral("bücher.example") << QStringLiteral("U+00fc");
    QTest::newRow("cyrillic") << QStringLiteral("пример.рф") << QStringLiteral("U+043f");
    QTest::newRow("cyrillic a lookalike")
        << QStringLiteral("shop.ex\u0430mple") << QStringLiteral("U+0430");
    QTest::newRow("fullwidth dot")
        << QStringLiteral("shop\uFF0Eexample") << QStringLiteral("U+ff0e");
    QTest::newRow("zero-width space")
        << QStringLiteral("shop\u200B.example") << QStringLiteral("U+200b");
    QTest::newRow("emoji") << QStringLiteral("\U0001F600.example") << QStringLiteral("U+d83d");
    QTest::newRow("nul") << QStringLiteral("shop") + QChar(0) + QStringLiteral(".example")
                         << QStringLiteral("U+0000");
    QTest::newRow("at sign") << QStringLiteral("user@shop.example") << QStringLiteral("U+0040");
    QTest::newRow("slash") << QStringLiteral("shop.example/x") << QStringLiteral("U+002f");
}

void TestDnsName::parseBad()
{
    QFETCH(QString, text);
    QFETCH(QString, errorPart);

    QString error;
    QVERIFY(!DnsName::parse(text, &error).has_value());
    QVERIFY2(error.contains(errorPart), qPrintable(error));
    QVERIFY(!DnsName::parse(text).has_value()); // no error pointer: no crash
}

// Strings that would be code, markup or escapes if they reached Lua, zone text or a config.
void TestDnsName::hostile_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("quote and dots") << QStringLiteral("a'..b");
    QTest::newRow("lua call") << QStringLiteral("x'),os.execute('rm");
    QTest::newRow("lua call 2") << QStringLiteral("'),os.execute('x");
    QTest::newRow("long bracket close") << QStringLiteral("a]]b");
    QTest::newRow("long bracket open") << QStringLiteral("a[[b");
    QTest::newRow("lua comment") << QStringLiteral("a--b");
    QTest::newRow("lua comment at end") << QStringLiteral("a.b--");
    QTest::newRow("lua comment label") << QStringLiteral("x.--.example");
    QTest::newRow("single quote") << QStringLiteral("o'brien.example");
    QTest::newRow("double quote") << QStringLiteral("say\"hi.example");
    QTest::newRow("backslash") << QStringLiteral("a\\.example");
    QTest::newRow("backslash escape") << QStringLiteral("a\\046b.example");
    QTest::newRow("newline") << QStringLiteral("a.example\nrm -rf");
    QTest::newRow("carriage return") << QStringLiteral("a.example\r");
    QTest::newRow("tab") << QStringLiteral("a\t.example");
    QTest::newRow("space") << QStringLiteral("a b.example");
    QTest::newRow("trailing space") << QStringLiteral("a.example ");
    QTest::newRow("semicolon") << QStringLiteral("a;b.example");
    QTest::newRow("parentheses") << QStringLiteral("os.execute(1)");
    QTest::newRow("braces") << QStringLiteral("{a}.example");
    QTest::newRow("concatenation") << QStringLiteral("a..'b'");
    QTest::newRow("equals") << QStringLiteral("a=b.example");
    QTest::newRow("zone comment") << QStringLiteral("a.example;comment");
    QTest::newRow("zone dollar") << QStringLiteral("$INCLUDE.example");
    QTest::newRow("config hash") << QStringLiteral("a#b.example");
    QTest::newRow("colon") << QStringLiteral("a:b.example");
    QTest::newRow("percent") << QStringLiteral("a%20b.example");
    QTest::newRow("angle brackets") << QStringLiteral("<script>.example");
    QTest::newRow("unicode quote") << QStringLiteral("a\u2019b.example");
}

void TestDnsName::hostile()
{
    QFETCH(QString, text);

    QString error;
    QVERIFY(!DnsName::parse(text, &error).has_value());
    QVERIFY(!error.isEmpty());
    // The message itself is safe to print: it never echoes the offending character.
    for (const QChar c : {QLatin1Char('"'), QLatin1Char('\n'), QLatin1Char('\\'), QLatin1Char('[')})
        QVERIFY2(!error.contains(c), qPrintable(error));
}

void TestDnsName::isSubdomainOf_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("zone");
    QTest::addColumn<bool>("expected");

    QTest::newRow("equal") << QStringLiteral("shop.example") << QStringLiteral("shop.example.")
                           << true;
    QTest::newRow("child") << QStringLiteral("www.shop.example") << QStringLiteral("shop.example")
                           << true;
    QTest::newRow("grandchild") << QStringLiteral("a.www.shop.example") << QStringLiteral("example")
                                << true;
    QTest::newRow("case") << QStringLiteral("WWW.Shop.Example") << QStringLiteral("shop.EXAMPLE")
                          << true;
    QTest::newRow("suffix but not a label boundary")
        << QStringLiteral("myshop.example") << QStringLiteral("shop.example") << false;
    QTest::newRow("parent") << QStringLiteral("example") << QStringLiteral("shop.example") << false;
    QTest::newRow("sibling") << QStringLiteral("other.example") << QStringLiteral("shop.example")
                             << false;
}

void TestDnsName::isSubdomainOf()
{
    QFETCH(QString, name);
    QFETCH(QString, zone);
    QFETCH(bool, expected);

    const std::optional<DnsName> parsedName = DnsName::parse(name);
    const std::optional<DnsName> parsedZone = DnsName::parse(zone);
    QVERIFY(parsedName && parsedZone);
    QCOMPARE(parsedName->isSubdomainOf(*parsedZone), expected);
}

void TestDnsName::equality()
{
    QCOMPARE(DnsName::parse(QStringLiteral("WWW.shop.example.")),
             DnsName::parse(QStringLiteral("www.SHOP.example")));
    QVERIFY(DnsName::parse(QStringLiteral("a.example")) !=
            DnsName::parse(QStringLiteral("b.example")));
}

QTEST_GUILESS_MAIN(TestDnsName)
#include "tst_dnsname.moc"
