#include "marketview.h"

#include "emptystate.h"
#include "viewheader.h"

#include <QVBoxLayout>

namespace headroom {

MarketView::MarketView(QWidget *parent)
    : QWidget(parent),
      m_empty(
          new EmptyState(icons::Glyph::Market, QStringLiteral("Nothing here yet"),
                         QStringLiteral("This view is not connected to the market yet. Offers of "
                                        "spare capacity and purchasers' bids will be listed here; "
                                        "until then, an empty page does not mean there are none."),
                         this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Market"),
        QStringLiteral(
            "Spare proxy capacity offered by the hour, and the bids purchasers place on it."),
        this));
    layout->addWidget(m_empty, 1);
}

} // namespace headroom
