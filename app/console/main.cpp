// headroom: the operator console. Argument parsing and wiring only.

#include "billingview.h"
#include "control/controllerhost.h"
#include "dns/dnsoverviewservice.h"
#include "fleet/fleetmonitor.h"
#include "fleet/healthmonitor.h"
#include "leasesview.h"
#include "mainwindow.h"
#include "marketview.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandboxtargets.h"
#include "settings/appsettings.h"
#include "settings/tsigsecret.h"
#include "statusbarcontroller.h"
#include "statusbardnsupdates.h"
#include "store/database.h"
#include "store/proxyrepository.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <QTimer>

using namespace headroom;

namespace {

constexpr auto kRunLoopKey = "controller/runInConsole";

// Brings the sandbox up on a worker thread (it starts and probes processes), reads the proxies'
// capacity and pool from its database there, and reports back on the GUI thread.
void startSandbox(const SandboxLayout &layout, double baseLoad, QObject *context,
                  std::function<void(bool, QString, QList<Proxy>)> done)
{
    auto *thread = QThread::create([layout, baseLoad, context, done] {
        Sandbox box(layout);
        Sandbox::Options options;
        options.baseLoadRps = baseLoad;
        options.trafficProgram =
            QCoreApplication::applicationDirPath() + QStringLiteral("/headroomctl");
        QString error;
        const bool ok = box.up(options, &error);
        QList<Proxy> proxies;
        if (ok) {
            Database db;
            const Result<void> opened = db.open(layout.databaseFile());
            const auto all =
                opened ? ProxyRepository(db).all() : Result<QList<Proxy>>(opened.error());
            if (all)
                proxies = all.value();
            else
                qWarning("Dashboard: no proxy capacities: %s", qPrintable(all.error().message));
        }
        QMetaObject::invokeMethod(
            context, [done, ok, error, proxies] { done(ok, error, proxies); },
            Qt::QueuedConnection);
    });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

// Without the sandbox: the configured server and zone, when there are both.
std::optional<DnsOverviewConfig> dnsOverviewFor(const AppSettings &settings)
{
    const QHostAddress server(settings.dnsServer);
    const auto zone = DnsName::parse(settings.zone);
    if (server.isNull() || !zone)
        return std::nullopt;
    DnsOverviewConfig config;
    config.server = server;
    config.port = quint16(settings.dnsPort);
    config.zone = *zone;
    if (!settings.tsigKeyName.isEmpty() && !settings.tsigSecretInKeychain) {
        QString error;
        config.key = TsigKey::fromFile(settings.tsigKeyName, settings.tsigKeyFile, &error);
        if (!config.key)
            qWarning("DNS view: no TSIG key for the zone transfer: %s", qPrintable(error));
    }
    config.databasePath = settings.databasePath;
    return config;
}

// A secret kept in the OS keychain comes in later (QtKeychain asks over D-Bus): the DNS view
// starts without the key and is given it then.
void loadKeychainKey(DnsOverviewService *service, const AppSettings &settings)
{
    if (settings.tsigKeyName.isEmpty() || !settings.tsigSecretInKeychain)
        return;
    tsigsecret::load(settings, service,
                     [service, settings](const std::optional<TsigKey> &key, const QString &error) {
                         auto config = dnsOverviewFor(settings);
                         if (!key || !config) {
                             qWarning("DNS view: no TSIG key from the OS keychain: %s",
                                      qPrintable(error));
                             return;
                         }
                         config->key = key;
                         service->setConfig(*config);
                         service->refresh();
                     });
}

// Without --sandbox, the steering loop's servers and key are known only for a sandbox: the console
// runs the loop when the configured database is that of the running sandbox at the configured
// port base, and otherwise only watches the database's controller lock.
void configureController(ControllerHost &host, const AppSettings &settings)
{
    if (settings.databasePath.isEmpty()) {
        host.watchOnly(QString(), QStringLiteral("no database configured"));
        return;
    }
    QString error;
    const auto layout = SandboxLayout::make(
        settings.sandboxPortBase, SandboxLayout::defaultStateDir(settings.sandboxPortBase), &error);
    const bool sandboxDatabase = layout && QFileInfo(layout->databaseFile()).absoluteFilePath() ==
                                               QFileInfo(settings.databasePath).absoluteFilePath();
    if (sandboxDatabase && Sandbox(*layout).status().running) {
        if (const auto config = ControllerConfig::forSandbox(*layout, &error)) {
            host.setConfig(*config);
            return;
        }
        host.watchOnly(settings.databasePath, error);
        return;
    }
    host.watchOnly(settings.databasePath,
                   QStringLiteral("steering here needs a running sandbox's database"));
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("headroom"));
    QApplication::setOrganizationName(QStringLiteral("headroom"));
    QApplication::setApplicationDisplayName(QStringLiteral("Headroom"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setDesktopFileName(QStringLiteral("headroom"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Headroom operator console: sell spare proxy capacity and steer it by DNS."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption sandbox(QStringLiteral("sandbox"),
                                     QStringLiteral("Start the local sandbox network, or attach "
                                                    "to the running one, and connect to it."));
    const QCommandLineOption portBase(QStringLiteral("port-base"),
                                      QStringLiteral("Sandbox port base (default from settings)."),
                                      QStringLiteral("N"));
    const QCommandLineOption stateDir(QStringLiteral("state-dir"),
                                      QStringLiteral("Sandbox state directory."),
                                      QStringLiteral("DIR"));
    const QCommandLineOption baseLoad(
        QStringLiteral("base-load"),
        QStringLiteral("With --sandbox: diurnal load (req/s) kept on the subscriber site."),
        QStringLiteral("R"), QStringLiteral("0"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window once the first health round is in."),
        QStringLiteral("FILE"));
    const QCommandLineOption quitAfter(
        QStringLiteral("quit-after"), QStringLiteral("Quit after S seconds."), QStringLiteral("S"));
    parser.addOptions({sandbox, portBase, stateDir, baseLoad, screenshot, quitAfter});
    parser.process(app);

    QSettings settings;
    AppSettings appSettings = AppSettings::load(settings);

    std::optional<SandboxLayout> layout;
    if (parser.isSet(sandbox)) {
        const int base =
            parser.isSet(portBase) ? parser.value(portBase).toInt() : appSettings.sandboxPortBase;
        const QString dir =
            parser.isSet(stateDir) ? parser.value(stateDir) : SandboxLayout::defaultStateDir(base);
        QString error;
        layout = SandboxLayout::make(base, dir, &error);
        if (!layout) {
            QMessageBox::critical(nullptr, QStringLiteral("Sandbox"), error);
            return 2;
        }
    }

    HealthMonitor monitor;
    monitor.setInterval(appSettings.pollIntervalMs);
    // Declared before the window, which uses it until it is destroyed.
    std::unique_ptr<DnsOverviewService> dnsOverview;
    if (layout)
        dnsOverview = std::make_unique<DnsOverviewService>(dnsOverviewConfigFor(*layout));
    else if (const auto config = dnsOverviewFor(appSettings))
        dnsOverview = std::make_unique<DnsOverviewService>(*config);
    if (dnsOverview && !layout)
        loadKeychainKey(dnsOverview.get(), appSettings);
    // The fleet's live load for the dashboard; only the sandbox knows its proxies so far.
    std::unique_ptr<FleetMonitor> fleet;
    if (layout) {
        fleet = std::make_unique<FleetMonitor>();
        fleet->setEndpoints(layout->proxies);
    }
    // Runs the steering loop when no other controller does (only one may hold the lock).
    ControllerHost controller(QStringLiteral("headroom console"));
    controller.setEnabled(settings.value(QLatin1String(kRunLoopKey), true).toBool());
    if (layout)
        controller.watchOnly(layout->databaseFile(), QStringLiteral("starting the sandbox"));
    else
        configureController(controller, appSettings);
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &controller, &ControllerHost::shutdown);
    MainWindow window(&monitor, &settings, dnsOverview.get(), fleet.get());
    auto *controllerStatus = new StatusBarController(&controller, &window);
    window.statusBar()->insertPermanentWidget(0, controllerStatus);
    // DNS UPDATEs failing (PowerDNS away), from the database's update log: shown whoever steers.
    auto *dnsFault = new StatusBarDnsUpdates(&window);
    window.statusBar()->insertPermanentWidget(1, dnsFault);
    if (!layout) {
        dnsFault->setDatabasePath(appSettings.databasePath);
        QObject::connect(&window, &MainWindow::settingsChanged, dnsFault,
                         [dnsFault](const AppSettings &s) {
                             if (s.databasePath != dnsFault->databasePath())
                                 dnsFault->setDatabasePath(s.databasePath);
                         });
    }
    QObject::connect(controllerStatus, &StatusBarController::runHereToggled, &window,
                     [&settings](bool on) { settings.setValue(QLatin1String(kRunLoopKey), on); });
    if (!layout)
        QObject::connect(
            &window, &MainWindow::settingsChanged, &controller,
            [&controller](const AppSettings &s) { configureController(controller, s); });
    QObject::connect(&window, &MainWindow::settingsChanged, &monitor,
                     [&monitor](const AppSettings &s) { monitor.setInterval(s.pollIntervalMs); });
    // The Leases view reads the database itself: the configured one, or the sandbox's once it
    // is up (the sandbox creates and migrates it).
    auto *leases = qobject_cast<LeasesView *>(window.viewWidget(MainWindow::View::Leases));
    if (leases && !layout) {
        leases->setDatabasePath(appSettings.databasePath);
        QObject::connect(&window, &MainWindow::settingsChanged, leases,
                         [leases](const AppSettings &s) {
                             if (s.databasePath != leases->databasePath())
                                 leases->setDatabasePath(s.databasePath);
                         });
    }
    // So does the Market view. It checks a site's delegation on approval only where it knows the
    // resolver and the purchaser's DNS server, which is for a sandbox (set once it is up).
    auto *market = qobject_cast<MarketView *>(window.viewWidget(MainWindow::View::Market));
    if (market && !layout) {
        market->setDatabasePath(appSettings.databasePath);
        QObject::connect(&window, &MainWindow::settingsChanged, market,
                         [market](const AppSettings &s) {
                             if (s.databasePath != market->databasePath())
                                 market->setDatabasePath(s.databasePath);
                         });
    }
    // And the Billing view.
    auto *billing = qobject_cast<BillingView *>(window.viewWidget(MainWindow::View::Billing));
    if (billing && !layout) {
        billing->setDatabasePath(appSettings.databasePath);
        QObject::connect(&window, &MainWindow::settingsChanged, billing,
                         [billing](const AppSettings &s) {
                             if (s.databasePath != billing->databasePath())
                                 billing->setDatabasePath(s.databasePath);
                         });
    }
    if (dnsOverview && !layout)
        QObject::connect(&window, &MainWindow::settingsChanged, dnsOverview.get(),
                         [service = dnsOverview.get()](const AppSettings &s) {
                             if (const auto config = dnsOverviewFor(s)) {
                                 service->setConfig(*config);
                                 service->refresh();
                                 loadKeychainKey(service, s);
                             }
                         });
    window.show();

    if (layout) {
        const int base = layout->portBase;
        window.statusBar()->showMessage(
            QStringLiteral("Starting the sandbox network (port base %1)…").arg(base));
        startSandbox(
            *layout, parser.value(baseLoad).toDouble(), &window,
            [&window, &monitor, &controller, layout, service = dnsOverview.get(),
             fleet = fleet.get(), leases, market, billing,
             dnsFault](bool ok, const QString &message, const QList<Proxy> &proxies) {
                if (!ok) {
                    controller.watchOnly(layout->databaseFile(),
                                         QStringLiteral("the sandbox did not start"));
                    window.statusBar()->showMessage(QStringLiteral("Sandbox failed"));
                    QMessageBox::critical(&window, QStringLiteral("Sandbox failed"), message);
                    return;
                }
                window.statusBar()->showMessage(
                    QStringLiteral("Sandbox running (port base %1)").arg(layout->portBase), 10000);
                monitor.setTargets(healthTargetsFor(*layout));
                monitor.start();
                service->setConfig(dnsOverviewConfigFor(*layout));
                service->start();
                fleet->setProxies(proxies);
                fleet->start();
                if (leases)
                    leases->setDatabasePath(layout->databaseFile());
                if (market) {
                    market->setDelegationTargets(
                        DelegationTargets::from(dnsOverviewConfigFor(*layout)));
                    market->setDatabasePath(layout->databaseFile());
                }
                if (billing)
                    billing->setDatabasePath(layout->databaseFile());
                dnsFault->setDatabasePath(layout->databaseFile());
                QString error;
                if (const auto config = ControllerConfig::forSandbox(*layout, &error))
                    controller.setConfig(*config);
                else
                    controller.watchOnly(layout->databaseFile(), error);
            });
    } else {
        HealthTargets targets;
        const QHostAddress dns(appSettings.dnsServer);
        if (!dns.isNull())
            targets.dns.append(
                {QStringLiteral("dns"), dns, quint16(appSettings.dnsPort), appSettings.zone});
        monitor.setTargets(targets);
        monitor.start();
        if (dnsOverview)
            dnsOverview->start();
    }

    controller.start();

    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        auto *shot = new QObject(&window);
        const auto save = [&window, file, shot] {
            if (shot->property("done").toBool())
                return;
            shot->setProperty("done", true);
            QDir().mkpath(QFileInfo(file).absolutePath());
            window.grab().save(file);
        };
        // After every endpoint has answered once (or after 10 s, whatever the state).
        QObject::connect(&monitor, &HealthMonitor::changed, shot, [&monitor, shot, save] {
            const auto endpoints = monitor.endpoints();
            const bool allChecked =
                !endpoints.isEmpty() &&
                std::all_of(endpoints.cbegin(), endpoints.cend(),
                            [](const EndpointHealth &e) { return e.lastChecked.isValid(); });
            if (allChecked)
                QTimer::singleShot(1500, shot, save);
        });
        QTimer::singleShot(10000, shot, save);
    }
    if (parser.isSet(quitAfter))
        QTimer::singleShot(int(parser.value(quitAfter).toDouble() * 1000), &app,
                           &QApplication::quit);
    return QApplication::exec();
}
