// The purchaser API's input parsers on good and hostile bytes: the strict JSON object parser, the
// bid body (400 for structure, 422 for values), the Idempotency-Key and Authorization headers,
// ids in paths and query strings.

#include "api/apirequest.h"
#include "api/strictjson.h"

#include <QtTest>

using namespace headroom;

class TestApiRequest final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void strictJsonAccepts_data();
    void strictJsonAccepts();
    void strictJsonRefuses_data();
    void strictJsonRefuses();
    void strictJsonKeepsNumberLexemes();
    void bidBodyGood_data();
    void bidBodyGood();
    void bidBodyBad_data();
    void bidBodyBad();
    void errorsNeverEchoJunk();
    void contentType_data();
    void contentType();
    void idempotencyKey_data();
    void idempotencyKey();
    void bearer_data();
    void bearer();
    void pathId_data();
    void pathId();
    void queries_data();
    void queries();
};

void TestApiRequest::strictJsonAccepts_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("members");
    QTest::newRow("empty object") << QByteArray("{}") << 0;
    QTest::newRow("spaces around") << QByteArray(" \r\n\t{ } \n") << 0;
    QTest::newRow("scalars") << QByteArray(R"({"a":1,"b":"x","c":true,"d":null,"e":-2.5e3})") << 5;
    QTest::newRow("nested") << QByteArray(R"({"a":{"b":[1,{"c":[]}]}})") << 1;
    QTest::newRow("escapes") << QByteArray(R"({"a":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"})") << 1;
    QTest::newRow("utf-8 key") << QByteArray("{\"\xc3\xa9t\xc3\xa9\":0}") << 1;
}

void TestApiRequest::strictJsonAccepts()
{
    QFETCH(QByteArray, json);
    QFETCH(int, members);
    QString error;
    const auto parsed = parseStrictJsonObject(json, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->size(), members);
}

void TestApiRequest::strictJsonRefuses_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("why");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("only spaces") << QByteArray("  \n") << QStringLiteral("empty");
    QTest::newRow("array") << QByteArray("[1]") << QStringLiteral("expected a JSON object");
    QTest::newRow("number") << QByteArray("1") << QStringLiteral("expected a JSON object");
    QTest::newRow("string") << QByteArray("\"{}\"") << QStringLiteral("expected a JSON object");
    QTest::newRow("unterminated") << QByteArray("{\"a\":1") << QStringLiteral("ends early");
    QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}") << QStringLiteral("key");
    QTest::newRow("trailing data") << QByteArray("{}{}") << QStringLiteral("after the JSON");
    QTest::newRow("trailing garbage") << QByteArray("{} x") << QStringLiteral("after the JSON");
    QTest::newRow("single quotes") << QByteArray("{'a':1}") << QStringLiteral("quoted key");
    QTest::newRow("bare key") << QByteArray("{a:1}") << QStringLiteral("quoted key");
    QTest::newRow("duplicate key")
        << QByteArray("{\"a\":1,\"a\":2}") << QStringLiteral("duplicate key \"a\"");
    QTest::newRow("duplicate after unescape")
        << QByteArray(R"({"a":1,"\u0061":2})") << QStringLiteral("duplicate key");
    QTest::newRow("leading zero") << QByteArray("{\"a\":01}") << QStringLiteral("leading zero");
    QTest::newRow("plus sign") << QByteArray("{\"a\":+1}") << QStringLiteral("unexpected");
    QTest::newRow("bare dot") << QByteArray("{\"a\":1.}") << QStringLiteral("decimal point");
    QTest::newRow("bare exponent") << QByteArray("{\"a\":1e}") << QStringLiteral("exponent");
    QTest::newRow("NaN") << QByteArray("{\"a\":NaN}") << QStringLiteral("unexpected");
    QTest::newRow("Infinity") << QByteArray("{\"a\":Infinity}") << QStringLiteral("unexpected");
    QTest::newRow("hex") << QByteArray("{\"a\":0x10}") << QStringLiteral("expected ','");
    QTest::newRow("huge lexeme") << QByteArray("{\"a\":" + QByteArray(60, '9') + "}")
                                 << QStringLiteral("longer than");
    QTest::newRow("tru") << QByteArray("{\"a\":tru}") << QStringLiteral("unexpected");
    QTest::newRow("control in string")
        << QByteArray("{\"a\":\"x\ty\"}") << QStringLiteral("control character");
    QTest::newRow("bad escape") << QByteArray(R"({"a":"\x"})") << QStringLiteral("bad escape");
    QTest::newRow("short unicode escape")
        << QByteArray(R"({"a":"\u12"})") << QStringLiteral("escape");
    QTest::newRow("lone high surrogate")
        << QByteArray(R"({"a":"\ud800"})") << QStringLiteral("lone high surrogate");
    QTest::newRow("lone low surrogate")
        << QByteArray(R"({"a":"\udc00"})") << QStringLiteral("lone low surrogate");
    QTest::newRow("invalid utf-8") << QByteArray("{\"a\":\"\xff\"}") << QStringLiteral("UTF-8");
    QTest::newRow("overlong utf-8")
        << QByteArray("{\"a\":\"\xc0\xaf\"}") << QStringLiteral("UTF-8");
    QTest::newRow("utf-8 surrogate")
        << QByteArray("{\"a\":\"\xed\xa0\x80\"}") << QStringLiteral("UTF-8");
    QTest::newRow("truncated utf-8")
        << QByteArray("{\"a\":\"\xe2\x82\"}") << QStringLiteral("UTF-8");
    QTest::newRow("byte order mark")
        << QByteArray("\xef\xbb\xbf{}") << QStringLiteral("byte order mark");
    QTest::newRow("nul byte") << QByteArray("{\"a\":1}\0", 8) << QStringLiteral("after the JSON");
    QTest::newRow("too deep") << QByteArray("{\"a\":" + QByteArray(20, '[') + QByteArray(20, ']') +
                                            "}")
                              << QStringLiteral("nested more than");
    QTest::newRow("comment") << QByteArray("{/*x*/}") << QStringLiteral("quoted key");
    QByteArray many = "{";
    for (int i = 0; i < 70; ++i)
        many += (i ? "," : "") + QByteArray("\"k") + QByteArray::number(i) + "\":0";
    many += "}";
    QTest::newRow("too many members") << many << QStringLiteral("more than 64 members");
}

void TestApiRequest::strictJsonRefuses()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, why);
    QString error;
    QVERIFY(!parseStrictJsonObject(json, &error));
    QVERIFY2(error.contains(why), qPrintable(error));
}

void TestApiRequest::strictJsonKeepsNumberLexemes()
{
    QString error;
    const auto m =
        parseStrictJsonObject(R"({"a":9007199254740993,"b":1.0,"c":1e308,"d":-0})", &error);
    QVERIFY2(m, qPrintable(error));
    QCOMPARE(m->at(0).type, JsonMember::Type::Integer);
    QCOMPARE(m->at(0).text, QStringLiteral("9007199254740993"));
    QCOMPARE(m->at(1).type, JsonMember::Type::Number);
    QCOMPARE(m->at(2).type, JsonMember::Type::Number);
    QCOMPARE(m->at(3).type, JsonMember::Type::Integer);
    QCOMPARE(m->at(3).text, QStringLiteral("-0"));
}

void TestApiRequest::bidBodyGood_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("offer");
    QTest::addColumn<qint64>("rate");
    QTest::addColumn<qint64>("minRps"); // -1: absent
    QTest::addColumn<qint64>("price");
    QTest::addColumn<qint64>("site"); // -1: absent
    QTest::newRow("required only")
        << QByteArray(R"({"offer_id":1,"rate_rps":100,"price_minor":250})") << 1LL << 100LL << -1LL
        << 250LL << -1LL;
    QTest::newRow("all fields")
        << QByteArray(R"({"site_id":7,"price_minor":0,"min_rps":10,"rate_rps":10,"offer_id":3})")
        << 3LL << 10LL << 10LL << 0LL << 7LL;
    QTest::newRow("nulls for optional")
        << QByteArray(
               R"({"offer_id":2,"rate_rps":5,"price_minor":1,"min_rps":null,"site_id":null})")
        << 2LL << 5LL << -1LL << 1LL << -1LL;
    QTest::newRow("limits") << QByteArray(R"({"offer_id":9007199254740991,"rate_rps":10000000,)"
                                          R"("price_minor":100000000})")
                            << 9007199254740991LL << 10000000LL << -1LL << 100000000LL << -1LL;
}

void TestApiRequest::bidBodyGood()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, offer);
    QFETCH(qint64, rate);
    QFETCH(qint64, minRps);
    QFETCH(qint64, price);
    QFETCH(qint64, site);
    const auto bid = parseBidBody(json);
    QVERIFY2(bid, qPrintable(bid.error().message));
    QCOMPARE(bid.value().offerId, offer);
    QCOMPARE(bid.value().rateRps, rate);
    QCOMPARE(bid.value().minRps.value_or(-1), minRps);
    QCOMPARE(bid.value().priceMinor, price);
    QCOMPARE(bid.value().siteId.value_or(-1), site);
}

void TestApiRequest::bidBodyBad_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("why");
    const QByteArray ok = R"("offer_id":1,"rate_rps":100,"price_minor":250)";
    QTest::newRow("not json") << QByteArray("offer_id=1") << 400 << QStringLiteral("malformed_json")
                              << QStringLiteral("object");
    QTest::newRow("array") << QByteArray("[]") << 400 << QStringLiteral("malformed_json")
                           << QStringLiteral("object");
    QTest::newRow("duplicate key")
        << QByteArray("{" + ok + R"(,"rate_rps":1})") << 400 << QStringLiteral("malformed_json")
        << QStringLiteral("duplicate key \"rate_rps\"");
    QTest::newRow("unknown field")
        << QByteArray("{" + ok + R"(,"admin":true})") << 400 << QStringLiteral("unknown_field")
        << QStringLiteral("unknown field \"admin\"");
    // Found by fuzz_api_json: QString::fromUtf8() dropped a leading U+FEFF, so this key read as
    // "offer_id" (a duplicate, or worse, a field under another name).
    QTest::newRow("byte order mark in a key")
        << QByteArray(R"({"\ufeffoffer_id":1,"rate_rps":100,"price_minor":250})") << 400
        << QStringLiteral("unknown_field") << QStringLiteral("unknown field");
    QTest::newRow("purchaser_id smuggled")
        << QByteArray("{" + ok + R"(,"purchaser_id":2})") << 400 << QStringLiteral("unknown_field")
        << QStringLiteral("purchaser_id");
    QTest::newRow("missing offer")
        << QByteArray(R"({"rate_rps":100,"price_minor":250})") << 400
        << QStringLiteral("missing_field") << QStringLiteral("offer_id is required");
    QTest::newRow("missing price")
        << QByteArray(R"({"offer_id":1,"rate_rps":100})") << 400 << QStringLiteral("missing_field")
        << QStringLiteral("price_minor is required");
    QTest::newRow("null required")
        << QByteArray(R"({"offer_id":null,"rate_rps":1,"price_minor":1})") << 400
        << QStringLiteral("wrong_type") << QStringLiteral("offer_id must be an integer, not null");
    QTest::newRow("string number")
        << QByteArray(R"({"offer_id":"1","rate_rps":1,"price_minor":1})") << 400
        << QStringLiteral("wrong_type") << QStringLiteral("not a string");
    QTest::newRow("float") << QByteArray(R"({"offer_id":1,"rate_rps":1.5,"price_minor":1})") << 400
                           << QStringLiteral("wrong_type")
                           << QStringLiteral("fraction or exponent");
    QTest::newRow("float whole") << QByteArray(R"({"offer_id":1,"rate_rps":1.0,"price_minor":1})")
                                 << 400 << QStringLiteral("wrong_type")
                                 << QStringLiteral("rate_rps");
    QTest::newRow("1e308") << QByteArray(R"({"offer_id":1,"rate_rps":1e308,"price_minor":1})")
                           << 400 << QStringLiteral("wrong_type") << QStringLiteral("rate_rps");
    QTest::newRow("bool") << QByteArray(R"({"offer_id":true,"rate_rps":1,"price_minor":1})") << 400
                          << QStringLiteral("wrong_type") << QStringLiteral("a boolean");
    QTest::newRow("nested object")
        << QByteArray(R"({"offer_id":{"$gt":0},"rate_rps":1,"price_minor":1})") << 400
        << QStringLiteral("wrong_type") << QStringLiteral("an object");
    QTest::newRow("nested array") << QByteArray(R"({"offer_id":[1],"rate_rps":1,"price_minor":1})")
                                  << 400 << QStringLiteral("wrong_type")
                                  << QStringLiteral("an array");
    QTest::newRow("negative rate")
        << QByteArray(R"({"offer_id":1,"rate_rps":-5,"price_minor":1})") << 422
        << QStringLiteral("invalid_value") << QStringLiteral("rate_rps must be from 1 to");
    QTest::newRow("zero rate") << QByteArray(R"({"offer_id":1,"rate_rps":0,"price_minor":1})")
                               << 422 << QStringLiteral("invalid_value")
                               << QStringLiteral("rate_rps");
    QTest::newRow("minus zero") << QByteArray(R"({"offer_id":1,"rate_rps":-0,"price_minor":1})")
                                << 422 << QStringLiteral("invalid_value")
                                << QStringLiteral("rate_rps");
    QTest::newRow("rate too big") << QByteArray(
                                         R"({"offer_id":1,"rate_rps":10000001,"price_minor":1})")
                                  << 422 << QStringLiteral("invalid_value")
                                  << QStringLiteral("rate_rps");
    QTest::newRow("int64 overflow")
        << QByteArray(R"({"offer_id":1,"rate_rps":1,"price_minor":99999999999999999999})") << 422
        << QStringLiteral("invalid_value") << QStringLiteral("price_minor");
    QTest::newRow("negative price")
        << QByteArray(R"({"offer_id":1,"rate_rps":1,"price_minor":-1})") << 422
        << QStringLiteral("invalid_value") << QStringLiteral("price_minor");
    QTest::newRow("id beyond 2^53")
        << QByteArray(R"({"offer_id":9007199254740992,"rate_rps":1,"price_minor":1})") << 422
        << QStringLiteral("invalid_value") << QStringLiteral("offer_id");
    QTest::newRow("min above rate")
        << QByteArray(R"({"offer_id":1,"rate_rps":5,"min_rps":6,"price_minor":1})") << 422
        << QStringLiteral("invalid_value") << QStringLiteral("min_rps must not exceed rate_rps");
    QTest::newRow("site zero") << QByteArray(
                                      R"({"offer_id":1,"rate_rps":5,"price_minor":1,"site_id":0})")
                               << 422 << QStringLiteral("invalid_value")
                               << QStringLiteral("site_id");
    QTest::newRow("structure before values")
        << QByteArray(R"({"offer_id":-1,"rate_rps":"x","price_minor":1})") << 400
        << QStringLiteral("wrong_type") << QStringLiteral("rate_rps");
}

void TestApiRequest::bidBodyBad()
{
    QFETCH(QByteArray, json);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, why);
    const auto bid = parseBidBody(json);
    QVERIFY(!bid);
    QCOMPARE(bid.error().status, status);
    QCOMPARE(bid.error().code, code);
    QVERIFY2(bid.error().message.contains(why), qPrintable(bid.error().message));
}

void TestApiRequest::errorsNeverEchoJunk()
{
    // A key with markup or a long key is described, not repeated.
    const auto a = parseBidBody(R"({"<script>alert(1)</script>":1})");
    QVERIFY(!a);
    QVERIFY(!a.error().message.contains(QStringLiteral("script")));
    const auto b = parseBidBody("{\"" + QByteArray(500, 'k') + "\":1}");
    QVERIFY(!b);
    QVERIFY(b.error().message.size() < 300);
    const auto c = parseBidBody(R"({"offer_id":1,"rate_rps":1,"price_minor":"hr_secret"})");
    QVERIFY(!c);
    QVERIFY(!c.error().message.contains(QStringLiteral("hr_secret")));
}

void TestApiRequest::contentType_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("ok");
    QTest::newRow("json") << QByteArray("application/json") << true;
    QTest::newRow("json utf-8") << QByteArray("application/json; charset=utf-8") << true;
    QTest::newRow("case") << QByteArray("Application/JSON;Charset=UTF-8") << true;
    QTest::newRow("quoted charset") << QByteArray("application/json; charset=\"utf-8\"") << true;
    QTest::newRow("absent") << QByteArray() << false;
    QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded") << false;
    QTest::newRow("text") << QByteArray("text/plain") << false;
    QTest::newRow("latin1") << QByteArray("application/json; charset=iso-8859-1") << false;
    QTest::newRow("json-seq") << QByteArray("application/json-seq") << false;
    QTest::newRow("extra param") << QByteArray("application/json; charset=utf-8; x=y") << false;
}

void TestApiRequest::contentType()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, ok);
    const auto e = checkJsonContentType(value);
    QCOMPARE(!e.has_value(), ok);
    if (e)
        QCOMPARE(e->status, 400);
}

void TestApiRequest::idempotencyKey_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("present");
    QTest::addColumn<bool>("ok");
    QTest::newRow("absent") << QByteArray() << false << true;
    QTest::newRow("uuid") << QByteArray("3f2b8c1e-9d4a-4b7e-8f0a-1c2d3e4f5a6b") << true << true;
    QTest::newRow("dots colons") << QByteArray("order:42.retry_1") << true << true;
    QTest::newRow("100 chars") << QByteArray(100, 'a') << true << true;
    QTest::newRow("empty") << QByteArray() << true << false;
    QTest::newRow("101 chars") << QByteArray(101, 'a') << true << false;
    QTest::newRow("space") << QByteArray("a b") << true << false;
    QTest::newRow("slash") << QByteArray("a/b") << true << false;
    QTest::newRow("utf-8") << QByteArray("cl\xc3\xa9") << true << false;
    QTest::newRow("quote") << QByteArray("a\"b") << true << false;
}

void TestApiRequest::idempotencyKey()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, present);
    QFETCH(bool, ok);
    const auto key = parseIdempotencyKey(value, present);
    QCOMPARE(key.ok(), ok);
    if (key && present)
        QCOMPARE(key.value().value_or(QString()), QString::fromLatin1(value));
    if (key && !present)
        QVERIFY(!key.value().has_value());
    if (!key)
        QCOMPARE(key.error().status, 400);
}

void TestApiRequest::bearer_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("token"); // empty: refused
    QTest::newRow("plain") << QByteArray("Bearer hr_abc") << QStringLiteral("hr_abc");
    QTest::newRow("lower scheme") << QByteArray("bearer hr_abc") << QStringLiteral("hr_abc");
    QTest::newRow("spaces") << QByteArray("  Bearer   hr_abc  ") << QStringLiteral("hr_abc");
    QTest::newRow("basic") << QByteArray("Basic dXNlcjpwYXNz") << QString();
    QTest::newRow("no token") << QByteArray("Bearer") << QString();
    QTest::newRow("no token space") << QByteArray("Bearer   ") << QString();
    QTest::newRow("no space") << QByteArray("Bearerhr_abc") << QString();
    QTest::newRow("two tokens") << QByteArray("Bearer a b") << QString();
    QTest::newRow("combined headers") << QByteArray("Bearer a, Bearer b") << QString();
    QTest::newRow("control") << QByteArray("Bearer a\x01") << QString();
    QTest::newRow("high bytes") << QByteArray("Bearer \xc3\xa9") << QString();
    QTest::newRow("huge") << QByteArray("Bearer " + QByteArray(300, 'a')) << QString();
}

void TestApiRequest::bearer()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, token);
    const auto t = bearerToken(header);
    QCOMPARE(t.value_or(QString()), token);
}

void TestApiRequest::pathId_data()
{
    QTest::addColumn<QString>("segment");
    QTest::addColumn<qint64>("id"); // 0: refused
    QTest::newRow("one") << QStringLiteral("1") << 1LL;
    QTest::newRow("max") << QStringLiteral("9007199254740991") << 9007199254740991LL;
    QTest::newRow("zero") << QStringLiteral("0") << 0LL;
    QTest::newRow("leading zero") << QStringLiteral("01") << 0LL;
    QTest::newRow("negative") << QStringLiteral("-1") << 0LL;
    QTest::newRow("plus") << QStringLiteral("+1") << 0LL;
    QTest::newRow("over max") << QStringLiteral("9007199254740992") << 0LL;
    QTest::newRow("17 digits") << QStringLiteral("10000000000000000") << 0LL;
    QTest::newRow("letters") << QStringLiteral("abc") << 0LL;
    QTest::newRow("hex") << QStringLiteral("0x1") << 0LL;
    QTest::newRow("arabic digits") << QString::fromUtf8("\xd9\xa1") << 0LL;
    QTest::newRow("empty") << QString() << 0LL;
    QTest::newRow("space") << QStringLiteral("1 ") << 0LL;
}

void TestApiRequest::pathId()
{
    QFETCH(QString, segment);
    QFETCH(qint64, id);
    QCOMPARE(parsePathId(segment).value_or(0), id);
}

void TestApiRequest::queries_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("ok");
    QTest::newRow("bids none") << QStringLiteral("bids") << QString() << true;
    QTest::newRow("bids offer") << QStringLiteral("bids") << QStringLiteral("offer_id=3") << true;
    QTest::newRow("bids open") << QStringLiteral("bids") << QStringLiteral("open=true&offer_id=3")
                               << true;
    QTest::newRow("bids encoded") << QStringLiteral("bids") << QStringLiteral("offer%5Fid=3")
                                  << true;
    QTest::newRow("bids bad open") << QStringLiteral("bids") << QStringLiteral("open=yes") << false;
    QTest::newRow("bids bad id") << QStringLiteral("bids") << QStringLiteral("offer_id=x") << false;
    QTest::newRow("bids twice") << QStringLiteral("bids") << QStringLiteral("offer_id=1&offer_id=2")
                                << false;
    QTest::newRow("bids unknown") << QStringLiteral("bids") << QStringLiteral("purchaser_id=2")
                                  << false;
    QTest::newRow("bids empty pair") << QStringLiteral("bids") << QStringLiteral("&") << false;
    QTest::newRow("purchases state")
        << QStringLiteral("purchases") << QStringLiteral("state=approved") << true;
    QTest::newRow("purchases bad state")
        << QStringLiteral("purchases") << QStringLiteral("state=won") << false;
    QTest::newRow("none empty") << QStringLiteral("none") << QString() << true;
    QTest::newRow("none given") << QStringLiteral("none") << QStringLiteral("x=1") << false;
}

void TestApiRequest::queries()
{
    QFETCH(QString, route);
    QFETCH(QString, query);
    QFETCH(bool, ok);
    if (route == QLatin1String("bids")) {
        const auto q = parseBidQuery(query);
        QCOMPARE(q.ok(), ok);
        if (!q)
            QCOMPARE(q.error().status, 400);
    } else if (route == QLatin1String("purchases")) {
        const auto q = parsePurchaseQuery(query);
        QCOMPARE(q.ok(), ok);
        if (q && ok)
            QCOMPARE(q.value().state, std::optional(PurchaseState::Approved));
    } else {
        QCOMPARE(!checkNoQuery(query).has_value(), ok);
    }
}

QTEST_APPLESS_MAIN(TestApiRequest)
#include "tst_apirequest.moc"
