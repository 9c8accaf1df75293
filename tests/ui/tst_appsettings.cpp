#include "settings/appsettings.h"

#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

class TestAppSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaultsAreValid();
    void roundTrip();
    void missingAndMalformedKeysTakeDefaults();
    void secretIsNeverStored();
    void validate_data();
    void validate();
    void dnsName_data();
    void dnsName();

private:
    QTemporaryDir m_dir;
    QString m_keyFile;
    QString m_openKeyFile; // readable by everyone
};

void TestAppSettings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_keyFile = m_dir.filePath(QStringLiteral("tsig.key"));
    QFile key(m_keyFile);
    QVERIFY(key.open(QIODevice::WriteOnly));
    key.write("c2VjcmV0\n");
    // Like every secret file: only its owner may read it.
    QVERIFY(key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    m_openKeyFile = m_dir.filePath(QStringLiteral("open.key"));
    QFile open(m_openKeyFile);
    QVERIFY(open.open(QIODevice::WriteOnly));
    open.write("c2VjcmV0\n");
    QVERIFY(open.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                QFileDevice::ReadGroup | QFileDevice::ReadOther));
}

void TestAppSettings::defaultsAreValid()
{
    const AppSettings settings = AppSettings::defaults();
    QCOMPARE(settings.zone, QStringLiteral("edge.headroom.test"));
    QCOMPARE(settings.pollIntervalMs, 1000);
    QCOMPARE(settings.sandboxPortBase, 25300);
    QVERIFY(!settings.databasePath.isEmpty());
    QCOMPARE(settings.validate(), QStringList());
}

void TestAppSettings::roundTrip()
{
    AppSettings settings = AppSettings::defaults();
    settings.dnsServer = QStringLiteral("::1");
    settings.dnsPort = 25353;
    settings.zone = QStringLiteral("steer.example.net.");
    settings.tsigKeyName = QStringLiteral("headroom-update");
    settings.tsigKeyFile = m_keyFile;
    settings.databasePath = m_dir.filePath(QStringLiteral("db.sqlite"));
    settings.pollIntervalMs = 750;
    settings.sandboxPortBase = 30000;
    {
        QSettings store(m_dir.filePath(QStringLiteral("roundtrip.ini")), QSettings::IniFormat);
        settings.save(store);
    }
    QSettings store(m_dir.filePath(QStringLiteral("roundtrip.ini")), QSettings::IniFormat);
    QCOMPARE(AppSettings::load(store), settings);
}

void TestAppSettings::missingAndMalformedKeysTakeDefaults()
{
    QSettings store(m_dir.filePath(QStringLiteral("malformed.ini")), QSettings::IniFormat);
    store.setValue(QStringLiteral("dns/port"), QStringLiteral("fifty-three"));
    store.setValue(QStringLiteral("monitor/pollIntervalMs"), 70000);
    const AppSettings loaded = AppSettings::load(store);
    QCOMPARE(loaded.dnsPort, AppSettings::defaults().dnsPort);
    QCOMPARE(loaded.zone, AppSettings::defaults().zone);
    // Out of range but well-formed: kept, so validate() can say what is wrong.
    QCOMPARE(loaded.pollIntervalMs, 70000);
    QCOMPARE(loaded.validate().size(), 1);
}

void TestAppSettings::secretIsNeverStored()
{
    AppSettings settings = AppSettings::defaults();
    settings.tsigKeyName = QStringLiteral("headroom-update");
    settings.tsigKeyFile = m_keyFile;
    const QString path = m_dir.filePath(QStringLiteral("secret.ini"));
    {
        QSettings store(path, QSettings::IniFormat);
        settings.save(store);
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray contents = file.readAll();
    QVERIFY(contents.contains("tsigKeyFile"));
    QVERIFY(!contents.contains("c2VjcmV0"));
}

void TestAppSettings::validate_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("problem"); // a fragment of the expected message; empty: valid

    QTest::newRow("ipv6 server") << "dnsServer" << QVariant(QStringLiteral("2001:db8::53")) << "";
    QTest::newRow("host name server")
        << "dnsServer" << QVariant(QStringLiteral("ns1.example.net")) << "IPv4 or IPv6";
    QTest::newRow("empty server") << "dnsServer" << QVariant(QString()) << "empty";
    QTest::newRow("port 0") << "dnsPort" << QVariant(0) << "DNS port";
    QTest::newRow("port 65536") << "dnsPort" << QVariant(65536) << "DNS port";
    QTest::newRow("port 65535") << "dnsPort" << QVariant(65535) << "";
    QTest::newRow("zone trailing dot") << "zone" << QVariant(QStringLiteral("edge.test.")) << "";
    QTest::newRow("zone empty") << "zone" << QVariant(QString()) << "zone is empty";
    QTest::newRow("zone space") << "zone" << QVariant(QStringLiteral("edge .test")) << "valid DNS";
    QTest::newRow("zone double dot") << "zone" << QVariant(QStringLiteral("a..b")) << "valid DNS";
    QTest::newRow("zone hyphen") << "zone" << QVariant(QStringLiteral("-a.b")) << "valid DNS";
    QTest::newRow("key without file")
        << "tsigKeyName" << QVariant(QStringLiteral("k")) << "key file";
    QTest::newRow("file without key")
        << "tsigKeyFile" << QVariant(QStringLiteral("/etc/hostname")) << "name of its key";
    QTest::newRow("keychain without key")
        << "tsigSecretInKeychain" << QVariant(true) << "name of its key";
    QTest::newRow("key in keychain")
        << "tsigKeyName+keychain" << QVariant(QStringLiteral("headroom-update")) << "";
    QTest::newRow("key in a 0600 file") << "tsigKeyName+file" << QVariant(m_keyFile) << "";
    QTest::newRow("key in a file others read")
        << "tsigKeyName+file" << QVariant(m_openKeyFile) << "chmod 600";
    QTest::newRow("key in keychain and file")
        << "tsigKeyName+keychain+file" << QVariant(m_keyFile) << "not both";
    QTest::newRow("interval 199") << "pollIntervalMs" << QVariant(199) << "poll interval";
    QTest::newRow("interval 200") << "pollIntervalMs" << QVariant(200) << "";
    QTest::newRow("interval 60000") << "pollIntervalMs" << QVariant(60000) << "";
    QTest::newRow("interval 60001") << "pollIntervalMs" << QVariant(60001) << "poll interval";
    QTest::newRow("sandbox 1023") << "sandboxPortBase" << QVariant(1023) << "sandbox port";
    QTest::newRow("sandbox top") << "sandboxPortBase" << QVariant(65500) << "sandbox port";
    QTest::newRow("relative db") << "databasePath" << QVariant(QStringLiteral("db.sqlite"))
                                 << "absolute";
    QTest::newRow("empty db") << "databasePath" << QVariant(QString()) << "database path is empty";
}

void TestAppSettings::validate()
{
    QFETCH(QString, field);
    QFETCH(QVariant, value);
    QFETCH(QString, problem);

    AppSettings settings = AppSettings::defaults();
    if (field == QLatin1String("dnsServer"))
        settings.dnsServer = value.toString();
    else if (field == QLatin1String("dnsPort"))
        settings.dnsPort = value.toInt();
    else if (field == QLatin1String("zone"))
        settings.zone = value.toString();
    else if (field == QLatin1String("tsigKeyName"))
        settings.tsigKeyName = value.toString();
    else if (field == QLatin1String("tsigKeyFile"))
        settings.tsigKeyFile = value.toString();
    else if (field == QLatin1String("tsigSecretInKeychain"))
        settings.tsigSecretInKeychain = value.toBool();
    else if (field == QLatin1String("tsigKeyName+keychain")) {
        settings.tsigKeyName = value.toString();
        settings.tsigSecretInKeychain = true;
    } else if (field == QLatin1String("tsigKeyName+file")) {
        settings.tsigKeyName = QStringLiteral("headroom-update");
        settings.tsigKeyFile = value.toString();
    } else if (field == QLatin1String("tsigKeyName+keychain+file")) {
        settings.tsigKeyName = QStringLiteral("headroom-update");
        settings.tsigSecretInKeychain = true;
        settings.tsigKeyFile = value.toString();
    } else if (field == QLatin1String("databasePath"))
        settings.databasePath = value.toString();
    else if (field == QLatin1String("pollIntervalMs"))
        settings.pollIntervalMs = value.toInt();
    else if (field == QLatin1String("sandboxPortBase"))
        settings.sandboxPortBase = value.toInt();
    else
        QFAIL("unknown field");

    const QStringList problems = settings.validate();
    if (problem.isEmpty()) {
        QCOMPARE(problems, QStringList());
    } else {
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.first().contains(problem), qPrintable(problems.first()));
    }
}

void TestAppSettings::dnsName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << "edge.headroom.test" << true;
    QTest::newRow("root-relative") << "edge.headroom.test." << true;
    QTest::newRow("single label") << "localhost" << true;
    QTest::newRow("underscore") << "_tsig.example" << true;
    QTest::newRow("63 label") << QString(63, u'a') + QStringLiteral(".test") << true;
    QTest::newRow("64 label") << QString(64, u'a') + QStringLiteral(".test") << false;
    QTest::newRow("too long") << (QString(60, u'a') + u'.').repeated(5) << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("only dot") << "." << false;
    QTest::newRow("trailing hyphen") << "a-.test" << false;
    QTest::newRow("slash") << "a/b.test" << false;
    QTest::newRow("quote") << "a'.test" << false;
    QTest::newRow("unicode") << QStringLiteral("bücher.test") << false;
}

void TestAppSettings::dnsName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(AppSettings::isValidDnsName(name), valid);
}

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
