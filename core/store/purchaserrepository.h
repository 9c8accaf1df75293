#pragma once

#include "domain/purchaser.h"
#include "store/result.h"

#include <QList>
#include <optional>

namespace headroom {

class Database;

// Purchasers and their API tokens. Every field is validated here: lengths, an e-mail that looks
// like one, and a payment reference that is a processor token or four digits - anything that
// looks like a card number (12 or more digits) is refused and never written anywhere. Tokens are
// random, shown once, and stored only as their SHA-256.
class PurchaserRepository final
{
public:
    explicit PurchaserRepository(Database &database);

    Result<qint64> add(const Purchaser &purchaser);
    Result<QList<Purchaser>> all() const;
    Result<std::optional<Purchaser>> byId(qint64 id) const;

    // A new token for the purchaser ("hr_" + 43 base64url characters); the caller shows it once.
    Result<QString> issueToken(qint64 purchaserId, const QString &label);
    // The purchaser a presented token belongs to; nullopt for an unknown or revoked token.
    Result<std::optional<qint64>> purchaserForToken(const QString &token) const;
    Result<int> revokeTokens(qint64 purchaserId);

    // Empty when the purchaser may be stored; else the first problem, in words that never repeat
    // a card number back.
    static QString validate(const Purchaser &purchaser);
    static bool looksLikeCardNumber(const QString &text);
    static QString hashToken(const QString &token);

private:
    Database &m_database;
};

} // namespace headroom
