#include "appsettings.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QSettings>
#include <QStandardPaths>

namespace headroom {

namespace {

namespace Key {
constexpr auto DnsServer = "dns/server";
constexpr auto DnsPort = "dns/port";
constexpr auto Zone = "dns/zone";
constexpr auto TsigKeyName = "dns/tsigKeyName";
constexpr auto TsigKeyFile = "dns/tsigKeyFile";
constexpr auto TsigSecretInKeychain = "dns/tsigSecretInKeychain";
constexpr auto DatabasePath = "store/databasePath";
constexpr auto PollIntervalMs = "monitor/pollIntervalMs";
constexpr auto SandboxPortBase = "sandbox/portBase";
} // namespace Key

QString readString(QSettings &settings, const char *key, const QString &fallback)
{
    const QVariant value = settings.value(QLatin1String(key));
    if (!value.isValid() || !value.canConvert<QString>())
        return fallback;
    return value.toString().trimmed();
}

int readInt(QSettings &settings, const char *key, int fallback)
{
    bool ok = false;
    const int value = settings.value(QLatin1String(key)).toInt(&ok);
    return ok ? value : fallback;
}

bool isLabelChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ||
           c == u'-' || c == u'_';
}

} // namespace

AppSettings AppSettings::defaults()
{
    AppSettings settings;
    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!dataDir.isEmpty())
        settings.databasePath = QDir(dataDir).filePath(QStringLiteral("headroom.sqlite"));
    return settings;
}

AppSettings AppSettings::load(QSettings &settings)
{
    const AppSettings fallback = defaults();
    AppSettings result;
    result.dnsServer = readString(settings, Key::DnsServer, fallback.dnsServer);
    result.dnsPort = readInt(settings, Key::DnsPort, fallback.dnsPort);
    result.zone = readString(settings, Key::Zone, fallback.zone);
    result.tsigKeyName = readString(settings, Key::TsigKeyName, fallback.tsigKeyName);
    result.tsigKeyFile = readString(settings, Key::TsigKeyFile, fallback.tsigKeyFile);
    const QVariant inKeychain = settings.value(QLatin1String(Key::TsigSecretInKeychain));
    result.tsigSecretInKeychain = inKeychain.isValid() && inKeychain.canConvert<bool>()
                                      ? inKeychain.toBool()
                                      : fallback.tsigSecretInKeychain;
    result.databasePath = readString(settings, Key::DatabasePath, fallback.databasePath);
    result.pollIntervalMs = readInt(settings, Key::PollIntervalMs, fallback.pollIntervalMs);
    result.sandboxPortBase = readInt(settings, Key::SandboxPortBase, fallback.sandboxPortBase);
    return result;
}

void AppSettings::save(QSettings &settings) const
{
    settings.setValue(QLatin1String(Key::DnsServer), dnsServer);
    settings.setValue(QLatin1String(Key::DnsPort), dnsPort);
    settings.setValue(QLatin1String(Key::Zone), zone);
    settings.setValue(QLatin1String(Key::TsigKeyName), tsigKeyName);
    settings.setValue(QLatin1String(Key::TsigKeyFile), tsigKeyFile);
    settings.setValue(QLatin1String(Key::TsigSecretInKeychain), tsigSecretInKeychain);
    settings.setValue(QLatin1String(Key::DatabasePath), databasePath);
    settings.setValue(QLatin1String(Key::PollIntervalMs), pollIntervalMs);
    settings.setValue(QLatin1String(Key::SandboxPortBase), sandboxPortBase);
}

QStringList AppSettings::validate() const
{
    QStringList problems;

    if (dnsServer.isEmpty()) {
        problems << QStringLiteral("The DNS server address is empty.");
    } else if (QHostAddress address; !address.setAddress(dnsServer)) {
        problems << QStringLiteral("The DNS server must be an IPv4 or IPv6 address, not \"%1\".")
                        .arg(dnsServer);
    }
    if (dnsPort < kMinPort || dnsPort > kMaxPort) {
        problems << QStringLiteral("The DNS port must be between %1 and %2.")
                        .arg(kMinPort)
                        .arg(kMaxPort);
    }

    if (zone.isEmpty())
        problems << QStringLiteral("The zone is empty.");
    else if (!isValidDnsName(zone))
        problems << QStringLiteral("The zone \"%1\" is not a valid DNS name.").arg(zone);

    if (!tsigKeyName.isEmpty() && !isValidDnsName(tsigKeyName))
        problems
            << QStringLiteral("The TSIG key name \"%1\" is not a valid DNS name.").arg(tsigKeyName);
    if (!tsigKeyName.isEmpty() && tsigKeyFile.isEmpty() && !tsigSecretInKeychain)
        problems << QStringLiteral("A TSIG key name needs its secret: a key file holding it, or "
                                   "the secret itself (kept in the OS keychain).");
    if (tsigKeyName.isEmpty() && !tsigKeyFile.isEmpty())
        problems << QStringLiteral("A TSIG key file needs the name of its key.");
    if (tsigKeyName.isEmpty() && tsigSecretInKeychain)
        problems << QStringLiteral("A TSIG secret in the OS keychain needs the name of its key.");
    if (tsigSecretInKeychain && !tsigKeyFile.isEmpty())
        problems << QStringLiteral(
            "The TSIG secret is either in the OS keychain or in a key file, not both.");
    if (!tsigKeyFile.isEmpty()) {
        const QFileInfo file(tsigKeyFile);
        if (file.isRelative())
            problems << QStringLiteral("The TSIG key file path must be absolute.");
        else if (!file.isFile() || !file.isReadable())
            problems << QStringLiteral(
                            "The TSIG key file \"%1\" does not exist or is not readable.")
                            .arg(tsigKeyFile);
        else if (!tsigKeyName.isEmpty() &&
                 (file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                        QFileDevice::WriteGroup | QFileDevice::WriteOther)))
            problems << QStringLiteral("The TSIG key file \"%1\" can be read by others: chmod "
                                       "600 it (the secret is refused from such a file).")
                            .arg(tsigKeyFile);
    }

    if (databasePath.isEmpty())
        problems << QStringLiteral("The database path is empty.");
    else if (QFileInfo(databasePath).isRelative())
        problems << QStringLiteral("The database path must be absolute.");
    else if (QFileInfo(databasePath).isDir())
        problems << QStringLiteral("The database path names a directory, not a file.");

    if (pollIntervalMs < kMinPollIntervalMs || pollIntervalMs > kMaxPollIntervalMs) {
        problems << QStringLiteral("The poll interval must be between %1 and %2 ms.")
                        .arg(kMinPollIntervalMs)
                        .arg(kMaxPollIntervalMs);
    }
    if (sandboxPortBase < kMinSandboxPortBase || sandboxPortBase > kMaxSandboxPortBase) {
        problems << QStringLiteral("The sandbox port base must be between %1 and %2.")
                        .arg(kMinSandboxPortBase)
                        .arg(kMaxSandboxPortBase);
    }
    return problems;
}

bool AppSettings::isValidDnsName(const QString &name)
{
    QStringView view(name);
    if (view.endsWith(u'.'))
        view.chop(1);
    if (view.isEmpty() || view.size() > 253)
        return false;
    for (const QStringView label : view.split(u'.')) {
        if (label.isEmpty() || label.size() > 63)
            return false;
        if (label.startsWith(u'-') || label.endsWith(u'-'))
            return false;
        for (const QChar c : label) {
            if (!isLabelChar(c))
                return false;
        }
    }
    return true;
}

} // namespace headroom
