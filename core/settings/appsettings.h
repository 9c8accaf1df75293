#pragma once

#include <QString>
#include <QStringList>

class QSettings;

namespace headroom {

// What the console and headroomctl need to reach the network they run. The TSIG secret itself
// never enters QSettings (a plain-text ini file on Linux), so reading the settings file does not
// give write access to the zone: the settings say only where the secret is - in the OS keychain
// (SecretStore, under kTsigSecretKey) or in a file only its owner may read.
//
// Ports are plain ints so that out-of-range values read from a hand-edited file survive load() and
// are reported by validate() instead of being silently wrapped.
struct AppSettings
{
    static constexpr int kMinPort = 1;
    static constexpr int kMaxPort = 65535;
    static constexpr int kMinPollIntervalMs = 200;
    static constexpr int kMaxPollIntervalMs = 60000;
    // The sandbox hands out consecutive ports starting at the base; keep room for all of them
    // and stay out of the privileged range.
    static constexpr int kSandboxPortSpan = 100;
    static constexpr int kMinSandboxPortBase = 1024;
    static constexpr int kMaxSandboxPortBase = kMaxPort - kSandboxPortSpan + 1;

    QString dnsServer = QStringLiteral("127.0.0.1"); // an IPv4 or IPv6 literal, never a host name
    int dnsPort = 53;
    QString zone = QStringLiteral("edge.headroom.test");
    QString tsigKeyName; // empty: updates are sent unsigned (sandbox only)
    QString tsigKeyFile; // absolute path of the 0600 file holding the secret, if in a file
    bool tsigSecretInKeychain = false; // the secret is in the OS keychain instead
    QString databasePath;              // absolute path of the SQLite database
    int pollIntervalMs = 1000;
    int sandboxPortBase = 25300;

    // The name of the console's TSIG secret in the keychain (and of its fallback file).
    static constexpr auto kTsigSecretKey = "tsig-secret";

    // Defaults, with the database under the platform's application data directory.
    static AppSettings defaults();

    // Missing keys take their default; values of the wrong type take their default too.
    static AppSettings load(QSettings &settings);
    void save(QSettings &settings) const;

    // One human-readable sentence per problem; empty when the settings can be used. Checks that a
    // configured TSIG key file is readable, so the answer depends on the file system.
    QStringList validate() const;

    // A DNS name in presentation format: labels of 1–63 letters, digits, '-' or '_' (not starting
    // or ending with '-'), at most 253 characters, an optional trailing dot.
    static bool isValidDnsName(const QString &name);

    bool operator==(const AppSettings &) const = default;
};

} // namespace headroom
