#include "store/auditrepository.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlQuery>
#include <QVariant>
#include <limits>

namespace headroom {

AuditRepository::AuditRepository(Database &database) : m_database(database) {}

QString AuditRepository::clean(const QString &text, int max)
{
    QString out;
    out.reserve(qMin(text.size(), qsizetype(max)));
    for (const QChar c : text) {
        if (out.size() >= max)
            break;
        const bool control =
            c.category() == QChar::Other_Control || c.category() == QChar::Other_Format ||
            c.category() == QChar::Separator_Line || c.category() == QChar::Separator_Paragraph;
        out.append(control ? QLatin1Char(' ') : c);
    }
    return out.trimmed();
}

Result<qint64> AuditRepository::add(const AuditEntry &e)
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("INSERT INTO audit_log (at, actor, action, detail) "
                             "VALUES (?, ?, ?, ?)"));
    q.addBindValue(e.atMs);
    q.addBindValue(clean(e.actor, MaxActor));
    q.addBindValue(clean(e.action, MaxAction));
    q.addBindValue(clean(e.detail, MaxDetail));
    if (!q.exec())
        return toStoreError(q, QStringLiteral("writing the audit log"));
    return q.lastInsertId().toLongLong();
}

Result<QList<AuditEntry>> AuditRepository::list(int limit, std::optional<qint64> sinceMs) const
{
    QSqlQuery q(m_database.connection());
    q.prepare(QStringLiteral("SELECT id, at, actor, action, detail FROM audit_log "
                             "WHERE at >= ? ORDER BY id DESC LIMIT ?"));
    q.addBindValue(sinceMs.value_or(std::numeric_limits<qint64>::min()));
    q.addBindValue(qBound(1, limit, MaxList));
    if (!q.exec())
        return toStoreError(q, QStringLiteral("reading the audit log"));
    QList<AuditEntry> list;
    while (q.next()) {
        AuditEntry e;
        e.id = q.value(0).toLongLong();
        e.atMs = q.value(1).toLongLong();
        e.actor = q.value(2).toString();
        e.action = q.value(3).toString();
        e.detail = q.value(4).toString();
        list.append(e);
    }
    return list;
}

} // namespace headroom
