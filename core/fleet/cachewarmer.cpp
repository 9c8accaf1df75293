#include "cachewarmer.h"

#include <QHash>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>
#include <algorithm>
#include <memory>

namespace headroom {

namespace {

// A value from the input, shortened for a message.
QString shown(const QString &text)
{
    return text.size() > 64 ? text.left(61) + QStringLiteral("...") : text;
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Checks a request target ("/path?query", percent-encoded); returns why it is unusable.
QString targetProblem(const QByteArray &target)
{
    if (!target.startsWith('/'))
        return QStringLiteral("not an absolute path");
    if (target.startsWith("//"))
        return QStringLiteral("starts with '//' (a host, not a path)");
    for (qsizetype i = 0; i < target.size(); ++i) {
        if (target[i] != '%')
            continue;
        if (i + 2 >= target.size() || !isHex(target[i + 1]) || !isHex(target[i + 2]))
            return QStringLiteral("bad percent-encoding");
    }
    const qsizetype query = target.indexOf('?');
    const QByteArray path = query < 0 ? target : target.left(query);
    for (const QByteArray &segment : path.split('/')) {
        const QByteArray s = segment.toLower();
        if (s == "." || s == ".." || s == "%2e" || s == "%2e%2e" || s == ".%2e" || s == "%2e.")
            return QStringLiteral("dot segment ('.' or '..') in the path");
    }
    return {};
}

} // namespace

WarmList parseWarmList(const QByteArray &text, const QList<DnsName> &hosts,
                       const WarmListLimits &limits)
{
    WarmList list;
    if (hosts.isEmpty()) {
        list.rejected.append({0, QStringLiteral("the site has no host name")});
        return list;
    }
    QByteArray data = text;
    if (data.size() > limits.maxBytes) {
        // Only whole lines of the first maxBytes bytes.
        data.truncate(limits.maxBytes);
        data.truncate(data.lastIndexOf('\n') + 1);
        list.truncated = true;
    }
    QStringList siteHosts;
    for (const DnsName &h : hosts)
        siteHosts.append(h.relative());
    QHash<QString, int> seen; // "host path" -> line
    const QList<QByteArray> lines = data.split('\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = int(index + 1);
        QByteArray line = lines[index];
        if (line.endsWith('\r'))
            line.chop(1);
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const auto reject = [&](const QString &why) { list.rejected.append({lineNumber, why}); };
        if (line.size() > limits.maxLineLength) {
            reject(QStringLiteral("longer than %1 bytes").arg(limits.maxLineLength));
            continue;
        }
        const bool printable =
            std::all_of(line.cbegin(), line.cend(), [](char c) { return c > 0x20 && c < 0x7f; });
        if (!printable) {
            reject(QStringLiteral("space, control character or non-ASCII byte (percent-encode "
                                  "it)"));
            continue;
        }
        if (list.urls.size() >= limits.maxUrls) {
            reject(QStringLiteral("more than %1 URLs: this line and the rest are ignored")
                       .arg(limits.maxUrls));
            list.truncated = true;
            break;
        }

        QString host = siteHosts.first();
        QByteArray target;
        if (line.startsWith('/')) {
            const qsizetype fragment = line.indexOf('#');
            target = fragment < 0 ? line : line.left(fragment);
        } else {
            const QUrl url = QUrl::fromEncoded(line, QUrl::StrictMode);
            const QString scheme = url.scheme().toLower();
            if (!url.isValid()) {
                reject(QStringLiteral("not a valid URL"));
                continue;
            }
            if (scheme.isEmpty()) {
                reject(QStringLiteral("relative path: give an absolute path (/...) or a full URL"));
                continue;
            }
            if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
                reject(QStringLiteral("scheme '%1' is not http or https").arg(shown(scheme)));
                continue;
            }
            if (!url.userInfo().isEmpty()) {
                reject(QStringLiteral("user info in the URL"));
                continue;
            }
            host = url.host().toLower();
            if (host.endsWith(QLatin1Char('.')))
                host.chop(1);
            if (!siteHosts.contains(host)) {
                reject(QStringLiteral("host '%1' is not one of the site's (%2)")
                           .arg(shown(host), shown(siteHosts.join(QStringLiteral(", ")))));
                continue;
            }
            const int defaultPort = scheme == QLatin1String("https") ? 443 : 80;
            if (url.port() != -1 && url.port() != defaultPort) {
                reject(QStringLiteral("port %1 is not the site's").arg(url.port()));
                continue;
            }
            target = url.path(QUrl::FullyEncoded).toLatin1();
            if (target.isEmpty())
                target = "/";
            if (url.hasQuery())
                target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
        }
        const QString problem = targetProblem(target);
        if (!problem.isEmpty()) {
            reject(problem);
            continue;
        }
        const WarmUrl warm{host, QString::fromLatin1(target)};
        const QString key = warm.host + QLatin1Char(' ') + warm.path;
        if (seen.contains(key)) {
            reject(QStringLiteral("the same URL as line %1").arg(seen.value(key)));
            continue;
        }
        seen.insert(key, lineNumber);
        list.urls.append(warm);
    }
    return list;
}

bool WarmReport::complete() const
{
    return std::all_of(proxies.cbegin(), proxies.cend(),
                       [](const WarmProxyReport &p) { return p.failed == 0; });
}

QJsonObject WarmReport::toJson() const
{
    QJsonArray rows;
    for (const WarmProxyReport &p : proxies) {
        QJsonArray fetches;
        for (const WarmFetch &f : p.fetches)
            fetches.append(QJsonObject{{QStringLiteral("host"), f.url.host},
                                       {QStringLiteral("path"), f.url.path},
                                       {QStringLiteral("status"), f.status},
                                       {QStringLiteral("warmed"), f.warmed()},
                                       {QStringLiteral("error"), f.error},
                                       {QStringLiteral("first_cache"), f.firstCache},
                                       {QStringLiteral("second_cache"), f.secondCache},
                                       {QStringLiteral("cached"), f.cached()}});
        rows.append(QJsonObject{{QStringLiteral("proxy"), p.proxy},
                                {QStringLiteral("warmed"), p.warmed},
                                {QStringLiteral("failed"), p.failed},
                                {QStringLiteral("cached"), p.cached},
                                {QStringLiteral("not_cached"), p.notCached},
                                {QStringLiteral("fetches"), fetches}});
    }
    return {{QStringLiteral("complete"), complete()}, {QStringLiteral("proxies"), rows}};
}

QString WarmReport::toText() const
{
    QString out;
    constexpr int kShown = 20;
    for (const WarmProxyReport &p : proxies) {
        out += QStringLiteral("  %1: %2 warmed, %3 failed; on a second request %4 from its "
                              "cache, %5 not cached\n")
                   .arg(p.proxy)
                   .arg(p.warmed)
                   .arg(p.failed)
                   .arg(p.cached)
                   .arg(p.notCached);
        int failures = 0;
        int uncached = 0;
        for (const WarmFetch &f : p.fetches) {
            const QString url = QStringLiteral("http://%1%2").arg(f.url.host, f.url.path);
            if (!f.warmed() && ++failures <= kShown)
                out += QStringLiteral("    failed %1: %2\n").arg(url, f.error);
            else if (f.warmed() && !f.cached() && ++uncached <= kShown)
                out += QStringLiteral("    not cached %1 (HTTP %2, X-Cache-Status %3)\n")
                           .arg(url)
                           .arg(f.status)
                           .arg(f.secondCache.isEmpty() ? QStringLiteral("absent") : f.secondCache);
        }
        if (failures > kShown)
            out += QStringLiteral("    ... and %1 more failures\n").arg(failures - kShown);
        if (uncached > kShown)
            out += QStringLiteral("    ... and %1 more not cached\n").arg(uncached - kShown);
    }
    return out;
}

struct CacheWarmer::Job
{
    int target = 0;
    WarmFetch fetch;
};

CacheWarmer::CacheWarmer(QObject *parent) : CacheWarmer(Options{}, parent) {}

CacheWarmer::CacheWarmer(Options options, QObject *parent)
    : QObject(parent), m_options(options), m_network(new QNetworkAccessManager(this))
{
    m_options.concurrency = std::clamp(m_options.concurrency, 1, 64);
    m_options.timeoutMs = std::max(m_options.timeoutMs, 100);
    qRegisterMetaType<WarmReport>();
}

CacheWarmer::~CacheWarmer() = default;

bool CacheWarmer::start(const QList<WarmUrl> &urls, const QList<WarmTarget> &targets,
                        QString *error)
{
    QString why;
    if (m_running)
        why = QStringLiteral("already warming");
    for (const WarmTarget &t : targets) {
        if (why.isEmpty() && (t.address.isNull() || t.port == 0))
            why = QStringLiteral("proxy %1 has no HTTP address").arg(t.name);
    }
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    m_targets = targets;
    m_jobs.clear();
    // URL by URL, each on every proxy: the proxies warm side by side.
    for (const WarmUrl &url : urls) {
        for (int t = 0; t < targets.size(); ++t) {
            auto job = std::make_unique<Job>();
            job->target = t;
            job->fetch.url = url;
            m_jobs.push_back(std::move(job));
        }
    }
    m_next = 0;
    m_inFlight = 0;
    m_remaining = int(m_jobs.size());
    m_running = true;
    QTimer::singleShot(0, this, [this] {
        if (m_remaining == 0) {
            m_running = false;
            WarmReport report;
            for (const WarmTarget &t : std::as_const(m_targets))
                report.proxies.append(WarmProxyReport{t.name, 0, 0, 0, 0, {}});
            Q_EMIT finished(report);
            return;
        }
        pump();
    });
    return true;
}

void CacheWarmer::pump()
{
    while (m_inFlight < m_options.concurrency && m_next < qsizetype(m_jobs.size())) {
        ++m_inFlight;
        get(int(m_next++), false);
    }
}

void CacheWarmer::get(int index, bool second)
{
    Job &job = *m_jobs[size_t(index)];
    const WarmTarget &target = m_targets[job.target];
    const QString address = target.address.protocol() == QAbstractSocket::IPv6Protocol
                                ? QStringLiteral("[%1]").arg(target.address.toString())
                                : target.address.toString();
    // The target was checked by parseWarmList (printable ASCII, valid percent-encoding).
    const QUrl url = QUrl::fromEncoded(QStringLiteral("http://%1:%2%3")
                                           .arg(address)
                                           .arg(target.port)
                                           .arg(job.fetch.url.path)
                                           .toLatin1(),
                                       QUrl::StrictMode);
    if (!url.isValid()) {
        job.fetch.error = QStringLiteral("unusable URL");
        done(index);
        return;
    }
    QNetworkRequest request(url);
    request.setRawHeader("Host", job.fetch.url.host.toLatin1());
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(m_options.timeoutMs);
    QNetworkReply *reply = m_network->get(request);
    const qsizetype maxBody = m_options.maxBodyBytes;
    const auto tooLarge = std::make_shared<bool>(false);
    connect(reply, &QNetworkReply::downloadProgress, reply,
            [reply, maxBody, tooLarge](qint64 received, qint64) {
                if (received > maxBody) {
                    *tooLarge = true;
                    reply->abort();
                }
            });
    // The body is not kept: read and dropped as it arrives.
    connect(reply, &QNetworkReply::readyRead, reply,
            [reply] { reply->skip(reply->bytesAvailable()); });
    connect(reply, &QNetworkReply::finished, this, [this, reply, index, second, tooLarge] {
        reply->deleteLater();
        const bool overLimit = *tooLarge;
        Job &j = *m_jobs[size_t(index)];
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString cache = QString::fromLatin1(reply->rawHeader("X-Cache-Status")).trimmed();
        QString error;
        if (overLimit)
            error = QStringLiteral("body larger than %1 bytes").arg(m_options.maxBodyBytes);
        else if (status >= 200 && status < 400)
            error.clear();
        else if (status > 0)
            error = QStringLiteral("HTTP %1").arg(status);
        else if (reply->error() == QNetworkReply::OperationCanceledError ||
                 reply->error() == QNetworkReply::TimeoutError)
            error = QStringLiteral("no answer within %1 ms").arg(m_options.timeoutMs);
        else
            error = reply->errorString();
        if (!second) {
            j.fetch.status = status;
            j.fetch.error = error;
            j.fetch.firstCache = cache.left(16);
            if (error.isEmpty() && m_options.verify)
                return get(index, true);
        } else if (error.isEmpty()) {
            j.fetch.secondCache = cache.left(16);
        }
        done(index);
    });
}

void CacheWarmer::done(int index)
{
    Q_UNUSED(index);
    --m_inFlight;
    --m_remaining;
    if (m_remaining > 0) {
        pump();
        return;
    }
    m_running = false;
    WarmReport report;
    for (const WarmTarget &t : std::as_const(m_targets))
        report.proxies.append(WarmProxyReport{t.name, 0, 0, 0, 0, {}});
    for (const auto &job : m_jobs) {
        WarmProxyReport &p = report.proxies[job->target];
        const WarmFetch &f = job->fetch;
        p.fetches.append(f);
        if (!f.warmed())
            ++p.failed;
        else {
            ++p.warmed;
            if (f.cached())
                ++p.cached;
            else
                ++p.notCached;
        }
    }
    Q_EMIT finished(report);
}

} // namespace headroom
