#pragma once

#include "domain/lease.h"

#include <QHostAddress>
#include <QList>
#include <QString>

namespace headroom {

// One proxy as the steering loop sees it in one poll.
struct ProxyCapacity
{
    QString name;
    QHostAddress address;
    QString pool;
    double capacityRps = 0;
    double totalRps = 0;     // everything it served over the last poll
    double purchaserRps = 0; // of which for leased purchaser sites
    bool up = false;

    double baseRps() const { return totalRps > purchaserRps ? totalRps - purchaserRps : 0; }
    // What purchasers may use: target x capacity - base load; 0 when down or saturated.
    double headroomRps(double targetUtilisation) const;
};

// A lease in its window, asking for its share of a pool's headroom.
struct LeaseAsk
{
    qint64 leaseId = 0;
    LeaseKind kind = LeaseKind::Firm;
    double rateRps = 0;   // what was sold
    double demandRps = 0; // the site's estimated demand; a best-effort lease never gets more
    bool demandKnown = false;
};

struct LeaseGrant
{
    qint64 leaseId = 0;
    double allocatedRps = 0;
    bool shortOfFirm = false; // a firm lease got less than it was sold (credit due)
};

// Splits a pool's headroom: firm leases are served first, oldest (lowest id) first, each up to its
// rate; best-effort leases then share what is left max-min fairly, each up to min(rate, demand).
// The grants never add up to more than `headroomRps`. Same order as `asks`.
QList<LeaseGrant> allocate(double headroomRps, const QList<LeaseAsk> &asks);

} // namespace headroom
