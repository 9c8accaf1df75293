#pragma once

#include <QString>

namespace headroom {

// The outcome of one DNS UPDATE sent to a zone's primary, as the console lists it.
struct UpdateLogEntry
{
    qint64 atMs = 0; // unix milliseconds UTC
    QString zone;
    int changes = 0; // names replaced or deleted by the message
    bool ok = false;
    int rcode = -1; // -1: no answer
    QString error;  // empty when ok
    double latencyMs = 0;
};

// UPDATEs failing right now, as the log tells it: the failures after the last success.
struct UpdateFailureRun
{
    qint64 sinceMs = 0; // the first of them
    qint64 lastMs = 0;  // the newest
    int failures = 0;
    QString lastError;
};

} // namespace headroom
