#pragma once

#include "domain/market.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace headroom {

class PurchaseQueueModel;

// Purchases awaiting approval. Approve takes the selected one as it is; Reject needs a reason,
// typed in the field beside it, and stays disabled until there is one. The panel only asks: the
// view runs the decision and calls setBusy() while it does.
class ApprovalQueuePanel final : public QWidget
{
    Q_OBJECT
public:
    explicit ApprovalQueuePanel(QWidget *parent = nullptr);

    void setPurchases(const QList<Purchase> &purchases, const QHash<qint64, Offer> &offers);
    void setNow(qint64 nowMs);
    // While a decision runs, neither button can be pressed again.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }

    // 0 when none is selected.
    qint64 selectedPurchase() const { return m_selected; }
    void selectPurchase(qint64 purchaseId);
    void clearReason();

    PurchaseQueueModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPushButton *approveButton() const { return m_approve; }
    QPushButton *rejectButton() const { return m_reject; }
    QLineEdit *reasonEdit() const { return m_reason; }
    // The selected purchase in full, as plain text; empty while none is selected.
    QString detailText() const { return m_detailText; }

Q_SIGNALS:
    void approveRequested(qint64 purchaseId);
    void rejectRequested(qint64 purchaseId, const QString &reason);
    void countChanged(int pending);

private:
    void syncSelection();
    void updateButtons();
    void updateDetail();

    PurchaseQueueModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_placeholder = nullptr;
    QStackedWidget *m_content = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_detail = nullptr;
    QString m_detailText;
    QHash<qint64, Offer> m_offers;
    qint64 m_nowMs = 0;
    QPushButton *m_approve = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_reject = nullptr;
    qint64 m_selected = 0;
    bool m_busy = false;
    bool m_syncing = false;
};

} // namespace headroom
