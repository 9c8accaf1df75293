#include "store/sqlerror.h"

#include <QSqlError>
#include <QSqlQuery>

namespace headroom {

StoreError toStoreError(const QSqlError &error, const QString &context)
{
    bool isNumber = false;
    const int code = error.nativeErrorCode().toInt(&isNumber);
    // Extended result codes carry the primary code in their low byte.
    const int primary = isNumber ? (code & 0xff) : 0;
    QString detail = error.text().trimmed();
    if (detail.isEmpty())
        detail = QStringLiteral("unknown error");
    // SQLITE_FULL: the file system is out of space (or the database at its size limit). SQLite
    // has rolled the statement or transaction back, so the file is intact.
    if (primary == 13)
        return StoreError{QStringLiteral("disk full: %1: %2; nothing was written (free space on "
                                         "the database's file system and try again)")
                              .arg(context, detail),
                          primary};
    return StoreError{context + QStringLiteral(": ") + detail, primary};
}

StoreError toStoreError(const QSqlQuery &query, const QString &context)
{
    return toStoreError(query.lastError(), context);
}

} // namespace headroom
