#pragma once

#include "billingexportjob.h"

#include <QDate>
#include <QWidget>
#include <functional>
#include <optional>

class QDateEdit;
class QLabel;
class QProgressBar;
class QPushButton;

namespace headroom {

class BillingExporter;
class MessageLine;

// The Billing view's exports: a range of days (UTC), the three exports of it (invoice lines as
// CSV, every usage sample as CSV, a PDF report), a progress bar and a Cancel button. Exports run
// on the exporter's thread; the file appears only when it is complete, and Cancel leaves nothing
// behind. Where to write comes from a path provider: a save dialog unless one is set (tests set
// one, as a modal dialog would wait for a hand).
class BillingExportPanel final : public QWidget
{
    Q_OBJECT
public:
    // The file to write for this export, or empty to not export. `suggestedName` has no directory.
    using PathProvider =
        std::function<QString(BillingExportKind kind, const QString &suggestedName)>;

    explicit BillingExportPanel(QWidget *parent = nullptr);

    void setDatabasePath(const QString &path);
    void setPathProvider(PathProvider provider);
    // Days, both included.
    void setRange(QDate from, QDate to);
    QDate from() const;
    QDate to() const;
    // Exports cover this purchaser only (none: all).
    void setPurchaser(std::optional<qint64> purchaserId, const QString &name);

    // Starts the export of the range, asking where to write; false when none started.
    bool exportRange(BillingExportKind kind);
    // One invoice or credit note as a PDF.
    bool exportInvoice(qint64 invoiceId, const QString &number);
    void cancel();
    bool isExporting() const;

    BillingExporter *exporter() const { return m_exporter; }
    QPushButton *csvButton() const { return m_csv; }
    QPushButton *usageButton() const { return m_usage; }
    QPushButton *pdfButton() const { return m_pdf; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    QDateEdit *fromEdit() const { return m_from; }
    QDateEdit *toEdit() const { return m_to; }
    // What the panel last said about an export.
    QString statusText() const;

Q_SIGNALS:
    void exportFinished(const BillingExportResult &result);

private:
    bool start(BillingExportRequest request, const QString &suggestedName);
    QString askPath(BillingExportKind kind, const QString &suggestedName);
    void showProgress(int permille, qint64 rows);
    void finish(const BillingExportResult &result);
    void updateButtons();

    BillingExporter *m_exporter = nullptr;
    PathProvider m_pathProvider;
    QLabel *m_scope = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QPushButton *m_csv = nullptr;
    QPushButton *m_usage = nullptr;
    QPushButton *m_pdf = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    MessageLine *m_status = nullptr;
    std::optional<qint64> m_purchaserId;
    QString m_purchaserName;
    QString m_lastDirectory;
};

} // namespace headroom
