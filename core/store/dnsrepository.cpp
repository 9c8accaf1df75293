#include "store/dnsrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <cmath>
#include <limits>

namespace headroom {
namespace {

constexpr qsizetype MaxRdataLength = 0xffff;

// Qt binds a null QString or QByteArray as SQL NULL; the columns are NOT NULL and empty is what
// we mean.
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

QByteArray blob(const QByteArray &value)
{
    return value.isNull() ? QByteArray(0, '\0') : value;
}

// The rdata column: each RDATA as a 2-octet big-endian length, then its bytes.
std::optional<QByteArray> encodeRdatas(const QList<QByteArray> &rdatas)
{
    QByteArray out;
    for (const QByteArray &rdata : rdatas) {
        if (rdata.size() > MaxRdataLength)
            return std::nullopt;
        out.append(char(quint8(rdata.size() >> 8)));
        out.append(char(quint8(rdata.size() & 0xff)));
        out.append(rdata);
    }
    return out;
}

// Empty when the blob decodes; otherwise why not.
QString decodeRdatas(const QByteArray &bytes, QList<QByteArray> *rdatas)
{
    qsizetype at = 0;
    while (at < bytes.size()) {
        if (bytes.size() - at < 2)
            return QStringLiteral("the RDATA list ends inside a length at octet %1").arg(at);
        const qsizetype length = qsizetype(quint8(bytes.at(at))) << 8 | quint8(bytes.at(at + 1));
        at += 2;
        if (bytes.size() - at < length)
            return QStringLiteral("an RDATA of %1 octets at octet %2 runs past the end (%3 "
                                  "octets)")
                .arg(length)
                .arg(at - 2)
                .arg(bytes.size());
        rdatas->append(bytes.mid(at, length));
        at += length;
    }
    return QString();
}

QString describeOwner(const QString &owner)
{
    // Hostile text goes into messages only in a form that cannot break a log line.
    QString shown = owner.left(300);
    for (QChar &c : shown) {
        if (!c.isPrint())
            c = QChar(u'?');
    }
    return QStringLiteral("'%1'").arg(shown);
}

// Columns in the order both SELECTs below list them.
constexpr auto DesiredColumns =
    "SELECT owner, present, type, ttl, rdata, updated_at FROM dns_desired";

Result<DesiredName> desiredFromRow(const QSqlQuery &query)
{
    const QString owner = query.value(0).toString();
    const auto bad = [&](const QString &why) {
        return StoreError{QStringLiteral("the stored DNS name %1 is unusable: %2")
                              .arg(describeOwner(owner), why)};
    };

    QString nameError;
    const std::optional<DnsName> name = DnsName::parse(owner, &nameError);
    if (!name)
        return bad(QStringLiteral("the owner is not a valid name (%1)").arg(nameError));

    bool presentOk = false;
    bool typeOk = false;
    bool ttlOk = false;
    const qint64 present = query.value(1).toLongLong(&presentOk);
    const qint64 type = query.value(2).toLongLong(&typeOk);
    const qint64 ttl = query.value(3).toLongLong(&ttlOk);
    if (!presentOk || (present != 0 && present != 1))
        return bad(QStringLiteral("'present' is not 0 or 1"));
    if (!typeOk || type < 0 || type > 0xffff)
        return bad(QStringLiteral("the record type is out of range"));
    if (!ttlOk || ttl < 0 || ttl > qint64(std::numeric_limits<quint32>::max()))
        return bad(QStringLiteral("the TTL is out of range"));

    DesiredName desired;
    desired.owner = *name;
    desired.present = present == 1;
    desired.type = quint16(type);
    desired.ttl = quint32(ttl);
    desired.updatedAtMs = query.value(5).toLongLong();
    const QString rdataError = decodeRdatas(query.value(4).toByteArray(), &desired.rdatas);
    if (!rdataError.isEmpty())
        return bad(rdataError);
    return desired;
}

Result<void> writeDesired(QSqlDatabase db, const DesiredName &name, const QByteArray &rdata)
{
    QSqlQuery upsert(db);
    upsert.prepare(QStringLiteral(
        "INSERT INTO dns_desired (owner, present, type, ttl, rdata, updated_at) "
        "VALUES (:owner, :present, :type, :ttl, :rdata, :updated_at) "
        "ON CONFLICT (owner) DO UPDATE SET present = excluded.present, type = excluded.type, "
        "ttl = excluded.ttl, rdata = excluded.rdata, updated_at = excluded.updated_at"));
    upsert.bindValue(QStringLiteral(":owner"), name.owner.absolute());
    upsert.bindValue(QStringLiteral(":present"), name.present ? 1 : 0);
    upsert.bindValue(QStringLiteral(":type"), int(name.type));
    upsert.bindValue(QStringLiteral(":ttl"), qint64(name.ttl));
    upsert.bindValue(QStringLiteral(":rdata"), blob(rdata));
    upsert.bindValue(QStringLiteral(":updated_at"), name.updatedAtMs);
    if (!upsert.exec())
        return toStoreError(upsert,
                            QStringLiteral("storing DNS name %1").arg(name.owner.absolute()));
    return {};
}

// The encoded rdata column for each name, or an error for the first that cannot be stored.
Result<QList<QByteArray>> encodeAll(const QList<DesiredName> &names)
{
    QList<QByteArray> encoded;
    encoded.reserve(names.size());
    for (const DesiredName &name : names) {
        if (name.owner.relative().isEmpty())
            return StoreError{QStringLiteral("a desired DNS name needs an owner")};
        const std::optional<QByteArray> rdata = encodeRdatas(name.rdatas);
        if (!rdata)
            return StoreError{QStringLiteral("DNS name %1: an RDATA is longer than %2 octets")
                                  .arg(name.owner.absolute())
                                  .arg(MaxRdataLength)};
        encoded.append(*rdata);
    }
    return encoded;
}

ImportedName importedFromRow(const QSqlQuery &query)
{
    ImportedName name;
    name.zone = query.value(0).toString();
    name.name = query.value(1).toString();
    name.type = query.value(2).toString();
    name.value = query.value(3).toString();
    name.ttl = quint32(qBound<qint64>(0, query.value(4).toLongLong(),
                                      qint64(std::numeric_limits<quint32>::max())));
    name.importedAtMs = query.value(5).toLongLong();
    return name;
}

} // namespace

// --- DnsDesiredRepository

DnsDesiredRepository::DnsDesiredRepository(Database &database) : m_database(database) {}

Result<void> DnsDesiredRepository::upsert(const DesiredName &name)
{
    return upsertAll({name});
}

Result<void> DnsDesiredRepository::upsertAll(const QList<DesiredName> &names)
{
    const Result<QList<QByteArray>> encoded = encodeAll(names);
    if (!encoded)
        return encoded.error();
    if (names.isEmpty())
        return {};
    return m_database.writeTransaction([&]() -> Result<void> {
        for (qsizetype i = 0; i < names.size(); ++i) {
            const Result<void> written =
                writeDesired(m_database.connection(), names.at(i), encoded.value().at(i));
            if (!written)
                return written;
        }
        return {};
    });
}

Result<QList<DesiredName>> DnsDesiredRepository::all() const
{
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    if (!query.exec(QLatin1String(DesiredColumns) + QStringLiteral(" ORDER BY owner")))
        return toStoreError(query, QStringLiteral("listing desired DNS names"));
    QList<DesiredName> names;
    while (query.next()) {
        Result<DesiredName> name = desiredFromRow(query);
        if (!name)
            return name.error();
        names.append(std::move(name).value());
    }
    if (query.lastError().isValid())
        return toStoreError(query, QStringLiteral("listing desired DNS names"));
    return names;
}

Result<std::optional<DesiredName>> DnsDesiredRepository::byOwner(const DnsName &owner) const
{
    const QString context = QStringLiteral("reading DNS name %1").arg(owner.absolute());
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QLatin1String(DesiredColumns) + QStringLiteral(" WHERE owner = :owner"));
    query.bindValue(QStringLiteral(":owner"), owner.absolute());
    if (!query.exec())
        return toStoreError(query, context);
    if (!query.next()) {
        if (query.lastError().isValid())
            return toStoreError(query, context);
        return std::optional<DesiredName>();
    }
    Result<DesiredName> name = desiredFromRow(query);
    if (!name)
        return name.error();
    return std::optional<DesiredName>(std::move(name).value());
}

Result<bool> DnsDesiredRepository::remove(const DnsName &owner)
{
    bool removed = false;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery query(m_database.connection());
        query.prepare(QStringLiteral("DELETE FROM dns_desired WHERE owner = :owner"));
        query.bindValue(QStringLiteral(":owner"), owner.absolute());
        if (!query.exec())
            return toStoreError(query,
                                QStringLiteral("removing DNS name %1").arg(owner.absolute()));
        removed = query.numRowsAffected() > 0;
        return {};
    });
    if (!written)
        return written.error();
    return removed;
}

// --- ImportedNameRepository

ImportedNameRepository::ImportedNameRepository(Database &database) : m_database(database) {}

Result<void> ImportedNameRepository::replaceZone(const QString &zone,
                                                 const QList<ImportedName> &names)
{
    if (zone.isEmpty())
        return StoreError{QStringLiteral("imported names need a zone")};
    return m_database.writeTransaction([&]() -> Result<void> {
        const QSqlDatabase db = m_database.connection();
        QSqlQuery clear(db);
        clear.prepare(QStringLiteral("DELETE FROM imported_names WHERE zone = :zone"));
        clear.bindValue(QStringLiteral(":zone"), zone);
        if (!clear.exec())
            return toStoreError(clear, QStringLiteral("replacing the names of zone %1").arg(zone));

        // Only a repeated row is skipped; a CHECK violation still fails the whole import.
        QSqlQuery insert(db);
        insert.prepare(
            QStringLiteral("INSERT INTO imported_names (zone, name, type, value, ttl, imported_at) "
                           "VALUES (:zone, :name, :type, :value, :ttl, :imported_at) "
                           "ON CONFLICT (zone, name, type, value) DO NOTHING"));
        for (const ImportedName &name : names) {
            insert.bindValue(QStringLiteral(":zone"), zone);
            insert.bindValue(QStringLiteral(":name"), text(name.name));
            insert.bindValue(QStringLiteral(":type"), text(name.type));
            insert.bindValue(QStringLiteral(":value"), text(name.value));
            insert.bindValue(QStringLiteral(":ttl"), qint64(name.ttl));
            insert.bindValue(QStringLiteral(":imported_at"), name.importedAtMs);
            if (!insert.exec())
                return toStoreError(insert, QStringLiteral("importing %1 %2 %3 into zone %4")
                                                .arg(name.name, name.type, name.value, zone));
        }
        return {};
    });
}

Result<QList<ImportedName>> ImportedNameRepository::byZone(const QString &zone) const
{
    const QString context = QStringLiteral("reading the imported names of zone %1").arg(zone);
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT zone, name, type, value, ttl, imported_at "
                                 "FROM imported_names WHERE zone = :zone "
                                 "ORDER BY name, type, value"));
    query.bindValue(QStringLiteral(":zone"), zone);
    if (!query.exec())
        return toStoreError(query, context);
    QList<ImportedName> names;
    while (query.next())
        names.append(importedFromRow(query));
    if (query.lastError().isValid())
        return toStoreError(query, context);
    return names;
}

Result<QStringList> ImportedNameRepository::zones() const
{
    const QString context = QStringLiteral("listing imported zones");
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT DISTINCT zone FROM imported_names ORDER BY zone")))
        return toStoreError(query, context);
    QStringList zones;
    while (query.next())
        zones.append(query.value(0).toString());
    if (query.lastError().isValid())
        return toStoreError(query, context);
    return zones;
}

// --- UpdateLogRepository

UpdateLogRepository::UpdateLogRepository(Database &database) : m_database(database) {}

Result<void> UpdateLogRepository::append(const UpdateLogEntry &entry)
{
    if (entry.changes < 0)
        return StoreError{QStringLiteral("an update log entry cannot have negative changes")};
    // NaN would be stored as NULL; a negative latency is a clock artefact.
    const double latency = std::isfinite(entry.latencyMs) ? qMax(0.0, entry.latencyMs) : 0.0;
    return m_database.writeTransaction([&]() -> Result<void> {
        const QSqlDatabase db = m_database.connection();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
            "INSERT INTO dns_update_log (at, zone, changes, ok, rcode, error, latency_ms) "
            "VALUES (:at, :zone, :changes, :ok, :rcode, :error, :latency_ms)"));
        insert.bindValue(QStringLiteral(":at"), entry.atMs);
        insert.bindValue(QStringLiteral(":zone"), text(entry.zone));
        insert.bindValue(QStringLiteral(":changes"), entry.changes);
        insert.bindValue(QStringLiteral(":ok"), entry.ok ? 1 : 0);
        insert.bindValue(QStringLiteral(":rcode"), entry.rcode);
        insert.bindValue(QStringLiteral(":error"), text(entry.error));
        insert.bindValue(QStringLiteral(":latency_ms"), latency);
        if (!insert.exec())
            return toStoreError(insert,
                                QStringLiteral("logging an update of zone %1").arg(entry.zone));

        QSqlQuery trim(db);
        trim.prepare(QStringLiteral(
            "DELETE FROM dns_update_log WHERE id NOT IN (SELECT id FROM dns_update_log "
            "ORDER BY at DESC, id DESC LIMIT :keep)"));
        trim.bindValue(QStringLiteral(":keep"), MaxEntries);
        if (!trim.exec())
            return toStoreError(trim, QStringLiteral("trimming the update log"));
        return {};
    });
}

Result<QList<UpdateLogEntry>> UpdateLogRepository::latest(int n) const
{
    if (n <= 0)
        return QList<UpdateLogEntry>();
    const QString context = QStringLiteral("reading the update log");
    QSqlQuery query(m_database.connection());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT at, zone, changes, ok, rcode, error, latency_ms "
                                 "FROM dns_update_log ORDER BY at DESC, id DESC LIMIT :n"));
    query.bindValue(QStringLiteral(":n"), n);
    if (!query.exec())
        return toStoreError(query, context);
    QList<UpdateLogEntry> entries;
    while (query.next()) {
        UpdateLogEntry entry;
        entry.atMs = query.value(0).toLongLong();
        entry.zone = query.value(1).toString();
        entry.changes = query.value(2).toInt();
        entry.ok = query.value(3).toLongLong() != 0;
        entry.rcode = query.value(4).toInt();
        entry.error = query.value(5).toString();
        entry.latencyMs = query.value(6).toDouble();
        entries.append(entry);
    }
    if (query.lastError().isValid())
        return toStoreError(query, context);
    return entries;
}

Result<std::optional<UpdateFailureRun>> UpdateLogRepository::currentFailureRun() const
{
    const QString context = QStringLiteral("reading the update log");
    QSqlQuery run(m_database.connection());
    run.setForwardOnly(true);
    run.prepare(QStringLiteral(
        "SELECT MIN(at), MAX(at), COUNT(*) FROM dns_update_log WHERE ok = 0 AND at > "
        "COALESCE((SELECT MAX(at) FROM dns_update_log WHERE ok = 1), -1)"));
    if (!run.exec() || !run.next())
        return toStoreError(run, context);
    const int failures = run.value(2).toInt();
    if (failures == 0)
        return std::optional<UpdateFailureRun>();
    UpdateFailureRun out;
    out.sinceMs = run.value(0).toLongLong();
    out.lastMs = run.value(1).toLongLong();
    out.failures = failures;
    run.finish();
    QSqlQuery last(m_database.connection());
    last.setForwardOnly(true);
    last.prepare(QStringLiteral(
        "SELECT error FROM dns_update_log WHERE ok = 0 ORDER BY at DESC, id DESC LIMIT 1"));
    if (!last.exec())
        return toStoreError(last, context);
    if (last.next())
        out.lastError = last.value(0).toString();
    return std::optional<UpdateFailureRun>(out);
}

} // namespace headroom
