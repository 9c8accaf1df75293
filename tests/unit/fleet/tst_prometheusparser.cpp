// The Prometheus text parser on a real HAProxy 2.6 capture and on hostile inputs.

#include "fleet/prometheusparser.h"

#include <QFile>
#include <QtTest>
#include <cmath>

using namespace headroom;

class TestPrometheusParser final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void realHaproxyCapture();
    void goodLines_data();
    void goodLines();
    void hostile_data();
    void hostile();
    void sizeLimits();
    void extractErrors_data();
    void extractErrors();
};

void TestPrometheusParser::realHaproxyCapture()
{
    QFile f(QStringLiteral(FLEET_TEST_DATA "/haproxy-metrics.txt"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QString error;
    const auto samples = parsePrometheusText(text, &error);
    QVERIFY2(samples, qPrintable(error));
    QVERIFY(samples->size() > 200);
    const auto c = extractCounters(*samples, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->requests, 4u);
    QCOMPARE(c->bytesOut, 404u);
    QCOMPARE(c->currentSessions, 0.0);
    QVERIFY(c->processStartTime > 1.6e9);
    const auto metrics = extractCounters(*samples, &error, QStringLiteral("metrics"));
    QVERIFY2(metrics, qPrintable(error));
    QCOMPARE(metrics->requests, 1u);
    QCOMPARE(metrics->currentSessions, 1.0);

    // Cut anywhere inside a line: always an error, never a crash.
    for (qsizetype cut = 1; cut < text.size(); cut += 97) {
        if (text[cut - 1] == '\n')
            continue;
        QVERIFY(!parsePrometheusText(text.left(cut), &error));
        QVERIFY(error.contains(QStringLiteral("truncated")));
    }
}

void TestPrometheusParser::goodLines_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("labelValue");
    QTest::addColumn<double>("value");

    QTest::newRow("plain") << QByteArray("a 1\n") << "a"
                           << ""
                           << "" << 1.0;
    QTest::newRow("colon name") << QByteArray("a:b_c 2.5\n") << "a:b_c"
                                << ""
                                << "" << 2.5;
    QTest::newRow("labels") << QByteArray("x{proxy=\"http\",b=\"2\"} 3\n") << "x"
                            << "proxy"
                            << "http" << 3.0;
    QTest::newRow("trailing comma") << QByteArray("x{a=\"1\",} 3\n") << "x"
                                    << "a"
                                    << "1" << 3.0;
    QTest::newRow("empty labels") << QByteArray("x{} 7\n") << "x"
                                  << ""
                                  << "" << 7.0;
    QTest::newRow("escapes") << QByteArray("x{a=\"q\\\"b\\\\s\\nn\"} 1\n") << "x"
                             << "a"
                             << "q\"b\\s\nn" << 1.0;
    QTest::newRow("byte order mark kept")
        << QByteArray("x{proxy=\"\xef\xbb\xbfhttp\"} 1\n") << "x"
        << "proxy" << QString(QChar(0xfeff)) + QStringLiteral("http") << 1.0;
    QTest::newRow("utf8 value") << QByteArray("x{a=\"caf\xc3\xa9\"} 1\n") << "x"
                                << "a" << QString::fromUtf8("caf\xc3\xa9") << 1.0;
    QTest::newRow("exponent") << QByteArray("x 1.5e3\n") << "x"
                              << ""
                              << "" << 1500.0;
    QTest::newRow("negative") << QByteArray("x -2\n") << "x"
                              << ""
                              << "" << -2.0;
    QTest::newRow("+Inf") << QByteArray("x +Inf\n") << "x"
                          << ""
                          << "" << qInf();
    QTest::newRow("-Inf") << QByteArray("x -Inf\n") << "x"
                          << ""
                          << "" << -qInf();
    QTest::newRow("timestamp") << QByteArray("x 4 1700000000000\n") << "x"
                               << ""
                               << "" << 4.0;
    QTest::newRow("comments") << QByteArray("# HELP x Some \\\\ help\\n\n# TYPE x counter\n"
                                            "# just a comment\n\nx 5\n")
                              << "x"
                              << ""
                              << "" << 5.0;
}

void TestPrometheusParser::goodLines()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, name);
    QFETCH(QString, label);
    QFETCH(QString, labelValue);
    QFETCH(double, value);
    QString error;
    const auto samples = parsePrometheusText(text, &error);
    QVERIFY2(samples, qPrintable(error));
    QCOMPARE(samples->size(), 1);
    QCOMPARE(samples->first().name, name);
    if (!label.isEmpty())
        QCOMPARE(samples->first().labels.value(label), labelValue);
    QCOMPARE(samples->first().value, value);
}

void TestPrometheusParser::hostile_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("no final newline") << QByteArray("a 1\nb 2") << "line 2: no final newline";
    QTest::newRow("binary") << QByteArray("\x01\x02\x03\n") << "line 1: expected a metric name";
    QTest::newRow("nul") << QByteArray("a 1\na\0 1\n", 9) << "line 2: control character";
    QTest::newRow("digit first") << QByteArray("1a 1\n") << "line 1: expected a metric name";
    QTest::newRow("no value") << QByteArray("a\n") << "line 1: expected a space";
    QTest::newRow("bad value") << QByteArray("a 1x\n") << "line 1: invalid value";
    QTest::newRow("nan spelled") << QByteArray("a nan\n") << "line 1: invalid value";
    QTest::newRow("hex") << QByteArray("a 0x10\n") << "line 1: invalid value";
    QTest::newRow("lone dot") << QByteArray("a .\n") << "line 1: invalid value";
    QTest::newRow("bad exponent") << QByteArray("a 1e\n") << "line 1: invalid value";
    QTest::newRow("unterminated labels")
        << QByteArray("a{b=\"1\" 1\n") << "line 1: expected ',' or '}'";
    QTest::newRow("unterminated value")
        << QByteArray("a{b=\"1} 1\n") << "line 1: unterminated value";
    QTest::newRow("unquoted value") << QByteArray("a{b=1} 1\n") << "line 1: expected '\"'";
    QTest::newRow("bad escape") << QByteArray("a{b=\"\\t\"} 1\n") << "line 1: invalid escape";
    QTest::newRow("escape at end") << QByteArray("a{b=\"\\") + "\n"
                                   << "line 1: unterminated escape";
    QTest::newRow("duplicate label")
        << QByteArray("a{b=\"1\",b=\"2\"} 1\n") << "line 1: duplicate label b";
    QTest::newRow("duplicate series")
        << QByteArray("a{b=\"1\"} 1\nc 2\na{b=\"1\"} 3\n") << "line 3: duplicate series a";
    QTest::newRow("label name with colon")
        << QByteArray("a{b:c=\"1\"} 1\n") << "line 1: expected '='";
    QTest::newRow("bad utf8 label") << QByteArray("a{b=\"\xff\xfe\"} 1\n")
                                    << "line 1: value of "
                                       "label b is not "
                                       "UTF-8";
    QTest::newRow("bad timestamp") << QByteArray("a 1 12.5\n") << "line 1: invalid timestamp";
    QTest::newRow("junk after timestamp") << QByteArray("a 1 12 x\n") << "line 1: unexpected";
    QTest::newRow("unknown type") << QByteArray("# TYPE a countr\na 1\n") << "line 1: unknown TYPE";
    QTest::newRow("second type") << QByteArray("# TYPE a counter\n# TYPE a gauge\n")
                                 << "line 2: second TYPE for a";
    QTest::newRow("help without name") << QByteArray("# HELP \n") << "line 1: HELP without";
    QTest::newRow("carriage return") << QByteArray("a 1\r\n") << "line 1: control character";
    QTest::newRow("long label value") << QByteArray("a{b=\"" + QByteArray(2000, 'x') + "\"} 1\n")
                                      << "line 1: value of label b "
                                         "longer than 1024";
}

void TestPrometheusParser::hostile()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!parsePrometheusText(text, &actual));
    QVERIFY2(actual.startsWith(error), qPrintable(actual));
}

void TestPrometheusParser::sizeLimits()
{
    QString error;
    PrometheusLimits limits;
    limits.maxBytes = 100;
    QVERIFY(!parsePrometheusText(QByteArray(200, '#') + '\n', &error, limits));
    QVERIFY(error.contains(QStringLiteral("larger than 100")));

    limits = {};
    limits.maxSamples = 3;
    QVERIFY(!parsePrometheusText("a 1\nb 1\nc 1\nd 1\n", &error, limits));
    QCOMPARE(error, QStringLiteral("line 4: more than 3 samples"));

    limits = {};
    limits.maxLabelsPerSample = 2;
    QVERIFY(!parsePrometheusText("a{b=\"1\",c=\"1\",d=\"1\"} 1\n", &error, limits));
    QVERIFY(error.contains(QStringLiteral("more than 2 labels")));

    // The default cap: 8 MiB + 1 byte is refused before parsing.
    QVERIFY(!parsePrometheusText(QByteArray(8 * 1024 * 1024 + 1, '\n'), &error));
    QVERIFY(error.contains(QStringLiteral("larger than")));
}

void TestPrometheusParser::extractErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    const QByteArray req = "haproxy_frontend_http_requests_total{proxy=\"http\"} 10\n";
    const QByteArray bytes = "haproxy_frontend_bytes_out_total{proxy=\"http\"} 1000\n";
    const QByteArray sess = "haproxy_frontend_current_sessions{proxy=\"http\"} 2\n";
    QTest::newRow("ok") << req + bytes + sess << "";
    QTest::newRow("missing requests") << bytes + sess << "haproxy_frontend_http_requests_total";
    QTest::newRow("missing sessions") << req + bytes << "haproxy_frontend_current_sessions";
    QTest::newRow("other frontend only")
        << QByteArray("haproxy_frontend_http_requests_total{proxy=\"x\"} 10\n") + bytes + sess
        << "haproxy_frontend_http_requests_total{proxy=\"http\"} missing";
    QTest::newRow("negative") << QByteArray(
                                     "haproxy_frontend_http_requests_total{proxy=\"http\"} -1\n") +
                                     bytes + sess
                              << "haproxy_frontend_http_requests_total is not a valid counter";
    QTest::newRow("fraction") << QByteArray(
                                     "haproxy_frontend_http_requests_total{proxy=\"http\"} 1.5\n") +
                                     bytes + sess
                              << "haproxy_frontend_http_requests_total is not a valid counter";
    QTest::newRow("NaN") << req + "haproxy_frontend_bytes_out_total{proxy=\"http\"} NaN\n" + sess
                         << "haproxy_frontend_bytes_out_total is not a valid counter";
    QTest::newRow("huge") << req + "haproxy_frontend_bytes_out_total{proxy=\"http\"} 1e300\n" + sess
                          << "haproxy_frontend_bytes_out_total is not a valid counter";
    QTest::newRow("twice") << req + bytes + sess +
                                  "haproxy_frontend_current_sessions{proxy=\"http\",x=\"1\"} 2\n"
                           << "haproxy_frontend_current_sessions appears twice";
}

void TestPrometheusParser::extractErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString parseError;
    const auto samples = parsePrometheusText(text, &parseError);
    QVERIFY2(samples, qPrintable(parseError));
    QString actual;
    const auto c = extractCounters(*samples, &actual);
    if (error.isEmpty()) {
        QVERIFY2(c, qPrintable(actual));
        QCOMPARE(c->requests, 10u);
        QCOMPARE(c->bytesOut, 1000u);
        QCOMPARE(c->currentSessions, 2.0);
        QCOMPARE(c->processStartTime, 0.0);
    } else {
        QVERIFY(!c);
        QVERIFY2(actual.startsWith(error), qPrintable(actual));
    }
}

QTEST_GUILESS_MAIN(TestPrometheusParser)
#include "tst_prometheusparser.moc"
