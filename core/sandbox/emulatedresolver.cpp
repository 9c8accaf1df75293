#include "emulatedresolver.h"

#include "dns/dnsclient.h"

#include <algorithm>
#include <limits>

namespace headroom {

namespace {
constexpr int kMaxChain = 8;
constexpr int kQueryTimeoutMs = 2000;

QString absolute(QString name)
{
    name = name.toLower();
    if (!name.endsWith(QLatin1Char('.')))
        name.append(QLatin1Char('.'));
    return name;
}
} // namespace

EmulatedResolver::EmulatedResolver(DnsClient *client, QList<ZoneServer> servers, bool recursive,
                                   const QElapsedTimer *clock)
    : m_client(client), m_servers(std::move(servers)), m_recursive(recursive), m_clock(clock)
{
}

const ZoneServer *EmulatedResolver::serverFor(const QString &name) const
{
    const ZoneServer *best = nullptr;
    qsizetype bestLength = -1;
    for (const auto &s : m_servers) {
        const QString zone = absolute(s.zone);
        const bool match =
            zone == QLatin1String(".") || name == zone || name.endsWith(QLatin1Char('.') + zone);
        if (match && zone.size() > bestLength) {
            best = &s;
            bestLength = zone.size();
        }
    }
    return best;
}

void EmulatedResolver::resolve(const QString &rawName, Callback done)
{
    const QString name = absolute(rawName);
    const auto cached = m_cache.constFind(name);
    if (cached != m_cache.constEnd() && cached->expiresMs > m_clock->elapsed()) {
        done(cached->addresses, {});
        return;
    }
    auto &waiting = m_waiting[name];
    waiting.append(std::move(done));
    if (waiting.size() == 1)
        lookup(name, name, 0, std::numeric_limits<quint32>::max());
}

void EmulatedResolver::lookup(const QString &original, const QString &name, int depth,
                              quint32 minTtl)
{
    if (depth >= kMaxChain) {
        complete(original, {}, 0, QStringLiteral("dns-cname-loop"));
        return;
    }
    const ZoneServer *server = serverFor(name);
    if (!server) {
        complete(original, {}, 0, QStringLiteral("dns-no-server"));
        return;
    }
    ++m_queries;
    DnsQuestion q{name, quint16(RecordType::A), m_recursive};
    m_client->query(server->address, server->port, q, kQueryTimeoutMs, m_client,
                    [this, original, name, depth, minTtl](const DnsResponse &resp) {
                        if (!resp.answered) {
                            complete(original, {}, 0, QStringLiteral("dns-timeout"));
                            return;
                        }
                        if (resp.rcode != 0) {
                            complete(original, {}, 0,
                                     QStringLiteral("dns-") + rcodeName(resp.rcode));
                            return;
                        }
                        const quint32 ttl = std::min(minTtl, resp.minTtl());
                        const QList<QHostAddress> addresses = resp.addresses();
                        if (!addresses.isEmpty()) {
                            complete(original, addresses, ttl, {});
                            return;
                        }
                        // Follow the chain: the last CNAME target not answered in this message.
                        QString next;
                        for (const auto &r : resp.answer) {
                            if (r.type == quint16(RecordType::CNAME))
                                next = r.target;
                        }
                        if (next.isEmpty() || next == name) {
                            complete(original, {}, 0, QStringLiteral("dns-empty-answer"));
                            return;
                        }
                        lookup(original, next, depth + 1, ttl);
                    });
}

void EmulatedResolver::complete(const QString &name, const QList<QHostAddress> &addresses,
                                quint32 ttl, const QString &error)
{
    if (error.isEmpty())
        m_cache.insert(name, {addresses, m_clock->elapsed() + qint64(ttl) * 1000});
    const QList<Callback> waiting = m_waiting.take(name);
    for (const auto &cb : waiting)
        cb(addresses, error);
}

} // namespace headroom
