// The control law against a model of caching resolvers: it must reach the allocated rate within
// three TTLs, not oscillate, shed at once when headroom drops, and absorb what the open-loop
// view gets wrong (uneven resolvers, a slower cache than modelled, a demand change).
#include "control/fractioncontroller.h"
#include "control/resolverpopulation.h"

#include <QTest>
#include <cmath>

using namespace headroom;

namespace {

struct Run
{
    QList<double> carried; // per poll
    QList<double> fraction;
};

// Drives the loop for `polls` one-second polls; demand and allocation may change over time.
Run simulate(FractionController &law, ResolverPopulation &plant, int polls,
             const std::function<double(int)> &demand, const std::function<double(int)> &allocated)
{
    Run run;
    double carried = 0;
    for (int t = 0; t < polls; ++t) {
        const double f = law.update(allocated(t), carried, 1.0);
        carried = plant.step(1.0, demand(t), f);
        run.carried.append(carried);
        run.fraction.append(f);
    }
    return run;
}

double mean(const QList<double> &v, int from, int to)
{
    double s = 0;
    for (int i = from; i < to; ++i)
        s += v[i];
    return s / (to - from);
}

// How often the error changes sign by more than the noise band after settling.
int crossings(const QList<double> &v, int from, double target, double band)
{
    int n = 0;
    int last = 0;
    for (int i = from; i < v.size(); ++i) {
        const double e = v[i] - target;
        const int sign = e > band ? 1 : (e < -band ? -1 : 0);
        if (sign != 0 && last != 0 && sign != last)
            ++n;
        if (sign != 0)
            last = sign;
    }
    return n;
}

} // namespace

class TestSteeringLaw : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reachesTheAllocationWithinThreeTtls();
    void doesNotOscillate();
    void unevenResolversAreAbsorbed();
    void slowerCachesThanModelledStillConverge();
    void headroomDropShedsAtOnce();
    void demandStepIsFollowed();
    void noAllocationMeansNoAnswers();
    void nothingCarriedYetIsNoDemand();
    void hostileInputsAreClamped();
};

void TestSteeringLaw::reachesTheAllocationWithinThreeTtls()
{
    FractionController::Params p;
    p.ttlSeconds = 5;
    FractionController law(p);
    ResolverPopulation plant(2000, 5, 0, 1);
    const Run run = simulate(
        law, plant, 40, [](int) { return 200.0; }, [](int) { return 100.0; });
    // Three TTLs = 15 polls: from then on within +-10 % on average over each TTL.
    for (int from = 15; from + 5 <= 40; from += 5) {
        const double m = mean(run.carried, from, from + 5);
        QVERIFY2(std::abs(m - 100) <= 10, qPrintable(QStringLiteral("t=%1: %2").arg(from).arg(m)));
    }
    QVERIFY(std::abs(law.demandEstimate() - 200) < 20);
    QVERIFY(std::abs(law.fraction() - 0.5) < 0.06);
}

void TestSteeringLaw::doesNotOscillate()
{
    FractionController law;
    ResolverPopulation plant(2000, 5, 0, 2);
    const Run run = simulate(
        law, plant, 120, [](int) { return 400.0; }, [](int) { return 100.0; });
    // After settling, the carried rate stays inside the noise band: it may cross it now and then
    // from noise, never as a sustained swing.
    QVERIFY(crossings(run.carried, 20, 100, 10) <= 2);
    double peak = 0;
    for (double c : run.carried)
        peak = std::max(peak, c);
    QVERIFY2(peak <= 125, qPrintable(QString::number(peak)));
}

void TestSteeringLaw::unevenResolversAreAbsorbed()
{
    // 300 resolvers, Zipf(1): the biggest has ~16 % of the clients, so the carried rate is lumpy
    // and the open-loop share is off. The feedback corrects the demand estimate.
    FractionController law;
    ResolverPopulation plant(300, 5, 1.0, 3);
    const Run run = simulate(
        law, plant, 180, [](int) { return 300.0; }, [](int) { return 100.0; });
    const double m = mean(run.carried, 60, 180);
    QVERIFY2(std::abs(m - 100) <= 12, qPrintable(QString::number(m)));
}

void TestSteeringLaw::slowerCachesThanModelledStillConverge()
{
    FractionController::Params p;
    p.ttlSeconds = 5; // the model thinks 5 s
    FractionController law(p);
    ResolverPopulation plant(2000, 10, 0, 4); // resolvers hold answers 10 s
    const Run run = simulate(
        law, plant, 120, [](int) { return 200.0; }, [](int) { return 100.0; });
    QVERIFY(std::abs(mean(run.carried, 60, 120) - 100) <= 10);
    QVERIFY(crossings(run.carried, 40, 100, 12) <= 2);
}

void TestSteeringLaw::headroomDropShedsAtOnce()
{
    FractionController law;
    ResolverPopulation plant(2000, 5, 0, 5);
    const Run run = simulate(
        law, plant, 80, [](int) { return 200.0; }, [](int t) { return t < 40 ? 100.0 : 40.0; });
    // The published fraction falls in the very poll the allocation drops.
    QVERIFY(run.fraction[40] < 0.25);
    // Caches drain within one TTL: by TTL + 2 polls the load is at the new allocation.
    QVERIFY2(mean(run.carried, 47, 52) <= 44,
             qPrintable(QString::number(mean(run.carried, 47, 52))));
}

void TestSteeringLaw::demandStepIsFollowed()
{
    FractionController law;
    ResolverPopulation plant(2000, 5, 0, 6);
    const Run run = simulate(
        law, plant, 100, [](int t) { return t < 40 ? 200.0 : 400.0; }, [](int) { return 100.0; });
    // The step doubles the carried rate for a moment; the loop brings it back within 3 TTLs.
    QVERIFY(std::abs(mean(run.carried, 55, 100) - 100) <= 10);
    QVERIFY(std::abs(law.demandEstimate() - 400) < 40);
}

void TestSteeringLaw::noAllocationMeansNoAnswers()
{
    FractionController law;
    QCOMPARE(law.update(0, 0, 1), 0.0);
    // Before any demand is known the loop only probes.
    QCOMPARE(law.update(100, 0, 1), FractionController::Params().probeFraction);
}

void TestSteeringLaw::nothingCarriedYetIsNoDemand()
{
    // A small site behind few resolvers: at the probe, nobody has been answered "proxy" yet.
    FractionController law;
    for (int t = 0; t < 10; ++t)
        QCOMPARE(law.update(100, 0, 1), FractionController::Params().probeFraction);
    QVERIFY(!law.demandKnown()); // still probing, not "demand 0"
    // The first requests carried give the estimate: 10 req/s at a 5 % fraction.
    law.update(100, 10, 1);
    QVERIFY(law.demandKnown());
    QVERIFY(std::abs(law.demandEstimate() - 100) < 1);
}

void TestSteeringLaw::hostileInputsAreClamped()
{
    FractionController law;
    const double nan = std::nan("");
    QVERIFY(std::isfinite(law.update(nan, nan, nan)));
    QVERIFY(std::isfinite(law.update(100, -5, -1)));
    QVERIFY(std::isfinite(law.update(1e300, 1e300, 1e300)));
    QVERIFY(law.fraction() >= 0 && law.fraction() <= 1);
}

QTEST_GUILESS_MAIN(TestSteeringLaw)
#include "tst_steeringlaw.moc"
