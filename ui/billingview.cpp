#include "billingview.h"

#include "billing/money.h"
#include "billingboard.h"
#include "billingpresentation.h"
#include "billingstyle.h"
#include "emptystate.h"
#include "invoicetablemodel.h"
#include "revenuechartview.h"
#include "tablesection.h"
#include "tablestyle.h"
#include "unbilledusagemodel.h"
#include "viewheader.h"

#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>

namespace headroom {

namespace {

const QString kNoDatabaseHint = QStringLiteral(
    "The console reads invoices and metered usage from the Headroom database, and none is "
    "connected: start it with --sandbox, or set the database in Settings. An empty page does not "
    "mean nothing is owed.");

QDate firstDay(const BillingPeriod &period)
{
    return QDateTime::fromMSecsSinceEpoch(period.startMs, QTimeZone::utc()).date();
}

QDate lastDay(const BillingPeriod &period)
{
    return QDateTime::fromMSecsSinceEpoch(period.endMs - 1, QTimeZone::utc()).date();
}

QString stepButtonStyle()
{
    return QStringLiteral("QToolButton { border: 1px solid #c3ccd8; border-radius: 4px;"
                          " padding: 3px 8px; background: white; }"
                          "QToolButton:hover { background: #eef2f7; }");
}

} // namespace

BillingView::BillingView(QWidget *parent)
    : QWidget(parent), m_board(new BillingBoard(this)), m_invoices(new InvoiceTableModel(this)),
      m_unbilled(new UnbilledUsageModel(this)),
      m_period(BillingPeriod::containing(QDateTime::currentMSecsSinceEpoch()))
{
    m_empty = new EmptyState(icons::Glyph::Billing, QStringLiteral("No billing records"),
                             kNoDatabaseHint, this);
    QWidget *content = makeContent();
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Billing"),
        QStringLiteral("Metered usage rated into invoices per purchaser and month: revenue, what "
                       "is not billed yet, the invoices and their states, and exports."),
        this));
    layout->addWidget(m_pages, 1);

    connect(m_board, &BillingBoard::changed, this, &BillingView::boardChanged);
    connect(m_invoicePanel, &InvoicePanel::message, m_message, &MessageLine::showMessage);
    connect(m_invoicePanel, &InvoicePanel::exportPdf, m_exportPanel,
            [this](qint64 id, const QString &number) { m_exportPanel->exportInvoice(id, number); });
    filterChanged();
    updateEmptyState();
}

QWidget *BillingView::makeFilterBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);

    m_purchaserCombo = new QComboBox(bar);
    m_purchaserCombo->setObjectName(QStringLiteral("purchaserFilter"));
    m_purchaserCombo->setMinimumContentsLength(18);
    m_purchaserCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_purchaserCombo->addItem(QStringLiteral("All purchasers"));
    row->addWidget(new QLabel(QStringLiteral("Purchaser"), bar));
    row->addWidget(m_purchaserCombo);
    row->addSpacing(14);

    m_periodEdit = new QDateEdit(bar);
    m_periodEdit->setObjectName(QStringLiteral("periodEdit"));
    m_periodEdit->setDisplayFormat(QStringLiteral("yyyy-MM"));
    m_periodEdit->setMinimumDate(QDate(2000, 1, 1));
    m_periodEdit->setToolTip(QStringLiteral("The billing period: a calendar month, UTC"));
    m_periodEdit->setDate(firstDay(m_period));
    auto *earlier = new QToolButton(bar);
    earlier->setObjectName(QStringLiteral("previousPeriod"));
    earlier->setText(QStringLiteral("◀"));
    earlier->setToolTip(QStringLiteral("The month before"));
    earlier->setStyleSheet(stepButtonStyle());
    auto *later = new QToolButton(bar);
    later->setObjectName(QStringLiteral("nextPeriod"));
    later->setText(QStringLiteral("▶"));
    later->setToolTip(QStringLiteral("The month after"));
    later->setStyleSheet(stepButtonStyle());
    row->addWidget(new QLabel(QStringLiteral("Period"), bar));
    row->addWidget(earlier);
    row->addWidget(m_periodEdit);
    row->addWidget(later);
    row->addSpacing(14);

    m_currencyCombo = new QComboBox(bar);
    m_currencyCombo->setObjectName(QStringLiteral("chartCurrency"));
    m_currencyCombo->setToolTip(QStringLiteral("The currency the revenue chart is drawn in"));
    m_currencyCombo->setMinimumContentsLength(4);
    row->addWidget(new QLabel(QStringLiteral("Chart currency"), bar));
    row->addWidget(m_currencyCombo);
    row->addStretch(1);

    connect(m_purchaserCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (m_filling)
            return;
        const QVariant id = m_purchaserCombo->currentData();
        m_purchaserId = id.isValid() ? std::optional<qint64>(id.toLongLong()) : std::nullopt;
        filterChanged();
    });
    connect(m_periodEdit, &QDateEdit::dateChanged, this, [this](QDate date) {
        const BillingPeriod p = BillingPeriod::containing(
            QDateTime(QDate(date.year(), date.month(), 1), QTime(0, 0), QTimeZone::utc())
                .toMSecsSinceEpoch());
        if (p.name == m_period.name)
            return;
        m_period = p;
        filterChanged();
    });
    connect(earlier, &QToolButton::clicked, this,
            [this] { m_periodEdit->setDate(m_periodEdit->date().addMonths(-1)); });
    connect(later, &QToolButton::clicked, this,
            [this] { m_periodEdit->setDate(m_periodEdit->date().addMonths(1)); });
    connect(m_currencyCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (m_filling)
            return;
        m_currency = m_currencyCombo->currentText();
        showRevenue();
    });
    return bar;
}

QWidget *BillingView::makeChartPanel(QWidget *parent)
{
    QFrame *frame = billingstyle::panel(QStringLiteral("revenuePanel"), parent);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(14, 12, 14, 8);
    layout->setSpacing(4);
    layout->addWidget(billingstyle::title(QStringLiteral("Revenue, net of tax"), frame));
    m_chartCaption = billingstyle::caption(QString(), frame);
    m_chartCaption->setObjectName(QStringLiteral("revenueCaption"));
    layout->addWidget(m_chartCaption);
    m_chart = new RevenueChartView(frame);
    layout->addWidget(m_chart, 1);
    return frame;
}

QWidget *BillingView::makeUnbilledPanel(QWidget *parent)
{
    QFrame *frame = billingstyle::panel(QStringLiteral("unbilledPanel"), parent);
    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(14, 12, 14, 12);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_unbilled);
    sorted->setSortRole(UnbilledUsageModel::SortRole);
    m_unbilledSection = new TableSection(QStringLiteral("Not billed yet"), sorted, frame);
    m_unbilledSection->setObjectName(QStringLiteral("unbilledSection"));
    QTableView *table = m_unbilledSection->table();
    table->setObjectName(QStringLiteral("unbilledTable"));
    tablestyle::apply(table);
    table->setFrameShape(QFrame::StyledPanel);
    tablestyle::sizeColumns(table, {{UnbilledUsageModel::Lease, "1234 · best-effort"},
                                    {UnbilledUsageModel::Purchaser, "Northwind Tickets Ltd"},
                                    {UnbilledUsageModel::Site, "video.fabrikam.example"},
                                    {UnbilledUsageModel::Requests, "123,456,789"},
                                    {UnbilledUsageModel::Bytes, "123.4 GB"},
                                    {UnbilledUsageModel::Estimate, "EUR 12,345.67"}});
    table->setSortingEnabled(true);
    table->sortByColumn(-1, Qt::AscendingOrder);
    m_unbilledSection->setMaximumVisibleRows(4);
    layout->addWidget(m_unbilledSection);
    return frame;
}

QWidget *BillingView::makeContent()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    layout->addWidget(makeFilterBar());
    m_message = new MessageLine(content);
    m_message->setObjectName(QStringLiteral("billingMessage"));
    m_message->setIdleText(
        QStringLiteral("Run invoices makes the month's drafts; issue a draft to number it. An "
                       "issued invoice never changes: correct it with a credit note."));
    layout->addWidget(m_message);

    // Everything below scrolls when the window is small.
    auto *inner = new QWidget(content);
    auto *grid = new QGridLayout(inner);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(12);
    m_exportPanel = new BillingExportPanel(inner);
    m_invoicePanel = new InvoicePanel(m_board, m_invoices, inner);
    // The chart and the exports share a row of a fixed height; the tables below take the rows
    // they need, and what is left stays empty at the bottom.
    QWidget *chartPanel = makeChartPanel(inner);
    chartPanel->setFixedHeight(270);
    m_exportPanel->setFixedHeight(270);
    grid->addWidget(chartPanel, 0, 0);
    grid->addWidget(m_exportPanel, 0, 1);
    grid->addWidget(m_invoicePanel, 1, 0, 1, 2);
    grid->addWidget(makeUnbilledPanel(inner), 2, 0, 1, 2);
    grid->setColumnStretch(0, 3);
    grid->setColumnStretch(1, 2);
    grid->setRowStretch(3, 1);

    auto *scroll = new QScrollArea(content);
    scroll->setObjectName(QStringLiteral("billingScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(inner);
    scroll->viewport()->setAutoFillBackground(false);
    inner->setAutoFillBackground(false);
    layout->addWidget(scroll, 1);
    return content;
}

void BillingView::setDatabasePath(const QString &path)
{
    m_exportPanel->setDatabasePath(path);
    m_board->open(path);
    updateEmptyState();
}

QString BillingView::databasePath() const
{
    return m_board->databasePath();
}

bool BillingView::setPeriod(const QString &period)
{
    QString error;
    const auto p = BillingPeriod::parse(period, &error);
    if (!p)
        return false;
    m_periodEdit->setDate(firstDay(*p));
    return true;
}

void BillingView::setPurchaserFilter(std::optional<qint64> purchaserId)
{
    const int index = purchaserId ? m_purchaserCombo->findData(*purchaserId) : 0;
    if (index >= 0) {
        m_purchaserCombo->setCurrentIndex(index);
        return;
    }
    // Not listed yet (the first read is still running): filter now, select it when it is.
    m_purchaserId = purchaserId;
    filterChanged();
}

void BillingView::setChartCurrency(const QString &currency)
{
    m_currency = currency;
    const int index = m_currencyCombo->findText(currency);
    if (index >= 0)
        m_currencyCombo->setCurrentIndex(index);
    showRevenue();
}

QString BillingView::chartCurrency() const
{
    return m_chart->currency();
}

void BillingView::setExportPathProvider(BillingExportPanel::PathProvider provider)
{
    m_exportPanel->setPathProvider(std::move(provider));
}

void BillingView::setEarlyIssueConfirmation(InvoicePanel::EarlyIssueConfirmation confirm)
{
    m_invoicePanel->setEarlyIssueConfirmation(std::move(confirm));
}

QString BillingView::message() const
{
    return m_message->message();
}

MessageLine::Kind BillingView::messageKind() const
{
    return m_message->kind();
}

bool BillingView::isShowingEmptyState() const
{
    return m_pages->currentWidget() == m_empty;
}

void BillingView::updateEmptyState()
{
    m_pages->setCurrentIndex(m_board->databasePath().isEmpty() ? 0 : 1);
}

void BillingView::filterChanged()
{
    m_board->setFilter(m_period, m_purchaserId);
    m_invoicePanel->setFilter(m_period, m_purchaserId);
    m_exportPanel->setPurchaser(m_purchaserId, m_purchaserCombo->currentData().isValid()
                                                   ? m_purchaserCombo->currentText()
                                                   : QString());
    // The export range follows the period; a range picked by hand stays until the period changes.
    if (m_exportPeriod != m_period.name) {
        m_exportPeriod = m_period.name;
        m_exportPanel->setRange(firstDay(m_period), lastDay(m_period));
    }
    updatePlaceholders();
}

void BillingView::updatePlaceholders()
{
    const QString name =
        m_purchaserId ? m_board->snapshot().purchaserName(*m_purchaserId) : QString();
    const QString who = m_purchaserId ? (name.isEmpty() ? QStringLiteral("this purchaser") : name)
                                      : QStringLiteral("any purchaser");
    const bool read = m_board->hasSnapshot() && m_board->snapshot().period.name == m_period.name;
    m_invoicePanel->section()->setPlaceholder(
        read ? QStringLiteral("No invoices of %1 for %2 yet: \"Run invoices for %2\" makes the "
                              "drafts.")
                   .arg(who, m_period.name)
             : QStringLiteral("Reading…"));
    m_unbilledSection->setPlaceholder(
        read ? QStringLiteral("Nothing metered in %1 is left unbilled for %2.")
                   .arg(m_period.name, who)
             : QStringLiteral("Reading…"));
}

void BillingView::boardChanged()
{
    updateEmptyState();
    const BillingSnapshot &s = m_board->snapshot();
    fillPurchasers();
    QHash<qint64, QString> names;
    for (const Purchaser &p : s.purchasers)
        names.insert(p.id, p.organisation);
    m_invoicePanel->setInvoices(s.invoices, names);
    m_unbilled->setRows(s.unbilled);
    fillCurrencies();
    showRevenue();
    updatePlaceholders();

    const QString readFailed = QStringLiteral("Reading the billing records failed: ");
    if (!s.error.isEmpty())
        m_message->showMessage(readFailed + s.error, MessageLine::Kind::Error);
    else if (m_message->message().startsWith(readFailed))
        m_message->clearMessage();
    m_invoicePanel->section()->setError(s.error);

    int drafts = 0;
    for (const Invoice &i : s.invoices)
        drafts += i.state == InvoiceState::Draft ? 1 : 0;
    m_invoicePanel->section()->setCaption(
        s.invoices.isEmpty()
            ? QString()
            : QStringLiteral("%1 document%2 for %3%4. Drafts are replaced by the next run; issued "
                             "invoices never change.")
                  .arg(s.invoices.size())
                  .arg(s.invoices.size() == 1 ? "" : "s")
                  .arg(m_period.name)
                  .arg(drafts > 0
                           ? QStringLiteral(", %1 draft%2").arg(drafts).arg(drafts == 1 ? "" : "s")
                           : QString()));
    QHash<QString, qint64> estimated;
    for (const UnbilledRow &r : s.unbilled) {
        if (r.estimateMinor)
            estimated[r.currency] += *r.estimateMinor;
    }
    QStringList sums;
    for (auto it = estimated.cbegin(); it != estimated.cend(); ++it)
        sums.append(money::format(it.value(), it.key()));
    sums.sort();
    m_unbilledSection->setCaption(
        s.unbilled.isEmpty()
            ? QString()
            : QStringLiteral("Metered in %1 and on no issued invoice%2. Estimates are before tax.")
                  .arg(m_period.name, sums.isEmpty() ? QString()
                                                     : QStringLiteral(": about %1 to bill")
                                                           .arg(sums.join(QStringLiteral(" + ")))));
}

void BillingView::fillPurchasers()
{
    const BillingSnapshot &s = m_board->snapshot();
    // Refilled only when the purchasers change: the snapshot is read again at every commit.
    bool same = m_purchaserCombo->count() == s.purchasers.size() + 1;
    for (qsizetype i = 0; same && i < s.purchasers.size(); ++i)
        same = m_purchaserCombo->itemData(int(i) + 1).toLongLong() == s.purchasers.at(i).id &&
               m_purchaserCombo->itemText(int(i) + 1) == s.purchasers.at(i).organisation;
    if (same)
        return;
    m_filling = true;
    m_purchaserCombo->clear();
    m_purchaserCombo->addItem(QStringLiteral("All purchasers"));
    for (const Purchaser &p : s.purchasers)
        m_purchaserCombo->addItem(p.organisation, p.id);
    const int index = m_purchaserId ? m_purchaserCombo->findData(*m_purchaserId) : 0;
    m_purchaserCombo->setCurrentIndex(std::max(0, index));
    m_filling = false;
    if (index < 0 && m_board->hasSnapshot() && s.error.isEmpty()) {
        // The purchaser filtered on is gone: show everyone rather than a filter nobody matches.
        m_purchaserId.reset();
        filterChanged();
    }
}

void BillingView::fillCurrencies()
{
    const BillingSnapshot &s = m_board->snapshot();
    QStringList currencies = s.revenue.keys();
    if (!s.defaultCurrency.isEmpty() && !currencies.contains(s.defaultCurrency))
        currencies.append(s.defaultCurrency);
    currencies.sort();
    QString chosen = m_currency;
    if (!currencies.contains(chosen))
        chosen = currencies.contains(s.defaultCurrency) ? s.defaultCurrency : currencies.value(0);
    QStringList shown;
    for (int i = 0; i < m_currencyCombo->count(); ++i)
        shown.append(m_currencyCombo->itemText(i));
    m_filling = true;
    if (shown != currencies) {
        m_currencyCombo->clear();
        m_currencyCombo->addItems(currencies);
    }
    m_currencyCombo->setCurrentIndex(std::max(0, int(currencies.indexOf(chosen))));
    m_currencyCombo->setEnabled(currencies.size() > 1);
    m_filling = false;
}

void BillingView::showRevenue()
{
    const BillingSnapshot &s = m_board->snapshot();
    const QString currency = m_currencyCombo->currentText();
    QList<RevenueMonth> months = s.revenue.value(currency);
    if (months.isEmpty()) {
        // The twelve months all the same, with nothing in them.
        BillingPeriod p = s.period.name.isEmpty() ? m_period : s.period;
        for (int i = 0; i < BillingBoard::RevenueMonths; ++i) {
            months.prepend(RevenueMonth{p.name, 0, 0});
            p = BillingPeriod::containing(p.startMs - 1);
        }
    }
    m_chart->setRevenue(months, currency);
    qint64 net = 0;
    qint64 paid = 0;
    for (const RevenueMonth &m : std::as_const(months)) {
        net += m.paidMinor + m.outstandingMinor;
        paid += m.paidMinor;
    }
    const QString who = m_purchaserId ? m_board->snapshot().purchaserName(*m_purchaserId)
                                      : QStringLiteral("all purchasers");
    m_chartCaption->setText(
        currency.isEmpty() ? QStringLiteral("%1 to %2, %3: nothing issued yet.")
                                 .arg(presentation::periodText(months.first().period),
                                      presentation::periodText(months.last().period), who)
                           : QStringLiteral("%1 to %2, %3: %4 billed, %5 of it paid.")
                                 .arg(presentation::periodText(months.first().period),
                                      presentation::periodText(months.last().period), who,
                                      money::format(net, currency), money::format(paid, currency)));
}

} // namespace headroom
