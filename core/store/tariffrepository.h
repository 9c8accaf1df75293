#pragma once

#include "billing/tariff.h"
#include "store/result.h"

#include <optional>

namespace headroom {

class Database;

// The price of each lease (lease_tariffs). The market sets it when a purchase is approved, the
// operator with `headroomctl billing tariff set`. A changed tariff applies to the next invoice run;
// issued invoices keep the prices they were rated with.
class TariffRepository final
{
public:
    explicit TariffRepository(Database &database);

    // Inserts or replaces the lease's tariff (validated: tariffProblem). Joins the caller's write
    // transaction when called inside one.
    Result<void> set(qint64 leaseId, const Tariff &tariff);
    Result<std::optional<Tariff>> get(qint64 leaseId) const;

private:
    Database &m_database;
};

} // namespace headroom
