#pragma once

#include "settings/appsettings.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace headroom {

// Edits AppSettings. Every change is checked with AppSettings::validate(); OK stays disabled while
// anything is invalid, and accepting writes the settings to `store`.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    // `store` may be null: the dialog then edits `initial` without persisting it.
    SettingsDialog(const AppSettings &initial, QSettings *store, QWidget *parent = nullptr);

    AppSettings settings() const;
    QStringList problems() const { return m_problems; }

    void accept() override;

private:
    void revalidate();
    QWidget *withBrowseButton(QLineEdit *edit, bool saveFile);

    QSettings *m_store = nullptr;
    QLineEdit *m_dnsServer = nullptr;
    QSpinBox *m_dnsPort = nullptr;
    QLineEdit *m_zone = nullptr;
    QLineEdit *m_tsigKeyName = nullptr;
    QLineEdit *m_tsigKeyFile = nullptr;
    QLineEdit *m_databasePath = nullptr;
    QSpinBox *m_pollInterval = nullptr;
    QSpinBox *m_sandboxPortBase = nullptr;
    QLabel *m_messages = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QStringList m_problems;
};

} // namespace headroom
