#include "store/siterepository.h"

#include "dns/dnsname.h"
#include "store/database.h"
#include "store/sqlerror.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QVariant>

namespace headroom {
namespace {

QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

bool isUnicast(const QHostAddress &a)
{
    return !a.isNull() && !a.isMulticast() && !a.isBroadcast() &&
           a != QHostAddress(QHostAddress::AnyIPv4) && a != QHostAddress(QHostAddress::AnyIPv6) &&
           a.scopeId().isEmpty();
}

} // namespace

SiteRepository::SiteRepository(Database &database) : m_database(database) {}

QString SiteRepository::validate(const Site &site)
{
    QString why;
    const auto name = DnsName::parse(site.name, &why);
    if (!name || name->relative() != site.name)
        return QStringLiteral("site name '%1': %2")
            .arg(site.name.left(80), why.isEmpty() ? QStringLiteral("use lower case") : why);
    static const QRegularExpression label(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")));
    if (!label.match(site.label).hasMatch() || site.label.contains(QStringLiteral("--")))
        return QStringLiteral("steering label '%1' must be 1-63 lower-case letters, digits and "
                              "single hyphens")
            .arg(site.label.left(80));
    if (site.hosts.isEmpty() || site.hosts.size() > 32)
        return QStringLiteral("a site needs 1 to 32 host names");
    QSet<QString> seen;
    for (const QString &h : site.hosts) {
        const auto host = DnsName::parse(h, &why);
        if (!host || host->relative() != h)
            return QStringLiteral("host '%1': %2")
                .arg(h.left(80), why.isEmpty() ? QStringLiteral("use lower case") : why);
        if (seen.contains(h))
            return QStringLiteral("host %1 is listed twice").arg(h);
        seen.insert(h);
    }
    if (site.origins.isEmpty() || site.origins.size() > 64)
        return QStringLiteral("a site needs 1 to 64 origin servers");
    bool primary = false;
    for (const SiteOrigin &o : site.origins) {
        if (!isUnicast(o.address) || o.port == 0)
            return QStringLiteral("origin %1:%2 is not a unicast address with a port")
                .arg(o.address.toString())
                .arg(o.port);
        if (o.weight < 1 || o.weight > 256)
            return QStringLiteral("origin weights are 1 to 256");
        primary = primary || !o.backup;
    }
    if (!primary)
        return QStringLiteral("at least one origin must not be a backup");
    if (!site.originName.isEmpty()) {
        const auto origin = DnsName::parse(site.originName, &why);
        if (!origin)
            return QStringLiteral("origin name '%1': %2").arg(site.originName.left(80), why);
    }
    if (site.slot < -1)
        return QStringLiteral("bad slot");
    return {};
}

Result<qint64> SiteRepository::add(const Site &site)
{
    if (const QString why = validate(site); !why.isEmpty())
        return StoreError{why};
    qint64 id = 0;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        const QSqlDatabase db = m_database.connection();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
            "INSERT INTO sites (name, label, purchaser_id, origin_name, assignment, slot, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
        insert.addBindValue(site.name);
        insert.addBindValue(site.label);
        insert.addBindValue(site.purchaserId ? QVariant(*site.purchaserId)
                                             : QVariant(QMetaType::fromType<qint64>()));
        insert.addBindValue(text(site.originName));
        insert.addBindValue(assignmentName(site.assignment));
        insert.addBindValue(site.slot >= 0 ? QVariant(site.slot)
                                           : QVariant(QMetaType::fromType<int>()));
        insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!insert.exec())
            return toStoreError(insert, QStringLiteral("storing site %1").arg(site.name));
        id = insert.lastInsertId().toLongLong();
        for (const QString &h : site.hosts) {
            QSqlQuery host(db);
            host.prepare(QStringLiteral("INSERT INTO site_hosts (site_id, host) VALUES (?, ?)"));
            host.addBindValue(id);
            host.addBindValue(h);
            if (!host.exec())
                return toStoreError(host, QStringLiteral("host %1 of site %2").arg(h, site.name));
        }
        for (const SiteOrigin &o : site.origins) {
            QSqlQuery origin(db);
            origin.prepare(QStringLiteral("INSERT INTO site_origins (site_id, address, port, "
                                          "weight, backup) VALUES (?, ?, ?, ?, ?)"));
            origin.addBindValue(id);
            origin.addBindValue(o.address.toString());
            origin.addBindValue(int(o.port));
            origin.addBindValue(o.weight);
            origin.addBindValue(o.backup ? 1 : 0);
            if (!origin.exec())
                return toStoreError(origin, QStringLiteral("origin of site %1").arg(site.name));
        }
        return {};
    });
    if (!written)
        return written.error();
    return id;
}

Result<QList<Site>> SiteRepository::select(const QString &where, const QVariant &value) const
{
    const QSqlDatabase db = m_database.connection();
    QSqlQuery query(db);
    // `where` is one of this file's constant clauses; values are always bound.
    query.prepare(QStringLiteral("SELECT id, name, label, purchaser_id, origin_name, assignment, "
                                 "slot FROM sites ") +
                  where + QStringLiteral(" ORDER BY name"));
    if (value.isValid())
        query.addBindValue(value);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading sites"));
    QList<Site> sites;
    while (query.next()) {
        Site s;
        s.id = query.value(0).toLongLong();
        s.name = query.value(1).toString();
        s.label = query.value(2).toString();
        if (!query.value(3).isNull())
            s.purchaserId = query.value(3).toLongLong();
        s.originName = query.value(4).toString();
        s.assignment = assignmentFromName(query.value(5).toString()).value_or(Assignment::None);
        s.slot = query.value(6).isNull() ? -1 : query.value(6).toInt();
        sites.append(s);
    }
    for (Site &s : sites) {
        QSqlQuery hosts(db);
        hosts.prepare(QStringLiteral("SELECT host FROM site_hosts WHERE site_id = ? ORDER BY "
                                     "length(host), host"));
        hosts.addBindValue(s.id);
        if (!hosts.exec())
            return toStoreError(hosts, QStringLiteral("reading hosts of %1").arg(s.name));
        while (hosts.next())
            s.hosts.append(hosts.value(0).toString());
        QSqlQuery origins(db);
        origins.prepare(QStringLiteral("SELECT address, port, weight, backup FROM site_origins "
                                       "WHERE site_id = ? ORDER BY id"));
        origins.addBindValue(s.id);
        if (!origins.exec())
            return toStoreError(origins, QStringLiteral("reading origins of %1").arg(s.name));
        while (origins.next())
            s.origins.append({QHostAddress(origins.value(0).toString()),
                              quint16(origins.value(1).toUInt()), origins.value(2).toInt(),
                              origins.value(3).toInt() != 0});
    }
    return sites;
}

Result<QList<Site>> SiteRepository::all() const
{
    return select(QString(), QVariant());
}

Result<std::optional<Site>> SiteRepository::byName(const QString &name) const
{
    const auto sites = select(QStringLiteral("WHERE name = ?"), name.toLower());
    if (!sites)
        return sites.error();
    return sites.value().isEmpty() ? std::nullopt : std::optional(sites.value().first());
}

Result<std::optional<Site>> SiteRepository::byId(qint64 id) const
{
    const auto sites = select(QStringLiteral("WHERE id = ?"), id);
    if (!sites)
        return sites.error();
    return sites.value().isEmpty() ? std::nullopt : std::optional(sites.value().first());
}

Result<QList<int>> SiteRepository::usedSlots() const
{
    QSqlQuery query(m_database.connection());
    if (!query.exec(QStringLiteral("SELECT slot FROM sites WHERE slot IS NOT NULL ORDER BY slot")))
        return toStoreError(query, QStringLiteral("reading slots"));
    QList<int> slots;
    while (query.next())
        slots.append(query.value(0).toInt());
    return slots;
}

Result<void> SiteRepository::setSlot(qint64 siteId, int slot)
{
    return m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery update(m_database.connection());
        update.prepare(QStringLiteral("UPDATE sites SET slot = ? WHERE id = ?"));
        update.addBindValue(slot >= 0 ? QVariant(slot) : QVariant(QMetaType::fromType<int>()));
        update.addBindValue(siteId);
        if (!update.exec())
            return toStoreError(update, QStringLiteral("setting the slot of site %1").arg(siteId));
        return {};
    });
}

Result<bool> SiteRepository::remove(const QString &name)
{
    bool removed = false;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery del(m_database.connection());
        del.prepare(QStringLiteral("DELETE FROM sites WHERE name = ?"));
        del.addBindValue(name.toLower());
        if (!del.exec())
            return toStoreError(del, QStringLiteral("removing site %1").arg(name));
        removed = del.numRowsAffected() > 0;
        return {};
    });
    if (!written)
        return written.error();
    return removed;
}

Result<void> SiteRepository::setProvisioning(qint64 siteId, const QList<SiteProvisioning> &states)
{
    return m_database.writeTransaction([&]() -> Result<void> {
        for (const SiteProvisioning &s : states) {
            QSqlQuery upsert(m_database.connection());
            upsert.prepare(QStringLiteral(
                "INSERT INTO site_provisioning (site_id, proxy, state, attempts, error, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, proxy) DO UPDATE "
                "SET state = excluded.state, attempts = excluded.attempts, error = "
                "excluded.error, updated_at = excluded.updated_at"));
            upsert.addBindValue(siteId);
            upsert.addBindValue(s.proxy);
            upsert.addBindValue(s.state);
            upsert.addBindValue(s.attempts);
            upsert.addBindValue(text(s.error.left(500)));
            upsert.addBindValue(s.updatedAtMs);
            if (!upsert.exec())
                return toStoreError(upsert, QStringLiteral("storing provisioning state"));
        }
        return {};
    });
}

Result<QList<SiteProvisioning>> SiteRepository::provisioning(qint64 siteId) const
{
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral("SELECT proxy, state, attempts, error, updated_at FROM "
                                 "site_provisioning WHERE site_id = ? ORDER BY proxy"));
    query.addBindValue(siteId);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading provisioning state"));
    QList<SiteProvisioning> states;
    while (query.next())
        states.append({query.value(0).toString(), query.value(1).toString(), query.value(2).toInt(),
                       query.value(3).toString(), query.value(4).toLongLong()});
    return states;
}

} // namespace headroom
