/**
 * The order store in SQLite (better-sqlite3): the embedded default, one file that several verifier processes
 * on one machine may share.
 *
 * Concurrency: better-sqlite3 is synchronous, so inside one process a method's transaction runs to the end
 * before any other call starts. Between processes, every write starts with BEGIN IMMEDIATE (the write lock
 * first, so two writers never both read and then both try to upgrade) and `busy_timeout` makes the second one
 * wait for the lock instead of failing. The conditional UPDATE … WHERE state IN (…) is the arbiter: after the
 * first writer commits, the second one's WHERE no longer matches and it reports `moved: false`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
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
import { migrateSqlite } from './migrations.js';
import {
  type HistoryEntry,
  type NewOrder,
  ORDER_STATES,
  type Order,
  type OrderState,
  type OrderStore,
  type Transition,
  type TransitionResult,
} from './types.js';

/** How long a write waits for another process's lock before SQLITE_BUSY; transactions here last microseconds. */
const BUSY_TIMEOUT_MS = 5000;

const ORDER_COLUMNS = 'merchant_uid, amount, currency, name, state, imp_uid, created_at, updated_at, fulfilled_at';

/**
 * `state IN (?, ?, …)` with one placeholder per known state, so each query is prepared once whatever the number
 * of states asked for; `statesParam` pads the list by repeating a state, which changes nothing in an IN.
 */
const STATE_LIST = `(${ORDER_STATES.map(() => '?').join(', ')})`;

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
}

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

function statesParam(states: readonly OrderState[]): OrderState[] {
  const distinct = [...new Set(states)]; // at most one per known state, so none falls off the end
  return ORDER_STATES.map((_, i) => distinct[i] ?? distinct[0]!);
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
    return this.#db.transaction(() => {
      const at = this.#now();
      const created = this.#sql.insertOrder.run(merchant_uid, amount, currency, name, at, at).changes === 1;
      if (created) this.#sql.insertHistory.run(merchant_uid, 'ready', 'prepare', null, at);
      return { created, order: this.#read(merchant_uid)! };
    }).immediate();
  }

  async get(merchantUid: string): Promise<Order | null> {
    this.#open();
    // A read transaction, so the order and its history come from the same snapshot.
    return this.#db.transaction(() => this.#read(merchantUid))();
  }

  async transition(change: Transition): Promise<TransitionResult> {
    this.#open();
    const from = movableFrom(change);
    if (from.length === 0) return { moved: false, order: await this.get(change.merchant_uid) };
    const { merchant_uid, to, via, imp_uid } = change;
    return this.#db.transaction(() => {
      const at = this.#now();
      const moved = this.#sql.move.run(to, imp_uid, at, merchant_uid, ...statesParam(from)).changes === 1;
      if (moved) this.#sql.insertHistory.run(merchant_uid, to, via, imp_uid, at);
      return { moved, order: this.#read(merchant_uid) };
    }).immediate();
  }

  async markFulfilled(merchantUid: string): Promise<boolean> {
    this.#open();
    // A single statement is its own transaction; its WHERE makes it true once.
    return this.#sql.fulfil.run(this.#now(), merchantUid).changes === 1;
  }

  async stale(states: readonly OrderState[], before: Date, limit: number, since?: Date): Promise<Order[]> {
    this.#open();
    checkStates(states);
    checkLimit(limit);
    if (states.length === 0) return [];
    return this.#readAll(() => this.#sql.stale.all(...statesParam(states), before.toISOString(), since?.toISOString() ?? '', limit));
  }

  async unfulfilled(before: Date, limit: number): Promise<Order[]> {
    this.#open();
    checkLimit(limit);
    return this.#readAll(() => this.#sql.unfulfilled.all(before.toISOString(), limit));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #read(merchantUid: string): Order | null {
    const row = this.#sql.selectOrder.get(merchantUid);
    return row ? this.#toOrder(row) : null;
  }

  #readAll(select: () => OrderRow[]): Order[] {
    return this.#db.transaction(() => select().map((row) => this.#toOrder(row)))();
  }

  #toOrder(row: OrderRow): Order {
    return { ...row, amount: amountFromText(row.amount), history: this.#sql.selectHistory.all(row.merchant_uid) };
  }

  #open(): void {
    if (!this.#db.open) throw closedError();
  }
}

type Statements = ReturnType<typeof prepare>;

/** Every statement, prepared once per connection. */
function prepare(db: Database.Database) {
  return {
    insertOrder: db.prepare<[string, string, string, string | null, string, string]>(
      `INSERT INTO orders (${ORDER_COLUMNS}) VALUES (?, ?, ?, ?, 'ready', NULL, ?, ?, NULL)
       ON CONFLICT (merchant_uid) DO NOTHING`,
    ),
    insertHistory: db.prepare<[string, OrderState, string, string | null, string]>(
      'INSERT INTO order_history (merchant_uid, state, via, imp_uid, at) VALUES (?, ?, ?, ?, ?)',
    ),
    selectOrder: db.prepare<[string], OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE merchant_uid = ?`),
    selectHistory: db.prepare<[string], HistoryEntry>('SELECT state, at, via FROM order_history WHERE merchant_uid = ? ORDER BY id'),
    move: db.prepare<unknown[]>(
      `UPDATE orders SET state = ?, imp_uid = ?, updated_at = ? WHERE merchant_uid = ? AND state IN ${STATE_LIST}`,
    ),
    fulfil: db.prepare<[string, string]>(
      "UPDATE orders SET fulfilled_at = ? WHERE merchant_uid = ? AND state = 'paid' AND fulfilled_at IS NULL",
    ),
    stale: db.prepare<unknown[], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE state IN ${STATE_LIST} AND updated_at < ? AND updated_at >= ?
       ORDER BY updated_at, merchant_uid LIMIT ?`,
    ),
    unfulfilled: db.prepare<[string, number], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE state = 'paid' AND fulfilled_at IS NULL AND updated_at < ?
       ORDER BY updated_at, merchant_uid LIMIT ?`,
    ),
  };
}
