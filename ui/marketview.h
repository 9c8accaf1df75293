#pragma once

#include "delegationprobe.h"
#include "messageline.h"

#include <QPointer>
#include <QWidget>
#include <optional>

class QLabel;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;

namespace headroom {

class ApprovalQueuePanel;
class AuditTableModel;
class EmptyState;
class MarketBoard;
class OfferBidsPanel;
class OfferTableModel;
class PostOfferDialog;
class PurchaserDialog;
class PurchaserTableModel;

// The market: offers of spare capacity with their state and, for auctions, a countdown to the
// close; the selected offer's bids as they arrive (from the purchaser API in another process)
// and the clearing an open auction would have now; the purchases awaiting approval, approved
// (creating the lease, then checking the site's delegation) or rejected with a reason; the
// purchasers' records; the audit log. Offers and purchasers are added through forms checked as
// they are typed. Reads the Headroom database given by setDatabasePath(), off the GUI thread.
class MarketView final : public QWidget
{
    Q_OBJECT
public:
    explicit MarketView(QWidget *parent = nullptr);

    // Reads and watches the market at `path` (empty: none). Safe to call again.
    void setDatabasePath(const QString &path);
    QString databasePath() const;
    // Where approvals check the site's delegation; nullopt: they do not, and say so.
    void setDelegationTargets(const std::optional<DelegationTargets> &targets);
    bool checksDelegation() const { return m_targets.has_value(); }

    void selectOffer(qint64 id);
    qint64 selectedOffer() const { return m_selectedOffer; }

    // What the buttons open: the form, shown and not blocking. The one open, or null.
    PostOfferDialog *openOfferDialog();
    PurchaserDialog *openPurchaserDialog();
    PostOfferDialog *offerDialog() const;
    PurchaserDialog *purchaserDialog() const;

    MarketBoard *board() const { return m_board; }
    OfferTableModel *offersModel() const { return m_offers; }
    QTableView *offersTable() const { return m_offersTable; }
    OfferBidsPanel *bidsPanel() const { return m_bids; }
    ApprovalQueuePanel *queuePanel() const { return m_queue; }
    PurchaserTableModel *purchasersModel() const { return m_purchasers; }
    AuditTableModel *auditModel() const { return m_audit; }
    QTabWidget *tabs() const { return m_tabs; }
    QPushButton *postOfferButton() const { return m_postOffer; }
    QPushButton *addPurchaserButton() const { return m_addPurchaser; }
    // The last thing said about an action, in full; empty before the first.
    QString message() const;
    MessageLine::Kind messageKind() const;
    bool isShowingEmptyState() const;
    QString emptyHeadline() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    QWidget *makeContent();
    void fitOffers();
    QWidget *makeToolbar(QWidget *parent);
    QWidget *makeOffersPanel(QWidget *parent);
    QWidget *makeTabs(QWidget *parent);
    void boardChanged();
    void showSelectedOffer();
    void syncOfferSelection();
    void updateEmptyState();
    void updateTabTitles();
    void tick();
    void approve(qint64 purchaseId);
    void reject(qint64 purchaseId, const QString &reason);

    MarketBoard *m_board = nullptr;
    OfferTableModel *m_offers = nullptr;
    PurchaserTableModel *m_purchasers = nullptr;
    AuditTableModel *m_audit = nullptr;
    QStackedWidget *m_pages = nullptr;
    EmptyState *m_empty = nullptr;
    QWidget *m_content = nullptr;
    QPushButton *m_postOffer = nullptr;
    QPushButton *m_addPurchaser = nullptr;
    MessageLine *m_message = nullptr;
    QLabel *m_offersCaption = nullptr;
    QStackedWidget *m_offersContent = nullptr;
    QLabel *m_offersPlaceholder = nullptr;
    QTableView *m_offersTable = nullptr;
    OfferBidsPanel *m_bids = nullptr;
    QTabWidget *m_tabs = nullptr;
    ApprovalQueuePanel *m_queue = nullptr;
    QTableView *m_purchasersTable = nullptr;
    QTableView *m_auditTable = nullptr;
    QTimer *m_clock = nullptr;
    QSplitter *m_splitter = nullptr;
    QPointer<PostOfferDialog> m_offerDialog;
    QPointer<PurchaserDialog> m_purchaserDialog;
    std::optional<DelegationTargets> m_targets;
    qint64 m_selectedOffer = 0;
    qint64 m_postedOffer = 0; // selected once a snapshot has it
    bool m_syncing = false;
    bool m_splitterMoved = false;
};

} // namespace headroom
