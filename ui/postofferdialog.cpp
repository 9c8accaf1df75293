#include "postofferdialog.h"

#include "leasepresentation.h"
#include "marketboard.h"
#include "marketpresentation.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>

namespace headroom {

namespace {

constexpr qint64 HourMs = 3600LL * 1000;
constexpr qint64 MinuteMs = 60LL * 1000;
// Edits come in bursts while typing; the forecast is checked once they pause.
constexpr int CheckDelayMs = 250;

const QString kErrorStyle = QStringLiteral("color: #b3261e;");

bool sameTerms(const Offer &a, const Offer &b)
{
    return a.pool == b.pool && a.rateRps == b.rateRps && a.startsAtMs == b.startsAtMs &&
           a.durationMs == b.durationMs && a.dailyDays == b.dailyDays && a.kind == b.kind &&
           a.pricing == b.pricing && a.priceMinor == b.priceMinor &&
           a.reserveMinor == b.reserveMinor && a.currency == b.currency &&
           a.closesAtMs == b.closesAtMs;
}

// The domain's rule for one field, said as a sentence: Offer::validate() of an offer that is
// well-formed but for that field. So a field is checked as soon as it is typed, whatever the
// state of the others, without restating the domain's rules here.
QString domainProblem(const std::function<void(Offer &)> &set)
{
    Offer offer;
    offer.pool = QStringLiteral("pool");
    offer.rateRps = 1;
    offer.startsAtMs = HourMs;
    offer.durationMs = HourMs;
    offer.priceMinor = 1;
    offer.currency = QStringLiteral("EUR");
    set(offer);
    QString problem = offer.validate();
    if (!problem.isEmpty()) {
        problem[0] = problem.at(0).toUpper();
        problem += QLatin1Char('.');
    }
    return problem;
}

QDateTimeEdit *makeTimeEdit(QWidget *parent, qint64 ms)
{
    auto *edit = new QDateTimeEdit(parent);
    edit->setTimeSpec(Qt::UTC);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
    edit->setCalendarPopup(true);
    edit->setDateTime(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
    return edit;
}

qint64 msOf(const QDateTimeEdit *edit)
{
    // Whole minutes: the seconds the edit does not show never count.
    return edit->dateTime().toMSecsSinceEpoch() / MinuteMs * MinuteMs;
}

} // namespace

PostOfferDialog::PostOfferDialog(MarketBoard *board, const QStringList &pools, QWidget *parent)
    : QDialog(parent), m_board(board), m_checkDelay(new QTimer(this))
{
    setWindowTitle(QStringLiteral("Post an offer"));
    setMinimumWidth(560);

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 nextHour = (now / HourMs + 2) * HourMs;

    m_pool = new QComboBox(this);
    m_pool->setObjectName(QStringLiteral("offerPool"));
    m_pool->setEditable(true);
    m_pool->addItems(pools);
    m_pool->setInsertPolicy(QComboBox::NoInsert);
    m_pool->lineEdit()->setPlaceholderText(QStringLiteral("the proxy pool, e.g. sandbox"));

    m_rate = new QLineEdit(this);
    m_rate->setObjectName(QStringLiteral("offerRate"));
    m_rate->setPlaceholderText(QStringLiteral("e.g. 200"));
    auto *rateUnit = new QLabel(QStringLiteral("req/s"), this);

    m_start = makeTimeEdit(this, nextHour);
    m_start->setObjectName(QStringLiteral("offerStart"));

    m_duration = new QLineEdit(QStringLiteral("4h"), this);
    m_duration->setObjectName(QStringLiteral("offerDuration"));
    m_duration->setPlaceholderText(QStringLiteral("4h, 90m or 1h30m"));

    m_days = new QSpinBox(this);
    m_days->setObjectName(QStringLiteral("offerDays"));
    m_days->setRange(0, 366);
    m_days->setSpecialValueText(QStringLiteral("once"));
    m_days->setSuffix(QStringLiteral(" days"));
    m_days->setToolTip(QStringLiteral("The same window on this many consecutive days"));

    auto *firm = new QRadioButton(QStringLiteral("Firm"), this);
    firm->setObjectName(QStringLiteral("offerFirm"));
    firm->setToolTip(QStringLiteral("Reserved first; a shortfall is credited. Priced per req/s "
                                    "per hour."));
    auto *bestEffort = new QRadioButton(QStringLiteral("Best effort"), this);
    bestEffort->setObjectName(QStringLiteral("offerBestEffort"));
    bestEffort->setToolTip(QStringLiteral("Shares what firm leases leave; billed per 1,000 "
                                          "requests carried."));
    m_kind = new QButtonGroup(this);
    m_kind->addButton(firm, int(LeaseKind::Firm));
    m_kind->addButton(bestEffort, int(LeaseKind::BestEffort));
    firm->setChecked(true);
    auto *kindRow = new QWidget(this);
    auto *kindLayout = new QHBoxLayout(kindRow);
    kindLayout->setContentsMargins(0, 0, 0, 0);
    kindLayout->addWidget(firm);
    kindLayout->addWidget(bestEffort);
    kindLayout->addStretch();

    m_pricing = new QComboBox(this);
    m_pricing->setObjectName(QStringLiteral("offerPricing"));
    m_pricing->addItem(QStringLiteral("Fixed price, first come first served"),
                       int(PricingMode::Fixed));
    m_pricing->addItem(QStringLiteral("Auction, sealed bids cleared at one price"),
                       int(PricingMode::Auction));
    m_pricing->addItem(QStringLiteral("Continuous, bids matched against an ask"),
                       int(PricingMode::Continuous));

    m_price = new QLineEdit(this);
    m_price->setObjectName(QStringLiteral("offerPrice"));
    m_price->setPlaceholderText(QStringLiteral("e.g. 12.50"));
    m_priceUnit = new QLabel(this);
    m_priceUnit->setObjectName(QStringLiteral("offerPriceUnit"));

    m_closes = makeTimeEdit(this, nextHour - HourMs);
    m_closes->setObjectName(QStringLiteral("offerCloses"));

    m_currency = new QLineEdit(QStringLiteral("EUR"), this);
    m_currency->setObjectName(QStringLiteral("offerCurrency"));
    m_currency->setMaximumWidth(80);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("offerSummary"));
    m_summary->setWordWrap(true);
    QPalette muted = m_summary->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    m_summary->setPalette(muted);

    m_forecast = new QLabel(this);
    m_forecast->setObjectName(QStringLiteral("offerForecast"));
    m_forecast->setWordWrap(true);
    m_forecast->setTextFormat(Qt::PlainText);
    m_forecast->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_override = new QLineEdit(this);
    m_override->setObjectName(QStringLiteral("offerOverride"));
    m_override->setMaxLength(500);
    m_override->setPlaceholderText(
        QStringLiteral("why sell above the forecast, e.g. a second pool comes online Monday"));

    m_submitError = new QLabel(this);
    m_submitError->setObjectName(QStringLiteral("offerSubmitError"));
    m_submitError->setWordWrap(true);
    m_submitError->setStyleSheet(kErrorStyle);
    m_submitError->hide();

    auto *form = new QFormLayout;
    form->setHorizontalSpacing(14);
    form->setVerticalSpacing(6);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    form->addRow(QStringLiteral("Pool:"), fieldWithError(Field::Pool, m_pool));
    form->addRow(QStringLiteral("Rate:"), fieldWithError(Field::Rate, m_rate, rateUnit));
    form->addRow(QStringLiteral("Window starts:"), fieldWithError(Field::Start, m_start));
    form->addRow(QStringLiteral("Lasts:"), fieldWithError(Field::Duration, m_duration));
    form->addRow(QStringLiteral("Repeat daily:"), fieldWithError(Field::Days, m_days));
    form->addRow(QStringLiteral("Kind:"), kindRow);
    form->addRow(QStringLiteral("Pricing:"), m_pricing);
    m_priceLabel = new QLabel(QStringLiteral("Price:"), this);
    form->addRow(m_priceLabel, fieldWithError(Field::Price, m_price, m_priceUnit));
    form->addRow(QStringLiteral("Auction closes:"), fieldWithError(Field::Closes, m_closes));
    form->addRow(QStringLiteral("Currency:"), fieldWithError(Field::Currency, m_currency));

    m_overrideRow = new QWidget(this);
    auto *overrideLayout = new QVBoxLayout(m_overrideRow);
    overrideLayout->setContentsMargins(0, 0, 0, 0);
    overrideLayout->setSpacing(4);
    auto *overrideLabel = new QLabel(QStringLiteral("Reason to sell it anyway (kept with the offer "
                                                    "and in the audit log):"),
                                     m_overrideRow);
    overrideLabel->setWordWrap(true);
    overrideLayout->addWidget(overrideLabel);
    overrideLayout->addWidget(fieldWithError(Field::Override, m_override));
    m_overrideRow->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(QStringLiteral("offerOk"));
    m_ok->setText(QStringLiteral("Post offer"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PostOfferDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &PostOfferDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 18, 18, 18);
    layout->setSpacing(10);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(m_forecast);
    layout->addWidget(m_overrideRow);
    layout->addWidget(m_submitError);
    layout->addStretch();
    layout->addWidget(buttons);

    m_checkDelay->setSingleShot(true);
    m_checkDelay->setInterval(CheckDelayMs);
    connect(m_checkDelay, &QTimer::timeout, this, &PostOfferDialog::startCheck);
    for (QLineEdit *edit : {m_rate, m_duration, m_price, m_currency, m_override})
        connect(edit, &QLineEdit::textChanged, this, &PostOfferDialog::revalidate);
    connect(m_pool, &QComboBox::currentTextChanged, this, &PostOfferDialog::revalidate);
    connect(m_start, &QDateTimeEdit::dateTimeChanged, this, [this] {
        if (!m_closesTouched) {
            const QSignalBlocker quiet(m_closes);
            m_closes->setDateTime(QDateTime::fromMSecsSinceEpoch(msOf(m_start) - HourMs, Qt::UTC));
        }
        revalidate();
    });
    connect(m_closes, &QDateTimeEdit::dateTimeChanged, this, [this] {
        m_closesTouched = true;
        revalidate();
    });
    connect(m_days, &QSpinBox::valueChanged, this, &PostOfferDialog::revalidate);
    connect(m_kind, &QButtonGroup::idToggled, this, [this](int, bool on) {
        if (on)
            revalidate();
    });
    connect(m_pricing, &QComboBox::currentIndexChanged, this, &PostOfferDialog::pricingChanged);
    pricingChanged();
}

QWidget *PostOfferDialog::fieldWithError(Field field, QWidget *editor, QWidget *extra)
{
    auto *box = new QWidget(this);
    auto *column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    auto *row = new QHBoxLayout;
    row->setSpacing(8);
    const bool narrow = editor->maximumWidth() < QWIDGETSIZE_MAX;
    row->addWidget(editor, narrow ? 0 : 1);
    if (extra)
        row->addWidget(extra);
    if (narrow)
        row->addStretch(1);
    column->addLayout(row);
    auto *error = new QLabel(box);
    error->setObjectName(editor->objectName() + QStringLiteral("Error"));
    error->setWordWrap(true);
    error->setTextFormat(Qt::PlainText);
    error->setStyleSheet(kErrorStyle);
    error->hide();
    column->addWidget(error);
    m_errorLabels.insert(field, error);
    return box;
}

void PostOfferDialog::pricingChanged()
{
    const auto mode = PricingMode(m_pricing->currentData().toInt());
    m_priceLabel->setText(mode == PricingMode::Auction      ? QStringLiteral("Reserve:")
                          : mode == PricingMode::Continuous ? QStringLiteral("Ask:")
                                                            : QStringLiteral("Price:"));
    m_price->setPlaceholderText(mode == PricingMode::Auction
                                    ? QStringLiteral("the least a unit sells for, 0 for none")
                                    : QStringLiteral("e.g. 12.50"));
    m_closes->setEnabled(mode == PricingMode::Auction);
    revalidate();
}

std::optional<Offer> PostOfferDialog::readFields(QHash<Field, QString> *errors) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Offer offer;
    offer.pool = m_pool->currentText().trimmed();
    if (offer.pool.isEmpty())
        errors->insert(Field::Pool, QStringLiteral("Name the pool the capacity comes from."));
    else if (const QString problem = domainProblem([&offer](Offer &o) { o.pool = offer.pool; });
             !problem.isEmpty())
        errors->insert(Field::Pool, problem);

    static const QRegularExpression digits(
        QRegularExpression::anchoredPattern(QStringLiteral("\\d{1,9}")));
    const QString rate = m_rate->text().trimmed().remove(QLatin1Char(','));
    if (rate.isEmpty())
        errors->insert(Field::Rate, QStringLiteral("Give the rate for sale, in req/s."));
    else if (!digits.match(rate).hasMatch())
        errors->insert(Field::Rate,
                       QStringLiteral("The rate must be a whole number of req/s, e.g. 200."));
    else if ((offer.rateRps = rate.toLongLong()) < 1)
        errors->insert(Field::Rate, QStringLiteral("The rate must be at least 1 req/s."));

    offer.startsAtMs = msOf(m_start);
    const auto minutes = presentation::parseDurationMinutes(m_duration->text());
    if (m_duration->text().trimmed().isEmpty())
        errors->insert(Field::Duration, QStringLiteral("Say how long the window lasts."));
    else if (!minutes)
        errors->insert(Field::Duration,
                       QStringLiteral("Write the length as 4h, 90m or 1h30m (whole minutes)."));
    else if (*minutes < 1)
        errors->insert(Field::Duration, QStringLiteral("The window must last at least a minute."));
    else
        offer.durationMs = *minutes * MinuteMs;
    offer.dailyDays = m_days->value();
    if (!errors->contains(Field::Duration)) {
        const qint64 finalEnd =
            offer.endsAtMs() + qint64(qMax(0, offer.dailyDays - 1)) * Lease::kDayMs;
        if (finalEnd <= now)
            errors->insert(Field::Start, QStringLiteral("This window has already ended."));
    }

    offer.kind = LeaseKind(m_kind->checkedId());
    offer.pricing = PricingMode(m_pricing->currentData().toInt());
    const QString priceText = m_price->text().trimmed();
    const auto price = parseMinor(priceText);
    const QString what = offer.pricing == PricingMode::Auction      ? QStringLiteral("reserve")
                         : offer.pricing == PricingMode::Continuous ? QStringLiteral("ask")
                                                                    : QStringLiteral("price");
    if (priceText.isEmpty())
        errors->insert(Field::Price, offer.pricing == PricingMode::Auction
                                         ? QStringLiteral("Give the reserve per unit (0 for none).")
                                         : QStringLiteral("Give the %1 per unit.").arg(what));
    else if (!price)
        errors->insert(Field::Price,
                       QStringLiteral("Write the %1 as an amount like 12.50: digits, at most two "
                                      "decimals, no currency sign.")
                           .arg(what));
    else if (offer.pricing == PricingMode::Auction)
        offer.reserveMinor = *price;
    else if (*price == 0)
        errors->insert(Field::Price, QStringLiteral("The %1 must be above 0.").arg(what));
    else
        offer.priceMinor = *price;

    if (offer.pricing == PricingMode::Auction) {
        offer.closesAtMs = msOf(m_closes);
        if (*offer.closesAtMs <= now)
            errors->insert(Field::Closes, QStringLiteral("This closing time has passed."));
        else if (*offer.closesAtMs > offer.startsAtMs)
            errors->insert(Field::Closes,
                           QStringLiteral("The auction must close before the window starts."));
    }

    offer.currency = m_currency->text().trimmed();
    if (offer.currency.isEmpty())
        errors->insert(Field::Currency, QStringLiteral("Give the currency, e.g. EUR."));
    else if (const QString problem =
                 domainProblem([&offer](Offer &o) { o.currency = offer.currency; });
             !problem.isEmpty())
        errors->insert(Field::Currency, problem);

    if (!errors->isEmpty())
        return std::nullopt;
    // The domain's own rules, for what the fields alone do not catch; said next to the field
    // it is about.
    if (const QString problem = offer.validate(); !problem.isEmpty()) {
        Field field = Field::Pool;
        if (problem.contains(QLatin1String("rate")))
            field = Field::Rate;
        else if (problem.contains(QLatin1String("clos")))
            field = Field::Closes;
        else if (problem.contains(QLatin1String("daily")))
            field = Field::Days;
        else if (problem.contains(QLatin1String("window")))
            field = Field::Duration;
        else if (problem.contains(QLatin1String("currency")))
            field = Field::Currency;
        else if (problem.contains(QLatin1String("pric")) ||
                 problem.contains(QLatin1String("reserve")))
            field = Field::Price;
        else if (problem.contains(QLatin1String("times")))
            field = Field::Start;
        QString sentence = problem;
        sentence[0] = sentence.at(0).toUpper();
        errors->insert(field, sentence + QLatin1Char('.'));
        return std::nullopt;
    }
    return offer;
}

void PostOfferDialog::setError(Field field, const QString &text)
{
    if (text.isEmpty())
        m_errors.remove(field);
    else
        m_errors.insert(field, text);
    QLabel *label = m_errorLabels.value(field);
    if (!label)
        return;
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

std::optional<Offer> PostOfferDialog::offer() const
{
    QHash<Field, QString> ignored;
    return readFields(&ignored);
}

void PostOfferDialog::revalidate()
{
    QHash<Field, QString> errors;
    const std::optional<Offer> offer = readFields(&errors);
    for (const Field field : {Field::Pool, Field::Rate, Field::Start, Field::Duration, Field::Days,
                              Field::Price, Field::Closes, Field::Currency})
        setError(field, errors.value(field));
    m_submitError->hide();

    const QString unit = offer && offer->kind == LeaseKind::BestEffort
                             ? QStringLiteral("per 1,000 requests carried")
                             : QStringLiteral("per req/s per hour");
    const QString currency = m_currency->text().trimmed();
    m_priceUnit->setText(
        QStringLiteral("%1 %2").arg(currency.isEmpty() ? QStringLiteral("…") : currency, unit));

    if (!offer) {
        m_checkDelay->stop();
        m_checked.reset();
        m_check.reset();
        m_checkError.clear();
        m_summary->clear();
        showCheck();
        return;
    }
    m_summary->setText(QStringLiteral("Sells %1 of %2, %3, %4, %5.")
                           .arg(presentation::rateText(double(offer->rateRps)), offer->pool,
                                presentation::offerWindowUtcText(*offer),
                                presentation::kindText(offer->kind),
                                presentation::pricingText(offer->pricing)));
    if (!m_checked || !sameTerms(*m_checked, *offer)) {
        // Another offer: the last check says nothing about it.
        ++m_checkGeneration;
        m_checked = offer;
        m_check.reset();
        m_checkError.clear();
        m_checking = true;
        m_checkDelay->start();
    }
    showCheck();
}

void PostOfferDialog::startCheck()
{
    if (!m_checked)
        return;
    const quint64 generation = m_checkGeneration;
    m_board->checkOffer(*m_checked, this,
                        [this, generation](const MarketResult<OfferCheck> &result) {
                            if (generation != m_checkGeneration)
                                return; // the fields changed meanwhile
                            m_checking = false;
                            if (result)
                                m_check = result.value();
                            else
                                m_checkError = result.error().message;
                            showCheck();
                        });
}

void PostOfferDialog::showCheck()
{
    QString text;
    QString style;
    if (!m_checked) {
        text.clear();
    } else if (m_checking) {
        text = QStringLiteral("Checking the pool's forecast spare capacity…");
        style = QStringLiteral("color: #5b6574;");
    } else if (!m_checkError.isEmpty()) {
        text = QStringLiteral("The forecast could not be checked: %1").arg(m_checkError);
        style = kErrorStyle;
    } else if (m_check && !m_check->needsOverride()) {
        text = QStringLiteral("✓ Fits the forecast spare capacity of %1.").arg(m_checked->pool);
        style = QStringLiteral("color: #1f6f35;");
    } else if (m_check) {
        const bool noForecast = std::all_of(
            m_check->conflicts.cbegin(), m_check->conflicts.cend(),
            [](const ScheduleConflict &c) { return c.kind == ScheduleConflict::Kind::NoForecast; });
        text = noForecast ? QStringLiteral("⚠ %1 has too little load history to check this "
                                           "window against: %2.")
                                .arg(m_checked->pool, m_check->summary)
                          : QStringLiteral("⚠ Above the forecast spare capacity of %1: %2.")
                                .arg(m_checked->pool, m_check->summary);
        style = QStringLiteral("color: #8a4b00;");
    }
    m_forecast->setText(text);
    m_forecast->setStyleSheet(style);
    m_forecast->setVisible(!text.isEmpty());
    m_overrideRow->setVisible(needsOverride());
    setError(Field::Override, needsOverride() && m_override->text().trimmed().isEmpty()
                                  ? QStringLiteral("Posting above the forecast needs a reason.")
                                  : QString());
    updateOk();
}

void PostOfferDialog::updateOk()
{
    QString problem;
    for (const Field field : {Field::Pool, Field::Rate, Field::Start, Field::Duration, Field::Days,
                              Field::Price, Field::Closes, Field::Currency, Field::Override}) {
        if (m_errors.contains(field)) {
            problem = m_errors.value(field);
            break;
        }
    }
    if (problem.isEmpty() && m_checking)
        problem = QStringLiteral("Waiting for the forecast check.");
    if (problem.isEmpty() && !m_checkError.isEmpty())
        problem = m_checkError;
    if (problem.isEmpty() && m_posting)
        problem = QStringLiteral("Posting…");
    m_problem = problem;
    m_ok->setEnabled(problem.isEmpty());
    m_ok->setToolTip(problem);
}

void PostOfferDialog::accept()
{
    revalidate();
    if (!m_problem.isEmpty() || !m_checked)
        return;
    m_posting = true;
    updateOk();
    const QString reason = needsOverride() ? m_override->text().trimmed() : QString();
    m_board->postOffer(*m_checked, reason, this, [this](const MarketResult<Offer> &result) {
        m_posting = false;
        if (result) {
            Q_EMIT posted(result.value());
            QDialog::accept();
            return;
        }
        // E.g. the forecast changed since the check: check again, and say why it was refused.
        m_checked.reset();
        revalidate();
        m_submitError->setText(QStringLiteral("Not posted: %1").arg(result.error().message));
        m_submitError->show();
    });
}

} // namespace headroom
