// bench_clearing: how long market clearing takes (issue 6 goal: 100,000 bids in < 200 ms).
//
// Times, on seeded random input built once beforehand (building it is not counted):
//   - clearUniformAuction over N bids: prices 1..10,000, 1..500 units, a third all or nothing, a
//     third accepting any amount, a third a random minimum; 5 % cancelled; the supply half the
//     demand, the reserve 1,000. Validation is part of clearing and counted.
//   - the same with every bid at one price (all ties: arrival order decides);
//   - clearFixedPrice over the first case's bids at a posted price of 5,000;
//   - ContinuousBook fed N orders as they would arrive: bids and asks half and half, interleaved
//     at random, prices overlapping (bids 4,000..6,000, asks 4,500..6,500), same sizes and
//     minimums;
//   - the book's worst case for an arriving ask: N - 1,000 resting bids, 99 % of them waiting for
//     a 1,000-unit minimum no ask meets and ahead in priority of the 1 % that take any amount, then
//     1,000 asks of 1..10 units (timed alone), each of which must find a bid it can fill behind
//     all the waiting ones.
// Each case runs --repeat times (5); the minimum and median wall times are printed. Figures:
// docs/BENCHMARKS.md.

#include "market/clearing.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTextStream>
#include <algorithm>
#include <functional>
#include <numeric>

namespace headroom {
namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

struct Input
{
    QList<Bid> bids;
    qint64 supply = 0;
};

qint64 pick(QRandomGenerator &rng, qint64 lo, qint64 hi)
{
    return lo + qint64(rng.bounded(quint64(hi - lo + 1)));
}

qint64 randomMinimum(QRandomGenerator &rng, qint64 units)
{
    switch (rng.bounded(3)) {
    case 0:
        return units;
    case 1:
        return 1;
    default:
        return pick(rng, 1, units);
    }
}

// Arrival order is not list order: the sequences are 1..n shuffled.
QList<quint64> shuffledSequences(QRandomGenerator &rng, qsizetype n)
{
    QList<quint64> sequences(n);
    std::iota(sequences.begin(), sequences.end(), quint64(1));
    for (qsizetype i = n - 1; i > 0; --i)
        std::swap(sequences[i], sequences[pick(rng, 0, i)]);
    return sequences;
}

Input randomBids(QRandomGenerator &rng, qsizetype n, bool onePrice)
{
    Input in;
    in.bids.reserve(n);
    const QList<quint64> sequences = shuffledSequences(rng, n);
    qint64 demand = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const qint64 units = pick(rng, 1, 500);
        Bid b{.id = i + 1,
              .purchaserId = pick(rng, 1, 1000),
              .units = units,
              .minUnits = randomMinimum(rng, units),
              .priceMinor = onePrice ? 5000 : pick(rng, 1, 10000),
              .placedAtMs = 0,
              .sequence = sequences[i],
              .cancelled = rng.bounded(20) == 0};
        if (!b.cancelled)
            demand += units;
        in.bids.append(b);
    }
    in.supply = demand / 2;
    return in;
}

// One order of the continuous market: a bid or an ask.
struct Order
{
    bool isBid = true;
    Bid bid;
    Ask ask;
};

QList<Order> randomOrders(QRandomGenerator &rng, qsizetype n)
{
    QList<Order> orders;
    orders.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        Order o;
        o.isBid = rng.bounded(2) == 0;
        const qint64 units = pick(rng, 1, 500);
        if (o.isBid)
            o.bid = Bid{.id = i + 1,
                        .purchaserId = pick(rng, 1, 1000),
                        .units = units,
                        .minUnits = randomMinimum(rng, units),
                        .priceMinor = pick(rng, 4000, 6000),
                        .placedAtMs = 0,
                        .sequence = quint64(i + 1),
                        .cancelled = false};
        else
            o.ask = Ask{.id = i + 1,
                        .units = units,
                        .priceMinor = pick(rng, 4500, 6500),
                        .sequence = quint64(i + 1)};
        orders.append(o);
    }
    return orders;
}

QList<Order> hostileOrders(QRandomGenerator &rng, qsizetype n)
{
    QList<Order> orders;
    const qsizetype asks = std::min<qsizetype>(1000, n / 2);
    for (qsizetype i = 0; i < n; ++i) {
        Order o;
        o.isBid = i < n - asks;
        // 99 in 100 wait for 1,000 units at 6,000..9,000; every 100th takes any amount at
        // 5,000..5,999, below them in priority: what the asks can fill is behind all the rest.
        const bool divisible = i % 100 == 0;
        if (o.isBid)
            o.bid = Bid{.id = i + 1,
                        .purchaserId = 1,
                        .units = divisible ? 10 : 1000,
                        .minUnits = divisible ? 1 : 1000,
                        .priceMinor = divisible ? pick(rng, 5000, 5999) : pick(rng, 6000, 9000),
                        .placedAtMs = 0,
                        .sequence = quint64(i + 1),
                        .cancelled = false};
        else
            o.ask = Ask{.id = i + 1,
                        .units = pick(rng, 1, 10),
                        .priceMinor = 5000,
                        .sequence = quint64(i + 1)};
        orders.append(o);
    }
    return orders;
}

struct Timing
{
    double minMs = 0;
    double medianMs = 0;
};

Timing repeat(int times, const std::function<void()> &run)
{
    QList<double> ms;
    for (int i = 0; i < times; ++i) {
        QElapsedTimer t;
        t.start();
        run();
        ms.append(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return {ms.front(), ms.at(ms.size() / 2)};
}

void report(const QString &name, const Timing &t, const QString &what)
{
    out() << QStringLiteral("%1  min %2 ms  median %3 ms  | %4")
                 .arg(name, -34)
                 .arg(t.minMs, 8, 'f', 1)
                 .arg(t.medianMs, 8, 'f', 1)
                 .arg(what)
          << Qt::endl;
}

QString describe(const ClearingResult &r)
{
    if (!r.ok())
        return QStringLiteral("ERROR: ") + r.error;
    return QStringLiteral("%1 fills, %2 units sold at %3, %4 losers")
        .arg(r.fills.size())
        .arg(r.unitsSold)
        .arg(r.clearingPriceMinor)
        .arg(r.losers.size());
}

// Feeds `orders` to a copy of `start` (copied, and destroyed, outside the timed part).
QString runBook(const ContinuousBook &start, const QList<Order> &orders, int times,
                const QString &name, const QString &unit)
{
    qsizetype trades = 0;
    qsizetype bidsLeft = 0;
    qsizetype asksLeft = 0;
    QString error;
    QList<double> ms;
    for (int i = 0; i < times; ++i) {
        ContinuousBook book = start;
        trades = 0;
        QElapsedTimer timer;
        timer.start();
        for (const Order &o : orders) {
            const BookUpdate u = o.isBid ? book.addBid(o.bid) : book.addAsk(o.ask);
            if (!u.ok() && error.isEmpty())
                error = u.error;
            trades += u.trades.size();
        }
        ms.append(double(timer.nsecsElapsed()) / 1e6);
        bidsLeft = book.bidCount();
        asksLeft = book.askCount();
    }
    std::sort(ms.begin(), ms.end());
    const Timing t{ms.front(), ms.at(ms.size() / 2)};
    report(
        name, t,
        error.isEmpty()
            ? QStringLiteral("%1 %2s: %3 trades, %4 bids and %5 asks resting; median %6 us per %2")
                  .arg(orders.size())
                  .arg(unit)
                  .arg(trades)
                  .arg(bidsLeft)
                  .arg(asksLeft)
                  .arg(t.medianMs * 1000 / double(orders.size()), 0, 'f', 2)
            : QStringLiteral("ERROR: ") + error);
    return error;
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    using namespace headroom;
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Times market clearing."));
    parser.addHelpOption();
    const QCommandLineOption bidsOption(QStringLiteral("bids"),
                                        QStringLiteral("Bids (and book orders), 100000."),
                                        QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption repeatOption(QStringLiteral("repeat"),
                                          QStringLiteral("Runs per case, 5."), QStringLiteral("R"),
                                          QStringLiteral("5"));
    const QCommandLineOption seedOption(QStringLiteral("seed"), QStringLiteral("Seed, 6."),
                                        QStringLiteral("S"), QStringLiteral("6"));
    parser.addOptions({bidsOption, repeatOption, seedOption});
    parser.process(app);
    const qsizetype n = parser.value(bidsOption).toLongLong();
    const int times = parser.value(repeatOption).toInt();
    if (n < 2 || times < 1) {
        out() << "--bids must be >= 2 and --repeat >= 1" << Qt::endl;
        return 2;
    }

    QRandomGenerator rng(parser.value(seedOption).toUInt());
    const Input random = randomBids(rng, n, false);
    const Input onePrice = randomBids(rng, n, true);
    const QList<Order> orders = randomOrders(rng, n);
    const QList<Order> hostile = hostileOrders(rng, n);

    out() << QStringLiteral("%1 bids, %2 runs per case, seed %3")
                 .arg(n)
                 .arg(times)
                 .arg(parser.value(seedOption))
          << Qt::endl;
    bool failed = false;
    ClearingResult r;
    const auto auction = [&](const QString &name, const Input &in, bool fixed) {
        const Timing t = repeat(times, [&] {
            r = fixed ? clearFixedPrice(in.supply, 5000, in.bids)
                      : clearUniformAuction(in.supply, 1000, in.bids);
        });
        report(name, t, describe(r));
        failed = failed || !r.ok();
    };
    auction(QStringLiteral("uniform auction, random bids"), random, false);
    auction(QStringLiteral("uniform auction, one price"), onePrice, false);
    auction(QStringLiteral("fixed price, random bids"), random, true);
    failed = !runBook({}, orders, times, QStringLiteral("continuous book, random orders"),
                      QStringLiteral("order"))
                  .isEmpty() ||
             failed;
    // The waiting bids are placed untimed; what is timed is the asks arriving after them.
    ContinuousBook waiting;
    QList<Order> asks;
    for (const Order &o : hostile) {
        if (o.isBid)
            waiting.addBid(o.bid);
        else
            asks.append(o);
    }
    failed = !runBook(waiting, asks, times, QStringLiteral("continuous book, waiting bids"),
                      QStringLiteral("ask"))
                  .isEmpty() ||
             failed;
    return failed ? 1 : 0;
}
