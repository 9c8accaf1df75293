// bench_metering [--proxies N] [--sites M] [--polls P]: what crash-safe metering costs per poll.
// Every poll each of N proxies has M busy stick-table entries (one site each). Two ways of
// committing a poll, interleaved poll by poll on one database so both see the same growth:
//   checkpointed - meterProxy() against the stored checkpoints, then the ledger rows and the moved
//                  checkpoints in one durable transaction (what the controller does);
//   ledger only  - the same ledger rows alone, deltas kept in memory (what it did before: a
//                  killed controller lost the deltas since its last commit).
// Prints p50/p95/max per poll for each and the ratio of the medians. No sandbox; a temporary
// database on the working directory's disk.
#include "benchsupport.h"
#include "billing/meter.h"
#include "store/database.h"
#include "store/proxyrepository.h"
#include "store/usagerepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <algorithm>

using namespace headroom;
using namespace headroom::bench;

namespace {

double quantile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(q * double(v.size())))];
}

QString summary(const std::vector<double> &ms)
{
    return QStringLiteral("p50 %1 ms, p95 %2 ms, max %3 ms")
        .arg(fixed(quantile(ms, 0.5), 2), fixed(quantile(ms, 0.95), 2),
             fixed(quantile(ms, 1.0), 2));
}

// One ledger row; `way` keeps the two ways' identities apart.
UsageSample sample(const QString &way, const QString &proxy, const QString &entry, int poll,
                   const CounterReading &delta)
{
    UsageSample u;
    u.sampleUid = QStringLiteral("%1/%2/%3/%4").arg(proxy, way).arg(poll).arg(entry);
    u.proxy = proxy;
    u.site = entry.section(QLatin1Char('/'), 0, 0);
    u.atMs = poll;
    u.requests = delta.requests;
    u.bytes = delta.bytes;
    return u;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    const QCommandLineOption proxiesOpt(QStringLiteral("proxies"), QStringLiteral("Proxies."),
                                        QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption sitesOpt(QStringLiteral("sites"), QStringLiteral("Busy sites."),
                                      QStringLiteral("M"), QStringLiteral("20"));
    const QCommandLineOption pollsOpt(QStringLiteral("polls"), QStringLiteral("Polls."),
                                      QStringLiteral("P"), QStringLiteral("60"));
    parser.addOptions({proxiesOpt, sitesOpt, pollsOpt});
    parser.addHelpOption();
    parser.process(app);
    const int proxies = std::clamp(parser.value(proxiesOpt).toInt(), 1, 10000);
    const int sites = std::clamp(parser.value(sitesOpt).toInt(), 1, 1000);
    const int polls = std::clamp(parser.value(pollsOpt).toInt(), 2, 100000);

    QTemporaryDir dir(QStringLiteral("bench-metering-XXXXXX"));
    Database db;
    if (!dir.isValid() || !db.open(dir.filePath(QStringLiteral("m.db"))).ok()) {
        err() << "bench_metering: cannot create the database\n";
        return 1;
    }
    for (int p = 0; p < proxies; ++p) {
        Proxy proxy;
        proxy.name = QStringLiteral("proxy%1").arg(p);
        proxy.address = QHostAddress(quint32(0x7f010000 + p + 1));
        proxy.capacityRps = 1000;
        if (!ProxyRepository(db).upsert(proxy).ok()) {
            err() << "bench_metering: cannot store the proxies\n";
            return 1;
        }
    }
    UsageRepository ledger(db);
    QRandomGenerator rng(42);
    QHash<QString, QHash<QString, CounterReading>> counters; // proxy -> entry -> reading
    std::optional<QHash<QString, ProxyCheckpoints>> cache;   // what the controller keeps
    std::vector<double> checkpointed;
    std::vector<double> ledgerOnly;
    QElapsedTimer t;
    for (int poll = 0; poll < polls; ++poll) {
        QHash<QString, QHash<QString, CounterReading>> deltas;
        for (int p = 0; p < proxies; ++p) {
            const QString proxy = QStringLiteral("proxy%1").arg(p);
            for (int s = 0; s < sites; ++s) {
                const QString entry = QStringLiteral("site%1.example/1").arg(s);
                const quint64 more = 1 + rng.bounded(50);
                CounterReading &c = counters[proxy][entry];
                c.requests += more;
                c.bytes += more * 2000;
                deltas[proxy][entry] = {more, more * 2000};
            }
        }
        // Checkpointed, as the controller commits a poll.
        t.start();
        if (!cache)
            cache = ledger.checkpoints().value();
        QList<UsageSample> usage;
        QHash<QString, ProxyCheckpoints> advanced;
        QStringList first;
        for (auto p = counters.cbegin(); p != counters.cend(); ++p) {
            const auto known = cache->constFind(p.key());
            const std::optional<ProxyCheckpoints> stored =
                known != cache->cend() ? std::optional<ProxyCheckpoints>(*known) : std::nullopt;
            if (!stored)
                first.append(p.key());
            const MeterStep step = meterProxy(stored, p.value());
            advanced.insert(p.key(), step.advanced);
            for (auto d = step.deltas.cbegin(); d != step.deltas.cend(); ++d) {
                usage.append(sample(QStringLiteral("c"), p.key(), d.key(), poll, *d));
            }
        }
        if (!ledger.recordMetered(usage, advanced, first, 1000LL * poll).ok()) {
            err() << "bench_metering: commit failed\n";
            return 1;
        }
        for (const QString &p : first)
            (*cache)[p];
        for (auto p = advanced.cbegin(); p != advanced.cend(); ++p) {
            for (auto e = p->cbegin(); e != p->cend(); ++e)
                (*cache)[p.key()].insert(e.key(), e.value());
        }
        if (poll > 0) // the first poll is the baseline: no rows
            checkpointed.push_back(t.nsecsElapsed() / 1e6);

        // Ledger only, the same deltas.
        t.start();
        QList<UsageSample> plain;
        for (auto p = deltas.cbegin(); p != deltas.cend(); ++p) {
            for (auto d = p->cbegin(); d != p->cend(); ++d) {
                plain.append(sample(QStringLiteral("l"), p.key(), d.key(), poll, *d));
            }
        }
        if (!ledger.record(plain).ok()) {
            err() << "bench_metering: commit failed\n";
            return 1;
        }
        if (poll > 0)
            ledgerOnly.push_back(t.nsecsElapsed() / 1e6);
    }
    out() << "metering " << proxies << " proxies x " << sites << " busy sites, " << polls
          << " polls (durable commits)\n";
    out() << "  checkpointed: " << summary(checkpointed) << "\n";
    out() << "  ledger only:  " << summary(ledgerOnly) << "\n";
    out() << "  ratio of medians (checkpointed / ledger only): "
          << fixed(quantile(checkpointed, 0.5) / std::max(1e-9, quantile(ledgerOnly, 0.5)), 2)
          << "\n";
    out().flush();
    return 0;
}
