#include "billing/invoicerun.h"

#include "billing/money.h"
#include "billing/rater.h"
#include "store/billingrepository.h"
#include "store/database.h"

#include <map>

namespace headroom {

InvoiceRun::InvoiceRun(Database &database) : m_database(database) {}

Result<InvoiceRunReport> InvoiceRun::run(const BillingPeriod &period,
                                         std::optional<qint64> purchaserId, qint64 nowMs)
{
    BillingRepository repository(m_database);
    const auto settings = repository.settings();
    if (!settings)
        return settings.error();
    const auto leases = repository.billableLeases(period, purchaserId);
    if (!leases)
        return leases.error();
    const auto usage = repository.usageByLease(period);
    if (!usage)
        return usage.error();
    const auto shortfall = repository.shortfallByLease(period);
    if (!shortfall)
        return shortfall.error();
    const auto billed = repository.leasesOnLiveInvoices(period.name);
    if (!billed)
        return billed.error();
    InvoiceFilter existing;
    existing.fromPeriod = period.name;
    existing.toPeriod = period.name;
    existing.purchaserId = purchaserId;
    existing.state = InvoiceState::Draft;
    const auto oldDrafts = repository.invoices(existing, false);
    if (!oldDrafts)
        return oldDrafts.error();

    InvoiceRunReport report;
    report.period = period;
    for (const Invoice &d : oldDrafts.value())
        report.replacedDrafts += d.kind == InvoiceKind::Invoice ? 1 : 0;

    // One draft per purchaser and currency, in a stable order.
    std::map<std::pair<qint64, QString>, Invoice> drafts;
    for (const BillableLease &b : leases.value()) {
        const auto skip = [&](const QString &reason, bool error = false) {
            report.skipped.append({b.lease.id, b.lease.siteName, reason, error});
        };
        if (!b.purchaserId) {
            skip(QStringLiteral("its site %1 has no purchaser").arg(b.lease.siteName));
            continue;
        }
        if (!b.tariff) {
            skip(QStringLiteral("no tariff (set one with: headroomctl billing tariff set %1)")
                     .arg(b.lease.id));
            continue;
        }
        if (const auto on = billed.value().constFind(b.lease.id); on != billed.value().cend()) {
            skip(QStringLiteral("billed on %1 already").arg(*on));
            continue;
        }
        RatingInput input;
        input.lease = b.lease;
        input.siteName = b.lease.siteName;
        input.tariff = *b.tariff;
        input.period = period;
        input.usage = usage.value().value(b.lease.id);
        input.shedMilliRpsMs = shortfall.value().value(b.lease.id);
        input.activeFromMs = b.activeFromMs;
        input.activeUntilMs = b.activeUntilMs;
        QString error;
        const auto line = rateLease(input, &error);
        if (!line) {
            skip(error, true);
            continue;
        }
        Invoice &invoice = drafts[{*b.purchaserId, b.tariff->currency}];
        if (invoice.lines.isEmpty()) {
            invoice.kind = InvoiceKind::Invoice;
            invoice.state = InvoiceState::Draft;
            invoice.purchaserId = *b.purchaserId;
            invoice.period = period.name;
            invoice.currency = b.tariff->currency;
            invoice.taxRateBp = settings.value().taxRateBp;
            invoice.sellerName = settings.value().companyName;
            invoice.sellerAddress = settings.value().companyAddress;
            invoice.sellerTaxId = settings.value().taxId;
            invoice.buyerName = b.purchaserName;
            invoice.buyerAddress = b.purchaserAddress;
            invoice.createdAtMs = nowMs;
        }
        invoice.lines.append(*line);
    }

    QList<Invoice> stored;
    for (auto &[key, invoice] : drafts) {
        // The subtotal is the sum of the rounded line amounts; tax is rounded once on it.
        qint64 subtotal = 0;
        QString error;
        bool ok = true;
        for (const InvoiceLine &l : invoice.lines) {
            const auto sum = money::add(subtotal, l.amountMinor, &error);
            if (!sum) {
                ok = false;
                break;
            }
            subtotal = *sum;
        }
        const auto tax = ok ? taxOn(subtotal, invoice.taxRateBp, &error) : std::nullopt;
        const auto total = tax ? money::add(subtotal, *tax, &error) : std::nullopt;
        if (!total) {
            for (const InvoiceLine &l : invoice.lines)
                report.skipped.append({l.leaseId, QString(), error, true});
            continue;
        }
        invoice.subtotalMinor = subtotal;
        invoice.taxMinor = *tax;
        invoice.totalMinor = *total;
        stored.append(invoice);
    }
    const auto ids = repository.replaceDrafts(period.name, purchaserId, stored);
    if (!ids)
        return ids.error();
    for (qsizetype i = 0; i < stored.size(); ++i) {
        stored[i].id = ids.value()[i];
        report.drafts.append(stored[i]);
    }
    return report;
}

} // namespace headroom
