#pragma once

#include <QString>

namespace headroom {

// One row of the audit log: who changed what, and when. Every state-changing operator action
// (headroomctl verbs, the console's commands) and every market action writes one, in the
// transaction of the change where the change is in the database.
struct AuditEntry
{
    qint64 id = 0;
    qint64 atMs = 0; // UTC milliseconds
    // "operator:alice" (headroomctl), "console:alice" (the console), "purchaser:3" (the API),
    // "rule:auto-approve", "controller".
    QString actor;
    QString action; // "lease.add", "offer.post", "billing.invoice.issue", ...
    QString detail; // one sentence; never a secret, a token or a card number
};

} // namespace headroom
