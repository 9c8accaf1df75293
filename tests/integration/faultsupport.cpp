#include "faultsupport.h"

#include "dns/steeringzones.h"
#include "dns/tsigkey.h"
#include "dns/zonetransfer.h"
#include "sandboxfixture.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/siterepository.h"

#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <algorithm>
#include <csignal>

namespace headroom::test {

qint64 addShopLease(Database &db, const SandboxLayout &layout, qint64 fromMs, qint64 toMs,
                    double rateRps, double capacityRps)
{
    const auto proxies = ProxyRepository(db).all();
    if (!proxies)
        return 0;
    for (Proxy p : proxies.value()) {
        p.capacityRps = capacityRps;
        if (!ProxyRepository(db).upsert(p))
            return 0;
    }
    Site shop;
    shop.name = QStringLiteral("shop.example");
    shop.label = QStringLiteral("shop");
    shop.hosts = {QStringLiteral("shop.example"), QStringLiteral("www.shop.example")};
    for (const OriginEndpoint &o : layout.origins) {
        if (o.site == layout.purchaserZone)
            shop.origins.append({o.address, o.httpPort, 1, false});
    }
    shop.originName = QStringLiteral("origin.shop.example");
    if (!SiteRepository(db).add(shop))
        return 0;
    const auto stored = SiteRepository(db).byName(shop.name);
    if (!stored || !stored.value())
        return 0;
    Lease lease;
    lease.siteId = stored.value()->id;
    lease.pool = layout.pool;
    lease.rateRps = rateRps;
    lease.kind = LeaseKind::BestEffort;
    lease.startsAtMs = fromMs;
    lease.endsAtMs = toMs;
    const auto id = LeaseRepository(db).add(lease, QStringLiteral("fault test"));
    return id ? id.value() : 0;
}

ControllerProcess::ControllerProcess(const SandboxLayout &layout, QString logPath)
    : m_layout(layout), m_logPath(std::move(logPath))
{
}

ControllerProcess::~ControllerProcess()
{
    stop();
}

bool ControllerProcess::start(const QStringList &extraArguments,
                              const QProcessEnvironment &environment)
{
    stop();
    m_process = new QProcess;
    m_process->setProcessEnvironment(environment);
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
                     QStringList{QStringLiteral("run")} + sandboxArgs(m_layout) +
                         QStringList{QStringLiteral("--log"), m_logPath} + extraArguments);
    return m_process->waitForStarted(5000);
}

void ControllerProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        ::kill(pid_t(m_process->processId()), SIGTERM);
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    delete m_process;
    m_process = nullptr;
}

bool ControllerProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 ControllerProcess::pid() const
{
    return m_process ? m_process->processId() : 0;
}

QStringList ControllerProcess::messages() const
{
    QFile f(m_logPath);
    QStringList out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.isEmpty())
            continue;
        // "2026-12-07T13:14:33.123Z message"
        const qsizetype space = line.indexOf(' ');
        out.append(QString::fromUtf8(space > 0 ? line.mid(space + 1) : line));
    }
    return out;
}

QStringList repeatedMessages(const QStringList &messages, int limit)
{
    QHash<QString, int> count;
    QStringList repeated;
    for (const QString &m : messages) {
        if (++count[m] == limit + 1)
            repeated.append(m);
    }
    return repeated;
}

ServedSteering servedSteering(const SandboxLayout &layout, const QString &label)
{
    ServedSteering s;
    QString error;
    const auto zone = DnsName::parse(layout.ourZone, &error);
    const auto key = TsigKey::fromFile(layout.updateKeyName, layout.updateKeyFile(), &error);
    if (!zone || !key) {
        s.error = error;
        return s;
    }
    const SteeringZones zones(*zone, layout.shardCount);
    const auto owner = zones.ownerFor(label, &error);
    if (!owner) {
        s.error = error;
        return s;
    }
    QString shard = owner->absolute();
    shard = shard.mid(shard.indexOf(QLatin1Char('.')) + 1);
    const auto shardZone = DnsName::parse(shard, &error);
    if (!shardZone) {
        s.error = error;
        return s;
    }
    const ZoneTransferResult t = transferZone(layout.authoritative.address,
                                              layout.authoritative.port, *shardZone, key, 3000);
    if (!t.ok) {
        s.error = t.error;
        return s;
    }
    static const QRegularExpression deadline(QStringLiteral("os\\.time\\(\\) *< *(\\d+)"));
    static const QRegularExpression quoted(QStringLiteral("'([^']+)'"));
    for (const DnsRecord &r : t.records) {
        if (r.type != quint16(RecordType::LUA) ||
            r.name.compare(owner->absolute(), Qt::CaseInsensitive) != 0)
            continue;
        const auto lua = parseLuaRdata(r.rdata);
        if (!lua)
            continue;
        s.found = true;
        s.code = QString::fromLatin1(lua->code);
        for (auto it = deadline.globalMatch(s.code); it.hasNext();) {
            const qint64 d = it.next().captured(1).toLongLong();
            s.deadlineUnix = s.deadlineUnix == 0 ? d : std::min(s.deadlineUnix, d);
        }
        for (auto it = quoted.globalMatch(s.code); it.hasNext();)
            s.addresses.append(it.next().captured(1));
    }
    if (!s.found)
        s.error = QStringLiteral("no LUA record at %1").arg(owner->absolute());
    return s;
}

bool namesProxy(const ServedSteering &served, const SandboxLayout &layout,
                const ProxyEndpoint &proxy)
{
    return served.found && (served.addresses.contains(proxy.address.toString()) ||
                            served.addresses.contains(proxy.name + QLatin1Char('.') +
                                                      layout.ourZone + QLatin1Char('.')));
}

int statusVia(const ProxyEndpoint &proxy, const QByteArray &host)
{
    return httpGet(proxy.address, proxy.httpPort, host).status;
}

qsizetype messagesStartingWith(const QStringList &messages, const QString &text)
{
    return std::count_if(messages.cbegin(), messages.cend(),
                         [&](const QString &m) { return m.startsWith(text); });
}

qsizetype messagesContaining(const QStringList &messages, const QString &text)
{
    return std::count_if(messages.cbegin(), messages.cend(),
                         [&](const QString &m) { return m.contains(text); });
}

} // namespace headroom::test
