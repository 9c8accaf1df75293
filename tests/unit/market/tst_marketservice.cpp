// The market service over a real database: offers under the three pricing modes, bids, the
// forecast override, withdrawal, approval creating exactly the right lease and tariff, rejection,
// idempotent replays, purchaser isolation, auto-approve and the audit log.
#include "fleet/headroommodel.h"
#include "market/auctioncloser.h"
#include "market/marketservice.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/loadhistoryrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/tariffrepository.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

namespace {

constexpr qint64 H = 3600 * 1000;
constexpr qint64 T0 = 1'780'000'000'000; // a Monday-ish instant in 2026; only differences matter

const QString kOp = QStringLiteral("operator:alice");

} // namespace

class TestMarketService : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void offerValidation_data();
    void offerValidation();
    void overForecastNeedsAReason();
    void fixedPriceFirstComeFirstServed();
    void auctionClearsAtOneUniformPrice();
    void auctionCancelledBidTakesNoPart();
    void auctionWithNoBidAboveReserveCloses();
    void dueAuctionsCloseByThemselves();
    void auctionCloserRunsOnTheRealClock();
    void continuousBidsRestThenTradeOnReprice();
    void withdrawOnlyUntilSold();
    void approvalCreatesExactlyTheLeaseAndTariff();
    void rejectionNeedsAReasonAndReopens();
    void replayedRequestsAreIdempotent();
    void purchasersSeeOnlyTheirOwn();
    void autoApproveRule();
    void auditRecordsWhoAndWhen();
    void moneyFormatting();

private:
    Offer fixedOffer(qint64 rate = 100, qint64 price = 1200) const;
    Offer auction(qint64 rate, qint64 reserve) const;
    qint64 addPurchaser(const QString &name, const QString &site);
    qint64 count(const QString &sql) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<MarketService> m_market;
    qint64 m_now = T0;
    qint64 m_alice = 0;
    qint64 m_bob = 0;
    qint64 m_aliceSite = 0;
    qint64 m_bobSite = 0;
};

void TestMarketService::init()
{
    m_market.reset();
    m_db.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(m_dir->filePath(QStringLiteral("h.db")));
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    m_now = T0;
    m_market = std::make_unique<MarketService>(*m_db, [this] { return m_now; });
    m_alice = addPurchaser(QStringLiteral("Alice Shop"), QStringLiteral("shop"));
    m_bob = addPurchaser(QStringLiteral("Bob News"), QStringLiteral("news"));
    const auto sites = SiteRepository(*m_db).all();
    QVERIFY(sites.ok() && sites.value().size() == 2);
    for (const Site &site : sites.value())
        (site.purchaserId == m_alice ? m_aliceSite : m_bobSite) = site.id;
}

qint64 TestMarketService::addPurchaser(const QString &name, const QString &label)
{
    Purchaser p;
    p.organisation = name;
    p.contactEmail = label + QStringLiteral("@example.com");
    const auto id = PurchaserRepository(*m_db).add(p);
    if (!id)
        qFatal("purchaser: %s", qPrintable(id.error().message));
    Site s;
    s.name = label + QStringLiteral(".example");
    s.label = label;
    s.hosts = {s.name, QStringLiteral("www.") + s.name};
    s.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
    s.assignment = Assignment::RoundRobin;
    s.purchaserId = id.value();
    const auto site = SiteRepository(*m_db).add(s);
    if (!site)
        qFatal("site: %s", qPrintable(site.error().message));
    return id.value();
}

qint64 TestMarketService::count(const QString &sql) const
{
    QSqlQuery q(m_db->connection());
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

Offer TestMarketService::fixedOffer(qint64 rate, qint64 price) const
{
    Offer o;
    o.pool = QStringLiteral("edge");
    o.rateRps = rate;
    o.startsAtMs = m_now + 2 * H;
    o.durationMs = 4 * H;
    o.kind = LeaseKind::Firm;
    o.pricing = PricingMode::Fixed;
    o.priceMinor = price;
    o.currency = QStringLiteral("EUR");
    return o;
}

Offer TestMarketService::auction(qint64 rate, qint64 reserve) const
{
    Offer o = fixedOffer(rate, 0);
    o.pricing = PricingMode::Auction;
    o.reserveMinor = reserve;
    o.closesAtMs = m_now + H;
    return o;
}

void TestMarketService::offerValidation_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("zero rate") << "rate"
                               << "0"
                               << "rate";
    QTest::newRow("huge rate") << "rate"
                               << "100000000"
                               << "rate";
    QTest::newRow("pool with spaces") << "pool"
                                      << "edge pool"
                                      << "pool";
    QTest::newRow("pool injection") << "pool"
                                    << "edge'; DROP TABLE offers;--"
                                    << "pool";
    QTest::newRow("lower-case currency") << "currency"
                                         << "eur"
                                         << "currency";
    QTest::newRow("seconds window") << "duration"
                                    << "30000"
                                    << "minutes";
    QTest::newRow("negative price") << "price"
                                    << "-1"
                                    << "price";
    QTest::newRow("free fixed offer") << "price"
                                      << "0"
                                      << "price above 0";
    QTest::newRow("auction without close") << "pricing"
                                           << "auction-no-close"
                                           << "closing time";
    QTest::newRow("auction closing late") << "pricing"
                                          << "auction-late"
                                          << "close before";
    QTest::newRow("daily of a day") << "daily"
                                    << "24h"
                                    << "shorter than a day";
}

void TestMarketService::offerValidation()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    Offer o = fixedOffer();
    if (field == QLatin1String("rate"))
        o.rateRps = value.toLongLong();
    else if (field == QLatin1String("pool"))
        o.pool = value;
    else if (field == QLatin1String("currency"))
        o.currency = value;
    else if (field == QLatin1String("duration"))
        o.durationMs = value.toLongLong();
    else if (field == QLatin1String("price"))
        o.priceMinor = value.toLongLong();
    else if (value == QLatin1String("auction-no-close")) {
        o.pricing = PricingMode::Auction;
        o.priceMinor = 0;
    } else if (value == QLatin1String("auction-late")) {
        o.pricing = PricingMode::Auction;
        o.priceMinor = 0;
        o.closesAtMs = o.startsAtMs + 1;
    } else if (field == QLatin1String("daily")) {
        o.dailyDays = 3;
        o.durationMs = 24 * H;
    }
    const auto posted = m_market->postOffer(o, QStringLiteral("test"), kOp);
    QVERIFY(!posted.ok());
    QCOMPARE(posted.error().kind, MarketError::Kind::Invalid);
    QVERIFY2(posted.error().message.contains(message), qPrintable(posted.error().message));
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM offers")), 0);
}

void TestMarketService::overForecastNeedsAReason()
{
    // No history at all: the forecast knows nothing, so any offer needs an override.
    const auto refused = m_market->postOffer(fixedOffer(), QString(), kOp);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind, MarketError::Kind::Conflict);
    QVERIFY2(refused.error().message.contains(QStringLiteral("override")),
             qPrintable(refused.error().message));
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM offers")), 0);

    const auto posted = m_market->postOffer(fixedOffer(),
                                            QStringLiteral("new pool, sold by "
                                                           "hand"),
                                            kOp);
    QVERIFY2(posted.ok(), qPrintable(posted.error().message));
    QCOMPARE(posted.value().overrideReason, QStringLiteral("new pool, sold by hand"));
    const auto back = m_market->offer(posted.value().id);
    QVERIFY(back.ok());
    QCOMPARE(back.value().overrideReason, QStringLiteral("new pool, sold by hand"));
    const auto audit = m_market->audit();
    QVERIFY(audit.ok());
    QVERIFY(audit.value().first().detail.contains(QStringLiteral("override: new pool")));

    // With four weeks of 1,000 req/s headroom (0.8 x 2,000 - 600) every 10 minutes, 100 req/s
    // fits without a reason, and one given anyway is not stored; 2,000 req/s does not fit.
    QList<LoadSample> samples;
    for (qint64 at = m_now - 28 * 24 * H; at < m_now; at += 600 * 1000)
        samples.append({at, QStringLiteral("p1"), QStringLiteral("edge"), 2000, 600, 0});
    const auto appended = LoadHistoryRepository(*m_db).append(samples);
    QVERIFY2(appended.ok(), qPrintable(appended.error().message));
    const auto check = m_market->checkOffer(fixedOffer(100));
    QVERIFY(check.ok());
    QVERIFY2(!check.value().needsOverride(), qPrintable(check.value().summary));
    const auto fits = m_market->postOffer(fixedOffer(100), QStringLiteral("not needed"), kOp);
    QVERIFY(fits.ok());
    QVERIFY(fits.value().overrideReason.isEmpty());
    // 900 more fits beside the 100 (and the first offer's 100), 1,000 more does not.
    QVERIFY(!m_market->checkOffer(fixedOffer(800)).value().needsOverride());
    const auto over = m_market->checkOffer(fixedOffer(801));
    QVERIFY(over.value().needsOverride());
    QVERIFY2(over.value().summary.contains(QStringLiteral("forecast")),
             qPrintable(over.value().summary));
}

void TestMarketService::fixedPriceFirstComeFirstServed()
{
    const auto posted = m_market->postOffer(fixedOffer(100, 1200), QStringLiteral("t"), kOp);
    QVERIFY(posted.ok());
    const qint64 offer = posted.value().id;

    BidRequest low{
        offer,       m_alice, std::nullopt, 50, std::nullopt, 1100, QStringLiteral("operator"),
        std::nullopt};
    const auto below = m_market->placeBid(low, kOp);
    QVERIFY(!below.ok());
    QCOMPARE(below.error().kind, MarketError::Kind::Invalid);

    BidRequest first{
        offer,       m_alice, std::nullopt, 70, std::nullopt, 1200, QStringLiteral("operator"),
        std::nullopt};
    const auto won = m_market->placeBid(first, kOp);
    QVERIFY2(won.ok(), qPrintable(won.error().message));
    QCOMPARE(won.value().bid.state, BidState::Won);
    QCOMPARE(won.value().purchases.size(), 1);
    QCOMPARE(won.value().purchases.first().rateRps, 70);
    QCOMPARE(won.value().purchases.first().priceMinor, 1200); // the posted price, not the bid's
    QCOMPARE(won.value().purchases.first().siteId, std::optional<qint64>(m_aliceSite));
    QCOMPARE(won.value().purchases.first().siteName, QStringLiteral("shop.example"));

    // 30 left: all-or-nothing 50 does not fit; 50 accepting 20 gets 30.
    BidRequest tooBig{
        offer,       m_bob, std::nullopt, 50, std::nullopt, 1500, QStringLiteral("operator"),
        std::nullopt};
    const auto refused = m_market->placeBid(tooBig, kOp);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind, MarketError::Kind::Conflict);
    QVERIFY(refused.error().message.contains(QStringLiteral("30 req/s left")));
    tooBig.minRps = 20;
    const auto partial = m_market->placeBid(tooBig, kOp);
    QVERIFY2(partial.ok(), qPrintable(partial.error().message));
    QCOMPARE(partial.value().purchases.first().rateRps, 30);
    QCOMPARE(partial.value().purchases.first().priceMinor, 1200);

    const auto sold = m_market->offer(offer);
    QCOMPARE(sold.value().soldRps, 100);
    QCOMPARE(sold.value().state, OfferState::Awarded);
    const auto late = m_market->placeBid(first, kOp);
    QVERIFY(!late.ok());
    QCOMPARE(late.error().kind, MarketError::Kind::Conflict);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM purchases WHERE state = 'pending'")), 2);
}

void TestMarketService::auctionClearsAtOneUniformPrice()
{
    const auto posted = m_market->postOffer(auction(100, 500), QStringLiteral("t"), kOp);
    QVERIFY2(posted.ok(), qPrintable(posted.error().message));
    const qint64 offer = posted.value().id;
    const qint64 carol = addPurchaser(QStringLiteral("Carol Video"), QStringLiteral("video"));

    const auto below = m_market->placeBid(
        {offer, m_alice, std::nullopt, 10, std::nullopt, 400, QStringLiteral("api"), std::nullopt},
        kOp);
    QVERIFY(!below.ok()); // under the reserve
    QVERIFY(m_market
                ->placeBid({offer, m_alice, std::nullopt, 60, std::nullopt, 900,
                            QStringLiteral("api"), std::nullopt},
                           kOp)
                .ok());
    QVERIFY(
        m_market
            ->placeBid(
                {offer, m_bob, std::nullopt, 60, 20, 800, QStringLiteral("api"), std::nullopt}, kOp)
            .ok());
    QVERIFY(m_market
                ->placeBid({offer, carol, std::nullopt, 30, std::nullopt, 700,
                            QStringLiteral("api"), std::nullopt},
                           kOp)
                .ok());
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM purchases")), 0); // sealed

    const auto preview = m_market->previewClearing(offer);
    QVERIFY(preview.ok());
    QCOMPARE(preview.value().unitsSold, 100);
    QCOMPARE(preview.value().clearingPriceMinor, 700); // Carol's losing bid sets the price
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM purchases")), 0); // preview changes nothing

    const auto early = m_market->closeAuction(offer, kOp);
    QVERIFY(!early.ok());
    QCOMPARE(early.error().kind, MarketError::Kind::Conflict);

    m_now += H;
    const auto closed = m_market->closeAuction(offer, kOp);
    QVERIFY2(closed.ok(), qPrintable(closed.error().message));
    QCOMPARE(closed.value().size(), 2);
    QCOMPARE(closed.value().at(0).purchaserId, m_alice);
    QCOMPARE(closed.value().at(0).rateRps, 60);
    QCOMPARE(closed.value().at(1).purchaserId, m_bob);
    QCOMPARE(closed.value().at(1).rateRps, 40); // partial fill, accepted down to 20
    for (const Purchase &p : closed.value())
        QCOMPARE(p.priceMinor, 700);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM bids WHERE state = 'won'")), 2);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM bids WHERE state = 'lost'")), 1);
    QCOMPARE(m_market->offer(offer).value().state, OfferState::Awarded);
    const auto again = m_market->closeAuction(offer, kOp);
    QVERIFY(!again.ok());
    const auto bidAfter = m_market->placeBid(
        {offer, carol, std::nullopt, 5, std::nullopt, 9000, QStringLiteral("api"), std::nullopt},
        kOp);
    QVERIFY(!bidAfter.ok());
    QCOMPARE(bidAfter.error().kind, MarketError::Kind::Conflict);
}

void TestMarketService::auctionCancelledBidTakesNoPart()
{
    const auto posted = m_market->postOffer(auction(50, 100), QStringLiteral("t"), kOp);
    QVERIFY(posted.ok());
    const qint64 offer = posted.value().id;
    const auto high = m_market->placeBid(
        {offer, m_alice, std::nullopt, 50, std::nullopt, 900, QStringLiteral("api"), std::nullopt},
        kOp);
    QVERIFY(high.ok());
    QVERIFY(m_market
                ->placeBid({offer, m_bob, std::nullopt, 50, std::nullopt, 300,
                            QStringLiteral("api"), std::nullopt},
                           kOp)
                .ok());
    QVERIFY(m_market->cancelBid(high.value().bid.id, m_alice, kOp).ok());
    const auto twice = m_market->cancelBid(high.value().bid.id, m_alice, kOp);
    QVERIFY(!twice.ok());
    QCOMPARE(twice.error().kind, MarketError::Kind::Conflict);
    const auto closed = m_market->closeAuction(offer, kOp, true);
    QVERIFY(closed.ok());
    QCOMPARE(closed.value().size(), 1);
    QCOMPARE(closed.value().first().purchaserId, m_bob);
    QCOMPARE(closed.value().first().priceMinor, 100); // one bidder: the reserve
    QCOMPARE(m_market->bid(high.value().bid.id, std::nullopt).value().state, BidState::Withdrawn);
    QVERIFY(m_market->audit().value().first().detail.contains(QStringLiteral("closed early")));
}

void TestMarketService::auctionWithNoBidAboveReserveCloses()
{
    const auto posted = m_market->postOffer(auction(50, 100), QStringLiteral("t"), kOp);
    QVERIFY(posted.ok());
    m_now += H;
    const auto closed = m_market->closeAuction(posted.value().id, kOp);
    QVERIFY(closed.ok());
    QVERIFY(closed.value().isEmpty());
    QCOMPARE(m_market->offer(posted.value().id).value().state, OfferState::Closed);
}

void TestMarketService::dueAuctionsCloseByThemselves()
{
    const auto a = m_market->postOffer(auction(50, 100), QStringLiteral("t"), kOp);
    Offer later = auction(50, 100);
    later.closesAtMs = m_now + 90 * 60 * 1000;
    const auto b = m_market->postOffer(later, QStringLiteral("t"), kOp);
    QVERIFY(a.ok() && b.ok());
    m_now += H;
    const auto closed = m_market->closeDueAuctions(QStringLiteral("controller"));
    QVERIFY(closed.ok());
    QCOMPARE(closed.value(), 1);
    QCOMPARE(m_market->offer(a.value().id).value().state, OfferState::Closed);
    QCOMPARE(m_market->offer(b.value().id).value().state, OfferState::Open);
}

void TestMarketService::auctionCloserRunsOnTheRealClock()
{
    // Posted on the test clock (months ago), so on the real clock its close has passed.
    const auto a = m_market->postOffer(auction(50, 100), QStringLiteral("t"), kOp);
    QVERIFY(a.ok());
    AuctionCloser closer(m_db->path());
    QStringList lines;
    connect(&closer, &AuctionCloser::message, this, [&](const QString &l) { lines << l; });
    closer.closeDue();
    QCOMPARE(lines, QStringList{QStringLiteral("closed 1 auction(s) at their closing time")});
    QCOMPARE(m_market->offer(a.value().id).value().state, OfferState::Closed);
    closer.closeDue();
    QCOMPARE(lines.size(), 1); // nothing more to close, nothing said
    QCOMPARE(m_market->audit().value().first().actor, QStringLiteral("controller"));
}

void TestMarketService::continuousBidsRestThenTradeOnReprice()
{
    Offer o = fixedOffer(100, 1000);
    o.pricing = PricingMode::Continuous;
    const auto posted = m_market->postOffer(o, QStringLiteral("t"), kOp);
    QVERIFY(posted.ok());
    const qint64 offer = posted.value().id;

    const auto resting = m_market->placeBid(
        {offer, m_alice, std::nullopt, 40, std::nullopt, 800, QStringLiteral("api"), std::nullopt},
        kOp);
    QVERIFY(resting.ok());
    QCOMPARE(resting.value().bid.state, BidState::Open);
    QVERIFY(resting.value().purchases.isEmpty());
    const auto resting2 = m_market->placeBid(
        {offer, m_bob, std::nullopt, 40, std::nullopt, 900, QStringLiteral("api"), std::nullopt},
        kOp);
    QVERIFY(resting2.ok());

    // Crossing the ask trades at once at the ask (the resting order's price).
    const auto crossing = m_market->placeBid(
        {offer, m_alice, std::nullopt, 50, std::nullopt, 1500, QStringLiteral("api"), std::nullopt},
        kOp);
    QVERIFY(crossing.ok());
    QCOMPARE(crossing.value().purchases.size(), 1);
    QCOMPARE(crossing.value().purchases.first().priceMinor, 1000);
    QCOMPARE(crossing.value().purchases.first().rateRps, 50);

    // Repriced to 8.00: the best resting bid (Bob at 9.00) trades first, at its own price, then
    // Alice's 8.00 bid gets the remaining 10 of her 40? No: she wants all 40 (all or nothing).
    const auto traded = m_market->repriceOffer(offer, 800, kOp);
    QVERIFY2(traded.ok(), qPrintable(traded.error().message));
    QCOMPARE(traded.value().size(), 1);
    QCOMPARE(traded.value().first().purchaserId, m_bob);
    QCOMPARE(traded.value().first().priceMinor, 900);
    QCOMPARE(traded.value().first().rateRps, 40);
    QCOMPARE(m_market->offer(offer).value().soldRps, 90);
    QCOMPARE(m_market->bid(resting.value().bid.id, std::nullopt).value().state, BidState::Open);
}

void TestMarketService::withdrawOnlyUntilSold()
{
    const auto a = m_market->postOffer(auction(50, 100), QStringLiteral("t"), kOp);
    QVERIFY(a.ok());
    QVERIFY(m_market
                ->placeBid({a.value().id, m_alice, std::nullopt, 10, std::nullopt, 200,
                            QStringLiteral("api"), std::nullopt},
                           kOp)
                .ok());
    const auto withdrawn = m_market->withdrawOffer(a.value().id, kOp);
    QVERIFY(withdrawn.ok());
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM bids WHERE state = 'lost'")), 1);

    const auto f = m_market->postOffer(fixedOffer(), QStringLiteral("t"), kOp);
    QVERIFY(m_market
                ->placeBid({f.value().id, m_alice, std::nullopt, 10, std::nullopt, 1200,
                            QStringLiteral("api"), std::nullopt},
                           kOp)
                .ok());
    const auto refused = m_market->withdrawOffer(f.value().id, kOp);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind, MarketError::Kind::Conflict);
    QCOMPARE(m_market->offer(f.value().id).value().state, OfferState::Open);
}

void TestMarketService::approvalCreatesExactlyTheLeaseAndTariff()
{
    Offer o = fixedOffer(100, 1200);
    o.dailyDays = 5;
    const auto posted = m_market->postOffer(o, QStringLiteral("t"), kOp);
    QVERIFY(posted.ok());
    const auto placed =
        m_market->placeBid({posted.value().id, m_alice, std::nullopt, 60, std::nullopt, 1200,
                            QStringLiteral("api"), std::nullopt},
                           kOp);
    QVERIFY(placed.ok());
    const qint64 purchase = placed.value().purchases.first().id;
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM leases")), 0);

    QStringList probed;
    const auto approved = m_market->approve(purchase, kOp, [&](const QString &host) {
        probed << host;
        DelegationReport r;
        r.host = host + QLatin1Char('.');
        r.verdict = DelegationReport::Verdict::NotDelegated;
        r.explanation = QStringLiteral("answers for itself");
        return r;
    });
    QVERIFY2(approved.ok(), qPrintable(approved.error().message));
    QCOMPARE(approved.value().leaseIds.size(), 1);
    QCOMPARE(probed,
             (QStringList{QStringLiteral("shop.example"), QStringLiteral("www.shop.example")}));
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM leases")), 1);

    const auto lease = LeaseRepository(*m_db).byId(approved.value().leaseIds.first());
    QVERIFY(lease.ok() && lease.value());
    const Lease &l = *lease.value();
    QCOMPARE(l.siteId, m_aliceSite);
    QCOMPARE(l.pool, QStringLiteral("edge"));
    QCOMPARE(l.rateRps, 60.0);
    QCOMPARE(l.startsAtMs, o.startsAtMs);
    QCOMPARE(l.endsAtMs, o.startsAtMs + o.durationMs);
    QCOMPARE(l.dailyDays, 5);
    QCOMPARE(l.kind, LeaseKind::Firm);
    QCOMPARE(l.overflow, OverflowPolicy::RoundRobin); // the site's assignment algorithm
    QCOMPARE(l.offerId, std::optional<qint64>(posted.value().id));
    QCOMPARE(count(QStringLiteral("SELECT purchase_id FROM leases")), purchase);
    const auto tariff = TariffRepository(*m_db).get(l.id);
    QVERIFY(tariff.ok() && tariff.value());
    QCOMPARE(tariff.value()->currency, QStringLiteral("EUR"));
    QCOMPARE(tariff.value()->firmMinorPerRpsHour, 1200);

    const auto twice = m_market->approve(purchase, kOp);
    QVERIFY(!twice.ok());
    QCOMPARE(twice.error().kind, MarketError::Kind::Conflict);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM leases")), 1);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = "
                                  "'purchase.delegation' AND detail LIKE '%not-delegated%'")),
             2);
}

void TestMarketService::rejectionNeedsAReasonAndReopens()
{
    const auto posted = m_market->postOffer(fixedOffer(100, 1200), QStringLiteral("t"), kOp);
    const auto placed =
        m_market->placeBid({posted.value().id, m_alice, std::nullopt, 100, std::nullopt, 1200,
                            QStringLiteral("api"), std::nullopt},
                           kOp);
    QVERIFY(placed.ok());
    QCOMPARE(m_market->offer(posted.value().id).value().state, OfferState::Awarded);
    const qint64 purchase = placed.value().purchases.first().id;
    const auto noReason = m_market->reject(purchase, QStringLiteral("  \t"), kOp);
    QVERIFY(!noReason.ok());
    QCOMPARE(noReason.error().kind, MarketError::Kind::Invalid);
    const auto rejected =
        m_market->reject(purchase, QStringLiteral("origin not reachable\nfrom us"), kOp);
    QVERIFY(rejected.ok());
    QCOMPARE(rejected.value().reason, QStringLiteral("origin not reachable from us"));
    const auto offer = m_market->offer(posted.value().id);
    QCOMPARE(offer.value().soldRps, 0);
    QCOMPARE(offer.value().state, OfferState::Open);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM leases")), 0);
    QVERIFY(!m_market->approve(purchase, kOp).ok());
}

void TestMarketService::replayedRequestsAreIdempotent()
{
    const auto posted = m_market->postOffer(fixedOffer(100, 1200), QStringLiteral("t"), kOp);
    BidRequest r{posted.value().id, m_alice, std::nullopt,          30,
                 std::nullopt,      1200,    QStringLiteral("api"), QStringLiteral("req-123")};
    const auto first = m_market->placeBid(r, QStringLiteral("purchaser:1"));
    QVERIFY(first.ok());
    QVERIFY(!first.value().replayed);
    const auto again = m_market->placeBid(r, QStringLiteral("purchaser:1"));
    QVERIFY(again.ok());
    QVERIFY(again.value().replayed);
    QCOMPARE(again.value().bid.id, first.value().bid.id);
    QCOMPARE(again.value().purchases.first().id, first.value().purchases.first().id);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM bids")), 1);
    QCOMPARE(m_market->offer(posted.value().id).value().soldRps, 30);

    r.rateRps = 31;
    const auto different = m_market->placeBid(r, QStringLiteral("purchaser:1"));
    QVERIFY(!different.ok());
    QCOMPARE(different.error().kind, MarketError::Kind::Conflict);
    // The same key from another purchaser is another request.
    BidRequest bob = r;
    bob.purchaserId = m_bob;
    QVERIFY(m_market->placeBid(bob, QStringLiteral("purchaser:2")).ok());
    QVERIFY(!m_market
                 ->placeBid({posted.value().id, m_alice, std::nullopt, 1, std::nullopt, 1200,
                             QStringLiteral("api"), QStringLiteral("bad key with spaces")},
                            kOp)
                 .ok());
}

void TestMarketService::purchasersSeeOnlyTheirOwn()
{
    const auto a = m_market->postOffer(auction(50, 100), QStringLiteral("t"), kOp);
    const auto bid = m_market->placeBid({a.value().id, m_alice, std::nullopt, 10, std::nullopt, 200,
                                         QStringLiteral("api"), std::nullopt},
                                        kOp);
    QVERIFY(bid.ok());
    const auto asBob =
        m_market->cancelBid(bid.value().bid.id, m_bob, QStringLiteral("purchaser:2"));
    QVERIFY(!asBob.ok());
    QCOMPARE(asBob.error().kind, MarketError::Kind::NotFound);
    QCOMPARE(m_market->bid(bid.value().bid.id, std::nullopt).value().state, BidState::Open);
    QVERIFY(!m_market->bid(bid.value().bid.id, m_bob).ok());

    // A bid naming another purchaser's site does not exist for the bidder.
    const auto foreignSite = m_market->placeBid({a.value().id, m_bob, m_aliceSite, 10, std::nullopt,
                                                 200, QStringLiteral("api"), std::nullopt},
                                                kOp);
    QVERIFY(!foreignSite.ok());
    QCOMPARE(foreignSite.error().kind, MarketError::Kind::NotFound);

    m_now += H;
    const auto closed = m_market->closeAuction(a.value().id, kOp);
    QVERIFY(closed.ok());
    const qint64 purchase = closed.value().first().id;
    QVERIFY(m_market->purchase(purchase, m_alice).ok());
    QCOMPARE(m_market->purchase(purchase, m_bob).error().kind, MarketError::Kind::NotFound);
    PurchaseFilter bobs;
    bobs.purchaserId = m_bob;
    QVERIFY(m_market->purchases(bobs).value().isEmpty());
}

void TestMarketService::autoApproveRule()
{
    QVERIFY(m_market->setAutoApproveRule({true, 50}, kOp).ok());
    const auto posted = m_market->postOffer(fixedOffer(100, 1200), QStringLiteral("t"), kOp);
    const auto small = m_market->placeBid({posted.value().id, m_alice, std::nullopt, 40,
                                           std::nullopt, 1200, QStringLiteral("api"), std::nullopt},
                                          kOp);
    QVERIFY(small.ok());
    QCOMPARE(small.value().purchases.first().state, PurchaseState::Approved);
    QCOMPARE(small.value().purchases.first().decidedBy, QStringLiteral("rule:auto-approve"));
    const auto large = m_market->placeBid({posted.value().id, m_bob, std::nullopt, 60, std::nullopt,
                                           1200, QStringLiteral("api"), std::nullopt},
                                          kOp);
    QVERIFY(large.ok());
    QCOMPARE(large.value().purchases.first().state, PurchaseState::Pending);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM leases")), 1);
    QVERIFY(!m_market->setAutoApproveRule({true, -1}, kOp).ok());
}

void TestMarketService::auditRecordsWhoAndWhen()
{
    const auto posted = m_market->postOffer(fixedOffer(), QStringLiteral("t"), kOp);
    m_now += 1000;
    const auto placed =
        m_market->placeBid({posted.value().id, m_alice, std::nullopt, 10, std::nullopt, 1200,
                            QStringLiteral("api"), std::nullopt},
                           QStringLiteral("purchaser:1\nforged line"));
    QVERIFY(placed.ok());
    m_now += 1000;
    QVERIFY(m_market->reject(placed.value().purchases.first().id, QStringLiteral("no"), kOp).ok());
    const auto audit = m_market->audit();
    QVERIFY(audit.ok());
    QCOMPARE(audit.value().size(), 3);
    QCOMPARE(audit.value().at(0).action, QStringLiteral("purchase.reject"));
    QCOMPARE(audit.value().at(0).actor, kOp);
    QCOMPARE(audit.value().at(0).atMs, T0 + 2000);
    QCOMPARE(audit.value().at(1).action, QStringLiteral("bid.place"));
    QCOMPARE(audit.value().at(1).actor, QStringLiteral("purchaser:1 forged line"));
    QCOMPARE(audit.value().at(2).action, QStringLiteral("offer.post"));
    QCOMPARE(audit.value().at(2).atMs, T0);
}

void TestMarketService::moneyFormatting()
{
    QCOMPARE(formatMinor(1234, QStringLiteral("EUR")), QStringLiteral("12.34 EUR"));
    QCOMPARE(formatMinor(5, QStringLiteral("EUR")), QStringLiteral("0.05 EUR"));
    QCOMPARE(formatMinor(-5, QStringLiteral("EUR")), QStringLiteral("-0.05 EUR"));
    QCOMPARE(parseMinor(QStringLiteral("12.34")), std::optional<qint64>(1234));
    QCOMPARE(parseMinor(QStringLiteral("12.3")), std::optional<qint64>(1230));
    QCOMPARE(parseMinor(QStringLiteral("12")), std::optional<qint64>(1200));
    QCOMPARE(parseMinor(QStringLiteral("-1")), std::nullopt);
    QCOMPARE(parseMinor(QStringLiteral("1.234")), std::nullopt);
    QCOMPARE(parseMinor(QStringLiteral("1e9")), std::nullopt);
    QCOMPARE(parseMinor(QStringLiteral("9999999999999")), std::nullopt);
}

QTEST_GUILESS_MAIN(TestMarketService)
#include "tst_marketservice.moc"
