#include "cli.h"
#include "commands.h"
#include "fleet/cachewarmer.h"
#include "fleet/fleetscraper.h"
#include "fleet/forecast.h"
#include "fleet/headroommodel.h"
#include "fleet/loadhistorycsv.h"
#include "fleet/provisioner.h"
#include "sandbox/sandbox.h"
#include "security/auditedactions.h"
#include "store/database.h"
#include "store/loadhistoryrepository.h"
#include "store/proxyrepository.h"
#include "store/siterepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>

namespace headroom::ctl {

namespace {

struct FleetContext
{
    SandboxLayout layout;
    QList<Proxy> proxies; // with capacity and pool, from the database
    QString databasePath;
    QSet<QString> purchaserHosts; // Host names of the purchaser sites
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
    FleetContext c{*layout, {}, layout->databaseFile(), {}};
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
    const auto sites = SiteRepository(db).all();
    if (!sites) {
        *error = sites.error().message;
        return std::nullopt;
    }
    for (const Site &site : sites.value()) {
        for (const QString &h : site.hosts)
            c.purchaserHosts.insert(h);
    }
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
        // Purchaser load is what goes to the Hosts of the sites we sell to; the rest is base.
        for (auto it = load.sites.cbegin(); it != load.sites.cend(); ++it) {
            if (context->purchaserHosts.contains(it.key()))
                sample.purchaserRps += it.value().requestRate;
        }
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
                                {QStringLiteral("purchaser_rps"), sample.purchaserRps},
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

int importHistory(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl fleet import-history");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Import load history from another monitoring system, so the forecast (and the market's "
        "check of offers) has weeks to work from. CSV with the header "
        "time,proxy,pool,capacity_rps,total_rps,purchaser_rps; all or nothing."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The CSV file."));
    parser.addOptions({kDb, kPortBase, kStateDir});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        err() << command << ": name one CSV FILE\n";
        return 2;
    }
    QFile file(parser.positionalArguments().first());
    if (!file.open(QIODevice::ReadOnly)) {
        err() << command << ": cannot read " << file.fileName() << ": " << file.errorString()
              << "\n";
        return 2;
    }
    const LoadHistoryCsv csv = parseLoadHistoryCsv(file, QDateTime::currentMSecsSinceEpoch());
    if (!csv.ok()) {
        err() << command << ": " << file.fileName() << " " << csv.error << "; nothing imported\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    // One transaction: all of the file or none of it, with its audit row.
    if (const auto r = AuditedActions(db, AuditLog::operatorActor())
                           .importLoadHistory(csv.samples, file.fileName(),
                                              QDateTime::currentMSecsSinceEpoch());
        !r) {
        err() << command << ": " << r.error().message << "; nothing imported\n";
        return 1;
    }
    out() << "imported " << csv.samples.size() << " load sample(s) from " << file.fileName()
          << "\n";
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

// Slots already serving other sites, and the slot already serving these hosts if any, read from
// the first proxy's Host map file (what the provisioner keeps on disk).
int slotFor(const SandboxLayout &layout, const QList<DnsName> &hosts, QString *error)
{
    QFile map(layout.proxies.first().hostMap);
    if (!map.open(QIODevice::ReadOnly) || map.size() > (1 << 20)) {
        *error = QStringLiteral("cannot read %1").arg(map.fileName());
        return -1;
    }
    QStringList used;
    for (const QByteArray &line : map.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() != 2 || !parts[1].startsWith("be_slot"))
            continue;
        for (const DnsName &h : hosts) {
            if (h.relative() == QString::fromLatin1(parts[0]))
                return parts[1].mid(7).toInt();
        }
        used.append(QString::fromLatin1(parts[1]));
    }
    const int slot = provision::chooseSlot(used, layout.slotCount);
    if (slot < 0)
        *error = QStringLiteral("every one of the %1 site slots is taken").arg(layout.slotCount);
    return slot;
}

// --warm FILE: the site's URL list, read and checked before anything changes on the proxies.
std::optional<WarmList> readWarmList(const QString &path, const QList<DnsName> &hosts,
                                     QString *error)
{
    const WarmListLimits limits;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return parseWarmList(file.read(limits.maxBytes + 1), hosts, limits);
}

// Fetches every URL of the list through every proxy of the sandbox.
WarmReport warmProxies(const SandboxLayout &layout, const WarmList &list)
{
    QList<WarmTarget> targets;
    for (const auto &p : layout.proxies)
        targets.append({p.name, p.address, p.httpPort});
    CacheWarmer warmer;
    WarmReport report;
    QObject::connect(&warmer, &CacheWarmer::finished, &warmer, [&](const WarmReport &r) {
        report = r;
        QCoreApplication::quit();
    });
    if (warmer.start(list.urls, targets))
        QCoreApplication::exec();
    return report;
}

QJsonObject warmJson(const WarmList &list, const WarmReport &report, bool ran)
{
    QJsonArray rejected;
    for (const WarmListProblem &p : list.rejected)
        rejected.append(
            QJsonObject{{QStringLiteral("line"), p.line}, {QStringLiteral("reason"), p.reason}});
    QJsonObject o = report.toJson();
    o.insert(QStringLiteral("ran"), ran);
    o.insert(QStringLiteral("urls"), int(list.urls.size()));
    o.insert(QStringLiteral("rejected"), rejected);
    o.insert(QStringLiteral("truncated"), list.truncated);
    o.insert(QStringLiteral("complete"),
             ran && report.complete() && list.rejected.isEmpty() && !list.truncated);
    return o;
}

int provisionVerb(const QStringList &arguments, bool remove)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        remove
            ? QStringLiteral("Remove SITE from every proxy: its Host names stop routing (421), "
                             "in-flight requests drain, then its origin servers are deleted.")
            : QStringLiteral("Add SITE to every proxy without a restart: its Host names route to "
                             "its origin servers (HAProxy runtime API)."));
    parser.addPositionalArgument(QStringLiteral("SITE"), QStringLiteral("The site's name."));
    parser.addOptions({kPortBase, kStateDir, kJson});
    const QCommandLineOption host(
        QStringLiteral("host"), QStringLiteral("A Host name of the site (default: SITE); repeat."),
        QStringLiteral("NAME"));
    const QCommandLineOption origin(QStringLiteral("origin"),
                                    QStringLiteral("An origin server ADDR:PORT[=W]; repeat."),
                                    QStringLiteral("ADDR:PORT"));
    const QCommandLineOption warm(
        QStringLiteral("warm"),
        QStringLiteral("After provisioning, fetch every URL of FILE through every proxy (one "
                       "absolute path or http(s) URL of the site per line, # comments) so that "
                       "the proxies cache what the origins allow; bad lines are reported and "
                       "skipped. Exit 1 unless every line was warmed on every proxy."),
        QStringLiteral("FILE"));
    parser.addOptions({host, origin, warm});
    int code = 0;
    const QString command = remove ? QStringLiteral("headroomctl fleet deprovision")
                                   : QStringLiteral("headroomctl fleet provision");
    if (!parse(parser, command, arguments, &code))
        return code;
    QString error;
    const auto context = fleetContext(parser, &error);
    if (!context || parser.positionalArguments().size() != 1) {
        err() << command << ": " << (context ? QStringLiteral("name one SITE") : error) << "\n";
        return 2;
    }
    SiteSpec spec;
    spec.site = parser.positionalArguments().first();
    const QStringList hosts = parser.isSet(host) ? parser.values(host) : QStringList{spec.site};
    for (const QString &h : hosts) {
        const auto name = DnsName::parse(h, &error);
        if (!name) {
            err() << command << ": host " << error << "\n";
            return 2;
        }
        spec.hosts.append(*name);
    }
    for (const QString &o : parser.values(origin)) {
        const auto parsed = parseOriginArg(o, &error);
        if (!parsed || parsed->backup) {
            err() << command << ": "
                  << (parsed ? QStringLiteral("a provisioned site has no backup origins") : error)
                  << "\n";
            return 2;
        }
        spec.origins.append({parsed->address, parsed->port, parsed->weight});
    }
    if (!remove && spec.origins.isEmpty()) {
        err() << command << ": give at least one --origin ADDR:PORT\n";
        return 2;
    }
    std::optional<WarmList> warmList;
    if (parser.isSet(warm)) {
        if (remove) {
            err() << command << ": --warm is for provisioning\n";
            return 2;
        }
        warmList = readWarmList(parser.value(warm), spec.hosts, &error);
        if (!warmList) {
            err() << command << ": " << error << "\n";
            return 2;
        }
        for (const WarmListProblem &p : warmList->rejected)
            err() << command << ": " << parser.value(warm) << " line " << p.line
                  << " skipped: " << p.reason << "\n";
    }
    spec.slot = slotFor(context->layout, spec.hosts, &error);
    if (spec.slot < 0) {
        err() << command << ": " << error << "\n";
        return 1;
    }
    QList<ProxyTarget> targets;
    for (const auto &p : context->layout.proxies)
        targets.append({p.name, p.runtimeSocket, p.hostMap});

    Provisioner provisioner;
    QList<ProvisionState> states;
    bool ok = false;
    QObject::connect(&provisioner, &Provisioner::changed, &provisioner,
                     [&](const QString &, const QList<ProvisionState> &now) { states = now; });
    QObject::connect(&provisioner, &Provisioner::finished, &provisioner,
                     [&](const QString &, bool converged) {
                         ok = converged;
                         QCoreApplication::quit();
                     });
    const bool started = remove ? provisioner.deprovision(spec, targets, &error)
                                : provisioner.provision(spec, targets, &error);
    if (!started) {
        err() << command << ": " << error << "\n";
        return 2;
    }
    QCoreApplication::exec();
    {
        static const char *const stateNames[] = {"pending", "provisioned", "failed", "removed"};
        QStringList perProxy;
        for (const ProvisionState &st : std::as_const(states))
            perProxy.append(
                QStringLiteral("%1 %2").arg(st.proxy, QString::fromLatin1(stateNames[st.state])));
        // The change is on the proxies, not in the database: noted with its outcome.
        auditNote(context->layout.databaseFile(), command,
                  remove ? QStringLiteral("fleet.deprovision") : QStringLiteral("fleet.provision"),
                  QStringLiteral("%1 (%2, hosts %3): %4 [%5]")
                      .arg(spec.site, provision::slotBackend(spec.slot),
                           parser.isSet(host) ? parser.values(host).join(QStringLiteral(", "))
                                              : spec.site,
                           ok ? (remove ? QStringLiteral("removed") : QStringLiteral("provisioned"))
                              : QStringLiteral("FAILED"),
                           perProxy.join(QStringLiteral(", "))));
    }
    const WarmReport warmReport =
        ok && warmList ? warmProxies(context->layout, *warmList) : WarmReport{};
    const QJsonObject warmed = warmList ? warmJson(*warmList, warmReport, ok) : QJsonObject{};
    static const char *const names[] = {"pending", "provisioned", "failed", "removed"};
    QJsonArray rows;
    for (const ProvisionState &st : states)
        rows.append(QJsonObject{{QStringLiteral("proxy"), st.proxy},
                                {QStringLiteral("state"), QString::fromLatin1(names[st.state])},
                                {QStringLiteral("attempts"), st.attempts},
                                {QStringLiteral("error"), st.error}});
    if (parser.isSet(kJson)) {
        QJsonObject result{{QStringLiteral("site"), spec.site},
                           {QStringLiteral("slot"), spec.slot},
                           {QStringLiteral("ok"), ok},
                           {QStringLiteral("proxies"), rows}};
        if (warmList)
            result.insert(QStringLiteral("warm"), warmed);
        out() << QJsonDocument(result).toJson(QJsonDocument::Indented);
    } else {
        out() << spec.site << " (" << provision::slotBackend(spec.slot)
              << "): " << (ok ? (remove ? "removed" : "provisioned") : "FAILED") << "\n";
        for (const auto &v : rows) {
            const QJsonObject o = v.toObject();
            out() << "  " << o.value(QStringLiteral("proxy")).toString() << "  "
                  << o.value(QStringLiteral("state")).toString() << " after "
                  << o.value(QStringLiteral("attempts")).toInt() << " attempt(s)"
                  << (o.value(QStringLiteral("error")).toString().isEmpty()
                          ? QString()
                          : QStringLiteral(": ") + o.value(QStringLiteral("error")).toString())
                  << "\n";
        }
        if (warmList && ok) {
            out() << "cache warming: " << warmList->urls.size() << " URL(s)"
                  << (warmList->rejected.isEmpty()
                          ? QString()
                          : QStringLiteral(", %1 line(s) skipped").arg(warmList->rejected.size()))
                  << (warmList->truncated ? ", list cut at its limits" : "") << "\n"
                  << warmReport.toText();
        }
    }
    if (warmList && !warmed.value(QStringLiteral("complete")).toBool())
        return 1;
    return ok ? 0 : 1;
}

} // namespace

int fleet(const QStringList &arguments)
{
    const QString usage = QStringLiteral(
        "Usage: headroomctl fleet status|forecast|import-history|provision|deprovision ... (--help "
        "for each)\n");
    if (arguments.isEmpty()) {
        err() << usage;
        return 2;
    }
    const QString action = arguments.first();
    if (action == QLatin1String("status"))
        return status(arguments.mid(1));
    if (action == QLatin1String("import-history"))
        return importHistory(arguments.mid(1));
    if (action == QLatin1String("forecast"))
        return forecast(arguments.mid(1));
    if (action == QLatin1String("provision"))
        return provisionVerb(arguments.mid(1), false);
    if (action == QLatin1String("deprovision"))
        return provisionVerb(arguments.mid(1), true);
    if (action == QLatin1String("--help")) {
        out() << usage;
        return 0;
    }
    err() << "headroomctl fleet: unknown action '" << action << "'\n" << usage;
    return 2;
}

} // namespace headroom::ctl
