#pragma once

#include "sandboxlayout.h"
#include "serverprocess.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <optional>

namespace headroom {

struct SandboxServerStatus
{
    QString name;
    QString kind; // dns-authoritative, dns-purchaser, dns-recursor, proxy, origin, traffic
    ServerProcess process;
    bool running = false;
};

struct SandboxStatus
{
    bool exists = false;  // a status file was found
    bool running = false; // every recorded process is alive
    QList<SandboxServerStatus> servers;
};

// The local sandbox network: PowerDNS Authoritative + Recursor, BIND 9 as the purchaser's DNS,
// three HAProxy proxies, three nginx origins, and optionally a base-load traffic generator.
// Everything is started from configurations generated into the state directory, on loopback.
// All calls block (they start and probe processes): call them off the GUI thread.
class Sandbox final
{
public:
    struct Options
    {
        // Requests/s of time-compressed diurnal load on the subscriber site; 0 = none.
        double baseLoadRps = 0;
        int diurnalPeriodSeconds = 600;
        QString trafficProgram; // headroomctl, which runs the generator
        int readyTimeoutMs = 15000;
        // Program name -> path, replacing the search in PATH (tests use it to inject failures).
        QHash<QString, QString> programOverrides;
    };

    explicit Sandbox(SandboxLayout layout);

    const SandboxLayout &layout() const { return m_layout; }

    // Starts every server, or attaches when all are already running. On failure, stops what it
    // started and returns false with an error naming the server and its log.
    bool up(const Options &options, QString *error);
    // Stops exactly the processes this sandbox started (pid + start time checked).
    bool down(QString *error);
    SandboxStatus status() const;
    QJsonObject statusJson() const;

    // Reloads one running proxy gracefully (HAProxy master CLI `reload`): the configuration is
    // rewritten with the next generation and with the servers the provisioner added to the
    // purchaser slots, the new process takes over the listeners, and the old one hands its stick
    // tables over through the local peer before it stops, so per-site counters go on exactly.
    // Waits until the old process is gone and the new one answers. The master process (the pid
    // the sandbox recorded) stays. A running process that started less than ~5 s ago has not yet
    // finished its own table synchronisation; the call waits for it first. Returns the new
    // generation, or 0 with *error.
    int restartProxy(const QString &name, QString *error, int timeoutMs = 30000);

    // Faults, for tests and drills (docs/reliability-faults.md). stopServer() shuts one server
    // down in order (SIGTERM); killServer() kills it and every process it started (SIGKILL: a
    // crash - an HAProxy master and its workers). startServer() starts a stopped or killed
    // server again from its configuration on disk as it is now - PowerDNS with the zones it
    // held, HAProxy without what its runtime API added - waits until it answers and records the
    // new process, so that status() and down() know it. Each returns false with *error.
    bool stopServer(const QString &name, QString *error);
    bool killServer(const QString &name, QString *error);
    bool startServer(const QString &name, QString *error, int timeoutMs = 15000);

private:
    struct Planned
    {
        QString name;
        QString kind;
        QString program;
        QStringList arguments;
        QString workDir;
    };

    bool prepare(QString *error);
    bool checkPortsFree(QString *error) const;
    QList<Planned> plan(const Options &options, QString *error) const;
    bool waitReady(const Planned &planned, const ServerProcess &process, int timeoutMs,
                   QString *error) const;
    QList<ServerProcess> recorded() const;
    bool writeRecord(const QList<SandboxServerStatus> &servers, QString *error) const;
    bool registerProxies(QString *error) const;
    std::optional<SandboxServerStatus> recordedServer(const QString &name, QString *error) const;

    SandboxLayout m_layout;
};

} // namespace headroom
