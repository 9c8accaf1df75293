#include "security/auditedactions.h"

#include "billing/money.h"
#include "store/billingrepository.h"
#include "store/dnsrepository.h"
#include "store/leaserepository.h"
#include "store/loadhistoryrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/tariffrepository.h"

#include <QDateTime>

namespace headroom {

namespace {

QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString windowText(qint64 startMs, qint64 endMs)
{
    return QStringLiteral("%1 - %2 UTC").arg(utc(startMs), utc(endMs));
}

QString invoiceName(const Invoice &invoice)
{
    return invoice.number.isEmpty() ? QStringLiteral("draft %1").arg(invoice.id) : invoice.number;
}

} // namespace

AuditedActions::AuditedActions(Database &database, QString actor, AuditLog::Clock clock)
    : m_database(database), m_log(database, std::move(actor), std::move(clock))
{
}

Result<qint64> AuditedActions::addSite(const Site &site)
{
    return m_log.record(
        QStringLiteral("site.add"), [&] { return SiteRepository(m_database).add(site); },
        [&](qint64 id) {
            QString detail = QStringLiteral("site %1 %2: hosts %3; %4 origin(s); overflow %5")
                                 .arg(id)
                                 .arg(site.name, site.hosts.join(QStringLiteral(", ")))
                                 .arg(site.origins.size())
                                 .arg(assignmentName(site.assignment));
            if (site.purchaserId)
                detail += QStringLiteral("; purchaser %1").arg(*site.purchaserId);
            return detail;
        });
}

Result<qint64> AuditedActions::addLease(const Lease &lease)
{
    return m_log.record(
        QStringLiteral("lease.add"),
        [&] { return LeaseRepository(m_database).add(lease, m_log.actor()); },
        [&](qint64 id) {
            return QStringLiteral("lease %1: %2 req/s %3 for %4 on pool %5, %6%7, overflow %8")
                .arg(id)
                .arg(lease.rateRps)
                .arg(leaseKindName(lease.kind), lease.siteName, lease.pool,
                     windowText(lease.startsAtMs, lease.endsAtMs),
                     lease.dailyDays > 0 ? QStringLiteral(" daily for %1 days").arg(lease.dailyDays)
                                         : QString(),
                     overflowPolicyName(lease.overflow));
        });
}

Result<bool> AuditedActions::cancelLease(qint64 leaseId)
{
    std::optional<Lease> before;
    return m_log.record(
        QStringLiteral("lease.cancel"),
        [&]() -> Result<bool> {
            LeaseRepository leases(m_database);
            const auto found = leases.byId(leaseId);
            if (!found)
                return found.error();
            before = found.value();
            return leases.cancel(leaseId, m_log.actor());
        },
        [&](bool cancelled) {
            if (!cancelled || !before)
                return QString(); // already over or cancelled: nothing changed
            return QStringLiteral("lease %1 (%2) cancelled while %3%4")
                .arg(leaseId)
                .arg(before->siteName, leaseStateName(before->state),
                     before->state == LeaseState::Scheduled
                         ? QString()
                         : QStringLiteral("; it drains, then leaves the proxies"));
        });
}

Result<bool> AuditedActions::rescheduleLease(qint64 leaseId, qint64 startsAtMs, qint64 endsAtMs,
                                             const QString &note)
{
    LeaseRepository leases(m_database);
    const auto found = leases.byId(leaseId);
    if (!found)
        return found.error();
    if (!found.value())
        return StoreError{QStringLiteral("no lease %1").arg(leaseId)};
    const Lease before = *found.value();
    const bool move = startsAtMs - before.startsAtMs == endsAtMs - before.endsAtMs;
    return m_log.record(
        move ? QStringLiteral("lease.move") : QStringLiteral("lease.resize"),
        [&] { return leases.reschedule(leaseId, startsAtMs, endsAtMs, note); },
        [&](bool done) {
            if (!done)
                return QString(); // it changed meanwhile: nothing was moved
            return QStringLiteral("lease %1 (%2): %3 -> %4%5")
                .arg(leaseId)
                .arg(before.siteName, windowText(before.startsAtMs, before.endsAtMs),
                     windowText(startsAtMs, endsAtMs),
                     note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(note));
        });
}

Result<qint64> AuditedActions::addPurchaser(const Purchaser &purchaser)
{
    // The organisation only: contact details and the payment reference stay in their table.
    return m_log.record(
        QStringLiteral("purchaser.add"),
        [&] { return PurchaserRepository(m_database).add(purchaser); },
        [&](qint64 id) {
            return QStringLiteral("purchaser %1 added: %2").arg(id).arg(purchaser.organisation);
        });
}

Result<QString> AuditedActions::issueToken(qint64 purchaserId, const QString &label)
{
    // Never the token: it is shown once to the operator and kept only as its SHA-256.
    return m_log.record(
        QStringLiteral("purchaser.token"),
        [&] { return PurchaserRepository(m_database).issueToken(purchaserId, label); },
        [&](const QString &) {
            return QStringLiteral("API token issued to purchaser %1%2")
                .arg(purchaserId)
                .arg(label.trimmed().isEmpty()
                         ? QString()
                         : QStringLiteral(", labelled \"%1\"").arg(label.trimmed().left(100)));
        });
}

Result<int> AuditedActions::revokeTokens(qint64 purchaserId)
{
    return m_log.record(
        QStringLiteral("purchaser.token.revoke"),
        [&] { return PurchaserRepository(m_database).revokeTokens(purchaserId); },
        [&](int n) {
            return QStringLiteral("%1 API token(s) of purchaser %2 revoked")
                .arg(n)
                .arg(purchaserId);
        });
}

Result<void> AuditedActions::setTariff(qint64 leaseId, const Tariff &t)
{
    return m_log.record(
        QStringLiteral("billing.tariff.set"),
        [&] { return TariffRepository(m_database).set(leaseId, t); },
        QStringLiteral("tariff of lease %1: firm %2 per req/s-hour, best-effort %3 per 1,000 "
                       "requests and %4 per GB")
            .arg(leaseId)
            .arg(money::format(t.firmMinorPerRpsHour, t.currency),
                 money::format(t.bestEffortMinorPer1kRequests, t.currency),
                 money::format(t.bestEffortMinorPerGb, t.currency)));
}

Result<void> AuditedActions::setBillingSettings(const BillingSettings &s)
{
    return m_log.record(
        QStringLiteral("billing.settings"),
        [&] { return BillingRepository(m_database).setSettings(s); },
        QStringLiteral("billing settings: company \"%1\", tax id %2, tax rate %3 bp, default "
                       "currency %4")
            .arg(s.companyName.left(200), s.taxId.isEmpty() ? QStringLiteral("none") : s.taxId)
            .arg(s.taxRateBp)
            .arg(s.currency.isEmpty() ? QStringLiteral("none") : s.currency));
}

Result<InvoiceRunReport> AuditedActions::runInvoices(const BillingPeriod &period,
                                                     std::optional<qint64> purchaserId,
                                                     qint64 nowMs)
{
    return m_log.record(
        QStringLiteral("billing.invoice.run"),
        [&] { return InvoiceRun(m_database).run(period, purchaserId, nowMs); },
        [&](const InvoiceRunReport &r) {
            return QStringLiteral("invoice run %1%2: %3 draft(s), %4 lease(s) skipped, %5 earlier "
                                  "draft(s) replaced")
                .arg(period.name, purchaserId
                                      ? QStringLiteral(" for purchaser %1").arg(*purchaserId)
                                      : QString())
                .arg(r.drafts.size())
                .arg(r.skipped.size())
                .arg(r.replacedDrafts);
        });
}

Result<Invoice> AuditedActions::issueInvoice(qint64 invoiceId, qint64 nowMs, bool beforePeriodEnd)
{
    return m_log.record(
        QStringLiteral("billing.invoice.issue"),
        [&] { return BillingRepository(m_database).issue(invoiceId, nowMs, beforePeriodEnd); },
        [&](const Invoice &i) {
            return QStringLiteral("invoice %1 issued as %2 to purchaser %3: total %4%5")
                .arg(invoiceId)
                .arg(invoiceName(i))
                .arg(i.purchaserId)
                .arg(money::format(i.totalMinor, i.currency),
                     beforePeriodEnd ? QStringLiteral(" (before the period's end)") : QString());
        });
}

Result<Invoice> AuditedActions::markInvoicePaid(qint64 invoiceId, qint64 nowMs)
{
    return m_log.record(
        QStringLiteral("billing.invoice.pay"),
        [&] { return BillingRepository(m_database).markPaid(invoiceId, nowMs); },
        [&](const Invoice &i) {
            return QStringLiteral("invoice %1 marked paid: %2")
                .arg(invoiceName(i), money::format(i.totalMinor, i.currency));
        });
}

Result<Invoice> AuditedActions::creditInvoice(qint64 invoiceId, const QString &reason, qint64 nowMs)
{
    return m_log.record(
        QStringLiteral("billing.invoice.credit"),
        [&] { return BillingRepository(m_database).creditNote(invoiceId, reason, nowMs); },
        [&](const Invoice &note) {
            return QStringLiteral("credit note %1 for invoice %2 (%3): %4")
                .arg(invoiceName(note))
                .arg(invoiceId)
                .arg(money::format(note.totalMinor, note.currency), reason.left(500));
        });
}

Result<void> AuditedActions::setDesiredName(const QString &action, const DesiredName &name,
                                            const QString &detail)
{
    return m_log.record(
        action, [&] { return DnsDesiredRepository(m_database).upsert(name); }, detail);
}

Result<void> AuditedActions::importZone(const QString &zone, const QList<ImportedName> &names,
                                        const QString &source)
{
    return m_log.record(
        QStringLiteral("dns.import-zone"),
        [&] { return ImportedNameRepository(m_database).replaceZone(zone, names); },
        QStringLiteral("%1: %2 name(s) imported from %3").arg(zone).arg(names.size()).arg(source));
}

Result<void> AuditedActions::importLoadHistory(const QList<LoadSample> &samples,
                                               const QString &source, qint64 nowMs)
{
    return m_log.record(
        QStringLiteral("fleet.import-history"),
        [&]() -> Result<void> {
            LoadHistoryRepository history(m_database);
            constexpr qsizetype kBatch = 20000;
            for (qsizetype i = 0; i < samples.size(); i += kBatch) {
                if (const auto r = history.append(samples.mid(i, kBatch)); !r)
                    return r;
            }
            // Older than an hour: folded into minute rows now, as the controller would.
            return history.rollUp(nowMs);
        },
        QStringLiteral("%1 load sample(s) imported from %2").arg(samples.size()).arg(source));
}

} // namespace headroom
