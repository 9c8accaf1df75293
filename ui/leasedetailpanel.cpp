#include "leasedetailpanel.h"

#include "leaseboard.h"
#include "leasepresentation.h"

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonValue>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace headroom {

namespace {

constexpr int MaxEvents = 8;
// A status older than this means the steering loop is not running (it writes every poll).
constexpr qint64 StaleStatusMs = 60 * 1000;

QString mutedStyle()
{
    return QStringLiteral("color: #5b6574;");
}

// The site on each proxy, in a table, and as plain text: a tick once provisioned; otherwise the
// state, the attempts so far and the last error, so that a proxy that does not converge shows.
std::pair<QString, QString> proxiesTable(const QList<SiteProvisioning> &states)
{
    constexpr int MaxErrorChars = 160;
    QStringList rows;
    QStringList plain;
    for (const SiteProvisioning &p : states) {
        QString colour = QStringLiteral("#5b6574");
        QString mark;
        QString text = p.state;
        QString plainText = p.state;
        if (p.state == QLatin1String("provisioned")) {
            colour = QStringLiteral("#2e9d50");
            mark = QStringLiteral("✓ ");
            if (p.attempts > 1) {
                text += QStringLiteral(" <span style='color:#5b6574'>after %1 attempts</span>")
                            .arg(p.attempts);
                plainText += QStringLiteral(" after %1 attempts").arg(p.attempts);
            }
        } else if (p.state == QLatin1String("failed")) {
            colour = QStringLiteral("#b02a2d");
            mark = QStringLiteral("✗ ");
            const QString attempts = p.attempts == 1
                                         ? QStringLiteral("1 attempt")
                                         : QStringLiteral("%1 attempts").arg(p.attempts);
            text += QStringLiteral(" after ") + attempts;
            plainText += QStringLiteral(" after ") + attempts;
        } else if (p.state == QLatin1String("pending")) {
            colour = QStringLiteral("#a86a00");
            if (p.attempts > 0) {
                text += QStringLiteral(" · attempt %1").arg(p.attempts);
                plainText += QStringLiteral(" attempt %1").arg(p.attempts);
            }
        }
        rows.append(QStringLiteral("<tr><td style='padding-right:14px'>%1</td>"
                                   "<td style='color:%2'><b>%3</b>%4</td></tr>")
                        .arg(p.proxy.toHtmlEscaped(), colour, mark, text));
        if (!p.error.isEmpty() && p.state != QLatin1String("provisioned")) {
            const QString error = p.error.size() > MaxErrorChars
                                      ? p.error.left(MaxErrorChars - 1) + QChar(0x2026)
                                      : p.error;
            rows.append(QStringLiteral("<tr><td></td><td style='color:#5b6574'>%1</td></tr>")
                            .arg(error.toHtmlEscaped()));
            plainText += QStringLiteral(": ") + p.error;
        }
        plain.append(p.proxy + QLatin1Char(' ') + plainText);
    }
    return {QStringLiteral("<table cellspacing='0' cellpadding='1'>%1</table>")
                .arg(rows.join(QString())),
            plain.join(QLatin1Char('\n'))};
}

} // namespace

LeaseDetailPanel::LeaseDetailPanel(LeaseBoard *board, QWidget *parent)
    : QWidget(parent), m_board(board), m_nowMs(QDateTime::currentMSecsSinceEpoch()),
      m_pages(new QStackedWidget(this))
{
    setObjectName(QStringLiteral("leaseDetail"));
    m_hint = new QLabel(QStringLiteral("Select a lease on the timeline or in the table to see "
                                       "how it is steered."),
                        this);
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setStyleSheet(mutedStyle());

    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    m_title = new QLabel(content);
    m_title->setObjectName(QStringLiteral("leaseTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.35);
    m_title->setFont(titleFont);
    m_state = new QLabel(content);
    m_state->setObjectName(QStringLiteral("leaseState"));
    auto *titleRow = new QHBoxLayout;
    titleRow->setSpacing(10);
    titleRow->addWidget(m_title);
    titleRow->addWidget(m_state);
    titleRow->addStretch();
    layout->addLayout(titleRow);

    m_summary = new QLabel(content);
    m_summary->setStyleSheet(mutedStyle());
    m_window = new QLabel(content);
    m_countdown = new QLabel(content);
    m_countdown->setObjectName(QStringLiteral("leaseCountdown"));
    QFont countdownFont = m_countdown->font();
    countdownFont.setBold(true);
    countdownFont.setPointSizeF(countdownFont.pointSizeF() * 1.15);
    m_countdown->setFont(countdownFont);
    m_conflicts = new QLabel(content);
    m_conflicts->setObjectName(QStringLiteral("leaseConflicts"));
    m_conflicts->setWordWrap(true);
    m_conflicts->setStyleSheet(QStringLiteral("color: #b02a2d;"));
    layout->addWidget(m_summary);
    layout->addWidget(m_window);
    layout->addWidget(m_countdown);
    layout->addWidget(m_conflicts);

    layout->addSpacing(8);
    auto *liveRow = new QHBoxLayout;
    liveRow->addWidget(addCaption(QStringLiteral("Live steering")));
    m_liveAge = new QLabel(content);
    m_liveAge->setObjectName(QStringLiteral("leaseStatusAge"));
    m_liveAge->setStyleSheet(mutedStyle());
    liveRow->addStretch();
    liveRow->addWidget(m_liveAge);
    layout->addLayout(liveRow);

    m_fraction = new QLabel(content);
    m_fraction->setObjectName(QStringLiteral("leaseFraction"));
    QFont fractionFont = m_fraction->font();
    fractionFont.setBold(true);
    fractionFont.setPointSizeF(fractionFont.pointSizeF() * 2.2);
    m_fraction->setFont(fractionFont);
    m_fractionNote = new QLabel(content);
    m_fractionNote->setWordWrap(true);
    m_fractionNote->setStyleSheet(mutedStyle());
    m_rates = new QLabel(content);
    m_rates->setObjectName(QStringLiteral("leaseRates"));
    m_rates->setTextFormat(Qt::RichText);
    auto *fractionBox = new QVBoxLayout;
    fractionBox->setSpacing(0);
    fractionBox->addWidget(m_fraction);
    fractionBox->addWidget(m_fractionNote);
    auto *numbers = new QHBoxLayout;
    numbers->setSpacing(18);
    numbers->addLayout(fractionBox);
    numbers->addWidget(m_rates, 1);
    m_numbers = new QWidget(content);
    numbers->setContentsMargins(0, 0, 0, 0);
    m_numbers->setLayout(numbers);
    layout->addWidget(m_numbers);
    m_noStatus = new QLabel(QStringLiteral("No status yet: the controller reports one each poll "
                                           "once the lease is provisioned."),
                            content);
    m_noStatus->setObjectName(QStringLiteral("leaseNoStatus"));
    m_noStatus->setWordWrap(true);
    m_noStatus->setStyleSheet(mutedStyle());
    layout->addWidget(m_noStatus);
    m_delivered = new QProgressBar(content);
    m_delivered->setObjectName(QStringLiteral("leaseDelivered"));
    m_delivered->setTextVisible(false);
    m_delivered->setFixedHeight(8);
    m_delivered->setRange(0, 1000);
    m_delivered->setStyleSheet(
        QStringLiteral("QProgressBar { border: none; background: #e3e8ef; border-radius: 4px; }"
                       "QProgressBar::chunk { background: #2e9d50; border-radius: 4px; }"));
    layout->addWidget(m_delivered);

    layout->addSpacing(8);
    auto *proxiesRow = new QHBoxLayout;
    proxiesRow->addWidget(addCaption(QStringLiteral("Proxies")));
    m_proxiesSummary = new QLabel(content);
    m_proxiesSummary->setObjectName(QStringLiteral("leaseProxiesSummary"));
    m_proxiesSummary->setStyleSheet(mutedStyle());
    proxiesRow->addStretch();
    proxiesRow->addWidget(m_proxiesSummary);
    layout->addLayout(proxiesRow);
    m_proxies = new QLabel(content);
    m_proxies->setObjectName(QStringLiteral("leaseProxies"));
    m_proxies->setTextFormat(Qt::RichText);
    m_proxies->setWordWrap(true);
    layout->addWidget(m_proxies);

    layout->addSpacing(8);
    layout->addWidget(addCaption(QStringLiteral("Weights served")));
    m_weights = new QLabel(content);
    m_weights->setObjectName(QStringLiteral("leaseWeights"));
    m_weights->setTextFormat(Qt::RichText);
    m_weights->setWordWrap(true);
    layout->addWidget(m_weights);

    layout->addSpacing(8);
    layout->addWidget(addCaption(QStringLiteral("History")));
    m_events = new QLabel(content);
    m_events->setObjectName(QStringLiteral("leaseEvents"));
    m_events->setTextFormat(Qt::RichText);
    m_events->setWordWrap(true);
    m_events->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_events);
    layout->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);
    scroll->viewport()->setAutoFillBackground(false);
    content->setAutoFillBackground(false);

    m_pages->addWidget(m_hint);
    m_pages->addWidget(scroll);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(16, 12, 16, 12);
    outer->addWidget(m_pages);

    if (m_board)
        connect(m_board, &LeaseBoard::changed, this, &LeaseDetailPanel::refresh);
    refresh();
}

QLabel *LeaseDetailPanel::addCaption(const QString &text)
{
    auto *caption = new QLabel(text.toUpper(), this);
    QFont font = caption->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 0.9);
    font.setLetterSpacing(QFont::PercentageSpacing, 106);
    caption->setFont(font);
    caption->setStyleSheet(mutedStyle());
    return caption;
}

void LeaseDetailPanel::setLease(qint64 id)
{
    if (id == m_leaseId)
        return;
    m_leaseId = id;
    refresh();
}

void LeaseDetailPanel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    updateClock();
}

void LeaseDetailPanel::refresh()
{
    const std::optional<Lease> lease = m_board ? m_board->lease(m_leaseId) : std::nullopt;
    if (!lease) {
        m_pages->setCurrentWidget(m_hint);
        m_ratesPlain.clear();
        m_weightsPlain.clear();
        m_proxiesPlain.clear();
        m_eventsPlain.clear();
        return;
    }
    m_pages->setCurrentIndex(1);
    const QLocale locale;
    m_title->setText(lease->siteName);
    const QColor colour = presentation::leaseColor(lease->state);
    m_state->setText(presentation::leaseStateText(lease->state));
    m_state->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: "
                                          "9px; padding: 2px 10px; font-weight: bold; }")
                               .arg(colour.name()));
    m_summary->setText(QStringLiteral("%1 · pool %2 · overflow %3")
                           .arg(presentation::leaseRateKindText(*lease), lease->pool,
                                overflowPolicyName(lease->overflow)));
    m_window->setText(
        presentation::windowText(lease->startsAtMs, lease->endsAtMs) + QStringLiteral(" UTC") +
        (lease->dailyDays > 1 ? QStringLiteral(" · daily on %1 days").arg(lease->dailyDays)
                              : QString()));

    const QList<ScheduleConflict> conflicts = m_board->conflicts(lease->id);
    const bool over =
        std::any_of(conflicts.cbegin(), conflicts.cend(), [](const ScheduleConflict &c) {
            return c.kind == ScheduleConflict::Kind::OverForecast;
        });
    m_conflicts->setVisible(over);
    m_conflicts->setText(over ? QStringLiteral("Over the forecast headroom: ") +
                                    describeConflicts(conflicts)
                              : QString());

    const std::optional<LeaseStatus> status = m_board->status(lease->id);
    m_statusAtMs = status ? status->atMs : 0;
    if (!status) {
        m_fraction->setText(QStringLiteral("—"));
        m_fractionNote->setText(QString());
        m_numbers->hide();
        m_delivered->hide();
        m_noStatus->show();
        m_rates->setText(QString());
        m_ratesPlain.clear();
        m_delivered->setValue(0);
        m_weights->setText(QStringLiteral("<span style='color:#5b6574'>None served.</span>"));
        m_weightsPlain.clear();
    } else {
        m_numbers->show();
        m_delivered->show();
        m_noStatus->hide();
        m_fraction->setText(QStringLiteral("%1 %").arg(qRound(status->fraction * 100)));
        m_fractionNote->setText(status->inWindow ? QStringLiteral("of lookups steered to us")
                                                 : QStringLiteral("outside its window"));
        const auto row = [](const QString &name, const QString &value) {
            return QStringLiteral("<tr><td style='color:#5b6574; padding-right:12px'>%1</td>"
                                  "<td align='right'><b>%2</b></td></tr>")
                .arg(name, value);
        };
        m_rates->setText(
            QStringLiteral("<table cellspacing='0' cellpadding='1'>%1%2%3</table>")
                .arg(row(QStringLiteral("Delivered"), presentation::rateText(status->deliveredRps)),
                     row(QStringLiteral("Allocated"), presentation::rateText(status->allocatedRps)),
                     row(QStringLiteral("Demand"), presentation::rateText(status->demandRps))));
        m_ratesPlain = QStringLiteral("Delivered %1 · Allocated %2 · Demand %3")
                           .arg(presentation::rateText(status->deliveredRps),
                                presentation::rateText(status->allocatedRps),
                                presentation::rateText(status->demandRps));
        const double share = status->allocatedRps > 0
                                 ? std::clamp(status->deliveredRps / status->allocatedRps, 0.0, 1.0)
                                 : 0.0;
        m_delivered->setValue(int(share * 1000));
        m_delivered->setToolTip(QStringLiteral("Delivered %1 of the %2 allocated")
                                    .arg(presentation::rateText(status->deliveredRps),
                                         presentation::rateText(status->allocatedRps)));

        // Targets by weight, heaviest first.
        QList<std::pair<QString, double>> weights;
        double total = 0;
        for (auto it = status->weights.constBegin(); it != status->weights.constEnd(); ++it) {
            const double w = it.value().toDouble();
            weights.append({it.key(), w});
            total += std::max(0.0, w);
        }
        std::stable_sort(weights.begin(), weights.end(),
                         [](const auto &a, const auto &b) { return a.second > b.second; });
        QStringList rows;
        QStringList plain;
        for (const auto &[target, weight] : weights) {
            const int percent = total > 0 ? qRound(std::max(0.0, weight) / total * 100) : 0;
            const QString weightText = locale.toString(weight, 'g', 6);
            rows.append(QStringLiteral("<tr><td style='padding-right:14px'>%1</td>"
                                       "<td align='right' style='padding-right:14px'><b>%2</b></td>"
                                       "<td align='right' style='color:#5b6574'>%3 %</td></tr>")
                            .arg(target.toHtmlEscaped(), weightText)
                            .arg(percent));
            plain.append(QStringLiteral("%1 %2 %3 %").arg(target, weightText).arg(percent));
        }
        m_weights->setText(rows.isEmpty()
                               ? QStringLiteral("<span style='color:#5b6574'>None served.</span>")
                               : QStringLiteral("<table cellspacing='0' cellpadding='1'>%1</table>")
                                     .arg(rows.join(QString())));
        m_weightsPlain = plain.join(QLatin1Char('\n'));
    }

    const QList<SiteProvisioning> proxies = m_board->provisioning(lease->siteId);
    if (proxies.isEmpty()) {
        m_proxies->setText(QStringLiteral("<span style='color:#5b6574'>%1</span>")
                               .arg(isTerminal(lease->state)
                                        ? QStringLiteral("Not on the proxies.")
                                        : QStringLiteral("Not provisioned yet: the controller puts "
                                                         "the site on every proxy when the lease "
                                                         "starts.")));
        m_proxiesSummary->setText(QString());
        m_proxiesPlain.clear();
    } else {
        const auto [html, plain] = proxiesTable(proxies);
        m_proxies->setText(html);
        m_proxiesPlain = plain;
        const auto count = [&proxies](const char *state) {
            return std::count_if(proxies.cbegin(), proxies.cend(), [state](const auto &p) {
                return p.state == QLatin1String(state);
            });
        };
        const qsizetype failed = count("failed");
        m_proxiesSummary->setText(
            QStringLiteral("%1 of %2 provisioned%3")
                .arg(count("provisioned"))
                .arg(proxies.size())
                .arg(failed ? QStringLiteral(" · %1 failed").arg(failed) : QString()));
        m_proxiesSummary->setStyleSheet(failed ? QStringLiteral("color: #b02a2d;") : mutedStyle());
    }

    QList<LeaseEvent> events = m_board->events(lease->id);
    std::reverse(events.begin(), events.end());
    QStringList rows;
    QStringList plain;
    for (qsizetype i = 0; i < std::min<qsizetype>(MaxEvents, events.size()); ++i) {
        const LeaseEvent &e = events.at(i);
        const QString when = QLocale::c().toString(QDateTime::fromMSecsSinceEpoch(e.atMs, Qt::UTC),
                                                   QStringLiteral("d MMM HH:mm:ss"));
        const QString what =
            e.from.isEmpty() || e.from == e.to ? e.to : QStringLiteral("%1 → %2").arg(e.from, e.to);
        rows.append(QStringLiteral("<tr><td style='color:#5b6574; padding-right:10px' "
                                   "valign='top'>%1</td><td><b>%2</b> %3</td></tr>")
                        .arg(when, what.toHtmlEscaped(), e.note.toHtmlEscaped()));
        plain.append(QStringLiteral("%1 %2 %3").arg(when, what, e.note));
    }
    m_events->setText(QStringLiteral("<table cellspacing='0' cellpadding='1'>%1</table>")
                          .arg(rows.join(QString())));
    m_eventsPlain = plain.join(QLatin1Char('\n'));
    updateClock();
}

void LeaseDetailPanel::updateClock()
{
    const std::optional<Lease> lease = m_board ? m_board->lease(m_leaseId) : std::nullopt;
    if (!lease)
        return;
    m_countdown->setText(presentation::countdownText(*lease, m_nowMs));
    m_countdown->setStyleSheet(QStringLiteral("color: %1;")
                                   .arg(presentation::leaseColor(lease->state).darker(120).name()));
    if (m_statusAtMs <= 0) {
        m_liveAge->setText(QString());
        return;
    }
    const qint64 age = std::max<qint64>(0, m_nowMs - m_statusAtMs);
    m_liveAge->setText(QStringLiteral("updated %1 ago%2")
                           .arg(presentation::durationText(age),
                                age > StaleStatusMs && !isTerminal(lease->state)
                                    ? QStringLiteral(" — is the controller running?")
                                    : QString()));
    m_liveAge->setStyleSheet(age > StaleStatusMs && !isTerminal(lease->state)
                                 ? QStringLiteral("color: #b02a2d;")
                                 : mutedStyle());
}

QString LeaseDetailPanel::titleText() const
{
    return m_title->text();
}

QString LeaseDetailPanel::countdownText() const
{
    return m_countdown->text();
}

QString LeaseDetailPanel::fractionText() const
{
    return m_fraction->text();
}

QString LeaseDetailPanel::ratesText() const
{
    return m_ratesPlain;
}

QString LeaseDetailPanel::weightsText() const
{
    return m_weightsPlain;
}

QString LeaseDetailPanel::proxiesText() const
{
    return m_proxiesPlain;
}

QString LeaseDetailPanel::eventsText() const
{
    return m_eventsPlain;
}

} // namespace headroom
