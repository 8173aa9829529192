/**
 * The order store in PostgreSQL (node-postgres `pg`): for several verifier processes, on one machine or behind a
 * load balancer, sharing one database.
 *
 * Concurrency: every write is one transaction, explicitly READ COMMITTED, on a connection of its own from the pool. A
 * transition is `UPDATE orders … WHERE merchant_uid = $1 AND state = ANY($2)` plus, when a row changed, the
 * history INSERT. Two transactions racing for one order queue on that row's lock; when the first commits,
 * PostgreSQL re-checks the second one's WHERE against the committed row, which no longer matches, so the second
 * reports `moved: false`: exactly one winner whatever the number of processes. Each write locks at most one
 * order row (the history INSERT's foreign-key check locks the same row), so no two writes can deadlock.
 *
 * Reads are single statements (the order with its history aggregated as JSON), so an order and its history
 * always come from one snapshot.
 *
 * Columns are the same as in SQLite (server/store/migrations.ts): amounts as canonical decimal TEXT
 * (common.ts), exact, and timestamps as ISO 8601 UTC TEXT from the store's clock, so every store returns the
 * very same values.
 *
 * Migrations run at start on one connection holding a session advisory lock (one per schema), each in its own
 * transaction with its `schema_migrations` row: processes starting at once apply each migration once, the others
 * wait and then find nothing to do; a failing migration leaves nothing half-made (PostgreSQL DDL is
 * transactional).
 */
import pg from 'pg';
import {
  amountFromText,
  amountToText,
  checkLimit,
  checkNewOrder,
  checkStates,
  closedError,
  movableFrom,
  type StoreOptions,
  timestamper,
} from './common.js';
import { type Migration, MIGRATIONS, POSTGRES, pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from './migrations.js';
import type { HistoryEntry, NewOrder, Order, OrderState, OrderStore, Transition, TransitionResult } from './types.js';

export interface PostgresStoreOptions extends StoreOptions {
  /**
   * The schema that holds the tables, created on first start when missing. Default: the connection's current
   * schema (the first existing one on its search_path, normally `public`), read once at start. Tests give each
   * test a schema of its own; an operator may use it to keep the verifier's tables apart.
   */
  schema?: string;
  /** Connections per process (pg's `max`). Default 10; several processes share the server's max_connections. */
  poolSize?: number;
  /** How long to wait for a connection, at start and for each call when all are busy. Default 10 000 ms. */
  connectTimeoutMs?: number;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The first key of the migration advisory lock ('pone'); the second is hashtext(schema), so schemas don't wait on each other. */
const MIGRATION_LOCK = 0x706f6e65;

interface OrderRow {
  merchant_uid: string;
  amount: string;
  currency: string;
  name: string | null;
  state: OrderState;
  imp_uid: string | null;
  created_at: string;
  updated_at: string;
  fulfilled_at: string | null;
  history: HistoryEntry[];
}

/**
 * Connects, creates the schema when `options.schema` names a missing one, and migrates; then the store. Throws
 * `cannot connect to PostgreSQL: …` when no connection can be made (openStore adds the redacted URL).
 */
export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<PostgresOrderStore> {
  if (options.schema !== undefined) checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: 'portone-checkout',
  });
  // An idle connection that the server closes (restart, failover, idle timeout) is dropped by the pool and
  // replaced on the next call; without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  try {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new Error(`cannot connect to PostgreSQL: ${describe(error)}`, { cause: error });
    }
    let schema: string;
    try {
      schema = options.schema ?? (await currentSchema(client));
      await migratePostgres(client, schema, { createSchema: options.schema !== undefined });
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.release();
    return new PostgresOrderStore(pool, schema, options);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

async function currentSchema(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new Error('no schema for the order tables: no schema on the search_path exists; create one, or set the store option `schema`');
  }
  return schema;
}

function checkSchemaName(schema: string): void {
  if (typeof schema !== 'string' || schema === '' || Buffer.byteLength(schema) > 63 || schema.includes('\0')) {
    throw new TypeError(`schema must be a PostgreSQL name (1 to 63 bytes), got ${JSON.stringify(schema)}`);
  }
}

/** A quoted identifier: any name is safe in SQL text. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Brings `schema` up to date over `client` (a connection of its own, not in a transaction). Holds a session
 * advisory lock for the whole run, so concurrent starts apply each migration once; each migration runs in its
 * own transaction with its `schema_migrations` row. `createSchema`: create the schema when it does not exist
 * (checked first, as CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even when it exists).
 * Refuses a database with a version newer than `known` before applying anything (and without changing it).
 */
export async function migratePostgres(
  client: pg.ClientBase,
  schema: string,
  { createSchema = false, known = MIGRATIONS }: { createSchema?: boolean; known?: readonly Migration[] } = {},
): Promise<void> {
  const lock = [MIGRATION_LOCK, schema];
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', lock);
  try {
    if (createSchema) {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${ident(schema)}`);
    }
    await inTransaction(client, schema, () => client.query(SCHEMA_MIGRATIONS_TABLE));
    // Under the lock nobody else migrates this schema, so what is read here stays true until we unlock.
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${ident(schema)}.schema_migrations`);
    for (const migration of pendingMigrations(rows.map((r) => r.version), known)) {
      await inTransaction(client, schema, async () => {
        try {
          for (const sql of migration.statements(POSTGRES)) await client.query(sql);
        } catch (error) {
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${describe(error)}`, { cause: error });
        }
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      });
    }
  } catch (error) {
    // On a broken connection this fails too: the lock goes with the session, which the caller then discards.
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', lock).catch(() => {});
    throw error;
  }
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', lock);
}

/** BEGIN, unqualified names resolving to `schema` (SET LOCAL: for this transaction only), work, COMMIT; ROLLBACK on error. */
async function inTransaction(client: pg.ClientBase, schema: string, work: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** An error's words: node's AggregateError (every address refused) has an empty message but a code and errors. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describe).join('; ');
  return (error as NodeJS.ErrnoException).code ?? error.name;
}

type Sql = ReturnType<typeof statements>;

/** Every statement, with the schema-qualified table names. */
function statements(schema: string) {
  const orders = `${ident(schema)}.orders`;
  const history = `${ident(schema)}.order_history`;
  // One statement, so one snapshot: the order and its history as JSON, oldest entry first.
  const select = `SELECT o.merchant_uid, o.amount, o.currency, o.name, o.state, o.imp_uid, o.created_at, o.updated_at, o.fulfilled_at,
      (SELECT coalesce(json_agg(json_build_object('state', h.state, 'at', h.at, 'via', h.via) ORDER BY h.id), '[]'::json)
         FROM ${history} h WHERE h.merchant_uid = o.merchant_uid) AS history
    FROM ${orders} o`;
  // Ties broken by merchant_uid in byte order (COLLATE "C"), as SQLite's BINARY and the memory store compare.
  // updated_at is fixed-width ISO text, ordered alike under any collation, so its index stays usable.
  const oldest = 'ORDER BY o.updated_at, o.merchant_uid COLLATE "C" LIMIT $';
  return {
    insertOrder: `INSERT INTO ${orders} (merchant_uid, amount, currency, name, state, imp_uid, created_at, updated_at, fulfilled_at)
      VALUES ($1, $2, $3, $4, 'ready', NULL, $5, $5, NULL) ON CONFLICT (merchant_uid) DO NOTHING`,
    insertHistory: `INSERT INTO ${history} (merchant_uid, state, via, imp_uid, at) VALUES ($1, $2, $3, $4, $5)`,
    selectOrder: `${select} WHERE o.merchant_uid = $1`,
    move: `UPDATE ${orders} SET state = $3, imp_uid = $4, updated_at = $5 WHERE merchant_uid = $1 AND state = ANY($2::text[])`,
    fulfil: `UPDATE ${orders} SET fulfilled_at = $2 WHERE merchant_uid = $1 AND state = 'paid' AND fulfilled_at IS NULL`,
    stale: `${select} WHERE o.state = ANY($1::text[]) AND o.updated_at < $2 AND o.updated_at >= $3 ${oldest}4`,
    unfulfilled: `${select} WHERE o.state = 'paid' AND o.fulfilled_at IS NULL AND o.updated_at < $1 ${oldest}2`,
  };
}

/** Over a pool `openPostgresStore` has connected and migrated; use that rather than this constructor. */
export class PostgresOrderStore implements OrderStore {
  readonly #pool: pg.Pool;
  readonly #now: () => string;
  readonly #sql: Sql;
  #closing: Promise<void> | null = null;

  constructor(pool: pg.Pool, schema: string, options: StoreOptions = {}) {
    this.#pool = pool;
    this.#now = timestamper(options);
    this.#sql = statements(schema);
  }

  async create(order: NewOrder): Promise<{ created: boolean; order: Order }> {
    this.#open();
    checkNewOrder(order);
    const { merchant_uid, currency, name } = order;
    const amount = amountToText(order.amount);
    return this.#transaction(async (client) => {
      const at = this.#now();
      // A concurrent create of the same merchant_uid waits here for the other to commit, then does nothing.
      const created = (await client.query(this.#sql.insertOrder, [merchant_uid, amount, currency, name, at])).rowCount === 1;
      if (created) await client.query(this.#sql.insertHistory, [merchant_uid, 'ready', 'prepare', null, at]);
      return { created, order: (await this.#read(client, merchant_uid))! };
    });
  }

  async get(merchantUid: string): Promise<Order | null> {
    this.#open();
    return this.#read(this.#pool, merchantUid);
  }

  async transition(change: Transition): Promise<TransitionResult> {
    this.#open();
    const from = movableFrom(change);
    if (from.length === 0) return { moved: false, order: await this.get(change.merchant_uid) };
    const { merchant_uid, to, via, imp_uid } = change;
    return this.#transaction(async (client) => {
      const at = this.#now();
      const moved = (await client.query(this.#sql.move, [merchant_uid, from, to, imp_uid, at])).rowCount === 1;
      if (moved) await client.query(this.#sql.insertHistory, [merchant_uid, to, via, imp_uid, at]);
      return { moved, order: await this.#read(client, merchant_uid) };
    });
  }

  async markFulfilled(merchantUid: string): Promise<boolean> {
    this.#open();
    // A single statement is its own transaction; its WHERE makes it true once.
    return (await this.#pool.query(this.#sql.fulfil, [merchantUid, this.#now()])).rowCount === 1;
  }

  async stale(states: readonly OrderState[], before: Date, limit: number, since?: Date): Promise<Order[]> {
    this.#open();
    checkStates(states);
    checkLimit(limit);
    if (states.length === 0) return [];
    return this.#readAll(this.#sql.stale, [[...new Set(states)], before.toISOString(), since?.toISOString() ?? '', limit]);
  }

  async unfulfilled(before: Date, limit: number): Promise<Order[]> {
    this.#open();
    checkLimit(limit);
    return this.#readAll(this.#sql.unfulfilled, [before.toISOString(), limit]);
  }

  /** Ends the pool once (waiting for calls in flight to give their connections back); again is harmless. */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    await this.#closing;
  }

  async #read(db: pg.Pool | pg.PoolClient, merchantUid: string): Promise<Order | null> {
    const { rows } = await db.query<OrderRow>(this.#sql.selectOrder, [merchantUid]);
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async #readAll(sql: string, params: unknown[]): Promise<Order[]> {
    const { rows } = await this.#pool.query<OrderRow>(sql, params);
    return rows.map(toOrder);
  }

  /** BEGIN … COMMIT on a connection of its own; ROLLBACK on error, and a connection that failed even that is discarded. */
  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      // Said, not assumed: under a server default of REPEATABLE READ or SERIALIZABLE the loser of a race would
      // get a serialization error instead of a re-checked WHERE and `moved: false`.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  #open(): void {
    if (this.#closing) throw closedError();
  }
}

function toOrder(row: OrderRow): Order {
  return { ...row, amount: amountFromText(row.amount) };
}
