// headroomctl site ..., lease ... and run: purchaser sites, their leases, and the controller.
#include "cli.h"
#include "commands.h"
#include "control/controller.h"
#include "control/controllerlock.h"
#include "dns/dnsname.h"
#include "market/auctioncloser.h"
#include "sandbox/sandbox.h"
#include "security/auditedactions.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"
#include "util/terminationsignals.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace headroom::ctl {
namespace {

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

// "in 1h 04m", "12m 30s ago".
QString relative(qint64 targetMs, qint64 nowMs)
{
    qint64 s = (targetMs - nowMs) / 1000;
    const bool past = s < 0;
    s = std::abs(s);
    QString text;
    if (s >= 86400)
        text = QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
    else if (s >= 3600)
        text =
            QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    else if (s >= 60)
        text = QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    else
        text = QStringLiteral("%1s").arg(s);
    return past ? text + QStringLiteral(" ago") : QStringLiteral("in ") + text;
}

// ---- site ----

QJsonObject siteJson(const Site &s, const QList<SiteProvisioning> &provisioning)
{
    QJsonArray origins;
    for (const SiteOrigin &o : s.origins)
        origins.append(QJsonObject{{QStringLiteral("address"), o.address.toString()},
                                   {QStringLiteral("port"), o.port},
                                   {QStringLiteral("weight"), o.weight},
                                   {QStringLiteral("backup"), o.backup}});
    QJsonArray prov;
    for (const SiteProvisioning &p : provisioning)
        prov.append(QJsonObject{{QStringLiteral("proxy"), p.proxy},
                                {QStringLiteral("state"), p.state},
                                {QStringLiteral("attempts"), p.attempts},
                                {QStringLiteral("error"), p.error}});
    QJsonObject o{{QStringLiteral("id"), s.id},
                  {QStringLiteral("name"), s.name},
                  {QStringLiteral("label"), s.label},
                  {QStringLiteral("hosts"), QJsonArray::fromStringList(s.hosts)},
                  {QStringLiteral("origins"), origins},
                  {QStringLiteral("origin_name"), s.originName},
                  {QStringLiteral("assignment"), assignmentName(s.assignment)},
                  {QStringLiteral("slot"), s.slot},
                  {QStringLiteral("provisioning"), prov}};
    if (s.purchaserId)
        o.insert(QStringLiteral("purchaser"), *s.purchaserId);
    return o;
}

int siteAdd(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Register a purchaser site: the name we take over, the Host names its clients send, its "
        "origin servers and how the traffic we do not carry is spread over them."));
    parser.addPositionalArgument(QStringLiteral("NAME"),
                                 QStringLiteral("The site's name, e.g. shop.example."));
    const QCommandLineOption origin(QStringLiteral("origin"),
                                    QStringLiteral("An origin server ADDR:PORT[=W][,backup]; "
                                                   "repeat."),
                                    QStringLiteral("ADDR:PORT"));
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("A Host name of the site; repeat (default: NAME "
                                                 "and www.NAME)."),
                                  QStringLiteral("HOST"));
    const QCommandLineOption originName(
        QStringLiteral("origin-name"),
        QStringLiteral("The purchaser's own name for their origins: the DNS overflow target."),
        QStringLiteral("NAME"));
    const QCommandLineOption assignment(
        QStringLiteral("assignment"),
        QStringLiteral("The purchaser's algorithm over their servers: none, rr, weighted or "
                       "primary-backup (default: none = back to their DNS)."),
        QStringLiteral("ALG"), QStringLiteral("none"));
    const QCommandLineOption label(QStringLiteral("label"),
                                   QStringLiteral("Label of its steering name (default: the "
                                                  "first label of NAME)."),
                                   QStringLiteral("LABEL"));
    const QCommandLineOption purchaser(QStringLiteral("purchaser"),
                                       QStringLiteral("The purchaser's id."), QStringLiteral("ID"));
    parser.addOptions(
        {origin, host, originName, assignment, label, purchaser, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl site add");
    if (!parse(parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        err() << command << ": name one site\n";
        return 2;
    }
    QString error;
    const auto name = DnsName::parse(parser.positionalArguments().first(), &error);
    if (!name) {
        err() << command << ": site name: " << error << "\n";
        return 2;
    }
    Site site;
    site.name = name->relative();
    site.label =
        parser.isSet(label) ? parser.value(label) : site.name.section(QLatin1Char('.'), 0, 0);
    const QStringList hosts = parser.isSet(host)
                                  ? parser.values(host)
                                  : QStringList{site.name, QStringLiteral("www.") + site.name};
    for (const QString &h : hosts) {
        const auto n = DnsName::parse(h, &error);
        if (!n) {
            err() << command << ": host: " << error << "\n";
            return 2;
        }
        site.hosts.append(n->relative());
    }
    for (const QString &o : parser.values(origin)) {
        const auto parsed = parseOriginArg(o, &error);
        if (!parsed) {
            err() << command << ": " << error << "\n";
            return 2;
        }
        site.origins.append({parsed->address, parsed->port, parsed->weight, parsed->backup});
    }
    if (parser.isSet(originName)) {
        const auto n = DnsName::parse(parser.value(originName), &error);
        if (!n) {
            err() << command << ": --origin-name: " << error << "\n";
            return 2;
        }
        site.originName = n->relative();
    }
    const auto alg = assignmentFromName(parser.value(assignment));
    if (!alg) {
        err() << command << ": --assignment is none, rr, weighted or primary-backup\n";
        return 2;
    }
    site.assignment = *alg;
    if (parser.isSet(purchaser)) {
        bool ok = false;
        const qint64 id = parser.value(purchaser).toLongLong(&ok);
        if (!ok || id <= 0) {
            err() << command << ": --purchaser takes a purchaser id\n";
            return 2;
        }
        site.purchaserId = id;
    }
    if (site.assignment == Assignment::None && site.originName.isEmpty()) {
        err() << command
              << ": with no assignment algorithm the overflow goes back to the purchaser's DNS: "
                 "give --origin-name (or --assignment rr|weighted|primary-backup)\n";
        return 2;
    }
    if (const QString why = SiteRepository::validate(site); !why.isEmpty()) {
        err() << command << ": " << why << "\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto id = AuditedActions(db, AuditLog::operatorActor()).addSite(site);
    if (!id) {
        err() << command << ": "
              << (id.error().isConstraint()
                      ? QStringLiteral("a site with this name, label or host exists already "
                                       "(or purchaser %1 does not exist)")
                            .arg(site.purchaserId.value_or(0))
                      : id.error().message)
              << "\n";
        return 1;
    }
    site.id = id.value();
    if (parser.isSet(kJson))
        out() << QJsonDocument(siteJson(site, {})).toJson(QJsonDocument::Indented);
    else
        out() << "site " << site.id << " " << site.name << ": hosts "
              << site.hosts.join(QStringLiteral(", ")) << "; " << site.origins.size()
              << " origin(s); overflow " << assignmentName(site.assignment) << "\n";
    return 0;
}

int siteList(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The purchaser sites and where each is "
                                                    "provisioned."));
    parser.addOptions({kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl site list");
    if (!parse(parser, command, arguments, &code))
        return code;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    SiteRepository repository(db);
    const auto sites = repository.all();
    if (!sites) {
        err() << command << ": " << sites.error().message << "\n";
        return 1;
    }
    QJsonArray rows;
    for (const Site &s : sites.value()) {
        const auto prov = repository.provisioning(s.id);
        rows.append(siteJson(s, prov ? prov.value() : QList<SiteProvisioning>{}));
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(QJsonObject{{QStringLiteral("sites"), rows}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (rows.isEmpty())
        out() << "no sites; add one with: headroomctl site add NAME --origin ADDR:PORT\n";
    for (const auto &v : rows) {
        const QJsonObject o = v.toObject();
        QStringList origins;
        for (const auto &x : o.value(QStringLiteral("origins")).toArray()) {
            const QJsonObject origin = x.toObject();
            origins.append(QStringLiteral("%1:%2=%3%4")
                               .arg(origin.value(QStringLiteral("address")).toString())
                               .arg(origin.value(QStringLiteral("port")).toInt())
                               .arg(origin.value(QStringLiteral("weight")).toInt())
                               .arg(origin.value(QStringLiteral("backup")).toBool()
                                        ? QStringLiteral(",backup")
                                        : QString()));
        }
        QStringList prov;
        for (const auto &x : o.value(QStringLiteral("provisioning")).toArray())
            prov.append(QStringLiteral("%1 %2").arg(
                x.toObject().value(QStringLiteral("proxy")).toString(),
                x.toObject().value(QStringLiteral("state")).toString()));
        out()
            << o.value(QStringLiteral("id")).toInt() << "  "
            << o.value(QStringLiteral("name")).toString() << "  hosts "
            << o.value(QStringLiteral("hosts")).toVariant().toStringList().join(QStringLiteral(","))
            << "  origins " << origins.join(QStringLiteral(" ")) << "  overflow "
            << o.value(QStringLiteral("assignment")).toString();
        if (!o.value(QStringLiteral("origin_name")).toString().isEmpty())
            out() << " (" << o.value(QStringLiteral("origin_name")).toString() << ")";
        const int slot = o.value(QStringLiteral("slot")).toInt();
        out() << "  "
              << (slot >= 0 ? QStringLiteral("slot %1").arg(slot)
                            : QStringLiteral("not provisioned"));
        if (!prov.isEmpty())
            out() << " [" << prov.join(QStringLiteral(", ")) << "]";
        out() << "\n";
    }
    return 0;
}

// ---- lease ----

QJsonObject leaseJson(const Lease &l, const std::optional<LeaseStatus> &status, qint64 nowMs)
{
    QJsonObject o{{QStringLiteral("id"), l.id},
                  {QStringLiteral("site"), l.siteName},
                  {QStringLiteral("pool"), l.pool},
                  {QStringLiteral("rate_rps"), l.rateRps},
                  {QStringLiteral("kind"), leaseKindName(l.kind)},
                  {QStringLiteral("overflow"), overflowPolicyName(l.overflow)},
                  {QStringLiteral("state"), leaseStateName(l.state)},
                  {QStringLiteral("from"), isoTime(l.startsAtMs)},
                  {QStringLiteral("to"), isoTime(l.endsAtMs)},
                  {QStringLiteral("daily_days"), l.dailyDays},
                  {QStringLiteral("final_end"), isoTime(l.finalEndMs())},
                  {QStringLiteral("in_window"), l.inWindow(nowMs)}};
    if (const auto w = l.currentOrNextWindow(nowMs); w && !isTerminal(l.state)) {
        o.insert(QStringLiteral("window_start"), isoTime(w->startMs));
        o.insert(QStringLiteral("window_end"), isoTime(w->endMs));
        o.insert(QStringLiteral("countdown"),
                 nowMs < w->startMs ? QStringLiteral("starts ") + relative(w->startMs, nowMs)
                                    : QStringLiteral("ends ") + relative(w->endMs, nowMs));
    }
    if (l.cancelledAtMs)
        o.insert(QStringLiteral("cancelled_at"), isoTime(*l.cancelledAtMs));
    if (status) {
        o.insert(QStringLiteral("live"),
                 QJsonObject{{QStringLiteral("at"), isoTime(status->atMs)},
                             {QStringLiteral("age_s"), (nowMs - status->atMs) / 1000.0},
                             {QStringLiteral("fraction"), status->fraction},
                             {QStringLiteral("allocated_rps"), status->allocatedRps},
                             {QStringLiteral("delivered_rps"), status->deliveredRps},
                             {QStringLiteral("demand_rps"), status->demandRps},
                             {QStringLiteral("weights"), status->weights}});
    }
    return o;
}

std::optional<qint64> leaseIdFrom(const QCommandLineParser &parser, const QString &command)
{
    bool ok = false;
    const qint64 id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (parser.positionalArguments().size() != 1 || !ok || id <= 0) {
        err() << command << ": name one lease by its id\n";
        return std::nullopt;
    }
    return id;
}

int leaseAdd(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Lease spare capacity to a site: RATE req/s carried by our proxies from TIME to TIME "
        "(optionally the same window on DAYS days). The controller (headroomctl run) provisions, "
        "steers and ends it."));
    const QCommandLineOption site(QStringLiteral("site"), QStringLiteral("The site's name."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Requests per second."),
                                  QStringLiteral("R"));
    const QCommandLineOption from(QStringLiteral("from"),
                                  QStringLiteral("Start: ISO 8601 (UTC), unix seconds, now or "
                                                 "+N[s|m|h|d]."),
                                  QStringLiteral("TIME"));
    const QCommandLineOption to(QStringLiteral("to"), QStringLiteral("End, as --from."),
                                QStringLiteral("TIME"));
    const QCommandLineOption daily(QStringLiteral("daily"),
                                   QStringLiteral("Repeat the window on DAYS consecutive days."),
                                   QStringLiteral("DAYS"));
    const QCommandLineOption kind(QStringLiteral("kind"), QStringLiteral("firm or best-effort."),
                                  QStringLiteral("KIND"));
    const QCommandLineOption overflow(
        QStringLiteral("overflow"),
        QStringLiteral("Where the rest goes: rr, weighted, primary-backup or dns (default: the "
                       "site's assignment algorithm, dns if it has none)."),
        QStringLiteral("POLICY"));
    const QCommandLineOption pool(QStringLiteral("pool"),
                                  QStringLiteral("The proxy pool it is sold from (default: the "
                                                 "only pool there is)."),
                                  QStringLiteral("POOL"));
    parser.addOptions(
        {site, rate, from, to, daily, kind, overflow, pool, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl lease add");
    if (!parse(parser, command, arguments, &code))
        return code;
    for (const QCommandLineOption *o : {&site, &rate, &from, &to, &kind}) {
        if (!parser.isSet(*o)) {
            err() << command << ": --" << o->names().first() << " is required\n";
            return 2;
        }
    }
    QString error;
    Lease lease;
    bool ok = false;
    lease.rateRps = parser.value(rate).toDouble(&ok);
    if (!ok || !(lease.rateRps > 0) || lease.rateRps > 1e9) {
        err() << command << ": --rate takes a positive number of requests per second\n";
        return 2;
    }
    const auto start = parseTime(parser.value(from), &error);
    const auto end = start ? parseTime(parser.value(to), &error) : std::nullopt;
    if (!start || !end) {
        err() << command << ": " << error << "\n";
        return 2;
    }
    lease.startsAtMs = *start * 1000;
    lease.endsAtMs = *end * 1000;
    if (parser.isSet(daily)) {
        lease.dailyDays = parser.value(daily).toInt(&ok);
        if (!ok || lease.dailyDays < 1) {
            err() << command << ": --daily takes a number of days (1-366)\n";
            return 2;
        }
    }
    const auto k = leaseKindFromName(parser.value(kind));
    if (!k) {
        err() << command << ": --kind is firm or best-effort\n";
        return 2;
    }
    lease.kind = *k;
    if (parser.isSet(overflow)) {
        const auto p = overflowPolicyFromName(parser.value(overflow));
        if (!p) {
            err() << command << ": --overflow is rr, weighted, primary-backup or dns\n";
            return 2;
        }
        lease.overflow = *p;
    }
    if (const QString why = lease.validate(); !why.isEmpty()) {
        err() << command << ": " << why << "\n";
        return 2;
    }
    if (lease.finalEndMs() <= QDateTime::currentMSecsSinceEpoch()) {
        err() << command << ": the lease would be over already\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto found = SiteRepository(db).byName(parser.value(site));
    if (!found || !found.value()) {
        err() << command << ": "
              << (found ? QStringLiteral("no site %1 (add it with: headroomctl site add)")
                              .arg(parser.value(site).left(80))
                        : found.error().message)
              << "\n";
        return found ? 2 : 1;
    }
    const Site s = *found.value();
    lease.siteId = s.id;
    lease.siteName = s.name;
    if (!parser.isSet(overflow)) {
        switch (s.assignment) {
        case Assignment::RoundRobin:
            lease.overflow = OverflowPolicy::RoundRobin;
            break;
        case Assignment::Weighted:
            lease.overflow = OverflowPolicy::Weighted;
            break;
        case Assignment::PrimaryBackup:
            lease.overflow = OverflowPolicy::PrimaryBackup;
            break;
        case Assignment::None:
            lease.overflow = OverflowPolicy::Dns;
            break;
        }
    }
    if (lease.overflow == OverflowPolicy::Dns && s.originName.isEmpty()) {
        err() << command << ": site " << s.name
              << " has no origin name for DNS overflow; choose --overflow rr|weighted|"
                 "primary-backup\n";
        return 2;
    }
    const auto proxies = ProxyRepository(db).all();
    if (!proxies) {
        err() << command << ": " << proxies.error().message << "\n";
        return 1;
    }
    QStringList pools;
    double poolCapacity = 0;
    for (const Proxy &p : proxies.value()) {
        if (!pools.contains(p.pool))
            pools.append(p.pool);
    }
    if (parser.isSet(pool)) {
        lease.pool = parser.value(pool);
        if (!pools.contains(lease.pool)) {
            err() << command << ": no proxy pool '" << lease.pool.left(80)
                  << "' (pools: " << pools.join(QStringLiteral(", ")) << ")\n";
            return 2;
        }
    } else if (pools.size() == 1) {
        lease.pool = pools.first();
    } else if (!pools.isEmpty()) {
        err() << command << ": choose a pool with --pool (" << pools.join(QStringLiteral(", "))
              << ")\n";
        return 2;
    }
    for (const Proxy &p : proxies.value()) {
        if (p.pool == lease.pool)
            poolCapacity += p.capacityRps;
    }
    const auto id = AuditedActions(db, AuditLog::operatorActor()).addLease(lease);
    if (!id) {
        err() << command << ": " << id.error().message << "\n";
        return 1;
    }
    lease.id = id.value();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(leaseJson(lease, std::nullopt, now)).toJson(QJsonDocument::Indented);
    } else {
        out() << "lease " << lease.id << ": " << lease.rateRps << " req/s "
              << leaseKindName(lease.kind) << " for " << s.name << " on pool " << lease.pool << ", "
              << isoTime(lease.startsAtMs) << " - " << isoTime(lease.endsAtMs)
              << (lease.dailyDays > 0 ? QStringLiteral(" daily for %1 days").arg(lease.dailyDays)
                                      : QString())
              << ", overflow " << overflowPolicyName(lease.overflow) << "\n";
    }
    if (poolCapacity > 0 && lease.rateRps > poolCapacity)
        err() << "warning: " << lease.rateRps << " req/s is more than the pool's whole capacity ("
              << poolCapacity << " req/s); it will be short\n";
    return 0;
}

int leaseList(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Leases with their state, countdown and live "
                                                    "delivery."));
    const QCommandLineOption all(QStringLiteral("all"),
                                 QStringLiteral("Also ended, cancelled and failed leases."));
    parser.addOptions({all, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl lease list");
    if (!parse(parser, command, arguments, &code))
        return code;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    LeaseRepository repository(db);
    const auto leases = parser.isSet(all) ? repository.all() : repository.open();
    if (!leases) {
        err() << command << ": " << leases.error().message << "\n";
        return 1;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonArray rows;
    for (const Lease &l : leases.value()) {
        const auto status = repository.status(l.id);
        rows.append(leaseJson(l, status ? status.value() : std::nullopt, now));
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(QJsonObject{{QStringLiteral("leases"), rows}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (rows.isEmpty())
        out() << "no leases\n";
    for (const auto &v : rows) {
        const QJsonObject o = v.toObject();
        out() << QStringLiteral("%1  %2 %3 req/s %4  %5  %6 - %7%8")
                     .arg(o.value(QStringLiteral("id")).toInt(), 3)
                     .arg(o.value(QStringLiteral("site")).toString(), -16)
                     .arg(o.value(QStringLiteral("rate_rps")).toDouble(), 6, 'f', 0)
                     .arg(o.value(QStringLiteral("kind")).toString(), -11)
                     .arg(o.value(QStringLiteral("state")).toString(), -12)
                     .arg(o.value(QStringLiteral("from")).toString(),
                          o.value(QStringLiteral("to")).toString(),
                          o.value(QStringLiteral("daily_days")).toInt() > 0
                              ? QStringLiteral(" x%1 days")
                                    .arg(o.value(QStringLiteral("daily_days")).toInt())
                              : QString());
        if (o.contains(QStringLiteral("countdown")))
            out() << "  " << o.value(QStringLiteral("countdown")).toString();
        const QJsonObject live = o.value(QStringLiteral("live")).toObject();
        if (!live.isEmpty() &&
            o.value(QStringLiteral("state")).toString() == QLatin1String("active"))
            out() << QStringLiteral("  fraction %1, delivering %2 of %3 req/s")
                         .arg(live.value(QStringLiteral("fraction")).toDouble(), 0, 'f', 3)
                         .arg(live.value(QStringLiteral("delivered_rps")).toDouble(), 0, 'f', 1)
                         .arg(live.value(QStringLiteral("allocated_rps")).toDouble(), 0, 'f', 1);
        out() << "\n";
    }
    return 0;
}

int leaseShow(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "One lease: its windows, state history, live fraction, weights and delivered rate, and "
        "metered usage."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The lease id."));
    parser.addOptions({kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl lease show");
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto id = leaseIdFrom(parser, command);
    if (!id)
        return 2;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    LeaseRepository repository(db);
    const auto lease = repository.byId(*id);
    if (!lease || !lease.value()) {
        err() << command << ": "
              << (lease ? QStringLiteral("no lease %1").arg(*id) : lease.error().message) << "\n";
        return 1;
    }
    const auto status = repository.status(*id);
    const auto events = repository.events(*id);
    const auto usage = UsageRepository(db).totalsForLease(*id);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonObject o = leaseJson(*lease.value(), status ? status.value() : std::nullopt, now);
    QJsonArray eventRows;
    for (const LeaseEvent &e : events ? events.value() : QList<LeaseEvent>{})
        eventRows.append(QJsonObject{{QStringLiteral("at"), isoTime(e.atMs)},
                                     {QStringLiteral("from"), e.from},
                                     {QStringLiteral("to"), e.to},
                                     {QStringLiteral("note"), e.note}});
    o.insert(QStringLiteral("events"), eventRows);
    if (usage)
        o.insert(QStringLiteral("usage"),
                 QJsonObject{{QStringLiteral("requests"), qint64(usage.value().first)},
                             {QStringLiteral("bytes"), qint64(usage.value().second)}});
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(o).toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "lease " << *id << ": " << o.value(QStringLiteral("site")).toString() << ", "
          << o.value(QStringLiteral("rate_rps")).toDouble() << " req/s "
          << o.value(QStringLiteral("kind")).toString() << ", pool "
          << o.value(QStringLiteral("pool")).toString() << ", overflow "
          << o.value(QStringLiteral("overflow")).toString() << "\n";
    out() << "  state    " << o.value(QStringLiteral("state")).toString() << "\n";
    out() << "  window   " << o.value(QStringLiteral("from")).toString() << " - "
          << o.value(QStringLiteral("to")).toString();
    if (o.value(QStringLiteral("daily_days")).toInt() > 0)
        out() << ", daily for " << o.value(QStringLiteral("daily_days")).toInt() << " days";
    out() << "\n";
    if (o.contains(QStringLiteral("countdown")))
        out() << "  next     " << o.value(QStringLiteral("countdown")).toString() << "\n";
    const QJsonObject live = o.value(QStringLiteral("live")).toObject();
    if (!live.isEmpty()) {
        out() << QStringLiteral("  live     fraction %1, delivered %2 req/s of %3 allocated, "
                                "demand %4 req/s (%5 s ago)\n")
                     .arg(live.value(QStringLiteral("fraction")).toDouble(), 0, 'f', 3)
                     .arg(live.value(QStringLiteral("delivered_rps")).toDouble(), 0, 'f', 1)
                     .arg(live.value(QStringLiteral("allocated_rps")).toDouble(), 0, 'f', 1)
                     .arg(live.value(QStringLiteral("demand_rps")).toDouble(), 0, 'f', 1)
                     .arg(live.value(QStringLiteral("age_s")).toDouble(), 0, 'f', 1);
        const QJsonObject weights = live.value(QStringLiteral("weights")).toObject();
        for (auto it = weights.begin(); it != weights.end(); ++it)
            out() << "  weight   " << it.key() << " " << it.value().toInt() << "\n";
    }
    if (usage)
        out() << "  usage    " << usage.value().first << " requests, " << usage.value().second
              << " bytes\n";
    for (const auto &e : eventRows) {
        const QJsonObject ev = e.toObject();
        out() << "  " << ev.value(QStringLiteral("at")).toString() << "  "
              << (ev.value(QStringLiteral("from")).toString().isEmpty()
                      ? QString()
                      : ev.value(QStringLiteral("from")).toString() + QStringLiteral(" -> "))
              << ev.value(QStringLiteral("to")).toString() << "  "
              << ev.value(QStringLiteral("note")).toString() << "\n";
    }
    return 0;
}

int leaseCancel(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Cancel a lease: a scheduled one at once; a running one drains first (answers go back to "
        "the purchaser, then the site leaves the proxies)."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The lease id."));
    parser.addOptions({kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl lease cancel");
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto id = leaseIdFrom(parser, command);
    if (!id)
        return 2;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto done = AuditedActions(db, AuditLog::operatorActor()).cancelLease(*id);
    if (!done) {
        err() << command << ": " << done.error().message << "\n";
        return 1;
    }
    if (parser.isSet(kJson))
        out() << QJsonDocument(QJsonObject{{QStringLiteral("id"), *id},
                                           {QStringLiteral("cancelled"), done.value()}})
                     .toJson(QJsonDocument::Indented);
    else
        out() << "lease " << *id
              << (done.value() ? ": cancelled\n" : ": already over or cancelled\n");
    return done.value() ? 0 : 1;
}

} // namespace

int site(const QStringList &arguments)
{
    const QString usage =
        QStringLiteral("Usage: headroomctl site add|list ... (--help for each)\n");
    const QString action = arguments.value(0);
    if (action == QLatin1String("add"))
        return siteAdd(arguments.mid(1));
    if (action == QLatin1String("list"))
        return siteList(arguments.mid(1));
    if (action == QLatin1String("--help")) {
        out() << usage;
        return 0;
    }
    err() << usage;
    return 2;
}

int lease(const QStringList &arguments)
{
    const QString usage =
        QStringLiteral("Usage: headroomctl lease add|list|show|cancel ... (--help for each)\n");
    const QString action = arguments.value(0);
    if (action == QLatin1String("add"))
        return leaseAdd(arguments.mid(1));
    if (action == QLatin1String("list"))
        return leaseList(arguments.mid(1));
    if (action == QLatin1String("show"))
        return leaseShow(arguments.mid(1));
    if (action == QLatin1String("cancel"))
        return leaseCancel(arguments.mid(1));
    if (action == QLatin1String("--help")) {
        out() << usage;
        return 0;
    }
    err() << usage;
    return 2;
}

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The controller: polls the proxies, moves leases through their lifecycle and steers "
        "DNS. SIGTERM or Ctrl-C stops it cleanly; the records it published lapse to the "
        "purchaser on their own if it stays away."));
    const QCommandLineOption once(QStringLiteral("once"),
                                  QStringLiteral("One full cycle, then exit (catch up on missed "
                                                 "transitions)."));
    const QCommandLineOption logFile(QStringLiteral("log"),
                                     QStringLiteral("Append the log to FILE instead of stderr."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption poll(QStringLiteral("poll"), QStringLiteral("Poll interval in ms."),
                                  QStringLiteral("MS"), QStringLiteral("1000"));
    const QCommandLineOption ttl(QStringLiteral("ttl"),
                                 QStringLiteral("TTL of the steering records, seconds."),
                                 QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption target(QStringLiteral("target-utilisation"),
                                    QStringLiteral("Share of each proxy's capacity that may be "
                                                   "used (0.8)."),
                                    QStringLiteral("U"), QStringLiteral("0.8"));
    const QCommandLineOption validity(
        QStringLiteral("validity"),
        QStringLiteral("Seconds the published weights stay valid without a refresh (15): how long "
                       "traffic keeps coming to the proxies if the controller dies."),
        QStringLiteral("S"), QStringLiteral("15"));
    parser.addOptions({once, logFile, poll, ttl, target, validity, kPortBase, kStateDir});
    int code = 0;
    const QString command = QStringLiteral("headroomctl run");
    if (!parse(parser, command, arguments, &code))
        return code;
    QString error;
    const auto layout = sandboxLayoutFrom(parser, &error);
    // A sandbox with one server down is still steered: the loop works around a dead proxy and
    // retries a DNS server that is away (docs/reliability-faults.md).
    const SandboxStatus sandboxStatus = layout ? Sandbox(*layout).status() : SandboxStatus{};
    if (!layout || !sandboxStatus.exists || sandboxStatus.servers.isEmpty()) {
        err() << command << ": "
              << (layout ? QStringLiteral("no sandbox is running at %1; start one with: "
                                          "headroomctl sandbox up")
                               .arg(layout->stateDir)
                         : error)
              << "\n";
        return 2;
    }
    auto config = ControllerConfig::forSandbox(*layout, &error);
    bool ok1 = false;
    bool ok2 = false;
    bool ok3 = false;
    bool ok4 = false;
    if (config) {
        config->validitySeconds = parser.value(validity).toInt(&ok4);
        config->pollMs = parser.value(poll).toInt(&ok1);
        config->ttlSeconds = parser.value(ttl).toUInt(&ok2);
        config->targetUtilisation = parser.value(target).toDouble(&ok3);
    }
    if (!config || !ok1 || !ok2 || !ok3 || !ok4 || config->validitySeconds < 2 ||
        config->validitySeconds > 86400 || config->pollMs < 100 || config->pollMs > 60000 ||
        config->ttlSeconds < 1 || config->ttlSeconds > 3600 ||
        !(config->targetUtilisation > 0 && config->targetUtilisation <= 1)) {
        err() << command << ": "
              << (config ? QStringLiteral("bad --poll, --ttl, --validity or --target-utilisation")
                         : error)
              << "\n";
        return 2;
    }
    ControllerLock lock(ControllerLock::pathFor(config->databasePath));
    if (!lock.tryLock(QStringLiteral("headroomctl run"), &error)) {
        err() << command << ": " << error << "\n";
        return 1;
    }
    QFile log;
    QTextStream *logStream = &err();
    std::unique_ptr<QTextStream> fileStream;
    if (parser.isSet(logFile)) {
        log.setFileName(parser.value(logFile));
        if (!log.open(QIODevice::Append | QIODevice::Text)) {
            err() << command << ": cannot open " << log.fileName() << "\n";
            return 1;
        }
        fileStream = std::make_unique<QTextStream>(&log);
        logStream = fileStream.get();
    }
    Controller controller(*config);
    QObject::connect(&controller, &Controller::message, &controller, [&](const QString &line) {
        *logStream << QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) << " " << line
                   << "\n";
        logStream->flush();
    });
    // Auctions close at their set time: after each poll, clear the ones that are due.
    AuctionCloser auctions(config->databasePath);
    QObject::connect(&auctions, &AuctionCloser::message, &controller, &Controller::message);
    QObject::connect(&controller, &Controller::cycleFinished, &auctions, &AuctionCloser::closeDue);
    TerminationSignals signals;
    QObject::connect(&signals, &TerminationSignals::received, &controller, [&](int signal) {
        Q_EMIT controller.message(QStringLiteral("signal %1: stopping").arg(signal));
        controller.stop();
        QCoreApplication::quit();
    });
    if (parser.isSet(once)) {
        controller.setSingleCycle(true);
        QObject::connect(&controller, &Controller::cycleFinished, &controller,
                         [] { QCoreApplication::quit(); });
    }
    if (!controller.start(&error)) {
        err() << command << ": " << error << "\n";
        return 1;
    }
    QStringList notRunning;
    for (const SandboxServerStatus &s : sandboxStatus.servers) {
        if (!s.running)
            notRunning.append(s.name);
    }
    if (!notRunning.isEmpty())
        Q_EMIT controller.message(
            QStringLiteral("sandbox degraded, steering anyway: %1 not running")
                .arg(notRunning.join(QStringLiteral(", "))));
    QCoreApplication::exec();
    controller.stop();
    return 0;
}

} // namespace headroom::ctl
