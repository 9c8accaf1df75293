#pragma once

#include "dns/delegationcheck.h"
#include "dns/steeringreadback.h"
#include "statuspresentation.h"

#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QIcon>
#include <QString>

namespace headroom::presentation {

// A delegation verdict in the health colours: delegated is Up (green), not delegated is Slow
// (amber: the purchaser still has to hand the name over), misconfigured is Down (red).
HealthGrade grade(DelegationReport::Verdict verdict);
QString verdictText(DelegationReport::Verdict verdict); // "Delegated", "Not delegated", ...
QColor color(DelegationReport::Verdict verdict);
QIcon dot(DelegationReport::Verdict verdict);
QString delegationToolTip(const DelegationReport &report); // rich text, the exact records

// A DNS name as the console shows it: without the trailing dot ("www.shop.example").
QString nameText(const QString &name);
// A target as the operator knows it: its label if there is one, else the address or the name
// without the trailing dot.
QString targetText(const QString &target, const QHash<QString, QString> &labels);
// "proxy1 60 · proxy2 40 · shop-origin1 1"; equal weights are left out ("proxy1 · proxy2"),
// as is the weight of a single target. An em dash for none.
QString weightsText(const QList<ServedSteering::Weight> &weights,
                    const QHash<QString, QString> &labels);
// Every target with its weight and share of the total, one per line (plain text).
QString weightsToolTip(const QList<ServedSteering::Weight> &weights,
                       const QHash<QString, QString> &labels);

// "in 9 min", "in 45 s", "in 2 h 5 min", "passed 3 min ago"; an em dash without a deadline.
QString countdownText(const QDateTime &deadline, const QDateTime &now);
// "14:05:09" today, "2024-05-01 14:05:09" otherwise, in local time; an em dash when invalid.
QString timeText(const QDateTime &at);
QString millisecondsText(double ms); // "12.3 ms", "148 ms"

// A colour for the n-th distinct target, the same in every row of a table.
QColor seriesColor(int n);

} // namespace headroom::presentation
