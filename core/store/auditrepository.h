#pragma once

#include "domain/audit.h"
#include "store/result.h"

#include <QList>
#include <optional>

namespace headroom {

class Database;

// The audit_log table: the one place that writes and reads it. Rows are only ever appended.
// Actor, action and detail are bounded and their control characters replaced, so that no caller
// can forge a line in the log or in a terminal that prints it.
class AuditRepository final
{
public:
    static constexpr int MaxActor = 100;
    static constexpr int MaxAction = 64;
    static constexpr int MaxDetail = 1000;
    static constexpr int MaxList = 100000;

    explicit AuditRepository(Database &database);

    // Appends one row; inside the caller's write transaction when there is one.
    Result<qint64> add(const AuditEntry &entry);
    // Newest first: at most `limit` rows (1..MaxList), only those at or after `sinceMs` if given.
    Result<QList<AuditEntry>> list(int limit, std::optional<qint64> sinceMs = std::nullopt) const;

    // `text` cut to `max` characters, control characters (newlines included) as spaces, trimmed.
    static QString clean(const QString &text, int max);

private:
    Database &m_database;
};

} // namespace headroom
