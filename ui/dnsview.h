#pragma once

#include <QWidget>

namespace headroom {

class EmptyState;

// Weighted records and delegation checks. Until the DNS service is wired in, it shows an empty
// state that says so, never sample data.
class DnsView final : public QWidget
{
    Q_OBJECT
public:
    explicit DnsView(QWidget *parent = nullptr);

private:
    EmptyState *m_empty = nullptr;
};

} // namespace headroom
