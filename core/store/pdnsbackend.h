#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace headroom {

// Seeds a PowerDNS gsqlite3 backend database: the zones the proxy network serves, the TSIG key
// allowed to update them, and the metadata that requires it. Used only to create the sandbox's
// DNS server; at run time the server is driven solely through signed RFC 2136 UPDATEs.
class PdnsBackendSeeder final
{
public:
    struct Record
    {
        QString name; // absolute, no trailing dot (PowerDNS's storage form)
        QString type;
        QString content;
        int ttl = 60;
    };
    struct Zone
    {
        QString name;
        QList<Record> records;
    };

    static QString defaultSchemaPath();

    // Creates `databasePath` afresh (an existing file is replaced) and fills it.
    static bool create(const QString &databasePath, const QString &schemaPath,
                       const QList<Zone> &zones, const QString &keyName, const QString &algorithm,
                       const QByteArray &secret, QString *error);
};

} // namespace headroom
