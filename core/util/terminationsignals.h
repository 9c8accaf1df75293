#pragma once

#include <QObject>

class QSocketNotifier;

namespace headroom {

// Turns SIGINT and SIGTERM into a Qt signal on the event loop (self-pipe), so that a daemon or a
// long-running verb can stop cleanly and still report. One instance per process.
class TerminationSignals final : public QObject
{
    Q_OBJECT
public:
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

Q_SIGNALS:
    void received(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace headroom
