#pragma once

#include "dnsupdater.h"

#include <QObject>
#include <QThread>

namespace headroom {

class DnsUpdateWorker;

// Runs DnsUpdater on its own thread so that the console and the controller loop never block on
// the network. Submissions are applied in order, each as one UPDATE; the result comes back on the
// thread that owns the service.
class DnsUpdateService final : public QObject
{
    Q_OBJECT
public:
    explicit DnsUpdateService(DnsUpdater::Target target, QObject *parent = nullptr,
                              int timeoutMs = 2000, int maxAttempts = 4);
    ~DnsUpdateService() override;

    struct Options
    {
        int maxAttempts = 0;          // > 0: sends per message instead of the service's number
        bool readServerClock = false; // after a success, read the server's clock (serverclock.h)
    };

    // Returns at once; applied() follows with the same ticket.
    quint64 submit(const QList<headroom::NameReplacement> &changes);
    quint64 submit(const QList<headroom::NameReplacement> &changes, Options options);
    int pending() const { return m_pending; }

Q_SIGNALS:
    void applied(quint64 ticket, const headroom::UpdateResult &result);

private:
    QThread m_thread;
    DnsUpdateWorker *m_worker = nullptr;
    quint64 m_nextTicket = 1;
    int m_pending = 0;
};

// Internal: lives on the service's thread.
class DnsUpdateWorker final : public QObject
{
    Q_OBJECT
public:
    DnsUpdateWorker(DnsUpdater::Target target, int timeoutMs, int maxAttempts);
    void apply(quint64 ticket, const QList<headroom::NameReplacement> &changes,
               DnsUpdateService::Options options);

Q_SIGNALS:
    void done(quint64 ticket, const headroom::UpdateResult &result);

private:
    DnsUpdater m_updater;
    DnsUpdater::Target m_target;
    int m_timeoutMs;
};

} // namespace headroom
