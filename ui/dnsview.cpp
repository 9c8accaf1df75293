#include "dnsview.h"

#include "emptystate.h"
#include "viewheader.h"

#include <QVBoxLayout>

namespace headroom {

DnsView::DnsView(QWidget *parent)
    : QWidget(parent),
      m_empty(new EmptyState(
          icons::Glyph::Dns, QStringLiteral("Nothing here yet"),
          QStringLiteral("This view is not connected to the steering zone yet. Weighted records "
                         "and delegation checks will be listed here; until then, an empty page "
                         "does not mean nothing is steered."),
          this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(
        new ViewHeader(QStringLiteral("DNS"),
                       QStringLiteral("The weighted records this console writes into the steering "
                                      "zone, and the purchasers' delegations."),
                       this));
    layout->addWidget(m_empty, 1);
}

} // namespace headroom
