#include "statusbardnsupdates.h"

#include "databasethread.h"
#include "store/changewatcher.h"
#include "store/dnsrepository.h"

#include <QDateTime>

namespace headroom {

namespace {

QString localClock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

StatusBarDnsUpdates::StatusBarDnsUpdates(QWidget *parent)
    : QLabel(parent), m_reader(new DatabaseThread(QStringLiteral("DnsUpdateLogReader"), this)),
      m_watcher(new ChangeWatcher(this))
{
    setObjectName(QStringLiteral("dnsUpdateFault"));
    setTextFormat(Qt::RichText);
    setVisible(false);
    connect(m_watcher, &ChangeWatcher::changed, this, &StatusBarDnsUpdates::refresh);
}

QString StatusBarDnsUpdates::databasePath() const
{
    return m_reader->path();
}

void StatusBarDnsUpdates::setDatabasePath(const QString &path)
{
    m_reader->setPath(path);
    m_watcher->watch(path);
    if (path.isEmpty())
        showFailureRun(std::nullopt);
    else
        refresh();
}

void StatusBarDnsUpdates::refresh()
{
    // One read at a time; commits during it make one more.
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    m_reader->run(this, [this](Database *db, const QString &) -> DatabaseThread::Reply {
        std::optional<UpdateFailureRun> run;
        bool known = false;
        if (db) {
            const auto read = UpdateLogRepository(*db).currentFailureRun();
            known = read.ok();
            if (known)
                run = read.value();
        }
        return [this, known, run] {
            m_reading = false;
            if (known)
                showFailureRun(run);
            if (m_readAgain) {
                m_readAgain = false;
                refresh();
            }
        };
    });
}

void StatusBarDnsUpdates::showFailureRun(const std::optional<UpdateFailureRun> &run)
{
    if (!run) {
        setVisible(false);
        setText(QString());
        setToolTip(QString());
        setAccessibleName(QString());
        return;
    }
    const QString since = localClock(run->sinceMs);
    setText(QStringLiteral("<span style=\"color:#c62828; font-size:large\">&#9679;</span>"
                           "&nbsp;<b>DNS updates failing since %1</b>")
                .arg(since));
    setToolTip(QStringLiteral("%1 UPDATE(s) to our DNS server failed since %2, the last at %3:\n"
                              "%4\n\nThe steering loop retries with backoff. Until an update gets "
                              "through, each record keeps its last weights until its validity "
                              "deadline; after it the DNS server answers the purchaser's servers "
                              "by itself.")
                   .arg(run->failures)
                   .arg(since, localClock(run->lastMs), run->lastError.left(300)));
    setAccessibleName(QStringLiteral("DNS updates failing since %1").arg(since));
    setVisible(true);
}

} // namespace headroom
