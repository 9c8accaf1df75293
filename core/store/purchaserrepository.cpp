#include "store/purchaserrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QVariant>

namespace headroom {
namespace {

QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

bool hasControl(const QString &s, bool allowNewline)
{
    for (const QChar c : s) {
        if (c.category() == QChar::Other_Control && !(allowNewline && c == QLatin1Char('\n')))
            return true;
    }
    return false;
}

} // namespace

PurchaserRepository::PurchaserRepository(Database &database) : m_database(database) {}

bool PurchaserRepository::looksLikeCardNumber(const QString &s)
{
    // 12 or more digits, however separated by spaces, dots or dashes.
    int digits = 0;
    for (const QChar c : s) {
        if (c.isDigit())
            ++digits;
        else if (c != QLatin1Char(' ') && c != QLatin1Char('-') && c != QLatin1Char('.'))
            digits = 0;
        if (digits >= 12)
            return true;
    }
    return false;
}

QString PurchaserRepository::validate(const Purchaser &p)
{
    for (const QString *field : {&p.organisation, &p.contactName, &p.contactEmail, &p.contactPhone,
                                 &p.billingAddress, &p.paymentTokenRef}) {
        if (looksLikeCardNumber(*field) && field != &p.contactPhone)
            return QStringLiteral("a field holds what looks like a card number; card numbers are "
                                  "never accepted: give the payment processor's token or the last "
                                  "4 digits");
    }
    if (p.organisation.trimmed().isEmpty() || p.organisation.size() > 200 ||
        hasControl(p.organisation, false))
        return QStringLiteral("the organisation needs a name of at most 200 characters");
    if (p.contactName.size() > 200 || hasControl(p.contactName, false) ||
        p.contactPhone.size() > 40 || hasControl(p.contactPhone, false))
        return QStringLiteral("contact name or phone is too long or has control characters");
    static const QRegularExpression email(QRegularExpression::anchoredPattern(
        QStringLiteral("[^@\\s]{1,64}@[A-Za-z0-9.-]{1,190}\\.[A-Za-z]{2,24}")));
    if (!p.contactEmail.isEmpty() && !email.match(p.contactEmail).hasMatch())
        return QStringLiteral("the contact e-mail address is not valid");
    if (p.billingAddress.size() > 1000 || hasControl(p.billingAddress, true))
        return QStringLiteral("the billing address is too long or has control characters");
    static const QRegularExpression token(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z][A-Za-z0-9_]{5,99}")));
    if (!p.paymentTokenRef.isEmpty() && !token.match(p.paymentTokenRef).hasMatch())
        return QStringLiteral("the payment reference must be the processor's token (letters, "
                              "digits and _, starting with a letter)");
    static const QRegularExpression last4(
        QRegularExpression::anchoredPattern(QStringLiteral("\\d{4}")));
    if (p.paymentLast4 && !last4.match(*p.paymentLast4).hasMatch())
        return QStringLiteral("the card's last digits must be exactly 4 digits");
    return {};
}

QString PurchaserRepository::hashToken(const QString &token)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

Result<qint64> PurchaserRepository::add(const Purchaser &p)
{
    if (const QString why = validate(p); !why.isEmpty())
        return StoreError{why};
    qint64 id = 0;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery insert(m_database.connection());
        insert.prepare(QStringLiteral(
            "INSERT INTO purchasers (organisation, contact_name, contact_email, contact_phone, "
            "billing_address, payment_token_ref, payment_last4, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.addBindValue(p.organisation.trimmed());
        insert.addBindValue(text(p.contactName));
        insert.addBindValue(text(p.contactEmail));
        insert.addBindValue(text(p.contactPhone));
        insert.addBindValue(text(p.billingAddress));
        insert.addBindValue(p.paymentTokenRef.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                        : QVariant(p.paymentTokenRef));
        insert.addBindValue(p.paymentLast4 ? QVariant(*p.paymentLast4)
                                           : QVariant(QMetaType::fromType<QString>()));
        insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!insert.exec())
            return toStoreError(insert, QStringLiteral("storing purchaser"));
        id = insert.lastInsertId().toLongLong();
        return {};
    });
    if (!written)
        return written.error();
    return id;
}

Result<QList<Purchaser>> PurchaserRepository::all() const
{
    QSqlQuery query(m_database.connection());
    if (!query.exec(QStringLiteral(
            "SELECT id, organisation, contact_name, contact_email, contact_phone, "
            "billing_address, coalesce(payment_token_ref, ''), payment_last4 FROM purchasers "
            "ORDER BY id")))
        return toStoreError(query, QStringLiteral("reading purchasers"));
    QList<Purchaser> list;
    while (query.next()) {
        Purchaser p;
        p.id = query.value(0).toLongLong();
        p.organisation = query.value(1).toString();
        p.contactName = query.value(2).toString();
        p.contactEmail = query.value(3).toString();
        p.contactPhone = query.value(4).toString();
        p.billingAddress = query.value(5).toString();
        p.paymentTokenRef = query.value(6).toString();
        if (!query.value(7).isNull())
            p.paymentLast4 = query.value(7).toString();
        list.append(p);
    }
    return list;
}

Result<std::optional<Purchaser>> PurchaserRepository::byId(qint64 id) const
{
    const auto list = all();
    if (!list)
        return list.error();
    for (const Purchaser &p : list.value()) {
        if (p.id == id)
            return std::optional(p);
    }
    return std::optional<Purchaser>();
}

Result<QString> PurchaserRepository::issueToken(qint64 purchaserId, const QString &label)
{
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()),
                                          raw.size() / int(sizeof(quint32)));
    const QString token =
        QStringLiteral("hr_") + QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding |
                                                                 QByteArray::OmitTrailingEquals));
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery insert(m_database.connection());
        insert.prepare(QStringLiteral("INSERT INTO api_tokens (purchaser_id, token_hash, label, "
                                      "created_at) VALUES (?, ?, ?, ?)"));
        insert.addBindValue(purchaserId);
        insert.addBindValue(hashToken(token));
        insert.addBindValue(text(label.left(100)));
        insert.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!insert.exec())
            return toStoreError(
                insert, QStringLiteral("issuing a token for purchaser %1").arg(purchaserId));
        return {};
    });
    if (!written)
        return written.error();
    return token;
}

Result<std::optional<qint64>> PurchaserRepository::purchaserForToken(const QString &token) const
{
    static const QRegularExpression shape(
        QRegularExpression::anchoredPattern(QStringLiteral("hr_[A-Za-z0-9_-]{43}")));
    if (!shape.match(token).hasMatch())
        return std::optional<qint64>();
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral("SELECT purchaser_id FROM api_tokens WHERE token_hash = ? AND "
                                 "revoked_at IS NULL"));
    query.addBindValue(hashToken(token));
    if (!query.exec())
        return toStoreError(query, QStringLiteral("checking a token"));
    if (!query.next())
        return std::optional<qint64>();
    return std::optional<qint64>(query.value(0).toLongLong());
}

Result<int> PurchaserRepository::revokeTokens(qint64 purchaserId)
{
    int n = 0;
    const Result<void> written = m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery update(m_database.connection());
        update.prepare(QStringLiteral("UPDATE api_tokens SET revoked_at = ? WHERE purchaser_id = ? "
                                      "AND revoked_at IS NULL"));
        update.addBindValue(QDateTime::currentMSecsSinceEpoch());
        update.addBindValue(purchaserId);
        if (!update.exec())
            return toStoreError(update, QStringLiteral("revoking tokens"));
        n = update.numRowsAffected();
        return {};
    });
    if (!written)
        return written.error();
    return n;
}

} // namespace headroom
