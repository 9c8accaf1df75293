#include "cli.h"
#include "commands.h"
#include "dns/delegationcheck.h"
#include "dns/dnsupdater.h"
#include "dns/reconciler.h"
#include "dns/steeringreadback.h"
#include "dns/steeringzones.h"
#include "dns/zonefile.h"
#include "dns/zonetransfer.h"
#include "sandbox/sandbox.h"
#include "security/auditedactions.h"
#include "settings/appsettings.h"
#include "settings/tsigsecret.h"
#include "store/database.h"
#include "store/dnsrepository.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTextStream>

namespace headroom::ctl {

namespace {

// Where our zone is served and the key that may change it: the sandbox when one runs at the
// given (or default) port base, else the console's settings; explicit options win.
struct DnsContext
{
    QHostAddress server;
    quint16 port = 53;
    std::optional<DnsName> zone;
    std::optional<TsigKey> key;
    QString databasePath;    // the desired state
    QList<DnsName> subZones; // steering shards under zone
    SteeringZones steering() const { return SteeringZones(*zone, int(subZones.size())); }
};

const QCommandLineOption kServer(QStringLiteral("server"),
                                 QStringLiteral("Authoritative server ADDR:PORT."),
                                 QStringLiteral("ADDR:PORT"));
const QCommandLineOption kZone(QStringLiteral("zone"), QStringLiteral("Our zone."),
                               QStringLiteral("ZONE"));
const QCommandLineOption kTsigName(QStringLiteral("tsig-name"), QStringLiteral("TSIG key name."),
                                   QStringLiteral("NAME"));
const QCommandLineOption kTsigFile(QStringLiteral("tsig-file"),
                                   QStringLiteral("File holding the base64 TSIG secret (0600)."),
                                   QStringLiteral("FILE"));
const QCommandLineOption kDatabase(QStringLiteral("db"),
                                   QStringLiteral("Database holding the desired state."),
                                   QStringLiteral("PATH"));

bool parseServer(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? text.left(colon) : text;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = true;
    const int p = colon > 0 ? text.mid(colon + 1).toInt(&ok) : 53;
    return address->setAddress(host) && ok && p > 0 && p < 65536 && (*port = quint16(p), true);
}

std::optional<DnsContext> contextFrom(const QCommandLineParser &parser, QString *error)
{
    DnsContext c;
    QString keyName;
    QString keyFile;
    QString zone;
    QString ignored;
    bool consoleKeyInKeychain = false;
    const auto layout = sandboxLayoutFrom(parser, &ignored);
    // A sandbox with a server down (a fault, a drill) is still the sandbox these verbs mean.
    if (layout && Sandbox(*layout).status().exists) {
        c.server = layout->authoritative.address;
        c.port = layout->authoritative.port;
        zone = layout->ourZone;
        keyName = layout->updateKeyName;
        keyFile = layout->updateKeyFile();
        c.databasePath = layout->databaseFile();
        for (const QString &shard : layout->shardZones())
            c.subZones.append(*DnsName::parse(shard));
    } else {
        const AppSettings s = consoleSettings();
        consoleKeyInKeychain = s.tsigSecretInKeychain && !s.tsigKeyName.isEmpty();
        c.server.setAddress(s.dnsServer);
        c.port = quint16(s.dnsPort);
        zone = s.zone;
        keyName = s.tsigKeyName;
        keyFile = s.tsigKeyFile;
        c.databasePath = s.databasePath;
    }
    if (parser.isSet(kDatabase))
        c.databasePath = parser.value(kDatabase);
    if (parser.isSet(kServer) && !parseServer(parser.value(kServer), &c.server, &c.port)) {
        *error = QStringLiteral("--server takes ADDR:PORT");
        return std::nullopt;
    }
    if (parser.isSet(kZone))
        zone = parser.value(kZone);
    if (parser.isSet(kTsigName))
        keyName = parser.value(kTsigName);
    if (parser.isSet(kTsigFile))
        keyFile = parser.value(kTsigFile);
    c.zone = DnsName::parse(zone, error);
    if (!c.zone)
        return std::nullopt;
    if (consoleKeyInKeychain && !parser.isSet(kTsigName) && !parser.isSet(kTsigFile)) {
        // The console keeps its secret in the OS keychain.
        AppSettings s = consoleSettings();
        c.key = tsigsecret::loadAndWait(s, error);
        if (!c.key)
            return std::nullopt;
    } else if (!keyName.isEmpty()) {
        c.key = TsigKey::fromFile(keyName, keyFile, error);
        if (!c.key)
            return std::nullopt;
    }
    return c;
}

bool parseCommon(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
                 int *code)
{
    parser.addOptions(
        {kServer, kZone, kTsigName, kTsigFile, kPortBase, kStateDir, kJson, kDatabase});
    return parse(parser, command, arguments, code);
}

bool openDatabase(Database &db, const DnsContext &context, QString *error)
{
    if (context.databasePath.isEmpty()) {
        *error = QStringLiteral("no database configured (--db PATH)");
        return false;
    }
    const Result<void> opened = db.open(context.databasePath);
    if (!opened) {
        *error = opened.error().message;
        return false;
    }
    return true;
}

// Sends the changes as one UPDATE and records the outcome for the console's DNS view.
UpdateResult applyAndLog(Database &db, const DnsContext &context,
                         const QList<NameReplacement> &changes)
{
    const DnsUpdater updater(
        {context.server, context.port, *context.zone, *context.key, context.subZones});
    const UpdateResult r = updater.apply(changes);
    UpdateLogEntry entry{QDateTime::currentMSecsSinceEpoch(),
                         context.zone->absolute(),
                         int(changes.size()),
                         r.ok,
                         r.rcode,
                         r.error,
                         r.latencyMs};
    const Result<void> logged = UpdateLogRepository(db).append(entry);
    if (!logged)
        err() << "warning: could not record the update result: " << logged.error().message << "\n";
    return r;
}

DesiredName desiredFrom(const NameReplacement &change, bool present)
{
    return {change.owner, present,       change.type,
            change.ttl,   change.rdatas, QDateTime::currentMSecsSinceEpoch()};
}

// "127.0.1.1=60, proxy2.edge.headroom.test=40", for the audit log.
QString targetsText(const QList<WeightedTarget> &targets)
{
    QStringList parts;
    for (const WeightedTarget &t : targets)
        parts.append(QStringLiteral("%1=%2")
                         .arg(t.name ? t.name->relative() : t.address.toString())
                         .arg(t.weight));
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

// SITE is a site's label ("shop": its steering name in its shard, shop.s07.edge.headroom.test)
// or a full name in our zone.
std::optional<DnsName> siteName(const QString &site, const DnsContext &context, QString *error)
{
    if (!site.contains(QLatin1Char('.')))
        return context.steering().ownerFor(site, error);
    auto n = DnsName::parse(site, error);
    if (n && !n->isSubdomainOf(*context.zone)) {
        *error =
            QStringLiteral("%1 is not in our zone %2").arg(n->absolute(), context.zone->absolute());
        return std::nullopt;
    }
    return n;
}

// Our zone and every steering shard, read back by AXFR, as one record list.
std::optional<QList<DnsRecord>> transferAll(const DnsContext &context, QString *error)
{
    QList<DnsRecord> records;
    for (const DnsName &zone : context.steering().all()) {
        const ZoneTransferResult t = transferZone(context.server, context.port, zone, context.key);
        if (!t.ok) {
            *error = QStringLiteral("%1: %2").arg(zone.absolute(), t.error);
            return std::nullopt;
        }
        records += t.records;
    }
    return records;
}

// "127.0.1.1=50" or "proxy1.edge.headroom.test=50".
std::optional<WeightedTarget> parseTarget(const QString &text, QString *error)
{
    const qsizetype eq = text.lastIndexOf(QLatin1Char('='));
    bool ok = false;
    const int weight = eq > 0 ? text.mid(eq + 1).toInt(&ok) : 0;
    if (!ok || weight < 0 || weight > 65535) {
        *error = QStringLiteral("'%1': expected ADDRESS=WEIGHT with a weight of 0-65535").arg(text);
        return std::nullopt;
    }
    const QString what = text.left(eq);
    WeightedTarget t;
    t.weight = weight;
    QHostAddress address;
    if (address.setAddress(what) && address.toString().compare(what, Qt::CaseInsensitive) == 0) {
        t.address = address;
        return t;
    }
    t.name = DnsName::parse(what, error);
    if (!t.name) {
        *error =
            QStringLiteral("'%1' is neither an IP address nor a DNS name: %2").arg(what, *error);
        return std::nullopt;
    }
    return t;
}

int setWeights(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Make SITE answer our proxies by weight, the rest going to the overflow."));
    parser.addPositionalArgument(QStringLiteral("SITE"), QStringLiteral("Name in our zone."));
    const QCommandLineOption proxy(QStringLiteral("proxy"),
                                   QStringLiteral("A proxy ADDR=W (or NAME=W); repeat."),
                                   QStringLiteral("ADDR=W"));
    const QCommandLineOption overflow(QStringLiteral("overflow"),
                                      QStringLiteral("A purchaser server ADDR=W; repeat."),
                                      QStringLiteral("ADDR=W"));
    const QCommandLineOption overflowCname(
        QStringLiteral("overflow-cname"),
        QStringLiteral(
            "The purchaser's origin name NAME[=W]: the rest (weight W) goes back to their "
            "DNS."),
        QStringLiteral("NAME[=W]"));
    const QCommandLineOption until(QStringLiteral("until"),
                                   QStringLiteral("Weights valid until TIME (default +1h)."),
                                   QStringLiteral("TIME"), QStringLiteral("+1h"));
    const QCommandLineOption leaseEnd(QStringLiteral("lease-end"),
                                      QStringLiteral("Lease end (default: --until)."),
                                      QStringLiteral("TIME"));
    const QCommandLineOption ttl(QStringLiteral("ttl"), QStringLiteral("TTL seconds (default 20)."),
                                 QStringLiteral("S"), QStringLiteral("20"));
    parser.addOptions({proxy, overflow, overflowCname, until, leaseEnd, ttl});
    int code = 0;
    if (!parseCommon(parser, QStringLiteral("headroomctl dns set-weights"), arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        err() << "dns set-weights: name one SITE\n";
        return 2;
    }
    // Everything is validated before any packet is sent.
    QString error;
    WeightTable table;
    for (const QString &p : parser.values(proxy)) {
        const auto t = parseTarget(p, &error);
        if (!t) {
            err() << "dns set-weights: " << error << "\n";
            return 2;
        }
        table.proxies.append(*t);
    }
    for (const QString &p : parser.values(overflow)) {
        const auto t = parseTarget(p, &error);
        if (!t) {
            err() << "dns set-weights: " << error << "\n";
            return 2;
        }
        table.overflowServers.append(*t);
    }
    if (parser.isSet(overflowCname)) {
        // NAME=W puts the origin name into the split with weight W; plain NAME makes it the answer
        // only after the deadline or when no proxy has weight.
        QString value = parser.value(overflowCname);
        if (value.contains(QLatin1Char('='))) {
            const auto t = parseTarget(value, &error);
            if (!t || !t->name) {
                err() << "dns set-weights: --overflow-cname: "
                      << (t ? QStringLiteral("needs a name") : error) << "\n";
                return 2;
            }
            table.overflowServers.append(*t);
            value = t->name->relative();
        }
        table.overflowName = DnsName::parse(value, &error);
        if (!table.overflowName) {
            err() << "dns set-weights: --overflow-cname: " << error << "\n";
            return 2;
        }
    }
    const auto validUntil = parseTime(parser.value(until), &error);
    const auto end =
        parseTime(parser.isSet(leaseEnd) ? parser.value(leaseEnd) : parser.value(until), &error);
    bool ttlOk = false;
    table.ttl = parser.value(ttl).toUInt(&ttlOk);
    if (!validUntil || !end || !ttlOk || table.ttl > 86400) {
        err() << "dns set-weights: " << (ttlOk ? error : QStringLiteral("bad --ttl")) << "\n";
        return 2;
    }
    table.validUntilUnix = *validUntil;
    table.leaseEndUnix = *end;
    const auto context = contextFrom(parser, &error);
    if (!context) {
        err() << "dns set-weights: " << error << "\n";
        return 2;
    }
    const auto owner = siteName(parser.positionalArguments().first(), *context, &error);
    if (!owner) {
        err() << "dns set-weights: SITE: " << error << "\n";
        return 2;
    }
    const auto record = buildSteeringRecord(table, &error);
    if (!record) {
        err() << "dns set-weights: " << error << "\n";
        return 2;
    }
    if (!context->key) {
        err() << "dns set-weights: no TSIG key configured; updates are only sent signed\n";
        return 2;
    }
    // The desired state is written first: reconcile converges on it even if this update fails.
    Database db;
    if (!openDatabase(db, *context, &error)) {
        err() << "dns set-weights: " << error << "\n";
        return 1;
    }
    const NameReplacement change = NameReplacement::forSteering(*owner, *record);
    const Result<void> stored =
        AuditedActions(db, AuditLog::operatorActor())
            .setDesiredName(
                QStringLiteral("dns.set-weights"), desiredFrom(change, true),
                QStringLiteral("%1: proxies %2; overflow %3%4; valid until %5 UTC, TTL %6 s")
                    .arg(owner->absolute(), targetsText(table.proxies),
                         targetsText(table.overflowServers),
                         table.overflowName
                             ? QStringLiteral(", then %1").arg(table.overflowName->relative())
                             : QString(),
                         QDateTime::fromSecsSinceEpoch(table.validUntilUnix, Qt::UTC)
                             .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                    .arg(table.ttl));
    if (!stored) {
        err() << "dns set-weights: " << stored.error().message << "\n";
        return 1;
    }
    const UpdateResult r = applyAndLog(db, *context, {change});
    const QString kinds[] = {QStringLiteral("static A"), QStringLiteral("static CNAME"),
                             QStringLiteral("LUA A"), QStringLiteral("LUA CNAME")};
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("site"), owner->absolute()},
                                 {QStringLiteral("ok"), r.ok},
                                 {QStringLiteral("rcode"), r.rcode},
                                 {QStringLiteral("error"), r.error},
                                 {QStringLiteral("record"), kinds[int(record->kind)]},
                                 {QStringLiteral("lua"), QString::fromLatin1(record->luaCode)},
                                 {QStringLiteral("attempts"), r.attempts},
                                 {QStringLiteral("tcp"), r.viaTcp},
                                 {QStringLiteral("latency_ms"), r.latencyMs}})
                     .toJson(QJsonDocument::Indented);
    } else if (r.ok) {
        out() << owner->absolute() << ": " << kinds[int(record->kind)] << " record applied in "
              << QString::number(r.latencyMs, 'f', 1) << " ms\n";
        if (!record->luaCode.isEmpty())
            out() << "  " << record->luaCode << "\n";
    } else {
        err() << "dns set-weights: " << owner->absolute() << ": " << r.error << "\n";
    }
    return r.ok ? 0 : 1;
}

QJsonObject recordJson(const DnsRecord &r)
{
    const ServedSteering served = decodeServed(r);
    QJsonObject o{{QStringLiteral("name"), r.name},
                  {QStringLiteral("type"), recordTypeName(r.type)},
                  {QStringLiteral("ttl"), qint64(r.ttl)}};
    const auto weightsJson = [](const QList<ServedSteering::Weight> &list) {
        QJsonArray a;
        for (const auto &w : list)
            a.append(QJsonObject{{QStringLiteral("target"), w.target},
                                 {QStringLiteral("weight"), w.weight}});
        return a;
    };
    if (r.type == quint16(RecordType::LUA)) {
        o.insert(QStringLiteral("inner_type"), served.kind.mid(4));
        o.insert(QStringLiteral("lua"), served.code);
        o.insert(QStringLiteral("recognised"), served.recognised);
        o.insert(QStringLiteral("weights"), weightsJson(served.weights));
        if (served.deadline.isValid()) {
            o.insert(QStringLiteral("deadline"), served.deadline.toString(Qt::ISODate));
            o.insert(QStringLiteral("after_deadline"), weightsJson(served.afterDeadline));
        }
    } else {
        o.insert(QStringLiteral("data"), r.text);
    }
    return o;
}

int show(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Show what the authoritative server serves for SITE (read back by AXFR)."));
    parser.addPositionalArgument(QStringLiteral("SITE"), QStringLiteral("Name in our zone."));
    int code = 0;
    if (!parseCommon(parser, QStringLiteral("headroomctl dns show"), arguments, &code))
        return code;
    QString error;
    const auto context = contextFrom(parser, &error);
    if (!context || parser.positionalArguments().size() != 1) {
        err() << "dns show: " << (context ? QStringLiteral("name one SITE") : error) << "\n";
        return 2;
    }
    const auto owner = siteName(parser.positionalArguments().first(), *context, &error);
    if (!owner) {
        err() << "dns show: " << error << "\n";
        return 2;
    }
    const ZoneTransferResult zone = transferZone(context->server, context->port,
                                                 context->steering().zoneOf(*owner), context->key);
    if (!zone.ok) {
        err() << "dns show: " << zone.error << "\n";
        return 1;
    }
    QJsonArray records;
    for (const DnsRecord &r : zone.records) {
        if (r.name == owner->absolute() && !NameReplacement::isAnchor(r.type, r.rdata))
            records.append(recordJson(r));
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(QJsonObject{{QStringLiteral("site"), owner->absolute()},
                                           {QStringLiteral("records"), records}})
                     .toJson(QJsonDocument::Indented);
    } else if (records.isEmpty()) {
        out() << owner->absolute() << ": nothing served (NXDOMAIN)\n";
    } else {
        for (const auto &v : records) {
            const QJsonObject o = v.toObject();
            out() << owner->absolute() << " " << o.value(QStringLiteral("ttl")).toInteger() << " "
                  << o.value(QStringLiteral("type")).toString();
            if (o.contains(QStringLiteral("lua"))) {
                out() << " " << o.value(QStringLiteral("inner_type")).toString() << "\n";
                for (const auto &w : o.value(QStringLiteral("weights")).toArray())
                    out() << "  weight " << w.toObject().value(QStringLiteral("weight")).toInt()
                          << "  " << w.toObject().value(QStringLiteral("target")).toString()
                          << "\n";
                if (o.contains(QStringLiteral("deadline"))) {
                    out() << "  until " << o.value(QStringLiteral("deadline")).toString()
                          << ", then:";
                    for (const auto &w : o.value(QStringLiteral("after_deadline")).toArray())
                        out() << " " << w.toObject().value(QStringLiteral("target")).toString()
                              << "=" << w.toObject().value(QStringLiteral("weight")).toInt();
                    out() << "\n";
                }
            } else {
                out() << " " << o.value(QStringLiteral("data")).toString() << "\n";
            }
        }
    }
    return 0;
}

int importZone(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Import a purchaser's name-to-address map: AXFR from their DNS (--server) or a zone file "
        "(--file). Bad or unsupported records are reported one by one; the rest is stored."));
    parser.addPositionalArgument(QStringLiteral("ZONE"), QStringLiteral("The purchaser's zone."));
    const QCommandLineOption tsig(QStringLiteral("tsig"),
                                  QStringLiteral("TSIG key name for the transfer."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption file(QStringLiteral("file"), QStringLiteral("A zone file to read."),
                                  QStringLiteral("PATH"));
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("Give up on the purchaser's DNS server after MS milliseconds (5000)."),
        QStringLiteral("MS"), QStringLiteral("5000"));
    parser.addOptions({tsig, file, timeout});
    int code = 0;
    if (!parseCommon(parser, QStringLiteral("headroomctl dns import-zone"), arguments, &code))
        return code;
    QString error;
    const auto zone = parser.positionalArguments().size() == 1
                          ? DnsName::parse(parser.positionalArguments().first(), &error)
                          : std::nullopt;
    QHostAddress server;
    quint16 port = 53;
    const bool fromFile = parser.isSet(file);
    bool timeoutOk = false;
    const int timeoutMs = parser.value(timeout).toInt(&timeoutOk);
    if (!zone || fromFile == parser.isSet(kServer) ||
        (!fromFile && !parseServer(parser.value(kServer), &server, &port)) || !timeoutOk ||
        timeoutMs < 100 || timeoutMs > 600000) {
        err() << "dns import-zone: name one ZONE and either --server ADDR:PORT or --file PATH "
                 "(--timeout 100-600000 ms) "
              << error << "\n";
        return 2;
    }
    QList<DnsRecord> records;
    QStringList problems;
    if (fromFile) {
        const ZoneFileResult parsed = readZoneFile(parser.value(file), *zone);
        if (!parsed.ok()) {
            err() << "dns import-zone: " << parsed.error << "\n";
            return 1;
        }
        records = parsed.records;
        for (const ZoneFileProblem &p : parsed.problems)
            problems.append(QStringLiteral("line %1: %2: %3").arg(p.line).arg(p.text, p.reason));
    } else {
        std::optional<TsigKey> key;
        if (parser.isSet(tsig)) {
            QString keyFile = parser.value(kTsigFile);
            if (keyFile.isEmpty()) {
                // In the sandbox the purchaser's transfer key sits beside ours.
                QString ignored;
                if (const auto layout = sandboxLayoutFrom(parser, &ignored))
                    keyFile = layout->stateDir + QStringLiteral("/secrets/") + parser.value(tsig) +
                              QStringLiteral(".key");
            }
            key = TsigKey::fromFile(parser.value(tsig), keyFile, &error);
            if (!key) {
                err() << "dns import-zone: " << error << "\n";
                return 2;
            }
        }
        const ZoneTransferResult transfer = transferZone(server, port, *zone, key, timeoutMs);
        if (!transfer.ok) {
            // Nothing is replaced: say so, and what stays in force.
            QString kept = QStringLiteral("nothing was stored");
            const auto context = contextFrom(parser, &error);
            Database db;
            QString ignored;
            if (context && openDatabase(db, *context, &ignored)) {
                const auto before = ImportedNameRepository(db).byZone(zone->absolute());
                if (before && !before.value().isEmpty())
                    kept += QStringLiteral("; the %1 names imported before for %2 stay in force")
                                .arg(before.value().size())
                                .arg(zone->absolute());
            }
            err() << "dns import-zone: cannot transfer " << zone->absolute()
                  << " from the purchaser's DNS server " << server.toString() << ":" << port << ": "
                  << transfer.error << "; " << kept << "\n";
            return 1;
        }
        records = transfer.records;
    }
    const NameMap map = nameMapFrom(*zone, records);
    problems += map.problems;

    QList<ImportedName> rows;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const DnsRecord &r : map.entries) {
        rows.append({zone->absolute(), r.name, recordTypeName(r.type),
                     r.address.isNull() ? r.target : r.address.toString(), r.ttl, now});
    }
    // Stored when a database is at hand (sandbox, settings or --db); a failed import replaces
    // nothing.
    QString stored;
    const auto context = contextFrom(parser, &error);
    Database db;
    if (context && openDatabase(db, *context, &error)) {
        const Result<void> written =
            AuditedActions(db, AuditLog::operatorActor())
                .importZone(zone->absolute(), rows,
                            fromFile ? QStringLiteral("file %1").arg(parser.value(file))
                                     : QStringLiteral("%1:%2").arg(server.toString()).arg(port));
        stored = written ? context->databasePath : QString();
        if (!written)
            error = written.error().message;
    }
    if (parser.isSet(kJson)) {
        QJsonArray names;
        for (const DnsRecord &r : map.entries)
            names.append(recordJson(r));
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("zone"), zone->absolute()},
                                 {QStringLiteral("names"), names},
                                 {QStringLiteral("problems"), QJsonArray::fromStringList(problems)},
                                 {QStringLiteral("stored_in"), stored}})
                     .toJson(QJsonDocument::Indented);
    } else {
        out() << zone->absolute() << ": " << rows.size() << " names imported from "
              << records.size() << " records"
              << (stored.isEmpty() ? QStringLiteral(" (not stored: %1)").arg(error)
                                   : QStringLiteral(", stored in ") + stored)
              << "\n";
        for (const ImportedName &n : rows)
            out() << "  " << n.name << " " << n.type << " " << n.value << "\n";
        for (const QString &p : problems)
            out() << "  skipped: " << p << "\n";
    }
    return stored.isEmpty() ? 1 : 0;
}

QJsonObject planJson(const ReconcilePlan &plan)
{
    static const char *const states[] = {"in-sync", "missing", "different", "extra"};
    QJsonArray lines;
    for (const ReconcileLine &l : plan.lines) {
        lines.append(
            QJsonObject{{QStringLiteral("name"), l.owner.absolute()},
                        {QStringLiteral("state"), QString::fromLatin1(states[int(l.state)])},
                        {QStringLiteral("served"), l.served},
                        {QStringLiteral("desired"), l.desired}});
    }
    return {{QStringLiteral("in_sync"), plan.inSync()},
            {QStringLiteral("changes"), int(plan.changes.size())},
            {QStringLiteral("names"), lines}};
}

void printPlan(const ReconcilePlan &plan)
{
    static const char *const states[] = {"=", "+", "~", "-"};
    for (const ReconcileLine &l : plan.lines) {
        out() << states[int(l.state)] << " " << l.owner.absolute() << "\n";
        if (l.state != ReconcileLine::State::InSync)
            out() << "    served:  " << l.served << "\n    desired: " << l.desired << "\n";
    }
    out() << (plan.inSync() ? QStringLiteral("in sync\n")
                            : QStringLiteral("%1 name(s) differ\n").arg(plan.changes.size()));
}

// Reads the desired state and what the server serves, and plans the difference.
std::optional<ReconcilePlan> plan(Database &db, const DnsContext &context, QString *error)
{
    const auto desired = DnsDesiredRepository(db).all();
    if (!desired) {
        *error = desired.error().message;
        return std::nullopt;
    }
    const auto served = transferAll(context, error);
    if (!served)
        return std::nullopt;
    return planReconcile(*context.zone, desired.value(), *served);
}

int diffOrApply(const QStringList &arguments, bool apply)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        apply ? QStringLiteral("Make the served zone equal the desired state, in one UPDATE.")
              : QStringLiteral("Compare the desired state with what the server serves (AXFR). "
                               "Exit 0 in sync, 1 when names differ."));
    int code = 0;
    const QString command =
        apply ? QStringLiteral("headroomctl dns apply") : QStringLiteral("headroomctl dns diff");
    if (!parseCommon(parser, command, arguments, &code))
        return code;
    QString error;
    const auto context = contextFrom(parser, &error);
    Database db;
    if (!context || !openDatabase(db, *context, &error)) {
        err() << command << ": " << error << "\n";
        return 2;
    }
    const auto before = plan(db, *context, &error);
    if (!before) {
        err() << command << ": " << error << "\n";
        return 1;
    }
    if (!apply) {
        if (parser.isSet(kJson))
            out() << QJsonDocument(planJson(*before)).toJson(QJsonDocument::Indented);
        else
            printPlan(*before);
        return before->inSync() ? 0 : 1;
    }
    if (before->inSync()) {
        out() << (parser.isSet(kJson) ? QJsonDocument(planJson(*before)).toJson() : "in sync\n");
        return 0;
    }
    if (!context->key) {
        err() << command << ": no TSIG key configured\n";
        return 2;
    }
    const UpdateResult r = applyAndLog(db, *context, before->changes);
    // The change is the DNS server's, not the database's: noted with its outcome.
    const Result<void> noted =
        AuditLog(db, AuditLog::operatorActor())
            .note(QStringLiteral("dns.apply"),
                  QStringLiteral("%1 change(s) to %2 in one UPDATE: %3")
                      .arg(before->changes.size())
                      .arg(context->zone->absolute(), r.ok ? QStringLiteral("applied")
                                                           : QStringLiteral("failed, ") + r.error));
    if (!noted)
        err() << command << ": warning: not in the audit log: " << noted.error().message << "\n";
    if (!r.ok) {
        err() << command << ": " << r.error << "\n";
        return 1;
    }
    const auto after = plan(db, *context, &error);
    if (parser.isSet(kJson)) {
        QJsonObject o = planJson(*before);
        o.insert(QStringLiteral("applied"), true);
        o.insert(QStringLiteral("in_sync_after"), after && after->inSync());
        o.insert(QStringLiteral("latency_ms"), r.latencyMs);
        out() << QJsonDocument(o).toJson(QJsonDocument::Indented);
    } else {
        out() << "applied " << before->changes.size() << " change(s) in one UPDATE ("
              << QString::number(r.latencyMs, 'f', 1) << " ms); "
              << (after && after->inSync() ? "now in sync" : "still differs") << "\n";
    }
    return after && after->inSync() ? 0 : 1;
}

int removeSite(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Stop serving SITE from our zone (desired state: absent)."));
    parser.addPositionalArgument(QStringLiteral("SITE"), QStringLiteral("Name in our zone."));
    int code = 0;
    if (!parseCommon(parser, QStringLiteral("headroomctl dns remove"), arguments, &code))
        return code;
    QString error;
    const auto context = contextFrom(parser, &error);
    Database db;
    if (!context || parser.positionalArguments().size() != 1 ||
        !openDatabase(db, *context, &error)) {
        err() << "dns remove: " << (error.isEmpty() ? QStringLiteral("name one SITE") : error)
              << "\n";
        return 2;
    }
    const auto owner = siteName(parser.positionalArguments().first(), *context, &error);
    if (!owner || !context->key) {
        err() << "dns remove: " << (owner ? QStringLiteral("no TSIG key configured") : error)
              << "\n";
        return 2;
    }
    const NameReplacement change{*owner, 0, 0, {}};
    const Result<void> stored =
        AuditedActions(db, AuditLog::operatorActor())
            .setDesiredName(QStringLiteral("dns.remove"), desiredFrom(change, false),
                            QStringLiteral("%1: no longer served").arg(owner->absolute()));
    if (!stored) {
        err() << "dns remove: " << stored.error().message << "\n";
        return 1;
    }
    const UpdateResult r = applyAndLog(db, *context, {change});
    if (!r.ok) {
        err() << "dns remove: " << r.error << "\n";
        return 1;
    }
    out() << owner->absolute() << ": removed\n";
    return 0;
}

int checkDelegationVerb(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Is HOST delegated to our DNS (CNAME or NS into our zone)? Asks the purchaser's "
        "authoritative server and a resolver, and shows the exact records seen."));
    parser.addPositionalArgument(QStringLiteral("HOST"), QStringLiteral("The purchaser's name."));
    const QCommandLineOption resolver(QStringLiteral("resolver"),
                                      QStringLiteral("Resolver ADDR:PORT (sandbox: its recursor)."),
                                      QStringLiteral("ADDR:PORT"));
    const QCommandLineOption authority(
        QStringLiteral("authority"),
        QStringLiteral("The purchaser's authoritative server ADDR:PORT (sandbox: its BIND)."),
        QStringLiteral("ADDR:PORT"));
    parser.addOptions({resolver, authority});
    int code = 0;
    if (!parseCommon(parser, QStringLiteral("headroomctl dns check-delegation"), arguments, &code))
        return code;
    QString error;
    const auto context = contextFrom(parser, &error);
    const auto host = parser.positionalArguments().size() == 1
                          ? DnsName::parse(parser.positionalArguments().first(), &error)
                          : std::nullopt;
    if (!context || !host) {
        err() << "dns check-delegation: "
              << (error.isEmpty() ? QStringLiteral("name one HOST") : error) << "\n";
        return 2;
    }
    DelegationCheckInput in{*host, *context->zone, {{context->server, context->port}}, {}, 53, {},
                            53};
    QString ignored;
    const auto layout = sandboxLayoutFrom(parser, &ignored);
    if (layout && Sandbox(*layout).status().running) {
        in.resolver = layout->recursor.address;
        in.resolverPort = layout->recursor.port;
        in.purchaserAuthority = layout->purchaserDns.address;
        in.purchaserAuthorityPort = layout->purchaserDns.port;
    }
    if ((parser.isSet(resolver) &&
         !parseServer(parser.value(resolver), &in.resolver, &in.resolverPort)) ||
        (parser.isSet(authority) && !parseServer(parser.value(authority), &in.purchaserAuthority,
                                                 &in.purchaserAuthorityPort)) ||
        in.resolver.isNull() || in.purchaserAuthority.isNull()) {
        err() << "dns check-delegation: give --resolver ADDR:PORT and --authority ADDR:PORT\n";
        return 2;
    }
    const DelegationReport report = checkDelegation(in);
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented);
    } else {
        out() << report.host << ": " << delegationVerdictName(report.verdict)
              << (report.via.isEmpty() ? QString()
                                       : QStringLiteral(" (") + report.via + QLatin1Char(')'))
              << "\n  " << report.explanation << "\n  at the purchaser's authoritative server:\n";
        for (const QString &r : report.authoritativeRecords)
            out() << "    " << r << "\n";
        out() << "  through the resolver:\n";
        for (const QString &r : report.resolverRecords)
            out() << "    " << r << "\n";
    }
    return report.verdict == DelegationReport::Verdict::Delegated ? 0 : 1;
}

} // namespace

int dns(const QStringList &arguments)
{
    const QString usage =
        QStringLiteral("Usage: headroomctl dns "
                       "set-weights|show|diff|apply|remove|import-zone|check-delegation ... "
                       "(--help for each)\n");
    if (arguments.isEmpty()) {
        err() << usage;
        return 2;
    }
    const QString action = arguments.first();
    const QStringList rest = arguments.mid(1);
    if (action == QLatin1String("set-weights"))
        return setWeights(rest);
    if (action == QLatin1String("show"))
        return show(rest);
    if (action == QLatin1String("import-zone"))
        return importZone(rest);
    if (action == QLatin1String("diff"))
        return diffOrApply(rest, false);
    if (action == QLatin1String("apply"))
        return diffOrApply(rest, true);
    if (action == QLatin1String("remove"))
        return removeSite(rest);
    if (action == QLatin1String("check-delegation"))
        return checkDelegationVerb(rest);
    if (action == QLatin1String("--help")) {
        out() << usage;
        return 0;
    }
    err() << "headroomctl dns: unknown action '" << action << "'\n" << usage;
    return 2;
}

} // namespace headroom::ctl
