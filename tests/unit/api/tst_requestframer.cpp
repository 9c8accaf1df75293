// The HTTP front door of the purchaser API: which byte streams make one complete request, which
// need more, and which are refused with which status - fed in one piece and byte by byte.

#include "api/requestframer.h"

#include <QtTest>

using namespace headroom;

class TestRequestFramer final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void frames_data();
    void frames();
    void nextRequestAfterTheAnswer();
    void pipelinedBytesWhileAnswerPending();
    void expectContinue();
    void keepAlive_data();
    void keepAlive();
};

namespace {

// "complete", "more", or the refusal's status.
QString outcome(RequestFramer &framer, const QByteArrayList &chunks)
{
    QString last = QStringLiteral("more");
    for (const QByteArray &chunk : chunks) {
        const auto v = framer.feed(chunk);
        if (v.kind == RequestFramer::Verdict::Kind::Reject)
            return QString::number(v.status);
        if (v.kind == RequestFramer::Verdict::Kind::Complete)
            last = QStringLiteral("complete");
        else if (last != QLatin1String("complete"))
            last = QStringLiteral("more");
    }
    return last;
}

QByteArrayList bytewise(const QByteArrayList &chunks)
{
    QByteArrayList out;
    for (const QByteArray &c : chunks) {
        for (const char b : c)
            out.append(QByteArray(1, b));
    }
    return out;
}

} // namespace

void TestRequestFramer::frames_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QString>("expected");
    const QByteArray get = "GET /v1/offers HTTP/1.1\r\nHost: x\r\n\r\n";
    const QByteArray post = "POST /v1/bids HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
    QTest::newRow("get") << QByteArrayList{get} << QStringLiteral("complete");
    QTest::newRow("get split") << QByteArrayList{get.left(10), get.mid(10)}
                               << QStringLiteral("complete");
    QTest::newRow("lf only") << QByteArrayList{"GET / HTTP/1.1\nHost: x\n\n"}
                             << QStringLiteral("complete");
    QTest::newRow("no headers") << QByteArrayList{"GET / HTTP/1.0\r\n\r\n"}
                                << QStringLiteral("complete");
    QTest::newRow("blank lines first")
        << QByteArrayList{"\r\n\r\n" + get} << QStringLiteral("complete");
    QTest::newRow("head incomplete")
        << QByteArrayList{get.left(get.size() - 2)} << QStringLiteral("more");
    QTest::newRow("post body") << QByteArrayList{post + "12345"} << QStringLiteral("complete");
    QTest::newRow("post body later")
        << QByteArrayList{post, "12", "345"} << QStringLiteral("complete");
    QTest::newRow("post body short") << QByteArrayList{post + "1234"} << QStringLiteral("more");
    QTest::newRow("post body zero")
        << QByteArrayList{"POST /v1/bids HTTP/1.1\r\nContent-Length: 0\r\n\r\n"}
        << QStringLiteral("complete");
    QTest::newRow("body limit exactly")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 16384\r\n\r\n" +
                          QByteArray(16384, 'x')}
        << QStringLiteral("complete");
    QTest::newRow("body over limit: refused before the body")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 16385\r\n\r\n"}
        << QStringLiteral("413");
    QTest::newRow("huge content-length")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\n"}
        << QStringLiteral("413");
    QTest::newRow("content-length overflow")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"}
        << QStringLiteral("400");
    QTest::newRow("negative content-length")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("content-length junk")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("two different content-lengths")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"}
        << QStringLiteral("400");
    QTest::newRow("two equal content-lengths")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx"}
        << QStringLiteral("complete");
    QTest::newRow("chunked")
        << QByteArrayList{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"}
        << QStringLiteral("411");
    QTest::newRow("chunked and length")
        << QByteArrayList{"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
                          "\r\n"}
        << QStringLiteral("411");
    QTest::newRow("websocket upgrade")
        << QByteArrayList{"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"}
        << QStringLiteral("400");
    QTest::newRow("head too large")
        << QByteArrayList{"GET / HTTP/1.1\r\nX: " + QByteArray(9000, 'a') + "\r\n\r\n"}
        << QStringLiteral("431");
    QTest::newRow("endless header without newline")
        << QByteArrayList{"GET / HTTP/1.1\r\nX: ", QByteArray(5000, 'a'), QByteArray(5000, 'a')}
        << QStringLiteral("431");
    QTest::newRow("too many header lines")
        << QByteArrayList{"GET / HTTP/1.1\r\n" + QByteArray("A: b\r\n").repeated(65) + "\r\n"}
        << QStringLiteral("431");
    QTest::newRow("target too long")
        << QByteArrayList{"GET /" + QByteArray(3000, 'a') + " HTTP/1.1\r\n\r\n"}
        << QStringLiteral("414");
    QTest::newRow("endless request line")
        << QByteArrayList{"GET /" + QByteArray(3000, 'a')} << QStringLiteral("414");
    QTest::newRow("blank flood") << QByteArrayList{QByteArray(9000, '\n')} << QStringLiteral("400");
    QTest::newRow("garbage") << QByteArrayList{"\x16\x03\x01\x02\xfc\r\n\r\n"}
                             << QStringLiteral("400");
    QTest::newRow("lower-case method")
        << QByteArrayList{"get / HTTP/1.1\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("two spaces") << QByteArrayList{"GET  / HTTP/1.1\r\n\r\n"}
                                << QStringLiteral("400");
    QTest::newRow("absolute form")
        << QByteArrayList{"GET http://x/ HTTP/1.1\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("http/2") << QByteArrayList{"GET / HTTP/2.0\r\n\r\n"} << QStringLiteral("505");
    QTest::newRow("no version") << QByteArrayList{"GET /\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("raw utf-8 in target")
        << QByteArrayList{"GET /\xc3\xa9 HTTP/1.1\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("folded header")
        << QByteArrayList{"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("header without colon")
        << QByteArrayList{"GET / HTTP/1.1\r\nX\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("space before colon")
        << QByteArrayList{"GET / HTTP/1.1\r\nX : a\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("control in value")
        << QByteArrayList{"GET / HTTP/1.1\r\nX: a\x01\r\n\r\n"} << QStringLiteral("400");
    QTest::newRow("nul in value") << QByteArrayList{QByteArray("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n",
                                                               26)}
                                  << QStringLiteral("400");
    QTest::newRow("pipelined") << QByteArrayList{get + get} << QStringLiteral("400");
    QTest::newRow("pipelined after body")
        << QByteArrayList{post + "12345GET"} << QStringLiteral("400");
    QTest::newRow("trailing blank line")
        << QByteArrayList{post + "12345\r\n"} << QStringLiteral("complete");
}

void TestRequestFramer::frames()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QString, expected);
    RequestFramer whole;
    QCOMPARE(outcome(whole, chunks), expected);
    RequestFramer byByte;
    QCOMPARE(outcome(byByte, bytewise(chunks)), expected);
}

void TestRequestFramer::nextRequestAfterTheAnswer()
{
    RequestFramer f;
    const QByteArray get = "GET /v1/bids?open=true HTTP/1.1\r\nHost: x\r\n\r\n";
    QCOMPARE(outcome(f, {get}), QStringLiteral("complete"));
    QCOMPARE(f.method(), QByteArray("GET"));
    QCOMPARE(f.target(), QByteArray("/v1/bids?open=true"));
    QVERIFY(f.awaitingResponse());
    f.responseSent();
    QVERIFY(f.idle());
    QCOMPARE(outcome(f, {"DELETE /v1/bids/3 HTTP/1.1\r\n\r\n"}), QStringLiteral("complete"));
    QCOMPARE(f.method(), QByteArray("DELETE"));
    QCOMPARE(f.target(), QByteArray("/v1/bids/3"));
}

void TestRequestFramer::pipelinedBytesWhileAnswerPending()
{
    RequestFramer f;
    QCOMPARE(outcome(f, {"GET / HTTP/1.1\r\n\r\n"}), QStringLiteral("complete"));
    QCOMPARE(outcome(f, {"\r\n"}), QStringLiteral("more")); // blank: tolerated
    QCOMPARE(outcome(f, {"G"}), QStringLiteral("400"));
}

void TestRequestFramer::expectContinue()
{
    RequestFramer f;
    const auto v = f.feed("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    QCOMPARE(v.kind, RequestFramer::Verdict::Kind::NeedMore);
    QVERIFY(v.sendContinue);
    QCOMPARE(f.feed("abc").kind, RequestFramer::Verdict::Kind::Complete);
    // Too large: refused at once, the client never sends the body.
    RequestFramer g;
    const auto r =
        g.feed("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
    QCOMPARE(r.kind, RequestFramer::Verdict::Kind::Reject);
    QCOMPARE(r.status, 413);
}

void TestRequestFramer::keepAlive_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("close");
    QTest::newRow("1.1") << QByteArray("GET / HTTP/1.1\r\n\r\n") << false;
    QTest::newRow("1.1 close") << QByteArray("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") << true;
    QTest::newRow("1.1 Close list")
        << QByteArray("GET / HTTP/1.1\r\nConnection: TE, Close\r\n\r\n") << true;
    QTest::newRow("1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << true;
    QTest::newRow("1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
}

void TestRequestFramer::keepAlive()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, close);
    RequestFramer f;
    QCOMPARE(outcome(f, {request}), QStringLiteral("complete"));
    QCOMPARE(f.closeAfterResponse(), close);
}

QTEST_APPLESS_MAIN(TestRequestFramer)
#include "tst_requestframer.moc"
