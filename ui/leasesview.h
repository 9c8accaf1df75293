#pragma once

#include <QWidget>

namespace headroom {

class EmptyState;

// Sold capacity and its lifecycle. Until the lease service is wired in, it shows an empty state
// that says so, never sample data.
class LeasesView final : public QWidget
{
    Q_OBJECT
public:
    explicit LeasesView(QWidget *parent = nullptr);

private:
    EmptyState *m_empty = nullptr;
};

} // namespace headroom
