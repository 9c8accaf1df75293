#pragma once

#include "dns/dnsname.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace headroom {

// One URL of a site to fetch through the proxies: the Host it is asked for and the request
// target (absolute path and query, percent-encoded as it goes on the request line).
struct WarmUrl
{
    QString host; // lower-case, one of the site's host names
    QString path; // "/static/app.css?v=3"
    bool operator==(const WarmUrl &) const = default;
};

struct WarmListProblem
{
    int line = 0;
    QString reason;
};

struct WarmListLimits
{
    int maxUrls = 1000;
    int maxLineLength = 2048;
    qsizetype maxBytes = 1024 * 1024;
};

struct WarmList
{
    QList<WarmUrl> urls;             // unique, in the order of the file
    QList<WarmListProblem> rejected; // each unusable line, with why
    bool truncated = false;          // past maxUrls or maxBytes: the rest was not read
};

// A URL list of a site: one absolute path ("/a/b?x=1", asked for with `hosts.first()`) or full
// http(s) URL of one of the site's `hosts` per line; blank lines and lines starting with '#' are
// skipped. It comes from a purchaser, so it is hostile input: a line that is not a path or URL of
// the site (another host, another scheme, user info, a port other than the scheme's, a relative
// or dot-segment path, spaces, control or non-ASCII bytes, longer than maxLineLength) is
// rejected on its own and the rest is kept. A fragment is dropped (never sent to a server).
// At most maxUrls URLs and maxBytes bytes are read.
WarmList parseWarmList(const QByteArray &text, const QList<DnsName> &hosts,
                       const WarmListLimits &limits = {});

// Where to send the requests: a proxy's HTTP endpoint.
struct WarmTarget
{
    QString name;
    QHostAddress address;
    quint16 port = 0;
};

// One URL on one proxy.
struct WarmFetch
{
    WarmUrl url;
    int status = 0;      // HTTP status of the first GET; 0 = no HTTP answer
    QString error;       // why it did not warm; empty when it did
    QString firstCache;  // the proxy's X-Cache-Status on the first GET ("HIT", "MISS", or empty)
    QString secondCache; // on the second GET, which shows whether the proxy now has it cached
    bool warmed() const { return error.isEmpty(); }
    bool cached() const { return secondCache == QLatin1String("HIT"); }
};

struct WarmProxyReport
{
    QString proxy;
    int warmed = 0;    // URLs the proxy answered 2xx/3xx
    int failed = 0;    // URLs it did not (see each fetch's error)
    int cached = 0;    // warmed URLs the second GET got from the proxy's cache
    int notCached = 0; // warmed URLs the proxy does not cache (origin forbids it, or unknown)
    QList<WarmFetch> fetches;
};

struct WarmReport
{
    QList<WarmProxyReport> proxies;
    bool complete() const; // every URL warmed on every proxy
    QJsonObject toJson() const;
    QString toText() const;
};

// Fetches every URL through every proxy with the URL's Host header (HTTP/1.1 GET to the proxy's
// address, never to the origin), a bounded number at a time, each with a timeout; a warmed URL
// is fetched once more to learn from the proxy's X-Cache-Status header whether it is now cached.
// Runs on the event loop; never blocks.
class CacheWarmer final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int concurrency = 8;  // requests in flight, over all proxies
        int timeoutMs = 5000; // per request (no byte for this long ends it)
        bool verify = true;   // the second GET
        qsizetype maxBodyBytes = 16 * 1024 * 1024;
    };

    explicit CacheWarmer(QObject *parent = nullptr);
    explicit CacheWarmer(Options options, QObject *parent = nullptr);
    ~CacheWarmer() override;

    // Starts warming; finished() follows, always later from the event loop (at once for nothing
    // to do). False with *error when already running or for a target without address or port.
    bool start(const QList<WarmUrl> &urls, const QList<WarmTarget> &targets,
               QString *error = nullptr);
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished(const headroom::WarmReport &report);

private:
    struct Job;
    void pump();
    void get(int job, bool second);
    void done(int job);

    Options m_options;
    QNetworkAccessManager *m_network;
    QList<WarmTarget> m_targets;
    std::vector<std::unique_ptr<Job>> m_jobs;
    qsizetype m_next = 0;
    int m_inFlight = 0;
    int m_remaining = 0;
    bool m_running = false;
};

} // namespace headroom

Q_DECLARE_METATYPE(headroom::WarmReport)
