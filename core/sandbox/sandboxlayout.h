#pragma once

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace headroom {

struct DnsServerEndpoint
{
    QString name;
    QHostAddress address;
    quint16 port = 0;
    QStringList zones; // zones this server answers for (or forwards, for the recursor)
};

struct ProxyEndpoint
{
    QString name;
    QHostAddress address;
    quint16 httpPort = 0;
    quint16 metricsPort = 0;
    quint16 peerPort = 0; // HAProxy local peer: hands the stick tables to a reloaded process
    // HAProxy's runtime API, two unix sockets (mode 0600) in the proxy's state dir, no TCP:
    QString runtimeSocket; // level admin: provisioning (add/enable/del server, set map)
    QString monitorSocket; // level operator, used only to read (stick table, server state)
    QString masterSocket;  // HAProxy master CLI, level operator: reload and show proc
    QString hostMap;       // Host -> backend map file
};

struct OriginEndpoint
{
    QString name;
    QHostAddress address;
    quint16 httpPort = 0;
    QString site; // the site it serves: shop.example (purchaser) or news.example (subscriber)
};

// Where every sandbox server lives: derived only from the port base and the state directory,
// so that two sandboxes with different port bases run side by side.
//   base+0 authoritative DNS  base+1 purchaser DNS  base+2 recursor   (all on 127.0.0.1)
//   base+10 proxy HTTP  base+11 proxy metrics      (127.0.1.1-3)
//   base+12 proxy local peer (HAProxy `peers`: on a graceful reload the old process pushes its
//           stick tables to the new one; each proxy listens on its own address)
//   base+10 origin HTTP                             (127.0.2.1-3)
//   base+20 purchaser API (headroomctl api's default listen address, 127.0.0.1)
// Proxies and origins share the web port, as port 80 would be shared in production: a client
// that resolves a purchaser's name connects to the same port whichever address it is given.
struct SandboxLayout
{
    static constexpr int kDefaultPortBase = 25300;
    static constexpr int kPortSpan = 30;
    static constexpr int kApiPortOffset = 20; // headroomctl api, on 127.0.0.1

    int portBase = kDefaultPortBase;
    QString stateDir;

    QString ourZone = QStringLiteral("edge.headroom.test");
    QString subscriberZone = QStringLiteral("news.example");
    QString purchaserZone = QStringLiteral("shop.example");
    QString updateKeyName = QStringLiteral("headroom-update");
    QString axfrKeyName = QStringLiteral("shop-axfr");
    QString algorithm = QStringLiteral("hmac-sha256");
    // Child zones of ourZone that hold the steering names (SteeringZones): s00..s15.
    int shardCount = 16;
    // Empty backends be_slot00.. that the provisioner fills with a purchaser site's origins.
    int slotCount = 32;
    // What each sandbox proxy is said to carry, and the pool its capacity is sold from.
    double proxyCapacityRps = 400;
    QString pool = QStringLiteral("sandbox");

    DnsServerEndpoint authoritative;
    DnsServerEndpoint purchaserDns;
    DnsServerEndpoint recursor;
    QList<ProxyEndpoint> proxies;
    QList<OriginEndpoint> origins;

    // Returns nullopt and sets *error for a port base out of range or an unusable state dir.
    static std::optional<SandboxLayout> make(int portBase, const QString &stateDir, QString *error);
    static QString defaultStateDir(int portBase);

    QString updateKeyFile() const;
    QString axfrKeyFile() const;
    QString logDir() const;
    QString serverDir(const QString &server) const;
    QString statusFile() const;
    QString databaseFile() const; // the Headroom database of this sandbox

    QStringList shardZones() const;
    QJsonObject toJson() const;
};

} // namespace headroom
