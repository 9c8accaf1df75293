#include "store/billingrepository.h"

#include "billing/money.h"
#include "store/database.h"
#include "store/sqlerror.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>
#include <QVariant>

namespace headroom {
namespace {

const QString kInvoiceColumns = QStringLiteral(
    "id, number, kind, state, purchaser_id, period, currency, subtotal_minor, tax_rate_bp, "
    "tax_minor, total_minor, credit_note_for, reason, seller_name, seller_address, seller_tax_id, "
    "buyer_name, buyer_address, created_at, issued_at, paid_at, voided_at");

QVariant nullableInt(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<qint64>());
}

std::optional<qint64> optionalInt(const QVariant &v)
{
    return v.isNull() ? std::nullopt : std::optional<qint64>(v.toLongLong());
}

QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

bool hasControl(const QString &s, bool allowNewline)
{
    for (const QChar c : s) {
        if (c.category() == QChar::Other_Control && !(allowNewline && c == QLatin1Char('\n')))
            return true;
    }
    return false;
}

Invoice invoiceFrom(const QSqlQuery &q)
{
    Invoice i;
    i.id = q.value(0).toLongLong();
    i.number = q.value(1).isNull() ? QString() : q.value(1).toString();
    i.kind = invoiceKindFromName(q.value(2).toString()).value_or(InvoiceKind::Invoice);
    i.state = invoiceStateFromName(q.value(3).toString()).value_or(InvoiceState::Draft);
    i.purchaserId = q.value(4).toLongLong();
    i.period = q.value(5).toString();
    i.currency = q.value(6).toString();
    i.subtotalMinor = q.value(7).toLongLong();
    i.taxRateBp = q.value(8).toInt();
    i.taxMinor = q.value(9).toLongLong();
    i.totalMinor = q.value(10).toLongLong();
    i.creditNoteFor = optionalInt(q.value(11));
    i.reason = q.value(12).toString();
    i.sellerName = q.value(13).toString();
    i.sellerAddress = q.value(14).toString();
    i.sellerTaxId = q.value(15).toString();
    i.buyerName = q.value(16).toString();
    i.buyerAddress = q.value(17).toString();
    i.createdAtMs = q.value(18).toLongLong();
    i.issuedAtMs = optionalInt(q.value(19));
    i.paidAtMs = optionalInt(q.value(20));
    i.voidedAtMs = optionalInt(q.value(21));
    return i;
}

QString describe(const Invoice &i)
{
    return i.number.isEmpty() ? QStringLiteral("draft %1").arg(i.id)
                              : QStringLiteral("%1 (%2)").arg(i.number).arg(i.id);
}

} // namespace

BillingRepository::BillingRepository(Database &database) : m_database(database) {}

// ---- settings ----

QString BillingRepository::settingsProblem(const BillingSettings &s)
{
    if (s.companyName.size() > 200 || hasControl(s.companyName, false))
        return QStringLiteral("the company name must be at most 200 characters, without control "
                              "characters");
    if (s.companyAddress.size() > 1000 || hasControl(s.companyAddress, true))
        return QStringLiteral("the address must be at most 1000 characters, without control "
                              "characters other than new lines");
    if (s.taxId.size() > 64 || hasControl(s.taxId, false))
        return QStringLiteral("the tax id must be at most 64 characters");
    if (s.taxRateBp < 0 || s.taxRateBp > 10000)
        return QStringLiteral("the tax rate must be 0 to 10000 basis points (1900 = 19 %)");
    if (!s.currency.isEmpty() && !money::isCurrencyCode(s.currency))
        return QStringLiteral("the currency must be an ISO 4217 code of three capital letters");
    return {};
}

Result<BillingSettings> BillingRepository::settings() const
{
    QSqlQuery query(m_database.connection());
    if (!query.exec(QStringLiteral("SELECT key, value FROM billing_settings")))
        return toStoreError(query, QStringLiteral("reading the billing settings"));
    BillingSettings s;
    while (query.next()) {
        const QString key = query.value(0).toString();
        const QString value = query.value(1).toString();
        if (key == QLatin1String("company_name"))
            s.companyName = value;
        else if (key == QLatin1String("company_address"))
            s.companyAddress = value;
        else if (key == QLatin1String("tax_id"))
            s.taxId = value;
        else if (key == QLatin1String("tax_rate_bp"))
            s.taxRateBp = value.toInt();
        else if (key == QLatin1String("currency"))
            s.currency = value;
    }
    return s;
}

Result<void> BillingRepository::setSettings(const BillingSettings &s)
{
    if (const QString why = settingsProblem(s); !why.isEmpty())
        return StoreError{why};
    return m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery upsert(m_database.connection());
        upsert.prepare(QStringLiteral("INSERT INTO billing_settings (key, value) VALUES (?, ?) "
                                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
        const QList<std::pair<QString, QString>> rows = {
            {QStringLiteral("company_name"), text(s.companyName)},
            {QStringLiteral("company_address"), text(s.companyAddress)},
            {QStringLiteral("tax_id"), text(s.taxId)},
            {QStringLiteral("tax_rate_bp"), QString::number(s.taxRateBp)},
            {QStringLiteral("currency"), text(s.currency)}};
        for (const auto &[key, value] : rows) {
            upsert.bindValue(0, key);
            upsert.bindValue(1, value);
            if (!upsert.exec())
                return toStoreError(upsert, QStringLiteral("storing the billing settings"));
        }
        return {};
    });
}

// ---- the invoice run's inputs ----

Result<QList<BillableLease>>
BillingRepository::billableLeases(const BillingPeriod &period,
                                  std::optional<qint64> purchaserId) const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    // The last window of a daily lease ends (days - 1) days after the first.
    query.prepare(QStringLiteral(
        "SELECT l.id, l.site_id, s.name, l.rate_rps, l.starts_at, l.ends_at, l.daily_days, "
        "l.kind, l.state, l.cancelled_at, s.purchaser_id, p.organisation, p.billing_address, "
        "t.currency, t.firm_minor_per_rps_hour, t.best_effort_minor_per_1k_requests, "
        "t.best_effort_minor_per_gb, l.pool, "
        "(SELECT min(e.at) FROM lease_events e WHERE e.lease_id = l.id "
        "AND e.to_state = 'active'), "
        "(SELECT max(e.at) FROM lease_events e WHERE e.lease_id = l.id "
        "AND e.from_state = 'active') "
        "FROM leases l JOIN sites s ON s.id = l.site_id "
        "LEFT JOIN purchasers p ON p.id = s.purchaser_id "
        "LEFT JOIN lease_tariffs t ON t.lease_id = l.id "
        "WHERE ((l.starts_at < ? AND l.ends_at + (max(l.daily_days, 1) - 1) * 86400000 > ?) "
        "OR l.id IN (SELECT lease_id FROM usage_samples WHERE at >= ? AND at < ? "
        "AND lease_id IS NOT NULL) "
        "OR l.id IN (SELECT lease_id FROM lease_shortfall WHERE at >= ? AND at < ?)) "
        "AND (? IS NULL OR s.purchaser_id = ?) ORDER BY l.id"));
    query.addBindValue(period.endMs);
    query.addBindValue(period.startMs);
    for (int i = 0; i < 2; ++i) {
        query.addBindValue(period.startMs);
        query.addBindValue(period.endMs);
    }
    query.addBindValue(nullableInt(purchaserId));
    query.addBindValue(nullableInt(purchaserId));
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading the leases of %1").arg(period.name));
    QList<BillableLease> out;
    while (query.next()) {
        BillableLease b;
        Lease &l = b.lease;
        l.id = query.value(0).toLongLong();
        l.siteId = query.value(1).toLongLong();
        l.siteName = query.value(2).toString();
        l.rateRps = query.value(3).toDouble();
        l.startsAtMs = query.value(4).toLongLong();
        l.endsAtMs = query.value(5).toLongLong();
        l.dailyDays = query.value(6).toInt();
        l.kind = leaseKindFromName(query.value(7).toString()).value_or(LeaseKind::Firm);
        l.state = leaseStateFromName(query.value(8).toString()).value_or(LeaseState::Failed);
        l.cancelledAtMs = optionalInt(query.value(9));
        l.pool = query.value(17).toString();
        b.activeFromMs = optionalInt(query.value(18));
        b.activeUntilMs = optionalInt(query.value(19));
        b.purchaserId = optionalInt(query.value(10));
        b.purchaserName = query.value(11).toString();
        b.purchaserAddress = query.value(12).toString();
        if (!query.value(13).isNull()) {
            Tariff t;
            t.currency = query.value(13).toString();
            t.firmMinorPerRpsHour = query.value(14).toLongLong();
            t.bestEffortMinorPer1kRequests = query.value(15).toLongLong();
            t.bestEffortMinorPerGb = query.value(16).toLongLong();
            b.tariff = t;
        }
        out.append(b);
    }
    return out;
}

Result<QHash<qint64, UsageTotals>>
BillingRepository::usageByLease(const BillingPeriod &period) const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(
        QStringLiteral("SELECT lease_id, count(*), sum(requests), sum(bytes) FROM usage_samples "
                       "WHERE at >= ? AND at < ? AND lease_id IS NOT NULL GROUP BY lease_id"));
    query.addBindValue(period.startMs);
    query.addBindValue(period.endMs);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("summing the usage of %1").arg(period.name));
    QHash<qint64, UsageTotals> out;
    while (query.next())
        out.insert(query.value(0).toLongLong(),
                   UsageTotals{query.value(2).toLongLong(), query.value(3).toLongLong(),
                               query.value(1).toLongLong()});
    // SQLite stops a sum() that overflows with an error, which exec() or next() reports.
    if (query.lastError().isValid())
        return toStoreError(query, QStringLiteral("summing the usage of %1").arg(period.name));
    return out;
}

Result<QHash<qint64, qint64>> BillingRepository::shortfallByLease(const BillingPeriod &period) const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT lease_id, sum(shed_milli_rps * duration_ms) FROM "
                                 "lease_shortfall WHERE at >= ? AND at < ? GROUP BY lease_id"));
    query.addBindValue(period.startMs);
    query.addBindValue(period.endMs);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("summing the shortfall of %1").arg(period.name));
    QHash<qint64, qint64> out;
    while (query.next())
        out.insert(query.value(0).toLongLong(), query.value(1).toLongLong());
    if (query.lastError().isValid())
        return toStoreError(query, QStringLiteral("summing the shortfall of %1").arg(period.name));
    return out;
}

Result<QHash<qint64, QString>> BillingRepository::leasesOnLiveInvoices(const QString &period) const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral(
        "SELECT l.lease_id, i.number FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
        "WHERE i.period = ? AND i.kind = 'invoice' AND i.state IN ('issued', 'paid')"));
    query.addBindValue(period);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading the invoices of %1").arg(period));
    QHash<qint64, QString> out;
    while (query.next())
        out.insert(query.value(0).toLongLong(), query.value(1).toString());
    return out;
}

// ---- writing invoices ----

Result<qint64> BillingRepository::insertInvoice(const Invoice &i)
{
    QSqlQuery insert(m_database.connection());
    insert.prepare(QStringLiteral(
        "INSERT INTO invoices (kind, state, purchaser_id, period, currency, subtotal_minor, "
        "tax_rate_bp, tax_minor, total_minor, credit_note_for, reason, seller_name, "
        "seller_address, seller_tax_id, buyer_name, buyer_address, created_at) "
        "VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(invoiceKindName(i.kind));
    insert.addBindValue(i.purchaserId);
    insert.addBindValue(i.period);
    insert.addBindValue(i.currency);
    insert.addBindValue(i.subtotalMinor);
    insert.addBindValue(i.taxRateBp);
    insert.addBindValue(i.taxMinor);
    insert.addBindValue(i.totalMinor);
    insert.addBindValue(nullableInt(i.creditNoteFor));
    insert.addBindValue(text(i.reason));
    insert.addBindValue(text(i.sellerName));
    insert.addBindValue(text(i.sellerAddress));
    insert.addBindValue(text(i.sellerTaxId));
    insert.addBindValue(text(i.buyerName));
    insert.addBindValue(text(i.buyerAddress));
    insert.addBindValue(i.createdAtMs);
    if (!insert.exec())
        return toStoreError(insert, QStringLiteral("storing an invoice of purchaser %1 for %2")
                                        .arg(i.purchaserId)
                                        .arg(i.period));
    const qint64 id = insert.lastInsertId().toLongLong();

    QSqlQuery line(m_database.connection());
    line.prepare(QStringLiteral(
        "INSERT INTO invoice_lines (invoice_id, lease_id, lease_kind, description, "
        "quantity_milli, unit, unit_price_minor, per_gb_minor, charge_minor, credit_minor, "
        "amount_minor, rate_milli_rps, billed_ms, shed_milli_rps_ms, requests, bytes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const InvoiceLine &l : i.lines) {
        const QVariantList values = {id,
                                     l.leaseId,
                                     leaseKindName(l.leaseKind),
                                     text(l.description),
                                     l.quantityMilli,
                                     text(l.unit),
                                     l.unitPriceMinor,
                                     l.perGbMinor,
                                     l.chargeMinor,
                                     l.creditMinor,
                                     l.amountMinor,
                                     l.rateMilliRps,
                                     l.billedMs,
                                     l.shedMilliRpsMs,
                                     l.requests,
                                     l.bytes};
        for (qsizetype v = 0; v < values.size(); ++v)
            line.bindValue(int(v), values[v]);
        if (!line.exec())
            return toStoreError(line,
                                QStringLiteral("storing the line of lease %1").arg(l.leaseId));
    }
    return id;
}

Result<QList<qint64>> BillingRepository::replaceDrafts(const QString &period,
                                                       std::optional<qint64> purchaserId,
                                                       const QList<Invoice> &drafts)
{
    QList<qint64> ids;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        ids.clear();
        QSqlQuery drop(m_database.connection());
        drop.prepare(QStringLiteral("DELETE FROM invoices WHERE period = ? AND state = 'draft' "
                                    "AND kind = 'invoice' AND (? IS NULL OR purchaser_id = ?)"));
        drop.addBindValue(period);
        drop.addBindValue(nullableInt(purchaserId));
        drop.addBindValue(nullableInt(purchaserId));
        if (!drop.exec())
            return toStoreError(drop, QStringLiteral("replacing the drafts of %1").arg(period));
        // Read again under the write lock: an invoice issued since the run read its inputs
        // must not be billed a second time.
        const auto live = leasesOnLiveInvoices(period);
        if (!live)
            return live.error();
        for (const Invoice &draft : drafts) {
            for (const InvoiceLine &l : draft.lines) {
                if (live.value().contains(l.leaseId))
                    return StoreError{QStringLiteral("lease %1 was billed on %2 while the run was "
                                                     "rating; run the period again")
                                          .arg(l.leaseId)
                                          .arg(live.value().value(l.leaseId))};
            }
        }
        for (const Invoice &draft : drafts) {
            if (draft.period != period || draft.kind != InvoiceKind::Invoice ||
                (purchaserId && draft.purchaserId != *purchaserId))
                return StoreError{QStringLiteral("a draft does not belong to this run")};
            const Result<qint64> id = insertInvoice(draft);
            if (!id)
                return id.error();
            ids.append(id.value());
        }
        return {};
    });
    if (!written)
        return written.error();
    return ids;
}

// ---- reading invoices ----

Result<void> BillingRepository::readLines(QList<Invoice> &invoices) const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral(
        "SELECT id, lease_id, lease_kind, description, quantity_milli, unit, unit_price_minor, "
        "per_gb_minor, charge_minor, credit_minor, amount_minor, rate_milli_rps, billed_ms, "
        "shed_milli_rps_ms, requests, bytes FROM invoice_lines WHERE invoice_id = ? ORDER BY "
        "lease_id"));
    for (Invoice &invoice : invoices) {
        query.bindValue(0, invoice.id);
        if (!query.exec())
            return toStoreError(query,
                                QStringLiteral("reading the lines of invoice %1").arg(invoice.id));
        invoice.lines.clear();
        while (query.next()) {
            InvoiceLine l;
            l.id = query.value(0).toLongLong();
            l.leaseId = query.value(1).toLongLong();
            l.leaseKind = leaseKindFromName(query.value(2).toString()).value_or(LeaseKind::Firm);
            l.description = query.value(3).toString();
            l.quantityMilli = query.value(4).toLongLong();
            l.unit = query.value(5).toString();
            l.unitPriceMinor = query.value(6).toLongLong();
            l.perGbMinor = query.value(7).toLongLong();
            l.chargeMinor = query.value(8).toLongLong();
            l.creditMinor = query.value(9).toLongLong();
            l.amountMinor = query.value(10).toLongLong();
            l.rateMilliRps = query.value(11).toLongLong();
            l.billedMs = query.value(12).toLongLong();
            l.shedMilliRpsMs = query.value(13).toLongLong();
            l.requests = query.value(14).toLongLong();
            l.bytes = query.value(15).toLongLong();
            invoice.lines.append(l);
        }
        query.finish();
    }
    return {};
}

Result<std::optional<Invoice>> BillingRepository::readOne(const QString &where,
                                                          const QVariant &value) const
{
    QList<Invoice> found;
    {
        QSqlQuery query(m_database.connection());
        // `where` is one of this file's constant clauses; the value is bound.
        query.prepare(QStringLiteral("SELECT ") + kInvoiceColumns +
                      QStringLiteral(" FROM invoices WHERE ") + where);
        query.addBindValue(value);
        if (!query.exec())
            return toStoreError(query, QStringLiteral("reading an invoice"));
        if (query.next())
            found.append(invoiceFrom(query));
    }
    if (found.isEmpty())
        return std::optional<Invoice>();
    if (const Result<void> lines = readLines(found); !lines)
        return lines.error();
    return std::optional<Invoice>(found.first());
}

Result<std::optional<Invoice>> BillingRepository::invoice(qint64 id) const
{
    return readOne(QStringLiteral("id = ?"), id);
}

Result<std::optional<Invoice>> BillingRepository::invoiceByNumber(const QString &number) const
{
    return readOne(QStringLiteral("number = ?"), number);
}

Result<QList<Invoice>> BillingRepository::invoices(const InvoiceFilter &f, bool withLines) const
{
    QList<Invoice> out;
    {
        QSqlQuery query(m_database.connection());
        query.setForwardOnly(true);
        query.prepare(QStringLiteral("SELECT ") + kInvoiceColumns +
                      QStringLiteral(" FROM invoices WHERE (? = '' OR period >= ?) AND "
                                     "(? = '' OR period <= ?) AND (? IS NULL OR purchaser_id = ?) "
                                     "AND (? IS NULL OR state = ?) ORDER BY period, id"));
        const QString state = f.state ? invoiceStateName(*f.state) : QString();
        const QVariant stateValue =
            f.state ? QVariant(state) : QVariant(QMetaType::fromType<QString>());
        query.addBindValue(text(f.fromPeriod));
        query.addBindValue(text(f.fromPeriod));
        query.addBindValue(text(f.toPeriod));
        query.addBindValue(text(f.toPeriod));
        query.addBindValue(nullableInt(f.purchaserId));
        query.addBindValue(nullableInt(f.purchaserId));
        query.addBindValue(stateValue);
        query.addBindValue(stateValue);
        if (!query.exec())
            return toStoreError(query, QStringLiteral("reading invoices"));
        while (query.next())
            out.append(invoiceFrom(query));
    }
    if (withLines) {
        if (const Result<void> lines = readLines(out); !lines)
            return lines.error();
    }
    return out;
}

// ---- transitions ----

Result<QString> BillingRepository::nextNumber(const QString &series)
{
    // Inside the caller's write transaction: the counter and the invoice commit or roll back
    // together, so a number is used exactly once and none is skipped.
    QSqlQuery bump(m_database.connection());
    bump.prepare(QStringLiteral("INSERT INTO invoice_series (series, last) VALUES (?, 1) "
                                "ON CONFLICT (series) DO UPDATE SET last = last + 1"));
    bump.addBindValue(series);
    if (!bump.exec())
        return toStoreError(bump, QStringLiteral("numbering in series %1").arg(series));
    QSqlQuery read(m_database.connection());
    read.prepare(QStringLiteral("SELECT last FROM invoice_series WHERE series = ?"));
    read.addBindValue(series);
    if (!read.exec() || !read.next())
        return toStoreError(read, QStringLiteral("numbering in series %1").arg(series));
    return QStringLiteral("%1-%2").arg(series).arg(read.value(0).toLongLong(), 6, 10,
                                                   QLatin1Char('0'));
}

Result<Invoice> BillingRepository::issue(qint64 id, qint64 nowMs, bool beforePeriodEnd)
{
    std::optional<Invoice> issued;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        const auto found = invoice(id);
        if (!found)
            return found.error();
        if (!found.value())
            return StoreError{QStringLiteral("no invoice %1").arg(id)};
        Invoice i = *found.value();
        if (i.state != InvoiceState::Draft)
            return StoreError{QStringLiteral("%1 is %2 already: an issued invoice never changes")
                                  .arg(describe(i), invoiceStateName(i.state))};
        QString error;
        const auto period = BillingPeriod::parse(i.period, &error);
        if (!period)
            return StoreError{error};
        if (nowMs < period->endMs && !beforePeriodEnd)
            return StoreError{
                QStringLiteral("%1 is for %2, which has not ended: its usage may still grow "
                               "(run the period again after it ends, or issue it early on "
                               "purpose)")
                    .arg(describe(i), i.period)};
        // A lease is billed at most once per period.
        const auto live = leasesOnLiveInvoices(i.period);
        if (!live)
            return live.error();
        for (const InvoiceLine &l : i.lines) {
            if (live.value().contains(l.leaseId))
                return StoreError{QStringLiteral("lease %1 is billed on %2 already; run the "
                                                 "period again to drop it from this draft")
                                      .arg(l.leaseId)
                                      .arg(live.value().value(l.leaseId))};
        }
        const Result<BillingSettings> seller = settings();
        if (!seller)
            return seller.error();
        QSqlQuery buyer(m_database.connection());
        buyer.prepare(
            QStringLiteral("SELECT organisation, billing_address FROM purchasers WHERE id = ?"));
        buyer.addBindValue(i.purchaserId);
        if (!buyer.exec() || !buyer.next())
            return toStoreError(buyer, QStringLiteral("reading purchaser %1").arg(i.purchaserId));
        i.buyerName = buyer.value(0).toString();
        i.buyerAddress = buyer.value(1).toString();
        buyer.finish();
        i.sellerName = seller.value().companyName;
        i.sellerAddress = seller.value().companyAddress;
        i.sellerTaxId = seller.value().taxId;

        const QString year =
            QString::number(QDateTime::fromMSecsSinceEpoch(nowMs, QTimeZone::utc()).date().year());
        const QString series =
            (i.kind == InvoiceKind::Invoice ? QStringLiteral("HR-") : QStringLiteral("CN-")) + year;
        const Result<QString> number = nextNumber(series);
        if (!number)
            return number.error();
        QSqlQuery update(m_database.connection());
        update.prepare(QStringLiteral(
            "UPDATE invoices SET state = 'issued', number = ?, series = ?, seq = "
            "(SELECT last FROM invoice_series WHERE series = ?), issued_at = ?, seller_name = ?, "
            "seller_address = ?, seller_tax_id = ?, buyer_name = ?, buyer_address = ? "
            "WHERE id = ? AND state = 'draft'"));
        update.addBindValue(number.value());
        update.addBindValue(series);
        update.addBindValue(series);
        update.addBindValue(nowMs);
        update.addBindValue(text(i.sellerName));
        update.addBindValue(text(i.sellerAddress));
        update.addBindValue(text(i.sellerTaxId));
        update.addBindValue(text(i.buyerName));
        update.addBindValue(text(i.buyerAddress));
        update.addBindValue(id);
        if (!update.exec())
            return toStoreError(update, QStringLiteral("issuing %1").arg(describe(i)));
        if (update.numRowsAffected() != 1)
            return StoreError{
                QStringLiteral("%1 changed while it was being issued").arg(describe(i))};
        i.state = InvoiceState::Issued;
        i.number = number.value();
        i.issuedAtMs = nowMs;
        issued = i;
        return {};
    });
    if (!written)
        return written.error();
    return *issued;
}

Result<Invoice> BillingRepository::markPaid(qint64 id, qint64 nowMs)
{
    std::optional<Invoice> paid;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        const auto found = invoice(id);
        if (!found)
            return found.error();
        if (!found.value())
            return StoreError{QStringLiteral("no invoice %1").arg(id)};
        Invoice i = *found.value();
        if (i.kind != InvoiceKind::Invoice || i.state != InvoiceState::Issued)
            return StoreError{
                QStringLiteral("%1 is a %2 in state %3: only an issued invoice can "
                               "be paid")
                    .arg(describe(i), invoiceKindName(i.kind), invoiceStateName(i.state))};
        QSqlQuery update(m_database.connection());
        update.prepare(QStringLiteral("UPDATE invoices SET state = 'paid', paid_at = ? WHERE id = "
                                      "? AND state = 'issued'"));
        update.addBindValue(nowMs);
        update.addBindValue(id);
        if (!update.exec())
            return toStoreError(update, QStringLiteral("marking %1 paid").arg(describe(i)));
        i.state = InvoiceState::Paid;
        i.paidAtMs = nowMs;
        paid = i;
        return {};
    });
    if (!written)
        return written.error();
    return *paid;
}

Result<Invoice> BillingRepository::creditNote(qint64 id, const QString &reason, qint64 nowMs)
{
    if (reason.trimmed().isEmpty() || reason.size() > 500 || hasControl(reason, false))
        return StoreError{QStringLiteral("a credit note needs a reason of at most 500 characters")};
    std::optional<Invoice> issuedNote;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        const auto found = invoice(id);
        if (!found)
            return found.error();
        if (!found.value())
            return StoreError{QStringLiteral("no invoice %1").arg(id)};
        const Invoice original = *found.value();
        if (original.kind != InvoiceKind::Invoice)
            return StoreError{QStringLiteral("%1 is a credit note: it cannot be credited")
                                  .arg(describe(original))};
        if (original.state == InvoiceState::Draft)
            return StoreError{QStringLiteral("%1 is a draft: nothing to credit (run the period "
                                             "again instead)")
                                  .arg(describe(original))};
        if (original.state == InvoiceState::Void)
            return StoreError{
                QStringLiteral("%1 is void already (credited once)").arg(describe(original))};

        Invoice note = original;
        note.id = 0;
        note.number.clear();
        note.kind = InvoiceKind::CreditNote;
        note.state = InvoiceState::Draft;
        note.creditNoteFor = original.id;
        note.reason = reason.trimmed();
        note.subtotalMinor = -original.subtotalMinor;
        note.taxMinor = -original.taxMinor;
        note.totalMinor = -original.totalMinor;
        note.createdAtMs = nowMs;
        note.issuedAtMs.reset();
        note.paidAtMs.reset();
        note.voidedAtMs.reset();
        for (InvoiceLine &l : note.lines) {
            l.description = QStringLiteral("Credit for %1: %2").arg(original.number, l.description);
            l.quantityMilli = -l.quantityMilli;
            l.chargeMinor = -l.chargeMinor;
            l.creditMinor = -l.creditMinor;
            l.amountMinor = -l.amountMinor;
        }
        const Result<qint64> noteId = insertInvoice(note);
        if (!noteId)
            return noteId.error();
        note.id = noteId.value();

        const QString series =
            QStringLiteral("CN-") +
            QString::number(QDateTime::fromMSecsSinceEpoch(nowMs, QTimeZone::utc()).date().year());
        const Result<QString> number = nextNumber(series);
        if (!number)
            return number.error();
        // The seller's and buyer's details stay those of the invoice it cancels.
        QSqlQuery issue(m_database.connection());
        issue.prepare(QStringLiteral(
            "UPDATE invoices SET state = 'issued', number = ?, series = ?, seq = "
            "(SELECT last FROM invoice_series WHERE series = ?), issued_at = ? WHERE id = ?"));
        issue.addBindValue(number.value());
        issue.addBindValue(series);
        issue.addBindValue(series);
        issue.addBindValue(nowMs);
        issue.addBindValue(note.id);
        if (!issue.exec())
            return toStoreError(issue, QStringLiteral("issuing the credit note"));
        QSqlQuery voidIt(m_database.connection());
        voidIt.prepare(
            QStringLiteral("UPDATE invoices SET state = 'void', voided_at = ? WHERE id = ?"));
        voidIt.addBindValue(nowMs);
        voidIt.addBindValue(original.id);
        if (!voidIt.exec())
            return toStoreError(voidIt, QStringLiteral("voiding %1").arg(describe(original)));
        note.state = InvoiceState::Issued;
        note.number = number.value();
        note.issuedAtMs = nowMs;
        issuedNote = note;
        return {};
    });
    if (!written)
        return written.error();
    return *issuedNote;
}

// ---- metering reads ----

Result<qint64>
BillingRepository::forEachUsageSample(qint64 fromMs, qint64 toMs, std::optional<qint64> leaseId,
                                      const std::function<bool(const UsageRow &)> &sink) const
{
    // Proxy names and each lease's purchaser up front: a million-row scan then reads one table
    // along one index, with no join per row.
    QHash<qint64, QString> proxies;
    QHash<qint64, std::optional<qint64>> purchaserOfLease;
    {
        QSqlQuery names(m_database.connection());
        names.setForwardOnly(true);
        if (!names.exec(QStringLiteral("SELECT id, name FROM proxies")))
            return toStoreError(names, QStringLiteral("reading proxies"));
        while (names.next())
            proxies.insert(names.value(0).toLongLong(), names.value(1).toString());
        QSqlQuery owners(m_database.connection());
        owners.setForwardOnly(true);
        if (!owners.exec(QStringLiteral(
                "SELECT l.id, s.purchaser_id FROM leases l JOIN sites s ON s.id = l.site_id")))
            return toStoreError(owners, QStringLiteral("reading leases"));
        while (owners.next())
            purchaserOfLease.insert(owners.value(0).toLongLong(), optionalInt(owners.value(1)));
    }
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral(
        "SELECT sample_uid, at, lease_id, proxy_id, site, requests, bytes FROM usage_samples "
        "WHERE at >= ? AND at < ? AND (? IS NULL OR lease_id = ?) ORDER BY at, id"));
    query.addBindValue(fromMs);
    query.addBindValue(toMs);
    query.addBindValue(nullableInt(leaseId));
    query.addBindValue(nullableInt(leaseId));
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading usage samples"));
    qint64 rows = 0;
    UsageRow row;
    while (query.next()) {
        row.sampleUid = query.value(0).toString();
        row.atMs = query.value(1).toLongLong();
        row.leaseId = optionalInt(query.value(2));
        row.purchaserId = row.leaseId ? purchaserOfLease.value(*row.leaseId) : std::nullopt;
        row.proxy = proxies.value(query.value(3).toLongLong());
        row.site = query.value(4).toString();
        row.requests = query.value(5).toLongLong();
        row.bytes = query.value(6).toLongLong();
        ++rows;
        if (!sink(row))
            break;
    }
    if (query.lastError().isValid())
        return toStoreError(query, QStringLiteral("reading usage samples"));
    return rows;
}

Result<QList<UnbilledUsage>> BillingRepository::unbilledUsage(qint64 fromMs, qint64 toMs,
                                                              std::optional<qint64> leaseId) const
{
    // Whole months: a month's invoice covers all of it.
    const BillingPeriod first = BillingPeriod::containing(fromMs);
    const BillingPeriod last = BillingPeriod::containing(std::max(fromMs, toMs - 1));
    QList<UnbilledUsage> out;
    QHash<QString, qsizetype> index; // "lease|site|period" -> row
    {
        QSqlQuery query(m_database.connection());
        query.setForwardOnly(true);
        query.prepare(QStringLiteral(
            "SELECT u.lease_id, u.site, strftime('%Y-%m', u.at / 1000, 'unixepoch') AS month, "
            "count(*), sum(u.requests), sum(u.bytes) FROM usage_samples u "
            "WHERE u.at >= ? AND u.at < ? AND (? IS NULL OR u.lease_id = ?) "
            "GROUP BY u.lease_id, u.site, month ORDER BY month, u.lease_id, u.site"));
        query.addBindValue(first.startMs);
        query.addBindValue(last.endMs);
        query.addBindValue(nullableInt(leaseId));
        query.addBindValue(nullableInt(leaseId));
        if (!query.exec())
            return toStoreError(query, QStringLiteral("summing usage"));
        while (query.next()) {
            UnbilledUsage u;
            u.leaseId = optionalInt(query.value(0));
            u.site = query.value(1).toString();
            u.period = query.value(2).toString();
            u.samples = query.value(3).toLongLong();
            u.requests = query.value(4).toLongLong();
            u.bytes = query.value(5).toLongLong();
            index.insert(QStringLiteral("%1|%2").arg(
                             u.leaseId ? QString::number(*u.leaseId) : u.site, u.period),
                         out.size());
            out.append(u);
        }
        if (query.lastError().isValid())
            return toStoreError(query, QStringLiteral("summing usage"));
    }
    QSqlQuery billed(m_database.connection());
    billed.setForwardOnly(true);
    billed.prepare(QStringLiteral(
        "SELECT l.lease_id, i.period, sum(l.requests), sum(l.bytes), group_concat(i.number, ' ') "
        "FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
        "WHERE i.kind = 'invoice' AND i.state IN ('issued', 'paid') AND i.period >= ? "
        "AND i.period <= ? GROUP BY l.lease_id, i.period"));
    billed.addBindValue(first.name);
    billed.addBindValue(last.name);
    if (!billed.exec())
        return toStoreError(billed, QStringLiteral("reading billed usage"));
    while (billed.next()) {
        const auto at = index.constFind(QStringLiteral("%1|%2")
                                            .arg(billed.value(0).toLongLong())
                                            .arg(billed.value(1).toString()));
        if (at == index.cend())
            continue;
        UnbilledUsage &u = out[*at];
        u.billedRequests = billed.value(2).toLongLong();
        u.billedBytes = billed.value(3).toLongLong();
        u.invoiceNumbers = billed.value(4).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    }
    return out;
}

} // namespace headroom
