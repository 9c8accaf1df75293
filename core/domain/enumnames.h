#pragma once

#include <QString>
#include <cstddef>
#include <optional>

namespace headroom {

// Stable words for an enum whose values are 0..N-1, as stored in the database and printed in
// JSON: names[i] is the word for E(i). Words are ASCII; an unknown word is nullopt, never a
// default, so a corrupt row is noticed.
template <typename E, std::size_t N> QString enumName(E value, const char *const (&names)[N])
{
    const auto i = std::size_t(value);
    return i < N ? QString::fromLatin1(names[i]) : QString();
}

template <typename E, std::size_t N>
std::optional<E> enumFromName(const QString &name, const char *const (&names)[N])
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QLatin1String(names[i]))
            return E(i);
    }
    return std::nullopt;
}

} // namespace headroom
