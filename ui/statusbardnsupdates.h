#pragma once

#include "domain/updatelogentry.h"

#include <QLabel>
#include <optional>

namespace headroom {

class ChangeWatcher;
class DatabaseThread;

// The status bar's DNS fault: "DNS updates failing since 12:00:01" in red while the newest
// UPDATEs in the database's log failed - whoever sends them, this console's steering loop or a
// `headroomctl run` elsewhere - with the count and the last error in the tooltip; hidden once one
// succeeds. Reads the log off the GUI thread whenever anyone commits to the database.
class StatusBarDnsUpdates final : public QLabel
{
    Q_OBJECT
public:
    explicit StatusBarDnsUpdates(QWidget *parent = nullptr);

    // The database whose update log to follow (empty: none, hidden).
    void setDatabasePath(const QString &path);
    QString databasePath() const;

    // Shows the run of failures, or hides for none; public so tests can show it without a
    // database.
    void showFailureRun(const std::optional<UpdateFailureRun> &run);

private:
    void refresh();

    DatabaseThread *m_reader = nullptr;
    ChangeWatcher *m_watcher = nullptr;
    bool m_reading = false;
    bool m_readAgain = false;
};

} // namespace headroom
