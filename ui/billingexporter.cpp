#include "billingexporter.h"

#include "store/database.h"

#include <QElapsedTimer>
#include <QThread>

namespace headroom {

BillingExporter::BillingExporter(QObject *parent) : QObject(parent) {}

BillingExporter::~BillingExporter()
{
    if (m_thread) {
        m_cancel->store(true);
        m_thread->wait();
    }
}

bool BillingExporter::start(const BillingExportRequest &request)
{
    if (m_thread || m_path.isEmpty())
        return false;
    m_request = request;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    const QString path = m_path;
    auto result = std::make_shared<BillingExportResult>();
    QThread *thread = QThread::create([this, path, request, result, cancel = m_cancel] {
        Database database;
        const Result<void> opened = database.open(path);
        if (!opened) {
            result->error = opened.error().message;
            return;
        }
        QElapsedTimer sinceReport;
        sinceReport.start();
        int lastPermille = -2;
        *result = runBillingExport(
            database, request, *cancel,
            [this, &sinceReport, &lastPermille](int permille, qint64 rows) {
                // The GUI hears of it at most every ProgressIntervalMs, and whenever the kind of
                // progress changes (measured or not).
                const bool kindChanged = (permille < 0) != (lastPermille < 0);
                if (!kindChanged && sinceReport.elapsed() < ProgressIntervalMs)
                    return;
                sinceReport.restart();
                lastPermille = permille;
                // Queued to this object: dropped if it is gone (it waits for the thread anyway).
                QMetaObject::invokeMethod(
                    this, [this, permille, rows] { Q_EMIT progress(permille, rows); },
                    Qt::QueuedConnection);
            });
    });
    thread->setObjectName(QStringLiteral("BillingExport"));
    thread->setParent(this);
    m_thread = thread;
    connect(thread, &QThread::finished, this, [this, thread, result] { done(thread, *result); });
    Q_EMIT started(request);
    thread->start(QThread::LowPriority);
    return true;
}

void BillingExporter::cancel()
{
    if (m_thread && m_cancel)
        m_cancel->store(true);
}

void BillingExporter::done(QThread *thread, const BillingExportResult &result)
{
    // finished() comes just before the thread returns; wait for that, then it can go.
    thread->wait();
    if (m_thread == thread)
        m_thread.clear();
    delete thread;
    BillingExportResult r = result;
    if (r.path.isEmpty())
        r.path = m_request.path;
    Q_EMIT finished(r);
}

} // namespace headroom
