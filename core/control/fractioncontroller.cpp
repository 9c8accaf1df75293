#include "control/fractioncontroller.h"

#include <algorithm>
#include <cmath>

namespace headroom {

FractionController::FractionController() : FractionController(Params()) {}

FractionController::FractionController(Params params) : m_params(params)
{
    m_params.ttlSeconds = std::max(0.001, m_params.ttlSeconds);
    m_params.beta = std::clamp(m_params.beta, 0.01, 1.0);
    m_params.probeFraction = std::clamp(m_params.probeFraction, 0.001, 1.0);
    m_params.riseFactor = std::max(1.0, m_params.riseFactor);
    m_params.minObservable = std::clamp(m_params.minObservable, 1e-6, 1.0);
}

void FractionController::advanceModel(double dtSeconds)
{
    double dt = std::isfinite(dtSeconds) ? std::max(0.0, dtSeconds) : 0;
    // Each resolver holds the answer it got at its last refresh, and refreshes are spread evenly
    // over the TTL: the share holding "proxy" is the mean of the published fraction over the
    // last TTL. Time before anything was published counts as fraction 0.
    const double ttl = m_params.ttlSeconds;
    dt = std::min(dt, ttl);
    if (dt > 0)
        m_history.push_back({dt, m_fraction});
    double span = 0;
    for (const auto &segment : m_history)
        span += segment.first;
    while (span > ttl && !m_history.empty()) {
        const double excess = span - ttl;
        if (m_history.front().first <= excess) {
            span -= m_history.front().first;
            m_history.pop_front();
        } else {
            m_history.front().first -= excess;
            span = ttl;
        }
    }
    double weighted = 0;
    for (const auto &segment : m_history)
        weighted += segment.first * segment.second;
    m_model = weighted / ttl;
}

double FractionController::update(double allocatedRps, double carriedRps, double dtSeconds)
{
    const double modelBefore = m_model;
    advanceModel(dtSeconds);
    // The carried rate is an average over the poll; so is the fraction that produced it.
    const double modelled = (modelBefore + m_model) / 2;
    const double carried = std::isfinite(carriedRps) ? std::max(0.0, carriedRps) : 0;
    // The measurement is taken over the last two polls: one second of counts is noisy (a poll
    // that arrives late or early shifts counts between neighbours), two halve that for half a
    // poll of lag. Model and measurement cover the same two polls.
    const bool pair = m_previousModel >= 0;
    const double windowCarried = carried + (pair ? m_previousCarried : 0);
    const double windowModel = modelled + (pair ? m_previousModel : 0);
    m_previousCarried = carried;
    m_previousModel = modelled;
    if (windowModel >= m_params.minObservable * (pair ? 2 : 1)) {
        if (!m_demandKnown) {
            // Nothing carried at the probe says nothing of demand (few resolvers have asked
            // yet). Taken as a demand of 0 it would hold a best-effort lease at 0 for good: its
            // allocation is capped by the estimate, so nothing would ever be answered or seen.
            if (windowCarried > 0) {
                m_demand = windowCarried / windowModel;
                m_demandKnown = true;
            }
        } else {
            m_demand += m_params.beta * (windowCarried - windowModel * m_demand) / windowModel;
        }
        m_demand = std::max(0.0, m_demand);
    }

    const double allocated = std::isfinite(allocatedRps) ? std::max(0.0, allocatedRps) : 0;
    double target = 0;
    if (allocated <= 0)
        target = 0;
    else if (!m_demandKnown)
        target = m_params.probeFraction;
    else if (m_demand <= allocated)
        target = 1;
    else
        target = allocated / m_demand;

    if (target > m_fraction) {
        const double ceiling =
            std::max(m_params.probeFraction, std::max(m_fraction, m_model) * m_params.riseFactor);
        m_fraction = std::min(target, ceiling);
    } else {
        m_fraction = target;
    }
    return m_fraction;
}

void FractionController::idle(double dtSeconds)
{
    m_fraction = 0;
    m_previousModel = -1;
    advanceModel(dtSeconds);
}

} // namespace headroom
