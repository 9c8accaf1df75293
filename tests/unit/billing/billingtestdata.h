#pragma once

// Shared set-up for the billing tests: a purchaser, a site, leases, a proxy and usage, through
// the repositories (no SQL here).

#include "billing/invoice.h"
#include "domain/lease.h"
#include "domain/proxy.h"
#include "domain/purchaser.h"
#include "domain/site.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/proxyrepository.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"
#include "store/usagerepository.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QTimeZone>

namespace headroom::billingtest {

inline qint64 utcMs(int year, int month, int day, int hour = 0, int minute = 0, int second = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second), QTimeZone::utc())
        .toMSecsSinceEpoch();
}

inline qint64 addPurchaser(Database &db, const QString &name)
{
    Purchaser p;
    p.organisation = name;
    p.billingAddress = QStringLiteral("1 Market Street\nSpringfield");
    const auto id = PurchaserRepository(db).add(p);
    return id ? id.value() : -1;
}

inline qint64 addSite(Database &db, const QString &name, std::optional<qint64> purchaserId)
{
    Site s;
    s.name = name;
    s.label = name.section(QLatin1Char('.'), 0, 0);
    s.hosts = {name, QStringLiteral("www.") + name};
    s.origins = {{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
    s.originName = QStringLiteral("origin.") + name;
    s.purchaserId = purchaserId;
    const auto id = SiteRepository(db).add(s);
    return id ? id.value() : -1;
}

inline qint64 addLease(Database &db, qint64 siteId, LeaseKind kind, double rateRps, qint64 fromMs,
                       qint64 toMs, int dailyDays = 0)
{
    Lease l;
    l.siteId = siteId;
    l.kind = kind;
    l.rateRps = rateRps;
    l.startsAtMs = fromMs;
    l.endsAtMs = toMs;
    l.dailyDays = dailyDays;
    const auto id = LeaseRepository(db).add(l, QStringLiteral("test"));
    return id ? id.value() : -1;
}

// Moves a lease to active as the controller would, dated atMs (the repository dates transitions
// now; a test of a past month sets the time of the events itself).
inline bool activate(Database &db, qint64 leaseId, qint64 atMs)
{
    LeaseRepository leases(db);
    const auto provisioning =
        leases.transition(leaseId, LeaseState::Scheduled, LeaseState::Provisioning, QString());
    if (!provisioning || !provisioning.value())
        return false;
    const auto active =
        leases.transition(leaseId, LeaseState::Provisioning, LeaseState::Active, QString());
    if (!active || !active.value())
        return false;
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral("UPDATE lease_events SET at = ? WHERE lease_id = ? AND from_state "
                             "IS NOT NULL"));
    q.addBindValue(atMs);
    q.addBindValue(leaseId);
    return q.exec();
}

inline bool addProxy(Database &db, const QString &name)
{
    Proxy p;
    p.name = name;
    p.address = QHostAddress(QStringLiteral("127.0.1.1"));
    p.httpPort = 80;
    p.metricsPort = 8405;
    p.capacityRps = 1000;
    return ProxyRepository(db).upsert(p).ok();
}

// A sample the way the controller writes one: uid "proxy/epoch/poll/host".
inline UsageSample sample(const QString &proxy, int epoch, int poll, qint64 leaseId,
                          const QString &site, qint64 atMs, quint64 requests, quint64 bytes)
{
    UsageSample s;
    s.sampleUid = QStringLiteral("%1/%2/%3/www.%4").arg(proxy).arg(epoch).arg(poll).arg(site);
    s.leaseId = leaseId;
    s.proxy = proxy;
    s.site = site;
    s.atMs = atMs;
    s.requests = requests;
    s.bytes = bytes;
    return s;
}

} // namespace headroom::billingtest
