#pragma once

#include <QString>
#include <optional>

namespace headroom {

// A buyer of capacity. Payment is a reference only: the payment processor's token for the card,
// or the card's last four digits for display. A card number is never accepted or stored.
struct Purchaser
{
    qint64 id = 0;
    QString organisation;
    QString contactName;
    QString contactEmail;
    QString contactPhone;
    QString billingAddress;
    QString paymentTokenRef;             // e.g. "pm_1Nc..." from the processor
    std::optional<QString> paymentLast4; // "4242"
};

} // namespace headroom
