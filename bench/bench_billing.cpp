// bench_billing: how long billing takes (issue 7 goals: 1,000,000 usage samples to CSV in < 3 s;
// a month's invoice run for 1,000 purchasers in < 5 s).
//
// Builds, once and untimed, a database in a temporary directory through the repositories: one
// proxy; P purchasers (1,000), each with one site and two leases in a month four months ahead - a
// firm one (100 req/s, a 10-hour window, active from now, with 100 one-second shortfall rows) and
// a best-effort one - each with a tariff; N usage samples (1,000,000) spread evenly over the
// best-effort leases and over the month, with uids as the controller writes them. Then times,
// --repeat times (3) each:
//   - the usage detail export: writeUsageCsv of the whole month to a file (every sample a row:
//     uid, ISO time, ms, lease, purchaser, site, proxy, requests, bytes), streamed from SQLite;
//   - the invoice run of the month: every lease rated, P drafts with 2 lines each written in one
//     transaction (from the second round on it also replaces the previous round's drafts);
//   - the line-item CSV export of those drafts.
// Prints the minimum and median wall times. Figures: docs/BENCHMARKS.md.

#include "benchsupport.h"
#include "billing/csvexport.h"
#include "billing/invoicerun.h"
#include "domain/lease.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/shortfallrepository.h"
#include "store/siterepository.h"
#include "store/tariffrepository.h"
#include "store/usagerepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimeZone>
#include <algorithm>
#include <ctime>

namespace headroom {
namespace {

using bench::err;

struct Timing
{
    double min = 0;
    double median = 0;
};

Timing summarise(QList<double> seconds)
{
    std::sort(seconds.begin(), seconds.end());
    return {seconds.first(), seconds[seconds.size() / 2]};
}

// This process's CPU time (user + system), seconds: on a shared machine the wall time also
// counts waiting for a core.
double cpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + t.tv_nsec / 1e9;
}

bool fail(const QString &what, const StoreError &e)
{
    err() << "bench_billing: " << what << ": " << e.message << "\n";
    return false;
}

struct Built
{
    QList<qint64> bestEffort;
    qint64 samples = 0;
};

bool build(Database &db, const BillingPeriod &period, int purchasers, qint64 samples, Built *built)
{
    const qint64 start = period.startMs;
    const qint64 month = period.endMs - period.startMs;
    Proxy proxy;
    proxy.name = QStringLiteral("proxy1");
    proxy.address = QHostAddress(QStringLiteral("127.0.1.1"));
    proxy.httpPort = 80;
    proxy.metricsPort = 8405;
    proxy.capacityRps = 1000;
    if (const auto r = ProxyRepository(db).upsert(proxy); !r)
        return fail(QStringLiteral("proxy"), r.error());
    BillingSettings settings;
    settings.companyName = QStringLiteral("Headroom Edge GmbH");
    settings.taxRateBp = 1900;
    if (const auto r = BillingRepository(db).setSettings(settings); !r)
        return fail(QStringLiteral("settings"), r.error());
    for (int i = 0; i < purchasers; ++i) {
        Purchaser p;
        p.organisation = QStringLiteral("Purchaser %1").arg(i);
        const auto purchaser = PurchaserRepository(db).add(p);
        if (!purchaser)
            return fail(QStringLiteral("purchaser"), purchaser.error());
        Site s;
        s.name = QStringLiteral("site%1.example").arg(i);
        s.label = QStringLiteral("site%1").arg(i);
        s.hosts = {s.name};
        s.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
        s.originName = QStringLiteral("origin.") + s.name;
        s.purchaserId = purchaser.value();
        const auto site = SiteRepository(db).add(s);
        if (!site)
            return fail(QStringLiteral("site"), site.error());
        Lease firm;
        firm.siteId = site.value();
        firm.kind = LeaseKind::Firm;
        firm.rateRps = 100;
        firm.startsAtMs = start + qint64(i % 28) * 86400000 + 8 * 3600000;
        firm.endsAtMs = firm.startsAtMs + 10 * 3600000;
        Lease be = firm;
        be.kind = LeaseKind::BestEffort;
        be.startsAtMs = start;
        be.endsAtMs = start + month;
        LeaseRepository leases(db);
        const auto f = leases.add(firm, QStringLiteral("bench"));
        const auto b = leases.add(be, QStringLiteral("bench"));
        if (!f || !b)
            return fail(QStringLiteral("lease"), f ? b.error() : f.error());
        // Active from now, before the month: a firm lease is charged only while active.
        for (const auto &[from, to] : {std::pair{LeaseState::Scheduled, LeaseState::Provisioning},
                                       std::pair{LeaseState::Provisioning, LeaseState::Active}}) {
            if (const auto r = leases.transition(f.value(), from, to, QString()); !r || !r.value())
                return fail(QStringLiteral("activating a lease"),
                            r ? StoreError{QStringLiteral("not moved")} : r.error());
        }
        TariffRepository tariffs(db);
        if (const auto r = tariffs.set(f.value(), {QStringLiteral("EUR"), 150, 0, 0}); !r)
            return fail(QStringLiteral("tariff"), r.error());
        if (const auto r = tariffs.set(b.value(), {QStringLiteral("EUR"), 0, 80, 33}); !r)
            return fail(QStringLiteral("tariff"), r.error());
        QList<ShortfallSample> shed;
        for (int k = 0; k < 100; ++k)
            shed.append({f.value(), firm.startsAtMs + k * 1000, 1000, 25000});
        if (const auto r = ShortfallRepository(db).record(shed); !r)
            return fail(QStringLiteral("shortfall"), r.error());
        built->bestEffort.append(b.value());
    }
    // Samples in batches, as polls would deliver them: one per lease and poll.
    const qint64 perLease = samples / purchasers;
    const qint64 step = month / std::max<qint64>(1, perLease);
    QList<UsageSample> batch;
    for (qint64 poll = 0; poll < perLease; ++poll) {
        for (int i = 0; i < purchasers; ++i) {
            UsageSample u;
            u.sampleUid = QStringLiteral("proxy1/0/%1/site%2.example").arg(poll + 1).arg(i);
            u.leaseId = built->bestEffort[i];
            u.proxy = proxy.name;
            u.site = QStringLiteral("site%1.example").arg(i);
            u.atMs = start + poll * step + i;
            u.requests = quint64(100 + (poll * 7 + i) % 900);
            u.bytes = u.requests * 15000;
            batch.append(u);
        }
        if (batch.size() >= 20000 || poll + 1 == perLease) {
            const auto r = UsageRepository(db).record(batch);
            if (!r)
                return fail(QStringLiteral("usage"), r.error());
            built->samples += r.value();
            batch.clear();
        }
    }
    return true;
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    using namespace headroom;
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Billing benchmarks (issue 7)."));
    parser.addHelpOption();
    const QCommandLineOption samplesOption(QStringLiteral("samples"),
                                           QStringLiteral("Usage samples (1000000)."),
                                           QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption purchasersOption(QStringLiteral("purchasers"),
                                              QStringLiteral("Purchasers (1000)."),
                                              QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption repeatOption(QStringLiteral("repeat"),
                                          QStringLiteral("Runs of each case (3)."),
                                          QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption keepOption(
        QStringLiteral("db"),
        QStringLiteral("Keep the database at PATH (built only if the file does not exist; else "
                       "reused as it is, --samples and --purchasers ignored)."),
        QStringLiteral("PATH"));
    parser.addOptions({samplesOption, purchasersOption, repeatOption, keepOption});
    parser.process(app);
    const qint64 samples = parser.value(samplesOption).toLongLong();
    const int purchasers = parser.value(purchasersOption).toInt();
    const int repeat = parser.value(repeatOption).toInt();
    if (samples < 1 || purchasers < 1 || repeat < 1) {
        bench::err() << "bench_billing: --samples, --purchasers and --repeat are positive\n";
        return 2;
    }

    QTemporaryDir dir;
    const QString path = parser.isSet(keepOption) ? parser.value(keepOption)
                                                  : dir.filePath(QStringLiteral("bench.sqlite"));
    const bool reuse = QFile::exists(path);
    Database db;
    if (!dir.isValid() || !db.open(path).ok()) {
        bench::err() << "bench_billing: cannot create the database\n";
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    Built built;
    // A month ahead: the leases are activated now, before it, as the controller would have.
    QString error;
    const BillingPeriod period =
        BillingPeriod::containing(QDateTime::currentMSecsSinceEpoch() + qint64(120) * 86400000);
    if (!reuse && !build(db, period, purchasers, samples, &built))
        return 1;
    if (reuse)
        bench::out() << "reusing " << path << "\n";
    else
        bench::out() << "built: " << purchasers << " purchasers, " << 2 * purchasers << " leases, "
                     << built.samples << " usage samples, " << 100 * purchasers
                     << " shortfall rows in " << bench::fixed(clock.elapsed() / 1000.0) << " s\n";
    bench::out().flush();

    const QString csvPath = dir.filePath(QStringLiteral("usage.csv"));
    QList<double> csvTimes;
    QList<double> csvCpu;
    qint64 rows = 0;
    qint64 bytes = 0;
    for (int i = 0; i < repeat; ++i) {
        QFile file(csvPath);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 1;
        clock.restart();
        const double cpu = cpuSeconds();
        const auto written = writeUsageCsv(file, BillingRepository(db), period.startMs,
                                           period.endMs, std::nullopt, &error);
        file.close();
        csvTimes.append(clock.nsecsElapsed() / 1e9);
        csvCpu.append(cpuSeconds() - cpu);
        if (!written) {
            bench::err() << "bench_billing: " << error << "\n";
            return 1;
        }
        rows = *written;
        bytes = QFileInfo(csvPath).size();
    }
    const Timing csv = summarise(csvTimes);
    bench::out() << "usage CSV: " << rows << " rows, " << bench::fixed(bytes / 1e6) << " MB: min "
                 << bench::fixed(csv.min, 3) << " s, median " << bench::fixed(csv.median, 3)
                 << " s; CPU min " << bench::fixed(summarise(csvCpu).min, 3) << " s ("
                 << bench::fixed(rows / csv.min / 1e6, 2)
                 << " M rows/s; goal < 3 s for 1,000,000)\n";
    bench::out().flush();

    QList<double> runTimes;
    QList<double> runCpu;
    int drafts = 0;
    qint64 totalMinor = 0;
    for (int i = 0; i < repeat; ++i) {
        clock.restart();
        const double cpu = cpuSeconds();
        const auto report = InvoiceRun(db).run(period, std::nullopt, period.endMs + 86400000);
        runTimes.append(clock.nsecsElapsed() / 1e9);
        runCpu.append(cpuSeconds() - cpu);
        if (!report) {
            bench::err() << "bench_billing: " << report.error().message << "\n";
            return 1;
        }
        drafts = int(report.value().drafts.size());
        totalMinor = 0;
        for (const Invoice &d : report.value().drafts)
            totalMinor += d.totalMinor;
    }
    const Timing run = summarise(runTimes);
    bench::out() << "invoice run " << period.name << ": " << drafts << " drafts, " << 2 * purchasers
                 << " lines, total EUR " << totalMinor / 100 << "."
                 << QStringLiteral("%1").arg(totalMinor % 100, 2, 10, QLatin1Char('0')) << ": min "
                 << bench::fixed(run.min, 3) << " s, median " << bench::fixed(run.median, 3)
                 << " s; CPU min " << bench::fixed(summarise(runCpu).min, 3)
                 << " s (goal < 5 s for 1,000 purchasers)\n";

    const auto documents = BillingRepository(db).invoices({}, true);
    if (!documents)
        return 1;
    QList<double> lineTimes;
    for (int i = 0; i < repeat; ++i) {
        QFile file(dir.filePath(QStringLiteral("lines.csv")));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return 1;
        clock.restart();
        if (!writeLineItemsCsv(file, documents.value(), {}, &error))
            return 1;
        file.close();
        lineTimes.append(clock.nsecsElapsed() / 1e9);
    }
    const Timing lines = summarise(lineTimes);
    bench::out() << "line-item CSV: " << documents.value().size() << " documents: min "
                 << bench::fixed(lines.min, 3) << " s, median " << bench::fixed(lines.median, 3)
                 << " s\n";
    return 0;
}
