#pragma once

// What every headroomctl verb shares: output streams, the sandbox-locating options and parsing.

#include "sandbox/sandboxlayout.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>
#include <optional>

namespace headroom::ctl {

QTextStream &out();
QTextStream &err();

extern const QCommandLineOption kPortBase;
extern const QCommandLineOption kStateDir;
extern const QCommandLineOption kJson;

// Adds --help, parses `arguments` as `command`. On --help prints it and sets *exitCode 0; on a
// parse error prints it and sets *exitCode 2; either way returns false.
bool parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
           int *exitCode);
// The sandbox layout named by --port-base / --state-dir (or the defaults); nullopt with *error.
std::optional<SandboxLayout> sandboxLayoutFrom(const QCommandLineParser &parser, QString *error);

} // namespace headroom::ctl
