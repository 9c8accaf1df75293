#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <functional>

namespace headroom {

class DnsClient;

// Which server to ask for names under `zone` (longest suffix wins).
struct ZoneServer
{
    QString zone;
    QHostAddress address;
    quint16 port = 0;
};

// One caching resolver as seen by the clients behind it: it asks the authoritative servers
// (or a recursive resolver), follows CNAME chains, and keeps each answer for its TTL, so every
// client behind it gets the same pick until the TTL runs out — which is what makes DNS
// steering coarse and lagged, and what the traffic generator must reproduce.
class EmulatedResolver final
{
public:
    using Callback = std::function<void(const QList<QHostAddress> &, const QString &error)>;

    EmulatedResolver(DnsClient *client, QList<ZoneServer> servers, bool recursive,
                     const QElapsedTimer *clock);

    void resolve(const QString &name, Callback done);
    quint64 queriesSent() const { return m_queries; }

private:
    struct CacheEntry
    {
        QList<QHostAddress> addresses;
        qint64 expiresMs = 0;
    };
    void lookup(const QString &original, const QString &name, int depth, quint32 minTtl);
    void complete(const QString &name, const QList<QHostAddress> &addresses, quint32 ttl,
                  const QString &error);
    const ZoneServer *serverFor(const QString &name) const;

    DnsClient *m_client;
    QList<ZoneServer> m_servers;
    bool m_recursive;
    const QElapsedTimer *m_clock;
    QHash<QString, CacheEntry> m_cache;
    QHash<QString, QList<Callback>> m_waiting;
    quint64 m_queries = 0;
};

} // namespace headroom
