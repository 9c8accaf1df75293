#include "market/clearing.h"

#include <QtNumeric>
#include <algorithm>
#include <limits>
#include <vector>

namespace headroom {
namespace {

constexpr qint64 kNone = -1; // no such price (prices are >= 0)

QString plural(qsizetype n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

ClearingResult failed(const QString &error)
{
    ClearingResult r;
    r.error = error;
    return r;
}

// Checks what both auctions take: supply, the posted price or reserve, and every bid (cancelled
// ones too), unique ids and sequences.
QString checkInputs(qint64 supplyUnits, qint64 priceMinor, const char *priceName,
                    const QList<Bid> &bids)
{
    if (supplyUnits < 0)
        return QStringLiteral("supply must not be negative (got %1)").arg(supplyUnits);
    if (priceMinor < 0)
        return QStringLiteral("%1 must not be negative (got %2)")
            .arg(QLatin1String(priceName))
            .arg(priceMinor);
    std::vector<qint64> ids;
    std::vector<quint64> sequences;
    ids.reserve(size_t(bids.size()));
    sequences.reserve(size_t(bids.size()));
    for (const Bid &b : bids) {
        if (QString e = validateBid(b); !e.isEmpty())
            return e;
        ids.push_back(b.id);
        sequences.push_back(b.sequence);
    }
    std::sort(ids.begin(), ids.end());
    if (auto it = std::adjacent_find(ids.begin(), ids.end()); it != ids.end())
        return QStringLiteral("two bids have the id %1").arg(*it);
    std::sort(sequences.begin(), sequences.end());
    if (auto it = std::adjacent_find(sequences.begin(), sequences.end()); it != sequences.end())
        return QStringLiteral("two bids have the sequence %1").arg(*it);
    return {};
}

// What clearing sorts: the key and where the bid is, so sorting moves 24 bytes, not a Bid.
struct Rank
{
    qint64 priceMinor;
    quint64 sequence;
    qsizetype index;
};

std::vector<Rank> liveBids(const QList<Bid> &bids)
{
    std::vector<Rank> ranks;
    ranks.reserve(size_t(bids.size()));
    for (qsizetype i = 0; i < bids.size(); ++i) {
        if (!bids[i].cancelled)
            ranks.push_back({bids[i].priceMinor, bids[i].sequence, i});
    }
    return ranks;
}

// Fills in the price, totals and revenue once the allocation is known; fails on a revenue that
// overflows qint64 (each fill's value fits, as it is at most its bid's).
ClearingResult finish(ClearingResult r, qint64 supplyUnits, qint64 priceMinor)
{
    r.clearingPriceMinor = r.fills.isEmpty() ? 0 : priceMinor;
    for (Fill &f : r.fills) {
        f.priceMinor = r.clearingPriceMinor;
        r.unitsSold += f.units; // <= supplyUnits: allocation never hands out more
        qint64 value = 0;
        if (qMulOverflow(f.units, f.priceMinor, &value) ||
            qAddOverflow(r.revenueMinor, value, &r.revenueMinor))
            return failed(QStringLiteral("the fills' total value overflows 64 bits"));
    }
    r.unitsLeft = supplyUnits - r.unitsSold;
    return r;
}

QString soldSentence(const ClearingResult &r, qint64 supplyUnits)
{
    return QStringLiteral("sold %1 of %2 units to %3 at %4 per unit")
        .arg(r.unitsSold)
        .arg(supplyUnits)
        .arg(plural(r.fills.size(), "bid", "bids"))
        .arg(r.clearingPriceMinor);
}

} // namespace

QString validateBid(const Bid &bid)
{
    const QString who = QStringLiteral("bid %1: ").arg(bid.id);
    if (bid.units <= 0)
        return who + QStringLiteral("units must be positive (got %1)").arg(bid.units);
    if (bid.minUnits < 1 || bid.minUnits > bid.units)
        return who +
               QStringLiteral("minUnits must be 1..%1 (got %2)").arg(bid.units).arg(bid.minUnits);
    if (bid.priceMinor < 0)
        return who + QStringLiteral("price must not be negative (got %1)").arg(bid.priceMinor);
    qint64 value = 0;
    if (qMulOverflow(bid.units, bid.priceMinor, &value))
        return who +
               QStringLiteral("%1 units x %2 overflows 64 bits").arg(bid.units).arg(bid.priceMinor);
    return {};
}

ClearingResult clearFixedPrice(qint64 supplyUnits, qint64 priceMinor, const QList<Bid> &bids)
{
    if (QString e = checkInputs(supplyUnits, priceMinor, "the posted price", bids); !e.isEmpty())
        return failed(e);

    std::vector<Rank> order = liveBids(bids);
    std::sort(order.begin(), order.end(),
              [](const Rank &a, const Rank &b) { return a.sequence < b.sequence; });

    ClearingResult r;
    qint64 left = supplyUnits;
    qsizetype belowPrice = 0;
    qsizetype tooBig = 0;
    qint64 highestBelow = kNone;
    for (const Rank &rank : order) {
        const Bid &b = bids[rank.index];
        if (b.priceMinor < priceMinor) {
            ++belowPrice;
            highestBelow = std::max(highestBelow, b.priceMinor);
            r.losers.append(b.id);
            continue;
        }
        const qint64 take = std::min(b.units, left);
        if (take >= b.minUnits) { // minUnits >= 1, so take > 0
            r.fills.append({b.id, take, 0});
            left -= take;
        } else {
            ++tooBig;
            r.losers.append(b.id);
        }
    }
    r = finish(std::move(r), supplyUnits, priceMinor);
    if (!r.ok())
        return r;

    if (order.empty())
        r.explanation = QStringLiteral("no bids");
    else if (supplyUnits == 0)
        r.explanation = QStringLiteral("nothing to sell: the supply is 0 units");
    else if (belowPrice == qsizetype(order.size()))
        r.explanation = QStringLiteral("no bid at the posted price: highest bid %1 < price %2")
                            .arg(highestBelow)
                            .arg(priceMinor);
    else if (r.fills.isEmpty())
        r.explanation = QStringLiteral("no bid at the posted price fits: %1 wanted more than the "
                                       "%2 units on offer")
                            .arg(plural(tooBig, "bid", "bids"))
                            .arg(supplyUnits);
    else
        r.explanation = soldSentence(r, supplyUnits) +
                        QStringLiteral(", the posted price, first come first served");
    if (!r.fills.isEmpty()) {
        if (belowPrice > 0)
            r.explanation +=
                QStringLiteral("; %1 below it").arg(plural(belowPrice, "bid was", "bids were"));
        if (tooBig > 0)
            r.explanation += QStringLiteral("; %1 not get %2 minimum")
                                 .arg(plural(tooBig, "bid did", "bids did"),
                                      QLatin1String(tooBig == 1 ? "its" : "their"));
    }
    return r;
}

ClearingResult clearUniformAuction(qint64 supplyUnits, qint64 reserveMinor, const QList<Bid> &bids)
{
    if (QString e = checkInputs(supplyUnits, reserveMinor, "the reserve", bids); !e.isEmpty())
        return failed(e);

    std::vector<Rank> order = liveBids(bids);
    std::sort(order.begin(), order.end(), [](const Rank &a, const Rank &b) {
        return a.priceMinor != b.priceMinor ? a.priceMinor > b.priceMinor : a.sequence < b.sequence;
    });

    ClearingResult r;
    qint64 left = supplyUnits;
    qint64 highestLosing = kNone; // H: highest eligible bid that got nothing
    qint64 lowestWinning = kNone; // L
    qsizetype belowReserve = 0;
    for (const Rank &rank : order) {
        const Bid &b = bids[rank.index];
        if (b.priceMinor < reserveMinor) {
            ++belowReserve;
            r.losers.append(b.id);
            continue;
        }
        const qint64 take = std::min(b.units, left);
        if (take >= b.minUnits) { // minUnits >= 1, so take > 0
            r.fills.append({b.id, take, 0});
            left -= take;
            lowestWinning = b.priceMinor; // sorted by price, highest first
        } else {
            r.losers.append(b.id);
            if (highestLosing == kNone)
                highestLosing = b.priceMinor;
        }
    }
    // The proof in the header, checked: reserve <= price <= every winner's bid.
    const qint64 price =
        r.fills.isEmpty() ? 0 : std::min(std::max(reserveMinor, highestLosing), lowestWinning);
    Q_ASSERT(r.fills.isEmpty() || (price >= reserveMinor && price <= lowestWinning));
    r = finish(std::move(r), supplyUnits, price);
    if (!r.ok())
        return r;

    const qsizetype eligible = qsizetype(order.size()) - belowReserve;
    if (order.empty())
        r.explanation = QStringLiteral("no bids");
    else if (supplyUnits == 0)
        r.explanation = QStringLiteral("nothing to sell: the supply is 0 units");
    else if (eligible == 0)
        r.explanation = QStringLiteral("reserve not met: highest bid %1 < reserve %2")
                            .arg(bids[order.front().index].priceMinor)
                            .arg(reserveMinor);
    else if (r.fills.isEmpty())
        r.explanation = QStringLiteral("no bid fits: %1 at or above the reserve wanted more than "
                                       "the %2 units on offer")
                            .arg(plural(eligible, "bid", "bids"))
                            .arg(supplyUnits);
    else if (highestLosing == kNone)
        r.explanation = soldSentence(r, supplyUnits) +
                        QStringLiteral(", the reserve: no bid at or above it lost");
    else if (highestLosing <= lowestWinning)
        r.explanation = soldSentence(r, supplyUnits) + QStringLiteral(", the highest losing bid");
    else
        r.explanation = soldSentence(r, supplyUnits) +
                        QStringLiteral(", the lowest winning bid: the highest losing bid, %1, "
                                       "lost on its minimum size, not its price")
                            .arg(highestLosing);
    if (!r.fills.isEmpty() && belowReserve > 0)
        r.explanation += QStringLiteral("; %1 below the reserve %2")
                             .arg(plural(belowReserve, "bid was", "bids were"))
                             .arg(reserveMinor);
    return r;
}

// --- ContinuousBook ---

QString ContinuousBook::checkArrival(const char *side, qint64 id, const QSet<qint64> &seen,
                                     quint64 sequence) const
{
    if (seen.contains(id))
        return QStringLiteral("%1 %2: the id was used before").arg(QLatin1String(side)).arg(id);
    if (m_lastSequence && sequence <= *m_lastSequence)
        return QStringLiteral("%1 %2: sequence %3 is not after the last one, %4")
            .arg(QLatin1String(side))
            .arg(id)
            .arg(sequence)
            .arg(*m_lastSequence);
    return {};
}

BookUpdate ContinuousBook::addBid(const Bid &bid)
{
    BookUpdate u;
    u.error = validateBid(bid);
    if (u.error.isEmpty() && bid.cancelled)
        u.error = QStringLiteral("bid %1: it is cancelled").arg(bid.id);
    if (u.error.isEmpty())
        u.error = checkArrival("bid", bid.id, m_bidIdsSeen, bid.sequence);
    if (!u.ok())
        return u;
    m_bidIdsSeen.insert(bid.id);
    m_lastSequence = bid.sequence;

    RestingOrder order{
        bid.id, bid.purchaserId, bid.priceMinor, bid.sequence, bid.units, bid.minUnits, 0};
    // Trade only if the crossing asks hold the minimum between them (asks are divisible).
    qint64 available = 0;
    for (auto it = m_asks.cbegin();
         it != m_asks.cend() && it->first.priceMinor <= bid.priceMinor && available < bid.minUnits;
         ++it)
        available += std::min(it->second.unitsLeft, bid.minUnits - available);
    if (available >= bid.minUnits) {
        while (order.unitsLeft > 0 && !m_asks.empty() &&
               m_asks.begin()->first.priceMinor <= bid.priceMinor) {
            auto it = m_asks.begin();
            RestingOrder &ask = it->second;
            const qint64 take = std::min(order.unitsLeft, ask.unitsLeft);
            u.trades.append({bid.id, ask.id, take, ask.priceMinor});
            order.unitsLeft -= take;
            order.filledUnits += take;
            ask.unitsLeft -= take;
            ask.filledUnits += take;
            if (ask.unitsLeft == 0) {
                m_askKeys.remove(ask.id);
                m_asks.erase(it);
            }
        }
        order.minUnits = 1; // its minimum is met: the rest takes any amount
    }
    if (order.unitsLeft > 0) {
        m_bids.insert(order);
        m_bidKeys.insert(bid.id, Key{bid.priceMinor, bid.sequence});
    }
    return u;
}

BookUpdate ContinuousBook::addAsk(const Ask &ask)
{
    BookUpdate u;
    const QString who = QStringLiteral("ask %1: ").arg(ask.id);
    qint64 value = 0;
    if (ask.units <= 0)
        u.error = who + QStringLiteral("units must be positive (got %1)").arg(ask.units);
    else if (ask.priceMinor < 0)
        u.error = who + QStringLiteral("price must not be negative (got %1)").arg(ask.priceMinor);
    else if (qMulOverflow(ask.units, ask.priceMinor, &value))
        u.error =
            who +
            QStringLiteral("%1 units x %2 overflows 64 bits").arg(ask.units).arg(ask.priceMinor);
    else
        u.error = checkArrival("ask", ask.id, m_askIdsSeen, ask.sequence);
    if (!u.ok())
        return u;
    m_askIdsSeen.insert(ask.id);
    m_lastSequence = ask.sequence;

    RestingOrder order{ask.id, 0, ask.priceMinor, ask.sequence, ask.units, 1, 0};
    // Bids this ask alone cannot fill to their minimum are passed over and keep their place.
    while (order.unitsLeft > 0) {
        const RestingOrder *next = m_bids.firstFillable(order.unitsLeft, ask.priceMinor);
        if (!next)
            break;
        RestingOrder bid = *next;
        const qint64 take = std::min(order.unitsLeft, bid.unitsLeft);
        Q_ASSERT(take >= bid.minUnits); // minUnits <= both: the ask's units and the bid's left
        u.trades.append({bid.id, ask.id, take, bid.priceMinor});
        order.unitsLeft -= take;
        order.filledUnits += take;
        bid.unitsLeft -= take;
        bid.filledUnits += take;
        bid.minUnits = 1;
        if (bid.unitsLeft == 0) {
            m_bidKeys.remove(bid.id);
            m_bids.erase(Key{bid.priceMinor, bid.sequence});
        } else {
            m_bids.replace(bid);
        }
    }
    if (order.unitsLeft > 0) {
        const Key key{ask.priceMinor, ask.sequence};
        m_asks.emplace(key, order);
        m_askKeys.insert(ask.id, key);
    }
    return u;
}

BookUpdate ContinuousBook::cancelBid(qint64 id)
{
    BookUpdate u;
    const auto key = m_bidKeys.constFind(id);
    if (key == m_bidKeys.cend()) {
        u.error = QStringLiteral("bid %1 is not resting").arg(id);
        return u;
    }
    m_bids.erase(*key);
    m_bidKeys.erase(key);
    return u;
}

BookUpdate ContinuousBook::cancelAsk(qint64 id)
{
    BookUpdate u;
    const auto key = m_askKeys.constFind(id);
    if (key == m_askKeys.cend()) {
        u.error = QStringLiteral("ask %1 is not resting").arg(id);
        return u;
    }
    m_asks.erase(*key);
    m_askKeys.erase(key);
    return u;
}

QList<RestingOrder> ContinuousBook::restingBids() const
{
    return m_bids.inOrder();
}

QList<RestingOrder> ContinuousBook::restingAsks() const
{
    QList<RestingOrder> out;
    out.reserve(askCount());
    for (const auto &[key, order] : m_asks)
        out.append(order);
    return out;
}

std::optional<RestingOrder> ContinuousBook::restingBid(qint64 id) const
{
    const auto key = m_bidKeys.constFind(id);
    if (key == m_bidKeys.cend())
        return std::nullopt;
    return *m_bids.find(*key);
}

std::optional<RestingOrder> ContinuousBook::restingAsk(qint64 id) const
{
    const auto key = m_askKeys.constFind(id);
    if (key == m_askKeys.cend())
        return std::nullopt;
    return m_asks.at(*key);
}

std::optional<qint64> ContinuousBook::bestBidMinor() const
{
    if (const RestingOrder *best = m_bids.best())
        return best->priceMinor;
    return std::nullopt;
}

std::optional<qint64> ContinuousBook::bestAskMinor() const
{
    if (m_asks.empty())
        return std::nullopt;
    return m_asks.begin()->first.priceMinor;
}

// --- ContinuousBook::BidTree ---

namespace {

// Priority order of bids: highest price first, then earliest sequence.
bool before(qint64 priceA, quint64 sequenceA, qint64 priceB, quint64 sequenceB)
{
    return priceA != priceB ? priceA > priceB : sequenceA < sequenceB;
}

// SplitMix64: a fixed, well-spread hash of the sequence for the treap's heap order.
quint64 treapPriority(quint64 sequence)
{
    quint64 z = sequence + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

void ContinuousBook::BidTree::update(int n)
{
    Node &node = m_nodes[size_t(n)];
    node.leastMinUnits =
        std::min({node.order.minUnits, leastMinUnits(node.left), leastMinUnits(node.right)});
}

void ContinuousBook::BidTree::split(int t, const ContinuousBook::Key &key, int &first, int &rest)
{
    if (t < 0) {
        first = rest = -1;
        return;
    }
    Node &node = m_nodes[size_t(t)];
    if (before(node.order.priceMinor, node.order.sequence, key.priceMinor, key.sequence)) {
        split(node.right, key, node.right, rest);
        first = t;
    } else {
        split(node.left, key, first, node.left);
        rest = t;
    }
    update(t);
}

int ContinuousBook::BidTree::merge(int a, int b)
{
    if (a < 0 || b < 0)
        return a < 0 ? b : a;
    if (m_nodes[size_t(a)].priority > m_nodes[size_t(b)].priority) {
        const int right = merge(m_nodes[size_t(a)].right, b);
        m_nodes[size_t(a)].right = right;
        update(a);
        return a;
    }
    const int left = merge(a, m_nodes[size_t(b)].left);
    m_nodes[size_t(b)].left = left;
    update(b);
    return b;
}

void ContinuousBook::BidTree::insert(const RestingOrder &order)
{
    const Node node{order, treapPriority(order.sequence), order.minUnits, -1, -1};
    int n = 0;
    if (m_free.empty()) {
        m_nodes.push_back(node);
        n = int(m_nodes.size() - 1);
    } else {
        n = m_free.back();
        m_free.pop_back();
        m_nodes[size_t(n)] = node;
    }
    int first = -1;
    int rest = -1;
    split(m_root, ContinuousBook::Key{order.priceMinor, order.sequence}, first, rest);
    m_root = merge(merge(first, n), rest);
    ++m_size;
}

int ContinuousBook::BidTree::eraseFrom(int t, const ContinuousBook::Key &key)
{
    Q_ASSERT(t >= 0);
    Node &node = m_nodes[size_t(t)];
    if (node.order.priceMinor == key.priceMinor && node.order.sequence == key.sequence) {
        const int joined = merge(node.left, node.right);
        m_free.push_back(t);
        return joined;
    }
    if (before(key.priceMinor, key.sequence, node.order.priceMinor, node.order.sequence))
        node.left = eraseFrom(node.left, key);
    else
        node.right = eraseFrom(node.right, key);
    update(t);
    return t;
}

void ContinuousBook::BidTree::erase(const ContinuousBook::Key &key)
{
    m_root = eraseFrom(m_root, key);
    --m_size;
}

void ContinuousBook::BidTree::replaceIn(int t, const RestingOrder &order)
{
    Q_ASSERT(t >= 0);
    Node &node = m_nodes[size_t(t)];
    if (node.order.priceMinor == order.priceMinor && node.order.sequence == order.sequence)
        node.order = order;
    else if (before(order.priceMinor, order.sequence, node.order.priceMinor, node.order.sequence))
        replaceIn(node.left, order);
    else
        replaceIn(node.right, order);
    update(t);
}

void ContinuousBook::BidTree::replace(const RestingOrder &order)
{
    replaceIn(m_root, order);
}

const RestingOrder *ContinuousBook::BidTree::find(const ContinuousBook::Key &key) const
{
    int n = m_root;
    while (n >= 0) {
        const Node &node = m_nodes[size_t(n)];
        if (node.order.priceMinor == key.priceMinor && node.order.sequence == key.sequence)
            return &node.order;
        n = before(key.priceMinor, key.sequence, node.order.priceMinor, node.order.sequence)
                ? node.left
                : node.right;
    }
    return nullptr;
}

const RestingOrder *ContinuousBook::BidTree::best() const
{
    int n = m_root;
    if (n < 0)
        return nullptr;
    while (m_nodes[size_t(n)].left >= 0)
        n = m_nodes[size_t(n)].left;
    return &m_nodes[size_t(n)].order;
}

const RestingOrder *ContinuousBook::BidTree::firstFillable(qint64 units, qint64 priceMinor) const
{
    if (leastMinUnits(m_root) > units)
        return nullptr;
    int n = m_root;
    for (;;) { // the leftmost node with minUnits <= units: it is below n
        const Node &node = m_nodes[size_t(n)];
        if (leastMinUnits(node.left) <= units)
            n = node.left;
        else if (node.order.minUnits <= units)
            break;
        else
            n = node.right;
    }
    // Bids are by price, highest first: if this one is too low, every later one is too.
    const RestingOrder &order = m_nodes[size_t(n)].order;
    return order.priceMinor >= priceMinor ? &order : nullptr;
}

QList<RestingOrder> ContinuousBook::BidTree::inOrder() const
{
    QList<RestingOrder> out;
    out.reserve(m_size);
    std::vector<int> path;
    int n = m_root;
    while (n >= 0 || !path.empty()) {
        while (n >= 0) {
            path.push_back(n);
            n = m_nodes[size_t(n)].left;
        }
        n = path.back();
        path.pop_back();
        out.append(m_nodes[size_t(n)].order);
        n = m_nodes[size_t(n)].right;
    }
    return out;
}

} // namespace headroom
