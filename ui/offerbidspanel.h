#pragma once

#include "domain/market.h"
#include "market/clearing.h"

#include <QWidget>
#include <optional>

class QLabel;
class QStackedWidget;
class QTableView;

namespace headroom {

class BidTableModel;

// The selected offer's bids as they arrive and, for an open auction, what the clearing would be
// if it closed now: the price, the units sold, who wins and who loses, and why.
class OfferBidsPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit OfferBidsPanel(QWidget *parent = nullptr);

    // nullopt: no offer is selected.
    void setOffer(const std::optional<Offer> &offer, const QList<MarketBid> &bids,
                  const std::optional<ClearingResult> &preview);

    BidTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QString titleText() const;
    // The preview as plain text; empty while none is shown.
    QString previewText() const { return m_previewText; }

private:
    void showPreview(const Offer &offer, const QList<MarketBid> &bids,
                     const std::optional<ClearingResult> &preview);

    BidTableModel *m_model = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_caption = nullptr;
    QLabel *m_placeholder = nullptr;
    QTableView *m_table = nullptr;
    QStackedWidget *m_content = nullptr;
    QLabel *m_preview = nullptr;
    QString m_previewText;
};

} // namespace headroom
