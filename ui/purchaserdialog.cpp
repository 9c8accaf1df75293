#include "purchaserdialog.h"

#include "marketboard.h"
#include "store/purchaserrepository.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace headroom {

namespace {

const QString kErrorStyle = QStringLiteral("color: #b3261e;");

// Said for a card number wherever it is typed; it never quotes what was typed.
const QString kCardRefused = QStringLiteral(
    "This looks like a card number. Card numbers are never accepted or stored: give the payment "
    "processor's token, or only the card's last 4 digits.");

} // namespace

PurchaserDialog::PurchaserDialog(MarketBoard *board, QWidget *parent)
    : QDialog(parent), m_board(board)
{
    setWindowTitle(QStringLiteral("Add a purchaser"));
    setMinimumWidth(520);

    auto *form = new QFormLayout;
    form->setHorizontalSpacing(14);
    form->setVerticalSpacing(6);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    const auto row = [this, form](Field field, const QString &label, const QString &name,
                                  const QString &placeholder) {
        QLineEdit *edit = addField(field, name, placeholder);
        auto *box = new QWidget(this);
        auto *column = new QVBoxLayout(box);
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(2);
        column->addWidget(edit);
        column->addWidget(m_errorLabels.value(field));
        form->addRow(label, box);
        return edit;
    };
    row(Field::Organisation, QStringLiteral("Organisation:"),
        QStringLiteral("purchaserOrganisation"), QStringLiteral("e.g. Example Shop Ltd"));
    row(Field::Contact, QStringLiteral("Contact:"), QStringLiteral("purchaserContact"),
        QStringLiteral("name of the person to call"));
    row(Field::Email, QStringLiteral("E-mail:"), QStringLiteral("purchaserEmail"),
        QStringLiteral("ops@shop.example"));
    row(Field::Phone, QStringLiteral("Phone:"), QStringLiteral("purchaserPhone"),
        QStringLiteral("+44 20 7946 0000"));
    row(Field::Address, QStringLiteral("Billing address:"), QStringLiteral("purchaserAddress"),
        QStringLiteral("street, city, country"));
    row(Field::Token, QStringLiteral("Payment token:"), QStringLiteral("purchaserToken"),
        QStringLiteral("the processor's reference, e.g. pm_1NcXyZ"));
    QLineEdit *last4 = row(Field::Last4, QStringLiteral("Card's last 4:"),
                           QStringLiteral("purchaserLast4"), QStringLiteral("e.g. 4242"));
    // Room for four digits only: a card number cannot even be typed here.
    last4->setMaxLength(4);
    last4->setMaximumWidth(90);

    auto *note = new QLabel(QStringLiteral("Payment is a reference only. Card numbers are never "
                                           "accepted."),
                            this);
    note->setWordWrap(true);
    QPalette muted = note->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    note->setPalette(muted);

    m_submitError = new QLabel(this);
    m_submitError->setObjectName(QStringLiteral("purchaserSubmitError"));
    m_submitError->setWordWrap(true);
    m_submitError->setStyleSheet(kErrorStyle);
    m_submitError->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(QStringLiteral("purchaserOk"));
    m_ok->setText(QStringLiteral("Add purchaser"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PurchaserDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &PurchaserDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 18, 18, 18);
    layout->setSpacing(10);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_submitError);
    layout->addStretch();
    layout->addWidget(buttons);

    for (QLineEdit *edit : std::as_const(m_edits))
        connect(edit, &QLineEdit::textChanged, this, &PurchaserDialog::revalidate);
    revalidate();
}

QLineEdit *PurchaserDialog::addField(Field field, const QString &name, const QString &placeholder)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    auto *error = new QLabel(this);
    error->setObjectName(name + QStringLiteral("Error"));
    error->setWordWrap(true);
    error->setTextFormat(Qt::PlainText);
    error->setStyleSheet(kErrorStyle);
    error->hide();
    m_edits.insert(field, edit);
    m_errorLabels.insert(field, error);
    return edit;
}

Purchaser PurchaserDialog::purchaser() const
{
    Purchaser p;
    p.organisation = m_edits.value(Field::Organisation)->text().trimmed();
    p.contactName = m_edits.value(Field::Contact)->text().trimmed();
    p.contactEmail = m_edits.value(Field::Email)->text().trimmed();
    p.contactPhone = m_edits.value(Field::Phone)->text().trimmed();
    p.billingAddress = m_edits.value(Field::Address)->text().trimmed();
    p.paymentTokenRef = m_edits.value(Field::Token)->text().trimmed();
    const QString last4 = m_edits.value(Field::Last4)->text().trimmed();
    if (!last4.isEmpty())
        p.paymentLast4 = last4;
    return p;
}

void PurchaserDialog::revalidate()
{
    const Purchaser p = purchaser();
    QHash<Field, QString> errors;
    // A card number first, in whichever field (a phone number may be long: it is not checked).
    for (const Field field : {Field::Organisation, Field::Contact, Field::Email, Field::Address,
                              Field::Token, Field::Last4}) {
        if (PurchaserRepository::looksLikeCardNumber(m_edits.value(field)->text()))
            errors.insert(field, kCardRefused);
    }
    if (p.organisation.isEmpty() && !errors.contains(Field::Organisation))
        errors.insert(Field::Organisation, QStringLiteral("Give the purchaser's organisation."));
    if (errors.isEmpty()) {
        // The repository's rules, said under the field they are about.
        const QString problem = PurchaserRepository::validate(p);
        if (!problem.isEmpty()) {
            Field field = Field::Organisation;
            if (problem.contains(QLatin1String("e-mail")))
                field = Field::Email;
            else if (problem.contains(QLatin1String("contact")))
                field = problem.contains(QLatin1String("phone")) && p.contactPhone.size() > 40
                            ? Field::Phone
                            : Field::Contact;
            else if (problem.contains(QLatin1String("billing")))
                field = Field::Address;
            else if (problem.contains(QLatin1String("payment reference")))
                field = Field::Token;
            else if (problem.contains(QLatin1String("last digits")))
                field = Field::Last4;
            QString sentence = problem;
            sentence[0] = sentence.at(0).toUpper();
            errors.insert(field, sentence + QLatin1Char('.'));
        }
    }
    m_errors = errors;
    m_problem.clear();
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it) {
        const QString text = errors.value(it.key());
        it.value()->setText(text);
        it.value()->setVisible(!text.isEmpty());
    }
    for (const Field field : {Field::Organisation, Field::Contact, Field::Email, Field::Phone,
                              Field::Address, Field::Token, Field::Last4}) {
        if (errors.contains(field)) {
            m_problem = errors.value(field);
            break;
        }
    }
    if (m_problem.isEmpty() && m_saving)
        m_problem = QStringLiteral("Saving…");
    m_ok->setEnabled(m_problem.isEmpty());
    m_submitError->hide();
}

void PurchaserDialog::accept()
{
    revalidate();
    if (!m_problem.isEmpty())
        return;
    m_saving = true;
    m_ok->setEnabled(false);
    const Purchaser p = purchaser();
    m_board->addPurchaser(p, this, [this, organisation = p.organisation](const Result<qint64> &id) {
        m_saving = false;
        if (id) {
            Q_EMIT added(id.value(), organisation);
            QDialog::accept();
            return;
        }
        revalidate();
        // The repository's messages never repeat a card number.
        m_submitError->setText(QStringLiteral("Not added: %1").arg(id.error().message));
        m_submitError->show();
    });
}

} // namespace headroom
