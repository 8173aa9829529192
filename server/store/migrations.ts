/**
 * The schema, as an ordered list of migrations applied at start and recorded in `schema_migrations`.
 *
 * A migration is never edited once released: a change is a new migration with the next version. The SQL is
 * plain strings, portable between SQLite and PostgreSQL except for the few fragments in `Dialect`, so the
 * PostgreSQL store runs this same list. Planning (which to apply, refusing a newer database) is shared; each
 * store has its own small runner because locking differs (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
 * lock).
 */
import type BetterSqlite3 from 'better-sqlite3';

/** The SQL fragments that differ between the databases. */
export interface Dialect {
  name: 'sqlite' | 'postgres';
  /** An auto-numbered integer primary key, increasing in insertion order: what orders history entries. */
  serialKey: string;
}

export const SQLITE: Dialect = { name: 'sqlite', serialKey: 'INTEGER PRIMARY KEY' };
export const POSTGRES: Dialect = { name: 'postgres', serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' };

/** `via` of a history entry from migration 2 on: `console` added (a cancel made on PortOne's console). */
const VIA_CHECK = "CHECK (via IN ('prepare', 'complete', 'webhook', 'reconcile', 'console'))";

/**
 * Widening migration 1's CHECK on `order_history.via`. PostgreSQL alters the constraint (named by its default rule,
 * `<table>_<column>_check`); SQLite cannot alter a CHECK, so the table is rebuilt (nothing references it, and an
 * INTEGER PRIMARY KEY keeps its ids and goes on numbering after the largest).
 */
function widenHistoryVia(d: Dialect): string[] {
  if (d.name === 'postgres') {
    return ['ALTER TABLE order_history DROP CONSTRAINT order_history_via_check', `ALTER TABLE order_history ADD CONSTRAINT order_history_via_check ${VIA_CHECK}`];
  }
  return [
    `CREATE TABLE order_history_new (
      id INTEGER PRIMARY KEY,
      merchant_uid TEXT NOT NULL REFERENCES orders (merchant_uid),
      state TEXT NOT NULL CHECK (state IN ('ready', 'vbank_issued', 'paid', 'forgery', 'failed', 'cancelled')),
      via TEXT NOT NULL ${VIA_CHECK},
      imp_uid TEXT,
      at TEXT NOT NULL
    )`,
    'INSERT INTO order_history_new (id, merchant_uid, state, via, imp_uid, at) SELECT id, merchant_uid, state, via, imp_uid, at FROM order_history',
    'DROP TABLE order_history',
    'ALTER TABLE order_history_new RENAME TO order_history',
    'CREATE INDEX order_history_by_order ON order_history (merchant_uid, id)',
  ];
}

export interface Migration {
  /** 1, 2, 3…: applied in this order, each exactly once. */
  version: number;
  name: string;
  statements: (dialect: Dialect) => string[];
}

// The state and via lists are written out, not built from ORDER_STATES: a released migration must create the
// same schema forever, so a new state arrives with a new migration.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'orders and their history',
    statements: (d) => [
      // amount: the canonical decimal text (common.ts amountToText), exact, never REAL.
      // Timestamps: ISO 8601 UTC text with milliseconds; fixed width, so text order is time order.
      `CREATE TABLE orders (
        merchant_uid TEXT PRIMARY KEY,
        amount TEXT NOT NULL,
        currency TEXT NOT NULL,
        name TEXT,
        state TEXT NOT NULL CHECK (state IN ('ready', 'vbank_issued', 'paid', 'forgery', 'failed', 'cancelled')),
        imp_uid TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        fulfilled_at TEXT
      )`,
      // id orders the entries of one order even when two share a millisecond. imp_uid is kept per entry for
      // forensics (which payment moved it where), although the API shows only state, at and via.
      `CREATE TABLE order_history (
        id ${d.serialKey},
        merchant_uid TEXT NOT NULL REFERENCES orders (merchant_uid),
        state TEXT NOT NULL CHECK (state IN ('ready', 'vbank_issued', 'paid', 'forgery', 'failed', 'cancelled')),
        via TEXT NOT NULL CHECK (via IN ('prepare', 'complete', 'webhook', 'reconcile')),
        imp_uid TEXT,
        at TEXT NOT NULL
      )`,
      'CREATE INDEX order_history_by_order ON order_history (merchant_uid, id)',
      // stale() and unfulfilled(): by state, oldest move first.
      'CREATE INDEX orders_by_state_and_age ON orders (state, updated_at)',
    ],
  },
  {
    version: 2,
    name: 'money rules: payments ledger, fulfilment lease, fair reconcile',
    statements: (d) => [
      // What was bought (JSON text), when the price authority had items.
      'ALTER TABLE orders ADD COLUMN items TEXT',
      // Fulfilment: a delivery owed from the moment the order is paid, attempted under a lease.
      "ALTER TABLE orders ADD COLUMN fulfilment_state TEXT NOT NULL DEFAULT 'none' CHECK (fulfilment_state IN ('none', 'pending', 'done'))",
      'ALTER TABLE orders ADD COLUMN fulfilment_attempts INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE orders ADD COLUMN fulfilment_at TEXT',
      'ALTER TABLE orders ADD COLUMN fulfilment_error TEXT',
      // The hook went through in an earlier attempt (the POST did not): a retry does not run it again.
      'ALTER TABLE orders ADD COLUMN fulfilment_hook_done INTEGER NOT NULL DEFAULT 0',
      'ALTER TABLE orders ADD COLUMN fulfilment_due TEXT',
      'ALTER TABLE orders ADD COLUMN fulfilment_owner TEXT',
      'ALTER TABLE orders ADD COLUMN fulfilment_until TEXT',
      // Reconcile: when it last examined the order (fairness), and who examines it now (no double work).
      'ALTER TABLE orders ADD COLUMN checked_at TEXT',
      'ALTER TABLE orders ADD COLUMN reconcile_owner TEXT',
      'ALTER TABLE orders ADD COLUMN reconcile_until TEXT',
      // A paid order whose hook had run is delivered (by one attempt, as far as anyone knows); one whose hook had
      // not is owed a delivery, due now. fulfilled_at itself stays, unread, as every column of a released schema.
      `UPDATE orders SET
         fulfilment_state = CASE WHEN fulfilled_at IS NOT NULL THEN 'done' WHEN state = 'paid' THEN 'pending' ELSE 'none' END,
         fulfilment_attempts = CASE WHEN fulfilled_at IS NOT NULL THEN 1 ELSE 0 END,
         fulfilment_at = fulfilled_at,
         fulfilment_due = CASE WHEN fulfilled_at IS NULL AND state = 'paid' THEN updated_at END`,
      // Every PortOne payment seen for an order, and what became of it. amount: canonical decimal text.
      `CREATE TABLE order_payments (
        id ${d.serialKey},
        imp_uid TEXT NOT NULL UNIQUE,
        merchant_uid TEXT NOT NULL REFERENCES orders (merchant_uid),
        amount TEXT NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        disposition TEXT NOT NULL CHECK (disposition IN ('settled', 'refunded_forgery', 'refunded_duplicate', 'refunded_closed', 'refund_pending', 'not_paid')),
        refund_reason TEXT CHECK (refund_reason IN ('forgery', 'duplicate', 'closed')),
        at TEXT NOT NULL
      )`,
      'CREATE INDEX order_payments_by_order ON order_payments (merchant_uid, id)',
      "CREATE INDEX order_payments_refund_pending ON order_payments (merchant_uid) WHERE disposition = 'refund_pending'",
      "CREATE INDEX orders_fulfilment_due ON orders (fulfilment_due) WHERE fulfilment_state = 'pending'",
      'CREATE INDEX orders_by_last_check ON orders (COALESCE(checked_at, created_at))',
      ...widenHistoryVia(d),
      // A forgery no longer changes an order's state (SPEC §4): what an older release marked `forgery` is payable
      // again. Its payment was cancelled; reconcile records it in the ledger with PortOne's own amount. Its history
      // keeps the `forgery` entry (with the forged imp_uid), which the stores no longer show.
      "UPDATE orders SET state = 'ready', imp_uid = NULL WHERE state = 'forgery'",
    ],
  },
  {
    version: 3,
    name: 'PortOne V2 orders',
    // Which protocol pays the order; every order written before is a V1 order. merchant_uid keeps holding the key:
    // a V2 order's paymentId (one key, one order, whatever the protocol).
    statements: () => ["ALTER TABLE orders ADD COLUMN version TEXT NOT NULL DEFAULT 'v1' CHECK (version IN ('v1', 'v2'))"],
  },
];

export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/**
 * The migrations still to apply, in order, given the versions the database has. A database that has a version
 * this code does not know was written by a newer release: running against it could corrupt it, so refuse.
 */
export function pendingMigrations(applied: readonly number[], known: readonly Migration[] = MIGRATIONS): Migration[] {
  const latest = Math.max(0, ...known.map((m) => m.version));
  const newer = applied.filter((version) => version > latest);
  if (newer.length > 0) {
    throw new Error(
      `the database schema is at version ${Math.max(...newer)}, newer than this verifier knows (${latest}): ` +
        'it was written by a newer release; upgrade the verifier or point DATABASE_URL at another database',
    );
  }
  const done = new Set(applied);
  return [...known].sort((a, b) => a.version - b.version).filter((m) => !done.has(m.version));
}

/**
 * Brings a SQLite database up to date. Each migration runs in its own BEGIN IMMEDIATE transaction together with
 * its `schema_migrations` row, re-reading the applied versions under the write lock, so two processes starting
 * at once on one file apply each migration once, and a failing migration leaves no half-made schema.
 */
export function migrateSqlite(db: BetterSqlite3.Database, known: readonly Migration[] = MIGRATIONS): void {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const applied = db.prepare<[], number>('SELECT version FROM schema_migrations').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const apply = db.transaction((migration: Migration) => {
    // Another process may have applied it since the first look.
    if (!pendingMigrations(applied.all(), known).some((m) => m.version === migration.version)) return;
    try {
      for (const sql of migration.statements(SQLITE)) db.exec(sql);
    } catch (error) {
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
    }
    record.run(migration.version, migration.name, new Date().toISOString());
  });
  // Checked before any work too, so a newer database is refused without taking the write lock.
  for (const migration of pendingMigrations(applied.all(), known)) apply.immediate(migration);
}
