#pragma once

#include "billingboard.h"

#include <QChartView>
#include <QList>

class QBarCategoryAxis;
class QBarSet;
class QCategoryAxis;
class QStackedBarSeries;

namespace headroom {

// Revenue per month in one currency, net of tax, as stacked bars: what is paid and what is issued
// and still owed (less credit notes). The value axis is labelled in money ("EUR 1,200") at round
// steps; hovering a bar shows the month's figures.
class RevenueChartView final : public QChartView
{
    Q_OBJECT
public:
    explicit RevenueChartView(QWidget *parent = nullptr);

    // `months` oldest first. An empty currency (no issued document) draws an empty chart that
    // says so.
    void setRevenue(const QList<RevenueMonth> &months, const QString &currency);
    QList<RevenueMonth> months() const { return m_months; }
    QString currency() const { return m_currency; }

    // What hovering the month at `index` shows.
    QString monthText(int index) const;
    // The money labels of the value axis, bottom up.
    QStringList valueLabels() const;
    QStringList monthLabels() const;
    qint64 netMinor(int index) const;

    QStackedBarSeries *series() const { return m_series; }
    QBarSet *paidSet() const { return m_paid; }
    QBarSet *outstandingSet() const { return m_outstanding; }

private:
    void relabel(double top, double bottom);

    QStackedBarSeries *m_series;
    QBarSet *m_paid;
    QBarSet *m_outstanding;
    QBarCategoryAxis *m_monthAxis;
    QCategoryAxis *m_valueAxis;
    QList<RevenueMonth> m_months;
    QString m_currency;
};

} // namespace headroom
