#pragma once

#include "store/result.h"

#include <QSqlDatabase>

namespace headroom {

class Database;

// A write transaction scoped to a block: BEGIN IMMEDIATE on construction, ROLLBACK on destruction
// unless commit() succeeded. IMMEDIATE takes the write lock up front, so two processes writing at
// once queue on the busy timeout instead of both reading and then failing to upgrade their locks.
// Prefer Database::writeTransaction(), which also retries when the database stays busy.
class Transaction final
{
public:
    explicit Transaction(Database &database);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    // False if BEGIN failed (beginError() says why) or after commit() or rollback().
    bool isActive() const { return m_active; }
    const StoreError &beginError() const { return m_beginError; }

    // On failure the transaction stays active and is rolled back by rollback() or the destructor.
    Result<void> commit();
    void rollback();

private:
    QSqlDatabase m_db;
    StoreError m_beginError;
    bool m_active = false;
};

} // namespace headroom
