#include "sandboxfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <cstdlib>

namespace headroom::test {

namespace {
SandboxFixture *g_live = nullptr;
void tearDownAtExit()
{
    if (g_live)
        g_live->down();
}
} // namespace

SandboxFixture::SandboxFixture() : m_dir(QDir::tempPath() + QStringLiteral("/headroom-test-XXXXXX"))
{
    g_live = this;
    static bool registered = false;
    if (!registered) {
        std::atexit(tearDownAtExit);
        registered = true;
    }
}

SandboxFixture::~SandboxFixture()
{
    down();
    if (g_live == this)
        g_live = nullptr;
}

int SandboxFixture::randomPortBase()
{
    // 20000-59000 in steps of 50: well clear of the default base and of ephemeral ports' start.
    return 20000 + 50 * int(QRandomGenerator::global()->bounded(780));
}

QString SandboxFixture::binDir()
{
    const QString fromEnv = qEnvironmentVariable("HEADROOM_BIN_DIR");
    return fromEnv.isEmpty() ? QCoreApplication::applicationDirPath() : fromEnv;
}

bool SandboxFixture::up(QString *error, Sandbox::Options options)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary state directory");
        return false;
    }
    if (options.trafficProgram.isEmpty())
        options.trafficProgram = binDir() + QStringLiteral("/headroomctl");
    for (int attempt = 0; attempt < 6; ++attempt) {
        const int base = randomPortBase();
        const auto layout = SandboxLayout::make(
            base, m_dir.path() + QStringLiteral("/sandbox-%1").arg(base), error);
        if (!layout)
            return false;
        m_sandbox = std::make_unique<Sandbox>(*layout);
        if (m_sandbox->up(options, error))
            return true;
        if (!error->contains(QLatin1String("already in use")))
            return false;
    }
    return false;
}

void SandboxFixture::down()
{
    if (!m_sandbox)
        return;
    QString ignored;
    m_sandbox->down(&ignored);
}

QList<qint64> SandboxFixture::processesMentioning(const QString &text)
{
    QList<qint64> found;
    const QByteArray needle = text.toUtf8();
    const auto entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok || pid == QCoreApplication::applicationPid())
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (stat.open(QIODevice::ReadOnly)) {
            const QByteArray s = stat.readAll();
            const qsizetype close = s.lastIndexOf(')');
            if (close > 0 && close + 2 < s.size() && s.at(close + 2) == 'Z')
                continue; // a zombie is gone; only its exit status remains for its parent
        }
        QFile cmd(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmd.open(QIODevice::ReadOnly) && cmd.readAll().contains(needle))
            found.append(pid);
    }
    return found;
}

HttpResult httpGet(const QHostAddress &address, quint16 port, const QByteArray &host,
                   const QByteArray &path)
{
    HttpResult r;
    QTcpSocket s;
    s.connectToHost(address, port);
    if (!s.waitForConnected(2000))
        return r;
    s.write("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n");
    QByteArray all;
    while (s.waitForReadyRead(2000))
        all += s.readAll();
    all += s.readAll();
    const qsizetype split = all.indexOf("\r\n\r\n");
    r.headers = all.left(split);
    r.body = split < 0 ? QByteArray() : all.mid(split + 4);
    const QList<QByteArray> first = r.headers.left(r.headers.indexOf('\r')).split(' ');
    r.status = first.size() > 1 ? first[1].toInt() : -1;
    return r;
}

CtlRun runCtl(const QStringList &arguments, int timeoutMs, const QProcessEnvironment &environment)
{
    QProcess p;
    p.setProcessEnvironment(environment);
    QElapsedTimer clock;
    clock.start();
    p.start(SandboxFixture::binDir() + QStringLiteral("/headroomctl"), arguments);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return {-1, p.readAllStandardOutput(), p.readAllStandardError() + "\n(timed out)",
                clock.elapsed()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError(), clock.elapsed()};
}

QStringList sandboxArgs(const SandboxLayout &layout)
{
    return {QStringLiteral("--port-base"), QString::number(layout.portBase),
            QStringLiteral("--state-dir"), layout.stateDir};
}

} // namespace headroom::test
