#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

class QNetworkAccessManager;
class QTimer;

namespace headroom {

class DnsClient;

// What the console's status bar shows for one server we depend on.
struct EndpointHealth
{
    enum class Kind
    {
        Dns,
        Proxy
    };
    enum class State
    {
        Unknown,
        Up,
        Down
    };

    QString name; // "pdns-auth", "proxy1", ...
    Kind kind = Kind::Proxy;
    QHostAddress address;
    quint16 port = 0;
    State state = State::Unknown;
    double latencyMs = 0; // of the last successful probe
    QString detail;       // last error, or a short description of the answer
    QDateTime lastChecked;
};

// The endpoints to watch: the DNS server (probed with an SOA query for `zone`) and every proxy
// (probed with an HTTP GET of its metrics URL).
struct HealthTargets
{
    struct Dns
    {
        QString name;
        QHostAddress address;
        quint16 port = 0;
        QString zone;
    };
    struct Proxy
    {
        QString name;
        QHostAddress address;
        quint16 metricsPort = 0;
    };
    QList<Dns> dns;
    QList<Proxy> proxies;
};

// Polls every target concurrently and emits changed() after each round. A target that does not
// answer within the timeout is Down; one slow target never delays the others. Never blocks.
class HealthMonitor final : public QObject
{
    Q_OBJECT
public:
    explicit HealthMonitor(QObject *parent = nullptr);
    ~HealthMonitor() override;

    void setTargets(const HealthTargets &targets);
    void setInterval(int milliseconds);
    void setTimeout(int milliseconds);
    void start();
    void stop();
    void pollNow();

    QList<EndpointHealth> endpoints() const { return m_endpoints; }

Q_SIGNALS:
    void changed();

private:
    void probeDns(int index, const HealthTargets::Dns &target);
    void probeProxy(int index, const HealthTargets::Proxy &target);
    void update(int index, bool ok, double latencyMs, const QString &detail);

    HealthTargets m_targets;
    QList<EndpointHealth> m_endpoints;
    QTimer *m_timer = nullptr;
    QNetworkAccessManager *m_network = nullptr;
    int m_timeoutMs = 1500;
    quint64 m_round = 0;
};

} // namespace headroom
