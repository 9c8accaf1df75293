#include "marketboard.h"

#include "databasethread.h"
#include "security/auditedactions.h"
#include "store/changewatcher.h"
#include "store/database.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"

#include <QDateTime>
#include <QPointer>
#include <algorithm>

namespace headroom {

namespace {

qint64 finalEndMs(const Offer &offer)
{
    return offer.endsAtMs() + qint64(qMax(0, offer.dailyDays - 1)) * Lease::kDayMs;
}

// Failure values for a command that never reached the service.
template <typename R> R unavailable(const QString &why);
template <> MarketResult<OfferCheck> unavailable(const QString &why)
{
    return MarketError{MarketError::Kind::Storage, why};
}
template <> MarketResult<Offer> unavailable(const QString &why)
{
    return MarketError{MarketError::Kind::Storage, why};
}
template <> MarketResult<Approval> unavailable(const QString &why)
{
    return MarketError{MarketError::Kind::Storage, why};
}
template <> MarketResult<Purchase> unavailable(const QString &why)
{
    return MarketError{MarketError::Kind::Storage, why};
}
template <> Result<qint64> unavailable(const QString &why)
{
    return StoreError{why, 0};
}

MarketSnapshot readSnapshot(Database &database)
{
    MarketSnapshot s;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    s.readAtMs = now;
    const MarketService market(database);
    const auto offers = market.offers(false);
    if (!offers) {
        s.error = offers.error().message;
        return s;
    }
    QList<Offer> open;
    QList<Offer> others;
    for (const Offer &o : offers.value()) {
        if (o.state == OfferState::Open)
            open.append(o);
        else if (finalEndMs(o) >= now - MarketBoard::HistoryMs ||
                 o.createdAtMs >= now - MarketBoard::HistoryMs)
            others.append(o);
    }
    std::stable_sort(open.begin(), open.end(), [](const Offer &a, const Offer &b) {
        return a.startsAtMs != b.startsAtMs ? a.startsAtMs < b.startsAtMs : a.id < b.id;
    });
    std::stable_sort(others.begin(), others.end(),
                     [](const Offer &a, const Offer &b) { return a.id > b.id; });
    s.offers = open + others;

    QStringList pools;
    for (const Offer &o : std::as_const(s.offers)) {
        if (!pools.contains(o.pool))
            pools.append(o.pool);
    }
    const auto purchases = market.purchases(PurchaseFilter{});
    const auto audit = market.audit(MarketBoard::AuditRows);
    const auto purchasers = PurchaserRepository(database).all();
    const auto sites = SiteRepository(database).all();
    const auto proxies = ProxyRepository(database).all();
    if (!purchases || !audit) {
        s.error = !purchases ? purchases.error().message : audit.error().message;
    } else if (!purchasers || !sites || !proxies) {
        s.error = !purchasers ? purchasers.error().message
                  : !sites    ? sites.error().message
                              : proxies.error().message;
    }
    if (!s.error.isEmpty()) {
        s.offers.clear();
        return s;
    }
    // Only the offers shown: the bid history of every offer ever would grow without end.
    for (const Offer &o : std::as_const(s.offers)) {
        const auto bids = market.bids(BidFilter{o.id, std::nullopt, false});
        if (!bids) {
            s = MarketSnapshot{};
            s.readAtMs = now;
            s.error = bids.error().message;
            return s;
        }
        s.bids += bids.value();
    }
    s.purchases = purchases.value();
    s.audit = audit.value();
    s.purchasers = purchasers.value();
    s.sites = sites.value();
    for (const Proxy &p : proxies.value()) {
        if (!p.pool.isEmpty() && !pools.contains(p.pool))
            pools.append(p.pool);
    }
    std::sort(pools.begin(), pools.end());
    s.pools = pools;
    for (const Offer &o : std::as_const(open)) {
        if (o.pricing != PricingMode::Auction)
            continue;
        const auto preview = market.previewClearing(o.id);
        if (preview)
            s.previews.insert(o.id, preview.value());
    }
    return s;
}

} // namespace

MarketBoard::MarketBoard(QObject *parent)
    : QObject(parent), m_reader(new DatabaseThread(QStringLiteral("MarketReader"), this)),
      m_writer(new DatabaseThread(QStringLiteral("MarketWriter"), this)),
      m_watcher(new ChangeWatcher(this)), m_actor(AuditLog::consoleActor())
{
    connect(m_watcher, &ChangeWatcher::changed, this, &MarketBoard::refresh);
}

MarketBoard::~MarketBoard() = default;

void MarketBoard::open(const QString &path)
{
    ++m_generation;
    m_path = path;
    m_snapshot = MarketSnapshot{};
    m_hasSnapshot = false;
    m_reading = false;
    m_readAgain = false;
    m_reader->setPath(path);
    m_writer->setPath(path);
    m_watcher->watch(path);
    Q_EMIT changed();
    if (!path.isEmpty())
        refresh();
}

void MarketBoard::refresh()
{
    if (m_path.isEmpty())
        return;
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    const quint64 generation = m_generation;
    m_reader->run(this, [this, generation](Database *database, const QString &openError) {
        MarketSnapshot snapshot;
        if (database)
            snapshot = readSnapshot(*database);
        else
            snapshot.error = openError;
        return [this, generation, snapshot] { setSnapshot(snapshot, generation); };
    });
}

void MarketBoard::setSnapshot(const MarketSnapshot &snapshot, quint64 generation)
{
    if (generation != m_generation)
        return; // read from a database no longer shown
    m_reading = false;
    m_snapshot = snapshot;
    m_hasSnapshot = true;
    ++m_snapshotCount;
    Q_EMIT changed();
    if (m_readAgain) {
        m_readAgain = false;
        refresh();
    }
}

std::optional<Offer> MarketBoard::offer(qint64 id) const
{
    for (const Offer &o : m_snapshot.offers) {
        if (o.id == id)
            return o;
    }
    return std::nullopt;
}

QList<MarketBid> MarketBoard::bidsOn(qint64 offerId) const
{
    QList<MarketBid> result;
    for (const MarketBid &b : m_snapshot.bids) {
        if (b.offerId == offerId)
            result.append(b);
    }
    return result;
}

QList<Purchase> MarketBoard::pendingPurchases() const
{
    QList<Purchase> result;
    for (const Purchase &p : m_snapshot.purchases) {
        if (p.state == PurchaseState::Pending)
            result.append(p);
    }
    return result;
}

std::optional<ClearingResult> MarketBoard::preview(qint64 offerId) const
{
    const auto it = m_snapshot.previews.constFind(offerId);
    return it == m_snapshot.previews.cend() ? std::nullopt : std::optional(*it);
}

QHash<qint64, Offer> MarketBoard::offersById() const
{
    QHash<qint64, Offer> result;
    for (const Offer &o : m_snapshot.offers)
        result.insert(o.id, o);
    return result;
}

int MarketBoard::commandsRunning() const
{
    return m_writer->pending();
}

template <typename R>
void MarketBoard::command(QObject *context, std::function<R(Database &)> work, Done<R> done,
                          bool changes)
{
    const quint64 generation = m_generation;
    QPointer<QObject> guard(context);
    m_writer->run(this, [this, work = std::move(work), done = std::move(done), guard, generation,
                         changes](Database *database, const QString &openError) {
        const R result = database ? work(*database) : unavailable<R>(openError);
        return [this, done, guard, generation, changes, result] {
            if (changes && generation == m_generation)
                refresh();
            if (guard && done)
                done(result);
        };
    });
}

void MarketBoard::checkOffer(const Offer &offer, QObject *context,
                             Done<MarketResult<OfferCheck>> done)
{
    command<MarketResult<OfferCheck>>(
        context, [offer](Database &db) { return MarketService(db).checkOffer(offer); },
        std::move(done), false);
}

void MarketBoard::postOffer(const Offer &offer, const QString &overrideReason, QObject *context,
                            Done<MarketResult<Offer>> done)
{
    command<MarketResult<Offer>>(
        context,
        [offer, overrideReason, actor = m_actor](Database &db) {
            return MarketService(db).postOffer(offer, overrideReason, actor);
        },
        std::move(done), true);
}

void MarketBoard::approve(qint64 purchaseId, MarketService::DelegationProbe probe, QObject *context,
                          Done<MarketResult<Approval>> done)
{
    command<MarketResult<Approval>>(
        context,
        [purchaseId, probe = std::move(probe), actor = m_actor](Database &db) {
            return MarketService(db).approve(purchaseId, actor, probe);
        },
        std::move(done), true);
}

void MarketBoard::reject(qint64 purchaseId, const QString &reason, QObject *context,
                         Done<MarketResult<Purchase>> done)
{
    command<MarketResult<Purchase>>(
        context,
        [purchaseId, reason, actor = m_actor](Database &db) {
            return MarketService(db).reject(purchaseId, reason, actor);
        },
        std::move(done), true);
}

void MarketBoard::addPurchaser(const Purchaser &purchaser, QObject *context,
                               Done<Result<qint64>> done)
{
    command<Result<qint64>>(
        context,
        [purchaser, actor = m_actor](Database &db) {
            return AuditedActions(db, actor).addPurchaser(purchaser);
        },
        std::move(done), true);
}

} // namespace headroom
