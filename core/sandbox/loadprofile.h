#pragma once

#include <QString>
#include <optional>

namespace headroom {

// How the offered request rate varies with time.
//   steady:  R throughout
//   step:    R/2 until the step time (half the duration, or 60 s when unbounded), then R
//   diurnal: a time-compressed day of period P: R * (0.55 - 0.45 cos(2 pi t / P)),
//            from 0.1 R at "night" (t = 0) to R at "midday" (t = P/2)
class LoadProfile final
{
public:
    enum class Shape
    {
        Steady,
        Step,
        Diurnal
    };

    static std::optional<LoadProfile> parse(const QString &name, double rate, double duration,
                                            double period, QString *error);

    Shape shape() const { return m_shape; }
    double peakRate() const { return m_rate; }
    double rateAt(double seconds) const;
    QString name() const;

private:
    Shape m_shape = Shape::Steady;
    double m_rate = 0;
    double m_stepAt = 60;
    double m_period = 600;
};

} // namespace headroom
