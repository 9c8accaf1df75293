#pragma once

#include "domain/lease.h"

#include <QList>
#include <QString>
#include <optional>

namespace headroom {

enum class InvoiceKind
{
    Invoice,
    CreditNote // cancels one issued invoice in full; its amounts are the invoice's, negated
};

// draft -> issued -> paid; issued (or paid) -> void only by issuing a credit note for it. A draft
// has no number and may be replaced by a new invoice run; from issue on nothing but the state
// changes (the database refuses it).
enum class InvoiceState
{
    Draft,
    Issued,
    Paid,
    Void
};

QString invoiceKindName(InvoiceKind k); // "invoice", "credit-note"
std::optional<InvoiceKind> invoiceKindFromName(const QString &name);
QString invoiceStateName(InvoiceState s); // "draft", "issued", "paid", "void"
std::optional<InvoiceState> invoiceStateFromName(const QString &name);

// One lease on one invoice. Amounts are minor units of the invoice's currency, each rounded once
// (money.h); amount = charge - credit. The metering figures it was rated from are kept with it,
// so the line can be checked (and unbilled usage found) after the fact.
struct InvoiceLine
{
    qint64 id = 0;
    qint64 leaseId = 0;
    LeaseKind leaseKind = LeaseKind::Firm;
    QString description;
    qint64 quantityMilli = 0; // quantity x 1000 in `unit` (display; the charge uses exact values)
    QString unit;             // "req/s x h" (firm) or "thousand requests" (best effort)
    qint64 unitPriceMinor = 0;
    qint64 chargeMinor = 0;
    qint64 creditMinor = 0; // firm: shortfall the steering shed
    qint64 amountMinor = 0;
    // What it was rated from.
    qint64 rateMilliRps = 0;   // firm: the rate sold, in 0.001 req/s
    qint64 billedMs = 0;       // firm: time of its windows within the period
    qint64 shedMilliRpsMs = 0; // firm: shortfall, 0.001 req/s x ms
    qint64 requests = 0;       // metered within the period
    qint64 bytes = 0;
    qint64 perGbMinor = 0; // best effort: the per-GB price, when charged
};

// An invoice or credit note: one purchaser, one period (a calendar month, UTC), one currency.
struct Invoice
{
    qint64 id = 0;
    QString number; // empty while a draft; "HR-2026-000001", "CN-2026-000001"
    InvoiceKind kind = InvoiceKind::Invoice;
    InvoiceState state = InvoiceState::Draft;
    qint64 purchaserId = 0;
    QString period; // "YYYY-MM"
    QString currency;
    qint64 subtotalMinor = 0;
    int taxRateBp = 0; // basis points: 1900 = 19 %
    qint64 taxMinor = 0;
    qint64 totalMinor = 0;
    std::optional<qint64> creditNoteFor; // credit notes: the invoice they cancel
    QString reason;                      // credit notes: why
    // Who sells and who buys, copied at issue so that an issued invoice renders the same forever.
    QString sellerName;
    QString sellerAddress;
    QString sellerTaxId;
    QString buyerName;
    QString buyerAddress;
    qint64 createdAtMs = 0;
    std::optional<qint64> issuedAtMs;
    std::optional<qint64> paidAtMs;
    std::optional<qint64> voidedAtMs;
    QList<InvoiceLine> lines;
};

// The operator's details and defaults for invoices (billing_settings).
struct BillingSettings
{
    QString companyName;
    QString companyAddress;
    QString taxId;
    int taxRateBp = 0;
    QString currency; // the default for new tariffs; empty = none
};

// A billing period: a calendar month in UTC.
struct BillingPeriod
{
    QString name; // "2026-11"
    qint64 startMs = 0;
    qint64 endMs = 0; // exclusive: the first millisecond of the next month

    // "YYYY-MM" with a year from 2000 to 9999; nullopt with *error.
    static std::optional<BillingPeriod> parse(const QString &text, QString *error);
    static BillingPeriod containing(qint64 ms);
};

} // namespace headroom
