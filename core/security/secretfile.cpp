#include "secretfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

namespace headroom::secretfile {

namespace {
constexpr auto kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr qint64 kMaxSecretFile = 4096;
} // namespace

bool write(const QString &path, const QByteArray &secret, QString *error)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = QStringLiteral("cannot create %1").arg(info.absolutePath());
        return false;
    }
    QFile::remove(path + QStringLiteral(".tmp"));
    QFile file(path + QStringLiteral(".tmp"));
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.write(secret) != secret.size() || !file.flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        file.remove();
        return false;
    }
    file.close();
    QFile::remove(path);
    if (!QFile::rename(file.fileName(), path)) {
        *error = QStringLiteral("cannot replace %1").arg(path);
        return false;
    }
    return true;
}

QByteArray read(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read secret file %1: %2").arg(path, file.errorString());
        return {};
    }
    const auto others = QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                        QFileDevice::WriteOther;
    if (file.permissions() & others) {
        *error = QStringLiteral("secret file %1 is readable by others; chmod 600 it").arg(path);
        return {};
    }
    if (file.size() > kMaxSecretFile) {
        *error = QStringLiteral("secret file %1 is too large").arg(path);
        return {};
    }
    return file.readAll().trimmed();
}

QByteArray readOrCreateBase64(const QString &path, int bytes, QString *error)
{
    if (QFile::exists(path))
        return read(path, error);
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(raw.begin(), raw.end());
    const QByteArray secret = raw.toBase64();
    if (!write(path, secret, error))
        return {};
    return secret;
}

} // namespace headroom::secretfile
