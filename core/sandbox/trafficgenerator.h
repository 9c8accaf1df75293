#pragma once

#include "emulatedresolver.h"
#include "loadprofile.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QRandomGenerator>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QTimer;

namespace headroom {

class DnsClient;

struct TrafficOptions
{
    LoadProfile profile;
    double durationSeconds = 10; // 0 = until stop()
    QString host = QStringLiteral("news.example");
    quint16 httpPort = 80;
    QString path = QStringLiteral("/");
    int resolvers = 300;
    bool recursive = false;    // true: every resolver asks `servers` (the recursor) with RD
    QList<ZoneServer> servers; // authoritative servers by zone, or the recursor for "."
    int maxInFlight = 4000;
    int requestTimeoutMs = 5000;
    double reportEverySeconds = 0; // progress() interval; 0 = none
    quint32 seed = 0;              // 0 = random
};

struct TrafficReport
{
    QString profile;
    QString host;
    qint64 requested = 0;
    qint64 ok = 0;
    qint64 failed = 0;
    QMap<QString, qint64> okByTarget;   // address -> successful responses
    QMap<QString, qint64> errorsByKind; // dns-timeout, http-503, connect, ...
    quint64 dnsQueries = 0;
    int resolvers = 0;
    double elapsedSeconds = 0;
    double latencyP50Ms = 0;
    double latencyP99Ms = 0;

    QJsonObject toJson() const;
    QString toText() const;
};

// Emulates many clients behind K caching resolvers: each request picks a resolver at random,
// resolves the host through it (TTL honoured), picks one of the answered addresses, and sends
// an HTTP GET with the right Host header to it. Runs on the event loop; never blocks.
class TrafficGenerator final : public QObject
{
    Q_OBJECT
public:
    explicit TrafficGenerator(TrafficOptions options, QObject *parent = nullptr);
    ~TrafficGenerator() override;

    void start();
    // Stops issuing requests; finished() follows once in-flight requests end (or time out).
    void stop();
    TrafficReport report() const;

Q_SIGNALS:
    void progress(const headroom::TrafficReport &report);
    void finished(const headroom::TrafficReport &report);

private:
    void tick();
    void issue();
    void send(const QHostAddress &address);
    void fail(const QString &kind);
    void maybeFinish();

    TrafficOptions m_options;
    QElapsedTimer m_clock;
    QTimer *m_timer;
    QNetworkAccessManager *m_network;
    DnsClient *m_dns;
    std::vector<std::unique_ptr<EmulatedResolver>> m_resolvers;
    QRandomGenerator m_random;
    double m_due = 0;
    double m_lastTick = 0;
    double m_nextReport = 0;
    bool m_stopping = false;
    bool m_finished = false;
    int m_inFlight = 0;
    qint64 m_stopAtMs = -1;
    std::vector<float> m_latencies;
    TrafficReport m_report;
};

} // namespace headroom
