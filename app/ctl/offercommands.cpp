// headroomctl offer ..., bid ..., purchase ... and market audit: selling spare capacity.
#include "cli.h"
#include "commands.h"
#include "dns/delegationcheck.h"
#include "market/marketservice.h"
#include "sandbox/sandbox.h"
#include "security/auditlog.h"
#include "store/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace headroom::ctl {
namespace {

const QCommandLineOption
    kActor(QStringLiteral("actor"),
           QStringLiteral("Who does it, for the audit log (default: the login name)."),
           QStringLiteral("NAME"));

QString actorFrom(const QCommandLineParser &parser)
{
    return AuditLog::operatorActor(parser.value(kActor));
}

QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

QString countdown(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("due");
    const qint64 s = ms / 1000;
    if (s >= 86400)
        return QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
    if (s >= 3600)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60);
    return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60);
}

// Exit codes: refusals the caller can fix are usage errors (2), the rest failures (1).
int fail(const QString &command, const MarketError &e)
{
    err() << command << ": " << e.message << "\n";
    return e.kind == MarketError::Kind::Storage ? 1 : 2;
}

std::optional<qint64> positiveId(const QCommandLineParser &parser, const QString &command,
                                 const QString &what)
{
    bool ok = false;
    const qint64 id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (parser.positionalArguments().size() != 1 || !ok || id <= 0) {
        err() << command << ": name one " << what << " by its id\n";
        return std::nullopt;
    }
    return id;
}

std::optional<qint64> wholeNumber(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    if (!ok || v < min || v > max)
        return std::nullopt;
    return v;
}

// An optional --NAME ID: false (after saying why) when it is given but not a positive id.
bool optionalId(const QCommandLineParser &parser, const QCommandLineOption &option,
                const QString &command, std::optional<qint64> *id)
{
    if (!parser.isSet(option))
        return true;
    *id = wholeNumber(parser.value(option), 1, std::numeric_limits<qint64>::max());
    if (!*id)
        err() << command << ": --" << option.names().first() << " takes an id\n";
    return id->has_value();
}

QJsonObject offerJson(const Offer &o, qint64 nowMs)
{
    QJsonObject j{{QStringLiteral("id"), o.id},
                  {QStringLiteral("pool"), o.pool},
                  {QStringLiteral("rate_rps"), o.rateRps},
                  {QStringLiteral("sold_rps"), o.soldRps},
                  {QStringLiteral("left_rps"), o.unitsLeft()},
                  {QStringLiteral("starts_at"), utc(o.startsAtMs)},
                  {QStringLiteral("duration_minutes"), o.durationMs / 60000},
                  {QStringLiteral("daily_days"), o.dailyDays},
                  {QStringLiteral("kind"), leaseKindName(o.kind)},
                  {QStringLiteral("pricing"), pricingModeName(o.pricing)},
                  {QStringLiteral("price_minor"), o.priceMinor},
                  {QStringLiteral("reserve_minor"), o.reserveMinor},
                  {QStringLiteral("currency"), o.currency},
                  {QStringLiteral("state"), offerStateName(o.state)},
                  {QStringLiteral("override_reason"), o.overrideReason}};
    if (o.closesAtMs) {
        j.insert(QStringLiteral("closes_at"), utc(*o.closesAtMs));
        j.insert(QStringLiteral("closes_in_s"), qMax<qint64>(0, (*o.closesAtMs - nowMs) / 1000));
    }
    return j;
}

QJsonObject bidJson(const MarketBid &b)
{
    QJsonObject j{{QStringLiteral("id"), b.id},
                  {QStringLiteral("offer"), b.offerId},
                  {QStringLiteral("purchaser"), b.purchaserId},
                  {QStringLiteral("purchaser_name"), b.purchaserName},
                  {QStringLiteral("rate_rps"), b.rateRps},
                  {QStringLiteral("price_minor"), b.priceMinor},
                  {QStringLiteral("state"), bidStateName(b.state)},
                  {QStringLiteral("source"), b.source},
                  {QStringLiteral("placed_at"), utc(b.createdAtMs)}};
    if (b.minRps)
        j.insert(QStringLiteral("min_rps"), *b.minRps);
    if (b.siteId)
        j.insert(QStringLiteral("site"), *b.siteId);
    return j;
}

QJsonObject purchaseJson(const Purchase &p)
{
    QJsonObject j{{QStringLiteral("id"), p.id},
                  {QStringLiteral("offer"), p.offerId},
                  {QStringLiteral("purchaser"), p.purchaserId},
                  {QStringLiteral("purchaser_name"), p.purchaserName},
                  {QStringLiteral("site_name"), p.siteName},
                  {QStringLiteral("rate_rps"), p.rateRps},
                  {QStringLiteral("price_minor"), p.priceMinor},
                  {QStringLiteral("currency"), p.currency},
                  {QStringLiteral("state"), purchaseStateName(p.state)},
                  {QStringLiteral("reason"), p.reason},
                  {QStringLiteral("decided_by"), p.decidedBy},
                  {QStringLiteral("created_at"), utc(p.createdAtMs)}};
    if (p.bidId)
        j.insert(QStringLiteral("bid"), *p.bidId);
    if (p.siteId)
        j.insert(QStringLiteral("site"), *p.siteId);
    return j;
}

void printJson(const QString &key, const QJsonValue &value)
{
    out() << QJsonDocument(QJsonObject{{key, value}}).toJson(QJsonDocument::Indented);
}

// --- offer ------------------------------------------------------------------------------------

int offerPost(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl offer post");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Put spare capacity of a pool on sale for a window. Checked against the pool's forecast "
        "headroom: above it, the offer needs --override REASON (recorded). Prices are per req/s "
        "per hour for firm offers, per 1,000 requests for best-effort ones, as 12.34 in the "
        "currency."));
    const QCommandLineOption pool(QStringLiteral("pool"),
                                  QStringLiteral("The proxy pool (sandbox: 'sandbox')."),
                                  QStringLiteral("POOL"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Req/s for sale."),
                                  QStringLiteral("RPS"));
    const QCommandLineOption from(QStringLiteral("from"),
                                  QStringLiteral("Window start: ISO 8601, unix s, now, +2h."),
                                  QStringLiteral("TIME"));
    const QCommandLineOption hours(QStringLiteral("hours"),
                                   QStringLiteral("Window length in hours (e.g. 4 or 0.5)."),
                                   QStringLiteral("H"));
    const QCommandLineOption daily(QStringLiteral("daily"),
                                   QStringLiteral("Repeat the window on N consecutive days."),
                                   QStringLiteral("N"));
    const QCommandLineOption kind(QStringLiteral("kind"), QStringLiteral("firm or best-effort."),
                                  QStringLiteral("KIND"), QStringLiteral("firm"));
    const QCommandLineOption pricing(QStringLiteral("pricing"),
                                     QStringLiteral("fixed, auction or continuous."),
                                     QStringLiteral("MODE"), QStringLiteral("fixed"));
    const QCommandLineOption price(QStringLiteral("price"),
                                   QStringLiteral("Fixed price, or the continuous market's ask."),
                                   QStringLiteral("AMOUNT"));
    const QCommandLineOption reserve(QStringLiteral("reserve"),
                                     QStringLiteral("Auction reserve (default 0)."),
                                     QStringLiteral("AMOUNT"));
    const QCommandLineOption closes(QStringLiteral("closes"),
                                    QStringLiteral("Auction close: ISO 8601, unix s, +30m."),
                                    QStringLiteral("TIME"));
    const QCommandLineOption currency(QStringLiteral("currency"), QStringLiteral("ISO 4217."),
                                      QStringLiteral("CUR"), QStringLiteral("EUR"));
    const QCommandLineOption override(
        QStringLiteral("override"),
        QStringLiteral("Sell above the forecast headroom, for this reason."),
        QStringLiteral("REASON"));
    const QCommandLineOption checkOnly(QStringLiteral("check"),
                                       QStringLiteral("Only check against the forecast."));
    parser.addOptions({pool, rate, from, hours, daily, kind, pricing, price, reserve, closes,
                       currency, override, checkOnly, kActor, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;

    Offer offer;
    QString error;
    offer.pool = parser.value(pool);
    if (offer.pool.isEmpty()) {
        QString ignored;
        const auto layout = sandboxLayoutFrom(parser, &ignored);
        offer.pool = layout ? layout->pool : QString();
    }
    const auto units = wholeNumber(parser.value(rate), 1, 10'000'000);
    if (!units) {
        err() << command << ": --rate takes a whole number of req/s from 1 to 10000000\n";
        return 2;
    }
    offer.rateRps = *units;
    const auto start =
        parseTime(parser.isSet(from) ? parser.value(from) : QStringLiteral("now"), &error);
    if (!start) {
        err() << command << ": --from: " << error << "\n";
        return 2;
    }
    offer.startsAtMs = *start * 1000;
    bool ok = false;
    const double h = parser.value(hours).toDouble(&ok);
    if (!ok || !(h > 0) || h > 24 * 366) {
        err() << command << ": --hours takes the window's length in hours, e.g. 4\n";
        return 2;
    }
    offer.durationMs = qint64(h * 60) * 60000;
    if (parser.isSet(daily)) {
        const auto d = wholeNumber(parser.value(daily), 1, 366);
        if (!d) {
            err() << command << ": --daily takes a number of days from 1 to 366\n";
            return 2;
        }
        offer.dailyDays = int(*d);
    }
    const auto k = leaseKindFromName(parser.value(kind));
    const auto m = pricingModeFromName(parser.value(pricing));
    if (!k || !m) {
        err() << command
              << ": --kind is firm or best-effort; --pricing fixed, auction or "
                 "continuous\n";
        return 2;
    }
    offer.kind = *k;
    offer.pricing = *m;
    offer.currency = parser.value(currency);
    if (parser.isSet(price)) {
        const auto p = parseMinor(parser.value(price));
        if (!p) {
            err() << command << ": --price takes an amount like 12.34\n";
            return 2;
        }
        offer.priceMinor = *p;
    }
    if (parser.isSet(reserve)) {
        const auto r = parseMinor(parser.value(reserve));
        if (!r) {
            err() << command << ": --reserve takes an amount like 12.34\n";
            return 2;
        }
        offer.reserveMinor = *r;
    }
    if (parser.isSet(closes)) {
        const auto c = parseTime(parser.value(closes), &error);
        if (!c) {
            err() << command << ": --closes: " << error << "\n";
            return 2;
        }
        offer.closesAtMs = *c * 1000;
    }
    if (const QString problem = offer.validate(); !problem.isEmpty()) {
        err() << command << ": " << problem << "\n";
        return 2;
    }

    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    MarketService market(db);
    if (parser.isSet(checkOnly)) {
        const auto check = market.checkOffer(offer);
        if (!check)
            return fail(command, check.error());
        out() << (check.value().needsOverride() ? "above the forecast: " : "")
              << check.value().summary << "\n";
        return check.value().needsOverride() ? 1 : 0;
    }
    const auto posted = market.postOffer(offer, parser.value(override), actorFrom(parser));
    if (!posted)
        return fail(command, posted.error());
    const Offer &o = posted.value();
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(offerJson(o, QDateTime::currentMSecsSinceEpoch()))
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "offer " << o.id << ": " << o.rateRps << " req/s of pool " << o.pool << " from "
          << utc(o.startsAtMs) << " for " << o.durationMs / 60000 << " min"
          << (o.dailyDays > 0 ? QStringLiteral(", daily for %1 days").arg(o.dailyDays) : QString())
          << ", " << leaseKindName(o.kind) << ", " << pricingModeName(o.pricing);
    if (o.pricing == PricingMode::Auction)
        out() << ", reserve " << formatMinor(o.reserveMinor, o.currency) << ", closes "
              << utc(*o.closesAtMs);
    else
        out() << " at " << formatMinor(o.priceMinor, o.currency) << " per req/s";
    out() << "\n";
    if (!o.overrideReason.isEmpty())
        out() << "  above the forecast; override recorded: " << o.overrideReason << "\n";
    return 0;
}

int offerList(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl offer list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Offers, open ones only unless --all."));
    const QCommandLineOption all(QStringLiteral("all"), QStringLiteral("Every offer."));
    parser.addOptions({all, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    MarketService market(db);
    const auto list = market.offers(!parser.isSet(all));
    if (!list)
        return fail(command, list.error());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(kJson)) {
        QJsonArray rows;
        for (const Offer &o : list.value())
            rows.append(offerJson(o, now));
        printJson(QStringLiteral("offers"), rows);
        return 0;
    }
    if (list.value().isEmpty())
        out() << "no offers; post one with: headroomctl offer post --rate N --hours H --price P\n";
    for (const Offer &o : list.value()) {
        out() << o.id << "  " << offerStateName(o.state) << "  " << o.pool << "  " << o.soldRps
              << "/" << o.rateRps << " req/s sold  " << utc(o.startsAtMs) << " +"
              << o.durationMs / 60000 << "min"
              << (o.dailyDays > 0 ? QStringLiteral(" x%1d").arg(o.dailyDays) : QString()) << "  "
              << leaseKindName(o.kind) << "  " << pricingModeName(o.pricing) << "  ";
        if (o.pricing == PricingMode::Auction) {
            out() << "reserve " << formatMinor(o.reserveMinor, o.currency);
            if (o.state == OfferState::Open && o.closesAtMs)
                out() << "  closes in " << countdown(*o.closesAtMs - now);
        } else {
            out() << formatMinor(o.priceMinor, o.currency);
        }
        out() << "\n";
    }
    return 0;
}

int offerSimple(const QStringList &arguments, const QString &action)
{
    const QString command = QStringLiteral("headroomctl offer ") + action;
    QCommandLineParser parser;
    QCommandLineOption early(QStringLiteral("early"),
                             QStringLiteral("Close before the set closing time."));
    QCommandLineOption price(QStringLiteral("price"), QStringLiteral("The new ask, e.g. 9.50."),
                             QStringLiteral("AMOUNT"));
    if (action == QLatin1String("withdraw"))
        parser.setApplicationDescription(
            QStringLiteral("Withdraw an open offer that has sold nothing; its open bids lose."));
    else if (action == QLatin1String("close"))
        parser.setApplicationDescription(QStringLiteral(
            "Close an auction and clear it (the controller closes due auctions by itself)."));
    else if (action == QLatin1String("preview"))
        parser.setApplicationDescription(
            QStringLiteral("The auction's clearing result if it closed now; changes nothing."));
    else
        parser.setApplicationDescription(QStringLiteral(
            "A continuous offer's new ask; resting bids at or above it trade at once."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The offer's id."));
    if (action == QLatin1String("close"))
        parser.addOption(early);
    if (action == QLatin1String("reprice"))
        parser.addOption(price);
    parser.addOptions({kActor, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto id = positiveId(parser, command, QStringLiteral("offer"));
    if (!id)
        return 2;
    std::optional<qint64> newPrice;
    if (action == QLatin1String("reprice")) {
        newPrice = parseMinor(parser.value(price));
        if (!newPrice) {
            err() << command << ": --price takes an amount like 9.50\n";
            return 2;
        }
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    MarketService market(db);
    if (action == QLatin1String("withdraw")) {
        const auto o = market.withdrawOffer(*id, actorFrom(parser));
        if (!o)
            return fail(command, o.error());
        out() << "offer " << *id << " withdrawn\n";
        return 0;
    }
    if (action == QLatin1String("preview")) {
        const auto r = market.previewClearing(*id);
        if (!r)
            return fail(command, r.error());
        const ClearingResult &c = r.value();
        if (parser.isSet(kJson)) {
            QJsonArray fills;
            for (const Fill &f : c.fills)
                fills.append(QJsonObject{{QStringLiteral("bid"), f.bidId},
                                         {QStringLiteral("units"), f.units},
                                         {QStringLiteral("price_minor"), f.priceMinor}});
            QJsonArray losers;
            for (const qint64 l : c.losers)
                losers.append(l);
            out() << QJsonDocument(
                         QJsonObject{{QStringLiteral("fills"), fills},
                                     {QStringLiteral("losers"), losers},
                                     {QStringLiteral("clearing_price_minor"), c.clearingPriceMinor},
                                     {QStringLiteral("units_sold"), c.unitsSold},
                                     {QStringLiteral("units_left"), c.unitsLeft},
                                     {QStringLiteral("explanation"), c.explanation}})
                         .toJson(QJsonDocument::Indented);
            return 0;
        }
        out() << c.explanation << "\n";
        for (const Fill &f : c.fills)
            out() << "  bid " << f.bidId << " gets " << f.units << " req/s\n";
        for (const qint64 l : c.losers)
            out() << "  bid " << l << " gets nothing\n";
        return 0;
    }
    if (action == QLatin1String("close")) {
        const auto r = market.closeAuction(*id, actorFrom(parser), parser.isSet(early));
        if (!r)
            return fail(command, r.error());
        out() << "auction " << *id << " closed: " << r.value().size() << " purchase(s)\n";
        for (const Purchase &p : r.value())
            out() << "  purchase " << p.id << ": " << p.purchaserName << " " << p.rateRps
                  << " req/s at " << formatMinor(p.priceMinor, p.currency) << " ("
                  << purchaseStateName(p.state) << ")\n";
        return 0;
    }
    const auto r = market.repriceOffer(*id, *newPrice, actorFrom(parser));
    if (!r)
        return fail(command, r.error());
    out() << "offer " << *id << " ask repriced; " << r.value().size() << " bid(s) traded\n";
    for (const Purchase &p : r.value())
        out() << "  purchase " << p.id << ": " << p.purchaserName << " " << p.rateRps
              << " req/s at " << formatMinor(p.priceMinor, p.currency) << "\n";
    return 0;
}

// --- bid --------------------------------------------------------------------------------------

int bidPlace(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl bid place");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Place a bid for a purchaser (a sale by phone; purchasers use the API). Fixed price: "
        "filled at once if units are left; auction: sealed until the close; continuous: trades "
        "if it meets the ask, else rests."));
    parser.addPositionalArgument(QStringLiteral("OFFER"), QStringLiteral("The offer's id."));
    const QCommandLineOption purchaser(QStringLiteral("purchaser"),
                                       QStringLiteral("The purchaser's id."), QStringLiteral("ID"));
    const QCommandLineOption site(QStringLiteral("site"),
                                  QStringLiteral("The purchaser's site id (default: their only "
                                                 "one)."),
                                  QStringLiteral("ID"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Req/s wanted."),
                                  QStringLiteral("RPS"));
    const QCommandLineOption minimum(QStringLiteral("min"),
                                     QStringLiteral("The least it accepts (default: all of it)."),
                                     QStringLiteral("RPS"));
    const QCommandLineOption price(QStringLiteral("price"),
                                   QStringLiteral("The most it pays per unit, e.g. 12.00."),
                                   QStringLiteral("AMOUNT"));
    parser.addOptions(
        {purchaser, site, rate, minimum, price, kActor, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto offer = positiveId(parser, command, QStringLiteral("offer"));
    if (!offer)
        return 2;
    BidRequest request;
    request.offerId = *offer;
    const auto who = wholeNumber(parser.value(purchaser), 1, std::numeric_limits<qint64>::max());
    const auto units = wholeNumber(parser.value(rate), 1, 10'000'000);
    const auto amount = parseMinor(parser.value(price));
    if (!who || !units || !amount) {
        err() << command << ": give --purchaser ID, --rate RPS (whole req/s) and --price AMOUNT\n";
        return 2;
    }
    request.purchaserId = *who;
    request.rateRps = *units;
    request.priceMinor = *amount;
    if (parser.isSet(minimum)) {
        const auto m = wholeNumber(parser.value(minimum), 1, *units);
        if (!m) {
            err() << command << ": --min is from 1 to --rate\n";
            return 2;
        }
        request.minRps = *m;
    }
    if (!optionalId(parser, site, command, &request.siteId))
        return 2;
    request.source = QStringLiteral("operator");
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    MarketService market(db);
    const auto placed = market.placeBid(request, actorFrom(parser));
    if (!placed)
        return fail(command, placed.error());
    if (parser.isSet(kJson)) {
        QJsonArray purchases;
        for (const Purchase &p : placed.value().purchases)
            purchases.append(purchaseJson(p));
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("bid"), bidJson(placed.value().bid)},
                                 {QStringLiteral("purchases"), purchases},
                                 {QStringLiteral("explanation"), placed.value().explanation}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "bid " << placed.value().bid.id << ": " << placed.value().explanation << "\n";
    return 0;
}

int bidList(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl bid list");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Bids, of one offer or purchaser."));
    const QCommandLineOption offer(QStringLiteral("offer"), QStringLiteral("Only this offer's."),
                                   QStringLiteral("ID"));
    const QCommandLineOption purchaser(QStringLiteral("purchaser"),
                                       QStringLiteral("Only this purchaser's."),
                                       QStringLiteral("ID"));
    const QCommandLineOption open(QStringLiteral("open"), QStringLiteral("Only open bids."));
    parser.addOptions({offer, purchaser, open, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    BidFilter filter;
    filter.openOnly = parser.isSet(open);
    if (!optionalId(parser, offer, command, &filter.offerId))
        return 2;
    if (!optionalId(parser, purchaser, command, &filter.purchaserId))
        return 2;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto list = MarketService(db).bids(filter);
    if (!list)
        return fail(command, list.error());
    if (parser.isSet(kJson)) {
        QJsonArray rows;
        for (const MarketBid &b : list.value())
            rows.append(bidJson(b));
        printJson(QStringLiteral("bids"), rows);
        return 0;
    }
    if (list.value().isEmpty())
        out() << "no bids\n";
    for (const MarketBid &b : list.value())
        out() << b.id << "  offer " << b.offerId << "  " << bidStateName(b.state) << "  "
              << b.purchaserName << "  " << b.rateRps << " req/s"
              << (b.minRps ? QStringLiteral(" (min %1)").arg(*b.minRps) : QString()) << "  at "
              << formatMinor(b.priceMinor, QString()).trimmed() << "  " << b.source << "  "
              << utc(b.createdAtMs) << "\n";
    return 0;
}

int bidCancel(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl bid cancel");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Cancel an open bid."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The bid's id."));
    parser.addOptions({kActor, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto id = positiveId(parser, command, QStringLiteral("bid"));
    if (!id)
        return 2;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto b = MarketService(db).cancelBid(*id, std::nullopt, actorFrom(parser));
    if (!b)
        return fail(command, b.error());
    out() << "bid " << *id << " cancelled\n";
    return 0;
}

// --- purchase ---------------------------------------------------------------------------------

int purchaseList(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl purchase list");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Purchases: the approval queue (--pending) and decided ones."));
    const QCommandLineOption pending(QStringLiteral("pending"),
                                     QStringLiteral("Only those waiting for approval."));
    const QCommandLineOption purchaser(QStringLiteral("purchaser"),
                                       QStringLiteral("Only this purchaser's."),
                                       QStringLiteral("ID"));
    parser.addOptions({pending, purchaser, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    PurchaseFilter filter;
    if (parser.isSet(pending))
        filter.state = PurchaseState::Pending;
    if (!optionalId(parser, purchaser, command, &filter.purchaserId))
        return 2;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto list = MarketService(db).purchases(filter);
    if (!list)
        return fail(command, list.error());
    if (parser.isSet(kJson)) {
        QJsonArray rows;
        for (const Purchase &p : list.value())
            rows.append(purchaseJson(p));
        printJson(QStringLiteral("purchases"), rows);
        return 0;
    }
    if (list.value().isEmpty())
        out() << "no purchases\n";
    for (const Purchase &p : list.value())
        out() << p.id << "  " << purchaseStateName(p.state) << "  offer " << p.offerId << "  "
              << p.purchaserName << "  site " << p.siteName << "  " << p.rateRps << " req/s at "
              << formatMinor(p.priceMinor, p.currency)
              << (p.reason.isEmpty() ? QString() : QStringLiteral("  (%1)").arg(p.reason)) << "\n";
    return 0;
}

// The delegation check for approvals, when a sandbox says where the servers are.
MarketService::DelegationProbe probeFrom(const QCommandLineParser &parser)
{
    QString ignored;
    const auto layout = sandboxLayoutFrom(parser, &ignored);
    if (!layout || !Sandbox(*layout).status().running)
        return {};
    const SandboxLayout l = *layout;
    return [l](const QString &host) {
        QString error;
        const auto name = DnsName::parse(host, &error);
        const auto zone = DnsName::parse(l.ourZone, &error);
        if (!name || !zone) {
            DelegationReport r;
            r.host = host;
            r.explanation = error;
            return r;
        }
        DelegationCheckInput in{*name,
                                *zone,
                                {{l.authoritative.address, l.authoritative.port}},
                                l.recursor.address,
                                l.recursor.port,
                                l.purchaserDns.address,
                                l.purchaserDns.port,
                                2000};
        return checkDelegation(in);
    };
}

int purchaseDecide(const QStringList &arguments, bool approve)
{
    const QString command = QStringLiteral("headroomctl purchase ") +
                            (approve ? QLatin1String("approve") : QLatin1String("reject"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        approve ? QStringLiteral("Approve a purchase: creates its lease (the offer's pool, window "
                                 "and kind; the purchase's site and rate) and its tariff, then "
                                 "checks the site's hosts are delegated to our DNS.")
                : QStringLiteral("Reject a purchase, with the reason; its units go back on sale."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The purchase's id."));
    const QCommandLineOption reason(QStringLiteral("reason"), QStringLiteral("Why (required)."),
                                    QStringLiteral("TEXT"));
    if (!approve)
        parser.addOption(reason);
    parser.addOptions({kActor, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto id = positiveId(parser, command, QStringLiteral("purchase"));
    if (!id)
        return 2;
    if (!approve && parser.value(reason).trimmed().isEmpty()) {
        err() << command << ": a rejection needs --reason TEXT\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    MarketService market(db);
    if (!approve) {
        const auto p = market.reject(*id, parser.value(reason), actorFrom(parser));
        if (!p)
            return fail(command, p.error());
        out() << "purchase " << *id << " rejected: " << p.value().reason << "\n";
        return 0;
    }
    const auto probe = probeFrom(parser);
    const auto a = market.approve(*id, actorFrom(parser), probe);
    if (!a)
        return fail(command, a.error());
    if (parser.isSet(kJson)) {
        QJsonArray leases;
        for (const qint64 l : a.value().leaseIds)
            leases.append(l);
        QJsonArray delegation;
        for (const DelegationReport &r : a.value().delegation)
            delegation.append(r.toJson());
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("purchase"), purchaseJson(a.value().purchase)},
                                 {QStringLiteral("leases"), leases},
                                 {QStringLiteral("delegation"), delegation},
                                 {QStringLiteral("delegation_checked"), bool(probe)}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "purchase " << *id << " approved; lease";
    for (const qint64 l : a.value().leaseIds)
        out() << " " << l;
    out() << " created\n";
    if (!probe)
        out() << "  delegation not checked (no sandbox running): run headroomctl dns "
                 "check-delegation HOST --resolver ADDR:PORT --authority ADDR:PORT\n";
    for (const DelegationReport &r : a.value().delegation)
        out() << "  " << r.host << ": " << delegationVerdictName(r.verdict)
              << (r.via.isEmpty() ? QString() : QStringLiteral(" via ") + r.via) << " - "
              << r.explanation << "\n";
    return 0;
}

int purchaseRule(const QStringList &arguments)
{
    const QString command = QStringLiteral("headroomctl purchase auto-approve");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Show or set the auto-approve rule: on approves every new purchase (up to --max-rps if "
        "given) as soon as it is made; off leaves them in the queue."));
    parser.addPositionalArgument(QStringLiteral("on|off"), QStringLiteral("Optional."));
    const QCommandLineOption max(QStringLiteral("max-rps"),
                                 QStringLiteral("Only purchases up to this rate (0: any)."),
                                 QStringLiteral("RPS"), QStringLiteral("0"));
    parser.addOptions({max, kActor, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    const QString mode = parser.positionalArguments().value(0);
    if (parser.positionalArguments().size() > 1 ||
        (!mode.isEmpty() && mode != QLatin1String("on") && mode != QLatin1String("off"))) {
        err() << command << ": on or off\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    MarketService market(db);
    if (!mode.isEmpty()) {
        AutoApproveRule rule;
        rule.enabled = mode == QLatin1String("on");
        const auto m = wholeNumber(parser.value(max), 0, 10'000'000);
        if (!m) {
            err() << command << ": --max-rps takes a whole number of req/s\n";
            return 2;
        }
        rule.maxRps = *m;
        if (const auto r = market.setAutoApproveRule(rule, actorFrom(parser)); !r)
            return fail(command, r.error());
    }
    const auto rule = market.autoApproveRule();
    if (!rule)
        return fail(command, rule.error());
    out() << "auto-approve " << (rule.value().enabled ? "on" : "off");
    if (rule.value().enabled)
        out() << (rule.value().maxRps == 0
                      ? QStringLiteral(" for every purchase")
                      : QStringLiteral(" for purchases up to %1 req/s").arg(rule.value().maxRps));
    out() << "\n";
    return 0;
}

// The market's verbs kept their own name for the one audit log.
int marketAudit(const QStringList &arguments)
{
    return audit(arguments, QStringLiteral("headroomctl purchase audit"));
}

int dispatch(const QStringList &arguments, const QString &verb, const QString &usage,
             const QList<std::pair<QString, std::function<int(const QStringList &)>>> &actions)
{
    const QString action = arguments.value(0);
    for (const auto &[name, run] : actions) {
        if (action == name)
            return run(arguments.mid(1));
    }
    if (action == QLatin1String("--help") || action == QLatin1String("help")) {
        out() << usage;
        return 0;
    }
    err() << "headroomctl " << verb << ": " << usage;
    return 2;
}

} // namespace

int offer(const QStringList &arguments)
{
    return dispatch(
        arguments, QStringLiteral("offer"),
        QStringLiteral("Usage: headroomctl offer post|list|withdraw|close|preview|reprice ... "
                       "(--help for each)\n"),
        {{QStringLiteral("post"), offerPost},
         {QStringLiteral("list"), offerList},
         {QStringLiteral("withdraw"),
          [](const QStringList &a) { return offerSimple(a, QStringLiteral("withdraw")); }},
         {QStringLiteral("close"),
          [](const QStringList &a) { return offerSimple(a, QStringLiteral("close")); }},
         {QStringLiteral("preview"),
          [](const QStringList &a) { return offerSimple(a, QStringLiteral("preview")); }},
         {QStringLiteral("reprice"),
          [](const QStringList &a) { return offerSimple(a, QStringLiteral("reprice")); }}});
}

int bid(const QStringList &arguments)
{
    return dispatch(arguments, QStringLiteral("bid"),
                    QStringLiteral("Usage: headroomctl bid place|list|cancel ... (--help for "
                                   "each)\n"),
                    {{QStringLiteral("place"), bidPlace},
                     {QStringLiteral("list"), bidList},
                     {QStringLiteral("cancel"), bidCancel}});
}

int purchase(const QStringList &arguments)
{
    return dispatch(
        arguments, QStringLiteral("purchase"),
        QStringLiteral("Usage: headroomctl purchase list|approve|reject|auto-approve|audit ... "
                       "(--help for each)\n"),
        {{QStringLiteral("list"), purchaseList},
         {QStringLiteral("approve"), [](const QStringList &a) { return purchaseDecide(a, true); }},
         {QStringLiteral("reject"), [](const QStringList &a) { return purchaseDecide(a, false); }},
         {QStringLiteral("auto-approve"), purchaseRule},
         {QStringLiteral("audit"), marketAudit}});
}

} // namespace headroom::ctl
