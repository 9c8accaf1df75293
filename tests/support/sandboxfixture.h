#pragma once

#include "sandbox/sandbox.h"

#include <QHostAddress>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace headroom::test {

// A blocking HTTP/1.0 GET with a Host header, for tests (only while nothing needs the event loop).
struct HttpResult
{
    int status = -1;
    QByteArray headers;
    QByteArray body;
};
HttpResult httpGet(const QHostAddress &address, quint16 port, const QByteArray &host,
                   const QByteArray &path = "/");

// One run of headroomctl, for tests.
struct CtlRun
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;
};

// headroomctl with `arguments`, waited for (at most timeoutMs).
CtlRun runCtl(const QStringList &arguments, int timeoutMs = 60000,
              const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
// --port-base and --state-dir of the sandbox.
QStringList sandboxArgs(const SandboxLayout &layout);

// One sandbox per test binary, on free ports, in a temporary state directory; always torn down
// (destructor, and at exit). A server that cannot start makes up() fail: tests never skip.
class SandboxFixture final
{
public:
    SandboxFixture();
    ~SandboxFixture();

    bool up(QString *error, Sandbox::Options options = {});
    void down();

    const SandboxLayout &layout() const { return m_sandbox->layout(); }
    Sandbox &sandbox() { return *m_sandbox; }
    QString stateRoot() const { return m_dir.path(); }

    // A port base whose ports look free now (random, so parallel test binaries rarely collide).
    static int randomPortBase();
    // Processes whose command line mentions `text` (to prove nothing is left behind).
    static QList<qint64> processesMentioning(const QString &text);
    // The bin directory of this build (headroomctl lives there).
    static QString binDir();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Sandbox> m_sandbox;
};

} // namespace headroom::test
