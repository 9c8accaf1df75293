#include "control/weightplan.h"

#include <algorithm>
#include <cmath>

namespace headroom {
namespace {

QString key(const SiteOrigin &o)
{
    return o.address.toString();
}

// The origins the overflow uses, with their relative weights; empty for DNS overflow.
QList<std::pair<QHostAddress, double>> overflowTargets(const Site &site, OverflowPolicy policy,
                                                       const QSet<QString> &unreachable)
{
    QList<std::pair<QHostAddress, double>> out;
    if (policy == OverflowPolicy::Dns)
        return out;
    QList<SiteOrigin> chosen;
    // Backups serve only when every primary is unreachable, whatever the algorithm.
    for (const SiteOrigin &o : site.origins) {
        if (!o.backup)
            chosen.append(o);
    }
    {
        const bool anyPrimaryUp = std::any_of(chosen.cbegin(), chosen.cend(), [&](const auto &o) {
            return !unreachable.contains(key(o));
        });
        if (!anyPrimaryUp) {
            QList<SiteOrigin> backups;
            for (const SiteOrigin &o : site.origins) {
                if (o.backup)
                    backups.append(o);
            }
            if (!backups.isEmpty())
                chosen = backups;
        }
    }
    for (const SiteOrigin &o : chosen) {
        // The same address twice (two ports) is one DNS answer.
        const auto same = std::find_if(out.begin(), out.end(),
                                       [&](const auto &t) { return t.first == o.address; });
        const double w = policy == OverflowPolicy::Weighted ? o.weight : 1;
        if (same != out.end())
            same->second += w;
        else
            out.append({o.address, w});
    }
    return out;
}

int scaled(double share)
{
    return int(std::lround(std::clamp(share, 0.0, 1.0) * WeightPlan::kTotalWeight));
}

bool fill(WeightTable &table, double fraction, const QList<ProxyShare> &proxies, const Site &site,
          OverflowPolicy policy, const QSet<QString> &unreachable, QString *error)
{
    if (policy == OverflowPolicy::Dns && site.originName.isEmpty()) {
        *error = QStringLiteral("site %1 has no origin name to send the overflow back to; give it "
                                "one or choose an assignment algorithm")
                     .arg(site.name);
        return false;
    }
    const bool names = policy == OverflowPolicy::Dns;
    double spare = 0;
    for (const ProxyShare &p : proxies)
        spare += std::max(0.0, p.headroomRps);
    const double toProxies = spare > 0 ? std::clamp(fraction, 0.0, 1.0) : 0;
    for (const ProxyShare &p : proxies) {
        const int w = spare > 0 ? scaled(toProxies * std::max(0.0, p.headroomRps) / spare) : 0;
        if (w == 0)
            continue;
        WeightedTarget t;
        t.address = p.address;
        if (names) {
            if (!p.dnsName) {
                *error = QStringLiteral("proxy %1 has no name in our zone, which a record "
                                        "answering names needs")
                             .arg(p.name);
                return false;
            }
            t.name = p.dnsName;
        }
        t.weight = std::min(w, 65535);
        table.proxies.append(t);
    }
    const double rest = 1 - toProxies;
    if (names) {
        table.overflowName = DnsName::parse(site.originName, error);
        if (!table.overflowName)
            return false;
        WeightedTarget t;
        t.name = table.overflowName;
        t.weight = scaled(rest);
        if (t.weight > 0)
            table.overflowServers.append(t);
    } else {
        const auto targets = overflowTargets(site, policy, unreachable);
        double sum = 0;
        for (const auto &t : targets)
            sum += t.second;
        for (const auto &t : targets) {
            WeightedTarget w;
            w.address = t.first;
            // Never 0: a zero weight would drop the server from the record altogether, and it is
            // also the answer after the deadline. At least 1 in kTotalWeight is negligible.
            w.weight = std::max(1, scaled(rest * t.second / sum));
            table.overflowServers.append(w);
        }
    }
    return true;
}

} // namespace

std::optional<WeightTable> WeightPlan::build(double fraction, const QList<ProxyShare> &proxies,
                                             const Site &site, OverflowPolicy policy,
                                             const QSet<QString> &unreachable, QString *error)
{
    WeightTable table;
    if (!fill(table, fraction, proxies, site, policy, unreachable, error))
        return std::nullopt;
    return table;
}

std::optional<WeightTable> WeightPlan::overflowOnly(const Site &site, OverflowPolicy policy,
                                                    const QSet<QString> &unreachable,
                                                    QString *error)
{
    return build(0, {}, site, policy, unreachable, error);
}

bool WeightPlan::sharesMoved(const QHash<QString, int> &before, const QHash<QString, int> &now,
                             double deadBand)
{
    double beforeTotal = 0;
    for (int w : before)
        beforeTotal += w;
    double nowTotal = 0;
    for (int w : now)
        nowTotal += w;
    const auto share = [](const QHash<QString, int> &weights, const QString &key, double total) {
        return total != 0 ? weights.value(key) / total : 0.0;
    };
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        if (std::abs(share(now, it.key(), nowTotal) - share(before, it.key(), beforeTotal)) >
            deadBand)
            return true;
    }
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (!now.contains(it.key()) && std::abs(share(before, it.key(), beforeTotal)) > deadBand)
            return true;
    }
    return false;
}

} // namespace headroom
