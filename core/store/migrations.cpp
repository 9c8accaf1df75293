#include "store/migrations.h"

#include "store/database.h"
#include "store/sqlerror.h"

#include <QSqlQuery>

namespace headroom {
namespace {

// Conventions: timestamps are INTEGER unix milliseconds UTC; money is INTEGER minor units with an
// ISO 4217 currency; rates are REAL requests per second. Enumerations are TEXT guarded by CHECK.
// Secrets (TSIG keys, API tokens) and card numbers are never stored here.
QList<Migration> makeMigrations()
{
    QList<Migration> list;

    list.append(Migration{
        1,
        QStringLiteral("initial schema"),
        {
            QStringLiteral(R"(CREATE TABLE proxies (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
                address TEXT NOT NULL,
                http_port INTEGER NOT NULL CHECK (http_port BETWEEN 0 AND 65535),
                metrics_port INTEGER NOT NULL CHECK (metrics_port BETWEEN 0 AND 65535),
                capacity_rps REAL NOT NULL DEFAULT 0 CHECK (capacity_rps >= 0),
                pool TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL
            ) STRICT)"),
            // payment_token_ref names the card held by the payment provider; payment_last4 is
            // only for display. The card number itself never reaches this database.
            QStringLiteral(R"(CREATE TABLE purchasers (
                id INTEGER PRIMARY KEY,
                organisation TEXT NOT NULL CHECK (length(organisation) > 0),
                contact_email TEXT NOT NULL DEFAULT '',
                billing_address TEXT NOT NULL DEFAULT '',
                payment_token_ref TEXT,
                payment_last4 TEXT CHECK (payment_last4 IS NULL OR
                    (length(payment_last4) = 4 AND payment_last4 NOT GLOB '*[^0-9]*')),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            // name is the purchaser's hostname that we serve.
            QStringLiteral(R"(CREATE TABLE sites (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
                purchaser_id INTEGER NOT NULL REFERENCES purchasers(id) ON DELETE RESTRICT,
                origin_name TEXT NOT NULL DEFAULT '',
                assignment TEXT NOT NULL DEFAULT 'none'
                    CHECK (assignment IN ('none', 'rr', 'weighted', 'primary-backup')),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE site_origins (
                id INTEGER PRIMARY KEY,
                site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                address TEXT NOT NULL CHECK (length(address) > 0),
                port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
                weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 0),
                UNIQUE (site_id, address, port)
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE offers (
                id INTEGER PRIMARY KEY,
                pool TEXT NOT NULL,
                rate_rps REAL NOT NULL CHECK (rate_rps > 0),
                starts_at INTEGER NOT NULL,
                duration_s INTEGER NOT NULL CHECK (duration_s > 0),
                daily_days INTEGER NOT NULL DEFAULT 0 CHECK (daily_days >= 0),
                kind TEXT NOT NULL CHECK (kind IN ('firm', 'best-effort')),
                pricing TEXT NOT NULL CHECK (pricing IN ('fixed', 'auction', 'continuous')),
                price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                state TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('draft', 'open', 'closed', 'awarded', 'withdrawn')),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE bids (
                id INTEGER PRIMARY KEY,
                offer_id INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
                purchaser_id INTEGER NOT NULL REFERENCES purchasers(id) ON DELETE RESTRICT,
                rate_rps REAL NOT NULL CHECK (rate_rps > 0),
                price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                state TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'won', 'lost', 'withdrawn')),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            // offer_id is NULL for leases granted directly rather than won from an offer.
            QStringLiteral(R"(CREATE TABLE leases (
                id INTEGER PRIMARY KEY,
                site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE RESTRICT,
                offer_id INTEGER REFERENCES offers(id) ON DELETE SET NULL,
                rate_rps REAL NOT NULL CHECK (rate_rps > 0),
                starts_at INTEGER NOT NULL,
                ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
                daily_days INTEGER NOT NULL DEFAULT 0 CHECK (daily_days >= 0),
                kind TEXT NOT NULL CHECK (kind IN ('firm', 'best-effort')),
                overflow INTEGER NOT NULL DEFAULT 0 CHECK (overflow IN (0, 1)),
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'active', 'suspended', 'expired', 'cancelled')),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE lease_events (
                id INTEGER PRIMARY KEY,
                lease_id INTEGER NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
                at INTEGER NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT ''
            ) STRICT)"),
            // sample_uid makes ingestion idempotent: the same scrape delivered twice is one row.
            // Usage is billing evidence, so a proxy with samples cannot be deleted.
            QStringLiteral(R"(CREATE TABLE usage_samples (
                id INTEGER PRIMARY KEY,
                sample_uid TEXT NOT NULL UNIQUE,
                lease_id INTEGER REFERENCES leases(id) ON DELETE SET NULL,
                proxy_id INTEGER NOT NULL REFERENCES proxies(id) ON DELETE RESTRICT,
                site TEXT NOT NULL,
                at INTEGER NOT NULL,
                requests INTEGER NOT NULL CHECK (requests >= 0),
                bytes INTEGER NOT NULL CHECK (bytes >= 0)
            ) STRICT)"),
            // period is the billed month, 'YYYY-MM'.
            QStringLiteral(R"(CREATE TABLE invoices (
                id INTEGER PRIMARY KEY,
                number TEXT NOT NULL UNIQUE CHECK (length(number) > 0),
                purchaser_id INTEGER NOT NULL REFERENCES purchasers(id) ON DELETE RESTRICT,
                period TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'draft'
                    CHECK (state IN ('draft', 'issued', 'paid', 'void')),
                total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT NOT NULL DEFAULT ''
            ) STRICT)"),
        },
        false,
    });

    // Foreign keys are not indexed by SQLite itself; without these every parent delete and every
    // per-lease or per-period query is a table scan.
    list.append(Migration{
        2,
        QStringLiteral("indexes for foreign keys and time ranges"),
        {
            QStringLiteral("CREATE INDEX sites_purchaser ON sites(purchaser_id)"),
            QStringLiteral("CREATE INDEX site_origins_site ON site_origins(site_id)"),
            QStringLiteral("CREATE INDEX offers_pool_start ON offers(pool, starts_at)"),
            QStringLiteral("CREATE INDEX bids_offer ON bids(offer_id)"),
            QStringLiteral("CREATE INDEX bids_purchaser ON bids(purchaser_id)"),
            QStringLiteral("CREATE INDEX leases_site ON leases(site_id)"),
            QStringLiteral("CREATE INDEX leases_offer ON leases(offer_id)"),
            QStringLiteral("CREATE INDEX leases_state_start ON leases(state, starts_at)"),
            QStringLiteral("CREATE INDEX lease_events_lease ON lease_events(lease_id, at)"),
            QStringLiteral("CREATE INDEX usage_samples_lease ON usage_samples(lease_id, at)"),
            QStringLiteral("CREATE INDEX usage_samples_proxy ON usage_samples(proxy_id, at)"),
            QStringLiteral("CREATE INDEX invoices_purchaser ON invoices(purchaser_id, period)"),
            QStringLiteral("CREATE INDEX audit_log_at ON audit_log(at)"),
        },
        false,
    });

    // The DNS driver's state. dns_desired is what each name we manage in our zone should serve
    // (owner absolute and lower case; rdata is the RDATA list, each entry a 2-octet big-endian
    // length and the wire bytes). imported_names is the purchasers' own records read from their
    // zones. dns_update_log keeps the outcomes of the last UPDATEs for the console.
    list.append(Migration{
        3,
        QStringLiteral("DNS desired state, imported names, update log"),
        {
            QStringLiteral(R"(CREATE TABLE dns_desired (
                owner TEXT PRIMARY KEY CHECK (length(owner) > 1 AND substr(owner, -1) = '.'
                    AND owner = lower(owner)),
                present INTEGER NOT NULL CHECK (present IN (0, 1)),
                type INTEGER NOT NULL CHECK (type BETWEEN 0 AND 65535),
                ttl INTEGER NOT NULL CHECK (ttl BETWEEN 0 AND 4294967295),
                rdata BLOB NOT NULL,
                updated_at INTEGER NOT NULL
            ) STRICT)"),
            // The UNIQUE index leads with zone, so it also serves every per-zone lookup and
            // delete; a separate index on zone alone would only slow down imports.
            QStringLiteral(R"(CREATE TABLE imported_names (
                id INTEGER PRIMARY KEY,
                zone TEXT NOT NULL CHECK (length(zone) > 0),
                name TEXT NOT NULL CHECK (length(name) > 0),
                type TEXT NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME')),
                value TEXT NOT NULL,
                ttl INTEGER NOT NULL CHECK (ttl BETWEEN 0 AND 4294967295),
                imported_at INTEGER NOT NULL,
                UNIQUE (zone, name, type, value)
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE dns_update_log (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                zone TEXT NOT NULL,
                changes INTEGER NOT NULL CHECK (changes >= 0),
                ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
                rcode INTEGER NOT NULL,
                error TEXT NOT NULL DEFAULT '',
                latency_ms REAL NOT NULL CHECK (latency_ms >= 0)
            ) STRICT)"),
            QStringLiteral("CREATE INDEX dns_update_log_at ON dns_update_log(at)"),
        },
        false,
    });

    // Load history for the headroom forecast, at falling resolution: one row per proxy and second
    // for the last hour, then one per proxy and minute for 30 days (LoadHistoryRepository::rollUp
    // moves and trims them). Rates are averages over the row's interval; base_rps is the average
    // of max(0, total - purchaser) per second, so any target utilisation can be applied later.
    // The min/max/avg headroom columns are at the repository's target when the row was rolled up.
    list.append(Migration{
        4,
        QStringLiteral("load history for the headroom forecast"),
        {
            QStringLiteral(R"(CREATE TABLE load_history_second (
                proxy TEXT NOT NULL CHECK (length(proxy) > 0),
                at INTEGER NOT NULL CHECK (at >= 0 AND at % 1000 = 0),
                pool TEXT NOT NULL DEFAULT '',
                capacity_rps REAL NOT NULL CHECK (capacity_rps >= 0),
                total_rps REAL NOT NULL CHECK (total_rps >= 0),
                purchaser_rps REAL NOT NULL CHECK (purchaser_rps >= 0),
                PRIMARY KEY (proxy, at)
            ) STRICT, WITHOUT ROWID)"),
            QStringLiteral(
                "CREATE INDEX load_history_second_pool ON load_history_second(pool, at)"),
            QStringLiteral("CREATE INDEX load_history_second_at ON load_history_second(at)"),
            QStringLiteral(R"(CREATE TABLE load_history_minute (
                proxy TEXT NOT NULL CHECK (length(proxy) > 0),
                at INTEGER NOT NULL CHECK (at >= 0 AND at % 60000 = 0),
                pool TEXT NOT NULL DEFAULT '',
                capacity_rps REAL NOT NULL CHECK (capacity_rps >= 0),
                total_rps REAL NOT NULL CHECK (total_rps >= 0),
                purchaser_rps REAL NOT NULL CHECK (purchaser_rps >= 0),
                base_rps REAL NOT NULL CHECK (base_rps >= 0),
                min_headroom_rps REAL NOT NULL,
                max_headroom_rps REAL NOT NULL CHECK (max_headroom_rps >= min_headroom_rps),
                avg_headroom_rps REAL NOT NULL,
                samples INTEGER NOT NULL CHECK (samples >= 1),
                PRIMARY KEY (proxy, at)
            ) STRICT, WITHOUT ROWID)"),
            QStringLiteral(
                "CREATE INDEX load_history_minute_pool ON load_history_minute(pool, at)"),
            QStringLiteral("CREATE INDEX load_history_minute_at ON load_history_minute(at)"),
        },
        false,
    });

    // Sites and leases as the steering loop needs them. Sites: a steering label (the name's
    // label in its shard zone), their Host names, a proxy slot once provisioned, purchaser
    // optional until the market assigns one, primary/backup origins. Leases: the lifecycle
    // scheduled -> provisioning -> active -> draining -> ended (or cancelled, failed), the
    // overflow policy, the pool they are sold from. lease_status is the loop's latest view of a
    // lease (one row each, overwritten every poll); site_provisioning is each proxy's state.
    list.append(Migration{
        5,
        QStringLiteral("sites, leases and their live state for the steering loop"),
        {
            QStringLiteral(R"(CREATE TABLE sites_new (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (length(name) > 0 AND name = lower(name)),
                label TEXT NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 63),
                purchaser_id INTEGER REFERENCES purchasers(id) ON DELETE RESTRICT,
                origin_name TEXT NOT NULL DEFAULT '',
                assignment TEXT NOT NULL DEFAULT 'none'
                    CHECK (assignment IN ('none', 'rr', 'weighted', 'primary-backup')),
                slot INTEGER UNIQUE CHECK (slot IS NULL OR slot >= 0),
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral("INSERT INTO sites_new (id, name, label, purchaser_id, origin_name, "
                           "assignment, slot, created_at) SELECT id, lower(name), 'site' || id, "
                           "purchaser_id, origin_name, assignment, NULL, created_at FROM sites"),
            QStringLiteral("DROP TABLE sites"),
            QStringLiteral("ALTER TABLE sites_new RENAME TO sites"),
            QStringLiteral("CREATE INDEX sites_purchaser ON sites(purchaser_id)"),
            QStringLiteral(R"(CREATE TABLE site_hosts (
                site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                host TEXT NOT NULL PRIMARY KEY CHECK (length(host) > 0 AND host = lower(host))
            ) STRICT)"),
            QStringLiteral("CREATE INDEX site_hosts_site ON site_hosts(site_id)"),
            QStringLiteral("ALTER TABLE site_origins ADD COLUMN backup INTEGER NOT NULL DEFAULT 0 "
                           "CHECK (backup IN (0, 1))"),
            QStringLiteral(R"(CREATE TABLE leases_new (
                id INTEGER PRIMARY KEY,
                site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE RESTRICT,
                offer_id INTEGER REFERENCES offers(id) ON DELETE SET NULL,
                pool TEXT NOT NULL DEFAULT '',
                rate_rps REAL NOT NULL CHECK (rate_rps > 0),
                starts_at INTEGER NOT NULL,
                ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
                daily_days INTEGER NOT NULL DEFAULT 0 CHECK (daily_days BETWEEN 0 AND 366),
                kind TEXT NOT NULL CHECK (kind IN ('firm', 'best-effort')),
                overflow TEXT NOT NULL DEFAULT 'dns'
                    CHECK (overflow IN ('rr', 'weighted', 'primary-backup', 'dns')),
                state TEXT NOT NULL DEFAULT 'scheduled'
                    CHECK (state IN ('scheduled', 'provisioning', 'active', 'draining', 'ended',
                                     'cancelled', 'failed')),
                state_changed_at INTEGER NOT NULL,
                drain_until INTEGER,
                cancelled_at INTEGER,
                note TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral(
                "INSERT INTO leases_new (id, site_id, offer_id, rate_rps, starts_at, ends_at, "
                "daily_days, kind, overflow, state, state_changed_at, created_at) "
                "SELECT id, site_id, offer_id, rate_rps, starts_at, ends_at, daily_days, kind, "
                "'dns', CASE state WHEN 'pending' THEN 'scheduled' WHEN 'active' THEN 'active' "
                "WHEN 'suspended' THEN 'active' WHEN 'expired' THEN 'ended' ELSE 'cancelled' END, "
                "created_at, created_at FROM leases"),
            QStringLiteral("DROP TABLE leases"),
            QStringLiteral("ALTER TABLE leases_new RENAME TO leases"),
            QStringLiteral("CREATE INDEX leases_site ON leases(site_id)"),
            QStringLiteral("CREATE INDEX leases_offer ON leases(offer_id)"),
            QStringLiteral("CREATE INDEX leases_state_start ON leases(state, starts_at)"),
            QStringLiteral(R"(CREATE TABLE lease_status (
                lease_id INTEGER PRIMARY KEY REFERENCES leases(id) ON DELETE CASCADE,
                at INTEGER NOT NULL,
                in_window INTEGER NOT NULL CHECK (in_window IN (0, 1)),
                allocated_rps REAL NOT NULL CHECK (allocated_rps >= 0),
                demand_rps REAL NOT NULL CHECK (demand_rps >= 0),
                delivered_rps REAL NOT NULL CHECK (delivered_rps >= 0),
                fraction REAL NOT NULL CHECK (fraction BETWEEN 0 AND 1),
                weights TEXT NOT NULL DEFAULT '{}'
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE site_provisioning (
                site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                proxy TEXT NOT NULL CHECK (length(proxy) > 0),
                state TEXT NOT NULL
                    CHECK (state IN ('pending', 'provisioned', 'failed', 'removed')),
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                error TEXT NOT NULL DEFAULT '',
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (site_id, proxy)
            ) STRICT)"),
        },
        true,
    });

    // The market: purchaser contacts and hashed API tokens (the token itself is shown once and
    // never stored), offers with an auction close, reserve and forecast override, bids with
    // partial fills, the site they are for, their source and an idempotency key, purchases
    // awaiting approval, and the operator's market rules (e.g. auto-approve).
    list.append(Migration{
        6,
        QStringLiteral("market: purchasers' tokens, offers, bids, purchases"),
        {
            QStringLiteral(
                "ALTER TABLE purchasers ADD COLUMN contact_name TEXT NOT NULL DEFAULT ''"),
            QStringLiteral(
                "ALTER TABLE purchasers ADD COLUMN contact_phone TEXT NOT NULL DEFAULT ''"),
            QStringLiteral(R"(CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY,
                purchaser_id INTEGER NOT NULL REFERENCES purchasers(id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64
                    AND token_hash NOT GLOB '*[^0-9a-f]*'),
                label TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            ) STRICT)"),
            QStringLiteral("CREATE INDEX api_tokens_purchaser ON api_tokens(purchaser_id)"),
            QStringLiteral("ALTER TABLE offers ADD COLUMN closes_at INTEGER"),
            QStringLiteral("ALTER TABLE offers ADD COLUMN reserve_minor INTEGER NOT NULL DEFAULT 0 "
                           "CHECK (reserve_minor >= 0)"),
            QStringLiteral(
                "ALTER TABLE offers ADD COLUMN override_reason TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE offers ADD COLUMN sold_rps REAL NOT NULL DEFAULT 0 "
                           "CHECK (sold_rps >= 0)"),
            QStringLiteral("ALTER TABLE bids ADD COLUMN min_rps REAL CHECK (min_rps IS NULL OR "
                           "min_rps > 0)"),
            QStringLiteral("ALTER TABLE bids ADD COLUMN site_id INTEGER REFERENCES sites(id) "
                           "ON DELETE SET NULL"),
            QStringLiteral("ALTER TABLE bids ADD COLUMN source TEXT NOT NULL DEFAULT 'operator' "
                           "CHECK (source IN ('operator', 'api'))"),
            QStringLiteral("ALTER TABLE bids ADD COLUMN request_id TEXT"),
            QStringLiteral("CREATE UNIQUE INDEX bids_request ON bids(purchaser_id, request_id) "
                           "WHERE request_id IS NOT NULL"),
            QStringLiteral(R"(CREATE TABLE purchases (
                id INTEGER PRIMARY KEY,
                offer_id INTEGER NOT NULL REFERENCES offers(id) ON DELETE RESTRICT,
                bid_id INTEGER UNIQUE REFERENCES bids(id) ON DELETE SET NULL,
                purchaser_id INTEGER NOT NULL REFERENCES purchasers(id) ON DELETE RESTRICT,
                site_id INTEGER REFERENCES sites(id) ON DELETE SET NULL,
                rate_rps REAL NOT NULL CHECK (rate_rps > 0),
                price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'approved', 'rejected')),
                reason TEXT NOT NULL DEFAULT '',
                decided_by TEXT NOT NULL DEFAULT '',
                decided_at INTEGER,
                created_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral("CREATE INDEX purchases_state ON purchases(state, created_at)"),
            QStringLiteral("CREATE INDEX purchases_purchaser ON purchases(purchaser_id)"),
            QStringLiteral("CREATE INDEX purchases_offer ON purchases(offer_id)"),
            QStringLiteral("ALTER TABLE leases ADD COLUMN purchase_id INTEGER REFERENCES "
                           "purchases(id) ON DELETE SET NULL"),
            QStringLiteral(R"(CREATE TABLE market_rules (
                key TEXT PRIMARY KEY CHECK (length(key) > 0),
                value TEXT NOT NULL
            ) STRICT)"),
        },
        false,
    });

    // Billing (issue 7). Tariffs per lease; the firm shortfall the steering loop records each
    // poll (integers: 0.001 req/s shed over a poll of duration_ms, one row per lease and poll, so
    // a replayed write counts once); the operator's invoice settings; invoices rebuilt from the
    // placeholder of migration 1: a number only from issue on (gapless per series, counted in
    // invoice_series inside the issuing transaction, so drafts never burn numbers), kind, tax,
    // the seller's and buyer's details frozen at issue, credit notes. invoice_lines keeps one
    // line per lease with the metering it was rated from. Triggers make the database itself
    // refuse any change to an issued invoice or its lines, deleting one, and any state change
    // but draft -> issued -> paid and (issued or paid) -> void once a credit note is issued.
    list.append(Migration{
        7,
        QStringLiteral("billing: tariffs, firm shortfall, settings, invoices and their lines"),
        {
            QStringLiteral(R"(CREATE TABLE lease_tariffs (
                lease_id INTEGER PRIMARY KEY REFERENCES leases(id) ON DELETE CASCADE,
                currency TEXT NOT NULL CHECK (length(currency) = 3
                    AND currency NOT GLOB '*[^A-Z]*'),
                firm_minor_per_rps_hour INTEGER NOT NULL DEFAULT 0
                    CHECK (firm_minor_per_rps_hour >= 0),
                best_effort_minor_per_1k_requests INTEGER NOT NULL DEFAULT 0
                    CHECK (best_effort_minor_per_1k_requests >= 0),
                best_effort_minor_per_gb INTEGER NOT NULL DEFAULT 0
                    CHECK (best_effort_minor_per_gb >= 0),
                updated_at INTEGER NOT NULL
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE lease_shortfall (
                lease_id INTEGER NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
                at INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL CHECK (duration_ms BETWEEN 1 AND 3600000),
                shed_milli_rps INTEGER NOT NULL CHECK (shed_milli_rps > 0),
                PRIMARY KEY (lease_id, at)
            ) STRICT, WITHOUT ROWID)"),
            QStringLiteral(R"(CREATE TABLE billing_settings (
                key TEXT PRIMARY KEY CHECK (key IN ('company_name', 'company_address', 'tax_id',
                                                    'tax_rate_bp', 'currency')),
                value TEXT NOT NULL
            ) STRICT)"),
            QStringLiteral(R"(CREATE TABLE invoice_series (
                series TEXT PRIMARY KEY CHECK (length(series) > 0),
                last INTEGER NOT NULL CHECK (last >= 1)
            ) STRICT)"),
            // AUTOINCREMENT: an id is never reused, so "issue 12" can never name a draft other
            // than the one the operator reviewed as 12 before a re-run replaced it.
            QStringLiteral(R"(CREATE TABLE invoices_new (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                number TEXT UNIQUE CHECK (number IS NULL OR length(number) > 0),
                series TEXT,
                seq INTEGER CHECK (seq IS NULL OR seq >= 1),
                kind TEXT NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit-note')),
                purchaser_id INTEGER NOT NULL REFERENCES purchasers(id) ON DELETE RESTRICT,
                period TEXT NOT NULL CHECK (length(period) = 7
                    AND period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
                state TEXT NOT NULL DEFAULT 'draft'
                    CHECK (state IN ('draft', 'issued', 'paid', 'void')),
                currency TEXT NOT NULL CHECK (length(currency) = 3),
                subtotal_minor INTEGER NOT NULL,
                tax_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
                tax_minor INTEGER NOT NULL DEFAULT 0,
                total_minor INTEGER NOT NULL CHECK (total_minor = subtotal_minor + tax_minor),
                credit_note_for INTEGER REFERENCES invoices(id) ON DELETE RESTRICT,
                reason TEXT NOT NULL DEFAULT '',
                seller_name TEXT NOT NULL DEFAULT '',
                seller_address TEXT NOT NULL DEFAULT '',
                seller_tax_id TEXT NOT NULL DEFAULT '',
                buyer_name TEXT NOT NULL DEFAULT '',
                buyer_address TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL,
                issued_at INTEGER,
                paid_at INTEGER,
                voided_at INTEGER,
                CHECK ((state = 'draft') = (number IS NULL)),
                CHECK ((state = 'draft') = (issued_at IS NULL)),
                CHECK ((kind = 'invoice' AND credit_note_for IS NULL AND total_minor >= 0
                        AND subtotal_minor >= 0)
                    OR (kind = 'credit-note' AND credit_note_for IS NOT NULL
                        AND total_minor <= 0 AND subtotal_minor <= 0)),
                UNIQUE (series, seq)
            ) STRICT)"),
            QStringLiteral(
                "INSERT INTO invoices_new (id, number, kind, purchaser_id, period, state, "
                "currency, subtotal_minor, tax_rate_bp, tax_minor, total_minor, created_at, "
                "issued_at) SELECT id, CASE state WHEN 'draft' THEN NULL ELSE number END, "
                "'invoice', purchaser_id, period, state, currency, total_minor, 0, 0, "
                "total_minor, created_at, CASE state WHEN 'draft' THEN NULL ELSE created_at END "
                "FROM invoices"),
            QStringLiteral("DROP TABLE invoices"),
            QStringLiteral("ALTER TABLE invoices_new RENAME TO invoices"),
            QStringLiteral("CREATE INDEX invoices_purchaser ON invoices(purchaser_id, period)"),
            QStringLiteral("CREATE INDEX invoices_period ON invoices(period)"),
            // One open draft per purchaser, period and currency; one credit note per invoice.
            QStringLiteral("CREATE UNIQUE INDEX invoices_one_draft ON invoices(purchaser_id, "
                           "period, currency) WHERE state = 'draft' AND kind = 'invoice'"),
            QStringLiteral("CREATE UNIQUE INDEX invoices_credit_note_for ON "
                           "invoices(credit_note_for) WHERE credit_note_for IS NOT NULL"),
            QStringLiteral(R"(CREATE TABLE invoice_lines (
                id INTEGER PRIMARY KEY,
                invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
                lease_id INTEGER NOT NULL REFERENCES leases(id) ON DELETE RESTRICT,
                lease_kind TEXT NOT NULL CHECK (lease_kind IN ('firm', 'best-effort')),
                description TEXT NOT NULL,
                quantity_milli INTEGER NOT NULL,
                unit TEXT NOT NULL,
                unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
                per_gb_minor INTEGER NOT NULL DEFAULT 0 CHECK (per_gb_minor >= 0),
                charge_minor INTEGER NOT NULL,
                credit_minor INTEGER NOT NULL,
                amount_minor INTEGER NOT NULL CHECK (amount_minor = charge_minor - credit_minor),
                rate_milli_rps INTEGER NOT NULL DEFAULT 0 CHECK (rate_milli_rps >= 0),
                billed_ms INTEGER NOT NULL DEFAULT 0 CHECK (billed_ms >= 0),
                shed_milli_rps_ms INTEGER NOT NULL DEFAULT 0 CHECK (shed_milli_rps_ms >= 0),
                requests INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
                bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
                UNIQUE (invoice_id, lease_id)
            ) STRICT)"),
            QStringLiteral("CREATE INDEX invoice_lines_lease ON invoice_lines(lease_id)"),
            QStringLiteral("CREATE INDEX usage_samples_at ON usage_samples(at)"),
            QStringLiteral(R"(CREATE TRIGGER invoices_issued_never_change
                BEFORE UPDATE ON invoices
                WHEN OLD.state <> 'draft' AND (NEW.id IS NOT OLD.id
                    OR NEW.number IS NOT OLD.number OR NEW.series IS NOT OLD.series
                    OR NEW.seq IS NOT OLD.seq OR NEW.kind IS NOT OLD.kind
                    OR NEW.purchaser_id IS NOT OLD.purchaser_id OR NEW.period IS NOT OLD.period
                    OR NEW.currency IS NOT OLD.currency
                    OR NEW.subtotal_minor IS NOT OLD.subtotal_minor
                    OR NEW.tax_rate_bp IS NOT OLD.tax_rate_bp
                    OR NEW.tax_minor IS NOT OLD.tax_minor
                    OR NEW.total_minor IS NOT OLD.total_minor
                    OR NEW.credit_note_for IS NOT OLD.credit_note_for
                    OR NEW.reason IS NOT OLD.reason OR NEW.seller_name IS NOT OLD.seller_name
                    OR NEW.seller_address IS NOT OLD.seller_address
                    OR NEW.seller_tax_id IS NOT OLD.seller_tax_id
                    OR NEW.buyer_name IS NOT OLD.buyer_name
                    OR NEW.buyer_address IS NOT OLD.buyer_address
                    OR NEW.created_at IS NOT OLD.created_at
                    OR NEW.issued_at IS NOT OLD.issued_at
                    OR (OLD.paid_at IS NOT NULL AND NEW.paid_at IS NOT OLD.paid_at)
                    OR (OLD.voided_at IS NOT NULL AND NEW.voided_at IS NOT OLD.voided_at))
                BEGIN
                    SELECT RAISE(ABORT, 'an issued invoice never changes: correct it with a credit note');
                END)"),
            QStringLiteral(R"(CREATE TRIGGER invoices_state_flow
                BEFORE UPDATE OF state ON invoices
                WHEN NEW.state IS NOT OLD.state AND NOT (
                    (OLD.state = 'draft' AND NEW.state = 'issued')
                    OR (OLD.state = 'issued' AND NEW.state = 'paid' AND OLD.kind = 'invoice')
                    OR (OLD.state IN ('issued', 'paid') AND NEW.state = 'void'
                        AND OLD.kind = 'invoice'))
                BEGIN
                    SELECT RAISE(ABORT, 'invoice states go draft -> issued -> paid, and to void only by a credit note');
                END)"),
            QStringLiteral(R"(CREATE TRIGGER invoices_void_needs_credit_note
                BEFORE UPDATE OF state ON invoices
                WHEN NEW.state = 'void' AND OLD.state <> 'void' AND NOT EXISTS (
                    SELECT 1 FROM invoices c WHERE c.credit_note_for = OLD.id
                        AND c.kind = 'credit-note' AND c.state = 'issued')
                BEGIN
                    SELECT RAISE(ABORT, 'an invoice is voided only by issuing a credit note for it');
                END)"),
            QStringLiteral(R"(CREATE TRIGGER invoices_issued_never_deleted
                BEFORE DELETE ON invoices WHEN OLD.state <> 'draft'
                BEGIN
                    SELECT RAISE(ABORT, 'an issued invoice is never deleted: correct it with a credit note');
                END)"),
            QStringLiteral(R"(CREATE TRIGGER invoice_lines_frozen_insert
                BEFORE INSERT ON invoice_lines
                WHEN (SELECT state FROM invoices WHERE id = NEW.invoice_id) IS NOT 'draft'
                BEGIN
                    SELECT RAISE(ABORT, 'the lines of an issued invoice never change');
                END)"),
            QStringLiteral(R"(CREATE TRIGGER invoice_lines_frozen_update
                BEFORE UPDATE ON invoice_lines
                WHEN (SELECT state FROM invoices WHERE id = OLD.invoice_id) IS NOT 'draft'
                    OR (SELECT state FROM invoices WHERE id = NEW.invoice_id) IS NOT 'draft'
                BEGIN
                    SELECT RAISE(ABORT, 'the lines of an issued invoice never change');
                END)"),
            // A draft's lines go with it (ON DELETE CASCADE); its row may already be gone then.
            QStringLiteral(R"(CREATE TRIGGER invoice_lines_frozen_delete
                BEFORE DELETE ON invoice_lines
                WHEN (SELECT state FROM invoices WHERE id = OLD.invoice_id) <> 'draft'
                BEGIN
                    SELECT RAISE(ABORT, 'the lines of an issued invoice never change');
                END)"),
        },
        true,
    });

    // Metering checkpoints (BILLING.md, "Metering"): per proxy and stick-table entry, the
    // counters it had when it was last metered, committed with the ledger rows they produced, so
    // a controller killed at any point neither loses a request nor counts one twice. The entry
    // with the empty key marks a proxy that has been metered (its first read is the baseline).
    list.append(Migration{
        8,
        QStringLiteral("metering checkpoints"),
        {
            QStringLiteral(R"(CREATE TABLE meter_checkpoints (
                proxy TEXT NOT NULL CHECK (length(proxy) BETWEEN 1 AND 64),
                entry TEXT NOT NULL CHECK (length(entry) <= 300),
                requests INTEGER NOT NULL CHECK (requests >= 0),
                bytes INTEGER NOT NULL CHECK (bytes >= 0),
                seen_at INTEGER NOT NULL,
                PRIMARY KEY (proxy, entry)
            ) STRICT, WITHOUT ROWID)"),
        },
        false,
    });

    return list;
}

Result<void> checkList(const QList<Migration> &migrations)
{
    for (qsizetype i = 0; i < migrations.size(); ++i) {
        if (migrations.at(i).version != i + 1)
            return StoreError{
                QStringLiteral("migration list is malformed: entry %1 has version %2, "
                               "expected %3")
                    .arg(i)
                    .arg(migrations.at(i).version)
                    .arg(i + 1)};
    }
    return {};
}

Result<int> readVersion(QSqlDatabase db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return toStoreError(query, QStringLiteral("reading the schema version"));
    return query.value(0).toInt();
}

StoreError tooNew(int found, int known)
{
    return StoreError{QStringLiteral("the database has schema version %1 but this build knows only "
                                     "up to version %2; refusing to use it (upgrade Headroom)")
                          .arg(found)
                          .arg(known)};
}

// One migration, inside the caller's write transaction.
Result<void> apply(QSqlDatabase db, const Migration &migration, int known)
{
    const Result<int> current = readVersion(db);
    if (!current)
        return current.error();
    if (current.value() > known)
        return tooNew(current.value(), known);
    if (current.value() >= migration.version)
        return {}; // another process applied it while we waited for the lock

    const QString context =
        QStringLiteral("migration %1 (%2)").arg(migration.version).arg(migration.description);
    for (const QString &statement : migration.statements) {
        QSqlQuery query(db);
        if (!query.exec(statement))
            return toStoreError(query, context);
    }
    if (migration.rebuildsTables) {
        QSqlQuery check(db);
        if (!check.exec(QStringLiteral("PRAGMA foreign_key_check")))
            return toStoreError(check, context);
        if (check.next())
            return StoreError{QStringLiteral("%1: table %2 row %3 refers to a missing %4 row")
                                  .arg(context, check.value(0).toString(),
                                       check.value(1).toString(), check.value(2).toString())};
    }
    // PRAGMA takes no bound parameters; the number comes from the compiled-in list, never from
    // input.
    QSqlQuery bump(db);
    if (!bump.exec(QStringLiteral("PRAGMA user_version = %1").arg(migration.version)))
        return toStoreError(bump, context + QStringLiteral(": recording the version"));
    return {};
}

// Only outside a transaction: SQLite ignores this pragma inside one.
Result<void> setForeignKeys(QSqlDatabase db, bool on)
{
    QSqlQuery query(db);
    if (!query.exec(on ? QStringLiteral("PRAGMA foreign_keys = ON")
                       : QStringLiteral("PRAGMA foreign_keys = OFF")))
        return toStoreError(query, QStringLiteral("switching foreign key enforcement"));
    return {};
}

} // namespace

const QList<Migration> &builtInMigrations()
{
    static const QList<Migration> migrations = makeMigrations();
    return migrations;
}

int latestVersion(const QList<Migration> &migrations)
{
    return migrations.isEmpty() ? 0 : migrations.constLast().version;
}

Result<void> migrate(Database &database)
{
    return migrate(database, builtInMigrations());
}

Result<void> migrate(Database &database, const QList<Migration> &migrations)
{
    if (!database.isOpen())
        return StoreError{QStringLiteral("migrate: the database is not open")};
    if (const Result<void> valid = checkList(migrations); !valid)
        return valid;

    const int known = latestVersion(migrations);
    const Result<int> start = readVersion(database.connection());
    if (!start)
        return start.error();
    if (start.value() > known)
        return tooNew(start.value(), known);

    for (const Migration &migration : migrations) {
        if (migration.version <= start.value())
            continue;
        if (migration.rebuildsTables) {
            const Result<void> off = setForeignKeys(database.connection(), false);
            if (!off)
                return off;
        }
        const Result<void> applied = database.writeTransaction(
            [&] { return apply(database.connection(), migration, known); });
        if (migration.rebuildsTables) {
            const Result<void> on = setForeignKeys(database.connection(), true);
            if (applied && !on)
                return on;
        }
        if (!applied)
            return applied;
    }
    return {};
}

} // namespace headroom
