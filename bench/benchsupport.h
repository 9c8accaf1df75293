#pragma once

// What every benchmark program prints with: its output streams and number formats.
#include <QString>
#include <QTextStream>

namespace headroom::bench {

inline QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

inline QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

inline QString fixed(double value, int decimals = 1)
{
    return QString::number(value, 'f', decimals);
}

inline QString percent(double ratio, int decimals = 1)
{
    return QString::number(100 * ratio, 'f', decimals) + QStringLiteral(" %");
}

} // namespace headroom::bench
