#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;

namespace headroom {

class DelegationModel;
class DnsOverviewService;
class EmptyState;
class ImportedNamesModel;
class ServedSteeringModel;
class TableSection;
class UpdateLogModel;
struct DnsOverview;

// The DNS side of the network as it is, not as the database says it should be: the names our
// authoritative server serves with their weights (read back), whether each purchaser name is
// delegated to us, the imported name maps and the last UPDATE results. Everything comes from a
// DnsOverviewService, which does the blocking work on its own thread.
class DnsView final : public QWidget
{
    Q_OBJECT
public:
    // `service` may be null: the view then says that no DNS server is configured. Not owned; it
    // must outlive the view.
    explicit DnsView(DnsOverviewService *service, QWidget *parent = nullptr);

    ServedSteeringModel *servedModel() const { return m_servedModel; }
    DelegationModel *delegationModel() const { return m_delegationModel; }
    ImportedNamesModel *importedModel() const { return m_importedModel; }
    UpdateLogModel *updateModel() const { return m_updateModel; }
    TableSection *servedSection() const { return m_served; }
    TableSection *delegationSection() const { return m_delegations; }
    TableSection *importedSection() const { return m_imported; }
    TableSection *updateSection() const { return m_updates; }
    QPushButton *refreshButton() const { return m_refresh; }
    QString refreshStatus() const;
    bool isConfigured() const { return !m_service.isNull(); }

public Q_SLOTS:
    void setOverview(const headroom::DnsOverview &overview);

private:
    QWidget *makeSections();
    void setRefreshing(bool refreshing);
    void updateCaptions();
    void tick();

    QPointer<DnsOverviewService> m_service;
    ServedSteeringModel *m_servedModel = nullptr;
    DelegationModel *m_delegationModel = nullptr;
    ImportedNamesModel *m_importedModel = nullptr;
    UpdateLogModel *m_updateModel = nullptr;
    TableSection *m_served = nullptr;
    TableSection *m_delegations = nullptr;
    TableSection *m_imported = nullptr;
    TableSection *m_updates = nullptr;
    EmptyState *m_empty = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_refresh = nullptr;
    QTimer *m_clock = nullptr;
    QString m_lastRefresh;
};

} // namespace headroom
