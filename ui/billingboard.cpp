#include "billingboard.h"

#include "billing/rater.h"
#include "databasethread.h"
#include "security/auditedactions.h"
#include "store/billingrepository.h"
#include "store/changewatcher.h"
#include "store/database.h"
#include "store/purchaserrepository.h"

#include <QDateTime>
#include <QPointer>
#include <QSet>
#include <algorithm>

namespace headroom {

namespace {

// The month `months` before `period` (0: itself).
BillingPeriod monthsBefore(const BillingPeriod &period, int months)
{
    BillingPeriod p = period;
    for (int i = 0; i < months; ++i)
        p = BillingPeriod::containing(p.startMs - 1);
    return p;
}

QHash<QString, QList<RevenueMonth>> revenueOf(const QList<Invoice> &documents,
                                              const BillingPeriod &last)
{
    QStringList periods;
    for (int i = BillingBoard::RevenueMonths - 1; i >= 0; --i)
        periods.append(monthsBefore(last, i).name);
    QHash<QString, QList<RevenueMonth>> out;
    for (const Invoice &d : documents) {
        if (d.state == InvoiceState::Draft)
            continue;
        const qsizetype month = periods.indexOf(d.period);
        if (month < 0)
            continue;
        auto it = out.find(d.currency);
        if (it == out.end()) {
            QList<RevenueMonth> months;
            for (const QString &p : periods)
                months.append(RevenueMonth{p, 0, 0});
            it = out.insert(d.currency, months);
        }
        RevenueMonth &m = (*it)[month];
        // A voided invoice was issued, and its credit note takes it back: both count.
        if (d.kind == InvoiceKind::Invoice && d.state == InvoiceState::Paid)
            m.paidMinor += d.subtotalMinor;
        else
            m.outstandingMinor += d.subtotalMinor;
    }
    return out;
}

// What is not billed yet in the period: every billable lease no issued invoice covers (what the
// next run would charge for it), and metering that arrived after the invoice that covers it.
Result<QList<UnbilledRow>> unbilledOf(const BillingRepository &billing, const BillingPeriod &period,
                                      std::optional<qint64> purchaserId)
{
    const auto leases = billing.billableLeases(period, std::nullopt);
    if (!leases)
        return leases.error();
    const auto usage = billing.unbilledUsage(period.startMs, period.endMs, std::nullopt);
    if (!usage)
        return usage.error();
    const auto metered = billing.usageByLease(period);
    if (!metered)
        return metered.error();
    const auto shortfall = billing.shortfallByLease(period);
    if (!shortfall)
        return shortfall.error();
    const auto live = billing.leasesOnLiveInvoices(period.name);
    if (!live)
        return live.error();

    QHash<qint64, BillableLease> byId;
    for (const BillableLease &b : leases.value())
        byId.insert(b.lease.id, b);
    QHash<qint64, UnbilledUsage> usageByLease;
    QList<UnbilledRow> rows;
    for (const UnbilledUsage &u : usage.value()) {
        if (u.period != period.name)
            continue;
        if (u.leaseId) {
            usageByLease.insert(*u.leaseId, u);
            continue;
        }
        if (purchaserId)
            continue; // traffic outside any lease belongs to no purchaser
        UnbilledRow row;
        row.site = u.site;
        row.samples = u.samples;
        row.requests = u.requests;
        row.bytes = u.bytes;
        row.note = QStringLiteral("no lease: never billed");
        rows.append(row);
    }

    QString error;
    for (const BillableLease &b : leases.value()) {
        if (purchaserId && b.purchaserId != purchaserId)
            continue;
        const qint64 id = b.lease.id;
        const UnbilledUsage u = usageByLease.value(id);
        const bool invoiced = live.value().contains(id);
        UnbilledRow row;
        row.leaseId = id;
        row.kind = b.lease.kind;
        row.site = b.lease.siteName;
        row.purchaserId = b.purchaserId;
        row.purchaserName = b.purchaserName;
        row.samples = u.samples;
        row.requests = u.requests - u.billedRequests;
        row.bytes = u.bytes - u.billedBytes;
        row.invoiceNumbers = u.invoiceNumbers;
        if (invoiced && row.invoiceNumbers.isEmpty())
            row.invoiceNumbers = {live.value().value(id)};
        if (invoiced && row.requests <= 0 && row.bytes <= 0)
            continue; // billed in full
        if (!b.purchaserId) {
            row.note = QStringLiteral("site has no purchaser: not billed");
        } else if (!b.tariff) {
            row.note = QStringLiteral("no tariff: not billed");
        } else if (invoiced && b.lease.kind == LeaseKind::Firm) {
            row.note = QStringLiteral("firm: billed by time on %1")
                           .arg(row.invoiceNumbers.join(QStringLiteral(", ")));
        } else {
            RatingInput input;
            input.lease = b.lease;
            input.siteName = b.lease.siteName;
            input.tariff = *b.tariff;
            input.period = period;
            input.activeFromMs = b.activeFromMs;
            input.activeUntilMs = b.activeUntilMs;
            if (invoiced) {
                // Only what arrived after the invoice: the next run after a credit note bills it.
                input.usage = UsageTotals{std::max<qint64>(0, row.requests),
                                          std::max<qint64>(0, row.bytes), row.samples};
                row.note = QStringLiteral("arrived after %1")
                               .arg(row.invoiceNumbers.join(QStringLiteral(", ")));
            } else {
                input.usage = metered.value().value(id);
                input.shedMilliRpsMs = shortfall.value().value(id);
                row.note = QStringLiteral("next invoice run");
            }
            const auto line = rateLease(input, &error);
            if (line) {
                row.estimateMinor = line->amountMinor;
                row.currency = b.tariff->currency;
            } else {
                row.note = QStringLiteral("cannot be rated: ") + error;
            }
        }
        rows.append(row);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const UnbilledRow &a, const UnbilledRow &b) {
        if (a.purchaserName != b.purchaserName)
            return b.purchaserName.isEmpty() ||
                   (!a.purchaserName.isEmpty() && a.purchaserName < b.purchaserName);
        return a.site < b.site;
    });
    return rows;
}

BillingSnapshot readSnapshot(Database &database, const BillingPeriod &period,
                             std::optional<qint64> purchaserId)
{
    BillingSnapshot s;
    s.period = period;
    s.purchaserId = purchaserId;
    s.readAtMs = QDateTime::currentMSecsSinceEpoch();
    const BillingRepository billing(database);
    const auto purchasers = PurchaserRepository(database).all();
    const auto settings = billing.settings();
    InvoiceFilter filter;
    filter.fromPeriod = filter.toPeriod = period.name;
    filter.purchaserId = purchaserId;
    const auto invoices = billing.invoices(filter, true);
    InvoiceFilter year;
    year.fromPeriod = monthsBefore(period, BillingBoard::RevenueMonths - 1).name;
    year.toPeriod = period.name;
    year.purchaserId = purchaserId;
    const auto documents = billing.invoices(year, false);
    if (!purchasers || !settings || !invoices || !documents) {
        s.error = !purchasers ? purchasers.error().message
                  : !settings ? settings.error().message
                  : !invoices ? invoices.error().message
                              : documents.error().message;
        return s;
    }
    const auto unbilled = unbilledOf(billing, period, purchaserId);
    if (!unbilled) {
        s.error = unbilled.error().message;
        return s;
    }
    s.purchasers = purchasers.value();
    std::sort(s.purchasers.begin(), s.purchasers.end(), [](const Purchaser &a, const Purchaser &b) {
        return a.organisation.localeAwareCompare(b.organisation) < 0;
    });
    // Only what the view shows of a purchaser: never their payment reference.
    for (Purchaser &p : s.purchasers) {
        p.paymentTokenRef.clear();
        p.paymentLast4.reset();
    }
    s.invoices = invoices.value();
    s.unbilled = unbilled.value();
    // A lease on a draft is still unbilled, but the operator should know the draft is there.
    QSet<qint64> onDrafts;
    for (const Invoice &i : std::as_const(s.invoices)) {
        if (i.state != InvoiceState::Draft)
            continue;
        for (const InvoiceLine &l : i.lines)
            onDrafts.insert(l.leaseId);
    }
    for (UnbilledRow &row : s.unbilled) {
        if (row.leaseId && row.invoiceNumbers.isEmpty() && row.estimateMinor &&
            onDrafts.contains(*row.leaseId))
            row.note = QStringLiteral("on a draft, not issued");
    }
    s.revenue = revenueOf(documents.value(), period);
    s.defaultCurrency = settings.value().currency;
    return s;
}

// Failure values for a command that never reached the database.
template <typename R> R unavailable(const QString &why)
{
    return StoreError{why, 0};
}

} // namespace

QString BillingSnapshot::purchaserName(qint64 id) const
{
    for (const Purchaser &p : purchasers) {
        if (p.id == id)
            return p.organisation;
    }
    return {};
}

std::optional<Invoice> BillingSnapshot::invoice(qint64 id) const
{
    for (const Invoice &i : invoices) {
        if (i.id == id)
            return i;
    }
    return std::nullopt;
}

BillingBoard::BillingBoard(QObject *parent)
    : QObject(parent), m_reader(new DatabaseThread(QStringLiteral("BillingReader"), this)),
      m_writer(new DatabaseThread(QStringLiteral("BillingWriter"), this)),
      m_watcher(new ChangeWatcher(this)), m_watchedRead(new QTimer(this)),
      m_period(BillingPeriod::containing(QDateTime::currentMSecsSinceEpoch())),
      m_actor(AuditLog::consoleActor())
{
    m_watchedRead->setSingleShot(true);
    m_watchedRead->setInterval(WatchedReadIntervalMs);
    connect(m_watchedRead, &QTimer::timeout, this, &BillingBoard::refresh);
    connect(m_watcher, &ChangeWatcher::changed, this, [this] {
        if (!m_watchedRead->isActive())
            m_watchedRead->start();
    });
}

BillingBoard::~BillingBoard() = default;

void BillingBoard::open(const QString &path)
{
    ++m_generation;
    m_path = path;
    m_snapshot = BillingSnapshot{};
    m_hasSnapshot = false;
    m_reading = false;
    m_readAgain = false;
    m_watchedRead->stop();
    m_reader->setPath(path);
    m_writer->setPath(path);
    m_watcher->watch(path);
    Q_EMIT changed();
    if (!path.isEmpty())
        refresh();
}

void BillingBoard::setFilter(const BillingPeriod &period, std::optional<qint64> purchaserId)
{
    if (period.name == m_period.name && purchaserId == m_purchaserId)
        return;
    m_period = period;
    m_purchaserId = purchaserId;
    refresh();
}

void BillingBoard::refresh()
{
    if (m_path.isEmpty())
        return;
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    const quint64 generation = m_generation;
    const BillingPeriod period = m_period;
    const std::optional<qint64> purchaserId = m_purchaserId;
    m_reader->run(this, [this, generation, period, purchaserId](Database *database,
                                                                const QString &openError) {
        BillingSnapshot snapshot;
        if (database) {
            snapshot = readSnapshot(*database, period, purchaserId);
        } else {
            snapshot.period = period;
            snapshot.purchaserId = purchaserId;
            snapshot.error = openError;
        }
        return [this, generation, snapshot] { setSnapshot(snapshot, generation); };
    });
}

void BillingBoard::setSnapshot(const BillingSnapshot &snapshot, quint64 generation)
{
    if (generation != m_generation)
        return; // read from a database no longer shown
    m_reading = false;
    const bool current =
        snapshot.period.name == m_period.name && snapshot.purchaserId == m_purchaserId;
    if (current) {
        m_snapshot = snapshot;
        m_hasSnapshot = true;
        ++m_snapshotCount;
        Q_EMIT changed();
    }
    if (m_readAgain || !current) {
        m_readAgain = false;
        refresh();
    }
}

int BillingBoard::commandsRunning() const
{
    return m_writer->pending();
}

template <typename R>
void BillingBoard::command(QObject *context, std::function<R(Database &)> work, Done<R> done)
{
    const quint64 generation = m_generation;
    QPointer<QObject> guard(context);
    m_writer->run(this, [this, work = std::move(work), done = std::move(done), guard,
                         generation](Database *database, const QString &openError) {
        const R result = database ? work(*database) : unavailable<R>(openError);
        return [this, done, guard, generation, result] {
            if (generation == m_generation)
                refresh();
            if (guard && done)
                done(result);
        };
    });
}

void BillingBoard::runInvoices(const BillingPeriod &period, std::optional<qint64> purchaserId,
                               QObject *context, Done<Result<InvoiceRunReport>> done)
{
    command<Result<InvoiceRunReport>>(
        context,
        [period, purchaserId, actor = m_actor](Database &database) {
            return AuditedActions(database, actor)
                .runInvoices(period, purchaserId, QDateTime::currentMSecsSinceEpoch());
        },
        std::move(done));
}

void BillingBoard::issue(qint64 invoiceId, bool beforePeriodEnd, QObject *context,
                         Done<Result<Invoice>> done)
{
    command<Result<Invoice>>(
        context,
        [invoiceId, beforePeriodEnd, actor = m_actor](Database &database) {
            return AuditedActions(database, actor)
                .issueInvoice(invoiceId, QDateTime::currentMSecsSinceEpoch(), beforePeriodEnd);
        },
        std::move(done));
}

void BillingBoard::markPaid(qint64 invoiceId, QObject *context, Done<Result<Invoice>> done)
{
    command<Result<Invoice>>(
        context,
        [invoiceId, actor = m_actor](Database &database) {
            return AuditedActions(database, actor)
                .markInvoicePaid(invoiceId, QDateTime::currentMSecsSinceEpoch());
        },
        std::move(done));
}

void BillingBoard::creditNote(qint64 invoiceId, const QString &reason, QObject *context,
                              Done<Result<Invoice>> done)
{
    command<Result<Invoice>>(
        context,
        [invoiceId, reason, actor = m_actor](Database &database) {
            return AuditedActions(database, actor)
                .creditInvoice(invoiceId, reason, QDateTime::currentMSecsSinceEpoch());
        },
        std::move(done));
}

} // namespace headroom
