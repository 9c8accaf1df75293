#include "trafficgenerator.h"

#include "dns/dnsclient.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <algorithm>
#include <cmath>

namespace headroom {

namespace {
constexpr int kTickMs = 5;
constexpr int kDrainMs = 6000;
constexpr size_t kMaxLatencySamples = 200000;

double percentile(std::vector<float> values, double p)
{
    if (values.empty())
        return 0;
    const size_t k = std::min(values.size() - 1, size_t(std::floor(p * double(values.size()))));
    std::nth_element(values.begin(), values.begin() + qsizetype(k), values.end());
    return values[k];
}
} // namespace

QJsonObject TrafficReport::toJson() const
{
    QJsonObject targets;
    for (auto it = okByTarget.cbegin(); it != okByTarget.cend(); ++it)
        targets.insert(it.key(), it.value());
    QJsonObject errors;
    for (auto it = errorsByKind.cbegin(); it != errorsByKind.cend(); ++it)
        errors.insert(it.key(), it.value());
    return {
        {QStringLiteral("profile"), profile},
        {QStringLiteral("host"), host},
        {QStringLiteral("requested"), requested},
        {QStringLiteral("ok"), ok},
        {QStringLiteral("errors"), failed},
        {QStringLiteral("by_target"), targets},
        {QStringLiteral("errors_by_kind"), errors},
        {QStringLiteral("dns_queries"), qint64(dnsQueries)},
        {QStringLiteral("resolvers"), resolvers},
        {QStringLiteral("elapsed_s"), elapsedSeconds},
        {QStringLiteral("rate_rps"), elapsedSeconds > 0 ? double(ok + failed) / elapsedSeconds : 0},
        {QStringLiteral("latency_p50_ms"), latencyP50Ms},
        {QStringLiteral("latency_p99_ms"), latencyP99Ms}};
}

QString TrafficReport::toText() const
{
    QString out;
    const qint64 done = ok + failed;
    out += QStringLiteral("%1 load on %2: %3 requests, %4 ok, %5 errors in %6 s (%7 req/s)\n")
               .arg(profile, host)
               .arg(requested)
               .arg(ok)
               .arg(failed)
               .arg(elapsedSeconds, 0, 'f', 1)
               .arg(elapsedSeconds > 0 ? double(done) / elapsedSeconds : 0, 0, 'f', 1);
    out +=
        QStringLiteral("latency p50 %1 ms, p99 %2 ms; %3 DNS queries from %4 caching resolvers\n")
            .arg(latencyP50Ms, 0, 'f', 2)
            .arg(latencyP99Ms, 0, 'f', 2)
            .arg(dnsQueries)
            .arg(resolvers);
    out += QStringLiteral("responses by target address:\n");
    for (auto it = okByTarget.cbegin(); it != okByTarget.cend(); ++it) {
        out += QStringLiteral("  %1  %2  %3%\n")
                   .arg(it.key(), -15)
                   .arg(it.value(), 7)
                   .arg(ok > 0 ? 100.0 * double(it.value()) / double(ok) : 0, 5, 'f', 1);
    }
    if (!errorsByKind.isEmpty()) {
        out += QStringLiteral("errors:\n");
        for (auto it = errorsByKind.cbegin(); it != errorsByKind.cend(); ++it)
            out += QStringLiteral("  %1  %2\n").arg(it.key(), -20).arg(it.value(), 7);
    }
    return out;
}

TrafficGenerator::TrafficGenerator(TrafficOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_timer(new QTimer(this)),
      m_network(new QNetworkAccessManager(this)), m_dns(new DnsClient(this)),
      m_random(m_options.seed ? m_options.seed : QRandomGenerator::system()->generate())
{
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(kTickMs);
    connect(m_timer, &QTimer::timeout, this, &TrafficGenerator::tick);
    const int k = std::max(1, m_options.resolvers);
    for (int i = 0; i < k; ++i) {
        m_resolvers.push_back(std::make_unique<EmulatedResolver>(m_dns, m_options.servers,
                                                                 m_options.recursive, &m_clock));
    }
    m_report.profile = m_options.profile.name();
    m_report.host = m_options.host;
    m_report.resolvers = k;
}

TrafficGenerator::~TrafficGenerator() = default;

void TrafficGenerator::start()
{
    m_clock.start();
    m_nextReport = m_options.reportEverySeconds;
    m_timer->start();
}

void TrafficGenerator::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_timer->stop();
    m_stopAtMs = m_clock.elapsed();
    QTimer::singleShot(kDrainMs, this, [this] {
        m_inFlight = 0; // whatever is still out has timed out; its reply will be ignored
        maybeFinish();
    });
    maybeFinish();
}

void TrafficGenerator::tick()
{
    const double now = double(m_clock.nsecsElapsed()) / 1e9;
    const double duration = m_options.durationSeconds;
    const double end = duration > 0 ? std::min(now, duration) : now;
    // Integrate the offered rate over the elapsed slice (midpoint rule).
    if (end > m_lastTick) {
        m_due += m_options.profile.rateAt((m_lastTick + end) / 2) * (end - m_lastTick);
        m_lastTick = end;
    }
    while (double(m_report.requested) + 1 <= m_due + 1e-9)
        issue();
    if (m_options.reportEverySeconds > 0 && now >= m_nextReport) {
        m_nextReport += m_options.reportEverySeconds;
        Q_EMIT progress(report());
    }
    if (duration > 0 && now >= duration)
        stop();
}

void TrafficGenerator::issue()
{
    ++m_report.requested;
    if (m_inFlight >= m_options.maxInFlight) {
        fail(QStringLiteral("client-overload"));
        return;
    }
    ++m_inFlight;
    auto &resolver = *m_resolvers[size_t(m_random.bounded(int(m_resolvers.size())))];
    resolver.resolve(m_options.host,
                     [this](const QList<QHostAddress> &addresses, const QString &error) {
                         if (!error.isEmpty() || addresses.isEmpty()) {
                             --m_inFlight;
                             fail(error.isEmpty() ? QStringLiteral("dns-empty-answer") : error);
                             return;
                         }
                         send(addresses.at(m_random.bounded(int(addresses.size()))));
                     });
}

void TrafficGenerator::send(const QHostAddress &address)
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(address.toString());
    url.setPort(m_options.httpPort);
    url.setPath(m_options.path);
    QNetworkRequest request(url);
    request.setRawHeader("Host", m_options.host.toLatin1());
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(m_options.requestTimeoutMs);
    const qint64 sentNs = m_clock.nsecsElapsed();
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, address, sentNs] {
        reply->deleteLater();
        if (m_finished)
            return; // drained already: counted as timed out by the report's requested total
        --m_inFlight;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 400) {
            ++m_report.ok;
            ++m_report.okByTarget[address.toString()];
            if (m_latencies.size() < kMaxLatencySamples)
                m_latencies.push_back(float(double(m_clock.nsecsElapsed() - sentNs) / 1e6));
        } else if (status > 0) {
            fail(QStringLiteral("http-%1").arg(status));
        } else if (reply->error() == QNetworkReply::OperationCanceledError ||
                   reply->error() == QNetworkReply::TimeoutError) {
            fail(QStringLiteral("http-timeout"));
        } else if (reply->error() == QNetworkReply::ConnectionRefusedError) {
            fail(QStringLiteral("connect-refused"));
        } else if (reply->error() == QNetworkReply::RemoteHostClosedError) {
            fail(QStringLiteral("connection-closed"));
        } else {
            fail(QStringLiteral("network-error"));
        }
        maybeFinish();
    });
}

void TrafficGenerator::fail(const QString &kind)
{
    ++m_report.failed;
    ++m_report.errorsByKind[kind];
}

void TrafficGenerator::maybeFinish()
{
    if (!m_stopping || m_finished || m_inFlight > 0)
        return;
    m_finished = true;
    m_timer->stop();
    const TrafficReport r = report();
    QTimer::singleShot(0, this, [this, r] { Q_EMIT finished(r); });
}

TrafficReport TrafficGenerator::report() const
{
    TrafficReport r = m_report;
    quint64 queries = 0;
    for (const auto &res : m_resolvers)
        queries += res->queriesSent();
    r.dnsQueries = queries;
    const qint64 endMs = m_stopAtMs >= 0 ? m_stopAtMs : m_clock.elapsed();
    r.elapsedSeconds = double(endMs) / 1000.0;
    r.latencyP50Ms = percentile(m_latencies, 0.50);
    r.latencyP99Ms = percentile(m_latencies, 0.99);
    return r;
}

} // namespace headroom
