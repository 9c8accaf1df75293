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
    return StoreError{context + QStringLiteral(": ") + detail, primary};
}

StoreError toStoreError(const QSqlQuery &query, const QString &context)
{
    return toStoreError(query.lastError(), context);
}

} // namespace headroom
