#include "leaseschedulecommand.h"

#include "leaseboard.h"
#include "leasepresentation.h"

namespace headroom {

LeaseScheduleCommand::LeaseScheduleCommand(LeaseBoard *board, const Lease &lease,
                                           LeaseWindow before, LeaseWindow after, Report report)
    : m_board(board), m_leaseId(lease.id), m_site(lease.siteName), m_before(before), m_after(after),
      m_report(std::move(report))
{
    const bool moved = before.startMs != after.startMs &&
                       before.endMs - before.startMs == after.endMs - after.startMs;
    setText(QStringLiteral("%1 %2 to %3")
                .arg(moved ? QStringLiteral("move") : QStringLiteral("resize"), m_site,
                     presentation::windowText(after.startMs, after.endMs)));
}

void LeaseScheduleCommand::redo()
{
    apply(m_before, m_after, QStringLiteral("moved in the console"));
}

void LeaseScheduleCommand::undo()
{
    apply(m_after, m_before, QStringLiteral("move undone in the console"));
}

void LeaseScheduleCommand::apply(LeaseWindow from, LeaseWindow to, const QString &note)
{
    const auto fail = [this](const QString &why) {
        setObsolete(true);
        if (m_report)
            m_report(why);
    };
    if (!m_board) {
        fail(QStringLiteral("%1 was not moved: the lease records are closed.").arg(m_site));
        return;
    }
    const std::optional<Lease> current = m_board->lease(m_leaseId);
    if (!current) {
        fail(QStringLiteral("%1 was not moved: the lease is no longer shown.").arg(m_site));
        return;
    }
    if (current->startsAtMs != from.startMs || current->endsAtMs != from.endMs) {
        fail(QStringLiteral("%1 was not moved: it has been rescheduled elsewhere since (now %2).")
                 .arg(m_site, presentation::windowText(*current)));
        return;
    }
    if (const QString why = LeaseBoard::changeRefusal(*current, to.startMs, to.endMs);
        !why.isEmpty()) {
        fail(QStringLiteral("Not moved: ") + why);
        return;
    }
    const Result<bool> moved = m_board->reschedule(m_leaseId, to.startMs, to.endMs, note);
    if (!moved)
        fail(QStringLiteral("%1 was not moved: %2").arg(m_site, moved.error().message));
    else if (!moved.value())
        fail(QStringLiteral("%1 was not moved: it changed in the database meanwhile.").arg(m_site));
}

} // namespace headroom
