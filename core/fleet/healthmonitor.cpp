#include "healthmonitor.h"

#include "dns/dnsclient.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <memory>

namespace headroom {

HealthMonitor::HealthMonitor(QObject *parent)
    : QObject(parent), m_timer(new QTimer(this)), m_network(new QNetworkAccessManager(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &HealthMonitor::pollNow);
}

HealthMonitor::~HealthMonitor() = default;

void HealthMonitor::setTargets(const HealthTargets &targets)
{
    m_targets = targets;
    m_endpoints.clear();
    ++m_round; // answers to probes of the old targets are ignored
    for (const auto &d : targets.dns) {
        EndpointHealth e;
        e.name = d.name;
        e.kind = EndpointHealth::Kind::Dns;
        e.address = d.address;
        e.port = d.port;
        m_endpoints.append(e);
    }
    for (const auto &p : targets.proxies) {
        EndpointHealth e;
        e.name = p.name;
        e.kind = EndpointHealth::Kind::Proxy;
        e.address = p.address;
        e.port = p.metricsPort;
        m_endpoints.append(e);
    }
    Q_EMIT changed();
}

void HealthMonitor::setInterval(int milliseconds)
{
    m_timer->setInterval(milliseconds);
}
void HealthMonitor::setTimeout(int milliseconds)
{
    m_timeoutMs = milliseconds;
}

void HealthMonitor::start()
{
    pollNow();
    m_timer->start();
}

void HealthMonitor::stop()
{
    m_timer->stop();
}

void HealthMonitor::pollNow()
{
    int index = 0;
    for (const auto &d : m_targets.dns)
        probeDns(index++, d);
    for (const auto &p : m_targets.proxies)
        probeProxy(index++, p);
}

void HealthMonitor::probeDns(int index, const HealthTargets::Dns &target)
{
    const quint64 round = m_round;
    auto *client = new DnsClient(this);
    DnsQuestion q{target.zone, quint16(RecordType::SOA), false};
    client->query(target.address, target.port, q, m_timeoutMs, this,
                  [this, client, index, round](const DnsResponse &resp) {
                      client->deleteLater();
                      if (round != m_round)
                          return;
                      if (!resp.answered)
                          update(index, false, 0, resp.error);
                      else if (resp.rcode != 0)
                          update(index, false, resp.latencyMs,
                                 QStringLiteral("answered %1").arg(rcodeName(resp.rcode)));
                      else
                          update(index, true, resp.latencyMs, QStringLiteral("SOA answered"));
                  });
}

void HealthMonitor::probeProxy(int index, const HealthTargets::Proxy &target)
{
    const quint64 round = m_round;
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(target.address.toString());
    url.setPort(target.metricsPort);
    url.setPath(QStringLiteral("/metrics"));
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, index, round, clock] {
        reply->deleteLater();
        if (round != m_round)
            return;
        const double ms = double(clock->nsecsElapsed()) / 1e6;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError)
            update(index, false, 0, reply->errorString());
        else if (status != 200)
            update(index, false, ms, QStringLiteral("metrics answered HTTP %1").arg(status));
        else
            update(index, true, ms, QStringLiteral("metrics answered"));
    });
}

void HealthMonitor::update(int index, bool ok, double latencyMs, const QString &detail)
{
    if (index < 0 || index >= m_endpoints.size())
        return;
    EndpointHealth &e = m_endpoints[index];
    e.state = ok ? EndpointHealth::State::Up : EndpointHealth::State::Down;
    e.latencyMs = latencyMs;
    e.detail = detail;
    e.lastChecked = QDateTime::currentDateTimeUtc();
    Q_EMIT changed();
}

} // namespace headroom
