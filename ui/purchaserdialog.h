#pragma once

#include "domain/purchaser.h"

#include <QDialog>
#include <QHash>

class QLabel;
class QLineEdit;
class QPushButton;

namespace headroom {

class MarketBoard;

// The form that records a new purchaser. Checked as it is typed, with the problem under the
// field; OK stays disabled until PurchaserRepository::validate() accepts the record. Payment is a
// reference only: the processor's token or the card's last four digits. Anything that looks like
// a card number is refused in whichever field it is typed, and no message ever repeats it.
class PurchaserDialog final : public QDialog
{
    Q_OBJECT
public:
    enum class Field
    {
        Organisation,
        Contact,
        Email,
        Phone,
        Address,
        Token,
        Last4
    };

    explicit PurchaserDialog(MarketBoard *board, QWidget *parent = nullptr);

    Purchaser purchaser() const;
    QString fieldError(Field field) const { return m_errors.value(field); }
    QString problem() const { return m_problem; }
    QPushButton *okButton() const { return m_ok; }

    void accept() override;

Q_SIGNALS:
    void added(qint64 purchaserId, const QString &organisation);

private:
    QLineEdit *addField(Field field, const QString &name, const QString &placeholder);
    void revalidate();

    MarketBoard *m_board = nullptr;
    QHash<Field, QLineEdit *> m_edits;
    QHash<Field, QLabel *> m_errorLabels;
    QHash<Field, QString> m_errors;
    QString m_problem;
    QLabel *m_submitError = nullptr;
    QPushButton *m_ok = nullptr;
    bool m_saving = false;
};

} // namespace headroom
