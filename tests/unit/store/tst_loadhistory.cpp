#include "fleet/headroommodel.h"
#include "store/database.h"
#include "store/loadhistoryrepository.h"
#include "store/migrations.h"

#include <QMap>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <memory>

using namespace headroom;

namespace {

using Series = QList<std::pair<qint64, double>>;

// 2025-12-01 00:00 UTC.
constexpr qint64 T0 = 1764547200000;
constexpr qint64 SecondMs = 1000;
constexpr qint64 MinuteMs = 60 * SecondMs;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;

const QString Edge = QStringLiteral("edge");

// A varying load for proxy p (0, 1, 2) at second k.
LoadSample varying(int p, qint64 k, const QString &pool = Edge)
{
    LoadSample s;
    s.atMs = T0 + k * SecondMs;
    s.proxy = QStringLiteral("proxy%1").arg(p + 1);
    s.pool = pool;
    s.capacityRps = 1000 + 100 * p;
    s.totalRps = 100 + double(k % 60) * 5 + 10 * p + double(k % 13);
    s.purchaserRps = double(k % 7) * 30; // sometimes above the base: clamped
    return s;
}

// What headroomSeries() must return, computed with fleet/headroommodel.h: per proxy and minute
// the mean headroom, summed over the proxies.
Series expectedSeries(const QList<LoadSample> &samples, double target)
{
    QMap<qint64, QMap<QString, std::pair<double, int>>> byMinute;
    for (const LoadSample &s : samples) {
        auto &[sum, n] = byMinute[(s.atMs / MinuteMs) * MinuteMs][s.proxy];
        sum += headroomRps(s, target);
        ++n;
    }
    Series series;
    for (auto it = byMinute.cbegin(); it != byMinute.cend(); ++it) {
        double pool = 0;
        for (const auto &[sum, n] : it.value())
            pool += sum / n;
        series.append({it.key(), pool});
    }
    return series;
}

bool sameSeries(const Series &actual, const Series &expected, QString *why)
{
    if (actual.size() != expected.size()) {
        *why = QStringLiteral("%1 points, expected %2").arg(actual.size()).arg(expected.size());
        return false;
    }
    for (qsizetype i = 0; i < actual.size(); ++i) {
        if (actual.at(i).first != expected.at(i).first ||
            std::abs(actual.at(i).second - expected.at(i).second) > 1e-6) {
            *why = QStringLiteral("point %1: (%2, %3), expected (%4, %5)")
                       .arg(i)
                       .arg(actual.at(i).first)
                       .arg(actual.at(i).second, 0, 'f', 9)
                       .arg(expected.at(i).first)
                       .arg(expected.at(i).second, 0, 'f', 9);
            return false;
        }
    }
    return true;
}

} // namespace

class TestLoadHistory final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void seriesMatchesTheModel();
    void seriesRangeAndPools();
    void appendRoundsToTheSecondAndReplaces();
    void appendRejectsBadSamples_data();
    void appendRejectsBadSamples();
    void rollUpBoundsTheStore();
    void rollUpMergesASplitMinute();
    void rollUpDropsExpiredMinutes();
    void minuteRowsKeepHeadroomAtTheRepositoryTarget();
    void migrationFourUpgradesAVersionThreeDatabase();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("headroom.db")); }
    QVariant scalar(const QString &sql) const
    {
        QSqlQuery query(m_db->connection());
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }
    Series series(const LoadHistoryRepository &repository, qint64 from, qint64 to,
                  double target = 0.8)
    {
        const Result<Series> read = repository.headroomSeries(Edge, from, to, target);
        if (!read)
            qWarning("headroomSeries: %s", qPrintable(read.error().message));
        return read ? read.value() : Series{{-1, 0}};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

void TestLoadHistory::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(dbPath());
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
}

void TestLoadHistory::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestLoadHistory::seriesMatchesTheModel()
{
    LoadHistoryRepository repository(*m_db);
    QList<LoadSample> samples;
    for (qint64 k = 0; k < 150; ++k) {
        for (int p = 0; p < 3; ++p) {
            // proxy3 misses some seconds: its minute is the mean of what it has.
            if (p == 2 && k % 4 == 0)
                continue;
            samples.append(varying(p, k));
        }
    }
    const Result<void> appended = repository.append(samples);
    QVERIFY2(appended.ok(), qPrintable(appended.error().message));

    QString why;
    for (const double target : {0.8, 0.5, 1.0}) {
        const Series actual = series(repository, T0, T0 + HourMs, target);
        QCOMPARE(actual.size(), 3); // minutes 0, 1, 2 (half)
        QVERIFY2(sameSeries(actual, expectedSeries(samples, target), &why), qPrintable(why));
    }

    // The same after the seconds are rolled up into minutes.
    QVERIFY(repository.rollUp(T0 + 150 * SecondMs + HourMs).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(0));
    QCOMPARE(repository.minuteRowCount().value(), qint64(9));
    for (const double target : {0.8, 0.5}) {
        QVERIFY2(sameSeries(series(repository, T0, T0 + HourMs, target),
                            expectedSeries(samples, target), &why),
                 qPrintable(why));
    }
}

void TestLoadHistory::seriesRangeAndPools()
{
    LoadHistoryRepository repository(*m_db);
    QList<LoadSample> samples;
    for (qint64 k = 0; k < 300; k += 10) {
        samples.append(varying(0, k));
        samples.append(varying(1, k, QStringLiteral("core")));
    }
    QVERIFY(repository.append(samples).ok());
    QList<LoadSample> edgeOnly;
    for (const LoadSample &s : samples) {
        if (s.pool == Edge)
            edgeOnly.append(s);
    }
    const Series all = expectedSeries(edgeOnly, 0.8);
    QCOMPARE(all.size(), 5);

    QString why;
    QVERIFY2(sameSeries(series(repository, T0, T0 + 5 * MinuteMs), all, &why), qPrintable(why));
    // Minutes that start in [from, to): a from inside minute 0 starts at minute 1.
    QVERIFY2(sameSeries(series(repository, T0 + 1, T0 + 3 * MinuteMs), all.mid(1, 2), &why),
             qPrintable(why));
    QVERIFY2(
        sameSeries(series(repository, T0 + MinuteMs, T0 + 3 * MinuteMs + 1), all.mid(1, 3), &why),
        qPrintable(why));
    QVERIFY(series(repository, T0 + MinuteMs, T0 + MinuteMs).isEmpty());
    QVERIFY(series(repository, T0 + 2 * MinuteMs, T0).isEmpty());
    QVERIFY(series(repository, T0 - DayMs, T0).isEmpty());

    const Result<Series> core = repository.headroomSeries(QStringLiteral("core"), T0, T0 + HourMs);
    QVERIFY(core.ok());
    QCOMPARE(core.value().size(), 5);
    const Result<Series> none = repository.headroomSeries(QStringLiteral("none"), T0, T0 + HourMs);
    QVERIFY(none.ok());
    QVERIFY(none.value().isEmpty());
}

void TestLoadHistory::appendRoundsToTheSecondAndReplaces()
{
    LoadHistoryRepository repository(*m_db);
    LoadSample first{T0 + 1500, QStringLiteral("proxy1"), Edge, 1000, 500, 0};
    LoadSample second{T0 + 1999, QStringLiteral("proxy1"), Edge, 1000, 300, 100};
    QVERIFY(repository.append({first}).ok());
    QVERIFY(repository.append({second}).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(1));
    QCOMPARE(scalar(QStringLiteral("SELECT at FROM load_history_second")).toLongLong(), T0 + 1000);
    const Series s = series(repository, T0, T0 + MinuteMs);
    QCOMPARE(s.size(), 1);
    QCOMPARE(s.constFirst().second, 600.0); // 800 − (300 − 100)

    QVERIFY(repository.append({}).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(1));
}

void TestLoadHistory::appendRejectsBadSamples_data()
{
    QTest::addColumn<qint64>("atMs");
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<double>("capacity");
    QTest::addColumn<double>("total");
    QTest::addColumn<double>("purchaser");

    QTest::newRow("no proxy") << T0 << QString() << 100.0 << 1.0 << 0.0;
    QTest::newRow("before 1970") << qint64(-1000) << QStringLiteral("p") << 100.0 << 1.0 << 0.0;
    QTest::newRow("negative capacity") << T0 << QStringLiteral("p") << -1.0 << 1.0 << 0.0;
    QTest::newRow("negative total") << T0 << QStringLiteral("p") << 100.0 << -1.0 << 0.0;
    QTest::newRow("NaN total") << T0 << QStringLiteral("p") << 100.0 << qQNaN() << 0.0;
    QTest::newRow("infinite purchaser") << T0 << QStringLiteral("p") << 100.0 << 1.0 << qInf();
    QTest::newRow("infinite capacity") << T0 << QStringLiteral("p") << qInf() << 1.0 << 0.0;
}

void TestLoadHistory::appendRejectsBadSamples()
{
    QFETCH(qint64, atMs);
    QFETCH(QString, proxy);
    QFETCH(double, capacity);
    QFETCH(double, total);
    QFETCH(double, purchaser);

    LoadHistoryRepository repository(*m_db);
    const LoadSample good{T0, QStringLiteral("good"), Edge, 100, 10, 0};
    const LoadSample bad{atMs, proxy, Edge, capacity, total, purchaser};
    const Result<void> appended = repository.append({good, bad});
    QVERIFY(!appended.ok());
    QVERIFY(!appended.error().message.isEmpty());
    QCOMPARE(repository.secondRowCount().value(), qint64(0)); // all or none
}

void TestLoadHistory::rollUpBoundsTheStore()
{
    // Two hours of 1 Hz samples for three proxies, appended and rolled up once a minute.
    LoadHistoryRepository repository(*m_db);
    constexpr qint64 Seconds = 2 * 3600;
    QList<LoadSample> everything;
    everything.reserve(Seconds * 3);
    for (qint64 minute = 0; minute < Seconds / 60; ++minute) {
        QList<LoadSample> batch;
        for (qint64 k = minute * 60; k < (minute + 1) * 60; ++k) {
            for (int p = 0; p < 3; ++p)
                batch.append(varying(p, k));
        }
        const Result<void> appended = repository.append(batch);
        QVERIFY2(appended.ok(), qPrintable(appended.error().message));
        everything.append(batch);

        const qint64 now = batch.constLast().atMs;
        const Result<void> rolled = repository.rollUp(now);
        QVERIFY2(rolled.ok(), qPrintable(rolled.error().message));
        QVERIFY(repository.secondRowCount().value() <= 3600 * 3);
    }
    // The last hour as seconds, the first as minutes; each second counted once.
    QCOMPARE(repository.secondRowCount().value(), qint64(3600 * 3));
    QCOMPARE(repository.minuteRowCount().value(), qint64(60 * 3));
    QCOMPARE(scalar(QStringLiteral("SELECT sum(samples) FROM load_history_minute")).toLongLong(),
             qint64(3600 * 3));
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM load_history_minute WHERE samples != 60"))
                 .toLongLong(),
             qint64(0));

    QString why;
    const Series actual = series(repository, T0, T0 + 3 * HourMs);
    QCOMPARE(actual.size(), 120);
    QVERIFY2(sameSeries(actual, expectedSeries(everything, 0.8), &why), qPrintable(why));

    // Thirty days after the first hour, with no new samples: the remaining seconds are rolled up
    // and the first hour's minutes have expired.
    QVERIFY(repository.rollUp(T0 + HourMs + 30 * DayMs).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(0));
    QCOMPARE(repository.minuteRowCount().value(), qint64(60 * 3)); // the second hour's minutes
    QVERIFY(repository.rollUp(T0 + 2 * HourMs + 30 * DayMs).ok());
    QCOMPARE(repository.minuteRowCount().value(), qint64(0));
}

void TestLoadHistory::rollUpMergesASplitMinute()
{
    LoadHistoryRepository repository(*m_db);
    QList<LoadSample> samples;
    for (qint64 k = 0; k < 30; ++k)
        samples.append(varying(0, k));
    QVERIFY(repository.append(samples).ok());
    const Series before = series(repository, T0, T0 + HourMs);

    // The cut-off falls inside the minute: seconds 0..14 are rolled up now, 15..29 later.
    QVERIFY(repository.rollUp(T0 + 14 * SecondMs + HourMs).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(15));
    QCOMPARE(repository.minuteRowCount().value(), qint64(1));
    QString why;
    QVERIFY2(sameSeries(series(repository, T0, T0 + HourMs), before, &why), qPrintable(why));

    QVERIFY(repository.rollUp(T0 + 2 * HourMs).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(0));
    QCOMPARE(repository.minuteRowCount().value(), qint64(1));
    QCOMPARE(scalar(QStringLiteral("SELECT samples FROM load_history_minute")).toInt(), 30);
    QVERIFY2(sameSeries(series(repository, T0, T0 + HourMs), before, &why), qPrintable(why));

    double lowest = headroomRps(samples.constFirst());
    double highest = lowest;
    double sum = 0;
    for (const LoadSample &s : samples) {
        lowest = qMin(lowest, headroomRps(s));
        highest = qMax(highest, headroomRps(s));
        sum += headroomRps(s);
    }
    QCOMPARE(scalar(QStringLiteral("SELECT min_headroom_rps FROM load_history_minute")).toDouble(),
             lowest);
    QCOMPARE(scalar(QStringLiteral("SELECT max_headroom_rps FROM load_history_minute")).toDouble(),
             highest);
    QVERIFY(
        std::abs(
            scalar(QStringLiteral("SELECT avg_headroom_rps FROM load_history_minute")).toDouble() -
            sum / 30) < 1e-9);
}

void TestLoadHistory::rollUpDropsExpiredMinutes()
{
    LoadHistoryRepository repository(*m_db);
    QVERIFY(repository.append({varying(0, 0), varying(0, 60)}).ok());
    QVERIFY(repository.rollUp(T0 + 2 * HourMs).ok());
    QCOMPARE(repository.minuteRowCount().value(), qint64(2));
    // Exactly 30 days old is kept; older is deleted.
    QVERIFY(repository.rollUp(T0 + 30 * DayMs).ok());
    QCOMPARE(repository.minuteRowCount().value(), qint64(2));
    QVERIFY(repository.rollUp(T0 + 30 * DayMs + 1).ok());
    QCOMPARE(repository.minuteRowCount().value(), qint64(1));
    QVERIFY(repository.rollUp(T0 + 30 * DayMs + MinuteMs + 1).ok());
    QCOMPARE(repository.minuteRowCount().value(), qint64(0));
}

void TestLoadHistory::minuteRowsKeepHeadroomAtTheRepositoryTarget()
{
    LoadHistoryRepository repository(*m_db, 0.5);
    const LoadSample a{T0, QStringLiteral("proxy1"), Edge, 1000, 100, 0};
    const LoadSample b{T0 + SecondMs, QStringLiteral("proxy1"), Edge, 1000, 300, 0};
    QVERIFY(repository.append({a, b}).ok());
    QVERIFY(repository.rollUp(T0 + 2 * HourMs).ok());
    QCOMPARE(scalar(QStringLiteral("SELECT min_headroom_rps FROM load_history_minute")).toDouble(),
             200.0);
    QCOMPARE(scalar(QStringLiteral("SELECT max_headroom_rps FROM load_history_minute")).toDouble(),
             400.0);
    QCOMPARE(scalar(QStringLiteral("SELECT avg_headroom_rps FROM load_history_minute")).toDouble(),
             300.0);
    QCOMPARE(scalar(QStringLiteral("SELECT base_rps FROM load_history_minute")).toDouble(), 200.0);
    // The series applies its own target.
    const Series s = series(repository, T0, T0 + MinuteMs, 0.8);
    QCOMPARE(s.size(), 1);
    QCOMPARE(s.constFirst().second, 600.0);
}

void TestLoadHistory::migrationFourUpgradesAVersionThreeDatabase()
{
    m_db.reset();
    const QString path = m_dir->filePath(QStringLiteral("v3.db"));
    {
        Database v3;
        const Result<void> opened = v3.open(path, builtInMigrations().mid(0, 3));
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        QCOMPARE(v3.schemaVersion().value(), 3);
        QVERIFY(!v3.connection().tables().contains(QStringLiteral("load_history_second")));
        QSqlQuery insert(v3.connection());
        QVERIFY(insert.exec(QStringLiteral(
            "INSERT INTO proxies (name, address, http_port, metrics_port, created_at) "
            "VALUES ('proxy1', '127.0.1.1', 80, 9100, 1)")));
    }
    m_db = std::make_unique<Database>();
    const Result<void> opened = m_db->open(path);
    QVERIFY2(opened.ok(), qPrintable(opened.error().message));
    QCOMPARE(m_db->schemaVersion().value(), latestVersion(builtInMigrations()));
    const QStringList tables = m_db->connection().tables();
    QVERIFY(tables.contains(QStringLiteral("load_history_second")));
    QVERIFY(tables.contains(QStringLiteral("load_history_minute")));
    QCOMPARE(scalar(QStringLiteral("SELECT name FROM proxies")).toString(),
             QStringLiteral("proxy1"));

    LoadHistoryRepository repository(*m_db);
    QVERIFY(repository.append({varying(0, 0)}).ok());
    QCOMPARE(repository.secondRowCount().value(), qint64(1));
    // The tables' own checks hold even against raw inserts.
    QSqlQuery raw(m_db->connection());
    QVERIFY(!raw.exec(QStringLiteral(
        "INSERT INTO load_history_second (proxy, at, capacity_rps, total_rps, purchaser_rps) "
        "VALUES ('p', 1500, 1, 1, 1)")));
    QVERIFY(!raw.exec(QStringLiteral(
        "INSERT INTO load_history_minute (proxy, at, capacity_rps, total_rps, purchaser_rps, "
        "base_rps, min_headroom_rps, max_headroom_rps, avg_headroom_rps, samples) "
        "VALUES ('p', 61000, 1, 1, 1, 0, 0, 0, 0, 1)")));
}

QTEST_GUILESS_MAIN(TestLoadHistory)
#include "tst_loadhistory.moc"
