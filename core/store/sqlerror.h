#pragma once

#include "store/result.h"

class QSqlError;
class QSqlQuery;

namespace headroom {

// Turns a Qt SQL error into a StoreError, keeping SQLite's result code so callers can tell a busy
// database (worth retrying) from a constraint violation (not). Internal to core/store.
StoreError toStoreError(const QSqlError &error, const QString &context);
StoreError toStoreError(const QSqlQuery &query, const QString &context);

} // namespace headroom
