// headroomctl purchaser ...: the buyers of capacity and their API tokens.
#include "cli.h"
#include "commands.h"
#include "security/auditedactions.h"
#include "store/database.h"
#include "store/purchaserrepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace headroom::ctl {
namespace {

QJsonObject purchaserJson(const Purchaser &p)
{
    QJsonObject o{{QStringLiteral("id"), p.id},
                  {QStringLiteral("organisation"), p.organisation},
                  {QStringLiteral("contact_name"), p.contactName},
                  {QStringLiteral("contact_email"), p.contactEmail},
                  {QStringLiteral("contact_phone"), p.contactPhone},
                  {QStringLiteral("billing_address"), p.billingAddress},
                  {QStringLiteral("payment_token_ref"), p.paymentTokenRef}};
    if (p.paymentLast4)
        o.insert(QStringLiteral("payment_last4"), *p.paymentLast4);
    return o;
}

int purchaserAdd(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Register a purchaser. Payment is a reference only: the processor's token "
                       "(--payment-token) "
                       "or the card's last 4 digits (--card-last4); a card number is refused."));
    parser.addPositionalArgument(QStringLiteral("ORGANISATION"),
                                 QStringLiteral("The purchaser's organisation."));
    const QCommandLineOption name(QStringLiteral("contact"), QStringLiteral("Contact name."),
                                  QStringLiteral("NAME"));
    const QCommandLineOption email(QStringLiteral("email"), QStringLiteral("Contact e-mail."),
                                   QStringLiteral("ADDR"));
    const QCommandLineOption phone(QStringLiteral("phone"), QStringLiteral("Contact phone."),
                                   QStringLiteral("PHONE"));
    const QCommandLineOption address(QStringLiteral("billing-address"),
                                     QStringLiteral("Billing address."), QStringLiteral("TEXT"));
    const QCommandLineOption token(QStringLiteral("payment-token"),
                                   QStringLiteral("The payment processor's token for the card."),
                                   QStringLiteral("TOKEN"));
    const QCommandLineOption last4(QStringLiteral("card-last4"),
                                   QStringLiteral("The card's last 4 digits, for display."),
                                   QStringLiteral("NNNN"));
    parser.addOptions(
        {name, email, phone, address, token, last4, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl purchaser add");
    if (!parse(parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        err() << command << ": name one organisation (quote it if it has spaces)\n";
        return 2;
    }
    Purchaser p;
    p.organisation = parser.positionalArguments().first();
    p.contactName = parser.value(name);
    p.contactEmail = parser.value(email);
    p.contactPhone = parser.value(phone);
    p.billingAddress = parser.value(address);
    p.paymentTokenRef = parser.value(token);
    if (parser.isSet(last4))
        p.paymentLast4 = parser.value(last4);
    if (const QString why = PurchaserRepository::validate(p); !why.isEmpty()) {
        err() << command << ": " << why << "\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto id = AuditedActions(db, AuditLog::operatorActor()).addPurchaser(p);
    if (!id) {
        err() << command << ": " << id.error().message << "\n";
        return 1;
    }
    p.id = id.value();
    if (parser.isSet(kJson))
        out() << QJsonDocument(purchaserJson(p)).toJson(QJsonDocument::Indented);
    else
        out() << "purchaser " << p.id << ": " << p.organisation << "\n";
    return 0;
}

int purchaserList(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The purchasers."));
    parser.addOptions({kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl purchaser list");
    if (!parse(parser, command, arguments, &code))
        return code;
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto list = PurchaserRepository(db).all();
    if (!list) {
        err() << command << ": " << list.error().message << "\n";
        return 1;
    }
    QJsonArray rows;
    for (const Purchaser &p : list.value())
        rows.append(purchaserJson(p));
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(QJsonObject{{QStringLiteral("purchasers"), rows}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (list.value().isEmpty())
        out() << "no purchasers; add one with: headroomctl purchaser add ORGANISATION\n";
    for (const Purchaser &p : list.value())
        out() << p.id << "  " << p.organisation << "  " << p.contactEmail
              << (p.paymentLast4 ? QStringLiteral("  card ....%1").arg(*p.paymentLast4) : QString())
              << "\n";
    return 0;
}

int purchaserToken(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Issue an API token for a purchaser. It is printed once and stored only as its SHA-256; "
        "--revoke revokes every token of the purchaser instead."));
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The purchaser's id."));
    const QCommandLineOption label(QStringLiteral("label"), QStringLiteral("What it is for."),
                                   QStringLiteral("TEXT"));
    const QCommandLineOption revoke(QStringLiteral("revoke"),
                                    QStringLiteral("Revoke the purchaser's tokens."));
    parser.addOptions({label, revoke, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl purchaser token");
    if (!parse(parser, command, arguments, &code))
        return code;
    bool ok = false;
    const qint64 id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (parser.positionalArguments().size() != 1 || !ok || id <= 0) {
        err() << command << ": name one purchaser by its id\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    PurchaserRepository repository(db);
    const auto purchaser = repository.byId(id);
    if (!purchaser || !purchaser.value()) {
        err() << command << ": "
              << (purchaser ? QStringLiteral("no purchaser %1").arg(id) : purchaser.error().message)
              << "\n";
        return 1;
    }
    AuditedActions actions(db, AuditLog::operatorActor());
    if (parser.isSet(revoke)) {
        const auto n = actions.revokeTokens(id);
        if (!n) {
            err() << command << ": " << n.error().message << "\n";
            return 1;
        }
        out() << "revoked " << n.value() << " token(s) of purchaser " << id << "\n";
        return 0;
    }
    const auto token = actions.issueToken(id, parser.value(label));
    if (!token) {
        err() << command << ": " << token.error().message << "\n";
        return 1;
    }
    if (parser.isSet(kJson))
        out() << QJsonDocument(QJsonObject{{QStringLiteral("purchaser"), id},
                                           {QStringLiteral("token"), token.value()}})
                     .toJson(QJsonDocument::Indented);
    else
        out() << token.value() << "\n"
              << "(shown once: only its hash is kept; give it to "
              << purchaser.value()->organisation << " as their API bearer token)\n";
    return 0;
}

} // namespace

int purchaser(const QStringList &arguments)
{
    const QString usage =
        QStringLiteral("Usage: headroomctl purchaser add|list|token ... (--help for each)\n");
    const QString action = arguments.value(0);
    if (action == QLatin1String("add"))
        return purchaserAdd(arguments.mid(1));
    if (action == QLatin1String("list"))
        return purchaserList(arguments.mid(1));
    if (action == QLatin1String("token"))
        return purchaserToken(arguments.mid(1));
    if (action == QLatin1String("--help")) {
        out() << usage;
        return 0;
    }
    err() << usage;
    return 2;
}

} // namespace headroom::ctl
