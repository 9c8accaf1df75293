#pragma once

#include "billing/invoice.h"
#include "billing/invoicerun.h"
#include "billing/tariff.h"
#include "dns/desiredname.h"
#include "domain/importedname.h"
#include "domain/lease.h"
#include "domain/purchaser.h"
#include "domain/site.h"
#include "fleet/headroommodel.h"
#include "security/auditlog.h"

#include <QList>
#include <optional>

namespace headroom {

// The operator's state-changing actions on the database, each with its audit_log row in the same
// transaction. headroomctl and the console both go through here, so an action is named and
// described the same way whichever program the operator used. (The market's actions are
// recorded by MarketService itself.) Details name what changed; they never carry a secret, a
// token or a card number.
class AuditedActions final
{
public:
    AuditedActions(Database &database, QString actor, AuditLog::Clock clock = {});

    AuditLog &log() { return m_log; }

    Result<qint64> addSite(const Site &site);    // site.add
    Result<qint64> addLease(const Lease &lease); // lease.add
    Result<bool> cancelLease(qint64 leaseId);    // lease.cancel
    // lease.move when both ends move by the same amount, else lease.resize. False (no row) when
    // the lease changed meanwhile.
    Result<bool> rescheduleLease(qint64 leaseId, qint64 startsAtMs, qint64 endsAtMs,
                                 const QString &note);
    Result<qint64> addPurchaser(const Purchaser &purchaser);              // purchaser.add
    Result<QString> issueToken(qint64 purchaserId, const QString &label); // purchaser.token
    Result<int> revokeTokens(qint64 purchaserId);                         // purchaser.token.revoke
    Result<void> setTariff(qint64 leaseId, const Tariff &tariff);         // billing.tariff.set
    Result<void> setBillingSettings(const BillingSettings &settings);     // billing.settings
    Result<InvoiceRunReport> runInvoices(const BillingPeriod &period,
                                         std::optional<qint64> purchaserId,
                                         qint64 nowMs); // billing.invoice.run
    Result<Invoice> issueInvoice(qint64 invoiceId, qint64 nowMs,
                                 bool beforePeriodEnd);              // billing.invoice.issue
    Result<Invoice> markInvoicePaid(qint64 invoiceId, qint64 nowMs); // billing.invoice.pay
    Result<Invoice> creditInvoice(qint64 invoiceId, const QString &reason,
                                  qint64 nowMs); // billing.invoice.credit
    // dns.set-weights or dns.remove: the desired state of one name, described by the caller
    // (which knows the weights it asked for).
    Result<void> setDesiredName(const QString &action, const DesiredName &name,
                                const QString &detail);
    // dns.import-zone: the zone's imported names replaced; `source` says where they came from.
    Result<void> importZone(const QString &zone, const QList<ImportedName> &names,
                            const QString &source);
    // fleet.import-history: all the samples and the roll-up, or nothing.
    Result<void> importLoadHistory(const QList<LoadSample> &samples, const QString &source,
                                   qint64 nowMs);

private:
    Database &m_database;
    AuditLog m_log;
};

} // namespace headroom
