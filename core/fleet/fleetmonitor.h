#pragma once

#include "domain/proxy.h"
#include "fleet/fleetscraper.h"
#include "fleet/headroommodel.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QString>
#include <array>
#include <memory>
#include <vector>

namespace headroom {

struct ProxyEndpoint;

// The spans the console charts. Each has its own resolution in FleetMonitor's history.
enum class FleetRange
{
    FiveMinutes, // per-second points
    OneHour,     // 10-second averages
    Day          // one-minute averages
};

qint64 rangeMs(FleetRange range);
qint64 resolutionMs(FleetRange range);

// One point of a proxy's (or the fleet's) load history. Rates in requests per second; floats
// because a day of points for 200 proxies must stay small.
struct FleetPoint
{
    qint64 atMs = 0; // unix milliseconds; for an average, the mean time of its samples
    float totalRps = 0;
    float baseRps = 0;
    float purchaserRps = 0;
    float capacityRps = 0;
    float headroomRps = 0; // target × capacity − base; negative when overloaded
};

// The latest state of one proxy as the dashboard shows it.
struct ProxySnapshot
{
    QString name;
    QString pool;
    ProxyLoad::State state = ProxyLoad::State::Unknown;
    bool hasLoad = false; // at least one poll with rates (the first read only sets a baseline)
    QString error;        // the last miss's reason while not Up
    qint64 atMs = 0;      // the poll that produced the rates
    double capacityRps = 0;
    double totalRps = 0;
    double baseRps = 0;
    double purchaserRps = 0;
    double headroomRps = 0;
    double utilisation = 0; // total / capacity; 0 without a capacity
    double connections = 0;
    QList<QPair<QString, double>> sites; // host and req/s, busiest first
};

// The fleet's live load for the console: owns a FleetScraper, joins each poll with the proxies'
// capacity and pool, splits load into base and purchaser traffic and keeps a bounded in-memory
// history per proxy and for the fleet (5 min per second, 1 h per 10 s, 24 h per minute: about
// 2,100 points each, whatever the uptime). The database's load history is the durable record;
// this is what a chart redraws from every second without touching SQL.
class FleetMonitor final : public QObject
{
    Q_OBJECT
public:
    explicit FleetMonitor(QObject *parent = nullptr);
    ~FleetMonitor() override;

    // Capacity and pool of each proxy, by name (from ProxyRepository). A proxy scraped but not
    // listed has no capacity: its utilisation and headroom are not meaningful.
    void setProxies(const QList<Proxy> &proxies);
    // Where to scrape. Rows appear in this order, before the first poll as Unknown.
    void setEndpoints(const QList<ProxyEndpoint> &endpoints);
    // Hosts whose traffic we steer onto the fleet; everything else is base load.
    void setPurchaserSites(const QSet<QString> &hosts);
    void setTargetUtilisation(double target);
    double targetUtilisation() const { return m_target; }
    void setInterval(int milliseconds);

    FleetScraper *scraper() const { return m_scraper; }
    void start();
    void stop();

    // Joins one poll into the snapshot and history and emits updated(). Called for every
    // FleetScraper poll; public so tests and previews can feed synthetic polls.
    void ingest(const QList<ProxyLoad> &loads, qint64 atMs);

    QList<ProxySnapshot> snapshot() const;
    // The whole fleet as one row: sums, with Up proxies counted in upCount.
    ProxySnapshot fleetTotal() const;
    PoolHeadroom fleetHeadroom() const { return m_fleetHeadroom; }
    int proxyCount() const { return int(m_entries.size()); }
    int upCount() const { return m_up; }
    QStringList proxyNames() const;
    qint64 lastPollMs() const { return m_lastPollMs; }
    quint64 polls() const { return m_polls; }

    // History ending at the last poll, oldest first. An empty proxy name means the fleet total.
    QList<FleetPoint> series(const QString &proxy, FleetRange range) const;

Q_SIGNALS:
    void updated();

private:
    // Fixed-size ring of bucket averages at one resolution, with the bucket being filled.
    struct Tier
    {
        qint64 bucketMs = 0;
        std::vector<FleetPoint> ring;
        size_t head = 0;
        size_t size = 0;
        qint64 openBucket = -1;
        std::array<double, 6> sums{};
        int count = 0;

        void add(const FleetPoint &point);
        void append(QList<FleetPoint> &out, qint64 fromMs) const;
        FleetPoint openAverage() const;
    };
    struct History
    {
        History();
        std::array<Tier, 3> tiers;
        void add(const FleetPoint &point);
        QList<FleetPoint> points(FleetRange range, qint64 nowMs) const;
    };
    struct Entry
    {
        ProxySnapshot snapshot;
        History history;
    };

    Entry &entry(const QString &name);

    FleetScraper *m_scraper;
    QHash<QString, Proxy> m_proxies;
    QSet<QString> m_purchaserSites;
    double m_target = DefaultTargetUtilisation;
    std::vector<std::unique_ptr<Entry>> m_entries;
    QHash<QString, Entry *> m_byName;
    History m_fleet;
    ProxySnapshot m_fleetTotal;
    PoolHeadroom m_fleetHeadroom;
    int m_up = 0;
    qint64 m_lastPollMs = 0;
    quint64 m_polls = 0;
};

} // namespace headroom
