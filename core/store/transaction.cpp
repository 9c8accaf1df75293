#include "store/transaction.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QtDebug>

namespace headroom {

Transaction::Transaction(Database &database) : m_db(database.connection())
{
    if (!m_db.isOpen()) {
        m_beginError = StoreError{QStringLiteral("begin transaction: the database is not open")};
        return;
    }
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        m_active = true;
    else
        m_beginError = toStoreError(query, QStringLiteral("begin transaction"));
}

Transaction::~Transaction()
{
    if (m_active)
        rollback();
}

Result<void> Transaction::commit()
{
    if (!m_active)
        return StoreError{QStringLiteral("commit: no active transaction")};
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("COMMIT")))
        return toStoreError(query, QStringLiteral("commit"));
    m_active = false;
    return {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    QSqlQuery query(m_db);
    // A failed ROLLBACK means SQLite already ended the transaction (it does so after some errors,
    // SQLITE_FULL among them): nothing to tell anyone then.
    if (!query.exec(QStringLiteral("ROLLBACK")) &&
        !query.lastError().text().contains(QLatin1String("no transaction is active")))
        qDebug("headroom store: rollback: %s", qPrintable(query.lastError().text()));
}

} // namespace headroom
