#pragma once

#include "domain/lease.h"

#include <QPointer>
#include <QUndoCommand>
#include <functional>

namespace headroom {

class LeaseBoard;

// One drag on the timeline: moves a lease's windows from `before` to `after` (redo) and back
// (undo) through LeaseBoard::reschedule(). The database may have changed in between (the
// controller started the lease, someone else moved it): a step that is no longer allowed or no
// longer applies is reported through `report` and the command makes itself obsolete, so the
// undo stack drops it rather than keep a step that cannot be taken.
class LeaseScheduleCommand final : public QUndoCommand
{
public:
    using Report = std::function<void(const QString &message)>;

    LeaseScheduleCommand(LeaseBoard *board, const Lease &lease, LeaseWindow before,
                         LeaseWindow after, Report report);

    void redo() override;
    void undo() override;

    qint64 leaseId() const { return m_leaseId; }
    LeaseWindow before() const { return m_before; }
    LeaseWindow after() const { return m_after; }
    // False once a step has failed.
    bool applied() const { return !isObsolete(); }

private:
    void apply(LeaseWindow from, LeaseWindow to, const QString &note);

    QPointer<LeaseBoard> m_board;
    qint64 m_leaseId = 0;
    QString m_site;
    LeaseWindow m_before;
    LeaseWindow m_after;
    Report m_report;
};

} // namespace headroom
