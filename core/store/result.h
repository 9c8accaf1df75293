#pragma once

#include <QString>
#include <optional>
#include <utility>

namespace headroom {

// Why a store operation failed. nativeCode is the SQLite primary result code when the failure
// came from SQLite (5 = SQLITE_BUSY, 19 = SQLITE_CONSTRAINT), 0 otherwise.
struct StoreError
{
    QString message;
    int nativeCode = 0;

    // Another connection held the write lock past the busy timeout; the operation may succeed if
    // retried.
    bool isBusy() const { return nativeCode == 5; }
    // A CHECK, UNIQUE, NOT NULL or FOREIGN KEY constraint rejected the data.
    bool isConstraint() const { return nativeCode == 19; }
    // The file system under the database is full (SQLITE_FULL); nothing was written.
    bool isDiskFull() const { return nativeCode == 13; }
};

// Either a value or a StoreError. C++20 has no std::expected; this is the small subset we need.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(StoreError error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    // Only valid when ok().
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    // By value from a temporary, so that `for (x : repo.all().value())` never dangles.
    T value() && { return std::move(*m_value); }

    // Only meaningful when !ok().
    const StoreError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    StoreError m_error;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(StoreError error) : m_error(std::move(error)), m_ok(false) {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const StoreError &error() const { return m_error; }

private:
    StoreError m_error;
    bool m_ok = true;
};

} // namespace headroom
