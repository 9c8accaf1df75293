#pragma once

#include "billing/invoice.h"
#include "messageline.h"

#include <QHash>
#include <QWidget>
#include <functional>
#include <optional>

class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace headroom {

class BillingBoard;
class InvoiceTableModel;
class TableSection;

// The invoices of the period and what can be done with them: make the period's drafts (the
// invoice run), issue a draft, mark an issued invoice paid, credit it (a reason must be typed),
// or export the selected one as a PDF. Commands go through the board, off the GUI thread; what
// they did is said through message().
class InvoicePanel final : public QWidget
{
    Q_OBJECT
public:
    // Asked before a draft of a month that has not ended is issued (its usage may still grow).
    using EarlyIssueConfirmation = std::function<bool(const Invoice &invoice)>;

    InvoicePanel(BillingBoard *board, InvoiceTableModel *model, QWidget *parent = nullptr);

    // The view's filter: what "Run invoices" makes drafts for.
    void setFilter(const BillingPeriod &period, std::optional<qint64> purchaserId);
    void setEarlyIssueConfirmation(EarlyIssueConfirmation confirm);
    // Shows these invoices, keeping the selection on the same invoice.
    void setInvoices(const QList<Invoice> &invoices, const QHash<qint64, QString> &purchaserNames);

    void selectInvoice(qint64 id);
    qint64 selectedInvoice() const { return m_selected; }

    void runInvoices();
    void issueSelected();
    void markSelectedPaid();
    void creditSelected();

    TableSection *section() const { return m_section; }
    QTableView *table() const;
    QPushButton *runButton() const { return m_run; }
    QPushButton *issueButton() const { return m_issue; }
    QPushButton *paidButton() const { return m_paid; }
    QPushButton *creditButton() const { return m_credit; }
    QPushButton *pdfButton() const { return m_pdf; }
    QLineEdit *reasonEdit() const { return m_reason; }

Q_SIGNALS:
    void message(const QString &text, MessageLine::Kind kind);
    void exportPdf(qint64 invoiceId, const QString &number);

private:
    std::optional<Invoice> selected() const;
    QString label(const Invoice &invoice) const;
    void updateButtons();
    void syncSelection();

    BillingBoard *m_board;
    InvoiceTableModel *m_model;
    QSortFilterProxyModel *m_sorted;
    TableSection *m_section = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_issue = nullptr;
    QPushButton *m_paid = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_credit = nullptr;
    QPushButton *m_pdf = nullptr;
    EarlyIssueConfirmation m_confirmEarly;
    BillingPeriod m_period;
    std::optional<qint64> m_purchaserId;
    qint64 m_selected = 0;
    bool m_busy = false;
    bool m_syncing = false;
};

} // namespace headroom
