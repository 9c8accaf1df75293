#include "settingsdialog.h"

#include "dns/tsigkey.h"
#include "security/secretstore.h"
#include "settings/tsigsecret.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace headroom {

namespace {

QFormLayout *makeForm(QGroupBox *group)
{
    auto *form = new QFormLayout(group);
    form->setContentsMargins(12, 12, 12, 12);
    form->setHorizontalSpacing(16);
    form->setVerticalSpacing(8);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return form;
}

QSpinBox *makeSpinBox(QWidget *parent, int minimum, int maximum, int value)
{
    auto *spin = new QSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setValue(value);
    spin->setGroupSeparatorShown(false);
    spin->setMinimumWidth(110);
    return spin;
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings &initial, QSettings *store, QWidget *parent)
    : QDialog(parent), m_store(store), m_secretInKeychain(initial.tsigSecretInKeychain)
{
    setWindowTitle(QStringLiteral("Headroom Settings"));
    setMinimumWidth(600);

    // Spin box ranges are wider than the valid ones, so that a value loaded from a hand-edited
    // file is shown as it is and explained, not silently clamped.
    m_dnsServer = new QLineEdit(initial.dnsServer, this);
    m_dnsServer->setObjectName(QStringLiteral("dnsServer"));
    m_dnsServer->setPlaceholderText(QStringLiteral("IPv4 or IPv6 address, e.g. 127.0.0.1"));
    m_dnsPort = makeSpinBox(this, 0, 99999, initial.dnsPort);
    m_dnsPort->setObjectName(QStringLiteral("dnsPort"));
    m_zone = new QLineEdit(initial.zone, this);
    m_zone->setObjectName(QStringLiteral("zone"));
    m_zone->setPlaceholderText(QStringLiteral("edge.headroom.test"));
    m_tsigKeyName = new QLineEdit(initial.tsigKeyName, this);
    m_tsigKeyName->setObjectName(QStringLiteral("tsigKeyName"));
    m_tsigKeyName->setPlaceholderText(QStringLiteral("none — updates are sent unsigned"));
    m_tsigKeyFile = new QLineEdit(initial.tsigKeyFile, this);
    m_tsigKeyFile->setObjectName(QStringLiteral("tsigKeyFile"));
    m_tsigKeyFile->setPlaceholderText(QStringLiteral("or a file holding the secret (mode 0600)"));
    // Masked, and empty whatever is stored: a stored secret is never read back into a widget.
    m_tsigSecret = new QLineEdit(this);
    m_tsigSecret->setObjectName(QStringLiteral("tsigSecret"));
    m_tsigSecret->setEchoMode(QLineEdit::Password);
    m_tsigSecret->setClearButtonEnabled(true);
    m_tsigSecret->setPlaceholderText(placeholderForSecret());
    m_databasePath = new QLineEdit(initial.databasePath, this);
    m_databasePath->setObjectName(QStringLiteral("databasePath"));
    m_pollInterval = makeSpinBox(this, 0, 999999, initial.pollIntervalMs);
    m_pollInterval->setObjectName(QStringLiteral("pollInterval"));
    m_pollInterval->setSuffix(QStringLiteral(" ms"));
    m_pollInterval->setSingleStep(100);
    m_sandboxPortBase = makeSpinBox(this, 0, 99999, initial.sandboxPortBase);
    m_sandboxPortBase->setObjectName(QStringLiteral("sandboxPortBase"));

    auto *dnsGroup = new QGroupBox(QStringLiteral("DNS"), this);
    QFormLayout *dnsForm = makeForm(dnsGroup);
    auto *serverRow = new QHBoxLayout;
    serverRow->setSpacing(8);
    serverRow->addWidget(m_dnsServer, 1);
    serverRow->addSpacing(8);
    serverRow->addWidget(new QLabel(QStringLiteral("Port"), this));
    serverRow->addWidget(m_dnsPort);
    dnsForm->addRow(QStringLiteral("Server:"), serverRow);
    dnsForm->addRow(QStringLiteral("Zone:"), m_zone);
    dnsForm->addRow(QStringLiteral("TSIG key name:"), m_tsigKeyName);
    dnsForm->addRow(QStringLiteral("TSIG secret:"), m_tsigSecret);
    dnsForm->addRow(QStringLiteral("TSIG key file:"), withBrowseButton(m_tsigKeyFile, false));
    m_tsigSecretLocation = new QLabel(
        QStringLiteral("Never written to the settings file: a secret typed here goes to the OS "
                       "keychain or, where there is none, to a file only you can read."),
        this);
    m_tsigSecretLocation->setObjectName(QStringLiteral("tsigSecretLocation"));
    m_tsigSecretLocation->setWordWrap(true);
    m_tsigSecretLocation->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_tsigSecretLocation->setMinimumWidth(380);
    QPalette notePalette = m_tsigSecretLocation->palette();
    notePalette.setColor(QPalette::WindowText, notePalette.color(QPalette::PlaceholderText));
    m_tsigSecretLocation->setPalette(notePalette);
    dnsForm->addRow(QString(), m_tsigSecretLocation);

    auto *consoleGroup = new QGroupBox(QStringLiteral("Console"), this);
    QFormLayout *consoleForm = makeForm(consoleGroup);
    consoleForm->addRow(QStringLiteral("Database:"), withBrowseButton(m_databasePath, true));
    consoleForm->addRow(QStringLiteral("Poll interval:"), m_pollInterval);
    consoleForm->addRow(QStringLiteral("Sandbox port base:"), m_sandboxPortBase);

    m_messages = new QLabel(this);
    m_messages->setObjectName(QStringLiteral("validationMessages"));
    m_messages->setWordWrap(true);
    m_messages->setTextFormat(Qt::RichText);

    m_buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QAbstractButton::clicked, this,
            [this] {
                const AppSettings defaults = AppSettings::defaults();
                m_dnsServer->setText(defaults.dnsServer);
                m_dnsPort->setValue(defaults.dnsPort);
                m_zone->setText(defaults.zone);
                m_tsigKeyName->setText(defaults.tsigKeyName);
                m_tsigKeyFile->setText(defaults.tsigKeyFile);
                m_tsigSecret->clear();
                m_secretInKeychain = defaults.tsigSecretInKeychain;
                m_tsigSecret->setPlaceholderText(placeholderForSecret());
                m_databasePath->setText(defaults.databasePath);
                m_pollInterval->setValue(defaults.pollIntervalMs);
                m_sandboxPortBase->setValue(defaults.sandboxPortBase);
            });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 18, 18, 18);
    layout->setSpacing(12);
    layout->addWidget(dnsGroup);
    layout->addWidget(consoleGroup);
    layout->addWidget(m_messages);
    layout->addStretch();
    layout->addWidget(m_buttons);

    for (QLineEdit *edit :
         {m_dnsServer, m_zone, m_tsigKeyName, m_tsigKeyFile, m_tsigSecret, m_databasePath})
        connect(edit, &QLineEdit::textChanged, this, &SettingsDialog::revalidate);
    for (QSpinBox *spin : {m_dnsPort, m_pollInterval, m_sandboxPortBase})
        connect(spin, &QSpinBox::valueChanged, this, &SettingsDialog::revalidate);
    revalidate();
}

QWidget *SettingsDialog::withBrowseButton(QLineEdit *edit, bool saveFile)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto *browse = new QPushButton(QStringLiteral("Browse…"), row);
    layout->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit, saveFile] {
        const QString path =
            saveFile
                ? QFileDialog::getSaveFileName(this, QStringLiteral("Database"), edit->text(),
                                               QStringLiteral("SQLite database (*.sqlite *.db)"),
                                               nullptr, QFileDialog::DontConfirmOverwrite)
                : QFileDialog::getOpenFileName(this, QStringLiteral("TSIG key file"), edit->text());
        if (!path.isEmpty())
            edit->setText(path);
    });
    return row;
}

AppSettings SettingsDialog::settings() const
{
    AppSettings result;
    result.dnsServer = m_dnsServer->text().trimmed();
    result.dnsPort = m_dnsPort->value();
    result.zone = m_zone->text().trimmed();
    result.tsigKeyName = m_tsigKeyName->text().trimmed();
    result.tsigKeyFile = m_tsigKeyFile->text().trimmed();
    // A key file named here takes the place of the keychain.
    result.tsigSecretInKeychain = m_secretInKeychain && result.tsigKeyFile.isEmpty();
    result.databasePath = m_databasePath->text().trimmed();
    result.pollIntervalMs = m_pollInterval->value();
    result.sandboxPortBase = m_sandboxPortBase->value();
    return result;
}

QString SettingsDialog::placeholderForSecret() const
{
    if (m_secretInKeychain)
        return QStringLiteral("kept in the OS keychain; type a new one to replace it");
    return QStringLiteral("base64, as in named.conf; kept out of the settings file");
}

void SettingsDialog::revalidate()
{
    AppSettings candidate = settings();
    const QString secret = m_tsigSecret->text().trimmed();
    if (!secret.isEmpty()) {
        // Wherever OK puts it, the secret typed here is the key's.
        candidate.tsigSecretInKeychain = true;
        candidate.tsigKeyFile.clear();
    }
    m_problems = candidate.validate();
    if (!secret.isEmpty()) {
        TsigKey key;
        key.name = QStringLiteral("key");
        key.secret = secret.toLatin1();
        QString ignored; // names the key only, but the message below says all there is to say
        if (secret.size() > 4096 || !key.isValid(&ignored))
            m_problems << QStringLiteral("The TSIG secret must be base64, as in named.conf (16 "
                                         "characters or more).");
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_problems.isEmpty() && !m_storing);
    if (m_problems.isEmpty()) {
        m_messages->clear();
        m_messages->hide();
        return;
    }
    QString html = QStringLiteral("<div style=\"color:#b3261e\">");
    for (const QString &problem : std::as_const(m_problems))
        html += QStringLiteral("&#9679;&nbsp;%1<br/>").arg(problem.toHtmlEscaped());
    html.chop(5);
    html += QStringLiteral("</div>");
    m_messages->setText(html);
    m_messages->show();
}

void SettingsDialog::accept()
{
    revalidate();
    if (!m_problems.isEmpty() || m_storing)
        return;
    const QByteArray secret = m_tsigSecret->text().trimmed().toLatin1();
    if (secret.isEmpty()) {
        finishAccept();
        return;
    }
    if (!m_secretStore)
        m_secretStore = tsigsecret::makeStore(this);
    m_storing = true;
    m_buttons->setEnabled(false);
    m_messages->setText(QStringLiteral("Storing the TSIG secret…"));
    m_messages->show();
    m_secretStore->store(
        QString::fromLatin1(AppSettings::kTsigSecretKey), secret, this,
        [this](const SecretStore::Outcome &outcome) {
            m_storing = false;
            m_buttons->setEnabled(true);
            if (!outcome.ok) {
                m_problems = {
                    QStringLiteral("The TSIG secret could not be stored: %1").arg(outcome.error)};
                m_messages->setText(QStringLiteral("<div style=\"color:#b3261e\">%1</div>")
                                        .arg(m_problems.first().toHtmlEscaped()));
                return;
            }
            m_secretReplaced = true;
            m_tsigSecret->clear();
            if (outcome.location == SecretStore::Location::Keychain) {
                m_secretInKeychain = true;
                m_tsigKeyFile->clear();
                m_secretNote = QStringLiteral("The TSIG secret is in the OS keychain.");
            } else {
                m_secretInKeychain = false;
                m_tsigKeyFile->setText(outcome.file);
                m_secretNote = QStringLiteral("%1: the TSIG secret is in %2, a file only you can "
                                              "read.")
                                   .arg(outcome.keychainError, outcome.file);
                m_secretNote[0] = m_secretNote[0].toUpper();
            }
            m_tsigSecretLocation->setText(m_secretNote);
            finishAccept();
        });
}

void SettingsDialog::finishAccept()
{
    revalidate();
    if (!m_problems.isEmpty())
        return;
    if (m_store) {
        settings().save(*m_store);
        m_store->sync();
    }
    QDialog::accept();
}

} // namespace headroom
