#include "leasesview.h"

#include "emptystate.h"
#include "viewheader.h"

#include <QVBoxLayout>

namespace headroom {

LeasesView::LeasesView(QWidget *parent)
    : QWidget(parent),
      m_empty(new EmptyState(
          icons::Glyph::Leases, QStringLiteral("Nothing here yet"),
          QStringLiteral("This view is not connected to the lease records yet. Approved purchases "
                         "and their time windows will be listed here; until then, an empty page "
                         "does not mean there are none."),
          this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(
        new ViewHeader(QStringLiteral("Leases"),
                       QStringLiteral("Capacity sold to purchasers: the time window of each lease "
                                      "and the share of traffic it is steering."),
                       this));
    layout->addWidget(m_empty, 1);
}

} // namespace headroom
