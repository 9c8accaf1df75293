#pragma once

#include <QRandomGenerator>
#include <vector>

namespace headroom {

// A model of the plant the steering loop drives, for tests and the simulation benchmark: clients
// behind caching resolvers. Each resolver serves a share of the demand and re-asks our DNS when
// its cached answer expires (after the TTL); each answer names our proxies with probability f
// (the published fraction), else the purchaser. What our proxies carry is the demand of the
// resolvers whose cached answer names them.
class ResolverPopulation final
{
public:
    // `skew` 0 gives every resolver the same share; s > 0 a Zipf(s) spread (a few big ISPs, many
    // small ones). Cache expiries start spread over one TTL.
    ResolverPopulation(int resolvers, double ttlSeconds, double skew, quint32 seed);

    // Advances by dt seconds at demand `demandRps` with fraction `fraction` published; returns the
    // average rate our proxies carried over the step.
    double step(double dtSeconds, double demandRps, double fraction);
    // The share of demand cached on our proxies right now.
    double share() const;

private:
    struct Resolver
    {
        double weight = 0;
        double expiresAt = 0;
        bool ours = false;
    };
    std::vector<Resolver> m_resolvers;
    double m_ttl;
    double m_now = 0;
    QRandomGenerator m_random;
};

} // namespace headroom
