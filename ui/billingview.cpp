#include "billingview.h"

#include "emptystate.h"
#include "viewheader.h"

#include <QVBoxLayout>

namespace headroom {

BillingView::BillingView(QWidget *parent)
    : QWidget(parent),
      m_empty(new EmptyState(
          icons::Glyph::Billing, QStringLiteral("Nothing here yet"),
          QStringLiteral(
              "This view is not connected to metering yet. Usage per lease and invoices will be "
              "listed here; until then, an empty page does not mean nothing was used."),
          this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Billing"),
        QStringLiteral(
            "Metered usage per lease, rated into invoices that can be exported as CSV or PDF."),
        this));
    layout->addWidget(m_empty, 1);
}

} // namespace headroom
