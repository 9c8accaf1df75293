#pragma once

// What the fuzz targets share: a check that libFuzzer reports as a crash (with the input saved
// as the reproducer), and the small predicates several targets assert.

#include <QByteArray>
#include <QString>
#include <cstdio>

namespace headroom::fuzz {

// A broken invariant: name it, then stop the way libFuzzer counts as a finding.
[[noreturn]] inline void violated(const char *what, const char *file, int line,
                                  const QString &detail = {})
{
    std::fprintf(stderr, "\n%s:%d: invariant violated: %s\n%s\n", file, line, what,
                 detail.toUtf8().constData());
    std::fflush(stderr);
    __builtin_trap();
}

// Text that is safe in a terminal, a log line or a label: printable ASCII only.
inline bool isPrintableAscii(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

inline QByteArray bytesOf(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace headroom::fuzz

// FUZZ_CHECK(condition[, detail QString]): the condition is the invariant, spelled out in the
// report.
#define FUZZ_CHECK(condition, ...)                                                                 \
    do {                                                                                           \
        if (!(condition))                                                                          \
            ::headroom::fuzz::violated(#condition, __FILE__, __LINE__ __VA_OPT__(, ) __VA_ARGS__); \
    } while (false)
