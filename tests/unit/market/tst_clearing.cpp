#include "market/clearing.h"

#include <QMap>
#include <QRandomGenerator>
#include <QTest>
#include <algorithm>
#include <limits>
#include <numeric>

using namespace headroom;

Q_DECLARE_METATYPE(QList<headroom::Bid>)

namespace {

constexpr qint64 kMax = std::numeric_limits<qint64>::max();

// A bid whose sequence is its id unless told otherwise; minUnits == units: all or nothing.
Bid bid(qint64 id, qint64 priceMinor, qint64 units, qint64 minUnits, quint64 sequence = 0)
{
    return Bid{.id = id,
               .purchaserId = 100 + id,
               .units = units,
               .minUnits = minUnits,
               .priceMinor = priceMinor,
               .placedAtMs = 0,
               .sequence = sequence ? sequence : quint64(id),
               .cancelled = false};
}

Bid cancelled(Bid b)
{
    b.cancelled = true;
    return b;
}

Ask ask(qint64 id, qint64 priceMinor, qint64 units, quint64 sequence)
{
    return Ask{.id = id, .units = units, .priceMinor = priceMinor, .sequence = sequence};
}

// "id:units id:units" in allocation order, e.g. "2:60 1:40".
QString fills(const ClearingResult &r)
{
    QStringList parts;
    for (const Fill &f : r.fills)
        parts.append(QStringLiteral("%1:%2").arg(f.bidId).arg(f.units));
    return parts.join(QLatin1Char(' '));
}

// "bid/ask:units@price ..." in the order they happened.
QString trades(const BookUpdate &u)
{
    QStringList parts;
    for (const Trade &t : u.trades)
        parts.append(
            QStringLiteral("%1/%2:%3@%4").arg(t.bidId).arg(t.askId).arg(t.units).arg(t.priceMinor));
    return parts.join(QLatin1Char(' '));
}

bool sameResult(const ClearingResult &a, const ClearingResult &b)
{
    if (a.fills.size() != b.fills.size())
        return false;
    for (qsizetype i = 0; i < a.fills.size(); ++i) {
        if (a.fills[i].bidId != b.fills[i].bidId || a.fills[i].units != b.fills[i].units ||
            a.fills[i].priceMinor != b.fills[i].priceMinor)
            return false;
    }
    return a.clearingPriceMinor == b.clearingPriceMinor && a.unitsSold == b.unitsSold &&
           a.unitsLeft == b.unitsLeft && a.revenueMinor == b.revenueMinor && a.losers == b.losers &&
           a.explanation == b.explanation && a.error == b.error;
}

// The rules in clearing.h, spelled out the slow way: what an arriving order should trade with,
// given the other side's resting orders in priority order.
QString expectedTrades(const QList<RestingOrder> &asks, const Bid &b)
{
    qint64 crossing = 0;
    for (const RestingOrder &a : asks) {
        if (a.priceMinor <= b.priceMinor)
            crossing += a.unitsLeft;
    }
    if (crossing < b.minUnits)
        return {};
    QStringList parts;
    qint64 left = b.units;
    for (const RestingOrder &a : asks) {
        if (left == 0 || a.priceMinor > b.priceMinor)
            break;
        const qint64 take = std::min(left, a.unitsLeft);
        parts.append(QStringLiteral("%1/%2:%3@%4").arg(b.id).arg(a.id).arg(take).arg(a.priceMinor));
        left -= take;
    }
    return parts.join(QLatin1Char(' '));
}

QString expectedTrades(const QList<RestingOrder> &bids, const Ask &a)
{
    QStringList parts;
    qint64 left = a.units;
    for (const RestingOrder &b : bids) {
        if (left == 0 || b.priceMinor < a.priceMinor)
            break;
        if (left < b.minUnits)
            continue; // passed over, keeps its place
        const qint64 take = std::min(left, b.unitsLeft);
        parts.append(QStringLiteral("%1/%2:%3@%4").arg(b.id).arg(a.id).arg(take).arg(b.priceMinor));
        left -= take;
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestClearing : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Uniform-price auction
    void tiesGoToTheEarlierBid();
    void partialFills_data();
    void partialFills();
    void reserveNotMet();
    void allBidsBelowReserve();
    void oneBidderPaysTheReserve();
    void bidCancelledBeforeCloseIsExcluded();
    void aBidThatLostOnSizeDoesNotPriceAboveAWinner();
    void zeroSupplyOrNoBids();
    void largestValuesDoNotOverflow();
    // Fixed price
    void fixedPriceFirstComeFirstServed();
    // Both
    void hostileInputsAreRejected_data();
    void hostileInputsAreRejected();
    void randomAuctionsKeepTheInvariants();
    // Continuous market
    void continuousPriceTimePriority();
    void continuousTradesAtTheRestingPrice();
    void continuousPartialFillThenRest();
    void continuousMinimumNotMetRestsUntouched();
    void continuousAskFindsTheFirstBidItCanFill();
    void continuousCancel();
    void continuousHostileInputsChangeNothing();
    void randomBookKeepsTheInvariants();
};

void TestClearing::tiesGoToTheEarlierBid()
{
    // Same price: sequence decides, not the order of the list; the later one gets what is left.
    const auto r = clearUniformAuction(
        100, 10,
        {bid(1, 50, 60, 1, /*seq*/ 2), bid(2, 50, 60, 1, /*seq*/ 1), bid(3, 40, 10, 10, 3)});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(fills(r), QStringLiteral("2:60 1:40"));
    QCOMPARE(r.losers, QList<qint64>{3});
    QCOMPARE(r.clearingPriceMinor, 40); // the highest losing bid
    QCOMPARE(r.unitsLeft, 0);
    QCOMPARE(r.revenueMinor, 100 * 40);

    // All or nothing at the same price: the later bid does not fit and sets the price.
    const auto s = clearUniformAuction(100, 10, {bid(1, 50, 60, 60, 2), bid(2, 50, 60, 60, 1)});
    QCOMPARE(fills(s), QStringLiteral("2:60"));
    QCOMPARE(s.losers, QList<qint64>{1});
    QCOMPARE(s.clearingPriceMinor, 50);
    QCOMPARE(s.unitsLeft, 40);
}

void TestClearing::partialFills_data()
{
    QTest::addColumn<qint64>("supply");
    QTest::addColumn<QList<Bid>>("bids");
    QTest::addColumn<QString>("fills");
    QTest::addColumn<qint64>("price");

    // Accepted: 100 of the 150 wanted (minimum 80); no loser, so the reserve (0).
    QTest::newRow("accepted") << qint64(100) << QList<Bid>{bid(1, 50, 150, 80)}
                              << QStringLiteral("1:100") << qint64(0);
    // The partially filled marginal bid is a winner; the bid that got nothing sets the price.
    QTest::newRow("accepted, a loser below")
        << qint64(100) << QList<Bid>{bid(1, 50, 150, 1), bid(2, 30, 10, 10)}
        << QStringLiteral("1:100") << qint64(30);
    // Refused: the 50-bid needs 40 but only 30 are left; a later, smaller bid takes them.
    QTest::newRow("refused, a smaller bid fits")
        << qint64(100) << QList<Bid>{bid(1, 60, 70, 70), bid(2, 50, 50, 40), bid(3, 45, 30, 30)}
        << QStringLiteral("1:70 3:30") << qint64(45);
    // Refused and nobody else: the minimum is not met, nothing is sold.
    QTest::newRow("refused, nothing sold")
        << qint64(100) << QList<Bid>{bid(1, 60, 150, 101)} << QString() << qint64(0);
    // Exactly the minimum is enough.
    QTest::newRow("exactly the minimum")
        << qint64(100) << QList<Bid>{bid(1, 60, 50, 50), bid(2, 55, 80, 50)}
        << QStringLiteral("1:50 2:50") << qint64(0);
}

void TestClearing::partialFills()
{
    QFETCH(qint64, supply);
    QFETCH(QList<Bid>, bids);
    QFETCH(QString, fills);
    QFETCH(qint64, price);
    const auto r = clearUniformAuction(supply, 0, bids);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(::fills(r), fills);
    QCOMPARE(r.clearingPriceMinor, price);
    for (const Fill &f : r.fills)
        QCOMPARE(f.priceMinor, price);
}

void TestClearing::reserveNotMet()
{
    // The 45-bid is below the reserve: it loses and sets no price; the winner pays the reserve.
    const auto r = clearUniformAuction(100, 50, {bid(1, 60, 30, 30), bid(2, 45, 50, 1)});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(fills(r), QStringLiteral("1:30"));
    QCOMPARE(r.clearingPriceMinor, 50);
    QCOMPARE(r.losers, QList<qint64>{2});
    QCOMPARE(r.unitsLeft, 70);
    QVERIFY2(r.explanation.contains(QStringLiteral("below the reserve 50")),
             qPrintable(r.explanation));
}

void TestClearing::allBidsBelowReserve()
{
    const auto r = clearUniformAuction(100, 50, {bid(1, 30, 10, 1), bid(2, 40, 10, 1)});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(r.fills.isEmpty());
    QCOMPARE(r.clearingPriceMinor, 0);
    QCOMPARE(r.unitsSold, 0);
    QCOMPARE(r.unitsLeft, 100);
    QCOMPARE(r.losers, (QList<qint64>{2, 1}));
    QCOMPARE(r.explanation, QStringLiteral("reserve not met: highest bid 40 < reserve 50"));
}

void TestClearing::oneBidderPaysTheReserve()
{
    const auto r = clearUniformAuction(100, 25, {bid(1, 90, 40, 40)});
    QCOMPARE(fills(r), QStringLiteral("1:40"));
    QCOMPARE(r.clearingPriceMinor, 25);
    QCOMPARE(r.revenueMinor, 40 * 25);
    QVERIFY(r.losers.isEmpty());
    QVERIFY2(r.explanation.contains(QStringLiteral("the reserve")), qPrintable(r.explanation));
    // Without a reserve a lone bidder pays nothing: the operator must set one.
    QCOMPARE(clearUniformAuction(100, 0, {bid(1, 90, 40, 40)}).clearingPriceMinor, 0);
    // A lone bidder wanting more than the supply gets the supply if it accepts that.
    QCOMPARE(fills(clearUniformAuction(100, 25, {bid(1, 90, 400, 100)})), QStringLiteral("1:100"));
}

void TestClearing::bidCancelledBeforeCloseIsExcluded()
{
    const QList<Bid> rest{bid(2, 60, 50, 50), bid(3, 50, 50, 50), bid(4, 40, 50, 50)};
    QList<Bid> withCancelled = rest;
    withCancelled.append(cancelled(bid(1, 80, 100, 100)));

    const auto without = clearUniformAuction(100, 10, rest);
    const auto with = clearUniformAuction(100, 10, withCancelled);
    QVERIFY2(with.ok(), qPrintable(with.error));
    QCOMPARE(fills(with), QStringLiteral("2:50 3:50"));
    QCOMPARE(with.clearingPriceMinor, 40);   // not 60, as it would be had bid 1 stood
    QCOMPARE(with.losers, QList<qint64>{4}); // bid 1 is neither winner nor loser
    QVERIFY(sameResult(with, without));

    withCancelled.last().cancelled = false;
    const auto standing = clearUniformAuction(100, 10, withCancelled);
    QCOMPARE(fills(standing), QStringLiteral("1:100"));
    QCOMPARE(standing.clearingPriceMinor, 60);
}

void TestClearing::aBidThatLostOnSizeDoesNotPriceAboveAWinner()
{
    // 100 units: 70 go to the 100-bid; the all-or-nothing 90-bid wants 50 and does not fit; the
    // 80-bid takes the last 30. The highest losing bid (90) is above a winner's bid (80), so the
    // price is capped at the lowest winning bid: nobody pays more than it bid.
    const QList<Bid> bids{bid(1, 100, 70, 70), bid(2, 90, 50, 50), bid(3, 80, 30, 30)};
    const auto r = clearUniformAuction(100, 0, bids);
    QCOMPARE(fills(r), QStringLiteral("1:70 3:30"));
    QCOMPARE(r.losers, QList<qint64>{2});
    QCOMPARE(r.clearingPriceMinor, 80);
    QVERIFY2(r.explanation.contains(QStringLiteral("lost on its minimum size")),
             qPrintable(r.explanation));
}

void TestClearing::zeroSupplyOrNoBids()
{
    const QList<Bid> bids{bid(1, 60, 10, 1), bid(2, 50, 10, 10)};
    for (const auto &r : {clearUniformAuction(0, 10, bids), clearFixedPrice(0, 10, bids)}) {
        QVERIFY2(r.ok(), qPrintable(r.error));
        QVERIFY(r.fills.isEmpty());
        QCOMPARE(r.clearingPriceMinor, 0);
        QCOMPARE(r.unitsLeft, 0);
        QCOMPARE(r.losers, (QList<qint64>{1, 2}));
        QCOMPARE(r.explanation, QStringLiteral("nothing to sell: the supply is 0 units"));
    }
    for (const auto &r : {clearUniformAuction(100, 10, {}), clearFixedPrice(100, 10, {}),
                          clearUniformAuction(100, 10, {cancelled(bid(1, 60, 10, 1))})}) {
        QVERIFY2(r.ok(), qPrintable(r.error));
        QVERIFY(r.fills.isEmpty() && r.losers.isEmpty());
        QCOMPARE(r.unitsLeft, 100);
        QCOMPARE(r.explanation, QStringLiteral("no bids"));
    }
}

void TestClearing::largestValuesDoNotOverflow()
{
    const auto r = clearUniformAuction(kMax, 1, {bid(1, 1, kMax, 1)});
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.unitsSold, kMax);
    QCOMPARE(r.revenueMinor, kMax);
    QCOMPARE(r.unitsLeft, 0);
    const auto f = clearFixedPrice(kMax, 0, {bid(1, kMax, 1, 1), bid(2, 0, kMax - 1, 1)});
    QVERIFY2(f.ok(), qPrintable(f.error));
    QCOMPARE(f.unitsSold, kMax);
    QCOMPARE(f.revenueMinor, 0);
}

void TestClearing::fixedPriceFirstComeFirstServed()
{
    // Listed out of order; sequence is what counts. Posted price 50, 100 units.
    const QList<Bid> bids{
        bid(1, 50, 30, 30, /*seq*/ 3), // third: 30 of the 50 left
        bid(2, 70, 50, 50, 1),         // first: 50, pays 50 not 70
        bid(3, 40, 10, 1, 2),          // below the posted price: refused
        bid(4, 60, 40, 40, 4),         // all or nothing, 20 left: nothing
        bid(5, 50, 40, 10, 5),         // takes the last 20 (accepts down to 10)
        bid(6, 90, 10, 1, 6),          // sold out
    };
    const auto r = clearFixedPrice(100, 50, bids);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(fills(r), QStringLiteral("2:50 1:30 5:20"));
    for (const Fill &f : r.fills)
        QCOMPARE(f.priceMinor, 50);
    QCOMPARE(r.clearingPriceMinor, 50);
    QCOMPARE(r.losers, (QList<qint64>{3, 4, 6}));
    QCOMPARE(r.unitsSold, 100);
    QCOMPARE(r.revenueMinor, 5000);
    QVERIFY2(r.explanation.contains(QStringLiteral("first come first served")),
             qPrintable(r.explanation));

    const auto none = clearFixedPrice(100, 50, {bid(1, 40, 10, 1), bid(2, 45, 10, 1)});
    QVERIFY(none.fills.isEmpty());
    QCOMPARE(none.explanation,
             QStringLiteral("no bid at the posted price: highest bid 45 < price 50"));
}

void TestClearing::hostileInputsAreRejected_data()
{
    QTest::addColumn<qint64>("supply");
    QTest::addColumn<qint64>("price");
    QTest::addColumn<QList<Bid>>("bids");
    QTest::addColumn<QString>("error");

    const Bid good = bid(1, 50, 10, 1);
    QTest::newRow("zero units") << qint64(100) << qint64(10) << QList<Bid>{bid(7, 50, 0, 0)}
                                << QStringLiteral("bid 7: units must be positive (got 0)");
    QTest::newRow("negative units") << qint64(100) << qint64(10) << QList<Bid>{bid(7, 50, -5, 1)}
                                    << QStringLiteral("bid 7: units must be positive (got -5)");
    QTest::newRow("minUnits 0") << qint64(100) << qint64(10) << QList<Bid>{bid(7, 50, 5, 0)}
                                << QStringLiteral("bid 7: minUnits must be 1..5 (got 0)");
    QTest::newRow("minUnits > units")
        << qint64(100) << qint64(10) << QList<Bid>{good, bid(7, 50, 5, 6)}
        << QStringLiteral("bid 7: minUnits must be 1..5 (got 6)");
    QTest::newRow("negative price") << qint64(100) << qint64(10) << QList<Bid>{bid(7, -1, 5, 1)}
                                    << QStringLiteral("bid 7: price must not be negative (got -1)");
    QTest::newRow("value overflows")
        << qint64(100) << qint64(10) << QList<Bid>{bid(7, qint64(1) << 30, qint64(1) << 40, 1)}
        << QStringLiteral("bid 7: 1099511627776 units x 1073741824 overflows 64 bits");
    QTest::newRow("value overflows by one")
        << qint64(100) << qint64(10) << QList<Bid>{bid(7, 2, kMax / 2 + 1, 1)}
        << QStringLiteral("bid 7: 4611686018427387904 units x 2 overflows 64 bits");
    QTest::newRow("a cancelled bid is still checked")
        << qint64(100) << qint64(10) << QList<Bid>{good, cancelled(bid(7, 50, 0, 0))}
        << QStringLiteral("bid 7: units must be positive (got 0)");
    QTest::newRow("negative supply") << qint64(-1) << qint64(10) << QList<Bid>{good}
                                     << QStringLiteral("supply must not be negative (got -1)");
    QTest::newRow("duplicate id") << qint64(100) << qint64(10)
                                  << QList<Bid>{good, bid(2, 50, 1, 1), bid(2, 60, 1, 1, 9)}
                                  << QStringLiteral("two bids have the id 2");
    QTest::newRow("duplicate sequence")
        << qint64(100) << qint64(10) << QList<Bid>{good, bid(2, 50, 1, 1, 1)}
        << QStringLiteral("two bids have the sequence 1");
    // Each fill's value fits, their sum does not.
    const qint64 big = qint64(1) << 31; // 2^31 units x 2^31 = 2^62 each; three make 3 x 2^62
    QTest::newRow("total value overflows")
        << big * 3 << big
        << QList<Bid>{bid(1, big, big, big), bid(2, big, big, big), bid(3, big, big, big)}
        << QStringLiteral("the fills' total value overflows 64 bits");
}

void TestClearing::hostileInputsAreRejected()
{
    QFETCH(qint64, supply);
    QFETCH(qint64, price);
    QFETCH(QList<Bid>, bids);
    QFETCH(QString, error);
    for (const auto &r :
         {clearUniformAuction(supply, price, bids), clearFixedPrice(supply, price, bids)}) {
        QVERIFY(!r.ok());
        QCOMPARE(r.error, error);
        QVERIFY(r.fills.isEmpty() && r.losers.isEmpty() && r.explanation.isEmpty());
        QCOMPARE(r.unitsSold, 0);
    }
    QCOMPARE(clearUniformAuction(100, -1, {}).error,
             QStringLiteral("the reserve must not be negative (got -1)"));
    QCOMPARE(clearFixedPrice(100, -1, {}).error,
             QStringLiteral("the posted price must not be negative (got -1)"));
}

// Random bids, fixed seed: whatever the mix, the rules in clearing.h hold.
void TestClearing::randomAuctionsKeepTheInvariants()
{
    QRandomGenerator rng(20240601);
    const auto pick = [&](qint64 lo, qint64 hi) { return lo + qint64(rng.bounded(hi - lo + 1)); };
    qsizetype checkedBids = 0;
    for (int round = 0; round < 400; ++round) {
        const qsizetype n = round == 0 ? 5000 : pick(0, 40);
        const qint64 supply = round == 0 ? 50000 : pick(0, 600);
        const qint64 reserve = pick(0, 60);
        // Arrival order is not list order: sequences are 1..n shuffled.
        QList<quint64> sequences(n);
        std::iota(sequences.begin(), sequences.end(), quint64(1));
        for (qsizetype i = n - 1; i > 0; --i)
            std::swap(sequences[i], sequences[pick(0, i)]);
        QList<Bid> bids;
        for (qsizetype i = 0; i < n; ++i) {
            const qint64 units = pick(1, 60);
            const int kind = int(pick(0, 2));
            const qint64 minUnits = kind == 0 ? units : kind == 1 ? 1 : pick(1, units);
            Bid b = bid(1000 + i, pick(0, 100), units, minUnits, sequences[i]);
            b.cancelled = pick(0, 9) == 0;
            bids.append(b);
        }
        checkedBids += n;
        const QMap<qint64, Bid> byId = [&] {
            QMap<qint64, Bid> m;
            for (const Bid &b : bids)
                m.insert(b.id, b);
            return m;
        }();

        for (bool uniform : {true, false}) {
            const auto r = uniform ? clearUniformAuction(supply, reserve, bids)
                                   : clearFixedPrice(supply, reserve, bids);
            QVERIFY2(r.ok(), qPrintable(r.error));
            QVERIFY(!r.explanation.isEmpty());
            qint64 sold = 0;
            qint64 revenue = 0;
            qint64 lowestWinning = kMax;
            QSet<qint64> seen;
            for (const Fill &f : r.fills) {
                const Bid &b = byId[f.bidId];
                QVERIFY(!b.cancelled);
                QVERIFY(f.units >= b.minUnits && f.units <= b.units);
                QCOMPARE(f.priceMinor, r.clearingPriceMinor);
                QVERIFY(f.priceMinor <= b.priceMinor); // nobody pays more than it bid
                QVERIFY(f.priceMinor >= reserve);      // the reserve (or posted price) is met
                QVERIFY(!seen.contains(f.bidId));
                seen.insert(f.bidId);
                sold += f.units;
                revenue += f.units * f.priceMinor;
                lowestWinning = std::min(lowestWinning, b.priceMinor);
            }
            QCOMPARE(r.unitsSold, sold);
            QVERIFY(sold <= supply);
            QCOMPARE(r.unitsLeft, supply - sold);
            QCOMPARE(r.revenueMinor, revenue);
            if (!uniform && !r.fills.isEmpty())
                QCOMPARE(r.clearingPriceMinor, reserve);

            qint64 highestLosing = -1;
            for (qint64 id : r.losers) {
                const Bid &b = byId[id];
                QVERIFY(!b.cancelled);
                QVERIFY(!seen.contains(id));
                seen.insert(id);
                if (b.priceMinor >= reserve) {
                    // It lost on size: what is left would not have met its minimum.
                    QVERIFY(b.minUnits > r.unitsLeft);
                    highestLosing = std::max(highestLosing, b.priceMinor);
                }
            }
            for (const Bid &b : bids)
                QCOMPARE(seen.contains(b.id), !b.cancelled); // every live bid won or lost
            if (uniform && !r.fills.isEmpty())
                QCOMPARE(r.clearingPriceMinor,
                         std::min(std::max(reserve, highestLosing), lowestWinning));

            // Deterministic: the order of the list does not matter.
            QList<Bid> shuffled = bids;
            std::reverse(shuffled.begin(), shuffled.end());
            if (shuffled.size() > 2)
                std::swap(shuffled[0], shuffled[shuffled.size() / 2]);
            const auto again = uniform ? clearUniformAuction(supply, reserve, shuffled)
                                       : clearFixedPrice(supply, reserve, shuffled);
            QVERIFY(sameResult(r, again));
        }
    }
    QVERIFY(checkedBids > 5000);
}

void TestClearing::continuousPriceTimePriority()
{
    ContinuousBook book;
    QVERIFY(book.addAsk(ask(1, 50, 10, 1)).trades.isEmpty());
    QVERIFY(book.addAsk(ask(2, 40, 10, 2)).trades.isEmpty());
    QVERIFY(book.addAsk(ask(3, 40, 10, 3)).trades.isEmpty());
    QCOMPARE(book.bestAskMinor(), 40);
    // Cheapest first, then the earlier of the two at 40; each at its own price.
    const auto u = book.addBid(bid(1, 60, 25, 1, 4));
    QVERIFY2(u.ok(), qPrintable(u.error));
    QCOMPARE(trades(u), QStringLiteral("1/2:10@40 1/3:10@40 1/1:5@50"));
    QCOMPARE(book.askCount(), 1);
    QCOMPARE(book.restingAsk(1)->unitsLeft, 5);
    QCOMPARE(book.bidCount(), 0);

    // The other side: the highest bid first, then the earlier of the two at 55.
    ContinuousBook bids;
    QVERIFY(bids.addBid(bid(1, 50, 10, 1, 5)).ok());
    QVERIFY(bids.addBid(bid(2, 55, 10, 1, 6)).ok());
    QVERIFY(bids.addBid(bid(3, 55, 10, 1, 7)).ok());
    QVERIFY(bids.addBid(bid(4, 30, 10, 1, 8)).ok()); // below the ask: untouched
    const auto restingIds = [](const QList<RestingOrder> &orders) {
        QList<qint64> ids;
        for (const RestingOrder &o : orders)
            ids.append(o.id);
        return ids;
    };
    QCOMPARE(restingIds(bids.restingBids()), (QList<qint64>{2, 3, 1, 4}));
    QCOMPARE(trades(bids.addAsk(ask(9, 45, 40, 9))),
             QStringLiteral("2/9:10@55 3/9:10@55 1/9:10@50"));
    QCOMPARE(restingIds(bids.restingBids()), QList<qint64>{4});
    QCOMPARE(bids.restingAsk(9)->unitsLeft, 10);
    QCOMPARE(bids.bestAskMinor(), 45);
    QCOMPARE(bids.bestBidMinor(), 30);
}

void TestClearing::continuousTradesAtTheRestingPrice()
{
    ContinuousBook book;
    QVERIFY(book.addAsk(ask(1, 40, 10, 1)).ok());
    QCOMPARE(trades(book.addBid(bid(1, 70, 10, 10, 2))), QStringLiteral("1/1:10@40"));
    QVERIFY(book.addBid(bid(2, 70, 10, 10, 3)).ok());
    QCOMPARE(trades(book.addAsk(ask(2, 30, 10, 4))), QStringLiteral("2/2:10@70"));
    QCOMPARE(book.bidCount() + book.askCount(), 0);
    QVERIFY(!book.bestBidMinor() && !book.bestAskMinor());
    // Prices that do not cross do not trade.
    QVERIFY(book.addAsk(ask(3, 51, 10, 5)).ok());
    QVERIFY(book.addBid(bid(3, 50, 10, 1, 6)).trades.isEmpty());
    QCOMPARE(book.bestBidMinor(), 50);
    QCOMPARE(book.bestAskMinor(), 51);
}

void TestClearing::continuousPartialFillThenRest()
{
    ContinuousBook book;
    QVERIFY(book.addAsk(ask(1, 40, 10, 1)).ok());
    // Wants 25, accepts 5 or more: takes the 10 there are, the other 15 rest.
    QCOMPARE(trades(book.addBid(bid(1, 50, 25, 5, 2))), QStringLiteral("1/1:10@40"));
    const auto resting = book.restingBid(1);
    QVERIFY(resting);
    QCOMPARE(resting->unitsLeft, 15);
    QCOMPARE(resting->filledUnits, 10);
    QCOMPARE(resting->minUnits, 1); // its minimum is met
    QCOMPARE(book.askCount(), 0);
    QCOMPARE(book.bestBidMinor(), 50);
    // The next ask fills the rest at the bid's price and rests with what is left of it.
    QCOMPARE(trades(book.addAsk(ask(2, 45, 20, 3))), QStringLiteral("1/2:15@50"));
    QVERIFY(!book.restingBid(1));
    QCOMPARE(book.restingAsk(2)->unitsLeft, 5);
    QCOMPARE(book.restingAsk(2)->filledUnits, 15);
    // Even a single unit now trades with a resting order.
    QCOMPARE(trades(book.addBid(bid(2, 45, 1, 1, 4))), QStringLiteral("2/2:1@45"));
}

void TestClearing::continuousMinimumNotMetRestsUntouched()
{
    ContinuousBook book;
    QVERIFY(book.addAsk(ask(1, 40, 10, 1)).ok());
    // Needs at least 15: only 10 cross, so it rests untouched and the book stays crossed.
    QVERIFY(book.addBid(bid(1, 50, 20, 15, 2)).trades.isEmpty());
    QCOMPARE(book.restingBid(1)->unitsLeft, 20);
    QCOMPARE(book.restingBid(1)->minUnits, 15);
    QCOMPARE(book.restingAsk(1)->unitsLeft, 10);
    QCOMPARE(book.bestBidMinor(), 50);
    QCOMPARE(book.bestAskMinor(), 40);
    // An ask of 8 cannot fill it to 15 on its own: it rests too; asks do not pool for a bid.
    QVERIFY(book.addAsk(ask(2, 40, 8, 3)).trades.isEmpty());
    // A smaller, lower bid is not held up by it.
    QCOMPARE(trades(book.addBid(bid(2, 45, 12, 1, 4))), QStringLiteral("2/1:10@40 2/2:2@40"));
    QCOMPARE(book.restingAsk(2)->unitsLeft, 6);
    // An arriving ask of 6 skips the big bid (6 < 15), which keeps its place, and serves the next.
    QVERIFY(book.addBid(bid(3, 30, 5, 1, 5)).trades.isEmpty()); // below every ask: rests
    QCOMPARE(trades(book.addAsk(ask(3, 30, 6, 6))), QStringLiteral("3/3:5@30"));
    QCOMPARE(book.restingBid(1)->unitsLeft, 20);
    QCOMPARE(book.restingBid(1)->filledUnits, 0);
    QCOMPARE(book.bestBidMinor(), 50);
    // An ask big enough on its own fills it.
    QCOMPARE(trades(book.addAsk(ask(4, 30, 20, 7))), QStringLiteral("1/4:20@50"));
    QVERIFY(!book.restingBid(1));
}

void TestClearing::continuousAskFindsTheFirstBidItCanFill()
{
    // 2,000 bids waiting for minimums of 100..2,099 units, interleaved in price with a few that
    // take any amount; asks of various sizes must each pick the first bid (by price, then
    // sequence) whose minimum they meet, as the slow walk in expectedTrades() does.
    ContinuousBook book;
    quint64 sequence = 0;
    for (qint64 i = 1; i <= 2000; ++i) {
        const qint64 units = i % 250 == 0 ? 5 : 100 + i;
        QVERIFY(book.addBid(bid(i, 1000 + (i * 7919) % 500, units, units, ++sequence)).ok());
    }
    QCOMPARE(book.bidCount(), 2000);
    qsizetype traded = 0;
    for (const qint64 units : {1, 99, 5, 150, 1000, 2099, 3000, 4, 100, 7, 5000}) {
        ++sequence;
        const Ask a = ask(qint64(sequence), 1200, units, sequence);
        const QString expected = expectedTrades(book.restingBids(), a);
        const auto u = book.addAsk(a);
        QCOMPARE(trades(u), expected);
        traded += u.trades.size();
    }
    QVERIFY(traded >= 5);
}

void TestClearing::continuousCancel()
{
    ContinuousBook book;
    QVERIFY(book.addBid(bid(1, 50, 10, 1, 1)).ok());
    QVERIFY(book.addBid(bid(2, 45, 10, 1, 2)).ok());
    QVERIFY(book.addAsk(ask(1, 60, 10, 3)).ok());
    const auto c = book.cancelBid(1);
    QVERIFY2(c.ok(), qPrintable(c.error));
    QVERIFY(c.trades.isEmpty());
    QCOMPARE(book.bestBidMinor(), 45);
    QCOMPARE(trades(book.addAsk(ask(2, 40, 10, 4))), QStringLiteral("2/2:10@45"));
    QCOMPARE(book.cancelBid(1).error, QStringLiteral("bid 1 is not resting"));   // twice
    QCOMPARE(book.cancelBid(2).error, QStringLiteral("bid 2 is not resting"));   // filled
    QCOMPARE(book.cancelBid(99).error, QStringLiteral("bid 99 is not resting")); // unknown
    QCOMPARE(book.cancelAsk(2).error, QStringLiteral("ask 2 is not resting"));
    QVERIFY(book.cancelAsk(1).ok());
    QCOMPARE(book.askCount(), 0);
    // An id does not come back after a cancel.
    QCOMPARE(book.addBid(bid(1, 50, 10, 1, 5)).error,
             QStringLiteral("bid 1: the id was used before"));
    // Bids and asks have their own ids.
    QVERIFY(book.addAsk(ask(3, 60, 5, 6)).ok());
    QVERIFY(book.addBid(bid(3, 10, 5, 1, 7)).ok());
}

void TestClearing::continuousHostileInputsChangeNothing()
{
    ContinuousBook book;
    QVERIFY(book.addAsk(ask(1, 40, 10, 5)).ok());
    const struct
    {
        Bid bid;
        QString error;
    } bad[] = {
        {bid(7, 50, 0, 0, 6), QStringLiteral("bid 7: units must be positive (got 0)")},
        {bid(7, 50, 5, 6, 6), QStringLiteral("bid 7: minUnits must be 1..5 (got 6)")},
        {bid(7, -5, 5, 1, 6), QStringLiteral("bid 7: price must not be negative (got -5)")},
        {bid(7, kMax, 2, 1, 6), QStringLiteral("bid 7: 2 units x 9223372036854775807 overflows "
                                               "64 bits")},
        {cancelled(bid(7, 50, 5, 1, 6)), QStringLiteral("bid 7: it is cancelled")},
        {bid(7, 50, 5, 1, 5), QStringLiteral("bid 7: sequence 5 is not after the last one, 5")},
        {bid(7, 50, 5, 1, 4), QStringLiteral("bid 7: sequence 4 is not after the last one, 5")},
    };
    for (const auto &b : bad) {
        const auto u = book.addBid(b.bid);
        QCOMPARE(u.error, b.error);
        QVERIFY(u.trades.isEmpty());
    }
    QCOMPARE(book.addAsk(ask(2, 40, -1, 6)).error,
             QStringLiteral("ask 2: units must be positive (got -1)"));
    QCOMPARE(book.addAsk(ask(2, -1, 1, 6)).error,
             QStringLiteral("ask 2: price must not be negative (got -1)"));
    QCOMPARE(book.addAsk(ask(2, 3, kMax / 2, 6)).error,
             QStringLiteral("ask 2: 4611686018427387903 units x 3 overflows 64 bits"));
    QCOMPARE(book.addAsk(ask(1, 40, 1, 6)).error, QStringLiteral("ask 1: the id was used before"));
    QCOMPARE(book.addAsk(ask(2, 40, 1, 1)).error,
             QStringLiteral("ask 2: sequence 1 is not after the last one, 5"));
    // Nothing changed: the ask is intact, no bid rests, and id 7 and sequence 6 are still free.
    QCOMPARE(book.bidCount(), 0);
    QCOMPARE(book.restingAsk(1)->unitsLeft, 10);
    QCOMPARE(trades(book.addBid(bid(7, 50, 5, 1, 6))), QStringLiteral("7/1:5@40"));
}

// Random orders and cancels, fixed seed: every trade follows the rules in clearing.h.
void TestClearing::randomBookKeepsTheInvariants()
{
    QRandomGenerator rng(77);
    const auto pick = [&](qint64 lo, qint64 hi) { return lo + qint64(rng.bounded(hi - lo + 1)); };
    ContinuousBook book;
    QMap<qint64, Bid> bids;
    QMap<qint64, Ask> asks;
    QMap<qint64, qint64> bidFilled;
    QMap<qint64, qint64> askFilled;
    QSet<qint64> cancelledBids;
    QSet<qint64> cancelledAsks;
    quint64 sequence = 0;
    qsizetype tradeCount = 0;
    for (int step = 0; step < 4000; ++step) {
        const qint64 what = pick(0, 19);
        if (what < 9) {
            const qint64 units = pick(1, 40);
            const int kind = int(pick(0, 2));
            Bid b = bid(bids.size() + 1, pick(20, 80), units,
                        kind == 0   ? units
                        : kind == 1 ? 1
                                    : pick(1, units),
                        ++sequence);
            bids.insert(b.id, b);
            const QString expected = expectedTrades(book.restingAsks(), b);
            const auto u = book.addBid(b);
            QCOMPARE(trades(u), expected);
            QVERIFY2(u.ok(), qPrintable(u.error));
            qint64 got = 0;
            qint64 lastPrice = -1;
            for (const Trade &t : u.trades) {
                QCOMPARE(t.bidId, b.id);
                QVERIFY(asks.contains(t.askId));
                QCOMPARE(t.priceMinor, asks[t.askId].priceMinor); // the resting ask's price
                QVERIFY(t.priceMinor <= b.priceMinor);
                QVERIFY(t.priceMinor >= lastPrice); // cheapest first
                lastPrice = t.priceMinor;
                got += t.units;
                askFilled[t.askId] += t.units;
                QVERIFY(askFilled[t.askId] <= asks[t.askId].units);
            }
            QVERIFY(got == 0 || got >= b.minUnits);
            bidFilled[b.id] = got;
        } else if (what < 18) {
            const Ask a = ask(asks.size() + 1, pick(20, 80), pick(1, 60), ++sequence);
            asks.insert(a.id, a);
            const QString expected = expectedTrades(book.restingBids(), a);
            const auto u = book.addAsk(a);
            QCOMPARE(trades(u), expected);
            QVERIFY2(u.ok(), qPrintable(u.error));
            qint64 lastPrice = kMax;
            qint64 got = 0;
            for (const Trade &t : u.trades) {
                QCOMPARE(t.askId, a.id);
                QVERIFY(bids.contains(t.bidId));
                const Bid &b = bids[t.bidId];
                QCOMPARE(t.priceMinor, b.priceMinor); // the resting bid's price
                QVERIFY(t.priceMinor >= a.priceMinor);
                QVERIFY(t.priceMinor <= lastPrice); // highest first
                lastPrice = t.priceMinor;
                got += t.units;
                bidFilled[b.id] += t.units;
                QVERIFY(bidFilled[b.id] >= b.minUnits && bidFilled[b.id] <= b.units);
            }
            QVERIFY(got <= a.units);
            askFilled[a.id] = got;
        } else if (!bids.isEmpty() && what == 18) {
            const qint64 id = pick(1, bids.size());
            const bool wasResting = book.restingBid(id).has_value();
            QCOMPARE(book.cancelBid(id).ok(), wasResting);
            if (wasResting)
                cancelledBids.insert(id);
        } else if (!asks.isEmpty()) {
            const qint64 id = pick(1, asks.size());
            const bool wasResting = book.restingAsk(id).has_value();
            QCOMPARE(book.cancelAsk(id).ok(), wasResting);
            if (wasResting)
                cancelledAsks.insert(id);
        }
        if (step % 20 != 0)
            continue;
        // The book's state agrees with the trades, and is in priority order.
        const auto restingBids = book.restingBids();
        const auto restingAsks = book.restingAsks();
        for (qsizetype i = 0; i < restingBids.size(); ++i) {
            const RestingOrder &o = restingBids[i];
            QCOMPARE(o.filledUnits, bidFilled[o.id]);
            QCOMPARE(o.unitsLeft + o.filledUnits, bids[o.id].units);
            QVERIFY(!cancelledBids.contains(o.id));
            if (i > 0) {
                const RestingOrder &p = restingBids[i - 1];
                QVERIFY(p.priceMinor > o.priceMinor ||
                        (p.priceMinor == o.priceMinor && p.sequence < o.sequence));
            }
            // Only a bid still waiting for its minimum may cross the best ask.
            if (o.minUnits == 1 && !restingAsks.isEmpty())
                QVERIFY(o.priceMinor < restingAsks.first().priceMinor);
        }
        for (qsizetype i = 0; i < restingAsks.size(); ++i) {
            const RestingOrder &o = restingAsks[i];
            QCOMPARE(o.filledUnits, askFilled[o.id]);
            QCOMPARE(o.unitsLeft + o.filledUnits, asks[o.id].units);
            QVERIFY(!cancelledAsks.contains(o.id));
            if (i > 0) {
                const RestingOrder &p = restingAsks[i - 1];
                QVERIFY(p.priceMinor < o.priceMinor ||
                        (p.priceMinor == o.priceMinor && p.sequence < o.sequence));
            }
        }
    }
    for (auto it = bidFilled.cbegin(); it != bidFilled.cend(); ++it) {
        QVERIFY(it.value() == 0 || it.value() >= bids[it.key()].minUnits);
        tradeCount += it.value() > 0;
    }
    QVERIFY(tradeCount > 500); // the mix did trade
}

QTEST_GUILESS_MAIN(TestClearing)
#include "tst_clearing.moc"
