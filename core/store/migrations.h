#pragma once

#include "store/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace headroom {

class Database;

// One step of the schema's history. Released migrations are never edited: a change to the schema
// is a new migration appended to the list.
struct Migration
{
    int version = 0;        // 1, 2, 3, ... without gaps; stored in PRAGMA user_version once applied
    QString description;    // for error messages
    QStringList statements; // executed in order; SQLite runs one statement per exec
    // True for a migration that rebuilds tables other tables refer to (SQLite's "create new,
    // copy, drop old, rename" procedure): foreign key enforcement is off while it runs, so
    // dropping the old table does not cascade, and PRAGMA foreign_key_check must pass before it
    // commits.
    bool rebuildsTables = false;
};

// The schema this build knows, oldest first.
const QList<Migration> &builtInMigrations();

// The version a database reaches after applying every migration in the list (0 for an empty list).
int latestVersion(const QList<Migration> &migrations);

// Brings the open database up to latestVersion(migrations). Each migration runs in its own write
// transaction together with its user_version bump, so a failing migration leaves the file at the
// previous version. A database newer than the list is refused, never downgraded. Safe to run from
// two processes at once: each step re-reads the version under the write lock.
Result<void> migrate(Database &database);
Result<void> migrate(Database &database, const QList<Migration> &migrations);

} // namespace headroom
