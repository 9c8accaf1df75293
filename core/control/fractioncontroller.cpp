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
    const double dt = std::isfinite(dtSeconds) ? std::max(0.0, dtSeconds) : 0;
    const double tau = m_params.ttlSeconds / 2;
    m_model += (m_fraction - m_model) * (1 - std::exp(-dt / tau));
}

double FractionController::update(double allocatedRps, double carriedRps, double dtSeconds)
{
    const double modelBefore = m_model;
    advanceModel(dtSeconds);
    // The carried rate is an average over the poll; so is the fraction that produced it.
    const double modelled = (modelBefore + m_model) / 2;
    const double carried = std::isfinite(carriedRps) ? std::max(0.0, carriedRps) : 0;
    if (modelled >= m_params.minObservable) {
        const double measured = carried / modelled;
        if (!m_demandKnown) {
            m_demand = measured;
            m_demandKnown = true;
        } else {
            m_demand += m_params.beta * (carried - modelled * m_demand) / modelled;
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
    advanceModel(dtSeconds);
}

} // namespace headroom
