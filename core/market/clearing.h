#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <limits>
#include <map>
#include <optional>
#include <vector>

namespace headroom {

// Market clearing (issue 6): who gets how much of an offer's capacity, and at what price. Pure
// functions and one value-type order book - no clock, no I/O, no randomness: the same input always
// clears the same way, whatever order the bids are listed in.
//
// Units and money. Quantities are whole req/s ("units": an offer of 300 req/s sells 300 units),
// so fills are exact. Prices are integer minor units of the offer's currency (cents) per unit; in
// Headroom that is per unit per hour of the window, but clearing never multiplies by hours or
// looks at the currency: both belong to the offer. Every order's value, units x price, must fit in
// qint64, so no single fill's value can overflow.
//
// Hostile input is rejected, never undefined: zero or negative units, minUnits outside 1..units,
// negative prices, a value that overflows, a negative supply or reserve, two bids with the same id
// or the same sequence. A clearing with any such bid fails as a whole (ClearingResult::error names
// the bid) - bids are meant to be checked with validateBid() when placed, so one reaching clearing
// malformed is corruption, not a bidder's mistake to route around.

struct Bid
{
    qint64 id = 0;
    qint64 purchaserId = 0;
    qint64 units = 0;      // wanted, > 0
    qint64 minUnits = 0;   // the least it accepts, 1..units; == units: all or nothing
    qint64 priceMinor = 0; // the most it pays per unit, >= 0
    qint64 placedAtMs = 0; // for the record; `sequence` is what orders bids
    quint64 sequence = 0;  // arrival order, unique: the earlier bid wins a tie
    bool cancelled = false;
};

struct Fill
{
    qint64 bidId = 0;
    qint64 units = 0;      // minUnits <= units <= the bid's units
    qint64 priceMinor = 0; // per unit; never more than the bid's price
};

struct ClearingResult
{
    QList<Fill> fills;             // in the order they were allocated
    qint64 clearingPriceMinor = 0; // what every fill pays per unit; 0 when nothing was sold
    qint64 unitsSold = 0;
    qint64 unitsLeft = 0;    // supply - unitsSold
    qint64 revenueMinor = 0; // sum of units x price over the fills
    // Bids (not cancelled) that got nothing, in the order they were considered. Cancelled bids are
    // neither winners nor losers.
    QList<qint64> losers;
    QString explanation; // one sentence for the operator, e.g. "reserve not met: ..."
    QString error;       // set when the input was rejected; then nothing else is

    bool ok() const { return error.isEmpty(); }
};

// Empty when the bid is well-formed (as the comment at the top says); else why not, naming it.
QString validateBid(const Bid &bid);

// Fixed price, first come first served: bids are taken in `sequence` order, each for
// min(units, what is left) if that is at least its minUnits (else it gets nothing and later bids
// may still fit). A bid is an order at the posted price: one whose priceMinor is below
// `priceMinor` is refused; every other pays exactly `priceMinor`.
ClearingResult clearFixedPrice(qint64 supplyUnits, qint64 priceMinor, const QList<Bid> &bids);

// Sealed-bid, multi-unit, uniform-price auction, run at the close.
//
// Allocation. Cancelled bids and bids below `reserveMinor` take no part. The rest are taken by
// price, highest first, then by sequence, earliest first; each gets min(units, what is left) if
// that is at least its minUnits. A bid that cannot get its minimum gets nothing and is skipped, so
// a later, smaller bid may still take what is left.
//
// Price. Every winner pays the same price per unit:
//     price = min(max(reserve, H), L)
// where H is the highest price among the bids at or above the reserve that got nothing (the
// "losing bids"), and L is the lowest price among the winners. A partially filled marginal bid is
// a winner: the units it did not get set no price - else accepting a partial fill would make a
// bidder pay its own bid for what it did get. So with 100 units, A wanting 120 at 50 (partial
// accepted) and B 30 at 40 (all or nothing): A gets 100 and pays 40, B's losing bid, not 50 for
// its own unfilled 20; without B, A pays the reserve. The cap L only bites when a bid lost on its
// size, not its price (an all-or-nothing bid at 90 that did not fit while a smaller bid at 80 did):
// then the winners pay 80, not 90. Why no winner pays more than it bid: price <= L <= every
// winner's price. Why the reserve is met: every winner is at or above the reserve, so L >= reserve,
// and max(reserve, H) >= reserve.
ClearingResult clearUniformAuction(qint64 supplyUnits, qint64 reserveMinor, const QList<Bid> &bids);

// The continuous market's order book. Asks (the operator's capacity, at the least it takes per
// unit: the ask price is the reserve) and bids (a purchaser's order, at the most it pays) are
// matched as they arrive, by price-time priority: the best price first, then the earliest
// sequence. A trade is always at the resting order's price.
//
// Minimum fills: a bid's total fill is 0 or at least its minUnits. An arriving bid trades only if
// the asks it crosses hold its minUnits between them; otherwise it rests untouched. Once filled to
// its minimum, the rest of it takes any amount. An arriving ask skips resting bids it alone cannot
// fill to their minimum (they keep their place) and goes on to the next. So the book can stay
// crossed - a bid at or above the best ask - only for bids still waiting for their minimum, which
// only a later ask large enough on its own will fill. Asks are always divisible.
//
// Ids are unique per side over the book's lifetime (a filled or cancelled id cannot return);
// sequences are strictly increasing over both sides, as the calls arrive. An add or cancel that
// breaks a rule changes nothing and says why in BookUpdate::error. Cost: O(log n) per order
// touched (expected), also for an arriving ask facing many bids waiting for a minimum it cannot
// meet: it finds the first bid it can fill without walking past the others (see BidTree).
struct Ask
{
    qint64 id = 0;
    qint64 units = 0;      // offered, > 0
    qint64 priceMinor = 0; // the least it takes per unit, >= 0
    quint64 sequence = 0;
};

struct Trade
{
    qint64 bidId = 0;
    qint64 askId = 0;
    qint64 units = 0;
    qint64 priceMinor = 0; // the resting order's price
};

struct BookUpdate
{
    QList<Trade> trades; // in the order they happened
    QString error;

    bool ok() const { return error.isEmpty(); }
};

struct RestingOrder
{
    qint64 id = 0;
    qint64 purchaserId = 0; // 0 for asks
    qint64 priceMinor = 0;
    quint64 sequence = 0;
    qint64 unitsLeft = 0;
    qint64 minUnits = 1;    // the least its next fill may be (asks: 1)
    qint64 filledUnits = 0; // so far
};

class ContinuousBook
{
public:
    BookUpdate addBid(const Bid &bid); // `cancelled` must be false
    BookUpdate addAsk(const Ask &ask);
    BookUpdate cancelBid(qint64 id); // error unless the bid is resting; never trades
    BookUpdate cancelAsk(qint64 id);

    QList<RestingOrder> restingBids() const; // best first
    QList<RestingOrder> restingAsks() const; // best first
    std::optional<RestingOrder> restingBid(qint64 id) const;
    std::optional<RestingOrder> restingAsk(qint64 id) const;
    std::optional<qint64> bestBidMinor() const;
    std::optional<qint64> bestAskMinor() const;
    qsizetype bidCount() const { return m_bids.size(); }
    qsizetype askCount() const { return qsizetype(m_asks.size()); }

private:
    struct Key
    {
        qint64 priceMinor = 0;
        quint64 sequence = 0;
    };
    struct LowestFirst
    {
        bool operator()(const Key &a, const Key &b) const
        {
            return a.priceMinor != b.priceMinor ? a.priceMinor < b.priceMinor
                                                : a.sequence < b.sequence;
        }
    };

    // Resting bids in priority order (highest price, then earliest sequence): a treap whose nodes
    // also know the smallest minUnits beneath them. That is what lets an arriving ask of n units
    // find the first bid with minUnits <= n in O(log n) - with a plain ordered map it would walk
    // past every bid waiting for a bigger minimum, and a purchaser could slow every ask down by
    // placing many. Node priorities hash the sequence, so the shape is deterministic too.
    class BidTree
    {
    public:
        qsizetype size() const { return m_size; }
        void insert(const RestingOrder &order);
        void erase(const Key &key);
        void replace(const RestingOrder &order); // same key, new units or minimum
        const RestingOrder *find(const Key &key) const;
        const RestingOrder *best() const;
        // The first bid in priority order with minUnits <= units, if its price is >= priceMinor.
        const RestingOrder *firstFillable(qint64 units, qint64 priceMinor) const;
        QList<RestingOrder> inOrder() const;

    private:
        struct Node
        {
            RestingOrder order;
            quint64 priority = 0;
            qint64 leastMinUnits = 0; // over this node and its subtrees
            int left = -1;
            int right = -1;
        };
        void update(int n);
        void split(int t, const Key &key, int &before, int &rest);
        int merge(int a, int b);
        int eraseFrom(int t, const Key &key);
        void replaceIn(int t, const RestingOrder &order);
        qint64 leastMinUnits(int n) const { return n < 0 ? kNoMinimum : m_nodes[n].leastMinUnits; }

        static constexpr qint64 kNoMinimum = std::numeric_limits<qint64>::max();
        std::vector<Node> m_nodes; // arena; freed slots are reused
        std::vector<int> m_free;
        int m_root = -1;
        qsizetype m_size = 0;
    };

    QString checkArrival(const char *side, qint64 id, const QSet<qint64> &seen,
                         quint64 sequence) const;

    BidTree m_bids;
    std::map<Key, RestingOrder, LowestFirst> m_asks;
    QHash<qint64, Key> m_bidKeys; // resting ones
    QHash<qint64, Key> m_askKeys;
    QSet<qint64> m_bidIdsSeen;
    QSet<qint64> m_askIdsSeen;
    std::optional<quint64> m_lastSequence;
};

} // namespace headroom
