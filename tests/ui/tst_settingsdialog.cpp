#include "databasethread.h"
#include "security/secretfile.h"
#include "security/secretstore.h"
#include "settingsdialog.h"
#include "settingsview.h"
#include "store/auditrepository.h"
#include "store/database.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace headroom;

class TestSettingsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void showsInitialValues();
    void okDisabledWhileInvalid();
    void acceptPersists();
    void rejectDoesNotPersist();
    void viewShowsSettingsReadOnly();
    void viewEditRoundTrip();
    void screenshot();
    void storedSecretIsNeverShown();
    void typedSecretIsMaskedAndKeptOutOfTheSettings();
    void keychainFirstThenAnOwnerOnlyFile();
    void settingsEditIsAudited();

private:
    static QPushButton *okButton(SettingsDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
    QString iniPath(const char *name) const { return m_dir.filePath(QLatin1String(name)); }
    static QByteArray randomSecret()
    {
        QByteArray raw(32, Qt::Uninitialized);
        QRandomGenerator::global()->generate(raw.begin(), raw.end());
        return raw.toBase64();
    }
    // Every piece of text a widget of `root` shows or would show (tooltips, placeholders, window
    // titles), for a check that a secret is in none of them.
    static QStringList visibleTexts(const QWidget *root)
    {
        QStringList texts{root->windowTitle(), root->toolTip()};
        for (const QWidget *w : root->findChildren<QWidget *>()) {
            texts << w->toolTip() << w->statusTip() << w->whatsThis() << w->accessibleName()
                  << w->accessibleDescription();
            if (const auto *edit = qobject_cast<const QLineEdit *>(w))
                texts << edit->displayText() << edit->placeholderText();
            if (const auto *label = qobject_cast<const QLabel *>(w))
                texts << label->text();
            if (const auto *button = qobject_cast<const QAbstractButton *>(w))
                texts << button->text();
        }
        return texts;
    }
    static bool containsSecret(const QStringList &texts, const QByteArray &secret)
    {
        const QString s = QString::fromLatin1(secret);
        const QString raw = QString::fromLatin1(QByteArray::fromBase64(secret));
        return std::any_of(texts.cbegin(), texts.cend(), [&](const QString &t) {
            return t.contains(s) || t.contains(s.left(12)) || (!raw.isEmpty() && t.contains(raw));
        });
    }

    QTemporaryDir m_dir;
};

void TestSettingsDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestSettingsDialog::showsInitialValues()
{
    AppSettings initial = AppSettings::defaults();
    initial.dnsPort = 25353;
    SettingsDialog dialog(initial, nullptr);
    QCOMPARE(dialog.settings(), initial);
    QCOMPARE(dialog.findChild<QSpinBox *>(QStringLiteral("dnsPort"))->value(), 25353);
    QVERIFY(okButton(dialog)->isEnabled());
}

void TestSettingsDialog::okDisabledWhileInvalid()
{
    SettingsDialog dialog(AppSettings::defaults(), nullptr);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *zone = dialog.findChild<QLineEdit *>(QStringLiteral("zone"));
    auto *messages = dialog.findChild<QLabel *>(QStringLiteral("validationMessages"));
    QVERIFY(zone);
    QVERIFY(messages);
    QVERIFY(messages->isHidden());

    zone->clear();
    QTest::keyClicks(zone, QStringLiteral("not a zone"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(messages->isVisible());
    QVERIFY(messages->text().contains(QStringLiteral("not a valid DNS name")));

    auto *interval = dialog.findChild<QSpinBox *>(QStringLiteral("pollInterval"));
    interval->setValue(50);
    QCOMPARE(dialog.problems().size(), 2);

    zone->setText(QStringLiteral("edge.headroom.test"));
    interval->setValue(500);
    QVERIFY(okButton(dialog)->isEnabled());
    QVERIFY(messages->isHidden());
}

void TestSettingsDialog::acceptPersists()
{
    QSettings store(iniPath("accept.ini"), QSettings::IniFormat);
    SettingsDialog dialog(AppSettings::defaults(), &store);
    dialog.findChild<QLineEdit *>(QStringLiteral("dnsServer"))->setText(QStringLiteral("::1"));
    dialog.findChild<QSpinBox *>(QStringLiteral("sandboxPortBase"))->setValue(40000);
    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));

    QSettings reread(iniPath("accept.ini"), QSettings::IniFormat);
    const AppSettings saved = AppSettings::load(reread);
    QCOMPARE(saved.dnsServer, QStringLiteral("::1"));
    QCOMPARE(saved.sandboxPortBase, 40000);
}

void TestSettingsDialog::rejectDoesNotPersist()
{
    QSettings store(iniPath("reject.ini"), QSettings::IniFormat);
    SettingsDialog dialog(AppSettings::defaults(), &store);
    dialog.findChild<QLineEdit *>(QStringLiteral("dnsServer"))->setText(QStringLiteral("::1"));
    dialog.reject();
    QVERIFY(store.allKeys().isEmpty());

    // An invalid dialog refuses accept() even when called directly.
    SettingsDialog invalid(AppSettings::defaults(), &store);
    invalid.findChild<QLineEdit *>(QStringLiteral("zone"))->clear();
    invalid.accept();
    QVERIFY(invalid.result() != QDialog::Accepted);
    QVERIFY(store.allKeys().isEmpty());
}

void TestSettingsDialog::viewShowsSettingsReadOnly()
{
    QSettings store(iniPath("view.ini"), QSettings::IniFormat);
    AppSettings settings = AppSettings::defaults();
    settings.dnsPort = 25353;
    settings.save(store);
    SettingsView view(&store);
    QCOMPARE(view.shownValue(QStringLiteral("dnsServer")), QStringLiteral("127.0.0.1:25353"));
    QCOMPARE(view.shownValue(QStringLiteral("zone")), QStringLiteral("edge.headroom.test"));
    QVERIFY(view.findChildren<QLineEdit *>().isEmpty());
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("settingsProblems"))->isHidden());
}

void TestSettingsDialog::viewEditRoundTrip()
{
    QSettings store(iniPath("edit.ini"), QSettings::IniFormat);
    SettingsView view(&store);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    bool edited = false;
    QTimer::singleShot(0, this, [&edited] {
        auto *dialog = qobject_cast<SettingsDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->findChild<QSpinBox *>(QStringLiteral("pollInterval"))->setValue(2500);
        dialog->accept();
        edited = true;
    });
    QSignalSpy changed(&view, &SettingsView::settingsChanged);
    QTest::mouseClick(view.editButton(), Qt::LeftButton);
    QVERIFY(edited);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(view.settings().pollIntervalMs, 2500);
    QCOMPARE(view.shownValue(QStringLiteral("pollInterval")),
             QLocale().toString(2500) + QStringLiteral(" ms"));
    QCOMPARE(AppSettings::load(store).pollIntervalMs, 2500);
}

void TestSettingsDialog::screenshot()
{
    AppSettings settings = AppSettings::defaults();
    settings.tsigKeyName = QStringLiteral("headroom-update");
    settings.pollIntervalMs = 100;
    SettingsDialog dialog(settings, nullptr);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.problems().size(), 2);
    const QPixmap shot = dialog.grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("settings-dialog.png"))));
    }
}

void TestSettingsDialog::storedSecretIsNeverShown()
{
    // A key whose secret is in a 0600 file, and one whose secret is in the keychain: neither
    // dialog nor view shows a byte of it, and the secret field starts empty and masked.
    const QByteArray secret = randomSecret();
    const QString keyFile = m_dir.filePath(QStringLiteral("shown.key"));
    QString error;
    QVERIFY2(secretfile::write(keyFile, secret, &error), qPrintable(error));
    AppSettings settings = AppSettings::defaults();
    settings.tsigKeyName = QStringLiteral("headroom-update");
    settings.tsigKeyFile = keyFile;
    QVERIFY2(settings.validate().isEmpty(), qPrintable(settings.validate().join('\n')));

    SettingsDialog dialog(settings, nullptr);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *field = dialog.findChild<QLineEdit *>(QStringLiteral("tsigSecret"));
    QVERIFY(field);
    QCOMPARE(field->echoMode(), QLineEdit::Password);
    QVERIFY(field->text().isEmpty());
    QVERIFY(!containsSecret(visibleTexts(&dialog), secret));

    QSettings store(iniPath("shown.ini"), QSettings::IniFormat);
    settings.save(store);
    store.sync();
    SettingsView view(&store);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.shownValue(QStringLiteral("tsigSecret")), QStringLiteral("in the key file"));
    QVERIFY(!containsSecret(visibleTexts(&view), secret));

    AppSettings inKeychain = settings;
    inKeychain.tsigKeyFile.clear();
    inKeychain.tsigSecretInKeychain = true;
    SettingsDialog keychainDialog(inKeychain, nullptr);
    QVERIFY(keychainDialog.findChild<QLineEdit *>(QStringLiteral("tsigSecret"))->text().isEmpty());
    QVERIFY(keychainDialog.findChild<QLineEdit *>(QStringLiteral("tsigSecret"))
                ->placeholderText()
                .contains(QStringLiteral("keychain")));
    QVERIFY(keychainDialog.problems().isEmpty());
}

void TestSettingsDialog::typedSecretIsMaskedAndKeptOutOfTheSettings()
{
    const QByteArray secret = randomSecret();
    QTemporaryDir fallback;
    QVERIFY(fallback.isValid());
    SecretStore secrets(QStringLiteral("headroom-test"), fallback.filePath(QStringLiteral("s")));
    secrets.setKeychainEnabled(false); // deterministic: the file fallback

    const QString ini = iniPath("typed.ini");
    QSettings store(ini, QSettings::IniFormat);
    AppSettings settings = AppSettings::defaults();
    settings.tsigKeyName = QStringLiteral("headroom-update");
    settings.databasePath = QStringLiteral("/var/lib/headroom/headroom.sqlite");
    SettingsDialog dialog(settings, &store);
    dialog.setSecretStore(&secrets);
    dialog.resize(640, dialog.sizeHint().height());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    // A name without a secret cannot be saved.
    QVERIFY(!okButton(dialog)->isEnabled());
    auto *field = dialog.findChild<QLineEdit *>(QStringLiteral("tsigSecret"));
    QTest::keyClicks(field, QStringLiteral("not base64!"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(dialog.problems().join(' ').contains(QStringLiteral("base64")));
    QVERIFY(!dialog.problems().join(' ').contains(QStringLiteral("not base64!")));
    field->clear();
    QTest::keyClicks(field, QString::fromLatin1(secret));
    QVERIFY(okButton(dialog)->isEnabled());
    // Typed, it is masked: the widgets show bullets, and so does a screenshot.
    QCOMPARE(field->echoMode(), QLineEdit::Password);
    QVERIFY(field->displayText() != QString::fromLatin1(secret));
    QVERIFY(!containsSecret(visibleTexts(&dialog), secret));
    const QPixmap shot = dialog.grab();
    QVERIFY(!shot.isNull());
    const QString dir = qEnvironmentVariable("HEADROOM_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("console-settings.png"))));
    }

    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(dialog.secretReplaced());
    QVERIFY(field->text().isEmpty()); // not kept in the widget either

    // The settings say where the secret is; the file holds it, owner-only.
    const AppSettings saved = dialog.settings();
    QVERIFY(!saved.tsigSecretInKeychain);
    QCOMPARE(saved.tsigKeyFile,
             SecretStore::fallbackFile(fallback.filePath(QStringLiteral("s")),
                                       QString::fromLatin1(AppSettings::kTsigSecretKey)));
    QCOMPARE(QFileInfo(saved.tsigKeyFile).permissions() &
                 ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                   QFileDevice::WriteUser),
             QFileDevice::Permissions());
    QString error;
    QCOMPARE(secretfile::read(saved.tsigKeyFile, &error), secret);
    QVERIFY(dialog.secretStorageNote().contains(saved.tsigKeyFile));
    QVERIFY(dialog.secretStorageNote().contains(QStringLiteral("only you can read")));
    QVERIFY(!containsSecret(visibleTexts(&dialog), secret));

    // ... and the settings file holds neither the secret nor its decoded bytes.
    store.sync();
    QFile file(ini);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.contains("tsigKeyFile"));
    QVERIFY(!bytes.contains(secret));
    QVERIFY(!bytes.contains(QByteArray::fromBase64(secret)));
    QVERIFY(!bytes.contains(secret.left(12)));
    QSettings reread(ini, QSettings::IniFormat);
    QCOMPARE(AppSettings::load(reread), saved);
    QVERIFY(saved.validate().isEmpty());
}

void TestSettingsDialog::keychainFirstThenAnOwnerOnlyFile()
{
    // With the keychain asked first: where there is one (a desktop session) the secret goes
    // there and no file is left; where there is none (this test's machine, CI) the file is used
    // and the user is told why. A service name of its own keeps a real keychain clean.
    const QByteArray secret = randomSecret();
    QTemporaryDir fallback;
    QVERIFY(fallback.isValid());
    SecretStore secrets(QStringLiteral("headroom-test-%1").arg(QCoreApplication::applicationPid()),
                        fallback.filePath(QStringLiteral("s")));
    secrets.setKeychainTimeout(5000);
    QSettings store(iniPath("keychain.ini"), QSettings::IniFormat);
    AppSettings settings = AppSettings::defaults();
    settings.tsigKeyName = QStringLiteral("headroom-update");
    SettingsDialog dialog(settings, &store);
    dialog.setSecretStore(&secrets);
    dialog.findChild<QLineEdit *>(QStringLiteral("tsigSecret"))
        ->setText(QString::fromLatin1(secret));
    dialog.accept();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 10000);
    const AppSettings saved = dialog.settings();
    const QString file = SecretStore::fallbackFile(
        fallback.filePath(QStringLiteral("s")), QString::fromLatin1(AppSettings::kTsigSecretKey));
    if (saved.tsigSecretInKeychain) {
        qInfo("the OS keychain took the secret");
        QVERIFY(saved.tsigKeyFile.isEmpty());
        QVERIFY(!QFile::exists(file));
        QCOMPARE(dialog.secretStorageNote(),
                 QStringLiteral("The TSIG secret is in the OS keychain."));
        QString error;
        QCOMPARE(secrets
                     .readAndWait(QString::fromLatin1(AppSettings::kTsigSecretKey),
                                  SecretStore::Location::Keychain, QString(), &error)
                     .value_or(QByteArray()),
                 secret);
        bool removed = false;
        secrets.remove(QString::fromLatin1(AppSettings::kTsigSecretKey), this,
                       [&removed] { removed = true; });
        QTRY_VERIFY_WITH_TIMEOUT(removed, 10000);
    } else {
        qInfo("no OS keychain: %s", qPrintable(dialog.secretStorageNote()));
        QCOMPARE(saved.tsigKeyFile, file);
        QVERIFY(dialog.secretStorageNote().contains(QStringLiteral("keychain")));
        QVERIFY(dialog.secretStorageNote().contains(file));
        QString error;
        QCOMPARE(secretfile::read(file, &error), secret);
    }
}

void TestSettingsDialog::settingsEditIsAudited()
{
    const QByteArray secret = randomSecret();
    QTemporaryDir fallback;
    QVERIFY(fallback.isValid());
    const QString dbPath = m_dir.filePath(QStringLiteral("audited.sqlite"));
    QSettings store(iniPath("audited.ini"), QSettings::IniFormat);
    AppSettings settings = AppSettings::defaults();
    settings.databasePath = dbPath;
    settings.save(store);
    store.sync();
    SettingsView view(&store);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    SecretStore secrets(QStringLiteral("headroom-test"), fallback.filePath(QStringLiteral("s")));
    secrets.setKeychainEnabled(false);

    QTimer::singleShot(0, this, [&] {
        auto *dialog = qobject_cast<SettingsDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->setSecretStore(&secrets);
        dialog->findChild<QLineEdit *>(QStringLiteral("tsigKeyName"))
            ->setText(QStringLiteral("headroom-update"));
        dialog->findChild<QLineEdit *>(QStringLiteral("tsigSecret"))
            ->setText(QString::fromLatin1(secret));
        dialog->accept();
    });
    QSignalSpy changed(&view, &SettingsView::settingsChanged);
    QTest::mouseClick(view.editButton(), Qt::LeftButton);
    QTRY_COMPARE(changed.count(), 1);
    QVERIFY(view.shownValue(QStringLiteral("tsigSecret"))
                .contains(QStringLiteral("only you can read")));
    QVERIFY(!containsSecret(visibleTexts(&view), secret));
    QTRY_COMPARE(view.auditThread()->pending(), 0);

    Database db;
    QVERIFY(db.open(dbPath));
    const auto rows = AuditRepository(db).list(10);
    QVERIFY(rows);
    QCOMPARE(rows.value().size(), 1);
    const AuditEntry &e = rows.value().first();
    QCOMPARE(e.action, QStringLiteral("console.settings"));
    QVERIFY(e.actor.startsWith(QStringLiteral("console:")));
    QVERIFY2(e.detail.contains(QStringLiteral("TSIG key headroom-update (secret in ")) &&
                 e.detail.contains(QStringLiteral(", replaced)")),
             qPrintable(e.detail));
    QVERIFY(!e.detail.contains(QString::fromLatin1(secret)));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
