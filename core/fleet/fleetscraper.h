#pragma once

#include "counterrate.h"
#include "prometheusparser.h"
#include "stickytableparser.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace headroom {

class RuntimeApi;
struct ProxyEndpoint;

// Where to read one proxy: its Prometheus exporter and its runtime API socket.
struct ScrapeTarget
{
    QString name;
    QHostAddress address;
    quint16 metricsPort = 0;
    QString runtimeSocket;

    static ScrapeTarget fromEndpoint(const ProxyEndpoint &endpoint);
};

// One site (Host) on one proxy, over the last poll.
struct SiteLoad
{
    double requestRate = 0; // requests/s
    double bytesRate = 0;   // bytes out/s
    quint64 requests = 0;   // exact number counted since the previous successful poll
    quint64 bytesOut = 0;
};

// One proxy after one poll.
struct ProxyLoad
{
    enum class State
    {
        Unknown, // no successful scrape yet, fewer than two misses
        Up,
        Down // two or more consecutive misses
    };

    QString name;
    State state = State::Unknown;
    bool scraped = false; // this poll read the proxy; false = a miss (see error)
    QString error;        // why this poll missed; empty when scraped
    int consecutiveMisses = 0;

    // Valid when scraped. Deltas cover everything counted since the previous successful poll,
    // however many polls missed in between; a restart of the proxy (new epoch) counts what the
    // new process counted, never the old total again. Per-site deltas come from the stick
    // table, which a graceful reload hands over (peers): they count every request exactly once
    // across it; the proxy totals come from the process and lose what the old process counted
    // after the last poll.
    double requestRate = 0;
    double bytesRate = 0;
    double currentConnections = 0;
    quint64 requests = 0;
    quint64 bytesOut = 0;
    QHash<QString, SiteLoad> sites; // by host, summed over configuration generations
    // The stick table as read this poll (entry key -> cumulative counters): what metering
    // measures against its stored checkpoints (meterProxy()).
    QHash<QString, SiteCounters> table;
    int rejectedSites = 0; // stick-table entries whose key is not a host name
    bool baseline = false; // first successful read of this proxy (or of this epoch): no deltas

    quint64 epoch = 0; // increments on each detected restart of the proxy's counters
    quint64 poll = 0;  // poll sequence number of the scraper
    // "name/run/epoch/poll": unique key for billing this delta. `run` is random per scraper, so a
    // restarted controller (whose epochs and polls count from 0 again) never repeats an id that
    // its predecessor stored - which would make the ledger drop its samples as replays.
    QString sampleId;
};

// Reads every proxy concurrently once per interval (HTTP GET of the Prometheus exporter and
// `show table per_site` on the runtime API) and emits updated() once per poll, at the latest
// when the per-proxy timeout (shorter than the interval) ends: a slow or dead proxy is a miss
// for this poll and never delays the others. Never blocks.
class FleetScraper final : public QObject
{
    Q_OBJECT
public:
    explicit FleetScraper(QObject *parent = nullptr);
    ~FleetScraper() override;

    void setProxies(const QList<ScrapeTarget> &proxies);
    void setProxies(const QList<ProxyEndpoint> &proxies);
    void setInterval(int milliseconds); // default 1000
    // Per-proxy deadline of a poll; by default 80 % of the interval. Clamped below the interval.
    void setTimeout(int milliseconds);
    void setFrontend(const QString &frontend) { m_frontend = frontend; }
    void setTable(const QString &table) { m_table = table; }

    int interval() const;
    int effectiveTimeout() const;
    bool isRunning() const;

    void start();
    void stop();
    void pollNow();

Q_SIGNALS:
    void updated(const QList<headroom::ProxyLoad> &proxies);

private:
    struct Site // one stick-table entry (site and configuration generation)
    {
        CounterRate requests;
        CounterRate bytes;
        qint64 seenNs = 0; // when the entry was last in the table
    };
    struct Proxy
    {
        ScrapeTarget target;
        RuntimeApi *runtime = nullptr;
        // current poll
        QNetworkReply *reply = nullptr;
        std::optional<ProxyCounters> counters;
        qint64 countersNs = 0;
        std::optional<StickyTable> table;
        qint64 tableNs = 0;
        QString error;
        bool metricsDone = false;
        bool tableDone = false;
        // history
        ProxyLoad::State state = ProxyLoad::State::Unknown;
        int misses = 0;
        bool baselined = false;
        double startTime = 0;
        quint64 epoch = 0;
        CounterRate requests;
        CounterRate bytes;
        qint64 lastTableNs = 0;
        QHash<QString, Site> sites; // by entry key
    };

    void scrape(int index);
    void proxyDone(int index);
    void finishPoll();
    ProxyLoad account(Proxy &p);
    void abortPending(Proxy &p);

    std::vector<std::unique_ptr<Proxy>> m_proxies;
    QNetworkAccessManager *m_network;
    QTimer *m_timer;
    QTimer *m_deadline;
    QElapsedTimer m_clock;
    QString m_frontend = QStringLiteral("http");
    QString m_table = QStringLiteral("per_site");
    int m_timeoutMs = 0; // 0 = 80 % of the interval
    quint64 m_poll = 0;
    QString m_run; // random, per scraper: see ProxyLoad::sampleId
    bool m_polling = false;
};

} // namespace headroom
