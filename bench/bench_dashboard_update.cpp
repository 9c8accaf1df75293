// bench_dashboard_update: what one poll of N proxies costs the console's Dashboard.
//
// Builds the real DashboardView over a FleetMonitor (offscreen, 1920x1080), fills the monitor's
// history for a whole day first (a poll per minute up to the last hour, per 10 s up to the last
// five minutes, then per second), so every range's chart is full. Then, for the 5 min, 1 h and
// 24 h ranges (and 5 min with one proxy selected), feeds synthetic polls of N proxies × K sites
// through FleetMonitor::ingest - each a second after the last, as the scraper would - from a
// timer, and lets the event loop repaint after each. Reports CPU time of the whole process
// (getrusage RUSAGE_SELF, all threads) per update, the synchronous part (ingest: monitor,
// figures, table model, chart series), paints per update and peak RSS. The polls are built once
// and only their numbers change, so building them is not counted. Figures: docs/BENCHMARKS.md.

#include "benchsupport.h"
#include "dashboardview.h"
#include "fleet/fleetmonitor.h"
#include "fleetchartview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineSeries>
#include <QSysInfo>
#include <QTableView>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <sys/resource.h>

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

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const auto seconds = [](const timeval &t) { return double(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

double peakRssMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024;
}

struct Options
{
    int proxies = 200;
    int sites = 20;
    int updates = 40;     // per case
    int intervalMs = 250; // between updates; each is a poll one second after the last
};

QString proxyName(int i)
{
    return QStringLiteral("proxy%1").arg(i + 1, 3, 10, QLatin1Char('0'));
}

QString siteName(int s)
{
    return s == 0 ? QStringLiteral("news.example")
                  : QStringLiteral("site%1.example").arg(s, 2, 10, QLatin1Char('0'));
}

// One poll of every proxy, Up, with K sites; vary() moves its numbers in place.
QList<ProxyLoad> makePoll(const Options &options)
{
    QList<ProxyLoad> loads;
    for (int i = 0; i < options.proxies; ++i) {
        ProxyLoad l;
        l.name = proxyName(i);
        l.state = ProxyLoad::State::Up;
        l.scraped = true;
        for (int s = 0; s < options.sites; ++s)
            l.sites.insert(siteName(s), SiteLoad{});
        loads.append(l);
    }
    return loads;
}

void vary(QList<ProxyLoad> &loads, quint64 poll)
{
    int i = 0;
    for (ProxyLoad &l : loads) {
        l.poll = poll;
        l.baseline = poll == 0;
        l.requestRate = 0;
        int s = 0;
        for (SiteLoad &site : l.sites) {
            // A slow daily swing and a little per-poll noise, different for every site.
            site.requestRate =
                (1 + (i * 7 + s * 13) % 37) * (1.0 + 0.4 * std::sin(double(poll) / 3000.0 + i) +
                                               0.05 * double((poll + quint64(s)) % 5));
            l.requestRate += site.requestRate;
            ++s;
        }
        l.currentConnections = 10 + (i + int(poll)) % 40;
        ++i;
    }
}

// Counts paint events of the widgets that redraw every poll.
class PaintCounter final : public QObject
{
public:
    int paints = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

struct Case
{
    QString name;
    FleetRange range;
    QString selected;
};

int run(const Options &options)
{
    out() << "bench_dashboard_update: " << options.proxies << " proxies, " << options.sites
          << " sites each, " << options.updates << " updates per case, one per "
          << options.intervalMs << " ms; " << QSysInfo::prettyProductName() << ", "
          << QThread::idealThreadCount() << " CPUs, platform " << QGuiApplication::platformName()
          << Qt::endl;

    FleetMonitor monitor;
    QList<Proxy> proxies;
    for (int i = 0; i < options.proxies; ++i) {
        Proxy p;
        p.name = proxyName(i);
        p.capacityRps = 1000;
        p.pool = QStringLiteral("bench");
        proxies.append(p);
    }
    monitor.setProxies(proxies);
    monitor.setPurchaserSites({siteName(1), siteName(2), siteName(3)});

    // A day of history, at each tier's resolution, ending now.
    QList<ProxyLoad> poll = makePoll(options);
    const qint64 now = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
    qint64 t = now - 24 * 3600 * 1000;
    quint64 polls = 0;
    QElapsedTimer prefill;
    prefill.start();
    const double prefillCpu = cpuSeconds();
    while (t <= now) {
        vary(poll, polls++);
        monitor.ingest(poll, t);
        t += now - t > 3600 * 1000 ? 60000 : now - t > 300 * 1000 ? 10000 : 1000;
    }
    const double ingestCpu = cpuSeconds() - prefillCpu;
    out() << "history: " << polls << " polls of a day ingested in "
          << fixed(double(prefill.elapsed()) / 1000, 2) << " s, no view yet: FleetMonitor::ingest "
          << fixed(ingestCpu * 1000 / double(polls), 2) << " ms CPU per poll; peak RSS "
          << fixed(peakRssMiB(), 1) << " MiB" << Qt::endl;
    t -= 1000;

    DashboardView view(nullptr, &monitor);
    view.resize(1920, 1080);
    view.show();
    PaintCounter counter;
    view.chartView()->viewport()->installEventFilter(&counter);
    view.proxyTable()->viewport()->installEventFilter(&counter);
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
    if (counter.paints == 0) {
        err() << "bench_dashboard_update: the view never painted" << Qt::endl;
        return 1;
    }

    const QList<Case> cases = {{QStringLiteral("idle (no updates)"), FleetRange::FiveMinutes, {}},
                               {QStringLiteral("5 min, all proxies"), FleetRange::FiveMinutes, {}},
                               {QStringLiteral("1 h, all proxies"), FleetRange::OneHour, {}},
                               {QStringLiteral("24 h, all proxies"), FleetRange::Day, {}},
                               {QStringLiteral("5 min, one proxy"), FleetRange::FiveMinutes,
                                proxyName(options.proxies / 2)}};
    double worstMs = 0;
    out() << "case | CPU ms per update | ingest (sync) ms p50 / max | paints per update | "
             "chart points"
          << Qt::endl;
    for (const Case &c : cases) {
        const bool idle = c.name.startsWith(QLatin1String("idle"));
        view.setSelectedProxy(c.selected);
        view.setRange(c.range);
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();

        QList<double> syncMs;
        int done = 0;
        QEventLoop loop;
        QTimer timer;
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(options.intervalMs);
        QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
            if (done == options.updates) {
                loop.quit(); // one interval after the last update: its paint is in
                return;
            }
            ++done;
            if (idle)
                return;
            t += 1000;
            vary(poll, polls++);
            QElapsedTimer clock;
            clock.start();
            monitor.ingest(poll, t);
            syncMs.append(double(clock.nsecsElapsed()) / 1e6);
        });
        counter.paints = 0;
        const double cpuStart = cpuSeconds();
        timer.start();
        loop.exec();
        const double cpuMs = (cpuSeconds() - cpuStart) * 1000 / options.updates;
        if (!idle)
            worstMs = std::max(worstMs, cpuMs);
        out() << c.name << " | " << fixed(cpuMs, 2) << " | " << fixed(percentile(syncMs, 50), 2)
              << " / " << fixed(percentile(syncMs, 100), 2) << " | "
              << fixed(double(counter.paints) / options.updates, 2) << " | "
              << view.chartView()->totalSeries()->count() << Qt::endl;
    }
    out() << "peak RSS: " << fixed(peakRssMiB(), 1) << " MiB" << Qt::endl;
    out() << "goal < 100 ms per update of " << options.proxies
          << " proxies: " << (worstMs < 100 ? "met" : "MISSED") << " (worst case "
          << fixed(worstMs, 1) << " ms)" << Qt::endl;
    return 0;
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_dashboard_update"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("CPU per update of the console's Dashboard with N proxies, offscreen."));
    parser.addHelpOption();
    const QCommandLineOption proxies(QStringLiteral("proxies"),
                                     QStringLiteral("Proxies in the fleet (200)."),
                                     QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption sites(QStringLiteral("sites"),
                                   QStringLiteral("Sites per proxy in each poll (20)."),
                                   QStringLiteral("K"), QStringLiteral("20"));
    const QCommandLineOption updates(QStringLiteral("updates"),
                                     QStringLiteral("Updates per case (40)."), QStringLiteral("U"),
                                     QStringLiteral("40"));
    const QCommandLineOption interval(
        QStringLiteral("interval"),
        QStringLiteral("Milliseconds between updates (250; 1000 is the console's pace)."),
        QStringLiteral("MS"), QStringLiteral("250"));
    parser.addOptions({proxies, sites, updates, interval});
    parser.process(app);

    headroom::Options options;
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *value) {
        bool ok = false;
        *value = parser.value(option).toInt(&ok);
        if (!ok || *value < min || *value > max) {
            headroom::err() << "bench_dashboard_update: --" << option.names().constFirst()
                            << " takes a number in " << min << ".." << max << Qt::endl;
            return false;
        }
        return true;
    };
    if (!number(proxies, 1, 5000, &options.proxies) || !number(sites, 1, 1000, &options.sites) ||
        !number(updates, 1, 100000, &options.updates) ||
        !number(interval, 1, 60000, &options.intervalMs))
        return 2;
    return headroom::run(options);
}
