#include "cli.h"
#include "commands.h"
#include "fleet/fleetscraper.h"
#include "fleet/forecast.h"
#include "fleet/headroommodel.h"
#include "sandbox/sandbox.h"
#include "store/database.h"
#include "store/loadhistoryrepository.h"
#include "store/proxyrepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace headroom::ctl {

namespace {

struct FleetContext
{
    SandboxLayout layout;
    QList<Proxy> proxies; // with capacity and pool, from the database
    QString databasePath;
};

std::optional<FleetContext> fleetContext(const QCommandLineParser &parser, QString *error)
{
    const auto layout = sandboxLayoutFrom(parser, error);
    if (!layout)
        return std::nullopt;
    if (!Sandbox(*layout).status().running) {
        *error =
            QStringLiteral("no sandbox is running at %1; start one with: headroomctl sandbox up")
                .arg(layout->stateDir);
        return std::nullopt;
    }
    FleetContext c{*layout, {}, layout->databaseFile()};
    Database db;
    const Result<void> opened = db.open(c.databasePath);
    if (!opened) {
        *error = opened.error().message;
        return std::nullopt;
    }
    const auto proxies = ProxyRepository(db).all();
    if (!proxies) {
        *error = proxies.error().message;
        return std::nullopt;
    }
    c.proxies = proxies.value();
    return c;
}

QString stateName(ProxyLoad::State s)
{
    switch (s) {
    case ProxyLoad::State::Up:
        return QStringLiteral("up");
    case ProxyLoad::State::Down:
        return QStringLiteral("down");
    case ProxyLoad::State::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

// Runs the scraper until it has rates (the first poll is a baseline) and returns that poll.
QList<ProxyLoad> scrapeOnce(const SandboxLayout &layout, int intervalMs)
{
    FleetScraper scraper;
    scraper.setProxies(layout.proxies);
    scraper.setInterval(intervalMs);
    QList<ProxyLoad> last;
    int polls = 0;
    QObject::connect(&scraper, &FleetScraper::updated, &scraper,
                     [&](const QList<ProxyLoad> &loads) {
                         last = loads;
                         if (++polls >= 3)
                             QCoreApplication::quit();
                     });
    scraper.start();
    QCoreApplication::exec();
    scraper.stop();
    return last;
}

int status(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Live load of every proxy against its capacity: request rate, connections, base load, "
        "headroom and per-site rates (measured over about two seconds)."));
    parser.addOptions({kPortBase, kStateDir, kJson});
    const QCommandLineOption target(QStringLiteral("target-utilisation"),
                                    QStringLiteral("Share of capacity that may be used (0.8)."),
                                    QStringLiteral("U"), QStringLiteral("0.8"));
    parser.addOption(target);
    int code = 0;
    if (!parse(parser, QStringLiteral("headroomctl fleet status"), arguments, &code))
        return code;
    QString error;
    const auto context = fleetContext(parser, &error);
    const double utilisation = parser.value(target).toDouble();
    if (!context || !(utilisation > 0 && utilisation <= 1)) {
        err() << "fleet status: " << (context ? QStringLiteral("bad --target-utilisation") : error)
              << "\n";
        return 2;
    }
    const QList<ProxyLoad> loads = scrapeOnce(context->layout, 1000);
    QJsonArray rows;
    double poolHeadroom = 0;
    for (const ProxyLoad &load : loads) {
        const auto stored = std::find_if(context->proxies.cbegin(), context->proxies.cend(),
                                         [&](const Proxy &p) { return p.name == load.name; });
        LoadSample sample;
        sample.proxy = load.name;
        sample.capacityRps = stored != context->proxies.cend() ? stored->capacityRps : 0;
        sample.pool = stored != context->proxies.cend() ? stored->pool : QString();
        sample.totalRps = load.requestRate;
        sample.purchaserRps = 0; // no purchaser site is leased yet: everything is base load
        const double spare = headroomRps(sample, utilisation);
        if (load.state == ProxyLoad::State::Up)
            poolHeadroom += spare;
        QJsonObject sites;
        for (auto it = load.sites.cbegin(); it != load.sites.cend(); ++it)
            sites.insert(it.key(), it.value().requestRate);
        rows.append(QJsonObject{{QStringLiteral("name"), load.name},
                                {QStringLiteral("state"), stateName(load.state)},
                                {QStringLiteral("error"), load.error},
                                {QStringLiteral("request_rate"), load.requestRate},
                                {QStringLiteral("bytes_rate"), load.bytesRate},
                                {QStringLiteral("connections"), load.currentConnections},
                                {QStringLiteral("capacity_rps"), sample.capacityRps},
                                {QStringLiteral("base_load_rps"), baseLoad(sample)},
                                {QStringLiteral("headroom_rps"), spare},
                                {QStringLiteral("pool"), sample.pool},
                                {QStringLiteral("sites"), sites}});
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(QJsonObject{{QStringLiteral("proxies"), rows},
                                           {QStringLiteral("target_utilisation"), utilisation},
                                           {QStringLiteral("headroom_rps"), poolHeadroom}})
                     .toJson(QJsonDocument::Indented);
    } else {
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6  sites\n")
                     .arg(QStringLiteral("proxy"), -8)
                     .arg(QStringLiteral("state"), -7)
                     .arg(QStringLiteral("req/s"), 8)
                     .arg(QStringLiteral("conns"), 6)
                     .arg(QStringLiteral("capacity"), 9)
                     .arg(QStringLiteral("headroom"), 9);
        for (const auto &v : rows) {
            const QJsonObject o = v.toObject();
            QStringList sites;
            const QJsonObject s = o.value(QStringLiteral("sites")).toObject();
            for (auto it = s.begin(); it != s.end(); ++it)
                sites.append(
                    QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toDouble(), 0, 'f', 1));
            out() << QStringLiteral("%1 %2 %3 %4 %5 %6  %7\n")
                         .arg(o.value(QStringLiteral("name")).toString(), -8)
                         .arg(o.value(QStringLiteral("state")).toString(), -7)
                         .arg(o.value(QStringLiteral("request_rate")).toDouble(), 8, 'f', 1)
                         .arg(o.value(QStringLiteral("connections")).toDouble(), 6, 'f', 0)
                         .arg(o.value(QStringLiteral("capacity_rps")).toDouble(), 9, 'f', 0)
                         .arg(o.value(QStringLiteral("headroom_rps")).toDouble(), 9, 'f', 1)
                         .arg(sites.join(QStringLiteral(", ")));
            if (!o.value(QStringLiteral("error")).toString().isEmpty())
                out() << "         " << o.value(QStringLiteral("error")).toString() << "\n";
        }
        out() << QStringLiteral(
                     "headroom of the proxies that are up at %1 % utilisation: %2 req/s\n")
                     .arg(utilisation * 100, 0, 'f', 0)
                     .arg(poolHeadroom, 0, 'f', 1);
    }
    for (const ProxyLoad &load : loads) {
        if (load.state != ProxyLoad::State::Up)
            return 1;
    }
    return 0;
}

int forecast(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Spare capacity per hour of the week (10th percentile of past headroom) and the offers it "
        "supports, from the load history (docs/FORECAST.md)."));
    parser.addOptions({kPortBase, kStateDir, kJson});
    const QCommandLineOption days(QStringLiteral("days"),
                                  QStringLiteral("History to use, days (default 35)."),
                                  QStringLiteral("N"), QStringLiteral("35"));
    parser.addOption(days);
    int code = 0;
    if (!parse(parser, QStringLiteral("headroomctl fleet forecast"), arguments, &code))
        return code;
    QString error;
    const auto context = fleetContext(parser, &error);
    if (!context) {
        err() << "fleet forecast: " << error << "\n";
        return 2;
    }
    Database db;
    const Result<void> opened = db.open(context->databasePath);
    if (!opened) {
        err() << "fleet forecast: " << opened.error().message << "\n";
        return 1;
    }
    QStringList pools;
    for (const Proxy &p : context->proxies) {
        if (!pools.contains(p.pool))
            pools.append(p.pool);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 from = now - qint64(std::clamp(parser.value(days).toInt(), 1, 365)) * 86400000;
    QJsonArray poolsJson;
    for (const QString &pool : pools) {
        const auto series = LoadHistoryRepository(db).headroomSeries(pool, from, now);
        if (!series) {
            err() << "fleet forecast: " << series.error().message << "\n";
            return 1;
        }
        QStringList notes;
        const auto estimates = estimateByHourOfWeek(series.value());
        const auto offers =
            proposeOffers(pool, estimates, 50, 2, 50, DefaultMinWeeksPerHour, &notes);
        QJsonArray offersJson;
        for (const OfferProposal &o : offers)
            offersJson.append(QJsonObject{{QStringLiteral("description"), o.describe()},
                                          {QStringLiteral("rate_rps"), o.rateRps},
                                          {QStringLiteral("start_hour"), o.startHour},
                                          {QStringLiteral("hours"), o.hours},
                                          {QStringLiteral("daily"), o.daily},
                                          {QStringLiteral("confidence"), o.confidence}});
        poolsJson.append(
            QJsonObject{{QStringLiteral("pool"), pool},
                        {QStringLiteral("history_minutes"), int(series.value().size())},
                        {QStringLiteral("offers"), offersJson},
                        {QStringLiteral("notes"), QJsonArray::fromStringList(notes)}});
        if (!parser.isSet(kJson)) {
            out() << "pool " << pool << ": " << series.value().size() << " minutes of history\n";
            for (const OfferProposal &o : offers)
                out() << "  " << o.describe() << "\n";
            if (offers.isEmpty())
                out() << "  no offer proposed\n";
            for (const QString &n : notes)
                out() << "  note: " << n << "\n";
        }
    }
    if (parser.isSet(kJson))
        out() << QJsonDocument(QJsonObject{{QStringLiteral("pools"), poolsJson}})
                     .toJson(QJsonDocument::Indented);
    return 0;
}

} // namespace

int fleet(const QStringList &arguments)
{
    const QString usage =
        QStringLiteral("Usage: headroomctl fleet status|forecast ... (--help for each)\n");
    if (arguments.isEmpty()) {
        err() << usage;
        return 2;
    }
    const QString action = arguments.first();
    if (action == QLatin1String("status"))
        return status(arguments.mid(1));
    if (action == QLatin1String("forecast"))
        return forecast(arguments.mid(1));
    if (action == QLatin1String("--help")) {
        out() << usage;
        return 0;
    }
    err() << "headroomctl fleet: unknown action '" << action << "'\n" << usage;
    return 2;
}

} // namespace headroom::ctl
