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
  /** An auto-numbered integer primary key, increasing in insertion order: what orders history entries. */
  serialKey: string;
}

export const SQLITE: Dialect = { serialKey: 'INTEGER PRIMARY KEY' };
export const POSTGRES: Dialect = { serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' };

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
