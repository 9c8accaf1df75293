#include "sandboxlayout.h"

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>

namespace headroom {

namespace {
QHostAddress loopback(int third, int fourth)
{
    return QHostAddress(QStringLiteral("127.0.%1.%2").arg(third).arg(fourth));
}

QJsonObject dnsJson(const DnsServerEndpoint &e)
{
    return {{QStringLiteral("name"), e.name},
            {QStringLiteral("address"), e.address.toString()},
            {QStringLiteral("port"), e.port},
            {QStringLiteral("zones"), QJsonArray::fromStringList(e.zones)}};
}
} // namespace

std::optional<SandboxLayout> SandboxLayout::make(int portBase, const QString &stateDir,
                                                 QString *error)
{
    if (portBase < 1024 || portBase + kPortSpan > 65535) {
        *error = QStringLiteral("port base %1 is out of range (1024-%2)")
                     .arg(portBase)
                     .arg(65535 - kPortSpan);
        return std::nullopt;
    }
    // The state dir is written into server configuration files: accept only plain paths.
    static const QRegularExpression safePath(
        QRegularExpression::anchoredPattern(QStringLiteral("/[A-Za-z0-9._/+-]+")));
    const QString dir = QDir::cleanPath(QDir(stateDir).absolutePath());
    if (!safePath.match(dir).hasMatch() || dir.size() > 200) {
        *error = QStringLiteral("state directory '%1' must be an absolute path of letters, digits "
                                "and . _ / + - only (it is written into server configurations)")
                     .arg(stateDir);
        return std::nullopt;
    }

    SandboxLayout l;
    l.portBase = portBase;
    l.stateDir = dir;
    const auto port = [portBase](int offset) { return quint16(portBase + offset); };
    l.authoritative = {QStringLiteral("pdns-auth"),
                       QHostAddress(QHostAddress::LocalHost),
                       port(0),
                       {l.ourZone, l.subscriberZone}};
    l.purchaserDns = {QStringLiteral("purchaser-dns"),
                      QHostAddress(QHostAddress::LocalHost),
                      port(1),
                      {l.purchaserZone}};
    l.recursor = {QStringLiteral("recursor"),
                  QHostAddress(QHostAddress::LocalHost),
                  port(2),
                  {l.ourZone, l.subscriberZone, l.purchaserZone}};
    for (int i = 1; i <= 3; ++i) {
        ProxyEndpoint p;
        p.name = QStringLiteral("proxy%1").arg(i);
        p.address = loopback(1, i);
        p.httpPort = port(10);
        p.metricsPort = port(11);
        p.peerPort = port(12);
        p.runtimeSocket = l.serverDir(p.name) + QStringLiteral("/runtime.sock");
        p.monitorSocket = l.serverDir(p.name) + QStringLiteral("/monitor.sock");
        p.masterSocket = l.serverDir(p.name) + QStringLiteral("/master.sock");
        p.hostMap = l.serverDir(p.name) + QStringLiteral("/hosts.map");
        l.proxies.append(p);
    }
    l.origins = {
        {QStringLiteral("shop-origin1"), loopback(2, 1), port(10), l.purchaserZone},
        {QStringLiteral("shop-origin2"), loopback(2, 2), port(10), l.purchaserZone},
        {QStringLiteral("news-origin"), loopback(2, 3), port(10), l.subscriberZone},
    };
    return l;
}

QString SandboxLayout::defaultStateDir(int portBase)
{
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/state");
    return base + QStringLiteral("/headroom/sandbox-%1").arg(portBase);
}

QString SandboxLayout::updateKeyFile() const
{
    return stateDir + QStringLiteral("/secrets/") + updateKeyName + QStringLiteral(".key");
}
QString SandboxLayout::axfrKeyFile() const
{
    return stateDir + QStringLiteral("/secrets/") + axfrKeyName + QStringLiteral(".key");
}
QStringList SandboxLayout::shardZones() const
{
    QStringList out;
    for (int i = 0; i < shardCount; ++i)
        out.append(QStringLiteral("s%1.").arg(i, 2, 10, QLatin1Char('0')) + ourZone);
    return out;
}

QString SandboxLayout::logDir() const
{
    return stateDir + QStringLiteral("/log");
}
QString SandboxLayout::serverDir(const QString &server) const
{
    return stateDir + QLatin1Char('/') + server;
}
QString SandboxLayout::databaseFile() const
{
    return stateDir + QStringLiteral("/headroom.sqlite");
}

QString SandboxLayout::statusFile() const
{
    return stateDir + QStringLiteral("/sandbox.json");
}

QJsonObject SandboxLayout::toJson() const
{
    QJsonArray proxyArray;
    for (const auto &p : proxies) {
        proxyArray.append(QJsonObject{
            {QStringLiteral("name"), p.name},
            {QStringLiteral("address"), p.address.toString()},
            {QStringLiteral("http_port"), p.httpPort},
            {QStringLiteral("metrics_port"), p.metricsPort},
            {QStringLiteral("peer_port"), p.peerPort},
            {QStringLiteral("metrics_url"),
             QStringLiteral("http://%1:%2/metrics").arg(p.address.toString()).arg(p.metricsPort)},
            {QStringLiteral("runtime_socket"), p.runtimeSocket},
            {QStringLiteral("monitor_socket"), p.monitorSocket},
            {QStringLiteral("master_socket"), p.masterSocket},
            {QStringLiteral("host_map"), p.hostMap},
            {QStringLiteral("capacity_rps"), proxyCapacityRps},
            {QStringLiteral("pool"), pool}});
    }
    QJsonArray originArray;
    for (const auto &o : origins) {
        originArray.append(QJsonObject{{QStringLiteral("name"), o.name},
                                       {QStringLiteral("address"), o.address.toString()},
                                       {QStringLiteral("http_port"), o.httpPort},
                                       {QStringLiteral("site"), o.site}});
    }
    return {
        {QStringLiteral("port_base"), portBase},
        {QStringLiteral("state_dir"), stateDir},
        {QStringLiteral("log_dir"), logDir()},
        {QStringLiteral("database"), databaseFile()},
        {QStringLiteral("zones"), QJsonObject{{QStringLiteral("ours"), ourZone},
                                              {QStringLiteral("subscriber"), subscriberZone},
                                              {QStringLiteral("purchaser"), purchaserZone}}},
        {QStringLiteral("tsig"), QJsonObject{{QStringLiteral("update_key_name"), updateKeyName},
                                             {QStringLiteral("update_key_file"), updateKeyFile()},
                                             {QStringLiteral("axfr_key_name"), axfrKeyName},
                                             {QStringLiteral("axfr_key_file"), axfrKeyFile()},
                                             {QStringLiteral("algorithm"), algorithm}}},
        {QStringLiteral("authoritative"), dnsJson(authoritative)},
        {QStringLiteral("purchaser_dns"), dnsJson(purchaserDns)},
        {QStringLiteral("recursor"), dnsJson(recursor)},
        {QStringLiteral("proxies"), proxyArray},
        {QStringLiteral("origins"), originArray},
    };
}

} // namespace headroom
