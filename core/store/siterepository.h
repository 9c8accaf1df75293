#pragma once

#include "domain/site.h"
#include "store/result.h"

#include <QList>
#include <optional>

namespace headroom {

class Database;

// One proxy's provisioning state for a site, as the controller last saw it.
struct SiteProvisioning
{
    QString proxy;
    QString state; // pending, provisioned, failed, removed
    int attempts = 0;
    QString error;
    qint64 updatedAtMs = 0;
};

// Sites with their Host names and origins. Every name is checked here (DnsName rules, lower
// case) and every origin is a unicast address with a port: what the proxies' configuration and
// the steering records are later built from.
class SiteRepository final
{
public:
    explicit SiteRepository(Database &database);

    // Stores a new site; fails on a name, label or host that another site already has.
    Result<qint64> add(const Site &site);
    Result<QList<Site>> all() const;
    Result<std::optional<Site>> byName(const QString &name) const;
    Result<std::optional<Site>> byId(qint64 id) const;
    // Slots taken by any site.
    Result<QList<int>> usedSlots() const;
    Result<void> setSlot(qint64 siteId, int slot); // -1 clears it
    // Fails while a lease refers to the site.
    Result<bool> remove(const QString &name);

    Result<void> setProvisioning(qint64 siteId, const QList<SiteProvisioning> &states);
    Result<QList<SiteProvisioning>> provisioning(qint64 siteId) const;

    // Empty when the site may be stored; else the first problem found.
    static QString validate(const Site &site);

private:
    Result<QList<Site>> select(const QString &where, const QVariant &value) const;

    Database &m_database;
};

} // namespace headroom
