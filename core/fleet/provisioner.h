#pragma once

#include "dns/dnsname.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>

namespace headroom {

struct OriginServer
{
    QHostAddress address;
    quint16 port = 0;
    int weight = 1; // HAProxy's 1..256
};

// A purchaser site as it is provisioned on a proxy: the Host names that route to it and the
// origin servers behind it, in slot backend be_slot<slot> (HAProxy 2.6 cannot create backends at
// runtime, so the proxies' configuration declares empty slots; the caller keeps one per site).
struct SiteSpec
{
    QString site;
    QList<DnsName> hosts;
    QList<OriginServer> origins;
    int slot = -1;
};

struct ProxyTarget
{
    QString name;
    QString runtimeSocket; // HAProxy runtime API, admin level
    QString hostMap;       // the Host -> backend map file, as the proxy's configuration names it
};

struct ProvisionState
{
    enum State
    {
        Pending,
        Provisioned,
        Failed,
        Removed
    };

    QString proxy;
    State state = Pending;
    QString error; // why the last attempt failed; empty once the proxy has converged
    int attempts = 0;
};

// Pure pieces of provisioning: slot choice, runtime API command text, parsers of its answers and
// the plans that take a proxy from what it reports to what a site needs. Every command is built
// from validated values only and checked against its template before it is returned.
namespace provision {

constexpr int kSlotCount = 32;

// "be_slot07"; empty for a slot out of range.
QString slotBackend(int slot, int slotCount = kSlotCount);
// The lowest slot whose backend is not in `usedSlots` (backend names, e.g. "be_slot03"); -1 when
// every slot is taken.
int chooseSlot(const QStringList &usedSlots, int slotCount = kSlotCount);

// An absolute path of [A-Za-z0-9._+/-] without "..": what may be written into a command.
bool isSafeMapPath(const QString &path);
// Names a server the way the provisioner does ("o0".."o255") or HAProxy allows for another.
bool isSafeServerName(const QString &name);
bool isValidOrigin(const OriginServer &origin, QString *why = nullptr);
// A slot in range, at least one host and 1..256 valid origins.
bool validateSpec(const SiteSpec &spec, QString *error);
// Whether `command` is safe for the CLI and has exactly `tokens` space-separated words.
bool matchesTemplate(const QString &command, int tokens, QString *why = nullptr);

// Command builders: nullopt (and *why) for invalid input.
std::optional<QString> addServer(int slot, int index, const OriginServer &origin,
                                 QString *why = nullptr);
std::optional<QString> serverCommand(const QString &verb, int slot, const QString &server,
                                     QString *why = nullptr); // "enable server", "del server"
std::optional<QString> setServerState(int slot, const QString &server, const QString &state,
                                      QString *why = nullptr); // ready | maint | drain
std::optional<QString> setServerAddress(int slot, const QString &server, const OriginServer &origin,
                                        QString *why = nullptr);
std::optional<QString> setWeight(int slot, const QString &server, int weight,
                                 QString *why = nullptr);
std::optional<QString> mapCommand(const QString &verb, const QString &mapPath, const DnsName &host,
                                  int slot,
                                  QString *why = nullptr); // "add map", "set map", "del map"
std::optional<QString> showCommand(const QString &what, int slot, QString *why = nullptr);
std::optional<QString> showMap(const QString &mapPath, QString *why = nullptr);

struct ObservedServer
{
    QString name;
    QHostAddress address;
    quint16 port = 0;
    int weight = 0;
    int adminState = 0; // HAProxy's srv_admin_state bits: 0 = in service
    bool inMaintenance() const { return adminState & 0x01; }
};

struct MapEntry
{
    QString key;
    QString value;
};

struct ServerConnections
{
    QString name;
    int used = 0;
    int idle = 0;
};

// "show servers state <backend>" (format 1).
std::optional<QList<ObservedServer>> parseServersState(const QByteArray &text, QString *error);
// "show map <file>": "<ref> <key> <value>" lines.
std::optional<QList<MapEntry>> parseMap(const QByteArray &text, QString *error);
// "show servers conn <backend>".
std::optional<QList<ServerConnections>> parseServersConn(const QByteArray &text, QString *error);

// Commands that take the proxy from `servers`/`map` to the site's desired state; empty when it
// is there. Servers first, then map entries, so that a host never routes to an empty slot.
std::optional<QStringList> planProvision(const SiteSpec &spec, const QString &mapPath,
                                         const QList<ObservedServer> &servers,
                                         const QList<MapEntry> &map, QString *error);
// The first half of removal: map entries off (new requests get 421), then servers to
// maintenance. Deleting the servers waits for their connections to end.
std::optional<QStringList> planRemoval(const SiteSpec &spec, const QString &mapPath,
                                       const QList<ObservedServer> &servers,
                                       const QList<MapEntry> &map, QString *error);

// The map file's text with the site's hosts pointing at its slot (present) or without the hosts
// that point at its slot (!present); other lines are kept as they are.
QByteArray rewriteMapFile(const QByteArray &current, const SiteSpec &spec, bool present);

} // namespace provision

// Provisions a site on every proxy of a list, or removes it, through the proxies' runtime API:
// no restart, no dropped request. Each proxy converges on its own: an attempt reads the proxy's
// state, applies what is missing and reads it back; a failed attempt is retried with backoff
// until the proxy converges or `maxAttempts` is spent. The map file on disk is rewritten as well,
// so that a reload keeps the site. Runs on the event loop; never blocks.
class Provisioner final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int maxAttempts = 6;
        int firstBackoffMs = 250; // doubled after each failed attempt
        int maxBackoffMs = 8000;
        int commandTimeoutMs = 3000;
        int drainPollMs = 200;
        int drainTimeoutMs = 60000; // removal waits this long for a server's connections to end
        int slotCount = provision::kSlotCount;
    };

    explicit Provisioner(QObject *parent = nullptr);
    explicit Provisioner(Options options, QObject *parent = nullptr);
    ~Provisioner() override;

    // Starts (or restarts, dropping a run in progress for the same site). False with *error for a
    // site that cannot be provisioned at all (no hosts, bad origin, slot out of range); a proxy
    // target that is unusable fails on its own.
    bool provision(const SiteSpec &spec, const QList<ProxyTarget> &proxies,
                   QString *error = nullptr);
    bool deprovision(const SiteSpec &spec, const QList<ProxyTarget> &proxies,
                     QString *error = nullptr);

    QList<ProvisionState> states(const QString &site) const;
    bool isRunning(const QString &site) const;

Q_SIGNALS:
    void changed(const QString &site, const QList<headroom::ProvisionState> &states);
    // Once every proxy has converged (ok) or failed for good (!ok).
    void finished(const QString &site, bool ok);

private:
    class SiteRun;
    bool start(const SiteSpec &spec, const QList<ProxyTarget> &proxies, bool remove,
               QString *error);
    void onStateChanged(SiteRun *run);

    Options m_options;
    QHash<QString, SiteRun *> m_runs;
};

} // namespace headroom

Q_DECLARE_METATYPE(headroom::ProvisionState)
