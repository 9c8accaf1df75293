// bench_dns_updates: how fast weight changes reach PowerDNS and how soon they are answered.
//
// Starts its own sandbox (random port base, temporary state directory), seeds N steering names,
// then measures (a) batched UPDATEs, (b) the baseline of one `nsupdate` process per change (and,
// to tell process start-up from server work, one in-process UPDATE per change), (c) their ratio,
// and (d) the time from an UPDATE's acknowledgement to the new weights being answered. The
// sandbox is always stopped, also on SIGINT/SIGTERM. Figures and commands: docs/BENCHMARKS.md.

#include "dns/dnsclient.h"
#include "dns/dnsmessage.h"
#include "dns/dnsname.h"
#include "dns/dnsupdater.h"
#include "dns/steeringrecord.h"
#include "dns/steeringzones.h"
#include "dns/tsigkey.h"
#include "sandbox/sandbox.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTextStream>
#include <QThread>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <memory>
#include <numeric>

namespace headroom {
namespace {

std::atomic<bool> g_stopRequested{false};

void requestStop(int)
{
    g_stopRequested = true;
}

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

struct BenchOptions
{
    int sites = 10;
    int shards = 16; // steering shard zones (SteeringZones); 0 = every name in the parent zone
    int changes = 10000;
    int batch = 200;
    int seedBatch = 250; // 250 five-target records stay under DNS's 65,535-octet message limit
    int nsupdateChanges = 200;
    int singleChanges = 1000;
    int visibilityRounds = 200;
    bool keepState = false;
};

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype rank = qsizetype(std::ceil(p / 100.0 * double(values.size())));
    return values.at(std::clamp<qsizetype>(rank - 1, 0, values.size() - 1));
}

double mean(const QList<double> &values)
{
    return values.isEmpty()
               ? 0
               : std::accumulate(values.cbegin(), values.cend(), 0.0) / double(values.size());
}

QString fixed(double value, int decimals = 1)
{
    return QString::number(value, 'f', decimals);
}

// A sandbox on a random free port base in its own temporary directory, stopped on destruction.
class BenchSandbox final
{
public:
    BenchSandbox() : m_dir(QDir::tempPath() + QStringLiteral("/headroom-bench-XXXXXX")) {}
    ~BenchSandbox() { down(); }
    BenchSandbox(const BenchSandbox &) = delete;
    BenchSandbox &operator=(const BenchSandbox &) = delete;

    bool up(bool keepState, int shards, QString *error)
    {
        if (!m_dir.isValid()) {
            *error = QStringLiteral("cannot create a temporary state directory");
            return false;
        }
        m_dir.setAutoRemove(!keepState);
        Sandbox::Options options;
        options.trafficProgram =
            QCoreApplication::applicationDirPath() + QStringLiteral("/headroomctl");
        for (int attempt = 0; attempt < 6; ++attempt) {
            // 20000-59000 in steps of 50, as the test fixture does: clear of the default base.
            const int base = 20000 + 50 * int(QRandomGenerator::global()->bounded(780));
            auto layout = SandboxLayout::make(
                base, m_dir.path() + QStringLiteral("/sandbox-%1").arg(base), error);
            if (!layout)
                return false;
            layout->shardCount = shards;
            m_sandbox = std::make_unique<Sandbox>(*layout);
            if (m_sandbox->up(options, error))
                return true;
            m_sandbox.reset();
            if (!error->contains(QLatin1String("already in use")))
                return false;
        }
        return false;
    }

    void down()
    {
        if (!m_sandbox)
            return;
        QString error;
        if (!m_sandbox->down(&error))
            err() << "bench_dns_updates: stopping the sandbox: " << error << Qt::endl;
        m_sandbox.reset();
    }

    const SandboxLayout &layout() const { return m_sandbox->layout(); }
    QString path() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Sandbox> m_sandbox;
};

// The record the steering loop writes: four proxies and one overflow server with fresh random
// weights, valid for an hour - five targets, as in bench_dns_qps.sh.
NameReplacement randomSteeringChange(const DnsName &owner, qint64 validUntil)
{
    QRandomGenerator *rng = QRandomGenerator::global();
    WeightTable table;
    for (int i = 1; i <= 4; ++i)
        table.proxies.append({QHostAddress(QStringLiteral("127.0.1.%1").arg(i)), std::nullopt,
                              int(rng->bounded(1, 1000))});
    table.overflowServers.append(
        {QHostAddress(QStringLiteral("127.0.2.1")), std::nullopt, int(rng->bounded(1, 1000))});
    table.validUntilUnix = validUntil;
    table.leaseEndUnix = validUntil;
    QString error;
    const auto record = buildSteeringRecord(table, &error);
    if (!record) // fixed, valid inputs: only a change to the record builder can get here
        qFatal("bench_dns_updates: steering record refused: %s", qPrintable(error));
    return NameReplacement::forSteering(owner, *record);
}

// All weight on one address: the proxy and the overflow are both `address`, so every answer
// before and after the deadline is that address, through the real steering template.
NameReplacement singleTargetChange(const DnsName &owner, const QHostAddress &address,
                                   qint64 validUntil)
{
    WeightTable table;
    table.proxies.append({address, std::nullopt, 1});
    table.overflowServers.append({address, std::nullopt, 1});
    table.validUntilUnix = validUntil;
    table.leaseEndUnix = validUntil;
    QString error;
    const auto record = buildSteeringRecord(table, &error);
    if (!record || record->kind != SteeringRecord::Kind::LuaA)
        qFatal("bench_dns_updates: single-target record is not a LUA A record: %s",
               qPrintable(error));
    return NameReplacement::forSteering(owner, *record);
}

class UpdateBench final
{
public:
    UpdateBench(const BenchOptions &options, const SandboxLayout &layout, const DnsName &zone,
                const TsigKey &key, const QString &workDir)
        : m_options(options), m_layout(layout), m_zone(zone), m_key(key), m_workDir(workDir),
          // One attempt and a long timeout: a retried UPDATE would hide a slow server.
          m_zones(zone, layout.shardCount),
          m_updater({layout.authoritative.address, layout.authoritative.port, zone, key,
                     m_zones.shards()},
                    120000, 1),
          m_validUntil(QDateTime::currentSecsSinceEpoch() + 3600)
    {
        for (int i = 0; i < options.sites; ++i)
            m_sites.append(
                *m_zones.ownerFor(QStringLiteral("bench%1").arg(i, 6, 10, QLatin1Char('0'))));
    }

    bool seed(QString *error);
    bool batched(QString *error);
    bool perProcess(QString *error);
    bool singleInProcess(QString *error);
    bool visibility(QString *error);
    void summary() const;

private:
    bool send(const QList<NameReplacement> &changes, UpdateResult *result, QString *error) const;
    QByteArray nsupdateScript(const NameReplacement &change) const;

    BenchOptions m_options;
    SandboxLayout m_layout;
    DnsName m_zone;
    TsigKey m_key;
    QString m_workDir;
    SteeringZones m_zones;
    DnsUpdater m_updater;
    qint64 m_validUntil;
    QList<DnsName> m_sites;
    qsizetype m_nextSite = 0;

    double m_batchedPerSecond = 0;
    double m_nsupdatePerSecond = 0;
    double m_singlePerSecond = 0;
};

bool UpdateBench::send(const QList<NameReplacement> &changes, UpdateResult *result,
                       QString *error) const
{
    *result = m_updater.apply(changes);
    if (!result->ok)
        *error = QStringLiteral("UPDATE of %1 changes failed: %2 (RCODE %3)")
                     .arg(changes.size())
                     .arg(result->error)
                     .arg(result->rcode);
    return result->ok;
}

bool UpdateBench::seed(QString *error)
{
    QElapsedTimer clock;
    clock.start();
    int messages = 0;
    for (qsizetype first = 0; first < m_sites.size(); first += m_options.seedBatch) {
        if (g_stopRequested)
            return false;
        QList<NameReplacement> changes;
        const qsizetype end = std::min(m_sites.size(), first + m_options.seedBatch);
        for (qsizetype i = first; i < end; ++i)
            changes.append(randomSteeringChange(m_sites.at(i), m_validUntil));
        UpdateResult result;
        if (!send(changes, &result, error))
            return false;
        ++messages;
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    // The last name must answer one of its targets: the seed really reached the zone.
    const DnsResponse check =
        DnsClient::querySync(m_layout.authoritative.address, m_layout.authoritative.port,
                             {m_sites.constLast().absolute(), quint16(RecordType::A), false}, 2000);
    if (!check.ok() || check.addresses().isEmpty()) {
        *error = QStringLiteral("seeded name %1 does not answer (%2)")
                     .arg(m_sites.constLast().absolute(),
                          check.answered ? rcodeName(check.rcode) : check.error);
        return false;
    }
    out() << "seed: " << m_sites.size() << " steering names in " << messages << " UPDATEs (up to "
          << m_options.seedBatch << " names each, TCP) in " << fixed(seconds, 2)
          << " s = " << fixed(double(m_sites.size()) / seconds, 0) << " names/s" << Qt::endl;
    return true;
}

bool UpdateBench::batched(QString *error)
{
    QList<double> batchMs;
    QList<double> messageKb;
    bool anyTcp = false;
    QElapsedTimer total;
    total.start();
    for (int done = 0; done < m_options.changes;) {
        if (g_stopRequested)
            return false;
        const int count = std::min(m_options.batch, m_options.changes - done);
        QList<NameReplacement> changes;
        changes.reserve(count);
        for (int i = 0; i < count; ++i) {
            changes.append(randomSteeringChange(m_sites.at(m_nextSite), m_validUntil));
            m_nextSite = (m_nextSite + 1) % m_sites.size();
        }
        QElapsedTimer clock;
        clock.start();
        UpdateResult result;
        if (!send(changes, &result, error))
            return false;
        batchMs.append(double(clock.nsecsElapsed()) / 1e6);
        messageKb.append(result.messageBytes / 1024.0);
        anyTcp = anyTcp || result.viaTcp;
        done += count;
    }
    const double seconds = double(total.nsecsElapsed()) / 1e9;
    m_batchedPerSecond = m_options.changes / seconds;
    out() << "(a) batched: " << m_options.changes << " changes in " << batchMs.size()
          << " UPDATEs of " << m_options.batch << " (" << fixed(mean(messageKb), 1) << " KiB, "
          << (anyTcp ? "TCP" : "UDP") << ") in " << fixed(seconds, 2)
          << " s = " << fixed(m_batchedPerSecond, 0) << " changes/s; ms per batch: mean "
          << fixed(mean(batchMs)) << ", p50 " << fixed(percentile(batchMs, 50)) << ", p99 "
          << fixed(percentile(batchMs, 99)) << ", max " << fixed(percentile(batchMs, 100))
          << Qt::endl;
    if (m_sites.size() < m_options.batch)
        out() << "    (only " << m_sites.size() << " names: each is replaced about "
              << (m_options.batch + m_sites.size() - 1) / m_sites.size()
              << " times per UPDATE, applied in order)" << Qt::endl;
    return true;
}

QByteArray UpdateBench::nsupdateScript(const NameReplacement &change) const
{
    // BIND's nsupdate does not know the LUA mnemonic: RFC 3597 generic syntax it is.
    const QByteArray rdata = change.rdatas.constFirst();
    QByteArray script;
    script += "server " + m_layout.authoritative.address.toString().toLatin1() + " " +
              QByteArray::number(m_layout.authoritative.port) + "\n";
    script += "zone " + m_zones.zoneOf(change.owner).absolute().toLatin1() + "\n";
    // The same DNS operation as our batched change: the answer types only (the anchor TXT keeps
    // the name), or the whole name when the change is not anchored.
    if (change.deleteTypes.isEmpty())
        script += "update delete " + change.owner.absolute().toLatin1() + "\n";
    for (const quint16 type : change.deleteTypes)
        script += "update delete " + change.owner.absolute().toLatin1() + " TYPE" +
                  QByteArray::number(type) + "\n";
    if (change.anchored)
        script += "update add " + change.owner.absolute().toLatin1() + " " +
                  QByteArray::number(change.ttl) + " TXT \"headroom-steering\"\n";
    script += "update add " + change.owner.absolute().toLatin1() + " " +
              QByteArray::number(change.ttl) + " TYPE" + QByteArray::number(change.type) + " \\# " +
              QByteArray::number(rdata.size()) + " " + rdata.toHex() + "\n";
    script += "send\n";
    return script;
}

bool UpdateBench::perProcess(QString *error)
{
    // The key in named.conf syntax, in a 0600 file (QTemporaryFile's mode) removed afterwards.
    QTemporaryFile keyFile(m_workDir + QStringLiteral("/nsupdate-key-XXXXXX.conf"));
    if (!keyFile.open()) {
        *error = QStringLiteral("cannot write the nsupdate key file: ") + keyFile.errorString();
        return false;
    }
    keyFile.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    keyFile.write("key \"" + m_key.name.toLatin1() + "\" {\n\talgorithm " +
                  m_key.algorithm.toLatin1() + ";\n\tsecret \"" + m_key.secret + "\";\n};\n");
    keyFile.close();

    QList<double> processMs;
    QElapsedTimer total;
    total.start();
    for (int i = 0; i < m_options.nsupdateChanges; ++i) {
        if (g_stopRequested)
            return false;
        const NameReplacement change = randomSteeringChange(m_sites.at(m_nextSite), m_validUntil);
        m_nextSite = (m_nextSite + 1) % m_sites.size();
        QElapsedTimer clock;
        clock.start();
        QProcess nsupdate;
        nsupdate.start(QStringLiteral("nsupdate"), {QStringLiteral("-k"), keyFile.fileName()});
        if (!nsupdate.waitForStarted(5000)) {
            *error =
                QStringLiteral("cannot start nsupdate (bind9-dnsutils): ") + nsupdate.errorString();
            return false;
        }
        nsupdate.write(nsupdateScript(change));
        nsupdate.closeWriteChannel();
        if (!nsupdate.waitForFinished(30000) || nsupdate.exitStatus() != QProcess::NormalExit ||
            nsupdate.exitCode() != 0) {
            *error = QStringLiteral("nsupdate failed (exit %1): %2")
                         .arg(nsupdate.exitCode())
                         .arg(QString::fromLocal8Bit(nsupdate.readAllStandardError()).trimmed());
            return false;
        }
        processMs.append(double(clock.nsecsElapsed()) / 1e6);
    }
    const double seconds = double(total.nsecsElapsed()) / 1e9;
    m_nsupdatePerSecond = m_options.nsupdateChanges / seconds;
    out() << "(b) baseline, one nsupdate process per change: " << m_options.nsupdateChanges
          << " changes in " << fixed(seconds, 2) << " s = " << fixed(m_nsupdatePerSecond, 1)
          << " changes/s; ms per change: p50 " << fixed(percentile(processMs, 50)) << ", p99 "
          << fixed(percentile(processMs, 99)) << Qt::endl;
    return true;
}

bool UpdateBench::singleInProcess(QString *error)
{
    QList<double> ms;
    QElapsedTimer total;
    total.start();
    for (int i = 0; i < m_options.singleChanges; ++i) {
        if (g_stopRequested)
            return false;
        const NameReplacement change = randomSteeringChange(m_sites.at(m_nextSite), m_validUntil);
        m_nextSite = (m_nextSite + 1) % m_sites.size();
        UpdateResult result;
        if (!send({change}, &result, error))
            return false;
        ms.append(result.latencyMs);
    }
    const double seconds = double(total.nsecsElapsed()) / 1e9;
    m_singlePerSecond = m_options.singleChanges / seconds;
    out() << "(b') one UPDATE per change, in process (UDP): " << m_options.singleChanges
          << " changes in " << fixed(seconds, 2) << " s = " << fixed(m_singlePerSecond, 0)
          << " changes/s; ms per UPDATE: p50 " << fixed(percentile(ms, 50), 2) << ", p99 "
          << fixed(percentile(ms, 99), 2) << Qt::endl;
    return true;
}

bool UpdateBench::visibility(QString *error)
{
    const DnsName owner =
        *DnsName::parse(QStringLiteral("bench-visible.") + m_zone.relative(), error);
    const QHostAddress x(QStringLiteral("127.0.1.1"));
    const QHostAddress y(QStringLiteral("127.0.1.2"));
    const DnsQuestion question{owner.absolute(), quint16(RecordType::A), false};
    const QHostAddress &server = m_layout.authoritative.address;
    const quint16 port = m_layout.authoritative.port;

    // Start from X, confirmed in answers.
    UpdateResult result;
    if (!send({singleTargetChange(owner, x, m_validUntil)}, &result, error))
        return false;

    QList<double> visibleMs;
    QList<double> ackMs;
    int staleAnswers = 0;
    int maxPolls = 0;
    for (int round = 0; round < m_options.visibilityRounds; ++round) {
        if (g_stopRequested)
            return false;
        const QHostAddress &from = round % 2 == 0 ? x : y;
        const QHostAddress &to = round % 2 == 0 ? y : x;
        const DnsResponse before = DnsClient::querySync(server, port, question, 2000);
        if (!before.ok() || before.addresses() != QList<QHostAddress>{from}) {
            *error = QStringLiteral("round %1: before the change %2 did not answer only %3")
                         .arg(round)
                         .arg(owner.absolute(), from.toString());
            return false;
        }
        if (!send({singleTargetChange(owner, to, m_validUntil)}, &result, error))
            return false;
        QElapsedTimer sinceAck; // the UPDATE's answer has just arrived
        sinceAck.start();
        ackMs.append(result.latencyMs);
        int polls = 0;
        for (;;) {
            const DnsResponse r = DnsClient::querySync(server, port, question, 1000);
            ++polls;
            if (r.ok() && r.addresses() == QList<QHostAddress>{to})
                break;
            ++staleAnswers;
            if (sinceAck.elapsed() > 5000) {
                *error = QStringLiteral("round %1: %2 still not answered 5 s after the UPDATE")
                             .arg(round)
                             .arg(to.toString());
                return false;
            }
        }
        visibleMs.append(double(sinceAck.nsecsElapsed()) / 1e6);
        maxPolls = std::max(maxPolls, polls);
    }
    out() << "(d) UPDATE acknowledged -> new weights answered, " << visibleMs.size()
          << " rounds (X only -> Y only): p50 " << fixed(percentile(visibleMs, 50), 2)
          << " ms, p99 " << fixed(percentile(visibleMs, 99), 2) << " ms, max "
          << fixed(percentile(visibleMs, 100), 2)
          << " ms; stale answers after the ack: " << staleAnswers
          << " (most queries in one round: " << maxPolls << "); UPDATE round trip p50 "
          << fixed(percentile(ackMs, 50), 2) << " ms" << Qt::endl;
    out() << "    goal < 100 ms: " << (percentile(visibleMs, 100) < 100 ? "met" : "MISSED")
          << Qt::endl;
    return true;
}

void UpdateBench::summary() const
{
    const double ratio = m_nsupdatePerSecond > 0 ? m_batchedPerSecond / m_nsupdatePerSecond : 0;
    out() << "(c) ratio batched / nsupdate-per-change: " << fixed(ratio, 1)
          << "x (goal >= 50x: " << (ratio >= 50 ? "met" : "MISSED") << ")";
    if (m_singlePerSecond > 0)
        out() << "; batched / in-process single UPDATEs: "
              << fixed(m_batchedPerSecond / m_singlePerSecond, 1) << "x";
    out() << Qt::endl;
}

int run(const BenchOptions &options)
{
    out() << "bench_dns_updates: sites " << options.sites << ", changes " << options.changes
          << ", batch " << options.batch << "; " << QSysInfo::prettyProductName() << ", "
          << QThread::idealThreadCount() << " CPUs" << Qt::endl;
    BenchSandbox sandbox;
    QString error;
    QElapsedTimer clock;
    clock.start();
    if (!sandbox.up(options.keepState, options.shards, &error)) {
        err() << "bench_dns_updates: sandbox up failed: " << error << Qt::endl;
        return 1;
    }
    const SandboxLayout &layout = sandbox.layout();
    out() << "sandbox up in " << fixed(double(clock.elapsed()) / 1000.0, 1) << " s: port base "
          << layout.portBase << ", PowerDNS at " << layout.authoritative.address.toString() << ":"
          << layout.authoritative.port << ", state " << layout.stateDir << Qt::endl;

    const auto zone = DnsName::parse(layout.ourZone, &error);
    const auto key =
        TsigKey::fromFile(layout.updateKeyName, layout.updateKeyFile(), &error, layout.algorithm);
    if (!zone || !key) {
        err() << "bench_dns_updates: " << error << Qt::endl;
        return 1;
    }
    UpdateBench bench(options, layout, *zone, *key, sandbox.path());
    const bool ok = bench.seed(&error) && bench.batched(&error) && bench.perProcess(&error) &&
                    (options.singleChanges <= 0 || bench.singleInProcess(&error)) &&
                    (options.visibilityRounds <= 0 || bench.visibility(&error));
    if (ok)
        bench.summary();
    else
        err() << "bench_dns_updates: " << (g_stopRequested ? QStringLiteral("interrupted") : error)
              << Qt::endl;
    sandbox.down();
    if (options.keepState)
        out() << "state kept in " << sandbox.path() << Qt::endl;
    return ok ? 0 : 1;
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_dns_updates"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measure RFC 2136 weight changes against a sandbox PowerDNS: batched vs one nsupdate "
        "per change, and the time until new weights are answered."));
    parser.addHelpOption();
    const QCommandLineOption sites(QStringLiteral("sites"),
                                   QStringLiteral("Steering names seeded into the zone (10)."),
                                   QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption changes(QStringLiteral("changes"),
                                     QStringLiteral("Changes sent batched (10000)."),
                                     QStringLiteral("M"), QStringLiteral("10000"));
    const QCommandLineOption batch(QStringLiteral("batch"),
                                   QStringLiteral("Changes per UPDATE (200)."), QStringLiteral("B"),
                                   QStringLiteral("200"));
    const QCommandLineOption nsupdate(QStringLiteral("nsupdate-changes"),
                                      QStringLiteral("Changes sent one nsupdate each (200)."),
                                      QStringLiteral("K"), QStringLiteral("200"));
    const QCommandLineOption single(
        QStringLiteral("single-changes"),
        QStringLiteral("Changes sent one in-process UPDATE each (1000; 0 skips)."),
        QStringLiteral("K"), QStringLiteral("1000"));
    const QCommandLineOption rounds(QStringLiteral("visibility-rounds"),
                                    QStringLiteral("X->Y rounds for the visibility delay (200)."),
                                    QStringLiteral("R"), QStringLiteral("200"));
    const QCommandLineOption keep(QStringLiteral("keep-state"),
                                  QStringLiteral("Keep the sandbox state directory (logs)."));
    const QCommandLineOption shards(QStringLiteral("shards"),
                                    QStringLiteral("Steering shard zones (16; 0 = none)."),
                                    QStringLiteral("K"), QStringLiteral("16"));
    parser.addOptions({sites, changes, batch, nsupdate, single, rounds, keep, shards});
    parser.process(app);

    headroom::BenchOptions options;
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *value) {
        bool ok = false;
        *value = parser.value(option).toInt(&ok);
        if (!ok || *value < min || *value > max) {
            headroom::err() << "bench_dns_updates: --" << option.names().constFirst()
                            << " takes a number in " << min << ".." << max << Qt::endl;
            return false;
        }
        return true;
    };
    if (!number(sites, 1, 1000000, &options.sites) ||
        !number(changes, 1, 10000000, &options.changes) || !number(batch, 1, 250, &options.batch) ||
        !number(nsupdate, 1, 100000, &options.nsupdateChanges) ||
        !number(single, 0, 1000000, &options.singleChanges) ||
        !number(rounds, 0, 100000, &options.visibilityRounds) ||
        !number(shards, 0, 100, &options.shards))
        return 2;
    options.keepState = parser.isSet(keep);

    std::signal(SIGINT, headroom::requestStop);
    std::signal(SIGTERM, headroom::requestStop);
    std::signal(SIGHUP, headroom::requestStop);
    return headroom::run(options);
}
