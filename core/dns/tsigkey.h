#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace headroom {

// A TSIG key: its name, algorithm and base64 secret. The secret is read from a 0600 file (or the
// OS keychain) when needed and never written to the database or a log.
struct TsigKey
{
    QString name;                                      // e.g. "headroom-update"
    QString algorithm = QStringLiteral("hmac-sha256"); // hmac-sha256, hmac-sha512, hmac-sha1
    QByteArray secret;                                 // base64, as in named.conf

    static std::optional<TsigKey>
    fromFile(const QString &name, const QString &path, QString *error,
             const QString &algorithm = QStringLiteral("hmac-sha256"));
    bool isValid(QString *error) const;
    QByteArray ldnsAlgorithm() const; // "hmac-sha256." for ldns
};

} // namespace headroom
