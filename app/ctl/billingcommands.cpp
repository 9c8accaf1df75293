// headroomctl billing ...: tariffs, invoice runs and transitions, unbilled usage, CSV and PDF
// exports, the operator's billing settings. Every amount is printed with its currency from
// integer minor units (money::format); nothing here computes money.
#include "billing/csvexport.h"
#include "billing/invoicerun.h"
#include "billing/money.h"
#include "billing/pdfreport.h"
#include "billing/rater.h"
#include "cli.h"
#include "commands.h"
#include "security/auditedactions.h"
#include "store/billingrepository.h"
#include "store/database.h"
#include "store/leaserepository.h"
#include "store/purchaserrepository.h"
#include "store/tariffrepository.h"

#include <QDate>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTimeZone>

namespace headroom::ctl {
namespace {

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODate);
}

// A positive database id.
std::optional<qint64> idArg(const QString &text)
{
    static const QRegularExpression digits(
        QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{1,15}")));
    if (!digits.match(text).hasMatch())
        return std::nullopt;
    const qint64 id = text.toLongLong();
    return id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

// An amount of minor units: digits only, 0 to kMaxTariffMinor. Prints why not.
std::optional<qint64> minorArg(const QCommandLineParser &parser, const QCommandLineOption &option,
                               const QString &command)
{
    static const QRegularExpression digits(
        QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{1,13}")));
    const QString text = parser.value(option);
    const qint64 value = digits.match(text).hasMatch() ? text.toLongLong() : -1;
    if (value < 0 || value > kMaxTariffMinor) {
        err() << command << ": --" << option.names().first()
              << " takes a whole number of minor units (cents) from 0 to " << kMaxTariffMinor
              << ", not '" << text.left(40) << "'\n";
        return std::nullopt;
    }
    return value;
}

// A day (YYYY-MM-DD, UTC; as an end: the end of that day) or a time as parseTime takes it.
std::optional<qint64> dateArg(const QString &text, bool asEnd, QString *error)
{
    static const QRegularExpression day(
        QRegularExpression::anchoredPattern(QStringLiteral("\\d{4}-\\d{2}-\\d{2}")));
    if (day.match(text).hasMatch()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (!d.isValid() || d.year() < 1970) {
            *error = QStringLiteral("'%1' is not a date").arg(text.left(40));
            return std::nullopt;
        }
        return QDateTime(asEnd ? d.addDays(1) : d, QTime(0, 0), QTimeZone::utc())
            .toMSecsSinceEpoch();
    }
    const auto seconds = parseTime(text, error);
    if (!seconds)
        return std::nullopt;
    return *seconds * 1000;
}

QJsonObject lineJson(const InvoiceLine &l, const QString &currency)
{
    return QJsonObject{{QStringLiteral("lease_id"), l.leaseId},
                       {QStringLiteral("lease_kind"), leaseKindName(l.leaseKind)},
                       {QStringLiteral("description"), l.description},
                       {QStringLiteral("quantity"), formatMilli(l.quantityMilli)},
                       {QStringLiteral("quantity_milli"), l.quantityMilli},
                       {QStringLiteral("unit"), l.unit},
                       {QStringLiteral("unit_price_minor"), l.unitPriceMinor},
                       {QStringLiteral("per_gb_minor"), l.perGbMinor},
                       {QStringLiteral("charge_minor"), l.chargeMinor},
                       {QStringLiteral("credit_minor"), l.creditMinor},
                       {QStringLiteral("amount_minor"), l.amountMinor},
                       {QStringLiteral("amount"), money::format(l.amountMinor, currency)},
                       {QStringLiteral("requests"), l.requests},
                       {QStringLiteral("bytes"), l.bytes},
                       {QStringLiteral("rate_milli_rps"), l.rateMilliRps},
                       {QStringLiteral("billed_ms"), l.billedMs},
                       {QStringLiteral("shed_milli_rps_ms"), l.shedMilliRpsMs}};
}

QJsonObject invoiceJson(const Invoice &i, const QString &purchaser)
{
    QJsonArray lines;
    for (const InvoiceLine &l : i.lines)
        lines.append(lineJson(l, i.currency));
    QJsonObject o{{QStringLiteral("id"), i.id},
                  {QStringLiteral("number"), i.number},
                  {QStringLiteral("kind"), invoiceKindName(i.kind)},
                  {QStringLiteral("state"), invoiceStateName(i.state)},
                  {QStringLiteral("purchaser_id"), i.purchaserId},
                  {QStringLiteral("purchaser"), purchaser},
                  {QStringLiteral("period"), i.period},
                  {QStringLiteral("currency"), i.currency},
                  {QStringLiteral("subtotal_minor"), i.subtotalMinor},
                  {QStringLiteral("tax_rate_bp"), i.taxRateBp},
                  {QStringLiteral("tax_minor"), i.taxMinor},
                  {QStringLiteral("total_minor"), i.totalMinor},
                  {QStringLiteral("subtotal"), money::format(i.subtotalMinor, i.currency)},
                  {QStringLiteral("tax"), money::format(i.taxMinor, i.currency)},
                  {QStringLiteral("total"), money::format(i.totalMinor, i.currency)},
                  {QStringLiteral("created_at"), isoTime(i.createdAtMs)},
                  {QStringLiteral("lines"), lines}};
    if (i.issuedAtMs)
        o.insert(QStringLiteral("issued_at"), isoTime(*i.issuedAtMs));
    if (i.paidAtMs)
        o.insert(QStringLiteral("paid_at"), isoTime(*i.paidAtMs));
    if (i.voidedAtMs)
        o.insert(QStringLiteral("voided_at"), isoTime(*i.voidedAtMs));
    if (i.creditNoteFor)
        o.insert(QStringLiteral("credit_note_for"), *i.creditNoteFor);
    if (!i.reason.isEmpty())
        o.insert(QStringLiteral("reason"), i.reason);
    return o;
}

QString invoiceLabel(const Invoice &i)
{
    if (i.number.isEmpty())
        return QStringLiteral("draft %1").arg(i.id);
    return QStringLiteral("%1 (id %2)").arg(i.number).arg(i.id);
}

QString oneLine(const Invoice &i, const QString &purchaser)
{
    // Concatenated, not chained arg(): a purchaser's name may hold "%1".
    return QStringLiteral("%1  %2  %3  %4  purchaser %5 ")
               .arg(i.id, 4)
               .arg(i.number.isEmpty() ? QStringLiteral("(draft)") : i.number, -15)
               .arg(invoiceKindName(i.kind), -11)
               .arg(i.period)
               .arg(i.purchaserId) +
           purchaser +
           QStringLiteral("  %1 line(s)  subtotal %2  tax %3  total %4  %5")
               .arg(QString::number(i.lines.size()), money::format(i.subtotalMinor, i.currency),
                    money::format(i.taxMinor, i.currency), money::format(i.totalMinor, i.currency),
                    invoiceStateName(i.state));
}

QHash<qint64, QString> purchaserNames(Database &db)
{
    QHash<qint64, QString> names;
    if (const auto all = PurchaserRepository(db).all()) {
        for (const Purchaser &p : all.value())
            names.insert(p.id, p.organisation);
    }
    return names;
}

// The invoice named on the command line: its id, or its number (HR-2026-000001).
std::optional<Invoice> invoiceNamed(BillingRepository &repository, const QString &text,
                                    const QString &command, int *code)
{
    static const QRegularExpression number(
        QRegularExpression::anchoredPattern(QStringLiteral("(HR|CN)-\\d{4}-\\d{6,12}")));
    Result<std::optional<Invoice>> found = std::optional<Invoice>();
    if (const auto id = idArg(text)) {
        found = repository.invoice(*id);
    } else if (number.match(text).hasMatch()) {
        found = repository.invoiceByNumber(text);
    } else {
        err() << command << ": name one invoice by its id or number (e.g. 12 or HR-2026-000001)\n";
        *code = 2;
        return std::nullopt;
    }
    if (!found || !found.value()) {
        err() << command << ": "
              << (found ? QStringLiteral("no invoice %1").arg(text.left(40))
                        : found.error().message)
              << "\n";
        *code = 1;
        return std::nullopt;
    }
    return *found.value();
}

// ---- tariff ----

int tariffSet(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Set the price of a lease, in minor units (cents) of a currency. A firm lease pays per "
        "req/s sold and hour of its windows; a best-effort lease pays for its metered usage, per "
        "1,000 requests and/or per GB (10^9 bytes). Applies to the next invoice run; issued "
        "invoices keep their prices."));
    parser.addPositionalArgument(QStringLiteral("LEASE"), QStringLiteral("The lease id."));
    const QCommandLineOption currency(QStringLiteral("currency"),
                                      QStringLiteral("ISO 4217 code, e.g. EUR (default: billing "
                                                     "settings' currency)."),
                                      QStringLiteral("CODE"));
    const QCommandLineOption firm(QStringLiteral("firm-per-rps-hour"),
                                  QStringLiteral("Firm leases: minor units per req/s per hour."),
                                  QStringLiteral("MINOR"));
    const QCommandLineOption per1k(QStringLiteral("per-1k-requests"),
                                   QStringLiteral("Best effort: minor units per 1,000 requests."),
                                   QStringLiteral("MINOR"));
    const QCommandLineOption perGb(QStringLiteral("per-gb"),
                                   QStringLiteral("Best effort: minor units per GB sent."),
                                   QStringLiteral("MINOR"));
    parser.addOptions({currency, firm, per1k, perGb, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing tariff set");
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto leaseId = idArg(parser.positionalArguments().value(0));
    if (parser.positionalArguments().size() != 1 || !leaseId) {
        err() << command << ": name one lease by its id\n";
        return 2;
    }
    Tariff tariff;
    for (const auto &[option, field] : {std::pair{&firm, &tariff.firmMinorPerRpsHour},
                                        std::pair{&per1k, &tariff.bestEffortMinorPer1kRequests},
                                        std::pair{&perGb, &tariff.bestEffortMinorPerGb}}) {
        if (!parser.isSet(*option))
            continue;
        const auto value = minorArg(parser, *option, command);
        if (!value)
            return 2;
        *field = *value;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto lease = LeaseRepository(db).byId(*leaseId);
    if (!lease) {
        err() << command << ": " << lease.error().message << "\n";
        return 1;
    }
    if (!lease.value()) {
        err() << command << ": no lease " << *leaseId << "\n";
        return 2;
    }
    const bool isFirm = lease.value()->kind == LeaseKind::Firm;
    if (isFirm && (!parser.isSet(firm) || parser.isSet(per1k) || parser.isSet(perGb))) {
        err() << command << ": lease " << *leaseId
              << " is firm: give --firm-per-rps-hour (and no usage prices)\n";
        return 2;
    }
    if (!isFirm && (parser.isSet(firm) || (!parser.isSet(per1k) && !parser.isSet(perGb)))) {
        err() << command << ": lease " << *leaseId
              << " is best effort: give --per-1k-requests and/or --per-gb (no firm price)\n";
        return 2;
    }
    if (parser.isSet(currency)) {
        tariff.currency = parser.value(currency);
    } else {
        const auto settings = BillingRepository(db).settings();
        if (settings)
            tariff.currency = settings.value().currency;
        if (tariff.currency.isEmpty()) {
            err() << command
                  << ": give --currency (no default in: headroomctl billing settings "
                     "--currency CODE)\n";
            return 2;
        }
    }
    if (const QString why = tariffProblem(tariff); !why.isEmpty()) {
        err() << command << ": " << why << "\n";
        return 2;
    }
    if (const Result<void> stored =
            AuditedActions(db, AuditLog::operatorActor()).setTariff(*leaseId, tariff);
        !stored) {
        err() << command << ": " << stored.error().message << "\n";
        return 1;
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(
                     QJsonObject{
                         {QStringLiteral("lease_id"), *leaseId},
                         {QStringLiteral("currency"), tariff.currency},
                         {QStringLiteral("firm_minor_per_rps_hour"), tariff.firmMinorPerRpsHour},
                         {QStringLiteral("best_effort_minor_per_1k_requests"),
                          tariff.bestEffortMinorPer1kRequests},
                         {QStringLiteral("best_effort_minor_per_gb"), tariff.bestEffortMinorPerGb}})
                     .toJson(QJsonDocument::Indented);
    } else if (isFirm) {
        out() << "lease " << *leaseId << ": "
              << money::format(tariff.firmMinorPerRpsHour, tariff.currency)
              << " per req/s and hour\n";
    } else {
        out() << "lease " << *leaseId << ": "
              << money::format(tariff.bestEffortMinorPer1kRequests, tariff.currency)
              << " per 1,000 requests, "
              << money::format(tariff.bestEffortMinorPerGb, tariff.currency) << " per GB\n";
    }
    return 0;
}

int tariffShow(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The price of a lease."));
    parser.addPositionalArgument(QStringLiteral("LEASE"), QStringLiteral("The lease id."));
    parser.addOptions({kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing tariff show");
    if (!parse(parser, command, arguments, &code))
        return code;
    const auto leaseId = idArg(parser.positionalArguments().value(0));
    if (parser.positionalArguments().size() != 1 || !leaseId) {
        err() << command << ": name one lease by its id\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto tariff = TariffRepository(db).get(*leaseId);
    if (!tariff) {
        err() << command << ": " << tariff.error().message << "\n";
        return 1;
    }
    if (!tariff.value()) {
        err() << command << ": lease " << *leaseId << " has no tariff (it is not billed)\n";
        return 1;
    }
    const Tariff &t = *tariff.value();
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(
                     QJsonObject{
                         {QStringLiteral("lease_id"), *leaseId},
                         {QStringLiteral("currency"), t.currency},
                         {QStringLiteral("firm_minor_per_rps_hour"), t.firmMinorPerRpsHour},
                         {QStringLiteral("best_effort_minor_per_1k_requests"),
                          t.bestEffortMinorPer1kRequests},
                         {QStringLiteral("best_effort_minor_per_gb"), t.bestEffortMinorPerGb}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "lease " << *leaseId << ": firm " << money::format(t.firmMinorPerRpsHour, t.currency)
          << " per req/s and hour; best effort "
          << money::format(t.bestEffortMinorPer1kRequests, t.currency) << " per 1,000 requests, "
          << money::format(t.bestEffortMinorPerGb, t.currency) << " per GB\n";
    return 0;
}

// ---- invoice ----

int invoiceRun(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Rate every lease of a month into one draft invoice per purchaser and currency. Running "
        "it again replaces the month's drafts only: issued invoices never change, and a lease "
        "already on one is not billed again. Leases without a tariff or purchaser are listed, "
        "not billed."));
    const QCommandLineOption period(QStringLiteral("period"),
                                    QStringLiteral("The month, YYYY-MM (UTC)."),
                                    QStringLiteral("YYYY-MM"));
    const QCommandLineOption purchaser(QStringLiteral("purchaser"),
                                       QStringLiteral("Only this purchaser's drafts."),
                                       QStringLiteral("ID"));
    parser.addOptions({period, purchaser, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing invoice run");
    if (!parse(parser, command, arguments, &code))
        return code;
    if (!parser.isSet(period) || !parser.positionalArguments().isEmpty()) {
        err() << command << ": give --period YYYY-MM\n";
        return 2;
    }
    QString error;
    const auto p = BillingPeriod::parse(parser.value(period), &error);
    if (!p) {
        err() << command << ": " << error << "\n";
        return 2;
    }
    std::optional<qint64> purchaserId;
    if (parser.isSet(purchaser)) {
        purchaserId = idArg(parser.value(purchaser));
        if (!purchaserId) {
            err() << command << ": --purchaser takes a purchaser id\n";
            return 2;
        }
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    if (purchaserId) {
        const auto found = PurchaserRepository(db).byId(*purchaserId);
        if (!found || !found.value()) {
            err() << command << ": "
                  << (found ? QStringLiteral("no purchaser %1").arg(*purchaserId)
                            : found.error().message)
                  << "\n";
            return found ? 2 : 1;
        }
    }
    const auto report = AuditedActions(db, AuditLog::operatorActor())
                            .runInvoices(*p, purchaserId, QDateTime::currentMSecsSinceEpoch());
    if (!report) {
        err() << command << ": " << report.error().message << "\n";
        return 1;
    }
    const QHash<qint64, QString> names = purchaserNames(db);
    const bool failed = std::any_of(report.value().skipped.cbegin(), report.value().skipped.cend(),
                                    [](const SkippedLease &s) { return s.error; });
    if (parser.isSet(kJson)) {
        QJsonArray drafts;
        for (const Invoice &i : report.value().drafts)
            drafts.append(invoiceJson(i, names.value(i.purchaserId)));
        QJsonArray skipped;
        for (const SkippedLease &s : report.value().skipped)
            skipped.append(QJsonObject{{QStringLiteral("lease_id"), s.leaseId},
                                       {QStringLiteral("site"), s.site},
                                       {QStringLiteral("reason"), s.reason},
                                       {QStringLiteral("error"), s.error}});
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("period"), p->name},
                                 {QStringLiteral("replaced_drafts"), report.value().replacedDrafts},
                                 {QStringLiteral("drafts"), drafts},
                                 {QStringLiteral("not_billed"), skipped}})
                     .toJson(QJsonDocument::Indented);
        return failed ? 1 : 0;
    }
    out() << "invoice run " << p->name << ": " << report.value().drafts.size() << " draft(s)";
    if (report.value().replacedDrafts > 0)
        out() << " (replacing " << report.value().replacedDrafts << ")";
    out() << "\n";
    for (const Invoice &i : report.value().drafts)
        out() << oneLine(i, names.value(i.purchaserId)) << "\n";
    for (const SkippedLease &s : report.value().skipped)
        (s.error ? err() : out()) << (s.error ? "not billed (error): lease " : "not billed: lease ")
                                  << s.leaseId << (s.site.isEmpty() ? QString() : " " + s.site)
                                  << ": " << s.reason << "\n";
    return failed ? 1 : 0;
}

int invoiceList(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Invoices and credit notes."));
    const QCommandLineOption period(QStringLiteral("period"),
                                    QStringLiteral("Only this month, YYYY-MM."),
                                    QStringLiteral("YYYY-MM"));
    const QCommandLineOption purchaser(QStringLiteral("purchaser"),
                                       QStringLiteral("Only this purchaser's."),
                                       QStringLiteral("ID"));
    const QCommandLineOption state(QStringLiteral("state"),
                                   QStringLiteral("Only draft, issued, paid or void ones."),
                                   QStringLiteral("STATE"));
    parser.addOptions({period, purchaser, state, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing invoice list");
    if (!parse(parser, command, arguments, &code))
        return code;
    InvoiceFilter filter;
    if (parser.isSet(period)) {
        QString error;
        const auto p = BillingPeriod::parse(parser.value(period), &error);
        if (!p) {
            err() << command << ": " << error << "\n";
            return 2;
        }
        filter.fromPeriod = filter.toPeriod = p->name;
    }
    if (parser.isSet(purchaser)) {
        filter.purchaserId = idArg(parser.value(purchaser));
        if (!filter.purchaserId) {
            err() << command << ": --purchaser takes a purchaser id\n";
            return 2;
        }
    }
    if (parser.isSet(state)) {
        filter.state = invoiceStateFromName(parser.value(state));
        if (!filter.state) {
            err() << command << ": --state is draft, issued, paid or void\n";
            return 2;
        }
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto invoices = BillingRepository(db).invoices(filter, true);
    if (!invoices) {
        err() << command << ": " << invoices.error().message << "\n";
        return 1;
    }
    const QHash<qint64, QString> names = purchaserNames(db);
    if (parser.isSet(kJson)) {
        QJsonArray rows;
        for (const Invoice &i : invoices.value())
            rows.append(invoiceJson(i, names.value(i.purchaserId)));
        out() << QJsonDocument(QJsonObject{{QStringLiteral("invoices"), rows}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (invoices.value().isEmpty())
        out() << "no invoices; make drafts with: headroomctl billing invoice run --period "
                 "YYYY-MM\n";
    for (const Invoice &i : invoices.value())
        out() << oneLine(i, names.value(i.purchaserId)) << "\n";
    return 0;
}

int invoiceShow(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("One invoice or credit note with its lines; --pdf writes it as a PDF."));
    parser.addPositionalArgument(QStringLiteral("N"),
                                 QStringLiteral("Its id, or its number (HR-2026-000001)."));
    const QCommandLineOption pdf(QStringLiteral("pdf"), QStringLiteral("Write it as a PDF."),
                                 QStringLiteral("FILE"));
    parser.addOptions({pdf, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing invoice show");
    if (!parse(parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        err() << command << ": name one invoice by its id or number\n";
        return 2;
    }
    if (parser.isSet(pdf) && (parser.value(pdf).isEmpty() || QFileInfo(parser.value(pdf)).isDir() ||
                              !QFileInfo(parser.value(pdf)).absoluteDir().exists())) {
        err() << command << ": --pdf must name a file in an existing directory\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    BillingRepository repository(db);
    const auto invoice =
        invoiceNamed(repository, parser.positionalArguments().first(), command, &code);
    if (!invoice)
        return code;
    const QHash<qint64, QString> names = purchaserNames(db);
    QString cancels;
    if (invoice->creditNoteFor) {
        if (const auto o = repository.invoice(*invoice->creditNoteFor); o && o.value())
            cancels = o.value()->number;
    }
    if (parser.isSet(pdf)) {
        PdfReportInput input;
        const auto settings = repository.settings();
        input.seller = settings ? settings.value() : BillingSettings{};
        input.title = invoiceLabel(*invoice);
        input.documents = {*invoice};
        input.purchaserNames = names;
        if (invoice->creditNoteFor)
            input.numbersById.insert(*invoice->creditNoteFor, cancels);
        input.summary = false;
        QString error;
        if (!writePdfReport(parser.value(pdf), input, &error)) {
            err() << command << ": " << error << "\n";
            return 1;
        }
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(invoiceJson(*invoice, names.value(invoice->purchaserId)))
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    const Invoice &i = *invoice;
    out() << (i.kind == InvoiceKind::CreditNote ? "credit note " : "invoice ") << invoiceLabel(i)
          << ": " << invoiceStateName(i.state) << ", period " << i.period << ", purchaser "
          << i.purchaserId << " " << names.value(i.purchaserId) << "\n";
    if (i.issuedAtMs)
        out() << "  issued   " << isoTime(*i.issuedAtMs) << "\n";
    if (i.paidAtMs)
        out() << "  paid     " << isoTime(*i.paidAtMs) << "\n";
    if (i.voidedAtMs)
        out() << "  voided   " << isoTime(*i.voidedAtMs) << "\n";
    if (i.creditNoteFor)
        out() << "  cancels  " << (cancels.isEmpty() ? QString::number(*i.creditNoteFor) : cancels)
              << ": " << i.reason << "\n";
    for (const InvoiceLine &l : i.lines) {
        out() << "  lease " << l.leaseId << "  " << l.description << "\n"
              << "           " << formatMilli(l.quantityMilli) << " " << l.unit << " at "
              << money::format(l.unitPriceMinor, i.currency) << ": charge "
              << money::format(l.chargeMinor, i.currency);
        if (l.creditMinor != 0)
            out() << ", credit " << money::format(l.creditMinor, i.currency);
        out() << ", amount " << money::format(l.amountMinor, i.currency) << "\n";
    }
    out() << "  subtotal " << money::format(i.subtotalMinor, i.currency) << "\n"
          << "  tax      " << money::format(i.taxMinor, i.currency) << " ("
          << QStringLiteral("%1.%2 %")
                 .arg(i.taxRateBp / 100)
                 .arg(i.taxRateBp % 100, 2, 10, QLatin1Char('0'))
          << ")\n"
          << "  total    " << money::format(i.totalMinor, i.currency) << "\n";
    if (parser.isSet(pdf))
        out() << "  written  " << QFileInfo(parser.value(pdf)).absoluteFilePath() << "\n";
    return 0;
}

// issue, pay and credit: one transition each.
int invoiceTransition(const QStringList &arguments, const QString &verb)
{
    QCommandLineParser parser;
    const QCommandLineOption reason(QStringLiteral("reason"),
                                    QStringLiteral("Why the invoice is credited."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption early(QStringLiteral("before-period-end"),
                                   QStringLiteral("Issue although the month has not ended (its "
                                                  "later usage is then billed by no invoice "
                                                  "until it is credited and run again)."));
    if (verb == QLatin1String("issue")) {
        parser.setApplicationDescription(QStringLiteral(
            "Issue a draft: it takes the next number of its series (HR-<year>-NNNNNN, no gaps) "
            "and never changes again."));
        parser.addOption(early);
    } else if (verb == QLatin1String("pay")) {
        parser.setApplicationDescription(QStringLiteral("Mark an issued invoice paid."));
    } else {
        parser.setApplicationDescription(QStringLiteral(
            "Correct an issued (or paid) invoice: issue a credit note (CN-<year>-NNNNNN) that "
            "cancels it in full, and void it. The next invoice run bills its leases again."));
        parser.addOption(reason);
    }
    parser.addPositionalArgument(QStringLiteral("N"),
                                 QStringLiteral("The invoice's id, or its number."));
    parser.addOptions({kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing invoice ") + verb;
    if (!parse(parser, command, arguments, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        err() << command << ": name one invoice by its id or number\n";
        return 2;
    }
    if (verb == QLatin1String("credit") &&
        (!parser.isSet(reason) || parser.value(reason).trimmed().isEmpty() ||
         parser.value(reason).size() > 500)) {
        err() << command << ": give --reason TEXT (at most 500 characters)\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    BillingRepository repository(db);
    const auto invoice =
        invoiceNamed(repository, parser.positionalArguments().first(), command, &code);
    if (!invoice)
        return code;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    AuditedActions actions(db, AuditLog::operatorActor());
    const Result<Invoice> done =
        verb == QLatin1String("issue") ? actions.issueInvoice(invoice->id, now, parser.isSet(early))
        : verb == QLatin1String("pay")
            ? actions.markInvoicePaid(invoice->id, now)
            : actions.creditInvoice(invoice->id, parser.value(reason), now);
    if (!done) {
        err() << command << ": " << done.error().message << "\n";
        return 1;
    }
    const QHash<qint64, QString> names = purchaserNames(db);
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(invoiceJson(done.value(), names.value(done.value().purchaserId)))
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    const Invoice &i = done.value();
    if (verb == QLatin1String("issue"))
        out() << "issued " << i.number << " (id " << i.id << "): total "
              << money::format(i.totalMinor, i.currency) << "\n";
    else if (verb == QLatin1String("pay"))
        out() << i.number << " paid: " << money::format(i.totalMinor, i.currency) << "\n";
    else
        out() << "issued credit note " << i.number << " (id " << i.id << ") for " << invoice->number
              << ": " << money::format(i.totalMinor, i.currency) << "; " << invoice->number
              << " is void\n";
    return 0;
}

// ---- usage, export, settings ----

int usage(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Metered usage per lease and month against what issued invoices billed of it: unbilled "
        "is usage of months not invoiced yet, or samples that arrived after the invoice. Months "
        "are counted whole."));
    const QCommandLineOption lease(QStringLiteral("lease"), QStringLiteral("Only this lease."),
                                   QStringLiteral("ID"));
    const QCommandLineOption from(QStringLiteral("from"),
                                  QStringLiteral("From this day (YYYY-MM-DD) or time."),
                                  QStringLiteral("DATE"));
    const QCommandLineOption to(QStringLiteral("to"),
                                QStringLiteral("To this day (inclusive) or time (default: now)."),
                                QStringLiteral("DATE"));
    parser.addOptions({lease, from, to, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing usage");
    if (!parse(parser, command, arguments, &code))
        return code;
    std::optional<qint64> leaseId;
    if (parser.isSet(lease)) {
        leaseId = idArg(parser.value(lease));
        if (!leaseId) {
            err() << command << ": --lease takes a lease id\n";
            return 2;
        }
    }
    QString error;
    const auto fromMs =
        parser.isSet(from) ? dateArg(parser.value(from), false, &error) : std::optional<qint64>(0);
    const auto toMs = !fromMs ? std::nullopt
                      : parser.isSet(to)
                          ? dateArg(parser.value(to), true, &error)
                          : std::optional<qint64>(QDateTime::currentMSecsSinceEpoch() + 1);
    if (!fromMs || !toMs) {
        err() << command << ": " << error << "\n";
        return 2;
    }
    if (*toMs <= *fromMs) {
        err() << command << ": --to must be after --from\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    const auto rows = BillingRepository(db).unbilledUsage(*fromMs, *toMs, leaseId);
    if (!rows) {
        err() << command << ": " << rows.error().message << "\n";
        return 1;
    }
    if (parser.isSet(kJson)) {
        QJsonArray list;
        for (const UnbilledUsage &u : rows.value()) {
            QJsonObject o{
                {QStringLiteral("site"), u.site},
                {QStringLiteral("period"), u.period},
                {QStringLiteral("samples"), u.samples},
                {QStringLiteral("requests"), u.requests},
                {QStringLiteral("bytes"), u.bytes},
                {QStringLiteral("billed_requests"), u.billedRequests},
                {QStringLiteral("billed_bytes"), u.billedBytes},
                {QStringLiteral("unbilled_requests"), u.requests - u.billedRequests},
                {QStringLiteral("unbilled_bytes"), u.bytes - u.billedBytes},
                {QStringLiteral("invoices"), QJsonArray::fromStringList(u.invoiceNumbers)}};
            if (u.leaseId)
                o.insert(QStringLiteral("lease_id"), *u.leaseId);
            list.append(o);
        }
        out() << QJsonDocument(QJsonObject{{QStringLiteral("usage"), list}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    if (rows.value().isEmpty())
        out() << "no metered usage in this range\n";
    for (const UnbilledUsage &u : rows.value()) {
        out() << u.period << "  "
              << (u.leaseId ? QStringLiteral("lease %1").arg(*u.leaseId)
                            : QStringLiteral("no lease"))
              << "  " << u.site << "  metered " << u.requests << " requests, " << u.bytes
              << " bytes";
        if (u.invoiceNumbers.isEmpty())
            out() << "  unbilled";
        else
            out() << "  billed " << u.billedRequests << " requests on "
                  << u.invoiceNumbers.join(QStringLiteral(", ")) << ", unbilled "
                  << (u.requests - u.billedRequests) << " requests, " << (u.bytes - u.billedBytes)
                  << " bytes";
        out() << "\n";
    }
    return 0;
}

int exportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Export billing data. CSV (RFC 4180): one row per invoice line of the invoices and credit "
        "notes whose month overlaps the range, or with --usage one row per metered sample in the "
        "range. PDF: a report with the company details, a summary and every document. The file "
        "is replaced only when it is complete."));
    const QCommandLineOption from(QStringLiteral("from"),
                                  QStringLiteral("First day (YYYY-MM-DD, UTC) or time."),
                                  QStringLiteral("DATE"));
    const QCommandLineOption to(QStringLiteral("to"),
                                QStringLiteral("Last day (inclusive) or end time."),
                                QStringLiteral("DATE"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("csv or pdf."),
                                    QStringLiteral("FORMAT"));
    const QCommandLineOption file(QStringLiteral("out"), QStringLiteral("The file to write."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption usageDetail(QStringLiteral("usage"),
                                         QStringLiteral("CSV of every usage sample instead of "
                                                        "the invoice lines."));
    const QCommandLineOption lease(QStringLiteral("lease"),
                                   QStringLiteral("With --usage: only this lease."),
                                   QStringLiteral("ID"));
    parser.addOptions({from, to, format, file, usageDetail, lease, kDb, kPortBase, kStateDir});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing export");
    if (!parse(parser, command, arguments, &code))
        return code;
    for (const QCommandLineOption *o : {&from, &to, &format, &file}) {
        if (!parser.isSet(*o)) {
            err() << command << ": --" << o->names().first() << " is required\n";
            return 2;
        }
    }
    const QString kind = parser.value(format);
    if (kind != QLatin1String("csv") && kind != QLatin1String("pdf")) {
        err() << command << ": --format is csv or pdf\n";
        return 2;
    }
    if (parser.isSet(usageDetail) && kind != QLatin1String("csv")) {
        err() << command << ": the usage detail is exported as CSV only\n";
        return 2;
    }
    std::optional<qint64> leaseId;
    if (parser.isSet(lease)) {
        leaseId = idArg(parser.value(lease));
        if (!leaseId || !parser.isSet(usageDetail)) {
            err() << command << ": --lease takes a lease id, with --usage\n";
            return 2;
        }
    }
    QString error;
    const auto fromMs = dateArg(parser.value(from), false, &error);
    const auto toMs = fromMs ? dateArg(parser.value(to), true, &error) : std::nullopt;
    if (!fromMs || !toMs) {
        err() << command << ": " << error << "\n";
        return 2;
    }
    if (*toMs <= *fromMs) {
        err() << command << ": --to must be after --from\n";
        return 2;
    }
    const QFileInfo target(parser.value(file));
    if (parser.value(file).isEmpty() || target.isDir() || !target.absoluteDir().exists()) {
        err() << command << ": --out must name a file in an existing directory\n";
        return 2;
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    BillingRepository repository(db);

    if (parser.isSet(usageDetail)) {
        QSaveFile csv(target.absoluteFilePath());
        if (!csv.open(QIODevice::WriteOnly)) {
            err() << command << ": cannot write " << target.absoluteFilePath() << ": "
                  << csv.errorString() << "\n";
            return 1;
        }
        const auto rows = writeUsageCsv(csv, repository, *fromMs, *toMs, leaseId, &error);
        if (!rows || !csv.commit()) {
            err() << command << ": " << (rows ? csv.errorString() : error) << "\n";
            return 1;
        }
        out() << "wrote " << *rows << " usage samples to " << target.absoluteFilePath() << "\n";
        return 0;
    }

    InvoiceFilter filter;
    filter.fromPeriod = BillingPeriod::containing(*fromMs).name;
    filter.toPeriod = BillingPeriod::containing(*toMs - 1).name;
    const auto documents = repository.invoices(filter, true);
    if (!documents) {
        err() << command << ": " << documents.error().message << "\n";
        return 1;
    }
    const QHash<qint64, QString> names = purchaserNames(db);
    if (kind == QLatin1String("csv")) {
        QSaveFile csv(target.absoluteFilePath());
        if (!csv.open(QIODevice::WriteOnly)) {
            err() << command << ": cannot write " << target.absoluteFilePath() << ": "
                  << csv.errorString() << "\n";
            return 1;
        }
        if (!writeLineItemsCsv(csv, documents.value(), names, &error) || !csv.commit()) {
            err() << command << ": " << (error.isEmpty() ? csv.errorString() : error) << "\n";
            return 1;
        }
    } else {
        PdfReportInput input;
        const auto settings = repository.settings();
        if (!settings) {
            err() << command << ": " << settings.error().message << "\n";
            return 1;
        }
        input.seller = settings.value();
        input.title = QStringLiteral("Billing report %1 to %2")
                          .arg(QDateTime::fromMSecsSinceEpoch(*fromMs, QTimeZone::utc())
                                   .toString(QStringLiteral("yyyy-MM-dd")),
                               QDateTime::fromMSecsSinceEpoch(*toMs - 1, QTimeZone::utc())
                                   .toString(QStringLiteral("yyyy-MM-dd")));
        input.documents = documents.value();
        input.purchaserNames = names;
        for (const Invoice &d : documents.value())
            input.numbersById.insert(d.id, d.number);
        if (!writePdfReport(target.absoluteFilePath(), input, &error)) {
            err() << command << ": " << error << "\n";
            return 1;
        }
    }
    qint64 lines = 0;
    for (const Invoice &d : documents.value())
        lines += d.lines.size();
    out() << "wrote " << documents.value().size() << " document(s), " << lines << " line(s) to "
          << target.absoluteFilePath() << "\n";
    return 0;
}

int settings(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The operator's details printed on invoices, the tax rate applied by invoice runs and "
        "the default currency of new tariffs. Without options: show them. Issued invoices keep "
        "the details they were issued with."));
    const QCommandLineOption company(QStringLiteral("company"), QStringLiteral("Company name."),
                                     QStringLiteral("NAME"));
    const QCommandLineOption address(QStringLiteral("address"),
                                     QStringLiteral("Postal address (\\n for new lines)."),
                                     QStringLiteral("TEXT"));
    const QCommandLineOption taxId(QStringLiteral("tax-id"), QStringLiteral("VAT or tax id."),
                                   QStringLiteral("ID"));
    const QCommandLineOption taxRate(QStringLiteral("tax-rate-bp"),
                                     QStringLiteral("Tax rate in basis points (1900 = 19 %)."),
                                     QStringLiteral("N"));
    const QCommandLineOption currency(QStringLiteral("currency"),
                                      QStringLiteral("Default currency of new tariffs."),
                                      QStringLiteral("CODE"));
    parser.addOptions(
        {company, address, taxId, taxRate, currency, kDb, kPortBase, kStateDir, kJson});
    int code = 0;
    const QString command = QStringLiteral("headroomctl billing settings");
    if (!parse(parser, command, arguments, &code))
        return code;
    if (!parser.positionalArguments().isEmpty()) {
        err() << command << ": unexpected argument '"
              << parser.positionalArguments().first().left(40) << "'\n";
        return 2;
    }
    std::optional<int> bp;
    if (parser.isSet(taxRate)) {
        static const QRegularExpression digits(
            QRegularExpression::anchoredPattern(QStringLiteral("[0-9]{1,5}")));
        const QString text = parser.value(taxRate);
        if (!digits.match(text).hasMatch() || text.toInt() > 10000) {
            err() << command << ": --tax-rate-bp takes 0 to 10000 basis points (1900 = 19 %)\n";
            return 2;
        }
        bp = text.toInt();
    }
    Database db;
    if (!openCommandDatabase(db, parser, command))
        return 1;
    BillingRepository repository(db);
    const auto current = repository.settings();
    if (!current) {
        err() << command << ": " << current.error().message << "\n";
        return 1;
    }
    BillingSettings s = current.value();
    const bool change = parser.isSet(company) || parser.isSet(address) || parser.isSet(taxId) ||
                        bp || parser.isSet(currency);
    if (parser.isSet(company))
        s.companyName = parser.value(company).trimmed();
    if (parser.isSet(address))
        s.companyAddress =
            parser.value(address).replace(QStringLiteral("\\n"), QStringLiteral("\n"));
    if (parser.isSet(taxId))
        s.taxId = parser.value(taxId).trimmed();
    if (bp)
        s.taxRateBp = *bp;
    if (parser.isSet(currency))
        s.currency = parser.value(currency);
    if (change) {
        if (const QString why = BillingRepository::settingsProblem(s); !why.isEmpty()) {
            err() << command << ": " << why << "\n";
            return 2;
        }
        if (const Result<void> stored =
                AuditedActions(db, AuditLog::operatorActor()).setBillingSettings(s);
            !stored) {
            err() << command << ": " << stored.error().message << "\n";
            return 1;
        }
    }
    if (parser.isSet(kJson)) {
        out() << QJsonDocument(QJsonObject{{QStringLiteral("company"), s.companyName},
                                           {QStringLiteral("address"), s.companyAddress},
                                           {QStringLiteral("tax_id"), s.taxId},
                                           {QStringLiteral("tax_rate_bp"), s.taxRateBp},
                                           {QStringLiteral("currency"), s.currency}})
                     .toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "company   " << (s.companyName.isEmpty() ? QStringLiteral("(not set)") : s.companyName)
          << "\n"
          << "address   "
          << QString(s.companyAddress).replace(QLatin1Char('\n'), QStringLiteral("\n          "))
          << "\n"
          << "tax id    " << s.taxId << "\n"
          << "tax rate  "
          << QStringLiteral("%1.%2 %")
                 .arg(s.taxRateBp / 100)
                 .arg(s.taxRateBp % 100, 2, 10, QLatin1Char('0'))
          << " (" << s.taxRateBp << " bp)\n"
          << "currency  " << (s.currency.isEmpty() ? QStringLiteral("(none)") : s.currency) << "\n";
    return 0;
}

int dispatch(const QStringList &arguments, const QString &usageText,
             const QList<std::pair<QString, std::function<int(const QStringList &)>>> &verbs)
{
    const QString action = arguments.value(0);
    for (const auto &[name, run] : verbs) {
        if (action == name)
            return run(arguments.mid(1));
    }
    if (action == QLatin1String("--help") || action == QLatin1String("-h")) {
        out() << usageText;
        return 0;
    }
    err() << usageText;
    return 2;
}

} // namespace

int billing(const QStringList &arguments)
{
    const QString usageText = QStringLiteral(
        "Usage: headroomctl billing <command> ... (--help for each)\n"
        "  tariff set|show LEASE          the price of a lease\n"
        "  invoice run --period YYYY-MM   rate a month into draft invoices\n"
        "  invoice list|show|issue|pay|credit\n"
        "                                 invoices and credit notes, their states\n"
        "  usage                          metered usage, billed and unbilled\n"
        "  export --from --to --format csv|pdf --out FILE [--usage]\n"
        "  settings                       company details, tax rate, default currency\n"
        "Rules: docs/BILLING.md\n");
    return dispatch(
        arguments, usageText,
        {{QStringLiteral("tariff"),
          [](const QStringList &a) {
              return dispatch(
                  a,
                  QStringLiteral("Usage: headroomctl billing tariff set|show LEASE "
                                 "...\n"),
                  {{QStringLiteral("set"), tariffSet}, {QStringLiteral("show"), tariffShow}});
          }},
         {QStringLiteral("invoice"),
          [](const QStringList &a) {
              return dispatch(
                  a,
                  QStringLiteral("Usage: headroomctl billing invoice run|list|show|issue|pay|"
                                 "credit ... (--help for each)\n"),
                  {{QStringLiteral("run"), invoiceRun},
                   {QStringLiteral("list"), invoiceList},
                   {QStringLiteral("show"), invoiceShow},
                   {QStringLiteral("issue"),
                    [](const QStringList &b) {
                        return invoiceTransition(b, QStringLiteral("issue"));
                    }},
                   {QStringLiteral("pay"),
                    [](const QStringList &b) {
                        return invoiceTransition(b, QStringLiteral("pay"));
                    }},
                   {QStringLiteral("credit"), [](const QStringList &b) {
                        return invoiceTransition(b, QStringLiteral("credit"));
                    }}});
          }},
         {QStringLiteral("usage"), usage},
         {QStringLiteral("export"), exportCommand},
         {QStringLiteral("settings"), settings}});
}

} // namespace headroom::ctl
