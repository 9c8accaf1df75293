#pragma once

#include <QString>
#include <optional>

namespace headroom {

// A validated DNS host name: labels of letters, digits, '-' and '_' (1-63 octets, no leading or
// trailing '-'), at most 253 octets, case-folded to lower case. Anything else - quotes, brackets,
// spaces, backslashes, empty labels ("a..b"), non-ASCII - is rejected, so a DnsName can be
// written into Lua code, zone text or a config file without escaping.
class DnsName final
{
public:
    // Accepts the name with or without the trailing dot. "." (the root) is rejected.
    static std::optional<DnsName> parse(const QString &text, QString *error = nullptr);

    QString absolute() const { return m_name + QLatin1Char('.'); } // "www.shop.example."
    QString relative() const { return m_name; }                    // "www.shop.example"
    bool isSubdomainOf(const DnsName &zone) const;                 // true for equal names too
    bool operator==(const DnsName &) const = default;

private:
    QString m_name;
};

} // namespace headroom
