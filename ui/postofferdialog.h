#pragma once

#include "domain/market.h"
#include "market/marketservice.h"

#include <QDialog>
#include <QHash>
#include <optional>

class QButtonGroup;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace headroom {

class MarketBoard;

// The form that puts capacity on sale. Every edit is checked at once: each field says in words
// what is wrong with it, right under it, and OK stays disabled until nothing is. A well-formed
// offer is then checked against its pool's forecast spare capacity (on the board's writer
// thread); above the forecast - or where there is no forecast to check against - the form lists
// the conflicts and asks for the reason to sell anyway before OK is enabled. OK posts it and the
// dialog closes once the market has taken it; a refusal is shown in the form.
class PostOfferDialog final : public QDialog
{
    Q_OBJECT
public:
    enum class Field
    {
        Pool,
        Rate,
        Start,
        Duration,
        Days,
        Price,
        Closes,
        Currency,
        Override
    };

    // `pools`: the pools to offer in the list (any other may be typed).
    PostOfferDialog(MarketBoard *board, const QStringList &pools, QWidget *parent = nullptr);

    // The offer as the fields stand; nullopt while one of them cannot be read.
    std::optional<Offer> offer() const;
    // What is wrong with a field, in words; empty when nothing is.
    QString fieldError(Field field) const { return m_errors.value(field); }
    // The first problem anywhere, or what OK waits for; empty when OK is enabled.
    QString problem() const { return m_problem; }
    bool isChecking() const { return m_checking; }
    // The forecast check of the offer as it stands, once in.
    std::optional<OfferCheck> forecastCheck() const { return m_check; }
    bool needsOverride() const { return m_check && m_check->needsOverride(); }
    QPushButton *okButton() const { return m_ok; }

    void accept() override;

Q_SIGNALS:
    void posted(const headroom::Offer &offer);

private:
    QWidget *fieldWithError(Field field, QWidget *editor, QWidget *extra = nullptr);
    void pricingChanged();
    void revalidate();
    std::optional<Offer> readFields(QHash<Field, QString> *errors) const;
    void startCheck();
    void showCheck();
    void setError(Field field, const QString &text);
    void updateOk();

    MarketBoard *m_board = nullptr;
    QComboBox *m_pool = nullptr;
    QLineEdit *m_rate = nullptr;
    QDateTimeEdit *m_start = nullptr;
    QLineEdit *m_duration = nullptr;
    QSpinBox *m_days = nullptr;
    QButtonGroup *m_kind = nullptr;
    QComboBox *m_pricing = nullptr;
    QLabel *m_priceLabel = nullptr;
    QLineEdit *m_price = nullptr;
    QLabel *m_priceUnit = nullptr;
    QDateTimeEdit *m_closes = nullptr;
    QLineEdit *m_currency = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_forecast = nullptr;
    QWidget *m_overrideRow = nullptr;
    QLineEdit *m_override = nullptr;
    QLabel *m_submitError = nullptr;
    QPushButton *m_ok = nullptr;
    QTimer *m_checkDelay = nullptr;
    QHash<Field, QLabel *> m_errorLabels;
    QHash<Field, QString> m_errors;
    QString m_problem;
    std::optional<Offer> m_checked; // the offer m_check is about (or being checked)
    std::optional<OfferCheck> m_check;
    QString m_checkError;
    quint64 m_checkGeneration = 0;
    bool m_checking = false;
    bool m_posting = false;
    bool m_closesTouched = false;
};

} // namespace headroom
