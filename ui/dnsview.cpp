#include "dnsview.h"

#include "delegationmodel.h"
#include "dns/dnsoverviewservice.h"
#include "dnspresentation.h"
#include "emptystate.h"
#include "importednamesmodel.h"
#include "servedsteeringmodel.h"
#include "tablesection.h"
#include "updatelogmodel.h"
#include "viewheader.h"
#include "weightbardelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace headroom {

namespace {

QString endpointText(const QHostAddress &address, quint16 port)
{
    if (address.isNull())
        return QStringLiteral("(not configured)");
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

void sizeColumns(QTableView *table, const QList<std::pair<int, const char *>> &samples)
{
    const QFontMetrics metrics = table->fontMetrics();
    for (const auto &[column, sample] : samples)
        table->horizontalHeader()->resizeSection(
            column, metrics.horizontalAdvance(QLatin1String(sample)) + 32);
}

} // namespace

DnsView::DnsView(DnsOverviewService *service, QWidget *parent)
    : QWidget(parent), m_service(service), m_servedModel(new ServedSteeringModel(this)),
      m_delegationModel(new DelegationModel(this)), m_importedModel(new ImportedNamesModel(this)),
      m_updateModel(new UpdateLogModel(this)), m_status(new QLabel(this)),
      m_refresh(new QPushButton(QStringLiteral("Refresh"), this)), m_clock(new QTimer(this))
{
    auto *header = new ViewHeader(
        QStringLiteral("DNS"),
        QStringLiteral("What our authoritative server serves, read back rather than taken from "
                       "the database, whether each purchaser name is handed to us, and the "
                       "last updates sent to the zone."),
        this);

    m_status->setObjectName(QStringLiteral("refreshStatus"));
    QPalette muted = m_status->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_status->setPalette(muted);
    m_status->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_refresh->setToolTip(QStringLiteral("Read the zone, check the delegations and the database "
                                         "again now"));

    auto *controls = new QHBoxLayout;
    controls->setSpacing(10);
    controls->addWidget(m_status);
    controls->addWidget(m_refresh);
    auto *top = new QHBoxLayout;
    top->setSpacing(24);
    top->addWidget(header, 1);
    top->addLayout(controls);
    top->setAlignment(controls, Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addLayout(top);

    QWidget *sections = makeSections();
    if (!m_service) {
        m_empty = new EmptyState(
            icons::Glyph::Dns, QStringLiteral("No DNS server configured"),
            QStringLiteral("There is no authoritative server to read back. Set the DNS server "
                           "and zone in Settings, or start the console with --sandbox; the "
                           "served weights, delegations and update history then appear here."),
            this);
        sections->hide();
        m_refresh->hide();
        m_status->hide();
        layout->addWidget(m_empty, 1);
        return;
    }
    layout->addWidget(sections, 1);

    connect(m_refresh, &QPushButton::clicked, m_service, &DnsOverviewService::refresh);
    connect(m_service, &DnsOverviewService::updated, this, &DnsView::setOverview);
    connect(m_service, &DnsOverviewService::refreshingChanged, this, &DnsView::setRefreshing);
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &DnsView::tick);
    m_clock->start();

    updateCaptions();
    if (const auto latest = m_service->latest())
        setOverview(*latest);
    setRefreshing(m_service->isRefreshing());
}

QWidget *DnsView::makeSections()
{
    m_served =
        new TableSection(QStringLiteral("Served by the authoritative server"), m_servedModel, this);
    m_served->setObjectName(QStringLiteral("servedSection"));
    m_served->table()->setObjectName(QStringLiteral("servedTable"));
    m_served->table()->setItemDelegateForColumn(ServedSteeringModel::Weights,
                                                new WeightBarDelegate(this));
    m_served->setPlaceholder(QStringLiteral("Reading the zone…"));
    m_served->setMaximumVisibleRows(10);
    m_served->setRowLines(2); // the weights' legend above their bar
    sizeColumns(m_served->table(), {{ServedSteeringModel::Name, "shop.edge.headroom.test"},
                                    {ServedSteeringModel::Kind, "LUA CNAME"},
                                    {ServedSteeringModel::Ttl, "300 s"},
                                    {ServedSteeringModel::Deadline, "passed 9 min ago"},
                                    {ServedSteeringModel::Fallback, "After the deadline"}});
    // The weights take what is left.
    QHeaderView *servedHeader = m_served->table()->horizontalHeader();
    servedHeader->setStretchLastSection(false);
    servedHeader->setSectionResizeMode(ServedSteeringModel::Weights, QHeaderView::Stretch);

    m_delegations =
        new TableSection(QStringLiteral("Delegation of purchaser names"), m_delegationModel, this);
    m_delegations->setObjectName(QStringLiteral("delegationSection"));
    m_delegations->table()->setObjectName(QStringLiteral("delegationTable"));
    m_delegations->setPlaceholder(QStringLiteral("Checking the purchaser names…"));
    m_delegations->setMaximumVisibleRows(6);
    // Explanations are whole sentences: two lines each.
    m_delegations->setRowLines(2);
    sizeColumns(m_delegations->table(), {{DelegationModel::Host, "www.shop.example.com"},
                                         {DelegationModel::Verdict, "xx Misconfigured"},
                                         {DelegationModel::Via, "CNAME"}});

    m_imported = new TableSection(QStringLiteral("Imported name maps"), m_importedModel, this);
    m_imported->setObjectName(QStringLiteral("importedSection"));
    m_imported->table()->setObjectName(QStringLiteral("importedTable"));
    m_imported->setPlaceholder(QStringLiteral("Reading the database…"));
    m_imported->setMaximumVisibleRows(8);
    sizeColumns(m_imported->table(), {{ImportedNamesModel::Zone, "purchaser.example"},
                                      {ImportedNamesModel::Name, "origin.purchaser.example"},
                                      {ImportedNamesModel::Type, "CNAME"},
                                      {ImportedNamesModel::Value, "shop.edge.headroom.test"}});

    m_updates = new TableSection(QStringLiteral("Last updates"), m_updateModel, this);
    m_updates->setObjectName(QStringLiteral("updateSection"));
    m_updates->table()->setObjectName(QStringLiteral("updateTable"));
    m_updates->setPlaceholder(QStringLiteral("Reading the database…"));
    m_updates->setMaximumVisibleRows(8);
    sizeColumns(m_updates->table(), {{UpdateLogModel::Time, "2024-05-01 14:05:09"},
                                     {UpdateLogModel::Zone, "edge.headroom.test"},
                                     {UpdateLogModel::Changes, "Changes"},
                                     {UpdateLogModel::Latency, "1,234 ms"}});
    // A result can be a long error: it goes last, where the column stretches.
    m_updates->table()->horizontalHeader()->moveSection(UpdateLogModel::Latency,
                                                        UpdateLogModel::Result);

    auto *content = new QWidget(this);
    content->setObjectName(QStringLiteral("dnsSections"));
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(20);
    for (TableSection *section : {m_served, m_delegations, m_imported, m_updates})
        layout->addWidget(section);
    layout->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("dnsScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);
    scroll->viewport()->setAutoFillBackground(false);
    content->setAutoFillBackground(false);
    return scroll;
}

QString DnsView::refreshStatus() const
{
    return m_status->text();
}

void DnsView::setOverview(const DnsOverview &overview)
{
    m_servedModel->setOverview(overview);
    m_delegationModel->setOverview(overview);
    m_importedModel->setOverview(overview);
    m_updateModel->setOverview(overview);

    m_served->setError(overview.servedError.isEmpty()
                           ? QString()
                           : QStringLiteral("Zone transfer failed: ") + overview.servedError);
    m_served->setPlaceholder(
        overview.servedError.isEmpty()
            ? QStringLiteral("The zone holds no steering records yet: a name appears here once "
                             "a lease is steered through it.")
            : QStringLiteral("Nothing was read back, so nothing is shown. An empty list here "
                             "does not mean nothing is served."));
    m_delegations->setPlaceholder(
        QStringLiteral("No purchaser names are configured for checking."));
    const QString databaseError =
        overview.databaseError.isEmpty()
            ? QString()
            : QStringLiteral("Database not read: ") + overview.databaseError;
    m_imported->setError(databaseError);
    m_updates->setError(databaseError);
    m_imported->setPlaceholder(
        databaseError.isEmpty()
            ? QStringLiteral("No name maps imported. \"headroomctl dns import-zone\" reads a "
                             "purchaser's zone into the database.")
            : QStringLiteral("Unknown: the database could not be read."));
    m_updates->setPlaceholder(databaseError.isEmpty()
                                  ? QStringLiteral("No update has been sent to the zone yet.")
                                  : QStringLiteral("Unknown: the database could not be read."));

    m_lastRefresh = overview.at.isValid()
                        ? QStringLiteral("Refreshed %1").arg(presentation::timeText(overview.at))
                        : QString();
    updateCaptions();
    setRefreshing(m_service && m_service->isRefreshing());
}

void DnsView::setRefreshing(bool refreshing)
{
    if (refreshing)
        m_status->setText(QStringLiteral("Refreshing…"));
    else
        m_status->setText(m_lastRefresh.isEmpty() ? QStringLiteral("Not refreshed yet")
                                                  : m_lastRefresh);
    m_refresh->setEnabled(!refreshing);
}

void DnsView::updateCaptions()
{
    if (!m_service)
        return;
    const DnsOverviewConfig config = m_service->config();
    m_served->setCaption(
        config.zone.relative().isEmpty() || config.server.isNull()
            ? QStringLiteral("No authoritative server or zone is configured.")
            : QStringLiteral("Zone %1 at %2, read back by zone transfer. Hover the weights for "
                             "each target's share.")
                  .arg(config.zone.relative(), endpointText(config.server, config.port)));
    m_delegations->setCaption(
        config.purchaserNames.isEmpty()
            ? QString()
            : QStringLiteral("Asked at the purchaser's authoritative server %1 and through the "
                             "resolver %2. Hover a row for the exact records.")
                  .arg(endpointText(config.purchaserAuthority, config.purchaserAuthorityPort),
                       endpointText(config.resolver, config.resolverPort)));
    m_imported->setCaption(QStringLiteral("Where the purchasers' own names point, from the "
                                          "Headroom database."));
    m_updates->setCaption(QStringLiteral("The last %1 UPDATE messages sent to the zone's "
                                         "primary, newest first.")
                              .arg(DnsOverviewService::UpdateRows));
}

void DnsView::tick()
{
    if (isVisible())
        m_servedModel->setNow(QDateTime::currentDateTimeUtc());
}

} // namespace headroom
