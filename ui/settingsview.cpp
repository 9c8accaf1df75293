#include "settingsview.h"

#include "databasethread.h"
#include "icons.h"
#include "security/auditlog.h"
#include "settingsdialog.h"
#include "viewheader.h"

#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace headroom {

SettingsView::SettingsView(QSettings *store, QWidget *parent)
    : QWidget(parent), m_store(store),
      m_settings(store ? AppSettings::load(*store) : AppSettings::defaults()),
      m_audit(new DatabaseThread(QStringLiteral("SettingsAudit"), this)),
      m_problems(new QLabel(this)), m_edit(new QPushButton(QStringLiteral("Edit…"), this))
{
    m_edit->setObjectName(QStringLiteral("editSettings"));
    m_edit->setIcon(icons::glyph(icons::Glyph::Settings));
    m_edit->setAutoDefault(false);
    connect(m_edit, &QPushButton::clicked, this, &SettingsView::edit);

    m_problems->setObjectName(QStringLiteral("settingsProblems"));
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::RichText);

    auto *panel = new QFrame(this);
    panel->setFrameShape(QFrame::StyledPanel);
    panel->setAutoFillBackground(true);
    QPalette panelPalette = panel->palette();
    panelPalette.setColor(QPalette::Window, panelPalette.color(QPalette::Base));
    panel->setPalette(panelPalette);
    auto *form = new QFormLayout(panel);
    form->setContentsMargins(18, 16, 18, 16);
    form->setHorizontalSpacing(24);
    form->setVerticalSpacing(10);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);

    const auto section = [this, form](const QString &text) {
        auto *label = new QLabel(text, this);
        QFont font = label->font();
        font.setBold(true);
        label->setFont(font);
        if (form->rowCount() > 0)
            form->addItem(new QSpacerItem(0, 8));
        form->addRow(label);
    };
    section(QStringLiteral("DNS"));
    addField(form, QStringLiteral("Server"), QStringLiteral("dnsServer"));
    addField(form, QStringLiteral("Zone"), QStringLiteral("zone"));
    addField(form, QStringLiteral("TSIG key"), QStringLiteral("tsigKeyName"));
    addField(form, QStringLiteral("TSIG secret"), QStringLiteral("tsigSecret"));
    addField(form, QStringLiteral("TSIG key file"), QStringLiteral("tsigKeyFile"));
    section(QStringLiteral("Console"));
    addField(form, QStringLiteral("Database"), QStringLiteral("databasePath"));
    addField(form, QStringLiteral("Poll interval"), QStringLiteral("pollInterval"));
    addField(form, QStringLiteral("Sandbox port base"), QStringLiteral("sandboxPortBase"));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_edit);
    buttons->addStretch();

    auto *note = new QLabel(
        store ? QStringLiteral("Stored in %1").arg(store->fileName().toHtmlEscaped())
              : QStringLiteral("Not stored: this console was started without a settings file."),
        this);
    note->setObjectName(QStringLiteral("settingsLocation"));
    note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette notePalette = note->palette();
    notePalette.setColor(QPalette::WindowText, notePalette.color(QPalette::PlaceholderText));
    note->setPalette(notePalette);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 20, 24, 20);
    layout->setSpacing(12);
    layout->addWidget(new ViewHeader(
        QStringLiteral("Settings"),
        QStringLiteral("Where the console finds the DNS server it steers with, its database, "
                       "and how often it probes."),
        this));
    layout->addSpacing(4);
    layout->addWidget(m_problems);
    layout->addWidget(panel);
    layout->addLayout(buttons);
    layout->addWidget(note);
    layout->addStretch();

    refresh();
}

QLabel *SettingsView::addField(QFormLayout *form, const QString &label, const QString &objectName)
{
    auto *value = new QLabel(this);
    value->setObjectName(objectName);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setTextFormat(Qt::PlainText);
    auto *caption = new QLabel(label, this);
    QPalette palette = caption->palette();
    palette.setColor(QPalette::WindowText, palette.color(QPalette::PlaceholderText));
    caption->setPalette(palette);
    form->addRow(caption, value);
    return value;
}

QString SettingsView::shownValue(const QString &field) const
{
    const auto *label = findChild<QLabel *>(field);
    return label ? label->text() : QString();
}

void SettingsView::refresh()
{
    const auto show = [this](const char *field, const QString &text) {
        if (auto *label = findChild<QLabel *>(QLatin1String(field)))
            label->setText(text);
    };
    const QString none = QStringLiteral("—");
    show("dnsServer",
         m_settings.dnsServer.contains(u':')
             ? QStringLiteral("[%1]:%2").arg(m_settings.dnsServer).arg(m_settings.dnsPort)
             : QStringLiteral("%1:%2").arg(m_settings.dnsServer).arg(m_settings.dnsPort));
    show("zone", m_settings.zone.isEmpty() ? none : m_settings.zone);
    show("tsigKeyName", m_settings.tsigKeyName.isEmpty()
                            ? QStringLiteral("none (updates are sent unsigned)")
                            : m_settings.tsigKeyName);
    show("tsigSecret", !m_secretNote.isEmpty()             ? m_secretNote
                       : m_settings.tsigSecretInKeychain   ? QStringLiteral("in the OS keychain")
                       : !m_settings.tsigKeyFile.isEmpty() ? QStringLiteral("in the key file")
                       : m_settings.tsigKeyName.isEmpty()  ? none
                                                           : QStringLiteral("not set"));
    show("tsigKeyFile", m_settings.tsigKeyFile.isEmpty() ? none : m_settings.tsigKeyFile);
    show("databasePath", m_settings.databasePath.isEmpty() ? none : m_settings.databasePath);
    show("pollInterval",
         QStringLiteral("%1 ms").arg(QLocale().toString(m_settings.pollIntervalMs)));
    show("sandboxPortBase", QString::number(m_settings.sandboxPortBase));

    const QStringList problems = m_settings.validate();
    if (problems.isEmpty()) {
        m_problems->hide();
        return;
    }
    QString html = QStringLiteral("<b style=\"color:#b3261e\">These settings cannot be used "
                                  "as they are:</b><ul style=\"margin:0; color:#b3261e\">");
    for (const QString &problem : problems)
        html += QStringLiteral("<li>%1</li>").arg(problem.toHtmlEscaped());
    html += QStringLiteral("</ul>");
    m_problems->setText(html);
    m_problems->show();
}

void SettingsView::edit()
{
    SettingsDialog dialog(m_settings, m_store, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_settings = dialog.settings();
    if (dialog.secretReplaced())
        m_secretNote = dialog.secretStorageNote();
    refresh();
    recordEdit(dialog.secretReplaced());
    Q_EMIT settingsChanged(m_settings);
}

void SettingsView::recordEdit(bool secretReplaced)
{
    if (m_settings.databasePath.isEmpty())
        return;
    const AppSettings &s = m_settings;
    const QString secret = s.tsigKeyName.isEmpty()    ? QStringLiteral("none")
                           : s.tsigSecretInKeychain   ? QStringLiteral("in the OS keychain")
                           : !s.tsigKeyFile.isEmpty() ? QStringLiteral("in %1").arg(s.tsigKeyFile)
                                                      : QStringLiteral("not set");
    const QString detail =
        QStringLiteral("console settings: DNS %1 port %2, zone %3, TSIG key %4 (secret %5%6), "
                       "database %7, poll %8 ms, sandbox port base %9")
            .arg(s.dnsServer)
            .arg(s.dnsPort)
            .arg(s.zone, s.tsigKeyName.isEmpty() ? QStringLiteral("none") : s.tsigKeyName, secret,
                 secretReplaced ? QStringLiteral(", replaced") : QString(), s.databasePath)
            .arg(s.pollIntervalMs)
            .arg(s.sandboxPortBase);
    m_audit->setPath(s.databasePath);
    m_audit->run(
        this,
        [detail, actor = AuditLog::consoleActor()](
            Database *database, const QString &openError) -> DatabaseThread::Reply {
            const Result<void> noted =
                database
                    ? AuditLog(*database, actor).note(QStringLiteral("console.settings"), detail)
                    : Result<void>(StoreError{openError});
            if (!noted)
                qWarning("Settings: not recorded in the audit log: %s",
                         qPrintable(noted.error().message));
            return {};
        });
}

} // namespace headroom
