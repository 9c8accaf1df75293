#include "dnsname.h"

#include <QStringList>

namespace headroom {

namespace {

constexpr qsizetype MaxNameLength = 253; // octets in presentation form, without the final dot
constexpr qsizetype MaxLabelLength = 63;

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

// ASCII only: QChar::isLetterOrNumber() would let Unicode through.
bool isNameChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
           u == u'-' || u == u'_' || u == u'.';
}

bool checkLabel(const QString &label, QString *error)
{
    if (label.isEmpty())
        return fail(error, QStringLiteral("empty label"));
    if (label.size() > MaxLabelLength)
        return fail(error, QStringLiteral("label of %1 octets (at most %2)")
                               .arg(label.size())
                               .arg(MaxLabelLength));
    if (label.startsWith(QLatin1Char('-')) || label.endsWith(QLatin1Char('-')))
        return fail(error, QStringLiteral("label '%1' starts or ends with '-'").arg(label));
    // "--" starts a comment in Lua. Names are only ever written inside quoted Lua literals, so
    // this is defence in depth, and cheap: outside IDNA A-labels ("xn--", RFC 5891 reserves
    // "--" in positions 3-4 for them) real host names practically never contain "--".
    const qsizetype dashes = label.indexOf(QLatin1String("--"));
    if (dashes >= 0) {
        const bool aLabel =
            label.startsWith(QLatin1String("xn--")) && label.indexOf(QLatin1String("--"), 3) < 0;
        if (!aLabel)
            return fail(
                error, QStringLiteral("label '%1' contains '--' (allowed only as an 'xn--' prefix)")
                           .arg(label));
    }
    return true;
}

} // namespace

std::optional<DnsName> DnsName::parse(const QString &text, QString *error)
{
    QString name = text;
    if (name.endsWith(QLatin1Char('.')))
        name.chop(1);
    if (name.isEmpty()) {
        fail(error, text.isEmpty() ? QStringLiteral("empty name")
                                   : QStringLiteral("the root name is not a host name"));
        return std::nullopt;
    }
    // Characters first, so that no later message quotes anything but plain LDH text.
    for (qsizetype i = 0; i < name.size(); ++i) {
        if (!isNameChar(name.at(i))) {
            fail(error, QStringLiteral("character U+%1 at position %2 is not allowed (letters, "
                                       "digits, '-', '_' and '.' only)")
                            .arg(uint(name.at(i).unicode()), 4, 16, QLatin1Char('0'))
                            .arg(i + 1));
            return std::nullopt;
        }
    }
    if (name.size() > MaxNameLength) {
        fail(error,
             QStringLiteral("name of %1 octets (at most %2)").arg(name.size()).arg(MaxNameLength));
        return std::nullopt;
    }
    name = name.toLower();
    const QStringList labels = name.split(QLatin1Char('.'));
    for (const QString &label : labels) {
        if (!checkLabel(label, error))
            return std::nullopt;
    }
    DnsName result;
    result.m_name = name;
    return result;
}

bool DnsName::isSubdomainOf(const DnsName &zone) const
{
    if (m_name.isEmpty() || zone.m_name.isEmpty())
        return false;
    return m_name == zone.m_name || m_name.endsWith(QLatin1Char('.') + zone.m_name);
}

} // namespace headroom
