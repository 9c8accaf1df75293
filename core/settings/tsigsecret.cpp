#include "settings/tsigsecret.h"

#include "security/secretstore.h"

#include <QDir>
#include <QStandardPaths>

namespace headroom::tsigsecret {

namespace {

std::optional<TsigKey> keyFrom(const AppSettings &settings, const QByteArray &secret,
                               QString *error)
{
    TsigKey key;
    key.name = settings.tsigKeyName;
    key.secret = secret.trimmed();
    if (!key.isValid(error))
        return std::nullopt;
    return key;
}

} // namespace

QString defaultFallbackDir()
{
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(data.isEmpty() ? QDir::homePath() : data).filePath(QStringLiteral("secrets"));
}

SecretStore *makeStore(QObject *parent, const QString &fallbackDir)
{
    return new SecretStore(QStringLiteral("headroom"), fallbackDir, parent);
}

std::optional<TsigKey> loadAndWait(const AppSettings &settings, QString *error)
{
    error->clear();
    if (settings.tsigKeyName.isEmpty())
        return std::nullopt;
    if (!settings.tsigSecretInKeychain)
        return TsigKey::fromFile(settings.tsigKeyName, settings.tsigKeyFile, error);
    SecretStore store(QStringLiteral("headroom"), defaultFallbackDir());
    const auto secret = store.readAndWait(QString::fromLatin1(AppSettings::kTsigSecretKey),
                                          SecretStore::Location::Keychain, QString(), error);
    if (!secret)
        return std::nullopt;
    return keyFrom(settings, *secret, error);
}

void load(const AppSettings &settings, QObject *context,
          std::function<void(const std::optional<TsigKey> &, const QString &error)> done)
{
    if (settings.tsigKeyName.isEmpty()) {
        QMetaObject::invokeMethod(
            context, [done] { done(std::nullopt, QString()); }, Qt::QueuedConnection);
        return;
    }
    SecretStore *store = makeStore(context);
    const SecretStore::Location location = settings.tsigSecretInKeychain
                                               ? SecretStore::Location::Keychain
                                               : SecretStore::Location::File;
    store->read(
        QString::fromLatin1(AppSettings::kTsigSecretKey), location, settings.tsigKeyFile, context,
        [settings, store, done](const std::optional<QByteArray> &secret, const QString &why) {
            store->deleteLater();
            if (!secret) {
                done(std::nullopt, why);
                return;
            }
            QString error;
            const auto key = keyFrom(settings, *secret, &error);
            done(key, error);
        });
}

} // namespace headroom::tsigsecret
