#pragma once

#include <deque>
#include <utility>

namespace headroom {

// The control law of one site: what fraction of its DNS answers should name our proxies so that
// they carry the rate allocated to it. docs/CONTROL.md derives it and explains its tuning.
//
// Plant: carried = g x f_eff x demand, where f_eff follows the published fraction f with the lag
// of resolver caches (each resolver re-asks once per TTL) and g (about 1) is what the open-loop
// view cannot know: uneven clients per resolver, clients that ignore TTLs, a changing demand.
//
// Each poll:
//   1. f_model is the mean of the published f over the last TTL: resolvers refresh evenly over
//      the TTL, each keeping the answer it got then.
//   2. Feedback: predicted carried = f_model x demand; the prediction error corrects the demand
//      estimate:  demand += beta x (carried - predicted) / f_model   (only when f_model is large
//      enough to observe anything), with carried and f_model summed over the last two polls.
//   3. Open loop: f = allocated / demand, clamped to [0, 1]; rises are limited to x riseFactor per
//      poll (never from a guess), falls are immediate (overload protection).
// With beta in (0, 1] the estimate converges geometrically without changing sign: no overshoot
// from the estimator, no oscillation; constant errors in g are absorbed, so the delivered rate has
// no steady-state error.
class FractionController final
{
public:
    struct Params
    {
        double ttlSeconds = 5;       // the steering record's TTL
        double beta = 0.35;          // feedback gain on the demand estimate, (0, 1]
        double probeFraction = 0.05; // the first fraction, before any demand is known
        double riseFactor = 2.0;     // f may at most multiply by this per poll
        double minObservable = 0.01; // below this f_model, carried load says nothing of demand
    };

    FractionController();
    explicit FractionController(Params params);

    // One poll: `allocatedRps` is this site's share of headroom now, `carriedRps` what our proxies
    // served for it over the last `dtSeconds`. Returns the fraction to publish.
    double update(double allocatedRps, double carriedRps, double dtSeconds);
    // The lease went out of its window: publish 0 but keep the demand estimate for the next one.
    void idle(double dtSeconds);

    double fraction() const { return m_fraction; }
    double modelledFraction() const { return m_model; }
    double demandEstimate() const { return m_demand; }
    bool demandKnown() const { return m_demandKnown; }
    const Params &params() const { return m_params; }

private:
    void advanceModel(double dtSeconds);

    Params m_params;
    double m_fraction = 0;
    double m_model = 0;
    double m_demand = 0;
    bool m_demandKnown = false;
    double m_previousCarried = 0;
    double m_previousModel = -1; // -1: no previous poll in the measurement window
    std::deque<std::pair<double, double>> m_history; // (seconds, fraction published), last TTL
};

} // namespace headroom
