#pragma once

// What the fault tests (tst_fault_*, issue 8) share: a purchaser site with a lease on a sandbox,
// `headroomctl` runs, a controller process with its log, and the steering record as PowerDNS
// serves it.

#include "sandbox/sandboxlayout.h"
#include "sandboxfixture.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <optional>

class QProcess;

namespace headroom {
class Database;
}

namespace headroom::test {

// shop.example (label "shop": www.shop.example CNAMEs to its steering name) on the purchaser's
// two origins, with a best-effort lease of `rateRps` over [fromMs, toMs); every proxy's capacity
// set to `capacityRps`. Returns the lease id, 0 on failure.
qint64 addShopLease(Database &db, const SandboxLayout &layout, qint64 fromMs, qint64 toMs,
                    double rateRps = 200, double capacityRps = 1000);

// `headroomctl run` as a child process, its log in a file of its own.
class ControllerProcess
{
public:
    explicit ControllerProcess(const SandboxLayout &layout, QString logPath);
    ~ControllerProcess();

    bool start(const QStringList &extraArguments = {},
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    void stop(); // SIGTERM, then SIGKILL
    bool isRunning() const;
    qint64 pid() const;
    // The log's lines without their timestamps, oldest first.
    QStringList messages() const;
    QString logPath() const { return m_logPath; }

private:
    SandboxLayout m_layout;
    QString m_logPath;
    QProcess *m_process = nullptr;
};

// Messages (timestamps stripped) that appear more than `limit` times: what an operator would
// call a log repeating itself.
QStringList repeatedMessages(const QStringList &messages, int limit);
// How many messages start with / contain `text`.
qsizetype messagesStartingWith(const QStringList &messages, const QString &text);
qsizetype messagesContaining(const QStringList &messages, const QString &text);

// The steering record of `label` as our primary serves it (AXFR of its shard, signed with the
// update key).
struct ServedSteering
{
    bool found = false;
    QString code;            // the Lua
    qint64 deadlineUnix = 0; // the earliest os.time() bound in it; 0 for none
    QStringList addresses;   // every quoted address or name in it
    QString error;
};
ServedSteering servedSteering(const SandboxLayout &layout, const QString &label);
// Whether the record answers with `proxy`: its address (A records) or its name in our zone
// (CNAME records, as for a purchaser whose overflow is their own DNS).
bool namesProxy(const ServedSteering &served, const SandboxLayout &layout,
                const ProxyEndpoint &proxy);

// GET / through one proxy with the given Host; the HTTP status (-1: no answer).
int statusVia(const ProxyEndpoint &proxy, const QByteArray &host);

} // namespace headroom::test
