// headroomctl api: not built yet.
#include "cli.h"
#include "commands.h"

namespace headroom::ctl {

int api(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    err() << "headroomctl api: not available yet\n";
    return 1;
}

} // namespace headroom::ctl
