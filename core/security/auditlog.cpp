#include "security/auditlog.h"

#include <QDateTime>
#include <pwd.h>
#include <unistd.h>

namespace headroom {

AuditLog::AuditLog(Database &database, QString actor, Clock clock)
    : m_database(database), m_actor(std::move(actor)), m_clock(std::move(clock))
{
    if (!m_clock)
        m_clock = [] { return QDateTime::currentMSecsSinceEpoch(); };
}

Result<void> AuditLog::append(const QString &action, const QString &detail)
{
    const auto id = AuditRepository(m_database).add({0, m_clock(), m_actor, action, detail});
    if (!id)
        return id.error();
    return {};
}

Result<void> AuditLog::record(const QString &action, const std::function<Result<void>()> &work,
                              const QString &detail)
{
    return m_database.durableWriteTransaction([&]() -> Result<void> {
        if (const Result<void> done = work(); !done)
            return done;
        return append(action, detail);
    });
}

Result<void> AuditLog::note(const QString &action, const QString &detail)
{
    return m_database.durableWriteTransaction([&] { return append(action, detail); });
}

QString AuditLog::loginName()
{
    // The password database names the effective user; the environment is only a fallback (it is
    // whatever the caller set).
    passwd entry{};
    passwd *found = nullptr;
    QByteArray buffer(16384, Qt::Uninitialized);
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), size_t(buffer.size()), &found) == 0 &&
        found && found->pw_name && *found->pw_name)
        return QString::fromLocal8Bit(found->pw_name);
    for (const char *variable : {"USER", "LOGNAME"}) {
        const QString value = qEnvironmentVariable(variable).trimmed();
        if (!value.isEmpty())
            return value;
    }
    return QStringLiteral("unknown");
}

QString AuditLog::operatorActor(const QString &name)
{
    const QString who = name.trimmed().isEmpty() ? loginName() : name.trimmed();
    return QStringLiteral("operator:") + who;
}

QString AuditLog::consoleActor()
{
    return QStringLiteral("console:") + loginName();
}

} // namespace headroom
