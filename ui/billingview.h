#pragma once

#include "billing/invoice.h"
#include "billingexportpanel.h"
#include "invoicepanel.h"
#include "messageline.h"

#include <QWidget>
#include <optional>

class QComboBox;
class QDateEdit;
class QLabel;
class QStackedWidget;

namespace headroom {

class BillingBoard;
class EmptyState;
class InvoiceTableModel;
class RevenueChartView;
class TableSection;
class UnbilledUsageModel;

// Billing per purchaser and month: revenue over the last twelve months (chart), the period's
// invoices and credit notes with their states and the actions on them (invoice run, issue, paid,
// credit note), the usage no issued invoice covers yet with what it would cost, and exports of a
// range of days as CSV or PDF with progress and Cancel. Reads the Headroom database given by
// setDatabasePath() off the GUI thread; without one it says so.
class BillingView final : public QWidget
{
    Q_OBJECT
public:
    explicit BillingView(QWidget *parent = nullptr);

    // Reads the billing records at `path` (empty: none). Safe to call again.
    void setDatabasePath(const QString &path);
    QString databasePath() const;

    // "YYYY-MM"; false (and nothing changes) for anything else.
    bool setPeriod(const QString &period);
    BillingPeriod period() const { return m_period; }
    // None: all purchasers.
    void setPurchaserFilter(std::optional<qint64> purchaserId);
    std::optional<qint64> purchaserFilter() const { return m_purchaserId; }
    // The currency the revenue chart is drawn in.
    void setChartCurrency(const QString &currency);
    QString chartCurrency() const;

    // Where exports write, instead of a save dialog.
    void setExportPathProvider(BillingExportPanel::PathProvider provider);
    void setEarlyIssueConfirmation(InvoicePanel::EarlyIssueConfirmation confirm);

    BillingBoard *board() const { return m_board; }
    InvoiceTableModel *invoiceModel() const { return m_invoices; }
    UnbilledUsageModel *unbilledModel() const { return m_unbilled; }
    RevenueChartView *chart() const { return m_chart; }
    InvoicePanel *invoicePanel() const { return m_invoicePanel; }
    BillingExportPanel *exportPanel() const { return m_exportPanel; }
    TableSection *unbilledSection() const { return m_unbilledSection; }
    QComboBox *purchaserCombo() const { return m_purchaserCombo; }
    QComboBox *currencyCombo() const { return m_currencyCombo; }
    QDateEdit *periodEdit() const { return m_periodEdit; }
    // The last thing an invoice action said; empty before the first.
    QString message() const;
    MessageLine::Kind messageKind() const;
    bool isShowingEmptyState() const;

private:
    QWidget *makeFilterBar();
    QWidget *makeContent();
    QWidget *makeChartPanel(QWidget *parent);
    QWidget *makeUnbilledPanel(QWidget *parent);
    void boardChanged();
    void fillPurchasers();
    void fillCurrencies();
    void showRevenue();
    void filterChanged();
    void updatePlaceholders();
    void updateEmptyState();

    BillingBoard *m_board = nullptr;
    InvoiceTableModel *m_invoices = nullptr;
    UnbilledUsageModel *m_unbilled = nullptr;
    QStackedWidget *m_pages = nullptr;
    EmptyState *m_empty = nullptr;
    QComboBox *m_purchaserCombo = nullptr;
    QDateEdit *m_periodEdit = nullptr;
    QComboBox *m_currencyCombo = nullptr;
    MessageLine *m_message = nullptr;
    RevenueChartView *m_chart = nullptr;
    QLabel *m_chartCaption = nullptr;
    InvoicePanel *m_invoicePanel = nullptr;
    TableSection *m_unbilledSection = nullptr;
    BillingExportPanel *m_exportPanel = nullptr;
    BillingPeriod m_period;
    std::optional<qint64> m_purchaserId;
    QString m_currency;     // chosen for the chart; empty: the default
    QString m_exportPeriod; // the period the export range was last set from
    bool m_filling = false;
};

} // namespace headroom
