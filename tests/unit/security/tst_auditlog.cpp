// The audit log: one row per operator action, in the transaction of the change; rows that cannot
// forge lines; nothing recorded when nothing changed or the change failed; never a token.
#include "security/auditedactions.h"
#include "store/auditrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/marketrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace headroom;

namespace {

constexpr qint64 H = 3600 * 1000;
const QString kActor = QStringLiteral("operator:alice");

Site shop(const QString &name = QStringLiteral("shop.example"))
{
    Site s;
    s.name = name;
    s.label = name.section(QLatin1Char('.'), 0, 0);
    s.hosts = {name, QStringLiteral("www.") + name};
    s.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
    s.originName = QStringLiteral("origin.") + name;
    return s;
}

} // namespace

class TestAuditLog final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void appendsAndListsNewestFirst();
    void rowsCannotForgeLines();
    void changeAndRowCommitTogether();
    void failedChangeWritesNoRow();
    void failedRowRollsTheChangeBack();
    void nothingChangedWritesNoRow();
    void rescheduleIsAMoveOrAResize();
    void tokensNeverReachTheLog();
    void marketAndOperatorsShareOneLog();
    void actorsNameTheLoginUser();

private:
    qint64 countRows(const QString &action = QString()) const;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    qint64 m_now = 1'800'000'000'000;
};

void TestAuditLog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_db = std::make_unique<Database>();
    QVERIFY(m_db->open(m_dir->filePath(QStringLiteral("audit.sqlite"))));
}

void TestAuditLog::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

qint64 TestAuditLog::countRows(const QString &action) const
{
    QSqlQuery q(m_db->connection());
    q.prepare(action.isEmpty() ? QStringLiteral("SELECT count(*) FROM audit_log")
                               : QStringLiteral("SELECT count(*) FROM audit_log WHERE action = ?"));
    if (!action.isEmpty())
        q.addBindValue(action);
    if (!q.exec() || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

void TestAuditLog::appendsAndListsNewestFirst()
{
    AuditRepository audit(*m_db);
    for (qint64 at : {1000, 2000, 3000})
        QVERIFY(audit.add({0, at, kActor, QStringLiteral("site.add"), QStringLiteral("x")}));
    const auto all = audit.list(10);
    QVERIFY(all);
    QCOMPARE(all.value().size(), 3);
    QCOMPARE(all.value().first().atMs, 3000);
    QVERIFY(all.value().first().id > all.value().last().id);
    QCOMPARE(audit.list(2).value().size(), 2);
    const auto since = audit.list(10, 2000);
    QCOMPARE(since.value().size(), 2);
    QCOMPARE(since.value().last().atMs, 2000);
    // A limit out of range is bounded, not an error.
    QCOMPARE(audit.list(0).value().size(), 1);
    QCOMPARE(audit.list(1 << 30).value().size(), 3);
}

void TestAuditLog::rowsCannotForgeLines()
{
    AuditRepository audit(*m_db);
    const QString forged = QStringLiteral("lease 1 added\n2026-01-01T00:00:00Z  operator:root  "
                                          "purchaser.token  token\r\x1b[2Jfor everyone\u2028x");
    QVERIFY(audit.add({0, 1, QStringLiteral("operator:eve\nroot"), QStringLiteral("lease.add\t"),
                       forged + QString(5000, QLatin1Char('a'))}));
    const AuditEntry e = audit.list(1).value().first();
    QCOMPARE(e.actor, QStringLiteral("operator:eve root"));
    QCOMPARE(e.action, QStringLiteral("lease.add"));
    for (const QChar c : e.detail)
        QVERIFY2(c.category() != QChar::Other_Control && c != QChar(0x2028), qPrintable(e.detail));
    QCOMPARE(e.detail.size(), AuditRepository::MaxDetail);
}

void TestAuditLog::changeAndRowCommitTogether()
{
    AuditedActions actions(*m_db, kActor, [this] { return m_now; });
    const auto id = actions.addSite(shop());
    QVERIFY2(id, qPrintable(id.error().message));
    QVERIFY(SiteRepository(*m_db).byId(id.value()).value().has_value());
    const auto rows = AuditRepository(*m_db).list(10).value();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().actor, kActor);
    QCOMPARE(rows.first().action, QStringLiteral("site.add"));
    QCOMPARE(rows.first().atMs, m_now);
    QVERIFY2(rows.first().detail.startsWith(
                 QStringLiteral("site %1 shop.example: hosts ").arg(id.value())),
             qPrintable(rows.first().detail));

    Lease lease;
    lease.siteId = id.value();
    lease.siteName = QStringLiteral("shop.example");
    lease.pool = QStringLiteral("edge");
    lease.rateRps = 100;
    lease.startsAtMs = m_now + H;
    lease.endsAtMs = m_now + 3 * H;
    const auto leaseId = actions.addLease(lease);
    QVERIFY(leaseId);
    QCOMPARE(countRows(QStringLiteral("lease.add")), 1);
    // The lease's own history names the same actor.
    QVERIFY(LeaseRepository(*m_db).events(leaseId.value()).value().first().note.contains(kActor));
}

void TestAuditLog::failedChangeWritesNoRow()
{
    AuditedActions actions(*m_db, kActor);
    QVERIFY(actions.addSite(shop()));
    const auto again = actions.addSite(shop()); // the same name: a constraint refuses it
    QVERIFY(!again);
    QCOMPARE(countRows(QStringLiteral("site.add")), 1);
    Purchaser p;
    p.organisation = QString(); // invalid
    QVERIFY(!actions.addPurchaser(p));
    QCOMPARE(countRows(QStringLiteral("purchaser.add")), 0);
}

void TestAuditLog::failedRowRollsTheChangeBack()
{
    // When the row cannot be written the change is not kept either: no unrecorded actions.
    QSqlQuery trigger(m_db->connection());
    QVERIFY(trigger.exec(QStringLiteral("CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON "
                                        "audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); "
                                        "END")));
    AuditedActions actions(*m_db, kActor);
    const auto id = actions.addSite(shop());
    QVERIFY(!id);
    QVERIFY2(id.error().message.contains(QStringLiteral("audit")), qPrintable(id.error().message));
    QCOMPARE(SiteRepository(*m_db).all().value().size(), 0);
    Purchaser p;
    p.organisation = QStringLiteral("Shop Ltd");
    QVERIFY(!actions.addPurchaser(p));
    QCOMPARE(PurchaserRepository(*m_db).all().value().size(), 0);
}

void TestAuditLog::nothingChangedWritesNoRow()
{
    AuditedActions actions(*m_db, kActor, [this] { return m_now; });
    const auto site = actions.addSite(shop());
    QVERIFY(site);
    Lease lease;
    lease.siteId = site.value();
    lease.pool = QStringLiteral("edge");
    lease.rateRps = 10;
    lease.startsAtMs = QDateTime::currentMSecsSinceEpoch() + H;
    lease.endsAtMs = lease.startsAtMs + H;
    const auto id = actions.addLease(lease);
    QVERIFY(id);
    const auto first = actions.cancelLease(id.value());
    QVERIFY(first && first.value());
    const auto second = actions.cancelLease(id.value());
    QVERIFY(second && !second.value()); // already cancelled
    QCOMPARE(countRows(QStringLiteral("lease.cancel")), 1);
    const auto row = AuditRepository(*m_db).list(1).value().first();
    QCOMPARE(row.detail,
             QStringLiteral("lease %1 (shop.example) cancelled while scheduled").arg(id.value()));
    QVERIFY(!actions.cancelLease(id.value() + 100)); // no such lease: an error, and no row
    QCOMPARE(countRows(QStringLiteral("lease.cancel")), 1);
}

void TestAuditLog::rescheduleIsAMoveOrAResize()
{
    AuditedActions actions(*m_db, QStringLiteral("console:alice"));
    const auto site = actions.addSite(shop());
    Lease lease;
    lease.siteId = site.value();
    lease.pool = QStringLiteral("edge");
    lease.rateRps = 10;
    lease.startsAtMs = QDateTime::currentMSecsSinceEpoch() + 2 * H;
    lease.endsAtMs = lease.startsAtMs + H;
    const auto id = actions.addLease(lease);
    QVERIFY(id);
    QVERIFY(actions
                .rescheduleLease(id.value(), lease.startsAtMs + H, lease.endsAtMs + H,
                                 QStringLiteral("moved in the console"))
                .value());
    QVERIFY(actions.rescheduleLease(id.value(), lease.startsAtMs + H, lease.endsAtMs + 3 * H, {})
                .value());
    const auto rows = AuditRepository(*m_db).list(2).value();
    QCOMPARE(rows.at(0).action, QStringLiteral("lease.resize"));
    QCOMPARE(rows.at(1).action, QStringLiteral("lease.move"));
    QCOMPARE(rows.at(1).actor, QStringLiteral("console:alice"));
    QVERIFY(rows.at(1).detail.contains(QStringLiteral(" -> ")));
    QVERIFY(rows.at(1).detail.endsWith(QStringLiteral("(moved in the console)")));
}

void TestAuditLog::tokensNeverReachTheLog()
{
    AuditedActions actions(*m_db, kActor);
    Purchaser p;
    p.organisation = QStringLiteral("Shop Ltd");
    p.paymentLast4 = QStringLiteral("4242");
    const auto id = actions.addPurchaser(p);
    QVERIFY(id);
    const auto token = actions.issueToken(id.value(), QStringLiteral("ci"));
    QVERIFY(token);
    QVERIFY(token.value().startsWith(QStringLiteral("hr_")));
    QCOMPARE(PurchaserRepository(*m_db).purchaserForToken(token.value()).value(),
             std::optional<qint64>(id.value()));
    for (const AuditEntry &e : AuditRepository(*m_db).list(10).value()) {
        QVERIFY(!e.detail.contains(token.value()));
        QVERIFY(!e.detail.contains(token.value().mid(3, 12)));
        QVERIFY(!e.detail.contains(QStringLiteral("4242")));
    }
    QCOMPARE(countRows(QStringLiteral("purchaser.token")), 1);
    // Nor the database file: only its SHA-256 is stored.
    m_db->close();
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        QFile f(m_dir->filePath(QStringLiteral("audit.sqlite")) + suffix);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        QVERIFY(!f.readAll().contains(token.value().toLatin1()));
    }
}

void TestAuditLog::marketAndOperatorsShareOneLog()
{
    QVERIFY(MarketRepository(*m_db).addAudit(
        {0, 5, QStringLiteral("purchaser:1"), QStringLiteral("bid.place"), QStringLiteral("b")}));
    QVERIFY(AuditedActions(*m_db, kActor).addSite(shop()));
    const auto market = MarketRepository(*m_db).audit(10).value();
    const auto all = AuditRepository(*m_db).list(10).value();
    QCOMPARE(market.size(), 2);
    QCOMPARE(market.first().id, all.first().id);
    QCOMPARE(market.last().action, QStringLiteral("bid.place"));
}

void TestAuditLog::actorsNameTheLoginUser()
{
    const QString login = AuditLog::loginName();
    QVERIFY(!login.isEmpty());
    QCOMPARE(AuditLog::operatorActor(), QStringLiteral("operator:") + login);
    QCOMPARE(AuditLog::operatorActor(QStringLiteral(" bob ")), QStringLiteral("operator:bob"));
    QCOMPARE(AuditLog::consoleActor(), QStringLiteral("console:") + login);
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
