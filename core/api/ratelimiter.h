#pragma once

#include <QByteArray>
#include <QHash>
#include <functional>

namespace headroom {

// Token buckets, one per key (a purchaser, a client address): each holds up to `burst` tokens and
// regains `ratePerSecond` of them a second. A request spends one; an empty bucket refuses it and
// says when the next token arrives. The clock is injectable (monotonic milliseconds) so tests
// step time instead of sleeping.
//
// Memory is bounded: a bucket that has refilled completely is the same as no bucket and is
// dropped when the table is full; if every bucket is still draining, the one touched longest ago
// is dropped (an attacker cycling through addresses loses its own history first).
class RateLimiter final
{
public:
    using Clock = std::function<qint64()>; // monotonic ms

    struct Decision
    {
        bool allowed = true;
        qint64 retryAfterMs = 0; // when refused: until one token is back
    };

    RateLimiter(double ratePerSecond, int burst, Clock clock = {}, int maxKeys = 65536);

    // Spends one token of `key` if there is one.
    Decision acquire(const QByteArray &key);
    // Whether acquire() would succeed now, without spending.
    Decision peek(const QByteArray &key) const;

    int trackedKeys() const { return int(m_buckets.size()); }
    double ratePerSecond() const { return m_rate; }
    int burst() const { return m_burst; }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };

    qint64 now() const;
    double tokensAt(const Bucket &b, qint64 nowMs) const;
    Decision refusal(double tokens) const;
    void makeRoom(qint64 nowMs);

    double m_rate;
    int m_burst;
    Clock m_clock;
    int m_maxKeys;
    QHash<QByteArray, Bucket> m_buckets;
};

} // namespace headroom
