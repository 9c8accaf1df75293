#pragma once

#include <QByteArray>
#include <QString>

namespace headroom {

// Secrets (TSIG keys, tokens) live in files only their owner can read, never in the database.
namespace secretfile {
// Writes `secret` to `path` with mode 0600 (the file is created with that mode, never wider).
bool write(const QString &path, const QByteArray &secret, QString *error);
// Reads a secret, refusing files that group or others can read.
QByteArray read(const QString &path, QString *error);
// Returns the secret in `path`, generating `bytes` random bytes (base64) on first use.
QByteArray readOrCreateBase64(const QString &path, int bytes, QString *error);
} // namespace secretfile

} // namespace headroom
