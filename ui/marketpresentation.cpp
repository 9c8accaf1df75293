#include "marketpresentation.h"

#include "leasepresentation.h"
#include "market/marketservice.h"

#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace headroom::presentation {

namespace {

QString capitalised(QString word)
{
    if (!word.isEmpty())
        word[0] = word.at(0).toUpper();
    return word;
}

const QColor kGreen(0x2e, 0x9d, 0x50);
const QColor kBlue(0x3d, 0x6f, 0xb0);
const QColor kAmber(0xc9, 0x7d, 0x0e);
const QColor kRed(0xc2, 0x33, 0x36);
const QColor kGrey(0x8c, 0x93, 0x9d);

} // namespace

QString offerStateText(OfferState state)
{
    return capitalised(offerStateName(state));
}

QColor offerStateColor(OfferState state)
{
    switch (state) {
    case OfferState::Open:
        return kBlue;
    case OfferState::Awarded:
        return kGreen;
    case OfferState::Closed:
    case OfferState::Withdrawn:
        break;
    }
    return kGrey;
}

QString bidStateText(BidState state)
{
    return capitalised(bidStateName(state));
}

QColor bidStateColor(BidState state)
{
    switch (state) {
    case BidState::Open:
        return kBlue;
    case BidState::Won:
        return kGreen;
    case BidState::Lost:
        return kRed;
    case BidState::Withdrawn:
        break;
    }
    return kGrey;
}

QString purchaseStateText(PurchaseState state)
{
    return capitalised(purchaseStateName(state));
}

QColor purchaseStateColor(PurchaseState state)
{
    switch (state) {
    case PurchaseState::Pending:
        return kAmber;
    case PurchaseState::Approved:
        return kGreen;
    case PurchaseState::Rejected:
        break;
    }
    return kRed;
}

QIcon stateDot(const QColor &color)
{
    QIcon icon;
    for (const int size : {12, 16, 24}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        const qreal d = size * 0.6;
        painter.drawEllipse(QRectF((size - d) / 2, (size - d) / 2, d, d));
        icon.addPixmap(pixmap);
    }
    return icon;
}

QString pricingText(PricingMode mode)
{
    return pricingModeName(mode);
}

QString kindText(LeaseKind kind)
{
    return leaseKindName(kind);
}

QString priceUnitText(LeaseKind kind)
{
    return kind == LeaseKind::Firm ? QStringLiteral("per req/s·h") : QStringLiteral("per 1k req");
}

QString offerPriceText(const Offer &offer)
{
    switch (offer.pricing) {
    case PricingMode::Fixed:
        return formatMinor(offer.priceMinor, offer.currency);
    case PricingMode::Continuous:
        return QStringLiteral("ask ") + formatMinor(offer.priceMinor, offer.currency);
    case PricingMode::Auction:
        break;
    }
    return QStringLiteral("reserve ") + formatMinor(offer.reserveMinor, offer.currency);
}

QString offerSoldText(const Offer &offer)
{
    const QLocale locale;
    if (offer.unitsLeft() <= 0)
        return QStringLiteral("sold out");
    if (offer.soldRps <= 0)
        return QStringLiteral("%1 left").arg(locale.toString(offer.unitsLeft()));
    return QStringLiteral("%1 sold · %2 left")
        .arg(locale.toString(offer.soldRps), locale.toString(offer.unitsLeft()));
}

QString offerWindowText(const Offer &offer)
{
    return windowText(offer.asLease());
}

QString offerWindowUtcText(const Offer &offer)
{
    const QString first = windowText(offer.startsAtMs, offer.endsAtMs()) + QStringLiteral(" UTC");
    return offer.dailyDays > 1 ? first + QStringLiteral(" · daily ×%1").arg(offer.dailyDays)
                               : first;
}

QString offerCloseText(const Offer &offer, qint64 nowMs)
{
    if (offer.pricing != PricingMode::Auction || !offer.closesAtMs)
        return QStringLiteral("—");
    if (offer.state != OfferState::Open)
        return QStringLiteral("closed");
    if (nowMs >= *offer.closesAtMs)
        return QStringLiteral("closing…");
    return QStringLiteral("closes in %1").arg(durationText(*offer.closesAtMs - nowMs));
}

QString offerLabel(const Offer &offer)
{
    return QStringLiteral("offer %1 · %2 %3")
        .arg(offer.id)
        .arg(offer.pool, rateText(offer.rateRps));
}

QString ageText(qint64 ms)
{
    const qint64 minutes = std::max<qint64>(0, ms) / 60000;
    if (minutes == 0)
        return QStringLiteral("%1s").arg(std::max<qint64>(0, ms) / 1000);
    if (minutes < 60)
        return QStringLiteral("%1m").arg(minutes);
    return durationText(ms);
}

QString hourlyTotalText(const Purchase &purchase, LeaseKind kind)
{
    if (kind == LeaseKind::Firm)
        return formatMinor(purchase.rateRps * purchase.priceMinor, purchase.currency) +
               QStringLiteral("/h");
    // rate req/s for an hour is rate × 3.6 thousand requests.
    const qint64 minor =
        qint64(std::llround(double(purchase.rateRps) * 3.6 * double(purchase.priceMinor)));
    return QStringLiteral("≤ ") + formatMinor(minor, purchase.currency) + QStringLiteral("/h");
}

QString paymentText(const Purchaser &purchaser)
{
    if (!purchaser.paymentTokenRef.isEmpty()) {
        const QString token = purchaser.paymentTokenRef;
        return token.size() > 14 ? token.left(13) + QStringLiteral("…") : token;
    }
    if (purchaser.paymentLast4)
        return QStringLiteral("card …") + *purchaser.paymentLast4;
    return QStringLiteral("none");
}

std::optional<qint64> parseDurationMinutes(const QString &text)
{
    static const QRegularExpression hoursMinutes(QRegularExpression::anchoredPattern(QStringLiteral(
        "\\s*(?:(\\d{1,5}(?:\\.\\d{1,2})?)\\s*h)?\\s*(?:(\\d{1,6})\\s*m(?:in)?)?\\s*")));
    static const QRegularExpression plainHours(
        QRegularExpression::anchoredPattern(QStringLiteral("\\s*(\\d{1,5}(?:\\.\\d{1,2})?)\\s*")));
    double hours = 0;
    qint64 minutes = 0;
    if (const auto plain = plainHours.match(text); plain.hasMatch()) {
        hours = plain.captured(1).toDouble();
    } else if (const auto m = hoursMinutes.match(text);
               m.hasMatch() && (m.hasCaptured(1) || m.hasCaptured(2))) {
        hours = m.hasCaptured(1) ? m.captured(1).toDouble() : 0;
        minutes = m.hasCaptured(2) ? m.captured(2).toLongLong() : 0;
    } else {
        return std::nullopt;
    }
    const double total = hours * 60 + double(minutes);
    if (std::abs(total - std::round(total)) > 1e-6)
        return std::nullopt; // not a whole number of minutes
    return qint64(std::llround(total));
}

QString durationMinutesText(qint64 minutes)
{
    if (minutes < 60)
        return QStringLiteral("%1m").arg(minutes);
    if (minutes % 60 == 0)
        return QStringLiteral("%1h").arg(minutes / 60);
    return QStringLiteral("%1h %2m").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

} // namespace headroom::presentation

namespace headroom::presentation {

QString approvalText(const Approval &approval, bool delegationChecked)
{
    const Purchase &p = approval.purchase;
    QStringList leases;
    for (const qint64 id : approval.leaseIds)
        leases.append(QString::number(id));
    QString text =
        QStringLiteral("Approved purchase %1 (%2, %3, %4 at %5): lease%6 %7 created.")
            .arg(p.id)
            .arg(p.purchaserName.isEmpty() ? QStringLiteral("purchaser %1").arg(p.purchaserId)
                                           : p.purchaserName,
                 p.siteName.isEmpty() ? QStringLiteral("no site") : p.siteName,
                 rateText(double(p.rateRps)), formatMinor(p.priceMinor, p.currency),
                 leases.size() == 1 ? QString() : QStringLiteral("s"),
                 leases.join(QStringLiteral(", ")));
    if (!delegationChecked)
        return text + QStringLiteral(" Delegation not checked: the console knows the resolver and "
                                     "the purchaser's DNS server only for a sandbox; run "
                                     "headroomctl dns check-delegation for each host.");
    if (approval.delegation.isEmpty())
        return text + QStringLiteral(" The site has no host names to check.");
    QStringList verdicts;
    for (const DelegationReport &r : approval.delegation) {
        QString host = r.host;
        if (host.endsWith(QLatin1Char('.')))
            host.chop(1);
        QString verdict =
            delegationVerdictName(r.verdict).replace(QLatin1Char('-'), QLatin1Char(' '));
        if (!r.via.isEmpty())
            verdict += QStringLiteral(" via ") + r.via;
        if (r.verdict != DelegationReport::Verdict::Delegated && !r.explanation.isEmpty())
            verdict += QStringLiteral(" (%1)").arg(r.explanation);
        verdicts.append(QStringLiteral("%1 %2").arg(host, verdict));
    }
    return text + QStringLiteral(" Delegation: ") + verdicts.join(QStringLiteral("; ")) +
           QLatin1Char('.');
}

bool allDelegated(const Approval &approval)
{
    return std::all_of(approval.delegation.cbegin(), approval.delegation.cend(),
                       [](const DelegationReport &r) {
                           return r.verdict == DelegationReport::Verdict::Delegated;
                       });
}

} // namespace headroom::presentation
