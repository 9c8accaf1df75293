#pragma once

#include "billing/invoice.h"
#include "billing/rater.h"
#include "billing/tariff.h"
#include "domain/lease.h"
#include "store/result.h"

#include <QHash>
#include <QList>
#include <functional>
#include <optional>

namespace headroom {

class Database;

// A lease as the invoice run sees it: who buys it (through its site) and at what price.
struct BillableLease
{
    Lease lease;
    std::optional<qint64> purchaserId; // the site's purchaser; none = not billable
    QString purchaserName;
    QString purchaserAddress;
    std::optional<Tariff> tariff; // none = not billable
    // From its lease_events: the first move to active, the last move out of it.
    std::optional<qint64> activeFromMs;
    std::optional<qint64> activeUntilMs;
};

struct InvoiceFilter
{
    QString fromPeriod; // inclusive, "YYYY-MM"; empty = no bound
    QString toPeriod;   // inclusive
    std::optional<qint64> purchaserId;
    std::optional<InvoiceState> state;
};

// One metered sample, as the usage detail export writes it.
struct UsageRow
{
    QString sampleUid;
    qint64 atMs = 0;
    std::optional<qint64> leaseId;
    std::optional<qint64> purchaserId;
    QString site;
    QString proxy;
    qint64 requests = 0;
    qint64 bytes = 0;
};

// Metered usage of one lease (or of a site outside any lease) in one month, against what issued
// invoices billed of it: unbilled = metered - billed (samples that arrived after the invoice, or
// a month not invoiced yet).
struct UnbilledUsage
{
    std::optional<qint64> leaseId;
    QString site;
    QString period;
    qint64 samples = 0;
    qint64 requests = 0;
    qint64 bytes = 0;
    qint64 billedRequests = 0;
    qint64 billedBytes = 0;
    QStringList invoiceNumbers;
};

// Invoices, their lines and numbers, the operator's billing settings, and the metering reads the
// invoice run and the exports need. The rules an issued invoice lives by (never changes, never
// deleted, void only through a credit note) are triggers in the schema (migration 7), so they
// hold for any writer; this class adds the numbering and the transitions.
class BillingRepository final
{
public:
    explicit BillingRepository(Database &database);

    Result<BillingSettings> settings() const;
    // Validated (settingsProblem); replaces every setting.
    Result<void> setSettings(const BillingSettings &settings);
    static QString settingsProblem(const BillingSettings &settings);

    // The invoice run's inputs for one period: leases whose windows intersect it or that have
    // usage or shortfall recorded within it (of one purchaser, if given), ordered by id...
    Result<QList<BillableLease>> billableLeases(const BillingPeriod &period,
                                                std::optional<qint64> purchaserId) const;
    // ... their metered usage (by the samples' `at`) ...
    Result<QHash<qint64, UsageTotals>> usageByLease(const BillingPeriod &period) const;
    // ... their shortfall, in 0.001 req/s x ms ...
    Result<QHash<qint64, qint64>> shortfallByLease(const BillingPeriod &period) const;
    // ... and which of them an issued or paid invoice of the period bills already (lease ->
    // invoice number).
    Result<QHash<qint64, QString>> leasesOnLiveInvoices(const QString &period) const;

    // In one transaction: deletes the period's draft invoices (of one purchaser, if given) and
    // stores `drafts` with their lines. Issued invoices are not touched. Returns the new ids.
    Result<QList<qint64>> replaceDrafts(const QString &period, std::optional<qint64> purchaserId,
                                        const QList<Invoice> &drafts);

    Result<std::optional<Invoice>> invoice(qint64 id) const; // with its lines
    Result<std::optional<Invoice>> invoiceByNumber(const QString &number) const;
    // Oldest first (by period, then id).
    Result<QList<Invoice>> invoices(const InvoiceFilter &filter, bool withLines) const;

    // draft -> issued: takes the next number of its series ("HR-<year of issue>" for invoices),
    // copies the seller's and buyer's details, in one transaction, so numbers have no gaps and
    // are never reused. Refused for an invoice of a period that has not ended unless
    // beforePeriodEnd (its usage may still grow).
    Result<Invoice> issue(qint64 id, qint64 nowMs, bool beforePeriodEnd = false);
    // issued -> paid.
    Result<Invoice> markPaid(qint64 id, qint64 nowMs);
    // Issues a credit note ("CN-<year>-...") that negates an issued or paid invoice line by line
    // and voids the invoice, in one transaction. Returns the credit note.
    Result<Invoice> creditNote(qint64 id, const QString &reason, qint64 nowMs);

    // Streams the samples with fromMs <= at < toMs (of one lease, if given) in time order to
    // `sink`, without holding them in memory; sink returns false to stop.
    Result<qint64> forEachUsageSample(qint64 fromMs, qint64 toMs, std::optional<qint64> leaseId,
                                      const std::function<bool(const UsageRow &)> &sink) const;
    // Per lease (or site without lease) and month: every month that has samples in
    // [fromMs, toMs), counted whole.
    Result<QList<UnbilledUsage>> unbilledUsage(qint64 fromMs, qint64 toMs,
                                               std::optional<qint64> leaseId) const;

private:
    Result<qint64> insertInvoice(const Invoice &invoice);
    Result<std::optional<Invoice>> readOne(const QString &where, const QVariant &value) const;
    Result<void> readLines(QList<Invoice> &invoices) const;
    Result<QString> nextNumber(const QString &series);

    Database &m_database;
};

} // namespace headroom
