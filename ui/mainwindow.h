#pragma once

#include "settings/appsettings.h"

#include <QMainWindow>

class QListWidget;
class QSettings;
class QStackedWidget;

namespace headroom {

class DnsOverviewService;
class FleetMonitor;
class HealthMonitor;
namespace icons {
enum class Glyph;
}

// Navigation and nothing else: a list of views on the left, the current view on the right and
// endpoint health in the status bar. Each view owns its widgets and models.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    // In navigation order; Ctrl+1 … Ctrl+6 follow it.
    enum class View
    {
        Dashboard,
        Market,
        Leases,
        Billing,
        Dns,
        Settings
    };
    Q_ENUM(View)
    static constexpr int ViewCount = 6;

    // All may be null. `monitor` feeds the dashboard and the status bar; `settings` holds the
    // AppSettings and the window geometry; `dnsOverview` feeds the DNS view; `fleet` feeds the
    // dashboard's chart and proxy table. None is owned; all must outlive the window.
    MainWindow(HealthMonitor *monitor, QSettings *settings,
               DnsOverviewService *dnsOverview = nullptr, FleetMonitor *fleet = nullptr,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    void showView(View view);
    View currentView() const;
    QWidget *viewWidget(View view) const;

Q_SIGNALS:
    // Relayed from the settings view once accepted settings are saved, for the app to apply.
    void settingsChanged(const headroom::AppSettings &settings);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void addView(View view, const QString &title, icons::Glyph glyph, QWidget *widget);
    void saveGeometryState();

    QSettings *m_settings = nullptr;
    QListWidget *m_navigation = nullptr;
    QStackedWidget *m_stack = nullptr;
};

} // namespace headroom
