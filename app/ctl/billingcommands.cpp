// headroomctl billing: not built yet.
#include "cli.h"
#include "commands.h"

namespace headroom::ctl {

int billing(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    err() << "headroomctl billing: not available yet\n";
    return 1;
}

} // namespace headroom::ctl
