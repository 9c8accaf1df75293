#include "control/lifecycle.h"

namespace headroom {

std::optional<LifecycleStep> nextLifecycleStep(const Lease &lease, qint64 nowMs,
                                               const LifecycleFacts &facts,
                                               const LifecyclePolicy &policy)
{
    const bool over = nowMs >= lease.finalEndMs();
    const bool cancelled = lease.cancelledAtMs.has_value();
    const auto drain = [&](const QString &why) {
        return LifecycleStep{LeaseState::Draining, why, nowMs + policy.drainMs};
    };
    switch (lease.state) {
    case LeaseState::Scheduled: {
        if (cancelled)
            return LifecycleStep{LeaseState::Cancelled,
                                 QStringLiteral("cancelled before it "
                                                "started"),
                                 std::nullopt};
        if (over)
            return LifecycleStep{LeaseState::Ended,
                                 QStringLiteral("its windows passed while no controller ran"),
                                 std::nullopt};
        const auto window = lease.currentOrNextWindow(nowMs);
        if (window && nowMs >= window->startMs - policy.provisionLeadMs)
            return LifecycleStep{LeaseState::Provisioning,
                                 QStringLiteral("provisioning the site on the proxies"),
                                 std::nullopt};
        return std::nullopt;
    }
    case LeaseState::Provisioning:
        if (facts.cannotProvision)
            return LifecycleStep{LeaseState::Failed, facts.failure, std::nullopt};
        if (cancelled)
            return drain(QStringLiteral("cancelled: weights to zero, answers back to the "
                                        "purchaser"));
        if (over)
            return drain(QStringLiteral("ended before the site was provisioned"));
        if (facts.provisioned)
            return LifecycleStep{LeaseState::Active, QStringLiteral("site answers on the proxies"),
                                 std::nullopt};
        return std::nullopt;
    case LeaseState::Active:
        if (cancelled)
            return drain(QStringLiteral("cancelled: weights to zero, answers back to the "
                                        "purchaser"));
        if (over)
            return drain(QStringLiteral("window over: weights to zero, answers back to the "
                                        "purchaser"));
        return std::nullopt;
    case LeaseState::Draining:
        if (lease.drainUntilMs && nowMs < *lease.drainUntilMs)
            return std::nullopt;
        return LifecycleStep{cancelled ? LeaseState::Cancelled : LeaseState::Ended,
                             QStringLiteral("every cached answer has expired; site removed from "
                                            "the proxies"),
                             std::nullopt};
    case LeaseState::Ended:
    case LeaseState::Cancelled:
    case LeaseState::Failed:
        break;
    }
    return std::nullopt;
}

} // namespace headroom
