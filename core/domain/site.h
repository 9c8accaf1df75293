#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace headroom {

// How the purchaser spreads the traffic we do not carry over their own servers (seed 300-302).
enum class Assignment
{
    None,         // no algorithm given: the rest goes back to their DNS (CNAME to origin name)
    RoundRobin,   // equal share to every primary origin
    Weighted,     // share by each origin's weight
    PrimaryBackup // the primaries; the backups only when no primary is reachable
};

QString assignmentName(Assignment a); // "none", "rr", "weighted", "primary-backup"
std::optional<Assignment> assignmentFromName(const QString &name);

struct SiteOrigin
{
    QHostAddress address;
    quint16 port = 0;
    int weight = 1; // 1..256
    bool backup = false;
};

// A purchaser's site: the name we take over, the Host names clients send, and the origin servers
// behind it. `label` names its steering record (label.sNN.<our zone>); `slot` is the proxies'
// backend it is provisioned into, -1 until it has one.
struct Site
{
    qint64 id = 0;
    QString name;
    QString label;
    std::optional<qint64> purchaserId;
    QStringList hosts;
    QList<SiteOrigin> origins;
    QString originName; // the purchaser's own name for their origins (DNS overflow)
    Assignment assignment = Assignment::None;
    int slot = -1;
};

} // namespace headroom
