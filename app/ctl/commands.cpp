#include "commands.h"

#include "cli.h"
#include "sandbox/sandbox.h"
#include "sandbox/trafficgenerator.h"
#include "util/terminationsignals.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

namespace headroom::ctl {

namespace {

std::optional<SandboxLayout> layoutFrom(const QCommandLineParser &parser)
{
    QString error;
    auto layout = sandboxLayoutFrom(parser, &error);
    if (!layout)
        err() << error << "\n";
    return layout;
}

void printStatus(const QJsonObject &s)
{
    out() << "sandbox " << s.value(QStringLiteral("state")).toString() << "  (port base "
          << s.value(QStringLiteral("port_base")).toInt() << ", state "
          << s.value(QStringLiteral("state_dir")).toString() << ")\n";
    const auto dns = [](const QJsonObject &o, const char *what) {
        out() << QStringLiteral("  %1 %2:%3  %4  [%5]\n")
                     .arg(QString::fromLatin1(what), -22)
                     .arg(o.value(QStringLiteral("address")).toString())
                     .arg(o.value(QStringLiteral("port")).toInt())
                     .arg(o.value(QStringLiteral("name")).toString())
                     .arg(o.value(QStringLiteral("zones"))
                              .toVariant()
                              .toStringList()
                              .join(QStringLiteral(", ")));
    };
    dns(s.value(QStringLiteral("authoritative")).toObject(), "authoritative DNS");
    dns(s.value(QStringLiteral("purchaser_dns")).toObject(), "purchaser DNS (BIND)");
    dns(s.value(QStringLiteral("recursor")).toObject(), "recursor");
    for (const auto &v : s.value(QStringLiteral("proxies")).toArray()) {
        const QJsonObject p = v.toObject();
        out() << QStringLiteral("  %1 %2:%3  metrics %4\n")
                     .arg(QStringLiteral("proxy ") + p.value(QStringLiteral("name")).toString(),
                          -22)
                     .arg(p.value(QStringLiteral("address")).toString())
                     .arg(p.value(QStringLiteral("http_port")).toInt())
                     .arg(p.value(QStringLiteral("metrics_url")).toString());
    }
    for (const auto &v : s.value(QStringLiteral("origins")).toArray()) {
        const QJsonObject o = v.toObject();
        out() << QStringLiteral("  %1 %2:%3  serves %4\n")
                     .arg(QStringLiteral("origin ") + o.value(QStringLiteral("name")).toString(),
                          -22)
                     .arg(o.value(QStringLiteral("address")).toString())
                     .arg(o.value(QStringLiteral("http_port")).toInt())
                     .arg(o.value(QStringLiteral("site")).toString());
    }
    const QJsonObject tsig = s.value(QStringLiteral("tsig")).toObject();
    out() << "  TSIG update key " << tsig.value(QStringLiteral("update_key_name")).toString()
          << " (" << tsig.value(QStringLiteral("algorithm")).toString() << ", secret in "
          << tsig.value(QStringLiteral("update_key_file")).toString() << ")\n";
    const QJsonArray servers = s.value(QStringLiteral("servers")).toArray();
    if (!servers.isEmpty())
        out() << "processes:\n";
    for (const auto &v : servers) {
        const QJsonObject p = v.toObject();
        out() << QStringLiteral("  %1 pid %2  %3  log %4\n")
                     .arg(p.value(QStringLiteral("name")).toString(), -14)
                     .arg(p.value(QStringLiteral("pid")).toInteger(), -8)
                     .arg(p.value(QStringLiteral("running")).toBool() ? QStringLiteral("running")
                                                                      : QStringLiteral("STOPPED"),
                          -8)
                     .arg(p.value(QStringLiteral("log")).toString());
    }
}

} // namespace

int sandbox(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Start, stop or inspect the local sandbox network."));
    parser.addPositionalArgument(
        QStringLiteral("action"),
        QStringLiteral("up, down, status, or restart-proxy NAME (a graceful reload that keeps "
                       "the per-site counters)"));
    parser.addOptions({kPortBase, kStateDir, kJson});
    const QCommandLineOption baseLoad(
        QStringLiteral("base-load"),
        QStringLiteral("Keep a diurnal load of R req/s on the subscriber site (default 0)."),
        QStringLiteral("R"), QStringLiteral("0"));
    const QCommandLineOption period(QStringLiteral("period"),
                                    QStringLiteral("Length of the compressed day, seconds."),
                                    QStringLiteral("S"), QStringLiteral("600"));
    parser.addOption(baseLoad);
    parser.addOption(period);
    int code = 0;
    if (!parse(parser, QStringLiteral("headroomctl sandbox"), arguments, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    const bool restart = pos.value(0) == QLatin1String("restart-proxy");
    if (pos.size() != (restart ? 2 : 1)) {
        err() << "headroomctl sandbox: say up, down, status or restart-proxy NAME\n";
        return 2;
    }
    const auto layout = layoutFrom(parser);
    if (!layout)
        return 2;
    Sandbox box(*layout);
    const QString action = pos.first();
    QString error;
    if (action == QLatin1String("up")) {
        Sandbox::Options options;
        options.baseLoadRps = parser.value(baseLoad).toDouble();
        options.diurnalPeriodSeconds = parser.value(period).toInt();
        options.trafficProgram = QCoreApplication::applicationFilePath();
        if (!box.up(options, &error)) {
            err() << "sandbox up failed: " << error << "\n";
            return 1;
        }
    } else if (action == QLatin1String("down")) {
        if (!box.down(&error)) {
            err() << "sandbox down failed: " << error << "\n";
            return 1;
        }
        if (!parser.isSet(kJson)) {
            out() << "sandbox stopped (" << layout->stateDir << ")\n";
            return 0;
        }
    } else if (restart) {
        const int generation = box.restartProxy(pos[1], &error);
        if (generation == 0) {
            err() << "sandbox restart-proxy failed: " << error << "\n";
            return 1;
        }
        auditNote(layout->databaseFile(), QStringLiteral("headroomctl sandbox restart-proxy"),
                  QStringLiteral("sandbox.restart-proxy"),
                  QStringLiteral("%1 reloaded gracefully (configuration generation %2)")
                      .arg(pos[1])
                      .arg(generation));
        if (parser.isSet(kJson)) {
            out() << QJsonDocument(QJsonObject{{QStringLiteral("proxy"), pos[1]},
                                               {QStringLiteral("generation"), generation}})
                         .toJson(QJsonDocument::Indented);
        } else {
            out() << pos[1] << " reloaded (configuration generation " << generation
                  << "); its stick table was handed over\n";
        }
        return 0;
    } else if (action != QLatin1String("status")) {
        err() << "headroomctl sandbox: unknown action '" << action << "'\n";
        return 2;
    }
    const QJsonObject status = box.statusJson();
    if (parser.isSet(kJson))
        out() << QJsonDocument(status).toJson(QJsonDocument::Indented);
    else
        printStatus(status);
    if (action == QLatin1String("status"))
        return status.value(QStringLiteral("state")).toString() == QLatin1String("running") ? 0 : 3;
    return 0;
}

int traffic(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Emulate clients behind caching resolvers: resolve the host through DNS, then send HTTP "
        "with that Host header to the address answered."));
    parser.addOptions({kPortBase, kStateDir, kJson});
    const QCommandLineOption profile(QStringLiteral("profile"),
                                     QStringLiteral("steady, step or diurnal."),
                                     QStringLiteral("P"), QStringLiteral("steady"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Peak requests/s."),
                                  QStringLiteral("R"), QStringLiteral("100"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Seconds; 0 runs until interrupted."),
                                      QStringLiteral("S"), QStringLiteral("10"));
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Site to request."),
                                  QStringLiteral("H"), QStringLiteral("news.example"));
    const QCommandLineOption via(QStringLiteral("via"),
                                 QStringLiteral("auth: resolvers ask the authoritative servers; "
                                                "recursor: they ask the sandbox recursor."),
                                 QStringLiteral("M"), QStringLiteral("auth"));
    const QCommandLineOption resolvers(QStringLiteral("resolvers"),
                                       QStringLiteral("Number of caching resolvers (default 300)."),
                                       QStringLiteral("K"), QStringLiteral("300"));
    const QCommandLineOption period(QStringLiteral("period"),
                                    QStringLiteral("Diurnal period, seconds (default 600)."),
                                    QStringLiteral("S"), QStringLiteral("600"));
    const QCommandLineOption reportEvery(QStringLiteral("report-every"),
                                         QStringLiteral("Print progress every S seconds."),
                                         QStringLiteral("S"), QStringLiteral("0"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed."),
                                  QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({profile, rate, duration, host, via, resolvers, period, reportEvery, seed});
    int code = 0;
    if (!parse(parser, QStringLiteral("headroomctl traffic"), arguments, &code))
        return code;
    const auto layout = layoutFrom(parser);
    if (!layout)
        return 2;
    Sandbox box(*layout);
    if (!box.status().running) {
        err() << "traffic: no sandbox is running at " << layout->stateDir
              << "; start one with: headroomctl sandbox up\n";
        return 1;
    }
    QString error;
    const double durationS = parser.value(duration).toDouble();
    const auto loadProfile =
        LoadProfile::parse(parser.value(profile), parser.value(rate).toDouble(), durationS,
                           parser.value(period).toDouble(), &error);
    if (!loadProfile) {
        err() << "traffic: " << error << "\n";
        return 2;
    }
    TrafficOptions options;
    options.profile = *loadProfile;
    options.durationSeconds = std::max(0.0, durationS);
    options.host = parser.value(host).toLower();
    options.httpPort = layout->proxies.front().httpPort;
    options.resolvers = std::clamp(parser.value(resolvers).toInt(), 1, 100000);
    options.reportEverySeconds = parser.value(reportEvery).toDouble();
    options.seed = parser.value(seed).toUInt();
    if (parser.value(via) == QLatin1String("recursor")) {
        options.recursive = true;
        options.servers = {{QStringLiteral("."), layout->recursor.address, layout->recursor.port}};
    } else if (parser.value(via) == QLatin1String("auth")) {
        for (const auto *dns : {&layout->authoritative, &layout->purchaserDns}) {
            for (const auto &zone : dns->zones)
                options.servers.append({zone, dns->address, dns->port});
        }
    } else {
        err() << "traffic: --via takes auth or recursor\n";
        return 2;
    }

    TrafficGenerator generator(options);
    TerminationSignals signals_;
    QObject::connect(&signals_, &TerminationSignals::received, &generator,
                     [&generator](int) { generator.stop(); });
    const bool json = parser.isSet(kJson);
    QObject::connect(
        &generator, &TrafficGenerator::progress, &generator, [json](const TrafficReport &r) {
            if (json)
                out() << QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact) << "\n";
            else
                out() << r.toText();
            out().flush();
        });
    TrafficReport final;
    QObject::connect(&generator, &TrafficGenerator::finished, &generator,
                     [&final](const TrafficReport &r) {
                         final = r;
                         QCoreApplication::quit();
                     });
    generator.start();
    QCoreApplication::exec();
    if (json)
        out() << QJsonDocument(final.toJson()).toJson(QJsonDocument::Indented);
    else
        out() << final.toText();
    return final.failed == 0 ? 0 : 1;
}

} // namespace headroom::ctl
