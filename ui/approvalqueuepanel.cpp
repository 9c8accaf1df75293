#include "approvalqueuepanel.h"

#include "leasepresentation.h"
#include "market/marketservice.h"
#include "marketpresentation.h"
#include "purchasequeuemodel.h"
#include "tablestyle.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace headroom {

ApprovalQueuePanel::ApprovalQueuePanel(QWidget *parent)
    : QWidget(parent), m_model(new PurchaseQueueModel(this)), m_table(new QTableView(this)),
      m_placeholder(new QLabel(this)), m_content(new QStackedWidget(this)),
      m_hint(new QLabel(this)), m_detail(new QLabel(this)),
      m_approve(new QPushButton(QStringLiteral("Approve"), this)), m_reason(new QLineEdit(this)),
      m_reject(new QPushButton(QStringLiteral("Reject"), this))
{
    m_table->setObjectName(QStringLiteral("queueTable"));
    m_table->setModel(m_model);
    tablestyle::apply(m_table);
    tablestyle::sizeColumns(m_table, {{PurchaseQueueModel::Site, "tickets.example"},
                                      {PurchaseQueueModel::Rate, "1,250 req/s"},
                                      {PurchaseQueueModel::Price, "12.50 EUR"},
                                      {PurchaseQueueModel::Total, "1500.00 EUR/h"},
                                      {PurchaseQueueModel::OfferRef, "#12 edge-fra"},
                                      {PurchaseQueueModel::Age, "59m 59s"}});
    tablestyle::stretchColumn(m_table, PurchaseQueueModel::Purchaser);

    QPalette muted = m_placeholder->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_placeholder->setObjectName(QStringLiteral("queuePlaceholder"));
    m_placeholder->setText(QStringLiteral("No purchase awaits approval. Purchases appear here "
                                          "as bids win capacity."));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setPalette(muted);
    m_content->addWidget(m_placeholder);
    m_content->addWidget(m_table);

    m_detail->setObjectName(QStringLiteral("purchaseDetail"));
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::RichText);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setAttribute(Qt::WA_StyledBackground);
    m_detail->setStyleSheet(QStringLiteral("QLabel#purchaseDetail { background: #f4f7fb; "
                                           "border: 1px solid #d5dbe3; border-radius: 6px; "
                                           "padding: 8px 10px; color: #1d2430; }"));
    m_detail->hide();

    m_hint->setObjectName(QStringLiteral("queueHint"));
    m_hint->setWordWrap(true);
    m_hint->setPalette(muted);

    m_approve->setObjectName(QStringLiteral("approveButton"));
    m_approve->setToolTip(QStringLiteral("Create the lease and check the site's delegation"));
    m_reason->setObjectName(QStringLiteral("rejectReason"));
    m_reason->setPlaceholderText(QStringLiteral("Reason to reject (required)"));
    m_reason->setMaxLength(500);
    m_reject->setObjectName(QStringLiteral("rejectButton"));
    m_reject->setToolTip(QStringLiteral("Type the reason first; the units go back on sale"));

    auto *actions = new QHBoxLayout;
    actions->setSpacing(8);
    actions->addWidget(m_approve);
    actions->addSpacing(16);
    actions->addWidget(m_reason, 1);
    actions->addWidget(m_reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 10, 10, 10);
    layout->setSpacing(8);
    layout->addWidget(m_content, 1);
    layout->addWidget(m_detail);
    layout->addWidget(m_hint);
    layout->addLayout(actions);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (m_syncing)
                    return;
                m_selected = current.isValid()
                                 ? current.data(PurchaseQueueModel::PurchaseIdRole).toLongLong()
                                 : 0;
                updateButtons();
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, &ApprovalQueuePanel::syncSelection);
    connect(m_reason, &QLineEdit::textChanged, this, &ApprovalQueuePanel::updateButtons);
    connect(m_reason, &QLineEdit::returnPressed, this, [this] {
        if (m_reject->isEnabled())
            m_reject->click();
    });
    connect(m_approve, &QPushButton::clicked, this, [this] {
        if (m_selected != 0 && !m_busy)
            Q_EMIT approveRequested(m_selected);
    });
    connect(m_reject, &QPushButton::clicked, this, [this] {
        const QString reason = m_reason->text().trimmed();
        if (m_selected != 0 && !m_busy && !reason.isEmpty())
            Q_EMIT rejectRequested(m_selected, reason);
    });
    updateButtons();
}

void ApprovalQueuePanel::setPurchases(const QList<Purchase> &purchases,
                                      const QHash<qint64, Offer> &offers)
{
    const int before = m_model->rowCount();
    m_offers = offers;
    m_model->setPurchases(purchases, offers);
    m_content->setCurrentWidget(m_model->rowCount() > 0 ? static_cast<QWidget *>(m_table)
                                                        : m_placeholder);
    if (m_model->rowOf(m_selected) < 0)
        m_selected = 0;
    syncSelection();
    if (before != m_model->rowCount())
        Q_EMIT countChanged(m_model->rowCount());
}

void ApprovalQueuePanel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    m_model->setNow(nowMs);
    updateDetail();
}

void ApprovalQueuePanel::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

void ApprovalQueuePanel::selectPurchase(qint64 purchaseId)
{
    m_selected = m_model->rowOf(purchaseId) < 0 ? 0 : purchaseId;
    syncSelection();
}

void ApprovalQueuePanel::clearReason()
{
    m_reason->clear();
}

void ApprovalQueuePanel::syncSelection()
{
    // A reset forgets the selection; the purchase it was on may still be there.
    const int row = m_model->rowOf(m_selected);
    m_syncing = true;
    if (row < 0) {
        m_table->selectionModel()->clearSelection();
        m_table->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
    } else {
        const QModelIndex index = m_model->index(row, 0);
        if (m_table->currentIndex().row() != row ||
            !m_table->selectionModel()->isRowSelected(row, {}))
            m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                                  QItemSelectionModel::Rows);
    }
    m_syncing = false;
    updateButtons();
}

void ApprovalQueuePanel::updateDetail()
{
    const int row = m_model->rowOf(m_selected);
    if (row < 0) {
        m_detailText.clear();
        m_detail->hide();
        return;
    }
    const Purchase p = m_model->purchases().at(row);
    const auto offer = m_offers.constFind(p.offerId);
    const qint64 now = m_nowMs > 0 ? m_nowMs : QDateTime::currentMSecsSinceEpoch();
    QStringList lines;
    lines.append(QStringLiteral("Purchase %1 · %2 for %3")
                     .arg(p.id)
                     .arg(p.purchaserName,
                          p.siteName.isEmpty() ? QStringLiteral("a removed site") : p.siteName));
    if (offer != m_offers.cend()) {
        lines.append(QStringLiteral("%1 of offer %2 · %3, %4 · %5")
                         .arg(presentation::rateText(double(p.rateRps)))
                         .arg(offer->id)
                         .arg(offer->pool, presentation::kindText(offer->kind),
                              presentation::offerWindowUtcText(*offer)));
        lines.append(QStringLiteral("%1 %2 · %3")
                         .arg(formatMinor(p.priceMinor, p.currency),
                              presentation::priceUnitText(offer->kind),
                              presentation::hourlyTotalText(p, offer->kind)));
    } else {
        lines.append(QStringLiteral("%1 of offer %2 at %3")
                         .arg(presentation::rateText(double(p.rateRps)))
                         .arg(p.offerId)
                         .arg(formatMinor(p.priceMinor, p.currency)));
    }
    lines.append(QStringLiteral("Bought %1%2, waiting %3")
                     .arg(presentation::instantText(p.createdAtMs),
                          p.bidId ? QStringLiteral(" by bid %1").arg(*p.bidId) : QString(),
                          presentation::ageText(now - p.createdAtMs)));
    m_detailText = lines.join(QLatin1Char('\n'));
    QStringList html;
    for (qsizetype i = 0; i < lines.size(); ++i)
        html.append(i == 0 ? QStringLiteral("<b>%1</b>").arg(lines.at(i).toHtmlEscaped())
                           : lines.at(i).toHtmlEscaped());
    m_detail->setText(html.join(QStringLiteral("<br/>")));
    m_detail->show();
}

void ApprovalQueuePanel::updateButtons()
{
    updateDetail();
    const bool selected = m_selected != 0;
    const bool reason = !m_reason->text().trimmed().isEmpty();
    m_approve->setEnabled(selected && !m_busy);
    m_reject->setEnabled(selected && reason && !m_busy);
    m_reason->setEnabled(!m_busy);
    if (m_busy)
        m_hint->setText(QStringLiteral("Deciding…"));
    else if (m_model->rowCount() == 0)
        m_hint->clear();
    else if (!selected)
        m_hint->setText(QStringLiteral("Select a purchase to approve or reject it."));
    else if (!reason)
        m_hint->setText(QStringLiteral("Approve creates the lease. To reject, type the reason "
                                       "first."));
    else
        m_hint->setText(QStringLiteral("Reject gives the units back to the offer, with this "
                                       "reason kept in the record."));
}

} // namespace headroom
