#include "security/secretstore.h"

#include "security/secretfile.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>
#include <memory>
#include <qt6keychain/keychain.h>

namespace headroom {

namespace {

// Runs `f` later from the event loop, unless `context` is gone by then.
void later(QObject *self, QObject *context, std::function<void()> f)
{
    QPointer<QObject> guard(context);
    QMetaObject::invokeMethod(
        self,
        [guard, f = std::move(f)] {
            if (guard)
                f();
        },
        Qt::QueuedConnection);
}

} // namespace

SecretStore::SecretStore(QString service, QString fallbackDir, QObject *parent)
    : QObject(parent), m_service(std::move(service)), m_fallbackDir(std::move(fallbackDir))
{
}

bool SecretStore::isValidKey(const QString &key)
{
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")));
    return re.match(key).hasMatch();
}

QString SecretStore::fallbackFile(const QString &dir, const QString &key)
{
    return QDir(dir).filePath(key + QStringLiteral(".secret"));
}

QString SecretStore::locationName(Location location)
{
    return location == Location::Keychain ? QStringLiteral("keychain") : QStringLiteral("file");
}

std::optional<SecretStore::Location> SecretStore::locationFromName(const QString &name)
{
    if (name == QLatin1String("keychain"))
        return Location::Keychain;
    if (name == QLatin1String("file"))
        return Location::File;
    return std::nullopt;
}

void SecretStore::store(const QString &key, const QByteArray &secret, QObject *context,
                        std::function<void(const Outcome &)> done)
{
    if (!isValidKey(key) || secret.isEmpty()) {
        Outcome o;
        o.error = isValidKey(key) ? QStringLiteral("the secret is empty")
                                  : QStringLiteral("'%1' cannot name a secret").arg(key.left(80));
        later(this, context, [done, o] { done(o); });
        return;
    }
    if (!m_keychainEnabled) {
        storeInFile(key, secret, QStringLiteral("the keychain is not used here"), context,
                    std::move(done));
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never QtKeychain's plain-text settings file
    job->setKey(key);
    job->setBinaryData(secret);
    const auto settled = std::make_shared<bool>(false);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this,
            [this, key, secret, settled, guard, done](QKeychain::Job *finished) {
                if (*settled)
                    return;
                *settled = true;
                if (finished->error() != QKeychain::NoError) {
                    storeInFile(key, secret,
                                QStringLiteral("the OS keychain is not available (%1)")
                                    .arg(finished->errorString()),
                                guard, done);
                    return;
                }
                // The keychain holds it now: no second copy in a file.
                QFile::remove(fallbackFile(m_fallbackDir, key));
                Outcome o;
                o.ok = true;
                o.location = Location::Keychain;
                if (guard)
                    done(o);
            });
    QTimer::singleShot(m_timeoutMs, this, [this, key, secret, settled, guard, done] {
        if (*settled)
            return;
        *settled = true;
        storeInFile(key, secret,
                    QStringLiteral("the OS keychain did not answer within %1 s")
                        .arg(m_timeoutMs / 1000.0, 0, 'f', 1),
                    guard, done);
    });
    job->start();
}

void SecretStore::storeInFile(const QString &key, const QByteArray &secret,
                              const QString &keychainError, QObject *context,
                              std::function<void(const Outcome &)> done)
{
    Outcome o;
    o.location = Location::File;
    o.file = fallbackFile(m_fallbackDir, key);
    o.keychainError = keychainError;
    QString error;
    if (secretfile::write(o.file, secret, &error)) {
        o.ok = true;
        QFile::setPermissions(m_fallbackDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                 QFileDevice::ExeOwner);
    } else {
        o.error = error;
    }
    later(this, context, [done, o] { done(o); });
}

void SecretStore::read(
    const QString &key, Location location, const QString &file, QObject *context,
    std::function<void(const std::optional<QByteArray> &, const QString &error)> done)
{
    if (location == Location::File) {
        QString error;
        const QByteArray secret = secretfile::read(file, &error);
        const std::optional<QByteArray> value =
            secret.isEmpty() ? std::nullopt : std::optional<QByteArray>(secret);
        if (!value && error.isEmpty())
            error = QStringLiteral("the secret file %1 is empty").arg(file);
        later(this, context, [done, value, error] { done(value, error); });
        return;
    }
    if (!isValidKey(key) || !m_keychainEnabled) {
        const QString error = isValidKey(key)
                                  ? QStringLiteral("the keychain is not used here")
                                  : QStringLiteral("'%1' cannot name a secret").arg(key.left(80));
        later(this, context, [done, error] { done(std::nullopt, error); });
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    const auto settled = std::make_shared<bool>(false);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this, [settled, guard, done](QKeychain::Job *finished) {
        if (*settled || !guard)
            return;
        *settled = true;
        const auto *reader = static_cast<QKeychain::ReadPasswordJob *>(finished);
        if (finished->error() != QKeychain::NoError || reader->binaryData().isEmpty())
            done(std::nullopt, QStringLiteral("the OS keychain: %1")
                                   .arg(finished->error() != QKeychain::NoError
                                            ? finished->errorString()
                                            : QStringLiteral("no such secret")));
        else
            done(reader->binaryData(), QString());
    });
    QTimer::singleShot(m_timeoutMs, this, [this, settled, guard, done] {
        if (*settled || !guard)
            return;
        *settled = true;
        done(std::nullopt, QStringLiteral("the OS keychain did not answer within %1 s")
                               .arg(m_timeoutMs / 1000.0, 0, 'f', 1));
    });
    job->start();
}

void SecretStore::remove(const QString &key, QObject *context, std::function<void()> done)
{
    if (isValidKey(key))
        QFile::remove(fallbackFile(m_fallbackDir, key));
    if (!isValidKey(key) || !m_keychainEnabled) {
        later(this, context, std::move(done));
        return;
    }
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(key);
    QPointer<QObject> guard(context);
    const auto settled = std::make_shared<bool>(false);
    const auto finish = [guard, done, settled] {
        if (*settled)
            return;
        *settled = true;
        if (guard)
            done();
    };
    connect(job, &QKeychain::Job::finished, this, finish);
    QTimer::singleShot(m_timeoutMs, this, finish);
    job->start();
}

SecretStore::Outcome SecretStore::storeAndWait(const QString &key, const QByteArray &secret)
{
    QEventLoop loop;
    Outcome result;
    store(key, secret, &loop, [&](const Outcome &o) {
        result = o;
        loop.quit();
    });
    loop.exec();
    return result;
}

std::optional<QByteArray> SecretStore::readAndWait(const QString &key, Location location,
                                                   const QString &file, QString *error)
{
    QEventLoop loop;
    std::optional<QByteArray> result;
    read(key, location, file, &loop,
         [&](const std::optional<QByteArray> &secret, const QString &why) {
             result = secret;
             *error = why;
             loop.quit();
         });
    loop.exec();
    return result;
}

} // namespace headroom
