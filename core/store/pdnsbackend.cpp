#include "pdnsbackend.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace headroom {

QString PdnsBackendSeeder::defaultSchemaPath()
{
    return QStringLiteral("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql");
}

namespace {

bool exec(QSqlQuery &q, QString *error)
{
    if (q.exec())
        return true;
    *error = q.lastError().text();
    return false;
}

bool fill(QSqlDatabase &db, const QString &schemaPath, const QList<PdnsBackendSeeder::Zone> &zones,
          const QString &keyName, const QString &algorithm, const QByteArray &secret,
          QString *error)
{
    QFile schema(schemaPath);
    if (!schema.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the PowerDNS schema %1 (is pdns-backend-sqlite3 "
                                "installed?)")
                     .arg(schemaPath);
        return false;
    }
    // The schema is the package's own file: statements separated by ';'.
    const QString text = QString::fromUtf8(schema.readAll());
    for (const QString &statement : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        if (statement.trimmed().isEmpty())
            continue;
        QSqlQuery q(db);
        if (!q.exec(statement)) {
            *error = QStringLiteral("PowerDNS schema: %1").arg(q.lastError().text());
            return false;
        }
    }
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery key(db);
    key.prepare(QStringLiteral("INSERT INTO tsigkeys(name, algorithm, secret) VALUES(?, ?, ?)"));
    key.addBindValue(keyName);
    key.addBindValue(algorithm);
    key.addBindValue(QString::fromLatin1(secret));
    if (!exec(key, error))
        return false;
    for (const auto &zone : zones) {
        QSqlQuery dom(db);
        dom.prepare(QStringLiteral("INSERT INTO domains(name, type) VALUES(?, 'NATIVE')"));
        dom.addBindValue(zone.name);
        if (!exec(dom, error))
            return false;
        const QVariant domainId = dom.lastInsertId();
        for (const auto &r : zone.records) {
            QSqlQuery rec(db);
            rec.prepare(QStringLiteral("INSERT INTO records(domain_id, name, type, content, ttl, "
                                       "prio, disabled, auth) VALUES(?, ?, ?, ?, ?, 0, 0, 1)"));
            rec.addBindValue(domainId);
            rec.addBindValue(r.name);
            rec.addBindValue(r.type);
            rec.addBindValue(r.content);
            rec.addBindValue(r.ttl);
            if (!exec(rec, error))
                return false;
        }
        const QList<std::pair<QString, QString>> meta = {
            {QStringLiteral("TSIG-ALLOW-DNSUPDATE"), keyName},
            {QStringLiteral("ALLOW-DNSUPDATE-FROM"), QStringLiteral("127.0.0.0/8")},
            {QStringLiteral("TSIG-ALLOW-AXFR"), keyName},
            {QStringLiteral("SOA-EDIT-DNSUPDATE"), QStringLiteral("INCREASE")},
        };
        for (const auto &[kind, content] : meta) {
            QSqlQuery m(db);
            m.prepare(QStringLiteral(
                "INSERT INTO domainmetadata(domain_id, kind, content) VALUES(?, ?, ?)"));
            m.addBindValue(domainId);
            m.addBindValue(kind);
            m.addBindValue(content);
            if (!exec(m, error))
                return false;
        }
    }
    if (!db.commit()) {
        *error = db.lastError().text();
        return false;
    }
    return true;
}

} // namespace

bool PdnsBackendSeeder::create(const QString &databasePath, const QString &schemaPath,
                               const QList<Zone> &zones, const QString &keyName,
                               const QString &algorithm, const QByteArray &secret, QString *error)
{
    QFile::remove(databasePath);
    QFile::remove(databasePath + QStringLiteral("-wal"));
    QFile::remove(databasePath + QStringLiteral("-shm"));
    // Create the file owner-only first: it holds the TSIG secret.
    {
        QFile f(databasePath);
        if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                    QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            *error = QStringLiteral("cannot create %1: %2").arg(databasePath, f.errorString());
            return false;
        }
    }
    const QString connection = QStringLiteral("pdns-seed-") + QUuid::createUuid().toString();
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(databasePath);
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            ok = fill(db, schemaPath, zones, keyName, algorithm, secret, error);
            if (!ok)
                db.rollback();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    if (!ok)
        *error = QStringLiteral("seeding the PowerDNS database failed: %1").arg(*error);
    return ok;
}

} // namespace headroom
