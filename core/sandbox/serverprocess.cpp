#include "serverprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <algorithm>
#include <csignal>
#include <sys/types.h>

namespace headroom {

namespace {

struct ProcStat
{
    bool exists = false;
    char state = '?';
    quint64 startTime = 0;
    qint64 parent = 0;
};

ProcStat readStat(qint64 pid)
{
    ProcStat st;
    if (pid <= 0)
        return st;
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return st;
    const QByteArray data = f.readAll();
    // "pid (comm) state ppid ..." - comm may hold spaces or ')', so split after the last ')'.
    const qsizetype close = data.lastIndexOf(')');
    if (close < 0)
        return st;
    const QList<QByteArray> fields = data.mid(close + 2).split(' ');
    if (fields.size() < 20)
        return st;
    st.exists = true;
    st.state = fields[0].isEmpty() ? '?' : fields[0].at(0);
    st.startTime = fields[19].toULongLong();
    st.parent = fields[1].toLongLong();
    return st;
}

// Every live process whose chain of parents leads to `root`.
QList<qint64> descendantsOf(qint64 root)
{
    QHash<qint64, QList<qint64>> children;
    const auto entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        const ProcStat st = readStat(pid);
        if (st.exists)
            children[st.parent].append(pid);
    }
    QList<qint64> out;
    QList<qint64> queue{root};
    while (!queue.isEmpty()) {
        for (const qint64 child : children.value(queue.takeFirst())) {
            if (!out.contains(child)) {
                out.append(child);
                queue.append(child);
            }
        }
    }
    return out;
}

} // namespace

QString ServerProcess::findProgram(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(
            name,
            {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/sbin")});
    return path;
}

bool ServerProcess::start(const QString &name, const QString &program, const QStringList &arguments,
                          const QString &workingDir, const QString &logFile, ServerProcess *out,
                          QString *error)
{
    QProcess p;
    p.setProgram(program);
    p.setArguments(arguments);
    p.setWorkingDirectory(workingDir);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setStandardOutputFile(logFile, QIODevice::Append);
    p.setStandardErrorFile(logFile, QIODevice::Append);
    qint64 pid = 0;
    if (!p.startDetached(&pid) || pid <= 0) {
        *error = QStringLiteral("%1: could not start %2: %3").arg(name, program, p.errorString());
        return false;
    }
    out->name = name;
    out->pid = pid;
    out->program = program;
    out->arguments = arguments;
    out->logFile = logFile;
    out->startTime = readStat(pid).startTime;
    return true;
}

bool ServerProcess::isAlive() const
{
    const ProcStat st = readStat(pid);
    return st.exists && st.state != 'Z' && st.state != 'X' && st.startTime == startTime;
}

bool ServerProcess::stop(int graceMs) const
{
    if (!isAlive())
        return true;
    ::kill(pid_t(pid), SIGTERM);
    QDeadlineTimer deadline(graceMs);
    while (!deadline.hasExpired()) {
        if (!isAlive())
            return true;
        QThread::msleep(20);
    }
    if (isAlive())
        ::kill(pid_t(pid), SIGKILL);
    QDeadlineTimer killDeadline(2000);
    while (!killDeadline.hasExpired()) {
        if (!isAlive())
            return true;
        QThread::msleep(20);
    }
    return !isAlive();
}

bool ServerProcess::kill() const
{
    if (!isAlive())
        return true;
    // Children first found, then the parent: a dead master cannot fork a new worker.
    const QList<qint64> children = descendantsOf(pid);
    ::kill(pid_t(pid), SIGKILL);
    for (const qint64 child : children)
        ::kill(pid_t(child), SIGKILL);
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        const bool childrenGone = std::none_of(children.cbegin(), children.cend(), [](qint64 c) {
            const ProcStat st = readStat(c);
            return st.exists && st.state != 'Z' && st.state != 'X';
        });
        if (!isAlive() && childrenGone)
            return true;
        QThread::msleep(20);
    }
    return false;
}

QJsonObject ServerProcess::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("pid"), pid},
            {QStringLiteral("start_time"), QString::number(startTime)},
            {QStringLiteral("program"), program},
            {QStringLiteral("arguments"), QJsonArray::fromStringList(arguments)},
            {QStringLiteral("log"), logFile}};
}

ServerProcess ServerProcess::fromJson(const QJsonObject &json)
{
    ServerProcess p;
    p.name = json.value(QStringLiteral("name")).toString();
    p.pid = json.value(QStringLiteral("pid")).toInteger();
    p.startTime = json.value(QStringLiteral("start_time")).toString().toULongLong();
    p.program = json.value(QStringLiteral("program")).toString();
    for (const auto &a : json.value(QStringLiteral("arguments")).toArray())
        p.arguments.append(a.toString());
    p.logFile = json.value(QStringLiteral("log")).toString();
    return p;
}

QString logTail(const QString &path, int lines)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const qint64 keep = 8192;
    if (f.size() > keep)
        f.seek(f.size() - keep);
    QStringList all = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return all.join(QLatin1Char('\n'));
}

} // namespace headroom
