// headroomctl audit: the audit log of operator, purchaser and controller actions.
#include "cli.h"
#include "commands.h"
#include "store/auditrepository.h"
#include "store/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace headroom::ctl {

namespace {

QString utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

// --since: what parseTime() takes, or "-N[s|m|h|d]" before now.
std::optional<qint64> sinceMs(const QString &text, QString *error)
{
    static const QRegularExpression ago(
        QRegularExpression::anchoredPattern(QStringLiteral("-(\\d{1,7})([smhd]?)")));
    if (const auto m = ago.match(text); m.hasMatch()) {
        const QString unit = m.captured(2);
        const qint64 scale = unit == QLatin1String("m")   ? 60
                             : unit == QLatin1String("h") ? 3600
                             : unit == QLatin1String("d") ? 86400
                                                          : 1;
        return (QDateTime::currentSecsSinceEpoch() - m.captured(1).toLongLong() * scale) * 1000;
    }
    const auto seconds = parseTime(text, error);
    if (!seconds)
        return std::nullopt;
    return *seconds * 1000;
}

} // namespace

int audit(const QStringList &arguments, const QString &command)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The audit log, newest first: who changed what, when - operators (headroomctl and the "
        "console), purchasers (the API), the auto-approve rule and the controller."));
    const QCommandLineOption since(
        QStringLiteral("since"),
        QStringLiteral("Only entries at or after TIME: ISO 8601 (UTC), unix seconds, now, or "
                       "-N[s|m|h|d] before now."),
        QStringLiteral("TIME"));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("At most N entries (default 50)."),
                                   QStringLiteral("N"), QStringLiteral("50"));
    parser.addOptions({since, limit, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    if (!parse(parser, command, arguments, &code))
        return code;
    if (!parser.positionalArguments().isEmpty()) {
        err() << command << ": takes no arguments\n";
        return 2;
    }
    bool ok = false;
    const int n = parser.value(limit).toInt(&ok);
    if (!ok || n < 1 || n > AuditRepository::MaxList) {
        err() << command << ": --limit takes 1 to " << AuditRepository::MaxList << "\n";
        return 2;
    }
    std::optional<qint64> from;
    if (parser.isSet(since)) {
        QString error;
        from = sinceMs(parser.value(since), &error);
        if (!from) {
            err() << command << ": --since: " << error << "\n";
            return 2;
        }
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto list = AuditRepository(db).list(n, from);
    if (!list) {
        err() << command << ": " << list.error().message << "\n";
        return 1;
    }
    if (parser.isSet(kJson)) {
        QJsonArray rows;
        for (const AuditEntry &e : list.value())
            rows.append(QJsonObject{{QStringLiteral("id"), e.id},
                                    {QStringLiteral("at"), utc(e.atMs)},
                                    {QStringLiteral("actor"), e.actor},
                                    {QStringLiteral("action"), e.action},
                                    {QStringLiteral("detail"), e.detail}});
        out() << QJsonDocument(QJsonObject{{QStringLiteral("audit"), rows}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (list.value().isEmpty())
        out() << "no audit entries" << (from ? " since " + utc(*from) : QString()) << "\n";
    for (const AuditEntry &e : list.value())
        out() << utc(e.atMs) << "  " << e.actor << "  " << e.action << "  " << e.detail << "\n";
    return 0;
}

} // namespace headroom::ctl
