#include "revenuechartview.h"

#include "billing/money.h"
#include "billingpresentation.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QCursor>
#include <QGraphicsLayout>
#include <QLegend>
#include <QStackedBarSeries>
#include <QToolTip>
#include <cmath>

namespace headroom {

namespace {

const QColor kPaid(0x2e, 0x8b, 0x47);
const QColor kOutstanding(0xe0, 0xa2, 0x3b);
const QColor kGrid(0xe3, 0xe8, 0xef);

// A round step (1, 2, 2.5 or 5 x 10^k) giving about five intervals up to `value`.
double niceStep(double value)
{
    const double raw = std::max(value, 1.0) / 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (step * magnitude >= raw)
            return step * magnitude;
    }
    return 10 * magnitude;
}

qint64 scaleOf(const QString &currency)
{
    qint64 scale = 1;
    for (int i = 0; i < money::minorDigits(currency); ++i)
        scale *= 10;
    return scale;
}

} // namespace

RevenueChartView::RevenueChartView(QWidget *parent)
    : QChartView(new QChart, parent), m_series(new QStackedBarSeries),
      m_paid(new QBarSet(QStringLiteral("Paid"))),
      m_outstanding(new QBarSet(QStringLiteral("Issued, not paid"))),
      m_monthAxis(new QBarCategoryAxis), m_valueAxis(new QCategoryAxis)
{
    setObjectName(QStringLiteral("revenueChart"));
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(200);

    QChart *c = chart();
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(0);
    c->setMargins(QMargins(4, 4, 8, 4));
    c->layout()->setContentsMargins(0, 0, 0, 0);

    m_paid->setColor(kPaid);
    m_paid->setBorderColor(kPaid.darker(115));
    m_outstanding->setColor(kOutstanding);
    m_outstanding->setBorderColor(kOutstanding.darker(115));
    m_series->append(m_paid);
    m_series->append(m_outstanding);
    m_series->setBarWidth(0.62);
    c->addSeries(m_series);

    QFont axisFont = font();
    m_monthAxis->setLabelsFont(axisFont);
    m_monthAxis->setGridLineVisible(false);
    m_valueAxis->setLabelsFont(axisFont);
    m_valueAxis->setGridLineColor(kGrid);
    m_valueAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    c->addAxis(m_monthAxis, Qt::AlignBottom);
    c->addAxis(m_valueAxis, Qt::AlignLeft);
    m_series->attachAxis(m_monthAxis);
    m_series->attachAxis(m_valueAxis);

    c->legend()->setAlignment(Qt::AlignTop);
    c->legend()->setMarkerShape(QLegend::MarkerShapeRectangle);
    c->legend()->setFont(font());

    connect(m_series, &QStackedBarSeries::hovered, this, [this](bool status, int index, QBarSet *) {
        if (status)
            QToolTip::showText(QCursor::pos() + QPoint(12, 12), monthText(index), this);
        else
            QToolTip::hideText();
    });
    setRevenue({}, QString());
}

void RevenueChartView::setRevenue(const QList<RevenueMonth> &months, const QString &currency)
{
    m_months = months;
    m_currency = currency;
    const double scale = double(scaleOf(currency));
    QList<qreal> paid;
    QList<qreal> outstanding;
    QStringList labels;
    double top = 0;
    double bottom = 0;
    for (qsizetype i = 0; i < months.size(); ++i) {
        const RevenueMonth &m = months.at(i);
        paid.append(double(m.paidMinor) / scale);
        outstanding.append(double(m.outstandingMinor) / scale);
        // A month's name alone, with the year on January and on the first bar.
        const bool withYear = i == 0 || m.period.endsWith(QLatin1String("-01"));
        labels.append(presentation::periodShortText(m.period, withYear));
        const double positive = std::max(0.0, paid.last()) + std::max(0.0, outstanding.last());
        const double negative = std::min(0.0, paid.last()) + std::min(0.0, outstanding.last());
        top = std::max(top, positive);
        bottom = std::min(bottom, negative);
    }
    m_paid->remove(0, m_paid->count());
    m_outstanding->remove(0, m_outstanding->count());
    m_paid->append(paid);
    m_outstanding->append(outstanding);
    m_monthAxis->clear();
    m_monthAxis->append(labels);
    relabel(top, bottom);
    chart()->setTitle(months.isEmpty() || (top == 0 && bottom == 0)
                          ? QStringLiteral("No issued invoices in these months")
                          : QString());
}

void RevenueChartView::relabel(double top, double bottom)
{
    if (top <= 0 && bottom >= 0)
        top = 100; // nothing to draw: a plain scale rather than one of cents
    const double step = niceStep(std::max(top, -bottom) * 1.08);
    const int above = std::max(1, int(std::ceil(top * 1.08 / step)));
    const int below = bottom < 0 ? int(std::ceil(-bottom * 1.08 / step)) : 0;
    for (const QString &label : m_valueAxis->categoriesLabels())
        m_valueAxis->remove(label);
    // A category's label sits at its end value, and the first one must end above the start: the
    // axis starts a hair below its lowest label.
    m_valueAxis->setStartValue(-below * step - step * 1e-6);
    const qint64 scale = scaleOf(m_currency);
    for (int k = -below; k <= above; ++k) {
        // Labels from integer minor units; whole amounts drop their zero decimals.
        const qint64 minor = qint64(std::llround(k * step * double(scale)));
        QString text =
            m_currency.isEmpty() ? QString::number(k * step) : money::format(minor, m_currency);
        if (!m_currency.isEmpty() && minor % scale == 0 && scale > 1)
            text.truncate(text.lastIndexOf(QLatin1Char('.')));
        m_valueAxis->append(text, k * step);
    }
    m_valueAxis->setRange(-below * step, above * step);
}

QStringList RevenueChartView::valueLabels() const
{
    return m_valueAxis->categoriesLabels();
}

QStringList RevenueChartView::monthLabels() const
{
    return m_monthAxis->categories();
}

qint64 RevenueChartView::netMinor(int index) const
{
    if (index < 0 || index >= m_months.size())
        return 0;
    return m_months.at(index).paidMinor + m_months.at(index).outstandingMinor;
}

QString RevenueChartView::monthText(int index) const
{
    if (index < 0 || index >= m_months.size())
        return {};
    const RevenueMonth &m = m_months.at(index);
    return QStringLiteral("<b>%1</b><table>"
                          "<tr><td>Paid</td><td align=right>%2</td></tr>"
                          "<tr><td>Issued, not paid</td><td align=right>%3</td></tr>"
                          "<tr><td>Net of tax</td><td align=right><b>%4</b></td></tr></table>")
        .arg(presentation::periodText(m.period), money::format(m.paidMinor, m_currency),
             money::format(m.outstandingMinor, m_currency),
             money::format(netMinor(index), m_currency));
}

} // namespace headroom
