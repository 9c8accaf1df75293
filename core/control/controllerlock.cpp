#include "control/controllerlock.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QSysInfo>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace headroom {

ControllerLock::ControllerLock(QString path) : m_path(std::move(path)) {}

ControllerLock::~ControllerLock()
{
    unlock();
}

QString ControllerLock::pathFor(const QString &databasePath)
{
    return databasePath + QStringLiteral(".controller.lock");
}

bool ControllerLock::tryLock(const QString &who, QString *error)
{
    if (m_fd >= 0)
        return true;
    const QByteArray path = QFile::encodeName(m_path);
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = QStringLiteral("cannot open the controller lock %1: %2")
                     .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        ::close(fd);
        *error = e == EWOULDBLOCK
                     ? QStringLiteral("another controller is running (%1); only one may steer")
                           .arg(holder())
                     : QStringLiteral("cannot lock %1: %2")
                           .arg(m_path, QString::fromLocal8Bit(strerror(e)));
        return false;
    }
    const QByteArray line = QStringLiteral("%1 pid %2 on %3 since %4\n")
                                .arg(who)
                                .arg(QCoreApplication::applicationPid())
                                .arg(QSysInfo::machineHostName())
                                .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))
                                .toUtf8();
    if (::ftruncate(fd, 0) != 0 || ::write(fd, line.constData(), size_t(line.size())) < 0) {
        // The lock holds regardless; only the holder's description is missing.
    }
    m_fd = fd;
    return true;
}

void ControllerLock::unlock()
{
    if (m_fd < 0)
        return;
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
    m_fd = -1;
}

bool ControllerLock::isHeld(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd); // releases the shared lock, if it was taken
    return held;
}

QString ControllerLock::holder() const
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("holder unknown");
    const QString text = QString::fromUtf8(file.read(200)).simplified();
    return text.isEmpty() ? QStringLiteral("holder unknown") : text;
}

} // namespace headroom
