#pragma once

#include <QWidget>

namespace headroom {

class EmptyState;

// Metered usage and invoices. Until metering is wired in, it shows an empty state
// that says so, never sample data.
class BillingView final : public QWidget
{
    Q_OBJECT
public:
    explicit BillingView(QWidget *parent = nullptr);

private:
    EmptyState *m_empty = nullptr;
};

} // namespace headroom
