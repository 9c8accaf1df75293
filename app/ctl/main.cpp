// headroomctl: the Headroom core without widgets - the headless controller and scripting verbs.

#include "commands.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QTextStream>
#include <memory>

namespace {

void usage(QTextStream &out)
{
    out << "Usage: headroomctl <verb> [options]\n\n"
           "Verbs:\n"
           "  sandbox up|down|status   the local sandbox network (PowerDNS, BIND, HAProxy, nginx)\n"
           "  traffic                  emulated clients behind caching resolvers, sending HTTP\n"
           "  dns ...                  steering records in our zone, purchaser zones, delegation\n"
           "  fleet status|forecast|provision|deprovision\n"
           "                           live proxy load, headroom, forecast; sites on proxies\n"
           "  site add|list            purchaser sites: names, hosts, origins, overflow\n"
           "  lease add|list|show|cancel\n"
           "                           leases of spare capacity and their live delivery\n"
           "  run [--once]             the controller: lifecycle, steering loop, metering\n"
           "  purchaser add|list|token buyers of capacity and their API tokens\n"
           "  offer post|list|withdraw capacity for sale: fixed price, auction, continuous market\n"
           "  bid place|list|cancel    bids on offers (a sale by phone; purchasers use the API)\n"
           "  purchase list|approve|reject|auto-approve|audit\n"
           "                           the approval queue: approval creates the leases\n"
           "  api [--listen ADDR:PORT] the purchasers' JSON API (TLS with --cert/--key)\n"
           "  billing invoice|export|... metered usage, invoices, CSV and PDF reports\n"
           "  audit [--since T] [--limit N]\n"
           "                           who changed what, when (operators, purchasers, "
           "controller)\n\n"
           "Run 'headroomctl <verb> --help' for the options of a verb.\n";
}

} // namespace

int main(int argc, char *argv[])
{
    // PDF rendering (`billing export --format pdf`, `billing invoice show --pdf`) needs fonts, so
    // a QGuiApplication; headroomctl never shows a window, so that one uses the offscreen
    // platform (no display needed). Everything else stays a QCoreApplication.
    bool needsGui = false;
    for (int i = 2; argc > 1 && qstrcmp(argv[1], "billing") == 0 && i < argc; ++i) {
        const QByteArray arg(argv[i]);
        needsGui = needsGui || arg == "pdf" || arg == "--format=pdf" || arg.startsWith("--pdf");
    }
    if (needsGui)
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app =
        needsGui ? std::make_unique<QGuiApplication>(argc, argv)
                 : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("headroomctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("headroom"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (args.isEmpty() || args.first() == QLatin1String("--help") ||
        args.first() == QLatin1String("help") || args.first() == QLatin1String("-h")) {
        usage(args.isEmpty() ? err : out);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == QLatin1String("--version")) {
        out << "headroomctl " << QCoreApplication::applicationVersion() << "\n";
        return 0;
    }
    const QString verb = args.takeFirst();
    if (verb == QLatin1String("sandbox"))
        return headroom::ctl::sandbox(args);
    if (verb == QLatin1String("fleet"))
        return headroom::ctl::fleet(args);
    if (verb == QLatin1String("dns"))
        return headroom::ctl::dns(args);
    if (verb == QLatin1String("site"))
        return headroom::ctl::site(args);
    if (verb == QLatin1String("lease"))
        return headroom::ctl::lease(args);
    if (verb == QLatin1String("purchaser"))
        return headroom::ctl::purchaser(args);
    if (verb == QLatin1String("offer"))
        return headroom::ctl::offer(args);
    if (verb == QLatin1String("bid"))
        return headroom::ctl::bid(args);
    if (verb == QLatin1String("purchase"))
        return headroom::ctl::purchase(args);
    if (verb == QLatin1String("api"))
        return headroom::ctl::api(args);
    if (verb == QLatin1String("billing"))
        return headroom::ctl::billing(args);
    if (verb == QLatin1String("audit"))
        return headroom::ctl::audit(args);
    if (verb == QLatin1String("run"))
        return headroom::ctl::run(args);
    if (verb == QLatin1String("traffic"))
        return headroom::ctl::traffic(args);
    err << "headroomctl: unknown verb '" << verb << "'\n";
    usage(err);
    return 2;
}
