#include "tsigkey.h"

#include "dnsname.h"
#include "security/secretfile.h"

#include <QRegularExpression>

namespace headroom {

std::optional<TsigKey> TsigKey::fromFile(const QString &name, const QString &path, QString *error,
                                         const QString &algorithm)
{
    TsigKey key;
    key.name = name;
    key.algorithm = algorithm;
    key.secret = secretfile::read(path, error);
    if (key.secret.isEmpty() || !key.isValid(error))
        return std::nullopt;
    return key;
}

bool TsigKey::isValid(QString *error) const
{
    if (!DnsName::parse(name)) {
        *error = QStringLiteral("TSIG key name '%1' is not a valid DNS name").arg(name);
        return false;
    }
    static const QStringList algorithms = {
        QStringLiteral("hmac-sha256"), QStringLiteral("hmac-sha512"), QStringLiteral("hmac-sha384"),
        QStringLiteral("hmac-sha1")};
    if (!algorithms.contains(algorithm)) {
        *error = QStringLiteral("TSIG algorithm '%1' is not supported").arg(algorithm);
        return false;
    }
    static const QRegularExpression base64(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9+/]{16,}={0,2}")));
    if (!base64.match(QString::fromLatin1(secret)).hasMatch()) {
        *error = QStringLiteral("TSIG secret of key '%1' is not base64").arg(name);
        return false;
    }
    return true;
}

QByteArray TsigKey::ldnsAlgorithm() const
{
    return algorithm.toLatin1() + '.';
}

} // namespace headroom
