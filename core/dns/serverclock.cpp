#include "serverclock.h"

#include "dnsclient.h"

#include <QDateTime>

namespace headroom::serverclock {

namespace {
const QByteArray kCode = QByteArrayLiteral("os.time()");
} // namespace

DnsName ownerIn(const DnsName &zone)
{
    return *DnsName::parse(QStringLiteral("_clock.") + zone.absolute());
}

NameReplacement record(const DnsName &zone)
{
    // LUA RDATA: the inner type (TXT = 16), then the code as one character-string.
    QByteArray rdata;
    rdata.append(char(0));
    rdata.append(char(quint16(RecordType::TXT)));
    rdata.append(char(kCode.size()));
    rdata.append(kCode);
    return NameReplacement::forDesired(ownerIn(zone), quint16(RecordType::LUA), 0, {rdata});
}

Reading read(const QHostAddress &server, quint16 port, const DnsName &zone, int timeoutMs)
{
    Reading r;
    const DnsResponse answer = DnsClient::querySync(
        server, port, {ownerIn(zone).absolute(), quint16(RecordType::TXT), false}, timeoutMs);
    const qint64 ours = QDateTime::currentSecsSinceEpoch();
    if (!answer.answered) {
        r.error = answer.error;
        return r;
    }
    r.answered = true;
    for (const DnsRecord &rec : answer.answer) {
        if (rec.type != quint16(RecordType::TXT) || rec.rdata.size() < 2)
            continue;
        // One character-string of digits (the anchor TXT beside it is not a number).
        const int length = quint8(rec.rdata.at(0));
        const QByteArray text = rec.rdata.mid(1, length);
        bool ok = false;
        const qint64 theirs = text.toLongLong(&ok);
        if (!ok || length != rec.rdata.size() - 1 || theirs < 1'000'000'000 ||
            theirs > 100'000'000'000)
            continue;
        r.present = true;
        r.offsetS = theirs - ours;
        return r;
    }
    r.error = QStringLiteral("the server serves no clock record at %1 (%2)")
                  .arg(ownerIn(zone).absolute(), rcodeName(answer.rcode));
    return r;
}

} // namespace headroom::serverclock
