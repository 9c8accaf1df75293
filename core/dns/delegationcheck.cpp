#include "delegationcheck.h"

#include "dnsclient.h"
#include "dnsmessage.h"
#include "dnstransport.h"

#include <QJsonArray>
#include <QSet>

namespace headroom {

namespace {

using Verdict = DelegationReport::Verdict;

// Longer CNAME chains than this are treated as loops (resolvers give up far earlier).
constexpr int kMaxChain = 16;

QString endpoint(const QHostAddress &address, quint16 port)
{
    return address.protocol() == QAbstractSocket::IPv6Protocol
               ? QStringLiteral("[%1]:%2").arg(address.toString()).arg(port)
               : QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

// Names in explanations go without the trailing dot, which would clash with the full stop.
QString bare(const QString &name)
{
    return name.endsWith(QLatin1Char('.')) ? name.chopped(1) : name;
}

bool inZone(const QString &name, const DnsName &zone)
{
    const std::optional<DnsName> parsed = DnsName::parse(name);
    return parsed && parsed->isSubdomainOf(zone);
}

QString presentation(const DnsRecord &r)
{
    // Concatenated, not arg()-chained: record data may itself contain "%1".
    return r.name + QLatin1Char(' ') + QString::number(r.ttl) + QLatin1Char(' ') +
           recordTypeName(r.type) + QLatin1Char(' ') + r.text;
}

QStringList presentation(const DnsResponse &r)
{
    QStringList out;
    for (const DnsRecord &rec : r.answer)
        out.append(presentation(rec));
    for (const DnsRecord &rec : r.authority)
        out.append(presentation(rec));
    return out;
}

// One query; a truncated UDP answer is asked again over TCP, as a resolver would.
DnsResponse ask(const QHostAddress &server, quint16 port, const DnsQuestion &question,
                int timeoutMs)
{
    DnsResponse udp = DnsClient::querySync(server, port, question, timeoutMs);
    if (!udp.answered || !udp.truncated)
        return udp;
    DnsResponse failed;
    quint16 id = 0;
    QString error;
    const QByteArray query = dnswire::buildQuery(question, &id, &error);
    const QByteArray wire = query.isEmpty()
                                ? QByteArray()
                                : dnstransport::exchangeTcp(server, port, query, timeoutMs, &error);
    if (wire.isEmpty()) {
        failed.error =
            QStringLiteral("truncated answer over UDP, and the TCP retry failed: %1").arg(error);
        return failed;
    }
    DnsResponse tcp = dnswire::parseResponse(wire, id, question);
    if (!tcp.answered) {
        failed.error =
            QStringLiteral("truncated answer over UDP, then over TCP: %1").arg(tcp.error);
        return failed;
    }
    if (tcp.truncated) {
        failed.error = QStringLiteral("truncated answer over UDP and over TCP");
        return failed;
    }
    return tcp;
}

// The CNAME chain from `host` through an answer section.
struct Chain
{
    QStringList targets;           // in order
    QString end;                   // the last name of the chain (`host` when there is no CNAME)
    QString firstOurs;             // the first target in our zone, if any
    bool loop = false;             // a loop or an absurdly long chain
    QList<QHostAddress> addresses; // A / AAAA owned by `end`

    bool reachesOurZone() const { return !firstOurs.isEmpty(); }
};

Chain followChain(const QList<DnsRecord> &answer, const QString &host, const DnsName &ourZone)
{
    Chain c;
    c.end = host;
    QSet<QString> seen{host};
    for (int hop = 0;; ++hop) {
        const DnsRecord *next = nullptr;
        for (const DnsRecord &r : answer) {
            if (r.type == quint16(RecordType::CNAME) && r.name == c.end && !r.target.isEmpty()) {
                next = &r;
                break;
            }
        }
        if (!next)
            break;
        if (hop >= kMaxChain || seen.contains(next->target)) {
            c.loop = true;
            break;
        }
        seen.insert(next->target);
        c.targets.append(next->target);
        c.end = next->target;
        if (c.firstOurs.isEmpty() && inZone(next->target, ourZone))
            c.firstOurs = next->target;
    }
    for (const DnsRecord &r : answer) {
        if (r.name == c.end &&
            (r.type == quint16(RecordType::A) || r.type == quint16(RecordType::AAAA)))
            c.addresses.append(r.address);
    }
    return c;
}

QString joinAddresses(const QList<QHostAddress> &addresses)
{
    QStringList out;
    for (const QHostAddress &a : addresses)
        out.append(a.toString());
    return out.join(QStringLiteral(", "));
}

// What a resolver's answer amounts to, for an explanation.
QString describe(const DnsResponse &r, const Chain &c)
{
    if (!c.targets.isEmpty())
        return QStringLiteral("a CNAME chain to %1 (%2)").arg(bare(c.end), rcodeName(r.rcode));
    if (!c.addresses.isEmpty())
        return QStringLiteral("the addresses %1").arg(joinAddresses(c.addresses));
    return rcodeName(r.rcode);
}

DelegationReport verdict(DelegationReport report, Verdict v, const QString &via,
                         const QString &explanation)
{
    report.verdict = v;
    report.via = via;
    report.explanation = explanation;
    return report;
}

// Whether one of our servers serves `host`: an authoritative NOERROR or NXDOMAIN. Returns an
// empty string when it does, else why not.
QString lameReason(const QHostAddress &address, quint16 port, const QString &host, int timeoutMs)
{
    const DnsResponse r = ask(address, port, {host, quint16(RecordType::A), false}, timeoutMs);
    const QString where = endpoint(address, port);
    if (!r.answered)
        return QStringLiteral("%1 (%2)").arg(where, r.error);
    if (r.rcode != 0 && r.rcode != 3)
        return QStringLiteral("%1 (%2)").arg(where, rcodeName(r.rcode));
    if (!r.authoritative)
        return QStringLiteral("%1 (answer without the AA bit)").arg(where);
    return {};
}

} // namespace

QString delegationVerdictName(DelegationReport::Verdict v)
{
    switch (v) {
    case Verdict::Delegated:
        return QStringLiteral("delegated");
    case Verdict::NotDelegated:
        return QStringLiteral("not-delegated");
    case Verdict::Misconfigured:
        return QStringLiteral("misconfigured");
    }
    return QStringLiteral("misconfigured");
}

QJsonObject DelegationReport::toJson() const
{
    return QJsonObject{
        {QStringLiteral("host"), host},
        {QStringLiteral("verdict"), delegationVerdictName(verdict)},
        {QStringLiteral("via"), via},
        {QStringLiteral("explanation"), explanation},
        {QStringLiteral("authoritativeRecords"), QJsonArray::fromStringList(authoritativeRecords)},
        {QStringLiteral("resolverRecords"), QJsonArray::fromStringList(resolverRecords)},
    };
}

DelegationReport checkDelegation(const DelegationCheckInput &in)
{
    DelegationReport report;
    report.host = in.host.absolute();
    const QString &host = report.host;
    const QString hostText = in.host.relative();
    const QString zone = in.ourZone.relative();
    const QString authority = endpoint(in.purchaserAuthority, in.purchaserAuthorityPort);
    const QString resolver = endpoint(in.resolver, in.resolverPort);

    // What the purchaser's authoritative server says, and what the world sees through the
    // resolver (recorded for the operator whatever the verdict).
    const DnsResponse auth = ask(in.purchaserAuthority, in.purchaserAuthorityPort,
                                 {host, quint16(RecordType::A), false}, in.timeoutMs);
    const DnsResponse res =
        ask(in.resolver, in.resolverPort, {host, quint16(RecordType::A), true}, in.timeoutMs);
    if (res.answered)
        report.resolverRecords = presentation(res);

    // The candidate at the purchaser's authoritative server.
    if (!auth.answered) {
        return verdict(report, Verdict::Misconfigured, {},
                       QStringLiteral("The purchaser's authoritative server %1 gave no usable "
                                      "answer for %2: %3.")
                           .arg(authority, hostText, auth.error));
    }
    report.authoritativeRecords = presentation(auth);

    QString via;
    QString cnameTarget;  // CNAME: the first target in our zone
    QString nsOwner;      // NS: the delegation point
    QStringList nsTarget; // NS: the targets in our zone
    const Chain authChain = followChain(auth.answer, host, in.ourZone);
    if (authChain.loop) {
        return verdict(report, Verdict::Misconfigured, {},
                       QStringLiteral("The purchaser's authoritative server %1 returns a CNAME "
                                      "loop for %2.")
                           .arg(authority, hostText));
    }
    if (!authChain.targets.isEmpty()) {
        if (!authChain.reachesOurZone()) {
            return verdict(report, Verdict::NotDelegated, {},
                           QStringLiteral("%1 is a CNAME to %2 at the purchaser's authoritative "
                                          "server, outside our zone %3.")
                               .arg(hostText, bare(authChain.end), zone));
        }
        via = QStringLiteral("CNAME");
        cnameTarget = authChain.firstOurs;
    } else if (auth.rcode != 0) {
        return verdict(report, Verdict::Misconfigured, {},
                       QStringLiteral("The purchaser's authoritative server %1 answers %2 for %3, "
                                      "so the name cannot be delegated to us.")
                           .arg(authority, rcodeName(auth.rcode), hostText));
    } else if (!authChain.addresses.isEmpty()) {
        return verdict(report, Verdict::NotDelegated, {},
                       QStringLiteral("%1 has its own address records (%2) at the purchaser's "
                                      "authoritative server instead of a CNAME or NS into our "
                                      "zone %3.")
                           .arg(hostText, joinAddresses(authChain.addresses), zone));
    } else {
        // A referral: not authoritative, NS records for HOST or a parent in the authority section.
        QStringList others;
        if (!auth.authoritative) {
            for (const DnsRecord &r : auth.authority) {
                const std::optional<DnsName> owner = DnsName::parse(r.name);
                if (r.type != quint16(RecordType::NS) || r.target.isEmpty() || !owner ||
                    !in.host.isSubdomainOf(*owner))
                    continue;
                nsOwner = bare(r.name);
                (inZone(r.target, in.ourZone) ? nsTarget : others).append(bare(r.target));
            }
        }
        if (nsOwner.isEmpty()) {
            return verdict(report, Verdict::NotDelegated, {},
                           QStringLiteral("%1 has no address, CNAME or NS records into our zone %2 "
                                          "at the purchaser's authoritative server.")
                               .arg(hostText, zone));
        }
        if (nsTarget.isEmpty()) {
            return verdict(report, Verdict::NotDelegated, {},
                           QStringLiteral("%1 is delegated by NS to %2, outside our zone %3.")
                               .arg(nsOwner, others.join(QStringLiteral(", ")), zone));
        }
        via = QStringLiteral("NS");
    }

    // The verdict for a candidate.
    if (via == QLatin1String("CNAME")) {
        if (!res.answered) {
            return verdict(report, Verdict::Misconfigured, via,
                           QStringLiteral("%1 is a CNAME to %2 in our zone, but the resolver %3 "
                                          "gave no usable answer: %4.")
                               .arg(hostText, bare(cnameTarget), resolver, res.error));
        }
        const Chain resChain = followChain(res.answer, host, in.ourZone);
        if (!resChain.reachesOurZone() || resChain.loop) {
            return verdict(
                report, Verdict::Misconfigured, via,
                QStringLiteral("%1 is a CNAME to %2 in our zone at the purchaser's "
                               "authoritative server, but the resolver %3 sees %4 "
                               "(a stale cache or other data).")
                    .arg(hostText, bare(cnameTarget), resolver, describe(res, resChain)));
        }
        QString outcome;
        if (res.rcode == 3) {
            outcome =
                QStringLiteral("target not served yet (NXDOMAIN for %1)").arg(bare(resChain.end));
        } else if (res.rcode != 0) {
            outcome = QStringLiteral("the resolver gets %1 for %2")
                          .arg(rcodeName(res.rcode), bare(resChain.end));
        } else if (resChain.addresses.isEmpty()) {
            outcome =
                QStringLiteral("target not served yet (no address for %1)").arg(bare(resChain.end));
        } else {
            outcome = QStringLiteral("it resolves to %1").arg(joinAddresses(resChain.addresses));
        }
        QString differs;
        if (resChain.firstOurs != cnameTarget)
            differs =
                QStringLiteral(" (the resolver still follows %1)").arg(bare(resChain.firstOurs));
        return verdict(report, Verdict::Delegated, via,
                       QStringLiteral("%1 is delegated to our zone by CNAME to %2%3; %4.")
                           .arg(hostText, bare(cnameTarget), differs, outcome));
    }

    const QString targets = nsTarget.join(QStringLiteral(", "));
    if (in.ourServers.isEmpty()) {
        return verdict(report, Verdict::Misconfigured, via,
                       QStringLiteral("%1 is delegated by NS to %2, but no server of ours was "
                                      "given to confirm that it serves %3.")
                           .arg(nsOwner, targets, hostText));
    }
    QStringList lame;
    for (const auto &[address, port] : in.ourServers) {
        const QString why = lameReason(address, port, host, in.timeoutMs);
        if (!why.isEmpty())
            lame.append(why);
    }
    if (!lame.isEmpty()) {
        const bool one = lame.size() == 1;
        return verdict(report, Verdict::Misconfigured, via,
                       QStringLiteral("Lame delegation: %1 is delegated by NS to %2, but our %3 "
                                      "%4 %5 not serve %6.")
                           .arg(nsOwner, targets,
                                one ? QStringLiteral("server") : QStringLiteral("servers"),
                                lame.join(QStringLiteral(", ")),
                                one ? QStringLiteral("does") : QStringLiteral("do"), hostText));
    }
    return verdict(report, Verdict::Delegated, via,
                   QStringLiteral("%1 is delegated by NS to %2, and our servers answer "
                                  "authoritatively for %3.")
                       .arg(nsOwner, targets, hostText));
}

} // namespace headroom
