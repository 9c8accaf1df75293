#include "control/resolverpopulation.h"

#include <algorithm>
#include <cmath>

namespace headroom {

ResolverPopulation::ResolverPopulation(int resolvers, double ttlSeconds, double skew, quint32 seed)
    : m_ttl(std::max(0.01, ttlSeconds)), m_random(seed)
{
    const int n = std::max(1, resolvers);
    m_resolvers.resize(size_t(n));
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const double w = skew > 0 ? 1.0 / std::pow(double(i + 1), skew) : 1.0;
        m_resolvers[size_t(i)].weight = w;
        m_resolvers[size_t(i)].expiresAt = m_random.generateDouble() * m_ttl;
        sum += w;
    }
    for (Resolver &r : m_resolvers)
        r.weight /= sum;
}

double ResolverPopulation::share() const
{
    double s = 0;
    for (const Resolver &r : m_resolvers)
        s += r.ours ? r.weight : 0;
    return s;
}

double ResolverPopulation::step(double dtSeconds, double demandRps, double fraction)
{
    // Sub-steps of at most 50 ms, so that expiries inside the step are seen in order.
    const int parts = std::max(1, int(std::ceil(dtSeconds / 0.05)));
    const double dt = dtSeconds / parts;
    double carried = 0;
    for (int i = 0; i < parts; ++i) {
        m_now += dt;
        for (Resolver &r : m_resolvers) {
            if (m_now >= r.expiresAt) {
                r.ours = m_random.generateDouble() < fraction;
                r.expiresAt = m_now + m_ttl;
            }
        }
        carried += share() * demandRps;
    }
    return carried / parts;
}

} // namespace headroom
