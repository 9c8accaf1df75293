#pragma once

#include <QString>

namespace headroom {

// One address or alias record read from a purchaser's zone (by `dns import-zone`), kept so that
// the steering loop knows where the purchaser's own traffic goes.
struct ImportedName
{
    QString zone;  // the zone it was read from, as the operator named it
    QString name;  // owner name
    QString type;  // "A", "AAAA" or "CNAME"
    QString value; // address or target name in presentation form
    quint32 ttl = 0;
    qint64 importedAtMs = 0; // unix milliseconds UTC
};

} // namespace headroom
