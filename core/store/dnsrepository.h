#pragma once

#include "dns/desiredname.h"
#include "domain/importedname.h"
#include "domain/updatelogentry.h"
#include "store/result.h"

#include <QList>
#include <QStringList>
#include <optional>

namespace headroom {

class Database;

// The dns_desired table: what each name we manage should serve, keyed by its owner. Rows are
// read back as DesiredName; a row that no longer makes one (an owner that is not a valid name,
// a malformed RDATA list) fails the read with an error naming the owner rather than being
// skipped, because reconciling against half the desired state would delete the rest.
class DnsDesiredRepository final
{
public:
    explicit DnsDesiredRepository(Database &database);

    // Inserts the name, or replaces every field of the row with the same owner.
    Result<void> upsert(const DesiredName &name);
    // The same for every name, in one transaction: all are stored or none.
    Result<void> upsertAll(const QList<DesiredName> &names);
    // Every row, ordered by owner (absolute name text).
    Result<QList<DesiredName>> all() const;
    Result<std::optional<DesiredName>> byOwner(const DnsName &owner) const;
    // True if a row was removed, false if there was none for that owner.
    Result<bool> remove(const DnsName &owner);

private:
    Database &m_database;
};

// The imported_names table, one zone's records at a time.
class ImportedNameRepository final
{
public:
    explicit ImportedNameRepository(Database &database);

    // Replaces everything stored for `zone` with `names` (whose own zone field is ignored) in one
    // transaction: if any row is rejected, the zone keeps its previous content. Duplicate
    // (name, type, value) rows are stored once.
    Result<void> replaceZone(const QString &zone, const QList<ImportedName> &names);
    // Ordered by name, type, value.
    Result<QList<ImportedName>> byZone(const QString &zone) const;
    // Every zone with at least one stored name, ordered.
    Result<QStringList> zones() const;

private:
    Database &m_database;
};

// The dns_update_log table: a bounded history, newest entries kept.
class UpdateLogRepository final
{
public:
    static constexpr int MaxEntries = 1000;

    explicit UpdateLogRepository(Database &database);

    // Appends the entry and drops all but the newest MaxEntries (by time, then insertion).
    Result<void> append(const UpdateLogEntry &entry);
    // At most n entries, newest first; none for n <= 0.
    Result<QList<UpdateLogEntry>> latest(int n) const;
    // The failures logged after the newest success (whoever sent them: the controller, the
    // console's loop, `dns apply`); nullopt when the newest entry succeeded or there is none.
    Result<std::optional<UpdateFailureRun>> currentFailureRun() const;

private:
    Database &m_database;
};

} // namespace headroom
