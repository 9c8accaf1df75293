// The billing verbs of headroomctl as an operator runs them, on a database of their own (--db):
// tariffs, the invoice run, issue, pay, credit, unbilled usage, CSV and PDF exports; and hostile
// input refused with exit 2, a sentence, and nothing stored or written.
#include "billing/money.h"
#include "sandboxfixture.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace headroom;

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

qint64 utcMs(int y, int mo, int d, int h = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

} // namespace

class TestCtlBilling : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void lifecycleThroughTheCli();
    void hostileInputIsRefused_data();
    void hostileInputIsRefused();

private:
    Run ctl(const QStringList &args);
    QString db() const { return m_dir.filePath(QStringLiteral("h.db")); }
    QString fingerprint();

    QTemporaryDir m_dir;
    qint64 m_firm = 0;
    qint64 m_bestEffort = 0;
};

Run TestCtlBilling::ctl(const QStringList &args)
{
    QProcess p;
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
            QStringList{QStringLiteral("billing")} + args +
                QStringList{QStringLiteral("--db"), db()});
    p.waitForFinished(60000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

// Everything billing stores, as one string: a refused command must leave it as it was.
QString TestCtlBilling::fingerprint()
{
    Database d;
    if (!d.open(db()).ok())
        return QStringLiteral("cannot open");
    QSqlQuery q(d.connection());
    q.exec(QStringLiteral(
        "SELECT (SELECT count(*) || ':' || coalesce(sum(total_minor), 0) || ':' || "
        "coalesce(group_concat(state || number), '') FROM invoices) || '/' || "
        "(SELECT count(*) || ':' || coalesce(sum(amount_minor), 0) FROM invoice_lines) || '/' || "
        "(SELECT coalesce(group_concat(lease_id || currency || firm_minor_per_rps_hour || ',' || "
        "best_effort_minor_per_1k_requests || ',' || best_effort_minor_per_gb, ';'), '') FROM "
        "lease_tariffs) || '/' || (SELECT coalesce(group_concat(key || '=' || value, ';'), '') "
        "FROM billing_settings) || '/' || (SELECT count(*) FROM invoice_series) || '/' || "
        "(SELECT count(*) FROM usage_samples)"));
    return q.next() ? q.value(0).toString() : QStringLiteral("no row");
}

// March 2026, over: a purchaser with a firm and a best-effort lease on one site, metered usage.
void TestCtlBilling::initTestCase()
{
    Database d;
    QVERIFY(d.open(db()).ok());
    Proxy proxy;
    proxy.name = QStringLiteral("proxy1");
    proxy.address = QHostAddress(QStringLiteral("127.0.1.1"));
    proxy.httpPort = 80;
    proxy.metricsPort = 8405;
    QVERIFY(ProxyRepository(d).upsert(proxy).ok());
    Purchaser buyer;
    buyer.organisation = QStringLiteral("Shop Ltd");
    const qint64 purchaser = PurchaserRepository(d).add(buyer).value();
    Site site;
    site.name = QStringLiteral("shop.example");
    site.label = QStringLiteral("shop");
    site.hosts = {QStringLiteral("www.shop.example")};
    site.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
    site.originName = QStringLiteral("origin.shop.example");
    site.purchaserId = purchaser;
    const qint64 siteId = SiteRepository(d).add(site).value();
    Lease firm;
    firm.siteId = siteId;
    firm.kind = LeaseKind::Firm;
    firm.rateRps = 100;
    firm.startsAtMs = utcMs(2026, 3, 10, 10);
    firm.endsAtMs = utcMs(2026, 3, 10, 13); // 3 h
    m_firm = LeaseRepository(d).add(firm, QStringLiteral("test")).value();
    // Active from its start, as the controller would have made it (the events dated then).
    QVERIFY(LeaseRepository(d)
                .transition(m_firm, LeaseState::Scheduled, LeaseState::Provisioning, QString())
                .value());
    QVERIFY(LeaseRepository(d)
                .transition(m_firm, LeaseState::Provisioning, LeaseState::Active, QString())
                .value());
    {
        QSqlQuery dated(d.connection());
        dated.prepare(QStringLiteral(
            "UPDATE lease_events SET at = ? WHERE lease_id = ? AND from_state IS NOT NULL"));
        dated.addBindValue(firm.startsAtMs);
        dated.addBindValue(m_firm);
        QVERIFY(dated.exec());
    }
    Lease be = firm;
    be.kind = LeaseKind::BestEffort;
    be.startsAtMs = utcMs(2026, 3, 1);
    be.endsAtMs = utcMs(2026, 3, 30);
    m_bestEffort = LeaseRepository(d).add(be, QStringLiteral("test")).value();
    QList<UsageSample> usage;
    for (int i = 0; i < 100; ++i) {
        UsageSample s;
        s.sampleUid = QStringLiteral("proxy1/0/%1/www.shop.example").arg(i + 1);
        s.leaseId = m_bestEffort;
        s.proxy = QStringLiteral("proxy1");
        s.site = QStringLiteral("shop.example");
        s.atMs = utcMs(2026, 3, 12) + i * 1000;
        s.requests = 1234;
        s.bytes = 10000000;
        usage.append(s);
    }
    QCOMPARE(UsageRepository(d).record(usage).value(), 100);
}

void TestCtlBilling::lifecycleThroughTheCli()
{
    Run r =
        ctl({QStringLiteral("settings"), QStringLiteral("--company"),
             QStringLiteral("Headroom Edge GmbH"), QStringLiteral("--address"),
             QStringLiteral("Kantstr. 1\\n10623 Berlin"), QStringLiteral("--tax-id"),
             QStringLiteral("DE123456789"), QStringLiteral("--tax-rate-bp"), QStringLiteral("1900"),
             QStringLiteral("--currency"), QStringLiteral("EUR"), QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("address")).toString(),
             QStringLiteral("Kantstr. 1\n10623 Berlin"));

    // No tariffs yet: the run bills nothing and says which leases and why.
    r = ctl({QStringLiteral("invoice"), QStringLiteral("run"), QStringLiteral("--period"),
             QStringLiteral("2026-03")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("0 draft(s)"), r.out.constData());
    QVERIFY(r.out.contains(
        QStringLiteral("not billed: lease %1 shop.example: no tariff").arg(m_firm).toUtf8()));

    // 1.50 per req/s-hour: 100 req/s x 3 h = 450.00; default currency from the settings.
    r = ctl({QStringLiteral("tariff"), QStringLiteral("set"), QString::number(m_firm),
             QStringLiteral("--firm-per-rps-hour"), QStringLiteral("150")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.contains("EUR 1.50 per req/s and hour"));
    // 123,400 requests at 0.80 per 1,000 = 98.72; 1 GB at 0.33 = 0.33; together 99.05.
    r = ctl({QStringLiteral("tariff"), QStringLiteral("set"), QString::number(m_bestEffort),
             QStringLiteral("--currency"), QStringLiteral("EUR"),
             QStringLiteral("--per-1k-requests"), QStringLiteral("80"), QStringLiteral("--per-gb"),
             QStringLiteral("33")});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("tariff"), QStringLiteral("show"), QString::number(m_bestEffort),
             QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(r.out)
                 .object()
                 .value(QStringLiteral("best_effort_minor_per_gb"))
                 .toInteger(),
             33);

    r = ctl({QStringLiteral("invoice"), QStringLiteral("run"), QStringLiteral("--period"),
             QStringLiteral("2026-03"), QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject run = QJsonDocument::fromJson(r.out).object();
    const QJsonObject draft = run.value(QStringLiteral("drafts")).toArray().first().toObject();
    QCOMPARE(draft.value(QStringLiteral("subtotal_minor")).toInteger(), 45000 + 9905);
    QCOMPARE(draft.value(QStringLiteral("tax_minor")).toInteger(), 10432); // 10431.95
    QCOMPARE(draft.value(QStringLiteral("total_minor")).toInteger(), 54905 + 10432);
    QCOMPARE(draft.value(QStringLiteral("total")).toString(), QStringLiteral("EUR 653.37"));
    QVERIFY(run.value(QStringLiteral("not_billed")).toArray().isEmpty());
    const QString id = QString::number(draft.value(QStringLiteral("id")).toInteger());

    r = ctl({QStringLiteral("invoice"), QStringLiteral("show"), id});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("total    EUR 653.37"));
    QVERIFY(r.out.contains("charge EUR 450.00"));

    r = ctl({QStringLiteral("invoice"), QStringLiteral("issue"), id});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("issued HR-"), r.out.constData());
    const QString number = QString::fromUtf8(r.out.split(' ').value(1));
    r = ctl({QStringLiteral("invoice"), QStringLiteral("issue"), id});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("never changes"));
    r = ctl({QStringLiteral("invoice"), QStringLiteral("pay"), number});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("invoice"), QStringLiteral("show"), number, QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("state")).toString(),
             QStringLiteral("paid"));

    // Usage: billed, nothing unbilled.
    r = ctl({QStringLiteral("usage"), QStringLiteral("--from"), QStringLiteral("2026-03-01"),
             QStringLiteral("--to"), QStringLiteral("2026-03-31"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject use = QJsonDocument::fromJson(r.out)
                                .object()
                                .value(QStringLiteral("usage"))
                                .toArray()
                                .first()
                                .toObject();
    QCOMPARE(use.value(QStringLiteral("requests")).toInteger(), 123400);
    QCOMPARE(use.value(QStringLiteral("unbilled_requests")).toInteger(), 0);

    // Exports: CSV of the line items, CSV of the samples, a PDF report, an invoice as PDF.
    const QString csv = m_dir.filePath(QStringLiteral("march.csv"));
    r = ctl({QStringLiteral("export"), QStringLiteral("--from"), QStringLiteral("2026-03-01"),
             QStringLiteral("--to"), QStringLiteral("2026-03-31"), QStringLiteral("--format"),
             QStringLiteral("csv"), QStringLiteral("--out"), csv});
    QVERIFY2(r.code == 0, r.err.constData());
    QFile lines(csv);
    QVERIFY(lines.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = lines.readAll().split('\n');
    QCOMPARE(rows.size(), 4); // header, two lines, and the empty rest after the last CRLF
    QVERIFY(rows[1].contains(",paid,") && rows[1].contains(",653.37\r"));
    const QString usageCsv = m_dir.filePath(QStringLiteral("usage.csv"));
    r = ctl({QStringLiteral("export"), QStringLiteral("--from"), QStringLiteral("2026-03-12"),
             QStringLiteral("--to"), QStringLiteral("2026-03-12"), QStringLiteral("--format"),
             QStringLiteral("csv"), QStringLiteral("--usage"), QStringLiteral("--out"), usageCsv});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.contains("wrote 100 usage samples"));
    const QString pdf = m_dir.filePath(QStringLiteral("march.pdf"));
    r = ctl({QStringLiteral("export"), QStringLiteral("--from"), QStringLiteral("2026-03-01"),
             QStringLiteral("--to"), QStringLiteral("2026-03-31"), QStringLiteral("--format"),
             QStringLiteral("pdf"), QStringLiteral("--out"), pdf});
    QVERIFY2(r.code == 0, r.err.constData());
    QProcess text;
    text.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
    QVERIFY(text.waitForFinished(30000));
    QCOMPARE(text.exitCode(), 0);
    const QString body = QString::fromUtf8(text.readAllStandardOutput()).simplified();
    QVERIFY2(body.contains(QLatin1String("EUR 653.37")), qPrintable(body));
    QVERIFY(body.contains(number));
    QVERIFY(body.contains(QLatin1String("Headroom Edge GmbH")));
    const QString one = m_dir.filePath(QStringLiteral("invoice.pdf"));
    r = ctl(
        {QStringLiteral("invoice"), QStringLiteral("show"), number, QStringLiteral("--pdf"), one});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(QFile(one).size() > 1000);

    // Correction: a credit note voids it; the next run bills the leases again.
    r = ctl({QStringLiteral("invoice"), QStringLiteral("credit"), number,
             QStringLiteral("--reason"), QStringLiteral("rate agreed was 1.40")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.out.contains("issued credit note CN-"));
    QVERIFY(r.out.contains("EUR -653.37"));
    r = ctl({QStringLiteral("usage"), QStringLiteral("--lease"), QString::number(m_bestEffort)});
    QVERIFY2(r.out.contains("unbilled"), r.out.constData());
    r = ctl({QStringLiteral("tariff"), QStringLiteral("set"), QString::number(m_firm),
             QStringLiteral("--firm-per-rps-hour"), QStringLiteral("140")});
    QCOMPARE(r.code, 0);
    r = ctl({QStringLiteral("invoice"), QStringLiteral("run"), QStringLiteral("--period"),
             QStringLiteral("2026-03"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(r.out)
                 .object()
                 .value(QStringLiteral("drafts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("subtotal_minor"))
                 .toInteger(),
             42000 + 9905);
    r = ctl({QStringLiteral("invoice"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonArray all =
        QJsonDocument::fromJson(r.out).object().value(QStringLiteral("invoices")).toArray();
    QCOMPARE(all.size(), 3);
    QStringList states;
    for (const auto &v : all)
        states.append(v.toObject().value(QStringLiteral("kind")).toString() + QLatin1Char(':') +
                      v.toObject().value(QStringLiteral("state")).toString());
    QCOMPARE(states,
             (QStringList{QStringLiteral("invoice:void"), QStringLiteral("credit-note:issued"),
                          QStringLiteral("invoice:draft")}));
}

void TestCtlBilling::hostileInputIsRefused_data()
{
    QTest::addColumn<QStringList>("args");
    const QString l1 = QStringLiteral("1"); // the firm lease
    const QString l2 = QStringLiteral("2"); // the best-effort lease
    const QString out = QStringLiteral("OUT");
    const auto row = [](const char *name, const QStringList &args) { QTest::newRow(name) << args; };
    row("tariff: lease 0", {"tariff", "set", "0", "--currency", "EUR", "--firm-per-rps-hour", "1"});
    row("tariff: lease not a number", {"tariff", "set", "abc", "--firm-per-rps-hour", "1"});
    row("tariff: no such lease",
        {"tariff", "set", "424242", "--currency", "EUR", "--firm-per-rps-hour", "1"});
    row("tariff: lower-case currency",
        {"tariff", "set", l1, "--currency", "eur", "--firm-per-rps-hour", "1"});
    row("tariff: currency too long",
        {"tariff", "set", l1, "--currency", "EURO", "--firm-per-rps-hour", "1"});
    row("tariff: negative price",
        {"tariff", "set", l1, "--currency", "EUR", "--firm-per-rps-hour", "-5"});
    row("tariff: decimal price",
        {"tariff", "set", l1, "--currency", "EUR", "--firm-per-rps-hour", "1.5"});
    row("tariff: exponent",
        {"tariff", "set", l1, "--currency", "EUR", "--firm-per-rps-hour", "1e3"});
    row("tariff: huge price",
        {"tariff", "set", l1, "--currency", "EUR", "--firm-per-rps-hour", "99999999999999999999"});
    row("tariff: usage price on a firm lease",
        {"tariff", "set", l1, "--currency", "EUR", "--per-1k-requests", "5"});
    row("tariff: firm price on a best-effort lease",
        {"tariff", "set", l2, "--currency", "EUR", "--firm-per-rps-hour", "5"});
    row("tariff: no price", {"tariff", "set", l2, "--currency", "EUR"});
    row("run: no period", {"invoice", "run"});
    row("run: month 13", {"invoice", "run", "--period", "2026-13"});
    row("run: injection", {"invoice", "run", "--period", "2026-03'; DROP TABLE invoices; --"});
    row("run: purchaser not a number",
        {"invoice", "run", "--period", "2026-03", "--purchaser", "x"});
    row("run: no such purchaser", {"invoice", "run", "--period", "2026-03", "--purchaser", "999"});
    row("show: not an id", {"invoice", "show", "1 OR 1=1"});
    row("issue: nothing named", {"invoice", "issue"});
    row("issue: two named", {"invoice", "issue", "1", "2"});
    row("credit: no reason", {"invoice", "credit", "1"});
    row("credit: empty reason", {"invoice", "credit", "1", "--reason", "  "});
    row("list: unknown state", {"invoice", "list", "--state", "paidish"});
    row("export: to before from",
        {"export", "--from", "2026-03-05", "--to", "2026-03-01", "--format", "csv", "--out", out});
    row("export: bad date",
        {"export", "--from", "2026-02-30", "--to", "2026-03-31", "--format", "csv", "--out", out});
    row("export: unknown format",
        {"export", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "xls", "--out", out});
    row("export: no such directory", {"export", "--from", "2026-03-01", "--to", "2026-03-31",
                                      "--format", "csv", "--out", "/nonexistent/dir/x.csv"});
    row("export: a directory", {"export", "--from", "2026-03-01", "--to", "2026-03-31", "--format",
                                "csv", "--out", "DIR"});
    row("export: no --out",
        {"export", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"});
    row("export: usage as pdf", {"export", "--from", "2026-03-01", "--to", "2026-03-31", "--format",
                                 "pdf", "--usage", "--out", out});
    row("export: lease without --usage", {"export", "--from", "2026-03-01", "--to", "2026-03-31",
                                          "--format", "csv", "--lease", "1", "--out", out});
    row("show: pdf into no directory",
        {"invoice", "show", "1", "--pdf", "/nonexistent/dir/invoice.pdf"});
    row("usage: bad date", {"usage", "--from", "2026-13-45"});
    row("usage: negative lease", {"usage", "--lease", "-1"});
    row("settings: tax rate above 100 %", {"settings", "--tax-rate-bp", "10001"});
    row("settings: fractional tax rate", {"settings", "--tax-rate-bp", "12.5"});
    row("settings: currency", {"settings", "--currency", "euro"});
    row("settings: company too long", {"settings", "--company", QString(201, QLatin1Char('x'))});
    row("settings: stray argument", {"settings", "now"});
    row("unknown command", {"frobnicate"});
    row("unknown option", {"invoice", "list", "--everything"});
}

void TestCtlBilling::hostileInputIsRefused()
{
    QFETCH(QStringList, args);
    const QString out = m_dir.filePath(QStringLiteral("refused.out"));
    for (QString &a : args) {
        if (a == QLatin1String("OUT"))
            a = out;
        else if (a == QLatin1String("DIR"))
            a = m_dir.path();
    }
    const QString before = fingerprint();
    const Run r = ctl(args);
    QCOMPARE(r.code, 2);
    QVERIFY(!r.err.trimmed().isEmpty());
    QVERIFY2(!r.err.contains("Segmentation") && !r.err.contains("AddressSanitizer"),
             r.err.constData());
    QCOMPARE(fingerprint(), before);
    QVERIFY(!QFile::exists(out));
}

QTEST_GUILESS_MAIN(TestCtlBilling)
#include "tst_ctl_billing.moc"
