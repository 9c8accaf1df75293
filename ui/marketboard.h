#pragma once

#include "domain/market.h"
#include "domain/purchaser.h"
#include "domain/site.h"
#include "market/marketservice.h"
#include "store/result.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>
#include <functional>
#include <optional>

namespace headroom {

class ChangeWatcher;
class DatabaseThread;

// One reading of the market, taken on the board's reader thread.
struct MarketSnapshot
{
    // Open offers first (earliest window first), then the others, newest first: those still
    // running or ended in the last HistoryMs.
    QList<Offer> offers;
    QList<MarketBid> bids; // on the offers shown, offer by offer, oldest first
    QList<Purchase> purchases;
    QList<Purchaser> purchasers;
    QList<Site> sites;
    QList<AuditEntry> audit; // newest first
    // previewClearing() of every open auction, by offer id; absent where it failed.
    QHash<qint64, ClearingResult> previews;
    QStringList pools; // of the registered proxies and of the offers shown, sorted
    QString error;     // reading failed (the lists are then empty)
    qint64 readAtMs = 0;
};

// The Market view's picture of the database and its way of changing it. Nothing here touches
// the database on the GUI thread: reads run on a reader thread with its own connection, every
// command (checks included) on a writer thread with another, each replying on the GUI thread.
// The purchaser API and headroomctl write to the same file from other processes, so a
// ChangeWatcher reads the market again whenever anyone commits; so does every command here.
class MarketBoard final : public QObject
{
    Q_OBJECT
public:
    // Offers whose windows ended longer ago than this are no longer shown.
    static constexpr qint64 HistoryMs = 3LL * 24 * 3600 * 1000;
    static constexpr int AuditRows = 200;

    explicit MarketBoard(QObject *parent = nullptr);
    ~MarketBoard() override;

    // Reads the market at `path` (created and migrated like every other connection) and watches
    // it; empty closes it. The first snapshot comes in later: changed().
    void open(const QString &path);
    QString databasePath() const { return m_path; }
    // The first snapshot of this path is in.
    bool hasSnapshot() const { return m_hasSnapshot; }
    const MarketSnapshot &snapshot() const { return m_snapshot; }
    // How many snapshots have come in since the board was made (tests wait on it).
    int snapshotCount() const { return m_snapshotCount; }

    // Reads again; a call while a read runs makes one more read after it.
    void refresh();
    bool isReading() const { return m_reading; }
    ChangeWatcher *watcher() const { return m_watcher; }

    // Who the audit log says acted: "console:<login name>" unless set.
    void setActor(const QString &actor) { m_actor = actor; }
    QString actor() const { return m_actor; }

    std::optional<Offer> offer(qint64 id) const;
    QList<MarketBid> bidsOn(qint64 offerId) const;
    QList<Purchase> pendingPurchases() const;
    std::optional<ClearingResult> preview(qint64 offerId) const;
    QHash<qint64, Offer> offersById() const;

    // Commands. Each runs on the writer thread; `done` runs on this thread afterwards unless
    // `context` is gone by then. Changes make the board read the market again.
    template <typename T> using Done = std::function<void(const T &)>;
    void checkOffer(const Offer &offer, QObject *context, Done<MarketResult<OfferCheck>> done);
    void postOffer(const Offer &offer, const QString &overrideReason, QObject *context,
                   Done<MarketResult<Offer>> done);
    void approve(qint64 purchaseId, MarketService::DelegationProbe probe, QObject *context,
                 Done<MarketResult<Approval>> done);
    void reject(qint64 purchaseId, const QString &reason, QObject *context,
                Done<MarketResult<Purchase>> done);
    void addPurchaser(const Purchaser &purchaser, QObject *context, Done<Result<qint64>> done);
    // Commands given and not yet replied to.
    int commandsRunning() const;

Q_SIGNALS:
    void changed();

private:
    template <typename R>
    void command(QObject *context, std::function<R(Database &)> work, Done<R> done, bool changes);
    void setSnapshot(const MarketSnapshot &snapshot, quint64 generation);

    DatabaseThread *m_reader = nullptr;
    DatabaseThread *m_writer = nullptr;
    ChangeWatcher *m_watcher = nullptr;
    QString m_path;
    QString m_actor;
    MarketSnapshot m_snapshot;
    quint64 m_generation = 0;
    bool m_hasSnapshot = false;
    bool m_reading = false;
    bool m_readAgain = false;
    int m_snapshotCount = 0;
};

} // namespace headroom
