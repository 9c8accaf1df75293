#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <functional>

namespace headroom {

struct RuntimeReply
{
    bool ok = false; // the command was sent and the whole answer read
    QByteArray text; // the CLI's answer (HAProxy reports its own errors in here, as text)
    QString error;   // why !ok: rejected command, connect failure, timeout, oversized answer
};

// Asynchronous client for HAProxy's runtime API on a unix socket: one connection per command,
// the command and "\n" written, the answer read until HAProxy closes the connection.
// Never blocks. Commands holding a newline, ';' or another control character are refused, as
// they would smuggle further commands into the CLI.
class RuntimeApi final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const RuntimeReply &)>;

    explicit RuntimeApi(QString socketPath, QObject *parent = nullptr);
    ~RuntimeApi() override;

    QString socketPath() const { return m_socketPath; }
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    void setMaxReplyBytes(qsizetype bytes) { m_maxReplyBytes = bytes; }

    // `done` runs exactly once, always later from the event loop (never inside this call), and
    // not at all once `context` is destroyed or abortAll() was called.
    void command(const QString &command, QObject *context, Callback done);
    // Drops every command in flight without calling back.
    void abortAll();

    static bool isSafeCommand(const QString &command, QString *why);

private:
    QString m_socketPath;
    int m_timeoutMs = 2000;
    qsizetype m_maxReplyBytes = 16 * 1024 * 1024;
};

} // namespace headroom
