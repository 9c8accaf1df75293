// headroomctl api: the purchasers' JSON API, until SIGTERM or SIGINT.
#include "api/groupcommit.h"
#include "api/purchaserapi.h"
#include "cli.h"
#include "commands.h"
#include "store/database.h"
#include "util/terminationsignals.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QRegularExpression>

namespace headroom::ctl {
namespace {

struct ListenArg
{
    QHostAddress address;
    quint16 port = 0;
};

// ADDR:PORT or [V6]:PORT; port 0 picks a free one.
std::optional<ListenArg> parseListen(const QString &text)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(
        QStringLiteral("([0-9.]+|\\[[0-9a-fA-F:.]+\\]):(\\d{1,5})")));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    QString host = m.captured(1);
    if (host.startsWith(QLatin1Char('[')))
        host = host.mid(1, host.size() - 2);
    ListenArg l;
    const int port = m.captured(2).toInt();
    if (!l.address.setAddress(host) || port > 65535)
        return std::nullopt;
    l.port = quint16(port);
    return l;
}

} // namespace

int api(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serve the purchasers' JSON API (docs/API.md) on the database until SIGTERM or SIGINT. "
        "Purchasers authenticate with the tokens of 'headroomctl purchaser token'. Plain HTTP only "
        "on loopback; any other address needs --cert and --key (TLS)."));
    const QCommandLineOption listen(
        QStringLiteral("listen"),
        QStringLiteral("Address and port, ADDR:PORT or [V6]:PORT; port 0 picks a free one "
                       "(default 127.0.0.1:<port base + %1>).")
            .arg(SandboxLayout::kApiPortOffset),
        QStringLiteral("ADDR:PORT"));
    const QCommandLineOption cert(QStringLiteral("cert"),
                                  QStringLiteral("TLS certificate (PEM, the chain after it)."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption key(
        QStringLiteral("key"), QStringLiteral("The certificate's private key (PEM, unencrypted)."),
        QStringLiteral("FILE"));
    const QCommandLineOption rate(QStringLiteral("rate-limit"),
                                  QStringLiteral("Requests a second per purchaser (50)."),
                                  QStringLiteral("R"), QStringLiteral("50"));
    const QCommandLineOption burst(QStringLiteral("burst"),
                                   QStringLiteral("Requests a purchaser may send at once (100)."),
                                   QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption noGroup(
        QStringLiteral("no-group-commit"),
        QStringLiteral("Commit each bid in its own durable transaction (one fsync each; for "
                       "measurements)."));
    const QCommandLineOption quiet(QStringLiteral("quiet"),
                                   QStringLiteral("No line per request on stderr."));
    parser.addOptions({listen, cert, key, rate, burst, noGroup, quiet, kDb, kPortBase, kStateDir});
    int code = 0;
    const QString command = QStringLiteral("headroomctl api");
    if (!parse(parser, command, arguments, &code))
        return code;
    if (!parser.positionalArguments().isEmpty()) {
        err() << command << ": takes no arguments\n";
        return 2;
    }

    PurchaserApiConfig config;
    if (parser.isSet(listen)) {
        const auto l = parseListen(parser.value(listen));
        if (!l) {
            err() << command << ": --listen takes ADDR:PORT or [V6]:PORT\n";
            return 2;
        }
        config.address = l->address;
        config.port = l->port;
    } else {
        QString error;
        const auto layout = sandboxLayoutFrom(parser, &error);
        if (!layout) {
            err() << command << ": " << error << "\n";
            return 2;
        }
        config.address = QHostAddress(QHostAddress::LocalHost);
        config.port = quint16(layout->portBase + SandboxLayout::kApiPortOffset);
    }
    if (parser.isSet(cert) != parser.isSet(key)) {
        err() << command << ": --cert and --key go together\n";
        return 2;
    }
    config.certificateFile = parser.value(cert);
    config.keyFile = parser.value(key);
    if (!config.address.isLoopback() && !parser.isSet(cert)) {
        const QString where = config.address.protocol() == QAbstractSocket::IPv6Protocol
                                  ? QStringLiteral("[%1]").arg(config.address.toString())
                                  : config.address.toString();
        err() << command << ": refusing to serve plain HTTP on " << where
              << ": bearer tokens would cross the network in clear text; give --cert and --key "
                 "(or listen on 127.0.0.1)\n";
        return 2;
    }
    bool okRate = false;
    bool okBurst = false;
    config.purchaserRatePerSecond = parser.value(rate).toDouble(&okRate);
    config.purchaserBurst = parser.value(burst).toInt(&okBurst);
    if (!okRate || !okBurst || !(config.purchaserRatePerSecond > 0) ||
        config.purchaserRatePerSecond > 1e6 || config.purchaserBurst < 1 ||
        config.purchaserBurst > 1000000) {
        err() << command << ": --rate-limit must be > 0 and --burst from 1 to 1000000\n";
        return 2;
    }
    config.groupCommit = !parser.isSet(noGroup);

    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    PurchaserApi server(db, config);
    const bool logRequests = !parser.isSet(quiet);
    QObject::connect(&server, &PurchaserApi::requestLogged, &server, [&](const QString &line) {
        if (!logRequests && !line.startsWith(QLatin1String("storage error")))
            return;
        err() << QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) << " " << line << "\n";
        err().flush();
    });
    QString error;
    if (!server.start(&error)) {
        err() << command << ": " << error << "\n";
        return 1;
    }
    out() << "listening on " << server.url().toString() << " (database " << db.path() << ")\n";
    out().flush();

    TerminationSignals signals;
    QObject::connect(&signals, &TerminationSignals::received, &server, [&](int signal) {
        err() << command << ": signal " << signal << ", stopping\n";
        err().flush();
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    const GroupCommit &commits = server.groupCommit();
    err() << command << ": " << commits.writes() << " market write(s) in " << commits.commits()
          << " durable commit(s)\n";
    return 0;
}

} // namespace headroom::ctl
