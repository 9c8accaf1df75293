#include "dnsupdateservice.h"

namespace headroom {

DnsUpdateWorker::DnsUpdateWorker(DnsUpdater::Target target, int timeoutMs, int maxAttempts)
    : m_updater(std::move(target), timeoutMs, maxAttempts)
{
}

void DnsUpdateWorker::apply(quint64 ticket, const QList<NameReplacement> &changes)
{
    Q_EMIT done(ticket, m_updater.apply(changes));
}

DnsUpdateService::DnsUpdateService(DnsUpdater::Target target, QObject *parent, int timeoutMs,
                                   int maxAttempts)
    : QObject(parent), m_worker(new DnsUpdateWorker(std::move(target), timeoutMs, maxAttempts))
{
    m_thread.setObjectName(QStringLiteral("dns-updates"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &DnsUpdateWorker::done, this,
            [this](quint64 ticket, const UpdateResult &result) {
                --m_pending;
                Q_EMIT applied(ticket, result);
            });
    m_thread.start();
}

DnsUpdateService::~DnsUpdateService()
{
    m_thread.quit();
    m_thread.wait();
}

quint64 DnsUpdateService::submit(const QList<NameReplacement> &changes)
{
    const quint64 ticket = m_nextTicket++;
    ++m_pending;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, ticket, changes] { worker->apply(ticket, changes); },
        Qt::QueuedConnection);
    return ticket;
}

} // namespace headroom
