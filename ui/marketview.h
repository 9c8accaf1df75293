#pragma once

#include <QWidget>

namespace headroom {

class EmptyState;

// Offers of spare capacity and purchasers' bids. Until the market service is wired in, it shows an
// empty state that says so, never sample data.
class MarketView final : public QWidget
{
    Q_OBJECT
public:
    explicit MarketView(QWidget *parent = nullptr);

private:
    EmptyState *m_empty = nullptr;
};

} // namespace headroom
