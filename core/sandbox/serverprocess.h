#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace headroom {

// A server process started detached from us, identified by pid *and* kernel start time so that
// a recycled pid is never mistaken for it (and never signalled).
struct ServerProcess
{
    QString name;
    qint64 pid = 0;
    quint64 startTime = 0; // /proc/<pid>/stat field 22
    QString program;
    QStringList arguments;
    QString logFile;

    // Starts `program` detached, stdout and stderr appended to `logFile`.
    static bool start(const QString &name, const QString &program, const QStringList &arguments,
                      const QString &workingDir, const QString &logFile, ServerProcess *out,
                      QString *error);
    // Finds an executable in PATH, /usr/sbin and /usr/bin.
    static QString findProgram(const QString &name);

    bool isAlive() const;
    // SIGTERM, then SIGKILL after graceMs. Returns true when the process is gone.
    bool stop(int graceMs) const;
    // SIGKILL to the process and every process it started (a crash, as a test causes it).
    // Returns true when they are gone.
    bool kill() const;

    QJsonObject toJson() const;
    static ServerProcess fromJson(const QJsonObject &json);
};

// The last `lines` lines of a log file, for error messages.
QString logTail(const QString &path, int lines);

} // namespace headroom
