#include "dnsupdateservice.h"

#include "serverclock.h"

namespace headroom {

DnsUpdateWorker::DnsUpdateWorker(DnsUpdater::Target target, int timeoutMs, int maxAttempts)
    : m_updater(target, timeoutMs, maxAttempts), m_target(std::move(target)), m_timeoutMs(timeoutMs)
{
}

void DnsUpdateWorker::apply(quint64 ticket, const QList<NameReplacement> &changes,
                            DnsUpdateService::Options options)
{
    UpdateResult result = options.maxAttempts > 0 ? m_updater.apply(changes, options.maxAttempts)
                                                  : m_updater.apply(changes);
    if (result.ok && options.readServerClock) {
        const serverclock::Reading clock =
            serverclock::read(m_target.server, m_target.port, m_target.zone, m_timeoutMs);
        result.serverClockKnown = clock.present;
        result.serverClockMissing = clock.answered && !clock.present;
        result.serverClockOffsetS = clock.offsetS;
    }
    Q_EMIT done(ticket, result);
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
    return submit(changes, Options());
}

quint64 DnsUpdateService::submit(const QList<NameReplacement> &changes, Options options)
{
    const quint64 ticket = m_nextTicket++;
    ++m_pending;
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, ticket, changes, options] { worker->apply(ticket, changes, options); },
        Qt::QueuedConnection);
    return ticket;
}

} // namespace headroom
