#pragma once

#include "settings/appsettings.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace headroom {

class SecretStore;

// Edits AppSettings. Every change is checked with AppSettings::validate(); OK stays disabled while
// anything is invalid, and accepting writes the settings to `store`.
//
// The TSIG secret may be typed in (or pasted): the field always echoes it masked, and it starts
// empty whatever is stored - a stored secret is never read back into a widget, so neither the
// dialog nor a screenshot of it can show one. On OK a typed secret goes to the OS keychain, or,
// when the keychain is not available, to a file only the user can read; the settings record
// which, and secretStorageNote() tells the user.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    // `store` may be null: the dialog then edits `initial` without persisting it.
    SettingsDialog(const AppSettings &initial, QSettings *store, QWidget *parent = nullptr);

    // Where a typed secret goes (default: tsigsecret::makeStore()); for tests. Not owned.
    void setSecretStore(SecretStore *store) { m_secretStore = store; }

    // The settings as edited; after a secret was stored, where it went.
    AppSettings settings() const;
    QStringList problems() const { return m_problems; }
    // True once OK stored a newly typed secret.
    bool secretReplaced() const { return m_secretReplaced; }
    // Where the typed secret went, in a sentence for the user (empty when none was typed).
    QString secretStorageNote() const { return m_secretNote; }

    void accept() override;

private:
    void revalidate();
    void finishAccept();
    QWidget *withBrowseButton(QLineEdit *edit, bool saveFile);
    QString placeholderForSecret() const;

    QSettings *m_store = nullptr;
    QLineEdit *m_dnsServer = nullptr;
    QSpinBox *m_dnsPort = nullptr;
    QLineEdit *m_zone = nullptr;
    QLineEdit *m_tsigKeyName = nullptr;
    QLineEdit *m_tsigKeyFile = nullptr;
    QLineEdit *m_tsigSecret = nullptr; // echo mode Password; never filled from storage
    QLabel *m_tsigSecretLocation = nullptr;
    QLineEdit *m_databasePath = nullptr;
    QSpinBox *m_pollInterval = nullptr;
    QSpinBox *m_sandboxPortBase = nullptr;
    QLabel *m_messages = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QStringList m_problems;
    SecretStore *m_secretStore = nullptr;
    bool m_secretInKeychain = false; // as stored: the initial settings, or what OK stored
    QString m_storedKeyFile;         // the fallback file OK stored the secret in
    bool m_secretReplaced = false;
    bool m_storing = false;
    QString m_secretNote;
};

} // namespace headroom
