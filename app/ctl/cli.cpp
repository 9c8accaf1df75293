#include "cli.h"

#include "security/auditlog.h"
#include "settings/appsettings.h"
#include "store/database.h"

#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QSettings>

namespace headroom::ctl {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

const QCommandLineOption kPortBase(
    QStringLiteral("port-base"),
    QStringLiteral("First port of the sandbox (default %1).").arg(SandboxLayout::kDefaultPortBase),
    QStringLiteral("N"));
const QCommandLineOption kStateDir(QStringLiteral("state-dir"),
                                   QStringLiteral("Sandbox state directory (default "
                                                  "~/.local/state/headroom/sandbox-<port-base>)."),
                                   QStringLiteral("DIR"));
const QCommandLineOption kJson(QStringLiteral("json"), QStringLiteral("Machine-readable output."));
const QCommandLineOption kDb(QStringLiteral("db"),
                             QStringLiteral("The Headroom database (default: the sandbox's, else "
                                            "the console's setting)."),
                             QStringLiteral("PATH"));

AppSettings consoleSettings()
{
    // The console's organisation and application name: headroomctl's own would name another file.
    QSettings settings(QStringLiteral("headroom"), QStringLiteral("headroom"));
    return AppSettings::load(settings);
}

bool openCommandDatabase(Database &db, const QCommandLineParser &parser, const QString &command)
{
    QString path;
    QString ignored;
    if (parser.isSet(kDb)) {
        path = parser.value(kDb);
    } else if (const auto layout = sandboxLayoutFrom(parser, &ignored);
               layout && QFile::exists(layout->databaseFile())) {
        path = layout->databaseFile();
    } else {
        path = consoleSettings().databasePath;
    }
    if (path.isEmpty()) {
        err() << command << ": no database (give --db PATH or start the sandbox)\n";
        return false;
    }
    const Result<void> opened = db.open(path);
    if (!opened) {
        err() << command << ": " << opened.error().message << "\n";
        return false;
    }
    return true;
}

void auditNote(const QString &databasePath, const QString &command, const QString &action,
               const QString &detail)
{
    Database db;
    const Result<void> opened = databasePath.isEmpty()
                                    ? Result<void>(StoreError{QStringLiteral("no database")})
                                    : db.open(databasePath);
    const Result<void> noted =
        opened ? AuditLog(db, AuditLog::operatorActor()).note(action, detail) : opened;
    if (!noted)
        err() << command << ": warning: not in the audit log: " << noted.error().message << "\n";
}

bool parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments,
           int *exitCode)
{
    parser.addHelpOption();
    QStringList argv = arguments;
    argv.prepend(command);
    if (!parser.parse(argv)) {
        err() << command << ": " << parser.errorText() << "\n";
        *exitCode = 2;
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        *exitCode = 0;
        return false;
    }
    return true;
}

std::optional<SandboxLayout> sandboxLayoutFrom(const QCommandLineParser &parser, QString *error)
{
    int base = SandboxLayout::kDefaultPortBase;
    if (parser.isSet(kPortBase)) {
        bool ok = false;
        base = parser.value(kPortBase).toInt(&ok);
        if (!ok) {
            *error = QStringLiteral("--port-base takes a number");
            return std::nullopt;
        }
    }
    const QString dir =
        parser.isSet(kStateDir) ? parser.value(kStateDir) : SandboxLayout::defaultStateDir(base);
    return SandboxLayout::make(base, dir, error);
}

std::optional<qint64> parseTime(const QString &text, QString *error)
{
    if (text == QLatin1String("now"))
        return QDateTime::currentSecsSinceEpoch();
    static const QRegularExpression relative(
        QRegularExpression::anchoredPattern(QStringLiteral("\\+(\\d{1,7})([smhd]?)")));
    const auto m = relative.match(text);
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QString unit = m.captured(2);
        const qint64 scale = unit == QLatin1String("m")   ? 60
                             : unit == QLatin1String("h") ? 3600
                             : unit == QLatin1String("d") ? 86400
                                                          : 1;
        return QDateTime::currentSecsSinceEpoch() + n * scale;
    }
    bool ok = false;
    const qint64 unix = text.toLongLong(&ok);
    if (ok && unix > 0 && unix < 253402300800)
        return unix;
    QDateTime dt = QDateTime::fromString(text, Qt::ISODate);
    if (dt.isValid() && dt.timeSpec() == Qt::LocalTime)
        dt.setTimeSpec(Qt::UTC); // no offset given: UTC, whatever the machine's zone
    if (dt.isValid())
        return dt.toSecsSinceEpoch();
    *error = QStringLiteral("'%1' is not a time (ISO 8601, unix seconds, now, or +N[s|m|h|d])")
                 .arg(text.left(80));
    return std::nullopt;
}

std::optional<OriginArg> parseOriginArg(const QString &text, QString *error)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(
        QStringLiteral("([0-9.]+|\\[[0-9a-fA-F:]+\\]):(\\d{1,5})(?:=(\\d{1,3}))?(,backup)?")));
    const auto m = re.match(text);
    OriginArg o;
    const int port = m.hasMatch() ? m.captured(2).toInt() : 0;
    o.weight = m.hasMatch() && !m.captured(3).isEmpty() ? m.captured(3).toInt() : 1;
    o.backup = m.hasMatch() && !m.captured(4).isEmpty();
    QString a = m.captured(1);
    if (a.startsWith(QLatin1Char('[')))
        a = a.mid(1, a.size() - 2);
    if (!m.hasMatch() || !o.address.setAddress(a) || port < 1 || port > 65535 || o.weight < 1 ||
        o.weight > 256) {
        *error = QStringLiteral("origin '%1' is not ADDR:PORT[=W][,backup] (W 1-256)")
                     .arg(text.left(80));
        return std::nullopt;
    }
    o.port = quint16(port);
    return o;
}

} // namespace headroom::ctl
