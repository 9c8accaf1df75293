#include "invoicepanel.h"

#include "billing/money.h"
#include "billingboard.h"
#include "billingpresentation.h"
#include "billingstyle.h"
#include "invoicetablemodel.h"
#include "tablesection.h"
#include "tablestyle.h"

#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace headroom {

InvoicePanel::InvoicePanel(BillingBoard *board, InvoiceTableModel *model, QWidget *parent)
    : QWidget(parent), m_board(board), m_model(model), m_sorted(new QSortFilterProxyModel(this))
{
    QFrame *frame = billingstyle::panel(QStringLiteral("invoicePanel"), this);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(frame);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(8);

    auto *actions = new QHBoxLayout;
    actions->setSpacing(6);
    m_run = billingstyle::button(QStringLiteral("Run invoices"),
                                 QStringLiteral("runInvoicesButton"), true, frame);
    m_issue =
        billingstyle::button(QStringLiteral("Issue"), QStringLiteral("issueButton"), false, frame);
    m_issue->setToolTip(QStringLiteral("Give the selected draft its number; it never changes "
                                       "again"));
    m_paid = billingstyle::button(QStringLiteral("Mark paid"), QStringLiteral("markPaidButton"),
                                  false, frame);
    m_reason = new QLineEdit(frame);
    m_reason->setObjectName(QStringLiteral("creditReason"));
    m_reason->setPlaceholderText(QStringLiteral("Reason for a credit note"));
    m_reason->setMaxLength(500);
    m_reason->setClearButtonEnabled(true);
    m_reason->setMinimumWidth(150);
    m_credit = billingstyle::button(QStringLiteral("Credit note"), QStringLiteral("creditButton"),
                                    false, frame);
    m_credit->setToolTip(QStringLiteral("Cancel the selected invoice in full with a credit note "
                                        "(type the reason first); the next run bills its leases "
                                        "again"));
    m_pdf = billingstyle::button(QStringLiteral("Invoice PDF…"), QStringLiteral("invoicePdfButton"),
                                 false, frame);
    m_pdf->setToolTip(QStringLiteral("The selected invoice or credit note as a PDF"));
    actions->addWidget(m_run);
    actions->addSpacing(10);
    actions->addWidget(m_issue);
    actions->addWidget(m_paid);
    actions->addSpacing(10);
    actions->addWidget(m_reason, 1);
    actions->addWidget(m_credit);
    actions->addSpacing(10);
    actions->addWidget(m_pdf);

    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(InvoiceTableModel::SortRole);
    m_section = new TableSection(QStringLiteral("Invoices"), m_sorted, frame);
    m_section->setObjectName(QStringLiteral("invoiceSection"));
    QTableView *view = m_section->table();
    view->setObjectName(QStringLiteral("invoiceTable"));
    tablestyle::apply(view);
    view->setFrameShape(QFrame::StyledPanel);
    tablestyle::sizeColumns(view, {{InvoiceTableModel::Number, "HR-2026-000000"},
                                   {InvoiceTableModel::Period, "2026-10"},
                                   {InvoiceTableModel::State, "Credit note"},
                                   {InvoiceTableModel::Subtotal, "EUR 12,345.67"},
                                   {InvoiceTableModel::Tax, "EUR 2,345.67"},
                                   {InvoiceTableModel::Total, "EUR 12,345.67"},
                                   {InvoiceTableModel::Issued, "2026-10-31"}});
    view->horizontalHeader()->resizeSection(
        InvoiceTableModel::State,
        view->horizontalHeader()->sectionSize(InvoiceTableModel::State) + 16);
    tablestyle::stretchColumn(view, InvoiceTableModel::Purchaser);
    view->setSortingEnabled(true);
    view->sortByColumn(-1, Qt::AscendingOrder);
    m_section->setMaximumVisibleRows(5); // after the styling: it sizes to the rows' height

    layout->addWidget(m_section, 1);
    layout->addLayout(actions);

    connect(m_run, &QPushButton::clicked, this, &InvoicePanel::runInvoices);
    connect(m_issue, &QPushButton::clicked, this, &InvoicePanel::issueSelected);
    connect(m_paid, &QPushButton::clicked, this, &InvoicePanel::markSelectedPaid);
    connect(m_credit, &QPushButton::clicked, this, &InvoicePanel::creditSelected);
    connect(m_reason, &QLineEdit::returnPressed, this, &InvoicePanel::creditSelected);
    connect(m_reason, &QLineEdit::textChanged, this, &InvoicePanel::updateButtons);
    connect(m_pdf, &QPushButton::clicked, this, [this] {
        if (const auto invoice = selected())
            Q_EMIT exportPdf(invoice->id, invoice->number);
    });
    connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (m_syncing)
                    return;
                m_selected = current.isValid()
                                 ? current.data(InvoiceTableModel::InvoiceIdRole).toLongLong()
                                 : 0;
                updateButtons();
            });
    m_confirmEarly = [this](const Invoice &invoice) {
        return QMessageBox::question(
                   this, QStringLiteral("Issue before the month ends?"),
                   QStringLiteral("%1 is for %2, which has not ended: usage metered after it is "
                                  "issued is billed by no invoice until it is credited and the "
                                  "month is run again.\n\nIssue it now?")
                       .arg(label(invoice), invoice.period)) == QMessageBox::Yes;
    };
    updateButtons();
}

QTableView *InvoicePanel::table() const
{
    return m_section->table();
}

void InvoicePanel::setFilter(const BillingPeriod &period, std::optional<qint64> purchaserId)
{
    m_period = period;
    m_purchaserId = purchaserId;
    m_run->setText(QStringLiteral("Run invoices for %1").arg(period.name));
    m_run->setToolTip(
        QStringLiteral("Rate %1 into draft invoices (%2); drafts of the month are replaced, issued "
                       "invoices never change")
            .arg(period.name, purchaserId ? QStringLiteral("the selected purchaser only")
                                          : QStringLiteral("every purchaser")));
    updateButtons();
}

void InvoicePanel::setEarlyIssueConfirmation(EarlyIssueConfirmation confirm)
{
    m_confirmEarly = std::move(confirm);
}

void InvoicePanel::setInvoices(const QList<Invoice> &invoices,
                               const QHash<qint64, QString> &purchaserNames)
{
    // A reset clears the table's selection; the invoice selected stays m_selected (ids are never
    // reused), so a draft just made is selected once it is read.
    m_syncing = true;
    m_model->setInvoices(invoices, purchaserNames);
    m_syncing = false;
    syncSelection();
    updateButtons();
}

void InvoicePanel::selectInvoice(qint64 id)
{
    m_selected = m_model->rowOf(id) >= 0 ? id : 0;
    syncSelection();
    updateButtons();
}

void InvoicePanel::syncSelection()
{
    QTableView *view = table();
    const int row = m_model->rowOf(m_selected);
    m_syncing = true;
    if (row < 0) {
        view->selectionModel()->clearSelection();
        view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
    } else {
        const QModelIndex index = m_sorted->mapFromSource(m_model->index(row, 0));
        if (view->currentIndex().row() != index.row() ||
            !view->selectionModel()->isRowSelected(index.row(), {}))
            view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                               QItemSelectionModel::Rows);
    }
    m_syncing = false;
}

std::optional<Invoice> InvoicePanel::selected() const
{
    const int row = m_model->rowOf(m_selected);
    if (row < 0)
        return std::nullopt;
    return m_model->invoices().at(row);
}

QString InvoicePanel::label(const Invoice &invoice) const
{
    return presentation::invoiceLabel(invoice, m_model->purchaserName(invoice));
}

void InvoicePanel::updateButtons()
{
    const bool open = !m_board->databasePath().isEmpty();
    const auto invoice = selected();
    const bool isInvoice = invoice && invoice->kind == InvoiceKind::Invoice;
    m_run->setEnabled(open && !m_busy);
    m_issue->setEnabled(!m_busy && invoice && invoice->state == InvoiceState::Draft);
    m_paid->setEnabled(!m_busy && isInvoice && invoice->state == InvoiceState::Issued);
    const bool creditable = isInvoice && (invoice->state == InvoiceState::Issued ||
                                          invoice->state == InvoiceState::Paid);
    m_reason->setEnabled(creditable);
    m_credit->setEnabled(!m_busy && creditable && !m_reason->text().trimmed().isEmpty());
    m_pdf->setEnabled(invoice.has_value());
    if (creditable && m_reason->text().trimmed().isEmpty())
        m_credit->setToolTip(QStringLiteral("Type the reason for the credit note first"));
    else
        m_credit->setToolTip(QStringLiteral("Cancel the selected invoice in full with a credit "
                                            "note; the next run bills its leases again"));
}

void InvoicePanel::runInvoices()
{
    if (m_busy || m_board->databasePath().isEmpty())
        return;
    m_busy = true;
    updateButtons();
    const BillingPeriod period = m_period;
    Q_EMIT message(QStringLiteral("Running the invoices of %1…").arg(period.name),
                   MessageLine::Kind::Info);
    m_board->runInvoices(
        period, m_purchaserId, this, [this, period](const Result<InvoiceRunReport> &report) {
            m_busy = false;
            updateButtons();
            if (!report) {
                Q_EMIT message(QStringLiteral("The invoice run of %1 failed: %2")
                                   .arg(period.name, report.error().message),
                               MessageLine::Kind::Error);
                return;
            }
            const InvoiceRunReport &r = report.value();
            QString text = QStringLiteral("Invoice run %1: %2 draft%3")
                               .arg(period.name)
                               .arg(r.drafts.size())
                               .arg(r.drafts.size() == 1 ? "" : "s");
            if (r.replacedDrafts > 0)
                text += QStringLiteral(" (replacing %1)").arg(r.replacedDrafts);
            bool error = false;
            QStringList skipped;
            for (const SkippedLease &s : r.skipped) {
                error = error || s.error;
                skipped.append(
                    QStringLiteral("lease %1 %2: %3").arg(s.leaseId).arg(s.site, s.reason));
            }
            if (!skipped.isEmpty())
                text += QStringLiteral("; not billed: ") + skipped.join(QStringLiteral("; "));
            Q_EMIT message(text, error ? MessageLine::Kind::Warning : MessageLine::Kind::Success);
            if (r.drafts.size() == 1)
                m_selected = r.drafts.first().id;
        });
}

void InvoicePanel::issueSelected()
{
    const auto invoice = selected();
    if (m_busy || !invoice || invoice->state != InvoiceState::Draft)
        return;
    QString error;
    const auto period = BillingPeriod::parse(invoice->period, &error);
    const bool early = period && QDateTime::currentMSecsSinceEpoch() < period->endMs;
    if (early && !(m_confirmEarly && m_confirmEarly(*invoice)))
        return;
    m_busy = true;
    updateButtons();
    const QString what = label(*invoice);
    m_board->issue(invoice->id, early, this, [this, what](const Result<Invoice> &issued) {
        m_busy = false;
        updateButtons();
        if (!issued) {
            Q_EMIT message(
                QStringLiteral("Could not issue %1: %2").arg(what, issued.error().message),
                MessageLine::Kind::Error);
            return;
        }
        Q_EMIT message(QStringLiteral("Issued %1 for %2")
                           .arg(issued.value().number,
                                money::format(issued.value().totalMinor, issued.value().currency)),
                       MessageLine::Kind::Success);
    });
}

void InvoicePanel::markSelectedPaid()
{
    const auto invoice = selected();
    if (m_busy || !invoice || invoice->state != InvoiceState::Issued)
        return;
    m_busy = true;
    updateButtons();
    const QString what = label(*invoice);
    m_board->markPaid(invoice->id, this, [this, what](const Result<Invoice> &paid) {
        m_busy = false;
        updateButtons();
        if (!paid)
            Q_EMIT message(
                QStringLiteral("Could not mark %1 paid: %2").arg(what, paid.error().message),
                MessageLine::Kind::Error);
        else
            Q_EMIT message(QStringLiteral("%1 is paid").arg(paid.value().number),
                           MessageLine::Kind::Success);
    });
}

void InvoicePanel::creditSelected()
{
    const auto invoice = selected();
    const QString reason = m_reason->text().trimmed();
    if (m_busy || !invoice || !m_credit->isEnabled())
        return;
    if (reason.isEmpty()) {
        Q_EMIT message(QStringLiteral("Type why the invoice is credited first."),
                       MessageLine::Kind::Warning);
        return;
    }
    m_busy = true;
    updateButtons();
    const QString what = label(*invoice);
    m_board->creditNote(invoice->id, reason, this, [this, what](const Result<Invoice> &note) {
        m_busy = false;
        if (!note) {
            updateButtons();
            Q_EMIT message(
                QStringLiteral("Could not credit %1: %2").arg(what, note.error().message),
                MessageLine::Kind::Error);
            return;
        }
        m_reason->clear();
        updateButtons();
        Q_EMIT message(QStringLiteral("Issued credit note %1 for %2 (%3); it is void now. The "
                                      "next invoice run bills its leases again.")
                           .arg(note.value().number, what,
                                money::format(note.value().totalMinor, note.value().currency)),
                       MessageLine::Kind::Success);
    });
}

} // namespace headroom
