#include "dashboardview.h"

#include "emptystate.h"
#include "endpointtablemodel.h"
#include "viewheader.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace headroom {

DashboardView::DashboardView(HealthMonitor *monitor, QWidget *parent)
    : QWidget(parent), m_model(new EndpointTableModel(monitor, this)),
      m_sorted(new QSortFilterProxyModel(this)), m_table(new QTableView(this)),
      m_empty(new EmptyState(icons::Glyph::Dashboard, QStringLiteral("No endpoints monitored"),
                             QStringLiteral("Nothing is being probed yet. The console watches the "
                                            "DNS server and the proxies it is connected to; "
                                            "they appear here after the first probe round."),
                             this)),
      m_content(new QStackedWidget(this))
{
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(EndpointTableModel::SortRole);

    m_table->setObjectName(QStringLiteral("endpointTable"));
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(EndpointTableModel::Name, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 14);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setStretchLastSection(true);
    header->setMinimumSectionSize(60);
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

    m_content->addWidget(m_empty);
    m_content->addWidget(m_table);

    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(12);
    for (const HealthGrade grade :
         {HealthGrade::Up, HealthGrade::Slow, HealthGrade::Down, HealthGrade::Unknown})
        tiles->addWidget(makeTile(grade));
    tiles->addStretch();

    auto *tableTitle = new QLabel(QStringLiteral("Endpoints"), this);
    QFont sectionFont = tableTitle->font();
    sectionFont.setBold(true);
    sectionFont.setPointSizeF(sectionFont.pointSizeF() * 1.1);
    tableTitle->setFont(sectionFont);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Dashboard"),
        QStringLiteral("Health of the DNS server and the proxies this console steers traffic "
                       "onto, refreshed after every probe round."),
        this));
    layout->addSpacing(4);
    layout->addLayout(tiles);
    layout->addSpacing(8);
    layout->addWidget(tableTitle);
    layout->addWidget(m_content, 1);

    connect(m_model, &QAbstractItemModel::modelReset, this, &DashboardView::refresh);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DashboardView::refresh);
    refresh();
}

QWidget *DashboardView::makeTile(HealthGrade grade)
{
    auto *tile = new QFrame(this);
    tile->setObjectName(QStringLiteral("healthTile"));
    tile->setFrameShape(QFrame::StyledPanel);
    tile->setMinimumWidth(130);
    tile->setAutoFillBackground(true);
    QPalette tilePalette = tile->palette();
    tilePalette.setColor(QPalette::Window, tilePalette.color(QPalette::Base));
    tile->setPalette(tilePalette);

    auto *dot = new QLabel(tile);
    dot->setPixmap(presentation::dot(grade).pixmap(16, 16));

    auto *count = new QLabel(QStringLiteral("0"), tile);
    count->setObjectName(QStringLiteral("tileCount%1").arg(presentation::text(grade)));
    QFont countFont = count->font();
    countFont.setPointSizeF(countFont.pointSizeF() * 1.8);
    countFont.setBold(true);
    count->setFont(countFont);
    m_counts.insert(grade, count);

    auto *label = new QLabel(presentation::text(grade), tile);
    QPalette labelPalette = label->palette();
    labelPalette.setColor(QPalette::WindowText, presentation::color(grade).darker(115));
    label->setPalette(labelPalette);
    QFont labelFont = label->font();
    labelFont.setBold(true);
    label->setFont(labelFont);

    auto *caption = new QHBoxLayout;
    caption->setSpacing(4);
    caption->addWidget(dot);
    caption->addWidget(label);
    caption->addStretch();

    auto *layout = new QVBoxLayout(tile);
    layout->setContentsMargins(14, 10, 14, 10);
    layout->setSpacing(2);
    layout->addLayout(caption);
    layout->addWidget(count);
    return tile;
}

void DashboardView::refresh()
{
    QHash<HealthGrade, int> counts;
    const QList<EndpointHealth> endpoints = m_model->endpoints();
    for (const EndpointHealth &endpoint : endpoints)
        ++counts[presentation::grade(endpoint)];
    for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it)
        it.value()->setText(QString::number(counts.value(it.key())));
    m_content->setCurrentWidget(endpoints.isEmpty() ? static_cast<QWidget *>(m_empty) : m_table);
}

} // namespace headroom
