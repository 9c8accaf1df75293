// Secrets stay where they belong, proven against a real sandbox: the operator's flows run through
// headroomctl (purchasers and their API tokens, a site and a lease, the controller steering and
// logging, DNS updates and reconciliation, a zone import over TSIG, the purchaser API with its
// request log and Qt's debug output switched on, failures with bad key files, the console's
// settings), then every byte they left - the Headroom database and its WAL, every file in the
// sandbox's state directory except the few 0600 files that must hold a secret, every log, the
// settings file and everything the programs printed - is searched for each TSIG secret (base64,
// raw and hex) and each API token. Any hit fails, naming the file and the secret. The same flows
// must have left one audit row per operator action.
#include "sandboxfixture.h"
#include "security/auditlog.h"
#include "security/secretfile.h"
#include "settings/appsettings.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace headroom;

namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

struct Secret
{
    QString what;
    QByteArray bytes;
};

// A plain HTTP/1.1 request to the API; the status code (or -1).
int httpStatus(quint16 port, const QByteArray &method, const QByteArray &target,
               const QByteArray &authorization)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (!s.waitForConnected(3000))
        return -1;
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!authorization.isEmpty())
        request += "Authorization: " + authorization + "\r\n";
    request += "Connection: close\r\n\r\n";
    s.write(request);
    QByteArray answer;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired() && !answer.contains("\r\n\r\n")) {
        s.waitForReadyRead(100);
        answer += s.readAll();
    }
    const QList<QByteArray> status = answer.left(answer.indexOf("\r\n")).split(' ');
    return status.size() >= 2 ? status.at(1).toInt() : -1;
}

QByteArray randomBase64()
{
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::global()->generate(raw.begin(), raw.end());
    return raw.toBase64();
}

} // namespace

class TestSecretLeaks final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void operatorFlows();
    void purchaserApiLogsNoToken();
    void failuresNameNoSecret();
    void consoleSettingsHoldNoSecret();
    void noSecretAnywhere();
    void operatorActionsAreAudited();

private:
    // Runs headroomctl; its output is kept for the scan unless `showsToken` (the one place a
    // token is meant to be printed: `purchaser token`, to the operator who asked).
    Run ctl(QStringList args, bool sandboxArgs = true, bool showsToken = false,
            const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    void addSecret(const QString &what, const QByteArray &base64);
    QStringList hitsIn(const QByteArray &bytes) const;

    test::SandboxFixture m_sandbox;
    QTemporaryDir m_home; // settings of the console, for the runs that read them
    QList<Secret> m_secrets;
    QList<std::pair<QString, QByteArray>> m_outputs; // what the programs printed, by run
    QStringList m_tokens;
};

Run TestSecretLeaks::ctl(QStringList args, bool sandboxArgs, bool showsToken,
                         const QProcessEnvironment &env)
{
    const QString label = args.mid(0, 3).join(QLatin1Char(' '));
    if (sandboxArgs)
        args << QStringLiteral("--port-base") << QString::number(m_sandbox.layout().portBase)
             << QStringLiteral("--state-dir") << m_sandbox.layout().stateDir;
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"), args);
    p.waitForFinished(120000);
    const Run r{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    if (!showsToken)
        m_outputs.append({label + QStringLiteral(" (stdout)"), r.out});
    m_outputs.append({label + QStringLiteral(" (stderr)"), r.err});
    return r;
}

void TestSecretLeaks::addSecret(const QString &what, const QByteArray &base64)
{
    const QByteArray raw = QByteArray::fromBase64(base64);
    m_secrets.append({what + QStringLiteral(" (base64)"), base64});
    m_secrets.append({what + QStringLiteral(" (raw)"), raw});
    m_secrets.append({what + QStringLiteral(" (hex)"), raw.toHex()});
}

QStringList TestSecretLeaks::hitsIn(const QByteArray &bytes) const
{
    QStringList hits;
    for (const Secret &s : m_secrets) {
        if (!s.bytes.isEmpty() && bytes.contains(s.bytes))
            hits.append(s.what);
    }
    return hits;
}

void TestSecretLeaks::initTestCase()
{
    QVERIFY(m_home.isValid());
    QString error;
    QVERIFY2(m_sandbox.up(&error), qPrintable(error));
    const SandboxLayout &l = m_sandbox.layout();
    const QByteArray update = secretfile::read(l.updateKeyFile(), &error);
    QVERIFY2(!update.isEmpty(), qPrintable(error));
    const QByteArray axfr = secretfile::read(l.axfrKeyFile(), &error);
    QVERIFY2(!axfr.isEmpty(), qPrintable(error));
    addSecret(QStringLiteral("TSIG update secret"), update);
    addSecret(QStringLiteral("TSIG transfer secret"), axfr);
}

void TestSecretLeaks::cleanupTestCase()
{
    m_sandbox.down();
}

void TestSecretLeaks::operatorFlows()
{
    const SandboxLayout &l = m_sandbox.layout();
    Run r = ctl({QStringLiteral("purchaser"), QStringLiteral("add"), QStringLiteral("Shop Ltd"),
                 QStringLiteral("--email"), QStringLiteral("ops@shop.example"),
                 QStringLiteral("--card-last4"), QStringLiteral("4242")});
    QVERIFY2(r.code == 0, r.err.constData());
    for (const QString &label : {QStringLiteral("ci"), QStringLiteral("portal")}) {
        r = ctl({QStringLiteral("purchaser"), QStringLiteral("token"), QStringLiteral("1"),
                 QStringLiteral("--label"), label, QStringLiteral("--json")},
                true, true);
        QVERIFY2(r.code == 0, r.err.constData());
        const QString token = r.json().value(QStringLiteral("token")).toString();
        QVERIFY(token.startsWith(QStringLiteral("hr_")));
        m_tokens.append(token);
        m_secrets.append({QStringLiteral("API token %1").arg(label), token.toLatin1()});
        m_secrets.append(
            {QStringLiteral("API token %1 (body)").arg(label), token.mid(3).toLatin1()});
    }

    QStringList site{QStringLiteral("site"),
                     QStringLiteral("add"),
                     QStringLiteral("shop.example"),
                     QStringLiteral("--purchaser"),
                     QStringLiteral("1"),
                     QStringLiteral("--origin-name"),
                     QStringLiteral("origin.shop.example")};
    for (const OriginEndpoint &o : l.origins) {
        if (o.site == l.purchaserZone)
            site << QStringLiteral("--origin")
                 << QStringLiteral("%1:%2").arg(o.address.toString()).arg(o.httpPort);
    }
    r = ctl(site);
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("lease"), QStringLiteral("add"), QStringLiteral("--site"),
             QStringLiteral("shop.example"), QStringLiteral("--rate"), QStringLiteral("50"),
             QStringLiteral("--from"), QStringLiteral("now"), QStringLiteral("--to"),
             QStringLiteral("+20m"), QStringLiteral("--kind"), QStringLiteral("firm")});
    QVERIFY2(r.code == 0, r.err.constData());

    // The controller: provisions the site, steers it by signed UPDATE, logs to a file and to
    // stderr, and records its UPDATEs in the update log.
    r = ctl({QStringLiteral("run"), QStringLiteral("--once"), QStringLiteral("--log"),
             l.logDir() + QStringLiteral("/controller.log")});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl({QStringLiteral("run"), QStringLiteral("--once")});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(!r.err.isEmpty(), "the controller said nothing: the scan would prove nothing");

    r = ctl({QStringLiteral("dns"), QStringLiteral("set-weights"), QStringLiteral("probe"),
             QStringLiteral("--proxy"), QStringLiteral("127.0.1.1=60"), QStringLiteral("--proxy"),
             QStringLiteral("127.0.1.2=40"), QStringLiteral("--overflow"),
             QStringLiteral("127.0.2.1=25"), QStringLiteral("--until"), QStringLiteral("+10m"),
             QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    for (const char *verb : {"show", "diff"}) {
        QStringList args{QStringLiteral("dns"), QString::fromLatin1(verb)};
        if (qstrcmp(verb, "show") == 0)
            args << QStringLiteral("probe");
        r = ctl(args);
        QVERIFY2(r.code == 0 || r.code == 1, r.err.constData());
    }
    r = ctl({QStringLiteral("dns"), QStringLiteral("apply")});
    QVERIFY2(r.code == 0, r.err.constData());
    r = ctl(
        {QStringLiteral("dns"), QStringLiteral("import-zone"), l.purchaserZone,
         QStringLiteral("--server"),
         QStringLiteral("%1:%2").arg(l.purchaserDns.address.toString()).arg(l.purchaserDns.port),
         QStringLiteral("--tsig"), l.axfrKeyName});
    QVERIFY2(r.code == 0, r.err.constData());
    for (const QStringList &args :
         {QStringList{QStringLiteral("sandbox"), QStringLiteral("status"),
                      QStringLiteral("--json")},
          QStringList{QStringLiteral("fleet"), QStringLiteral("status"), QStringLiteral("--json")},
          QStringList{QStringLiteral("lease"), QStringLiteral("list"), QStringLiteral("--json")},
          QStringList{QStringLiteral("purchaser"), QStringLiteral("list"),
                      QStringLiteral("--json")},
          QStringList{QStringLiteral("audit"), QStringLiteral("--json")}}) {
        r = ctl(args);
        QVERIFY2(r.code == 0, qPrintable(args.join(' ') + QLatin1Char(' ') + r.err));
    }
    r = ctl({QStringLiteral("lease"), QStringLiteral("cancel"), QStringLiteral("1")});
    QVERIFY2(r.code == 0, r.err.constData());
}

void TestSecretLeaks::purchaserApiLogsNoToken()
{
    QVERIFY(m_tokens.size() == 2);
    // Every debug category on, qt.httpserver's (which prints request headers) included: the
    // API must keep that one off itself.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
    QProcess server;
    server.setProcessEnvironment(env);
    server.start(test::SandboxFixture::binDir() + QStringLiteral("/headroomctl"),
                 {QStringLiteral("api"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                  QStringLiteral("--port-base"), QString::number(m_sandbox.layout().portBase),
                  QStringLiteral("--state-dir"), m_sandbox.layout().stateDir});
    QVERIFY(server.waitForStarted());
    QByteArray out;
    QByteArray err;
    QDeadlineTimer deadline(20000);
    while (!out.contains('\n') && server.state() == QProcess::Running && !deadline.hasExpired()) {
        server.waitForReadyRead(100);
        out += server.readAllStandardOutput();
    }
    const auto m = QRegularExpression(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)"))
                       .match(QString::fromUtf8(out));
    QVERIFY2(m.hasMatch(), out.constData());
    const quint16 port = quint16(m.captured(1).toUInt());
    const QByteArray good = "Bearer " + m_tokens.first().toLatin1();
    QCOMPARE(httpStatus(port, "GET", "/v1/offers", good), 200);
    QCOMPARE(httpStatus(port, "GET", "/v1/purchases", "Bearer " + m_tokens.last().toLatin1()), 200);
    QCOMPARE(httpStatus(port, "GET", "/v1/offers", "Bearer hr_" + randomBase64().left(43)), 401);
    QCOMPARE(httpStatus(port, "GET", "/v1/offers", m_tokens.first().toLatin1()), 401);
    // A token where it does not belong: in the query string, and pasted into the path.
    QCOMPARE(httpStatus(port, "GET", "/v1/offers?access_token=" + m_tokens.first().toLatin1(), {}),
             401);
    QVERIFY(httpStatus(port, "GET", "/v1/" + m_tokens.first().toLatin1(), good) >= 400);
    server.terminate();
    QVERIFY(server.waitForFinished(20000));
    out += server.readAllStandardOutput();
    err += server.readAllStandardError();
    QVERIFY2(err.contains(" 200 purchaser:1"), err.constData()); // requests were logged
    QVERIFY2(err.contains("/v1/hr_[redacted]"), err.constData());
    m_outputs.append({QStringLiteral("headroomctl api (stdout)"), out});
    m_outputs.append({QStringLiteral("headroomctl api (stderr)"), err});
    // Kept with the sandbox's logs, as an operator would keep the API's log.
    QFile log(m_sandbox.layout().logDir() + QStringLiteral("/api.log"));
    QVERIFY(log.open(QIODevice::WriteOnly));
    log.write(out + err);
}

void TestSecretLeaks::failuresNameNoSecret()
{
    const SandboxLayout &l = m_sandbox.layout();
    QString error;
    const QByteArray update = secretfile::read(l.updateKeyFile(), &error);
    const QStringList weights{
        QStringLiteral("dns"),         QStringLiteral("set-weights"),  QStringLiteral("probe"),
        QStringLiteral("--proxy"),     QStringLiteral("127.0.1.3=10"), QStringLiteral("--overflow"),
        QStringLiteral("127.0.2.1=1"), QStringLiteral("--tsig-name"),  l.updateKeyName,
        QStringLiteral("--tsig-file")};
    // The real secret in a file others may read: refused before it is read into anything.
    const QString open = m_home.filePath(QStringLiteral("open.key"));
    QFile f(open);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(update + '\n');
    f.close();
    QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                             QFileDevice::ReadGroup | QFileDevice::ReadOther));
    Run r = ctl(weights + QStringList{open});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("chmod 600"), r.err.constData());
    QVERIFY(f.remove());
    // A wrong secret: the server refuses, and says so without either secret.
    const QByteArray wrong = randomBase64();
    addSecret(QStringLiteral("wrong TSIG secret"), wrong);
    const QString wrongFile = m_home.filePath(QStringLiteral("wrong.key"));
    QVERIFY(secretfile::write(wrongFile, wrong, &error));
    r = ctl(weights + QStringList{wrongFile});
    QVERIFY2(r.code == 1 && r.err.contains("REFUSED"), r.err.constData());
    // Not base64: refused, and the message does not repeat what the file holds.
    QVERIFY(secretfile::write(wrongFile, "!" + update, &error));
    r = ctl(weights + QStringList{wrongFile});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("not base64"), r.err.constData());
    QVERIFY(QFile::remove(wrongFile));
}

void TestSecretLeaks::consoleSettingsHoldNoSecret()
{
    // headroomctl without a sandbox uses the console's settings: a key file there is read for
    // the secret, and only its path is in the settings file.
    const SandboxLayout &l = m_sandbox.layout();
    const QString config = m_home.filePath(QStringLiteral("config"));
    AppSettings s = AppSettings::defaults();
    s.dnsServer = l.authoritative.address.toString();
    s.dnsPort = l.authoritative.port;
    s.zone = l.ourZone;
    s.tsigKeyName = l.updateKeyName;
    s.tsigKeyFile = l.updateKeyFile();
    s.databasePath = l.databaseFile();
    {
        QSettings settings(config + QStringLiteral("/headroom/headroom.conf"),
                           QSettings::NativeFormat);
        s.save(settings);
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
    const Run r = ctl({QStringLiteral("dns"), QStringLiteral("show"),
                       QStringLiteral("probe.edge.headroom.test"), QStringLiteral("--state-dir"),
                       m_home.filePath(QStringLiteral("no-sandbox"))},
                      false, false, env);
    QVERIFY2(r.code == 0, r.err.constData()); // the key was read: the transfer is signed
    QVERIFY2(r.out.contains("probe.edge.headroom.test"), r.out.constData());
}

void TestSecretLeaks::noSecretAnywhere()
{
    QVERIFY(m_secrets.size() >= 6 + 4); // two TSIG keys, two tokens
    const SandboxLayout &l = m_sandbox.layout();
    QStringList leaks;
    const auto scan = [&](const QString &where, const QByteArray &bytes) {
        for (const QString &hit : hitsIn(bytes))
            leaks.append(QStringLiteral("%1: %2").arg(where, hit));
    };
    // The only files that may hold a TSIG secret: the key files and the servers' own copies,
    // each readable by its owner alone (tst_runtime_levels checks the modes).
    const QSet<QString> holders = {
        QFileInfo(l.updateKeyFile()).absoluteFilePath(),
        QFileInfo(l.axfrKeyFile()).absoluteFilePath(),
        l.serverDir(l.purchaserDns.name) + QStringLiteral("/named.conf"),
    };
    const QString pdnsBackend = l.serverDir(l.authoritative.name) + QStringLiteral("/pdns.sqlite3");
    int files = 0;
    QDirIterator it(l.stateDir, QDir::Files | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = QFileInfo(it.next()).absoluteFilePath();
        if (holders.contains(path) || path.startsWith(pdnsBackend))
            continue;
        QFile f(path);
        if (!QFileInfo(path).isFile() || !f.open(QIODevice::ReadOnly))
            continue; // sockets, and files that vanished
        ++files;
        scan(path, f.readAll());
    }
    // The database and every log are among them; say so, lest the scan quietly miss them.
    for (const QString &must : {l.databaseFile(), l.logDir() + QStringLiteral("/controller.log"),
                                l.logDir() + QStringLiteral("/api.log")})
        QVERIFY2(QFile::exists(must), qPrintable(must));
    QVERIFY(files > 10);
    QDirIterator settings(m_home.path(), {QStringLiteral("*.conf"), QStringLiteral("*.ini")},
                          QDir::Files, QDirIterator::Subdirectories);
    int settingsFiles = 0;
    while (settings.hasNext()) {
        QFile f(settings.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.contains("tsigKeyFile"));
        scan(f.fileName(), bytes);
        ++settingsFiles;
    }
    QCOMPARE(settingsFiles, 1);
    for (const auto &[label, bytes] : std::as_const(m_outputs))
        scan(label, bytes);
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
    qInfo("%d files, 1 settings file and %lld program outputs hold none of %lld secrets", files,
          qint64(m_outputs.size()), qint64(m_secrets.size()));
}

void TestSecretLeaks::operatorActionsAreAudited()
{
    const Run r = ctl({QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--limit"),
                       QStringLiteral("1000")});
    QVERIFY2(r.code == 0, r.err.constData());
    QMultiHash<QString, QJsonObject> byAction;
    for (const QJsonValue &v : r.json().value(QStringLiteral("audit")).toArray())
        byAction.insert(v.toObject().value(QStringLiteral("action")).toString(), v.toObject());
    const QString me = AuditLog::operatorActor();
    for (const QString &action :
         {QStringLiteral("purchaser.add"), QStringLiteral("purchaser.token"),
          QStringLiteral("site.add"), QStringLiteral("lease.add"), QStringLiteral("lease.cancel"),
          QStringLiteral("dns.set-weights"), QStringLiteral("dns.import-zone")}) {
        QVERIFY2(byAction.contains(action), qPrintable(action));
        for (const QJsonObject &row : byAction.values(action))
            QCOMPARE(row.value(QStringLiteral("actor")).toString(), me);
    }
    QCOMPARE(byAction.count(QStringLiteral("purchaser.token")), 2);
    // A set-weights refused for its key file changed nothing and left no row; the one whose
    // UPDATE the server refused did store its desired state (reconcile converges on it), and
    // left one: two rows for four attempts.
    QCOMPARE(byAction.count(QStringLiteral("dns.set-weights")), 2);
    QCOMPARE(byAction.count(QStringLiteral("dns.import-zone")), 1);
    const QString imported = byAction.value(QStringLiteral("dns.import-zone"))
                                 .value(QStringLiteral("detail"))
                                 .toString();
    QVERIFY2(imported.startsWith(QStringLiteral("shop.example.: ")), qPrintable(imported));
}

QTEST_GUILESS_MAIN(TestSecretLeaks)
#include "tst_secret_leaks.moc"
