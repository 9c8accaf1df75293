#include "mainwindow.h"

#include "billingview.h"
#include "dashboardview.h"
#include "dnsview.h"
#include "icons.h"
#include "leasesview.h"
#include "marketview.h"
#include "settingsview.h"
#include "statusbarhealth.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace headroom {

namespace {
constexpr auto kGeometryKey = "ui/mainWindow/geometry";
constexpr auto kStateKey = "ui/mainWindow/state";
constexpr auto kViewKey = "ui/mainWindow/view";
constexpr int kNavigationWidth = 190;
} // namespace

MainWindow::MainWindow(HealthMonitor *monitor, QSettings *settings, DnsOverviewService *dnsOverview,
                       FleetMonitor *fleet, QWidget *parent)
    : QMainWindow(parent), m_settings(settings), m_navigation(new QListWidget(this)),
      m_stack(new QStackedWidget(this))
{
    setWindowTitle(QStringLiteral("Headroom — Proxy Capacity Console"));
    setWindowIcon(icons::application());
    setMinimumSize(900, 560);

    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setFixedWidth(kNavigationWidth);
    m_navigation->setIconSize(QSize(20, 20));
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_navigation->setStyleSheet(QStringLiteral(
        "QListWidget#navigation { background: transparent; outline: 0; }"
        "QListWidget#navigation::item { padding: 8px 10px; margin: 1px 8px; border-radius: 6px;"
        " color: #2b3340; }"
        "QListWidget#navigation::item:hover:!selected { background: #e3e8ef; }"
        "QListWidget#navigation::item:selected { background: #2f5d8f; color: white; }"));

    auto *settingsView = new SettingsView(settings, this);
    addView(View::Dashboard, QStringLiteral("Dashboard"), icons::Glyph::Dashboard,
            new DashboardView(monitor, fleet, this));
    addView(View::Market, QStringLiteral("Market"), icons::Glyph::Market, new MarketView(this));
    addView(View::Leases, QStringLiteral("Leases"), icons::Glyph::Leases, new LeasesView(this));
    addView(View::Billing, QStringLiteral("Billing"), icons::Glyph::Billing, new BillingView(this));
    addView(View::Dns, QStringLiteral("DNS"), icons::Glyph::Dns, new DnsView(dnsOverview, this));
    addView(View::Settings, QStringLiteral("Settings"), icons::Glyph::Settings, settingsView);
    connect(settingsView, &SettingsView::settingsChanged, this, &MainWindow::settingsChanged);
    connect(m_navigation, &QListWidget::currentRowChanged, m_stack,
            &QStackedWidget::setCurrentIndex);

    // The navigation pane: the product's mark above the list, on a quiet sidebar colour.
    auto *brandIcon = new QLabel(this);
    brandIcon->setPixmap(icons::application().pixmap(28, 28));
    auto *brandName = new QLabel(QStringLiteral("Headroom"), this);
    QFont brandFont = brandName->font();
    brandFont.setBold(true);
    brandFont.setPointSizeF(brandFont.pointSizeF() * 1.25);
    brandName->setFont(brandFont);
    auto *brand = new QHBoxLayout;
    brand->setContentsMargins(16, 16, 16, 12);
    brand->setSpacing(8);
    brand->addWidget(brandIcon);
    brand->addWidget(brandName);
    brand->addStretch();

    auto *sidebar = new QWidget(this);
    sidebar->setObjectName(QStringLiteral("sidebar"));
    sidebar->setStyleSheet(QStringLiteral("QWidget#sidebar { background: #f0f3f7;"
                                          " border-right: 1px solid #d5dbe3; }"));
    sidebar->setAttribute(Qt::WA_StyledBackground);
    auto *sidebarLayout = new QVBoxLayout(sidebar);
    sidebarLayout->setContentsMargins(0, 0, 0, 8);
    sidebarLayout->setSpacing(0);
    sidebarLayout->addLayout(brand);
    sidebarLayout->addWidget(m_navigation, 1);

    auto *central = new QWidget(this);
    auto *centralLayout = new QHBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(sidebar);
    centralLayout->addWidget(m_stack, 1);
    setCentralWidget(central);

    statusBar()->addPermanentWidget(new StatusBarHealth(monitor, this));
    statusBar()->setSizeGripEnabled(true);

    int initial = 0;
    if (m_settings) {
        restoreGeometry(m_settings->value(QLatin1String(kGeometryKey)).toByteArray());
        restoreState(m_settings->value(QLatin1String(kStateKey)).toByteArray());
        initial = m_settings->value(QLatin1String(kViewKey), 0).toInt();
    }
    if (initial < 0 || initial >= ViewCount)
        initial = 0;
    if (!m_settings || !m_settings->contains(QLatin1String(kGeometryKey)))
        resize(1180, 720);
    showView(View(initial));
}

MainWindow::~MainWindow()
{
    saveGeometryState();
}

void MainWindow::addView(View view, const QString &title, icons::Glyph glyph, QWidget *widget)
{
    const int index = int(view);
    Q_ASSERT(index == m_stack->count());
    widget->setObjectName(QStringLiteral("view%1").arg(title));
    m_stack->addWidget(widget);

    const QKeySequence shortcut(Qt::CTRL | Qt::Key(Qt::Key_1 + index));
    auto *item = new QListWidgetItem(icons::glyph(glyph), title, m_navigation);
    item->setToolTip(
        QStringLiteral("%1 (%2)").arg(title, shortcut.toString(QKeySequence::NativeText)));

    auto *action = new QAction(title, this);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, [this, view] { showView(view); });
    addAction(action);
}

void MainWindow::showView(View view)
{
    m_navigation->setCurrentRow(int(view));
    m_stack->setCurrentIndex(int(view));
}

MainWindow::View MainWindow::currentView() const
{
    return View(m_stack->currentIndex());
}

QWidget *MainWindow::viewWidget(View view) const
{
    return m_stack->widget(int(view));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveGeometryState();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveGeometryState()
{
    if (!m_settings)
        return;
    m_settings->setValue(QLatin1String(kGeometryKey), saveGeometry());
    m_settings->setValue(QLatin1String(kStateKey), saveState());
    m_settings->setValue(QLatin1String(kViewKey), int(currentView()));
}

} // namespace headroom
