#pragma once

#include "settings/appsettings.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QPushButton;
class QSettings;

namespace headroom {

class DatabaseThread;

// The settings in effect, read-only; "Edit…" opens SettingsDialog, which writes them back. Where
// the TSIG secret is kept is shown, never the secret. Each accepted edit is recorded in the audit
// log of the configured database (console.settings), off the GUI thread.
class SettingsView final : public QWidget
{
    Q_OBJECT
public:
    // `store` may be null: the defaults are shown and edits are not persisted.
    explicit SettingsView(QSettings *store, QWidget *parent = nullptr);

    AppSettings settings() const { return m_settings; }
    QPushButton *editButton() const { return m_edit; }

    // The label showing a field, by its object name ("dnsServer", "zone", ...); for tests.
    QString shownValue(const QString &field) const;

    // The audit rows written for settings edits; for tests.
    DatabaseThread *auditThread() const { return m_audit; }

Q_SIGNALS:
    // After the operator accepted new settings; they are already saved.
    void settingsChanged(const headroom::AppSettings &settings);

private:
    void edit();
    void refresh();
    QLabel *addField(QFormLayout *form, const QString &label, const QString &objectName);

    void recordEdit(bool secretReplaced);

    QSettings *m_store = nullptr;
    AppSettings m_settings;
    QString m_secretNote; // where the last secret typed in went, and why
    DatabaseThread *m_audit = nullptr;
    QLabel *m_problems = nullptr;
    QPushButton *m_edit = nullptr;
};

} // namespace headroom
