#pragma once

#include "billing/invoice.h"
#include "billing/invoicerun.h"
#include "domain/purchaser.h"
#include "store/result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <functional>
#include <optional>

namespace headroom {

class ChangeWatcher;
class Database;
class DatabaseThread;

// What is not billed yet of one lease (or of a site's traffic outside any lease) in the period:
// the metering no issued invoice covers, and what the next invoice run would charge for it.
struct UnbilledRow
{
    std::optional<qint64> leaseId;
    std::optional<LeaseKind> kind;
    QString site;
    std::optional<qint64> purchaserId;
    QString purchaserName;
    qint64 samples = 0;
    qint64 requests = 0; // metered and not on an issued invoice
    qint64 bytes = 0;
    QStringList invoiceNumbers; // issued invoices that bill the lease for the period
    // Rated by the core (rateLease) with the lease's tariff; none when it is not billed or,
    // for a firm lease already invoiced, when late usage costs nothing (firm is billed by time).
    std::optional<qint64> estimateMinor;
    QString currency;
    QString note; // why there is no estimate, or what it stands for
};

// One month of the revenue chart in one currency, net of tax: issued invoices (paid or not, and
// those a credit note voided since) plus credit notes (negative), split into what is paid and
// what is still owed.
struct RevenueMonth
{
    QString period;
    qint64 paidMinor = 0;
    qint64 outstandingMinor = 0; // net minus paid: issued and unpaid, less credit notes
};

// One reading of the billing records for a period and purchaser filter, taken off the GUI thread.
struct BillingSnapshot
{
    BillingPeriod period;
    std::optional<qint64> purchaserId;
    QList<Purchaser> purchasers;
    QList<Invoice> invoices; // of the period, with their lines, oldest first
    QList<UnbilledRow> unbilled;
    // The 12 months up to the period, per currency (months oldest first, all 12 present).
    QHash<QString, QList<RevenueMonth>> revenue;
    QString defaultCurrency; // the billing settings' currency; may be empty
    QString error;           // reading failed (the lists are then empty)
    qint64 readAtMs = 0;

    QString purchaserName(qint64 id) const;
    std::optional<Invoice> invoice(qint64 id) const;
};

// The Billing view's picture of the database and its way of changing it. Reads run on a reader
// thread, commands (invoice run, issue, paid, credit note) on a writer thread, each with its own
// connection, replying on the GUI thread. headroomctl and the controller write to the same file,
// so a ChangeWatcher reads again whenever anyone commits.
class BillingBoard final : public QObject
{
    Q_OBJECT
public:
    static constexpr int RevenueMonths = 12;
    // Commits by others (the controller meters every poll) are read at most this often: a read
    // sums the month's usage, which is not free on a large ledger.
    static constexpr int WatchedReadIntervalMs = 2000;

    explicit BillingBoard(QObject *parent = nullptr);
    ~BillingBoard() override;

    // Reads the billing records at `path` and watches them; empty closes it. The first snapshot
    // comes in later: changed().
    void open(const QString &path);
    QString databasePath() const { return m_path; }
    // What to read: one month, all purchasers or one.
    void setFilter(const BillingPeriod &period, std::optional<qint64> purchaserId);
    BillingPeriod period() const { return m_period; }
    std::optional<qint64> purchaserId() const { return m_purchaserId; }

    bool hasSnapshot() const { return m_hasSnapshot; }
    const BillingSnapshot &snapshot() const { return m_snapshot; }
    int snapshotCount() const { return m_snapshotCount; }
    // Reads again; a call while a read runs makes one more read after it.
    void refresh();
    bool isReading() const { return m_reading; }

    // Commands, on the writer thread; `done` runs on this thread afterwards unless `context` is
    // gone by then. Each makes the board read again.
    template <typename T> using Done = std::function<void(const T &)>;
    void runInvoices(const BillingPeriod &period, std::optional<qint64> purchaserId,
                     QObject *context, Done<Result<InvoiceRunReport>> done);
    void issue(qint64 invoiceId, bool beforePeriodEnd, QObject *context,
               Done<Result<Invoice>> done);
    void markPaid(qint64 invoiceId, QObject *context, Done<Result<Invoice>> done);
    void creditNote(qint64 invoiceId, const QString &reason, QObject *context,
                    Done<Result<Invoice>> done);
    int commandsRunning() const;

    // Who the audit log says acted: "console:<login name>" unless set.
    void setActor(const QString &actor) { m_actor = actor; }
    QString actor() const { return m_actor; }

Q_SIGNALS:
    void changed();

private:
    template <typename R>
    void command(QObject *context, std::function<R(Database &)> work, Done<R> done);
    void setSnapshot(const BillingSnapshot &snapshot, quint64 generation);

    DatabaseThread *m_reader = nullptr;
    DatabaseThread *m_writer = nullptr;
    ChangeWatcher *m_watcher = nullptr;
    QTimer *m_watchedRead = nullptr;
    QString m_path;
    BillingPeriod m_period;
    std::optional<qint64> m_purchaserId;
    QString m_actor;
    BillingSnapshot m_snapshot;
    quint64 m_generation = 0;
    bool m_hasSnapshot = false;
    bool m_reading = false;
    bool m_readAgain = false;
    int m_snapshotCount = 0;
};

} // namespace headroom
