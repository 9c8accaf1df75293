#include "marketview.h"

#include "approvalqueuepanel.h"
#include "audittablemodel.h"
#include "emptystate.h"
#include "leasepresentation.h"
#include "marketboard.h"
#include "marketpresentation.h"
#include "offerbidspanel.h"
#include "offertablemodel.h"
#include "postofferdialog.h"
#include "purchasequeuemodel.h"
#include "purchaserdialog.h"
#include "purchasertablemodel.h"
#include "tablestyle.h"
#include "viewheader.h"

#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

namespace headroom {

namespace {

QFrame *panel(const QString &name, QWidget *parent)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(name);
    frame->setAttribute(Qt::WA_StyledBackground);
    frame->setStyleSheet(QStringLiteral("QFrame#%1 { background: white;"
                                        " border: 1px solid #d5dbe3; border-radius: 8px; }")
                             .arg(name));
    return frame;
}

QString primaryButtonStyle()
{
    return QStringLiteral(
        "QPushButton { background: #2f5d8f; color: white; border: 1px solid #2f5d8f;"
        " border-radius: 4px; padding: 5px 14px; }"
        "QPushButton:hover { background: #264d78; }"
        "QPushButton:disabled { background: #a8b9cc; border-color: #a8b9cc; }");
}

QString secondaryButtonStyle()
{
    return QStringLiteral(
        "QPushButton { background: white; color: #1d2430; border: 1px solid #c3ccd8;"
        " border-radius: 4px; padding: 5px 14px; }"
        "QPushButton:hover { background: #eef2f7; }"
        "QPushButton:disabled { color: #a8b0bb; }");
}

const QString kNoDatabaseHint = QStringLiteral(
    "The console reads the market from the Headroom database, and none is connected: start it "
    "with --sandbox, or set the database in Settings. An empty page does not mean nothing is on "
    "sale.");

} // namespace

MarketView::MarketView(QWidget *parent)
    : QWidget(parent), m_board(new MarketBoard(this)), m_offers(new OfferTableModel(this)),
      m_purchasers(new PurchaserTableModel(this)), m_audit(new AuditTableModel(this)),
      m_clock(new QTimer(this))
{
    m_empty = new EmptyState(icons::Glyph::Market, QStringLiteral("No market records"),
                             kNoDatabaseHint, this);
    m_content = makeContent();
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Market"),
        QStringLiteral("Spare proxy capacity on sale, the bids purchasers place on it as they "
                       "arrive, and the purchases waiting for your approval."),
        this));
    layout->addWidget(m_pages, 1);

    connect(m_board, &MarketBoard::changed, this, &MarketView::boardChanged);
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &MarketView::tick);
    m_clock->start();
    updateEmptyState();
}

QWidget *MarketView::makeToolbar(QWidget *parent)
{
    auto *bar = new QWidget(parent);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(8);
    m_postOffer = new QPushButton(QStringLiteral("Post offer…"), bar);
    m_postOffer->setObjectName(QStringLiteral("postOfferButton"));
    m_postOffer->setToolTip(QStringLiteral("Put spare capacity of a pool on sale"));
    m_postOffer->setStyleSheet(primaryButtonStyle());
    m_addPurchaser = new QPushButton(QStringLiteral("Add purchaser…"), bar);
    m_addPurchaser->setObjectName(QStringLiteral("addPurchaserButton"));
    m_addPurchaser->setStyleSheet(secondaryButtonStyle());
    connect(m_postOffer, &QPushButton::clicked, this, [this] { openOfferDialog(); });
    connect(m_addPurchaser, &QPushButton::clicked, this, [this] { openPurchaserDialog(); });
    m_message = new MessageLine(bar);
    m_message->setObjectName(QStringLiteral("marketMessage"));
    m_message->setIdleText(QStringLiteral("Bids from the purchaser API appear as they are placed. "
                                          "Select an offer to see its bids."));
    row->addWidget(m_postOffer);
    row->addWidget(m_addPurchaser);
    row->addSpacing(8);
    row->addWidget(m_message, 1);
    return bar;
}

QWidget *MarketView::makeOffersPanel(QWidget *parent)
{
    QFrame *frame = panel(QStringLiteral("offersPanel"), parent);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(1, 8, 1, 1);
    layout->setSpacing(4);
    m_offersCaption = new QLabel(frame);
    m_offersCaption->setObjectName(QStringLiteral("offersCaption"));
    QFont bold = m_offersCaption->font();
    bold.setBold(true);
    m_offersCaption->setFont(bold);
    m_offersCaption->setContentsMargins(12, 0, 12, 0);

    m_offersTable = new QTableView(frame);
    m_offersTable->setObjectName(QStringLiteral("offerTable"));
    m_offersTable->setModel(m_offers);
    tablestyle::apply(m_offersTable);
    tablestyle::sizeColumns(m_offersTable,
                            {{OfferTableModel::Id, "999"},
                             {OfferTableModel::Pool, "edge-fra"},
                             {OfferTableModel::Rate, "1,250 req/s"},
                             {OfferTableModel::Sold, "1,250 sold · 250 left"},
                             {OfferTableModel::Window, "Tue 14 May 02:00–06:00 · daily ×5"},
                             {OfferTableModel::Kind, "best-effort"},
                             {OfferTableModel::Pricing, "continuous"},
                             {OfferTableModel::Price, "reserve 12.50 EUR"},
                             {OfferTableModel::State, "xx Withdrawn"}});
    connect(m_offersTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_syncing && current.isValid())
                    selectOffer(current.data(OfferTableModel::OfferIdRole).toLongLong());
            });

    m_offersPlaceholder = new QLabel(frame);
    m_offersPlaceholder->setObjectName(QStringLiteral("offersPlaceholder"));
    m_offersPlaceholder->setAlignment(Qt::AlignCenter);
    m_offersPlaceholder->setWordWrap(true);
    QPalette muted = m_offersPlaceholder->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_offersPlaceholder->setPalette(muted);
    m_offersContent = new QStackedWidget(frame);
    m_offersContent->addWidget(m_offersPlaceholder);
    m_offersContent->addWidget(m_offersTable);

    layout->addWidget(m_offersCaption);
    layout->addWidget(m_offersContent, 1);
    return frame;
}

QWidget *MarketView::makeTabs(QWidget *parent)
{
    m_tabs = new QTabWidget(parent);
    m_tabs->setObjectName(QStringLiteral("marketTabs"));
    m_tabs->setDocumentMode(true);

    m_queue = new ApprovalQueuePanel(m_tabs);
    m_queue->setObjectName(QStringLiteral("approvalQueue"));
    connect(m_queue, &ApprovalQueuePanel::approveRequested, this, &MarketView::approve);
    connect(m_queue, &ApprovalQueuePanel::rejectRequested, this, &MarketView::reject);
    connect(m_queue, &ApprovalQueuePanel::countChanged, this, &MarketView::updateTabTitles);

    m_purchasersTable = new QTableView(m_tabs);
    m_purchasersTable->setObjectName(QStringLiteral("purchaserTable"));
    m_purchasersTable->setModel(m_purchasers);
    tablestyle::apply(m_purchasersTable);
    tablestyle::sizeColumns(m_purchasersTable, {{PurchaserTableModel::Contact, "Ada Lovelace"},
                                                {PurchaserTableModel::Email, "ops@tickets.example"},
                                                {PurchaserTableModel::Payment, "pm_1NcXyZabcde…"},
                                                {PurchaserTableModel::Sites, "shop.example +1"},
                                                {PurchaserTableModel::Purchases, "12 +3"}});
    tablestyle::stretchColumn(m_purchasersTable, PurchaserTableModel::Organisation);

    m_auditTable = new QTableView(m_tabs);
    m_auditTable->setObjectName(QStringLiteral("auditTable"));
    m_auditTable->setModel(m_audit);
    tablestyle::apply(m_auditTable);
    tablestyle::sizeColumns(m_auditTable, {{AuditTableModel::Time, "30 May 23:59:59"},
                                           {AuditTableModel::Actor, "console:operator"},
                                           {AuditTableModel::Action, "purchase.approve"}});

    m_tabs->addTab(m_queue, QStringLiteral("Approval queue"));
    m_tabs->addTab(m_purchasersTable, QStringLiteral("Purchasers"));
    m_tabs->addTab(m_auditTable, QStringLiteral("Audit"));
    return m_tabs;
}

QWidget *MarketView::makeContent()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(makeToolbar(content));

    QWidget *offers = makeOffersPanel(content);

    m_bids = new OfferBidsPanel(content);
    m_bids->setObjectName(QStringLiteral("offerBids"));
    QFrame *bidsFrame = panel(QStringLiteral("bidsPanel"), content);
    auto *bidsLayout = new QVBoxLayout(bidsFrame);
    bidsLayout->setContentsMargins(1, 1, 1, 1);
    bidsLayout->addWidget(m_bids);

    QFrame *tabsFrame = panel(QStringLiteral("tabsPanel"), content);
    auto *tabsLayout = new QVBoxLayout(tabsFrame);
    tabsLayout->setContentsMargins(1, 4, 1, 1);
    tabsLayout->addWidget(makeTabs(tabsFrame));

    auto *bottom = new QSplitter(Qt::Horizontal, content);
    bottom->setObjectName(QStringLiteral("marketBottomSplitter"));
    bottom->setChildrenCollapsible(false);
    bottom->addWidget(bidsFrame);
    bottom->addWidget(tabsFrame);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    bidsFrame->setMinimumWidth(360);
    tabsFrame->setMinimumWidth(420);

    m_splitter = new QSplitter(Qt::Vertical, content);
    m_splitter->setObjectName(QStringLiteral("marketSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(offers);
    m_splitter->addWidget(bottom);
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 3);
    offers->setMinimumHeight(150);
    bottom->setMinimumHeight(260);
    layout->addWidget(m_splitter, 1);
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_splitterMoved = true; });
    return content;
}

void MarketView::setDatabasePath(const QString &path)
{
    m_selectedOffer = 0;
    m_postedOffer = 0;
    m_board->open(path);
    updateEmptyState();
}

QString MarketView::databasePath() const
{
    return m_board->databasePath();
}

void MarketView::setDelegationTargets(const std::optional<DelegationTargets> &targets)
{
    m_targets = targets;
}

void MarketView::updateEmptyState()
{
    QString headline;
    QString hint;
    if (m_board->databasePath().isEmpty()) {
        headline = QStringLiteral("No market records");
        hint = kNoDatabaseHint;
    } else if (m_board->hasSnapshot() && !m_board->snapshot().error.isEmpty()) {
        headline = QStringLiteral("Market records not readable");
        hint = QStringLiteral("%1 could not be read: %2")
                   .arg(m_board->databasePath(), m_board->snapshot().error);
    }
    if (headline.isEmpty()) {
        m_pages->setCurrentWidget(m_content);
        return;
    }
    // EmptyState has no setter for its headline; a fresh one is cheap.
    if (m_empty->headline() != headline) {
        auto *replacement = new EmptyState(icons::Glyph::Market, headline, hint, this);
        m_pages->insertWidget(0, replacement);
        m_pages->removeWidget(m_empty);
        m_empty->deleteLater();
        m_empty = replacement;
    } else {
        m_empty->setHint(hint);
    }
    m_pages->setCurrentWidget(m_empty);
}

bool MarketView::isShowingEmptyState() const
{
    return m_pages->currentWidget() == m_empty;
}

QString MarketView::emptyHeadline() const
{
    return isShowingEmptyState() ? m_empty->headline() : QString();
}

void MarketView::boardChanged()
{
    const MarketSnapshot &s = m_board->snapshot();
    const QHash<qint64, Offer> offers = m_board->offersById();
    m_syncing = true;
    m_offers->setOffers(s.offers);
    m_syncing = false;
    m_queue->setPurchases(s.purchases, offers);
    m_purchasers->setRecords(s.purchasers, s.sites, s.purchases);
    m_audit->setEntries(s.audit);

    int open = 0;
    for (const Offer &o : s.offers)
        open += o.state == OfferState::Open ? 1 : 0;
    const qsizetype others = s.offers.size() - open;
    if (!m_board->hasSnapshot())
        m_offersCaption->setText(QStringLiteral("Reading the market…"));
    else if (s.offers.isEmpty())
        m_offersCaption->setText(QStringLiteral("No offers"));
    else
        m_offersCaption->setText(
            QStringLiteral("%1 open offer%2").arg(open).arg(open == 1 ? "" : "s") +
            (others > 0
                 ? QStringLiteral(" · %1 sold, closed or withdrawn in the last 3 days").arg(others)
                 : QString()));
    m_offersPlaceholder->setText(
        m_board->hasSnapshot()
            ? QStringLiteral("Nothing is on sale. Post an offer to sell a pool's spare capacity; "
                             "purchasers then bid on it through the API.")
            : QStringLiteral("Reading the market…"));
    m_offersContent->setCurrentWidget(
        s.offers.isEmpty() ? static_cast<QWidget *>(m_offersPlaceholder) : m_offersTable);

    // The offer just posted is selected as soon as it is read; the selected offer stays
    // selected while it is shown; else the first open one is.
    if (m_postedOffer != 0 && m_board->offer(m_postedOffer)) {
        m_selectedOffer = m_postedOffer;
        m_postedOffer = 0;
    }
    if (m_selectedOffer == 0 || !m_board->offer(m_selectedOffer))
        m_selectedOffer = s.offers.isEmpty() ? 0 : s.offers.first().id;
    syncOfferSelection();
    showSelectedOffer();
    updateTabTitles();
    updateEmptyState();
    fitOffers();
}

void MarketView::fitOffers()
{
    // The offers take the height their rows need, up to half the view; the bids and the tabs
    // get the rest. Once the operator moves the splitter, it stays where they put it.
    if (m_splitterMoved || m_splitter->height() <= 0)
        return;
    const int total = m_splitter->height() - m_splitter->handleWidth();
    const int rows = qMax(2, m_offers->rowCount());
    const int wanted = m_offersCaption->sizeHint().height() + 14 +
                       m_offersTable->horizontalHeader()->sizeHint().height() +
                       rows * m_offersTable->verticalHeader()->defaultSectionSize() + 4;
    const int top = std::clamp(wanted, 150, std::max(150, total / 2));
    m_splitter->setSizes({top, std::max(260, total - top)});
}

void MarketView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitOffers();
}

void MarketView::updateTabTitles()
{
    const int pending = m_queue->model()->rowCount();
    m_tabs->setTabText(0, pending > 0 ? QStringLiteral("Approval queue (%1)").arg(pending)
                                      : QStringLiteral("Approval queue"));
    const int purchasers = m_purchasers->rowCount();
    m_tabs->setTabText(1, purchasers > 0 ? QStringLiteral("Purchasers (%1)").arg(purchasers)
                                         : QStringLiteral("Purchasers"));
}

void MarketView::selectOffer(qint64 id)
{
    m_selectedOffer = m_board->offer(id) ? id : 0;
    syncOfferSelection();
    showSelectedOffer();
}

void MarketView::showSelectedOffer()
{
    const std::optional<Offer> offer = m_board->offer(m_selectedOffer);
    m_bids->setOffer(offer, offer ? m_board->bidsOn(offer->id) : QList<MarketBid>(),
                     offer ? m_board->preview(offer->id) : std::nullopt);
}

void MarketView::syncOfferSelection()
{
    const int row = m_offers->rowOf(m_selectedOffer);
    m_syncing = true;
    if (row < 0) {
        m_offersTable->selectionModel()->clearSelection();
        m_offersTable->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
    } else {
        const QModelIndex index = m_offers->index(row, 0);
        if (m_offersTable->currentIndex().row() != row ||
            !m_offersTable->selectionModel()->isRowSelected(row, {})) {
            m_offersTable->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_offersTable->scrollTo(index);
        }
    }
    m_syncing = false;
}

void MarketView::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_offers->setNow(now);
    m_queue->setNow(now);
}

PostOfferDialog *MarketView::openOfferDialog()
{
    if (m_offerDialog) {
        m_offerDialog->raise();
        m_offerDialog->activateWindow();
        return m_offerDialog;
    }
    auto *dialog = new PostOfferDialog(m_board, m_board->snapshot().pools, this);
    dialog->setObjectName(QStringLiteral("postOfferDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PostOfferDialog::posted, this, [this](const Offer &offer) {
        m_postedOffer = offer.id;
        m_message->showMessage(
            QStringLiteral("Posted %1: %2, %3, %4 %5.")
                    .arg(presentation::offerLabel(offer), presentation::offerWindowUtcText(offer),
                         presentation::kindText(offer.kind),
                         presentation::pricingText(offer.pricing),
                         presentation::offerPriceText(offer)) +
                (offer.overrideReason.isEmpty() ? QString()
                                                : QStringLiteral(" Above the forecast, because: %1")
                                                      .arg(offer.overrideReason)),
            offer.overrideReason.isEmpty() ? MessageLine::Kind::Success
                                           : MessageLine::Kind::Warning);
    });
    m_offerDialog = dialog;
    dialog->open();
    return dialog;
}

PurchaserDialog *MarketView::openPurchaserDialog()
{
    if (m_purchaserDialog) {
        m_purchaserDialog->raise();
        m_purchaserDialog->activateWindow();
        return m_purchaserDialog;
    }
    auto *dialog = new PurchaserDialog(m_board, this);
    dialog->setObjectName(QStringLiteral("purchaserDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PurchaserDialog::added, this, [this](qint64 id, const QString &organisation) {
        m_message->showMessage(
            QStringLiteral("Added purchaser %1 (%2). Give them a site and an API token "
                           "with headroomctl to let them bid.")
                .arg(id)
                .arg(organisation),
            MessageLine::Kind::Success);
        m_tabs->setCurrentWidget(m_purchasersTable);
    });
    m_purchaserDialog = dialog;
    dialog->open();
    return dialog;
}

void MarketView::approve(qint64 purchaseId)
{
    m_queue->setBusy(true);
    const bool checked = m_targets.has_value();
    m_message->showMessage(
        checked ? QStringLiteral("Approving purchase %1 and checking its site's delegation…")
                      .arg(purchaseId)
                : QStringLiteral("Approving purchase %1…").arg(purchaseId),
        MessageLine::Kind::Info);
    m_board->approve(
        purchaseId, checked ? makeDelegationProbe(*m_targets) : MarketService::DelegationProbe(),
        this, [this, purchaseId, checked](const MarketResult<Approval> &result) {
            m_queue->setBusy(false);
            if (!result) {
                m_message->showMessage(QStringLiteral("Purchase %1 was not approved: %2")
                                           .arg(purchaseId)
                                           .arg(result.error().message),
                                       MessageLine::Kind::Error);
                return;
            }
            const bool fine = checked && presentation::allDelegated(result.value());
            m_message->showMessage(presentation::approvalText(result.value(), checked),
                                   fine ? MessageLine::Kind::Success : MessageLine::Kind::Warning);
        });
}

void MarketView::reject(qint64 purchaseId, const QString &reason)
{
    m_queue->setBusy(true);
    m_board->reject(
        purchaseId, reason, this, [this, purchaseId](const MarketResult<Purchase> &result) {
            m_queue->setBusy(false);
            if (!result) {
                m_message->showMessage(QStringLiteral("Purchase %1 was not rejected: %2")
                                           .arg(purchaseId)
                                           .arg(result.error().message),
                                       MessageLine::Kind::Error);
                return;
            }
            const Purchase &p = result.value();
            m_queue->clearReason();
            m_message->showMessage(
                QStringLiteral("Rejected purchase %1 (%2, %3): %4. Its %5 are on "
                               "sale again.")
                    .arg(p.id)
                    .arg(p.purchaserName, p.siteName, p.reason,
                         presentation::rateText(double(p.rateRps))),
                MessageLine::Kind::Info);
        });
}

PostOfferDialog *MarketView::offerDialog() const
{
    return m_offerDialog;
}

PurchaserDialog *MarketView::purchaserDialog() const
{
    return m_purchaserDialog;
}

QString MarketView::message() const
{
    return m_message->message();
}

MessageLine::Kind MarketView::messageKind() const
{
    return m_message->kind();
}

} // namespace headroom
