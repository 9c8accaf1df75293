// bench_api_bids: bids accepted per second through the purchaser API on loopback, with the
// database durable (issue 6 goal: >= 1,000 bids/s).
//
// Builds a fresh database (one auction offer; --purchasers purchasers, each with one site and one
// API token), starts `headroomctl api` on it as its own process (the real binary next to this
// one, plain HTTP on 127.0.0.1, rate limits raised out of the way), then runs --clients
// concurrent keep-alive HTTP/1.1 clients for --seconds after a --warmup: each POSTs a bid on the
// auction with a fresh Idempotency-Key, waits for the answer, and sends the next. Only 201
// answers count; every other status is reported. Latency is from the first byte written to the
// last byte of the answer. At the end the bids in the database are counted (they must match
// the 201s: an answered bid is a committed one) and the server's group-commit figures printed.
//
// The server commits bids with synchronous=FULL on WAL (Database::durableWriteTransaction) and
// answers each only after its commit; --no-group-commit makes it commit every bid alone (one
// fsync per bid) for comparison. Figures: docs/BENCHMARKS.md.

#include "benchsupport.h"
#include "market/marketservice.h"
#include "store/database.h"
#include "store/purchaserrepository.h"
#include "store/siterepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <memory>

namespace headroom {
namespace {

using bench::err;
using bench::fixed;
using bench::out;

struct Totals
{
    qint64 accepted = 0;       // while measuring
    qint64 acceptedAll = 0;    // warm-up and the bids in flight at the end included
    QMap<int, qint64> refused; // status -> count (0: connection lost)
    QList<double> latenciesMs;
    bool measuring = false;
};

// One keep-alive client: a bid, its answer, the next bid.
class Client final : public QObject
{
public:
    Client(quint16 port, QString token, qint64 offerId, int index, Totals &totals)
        : m_token(std::move(token)), m_offerId(offerId), m_index(index), m_totals(totals)
    {
        connect(&m_socket, &QTcpSocket::connected, this, &Client::send);
        connect(&m_socket, &QTcpSocket::readyRead, this, &Client::receive);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            if (m_totals.measuring)
                ++m_totals.refused[0];
        });
        m_socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    }

    void stop() { m_stopped = true; }
    bool idle() const { return m_idle; }

private:
    void send()
    {
        if (m_stopped) {
            m_idle = true;
            return;
        }
        ++m_sequence;
        const QByteArray body = "{\"offer_id\":" + QByteArray::number(m_offerId) +
                                ",\"rate_rps\":" + QByteArray::number(1 + m_sequence % 100) +
                                ",\"price_minor\":" + QByteArray::number(100 + m_sequence % 900) +
                                "}";
        QByteArray request =
            "POST /v1/bids HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
            m_token.toLatin1() + "\r\nContent-Type: application/json\r\nIdempotency-Key: bench-" +
            QByteArray::number(m_index) + '-' + QByteArray::number(m_sequence) +
            "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        m_buffer.clear();
        m_sent.start();
        m_socket.write(request);
    }

    void receive()
    {
        m_buffer += m_socket.readAll();
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        static const QRegularExpression lengthHeader(QStringLiteral("\r\ncontent-length: *(\\d+)"),
                                                     QRegularExpression::CaseInsensitiveOption);
        const auto m = lengthHeader.match(QString::fromLatin1(m_buffer.left(end + 2)));
        const qsizetype length = m.hasMatch() ? m.captured(1).toLongLong() : 0;
        if (m_buffer.size() < end + 4 + length)
            return;
        const int status = m_buffer.mid(9, 3).toInt();
        if (status == 201)
            ++m_totals.acceptedAll;
        if (m_totals.measuring) {
            if (status == 201) {
                ++m_totals.accepted;
                m_totals.latenciesMs.append(double(m_sent.nsecsElapsed()) / 1e6);
            } else {
                ++m_totals.refused[status];
            }
        }
        send();
    }

    QTcpSocket m_socket;
    QString m_token;
    qint64 m_offerId;
    int m_index;
    Totals &m_totals;
    QByteArray m_buffer;
    QElapsedTimer m_sent;
    qint64 m_sequence = 0;
    bool m_stopped = false;
    bool m_idle = false;
};

double percentile(QList<double> sorted, double p)
{
    if (sorted.isEmpty())
        return 0;
    const qsizetype i = qMin(sorted.size() - 1, qsizetype(p * double(sorted.size())));
    return sorted.at(i);
}

} // namespace
} // namespace headroom

int main(int argc, char *argv[])
{
    using namespace headroom;
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Bids per second through the purchaser API (headroomctl api)."));
    parser.addHelpOption();
    const QCommandLineOption clientsOption(QStringLiteral("clients"),
                                           QStringLiteral("Concurrent clients (32)."),
                                           QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption purchasersOption(
        QStringLiteral("purchasers"),
        QStringLiteral("Purchasers; clients use their tokens in turn (= clients)."),
        QStringLiteral("N"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Measured duration (10)."),
                                           QStringLiteral("S"), QStringLiteral("10"));
    const QCommandLineOption warmupOption(QStringLiteral("warmup"),
                                          QStringLiteral("Seconds before measuring (2)."),
                                          QStringLiteral("S"), QStringLiteral("2"));
    const QCommandLineOption noGroupOption(
        QStringLiteral("no-group-commit"),
        QStringLiteral("Run the server with one durable commit per bid."));
    const QCommandLineOption dirOption(
        QStringLiteral("dir"), QStringLiteral("Where the database goes (a temporary directory)."),
        QStringLiteral("DIR"));
    parser.addOptions(
        {clientsOption, purchasersOption, secondsOption, warmupOption, noGroupOption, dirOption});
    parser.process(app);
    const int clients = parser.value(clientsOption).toInt();
    const int purchasers =
        parser.isSet(purchasersOption) ? parser.value(purchasersOption).toInt() : clients;
    const double seconds = parser.value(secondsOption).toDouble();
    const double warmup = parser.value(warmupOption).toDouble();
    if (clients < 1 || clients > 1000 || purchasers < 1 || purchasers > 1000 || seconds <= 0 ||
        warmup < 0) {
        err() << "--clients and --purchasers 1-1000, --seconds > 0, --warmup >= 0" << Qt::endl;
        return 2;
    }

    QTemporaryDir temporary;
    const QString dir = parser.isSet(dirOption) ? parser.value(dirOption) : temporary.path();
    const QString dbPath = dir + QStringLiteral("/bench-api.sqlite");
    QFile::remove(dbPath);
    QFile::remove(dbPath + QStringLiteral("-wal"));
    QFile::remove(dbPath + QStringLiteral("-shm"));
    Database db;
    if (const auto opened = db.open(dbPath); !opened) {
        err() << opened.error().message << Qt::endl;
        return 1;
    }
    QStringList tokens;
    for (int i = 0; i < purchasers; ++i) {
        Purchaser p;
        p.organisation = QStringLiteral("Bench purchaser %1").arg(i + 1);
        const auto id = PurchaserRepository(db).add(p);
        Site s;
        s.name = QStringLiteral("shop%1.example").arg(i + 1);
        s.label = QStringLiteral("shop%1").arg(i + 1);
        s.purchaserId = id ? id.value() : 0;
        s.hosts = {s.name};
        s.origins = {SiteOrigin{QHostAddress(QStringLiteral("127.0.2.1")), 8080, 1, false}};
        s.assignment = Assignment::RoundRobin;
        const auto site = SiteRepository(db).add(s);
        const auto token =
            id ? PurchaserRepository(db).issueToken(id.value(), QStringLiteral("bench"))
               : Result<QString>(id.error());
        if (!id || !site || !token) {
            err() << "setting up purchasers failed" << Qt::endl;
            return 1;
        }
        tokens.append(token.value());
    }
    MarketService market(db);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Offer offer;
    offer.pool = QStringLiteral("sandbox");
    offer.rateRps = 10'000'000;
    offer.startsAtMs = (now / 60000 + 24 * 60) * 60000;
    offer.durationMs = 3600 * 1000;
    offer.pricing = PricingMode::Auction;
    offer.reserveMinor = 100;
    offer.closesAtMs = now + 12 * 3600 * 1000;
    offer.currency = QStringLiteral("EUR");
    const auto posted =
        market.postOffer(offer, QStringLiteral("benchmark"), QStringLiteral("operator:bench"));
    if (!posted) {
        err() << posted.error().message << Qt::endl;
        return 1;
    }

    QProcess server;
    server.setProcessChannelMode(QProcess::SeparateChannels);
    QStringList args = {
        QStringLiteral("api"),          QStringLiteral("--db"),        dbPath,
        QStringLiteral("--listen"),     QStringLiteral("127.0.0.1:0"), QStringLiteral("--quiet"),
        QStringLiteral("--rate-limit"), QStringLiteral("1000000"),     QStringLiteral("--burst"),
        QStringLiteral("1000000")};
    if (parser.isSet(noGroupOption))
        args.append(QStringLiteral("--no-group-commit"));
    server.start(QCoreApplication::applicationDirPath() + QStringLiteral("/headroomctl"), args);
    QByteArray banner;
    QElapsedTimer waited;
    waited.start();
    while (!banner.contains('\n') && waited.elapsed() < 20000 &&
           server.state() != QProcess::NotRunning) {
        server.waitForReadyRead(200);
        banner += server.readAllStandardOutput();
    }
    const auto m = QRegularExpression(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)"))
                       .match(QString::fromUtf8(banner));
    if (!m.hasMatch()) {
        err() << "headroomctl api did not start: " << server.readAllStandardError() << Qt::endl;
        return 1;
    }
    const quint16 port = quint16(m.captured(1).toUInt());

    Totals totals;
    std::vector<std::unique_ptr<Client>> pool;
    for (int i = 0; i < clients; ++i)
        pool.push_back(std::make_unique<Client>(port, tokens.at(i % purchasers), posted.value().id,
                                                i, totals));
    QElapsedTimer measured;
    QTimer::singleShot(int(warmup * 1000), &app, [&] {
        totals.measuring = true;
        measured.start();
    });
    QTimer::singleShot(int((warmup + seconds) * 1000), &app, [&] {
        totals.measuring = false;
        const double elapsed = double(measured.nsecsElapsed()) / 1e9;
        for (auto &c : pool)
            c->stop();
        // Let the bids in flight be answered, then count.
        QTimer::singleShot(2000, &app, [&, elapsed] {
            std::sort(totals.latenciesMs.begin(), totals.latenciesMs.end());
            BidFilter all;
            all.offerId = posted.value().id;
            const auto stored = market.bids(all);
            server.terminate();
            server.waitForFinished(10000);
            const QString stats = QString::fromUtf8(server.readAllStandardError()).trimmed();
            out() << "purchaser API, " << clients << " clients, " << purchasers << " purchasers, "
                  << fixed(seconds, 0) << " s measured after " << fixed(warmup, 0) << " s warm-up"
                  << (parser.isSet(noGroupOption) ? ", one durable commit per bid"
                                                  : ", group commit")
                  << Qt::endl;
            out() << "  bids accepted (201): " << totals.accepted << " = "
                  << fixed(double(totals.accepted) / elapsed, 0) << " bids/s" << Qt::endl;
            out() << "  latency ms: p50 " << fixed(percentile(totals.latenciesMs, 0.50), 2)
                  << ", p99 " << fixed(percentile(totals.latenciesMs, 0.99), 2) << ", max "
                  << fixed(totals.latenciesMs.isEmpty() ? 0 : totals.latenciesMs.last(), 2)
                  << Qt::endl;
            QStringList refused;
            for (auto it = totals.refused.cbegin(); it != totals.refused.cend(); ++it)
                refused.append(QStringLiteral("%1 x %2")
                                   .arg(it.key() == 0 ? QStringLiteral("connection lost")
                                                      : QString::number(it.key()))
                                   .arg(it.value()));
            out() << "  other answers: "
                  << (refused.isEmpty() ? QStringLiteral("none")
                                        : refused.join(QStringLiteral(", ")))
                  << Qt::endl;
            const qint64 inDatabase = stored ? stored.value().size() : -1;
            out() << "  201 answers in all (warm-up included): " << totals.acceptedAll
                  << ", bids in the database: " << inDatabase
                  << (inDatabase == totals.acceptedAll ? " (equal)" : " (DIFFERENT)") << Qt::endl;
            out() << "  server: " << stats.section(QLatin1Char('\n'), -1) << Qt::endl;
            QCoreApplication::exit(
                totals.refused.isEmpty() && inDatabase == totals.acceptedAll ? 0 : 1);
        });
    });
    return QCoreApplication::exec();
}
