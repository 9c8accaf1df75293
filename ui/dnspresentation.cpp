#include "dnspresentation.h"

#include <QLocale>

namespace headroom::presentation {

HealthGrade grade(DelegationReport::Verdict verdict)
{
    switch (verdict) {
    case DelegationReport::Verdict::Delegated:
        return HealthGrade::Up;
    case DelegationReport::Verdict::NotDelegated:
        return HealthGrade::Slow;
    case DelegationReport::Verdict::Misconfigured:
        break;
    }
    return HealthGrade::Down;
}

QString verdictText(DelegationReport::Verdict verdict)
{
    switch (verdict) {
    case DelegationReport::Verdict::Delegated:
        return QStringLiteral("Delegated");
    case DelegationReport::Verdict::NotDelegated:
        return QStringLiteral("Not delegated");
    case DelegationReport::Verdict::Misconfigured:
        break;
    }
    return QStringLiteral("Misconfigured");
}

QColor color(DelegationReport::Verdict verdict)
{
    return color(grade(verdict));
}

QIcon dot(DelegationReport::Verdict verdict)
{
    return dot(grade(verdict));
}

QString delegationToolTip(const DelegationReport &report)
{
    const auto records = [](const QStringList &list) {
        if (list.isEmpty())
            return QStringLiteral("<i>none</i>");
        QStringList escaped;
        for (const QString &line : list)
            escaped.append(line.toHtmlEscaped());
        return QStringLiteral("<pre style=\"margin:0\">%1</pre>")
            .arg(escaped.join(QLatin1Char('\n')));
    };
    return QStringLiteral("<b>%1</b> &nbsp;<span style=\"color:%2\">%3</span>%4<br/>%5<br/><br/>"
                          "At the purchaser's authoritative server:%6"
                          "Through the resolver:%7")
        .arg(report.host.toHtmlEscaped(), color(report.verdict).name(), verdictText(report.verdict),
             report.via.isEmpty() ? QString() : QStringLiteral(" via ") + report.via,
             report.explanation.toHtmlEscaped(), records(report.authoritativeRecords),
             records(report.resolverRecords));
}

QString nameText(const QString &name)
{
    return name.endsWith(QLatin1Char('.')) ? name.chopped(1) : name;
}

QString targetText(const QString &target, const QHash<QString, QString> &labels)
{
    const QString label = labels.value(target);
    return label.isEmpty() ? nameText(target) : label;
}

QString weightsText(const QList<ServedSteering::Weight> &weights,
                    const QHash<QString, QString> &labels)
{
    if (weights.isEmpty())
        return QStringLiteral("—");
    const bool equal = std::all_of(weights.cbegin(), weights.cend(), [&weights](const auto &w) {
        return w.weight == weights.first().weight;
    });
    QStringList parts;
    for (const ServedSteering::Weight &w : weights) {
        const QString target = targetText(w.target, labels);
        parts.append(equal ? target : QStringLiteral("%1 %2").arg(target).arg(w.weight));
    }
    return parts.join(QStringLiteral(" · "));
}

QString weightsToolTip(const QList<ServedSteering::Weight> &weights,
                       const QHash<QString, QString> &labels)
{
    int total = 0;
    for (const ServedSteering::Weight &w : weights)
        total += w.weight;
    QStringList lines;
    for (const ServedSteering::Weight &w : weights) {
        const QString target = targetText(w.target, labels);
        const QString name = target == w.target || target + QLatin1Char('.') == w.target
                                 ? target
                                 : QStringLiteral("%1 (%2)").arg(target, w.target);
        const double share = total > 0 ? 100.0 * w.weight / total : 0.0;
        lines.append(QStringLiteral("%1: weight %2, %3 %")
                         .arg(name)
                         .arg(w.weight)
                         .arg(QLocale().toString(share, 'f', 1)));
    }
    return lines.join(QLatin1Char('\n'));
}

namespace {

QString durationText(qint64 seconds)
{
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return QStringLiteral("%1 min").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 48) {
        if (minutes % 60 == 0)
            return QStringLiteral("%1 h").arg(hours);
        return QStringLiteral("%1 h %2 min").arg(hours).arg(minutes % 60);
    }
    return QStringLiteral("%1 days").arg(hours / 24);
}

} // namespace

QString countdownText(const QDateTime &deadline, const QDateTime &now)
{
    if (!deadline.isValid())
        return QStringLiteral("—");
    const qint64 left = now.secsTo(deadline);
    if (left > 0)
        return QStringLiteral("in ") + durationText(left);
    if (left == 0)
        return QStringLiteral("now");
    return QStringLiteral("passed %1 ago").arg(durationText(-left));
}

QString timeText(const QDateTime &at)
{
    if (!at.isValid())
        return QStringLiteral("—");
    const QDateTime local = at.toLocalTime();
    if (local.date() == QDate::currentDate())
        return local.time().toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString millisecondsText(double ms)
{
    const int decimals = ms < 10 ? 1 : 0;
    return QStringLiteral("%1 ms").arg(QLocale().toString(ms, 'f', decimals));
}

QColor seriesColor(int n)
{
    static const QColor colors[] = {
        QColor(0x2f, 0x5d, 0x8f), QColor(0x4f, 0xa3, 0xd9), QColor(0x5b, 0xb0, 0x8a),
        QColor(0xe0, 0xa4, 0x58), QColor(0x9a, 0x6f, 0xc0), QColor(0xd4, 0x6a, 0x6a),
        QColor(0x8c, 0x93, 0x9d),
    };
    constexpr int count = int(std::size(colors));
    return colors[((n % count) + count) % count];
}

} // namespace headroom::presentation
