#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <functional>
#include <optional>

namespace headroom {

// Where the console keeps a secret the operator typed in (a TSIG key's): the OS keychain through
// QtKeychain (Secret Service, KWallet) when one answers, else a file in `fallbackDir` that only its
// owner can read (secretfile). QtKeychain's own plain-text fallback is never enabled. The secret
// is never written to QSettings, the database or a log; only where it is kept is.
//
// Jobs are asynchronous (QtKeychain talks D-Bus); callbacks run later from the event loop, on the
// thread that made the call, and not at all once `context` is gone.
class SecretStore final : public QObject
{
    Q_OBJECT
public:
    enum class Location
    {
        Keychain,
        File
    };

    struct Outcome
    {
        bool ok = false;
        Location location = Location::File;
        QString file;          // the 0600 file, when location == File
        QString keychainError; // why the keychain was not used (empty when it was)
        QString error;         // why neither worked (when !ok)
    };

    // `service` names the application in the keychain ("headroom").
    SecretStore(QString service, QString fallbackDir, QObject *parent = nullptr);

    // Off: every secret goes to the file (tests, and machines where a keychain prompt would
    // block a headless program).
    void setKeychainEnabled(bool enabled) { m_keychainEnabled = enabled; }
    // How long a keychain job may take before it counts as unavailable.
    void setKeychainTimeout(int milliseconds) { m_timeoutMs = milliseconds; }

    // Stores `secret` under `key` (letters, digits, . _ - only): keychain first, the file if the
    // keychain fails. Storing in one place removes a copy left in the other.
    void store(const QString &key, const QByteArray &secret, QObject *context,
               std::function<void(const Outcome &)> done);
    // Reads the secret stored under `key` at `location` (`file` for Location::File).
    void read(const QString &key, Location location, const QString &file, QObject *context,
              std::function<void(const std::optional<QByteArray> &, const QString &error)> done);

    // Removes the secret stored under `key` from the keychain and its fallback file from disk.
    void remove(const QString &key, QObject *context, std::function<void()> done);

    // The same, waiting in a local event loop: for headroomctl, never for the GUI thread.
    Outcome storeAndWait(const QString &key, const QByteArray &secret);
    std::optional<QByteArray> readAndWait(const QString &key, Location location,
                                          const QString &file, QString *error);

    // The fallback file of `key` in `dir`.
    static QString fallbackFile(const QString &dir, const QString &key);
    static bool isValidKey(const QString &key);
    static QString locationName(Location location); // "keychain", "file"
    static std::optional<Location> locationFromName(const QString &name);

private:
    void storeInFile(const QString &key, const QByteArray &secret, const QString &keychainError,
                     QObject *context, std::function<void(const Outcome &)> done);

    QString m_service;
    QString m_fallbackDir;
    bool m_keychainEnabled = true;
    int m_timeoutMs = 5000;
};

} // namespace headroom
