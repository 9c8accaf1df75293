#include "runtimeapi.h"

#include <QLocalSocket>
#include <QPointer>
#include <QTimer>
#include <memory>

namespace headroom {

namespace {

// One command in flight; a child of the RuntimeApi so that abortAll() and the destructor end it.
class RuntimeCall final : public QObject
{
    Q_OBJECT
public:
    RuntimeCall(QObject *parent, QObject *context, RuntimeApi::Callback done)
        : QObject(parent), m_context(context), m_done(std::move(done))
    {
    }

    void finish(RuntimeReply reply)
    {
        if (m_finished)
            return;
        m_finished = true;
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        deleteLater();
        if (m_context)
            m_done(reply);
    }

    void start(const QString &path, const QByteArray &line, int timeoutMs, qsizetype maxBytes)
    {
        m_maxBytes = maxBytes;
        m_socket = new QLocalSocket(this);
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, this, [this, timeoutMs] {
            finish({false, {}, QStringLiteral("no complete answer within %1 ms").arg(timeoutMs)});
        });
        timer->start(timeoutMs);
        connect(m_socket, &QLocalSocket::connected, this, [this, line] { m_socket->write(line); });
        connect(m_socket, &QLocalSocket::readyRead, this, [this] {
            m_buffer += m_socket->readAll();
            if (m_buffer.size() > m_maxBytes)
                finish({false, {}, QStringLiteral("answer larger than %1 bytes").arg(m_maxBytes)});
        });
        connect(m_socket, &QLocalSocket::disconnected, this, [this] {
            if (m_socket->bytesAvailable() > 0)
                m_buffer += m_socket->readAll();
            if (m_buffer.size() > m_maxBytes)
                finish({false, {}, QStringLiteral("answer larger than %1 bytes").arg(m_maxBytes)});
            else
                finish({true, m_buffer, {}});
        });
        connect(m_socket, &QLocalSocket::errorOccurred, this,
                [this](QLocalSocket::LocalSocketError e) {
                    if (e == QLocalSocket::PeerClosedError)
                        return; // the normal end of an answer: disconnected() follows
                    finish({false, {}, m_socket->errorString()});
                });
        m_socket->connectToServer(path);
    }

private:
    QPointer<QObject> m_context;
    RuntimeApi::Callback m_done;
    QLocalSocket *m_socket = nullptr;
    QByteArray m_buffer;
    qsizetype m_maxBytes = 0;
    bool m_finished = false;
};

} // namespace

RuntimeApi::RuntimeApi(QString socketPath, QObject *parent)
    : QObject(parent), m_socketPath(std::move(socketPath))
{
}

RuntimeApi::~RuntimeApi() = default;

bool RuntimeApi::isSafeCommand(const QString &command, QString *why)
{
    if (command.trimmed().isEmpty()) {
        *why = QStringLiteral("empty command");
        return false;
    }
    if (command.size() > 4096) {
        *why = QStringLiteral("command longer than 4096 characters");
        return false;
    }
    for (const QChar c : command) {
        if (c == QLatin1Char(';')) {
            *why = QStringLiteral("';' would chain a second command");
            return false;
        }
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            *why = QStringLiteral("control character (newline?) in command");
            return false;
        }
        if (c.unicode() > 0x7e) {
            *why = QStringLiteral("non-ASCII character in command");
            return false;
        }
    }
    return true;
}

void RuntimeApi::command(const QString &command, QObject *context, Callback done)
{
    auto *call = new RuntimeCall(this, context, std::move(done));
    QString why;
    if (!isSafeCommand(command, &why)) {
        QMetaObject::invokeMethod(
            call,
            [call, why] {
                call->finish({false, {}, QStringLiteral("refused: ") + why});
            },
            Qt::QueuedConnection);
        return;
    }
    const QByteArray line = command.toLatin1() + '\n';
    const QString path = m_socketPath;
    const int timeout = m_timeoutMs;
    const qsizetype maxBytes = m_maxReplyBytes;
    // Connecting is deferred too, so that even an immediate failure calls back later.
    QMetaObject::invokeMethod(
        call, [call, path, line, timeout, maxBytes] { call->start(path, line, timeout, maxBytes); },
        Qt::QueuedConnection);
}

void RuntimeApi::abortAll()
{
    const auto calls = findChildren<RuntimeCall *>(Qt::FindDirectChildrenOnly);
    for (RuntimeCall *c : calls)
        delete c;
}

} // namespace headroom

#include "runtimeapi.moc"
