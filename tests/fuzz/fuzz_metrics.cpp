// Fuzz target: what the proxies answer the fleet scraper. The first byte selects the parser, the
// rest is the reply: even - a Prometheus scrape (parsePrometheusText, then extractCounters as the
// scraper calls it); odd - HAProxy's `show table` reply (parseStickyTable).
//
// Invariants: an error names its line; whatever is accepted keeps the documented shape (names,
// label counts, host-name keys, counters below 2^53), parsing is monotonic in its limits, and what
// is accepted survives a round trip: printed again in the same format, it parses to the same
// values.

#include "fleet/prometheusparser.h"
#include "fleet/stickytableparser.h"
#include "fuzzcheck.h"

#include <QSet>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace headroom;

namespace {

bool isMetricName(const QString &name, bool allowColon)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name.at(i).unicode();
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
        const bool digit = c >= u'0' && c <= u'9';
        if (!(letter || (allowColon && c == u':') || (i > 0 && digit)))
            return false;
    }
    return true;
}

bool sameValue(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0; // tells -0 from 0 as well
}

bool sameSamples(const QList<PrometheusSample> &a, const QList<PrometheusSample> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].name != b[i].name || a[i].labels != b[i].labels ||
            !sameValue(a[i].value, b[i].value))
            return false;
    }
    return true;
}

// Exact (17 significant digits) and with the sign of -0, which QByteArray::number() drops.
QByteArray printed(double value)
{
    char buffer[40];
    const int n = std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return QByteArray(buffer, n);
}

// The exposition format again, as an exporter would write the accepted samples.
QByteArray printPrometheus(const QList<PrometheusSample> &samples)
{
    QByteArray out;
    for (const PrometheusSample &s : samples) {
        out += s.name.toLatin1();
        if (!s.labels.isEmpty()) {
            QByteArrayList labels;
            for (auto it = s.labels.cbegin(); it != s.labels.cend(); ++it) {
                QByteArray value = it.value().toUtf8();
                value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
                labels << it.key().toLatin1() + "=\"" + value + '"';
            }
            out += '{' + labels.join(',') + '}';
        }
        out += ' ';
        if (std::isnan(s.value))
            out += "NaN";
        else if (std::isinf(s.value))
            out += s.value > 0 ? "+Inf" : "-Inf";
        else
            out += printed(s.value);
        out += '\n';
    }
    return out;
}

void checkPrometheus(const QByteArray &text)
{
    QString error;
    const auto samples = parsePrometheusText(text, &error);

    // The same text under tight limits: what passes them passes the defaults, unchanged.
    PrometheusLimits tight;
    tight.maxBytes = 3000;
    tight.maxSamples = 4;
    tight.maxLineLength = 120;
    tight.maxLabelsPerSample = 2;
    tight.maxLabelValueLength = 8;
    QString tightError;
    const auto tightSamples = parsePrometheusText(text, &tightError, tight);
    if (tightSamples) {
        FUZZ_CHECK(samples, error);
        FUZZ_CHECK(sameSamples(*tightSamples, *samples));
        FUZZ_CHECK(tightSamples->size() <= tight.maxSamples);
        for (const PrometheusSample &s : *tightSamples) {
            FUZZ_CHECK(s.labels.size() <= tight.maxLabelsPerSample);
            for (const QString &v : s.labels)
                FUZZ_CHECK(v.toUtf8().size() <= tight.maxLabelValueLength);
        }
    } else {
        FUZZ_CHECK(!tightError.isEmpty());
    }

    if (!samples) {
        FUZZ_CHECK(error.startsWith(QLatin1String("line ")) ||
                       error.startsWith(QLatin1String("metrics larger than")),
                   error);
        return;
    }
    QSet<QString> series;
    for (const PrometheusSample &s : *samples) {
        FUZZ_CHECK(isMetricName(s.name, true), s.name);
        FUZZ_CHECK(s.labels.size() <= PrometheusLimits().maxLabelsPerSample);
        QStringList key{s.name};
        for (auto it = s.labels.cbegin(); it != s.labels.cend(); ++it) {
            FUZZ_CHECK(isMetricName(it.key(), false), it.key());
            FUZZ_CHECK(it.value().toUtf8().size() <= PrometheusLimits().maxLabelValueLength);
            key << it.key() + QLatin1Char('\0') + it.value();
        }
        std::sort(key.begin() + 1, key.end());
        const QString joined = key.join(QLatin1Char('\0'));
        FUZZ_CHECK(!series.contains(joined), s.name); // no duplicate series
        series.insert(joined);
    }

    const QByteArray printed = printPrometheus(*samples);
    QString reparseError;
    const auto reparsed = parsePrometheusText(printed, &reparseError);
    FUZZ_CHECK(reparsed, reparseError + QLatin1Char('\n') + QString::fromUtf8(printed));
    FUZZ_CHECK(sameSamples(*samples, *reparsed), QString::fromUtf8(printed));

    // As the scraper uses them.
    QString counterError;
    const auto counters = extractCounters(*samples, &counterError);
    if (counters) {
        FUZZ_CHECK(counters->requests <= (quint64(1) << 53));
        FUZZ_CHECK(counters->bytesOut <= (quint64(1) << 53));
        FUZZ_CHECK(std::isfinite(counters->currentSessions) && counters->currentSessions >= 0);
        FUZZ_CHECK(std::isfinite(counters->processStartTime) && counters->processStartTime >= 0);
    } else {
        FUZZ_CHECK(!counterError.isEmpty());
    }
}

QByteArray printStickyTable(const StickyTable &table)
{
    QByteArray out = "# table: " + table.name.toLatin1() +
                     ", type: string, size:102400, used:" + QByteArray::number(table.sites.size()) +
                     '\n';
    quint64 address = 0x55d0c0ffe000;
    for (auto it = table.sites.cbegin(); it != table.sites.cend(); ++it) {
        out += "0x" + QByteArray::number(address += 0x1d0, 16) + ": key=" + it.key().toLatin1() +
               " use=0 exp=86399000 http_req_cnt=" + QByteArray::number(it.value().requests) +
               " http_req_rate(1000)=0 bytes_out_cnt=" + QByteArray::number(it.value().bytesOut) +
               '\n';
    }
    return out + '\n';
}

void checkStickyTable(const QByteArray &reply)
{
    QString error;
    const auto table = parseStickyTable(reply, &error);
    if (!table) {
        FUZZ_CHECK(error.startsWith(QLatin1String("line ")) ||
                       error.startsWith(QLatin1String("reply larger than")) ||
                       error == QLatin1String("empty reply"),
                   error);
        return;
    }
    FUZZ_CHECK(!table->name.isEmpty() && table->name.size() <= 64);
    for (const QChar c : table->name) {
        const char16_t u = c.unicode();
        FUZZ_CHECK((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') ||
                       (u >= u'0' && u <= u'9') || u == u'_' || u == u'-' || u == u'.',
                   table->name);
    }
    for (auto it = table->sites.cbegin(); it != table->sites.cend(); ++it) {
        // Keys come from clients' Host headers: only host names (with a generation) get through.
        const QByteArray key = it.key().toLatin1();
        FUZZ_CHECK(QString::fromLatin1(key) == it.key());
        const QString site = siteOfKey(key);
        FUZZ_CHECK(!site.isEmpty(), it.key());
        FUZZ_CHECK(isValidHostName(site.toLatin1()), site);
        FUZZ_CHECK(key == site.toLatin1() || key.startsWith(site.toLatin1() + '/'), it.key());
        for (const QChar c : site) {
            const char16_t u = c.unicode();
            FUZZ_CHECK((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' ||
                           u == u'.',
                       site);
        }
        FUZZ_CHECK(it.value().requests <= (quint64(1) << 53));
        FUZZ_CHECK(it.value().bytesOut <= (quint64(1) << 53));
    }
    for (const QString &rejected : table->rejected)
        FUZZ_CHECK(rejected.startsWith(QLatin1String("line ")) && fuzz::isPrintableAscii(rejected),
                   rejected);

    const QByteArray printed = printStickyTable(*table);
    QString reparseError;
    const auto reparsed = parseStickyTable(printed, &reparseError);
    FUZZ_CHECK(reparsed, reparseError + QLatin1Char('\n') + QString::fromLatin1(printed));
    FUZZ_CHECK(reparsed->name == table->name);
    FUZZ_CHECK(reparsed->rejected.isEmpty());
    FUZZ_CHECK(reparsed->sites.size() == table->sites.size());
    for (auto it = table->sites.cbegin(); it != table->sites.cend(); ++it) {
        FUZZ_CHECK(reparsed->sites.contains(it.key()), it.key());
        const SiteCounters again = reparsed->sites.value(it.key());
        FUZZ_CHECK(again.requests == it.value().requests && again.bytesOut == it.value().bytesOut);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray reply = fuzz::bytesOf(data + 1, size - 1);
    if (data[0] % 2 == 0)
        checkPrometheus(reply);
    else
        checkStickyTable(reply);
    return 0;
}
