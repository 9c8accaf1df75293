#pragma once

#include "domain/proxy.h"
#include "store/result.h"

#include <QList>
#include <optional>

namespace headroom {

class Database;

// The proxies table. Proxies are identified by name; the row id is the store's business.
class ProxyRepository final
{
public:
    explicit ProxyRepository(Database &database);

    // Inserts the proxy, or replaces every field of the one with the same name (its id and
    // creation time are kept). Returns the row id.
    Result<qint64> upsert(const Proxy &proxy);
    // Every proxy, ordered by name.
    Result<QList<Proxy>> all() const;
    Result<std::optional<Proxy>> byName(const QString &name) const;
    // True if a proxy was removed, false if there was none by that name. Fails with a constraint
    // error while usage samples still refer to the proxy.
    Result<bool> remove(const QString &name);

private:
    Database &m_database;
};

} // namespace headroom
