#include "cli.h"

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

} // namespace headroom::ctl
