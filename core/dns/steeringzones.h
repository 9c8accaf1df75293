#pragma once

#include "dnsname.h"

#include <QList>

namespace headroom {

// Where steering names live. PowerDNS (4.7) scans the whole zone for every name an UPDATE deletes
// from (its empty-non-terminal check), so a change costs time in proportion to the zone's size
// (docs/BENCHMARKS.md). Steering names are therefore spread over child zones ("shards") of the
// parent zone - s00.edge.headroom.test, s01... - each a few hundred names at most; a site's shard
// is a stable hash of its label. Names directly in the parent (the proxies', ns1) stay there.
class SteeringZones final
{
public:
    SteeringZones() = default;
    SteeringZones(DnsName parent, int shardCount);

    const DnsName &parent() const { return m_parent; }
    const QList<DnsName> &shards() const { return m_shards; }
    // Parent first, then every shard: what a full read-back transfers.
    QList<DnsName> all() const;

    // The steering name of a site: "shop" -> shop.s07.edge.headroom.test (the parent itself when
    // there are no shards). `label` must be one valid DNS label.
    std::optional<DnsName> ownerFor(const QString &label, QString *error = nullptr) const;
    // The zone that holds `owner`: the most specific of the shards and the parent.
    DnsName zoneOf(const DnsName &owner) const;

    static QString shardLabel(int index)
    {
        return QStringLiteral("s%1").arg(index, 2, 10, QLatin1Char('0'));
    }

private:
    DnsName m_parent;
    QList<DnsName> m_shards;
};

} // namespace headroom
