// bench_steering_sim: a simulated day of the steering loop, no servers.
//
// A pool of N proxies carries a diurnal base load. Its spare capacity is forecast (p10 by hour,
// core/fleet/forecast.h, from simulated past days) and sold as L leases (firm and best-effort,
// windows stacked so that the rate sold each hour is that hour's forecast). Each lease's site
// has its own demand and its own clients behind caching resolvers (ResolverPopulation). Every
// poll runs the steering loop's own arithmetic: headroom per proxy (ProxyCapacity), allocate(),
// one FractionController per site, WeightPlan::build() and the dead band
// (WeightPlan::sharesMoved), as Controller::steer() does, minus the database and DNS.
// Compared with the baseline of the same network with nothing sold. Figures and commands:
// docs/BENCHMARKS.md.

#include "benchsupport.h"
#include "control/allocator.h"
#include "control/fractioncontroller.h"
#include "control/resolverpopulation.h"
#include "control/weightplan.h"
#include "fleet/forecast.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace headroom {
namespace {

using bench::err;
using bench::fixed;
using bench::out;
using bench::percent;

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = qsizetype(std::ceil(p / 100.0 * double(values.size())));
    return values[size_t(std::clamp<qsizetype>(rank - 1, 0, qsizetype(values.size()) - 1))];
}

struct SimOptions
{
    int proxies = 20;
    int leases = 50;
    int resolvers = 1000; // in total, over all sites
    double hours = 24;
    int pollMs = 1000;
    quint32 seed = 1;
    double ttlSeconds = 20;
    double skew = 1.0; // Zipf exponent of the clients over a site's resolvers
    double capacityRps = 1000;
    double targetUtilisation = 0.8;
    double deadBand = 0.02; // ControllerConfig's default
    int pastDays = 14;      // history the forecast is made from
};

// A mean-reverting random factor (Ornstein-Uhlenbeck, exact discretisation): slow noise.
class SlowNoise
{
public:
    SlowNoise(double sd, double tauSeconds) : m_sd(sd), m_tau(tauSeconds) {}
    double next(double dtSeconds, std::mt19937_64 &rng)
    {
        const double a = std::exp(-dtSeconds / m_tau);
        m_x = m_x * a + m_sd * std::sqrt(1 - a * a) * m_normal(rng);
        return m_x;
    }
    void reset(std::mt19937_64 &rng) { m_x = m_sd * m_normal(rng); }

private:
    double m_sd;
    double m_tau;
    double m_x = 0;
    std::normal_distribution<double> m_normal;
};

// The subscribers' load on each proxy: a daily cycle (its own peak level, trough level and peak
// hour per proxy, fixed for the network) times noise: a factor per day, slow noise shared by the
// network and per proxy, and per-poll jitter. Peaks sit at 80-90 % of the target utilisation:
// a network sized for its peak.
class BaseLoad
{
public:
    BaseLoad(const SimOptions &o, quint32 networkSeed) : m_options(o), m_network(0.03, 1800)
    {
        std::mt19937_64 rng(networkSeed);
        std::uniform_real_distribution<double> peak(0.80, 0.90);
        std::uniform_real_distribution<double> trough(0.20, 0.35);
        std::normal_distribution<double> hour(14.0, 0.75);
        for (int p = 0; p < o.proxies; ++p) {
            Proxy x;
            x.peakRps = peak(rng) * o.targetUtilisation * o.capacityRps;
            x.troughRps = trough(rng) * o.targetUtilisation * o.capacityRps;
            x.peakHour = hour(rng);
            m_proxies.push_back(x);
        }
    }

    void startDay(quint32 daySeed)
    {
        m_rng.seed(daySeed);
        std::normal_distribution<double> dayFactor(1.0, 0.03);
        std::normal_distribution<double> proxyDay(1.0, 0.02);
        m_dayFactor = dayFactor(m_rng);
        m_network.reset(m_rng);
        for (Proxy &p : m_proxies) {
            p.dayFactor = proxyDay(m_rng);
            p.noise.reset(m_rng);
        }
    }

    // Advances every proxy by dt and returns their mean rates over it (at the step's middle).
    // `jitterSd` is the per-sample white noise (smaller for samples that average many polls).
    const std::vector<double> &step(double tSeconds, double dtSeconds, double jitterSd)
    {
        m_rates.resize(m_proxies.size());
        const double shared = m_network.next(dtSeconds, m_rng);
        std::normal_distribution<double> jitter(0.0, jitterSd);
        for (size_t i = 0; i < m_proxies.size(); ++i) {
            Proxy &p = m_proxies[i];
            const double hours = (tSeconds + dtSeconds / 2) / 3600.0;
            const double phase = 2 * std::numbers::pi * (hours - p.peakHour) / 24.0;
            const double shape = 0.5 + 0.5 * std::cos(phase); // 1 at the peak hour
            const double level = p.troughRps + (p.peakRps - p.troughRps) * shape;
            const double factor = m_dayFactor * p.dayFactor *
                                  (1 + shared + p.noise.next(dtSeconds, m_rng) + jitter(m_rng));
            m_rates[i] = std::max(0.0, level * factor);
        }
        return m_rates;
    }

private:
    struct Proxy
    {
        double peakRps = 0;
        double troughRps = 0;
        double peakHour = 14;
        double dayFactor = 1;
        SlowNoise noise{0.04, 900};
    };
    SimOptions m_options;
    std::vector<Proxy> m_proxies;
    SlowNoise m_network;
    double m_dayFactor = 1;
    std::mt19937_64 m_rng;
    std::vector<double> m_rates;
};

double poolHeadroom(const std::vector<double> &baseRps, const SimOptions &o)
{
    double h = 0;
    for (double b : baseRps)
        h += std::max(0.0, o.targetUtilisation * o.capacityRps - b);
    return h;
}

// The forecast: p10 of the pool's headroom in each hour of the day over `pastDays` simulated
// days, through the product's estimator (each past day is put on a Monday of its own week).
QList<double> forecastByHour(BaseLoad &model, const SimOptions &o, std::mt19937_64 &seeds)
{
    // 2024-01-01 was a Monday.
    const qint64 monday = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    const double pollSeconds = o.pollMs / 1000.0;
    QList<std::pair<qint64, double>> series;
    for (int day = 0; day < o.pastDays; ++day) {
        model.startDay(quint32(seeds()));
        for (int minute = 0; minute < 24 * 60; ++minute) {
            // A minute's mean: per-poll jitter of 2 % averaged over the polls in it.
            const auto &base =
                model.step(minute * 60.0, 60.0, 0.02 * std::sqrt(pollSeconds / 60.0));
            series.append({monday + qint64(day) * 7 * 86400000 + qint64(minute) * 60000,
                           poolHeadroom(base, o)});
        }
    }
    const QList<HourOfWeekEstimate> estimates = estimateByHourOfWeek(series);
    QList<double> byHour;
    for (int h = 0; h < 24; ++h)
        byHour.append(std::floor(estimates[h].p10Headroom));
    return byHour;
}

struct SimLease
{
    qint64 id = 0;
    LeaseKind kind = LeaseKind::Firm;
    double rateRps = 0;
    int startHour = 0; // window [start, start + hours) on the circle of the day
    int hours = 0;

    bool inWindow(double tSeconds) const
    {
        const int hourOfDay = int(std::floor(tSeconds / 3600.0)) % 24;
        return ((hourOfDay - startHour + 24) % 24) < hours;
    }
};

// Sells the forecast: horizontal bands of the hourly forecast curve, each band over the runs of
// consecutive hours where the forecast reaches it (the top bands are short windows in the
// trough), so that the rate sold in each hour equals that hour's forecast. Then the windows are
// split (largest sales first) or the bands made coarser until there are exactly `count` leases.
// Every third lease is best-effort, the rest firm; ids go from the bottom band up, so the firm
// bottom of the curve is served first.
QList<SimLease> sellForecast(const QList<double> &forecast, int count)
{
    QList<double> levels;
    for (double f : forecast) {
        if (f > 0 && !levels.contains(f))
            levels.append(f);
    }
    std::sort(levels.begin(), levels.end());
    QList<SimLease> leases;
    for (qsizetype keep = levels.size(); keep >= 1; --keep) {
        // `keep` levels spread over the sorted distinct values (all of them at first).
        QList<double> used;
        for (qsizetype i = 0; i < keep; ++i)
            used.append(levels[(i + 1) * levels.size() / keep - 1]);
        leases.clear();
        double below = 0;
        for (double level : used) {
            QList<bool> on;
            for (double f : forecast)
                on.append(f >= level);
            // Runs of hours on the circle.
            const qsizetype firstOff = on.indexOf(false);
            if (firstOff < 0) {
                leases.append({0, LeaseKind::Firm, level - below, 0, 24});
            } else {
                for (int k = 1; k <= 24; ++k) {
                    const int h = int((firstOff + k) % 24);
                    const int prev = (h + 23) % 24;
                    if (on[h] && !on[prev]) {
                        int len = 0;
                        while (len < 24 && on[(h + len) % 24])
                            ++len;
                        leases.append({0, LeaseKind::Firm, level - below, h, len});
                    }
                }
            }
            below = level;
        }
        if (leases.size() <= count)
            break;
    }
    while (leases.size() < count) {
        const auto biggest = std::max_element(leases.begin(), leases.end(),
                                              [](const SimLease &a, const SimLease &b) {
                                                  return a.rateRps * a.hours < b.rateRps * b.hours;
                                              });
        if (biggest->rateRps < 2)
            break;
        SimLease half = *biggest;
        half.rateRps = std::floor(biggest->rateRps / 2);
        biggest->rateRps -= half.rateRps;
        leases.insert(biggest - leases.begin() + 1, half);
    }
    for (qsizetype i = 0; i < leases.size(); ++i) {
        leases[i].id = i + 1;
        leases[i].kind = i % 3 == 2 ? LeaseKind::BestEffort : LeaseKind::Firm;
    }
    return leases;
}

// One purchaser site: its lease, its clients and the controller's state for it.
struct SimSite
{
    SimLease lease;
    Site site;
    double meanDemandRps = 0;
    SlowNoise demandNoise{0.05, 600};
    std::unique_ptr<ResolverPopulation> clients;
    FractionController law;
    // What the resolvers are given: the published share of answers naming our proxies and,
    // among those, each proxy's share.
    double publishedFraction = 0;
    std::vector<double> publishedMix;
    QHash<QString, int> publishedWeights;
    bool published = false;
    bool overflowOnly = true;
    double steeringSince = 0; // start of the poll the current window began steering in
    double hourCarried = 0;   // requests carried in the window this clock hour
    double hourInWindow = 0;  // seconds of the window in this clock hour
    double deliveredReqH = 0; // over the day, at most the rate per hour
    double soldReqH = 0;
    // Answers handed out over the last TTL (one entry per poll): fraction x mix, fraction.
    std::vector<std::vector<double>> recentMix;
    std::vector<double> recentFraction;
    size_t recentNext = 0;
};

struct Totals
{
    double forecastReqH = 0;
    double soldReqH = 0;
    double realisedHeadroomReqH = 0; // what the day really left free (the oracle)
    double bestPossibleReqH = 0;     // min(realised headroom, sold) each poll
    double allocatedReqH = 0;
    // Carried for each lease in its window, at most its rate over each clock hour (as a bill
    // would count it); the same capped poll by poll (stricter); and not capped at all.
    double deliveredReqH = 0;
    double deliveredPerPollReqH = 0;
    double carriedInWindowReqH = 0;
    double carriedOutsideReqH = 0; // from cached answers after a window ended
    double firmShortReqH = 0;
    double bestEffortShortReqH = 0;
    qint64 bestEffortStarvedPolls = 0; // a best-effort lease in its window allocated nothing
    qint64 starvedByZeroEstimate = 0;  // ... because its site's demand estimate is a known 0
    double utilisationSum = 0;
    double baseUtilisationSum = 0;
    qint64 proxyPolls = 0;
    qint64 proxyPollsOverCapacity = 0;
    qint64 proxyPollsOverTarget = 0;
    qint64 proxyMinutes = 0;
    qint64 minutesOverCapacity = 0;
    qint64 minutesOverTarget = 0;
    qint64 minutesOverTarget5 = 0; // more than 5 % above the target
    qint64 baseMinutesOverCapacity = 0;
    qint64 baseMinutesOverTarget = 0;
    double worstMinuteUtilisation = 0;
    double baseWorstMinuteUtilisation = 0;
    double worstPollUtilisation = 0;
    std::vector<double> trackingError;        // |carried - allocated| / allocated per site-poll
    std::vector<double> trackingErrorSettled; // the same, from 3 TTLs into each window
    qint64 publishes = 0;
    qint64 steeringPolls = 0;
};

int run(const SimOptions &o)
{
    QElapsedTimer wall;
    wall.start();
    std::mt19937_64 seeds(o.seed);
    BaseLoad model(o, quint32(seeds()));
    const QList<double> forecast = forecastByHour(model, o, seeds);
    const QList<SimLease> leases = sellForecast(forecast, o.leases);
    const double dt = o.pollMs / 1000.0;
    const qint64 polls = qint64(std::llround(o.hours * 3600.0 / dt));
    const double simSeconds = double(polls) * dt;

    out() << "bench_steering_sim: " << o.proxies << " proxies x " << o.capacityRps
          << " req/s (target " << percent(o.targetUtilisation, 0) << "), " << leases.size()
          << " leases, " << o.resolvers << " resolvers (Zipf " << o.skew << "), TTL "
          << o.ttlSeconds << " s, poll " << o.pollMs << " ms, " << o.hours << " h, seed " << o.seed
          << Qt::endl;
    out() << "forecast (p10 of " << o.pastDays << " past days, req/s by hour):";
    for (double f : forecast)
        out() << " " << f;
    out() << Qt::endl;

    // Sites: demand 1.5-3x the rate; resolvers in proportion to demand (at least one each).
    std::mt19937_64 rng(seeds());
    std::uniform_real_distribution<double> demandFactor(1.5, 3.0);
    std::vector<SimSite> sites(size_t(leases.size()));
    double demandSum = 0;
    for (qsizetype i = 0; i < leases.size(); ++i) {
        SimSite &s = sites[size_t(i)];
        s.lease = leases[i];
        s.meanDemandRps = leases[i].rateRps * demandFactor(rng);
        demandSum += s.meanDemandRps;
    }
    FractionController::Params law;
    law.ttlSeconds = o.ttlSeconds;
    const size_t recentLength = size_t(std::max(1.0, std::round(o.ttlSeconds / dt)));
    int resolversGiven = 0;
    for (size_t i = 0; i < sites.size(); ++i) {
        SimSite &s = sites[i];
        const int n = std::max(1, int(std::lround(o.resolvers * s.meanDemandRps / demandSum)));
        resolversGiven += n;
        s.clients = std::make_unique<ResolverPopulation>(n, o.ttlSeconds, o.skew, quint32(seeds()));
        s.law = FractionController(law);
        s.demandNoise.reset(rng);
        s.site.name = QStringLiteral("site%1.example").arg(i + 1);
        s.site.origins.append({QHostAddress(QStringLiteral("192.0.2.1")), 80, 1, false});
        s.publishedMix.assign(size_t(o.proxies), 0);
        s.recentMix.assign(recentLength, std::vector<double>(size_t(o.proxies), 0));
        s.recentFraction.assign(recentLength, 0);
    }
    out() << "sold: " << leases.size() << " leases ("
          << std::count_if(leases.cbegin(), leases.cend(),
                           [](const SimLease &l) { return l.kind == LeaseKind::Firm; })
          << " firm), windows of 1-24 h; " << resolversGiven << " resolvers over " << sites.size()
          << " sites; site demand 1.5-3x its rate" << Qt::endl;

    // The proxies as the steering loop sees them.
    QList<ProxyCapacity> proxies;
    QStringList proxyKeys;
    for (int p = 0; p < o.proxies; ++p) {
        ProxyCapacity c;
        c.name = QStringLiteral("proxy%1").arg(p + 1);
        c.address = QHostAddress(quint32(0x0A000001 + p)); // 10.0.0.1...
        c.capacityRps = o.capacityRps;
        c.up = true;
        proxies.append(c);
        proxyKeys.append(c.address.toString());
    }
    const QString overflowKey = QHostAddress(QStringLiteral("192.0.2.1")).toString();

    Totals t;
    for (double f : forecast)
        t.forecastReqH += f;
    if (o.hours < 24) {
        t.forecastReqH = 0;
        for (int h = 0; h < int(std::ceil(o.hours)); ++h)
            t.forecastReqH += forecast[h % 24] * std::min(1.0, o.hours - h);
    }
    std::vector<double> purchaser(size_t(o.proxies), 0);
    std::vector<double> minuteLoad(size_t(o.proxies), 0);
    std::vector<double> minuteBase(size_t(o.proxies), 0);
    std::vector<double> carried(sites.size(), 0);
    std::vector<double> allocated(sites.size(), 0);
    const qint64 pollsPerMinute = std::max<qint64>(1, qint64(std::llround(60.0 / dt)));
    double firstMinuteSeconds = 0;

    model.startDay(quint32(seeds()));
    for (qint64 poll = 0; poll < polls; ++poll) {
        const double now = double(poll) * dt; // start of this poll
        const std::vector<double> &base = model.step(now, dt, 0.02);

        // The clients: each site's resolvers, asking with the fraction published last poll.
        std::fill(purchaser.begin(), purchaser.end(), 0);
        for (size_t i = 0; i < sites.size(); ++i) {
            SimSite &s = sites[i];
            const double demand = s.meanDemandRps * std::max(0.0, 1 + s.demandNoise.next(dt, rng));
            s.recentFraction[s.recentNext] = s.publishedFraction;
            for (int p = 0; p < o.proxies; ++p)
                s.recentMix[s.recentNext][size_t(p)] =
                    s.publishedFraction * s.publishedMix[size_t(p)];
            s.recentNext = (s.recentNext + 1) % recentLength;
            const bool inWindow = s.lease.inWindow(now);
            if (!inWindow && s.publishedFraction == 0 && s.clients->share() == 0) {
                carried[i] = 0; // nothing cached that names us: nothing to step
                continue;
            }
            carried[i] = s.clients->step(dt, demand, s.publishedFraction);
            // Over our proxies as the answers cached now were handed out (the last TTL).
            double fractionSum = 0;
            for (double f : s.recentFraction)
                fractionSum += f;
            for (int p = 0; p < o.proxies && fractionSum > 0; ++p) {
                double mix = 0;
                for (const auto &m : s.recentMix)
                    mix += m[size_t(p)];
                purchaser[size_t(p)] += carried[i] * mix / fractionSum;
            }
            if (inWindow) {
                t.carriedInWindowReqH += carried[i] * dt / 3600;
                t.deliveredPerPollReqH += std::min(carried[i], s.lease.rateRps) * dt / 3600;
                s.hourCarried += carried[i] * dt;
                s.hourInWindow += dt;
            } else {
                t.carriedOutsideReqH += carried[i] * dt / 3600;
            }
        }

        // Each clock hour: what each lease delivered, at most its rate.
        if (std::fmod(now + dt + 1e-6, 3600.0) < dt || poll + 1 == polls) {
            for (SimSite &s : sites) {
                const double delivered =
                    std::min(s.hourCarried, s.lease.rateRps * s.hourInWindow) / 3600;
                t.deliveredReqH += delivered;
                s.deliveredReqH += delivered;
                s.soldReqH += s.lease.rateRps * s.hourInWindow / 3600;
                s.hourCarried = 0;
                s.hourInWindow = 0;
            }
        }

        // What the proxies carried: against capacity and target, per poll and per minute.
        for (int p = 0; p < o.proxies; ++p) {
            const double total = base[size_t(p)] + purchaser[size_t(p)];
            const double u = total / o.capacityRps;
            t.utilisationSum += u;
            t.baseUtilisationSum += base[size_t(p)] / o.capacityRps;
            ++t.proxyPolls;
            t.proxyPollsOverCapacity += u > 1 ? 1 : 0;
            t.proxyPollsOverTarget += u > o.targetUtilisation ? 1 : 0;
            t.worstPollUtilisation = std::max(t.worstPollUtilisation, u);
            minuteLoad[size_t(p)] += total;
            minuteBase[size_t(p)] += base[size_t(p)];
        }
        firstMinuteSeconds += dt;
        if ((poll + 1) % pollsPerMinute == 0 || poll + 1 == polls) {
            const double n = firstMinuteSeconds / dt;
            for (int p = 0; p < o.proxies; ++p) {
                const double u = minuteLoad[size_t(p)] / n / o.capacityRps;
                const double ub = minuteBase[size_t(p)] / n / o.capacityRps;
                ++t.proxyMinutes;
                t.minutesOverCapacity += u > 1 ? 1 : 0;
                t.minutesOverTarget += u > o.targetUtilisation ? 1 : 0;
                t.minutesOverTarget5 += u > o.targetUtilisation * 1.05 ? 1 : 0;
                t.baseMinutesOverCapacity += ub > 1 ? 1 : 0;
                t.baseMinutesOverTarget += ub > o.targetUtilisation ? 1 : 0;
                t.worstMinuteUtilisation = std::max(t.worstMinuteUtilisation, u);
                t.baseWorstMinuteUtilisation = std::max(t.baseWorstMinuteUtilisation, ub);
                minuteLoad[size_t(p)] = 0;
                minuteBase[size_t(p)] = 0;
            }
            firstMinuteSeconds = 0;
        }

        // The steering loop at the end of the poll, on what the poll measured (Controller::steer).
        const double pollEnd = now + dt;
        double headroom = 0;
        for (int p = 0; p < o.proxies; ++p) {
            proxies[p].totalRps = base[size_t(p)] + purchaser[size_t(p)];
            proxies[p].purchaserRps = purchaser[size_t(p)];
            headroom += proxies[p].headroomRps(o.targetUtilisation);
        }
        QList<LeaseAsk> asks;
        QList<size_t> askSite;
        double soldNow = 0; // in this poll, for the totals
        for (size_t i = 0; i < sites.size(); ++i) {
            const SimSite &s = sites[i];
            allocated[i] = 0;
            soldNow += s.lease.inWindow(now) ? s.lease.rateRps : 0;
            if (!s.lease.inWindow(pollEnd))
                continue;
            asks.append({s.lease.id, s.lease.kind, s.lease.rateRps, s.law.demandEstimate(),
                         s.law.demandKnown()});
            askSite.append(i);
        }
        const QList<LeaseGrant> grants = allocate(headroom, asks);
        for (qsizetype k = 0; k < grants.size(); ++k) {
            allocated[askSite[k]] = grants[k].allocatedRps;
            if (asks[k].kind == LeaseKind::Firm)
                t.firmShortReqH += (asks[k].rateRps - grants[k].allocatedRps) * dt / 3600;
            else
                t.bestEffortShortReqH += (asks[k].rateRps - grants[k].allocatedRps) * dt / 3600;
            if (asks[k].kind == LeaseKind::BestEffort && grants[k].allocatedRps <= 0) {
                ++t.bestEffortStarvedPolls;
                if (asks[k].demandKnown && asks[k].demandRps <= 0)
                    ++t.starvedByZeroEstimate;
            }
            t.allocatedReqH += grants[k].allocatedRps * dt / 3600;
        }
        // The oracle: what this poll's true headroom allowed of what was sold.
        t.soldReqH += soldNow * dt / 3600;
        const double trueHeadroom = poolHeadroom(base, o);
        t.realisedHeadroomReqH += trueHeadroom * dt / 3600;
        t.bestPossibleReqH += std::min(trueHeadroom, soldNow) * dt / 3600;

        QList<ProxyShare> shares;
        for (const ProxyCapacity &c : proxies)
            shares.append({c.name, c.address, std::nullopt, c.headroomRps(o.targetUtilisation)});
        for (size_t i = 0; i < sites.size(); ++i) {
            SimSite &s = sites[i];
            const bool steering = s.lease.inWindow(pollEnd);
            if (!steering) {
                s.law.idle(dt);
                if (!s.overflowOnly || !s.published) {
                    s.publishedFraction = 0;
                    s.publishedWeights.clear();
                    s.overflowOnly = true;
                    s.published = true;
                    ++t.publishes;
                }
                continue;
            }
            ++t.steeringPolls;
            if (s.overflowOnly)
                s.steeringSince = now;
            if (allocated[i] > 0 && s.lease.inWindow(now)) {
                const double e = std::abs(carried[i] - allocated[i]) / allocated[i];
                t.trackingError.push_back(e);
                if (pollEnd - s.steeringSince > 3 * o.ttlSeconds)
                    t.trackingErrorSettled.push_back(e);
            }
            const double fraction = s.law.update(allocated[i], carried[i], dt);
            QString error;
            const auto table =
                WeightPlan::build(fraction, shares, s.site, OverflowPolicy::RoundRobin, {}, &error);
            if (!table) {
                err() << "bench_steering_sim: no weights: " << error << Qt::endl;
                return 1;
            }
            QHash<QString, int> weights;
            double toProxies = 0;
            double total = 0;
            std::vector<double> mix(size_t(o.proxies), 0);
            qsizetype next = 0; // table->proxies are the shares' order, zero weights left out
            for (const WeightedTarget &w : table->proxies) {
                while (next < proxies.size() && proxies[next].address != w.address)
                    ++next;
                weights.insert(proxyKeys[next], w.weight);
                mix[size_t(next)] = w.weight;
                toProxies += w.weight;
                total += w.weight;
            }
            for (const WeightedTarget &w : table->overflowServers) {
                weights[overflowKey] += w.weight;
                total += w.weight;
            }
            const bool publish = !s.published || s.overflowOnly ||
                                 WeightPlan::sharesMoved(s.publishedWeights, weights, o.deadBand);
            if (!publish)
                continue;
            ++t.publishes;
            s.published = true;
            s.overflowOnly = false;
            s.publishedWeights = weights;
            s.publishedFraction = total > 0 ? toProxies / total : 0;
            for (int p = 0; p < o.proxies; ++p)
                s.publishedMix[size_t(p)] = toProxies > 0 ? mix[size_t(p)] / toProxies : 0;
        }
    }

    const double meanUtilisation = t.utilisationSum / double(t.proxyPolls);
    const double baseUtilisation = t.baseUtilisationSum / double(t.proxyPolls);
    const double deliveredOfForecast = t.deliveredReqH / t.forecastReqH;
    const double overCapacityShare = double(t.minutesOverCapacity) / double(t.proxyMinutes);

    out() << Qt::endl;
    out() << "                                     baseline (nothing sold)   with the leases"
          << Qt::endl;
    const auto row = [](const QString &label, const QString &baseline, const QString &sold) {
        out() << label.leftJustified(37) << baseline.leftJustified(26) << sold << Qt::endl;
    };
    const auto reqH = [](double v) { return QStringLiteral("%1 req.h").arg(fixed(v, 0)); };
    row(QStringLiteral("forecast headroom (p10)"), reqH(t.forecastReqH), reqH(t.forecastReqH));
    row(QStringLiteral("realised headroom (the day's truth)"), reqH(t.realisedHeadroomReqH),
        reqH(t.realisedHeadroomReqH));
    row(QStringLiteral("capacity sold"), reqH(0), reqH(t.soldReqH));
    row(QStringLiteral("allocated by the loop"), reqH(0), reqH(t.allocatedReqH));
    row(QStringLiteral("delivered (<= rate per lease-hour)"), reqH(0), reqH(t.deliveredReqH));
    row(QStringLiteral("  <= rate per lease-poll"), QStringLiteral("-"),
        reqH(t.deliveredPerPollReqH) + QStringLiteral(" (%1 of forecast)")
                                           .arg(percent(t.deliveredPerPollReqH / t.forecastReqH)));
    row(QStringLiteral("  not capped"), QStringLiteral("-"),
        reqH(t.carriedInWindowReqH) + QStringLiteral(" (%1 of forecast)")
                                          .arg(percent(t.carriedInWindowReqH / t.forecastReqH)));
    row(QStringLiteral("  carried after windows (caches)"), QStringLiteral("-"),
        reqH(t.carriedOutsideReqH));
    row(QStringLiteral("best possible (min(true hr, sold))"), reqH(0), reqH(t.bestPossibleReqH));
    row(QStringLiteral("firm leases short (credit due)"), reqH(0), reqH(t.firmShortReqH));
    row(QStringLiteral("best-effort allocated below rate"), reqH(0),
        reqH(t.bestEffortShortReqH) +
            QStringLiteral(" (%1 lease-polls at 0, %2 of them with a demand estimate of 0)")
                .arg(t.bestEffortStarvedPolls)
                .arg(t.starvedByZeroEstimate));
    row(QStringLiteral("delivered / forecast headroom"), percent(0),
        percent(deliveredOfForecast) + QStringLiteral(" (goal >= 90 %: %1)")
                                           .arg(deliveredOfForecast >= 0.9
                                                    ? QStringLiteral("met")
                                                    : QStringLiteral("MISSED")));
    row(QStringLiteral("delivered / sold"), QStringLiteral("-"),
        percent(t.deliveredReqH / t.soldReqH));
    row(QStringLiteral("delivered / best possible"), QStringLiteral("-"),
        percent(t.deliveredReqH / t.bestPossibleReqH));
    row(QStringLiteral("mean utilisation over the day"), percent(baseUtilisation),
        percent(meanUtilisation));
    row(QStringLiteral("proxy-minutes above capacity"),
        percent(double(t.baseMinutesOverCapacity) / double(t.proxyMinutes), 2),
        percent(overCapacityShare, 2) +
            QStringLiteral(" (goal < 0.5 %: %1)")
                .arg(overCapacityShare < 0.005 ? QStringLiteral("met") : QStringLiteral("MISSED")));
    row(QStringLiteral("proxy-minutes above target"),
        percent(double(t.baseMinutesOverTarget) / double(t.proxyMinutes), 2),
        percent(double(t.minutesOverTarget) / double(t.proxyMinutes), 2));
    row(QStringLiteral("  more than 5 % above target"), QStringLiteral("-"),
        percent(double(t.minutesOverTarget5) / double(t.proxyMinutes), 2));
    row(QStringLiteral("busiest proxy-minute"), percent(t.baseWorstMinuteUtilisation),
        percent(t.worstMinuteUtilisation));
    row(QStringLiteral("proxy-polls above capacity / target"), QStringLiteral("-"),
        percent(double(t.proxyPollsOverCapacity) / double(t.proxyPolls), 2) +
            QStringLiteral(" / ") +
            percent(double(t.proxyPollsOverTarget) / double(t.proxyPolls), 2) +
            QStringLiteral(" (busiest poll %1)").arg(percent(t.worstPollUtilisation)));
    out() << Qt::endl;
    double meanError = 0;
    for (double e : t.trackingError)
        meanError += e;
    meanError = t.trackingError.empty() ? 0 : meanError / double(t.trackingError.size());
    out() << "tracking |carried - allocated| / allocated per site-poll in a window: mean "
          << percent(meanError) << ", p50 " << percent(percentile(t.trackingError, 50)) << ", p95 "
          << percent(percentile(t.trackingError, 95)) << " (" << t.trackingError.size()
          << " site-polls)" << Qt::endl;
    double settledError = 0;
    for (double e : t.trackingErrorSettled)
        settledError += e;
    settledError =
        t.trackingErrorSettled.empty() ? 0 : settledError / double(t.trackingErrorSettled.size());
    out() << "  from 3 TTLs into each window: mean " << percent(settledError) << ", p50 "
          << percent(percentile(t.trackingErrorSettled, 50)) << ", p95 "
          << percent(percentile(t.trackingErrorSettled, 95)) << Qt::endl;
    // Leases that got much less than they bought, worst first.
    std::vector<const SimSite *> underserved;
    for (const SimSite &s : sites) {
        if (s.soldReqH > 0 && s.deliveredReqH < 0.9 * s.soldReqH)
            underserved.push_back(&s);
    }
    std::sort(underserved.begin(), underserved.end(), [](const SimSite *a, const SimSite *b) {
        return a->deliveredReqH / a->soldReqH < b->deliveredReqH / b->soldReqH;
    });
    out() << "leases delivered below 90 % of their sale: " << underserved.size() << " of "
          << sites.size();
    for (size_t i = 0; i < std::min<size_t>(5, underserved.size()); ++i) {
        const SimSite &s = *underserved[i];
        out() << (i ? ", " : " (") << "#" << s.lease.id << " "
              << (s.lease.kind == LeaseKind::Firm ? "firm" : "best-effort") << " "
              << s.lease.rateRps << " req/s x " << s.lease.hours
              << " h: " << percent(s.deliveredReqH / s.soldReqH, 0);
    }
    out() << (underserved.empty() ? "" : ")") << Qt::endl;
    out() << "records published: " << t.publishes << " (" << t.steeringPolls
          << " site-polls steering)" << Qt::endl;
    out() << "simulated " << fixed(simSeconds / 3600, 1) << " h in "
          << fixed(wall.elapsed() / 1000.0, 1) << " s" << Qt::endl;
    return 0;
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_steering_sim"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Simulate a day of the steering loop (no servers): spare capacity forecast and sold as "
        "leases, delivered through DNS fractions to clients behind caching resolvers."));
    parser.addHelpOption();
    const QCommandLineOption proxies(QStringLiteral("proxies"),
                                     QStringLiteral("Proxies in the pool (20)."),
                                     QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption leases(QStringLiteral("leases"), QStringLiteral("Leases sold (50)."),
                                    QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption resolvers(QStringLiteral("resolvers"),
                                       QStringLiteral("Resolvers over all sites (1000)."),
                                       QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption hours(QStringLiteral("hours"),
                                   QStringLiteral("Hours simulated from midnight (24)."),
                                   QStringLiteral("H"), QStringLiteral("24"));
    const QCommandLineOption poll(QStringLiteral("poll"),
                                  QStringLiteral("Poll interval of the loop, ms (1000)."),
                                  QStringLiteral("MS"), QStringLiteral("1000"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed (1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption ttl(QStringLiteral("ttl"),
                                 QStringLiteral("TTL of the steering records, s (20)."),
                                 QStringLiteral("S"), QStringLiteral("20"));
    const QCommandLineOption skew(QStringLiteral("skew"),
                                  QStringLiteral("Zipf exponent of clients over resolvers (1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption target(QStringLiteral("target-utilisation"),
                                    QStringLiteral("Target utilisation (0.8)."),
                                    QStringLiteral("U"), QStringLiteral("0.8"));
    parser.addOptions({proxies, leases, resolvers, hours, poll, seed, ttl, skew, target});
    parser.process(app);

    headroom::SimOptions o;
    bool ok = true;
    const auto integer = [&](const QCommandLineOption &option, int min, int max) {
        bool good = false;
        const int v = parser.value(option).toInt(&good);
        if (!good || v < min || v > max) {
            headroom::err() << "bench_steering_sim: --" << option.names().constFirst()
                            << " takes a number in " << min << ".." << max << Qt::endl;
            ok = false;
        }
        return v;
    };
    const auto real = [&](const QCommandLineOption &option, double min, double max) {
        bool good = false;
        const double v = parser.value(option).toDouble(&good);
        if (!good || !(v >= min && v <= max)) {
            headroom::err() << "bench_steering_sim: --" << option.names().constFirst()
                            << " takes a number in " << min << ".." << max << Qt::endl;
            ok = false;
        }
        return v;
    };
    o.proxies = integer(proxies, 1, 1000);
    o.leases = integer(leases, 1, 1000);
    o.resolvers = integer(resolvers, 1, 1000000);
    o.hours = real(hours, 0.1, 24);
    o.pollMs = integer(poll, 100, 60000);
    o.seed = quint32(integer(seed, 0, 1 << 30));
    o.ttlSeconds = real(ttl, 1, 3600);
    o.skew = real(skew, 0, 3);
    o.targetUtilisation = real(target, 0.1, 1);
    if (!ok)
        return 2;
    return headroom::run(o);
}
