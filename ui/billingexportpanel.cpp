#include "billingexportpanel.h"

#include "billingexporter.h"
#include "billingpresentation.h"
#include "billingstyle.h"
#include "messageline.h"

#include <QDateEdit>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTimeZone>
#include <QVBoxLayout>

namespace headroom {

namespace {

qint64 startOfDayMs(QDate day)
{
    return QDateTime(day, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

QString what(BillingExportKind kind)
{
    switch (kind) {
    case BillingExportKind::LineItemsCsv:
        return QStringLiteral("invoice lines");
    case BillingExportKind::UsageCsv:
        return QStringLiteral("usage samples");
    case BillingExportKind::ReportPdf:
        return QStringLiteral("the billing report");
    case BillingExportKind::InvoicePdf:
        return QStringLiteral("the invoice");
    }
    return {};
}

QDateEdit *dayEdit(const QString &name, QWidget *parent)
{
    auto *edit = new QDateEdit(parent);
    edit->setObjectName(name);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    edit->setCalendarPopup(true);
    edit->setMinimumDate(QDate(2000, 1, 1));
    return edit;
}

} // namespace

BillingExportPanel::BillingExportPanel(QWidget *parent)
    : QWidget(parent), m_exporter(new BillingExporter(this))
{
    QFrame *frame = billingstyle::panel(QStringLiteral("billingExportPanel"), this);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(frame);

    auto *layout = new QVBoxLayout(frame);
    layout->setContentsMargins(14, 12, 14, 12);
    layout->setSpacing(8);
    layout->addWidget(billingstyle::title(QStringLiteral("Export"), frame));
    m_scope = billingstyle::caption(QString(), frame);
    m_scope->setObjectName(QStringLiteral("exportScope"));
    layout->addWidget(m_scope);

    auto *range = new QHBoxLayout;
    range->setSpacing(6);
    m_from = dayEdit(QStringLiteral("exportFrom"), frame);
    m_to = dayEdit(QStringLiteral("exportTo"), frame);
    range->addWidget(new QLabel(QStringLiteral("From"), frame));
    range->addWidget(m_from);
    range->addWidget(new QLabel(QStringLiteral("to"), frame));
    range->addWidget(m_to);
    range->addStretch(1);
    layout->addLayout(range);

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(6);
    m_csv = billingstyle::button(QStringLiteral("Export CSV…"), QStringLiteral("exportCsvButton"),
                                 false, frame);
    m_csv->setToolTip(QStringLiteral("One row per invoice line of the invoices and credit notes "
                                     "whose month overlaps the range (drafts included)"));
    m_usage = billingstyle::button(QStringLiteral("Export usage CSV…"),
                                   QStringLiteral("exportUsageButton"), false, frame);
    m_usage->setToolTip(QStringLiteral("One row per metered usage sample in the range"));
    m_pdf = billingstyle::button(QStringLiteral("Export PDF…"), QStringLiteral("exportPdfButton"),
                                 false, frame);
    m_pdf->setToolTip(QStringLiteral("A report: your company details, a summary and every "
                                     "invoice and credit note of the range"));
    buttons->addWidget(m_csv);
    buttons->addWidget(m_usage);
    buttons->addWidget(m_pdf);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    auto *running = new QHBoxLayout;
    running->setSpacing(6);
    m_progress = new QProgressBar(frame);
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("No export running"));
    m_cancel = billingstyle::button(QStringLiteral("Cancel"), QStringLiteral("exportCancelButton"),
                                    false, frame);
    m_cancel->setToolTip(QStringLiteral("Stop the export; nothing is written"));
    running->addWidget(m_progress, 1);
    running->addWidget(m_cancel);
    layout->addLayout(running);

    m_status = new MessageLine(frame);
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setIdleText(QStringLiteral("Large ranges take a while: the progress shows how far, "
                                         "and Cancel stops it."));
    layout->addWidget(m_status);
    layout->addStretch(1);

    connect(m_csv, &QPushButton::clicked, this,
            [this] { exportRange(BillingExportKind::LineItemsCsv); });
    connect(m_usage, &QPushButton::clicked, this,
            [this] { exportRange(BillingExportKind::UsageCsv); });
    connect(m_pdf, &QPushButton::clicked, this,
            [this] { exportRange(BillingExportKind::ReportPdf); });
    connect(m_cancel, &QPushButton::clicked, this, &BillingExportPanel::cancel);
    connect(m_exporter, &BillingExporter::progress, this, &BillingExportPanel::showProgress);
    connect(m_exporter, &BillingExporter::finished, this, &BillingExportPanel::finish);

    setPurchaser(std::nullopt, QString());
    const QDate today = QDateTime::currentDateTimeUtc().date();
    setRange(QDate(today.year(), today.month(), 1), today);
    m_lastDirectory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    updateButtons();
}

void BillingExportPanel::setDatabasePath(const QString &path)
{
    m_exporter->setDatabasePath(path);
    updateButtons();
}

void BillingExportPanel::setPathProvider(PathProvider provider)
{
    m_pathProvider = std::move(provider);
}

void BillingExportPanel::setRange(QDate from, QDate to)
{
    m_from->setDate(from);
    m_to->setDate(to);
}

QDate BillingExportPanel::from() const
{
    return m_from->date();
}

QDate BillingExportPanel::to() const
{
    return m_to->date();
}

void BillingExportPanel::setPurchaser(std::optional<qint64> purchaserId, const QString &name)
{
    m_purchaserId = purchaserId;
    m_purchaserName = name;
    m_scope->setText(
        QStringLiteral("%1, days in UTC with both ends included. A file appears only when it is "
                       "complete.")
            .arg(purchaserId ? QStringLiteral("Only %1").arg(
                                   name.isEmpty() ? QStringLiteral("the purchaser") : name)
                             : QStringLiteral("All purchasers")));
}

bool BillingExportPanel::isExporting() const
{
    return m_exporter->isRunning();
}

QString BillingExportPanel::statusText() const
{
    return m_status->message();
}

QString BillingExportPanel::askPath(BillingExportKind kind, const QString &suggestedName)
{
    if (m_pathProvider)
        return m_pathProvider(kind, suggestedName);
    const bool pdf = kind == BillingExportKind::ReportPdf || kind == BillingExportKind::InvoicePdf;
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export %1").arg(what(kind)),
        QDir(m_lastDirectory).filePath(suggestedName),
        pdf ? QStringLiteral("PDF (*.pdf)") : QStringLiteral("CSV (*.csv)"));
    if (!path.isEmpty())
        m_lastDirectory = QFileInfo(path).absolutePath();
    return path;
}

bool BillingExportPanel::exportRange(BillingExportKind kind)
{
    if (m_from->date() > m_to->date()) {
        m_status->showMessage(QStringLiteral("The range ends before it starts: pick a 'to' day on "
                                             "or after the 'from' day."),
                              MessageLine::Kind::Error);
        return false;
    }
    BillingExportRequest request;
    request.kind = kind;
    request.fromMs = startOfDayMs(m_from->date());
    request.toMs = startOfDayMs(m_to->date().addDays(1));
    request.purchaserId = m_purchaserId;
    request.purchaserName = m_purchaserName;
    return start(request, suggestedExportName(request));
}

bool BillingExportPanel::exportInvoice(qint64 invoiceId, const QString &number)
{
    BillingExportRequest request;
    request.kind = BillingExportKind::InvoicePdf;
    request.invoiceId = invoiceId;
    return start(request, suggestedExportName(request, number));
}

bool BillingExportPanel::start(BillingExportRequest request, const QString &suggestedName)
{
    if (m_exporter->databasePath().isEmpty())
        return false;
    if (isExporting()) {
        m_status->showMessage(QStringLiteral("An export is running: wait for it, or cancel it "
                                             "first."),
                              MessageLine::Kind::Warning);
        return false;
    }
    const QString path = askPath(request.kind, suggestedName);
    if (path.isEmpty())
        return false;
    const QFileInfo target(path);
    if (target.isDir() || !target.absoluteDir().exists()) {
        m_status->showMessage(
            QStringLiteral("Cannot write %1: choose a file in an existing folder.").arg(path),
            MessageLine::Kind::Error);
        return false;
    }
    request.path = target.absoluteFilePath();
    if (!m_exporter->start(request))
        return false;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_status->showMessage(
        QStringLiteral("Exporting %1 to %2…").arg(what(request.kind), target.fileName()),
        MessageLine::Kind::Info);
    updateButtons();
    return true;
}

void BillingExportPanel::cancel()
{
    if (!isExporting())
        return;
    m_exporter->cancel();
    m_status->showMessage(QStringLiteral("Cancelling the export…"), MessageLine::Kind::Warning);
    updateButtons();
}

void BillingExportPanel::showProgress(int permille, qint64 rows)
{
    if (!isExporting())
        return;
    if (permille < 0) {
        m_progress->setRange(0, 0); // busy: a PDF's layout cannot be measured
    } else {
        m_progress->setRange(0, 1000);
        m_progress->setValue(std::clamp(permille, 0, 1000));
    }
    if (m_exporter->isCancelling())
        return;
    const BillingExportRequest request = m_exporter->request();
    QString text = QStringLiteral("Exporting %1 to %2…")
                       .arg(what(request.kind), QFileInfo(request.path).fileName());
    if (permille < 0)
        text = QStringLiteral("Laying out %1 as PDF…").arg(what(request.kind));
    else if (rows > 0)
        text += QStringLiteral(" %1 rows").arg(presentation::countText(rows));
    m_status->showMessage(text, MessageLine::Kind::Info);
}

void BillingExportPanel::finish(const BillingExportResult &result)
{
    const QString file = QFileInfo(result.path).fileName();
    m_progress->setRange(0, 1000);
    if (result.ok) {
        m_progress->setValue(1000);
        m_progress->setFormat(QStringLiteral("Done"));
        QString text;
        if (result.path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive) || result.rows == 0)
            text = QStringLiteral("Wrote %1 document%2 to %3")
                       .arg(result.documents)
                       .arg(result.documents == 1 ? "" : "s")
                       .arg(result.path);
        else
            text = QStringLiteral("Wrote %1 row%2 to %3")
                       .arg(presentation::countText(result.rows))
                       .arg(result.rows == 1 ? "" : "s")
                       .arg(result.path);
        m_status->showMessage(text, MessageLine::Kind::Success);
    } else if (result.cancelled) {
        m_progress->setValue(0);
        m_progress->setFormat(QStringLiteral("Cancelled"));
        m_status->showMessage(
            QStringLiteral("Export cancelled: nothing was written to %1.").arg(file),
            MessageLine::Kind::Warning);
    } else {
        m_progress->setValue(0);
        m_progress->setFormat(QStringLiteral("Failed"));
        m_status->showMessage(
            QStringLiteral("Export failed, nothing was written: %1").arg(result.error),
            MessageLine::Kind::Error);
    }
    updateButtons();
    Q_EMIT exportFinished(result);
}

void BillingExportPanel::updateButtons()
{
    const bool idle = !isExporting() && !m_exporter->databasePath().isEmpty();
    for (QPushButton *b : {m_csv, m_usage, m_pdf})
        b->setEnabled(idle);
    m_from->setEnabled(!isExporting());
    m_to->setEnabled(!isExporting());
    m_cancel->setEnabled(isExporting() && !m_exporter->isCancelling());
}

} // namespace headroom
