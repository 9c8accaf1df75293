#include "fleetmonitor.h"

#include "sandbox/sandboxlayout.h"

#include <QDateTime>
#include <algorithm>

namespace headroom {

namespace {

constexpr qint64 kFiveMinutesMs = 5 * 60 * 1000;
constexpr qint64 kHourMs = 60 * 60 * 1000;
constexpr qint64 kDayMs = 24 * kHourMs;

// Buckets per tier: the range divided by the resolution, plus a little for the partial bucket
// at the window's start.
constexpr std::array<qint64, 3> kBucketMs = {1000, 10 * 1000, 60 * 1000};
constexpr std::array<size_t, 3> kBuckets = {300 + 4, 360 + 2, 1440 + 2};

FleetPoint pointOf(const ProxySnapshot &s)
{
    FleetPoint p;
    p.atMs = s.atMs;
    p.totalRps = float(s.totalRps);
    p.baseRps = float(s.baseRps);
    p.purchaserRps = float(s.purchaserRps);
    p.capacityRps = float(s.capacityRps);
    p.headroomRps = float(s.headroomRps);
    return p;
}

} // namespace

qint64 rangeMs(FleetRange range)
{
    switch (range) {
    case FleetRange::FiveMinutes:
        return kFiveMinutesMs;
    case FleetRange::OneHour:
        return kHourMs;
    case FleetRange::Day:
        return kDayMs;
    }
    return kFiveMinutesMs;
}

qint64 resolutionMs(FleetRange range)
{
    return kBucketMs.at(size_t(range));
}

void FleetMonitor::Tier::add(const FleetPoint &point)
{
    const qint64 bucket = point.atMs / bucketMs;
    if (count > 0 && bucket != openBucket) {
        const FleetPoint closed = openAverage();
        if (size < ring.size()) {
            ring[(head + size) % ring.size()] = closed;
            ++size;
        } else {
            ring[head] = closed;
            head = (head + 1) % ring.size();
        }
        sums = {};
        count = 0;
    }
    openBucket = bucket;
    sums[0] += double(point.atMs);
    sums[1] += point.totalRps;
    sums[2] += point.baseRps;
    sums[3] += point.purchaserRps;
    sums[4] += point.capacityRps;
    sums[5] += point.headroomRps;
    ++count;
}

FleetPoint FleetMonitor::Tier::openAverage() const
{
    FleetPoint p;
    if (count == 0)
        return p;
    const double n = count;
    p.atMs = qint64(sums[0] / n);
    p.totalRps = float(sums[1] / n);
    p.baseRps = float(sums[2] / n);
    p.purchaserRps = float(sums[3] / n);
    p.capacityRps = float(sums[4] / n);
    p.headroomRps = float(sums[5] / n);
    return p;
}

void FleetMonitor::Tier::append(QList<FleetPoint> &out, qint64 fromMs) const
{
    out.reserve(qsizetype(size) + 1);
    for (size_t i = 0; i < size; ++i) {
        const FleetPoint &p = ring[(head + i) % ring.size()];
        if (p.atMs >= fromMs)
            out.append(p);
    }
    if (count > 0)
        out.append(openAverage());
}

FleetMonitor::History::History()
{
    for (size_t i = 0; i < tiers.size(); ++i) {
        tiers[i].bucketMs = kBucketMs[i];
        tiers[i].ring.resize(kBuckets[i]);
    }
}

void FleetMonitor::History::add(const FleetPoint &point)
{
    for (Tier &tier : tiers)
        tier.add(point);
}

QList<FleetPoint> FleetMonitor::History::points(FleetRange range, qint64 nowMs) const
{
    QList<FleetPoint> out;
    tiers.at(size_t(range)).append(out, nowMs - rangeMs(range));
    return out;
}

FleetMonitor::FleetMonitor(QObject *parent) : QObject(parent), m_scraper(new FleetScraper(this))
{
    m_fleetTotal.name = QStringLiteral("All proxies");
    connect(m_scraper, &FleetScraper::updated, this, [this](const QList<ProxyLoad> &loads) {
        ingest(loads, QDateTime::currentMSecsSinceEpoch());
    });
}

FleetMonitor::~FleetMonitor() = default;

void FleetMonitor::setProxies(const QList<Proxy> &proxies)
{
    m_proxies.clear();
    for (const Proxy &p : proxies)
        m_proxies.insert(p.name, p);
    for (const auto &e : m_entries) {
        const Proxy p = m_proxies.value(e->snapshot.name);
        e->snapshot.capacityRps = p.capacityRps;
        e->snapshot.pool = p.pool;
    }
}

void FleetMonitor::setEndpoints(const QList<ProxyEndpoint> &endpoints)
{
    for (const ProxyEndpoint &endpoint : endpoints)
        entry(endpoint.name);
    m_scraper->setProxies(endpoints);
}

void FleetMonitor::setPurchaserSites(const QSet<QString> &hosts)
{
    m_purchaserSites = hosts;
}

void FleetMonitor::setTargetUtilisation(double target)
{
    m_target = std::clamp(target, 0.0, 1.0);
}

void FleetMonitor::setInterval(int milliseconds)
{
    m_scraper->setInterval(milliseconds);
}

void FleetMonitor::start()
{
    m_scraper->start();
}

void FleetMonitor::stop()
{
    m_scraper->stop();
}

FleetMonitor::Entry &FleetMonitor::entry(const QString &name)
{
    if (Entry *found = m_byName.value(name))
        return *found;
    auto created = std::make_unique<Entry>();
    created->snapshot.name = name;
    const Proxy p = m_proxies.value(name);
    created->snapshot.capacityRps = p.capacityRps;
    created->snapshot.pool = p.pool;
    Entry *raw = created.get();
    m_entries.push_back(std::move(created));
    m_byName.insert(name, raw);
    return *raw;
}

void FleetMonitor::ingest(const QList<ProxyLoad> &loads, qint64 atMs)
{
    QList<LoadSample> samples;
    samples.reserve(loads.size());
    bool anyRates = false;
    for (const ProxyLoad &load : loads) {
        Entry &e = entry(load.name);
        ProxySnapshot &s = e.snapshot;
        s.state = load.state;
        s.error = load.scraped ? QString() : load.error;
        const bool rates = load.scraped && !load.baseline;
        const bool down = load.state == ProxyLoad::State::Down;
        if (rates || down) {
            LoadSample sample;
            sample.atMs = atMs;
            sample.proxy = s.name;
            sample.pool = s.pool;
            sample.capacityRps = s.capacityRps;
            if (rates) {
                sample.totalRps = load.requestRate;
                s.sites.clear();
                for (auto it = load.sites.cbegin(); it != load.sites.cend(); ++it) {
                    s.sites.append({it.key(), it.value().requestRate});
                    if (m_purchaserSites.contains(it.key()))
                        sample.purchaserRps += it.value().requestRate;
                }
                std::sort(s.sites.begin(), s.sites.end(), [](const auto &a, const auto &b) {
                    return a.second != b.second ? a.second > b.second : a.first < b.first;
                });
                s.connections = load.currentConnections;
            } else {
                // A proxy that is down serves nothing and has nothing to sell.
                s.sites.clear();
                s.connections = 0;
            }
            s.atMs = atMs;
            s.hasLoad = true;
            s.totalRps = sample.totalRps;
            s.purchaserRps = std::min(sample.purchaserRps, sample.totalRps);
            s.baseRps = baseLoad(sample);
            s.headroomRps = down ? 0 : headroomRps(sample, m_target);
            s.utilisation = s.capacityRps > 0 ? s.totalRps / s.capacityRps : 0;
            e.history.add(pointOf(s));
            anyRates = anyRates || rates;
        }
    }

    // The fleet: every proxy's latest rates; capacity only of proxies that are not down.
    ProxySnapshot &t = m_fleetTotal;
    t = ProxySnapshot{};
    t.name = QStringLiteral("All proxies");
    t.atMs = atMs;
    m_up = 0;
    for (const auto &e : m_entries) {
        const ProxySnapshot &s = e->snapshot;
        if (s.state == ProxyLoad::State::Up)
            ++m_up;
        if (s.state == ProxyLoad::State::Down || !s.hasLoad)
            continue;
        t.hasLoad = true;
        t.totalRps += s.totalRps;
        t.purchaserRps += s.purchaserRps;
        t.connections += s.connections;
        LoadSample sample;
        sample.atMs = s.atMs;
        sample.proxy = s.name;
        sample.pool = s.pool;
        sample.capacityRps = s.capacityRps;
        sample.totalRps = s.totalRps;
        sample.purchaserRps = s.purchaserRps;
        samples.append(sample);
    }
    m_fleetHeadroom = aggregate(samples, m_target);
    t.capacityRps = m_fleetHeadroom.capacityRps;
    t.baseRps = m_fleetHeadroom.baseLoadRps;
    t.headroomRps = m_fleetHeadroom.headroomRps;
    t.utilisation = t.capacityRps > 0 ? t.totalRps / t.capacityRps : 0;
    t.state = m_up > 0 ? ProxyLoad::State::Up : ProxyLoad::State::Unknown;
    if (anyRates)
        m_fleet.add(pointOf(t));

    m_lastPollMs = atMs;
    ++m_polls;
    Q_EMIT updated();
}

QList<ProxySnapshot> FleetMonitor::snapshot() const
{
    QList<ProxySnapshot> rows;
    rows.reserve(qsizetype(m_entries.size()));
    for (const auto &e : m_entries)
        rows.append(e->snapshot);
    return rows;
}

ProxySnapshot FleetMonitor::fleetTotal() const
{
    return m_fleetTotal;
}

QStringList FleetMonitor::proxyNames() const
{
    QStringList names;
    names.reserve(qsizetype(m_entries.size()));
    for (const auto &e : m_entries)
        names.append(e->snapshot.name);
    return names;
}

QList<FleetPoint> FleetMonitor::series(const QString &proxy, FleetRange range) const
{
    if (proxy.isEmpty())
        return m_fleet.points(range, m_lastPollMs);
    if (const Entry *e = m_byName.value(proxy))
        return e->history.points(range, m_lastPollMs);
    return {};
}

} // namespace headroom
