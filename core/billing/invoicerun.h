#pragma once

#include "billing/invoice.h"
#include "store/result.h"

#include <QList>
#include <optional>

namespace headroom {

class Database;

// A lease the run did not bill, and why (no tariff, no purchaser, already on an issued invoice,
// or an amount that could not be rated).
struct SkippedLease
{
    qint64 leaseId = 0;
    QString site;
    QString reason;
    bool error = false; // rating failed: the operator must look, the rest was still billed
};

struct InvoiceRunReport
{
    BillingPeriod period;
    QList<Invoice> drafts; // as stored, with ids and lines
    QList<SkippedLease> skipped;
    int replacedDrafts = 0; // drafts of the period (of the purchaser) there were before
};

// The invoice run of one period (docs/BILLING.md): every lease whose windows intersect the month,
// or that has usage or shortfall recorded within it, rated (rateLease) with the usage whose
// sample time falls within the month; one draft per purchaser and currency with one line per
// lease, tax at the configured rate. Re-running replaces the period's drafts and nothing else: a
// lease already on an issued or paid invoice of the period is skipped, so nothing is billed
// twice; after a credit note voids an invoice its leases are billed again by the next run.
class InvoiceRun final
{
public:
    explicit InvoiceRun(Database &database);

    Result<InvoiceRunReport> run(const BillingPeriod &period, std::optional<qint64> purchaserId,
                                 qint64 nowMs);

private:
    Database &m_database;
};

} // namespace headroom
