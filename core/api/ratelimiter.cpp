#include "api/ratelimiter.h"

#include <QElapsedTimer>
#include <cmath>

namespace headroom {

RateLimiter::RateLimiter(double ratePerSecond, int burst, Clock clock, int maxKeys)
    : m_rate(ratePerSecond > 0 ? ratePerSecond : 0), m_burst(qMax(1, burst)),
      m_clock(std::move(clock)), m_maxKeys(qMax(1, maxKeys))
{
}

qint64 RateLimiter::now() const
{
    if (m_clock)
        return m_clock();
    static const QElapsedTimer started = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return started.elapsed();
}

double RateLimiter::tokensAt(const Bucket &b, qint64 nowMs) const
{
    // A clock that steps back never adds tokens.
    const qint64 elapsed = qMax<qint64>(0, nowMs - b.updatedMs);
    return qMin<double>(m_burst, b.tokens + m_rate * double(elapsed) / 1000.0);
}

RateLimiter::Decision RateLimiter::refusal(double tokens) const
{
    Decision d;
    d.allowed = false;
    if (m_rate <= 0) {
        d.retryAfterMs = 3600 * 1000; // never refills: say an hour
        return d;
    }
    d.retryAfterMs = qMax<qint64>(1, qint64(std::ceil((1.0 - tokens) * 1000.0 / m_rate)));
    return d;
}

RateLimiter::Decision RateLimiter::peek(const QByteArray &key) const
{
    const auto it = m_buckets.constFind(key);
    if (it == m_buckets.cend())
        return {};
    const double tokens = tokensAt(*it, now());
    return tokens >= 1.0 ? Decision{} : refusal(tokens);
}

RateLimiter::Decision RateLimiter::acquire(const QByteArray &key)
{
    const qint64 t = now();
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys)
            makeRoom(t);
        it = m_buckets.insert(key, Bucket{double(m_burst), t});
    }
    const double tokens = tokensAt(*it, t);
    it->updatedMs = t;
    if (tokens < 1.0) {
        it->tokens = tokens;
        return refusal(tokens);
    }
    it->tokens = tokens - 1.0;
    return {};
}

void RateLimiter::makeRoom(qint64 nowMs)
{
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (tokensAt(*it, nowMs) >= m_burst)
            it = m_buckets.erase(it);
        else
            ++it;
    }
    if (m_buckets.size() < m_maxKeys)
        return;
    auto oldest = m_buckets.begin();
    for (auto it = m_buckets.begin(); it != m_buckets.end(); ++it) {
        if (it->updatedMs < oldest->updatedMs)
            oldest = it;
    }
    m_buckets.erase(oldest);
}

} // namespace headroom
