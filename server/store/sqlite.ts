/**
 * The order store in SQLite (better-sqlite3): the embedded default, one file that several verifier processes
 * on one machine may share.
 *
 * Concurrency: better-sqlite3 is synchronous, so inside one process a method's transaction runs to the end
 * before any other call starts. Between processes, every write starts with BEGIN IMMEDIATE (the write lock
 * first, so two writers never both read and then both try to upgrade) and `busy_timeout` makes the second one
 * wait for the lock instead of failing. Under that lock a write reads the order, decides and writes: after the first
 * writer commits, the second one reads the moved order, and its transition reports `moved: false`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
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
  ORDER_COLUMNS,
  orderFromRow,
  type OrderRow,
  paymentFromRow,
  type PaymentRow,
} from './common.js';
import { migrateSqlite } from './migrations.js';
import {
  type FulfilmentClaim,
  type FulfilmentResult,
  type HistoryEntry,
  type NewOrder,
  type Order,
  type OrderState,
  type OrderStore,
  type PaymentEntry,
  type PaymentRecord,
  type ReconcileClaim,
  type RefundReason,
  type Disposition,
  type Transition,
  type TransitionResult,
} from './types.js';

/** How long a write waits for another process's lock before SQLITE_BUSY; transactions here last microseconds. */
const BUSY_TIMEOUT_MS = 5000;

const ORDER_LIST = ORDER_COLUMNS.join(', ');

/** Opens (creating the file and its directory on first start) and migrates; `:memory:` for a private database. */
export async function openSqliteStore(path: string, options: StoreOptions = {}): Promise<SqliteOrderStore> {
  const db = openFile(path);
  try {
    configure(db);
    migrateSqlite(db);
    return new SqliteOrderStore(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

function openFile(path: string): Database.Database {
  const inMemory = path === ':memory:';
  const file = inMemory ? path : resolve(path);
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  try {
    return new Database(file);
  } catch (error) {
    throw new Error(`cannot open the SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function configure(db: Database.Database): void {
  // busy_timeout first: switching a fresh file to WAL is itself a write that another process may be making.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // WAL: readers never block the writer nor each other, which is what several processes on one file need.
  // synchronous stays at its default, FULL: a settled payment must survive a power cut, not only a crash.
  // Switching to WAL needs an exclusive lock and may answer SQLITE_BUSY at once, without the busy handler, while
  // another process opens the same new file: retry briefly.
  retryWhileBusy(() => db.pragma('journal_mode = WAL'));
  db.pragma('foreign_keys = ON');
}

function retryWhileBusy<T>(work: () => T, attempts = 100): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= attempts) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a synchronous 20 ms pause
    }
  }
}

/** Over a connection `openSqliteStore` has configured and migrated; use that rather than this constructor. */
export class SqliteOrderStore implements OrderStore {
  readonly #db: Database.Database;
  readonly #now: () => string;
  readonly #sql: Statements;

  constructor(db: Database.Database, options: StoreOptions = {}) {
    this.#db = db;
    this.#now = timestamper(options);
    this.#sql = prepare(db);
  }

  async create(order: NewOrder): Promise<{ created: boolean; order: Order }> {
    this.#open();
    checkNewOrder(order);
    const { merchant_uid, currency, name } = order;
    const amount = amountToText(order.amount);
    const items = itemsToText(order.items);
    return this.#write(() => {
      const at = this.#now();
      const created = this.#sql.insertOrder.run(merchant_uid, amount, currency, name, items, at, at, order.version ?? 'v1').changes === 1;
      if (created) this.#sql.insertHistory.run(merchant_uid, 'ready', 'prepare', null, at);
      return { created, order: this.#read(merchant_uid)! };
    });
  }

  async get(merchantUid: string): Promise<Order | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    // A read transaction, so the order, its history and its payments come from the same snapshot.
    return this.#db.transaction(() => this.#read(merchantUid))();
  }

  async transition(change: Transition): Promise<TransitionResult> {
    this.#open();
    const from = movableFrom(change);
    const payment = change.payment ? paymentRecord(change.payment) : null;
    if (from.length === 0) return { moved: false, order: await this.get(change.merchant_uid) };
    const { merchant_uid, to, via, imp_uid } = change;
    const impUids = impUidFilter(change);
    return this.#write(() => {
      const at = this.#now();
      const current = this.#sql.selectOrder.get(merchant_uid);
      const movable = current && from.includes(current.state) && (!impUids || impUids.includes(current.imp_uid ?? ''));
      if (!movable) return { moved: false, order: current ? this.#toOrder(current) : null };
      this.#sql.move.run(to, imp_uid, at, merchant_uid);
      this.#sql.insertHistory.run(merchant_uid, to, via, imp_uid, at);
      // Inside the transaction: a payment that cannot be recorded (another order's) rolls the move back.
      if (payment) this.#record(merchant_uid, payment, at);
      if (to === 'paid') this.#sql.owePaid.run(at, merchant_uid);
      return { moved: true, order: this.#read(merchant_uid) };
    });
  }

  async recordPayment(merchantUid: string, payment: PaymentRecord): Promise<PaymentEntry | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    const record = paymentRecord(payment);
    return this.#write(() => (this.#sql.selectOrder.get(merchantUid) ? this.#record(merchantUid, record, this.#now()) : null));
  }

  async claimFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<FulfilmentClaim | null> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkLease(owner, leaseMs);
    return this.#write(() => {
      const now = this.#now();
      const leaseUntil = later(now, leaseMs);
      if (this.#sql.claimFulfilment.run(owner, leaseUntil, now, merchantUid, now, now).changes !== 1) return null;
      return { order: this.#read(merchantUid)!, leaseUntil };
    });
  }

  async renewFulfilment(merchantUid: string, owner: string, leaseMs: number): Promise<boolean> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkLease(owner, leaseMs);
    return this.#sql.renewFulfilment.run(later(this.#now(), leaseMs), merchantUid, owner).changes === 1;
  }

  async finishFulfilment(merchantUid: string, owner: string, result: FulfilmentResult): Promise<boolean> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkId(owner, 'owner');
    const failed = fulfilmentOutcome(result);
    const now = this.#now();
    const changes = failed
      ? this.#sql.fulfilmentFailed.run(failed.error, failed.due, failed.hookDone, merchantUid, owner).changes
      : this.#sql.fulfilmentDone.run(now, now, merchantUid, owner).changes;
    return changes === 1;
  }

  async dueFulfilments(limit: number): Promise<string[]> {
    this.#open();
    checkLimit(limit);
    const now = this.#now();
    return this.#sql.dueFulfilments.all(now, now, limit);
  }

  async claimForReconcile(claim: ReconcileClaim): Promise<Order[]> {
    this.#open();
    const { before, since } = checkReconcileClaim(claim);
    return this.#write(() => {
      const now = this.#now();
      const leaseUntil = later(now, claim.leaseMs);
      const chosen = this.#sql.reconcileCandidates.all(now, before, since, claim.limit);
      for (const merchantUid of chosen) this.#sql.leaseReconcile.run(now, claim.owner, leaseUntil, merchantUid);
      return chosen.map((merchantUid) => this.#read(merchantUid)!);
    });
  }

  async releaseReconcile(merchantUid: string, owner: string): Promise<void> {
    this.#open();
    checkText(merchantUid, 'merchant_uid');
    checkId(owner, 'owner');
    this.#sql.releaseReconcile.run(merchantUid, owner);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** A write transaction, BEGIN IMMEDIATE: the write lock first (see the file comment). */
  #write<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  /** Insert or update a payment (checked by `paymentRecord`) by the merge rule; inside a write transaction. */
  #record(merchantUid: string, payment: PaymentRecord, at: string): PaymentEntry {
    const row = this.#sql.selectPayment.get(payment.imp_uid);
    if (row && row.merchant_uid !== merchantUid) throw otherOrderError(payment.imp_uid);
    const merged = mergePayment(row ? paymentFromRow(row) : null, payment, at);
    const amount = paidAmountToText(merged.amount);
    if (row) this.#sql.updatePayment.run(amount, merged.currency, merged.status, merged.disposition, merged.refund_reason, payment.imp_uid);
    else this.#sql.insertPayment.run(payment.imp_uid, merchantUid, amount, merged.currency, merged.status, merged.disposition, merged.refund_reason, at);
    return merged;
  }

  #read(merchantUid: string): Order | null {
    const row = this.#sql.selectOrder.get(merchantUid);
    return row ? this.#toOrder(row) : null;
  }

  #toOrder(row: OrderRow): Order {
    return orderFromRow(row, this.#sql.selectHistory.all(row.merchant_uid), this.#sql.selectPayments.all(row.merchant_uid));
  }

  #open(): void {
    if (!this.#db.open) throw closedError();
  }
}

type Statements = ReturnType<typeof prepare>;

/** Orders with a refund still to make: reconcile examines them first, however old. */
const PENDING_REFUND = "merchant_uid IN (SELECT merchant_uid FROM order_payments WHERE disposition = 'refund_pending')";

/** Every statement, prepared once per connection. */
function prepare(db: Database.Database) {
  return {
    insertOrder: db.prepare<[string, string, string, string | null, string | null, string, string, string]>(
      `INSERT INTO orders (merchant_uid, amount, currency, name, items, state, imp_uid, created_at, updated_at, version)
       VALUES (?, ?, ?, ?, ?, 'ready', NULL, ?, ?, ?) ON CONFLICT (merchant_uid) DO NOTHING`,
    ),
    insertHistory: db.prepare<[string, OrderState, string, string | null, string]>(
      'INSERT INTO order_history (merchant_uid, state, via, imp_uid, at) VALUES (?, ?, ?, ?, ?)',
    ),
    selectOrder: db.prepare<[string], OrderRow>(`SELECT ${ORDER_LIST} FROM orders WHERE merchant_uid = ?`),
    // Legacy `forgery` entries (migration 2) stay in the table but are no transition by the money rules.
    selectHistory: db.prepare<[string], HistoryEntry>(
      "SELECT state, at, via FROM order_history WHERE merchant_uid = ? AND state <> 'forgery' ORDER BY id",
    ),
    selectPayments: db.prepare<[string], PaymentRow>(
      'SELECT imp_uid, merchant_uid, amount, currency, status, disposition, refund_reason, at FROM order_payments WHERE merchant_uid = ? ORDER BY id',
    ),
    selectPayment: db.prepare<[string], PaymentRow>(
      'SELECT imp_uid, merchant_uid, amount, currency, status, disposition, refund_reason, at FROM order_payments WHERE imp_uid = ?',
    ),
    insertPayment: db.prepare<[string, string, string, string, string, Disposition, RefundReason | null, string]>(
      `INSERT INTO order_payments (imp_uid, merchant_uid, amount, currency, status, disposition, refund_reason, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updatePayment: db.prepare<[string, string, string, Disposition, RefundReason | null, string]>(
      'UPDATE order_payments SET amount = ?, currency = ?, status = ?, disposition = ?, refund_reason = ? WHERE imp_uid = ?',
    ),
    move: db.prepare<[OrderState, string, string, string]>('UPDATE orders SET state = ?, imp_uid = ?, updated_at = ? WHERE merchant_uid = ?'),
    owePaid: db.prepare<[string, string]>(
      "UPDATE orders SET fulfilment_state = 'pending', fulfilment_due = ? WHERE merchant_uid = ? AND fulfilment_state = 'none'",
    ),
    claimFulfilment: db.prepare<[string, string, string, string, string, string]>(
      `UPDATE orders SET fulfilment_owner = ?, fulfilment_until = ?, fulfilment_at = ?, fulfilment_attempts = fulfilment_attempts + 1
       WHERE merchant_uid = ? AND fulfilment_state = 'pending' AND fulfilment_due <= ?
         AND (fulfilment_until IS NULL OR fulfilment_until < ?)`,
    ),
    renewFulfilment: db.prepare<[string, string, string]>(
      "UPDATE orders SET fulfilment_until = ? WHERE merchant_uid = ? AND fulfilment_owner = ? AND fulfilment_state = 'pending'",
    ),
    fulfilmentDone: db.prepare<[string, string, string, string]>(
      `UPDATE orders SET fulfilment_state = 'done', fulfilment_at = ?, fulfilled_at = ?, fulfilment_error = NULL, fulfilment_due = NULL,
         fulfilment_owner = NULL, fulfilment_until = NULL
       WHERE merchant_uid = ? AND fulfilment_owner = ? AND fulfilment_state = 'pending'`,
    ),
    fulfilmentFailed: db.prepare<[string, string, 0 | 1, string, string]>(
      `UPDATE orders SET fulfilment_error = ?, fulfilment_due = ?, fulfilment_hook_done = MAX(fulfilment_hook_done, ?), fulfilment_owner = NULL, fulfilment_until = NULL
       WHERE merchant_uid = ? AND fulfilment_owner = ? AND fulfilment_state = 'pending'`,
    ),
    dueFulfilments: db
      .prepare<[string, string, number], string>(
        `SELECT merchant_uid FROM orders
         WHERE fulfilment_state = 'pending' AND fulfilment_due <= ? AND (fulfilment_until IS NULL OR fulfilment_until < ?)
         ORDER BY fulfilment_due, merchant_uid LIMIT ?`,
      )
      .pluck(),
    reconcileCandidates: db
      .prepare<[string, string, string, number], string>(
        `SELECT merchant_uid FROM orders
         WHERE (reconcile_until IS NULL OR reconcile_until < ?)
           AND (${PENDING_REFUND} OR (updated_at < ? AND updated_at >= ?))
         ORDER BY ${PENDING_REFUND} DESC, COALESCE(checked_at, created_at), merchant_uid LIMIT ?`,
      )
      .pluck(),
    leaseReconcile: db.prepare<[string, string, string, string]>(
      'UPDATE orders SET checked_at = ?, reconcile_owner = ?, reconcile_until = ? WHERE merchant_uid = ?',
    ),
    releaseReconcile: db.prepare<[string, string]>(
      'UPDATE orders SET reconcile_owner = NULL, reconcile_until = NULL WHERE merchant_uid = ? AND reconcile_owner = ?',
    ),
  };
}
