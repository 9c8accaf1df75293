#include "fleetscraper.h"

#include "runtimeapi.h"
#include "sandbox/sandboxlayout.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>
#include <algorithm>

namespace headroom {

namespace {
constexpr qsizetype kMaxMetricsBytes = 8 * 1024 * 1024;
constexpr int kMissesForDown = 2;
// How long the history of a stick-table entry outlives its absence from the table.
constexpr qint64 kForgetAbsentNs = 60'000'000'000;
} // namespace

ScrapeTarget ScrapeTarget::fromEndpoint(const ProxyEndpoint &endpoint)
{
    // The operator-level socket, used only to read: scraping never needs the admin one.
    return {endpoint.name, endpoint.address, endpoint.metricsPort, endpoint.monitorSocket};
}

FleetScraper::FleetScraper(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)), m_timer(new QTimer(this)),
      m_deadline(new QTimer(this)),
      m_run(QString::number(QRandomGenerator::system()->generate64(), 36))
{
    m_clock.start();
    m_timer->setInterval(1000);
    m_deadline->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &FleetScraper::pollNow);
    connect(m_deadline, &QTimer::timeout, this, &FleetScraper::finishPoll);
}

FleetScraper::~FleetScraper()
{
    for (auto &p : m_proxies)
        abortPending(*p);
}

void FleetScraper::setProxies(const QList<ScrapeTarget> &proxies)
{
    for (auto &p : m_proxies) {
        abortPending(*p);
        delete p->runtime;
    }
    m_proxies.clear();
    m_polling = false;
    m_deadline->stop();
    for (const auto &t : proxies) {
        auto p = std::make_unique<Proxy>();
        p->target = t;
        p->runtime = new RuntimeApi(t.runtimeSocket, this);
        m_proxies.push_back(std::move(p));
    }
}

void FleetScraper::setProxies(const QList<ProxyEndpoint> &proxies)
{
    QList<ScrapeTarget> targets;
    for (const auto &e : proxies)
        targets.append(ScrapeTarget::fromEndpoint(e));
    setProxies(targets);
}

void FleetScraper::setInterval(int milliseconds)
{
    m_timer->setInterval(std::max(milliseconds, 50));
}

void FleetScraper::setTimeout(int milliseconds)
{
    m_timeoutMs = std::max(milliseconds, 0);
}

int FleetScraper::interval() const
{
    return m_timer->interval();
}

int FleetScraper::effectiveTimeout() const
{
    const int interval = m_timer->interval();
    const int ceiling = std::max(interval - std::max(interval / 10, 20), 10);
    if (m_timeoutMs <= 0)
        return std::max(interval * 4 / 5, 10);
    return std::clamp(m_timeoutMs, 10, ceiling);
}

bool FleetScraper::isRunning() const
{
    return m_timer->isActive();
}

void FleetScraper::start()
{
    m_timer->start();
    pollNow();
}

void FleetScraper::stop()
{
    m_timer->stop();
    m_deadline->stop();
    m_polling = false;
    for (auto &p : m_proxies)
        abortPending(*p);
}

void FleetScraper::pollNow()
{
    if (m_polling)
        finishPoll(); // cannot happen with timeout < interval, but never overlap polls
    ++m_poll;
    m_polling = true;
    for (int i = 0; i < int(m_proxies.size()); ++i)
        scrape(i);
    m_deadline->start(effectiveTimeout());
    if (m_proxies.empty())
        finishPoll();
}

void FleetScraper::abortPending(Proxy &p)
{
    if (p.reply) {
        QNetworkReply *reply = p.reply;
        p.reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    if (p.runtime)
        p.runtime->abortAll();
}

void FleetScraper::scrape(int index)
{
    Proxy &p = *m_proxies[size_t(index)];
    abortPending(p);
    p.counters.reset();
    p.table.reset();
    p.error.clear();
    p.metricsDone = false;
    p.tableDone = false;
    const int timeout = effectiveTimeout();
    const quint64 poll = m_poll;

    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(p.target.address.toString());
    url.setPort(p.target.metricsPort);
    url.setPath(QStringLiteral("/metrics"));
    // Only the families extractCounters() reads (process start time, frontend counters). The
    // backend and server families grow with every site and origin: with 20 sites a full answer
    // is ~340 KB, parsing it for 200 proxies took ~2 CPU-seconds a poll (bench_fleet_scrape).
    url.setQuery(QStringLiteral("scope=global&scope=frontend"));
    QNetworkRequest request(url);
    request.setTransferTimeout(timeout);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = m_network->get(request);
    p.reply = reply;
    connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
        if (received > kMaxMetricsBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply, index, poll] {
        reply->deleteLater();
        if (poll != m_poll || !m_polling || index >= int(m_proxies.size()))
            return;
        Proxy &px = *m_proxies[size_t(index)];
        if (px.reply != reply)
            return;
        px.reply = nullptr;
        px.metricsDone = true;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError) {
            px.error = QStringLiteral("metrics: %1").arg(reply->errorString());
        } else if (status != 200) {
            px.error = QStringLiteral("metrics: HTTP %1").arg(status);
        } else {
            const QByteArray body = reply->readAll();
            QString error;
            if (body.size() > kMaxMetricsBytes)
                error = QStringLiteral("larger than %1 bytes").arg(kMaxMetricsBytes);
            const auto samples = error.isEmpty() ? parsePrometheusText(body, &error) : std::nullopt;
            if (samples)
                px.counters = extractCounters(*samples, &error, m_frontend);
            if (px.counters)
                px.countersNs = m_clock.nsecsElapsed();
            else
                px.error = QStringLiteral("metrics: %1").arg(error);
        }
        proxyDone(index);
    });

    p.runtime->setTimeout(timeout);
    p.runtime->command(QStringLiteral("show table ") + m_table, this,
                       [this, index, poll](const RuntimeReply &r) {
                           if (poll != m_poll || !m_polling || index >= int(m_proxies.size()))
                               return;
                           Proxy &px = *m_proxies[size_t(index)];
                           px.tableDone = true;
                           QString error = r.error;
                           if (r.ok)
                               px.table = parseStickyTable(r.text, &error);
                           if (px.table) {
                               px.tableNs = m_clock.nsecsElapsed();
                               if (px.table->name != m_table) {
                                   px.table.reset();
                                   error = QStringLiteral("answered another table");
                               }
                           }
                           if (!px.table && px.error.isEmpty())
                               px.error = QStringLiteral("runtime API: %1").arg(error);
                           proxyDone(index);
                       });
}

void FleetScraper::proxyDone(int index)
{
    Q_UNUSED(index);
    const bool all = std::all_of(m_proxies.begin(), m_proxies.end(),
                                 [](const auto &p) { return p->metricsDone && p->tableDone; });
    if (all)
        finishPoll();
}

void FleetScraper::finishPoll()
{
    if (!m_polling)
        return;
    m_polling = false;
    m_deadline->stop();
    QList<ProxyLoad> loads;
    loads.reserve(qsizetype(m_proxies.size()));
    for (auto &p : m_proxies) {
        if (!p->metricsDone || !p->tableDone) {
            if (p->error.isEmpty())
                p->error = QStringLiteral("no answer within %1 ms (%2)")
                               .arg(effectiveTimeout())
                               .arg(!p->metricsDone ? QStringLiteral("metrics")
                                                    : QStringLiteral("runtime API"));
            abortPending(*p);
        }
        loads.append(account(*p));
    }
    Q_EMIT updated(loads);
}

ProxyLoad FleetScraper::account(Proxy &p)
{
    ProxyLoad load;
    load.name = p.target.name;
    load.poll = m_poll;
    const bool ok = p.metricsDone && p.tableDone && p.counters && p.table;
    if (!ok) {
        ++p.misses;
        if (p.misses >= kMissesForDown)
            p.state = ProxyLoad::State::Down;
        load.state = p.state;
        load.error = p.error.isEmpty() ? QStringLiteral("scrape failed") : p.error;
        load.consecutiveMisses = p.misses;
        load.epoch = p.epoch;
        load.sampleId =
            QStringLiteral("%1/%2/%3/%4").arg(p.target.name, m_run).arg(p.epoch).arg(m_poll);
        return load;
    }
    p.misses = 0;
    p.state = ProxyLoad::State::Up;
    const ProxyCounters &c = *p.counters;
    const StickyTable &table = *p.table;

    // A restart shows as a new process start time, or as totals that went down.
    bool restarted = false;
    if (p.baselined) {
        restarted =
            (c.processStartTime > 0 && p.startTime > 0 && c.processStartTime != p.startTime) ||
            c.requests < p.requests.lastReading() || c.bytesOut < p.bytes.lastReading();
    }
    if (restarted)
        ++p.epoch;
    p.startTime = c.processStartTime;

    const CounterStep req = p.requests.update(c.requests, p.countersNs, restarted);
    const CounterStep bytes = p.bytes.update(c.bytesOut, p.countersNs, restarted);
    load.baseline = req.baseline;
    load.requests = req.delta;
    load.bytesOut = bytes.delta;
    load.requestRate = req.rate;
    load.bytesRate = bytes.rate;
    load.currentConnections = c.currentSessions;
    load.rejectedSites = int(table.rejected.size());
    load.table = table.sites;

    // Entries are keyed by site and configuration generation ("news.example/3"). A graceful
    // reload counts under a new generation, and the old process hands its entries over through
    // `peers`: they go on from where they were, so a restart keeps their history (no clear). A
    // hard restart starts the table empty: a lower reading is a reset (CounterRate's rule).
    QHash<QString, Site> next;
    for (auto it = table.sites.cbegin(); it != table.sites.cend(); ++it) {
        Site site = p.sites.value(it.key());
        // An entry never seen (new site or generation, expired entry) was created since the last
        // read: it counts from zero. Before the first successful read nothing is known.
        if (!site.requests.hasReading() && p.baselined) {
            site.requests.seed(0, p.lastTableNs);
            site.bytes.seed(0, p.lastTableNs);
        }
        const CounterStep sr = site.requests.update(it->requests, p.tableNs);
        const CounterStep sb = site.bytes.update(it->bytesOut, p.tableNs);
        site.seenNs = p.tableNs;
        SiteLoad &s = load.sites[siteOfKey(it.key().toLatin1())];
        s.requests += sr.delta;
        s.bytesOut += sb.delta;
        s.requestRate += sr.rate;
        s.bytesRate += sb.rate;
        next.insert(it.key(), site);
    }
    // An entry missing from this read keeps its history for a while: a reloaded process answers
    // before the old one has handed the table over, and the entry comes back with its count.
    for (auto it = p.sites.cbegin(); it != p.sites.cend(); ++it) {
        if (!next.contains(it.key()) && p.tableNs - it->seenNs < kForgetAbsentNs)
            next.insert(it.key(), it.value());
    }
    p.sites = std::move(next);
    p.lastTableNs = p.tableNs;
    p.baselined = true;

    load.state = p.state;
    load.scraped = true;
    load.epoch = p.epoch;
    load.sampleId =
        QStringLiteral("%1/%2/%3/%4").arg(p.target.name, m_run).arg(p.epoch).arg(m_poll);
    return load;
}

} // namespace headroom
