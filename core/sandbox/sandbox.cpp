#include "sandbox.h"

#include "dns/dnsclient.h"
#include "fleet/provisioner.h"
#include "fleet/runtimeapi.h"
#include "security/secretfile.h"
#include "serverconfigs.h"
#include "store/database.h"
#include "store/pdnsbackend.h"
#include "store/proxyrepository.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QUdpSocket>
#include <sys/socket.h>

namespace headroom {

namespace {

bool writeFile(const QString &path, const QByteArray &data, QString *error, bool ownerOnly = false)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    if (ownerOnly)
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(data);
    if (!f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool tcpPortFree(const QHostAddress &address, quint16 port)
{
    QTcpServer server;
    const bool ok = server.listen(address, port);
    server.close();
    return ok;
}

bool udpPortFree(const QHostAddress &address, quint16 port)
{
    QUdpSocket socket;
    return socket.bind(address, port, QAbstractSocket::DontShareAddress);
}

// A minimal blocking HTTP/1.0 GET, enough to see that a server answers.
int httpStatus(const QHostAddress &address, quint16 port, const QByteArray &host,
               const QByteArray &path, int timeoutMs)
{
    QTcpSocket s;
    s.connectToHost(address, port);
    if (!s.waitForConnected(timeoutMs))
        return -1;
    s.write("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    if (!s.waitForBytesWritten(timeoutMs))
        return -1;
    QByteArray head;
    QDeadlineTimer deadline(timeoutMs);
    while (!head.contains('\n') && !deadline.hasExpired()) {
        if (!s.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            break;
        head += s.read(512);
    }
    // "HTTP/1.x NNN ..."
    const QList<QByteArray> parts = head.left(head.indexOf('\n')).split(' ');
    return parts.size() >= 2 ? parts[1].toInt() : -1;
}

// One command on an HAProxy CLI socket, blocking. The master CLI answers only once our side of
// the connection is shut down for writing (`halfClose`); the runtime API closes after answering.
std::optional<QByteArray> cliCommand(const QString &socketPath, const QString &command,
                                     bool halfClose, int timeoutMs, QString *error)
{
    QString why;
    if (!RuntimeApi::isSafeCommand(command, &why)) {
        *error = QStringLiteral("refused command: %1").arg(why);
        return std::nullopt;
    }
    QLocalSocket s;
    s.connectToServer(socketPath);
    if (!s.waitForConnected(timeoutMs)) {
        *error = QStringLiteral("%1: %2").arg(socketPath, s.errorString());
        return std::nullopt;
    }
    s.write(command.toLatin1() + '\n');
    if (!s.waitForBytesWritten(timeoutMs)) {
        *error = QStringLiteral("%1: %2").arg(socketPath, s.errorString());
        return std::nullopt;
    }
    if (halfClose)
        ::shutdown(int(s.socketDescriptor()), SHUT_WR);
    QByteArray answer;
    QDeadlineTimer deadline(timeoutMs);
    while (s.state() == QLocalSocket::ConnectedState && !deadline.hasExpired()) {
        s.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
        answer += s.readAll();
        if (answer.size() > (1 << 20)) {
            *error = QStringLiteral("%1: answer larger than 1 MB").arg(socketPath);
            return std::nullopt;
        }
    }
    answer += s.readAll();
    if (s.state() == QLocalSocket::ConnectedState) {
        *error = QStringLiteral("%1: no complete answer to '%2' within %3 ms")
                     .arg(socketPath, command)
                     .arg(timeoutMs);
        return std::nullopt;
    }
    return answer;
}

// HAProxy's peers-section flags (2.6 src/peers.c): its own start-up synchronisation is over
// once both "learn from local" and "learn from remote" are finished or no longer needed; only
// then does a stopping process teach its tables to the new one. LOCALFINISHED: a local peer
// (the old process) taught this one a complete table.
constexpr quint32 kPeersResyncLocal = 0x1;
constexpr quint32 kPeersResyncRemote = 0x2;
constexpr quint32 kPeersLocalFinished = 0x100;

// The flags of peers section `section` in a `show peers` answer.
std::optional<quint32> peersFlags(const QByteArray &answer, const QByteArray &section)
{
    static const QRegularExpression flags(QStringLiteral(" flags=0x([0-9a-fA-F]{1,8})( |$)"));
    for (const QByteArray &line : answer.split('\n')) {
        if (line.startsWith(' ') || !line.contains(" id=" + section + " "))
            continue;
        const auto m = flags.match(QString::fromLatin1(line));
        if (m.hasMatch())
            return m.captured(1).toUInt(nullptr, 16);
    }
    return std::nullopt;
}

// `show proc` on the master CLI: the current workers, the workers still draining after a
// reload, and how many reloads failed.
struct ProcList
{
    QList<qint64> workers;
    QList<qint64> oldWorkers;
    int failedReloads = -1;
};

std::optional<ProcList> parseShowProc(const QByteArray &answer)
{
    static const QRegularExpression failed(QStringLiteral("\\[failed: (\\d+)\\]"));
    ProcList list;
    QByteArray section;
    for (const QByteArray &raw : answer.split('\n')) {
        const QByteArray line = raw.trimmed();
        if (line.startsWith("#<PID>") || line.isEmpty())
            continue;
        if (line.startsWith('#')) {
            section = line.mid(1).trimmed();
            continue;
        }
        const QList<QByteArray> f = line.simplified().split(' ');
        bool ok = false;
        const qint64 pid = f.value(0).toLongLong(&ok);
        if (!ok || f.size() < 2)
            return std::nullopt;
        if (f[1] == "master") {
            const auto m = failed.match(QString::fromLatin1(line));
            list.failedReloads = m.hasMatch() ? m.captured(1).toInt() : -1;
        } else if (f[1] == "worker" && section == "workers") {
            list.workers.append(pid);
        } else if (f[1] == "worker" && section == "old workers") {
            list.oldWorkers.append(pid);
        }
    }
    if (list.failedReloads < 0)
        return std::nullopt;
    return list;
}

QString readyFailure(const QString &name, const ServerProcess &process, const QString &why)
{
    return QStringLiteral("%1 did not start: %2\n  log: %3\n%4")
        .arg(name, why, process.logFile, logTail(process.logFile, 8));
}

} // namespace

Sandbox::Sandbox(SandboxLayout layout) : m_layout(std::move(layout)) {}

QList<ServerProcess> Sandbox::recorded() const
{
    QList<ServerProcess> out;
    QFile f(m_layout.statusFile());
    if (!f.open(QIODevice::ReadOnly) || f.size() > 1 << 20)
        return out;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    for (const auto &v : root.value(QStringLiteral("processes")).toArray())
        out.append(ServerProcess::fromJson(v.toObject()));
    return out;
}

bool Sandbox::writeRecord(const QList<SandboxServerStatus> &servers, QString *error) const
{
    QJsonArray processes;
    for (const auto &s : servers) {
        QJsonObject o = s.process.toJson();
        o.insert(QStringLiteral("kind"), s.kind);
        processes.append(o);
    }
    QJsonObject root{{QStringLiteral("layout"), m_layout.toJson()},
                     {QStringLiteral("processes"), processes}};
    return writeFile(m_layout.statusFile(), QJsonDocument(root).toJson(), error);
}

SandboxStatus Sandbox::status() const
{
    SandboxStatus st;
    QFile f(m_layout.statusFile());
    if (!f.open(QIODevice::ReadOnly) || f.size() > 1 << 20)
        return st;
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    st.exists = true;
    st.running = true;
    for (const auto &v : root.value(QStringLiteral("processes")).toArray()) {
        SandboxServerStatus s;
        s.process = ServerProcess::fromJson(v.toObject());
        s.name = s.process.name;
        s.kind = v.toObject().value(QStringLiteral("kind")).toString();
        s.running = s.process.isAlive();
        st.running = st.running && s.running;
        st.servers.append(s);
    }
    st.running = st.running && !st.servers.isEmpty();
    return st;
}

QJsonObject Sandbox::statusJson() const
{
    const SandboxStatus st = status();
    QJsonObject root = m_layout.toJson();
    root.insert(QStringLiteral("state"), !st.exists             ? QStringLiteral("stopped")
                                         : st.running           ? QStringLiteral("running")
                                         : st.servers.isEmpty() ? QStringLiteral("stopped")
                                                                : QStringLiteral("degraded"));
    QJsonArray servers;
    for (const auto &s : st.servers) {
        servers.append(QJsonObject{{QStringLiteral("name"), s.name},
                                   {QStringLiteral("kind"), s.kind},
                                   {QStringLiteral("pid"), s.process.pid},
                                   {QStringLiteral("running"), s.running},
                                   {QStringLiteral("log"), s.process.logFile}});
    }
    root.insert(QStringLiteral("servers"), servers);
    return root;
}

bool Sandbox::checkPortsFree(QString *error) const
{
    const auto dnsFree = [&](const DnsServerEndpoint &e) {
        if (tcpPortFree(e.address, e.port) && udpPortFree(e.address, e.port))
            return true;
        *error = QStringLiteral("%1: %2:%3 is already in use (another sandbox or DNS server?); "
                                "choose another --port-base")
                     .arg(e.name, e.address.toString())
                     .arg(e.port);
        return false;
    };
    const auto httpFree = [&](const QString &name, const QHostAddress &a, quint16 port) {
        if (tcpPortFree(a, port))
            return true;
        *error = QStringLiteral("%1: %2:%3 is already in use; choose another --port-base")
                     .arg(name, a.toString())
                     .arg(port);
        return false;
    };
    if (!dnsFree(m_layout.authoritative) || !dnsFree(m_layout.purchaserDns) ||
        !dnsFree(m_layout.recursor))
        return false;
    for (const auto &p : m_layout.proxies) {
        if (!httpFree(p.name, p.address, p.httpPort) ||
            !httpFree(p.name, p.address, p.metricsPort) || !httpFree(p.name, p.address, p.peerPort))
            return false;
    }
    for (const auto &o : m_layout.origins) {
        if (!httpFree(o.name, o.address, o.httpPort))
            return false;
    }
    return true;
}

bool Sandbox::prepare(QString *error)
{
    QDir root;
    for (const QString &dir :
         {m_layout.stateDir, m_layout.logDir(), m_layout.stateDir + QStringLiteral("/secrets")}) {
        if (!root.mkpath(dir)) {
            *error = QStringLiteral("cannot create %1").arg(dir);
            return false;
        }
    }
    QFile::setPermissions(m_layout.stateDir + QStringLiteral("/secrets"),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // Secrets are made on first start and kept, so clients configured once keep working.
    const QByteArray updateSecret =
        secretfile::readOrCreateBase64(m_layout.updateKeyFile(), 32, error);
    if (updateSecret.isEmpty())
        return false;
    const QByteArray axfrSecret = secretfile::readOrCreateBase64(m_layout.axfrKeyFile(), 32, error);
    if (axfrSecret.isEmpty())
        return false;
    if (!serverconfigs::isBase64Secret(updateSecret) ||
        !serverconfigs::isBase64Secret(axfrSecret)) {
        *error = QStringLiteral("a secret file in %1/secrets is not base64").arg(m_layout.stateDir);
        return false;
    }

    const auto dirFor = [&](const QString &name) {
        const QString d = m_layout.serverDir(name);
        root.mkpath(d);
        return d;
    };

    // PowerDNS Authoritative, with a fresh backend database each start.
    const QString pdnsDir = dirFor(m_layout.authoritative.name);
    const QString pdnsDb = pdnsDir + QStringLiteral("/pdns.sqlite3");
    if (!writeFile(pdnsDir + QStringLiteral("/pdns.conf"),
                   serverconfigs::pdnsConf(m_layout, pdnsDb), error))
        return false;
    const QString ns = QStringLiteral("ns1.") + m_layout.ourZone;
    const auto soa = [&](const QString &zone) {
        return PdnsBackendSeeder::Record{zone, QStringLiteral("SOA"),
                                         ns + QStringLiteral(". hostmaster.") + zone +
                                             QStringLiteral(". 1 10800 3600 604800 5"),
                                         300};
    };
    QList<PdnsBackendSeeder::Zone> zones;
    PdnsBackendSeeder::Zone ours{
        m_layout.ourZone,
        {soa(m_layout.ourZone),
         {m_layout.ourZone, QStringLiteral("NS"), ns + QLatin1Char('.'), 300},
         {ns, QStringLiteral("A"), m_layout.authoritative.address.toString(), 300}}};
    // Each proxy has a name in our zone, for answers that must be names (CNAME steering).
    for (const auto &p : m_layout.proxies)
        ours.records.append({p.name + QLatin1Char('.') + m_layout.ourZone, QStringLiteral("A"),
                             p.address.toString(), 300});
    // Steering shards: child zones on the same server, delegated from ours.
    for (const QString &shard : m_layout.shardZones()) {
        ours.records.append({shard, QStringLiteral("NS"), ns + QLatin1Char('.'), 300});
        zones.append(
            {shard, {soa(shard), {shard, QStringLiteral("NS"), ns + QLatin1Char('.'), 300}}});
    }
    zones.prepend(ours);
    PdnsBackendSeeder::Zone news{
        m_layout.subscriberZone,
        {soa(m_layout.subscriberZone),
         {m_layout.subscriberZone, QStringLiteral("NS"), ns + QLatin1Char('.'), 300}}};
    // The long-term subscriber is served by every proxy: a static RRset, no split needed.
    for (const auto &p : m_layout.proxies) {
        news.records.append(
            {m_layout.subscriberZone, QStringLiteral("A"), p.address.toString(), 20});
        news.records.append({QStringLiteral("www.") + m_layout.subscriberZone, QStringLiteral("A"),
                             p.address.toString(), 20});
    }
    zones.append(news);
    if (!PdnsBackendSeeder::create(pdnsDb, PdnsBackendSeeder::defaultSchemaPath(), zones,
                                   m_layout.updateKeyName, m_layout.algorithm, updateSecret, error))
        return false;

    const QString recDir = dirFor(m_layout.recursor.name);
    if (!writeFile(recDir + QStringLiteral("/recursor.conf"), serverconfigs::recursorConf(m_layout),
                   error))
        return false;

    const QString bindDir = dirFor(m_layout.purchaserDns.name);
    if (!writeFile(bindDir + QStringLiteral("/named.conf"),
                   serverconfigs::namedConf(m_layout, axfrSecret), error, true) ||
        !writeFile(bindDir + QLatin1Char('/') + m_layout.purchaserZone + QStringLiteral(".zone"),
                   serverconfigs::purchaserZoneFile(m_layout), error))
        return false;

    for (const auto &p : m_layout.proxies) {
        const QString d = dirFor(p.name);
        if (!writeFile(d + QStringLiteral("/haproxy.cfg"), serverconfigs::haproxyCfg(m_layout, p),
                       error) ||
            !writeFile(d + QStringLiteral("/generation"), "1\n", error) ||
            !writeFile(p.hostMap, serverconfigs::haproxyHostMap(m_layout), error))
            return false;
    }
    for (const auto &o : m_layout.origins) {
        const QString d = dirFor(o.name);
        root.mkpath(d + QStringLiteral("/tmp"));
        if (!writeFile(d + QStringLiteral("/nginx.conf"), serverconfigs::nginxConf(m_layout, o),
                       error))
            return false;
    }
    return true;
}

QList<Sandbox::Planned> Sandbox::plan(const Options &options, QString *error) const
{
    const struct
    {
        const char *server;
        const char *program;
        const char *package;
    } programs[] = {{"pdns-auth", "pdns_server", "pdns-server pdns-backend-sqlite3"},
                    {"recursor", "pdns_recursor", "pdns-recursor"},
                    {"purchaser-dns", "named", "bind9"},
                    {"proxies", "haproxy", "haproxy"},
                    {"origins", "nginx", "nginx-light"}};
    QHash<QString, QString> found;
    for (const auto &p : programs) {
        const QString program = QString::fromLatin1(p.program);
        const QString path =
            options.programOverrides.value(program, ServerProcess::findProgram(program));
        if (path.isEmpty()) {
            *error = QStringLiteral("%1: program '%2' not found; install it with: apt-get install "
                                    "%3 (./scripts/setup does)")
                         .arg(QString::fromLatin1(p.server), QString::fromLatin1(p.program),
                              QString::fromLatin1(p.package));
            return {};
        }
        found.insert(QString::fromLatin1(p.program), path);
    }

    QList<Planned> out;
    for (const auto &o : m_layout.origins) {
        const QString d = m_layout.serverDir(o.name);
        out.append({o.name,
                    QStringLiteral("origin"),
                    found.value(QStringLiteral("nginx")),
                    {QStringLiteral("-p"), d, QStringLiteral("-e"),
                     m_layout.logDir() + QLatin1Char('/') + o.name + QStringLiteral(".error.log"),
                     QStringLiteral("-c"), d + QStringLiteral("/nginx.conf"), QStringLiteral("-g"),
                     QStringLiteral("daemon off;")},
                    d});
    }
    const QString bindDir = m_layout.serverDir(m_layout.purchaserDns.name);
    out.append(
        {m_layout.purchaserDns.name,
         QStringLiteral("dns-purchaser"),
         found.value(QStringLiteral("named")),
         {QStringLiteral("-g"), QStringLiteral("-c"), bindDir + QStringLiteral("/named.conf")},
         bindDir});
    const QString pdnsDir = m_layout.serverDir(m_layout.authoritative.name);
    out.append({m_layout.authoritative.name,
                QStringLiteral("dns-authoritative"),
                found.value(QStringLiteral("pdns_server")),
                {QStringLiteral("--config-dir=") + pdnsDir},
                pdnsDir});
    const QString recDir = m_layout.serverDir(m_layout.recursor.name);
    out.append({m_layout.recursor.name,
                QStringLiteral("dns-recursor"),
                found.value(QStringLiteral("pdns_recursor")),
                {QStringLiteral("--config-dir=") + recDir},
                recDir});
    for (const auto &p : m_layout.proxies) {
        const QString d = m_layout.serverDir(p.name);
        out.append({p.name,
                    QStringLiteral("proxy"),
                    found.value(QStringLiteral("haproxy")),
                    {QStringLiteral("-W"), QStringLiteral("-db"), QStringLiteral("-f"),
                     d + QStringLiteral("/haproxy.cfg"), QStringLiteral("-S"),
                     // Owner-only, and operator is enough for reload and show proc (and keeps
                     // the workers' CLI reached through the master at operator level).
                     p.masterSocket + QStringLiteral(",mode,600,level,operator")},
                    d});
    }
    if (options.baseLoadRps > 0 && !options.trafficProgram.isEmpty()) {
        out.append(
            {QStringLiteral("base-load"),
             QStringLiteral("traffic"),
             options.trafficProgram,
             {QStringLiteral("traffic"), QStringLiteral("--profile"), QStringLiteral("diurnal"),
              QStringLiteral("--rate"), QString::number(options.baseLoadRps),
              QStringLiteral("--duration"), QStringLiteral("0"), QStringLiteral("--period"),
              QString::number(options.diurnalPeriodSeconds), QStringLiteral("--host"),
              m_layout.subscriberZone, QStringLiteral("--port-base"),
              QString::number(m_layout.portBase), QStringLiteral("--state-dir"), m_layout.stateDir,
              QStringLiteral("--report-every"), QStringLiteral("60")},
             m_layout.stateDir});
    }
    return out;
}

bool Sandbox::waitReady(const Planned &planned, const ServerProcess &process, int timeoutMs,
                        QString *error) const
{
    QDeadlineTimer deadline(timeoutMs);
    QString lastProblem = QStringLiteral("no answer yet");
    const auto dnsProbe = [&](const DnsServerEndpoint &e, bool rd) {
        const DnsResponse r = DnsClient::querySync(
            e.address, e.port, {e.zones.value(0), quint16(RecordType::SOA), rd}, 300);
        if (r.ok() && !r.answer.isEmpty())
            return true;
        lastProblem =
            r.answered ? QStringLiteral("SOA query answered %1").arg(rcodeName(r.rcode)) : r.error;
        return false;
    };
    while (!deadline.hasExpired()) {
        if (!process.isAlive()) {
            *error = readyFailure(planned.name, process,
                                  QStringLiteral("the process exited during start-up"));
            return false;
        }
        bool ready = false;
        if (planned.kind == QLatin1String("dns-authoritative")) {
            ready = dnsProbe(m_layout.authoritative, false);
        } else if (planned.kind == QLatin1String("dns-purchaser")) {
            ready = dnsProbe(m_layout.purchaserDns, false);
        } else if (planned.kind == QLatin1String("dns-recursor")) {
            ready = dnsProbe(m_layout.recursor, true);
        } else if (planned.kind == QLatin1String("proxy")) {
            for (const auto &p : m_layout.proxies) {
                if (p.name != planned.name)
                    continue;
                const int metrics =
                    httpStatus(p.address, p.metricsPort, "metrics", "/metrics", 500);
                const int site =
                    httpStatus(p.address, p.httpPort, m_layout.subscriberZone.toLatin1(), "/", 500);
                ready = metrics == 200 && site == 200;
                lastProblem = QStringLiteral("metrics answered %1, %2 answered %3")
                                  .arg(metrics)
                                  .arg(m_layout.subscriberZone)
                                  .arg(site);
            }
        } else if (planned.kind == QLatin1String("origin")) {
            for (const auto &o : m_layout.origins) {
                if (o.name != planned.name)
                    continue;
                const int st = httpStatus(o.address, o.httpPort, o.site.toLatin1(), "/", 500);
                ready = st == 200;
                lastProblem = QStringLiteral("HTTP answered %1").arg(st);
            }
        } else {
            ready = true; // the traffic generator has nothing to probe
        }
        if (ready)
            return true;
        QThread::msleep(50);
    }
    *error =
        readyFailure(planned.name, process,
                     QStringLiteral("not ready within %1 ms (%2)").arg(timeoutMs).arg(lastProblem));
    return false;
}

bool Sandbox::up(const Options &options, QString *error)
{
    const SandboxStatus current = status();
    if (current.running)
        return true; // attach
    if (current.exists && !down(error))
        return false;

    if (!checkPortsFree(error))
        return false;
    const QList<Planned> planned = plan(options, error);
    if (planned.isEmpty())
        return false;
    if (!prepare(error))
        return false;

    QList<SandboxServerStatus> started;
    const auto fail = [&](const QString &message) {
        *error = message;
        QString ignored;
        writeRecord(started, &ignored);
        down(&ignored);
        return false;
    };
    for (const Planned &p : planned) {
        SandboxServerStatus s;
        s.name = p.name;
        s.kind = p.kind;
        const QString log = m_layout.logDir() + QLatin1Char('/') + p.name + QStringLiteral(".log");
        QFile::remove(log);
        QString startError;
        if (!ServerProcess::start(p.name, p.program, p.arguments, p.workDir, log, &s.process,
                                  &startError))
            return fail(startError);
        s.running = true;
        started.append(s);
        QString ignored;
        writeRecord(started, &ignored); // so that down() finds it even if we die now
        QString readyError;
        if (!waitReady(p, s.process, options.readyTimeoutMs, &readyError))
            return fail(readyError);
    }
    if (!writeRecord(started, error))
        return false;
    return registerProxies(error);
}

bool Sandbox::registerProxies(QString *error) const
{
    // The sandbox's proxies, their capacity and pool, in the sandbox's own database.
    Database db;
    const Result<void> opened = db.open(m_layout.databaseFile());
    if (!opened) {
        *error = QStringLiteral("sandbox database: %1").arg(opened.error().message);
        return false;
    }
    ProxyRepository proxies(db);
    for (const auto &p : m_layout.proxies) {
        Proxy proxy;
        proxy.name = p.name;
        proxy.address = p.address;
        proxy.httpPort = p.httpPort;
        proxy.metricsPort = p.metricsPort;
        proxy.capacityRps = m_layout.proxyCapacityRps;
        proxy.pool = m_layout.pool;
        const Result<qint64> stored = proxies.upsert(proxy);
        if (!stored) {
            *error = QStringLiteral("sandbox database: %1").arg(stored.error().message);
            return false;
        }
    }
    return true;
}

int Sandbox::restartProxy(const QString &name, QString *error, int timeoutMs)
{
    const auto proxy = std::find_if(m_layout.proxies.cbegin(), m_layout.proxies.cend(),
                                    [&](const ProxyEndpoint &p) { return p.name == name; });
    if (proxy == m_layout.proxies.cend()) {
        *error = QStringLiteral("no proxy named '%1' in this sandbox").arg(name);
        return 0;
    }
    const SandboxStatus st = status();
    const auto server =
        std::find_if(st.servers.cbegin(), st.servers.cend(), [&](const SandboxServerStatus &s) {
            return s.name == name && s.kind == QLatin1String("proxy");
        });
    if (server == st.servers.cend() || !server->running) {
        *error = QStringLiteral("%1 is not running (sandbox up first)").arg(name);
        return 0;
    }
    const QString dir = m_layout.serverDir(name);
    const QString cfgPath = dir + QStringLiteral("/haproxy.cfg");
    const QString generationPath = dir + QStringLiteral("/generation");
    QDeadlineTimer deadline(timeoutMs);
    const int step = 3000; // per command
    const QByteArray section = "tables";
    const auto failWith = [&](const QString &why) {
        *error = QStringLiteral("%1: %2").arg(name, why);
        return 0;
    };

    // 1. A process hands its tables over only once its own start-up synchronisation is over.
    quint32 flags = 0;
    for (;;) {
        QString why;
        const auto peers =
            cliCommand(proxy->monitorSocket, QStringLiteral("show peers"), false, step, &why);
        const auto f = peers ? peersFlags(*peers, section) : std::nullopt;
        if (f) {
            flags = *f;
            if ((flags & (kPeersResyncLocal | kPeersResyncRemote)) ==
                (kPeersResyncLocal | kPeersResyncRemote))
                break;
        }
        if (deadline.hasExpired())
            return failWith(QStringLiteral("its stick table is not ready for a handover (%1)")
                                .arg(f ? QStringLiteral("peers flags 0x%1").arg(flags, 0, 16)
                                       : (peers ? QStringLiteral("no peers section") : why)));
        QThread::msleep(100);
    }

    // 2. What the provisioner added at runtime, so that the new configuration keeps it.
    QList<serverconfigs::SlotServer> slotServers;
    for (int slot = 0; slot < m_layout.slotCount; ++slot) {
        QString why;
        const auto command = provision::showCommand(QStringLiteral("servers state"), slot, &why);
        const auto answer =
            command ? cliCommand(proxy->monitorSocket, *command, false, step, &why) : std::nullopt;
        const auto servers = answer ? provision::parseServersState(*answer, &why) : std::nullopt;
        if (!servers)
            return failWith(QStringLiteral("reading slot %1: %2").arg(slot).arg(why));
        for (const provision::ObservedServer &o : *servers) {
            // FMAINT, IMAINT, CMAINT, RMAINT: out of rotation, and so it stays.
            slotServers.append(
                {slot, o.name, o.address, o.port, o.weight, (o.adminState & 0x27) != 0});
        }
    }

    // 3. The workers now, then the configuration of the next generation, then the reload.
    QString why;
    const auto before =
        cliCommand(proxy->masterSocket, QStringLiteral("show proc"), true, step, &why);
    const auto procsBefore = before ? parseShowProc(*before) : std::nullopt;
    if (!procsBefore)
        return failWith(QStringLiteral("master CLI: %1")
                            .arg(before ? QStringLiteral("unreadable 'show proc'") : why));
    QFile generationFile(generationPath);
    int generation = 1;
    if (generationFile.open(QIODevice::ReadOnly))
        generation = std::max(1, generationFile.read(16).trimmed().toInt());
    generationFile.close();
    QFile oldCfgFile(cfgPath);
    const QByteArray oldCfg =
        oldCfgFile.open(QIODevice::ReadOnly) ? oldCfgFile.readAll() : QByteArray();
    oldCfgFile.close();
    const int next = generation + 1;
    if (!writeFile(cfgPath, serverconfigs::haproxyCfg(m_layout, *proxy, next, slotServers),
                   error) ||
        !writeFile(generationPath, QByteArray::number(next) + '\n', error))
        return 0;
    if (!cliCommand(proxy->masterSocket, QStringLiteral("reload"), true, step, &why))
        return failWith(QStringLiteral("master CLI reload: %1").arg(why));

    // 4. Wait for the new worker, the handover, and the end of the old workers.
    ProcList procs;
    quint32 newFlags = 0;
    QString waiting = QStringLiteral("no new worker yet");
    for (;;) {
        QThread::msleep(50);
        const auto now =
            cliCommand(proxy->masterSocket, QStringLiteral("show proc"), true, step, &why);
        const auto parsed = now ? parseShowProc(*now) : std::nullopt;
        if (parsed) {
            procs = *parsed;
            if (procs.failedReloads > procsBefore->failedReloads) {
                QString ignored;
                writeFile(cfgPath, oldCfg, &ignored);
                writeFile(generationPath, QByteArray::number(generation) + '\n', &ignored);
                return failWith(
                    QStringLiteral("HAProxy refused the new configuration; the old "
                                   "process runs on\n  log: %1\n%2")
                        .arg(server->process.logFile, logTail(server->process.logFile, 8)));
            }
            const bool replaced =
                !procs.workers.isEmpty() &&
                std::none_of(procs.workers.cbegin(), procs.workers.cend(),
                             [&](qint64 pid) { return procsBefore->workers.contains(pid); });
            if (!replaced)
                waiting = QStringLiteral("no new worker yet");
            else if (!procs.oldWorkers.isEmpty())
                waiting = QStringLiteral("old worker(s) still draining");
            else {
                const auto peers = cliCommand(proxy->monitorSocket, QStringLiteral("show peers"),
                                              false, step, &why);
                const auto f = peers ? peersFlags(*peers, section) : std::nullopt;
                newFlags = f.value_or(0);
                if (newFlags & kPeersLocalFinished)
                    break;
                waiting = QStringLiteral("the table was not handed over (peers flags 0x%1)")
                              .arg(newFlags, 0, 16);
            }
        } else {
            waiting = why;
        }
        if (deadline.hasExpired())
            return failWith(
                QStringLiteral("reload not complete within %1 ms: %2").arg(timeoutMs).arg(waiting));
    }

    // 5. The master process stays what the sandbox recorded (pid and start time), and the new
    // worker answers. Only the metrics frontend is probed: a request to a site would be counted
    // in its stick table like a client's.
    if (!server->process.isAlive())
        return failWith(QStringLiteral("the master process is gone after the reload"));
    int metrics = -1;
    while ((metrics = httpStatus(proxy->address, proxy->metricsPort, "metrics", "/metrics", 500)) !=
           200) {
        if (deadline.hasExpired())
            return failWith(QStringLiteral("metrics answered %1 after the reload").arg(metrics));
        QThread::msleep(50);
    }
    return next;
}

std::optional<SandboxServerStatus> Sandbox::recordedServer(const QString &name,
                                                           QString *error) const
{
    const SandboxStatus st = status();
    for (const SandboxServerStatus &s : st.servers) {
        if (s.name == name)
            return s;
    }
    *error = st.exists
                 ? QStringLiteral("no server named '%1' in this sandbox").arg(name)
                 : QStringLiteral("no sandbox at %1 (sandbox up first)").arg(m_layout.stateDir);
    return std::nullopt;
}

bool Sandbox::stopServer(const QString &name, QString *error)
{
    const auto server = recordedServer(name, error);
    if (!server)
        return false;
    if (!server->process.stop(5000)) {
        *error = QStringLiteral("%1 (pid %2) did not stop").arg(name).arg(server->process.pid);
        return false;
    }
    return true;
}

bool Sandbox::killServer(const QString &name, QString *error)
{
    const auto server = recordedServer(name, error);
    if (!server)
        return false;
    if (!server->process.kill()) {
        *error = QStringLiteral("%1 (pid %2) survived SIGKILL").arg(name).arg(server->process.pid);
        return false;
    }
    return true;
}

bool Sandbox::startServer(const QString &name, QString *error, int timeoutMs)
{
    const auto server = recordedServer(name, error);
    if (!server)
        return false;
    if (server->process.isAlive()) {
        *error = QStringLiteral("%1 is running (pid %2)").arg(name).arg(server->process.pid);
        return false;
    }
    const QList<Planned> planned = plan(Options{}, error);
    const auto p = std::find_if(planned.cbegin(), planned.cend(),
                                [&](const Planned &candidate) { return candidate.name == name; });
    if (p == planned.cend()) {
        if (!planned.isEmpty())
            *error = QStringLiteral("%1 cannot be started again by the sandbox").arg(name);
        return false;
    }
    SandboxServerStatus started = *server;
    const QString log = m_layout.logDir() + QLatin1Char('/') + name + QStringLiteral(".log");
    if (!ServerProcess::start(p->name, p->program, p->arguments, p->workDir, log, &started.process,
                              error))
        return false;
    started.running = true;
    // Recorded before it is ready, so that down() stops it whatever happens next.
    QList<SandboxServerStatus> servers = status().servers;
    for (SandboxServerStatus &s : servers) {
        if (s.name == name)
            s = started;
    }
    if (!writeRecord(servers, error))
        return false;
    return waitReady(*p, started.process, timeoutMs, error);
}

bool Sandbox::down(QString *error)
{
    const QList<ServerProcess> processes = recorded();
    QStringList stuck;
    // Reverse start order: load generator and proxies first, origins last.
    for (auto it = processes.crbegin(); it != processes.crend(); ++it) {
        if (!it->stop(5000))
            stuck.append(QStringLiteral("%1 (pid %2)").arg(it->name).arg(it->pid));
    }
    if (!stuck.isEmpty()) {
        *error = QStringLiteral("could not stop: %1").arg(stuck.join(QStringLiteral(", ")));
        return false;
    }
    QFile::remove(m_layout.statusFile());
    return true;
}

} // namespace headroom
