#pragma once

// What every headroomctl verb shares: output streams, the sandbox-locating options and parsing.

#include "sandbox/sandboxlayout.h"
#include "settings/appsettings.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QHostAddress>
#include <QTextStream>
#include <optional>

namespace headroom {
class Database;
}

namespace headroom::ctl {

QTextStream &out();
QTextStream &err();

extern const QCommandLineOption kPortBase;
extern const QCommandLineOption kStateDir;
extern const QCommandLineOption kJson;
extern const QCommandLineOption kDb; // --db PATH

// Adds --help, parses `arguments` as `command`. On --help prints it and sets *exitCode 0; on a
// parse error prints it and sets *exitCode 2; either way returns false.
bool parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
           int *exitCode);
// The sandbox layout named by --port-base / --state-dir (or the defaults); nullopt with *error.
std::optional<SandboxLayout> sandboxLayoutFrom(const QCommandLineParser &parser, QString *error);

// The console's settings (its file, whichever program reads them).
AppSettings consoleSettings();

// Opens the database a verb works on: --db, else the sandbox's when one has been created at the
// port base / state dir, else the console's configured one. Prints why not and returns false.
bool openCommandDatabase(Database &db, const QCommandLineParser &parser, const QString &command);

// Appends an audit row for an action whose effect is outside the database (a proxy changed, an
// UPDATE sent) to the database at `databasePath`; on failure prints a warning, as the action
// itself is done.
void auditNote(const QString &databasePath, const QString &command, const QString &action,
               const QString &detail);

// A time given on the command line, as unix seconds: ISO 8601 (UTC unless it has an offset),
// unix seconds, "now", or "+N[s|m|h|d]" from now. nullopt with *error.
std::optional<qint64> parseTime(const QString &text, QString *error);

// An origin server on the command line: ADDR:PORT[=W][,backup] ([v6]:PORT for IPv6, W 1-256).
struct OriginArg
{
    QHostAddress address;
    quint16 port = 0;
    int weight = 1;
    bool backup = false;
};
std::optional<OriginArg> parseOriginArg(const QString &text, QString *error);

} // namespace headroom::ctl
