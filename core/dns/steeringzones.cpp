#include "steeringzones.h"

namespace headroom {

namespace {
// FNV-1a: stable across runs, platforms and Qt versions (qHash is seeded per process).
quint32 fnv1a(const QByteArray &bytes)
{
    quint32 h = 2166136261u;
    for (const char c : bytes) {
        h ^= quint8(c);
        h *= 16777619u;
    }
    return h;
}
} // namespace

SteeringZones::SteeringZones(DnsName parent, int shardCount) : m_parent(std::move(parent))
{
    for (int i = 0; i < shardCount; ++i) {
        if (auto shard = DnsName::parse(shardLabel(i) + QLatin1Char('.') + m_parent.relative()))
            m_shards.append(*shard);
    }
}

QList<DnsName> SteeringZones::all() const
{
    QList<DnsName> out{m_parent};
    out += m_shards;
    return out;
}

std::optional<DnsName> SteeringZones::ownerFor(const QString &label, QString *error) const
{
    if (label.contains(QLatin1Char('.')) || !DnsName::parse(label, error)) {
        if (error && error->isEmpty())
            *error = QStringLiteral("'%1' is not a single DNS label").arg(label);
        return std::nullopt;
    }
    const QString lower = label.toLower();
    const QString zone =
        m_shards.isEmpty()
            ? m_parent.relative()
            : m_shards.at(int(fnv1a(lower.toLatin1()) % quint32(m_shards.size()))).relative();
    return DnsName::parse(lower + QLatin1Char('.') + zone, error);
}

DnsName SteeringZones::zoneOf(const DnsName &owner) const
{
    for (const DnsName &shard : m_shards) {
        if (owner.isSubdomainOf(shard))
            return shard;
    }
    return m_parent;
}

} // namespace headroom
