#include "loadprofile.h"

#include <cmath>
#include <numbers>

namespace headroom {

std::optional<LoadProfile> LoadProfile::parse(const QString &name, double rate, double duration,
                                              double period, QString *error)
{
    LoadProfile p;
    if (name == QLatin1String("steady")) {
        p.m_shape = Shape::Steady;
    } else if (name == QLatin1String("step")) {
        p.m_shape = Shape::Step;
    } else if (name == QLatin1String("diurnal")) {
        p.m_shape = Shape::Diurnal;
    } else {
        *error = QStringLiteral("unknown profile '%1' (steady, step or diurnal)").arg(name);
        return std::nullopt;
    }
    if (!std::isfinite(rate) || rate <= 0 || rate > 1e6) {
        *error = QStringLiteral("rate must be between 0 and 1000000 requests/s");
        return std::nullopt;
    }
    if (!std::isfinite(period) || period < 1) {
        *error = QStringLiteral("period must be at least 1 s");
        return std::nullopt;
    }
    p.m_rate = rate;
    p.m_period = period;
    p.m_stepAt = duration > 0 ? duration / 2 : 60;
    return p;
}

double LoadProfile::rateAt(double t) const
{
    switch (m_shape) {
    case Shape::Steady:
        return m_rate;
    case Shape::Step:
        return t < m_stepAt ? m_rate / 2 : m_rate;
    case Shape::Diurnal:
        return m_rate * (0.55 - 0.45 * std::cos(2 * std::numbers::pi * t / m_period));
    }
    return m_rate;
}

QString LoadProfile::name() const
{
    switch (m_shape) {
    case Shape::Steady:
        return QStringLiteral("steady");
    case Shape::Step:
        return QStringLiteral("step");
    case Shape::Diurnal:
        return QStringLiteral("diurnal");
    }
    return {};
}

} // namespace headroom
