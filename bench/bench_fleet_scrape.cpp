// bench_fleet_scrape: what it costs the console to scrape and aggregate a fleet at 1 Hz.
//
// A second process (this program with --serve) plays N HAProxy proxies on loopback: for each an
// HTTP listener on its own 127.42.x.y address serving Prometheus text, and a unix socket
// answering `show table per_site` as HAProxy's runtime API does (one command, answer, close).
// The served text is a recording of HAProxy 2.6 with 20 sites (bench/data, made by
// record_haproxy_sample.sh) whose frontend counters, and a stick table of K sites, advance with
// wall time at fixed per-site rates, so every poll has rates to compute. This process runs the
// product's FleetMonitor (its FleetScraper and ingest()) over them, one poll per interval, and
// reports its own CPU time per wall second (getrusage RUSAGE_SELF: all of this process's
// threads, the fake proxies excluded; theirs is shown apart), peak RSS, poll latency and whether
// every proxy was Up with the expected rates. Figures and commands: docs/BENCHMARKS.md.

#include "benchsupport.h"
#include "fleet/fleetmonitor.h"
#include "sandbox/sandboxlayout.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QSocketNotifier>
#include <QSysInfo>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <sys/resource.h>
#include <unistd.h>

namespace headroom {
namespace {

using bench::err;
using bench::fixed;
using bench::out;
using bench::percent;

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype rank = qsizetype(std::ceil(p / 100.0 * double(values.size())));
    return values.at(std::clamp<qsizetype>(rank - 1, 0, values.size() - 1));
}

struct Usage
{
    double cpuSeconds = 0; // user + system, all threads
    long maxRssKb = 0;
};

Usage selfUsage()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const auto seconds = [](const timeval &t) { return double(t.tv_sec) + t.tv_usec / 1e6; };
    return {seconds(u.ru_utime) + seconds(u.ru_stime), u.ru_maxrss};
}

struct Options
{
    int proxies = 200;
    int sites = 20;
    int seconds = 60;
    int intervalMs = 1000;
    int warmup = 3; // polls before the measured window: connections, the baseline poll
    QString dir;    // --serve: where the runtime API sockets go
};

// ---- The fake fleet (--serve) ----------------------------------------------------------------

// The recorded exporter text cut at the values that must move: the scraper's four inputs.
struct MetricsTemplate
{
    enum Slot
    {
        Requests,
        BytesOut,
        Sessions,
        StartTime
    };
    QList<QByteArray> chunks; // chunks[i] is followed by the value of slots[i]; one more at the end
    QList<Slot> slots;
    qsizetype bytes = 0;

    // What HAProxy's exporter sends for `/metrics?QUERY`: with scope=global, scope=frontend, ...
    // only those families (2.6 filters by family prefix: checked against the real exporter).
    static MetricsTemplate make(const QByteArray &recorded, const QByteArray &query)
    {
        static const QHash<QByteArray, QByteArray> kPrefixes = {
            {"global", "haproxy_process_"},
            {"frontend", "haproxy_frontend_"},
            {"backend", "haproxy_backend_"},
            {"server", "haproxy_server_"},
            {"sticktable", "haproxy_sticktable_"}};
        QList<QByteArray> prefixes;
        for (const QByteArray &parameter : query.split('&')) {
            if (parameter.startsWith("scope="))
                prefixes.append(kPrefixes.value(parameter.mid(6), "-"));
        }
        const std::initializer_list<std::pair<QByteArray, Slot>> keys = {
            {"haproxy_frontend_http_requests_total{proxy=\"http\"} ", Requests},
            {"haproxy_frontend_bytes_out_total{proxy=\"http\"} ", BytesOut},
            {"haproxy_frontend_current_sessions{proxy=\"http\"} ", Sessions},
            {"haproxy_process_start_time_seconds ", StartTime}};
        MetricsTemplate t;
        QByteArray current;
        for (const QByteArray &line : recorded.trimmed().split('\n')) {
            const QByteArray name = line.startsWith("# ") ? line.mid(7) : line;
            if (!prefixes.isEmpty() &&
                std::none_of(prefixes.cbegin(), prefixes.cend(),
                             [&name](const QByteArray &prefix) { return name.startsWith(prefix); }))
                continue;
            bool replaced = false;
            for (const auto &[key, slot] : keys) {
                if (line.startsWith(key)) {
                    t.chunks.append(current + key);
                    t.slots.append(slot);
                    current.clear();
                    replaced = true;
                }
            }
            if (!replaced)
                current += line;
            current += '\n';
        }
        t.chunks.append(current);
        for (const QByteArray &chunk : std::as_const(t.chunks))
            t.bytes += chunk.size();
        return t;
    }
};

// N proxies with K sites each; site s of proxy p serves a fixed rate, so its counters at time t
// are a seed plus rate × t, and the frontend's are their sums.
class FakeFleet final : public QObject
{
public:
    FakeFleet(QByteArray recorded, int sites) : m_recorded(std::move(recorded)), m_sites(sites)
    {
        m_clock.start();
        m_startTime = QByteArray::number(QDateTime::currentSecsSinceEpoch() - 86400);
        m_hosts.append("news.example");
        for (int s = 1; s < sites; ++s)
            m_hosts.append("site" + QByteArray::number(s).rightJustified(2, '0') + ".example");
    }

    static double rate(int proxy, int site) { return 1 + (proxy * 7 + site * 13) % 37; }
    static quint64 bytesPerRequest(int site) { return 500 + quint64(site) * 977 % 20000; }

    bool listen(int proxies, const QString &dir, QString *error)
    {
        for (int p = 0; p < proxies; ++p) {
            const QHostAddress address(
                QStringLiteral("127.42.%1.%2").arg(p / 250).arg(p % 250 + 1));
            auto *http = new QTcpServer(this);
            if (!http->listen(address, 0)) {
                *error =
                    QStringLiteral("listen on %1: %2").arg(address.toString(), http->errorString());
                return false;
            }
            connect(http, &QTcpServer::newConnection, this, [this, http, p] {
                while (QTcpSocket *socket = http->nextPendingConnection())
                    serveHttp(socket, p);
            });
            const QString path =
                dir + QStringLiteral("/proxy%1.sock").arg(p, 3, 10, QLatin1Char('0'));
            auto *runtime = new QLocalServer(this);
            if (!runtime->listen(path)) {
                *error = QStringLiteral("listen on %1: %2").arg(path, runtime->errorString());
                return false;
            }
            connect(runtime, &QLocalServer::newConnection, this, [this, runtime, p] {
                while (QLocalSocket *socket = runtime->nextPendingConnection())
                    serveRuntime(socket, p);
            });
            out() << "proxy " << address.toString() << ' ' << http->serverPort() << ' ' << path
                  << Qt::endl;
        }
        double total = 0;
        for (int p = 0; p < proxies; ++p) {
            for (int s = 0; s < m_sites; ++s)
                total += rate(p, s);
        }
        out() << "ready " << fixed(total, 0) << Qt::endl;
        return true;
    }

private:
    quint64 requests(int proxy, int site, double t) const
    {
        return 1000 * quint64(site + 1) + quint64(rate(proxy, site) * t);
    }

    QByteArray metrics(int proxy, const QByteArray &query)
    {
        auto found = m_templates.find(query);
        if (found == m_templates.end())
            found = m_templates.insert(query, MetricsTemplate::make(m_recorded, query));
        const MetricsTemplate &metrics = *found;
        const double t = double(m_clock.nsecsElapsed()) / 1e9;
        quint64 requestsTotal = 7; // a few requests for unknown hosts, never in the stick table
        quint64 bytesTotal = 7 * 130;
        for (int s = 0; s < m_sites; ++s) {
            const quint64 n = requests(proxy, s, t);
            requestsTotal += n;
            bytesTotal += n * bytesPerRequest(s);
        }
        QByteArray body;
        body.reserve(metrics.bytes + 64);
        for (qsizetype i = 0; i < metrics.slots.size(); ++i) {
            body += metrics.chunks.at(i);
            switch (metrics.slots.at(i)) {
            case MetricsTemplate::Requests:
                body += QByteArray::number(requestsTotal);
                break;
            case MetricsTemplate::BytesOut:
                body += QByteArray::number(bytesTotal);
                break;
            case MetricsTemplate::Sessions:
                body += QByteArray::number(10 + proxy % 40);
                break;
            case MetricsTemplate::StartTime:
                body += m_startTime;
                break;
            }
        }
        body += metrics.chunks.constLast();
        return body;
    }

    // As HAProxy 2.6 prints it (see bench/data/haproxy-table-20-sites.txt).
    QByteArray table(int proxy) const
    {
        const double t = double(m_clock.nsecsElapsed()) / 1e9;
        QByteArray text =
            "# table: per_site, type: string, size:102400, used:" + QByteArray::number(m_sites) +
            "\n";
        for (int s = 0; s < m_sites; ++s) {
            const quint64 n = requests(proxy, s, t);
            text += "0x" + QByteArray::number(0x563a8982dd88ULL + 0x1210ULL * quint64(s), 16) +
                    ": key=" + m_hosts.at(s) +
                    " use=0 exp=86398904 http_req_cnt=" + QByteArray::number(n) +
                    " http_req_rate(1000)=" + QByteArray::number(rate(proxy, s)) +
                    " bytes_out_cnt=" + QByteArray::number(n * bytesPerRequest(s)) + "\n";
        }
        return text + "\n";
    }

    // HTTP/1.1 with keep-alive and a chunked body of up to 16 KiB chunks, as HAProxy 2.6's
    // exporter answers.
    void serveHttp(QTcpSocket *socket, int proxy)
    {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, proxy] {
            QByteArray &buffer = m_pending[socket];
            buffer += socket->readAll();
            for (qsizetype end; (end = buffer.indexOf("\r\n\r\n")) >= 0;) {
                const QByteArray head = buffer.left(end);
                buffer.remove(0, end + 4);
                const QByteArray target = head.left(head.indexOf(' ', 4)).mid(4); // GET <target>
                const qsizetype question = target.indexOf('?');
                const QByteArray path = question < 0 ? target : target.left(question);
                const bool found = path == "/metrics";
                const QByteArray body =
                    found ? metrics(proxy, question < 0 ? QByteArray() : target.mid(question + 1))
                          : QByteArray();
                QByteArray reply = found ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n";
                reply += "cache-control: no-cache\r\ncontent-type: text/plain; version=0.0.4\r\n"
                         "transfer-encoding: chunked\r\n\r\n";
                for (qsizetype at = 0; at < body.size(); at += 16384) {
                    const QByteArray chunk = body.mid(at, 16384);
                    reply += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
                }
                socket->write(reply + "0\r\n\r\n");
                if (head.toLower().contains("\r\nconnection: close")) {
                    socket->disconnectFromHost();
                    break;
                }
            }
        });
        connect(socket, &QObject::destroyed, this, [this, socket] { m_pending.remove(socket); });
    }

    void serveRuntime(QLocalSocket *socket, int proxy)
    {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, socket, [this, socket, proxy] {
            QByteArray &buffer = m_pending[socket];
            buffer += socket->readAll();
            const qsizetype end = buffer.indexOf('\n');
            if (end < 0)
                return;
            const QByteArray command = buffer.left(end);
            socket->write(command == "show table per_site" ? table(proxy)
                                                           : QByteArray("Unknown command.\n\n"));
            socket->disconnectFromServer(); // after the answer is written, as HAProxy does
        });
        connect(socket, &QObject::destroyed, this, [this, socket] { m_pending.remove(socket); });
    }

    QByteArray m_recorded;
    QHash<QByteArray, MetricsTemplate> m_templates; // by query string
    int m_sites;
    QList<QByteArray> m_hosts;
    QElapsedTimer m_clock;
    QByteArray m_startTime;
    QHash<QObject *, QByteArray> m_pending;
};

// Until stdin closes, answers "usage" with this process's CPU seconds and peak RSS.
int serve(const Options &options)
{
    QFile recorded(QStringLiteral(":/bench/haproxy-metrics-20-sites.txt"));
    QString error;
    if (!recorded.open(QIODevice::ReadOnly)) {
        err() << "bench_fleet_scrape --serve: " << recorded.errorString() << Qt::endl;
        return 1;
    }
    const QByteArray text = recorded.readAll();
    if (MetricsTemplate::make(text, {}).slots.size() != 4) {
        err() << "bench_fleet_scrape --serve: the recorded metrics lack a counter the scraper reads"
              << Qt::endl;
        return 1;
    }
    FakeFleet fleet(text, options.sites);
    if (!fleet.listen(options.proxies, options.dir, &error)) {
        err() << "bench_fleet_scrape --serve: " << error << Qt::endl;
        return 1;
    }
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &input, [&input] {
        char buffer[256];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) {
            input.setEnabled(false);
            QCoreApplication::quit();
            return;
        }
        for (ssize_t i = 0; i < n; ++i) {
            if (buffer[i] == '\n') {
                const Usage u = selfUsage();
                out() << "usage " << fixed(u.cpuSeconds, 6) << ' ' << u.maxRssKb << Qt::endl;
            }
        }
    });
    return QCoreApplication::exec();
}

// ---- The measurement ------------------------------------------------------------------------

class ScrapeBench final : public QObject
{
public:
    explicit ScrapeBench(const Options &options) : m_options(options) {}
    ~ScrapeBench() override { stopServer(); }

    bool start(QString *error);

private:
    bool readServerLine(QByteArray *line, QString *error);
    Usage serverUsage();
    void tick();
    void polled(const QList<ProxyLoad> &loads);
    void report();
    void stopServer();

    Options m_options;
    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/headroom-fleetbench-XXXXXX")};
    QProcess m_server;
    double m_expectedRps = 0;
    FleetMonitor m_monitor;
    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_ticks = 0;
    QHash<quint64, qint64> m_pollStartNs; // by the scraper's poll number (ProxyLoad::poll)

    Usage m_selfStart;
    Usage m_serverStart;
    qint64 m_windowStartNs = 0;
    QList<double> m_latencyMs;
    int m_polls = 0;
    int m_pollsAllUp = 0;
    int m_misses = 0;
    int m_wrongSites = 0;
    int m_zeroRates = 0;
    double m_fleetRpsSum = 0;
};

bool ScrapeBench::readServerLine(QByteArray *line, QString *error)
{
    while (!m_server.canReadLine()) {
        if (!m_server.waitForReadyRead(30000)) {
            *error = QStringLiteral("the fake fleet did not answer: %1 %2")
                         .arg(m_server.errorString(),
                              QString::fromLocal8Bit(m_server.readAllStandardError()));
            return false;
        }
    }
    *line = m_server.readLine().trimmed();
    return true;
}

Usage ScrapeBench::serverUsage()
{
    m_server.write("usage\n");
    QByteArray line;
    QString error;
    if (!readServerLine(&line, &error) || !line.startsWith("usage "))
        return {};
    const QList<QByteArray> fields = line.split(' ');
    return {fields.value(1).toDouble(), fields.value(2).toLong()};
}

bool ScrapeBench::start(QString *error)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start(QCoreApplication::applicationFilePath(),
                   {QStringLiteral("--serve"), QStringLiteral("--proxies"),
                    QString::number(m_options.proxies), QStringLiteral("--sites"),
                    QString::number(m_options.sites), QStringLiteral("--dir"), m_dir.path()});
    QList<ProxyEndpoint> endpoints;
    QList<Proxy> proxies;
    for (;;) {
        QByteArray line;
        if (!readServerLine(&line, error))
            return false;
        const QList<QByteArray> f = line.split(' ');
        if (f.value(0) == "ready") {
            m_expectedRps = f.value(1).toDouble();
            break;
        }
        ProxyEndpoint e;
        e.name = QStringLiteral("proxy%1").arg(endpoints.size() + 1, 3, 10, QLatin1Char('0'));
        e.address = QHostAddress(QString::fromLatin1(f.value(1)));
        e.metricsPort = quint16(f.value(2).toUInt());
        e.monitorSocket = QString::fromLocal8Bit(f.value(3)); // what the scraper reads
        endpoints.append(e);
        Proxy p;
        p.name = e.name;
        p.address = e.address;
        p.metricsPort = e.metricsPort;
        p.capacityRps = 1000;
        p.pool = QStringLiteral("bench");
        proxies.append(p);
    }
    out() << "fake fleet up: " << endpoints.size() << " proxies on 127.42.x.y, " << m_options.sites
          << " sites each, " << fixed(m_expectedRps, 0) << " req/s in all (pid "
          << m_server.processId() << ")" << Qt::endl;

    m_monitor.setProxies(proxies);
    m_monitor.setEndpoints(endpoints);
    m_monitor.setPurchaserSites({QStringLiteral("site01.example"), QStringLiteral("site02.example"),
                                 QStringLiteral("site03.example")});
    m_monitor.setInterval(m_options.intervalMs);
    // After FleetMonitor's own connection: ingest() has run when this is called.
    connect(m_monitor.scraper(), &FleetScraper::updated, this, &ScrapeBench::polled);
    // The scraper's own timer does the same; driving pollNow() here gives each poll's start time.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(m_options.intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ScrapeBench::tick);
    m_clock.start();
    m_timer.start();
    tick();
    return true;
}

void ScrapeBench::tick()
{
    if (m_ticks == m_options.warmup) {
        m_serverStart = serverUsage();
        m_selfStart = selfUsage();
        m_windowStartNs = m_clock.nsecsElapsed();
    }
    if (m_ticks == m_options.warmup + m_options.seconds * 1000 / m_options.intervalMs) {
        m_timer.stop();
        report();
        QCoreApplication::quit();
        return;
    }
    // pollNow() first ends a poll still open (a late one) with its misses; the new poll gets
    // the next number.
    ++m_ticks;
    m_pollStartNs.insert(quint64(m_ticks), m_clock.nsecsElapsed());
    m_monitor.scraper()->pollNow();
}

void ScrapeBench::polled(const QList<ProxyLoad> &loads)
{
    const quint64 poll = loads.isEmpty() ? 0 : loads.constFirst().poll;
    if (poll <= quint64(m_options.warmup) || !m_pollStartNs.contains(poll))
        return;
    m_latencyMs.append(double(m_clock.nsecsElapsed() - m_pollStartNs.take(poll)) / 1e6);
    ++m_polls;
    int up = 0;
    for (const ProxyLoad &l : loads) {
        if (!l.scraped) {
            if (++m_misses <= 5)
                err() << "miss: " << l.name << ": " << l.error << Qt::endl;
            continue;
        }
        up += l.state == ProxyLoad::State::Up ? 1 : 0;
        m_wrongSites += l.sites.size() == m_options.sites ? 0 : 1;
        m_zeroRates += l.requestRate > 0 ? 0 : 1;
    }
    m_pollsAllUp += up == m_options.proxies && loads.size() == m_options.proxies ? 1 : 0;
    m_fleetRpsSum += m_monitor.fleetTotal().totalRps;
}

void ScrapeBench::report()
{
    const Usage self = selfUsage();
    const double wall = double(m_clock.nsecsElapsed() - m_windowStartNs) / 1e9;
    const Usage server = serverUsage();
    const double cpu = self.cpuSeconds - m_selfStart.cpuSeconds;
    const double perSecond = cpu / wall;
    const int started = m_ticks - m_options.warmup;
    out() << "measured window: " << started << " polls started, " << m_polls << " finished, in "
          << fixed(wall, 1) << " s (nominal " << fixed(started * m_options.intervalMs / 1000.0, 1)
          << " s; after " << m_options.warmup << " warm-up polls)" << Qt::endl;
    out() << "scraper process CPU: " << fixed(cpu, 2) << " s = " << fixed(perSecond * 100, 1)
          << " % of one core (" << fixed(cpu / std::max(m_polls, 1) * 1000, 1) << " ms per poll of "
          << m_options.proxies << " proxies)" << Qt::endl;
    out() << "scraper process peak RSS: " << fixed(double(self.maxRssKb) / 1024, 1) << " MiB"
          << Qt::endl;
    out() << "poll latency (poll start -> updated() after ingest): p50 "
          << fixed(percentile(m_latencyMs, 50)) << " ms, p99 " << fixed(percentile(m_latencyMs, 99))
          << " ms, max " << fixed(percentile(m_latencyMs, 100)) << " ms" << Qt::endl;
    out() << "every proxy Up and scraped: " << m_pollsAllUp << " of " << m_polls
          << " polls; misses " << m_misses << ", wrong site count " << m_wrongSites
          << ", zero rates " << m_zeroRates << Qt::endl;
    out() << "fleet load seen: " << fixed(m_fleetRpsSum / std::max(m_polls, 1), 0)
          << " req/s (served: " << fixed(m_expectedRps, 0) << ")" << Qt::endl;
    out() << "fake fleet process (not counted above): CPU "
          << fixed((server.cpuSeconds - m_serverStart.cpuSeconds) / wall * 100, 1)
          << " % of one core, peak RSS " << fixed(double(server.maxRssKb) / 1024, 1) << " MiB"
          << Qt::endl;
    out() << "goal < 10 % of one core: " << (perSecond < 0.10 ? "met" : "MISSED") << Qt::endl;
}

void ScrapeBench::stopServer()
{
    if (m_server.state() == QProcess::NotRunning)
        return;
    m_server.closeWriteChannel(); // the server quits at end of input
    if (!m_server.waitForFinished(5000)) {
        m_server.kill();
        m_server.waitForFinished(5000);
    }
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_fleet_scrape"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("CPU per second of scraping and aggregating N fake HAProxy proxies, served "
                       "from loopback by a second process, with the console's FleetMonitor."));
    parser.addHelpOption();
    const QCommandLineOption proxies(QStringLiteral("proxies"),
                                     QStringLiteral("Proxies in the fleet (200)."),
                                     QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption sites(
        QStringLiteral("sites"),
        QStringLiteral("Sites in each proxy's stick table (20); the exporter text is "
                       "always the recorded 20-site proxy."),
        QStringLiteral("K"), QStringLiteral("20"));
    const QCommandLineOption seconds(QStringLiteral("seconds"),
                                     QStringLiteral("Length of the measured window (60)."),
                                     QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption interval(QStringLiteral("interval"),
                                      QStringLiteral("Poll interval in ms (1000)."),
                                      QStringLiteral("MS"), QStringLiteral("1000"));
    const QCommandLineOption serveOption(QStringLiteral("serve"),
                                         QStringLiteral("Internal: be the fake fleet."));
    const QCommandLineOption dir(QStringLiteral("dir"),
                                 QStringLiteral("Internal: directory for the runtime sockets."),
                                 QStringLiteral("DIR"));
    parser.addOptions({proxies, sites, seconds, interval, serveOption, dir});
    parser.process(app);

    headroom::Options options;
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *value) {
        bool ok = false;
        *value = parser.value(option).toInt(&ok);
        if (!ok || *value < min || *value > max) {
            headroom::err() << "bench_fleet_scrape: --" << option.names().constFirst()
                            << " takes a number in " << min << ".." << max << Qt::endl;
            return false;
        }
        return true;
    };
    if (!number(proxies, 1, 5000, &options.proxies) || !number(sites, 1, 1000, &options.sites) ||
        !number(seconds, 1, 86400, &options.seconds) ||
        !number(interval, 100, 60000, &options.intervalMs))
        return 2;
    if (parser.isSet(serveOption)) {
        options.dir = parser.value(dir);
        return headroom::serve(options);
    }

    headroom::out() << "bench_fleet_scrape: " << options.proxies << " proxies, " << options.sites
                    << " sites each, one poll per " << options.intervalMs << " ms for "
                    << options.seconds << " s; " << QSysInfo::prettyProductName() << ", "
                    << QThread::idealThreadCount() << " CPUs" << Qt::endl;
    headroom::ScrapeBench bench(options);
    QString error;
    if (!bench.start(&error)) {
        headroom::err() << "bench_fleet_scrape: " << error << Qt::endl;
        return 1;
    }
    return QCoreApplication::exec();
}
