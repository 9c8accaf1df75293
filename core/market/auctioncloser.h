#pragma once

#include <QObject>
#include <QString>
#include <memory>

namespace headroom {

class Database;

// Closes auctions at their set time: whoever runs the steering loop (`headroomctl run` or the
// console) calls closeDue() after each poll. Two closers racing are harmless - closing is a
// compare-and-set on the offer's state - so it needs no lock of its own. Lives on the thread that
// created it (its database connection cannot move).
class AuctionCloser final : public QObject
{
    Q_OBJECT
public:
    explicit AuctionCloser(const QString &databasePath, QObject *parent = nullptr);
    ~AuctionCloser() override;

    void closeDue();

Q_SIGNALS:
    void message(const QString &line); // one line for the loop's log

private:
    std::unique_ptr<Database> m_db;
    QString m_openError;
};

} // namespace headroom
