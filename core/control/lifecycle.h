#pragma once

#include "domain/lease.h"

#include <QString>
#include <optional>

namespace headroom {

// What the controller knows about a lease's site besides the lease itself.
struct LifecycleFacts
{
    bool provisioned = false;     // the site answers on at least one proxy of the pool
    bool cannotProvision = false; // the site can never be provisioned (bad spec, no slot)
    QString failure;              // why, when cannotProvision
};

struct LifecyclePolicy
{
    qint64 provisionLeadMs = 30000; // provisioning starts this long before a window opens
    qint64 drainMs = 10000;         // the longest TTL plus a poll: then nobody holds our answer
};

struct LifecycleStep
{
    LeaseState to = LeaseState::Scheduled;
    QString note;
    std::optional<qint64> drainUntilMs;
};

// The next transition of a lease at `nowMs`, or nullopt when it stays where it is. Pure: the
// controller applies the step (compare-and-set in the store) and asks again, so a lease whose
// transitions were missed while no controller ran catches up in one go:
//   scheduled    -> cancelled (operator) | ended (all windows passed unseen) |
//                   provisioning (lead time before its next window)
//   provisioning -> failed (cannot provision) | draining (cancelled or over) | active (provisioned)
//   active       -> draining (cancelled or over)
//   draining     -> cancelled | ended, once drainUntil has passed
std::optional<LifecycleStep> nextLifecycleStep(const Lease &lease, qint64 nowMs,
                                               const LifecycleFacts &facts,
                                               const LifecyclePolicy &policy);

} // namespace headroom
