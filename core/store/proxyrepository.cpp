#include "store/proxyrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace headroom {
namespace {

// Columns in the order both SELECTs below list them.
Proxy fromRow(const QSqlQuery &query)
{
    Proxy proxy;
    proxy.id = query.value(0).toLongLong();
    proxy.name = query.value(1).toString();
    proxy.address = QHostAddress(query.value(2).toString());
    proxy.httpPort = static_cast<quint16>(query.value(3).toUInt());
    proxy.metricsPort = static_cast<quint16>(query.value(4).toUInt());
    proxy.capacityRps = query.value(5).toDouble();
    proxy.pool = query.value(6).toString();
    return proxy;
}

// Qt binds a null QString as SQL NULL; the text columns are NOT NULL and empty is what we mean.
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

} // namespace

ProxyRepository::ProxyRepository(Database &database) : m_database(database) {}

Result<qint64> ProxyRepository::upsert(const Proxy &proxy)
{
    if (proxy.name.isEmpty())
        return StoreError{QStringLiteral("a proxy needs a name")};
    if (!(proxy.capacityRps >= 0))
        return StoreError{
            QStringLiteral("proxy %1: capacity must be a non-negative number").arg(proxy.name)};

    qint64 id = 0;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        const QSqlDatabase db = m_database.connection();
        QSqlQuery upsert(db);
        upsert.prepare(QStringLiteral(
            "INSERT INTO proxies (name, address, http_port, metrics_port, capacity_rps, pool, "
            "created_at) VALUES (:name, :address, :http_port, :metrics_port, :capacity_rps, "
            ":pool, :created_at) "
            "ON CONFLICT (name) DO UPDATE SET address = excluded.address, "
            "http_port = excluded.http_port, metrics_port = excluded.metrics_port, "
            "capacity_rps = excluded.capacity_rps, pool = excluded.pool"));
        upsert.bindValue(QStringLiteral(":name"), proxy.name);
        upsert.bindValue(QStringLiteral(":address"),
                         text(proxy.address.isNull() ? QString() : proxy.address.toString()));
        upsert.bindValue(QStringLiteral(":http_port"), int(proxy.httpPort));
        upsert.bindValue(QStringLiteral(":metrics_port"), int(proxy.metricsPort));
        upsert.bindValue(QStringLiteral(":capacity_rps"), proxy.capacityRps);
        upsert.bindValue(QStringLiteral(":pool"), text(proxy.pool));
        upsert.bindValue(QStringLiteral(":created_at"), QDateTime::currentMSecsSinceEpoch());
        if (!upsert.exec())
            return toStoreError(upsert, QStringLiteral("storing proxy %1").arg(proxy.name));

        QSqlQuery select(db);
        select.prepare(QStringLiteral("SELECT id FROM proxies WHERE name = :name"));
        select.bindValue(QStringLiteral(":name"), proxy.name);
        if (!select.exec() || !select.next())
            return toStoreError(select, QStringLiteral("storing proxy %1").arg(proxy.name));
        id = select.value(0).toLongLong();
        return {};
    });
    if (!written)
        return written.error();
    return id;
}

Result<QList<Proxy>> ProxyRepository::all() const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT id, name, address, http_port, metrics_port, "
                                   "capacity_rps, pool FROM proxies ORDER BY name")))
        return toStoreError(query, QStringLiteral("listing proxies"));
    QList<Proxy> proxies;
    while (query.next())
        proxies.append(fromRow(query));
    if (query.lastError().isValid())
        return toStoreError(query, QStringLiteral("listing proxies"));
    return proxies;
}

Result<std::optional<Proxy>> ProxyRepository::byName(const QString &name) const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT id, name, address, http_port, metrics_port, capacity_rps, "
                                 "pool FROM proxies WHERE name = :name"));
    query.bindValue(QStringLiteral(":name"), name);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading proxy %1").arg(name));
    if (!query.next()) {
        if (query.lastError().isValid())
            return toStoreError(query, QStringLiteral("reading proxy %1").arg(name));
        return std::optional<Proxy>();
    }
    return std::optional<Proxy>(fromRow(query));
}

Result<bool> ProxyRepository::remove(const QString &name)
{
    bool removed = false;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery query(m_database.connection());
        query.prepare(QStringLiteral("DELETE FROM proxies WHERE name = :name"));
        query.bindValue(QStringLiteral(":name"), name);
        if (!query.exec())
            return toStoreError(query, QStringLiteral("removing proxy %1").arg(name));
        removed = query.numRowsAffected() > 0;
        return {};
    });
    if (!written)
        return written.error();
    return removed;
}

} // namespace headroom
