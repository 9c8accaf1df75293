#include "dashboardview.h"

#include "emptystate.h"
#include "endpointtablemodel.h"
#include "fleetchartview.h"
#include "proxyloadmodel.h"
#include "statuspresentation.h"
#include "utilisationbardelegate.h"
#include "viewheader.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace headroom {

namespace {

const QString kAllProxies = QStringLiteral("All proxies");

void styleTable(QTableView *table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideRight);
    table->setSortingEnabled(true);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 14);
    QHeaderView *header = table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setMinimumSectionSize(60);
}

} // namespace

DashboardView::DashboardView(HealthMonitor *monitor, FleetMonitor *fleet, QWidget *parent)
    : QWidget(parent), m_fleet(fleet), m_model(new EndpointTableModel(monitor, this)),
      m_sorted(new QSortFilterProxyModel(this)), m_table(new QTableView(this)),
      m_empty(new EmptyState(icons::Glyph::Dashboard, QStringLiteral("No endpoints monitored"),
                             QStringLiteral("Nothing is being probed yet. The console watches the "
                                            "DNS server and the proxies it is connected to; "
                                            "they appear here after the first probe round."),
                             this)),
      m_content(new QStackedWidget(this)), m_proxyModel(new ProxyLoadModel(this)),
      m_proxySorted(new QSortFilterProxyModel(this))
{
    if (m_fleet)
        m_proxyModel->setTargetUtilisation(m_fleet->targetUtilisation());

    // Endpoint health, as before: the probed DNS servers and proxies.
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(EndpointTableModel::SortRole);
    m_table->setObjectName(QStringLiteral("endpointTable"));
    m_table->setModel(m_sorted);
    styleTable(m_table);
    m_table->sortByColumn(EndpointTableModel::Name, Qt::AscendingOrder);
    {
        QHeaderView *header = m_table->horizontalHeader();
        const QFontMetrics metrics = m_table->fontMetrics();
        const auto width = [&metrics](const char *sample) {
            return metrics.horizontalAdvance(QLatin1String(sample)) + 32;
        };
        header->resizeSection(EndpointTableModel::Name, width("pdns-recursor-01"));
        header->resizeSection(EndpointTableModel::Kind, width("Proxy"));
        header->resizeSection(EndpointTableModel::Address, width("[2001:db8::10]:25353"));
        header->resizeSection(EndpointTableModel::State, width("Unknown") + 16);
        header->resizeSection(EndpointTableModel::Latency, width("1,234 ms"));
        header->resizeSection(EndpointTableModel::LastChecked, width("Last checked"));
    }
    m_content->addWidget(m_empty);
    m_content->addWidget(m_table);

    // The key figures.
    auto *figures = new QHBoxLayout;
    figures->setSpacing(12);
    figures->addWidget(makeFigure(QStringLiteral("load"), QStringLiteral("Fleet load")));
    figures->addWidget(makeFigure(QStringLiteral("capacity"), QStringLiteral("Capacity")));
    figures->addWidget(makeFigure(QStringLiteral("utilisation"), QStringLiteral("Utilisation")));
    figures->addWidget(makeFigure(QStringLiteral("headroom"), QStringLiteral("Headroom")));
    figures->addWidget(makeFigure(QStringLiteral("proxies"), QStringLiteral("Proxies up")));

    // The chart and the proxy table, or why there are none.
    m_proxyTable = makeProxyTable();
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("dashboardTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_proxyTable, QStringLiteral("Proxies"));
    m_tabs->addTab(m_content, QStringLiteral("Endpoint health"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    QWidget *chartPanel = makeChartPanel();
    splitter->addWidget(chartPanel);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    // The chart is what a wall screen is for; the table gets the rest and scrolls.
    m_tabs->setMinimumHeight(120);
    splitter->setSizes({620, 260});

    m_fleetEmpty = new EmptyState(
        icons::Glyph::Dashboard, QStringLiteral("No fleet monitored"),
        QStringLiteral("The console charts proxy load once it knows the fleet: start it with "
                       "--sandbox, or register proxies and connect to them."),
        this);
    auto *withoutFleet = new QWidget(this);
    auto *withoutLayout = new QVBoxLayout(withoutFleet);
    withoutLayout->setContentsMargins(0, 0, 0, 0);
    withoutLayout->addWidget(m_fleetEmpty, 1);
    m_fleetContent = new QStackedWidget(this);
    m_fleetContent->addWidget(splitter);
    if (!m_fleet) {
        // Endpoint health still has a place without a fleet.
        m_tabs->setCurrentWidget(m_content);
        m_fleetEmpty->setMaximumHeight(220);
        chartPanel->hide();
    }

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Dashboard"),
        QStringLiteral("Load on every proxy against its capacity, the headroom left to sell, and "
                       "the health of the endpoints, refreshed every second."),
        this));
    layout->addLayout(figures);
    if (!m_fleet)
        layout->addWidget(withoutFleet);
    else
        withoutFleet->hide();
    layout->addWidget(m_fleetContent, 1);

    connect(m_model, &QAbstractItemModel::modelReset, this, &DashboardView::refreshEndpoints);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DashboardView::refreshEndpoints);
    connect(m_proxyTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (m_syncing || !current.isValid())
                    return;
                setSelectedProxy(current.data(ProxyLoadModel::ProxyNameRole).toString());
            });
    if (m_fleet)
        connect(m_fleet, &FleetMonitor::updated, this, &DashboardView::refreshFleet);
    refreshEndpoints();
    refreshFleet();
}

QWidget *DashboardView::makeFigure(const QString &key, const QString &caption)
{
    auto *tile = new QFrame(this);
    tile->setObjectName(QStringLiteral("figureTile"));
    tile->setAttribute(Qt::WA_StyledBackground);
    tile->setStyleSheet(QStringLiteral("QFrame#figureTile { background: white;"
                                       " border: 1px solid #d5dbe3; border-radius: 8px; }"));
    tile->setMinimumWidth(150);

    auto *title = new QLabel(caption.toUpper(), tile);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 0.9);
    titleFont.setLetterSpacing(QFont::PercentageSpacing, 106);
    title->setFont(titleFont);
    title->setStyleSheet(QStringLiteral("color: #5b6574;"));

    auto *value = new QLabel(QStringLiteral("—"), tile);
    value->setObjectName(QStringLiteral("figure_%1").arg(key));
    QFont valueFont = value->font();
    valueFont.setPointSizeF(valueFont.pointSizeF() * 2.4);
    valueFont.setBold(true);
    value->setFont(valueFont);
    value->setStyleSheet(QStringLiteral("color: #1d2430;"));
    m_figures.insert(key, value);

    auto *note = new QLabel(QString(), tile);
    note->setObjectName(QStringLiteral("figureNote_%1").arg(key));
    note->setStyleSheet(QStringLiteral("color: #5b6574;"));
    m_figureNotes.insert(key, note);

    auto *layout = new QVBoxLayout(tile);
    layout->setContentsMargins(16, 10, 16, 10);
    layout->setSpacing(2);
    layout->addWidget(title);
    layout->addWidget(value);
    layout->addWidget(note);
    return tile;
}

QWidget *DashboardView::makeChartPanel()
{
    auto *panel = new QFrame(this);
    panel->setObjectName(QStringLiteral("chartPanel"));
    panel->setAttribute(Qt::WA_StyledBackground);
    panel->setStyleSheet(QStringLiteral("QFrame#chartPanel { background: white;"
                                        " border: 1px solid #d5dbe3; border-radius: 8px; }"));

    m_chartTitle = new QLabel(panel);
    m_chartTitle->setObjectName(QStringLiteral("chartTitle"));
    QFont titleFont = m_chartTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_chartTitle->setFont(titleFont);

    m_proxyChoice = new QComboBox(panel);
    m_proxyChoice->setObjectName(QStringLiteral("proxyChoice"));
    m_proxyChoice->setMinimumContentsLength(14);
    m_proxyChoice->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_proxyChoice->addItem(kAllProxies, QString());
    connect(m_proxyChoice, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!m_syncing && index >= 0)
            setSelectedProxy(m_proxyChoice->itemData(index).toString());
    });

    m_rangeButtons = new QButtonGroup(panel);
    m_rangeButtons->setExclusive(true);
    auto *ranges = new QHBoxLayout;
    ranges->setSpacing(0);
    const std::initializer_list<std::pair<FleetRange, QString>> choices = {
        {FleetRange::FiveMinutes, QStringLiteral("5 min")},
        {FleetRange::OneHour, QStringLiteral("1 h")},
        {FleetRange::Day, QStringLiteral("24 h")}};
    for (const auto &[range, text] : choices) {
        auto *button = new QToolButton(panel);
        button->setText(text);
        button->setCheckable(true);
        button->setObjectName(QStringLiteral("range_%1").arg(int(range)));
        button->setMinimumWidth(56);
        button->setStyleSheet(QStringLiteral(
            "QToolButton { border: 1px solid #c3ccd8; padding: 4px 10px; background: white; }"
            "QToolButton:checked { background: #2f5d8f; color: white; border-color: #2f5d8f; }"));
        m_rangeButtons->addButton(button, int(range));
        ranges->addWidget(button);
    }
    m_rangeButtons->button(int(m_range))->setChecked(true);
    connect(m_rangeButtons, &QButtonGroup::idClicked, this,
            [this](int id) { setRange(FleetRange(id)); });

    auto *bar = new QHBoxLayout;
    bar->setSpacing(12);
    bar->addWidget(m_chartTitle, 1);
    bar->addWidget(m_proxyChoice);
    bar->addLayout(ranges);

    m_chart = new FleetChartView(panel);

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(14, 10, 14, 8);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_chart, 1);
    return panel;
}

QTableView *DashboardView::makeProxyTable()
{
    auto *table = new QTableView(this);
    table->setObjectName(QStringLiteral("proxyTable"));
    m_proxySorted->setSourceModel(m_proxyModel);
    m_proxySorted->setSortRole(ProxyLoadModel::SortRole);
    table->setModel(m_proxySorted);
    styleTable(table);
    table->sortByColumn(ProxyLoadModel::Name, Qt::AscendingOrder);
    table->setItemDelegateForColumn(
        ProxyLoadModel::Utilisation,
        new UtilisationBarDelegate(m_proxyModel->targetUtilisation(), table));
    QHeaderView *header = table->horizontalHeader();
    const QFontMetrics metrics = table->fontMetrics();
    const auto width = [&metrics](const char *sample) {
        return metrics.horizontalAdvance(QLatin1String(sample)) + 32;
    };
    header->resizeSection(ProxyLoadModel::Name, width("proxy-fra-01"));
    header->resizeSection(ProxyLoadModel::State, width("Unknown") + 16);
    header->resizeSection(ProxyLoadModel::Load, width("1,234.5 req/s"));
    header->resizeSection(ProxyLoadModel::Capacity, width("1,234 req/s"));
    header->resizeSection(ProxyLoadModel::Utilisation,
                          UtilisationBarDelegate::BarWidth + width("100 %"));
    header->resizeSection(ProxyLoadModel::Headroom, width("-1,234 req/s"));
    header->resizeSection(ProxyLoadModel::Connections, width("Conns") + 8);
    return table;
}

QString DashboardView::figure(const QString &key) const
{
    const QLabel *label = m_figures.value(key);
    return label ? label->text() : QString();
}

void DashboardView::setSelectedProxy(const QString &proxy)
{
    m_selected = proxy;
    m_syncing = true;
    const int choice = m_proxyChoice->findData(proxy);
    m_proxyChoice->setCurrentIndex(choice >= 0 ? choice : 0);
    const int row = m_proxyModel->rowOf(proxy);
    if (row < 0) {
        m_proxyTable->selectionModel()->clearSelection();
        m_proxyTable->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
    } else {
        const QModelIndex index = m_proxySorted->mapFromSource(m_proxyModel->index(row, 0));
        if (m_proxyTable->currentIndex().row() != index.row()) {
            m_proxyTable->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_proxyTable->scrollTo(index);
        }
    }
    m_syncing = false;
    refreshChart();
}

void DashboardView::setRange(FleetRange range)
{
    m_range = range;
    if (QAbstractButton *button = m_rangeButtons->button(int(range)))
        button->setChecked(true);
    refreshChart();
}

void DashboardView::refreshEndpoints()
{
    const QList<EndpointHealth> endpoints = m_model->endpoints();
    int down = 0;
    for (const EndpointHealth &endpoint : endpoints)
        down += presentation::grade(endpoint) == HealthGrade::Down ? 1 : 0;
    m_tabs->setTabText(m_tabs->indexOf(m_content),
                       down > 0 ? QStringLiteral("Endpoint health (%1 down)").arg(down)
                                : QStringLiteral("Endpoint health"));
    m_content->setCurrentWidget(endpoints.isEmpty() ? static_cast<QWidget *>(m_empty) : m_table);
}

void DashboardView::syncProxyChoices()
{
    const QStringList names = m_fleet ? m_fleet->proxyNames() : QStringList();
    bool same = m_proxyChoice->count() == names.size() + 1;
    for (int i = 0; same && i < names.size(); ++i)
        same = m_proxyChoice->itemData(i + 1).toString() == names.at(i);
    if (same)
        return;
    m_syncing = true;
    m_proxyChoice->clear();
    m_proxyChoice->addItem(kAllProxies, QString());
    for (const QString &name : names)
        m_proxyChoice->addItem(name, name);
    const int choice = m_proxyChoice->findData(m_selected);
    m_proxyChoice->setCurrentIndex(choice >= 0 ? choice : 0);
    m_syncing = false;
    if (choice < 0)
        m_selected.clear();
}

void DashboardView::refreshFleet()
{
    const QLocale locale;
    const auto setFigure = [this](const QString &key, const QString &value, const QString &note) {
        m_figures.value(key)->setText(value);
        m_figureNotes.value(key)->setText(note);
    };
    if (!m_fleet) {
        for (auto it = m_figures.cbegin(); it != m_figures.cend(); ++it)
            setFigure(it.key(), QStringLiteral("—"), QStringLiteral("no fleet monitored"));
        m_chartTitle->setText(kAllProxies);
        return;
    }
    const ProxySnapshot total = m_fleet->fleetTotal();
    const PoolHeadroom pool = m_fleet->fleetHeadroom();
    const double target = m_fleet->targetUtilisation();
    const auto rate = [&locale](double v) { return locale.toString(qRound(v)); };
    if (total.hasLoad) {
        setFigure(QStringLiteral("load"), rate(total.totalRps),
                  QStringLiteral("req/s · purchaser %1").arg(rate(total.purchaserRps)));
        setFigure(QStringLiteral("capacity"), rate(total.capacityRps),
                  QStringLiteral("req/s · target %1 %").arg(qRound(target * 100)));
        setFigure(QStringLiteral("utilisation"),
                  total.capacityRps > 0
                      ? QStringLiteral("%1 %").arg(qRound(total.utilisation * 100))
                      : QStringLiteral("—"),
                  QStringLiteral("of capacity"));
        setFigure(QStringLiteral("headroom"), rate(total.headroomRps),
                  pool.overloaded > 0
                      ? QStringLiteral("req/s · %1 over target").arg(pool.overloaded)
                      : QStringLiteral("req/s to sell at %1 %").arg(qRound(target * 100)));
    } else {
        for (const QString &key : {QStringLiteral("load"), QStringLiteral("capacity"),
                                   QStringLiteral("utilisation"), QStringLiteral("headroom")})
            setFigure(key, QStringLiteral("—"), QStringLiteral("waiting for the first polls"));
    }
    const int count = m_fleet->proxyCount();
    setFigure(
        QStringLiteral("proxies"), QStringLiteral("%1 / %2").arg(m_fleet->upCount()).arg(count),
        count - m_fleet->upCount() > 0 ? QStringLiteral("%1 not up").arg(count - m_fleet->upCount())
                                       : QStringLiteral("all up"));
    QLabel *up = m_figures.value(QStringLiteral("proxies"));
    up->setStyleSheet(
        QStringLiteral("color: %1;")
            .arg((m_fleet->upCount() == count && count > 0 ? presentation::color(HealthGrade::Up)
                  : m_fleet->upCount() == 0 ? presentation::color(HealthGrade::Unknown)
                                            : presentation::color(HealthGrade::Down))
                     .darker(115)
                     .name()));

    m_proxyModel->setSnapshots(m_fleet->snapshot());
    m_tabs->setTabText(m_tabs->indexOf(m_proxyTable),
                       QStringLiteral("Proxies (%1)").arg(m_proxyModel->rowCount()));
    syncProxyChoices();
    refreshChart();
}

void DashboardView::refreshChart()
{
    m_chartTitle->setText(QStringLiteral("%1 — load against capacity")
                              .arg(m_selected.isEmpty() ? kAllProxies : m_selected));
    if (!m_fleet)
        return;
    m_chart->setPoints(m_fleet->series(m_selected, m_range), m_fleet->lastPollMs(), m_range,
                       m_fleet->targetUtilisation());
}

} // namespace headroom
