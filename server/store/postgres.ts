/**
 * The order store in PostgreSQL (node-postgres `pg`): for several verifier processes, on one machine or behind a
 * load balancer, sharing one database.
 *
 * Concurrency: every write is one transaction, explicitly READ COMMITTED, on a connection of its own from the pool.
 * A write that decides from what is stored (a transition, a payment record) first locks the order's row
 * (`SELECT … FOR UPDATE`), then reads, decides and writes: two transactions racing for one order queue on that
 * lock, and the second reads what the first committed, so exactly one of them moves the order whatever the number
 * of processes. A write locks at most one order row (the history and payment INSERTs' foreign-key checks lock the
 * same row), so no two writes can deadlock; reconcile's claim locks several, but with SKIP LOCKED, never waiting.
 * Leases (fulfilment, reconcile) are single conditional UPDATEs, re-checked by PostgreSQL against the committed
 * row.
 *
 * Reads are single statements (the order with its history and payments aggregated as JSON), so an order, its
 * history and its payments always come from one snapshot.
 *
 * No text with a NUL or an unpaired surrogate is ever sent (common.ts refuses it, or replaces it in a failed
 * delivery's error): PostgreSQL refuses a NUL with an error and would store U+FFFD for a lone surrogate.
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
  amountToText,
  checkId,
  checkLease,
  checkLimit,
  checkNewOrder,
  checkReconcileClaim,
  checkText,
  closedError,
  fulfilmentOutcome,
  impUidFilter,
  itemsToText,
  later,
  mergePayment,
  movableFrom,
  otherOrderError,
  paidAmountToText,
  paymentRecord,
  type StoreOptions,
  timestamper,
  orderFromRow,
  type OrderRow,
  paymentFromRow,
  type PaymentRow,
} from './common.js';
import { type Migration, MIGRATIONS, POSTGRES, pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from './migrations.js';
import type { PostgresStoreOptions } from './options.js';
import type {
  FulfilmentClaim,
  FulfilmentResult,
  HistoryEntry,
  NewOrder,
  Order,
  OrderState,
  OrderStore,
  PaymentEntry,
  PaymentRecord,
  ReconcileClaim,
  Transition,
  TransitionResult,
} from './types.js';

// Declared in options.ts (openStore's public options must not import this module, which imports pg); re-exported here.
export type { PostgresStoreOptions } from './options.js';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The first key of the migration advisory lock ('pone'); the second is hashtext(schema), so schemas don't wait on each other. */
const MIGRATION_LOCK = 0x706f6e65;

/** An order row with its history and payments aggregated as JSON (one statement, one snapshot). */
interface OrderWithLists extends OrderRow {
  history: HistoryEntry[];
  payments: PaymentRow[];
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
  const payments = `${ident(schema)}.order_payments`;
  // One statement, so one snapshot: the order with its history and its payments as JSON, oldest entry first.
  const select = `SELECT o.merchant_uid, o.amount, o.currency, o.name, o.items, o.state, o.imp_uid, o.created_at, o.updated_at,
      o.checked_at, o.fulfilment_state, o.fulfilment_attempts, o.fulfilment_at, o.fulfilment_error, o.fulfilment_hook_done, o.version,
      (SELECT coalesce(json_agg(json_build_object('state', h.state, 'at', h.at, 'via', h.via) ORDER BY h.id), '[]'::json)
         FROM ${history} h WHERE h.merchant_uid = o.merchant_uid AND h.state <> 'forgery') AS history,
      (SELECT coalesce(json_agg(json_build_object('imp_uid', p.imp_uid, 'amount', p.amount, 'currency', p.currency, 'status', p.status,
              'disposition', p.disposition, 'refund_reason', p.refund_reason, 'at', p.at) ORDER BY p.id), '[]'::json)
         FROM ${payments} p WHERE p.merchant_uid = o.merchant_uid) AS payments
    FROM ${orders} o`;
  const pendingRefund = `o.merchant_uid IN (SELECT merchant_uid FROM ${payments} WHERE disposition = 'refund_pending')`;
  return {
    insertOrder: `INSERT INTO ${orders} (merchant_uid, amount, currency, name, items, state, imp_uid, created_at, updated_at, version)
      VALUES ($1, $2, $3, $4, $5, 'ready', NULL, $6, $6, $7) ON CONFLICT (merchant_uid) DO NOTHING`,
    insertHistory: `INSERT INTO ${history} (merchant_uid, state, via, imp_uid, at) VALUES ($1, $2, $3, $4, $5)`,
    selectOrder: `${select} WHERE o.merchant_uid = $1`,
    selectOrders: `${select} WHERE o.merchant_uid = ANY($1::text[])`,
    lockOrder: `SELECT state, imp_uid FROM ${orders} WHERE merchant_uid = $1 FOR UPDATE`,
    move: `UPDATE ${orders} SET state = $2, imp_uid = $3, updated_at = $4 WHERE merchant_uid = $1`,
    owePaid: `UPDATE ${orders} SET fulfilment_state = 'pending', fulfilment_due = $2 WHERE merchant_uid = $1 AND fulfilment_state = 'none'`,
    selectPayment: `SELECT imp_uid, merchant_uid, amount, currency, status, disposition, refund_reason, at FROM ${payments} WHERE imp_uid = $1`,
    // DO NOTHING: a conflict here is the same payment inserted for another order meanwhile (ours is locked).
    insertPayment: `INSERT INTO ${payments} (imp_uid, merchant_uid, amount, currency, status, disposition, refund_reason, at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (imp_uid) DO NOTHING`,
    updatePayment: `UPDATE ${payments} SET amount = $2, currency = $3, status = $4, disposition = $5, refund_reason = $6 WHERE imp_uid = $1`,
    claimFulfilment: `UPDATE ${orders} SET fulfilment_owner = $2, fulfilment_until = $3, fulfilment_at = $4, fulfilment_attempts = fulfilment_attempts + 1
      WHERE merchant_uid = $1 AND fulfilment_state = 'pending' AND fulfilment_due <= $4 AND (fulfilment_until IS NULL OR fulfilment_until < $4)`,
    renewFulfilment: `UPDATE ${orders} SET fulfilment_until = $3 WHERE merchant_uid = $1 AND fulfilment_owner = $2 AND fulfilment_state = 'pending'`,
    fulfilmentDone: `UPDATE ${orders} SET fulfilment_state = 'done', fulfilment_at = $3, fulfilled_at = $3, fulfilment_error = NULL,
        fulfilment_due = NULL, fulfilment_owner = NULL, fulfilment_until = NULL
      WHERE merchant_uid = $1 AND fulfilment_owner = $2 AND fulfilment_state = 'pending'`,
    fulfilmentFailed: `UPDATE ${orders} SET fulfilment_error = $3, fulfilment_due = $4, fulfilment_hook_done = GREATEST(fulfilment_hook_done, $5), fulfilment_owner = NULL, fulfilment_until = NULL
      WHERE merchant_uid = $1 AND fulfilment_owner = $2 AND fulfilment_state = 'pending'`,
    // Ties broken by merchant_uid in byte order (COLLATE "C"), as SQLite's BINARY and the memory store compare.
    dueFulfilments: `SELECT merchant_uid FROM ${orders}
      WHERE fulfilment_state = 'pending' AND fulfilment_due <= $1 AND (fulfilment_until IS NULL OR fulfilment_until < $1)
      ORDER BY fulfilment_due, merchant_uid COLLATE "C" LIMIT $2`,
    // SKIP LOCKED: a process never waits for (nor takes) an order another one is claiming or settling right now;
    // a row another claim leased meanwhile is re-checked against its committed lease and skipped.
    reconcileCandidates: `SELECT o.merchant_uid FROM ${orders} o
      WHERE (o.reconcile_until IS NULL OR o.reconcile_until < $1) AND (${pendingRefund} OR (o.updated_at < $2 AND o.updated_at >= $3))
      ORDER BY ${pendingRefund} DESC, COALESCE(o.checked_at, o.created_at), o.merchant_uid COLLATE "C" LIMIT $4
      FOR UPDATE OF o SKIP LOCKED`,
    leaseReconcile: `UPDATE ${orders} SET checked_at = $2, reconcile_owner = $3, reconcile_until = $4 WHERE merchant_uid = ANY($1::text[])`,
    releaseReconcile: `UPDATE ${orders} SET reconcile_owner = NULL, reconcile_until = NULL WHERE merchant_uid = $1 AND reconcile_owner = $2`,
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
    const items = itemsToText(order.items);
    return this.#transaction(async (client) => {
      const at = this.#now();
      // A concurrent create of the same merchant_uid waits here for the other to commit, then does nothing.
      const created = (await client.query(this.#sql.insertOrder, [merchant_uid, amount, currency, name, items, at, order.version ?? 'v1'])).rowCount === 1;
      if (created) await client.query(this.#sql.insertHistory, [merchant_uid, 'ready', 'prepare', null, at]);
      return { created, order: (await this.#read(client, merchant_uid))! };
    });
  }

  async get(merchantUid: string): Promise<Order | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    return this.#read(this.#pool, merchantUid);
  }

  async transition(change: Transition): Promise<TransitionResult> {
    this.#open();
    const from = movableFrom(change);
    const payment = change.payment ? paymentRecord(change.payment) : null;
    if (from.length === 0) return { moved: false, order: await this.get(change.merchant_uid) };
    const { merchant_uid, to, via, imp_uid } = change;
    const impUids = impUidFilter(change);
    return this.#transaction(async (client) => {
      const at = this.#now();
      const current = (await client.query<{ state: OrderState; imp_uid: string | null }>(this.#sql.lockOrder, [merchant_uid])).rows[0];
      if (!current) return { moved: false, order: null };
      if (!from.includes(current.state) || (impUids && !impUids.includes(current.imp_uid ?? ''))) {
        return { moved: false, order: await this.#read(client, merchant_uid) };
      }
      await client.query(this.#sql.move, [merchant_uid, to, imp_uid, at]);
      await client.query(this.#sql.insertHistory, [merchant_uid, to, via, imp_uid, at]);
      // Inside the transaction: a payment that cannot be recorded (another order's) rolls the move back.
      if (payment) await this.#record(client, merchant_uid, payment, at);
      if (to === 'paid') await client.query(this.#sql.owePaid, [merchant_uid, at]);
      return { moved: true, order: await this.#read(client, merchant_uid) };
    });
  }

  async recordPayment(merchantUid: string, payment: PaymentRecord): Promise<PaymentEntry | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    const record = paymentRecord(payment);
    return this.#transaction(async (client) => {
      if ((await client.query(this.#sql.lockOrder, [merchantUid])).rowCount === 0) return null;
      return this.#record(client, merchantUid, record, this.#now());
    });
  }

  async claimFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<FulfilmentClaim | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkLease(owner, leaseMs);
    return this.#transaction(async (client) => {
      const now = this.#now();
      const leaseUntil = later(now, leaseMs);
      if ((await client.query(this.#sql.claimFulfilment, [merchantUid, owner, leaseUntil, now])).rowCount !== 1) return null;
      return { order: (await this.#read(client, merchantUid))!, leaseUntil };
    });
  }

  async renewFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<boolean> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkLease(owner, leaseMs);
    return (await this.#pool.query(this.#sql.renewFulfilment, [merchantUid, owner, later(this.#now(), leaseMs)])).rowCount === 1;
  }

  async finishFulfilment(merchantUid: string, owner: string, result: FulfilmentResult): Promise<boolean> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkId(owner, 'owner');
    const failed = fulfilmentOutcome(result);
    const answer = failed
      ? await this.#pool.query(this.#sql.fulfilmentFailed, [merchantUid, owner, failed.error, failed.due, failed.hookDone])
      : await this.#pool.query(this.#sql.fulfilmentDone, [merchantUid, owner, this.#now()]);
    return answer.rowCount === 1;
  }

  async dueFulfilments(limit: number): Promise<string[]> {
    this.#open();
    checkLimit(limit);
    const { rows } = await this.#pool.query<{ merchant_uid: string }>(this.#sql.dueFulfilments, [this.#now(), limit]);
    return rows.map((row) => row.merchant_uid);
  }

  /** One transaction: the candidates locked (skipping any another claim holds), leased, and read back in their order. */
  async claimForReconcile(claim: ReconcileClaim): Promise<Order[]> {
    this.#open();
    const { before, since } = checkReconcileClaim(claim);
    return this.#transaction(async (client) => {
      const now = this.#now();
      const leaseUntil = later(now, claim.leaseMs);
      const { rows } = await client.query<{ merchant_uid: string }>(this.#sql.reconcileCandidates, [now, before, since, claim.limit]);
      const chosen = rows.map((row) => row.merchant_uid);
      if (chosen.length === 0) return [];
      await client.query(this.#sql.leaseReconcile, [chosen, now, claim.owner, leaseUntil]);
      const read = await client.query<OrderWithLists>(this.#sql.selectOrders, [chosen]);
      const byUid = new Map(read.rows.map((row) => [row.merchant_uid, toOrder(row)]));
      return chosen.map((merchantUid) => byUid.get(merchantUid)!);
    });
  }

  async releaseReconcile(merchantUid: string, owner: string): Promise<void> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkId(owner, 'owner');
    await this.#pool.query(this.#sql.releaseReconcile, [merchantUid, owner]);
  }

  /** Ends the pool once (waiting for calls in flight to give their connections back); again is harmless. */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    await this.#closing;
  }

  /**
   * Insert or update a payment (checked by `paymentRecord`) by the merge rule; inside a transaction that holds the
   * order's row lock, so no other write of this order's payments runs meanwhile.
   */
  async #record(client: pg.PoolClient, merchantUid: string, payment: PaymentRecord, at: string): Promise<PaymentEntry> {
    const row = (await client.query<PaymentRow>(this.#sql.selectPayment, [payment.imp_uid])).rows[0];
    if (row && row.merchant_uid !== merchantUid) throw otherOrderError(payment.imp_uid);
    const merged = mergePayment(row ? paymentFromRow(row) : null, payment, at);
    const amount = paidAmountToText(merged.amount);
    if (row) {
      await client.query(this.#sql.updatePayment, [payment.imp_uid, amount, merged.currency, merged.status, merged.disposition, merged.refund_reason]);
    } else {
      const inserted = await client.query(this.#sql.insertPayment, [payment.imp_uid, merchantUid, amount, merged.currency, merged.status, merged.disposition, merged.refund_reason, at]);
      if (inserted.rowCount !== 1) throw otherOrderError(payment.imp_uid);
    }
    return merged;
  }

  async #read(db: pg.Pool | pg.PoolClient, merchantUid: string): Promise<Order | null> {
    const { rows } = await db.query<OrderWithLists>(this.#sql.selectOrder, [merchantUid]);
    return rows[0] ? toOrder(rows[0]) : null;
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

function toOrder(row: OrderWithLists): Order {
  return orderFromRow(row, row.history, row.payments);
}
