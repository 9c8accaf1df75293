#include "provisioner.h"

#include "runtimeapi.h"

#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTimer>
#include <algorithm>
#include <functional>

namespace headroom {

namespace provision {

namespace {

constexpr int kMaxOrigins = 256;
constexpr int kMaxWeight = 256;

QString serverName(int index)
{
    return QStringLiteral("o%1").arg(index);
}

QString serverPath(int slot, const QString &server)
{
    return slotBackend(slot) + QLatin1Char('/') + server;
}

std::optional<QString> checked(const QString &command, int tokens, QString *why)
{
    QString reason;
    if (!matchesTemplate(command, tokens, &reason)) {
        if (why)
            *why = reason;
        return std::nullopt;
    }
    return command;
}

std::optional<QString> refuse(QString *why, const QString &reason)
{
    if (why)
        *why = reason;
    return std::nullopt;
}

bool validSlot(int slot, QString *why)
{
    if (!slotBackend(slot).isEmpty())
        return true;
    if (why)
        *why = QStringLiteral("slot %1 out of range").arg(slot);
    return false;
}

QString addressText(const QHostAddress &a)
{
    return a.toString();
}

QStringList words(const QString &line)
{
    static const QRegularExpression space(QStringLiteral("\\s+"));
    return line.split(space, Qt::SkipEmptyParts);
}

QList<QString> lines(const QByteArray &text)
{
    QList<QString> out;
    for (const QByteArray &l : text.split('\n')) {
        const QString t = QString::fromLatin1(l).trimmed();
        if (!t.isEmpty())
            out.append(t);
    }
    return out;
}

} // namespace

bool validateSpec(const SiteSpec &spec, QString *error)
{
    if (!validSlot(spec.slot, error))
        return false;
    if (spec.hosts.isEmpty()) {
        *error = QStringLiteral("no host names");
        return false;
    }
    if (spec.origins.isEmpty() || spec.origins.size() > kMaxOrigins) {
        *error = QStringLiteral("between 1 and %1 origin servers needed").arg(kMaxOrigins);
        return false;
    }
    for (const OriginServer &o : spec.origins) {
        if (!isValidOrigin(o, error))
            return false;
    }
    return true;
}

QString slotBackend(int slot, int slotCount)
{
    if (slot < 0 || slot >= slotCount || slotCount > 100)
        return {};
    return QStringLiteral("be_slot%1").arg(slot, 2, 10, QLatin1Char('0'));
}

int chooseSlot(const QStringList &usedSlots, int slotCount)
{
    const QSet<QString> used(usedSlots.cbegin(), usedSlots.cend());
    for (int slot = 0; slot < slotCount; ++slot) {
        const QString name = slotBackend(slot, slotCount);
        if (name.isEmpty())
            return -1;
        if (!used.contains(name))
            return slot;
    }
    return -1;
}

bool isSafeMapPath(const QString &path)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("/[A-Za-z0-9._+/-]{1,1023}")));
    return re.match(path).hasMatch() && !path.contains(QLatin1String("..")) &&
           !path.endsWith(QLatin1Char('/'));
}

bool isSafeServerName(const QString &name)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_.-]{1,64}")));
    return re.match(name).hasMatch();
}

bool isValidOrigin(const OriginServer &origin, QString *why)
{
    const QHostAddress &a = origin.address;
    QString reason;
    if (a.isNull())
        reason = QStringLiteral("origin address missing");
    else if (a.protocol() != QAbstractSocket::IPv4Protocol &&
             a.protocol() != QAbstractSocket::IPv6Protocol)
        reason = QStringLiteral("origin address is neither IPv4 nor IPv6");
    else if (!a.scopeId().isEmpty())
        reason = QStringLiteral("origin address has a scope");
    else if (a.isMulticast() || a.isBroadcast() || a == QHostAddress(QHostAddress::AnyIPv4) ||
             a == QHostAddress(QHostAddress::AnyIPv6))
        reason = QStringLiteral("origin address %1 is not a host").arg(a.toString());
    else if (origin.port == 0)
        reason = QStringLiteral("origin port missing");
    else if (origin.weight < 1 || origin.weight > kMaxWeight)
        reason = QStringLiteral("origin weight %1 not in 1..%2").arg(origin.weight).arg(kMaxWeight);
    if (reason.isEmpty())
        return true;
    if (why)
        *why = reason;
    return false;
}

bool matchesTemplate(const QString &command, int tokens, QString *why)
{
    QString reason;
    if (!RuntimeApi::isSafeCommand(command, &reason)) {
        if (why)
            *why = reason;
        return false;
    }
    const QStringList parts = command.split(QLatin1Char(' '));
    const bool emptyPart =
        std::any_of(parts.cbegin(), parts.cend(), [](const QString &p) { return p.isEmpty(); });
    if (parts.size() != tokens || emptyPart) {
        if (why)
            *why = QStringLiteral("command does not match its template of %1 words").arg(tokens);
        return false;
    }
    return true;
}

std::optional<QString> addServer(int slot, int index, const OriginServer &origin, QString *why)
{
    if (!validSlot(slot, why))
        return std::nullopt;
    if (index < 0 || index >= kMaxOrigins)
        return refuse(why, QStringLiteral("origin index %1 out of range").arg(index));
    if (!isValidOrigin(origin, why))
        return std::nullopt;
    // HAProxy reads the last ':' as the port separator; "ipv6@" keeps an IPv6 address whole.
    const QString address = origin.address.protocol() == QAbstractSocket::IPv6Protocol
                                ? QStringLiteral("ipv6@") + addressText(origin.address)
                                : addressText(origin.address);
    return checked(QStringLiteral("add server %1 %2:%3 weight %4")
                       .arg(serverPath(slot, serverName(index)), address)
                       .arg(origin.port)
                       .arg(origin.weight),
                   6, why);
}

std::optional<QString> serverCommand(const QString &verb, int slot, const QString &server,
                                     QString *why)
{
    static const QStringList verbs = {QStringLiteral("enable server"),
                                      QStringLiteral("disable server"),
                                      QStringLiteral("del server")};
    if (!verbs.contains(verb))
        return refuse(why, QStringLiteral("unknown server command"));
    if (!validSlot(slot, why))
        return std::nullopt;
    if (!isSafeServerName(server))
        return refuse(why, QStringLiteral("invalid server name"));
    return checked(verb + QLatin1Char(' ') + serverPath(slot, server), 3, why);
}

std::optional<QString> setServerState(int slot, const QString &server, const QString &state,
                                      QString *why)
{
    static const QStringList states = {QStringLiteral("ready"), QStringLiteral("maint"),
                                       QStringLiteral("drain")};
    if (!states.contains(state))
        return refuse(why, QStringLiteral("unknown server state"));
    if (!validSlot(slot, why))
        return std::nullopt;
    if (!isSafeServerName(server))
        return refuse(why, QStringLiteral("invalid server name"));
    return checked(QStringLiteral("set server %1 state %2").arg(serverPath(slot, server), state), 5,
                   why);
}

std::optional<QString> setServerAddress(int slot, const QString &server, const OriginServer &origin,
                                        QString *why)
{
    if (!validSlot(slot, why))
        return std::nullopt;
    if (!isSafeServerName(server))
        return refuse(why, QStringLiteral("invalid server name"));
    if (!isValidOrigin(origin, why))
        return std::nullopt;
    return checked(QStringLiteral("set server %1 addr %2 port %3")
                       .arg(serverPath(slot, server), addressText(origin.address))
                       .arg(origin.port),
                   7, why);
}

std::optional<QString> setWeight(int slot, const QString &server, int weight, QString *why)
{
    if (!validSlot(slot, why))
        return std::nullopt;
    if (!isSafeServerName(server))
        return refuse(why, QStringLiteral("invalid server name"));
    if (weight < 1 || weight > kMaxWeight)
        return refuse(why, QStringLiteral("weight %1 not in 1..%2").arg(weight).arg(kMaxWeight));
    return checked(QStringLiteral("set weight %1 %2").arg(serverPath(slot, server)).arg(weight), 4,
                   why);
}

std::optional<QString> mapCommand(const QString &verb, const QString &mapPath, const DnsName &host,
                                  int slot, QString *why)
{
    if (!isSafeMapPath(mapPath))
        return refuse(why, QStringLiteral("unsafe map file path"));
    if (!validSlot(slot, why))
        return std::nullopt;
    if (host.relative().isEmpty())
        return refuse(why, QStringLiteral("empty host name"));
    if (verb == QLatin1String("del map"))
        return checked(verb + QLatin1Char(' ') + mapPath + QLatin1Char(' ') + host.relative(), 4,
                       why);
    if (verb != QLatin1String("add map") && verb != QLatin1String("set map"))
        return refuse(why, QStringLiteral("unknown map command"));
    return checked(
        QStringLiteral("%1 %2 %3 %4").arg(verb, mapPath, host.relative(), slotBackend(slot)), 5,
        why);
}

std::optional<QString> showCommand(const QString &what, int slot, QString *why)
{
    if (what != QLatin1String("servers state") && what != QLatin1String("servers conn"))
        return refuse(why, QStringLiteral("unknown show command"));
    if (!validSlot(slot, why))
        return std::nullopt;
    return checked(QStringLiteral("show %1 %2").arg(what, slotBackend(slot)), 4, why);
}

std::optional<QString> showMap(const QString &mapPath, QString *why)
{
    if (!isSafeMapPath(mapPath))
        return refuse(why, QStringLiteral("unsafe map file path"));
    return checked(QStringLiteral("show map ") + mapPath, 3, why);
}

std::optional<QList<ObservedServer>> parseServersState(const QByteArray &text, QString *error)
{
    const QList<QString> ls = lines(text);
    if (ls.isEmpty() || ls.first() != QLatin1String("1")) {
        *error = QStringLiteral("unexpected servers state: %1")
                     .arg(ls.isEmpty() ? QStringLiteral("empty answer") : ls.first().left(200));
        return std::nullopt;
    }
    QList<ObservedServer> out;
    for (qsizetype i = 1; i < ls.size(); ++i) {
        if (ls[i].startsWith(QLatin1Char('#')))
            continue;
        const QStringList f = words(ls[i]);
        bool okAdmin = false, okWeight = false, okPort = false;
        ObservedServer s;
        if (f.size() >= 19) {
            s.name = f[3];
            s.address = QHostAddress(f[4]);
            s.adminState = f[6].toInt(&okAdmin);
            s.weight = f[7].toInt(&okWeight);
            s.port = f[18].toUShort(&okPort);
        }
        if (!okAdmin || !okWeight || !okPort || !isSafeServerName(s.name)) {
            *error = QStringLiteral("unreadable server state line: %1").arg(ls[i].left(200));
            return std::nullopt;
        }
        out.append(s);
    }
    return out;
}

std::optional<QList<MapEntry>> parseMap(const QByteArray &text, QString *error)
{
    QList<MapEntry> out;
    for (const QString &l : lines(text)) {
        const QStringList f = words(l);
        if (f.size() != 3 || !f[0].startsWith(QLatin1String("0x"))) {
            *error = QStringLiteral("unexpected map line: %1").arg(l.left(200));
            return std::nullopt;
        }
        out.append({f[1], f[2]});
    }
    return out;
}

std::optional<QList<ServerConnections>> parseServersConn(const QByteArray &text, QString *error)
{
    const QList<QString> ls = lines(text);
    if (ls.isEmpty() || !ls.first().startsWith(QLatin1Char('#'))) {
        *error = QStringLiteral("unexpected servers conn: %1")
                     .arg(ls.isEmpty() ? QStringLiteral("empty answer") : ls.first().left(200));
        return std::nullopt;
    }
    QList<ServerConnections> out;
    for (qsizetype i = 1; i < ls.size(); ++i) {
        const QStringList f = words(ls[i]);
        bool okUsed = false, okIdle = false;
        ServerConnections c;
        if (f.size() >= 13 && f[0].contains(QLatin1Char('/'))) {
            c.name = f[0].section(QLatin1Char('/'), 1);
            c.used = f[6].toInt(&okUsed);
            c.idle = f[12].toInt(&okIdle);
        }
        if (!okUsed || !okIdle || !isSafeServerName(c.name)) {
            *error = QStringLiteral("unreadable servers conn line: %1").arg(ls[i].left(200));
            return std::nullopt;
        }
        out.append(c);
    }
    return out;
}

std::optional<QStringList> planProvision(const SiteSpec &spec, const QString &mapPath,
                                         const QList<ObservedServer> &servers,
                                         const QList<MapEntry> &map, QString *error)
{
    if (!validateSpec(spec, error))
        return std::nullopt;
    QStringList plan;
    bool ok = true;
    const auto add = [&](const std::optional<QString> &c) {
        if (c)
            plan.append(*c);
        else
            ok = false;
    };
    QSet<QString> wanted;
    for (int i = 0; i < spec.origins.size(); ++i) {
        const OriginServer &o = spec.origins[i];
        const QString name = serverName(i);
        wanted.insert(name);
        const auto it = std::find_if(servers.cbegin(), servers.cend(),
                                     [&](const ObservedServer &s) { return s.name == name; });
        if (it == servers.cend()) {
            add(addServer(spec.slot, i, o, error));
            add(serverCommand(QStringLiteral("enable server"), spec.slot, name, error));
            continue;
        }
        if (it->address != o.address || it->port != o.port)
            add(setServerAddress(spec.slot, name, o, error));
        if (it->weight != o.weight)
            add(setWeight(spec.slot, name, o.weight, error));
        if (it->adminState != 0)
            add(setServerState(spec.slot, name, QStringLiteral("ready"), error));
    }
    for (const DnsName &host : spec.hosts) {
        const QString key = host.relative();
        bool present = false, stale = false;
        for (const MapEntry &e : map) {
            if (e.key != key)
                continue;
            present = true;
            stale = stale || e.value != slotBackend(spec.slot);
        }
        if (!present)
            add(mapCommand(QStringLiteral("add map"), mapPath, host, spec.slot, error));
        else if (stale)
            add(mapCommand(QStringLiteral("set map"), mapPath, host, spec.slot, error));
    }
    // Servers of origins the site no longer has: out of rotation, then gone.
    for (const ObservedServer &s : servers) {
        if (wanted.contains(s.name))
            continue;
        if (!s.inMaintenance())
            add(setServerState(spec.slot, s.name, QStringLiteral("maint"), error));
        add(serverCommand(QStringLiteral("del server"), spec.slot, s.name, error));
    }
    if (!ok)
        return std::nullopt;
    return plan;
}

std::optional<QStringList> planRemoval(const SiteSpec &spec, const QString &mapPath,
                                       const QList<ObservedServer> &servers,
                                       const QList<MapEntry> &map, QString *error)
{
    if (!validSlot(spec.slot, error))
        return std::nullopt;
    QStringList plan;
    bool ok = true;
    const auto add = [&](const std::optional<QString> &c) {
        if (c)
            plan.append(*c);
        else
            ok = false;
    };
    for (const DnsName &host : spec.hosts) {
        const bool ours = std::any_of(map.cbegin(), map.cend(), [&](const MapEntry &e) {
            return e.key == host.relative() && e.value == slotBackend(spec.slot);
        });
        if (ours)
            add(mapCommand(QStringLiteral("del map"), mapPath, host, spec.slot, error));
    }
    for (const ObservedServer &s : servers) {
        if (!s.inMaintenance())
            add(setServerState(spec.slot, s.name, QStringLiteral("maint"), error));
    }
    if (!ok)
        return std::nullopt;
    return plan;
}

QByteArray rewriteMapFile(const QByteArray &current, const SiteSpec &spec, bool present)
{
    const QByteArray backend = slotBackend(spec.slot).toLatin1();
    QSet<QByteArray> hosts;
    for (const DnsName &h : spec.hosts)
        hosts.insert(h.relative().toLatin1());
    QByteArray out;
    for (const QByteArray &line : current.split('\n')) {
        const QList<QByteArray> f = line.simplified().split(' ');
        const bool entry = f.size() >= 2 && !f[0].startsWith('#');
        if (entry && hosts.contains(f[0]) && (present || f[1] == backend))
            continue;
        if (line.isEmpty())
            continue;
        out += line + '\n';
    }
    if (present) {
        for (const DnsName &h : spec.hosts)
            out += h.relative().toLatin1() + ' ' + backend + '\n';
    }
    return out;
}

} // namespace provision

namespace {

using namespace provision;

bool changeAccepted(const QByteArray &text, QString *error)
{
    const QString t = QString::fromLatin1(text).trimmed();
    if (t.isEmpty() || t == QLatin1String("New server registered.") ||
        t == QLatin1String("Server deleted.") || t.startsWith(QLatin1String("IP changed from")) ||
        t.startsWith(QLatin1String("port changed from")))
        return true;
    *error = t.left(300);
    return false;
}

// One site on one proxy: attempts until it converges or the attempts are spent.
class ProxyJob final : public QObject
{
public:
    using Report = std::function<void(const ProvisionState &)>;

    ProxyJob(SiteSpec spec, ProxyTarget target, bool remove, const Provisioner::Options &options,
             Report report, QObject *parent)
        : QObject(parent), m_spec(std::move(spec)), m_target(std::move(target)), m_remove(remove),
          m_options(options), m_report(std::move(report)),
          m_api(new RuntimeApi(m_target.runtimeSocket, this))
    {
        m_api->setTimeout(m_options.commandTimeoutMs);
        m_state.proxy = m_target.name;
    }

    const ProvisionState &state() const { return m_state; }

    void start()
    {
        if (m_target.runtimeSocket.isEmpty() || !isSafeMapPath(m_target.hostMap)) {
            m_state.state = ProvisionState::Failed;
            m_state.error = m_target.runtimeSocket.isEmpty()
                                ? QStringLiteral("no runtime socket")
                                : QStringLiteral("unsafe host map path");
            m_report(m_state);
            return;
        }
        attempt();
    }

    void stop()
    {
        m_stopped = true;
        m_api->abortAll();
    }

private:
    using TextHandler = std::function<void(const QByteArray &)>;

    void attempt()
    {
        if (m_stopped)
            return;
        ++m_state.attempts;
        m_state.state = ProvisionState::Pending;
        m_pass = 0;
        m_draining = false;
        m_report(m_state);
        refresh();
    }

    void send(const QString &command, TextHandler onText)
    {
        m_api->command(command, this, [this, command, onText](const RuntimeReply &r) {
            if (m_stopped)
                return;
            if (!r.ok)
                return fail(
                    QStringLiteral("%1: %2").arg(command.section(QLatin1Char(' '), 0, 1), r.error));
            onText(r.text);
        });
    }

    void sendAll(QStringList commands, std::function<void()> done)
    {
        if (commands.isEmpty())
            return done();
        const QString command = commands.takeFirst();
        send(command, [this, command, commands, done](const QByteArray &text) {
            QString error;
            if (!changeAccepted(text, &error))
                return fail(command + QStringLiteral(": ") + error);
            sendAll(commands, done);
        });
    }

    // Reads the proxy's state and takes the next step towards the wanted one.
    void refresh()
    {
        QString why;
        const auto showServers = showCommand(QStringLiteral("servers state"), m_spec.slot, &why);
        const auto showHosts = showMap(m_target.hostMap, &why);
        if (!showServers || !showHosts)
            return fail(why);
        send(*showServers, [this, showHosts](const QByteArray &serversText) {
            QString error;
            const auto servers = parseServersState(serversText, &error);
            if (!servers)
                return fail(error);
            send(*showHosts, [this, servers](const QByteArray &mapText) {
                QString mapError;
                const auto map = parseMap(mapText, &mapError);
                if (!map)
                    return fail(mapError);
                step(*servers, *map);
            });
        });
    }

    void step(const QList<ObservedServer> &servers, const QList<MapEntry> &map)
    {
        QString error;
        const auto plan = m_remove ? planRemoval(m_spec, m_target.hostMap, servers, map, &error)
                                   : planProvision(m_spec, m_target.hostMap, servers, map, &error);
        if (!plan)
            return fail(error);
        if (!plan->isEmpty()) {
            if (m_pass >= 3)
                return fail(QStringLiteral("not converged, still to do: %1").arg(plan->first()));
            ++m_pass;
            return sendAll(*plan, [this] { refresh(); });
        }
        // The runtime state is right; make the map file agree, so that a reload keeps it.
        if (!writeMapFile(&error))
            return fail(error);
        if (!m_remove)
            return succeed(ProvisionState::Provisioned);
        if (servers.isEmpty())
            return succeed(ProvisionState::Removed);
        if (!m_draining) {
            m_draining = true;
            m_drainClock.start();
        }
        drain();
    }

    // Servers are in maintenance and no host routes to them: delete each once its last
    // connection has ended, so that no request in flight is cut.
    void drain()
    {
        QString why;
        const auto show = showCommand(QStringLiteral("servers conn"), m_spec.slot, &why);
        if (!show)
            return fail(why);
        send(*show, [this](const QByteArray &text) {
            QString error;
            const auto conns = parseServersConn(text, &error);
            if (!conns)
                return fail(error);
            const bool busy = std::any_of(conns->cbegin(), conns->cend(),
                                          [](const ServerConnections &c) { return c.used > 0; });
            if (busy)
                return waitForDrain();
            QStringList deletions;
            for (const ServerConnections &c : *conns) {
                const auto del =
                    serverCommand(QStringLiteral("del server"), m_spec.slot, c.name, &error);
                if (!del)
                    return fail(error);
                deletions.append(*del);
            }
            deleteServers(deletions);
        });
    }

    void deleteServers(QStringList deletions)
    {
        if (deletions.isEmpty())
            return refresh();
        const QString command = deletions.takeFirst();
        send(command, [this, command, deletions](const QByteArray &text) {
            QString error;
            if (changeAccepted(text, &error))
                return deleteServers(deletions);
            // Idle keep-alive connections to the origin also hold a server; they end on their
            // own (HAProxy purges idle connections) - wait for that rather than fail.
            if (error.contains(QLatin1String("still has connections")))
                return waitForDrain();
            fail(command + QStringLiteral(": ") + error);
        });
    }

    void waitForDrain()
    {
        if (m_drainClock.elapsed() > m_options.drainTimeoutMs)
            return fail(QStringLiteral("connections to %1 did not end within %2 ms")
                            .arg(slotBackend(m_spec.slot))
                            .arg(m_options.drainTimeoutMs));
        QTimer::singleShot(m_options.drainPollMs, this, [this] {
            if (!m_stopped)
                drain();
        });
    }

    bool writeMapFile(QString *error)
    {
        QFile in(m_target.hostMap);
        QByteArray current;
        if (in.exists()) {
            if (!in.open(QIODevice::ReadOnly)) {
                *error = QStringLiteral("cannot read %1: %2").arg(in.fileName(), in.errorString());
                return false;
            }
            current = in.readAll();
            in.close();
        }
        const QByteArray wanted = rewriteMapFile(current, m_spec, !m_remove);
        if (wanted == current)
            return true;
        QSaveFile out(m_target.hostMap);
        if (!out.open(QIODevice::WriteOnly) || out.write(wanted) != wanted.size() ||
            !out.commit()) {
            *error = QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString());
            return false;
        }
        return true;
    }

    void succeed(ProvisionState::State state)
    {
        m_state.state = state;
        m_state.error.clear();
        m_report(m_state);
    }

    void fail(const QString &error)
    {
        m_state.error = error;
        if (m_state.attempts >= m_options.maxAttempts) {
            m_state.state = ProvisionState::Failed;
            m_report(m_state);
            return;
        }
        m_report(m_state);
        const int shift = std::min(m_state.attempts - 1, 16);
        const int backoff = int(
            std::min<qint64>(qint64(m_options.firstBackoffMs) << shift, m_options.maxBackoffMs));
        QTimer::singleShot(backoff, this, [this] { attempt(); });
    }

    SiteSpec m_spec;
    ProxyTarget m_target;
    bool m_remove = false;
    Provisioner::Options m_options;
    Report m_report;
    RuntimeApi *m_api;
    ProvisionState m_state;
    int m_pass = 0;
    bool m_draining = false;
    bool m_stopped = false;
    QElapsedTimer m_drainClock;
};

} // namespace

class Provisioner::SiteRun final : public QObject
{
public:
    SiteRun(QString site, QObject *parent) : QObject(parent), m_site(std::move(site)) {}

    QString m_site;
    QList<ProxyJob *> m_jobs;
    QList<ProvisionState> m_states;
    bool m_done = false;

    void stop()
    {
        for (ProxyJob *job : std::as_const(m_jobs))
            job->stop();
        m_done = true;
    }
};

Provisioner::Provisioner(QObject *parent) : Provisioner(Options{}, parent) {}

Provisioner::Provisioner(Options options, QObject *parent) : QObject(parent), m_options(options)
{
    qRegisterMetaType<ProvisionState>();
    qRegisterMetaType<QList<ProvisionState>>();
}

Provisioner::~Provisioner()
{
    for (SiteRun *run : std::as_const(m_runs))
        run->stop();
}

bool Provisioner::provision(const SiteSpec &spec, const QList<ProxyTarget> &proxies, QString *error)
{
    return start(spec, proxies, false, error);
}

bool Provisioner::deprovision(const SiteSpec &spec, const QList<ProxyTarget> &proxies,
                              QString *error)
{
    return start(spec, proxies, true, error);
}

QList<ProvisionState> Provisioner::states(const QString &site) const
{
    const SiteRun *run = m_runs.value(site);
    return run ? run->m_states : QList<ProvisionState>{};
}

bool Provisioner::isRunning(const QString &site) const
{
    const SiteRun *run = m_runs.value(site);
    return run && !run->m_done;
}

bool Provisioner::start(const SiteSpec &spec, const QList<ProxyTarget> &proxies, bool remove,
                        QString *error)
{
    QString why;
    if (spec.site.isEmpty())
        why = QStringLiteral("site name missing");
    else if (proxies.isEmpty())
        why = QStringLiteral("no proxies");
    else if (slotBackend(spec.slot, m_options.slotCount).isEmpty())
        why = QStringLiteral("slot %1 out of range").arg(spec.slot);
    else if (remove && spec.hosts.isEmpty())
        why = QStringLiteral("no host names");
    else if (!remove)
        validateSpec(spec, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    if (SiteRun *old = m_runs.take(spec.site)) {
        old->stop();
        old->deleteLater(); // may be on the stack of one of its own callbacks
    }
    auto *run = new SiteRun(spec.site, this);
    m_runs.insert(spec.site, run);
    for (const ProxyTarget &target : proxies) {
        const qsizetype index = run->m_states.size();
        ProvisionState initial;
        initial.proxy = target.name;
        run->m_states.append(initial);
        QPointer<SiteRun> guard(run);
        auto *job = new ProxyJob(
            spec, target, remove, m_options,
            [this, guard, index](const ProvisionState &s) {
                if (!guard || guard->m_done)
                    return;
                guard->m_states[index] = s;
                onStateChanged(guard);
            },
            run);
        run->m_jobs.append(job);
    }
    // Started from the event loop, so that callers connect to the signals first.
    QTimer::singleShot(0, run, [run] {
        for (ProxyJob *job : std::as_const(run->m_jobs))
            job->start();
    });
    return true;
}

void Provisioner::onStateChanged(SiteRun *run)
{
    const QList<ProvisionState> states = run->m_states;
    const bool settled = std::all_of(states.cbegin(), states.cend(), [](const ProvisionState &s) {
        return s.state != ProvisionState::Pending;
    });
    const bool ok = std::none_of(states.cbegin(), states.cend(), [](const ProvisionState &s) {
        return s.state == ProvisionState::Failed;
    });
    if (settled)
        run->m_done = true;
    const QString site = run->m_site;
    Q_EMIT changed(site, states);
    if (settled)
        Q_EMIT finished(site, ok);
}

} // namespace headroom
