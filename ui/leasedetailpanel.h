#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QStackedWidget;

namespace headroom {

class LeaseBoard;

// One lease up close: what was sold and when, the countdown, and what the steering loop last
// reported for it (the share of lookups answered with our proxies, the weights served, the rate
// delivered against the rate allocated and the site's demand), the site's provisioning state on
// each proxy, then its history of transitions.
class LeaseDetailPanel final : public QWidget
{
    Q_OBJECT
public:
    // `board` is not owned and must outlive the panel.
    explicit LeaseDetailPanel(LeaseBoard *board, QWidget *parent = nullptr);

    // 0 shows a hint to select a lease.
    void setLease(qint64 id);
    qint64 lease() const { return m_leaseId; }
    // Reads the lease, its status and its events from the board again.
    void refresh();
    // Moves the countdown and the status's age on.
    void setNow(qint64 nowMs);

    // What the panel shows, for tests and the screenshot's sake.
    QString titleText() const;
    QString countdownText() const;
    QString fractionText() const;
    QString ratesText() const;   // "Delivered 63 req/s · Allocated 150 req/s · Demand 200 req/s"
    QString weightsText() const; // plain text, one "target weight share" line each
    // Plain text, one line per proxy: "proxy1 provisioned", "proxy3 failed after 3 attempts:
    // <error>"; empty before the site was first provisioned.
    QString proxiesText() const;
    QString eventsText() const; // plain text, newest first

private:
    QLabel *addCaption(const QString &text);
    void updateClock();

    QPointer<LeaseBoard> m_board;
    qint64 m_leaseId = 0;
    qint64 m_nowMs = 0;
    qint64 m_statusAtMs = 0;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_window = nullptr;
    QLabel *m_countdown = nullptr;
    QLabel *m_conflicts = nullptr;
    QLabel *m_liveAge = nullptr;
    QLabel *m_fraction = nullptr;
    QLabel *m_fractionNote = nullptr;
    QLabel *m_rates = nullptr;
    QWidget *m_numbers = nullptr;
    QLabel *m_noStatus = nullptr;
    QProgressBar *m_delivered = nullptr;
    QLabel *m_weights = nullptr;
    QLabel *m_proxies = nullptr;
    QLabel *m_proxiesSummary = nullptr;
    QLabel *m_events = nullptr;
    QString m_ratesPlain;
    QString m_weightsPlain;
    QString m_proxiesPlain;
    QString m_eventsPlain;
};

} // namespace headroom
