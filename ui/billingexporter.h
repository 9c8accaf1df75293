#pragma once

#include "billingexportjob.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <atomic>
#include <memory>

namespace headroom {

// Runs one billing export at a time on a thread of its own, with a database connection of its
// own, so a large range never holds up the GUI or the view's other reads. Progress comes back at
// most every ProgressIntervalMs; cancel() stops the export within a few milliseconds (a PDF once
// its layout is done) and nothing is left at the target path.
class BillingExporter final : public QObject
{
    Q_OBJECT
public:
    static constexpr int ProgressIntervalMs = 50;

    explicit BillingExporter(QObject *parent = nullptr);
    // Cancels a running export and waits for it: no thread outlives its owner.
    ~BillingExporter() override;

    void setDatabasePath(const QString &path) { m_path = path; }
    QString databasePath() const { return m_path; }

    // False when an export is running already (or there is no database).
    bool start(const BillingExportRequest &request);
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }
    bool isCancelling() const { return m_thread && m_cancel && m_cancel->load(); }
    BillingExportRequest request() const { return m_request; }

Q_SIGNALS:
    void started(const BillingExportRequest &request);
    // permille < 0: working, but how far cannot be measured (a PDF being laid out).
    void progress(int permille, qint64 rows);
    void finished(const BillingExportResult &result);

private:
    void done(QThread *thread, const BillingExportResult &result);

    QString m_path;
    QPointer<QThread> m_thread;
    std::shared_ptr<std::atomic_bool> m_cancel;
    BillingExportRequest m_request;
};

} // namespace headroom
