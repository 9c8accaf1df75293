#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <optional>

namespace headroom {

// One sample of the Prometheus text exposition format (version 0.0.4).
struct PrometheusSample
{
    QString name;
    QHash<QString, QString> labels;
    double value = 0;
};

// Bounds on what one scrape may hold: a hostile or broken exporter must not make us allocate
// without limit.
struct PrometheusLimits
{
    qsizetype maxBytes = 8 * 1024 * 1024;
    qsizetype maxSamples = 100000;
    qsizetype maxLineLength = 64 * 1024;
    qsizetype maxLabelsPerSample = 64;
    qsizetype maxLabelValueLength = 1024;
};

// Strict parser: any malformed line (bad name, bad escape, unterminated label set, bad number,
// duplicate label or series, missing final newline = truncated body) fails the whole text with
// "line N: reason" in *error. Comments, HELP and TYPE lines are checked and skipped.
std::optional<QList<PrometheusSample>> parsePrometheusText(const QByteArray &text, QString *error,
                                                           const PrometheusLimits &limits = {});

// The HAProxy counters we bill and steer on, for one frontend.
struct ProxyCounters
{
    quint64 requests = 0;        // haproxy_frontend_http_requests_total
    quint64 bytesOut = 0;        // haproxy_frontend_bytes_out_total
    double currentSessions = 0;  // haproxy_frontend_current_sessions
    double processStartTime = 0; // haproxy_process_start_time_seconds (0 when absent)
};

// Extracts the counters of `frontend` ("http" in the sandbox). A missing, duplicated, negative,
// non-finite or non-integral counter is an error.
std::optional<ProxyCounters> extractCounters(const QList<PrometheusSample> &samples, QString *error,
                                             const QString &frontend = QStringLiteral("http"));

} // namespace headroom
