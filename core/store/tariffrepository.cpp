#include "store/tariffrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QVariant>

namespace headroom {

TariffRepository::TariffRepository(Database &database) : m_database(database) {}

Result<void> TariffRepository::set(qint64 leaseId, const Tariff &tariff)
{
    if (const QString why = tariffProblem(tariff); !why.isEmpty())
        return StoreError{why};
    return m_database.writeTransaction([&]() -> Result<void> {
        QSqlQuery upsert(m_database.connection());
        upsert.prepare(QStringLiteral(
            "INSERT INTO lease_tariffs (lease_id, currency, firm_minor_per_rps_hour, "
            "best_effort_minor_per_1k_requests, best_effort_minor_per_gb, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lease_id) DO UPDATE SET "
            "currency = excluded.currency, "
            "firm_minor_per_rps_hour = excluded.firm_minor_per_rps_hour, "
            "best_effort_minor_per_1k_requests = excluded.best_effort_minor_per_1k_requests, "
            "best_effort_minor_per_gb = excluded.best_effort_minor_per_gb, "
            "updated_at = excluded.updated_at"));
        upsert.addBindValue(leaseId);
        upsert.addBindValue(tariff.currency);
        upsert.addBindValue(tariff.firmMinorPerRpsHour);
        upsert.addBindValue(tariff.bestEffortMinorPer1kRequests);
        upsert.addBindValue(tariff.bestEffortMinorPerGb);
        upsert.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!upsert.exec()) {
            StoreError e =
                toStoreError(upsert, QStringLiteral("storing the tariff of lease %1").arg(leaseId));
            if (e.isConstraint())
                e.message = QStringLiteral("no lease %1").arg(leaseId);
            return e;
        }
        return {};
    });
}

Result<std::optional<Tariff>> TariffRepository::get(qint64 leaseId) const
{
    QSqlQuery query(m_database.connection());
    query.prepare(QStringLiteral(
        "SELECT currency, firm_minor_per_rps_hour, best_effort_minor_per_1k_requests, "
        "best_effort_minor_per_gb FROM lease_tariffs WHERE lease_id = ?"));
    query.addBindValue(leaseId);
    if (!query.exec())
        return toStoreError(query, QStringLiteral("reading the tariff of lease %1").arg(leaseId));
    if (!query.next())
        return std::optional<Tariff>();
    Tariff t;
    t.currency = query.value(0).toString();
    t.firmMinorPerRpsHour = query.value(1).toLongLong();
    t.bestEffortMinorPer1kRequests = query.value(2).toLongLong();
    t.bestEffortMinorPerGb = query.value(3).toLongLong();
    return std::optional<Tariff>(t);
}

} // namespace headroom
