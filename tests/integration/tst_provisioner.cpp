// Provisioning a purchaser site on the sandbox's three real HAProxy processes through their
// runtime API: the site answers on every proxy while other traffic runs without a single error,
// provisioning twice changes nothing, an unreachable proxy fails alone, and removal under load
// turns requests from 200 into 421 without a connection error or a 5xx.

#include "fleet/provisioner.h"
#include "fleet/runtimeapi.h"
#include "sandbox/trafficgenerator.h"
#include "sandboxfixture.h"

#include <QEventLoop>
#include <QFile>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

using namespace headroom;

namespace {

using test::httpGet;
using test::HttpResult;

QByteArray runtime(const QString &socket, const QString &command)
{
    RuntimeApi api(socket);
    QByteArray out;
    QEventLoop loop;
    api.command(command, &loop, [&](const RuntimeReply &r) {
        out = r.ok ? r.text : QByteArray("error: ") + r.error.toLatin1();
        loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    return out;
}

// A steady stream of HTTP/1.0 GETs for one Host, round-robin over the proxies, on the event loop.
class HostProber final : public QObject
{
public:
    HostProber(QList<ProxyEndpoint> proxies, QByteArray host)
        : m_proxies(std::move(proxies)), m_host(std::move(host))
    {
        m_timer.setInterval(10);
        connect(&m_timer, &QTimer::timeout, this, [this] { issue(); });
    }

    void start() { m_timer.start(); }
    void stop() { m_timer.stop(); }
    bool idle() const { return m_inFlight == 0; }

    QMap<int, int> statuses; // HTTP status -> count; -1 = connection error or timeout
    QByteArray lastError;

private:
    void issue()
    {
        const ProxyEndpoint &p = m_proxies[m_next++ % m_proxies.size()];
        auto *s = new QTcpSocket(this);
        auto *buffer = new QByteArray;
        ++m_inFlight;
        const auto done = [this, s, buffer](bool failed) {
            if (s->property("done").toBool())
                return;
            s->setProperty("done", true);
            const QList<QByteArray> first = buffer->left(buffer->indexOf('\r')).split(' ');
            const int status = !failed && first.size() > 1 ? first[1].toInt() : -1;
            if (status == -1)
                lastError = s->errorString().toLatin1();
            ++statuses[status];
            --m_inFlight;
            delete buffer;
            s->deleteLater();
        };
        connect(s, &QTcpSocket::connected, this,
                [this, s] { s->write("GET / HTTP/1.0\r\nHost: " + m_host + "\r\n\r\n"); });
        connect(s, &QTcpSocket::readyRead, this, [s, buffer] { *buffer += s->readAll(); });
        connect(s, &QTcpSocket::disconnected, this, [s, buffer, done] {
            *buffer += s->readAll();
            done(buffer->isEmpty());
        });
        connect(s, &QTcpSocket::errorOccurred, this, [done](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError)
                done(true);
        });
        QTimer::singleShot(5000, s, [done] { done(true); });
        s->connectToHost(p.address, p.httpPort);
    }

    QList<ProxyEndpoint> m_proxies;
    QByteArray m_host;
    QTimer m_timer;
    int m_next = 0;
    int m_inFlight = 0;
};

using ServerRow = std::tuple<QString, QString, int, int, int>;

QList<ServerRow> serverRows(const QString &socket, const QString &backend)
{
    QString error;
    const auto servers = provision::parseServersState(
        runtime(socket, QStringLiteral("show servers state ") + backend), &error);
    QList<ServerRow> rows;
    if (!servers)
        return {{error, {}, -1, -1, -1}};
    for (const auto &s : *servers)
        rows.append({s.name, s.address.toString(), s.port, s.weight, s.adminState});
    return rows;
}

} // namespace

class TestProvisioner final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void provisionWhileTrafficRuns();
    void provisionTwiceIsIdempotent();
    void missingRuntimeSocketFailsAlone();
    void deprovisionUnderLoadDropsNothing();
    void cleanupTestCase();

private:
    QList<ProxyTarget> targets() const;
    SiteSpec shopSpec() const;
    bool waitFinished(Provisioner &provisioner, bool *ok, int timeoutMs = 60000);

    test::SandboxFixture m_fixture;
    int m_slot = -1;
};

void TestProvisioner::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.up(&error), qPrintable(error));
    m_slot = provision::chooseSlot({});
    QCOMPARE(m_slot, 0);
}

QList<ProxyTarget> TestProvisioner::targets() const
{
    QList<ProxyTarget> out;
    for (const auto &p : m_fixture.layout().proxies)
        out.append({p.name, p.runtimeSocket, p.hostMap});
    return out;
}

SiteSpec TestProvisioner::shopSpec() const
{
    const auto &l = m_fixture.layout();
    SiteSpec spec;
    spec.site = l.purchaserZone;
    spec.hosts = {*DnsName::parse(l.purchaserZone),
                  *DnsName::parse(QStringLiteral("www.") + l.purchaserZone)};
    for (const auto &o : l.origins) {
        if (o.site == l.purchaserZone)
            spec.origins.append({o.address, o.httpPort, 10});
    }
    spec.slot = m_slot;
    return spec;
}

bool TestProvisioner::waitFinished(Provisioner &provisioner, bool *ok, int timeoutMs)
{
    QSignalSpy finished(&provisioner, &Provisioner::finished);
    if (!finished.wait(timeoutMs))
        return false;
    *ok = finished.first().at(1).toBool();
    return true;
}

void TestProvisioner::provisionWhileTrafficRuns()
{
    const auto &l = m_fixture.layout();
    QCOMPARE(shopSpec().origins.size(), 2);
    for (const auto &p : l.proxies)
        QCOMPARE(httpGet(p.address, p.httpPort, "shop.example").status, 421);

    QString error;
    TrafficOptions o;
    o.profile = *LoadProfile::parse(QStringLiteral("steady"), 100, 6, 600, &error);
    o.durationSeconds = 6;
    o.host = l.subscriberZone;
    o.httpPort = l.proxies.first().httpPort;
    o.resolvers = 100;
    o.servers = {{l.ourZone, l.authoritative.address, l.authoritative.port},
                 {l.subscriberZone, l.authoritative.address, l.authoritative.port}};
    TrafficGenerator traffic(o);
    QSignalSpy trafficDone(&traffic, &TrafficGenerator::finished);
    traffic.start();
    QTest::qWait(1000);

    Provisioner provisioner;
    QSignalSpy changed(&provisioner, &Provisioner::changed);
    QVERIFY2(provisioner.provision(shopSpec(), targets(), &error), qPrintable(error));
    QVERIFY(provisioner.isRunning(l.purchaserZone));
    bool ok = false;
    QVERIFY(waitFinished(provisioner, &ok));
    QVERIFY(ok);
    QVERIFY(!changed.isEmpty());
    const QList<ProvisionState> states = provisioner.states(l.purchaserZone);
    QCOMPARE(states.size(), 3);
    for (const ProvisionState &s : states) {
        QCOMPARE(s.state, ProvisionState::Provisioned);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.attempts, 1);
    }

    QVERIFY(trafficDone.wait(20000));
    const TrafficReport r = traffic.report();
    QVERIFY2(r.requested >= 500, qPrintable(r.toText()));
    QCOMPARE(r.failed, 0);

    for (const auto &p : l.proxies) {
        for (const QByteArray &host :
             {QByteArray("shop.example"), QByteArray("WWW.shop.example")}) {
            const HttpResult h = httpGet(p.address, p.httpPort, host);
            QCOMPARE(h.status, 200);
            QVERIFY2(h.body.startsWith("shop.example from shop-origin"), h.body.constData());
        }
        QFile map(p.hostMap);
        QVERIFY(map.open(QIODevice::ReadOnly));
        const QByteArray text = map.readAll();
        QVERIFY(text.contains("\nshop.example be_slot00\n"));
        QVERIFY(text.contains("\nwww.shop.example be_slot00\n"));
        QVERIFY(text.startsWith("news.example be_news\n"));
    }
    // Both origins take requests through a proxy.
    QSet<QByteArray> seen;
    for (int i = 0; i < 8; ++i)
        seen.insert(httpGet(l.proxies[1].address, l.proxies[1].httpPort, "shop.example").body);
    QCOMPARE(seen.size(), 2);
}

void TestProvisioner::provisionTwiceIsIdempotent()
{
    const auto &l = m_fixture.layout();
    QHash<QString, QList<ServerRow>> before;
    QHash<QString, QByteArray> mapBefore;
    for (const auto &p : l.proxies) {
        before[p.name] = serverRows(p.runtimeSocket, QStringLiteral("be_slot00"));
        QCOMPARE(before[p.name].size(), 2);
        mapBefore[p.name] = runtime(p.runtimeSocket, QStringLiteral("show map ") + p.hostMap);
    }
    Provisioner provisioner;
    QString error;
    QVERIFY2(provisioner.provision(shopSpec(), targets(), &error), qPrintable(error));
    bool ok = false;
    QVERIFY(waitFinished(provisioner, &ok));
    QVERIFY(ok);
    for (const ProvisionState &s : provisioner.states(l.purchaserZone)) {
        QCOMPARE(s.state, ProvisionState::Provisioned);
        QCOMPARE(s.attempts, 1);
    }
    for (const auto &p : l.proxies) {
        QCOMPARE(serverRows(p.runtimeSocket, QStringLiteral("be_slot00")), before[p.name]);
        QCOMPARE(runtime(p.runtimeSocket, QStringLiteral("show map ") + p.hostMap),
                 mapBefore[p.name]);
    }

    // Drift is repaired: a server out of rotation and a lost map entry come back.
    const auto &p0 = l.proxies.first();
    runtime(p0.runtimeSocket, QStringLiteral("set server be_slot00/o1 state maint"));
    runtime(p0.runtimeSocket,
            QStringLiteral("del map ") + p0.hostMap + QStringLiteral(" www.shop.example"));
    QCOMPARE(httpGet(p0.address, p0.httpPort, "www.shop.example").status, 421);
    QVERIFY(provisioner.provision(shopSpec(), targets(), &error));
    QVERIFY(waitFinished(provisioner, &ok));
    QVERIFY(ok);
    QCOMPARE(serverRows(p0.runtimeSocket, QStringLiteral("be_slot00")), before[p0.name]);
    QCOMPARE(httpGet(p0.address, p0.httpPort, "www.shop.example").status, 200);
}

void TestProvisioner::missingRuntimeSocketFailsAlone()
{
    const auto &l = m_fixture.layout();
    QList<ProxyTarget> list = targets();
    list[1].runtimeSocket = m_fixture.stateRoot() + QStringLiteral("/no-such.sock");
    Provisioner::Options options;
    options.maxAttempts = 3;
    options.firstBackoffMs = 50;
    Provisioner provisioner(options);
    QSignalSpy changed(&provisioner, &Provisioner::changed);
    QString error;
    QVERIFY(provisioner.provision(shopSpec(), list, &error));
    bool ok = true;
    QVERIFY(waitFinished(provisioner, &ok));
    QVERIFY(!ok);
    const QList<ProvisionState> states = provisioner.states(l.purchaserZone);
    QCOMPARE(states.size(), 3);
    QCOMPARE(states[0].state, ProvisionState::Provisioned);
    QCOMPARE(states[2].state, ProvisionState::Provisioned);
    QCOMPARE(states[1].state, ProvisionState::Failed);
    QCOMPARE(states[1].attempts, 3);
    QVERIFY(!states[1].error.isEmpty());
    // Every retry was visible while it happened.
    QVERIFY(changed.size() >= 3 + 2);

    // Input that cannot be provisioned is refused before anything starts.
    SiteSpec bad = shopSpec();
    bad.slot = 32;
    QVERIFY(!provisioner.provision(bad, targets(), &error));
    QVERIFY(error.contains(QLatin1String("slot")));
    bad = shopSpec();
    bad.origins.first().address = QHostAddress(QHostAddress::AnyIPv4);
    QVERIFY(!provisioner.provision(bad, targets(), &error));
    // An unsafe map path fails that proxy alone, without a command sent.
    list = targets();
    list[2].hostMap = QStringLiteral("/tmp/x.map show info");
    QVERIFY(provisioner.provision(shopSpec(), list, &error));
    QVERIFY(waitFinished(provisioner, &ok));
    QVERIFY(!ok);
    QCOMPARE(provisioner.states(l.purchaserZone)[2].state, ProvisionState::Failed);
    QCOMPARE(provisioner.states(l.purchaserZone)[2].attempts, 0);
}

void TestProvisioner::deprovisionUnderLoadDropsNothing()
{
    const auto &l = m_fixture.layout();
    HostProber prober(l.proxies, "shop.example");
    prober.start();
    QTest::qWait(1000);
    QVERIFY2(prober.statuses.value(200) > 30, qPrintable(QString::number(prober.statuses.size())));

    Provisioner provisioner;
    QString error;
    QVERIFY2(provisioner.deprovision(shopSpec(), targets(), &error), qPrintable(error));
    bool ok = false;
    QVERIFY(waitFinished(provisioner, &ok, 90000));
    const QList<ProvisionState> states = provisioner.states(l.purchaserZone);
    for (const ProvisionState &s : states)
        QVERIFY2(s.state == ProvisionState::Removed,
                 qPrintable(s.proxy + QLatin1Char(' ') + s.error));
    QVERIFY(ok);
    QTest::qWait(500);
    prober.stop();
    QTRY_VERIFY_WITH_TIMEOUT(prober.idle(), 10000);

    QStringList seen;
    for (auto it = prober.statuses.cbegin(); it != prober.statuses.cend(); ++it)
        seen.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    const QString summary = seen.join(QLatin1Char(' ')) + QLatin1Char(' ') + prober.lastError;
    qInfo("requests during removal: %s", qPrintable(summary));
    QVERIFY2(prober.statuses.keys() == QList<int>({200, 421}), qPrintable(summary));
    QVERIFY2(prober.statuses.value(421) > 20, qPrintable(summary));

    for (const auto &p : l.proxies) {
        QVERIFY(serverRows(p.runtimeSocket, QStringLiteral("be_slot00")).isEmpty());
        QVERIFY(!runtime(p.runtimeSocket, QStringLiteral("show map ") + p.hostMap)
                     .contains("shop.example"));
        QFile map(p.hostMap);
        QVERIFY(map.open(QIODevice::ReadOnly));
        QCOMPARE(map.readAll(), QByteArray("news.example be_news\nwww.news.example be_news\n"));
        QCOMPARE(httpGet(p.address, p.httpPort, "shop.example").status, 421);
        QCOMPARE(httpGet(p.address, p.httpPort, "news.example").status, 200);
    }

    // Removing what is gone converges at once.
    QVERIFY(provisioner.deprovision(shopSpec(), targets(), &error));
    QVERIFY(waitFinished(provisioner, &ok));
    QVERIFY(ok);
}

void TestProvisioner::cleanupTestCase()
{
    m_fixture.down();
}

QTEST_GUILESS_MAIN(TestProvisioner)
#include "tst_provisioner.moc"
