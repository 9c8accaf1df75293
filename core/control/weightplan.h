#pragma once

#include "dns/steeringrecord.h"
#include "domain/lease.h"
#include "domain/site.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QSet>
#include <QString>
#include <optional>

namespace headroom {

// A proxy that may take a share of a site's answers.
struct ProxyShare
{
    QString name;
    QHostAddress address;
    std::optional<DnsName> dnsName; // its name in our zone, for records that answer names
    double headroomRps = 0;
};

// Turns a fraction into the weights a site's steering record serves: `fraction` of the total
// split over the proxies by their headroom, the rest over the purchaser's overflow by `policy`:
// round robin (equal), weighted (origin weights), primary/backup (the primaries; the backups
// only when every primary is in `unreachable`), or DNS (a CNAME to the site's origin name).
// Weights are integers summing to about kTotalWeight, so a 0.01 % share is still expressible.
struct WeightPlan
{
    static constexpr int kTotalWeight = 10000;

    static std::optional<WeightTable> build(double fraction, const QList<ProxyShare> &proxies,
                                            const Site &site, OverflowPolicy policy,
                                            const QSet<QString> &unreachable, QString *error);
    // The overflow alone: what the name serves outside a lease window.
    static std::optional<WeightTable> overflowOnly(const Site &site, OverflowPolicy policy,
                                                   const QSet<QString> &unreachable,
                                                   QString *error);
    // The steering loop's dead band: true when some target's share of the total weight moved by
    // more than `deadBand` (0.02 = two points) from `before` to `now` (weights keyed by target).
    static bool sharesMoved(const QHash<QString, int> &before, const QHash<QString, int> &now,
                            double deadBand);
};

} // namespace headroom
