#pragma once

#include "store/auditrepository.h"
#include "store/database.h"

#include <QString>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace headroom {

// Writes operator actions to the audit log. A change kept in the database is recorded in the same
// durable write transaction as the row that says who made it: both commit, or neither. A change
// outside the database (an UPDATE sent to the DNS server, servers added to a proxy) is noted after
// the fact, with its outcome.
class AuditLog final
{
public:
    using Clock = std::function<qint64()>; // UTC milliseconds

    AuditLog(Database &database, QString actor, Clock clock = {});

    QString actor() const { return m_actor; }

    // Runs `work` (returning a Result<T>) and appends one row for `action` in one transaction;
    // `describe(value)` gives the row's detail. An empty detail means nothing changed (a cancel of
    // a lease that had ended, say): then no row is written. A failed work writes nothing either.
    // `work` may run more than once (a busy database is retried), so it must only touch the
    // database.
    template <typename Work, typename Describe>
    requires(!std::is_same_v<std::invoke_result_t<Work>, Result<void>>) auto record(
        const QString &action, Work &&work, Describe &&describe) -> std::invoke_result_t<Work>;
    // The same for work that returns Result<void>, with a fixed detail.
    Result<void> record(const QString &action, const std::function<Result<void>()> &work,
                        const QString &detail);
    // A row on its own, for what happened outside the database.
    Result<void> note(const QString &action, const QString &detail);

    // The login name of the user running this process (from the password database for the
    // effective uid, else $USER / $LOGNAME), "unknown" when there is none.
    static QString loginName();
    // "operator:<name>": headroomctl; `name` defaults to loginName().
    static QString operatorActor(const QString &name = QString());
    // "console:<login name>": the console.
    static QString consoleActor();

private:
    Result<void> append(const QString &action, const QString &detail);

    Database &m_database;
    QString m_actor;
    Clock m_clock;
};

template <typename Work, typename Describe>
requires(!std::is_same_v<std::invoke_result_t<Work>, Result<void>>) auto AuditLog::record(
    const QString &action, Work &&work, Describe &&describe) -> std::invoke_result_t<Work>
{
    using R = std::invoke_result_t<Work>;
    std::optional<R> outcome;
    const Result<void> done = m_database.durableWriteTransaction([&]() -> Result<void> {
        outcome.emplace(work());
        if (!*outcome)
            return outcome->error();
        const QString detail = describe(outcome->value());
        if (detail.isEmpty())
            return {};
        return append(action, detail);
    });
    if (!done)
        return done.error();
    return std::move(*outcome);
}

} // namespace headroom
