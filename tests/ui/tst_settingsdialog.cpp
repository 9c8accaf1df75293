#include "settingsdialog.h"
#include "settingsview.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
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

private:
    static QPushButton *okButton(SettingsDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
    QString iniPath(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

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

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
