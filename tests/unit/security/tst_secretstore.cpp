// Secrets the console is given: the OS keychain first, else an owner-only file; read back from
// where the settings say; never a copy elsewhere, never from a file others can read.
#include "security/secretfile.h"
#include "security/secretstore.h"
#include "settings/tsigsecret.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

namespace {

QByteArray randomSecret()
{
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::global()->generate(raw.begin(), raw.end());
    return raw.toBase64();
}

constexpr auto kOthers = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                         QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

} // namespace

class TestSecretStore final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void withoutAKeychainTheFileIsOwnerOnly();
    void badKeysAndEmptySecretsAreRefused();
    void filesOthersCanReadAreRefused();
    void keychainIsAskedFirst();
    void settingsLeadToTheKey();

private:
    QTemporaryDir m_dir;
};

void TestSecretStore::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestSecretStore::withoutAKeychainTheFileIsOwnerOnly()
{
    const QString dir = m_dir.filePath(QStringLiteral("plain"));
    SecretStore store(QStringLiteral("headroom-test"), dir);
    store.setKeychainEnabled(false);
    const QByteArray secret = randomSecret();
    const SecretStore::Outcome o = store.storeAndWait(QStringLiteral("tsig-secret"), secret);
    QVERIFY2(o.ok, qPrintable(o.error));
    QCOMPARE(o.location, SecretStore::Location::File);
    QCOMPARE(o.file, QDir(dir).filePath(QStringLiteral("tsig-secret.secret")));
    QVERIFY(!o.keychainError.isEmpty());
    QCOMPARE(QFileInfo(o.file).permissions() & kOthers, QFileDevice::Permissions());
    QCOMPARE(QFileInfo(dir).permissions() & kOthers, QFileDevice::Permissions());
    // One file, and nothing else (no temporary copy left behind).
    QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 1);
    QString error;
    QCOMPARE(store.readAndWait(QStringLiteral("tsig-secret"), SecretStore::Location::File, o.file,
                               &error),
             std::optional<QByteArray>(secret));
    // Replacing it replaces the file.
    const QByteArray next = randomSecret();
    QVERIFY(store.storeAndWait(QStringLiteral("tsig-secret"), next).ok);
    QCOMPARE(secretfile::read(o.file, &error), next);
    bool removed = false;
    store.remove(QStringLiteral("tsig-secret"), this, [&removed] { removed = true; });
    QTRY_VERIFY(removed);
    QVERIFY(!QFile::exists(o.file));
}

void TestSecretStore::badKeysAndEmptySecretsAreRefused()
{
    SecretStore store(QStringLiteral("headroom-test"), m_dir.filePath(QStringLiteral("bad")));
    store.setKeychainEnabled(false);
    for (const QString &key : {QStringLiteral("../escape"), QStringLiteral(".hidden"),
                               QStringLiteral("a/b"), QString(), QStringLiteral("a b")}) {
        const auto o = store.storeAndWait(key, randomSecret());
        QVERIFY2(!o.ok, qPrintable(key));
    }
    QVERIFY(!store.storeAndWait(QStringLiteral("tsig-secret"), QByteArray()).ok);
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("escape.secret"))));
}

void TestSecretStore::filesOthersCanReadAreRefused()
{
    const QString path = m_dir.filePath(QStringLiteral("open.secret"));
    const QByteArray secret = randomSecret();
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(secret);
    f.close();
    QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                             QFileDevice::ReadOther));
    SecretStore store(QStringLiteral("headroom-test"), m_dir.path());
    QString error;
    QVERIFY(!store.readAndWait(QStringLiteral("open"), SecretStore::Location::File, path, &error));
    QVERIFY2(error.contains(QStringLiteral("chmod 600")), qPrintable(error));
    QVERIFY(!error.contains(QString::fromLatin1(secret)));
}

void TestSecretStore::keychainIsAskedFirst()
{
    // With a keychain (a desktop session) the secret goes there and no file is written; without
    // one (CI, this sandbox) the file is used and the outcome says why. Either way the answer
    // comes within the timeout. A service of its own keeps a real keychain clean.
    const QString dir = m_dir.filePath(QStringLiteral("first"));
    SecretStore store(QStringLiteral("headroom-test-%1").arg(QCoreApplication::applicationPid()),
                      dir);
    store.setKeychainTimeout(5000);
    const QByteArray secret = randomSecret();
    QElapsedTimer clock;
    clock.start();
    const SecretStore::Outcome o = store.storeAndWait(QStringLiteral("tsig-secret"), secret);
    QVERIFY(clock.elapsed() < 8000);
    QVERIFY2(o.ok, qPrintable(o.error));
    QString error;
    if (o.location == SecretStore::Location::Keychain) {
        qInfo("the OS keychain took the secret");
        QVERIFY(!QFile::exists(SecretStore::fallbackFile(dir, QStringLiteral("tsig-secret"))));
        QCOMPARE(store.readAndWait(QStringLiteral("tsig-secret"), SecretStore::Location::Keychain,
                                   QString(), &error),
                 std::optional<QByteArray>(secret));
        bool removed = false;
        store.remove(QStringLiteral("tsig-secret"), this, [&removed] { removed = true; });
        QTRY_VERIFY_WITH_TIMEOUT(removed, 8000);
    } else {
        qInfo("no OS keychain here: %s", qPrintable(o.keychainError));
        QVERIFY(o.keychainError.contains(QStringLiteral("keychain")));
        QCOMPARE(secretfile::read(o.file, &error), secret);
        // Reading it from the keychain then fails with a reason, not a hang.
        QVERIFY(!store.readAndWait(QStringLiteral("tsig-secret"), SecretStore::Location::Keychain,
                                   QString(), &error));
        QVERIFY(!error.isEmpty());
    }
}

void TestSecretStore::settingsLeadToTheKey()
{
    const QByteArray secret = randomSecret();
    const QString file = m_dir.filePath(QStringLiteral("update.key"));
    QString error;
    QVERIFY(secretfile::write(file, secret, &error));
    AppSettings s = AppSettings::defaults();
    QVERIFY(!tsigsecret::loadAndWait(s, &error)); // no key named: none, and no error
    QVERIFY(error.isEmpty());
    s.tsigKeyName = QStringLiteral("headroom-update");
    s.tsigKeyFile = file;
    const auto key = tsigsecret::loadAndWait(s, &error);
    QVERIFY2(key, qPrintable(error));
    QCOMPARE(key->name, QStringLiteral("headroom-update"));
    QCOMPARE(key->secret, secret);

    bool called = false;
    QObject context;
    tsigsecret::load(s, &context, [&](const std::optional<TsigKey> &k, const QString &why) {
        QVERIFY2(k, qPrintable(why));
        QCOMPARE(k->secret, secret);
        called = true;
    });
    QVERIFY(!called); // always later, from the event loop
    QTRY_VERIFY(called);

    // A file that is not a base64 secret is refused, and the message does not quote it.
    QVERIFY(secretfile::write(file, "not a secret at all\n", &error));
    QVERIFY(!tsigsecret::loadAndWait(s, &error));
    QVERIFY2(!error.contains(QStringLiteral("not a secret")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
