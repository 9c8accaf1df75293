#pragma once

#include <QStringList>

namespace headroom::ctl {

// Each verb takes its arguments (after the verb) and returns the process exit code:
// 0 success, 1 failure, 2 usage error.
int sandbox(const QStringList &arguments);
int traffic(const QStringList &arguments);
int dns(const QStringList &arguments);
int fleet(const QStringList &arguments);
int site(const QStringList &arguments);
int lease(const QStringList &arguments);
int run(const QStringList &arguments);
int purchaser(const QStringList &arguments);
int offer(const QStringList &arguments);    // marketcommands.cpp
int bid(const QStringList &arguments);      // marketcommands.cpp
int purchase(const QStringList &arguments); // marketcommands.cpp
int api(const QStringList &arguments);      // apicommands.cpp
int billing(const QStringList &arguments);  // billingcommands.cpp
// The audit log; `command` names the verb in messages (`purchase audit` is the same list).
int audit(const QStringList &arguments,
          const QString &command = QStringLiteral("headroomctl audit")); // auditcommands.cpp

} // namespace headroom::ctl
