// The order store's contract (server/store/types.ts), as one table of behaviours run against every store, then
// what only SQLite has: a file that outlives the process, migrations, several connections and processes on one
// file; then the same for PostgreSQL (when TEST_DATABASE_URL names a database: every test in a schema of its
// own, dropped afterwards); then `openStore`'s reading of DATABASE_URL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sameAmount } from '../../server/money.js';
import { openStore } from '../../server/store/index.js';
import { MemoryOrderStore } from '../../server/store/memory.js';
import { MIGRATIONS, type Migration, migrateSqlite, pendingMigrations } from '../../server/store/migrations.js';
import { migratePostgres, openPostgresStore, PostgresOrderStore } from '../../server/store/postgres.js';
import { openSqliteStore, SqliteOrderStore } from '../../server/store/sqlite.js';
import type { NewOrder, Order, OrderStore, Transition } from '../../server/store/types.js';

const T0 = '2025-01-01T00:00:00.000Z';

/** A clock the test moves by hand, so timestamps and ages are exact. */
class TestClock {
  #ms = Date.parse(T0);
  readonly now = (): Date => new Date(this.#ms);
  get iso(): string {
    return new Date(this.#ms).toISOString();
  }
  /** Moves on and returns the new time. */
  advance(ms = 1000): string {
    this.#ms += ms;
    return this.iso;
  }
  at(offsetMs: number): Date {
    return new Date(this.#ms + offsetMs);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'portone-store-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let scratchCount = 0;
/** A fresh directory under the scratch one (removed at the end). */
function freshDir(): string {
  return join(scratch, `db-${++scratchCount}`);
}

let uidCount = 0;
function uid(prefix = 'order'): string {
  return `${prefix}-${++uidCount}`;
}

function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  return { merchant_uid: uid(), amount: 50000, currency: 'KRW', name: '커피 원두 1kg', ...overrides };
}

function toPaid(merchantUid: string, overrides: Partial<Transition> = {}): Transition {
  return { merchant_uid: merchantUid, to: 'paid', from: ['ready', 'vbank_issued'], via: 'complete', imp_uid: 'imp_001', ...overrides };
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL, when there is one: TEST_DATABASE_URL (scripts/pg-cluster.sh starts a throwaway server). Without it
// no PostgreSQL test is registered, and one loud line says so.

const PG_URL = process.env.TEST_DATABASE_URL || undefined;
if (!PG_URL) {
  console.log('\n!!! PostgreSQL store tests SKIPPED: set TEST_DATABASE_URL (eval "$(scripts/pg-cluster.sh)" starts a server) !!!\n');
}

let adminPool: pg.Pool | undefined;
/** A connection past the stores, to make, inspect and drop schemas. */
function admin(): pg.Pool {
  adminPool ??= new pg.Pool({ connectionString: PG_URL, max: 2 });
  return adminPool;
}
after(() => adminPool?.end());

let schemaCount = 0;
/** A schema name no other test (nor another run of this file) uses; the store creates it on first start. */
function freshSchema(): string {
  return `store_test_${process.pid}_${Date.now().toString(36)}_${++schemaCount}`;
}

async function dropSchema(schema: string): Promise<void> {
  await admin().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Drops the schema after the test, whatever happened. */
async function withSchema<T>(run: (schema: string) => Promise<T>): Promise<T> {
  const schema = freshSchema();
  try {
    return await run(schema);
  } finally {
    await dropSchema(schema);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Every store. PostgreSQL joins this list (when TEST_DATABASE_URL is set) with an `open` that gives each test a
// fresh schema and a `dispose` that drops it.

interface StoreKind {
  name: string;
  open(clock: () => Date): Promise<{ store: OrderStore; dispose(): Promise<void> }>;
}

const KINDS: StoreKind[] = [
  {
    name: 'memory',
    open: async (clock) => {
      const store = new MemoryOrderStore({ clock });
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: 'sqlite file',
    open: async (clock) => {
      const store = await openSqliteStore(join(freshDir(), 'orders.db'), { clock });
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: 'sqlite :memory:',
    open: async (clock) => {
      const store = await openSqliteStore(':memory:', { clock });
      return { store, dispose: () => store.close() };
    },
  },
];
if (PG_URL) {
  KINDS.push({
    name: 'postgres',
    open: async (clock) => {
      const schema = freshSchema();
      const store = await openPostgresStore(PG_URL, { clock, schema }).catch(async (error: unknown) => {
        await dropSchema(schema);
        throw error;
      });
      return {
        store,
        dispose: async () => {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  });
}

interface Harness {
  store: OrderStore;
  clock: TestClock;
}

const BEHAVIOURS: Array<[string, (h: Harness) => Promise<void>]> = [
  [
    'create stores a ready order with its first history entry',
    async ({ store, clock }) => {
      const order = newOrder({ amount: 12000, name: 'Tea' });
      const result = await store.create(order);
      const expected: Order = {
        ...order,
        state: 'ready',
        imp_uid: null,
        history: [{ state: 'ready', at: T0, via: 'prepare' }],
        created_at: T0,
        updated_at: T0,
        fulfilled_at: null,
      };
      assert.deepEqual(result, { created: true, order: expected });
      clock.advance();
      assert.deepEqual(await store.get(order.merchant_uid), expected);
    },
  ],
  [
    'create again returns the stored order untouched with created false',
    async ({ store, clock }) => {
      const first = (await store.create(newOrder({ amount: 1000, name: 'first' }))).order;
      clock.advance();
      const again = await store.create({ merchant_uid: first.merchant_uid, amount: 9999, currency: 'USD', name: 'second' });
      assert.deepEqual(again, { created: false, order: first });
      assert.deepEqual(await store.get(first.merchant_uid), first);
    },
  ],
  [
    'an unknown order: get null, transition not moved with order null, markFulfilled false',
    async ({ store }) => {
      assert.equal(await store.get('nobody'), null);
      assert.deepEqual(await store.transition(toPaid('nobody')), { moved: false, order: null });
      assert.equal(await store.markFulfilled('nobody'), false);
    },
  ],
  [
    'a transition moves once from a listed state, recording imp_uid, updated_at and a history entry',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const at = clock.advance(5000);
      const result = await store.transition(toPaid(merchant_uid, { via: 'webhook', imp_uid: 'imp_paid' }));
      assert.equal(result.moved, true);
      const order = result.order!;
      assert.equal(order.state, 'paid');
      assert.equal(order.imp_uid, 'imp_paid');
      assert.equal(order.created_at, T0);
      assert.equal(order.updated_at, at);
      assert.deepEqual(order.history, [
        { state: 'ready', at: T0, via: 'prepare' },
        { state: 'paid', at, via: 'webhook' },
      ]);
      assert.deepEqual(await store.get(merchant_uid), order);
    },
  ],
  [
    'a transition from a state not listed changes nothing',
    async ({ store, clock }) => {
      const before = (await store.create(newOrder())).order;
      clock.advance();
      const result = await store.transition(toPaid(before.merchant_uid, { from: ['vbank_issued'] }));
      assert.deepEqual(result, { moved: false, order: before });
      assert.deepEqual(await store.transition(toPaid(before.merchant_uid, { from: [] })), { moved: false, order: before });
      assert.deepEqual(await store.get(before.merchant_uid), before);
    },
  ],
  [
    'the same transition again is not a move: one history entry, the first imp_uid kept',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const first = await store.transition(toPaid(merchant_uid, { imp_uid: 'imp_first' }));
      clock.advance();
      const again = await store.transition(toPaid(merchant_uid, { imp_uid: 'imp_second', via: 'webhook' }));
      assert.deepEqual(again, { moved: false, order: first.order });
      // Naming the target among the from-states does not make arriving there again a move.
      const listed = await store.transition(toPaid(merchant_uid, { from: ['ready', 'paid'], imp_uid: 'imp_third' }));
      assert.deepEqual(listed, { moved: false, order: first.order });
      assert.equal((await store.get(merchant_uid))!.history.filter((e) => e.state === 'paid').length, 1);
    },
  ],
  [
    'history lists every transition oldest first, with via and at',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const issued = clock.advance();
      assert.equal((await store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_v' })).moved, true);
      const paid = clock.advance(60_000);
      assert.equal((await store.transition(toPaid(merchant_uid, { from: ['vbank_issued'], via: 'webhook', imp_uid: 'imp_v' }))).moved, true);
      const cancelled = clock.advance();
      assert.equal((await store.transition({ merchant_uid, to: 'cancelled', from: ['paid'], via: 'reconcile', imp_uid: 'imp_v' })).moved, true);
      assert.deepEqual((await store.get(merchant_uid))!.history, [
        { state: 'ready', at: T0, via: 'prepare' },
        { state: 'vbank_issued', at: issued, via: 'complete' },
        { state: 'paid', at: paid, via: 'webhook' },
        { state: 'cancelled', at: cancelled, via: 'reconcile' },
      ]);
    },
  ],
  [
    'history keeps its order when entries share a millisecond',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_1' });
      await store.transition(toPaid(merchant_uid, { via: 'webhook' }));
      await store.transition({ merchant_uid, to: 'forgery', from: ['paid'], via: 'reconcile', imp_uid: 'imp_1' });
      const states = (await store.get(merchant_uid))!.history.map((e) => e.state);
      assert.deepEqual(states, ['ready', 'vbank_issued', 'paid', 'forgery']);
    },
  ],
  [
    'returned orders are copies: changing one does not change the store',
    async ({ store }) => {
      const { order } = await store.create(newOrder());
      order.state = 'paid';
      order.history.push({ state: 'paid', at: T0, via: 'webhook' });
      order.history[0]!.via = 'reconcile';
      const stored = (await store.get(order.merchant_uid))!;
      assert.equal(stored.state, 'ready');
      assert.deepEqual(stored.history, [{ state: 'ready', at: T0, via: 'prepare' }]);
    },
  ],
  [
    'markFulfilled is true once, only for a paid order, and stamps fulfilled_at',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      assert.equal(await store.markFulfilled(merchant_uid), false, 'not paid yet');
      await store.transition(toPaid(merchant_uid));
      const at = clock.advance();
      assert.equal(await store.markFulfilled(merchant_uid), true);
      clock.advance();
      assert.equal(await store.markFulfilled(merchant_uid), false);
      const order = (await store.get(merchant_uid))!;
      assert.equal(order.fulfilled_at, at);
      assert.equal(order.state, 'paid');
    },
  ],
  [
    'stale(): the given states, moved strictly before the cutoff, oldest move first, at most limit',
    async ({ store, clock }) => {
      const a = (await store.create(newOrder({ merchant_uid: 'stale-a' }))).order.merchant_uid; // ready at T0
      clock.advance();
      const b = (await store.create(newOrder({ merchant_uid: 'stale-b' }))).order.merchant_uid; // ready at T0+1s
      clock.advance();
      const c = (await store.create(newOrder({ merchant_uid: 'stale-c' }))).order.merchant_uid;
      clock.advance();
      await store.transition({ merchant_uid: c, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_c' }); // T0+3s
      clock.advance();
      const d = (await store.create(newOrder({ merchant_uid: 'stale-d' }))).order.merchant_uid;
      await store.transition(toPaid(d)); // paid: never stale for these states
      clock.advance();
      // a moves last, so it becomes the youngest.
      await store.transition({ merchant_uid: a, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_a' }); // T0+5s
      const uids = (orders: Order[]) => orders.map((o) => o.merchant_uid);
      const now = clock.at(1);
      assert.deepEqual(uids(await store.stale(['ready', 'vbank_issued'], now, 10)), [b, c, a]);
      assert.deepEqual(uids(await store.stale(['ready', 'vbank_issued'], now, 2)), [b, c]);
      assert.deepEqual(uids(await store.stale(['vbank_issued'], now, 10)), [c, a]);
      assert.deepEqual(uids(await store.stale(['ready'], now, 10)), [b]);
      // The cutoff is exclusive: c moved at exactly T0+3s.
      assert.deepEqual(uids(await store.stale(['ready', 'vbank_issued'], new Date(Date.parse(T0) + 3000), 10)), [b]);
      assert.deepEqual(uids(await store.stale(['ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'vbank_issued'], now, 10)), [b, c, a]);
      assert.deepEqual(await store.stale([], now, 10), []);
      assert.deepEqual(await store.stale(['ready'], now, 0), []);
      // `since` is inclusive: orders last moved before it (b at T0+1s) are no longer re-read.
      const since = new Date(Date.parse(T0) + 3000);
      assert.deepEqual(uids(await store.stale(['ready', 'vbank_issued'], now, 10, since)), [c, a]);
      assert.deepEqual(uids(await store.stale(['ready', 'vbank_issued'], now, 1, since)), [c], 'the window applies before the limit');
      const full = (await store.stale(['paid'], now, 10))[0]!;
      assert.deepEqual(full, await store.get(d), 'whole orders, history included');
    },
  ],
  [
    'stale() breaks ties of the same moment by merchant_uid',
    async ({ store }) => {
      for (const merchant_uid of ['tie-c', 'tie-a', 'tie-b']) await store.create(newOrder({ merchant_uid }));
      const orders = await store.stale(['ready'], new Date(Date.parse(T0) + 1), 10);
      assert.deepEqual(orders.map((o) => o.merchant_uid), ['tie-a', 'tie-b', 'tie-c']);
    },
  ],
  [
    'unfulfilled(): paid orders whose hook has not run, moved before the cutoff, oldest first, at most limit',
    async ({ store, clock }) => {
      const paid: string[] = [];
      for (let i = 0; i < 4; i++) {
        const { merchant_uid } = (await store.create(newOrder())).order;
        clock.advance();
        await store.transition(toPaid(merchant_uid));
        paid.push(merchant_uid);
      }
      await store.create(newOrder()); // ready: not listed
      const forged = (await store.create(newOrder())).order.merchant_uid;
      await store.transition({ merchant_uid: forged, to: 'forgery', from: ['ready'], via: 'complete', imp_uid: 'imp_f' });
      await store.markFulfilled(paid[1]!);
      const recent = clock.advance();
      await store.transition(toPaid((await store.create(newOrder())).order.merchant_uid)); // paid at the cutoff itself
      const uids = (orders: Order[]) => orders.map((o) => o.merchant_uid);
      assert.deepEqual(uids(await store.unfulfilled(new Date(recent), 10)), [paid[0], paid[2], paid[3]]);
      assert.deepEqual(uids(await store.unfulfilled(new Date(recent), 2)), [paid[0], paid[2]]);
      assert.deepEqual(await store.unfulfilled(new Date(recent), 0), []);
      assert.equal((await store.unfulfilled(clock.at(1), 10)).length, 4);
    },
  ],
  [
    'a bad limit is refused rather than read as "no limit"',
    async ({ store }) => {
      await assert.rejects(store.stale(['ready'], new Date(), -1), RangeError);
      await assert.rejects(store.unfulfilled(new Date(), 1.5), RangeError);
    },
  ],
  [
    'decimal amounts come back as exactly the number stored',
    async ({ store }) => {
      for (const amount of [10.1, 0.3, 1234567.89, 0.1, 0.000001, 19.99, 99999999.999999]) {
        const { merchant_uid } = (await store.create(newOrder({ amount, currency: 'USD' }))).order;
        const back = (await store.get(merchant_uid))!.amount;
        assert.ok(Object.is(back, amount), `${amount} came back as ${back}`);
        assert.ok(sameAmount(back, amount));
      }
    },
  ],
  [
    'large KRW integers come back exactly',
    async ({ store }) => {
      for (const amount of [50000, 1_000_000_000, 123_456_789_012, Number.MAX_SAFE_INTEGER, 1e20]) {
        const { merchant_uid } = (await store.create(newOrder({ amount }))).order;
        assert.ok(Object.is((await store.get(merchant_uid))!.amount, amount), String(amount));
      }
    },
  ],
  [
    'amounts that are not exact are refused and nothing is stored',
    async ({ store }) => {
      for (const amount of [Number.NaN, Number.POSITIVE_INFINITY, 0.1234567, 0.1 + 0.2, 1e21]) {
        const order = newOrder({ amount });
        await assert.rejects(store.create(order), RangeError, String(amount));
        assert.equal(await store.get(order.merchant_uid), null);
      }
    },
  ],
  [
    'unicode, quotes and SQL-looking text are stored as given',
    async ({ store }) => {
      const names = ['아메리카노 ☕ 𝄞 ü', "O'Brien \"quoted\" '); DROP TABLE orders; --", '', null];
      for (const name of names) {
        const merchant_uid = uid('주문-😀');
        await store.create(newOrder({ merchant_uid, name }));
        const order = (await store.get(merchant_uid))!;
        assert.equal(order.merchant_uid, merchant_uid);
        assert.equal(order.name, name);
      }
    },
  ],
  [
    'unknown states and an empty imp_uid are refused',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await assert.rejects(store.transition(toPaid(merchant_uid, { to: 'settled' as never })), TypeError);
      await assert.rejects(store.transition(toPaid(merchant_uid, { from: ['nowhere' as never] })), TypeError);
      await assert.rejects(store.transition(toPaid(merchant_uid, { imp_uid: '' })), TypeError);
      await assert.rejects(store.stale(['nowhere' as never], new Date(), 1), TypeError);
      assert.equal((await store.get(merchant_uid))!.state, 'ready');
    },
  ],
  [
    '50 concurrent transitions to paid: exactly one moves, one history entry',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.transition(toPaid(merchant_uid, { imp_uid: `imp_${i}`, via: i % 2 ? 'webhook' : 'complete' }))),
      );
      const winners = results.filter((r) => r.moved);
      assert.equal(winners.length, 1);
      const order = (await store.get(merchant_uid))!;
      assert.equal(order.history.filter((e) => e.state === 'paid').length, 1);
      assert.equal(order.imp_uid, winners[0]!.order!.imp_uid);
      for (const r of results) assert.equal(r.order!.state, 'paid');
    },
  ],
  [
    'after close every call rejects, and closing again is harmless',
    async ({ store }) => {
      await store.create(newOrder({ merchant_uid: 'closing' }));
      await store.close();
      await store.close();
      await assert.rejects(store.get('closing'), /closed/);
      await assert.rejects(store.create(newOrder()), /closed/);
      await assert.rejects(store.transition(toPaid('closing')), /closed/);
      await assert.rejects(store.markFulfilled('closing'), /closed/);
      await assert.rejects(store.stale(['ready'], new Date(), 1), /closed/);
      await assert.rejects(store.unfulfilled(new Date(), 1), /closed/);
    },
  ],
];

for (const kind of KINDS) {
  describe(`order store: ${kind.name}`, () => {
    for (const [title, behaviour] of BEHAVIOURS) {
      test(title, async () => {
        const clock = new TestClock();
        const { store, dispose } = await kind.open(clock.now);
        try {
          await behaviour({ store, clock });
        } finally {
          await dispose();
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite only.

/** Reads the file directly, past the store. */
function inspect<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('SQLite store', () => {
  test('creates the missing directories of the file, in WAL mode', async () => {
    const file = join(freshDir(), 'nested', 'deeper', 'orders.db');
    const store = await openSqliteStore(file);
    await store.close();
    assert.ok(existsSync(file));
    assert.equal(inspect(file, (db) => db.pragma('journal_mode', { simple: true })), 'wal');
  });

  test('orders, history and exact amounts persist across close and reopen; migrations run once', async () => {
    const file = join(freshDir(), 'orders.db');
    const clock = new TestClock();
    const first = await openSqliteStore(file, { clock: clock.now });
    const amounts = [10.1, 0.3, 1234567.89, 50000];
    const uids: string[] = [];
    for (const amount of amounts) uids.push((await first.create(newOrder({ amount, name: '주문 ☕' }))).order.merchant_uid);
    clock.advance();
    await first.transition(toPaid(uids[0]!, { via: 'webhook', imp_uid: 'imp_persist' }));
    await first.markFulfilled(uids[0]!);
    const before = await Promise.all(uids.map((u) => first.get(u)));
    await first.close();

    for (let round = 0; round < 2; round++) {
      const again = await openSqliteStore(file, { clock: clock.now });
      assert.deepEqual(await Promise.all(uids.map((u) => again.get(u))), before);
      await again.close();
    }
    const stored = inspect(file, (db) => ({
      versions: db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      amounts: db.prepare('SELECT amount FROM orders ORDER BY rowid').pluck().all(),
      paidImp: db.prepare("SELECT imp_uid FROM order_history WHERE state = 'paid'").pluck().all(),
    }));
    assert.deepEqual(stored.versions, MIGRATIONS.map((m) => m.version));
    // The canonical decimal text: what was meant, not a float's expansion.
    assert.deepEqual(stored.amounts, ['10.1', '0.3', '1234567.89', '50000']);
    assert.deepEqual(stored.paidImp, ['imp_persist']);
  });

  test('a database from a newer release is refused with a clear error, and left alone', async () => {
    const file = join(freshDir(), 'orders.db');
    await (await openSqliteStore(file)).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'from the future', T0);
    db.close();
    await assert.rejects(openSqliteStore(file), /schema is at version 999, newer than this verifier knows \(1\)/);
    assert.deepEqual(
      inspect(file, (d) => d.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()),
      [1, 999],
    );
  });

  test('pendingMigrations: in version order, skipping the applied ones', () => {
    const m = (version: number): Migration => ({ version, name: `m${version}`, statements: () => [] });
    assert.deepEqual(pendingMigrations([], [m(2), m(1), m(3)]).map((x) => x.version), [1, 2, 3]);
    assert.deepEqual(pendingMigrations([1, 2], [m(1), m(2), m(3)]).map((x) => x.version), [3]);
    assert.deepEqual(pendingMigrations([1, 2, 3], [m(1), m(2), m(3)]), []);
    assert.throws(() => pendingMigrations([4], [m(1)]), /version 4, newer than this verifier knows \(1\)/);
  });

  test('a failing migration leaves nothing half-applied and names itself', () => {
    const db = new Database(':memory:');
    try {
      const good: Migration = { version: 1, name: 'good', statements: () => ['CREATE TABLE a (x TEXT)'] };
      const bad: Migration = { version: 2, name: 'broken', statements: () => ['CREATE TABLE b (x TEXT)', 'NOT SQL AT ALL'] };
      assert.throws(() => migrateSqlite(db, [good, bad]), /migration 2 \(broken\) failed/);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      assert.deepEqual(tables, ['a', 'schema_migrations']);
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').pluck().all(), [1]);
      // Fixed, it applies on the next start.
      migrateSqlite(db, [good, { ...bad, statements: () => ['CREATE TABLE b (x TEXT)'] }]);
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(), [1, 2]);
    } finally {
      db.close();
    }
  });

  test('two connections on one file racing the same transitions: one winner each', async () => {
    const file = join(freshDir(), 'orders.db');
    const a = await openSqliteStore(file);
    const b = await openSqliteStore(file);
    try {
      const uids: string[] = [];
      for (let i = 0; i < 20; i++) uids.push((await a.create(newOrder())).order.merchant_uid);
      const race = uids.flatMap((u) => [
        a.transition(toPaid(u, { imp_uid: 'imp_a', via: 'complete' })),
        b.transition(toPaid(u, { imp_uid: 'imp_b', via: 'webhook' })),
      ]);
      const results = await Promise.all(race);
      for (let i = 0; i < uids.length; i++) {
        const pair = results.slice(2 * i, 2 * i + 2);
        assert.equal(pair.filter((r) => r.moved).length, 1, uids[i]);
        const order = (await b.get(uids[i]!))!;
        assert.equal(order.history.length, 2);
      }
      // A create through one connection is seen, and not repeated, through the other.
      const shared = newOrder();
      assert.equal((await a.create(shared)).created, true);
      assert.equal((await b.create(shared)).created, false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('several processes on one fresh file: migrations once, each transition won by exactly one', { timeout: 60_000 }, async () => {
    const file = join(freshDir(), 'orders.db');
    const uids = Array.from({ length: 200 }, () => uid('proc'));
    // All of them open (and so migrate) the fresh file at the same time; then the orders, then go.
    const workers = await startRaceProcesses({ file }, uids);
    try {
      const store = await openSqliteStore(file);
      for (const merchant_uid of uids) await store.create(newOrder({ merchant_uid }));
      for (const w of workers) w.go();
      const won = (await Promise.all(workers.map((w) => w.done))).flat();
      assert.deepEqual([...won].sort(), [...uids].sort(), 'every order moved by exactly one process');
      for (const merchant_uid of uids) {
        const order = (await store.get(merchant_uid))!;
        assert.deepEqual(order.history.map((e) => e.state), ['ready', 'paid']);
      }
      await store.close();
      assert.deepEqual(inspect(file, (db) => db.prepare('SELECT version FROM schema_migrations').pluck().all()), [1]);
    } finally {
      for (const w of workers) w.kill();
    }
  });
});

// A separate Node process running the real store module. Says "loaded" once its modules are loaded; on a line on
// stdin opens (so migrates) the SQLite `file` or the PostgreSQL `url` and says "ready"; on the next line moves
// each order to paid and prints the merchant_uids it moved as JSON. The first step apart from the second, so
// that the processes' start-up times do not spread their migrations apart.
const RACE_SCRIPT = `
  const input = JSON.parse(process.env.RACE_INPUT);
  const { createInterface } = await import('node:readline');
  const stores = await import(input.url ? input.postgres : input.sqlite);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('loaded\\n');
  await lines.next();
  const store = input.url ? await stores.openPostgresStore(input.url) : await stores.openSqliteStore(input.file);
  process.stdout.write('ready\\n');
  await lines.next();
  const moved = [];
  for (const merchant_uid of input.uids) {
    const result = await store.transition({ merchant_uid, to: 'paid', from: ['ready'], via: 'webhook', imp_uid: input.imp_uid });
    if (result.moved) moved.push(merchant_uid);
  }
  await store.close();
  process.stdout.write(JSON.stringify(moved) + '\\n');
  process.exit(0);
`;

type RaceTarget = { file: string } | { url: string };

/**
 * Four race processes (two taking the orders in the opposite order), told to open the store at the same moment
 * once all are loaded; resolves when all have opened. On failure none is left running.
 */
async function startRaceProcesses(target: RaceTarget, uids: string[]) {
  const workers = Array.from({ length: 4 }, (_, i) => startRaceProcess(target, i % 2 ? [...uids].reverse() : uids, `imp_p${i}`));
  try {
    await Promise.all(workers.map((w) => w.loaded));
    for (const w of workers) w.open();
    await Promise.all(workers.map((w) => w.ready));
    return workers;
  } catch (error) {
    for (const w of workers) w.kill();
    throw error;
  }
}

function startRaceProcess(target: RaceTarget, uids: string[], impUid: string) {
  const sqlite = new URL('../../server/store/sqlite.ts', import.meta.url).href;
  const postgres = new URL('../../server/store/postgres.ts', import.meta.url).href;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RACE_SCRIPT], {
    env: { ...process.env, RACE_INPUT: JSON.stringify({ sqlite, postgres, ...target, uids, imp_uid: impUid }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = new Promise<never>((_, reject) =>
    child.on('exit', (code) => code !== 0 && reject(new Error(`race process exited with ${code}: ${stderr}`))),
  );
  failed.catch(() => {}); // observed through ready / done
  const nextLine = async () => (await Promise.race([lines.next(), failed])).value as string;
  const loaded = nextLine().then((line) => assert.equal(line, 'loaded', stderr));
  const ready = loaded.then(nextLine).then((line) => assert.equal(line, 'ready', stderr));
  return {
    loaded,
    open: () => child.stdin.write('open\n'),
    ready,
    go: () => child.stdin.write('go\n'),
    done: ready.then(nextLine).then((line) => JSON.parse(line) as string[]),
    kill: () => child.exitCode === null && child.kill(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL only (when TEST_DATABASE_URL is set).

/** Every row of `sql` (schema-qualified by the caller), past the store. */
async function pgRows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await admin().query<T>(sql, params)).rows;
}

async function versions(schema: string): Promise<number[]> {
  return (await pgRows<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).map((r) => r.version);
}

/** TEST_DATABASE_URL with the search_path of every connection set to `schema`, as an operator might configure it. */
function urlWithSearchPath(schema: string): string {
  const url = new URL(PG_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.href;
}

if (PG_URL) {
  describe('PostgreSQL store', () => {
    test('orders, history and exact amounts persist across close and reopen; migrations run once', () =>
      withSchema(async (schema) => {
        const clock = new TestClock();
        const first = await openPostgresStore(PG_URL, { schema, clock: clock.now });
        const amounts = [10.1, 0.3, 1234567.89, 50000];
        const uids: string[] = [];
        for (const amount of amounts) uids.push((await first.create(newOrder({ amount, name: '주문 ☕' }))).order.merchant_uid);
        clock.advance();
        await first.transition(toPaid(uids[0]!, { via: 'webhook', imp_uid: 'imp_persist' }));
        await first.markFulfilled(uids[0]!);
        const before = await Promise.all(uids.map((u) => first.get(u)));
        await first.close();

        for (let round = 0; round < 2; round++) {
          const again = await openPostgresStore(PG_URL, { schema, clock: clock.now });
          assert.deepEqual(await Promise.all(uids.map((u) => again.get(u))), before);
          await again.close();
        }
        assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
        const stored = await pgRows<{ merchant_uid: string; amount: string }>(`SELECT merchant_uid, amount FROM "${schema}".orders`);
        const amountOf = new Map(stored.map((r) => [r.merchant_uid, r.amount]));
        // The canonical decimal text: what was meant, not a float's expansion.
        assert.deepEqual(uids.map((u) => amountOf.get(u)), ['10.1', '0.3', '1234567.89', '50000']);
        const paid = await pgRows<{ imp_uid: string }>(`SELECT imp_uid FROM "${schema}".order_history WHERE state = 'paid'`);
        assert.deepEqual(paid.map((r) => r.imp_uid), ['imp_persist']);
      }));

    test('without the schema option: the tables go to the current schema of the connection', () =>
      withSchema(async (schema) => {
        await admin().query(`CREATE SCHEMA "${schema}"`);
        const store = await openPostgresStore(urlWithSearchPath(schema));
        const order = newOrder();
        await store.create(order);
        await store.close();
        assert.deepEqual(await pgRows(`SELECT merchant_uid FROM "${schema}".orders`), [{ merchant_uid: order.merchant_uid }]);
        // A search_path naming no existing schema: nowhere to put the tables.
        await assert.rejects(openPostgresStore(urlWithSearchPath(`${schema}_missing`)), /no schema for the order tables/);
      }));

    test('a database from a newer release is refused with a clear error, and left alone', () =>
      withSchema(async (schema) => {
        await (await openPostgresStore(PG_URL, { schema })).close();
        await admin().query(`INSERT INTO "${schema}".schema_migrations (version, name, applied_at) VALUES (999, 'from the future', $1)`, [T0]);
        await assert.rejects(openPostgresStore(PG_URL, { schema }), /schema is at version 999, newer than this verifier knows \(1\)/);
        // Through openStore, the message names the database too.
        await assert.rejects(openStore(PG_URL, { schema }), (error: Error) => {
          assert.ok(error.message.startsWith(`DATABASE_URL ${PG_URL}: the database schema is at version 999`), error.message);
          return true;
        });
        assert.deepEqual(await versions(schema), [1, 999]);
        // The migration lock was given back: another start is refused at once rather than hanging.
        await assert.rejects(openPostgresStore(PG_URL, { schema }), /version 999/);
      }));

    test('a failing migration leaves nothing half-applied and names itself', () =>
      withSchema(async (schema) => {
        await admin().query(`CREATE SCHEMA "${schema}"`);
        const client = await admin().connect();
        try {
          const good: Migration = { version: 1, name: 'good', statements: () => ['CREATE TABLE a (x TEXT)'] };
          const bad: Migration = { version: 2, name: 'broken', statements: () => ['CREATE TABLE b (x TEXT)', 'NOT SQL AT ALL'] };
          await assert.rejects(migratePostgres(client, schema, { known: [good, bad] }), /migration 2 \(broken\) failed: syntax error/);
          const tables = await pgRows<{ name: string }>(
            'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
            [schema],
          );
          assert.deepEqual(tables.map((t) => t.name), ['a', 'schema_migrations']);
          assert.deepEqual(await versions(schema), [1]);
          // Fixed, it applies on the next start.
          await migratePostgres(client, schema, { known: [good, { ...bad, statements: () => ['CREATE TABLE b (x TEXT)'] }] });
          assert.deepEqual(await versions(schema), [1, 2]);
          const held = await client.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
          assert.equal(held.rows[0].n, 0, 'the advisory lock is released');
        } finally {
          client.release();
        }
      }));

    test('two pools (as two processes) racing 200 transitions: each order moves exactly once', { timeout: 60_000 }, () =>
      withSchema(async (schema) => {
        const a = await openPostgresStore(PG_URL, { schema });
        const b = await openPostgresStore(PG_URL, { schema });
        try {
          const uids: string[] = [];
          for (let i = 0; i < 200; i++) uids.push((await a.create(newOrder())).order.merchant_uid);
          const viaA = (u: string) => a.transition(toPaid(u, { imp_uid: 'imp_a', via: 'complete' }));
          const viaB = (u: string) => b.transition(toPaid(u, { imp_uid: 'imp_b', via: 'webhook' }));
          // All 400 at once, each pair started in turn by one pool then the other; results kept as [a, b].
          const results = await Promise.all(
            uids.flatMap((u, i) => {
              if (i % 2 === 0) return [viaA(u), viaB(u)];
              const fromB = viaB(u);
              return [viaA(u), fromB];
            }),
          );
          for (let i = 0; i < uids.length; i++) {
            const pair = results.slice(2 * i, 2 * i + 2);
            const winners = pair.filter((r) => r.moved);
            assert.equal(winners.length, 1, uids[i]);
            const order = (await b.get(uids[i]!))!;
            assert.deepEqual(order.history.map((e) => e.state), ['ready', 'paid']);
            assert.equal(order.imp_uid, winners[0]!.order!.imp_uid);
            for (const r of pair) assert.equal(r.order!.state, 'paid');
          }
          const [{ n }] = await pgRows<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".order_history WHERE state = 'paid'`);
          assert.equal(n, 200);
          // A create through one pool is seen, and not repeated, through the other; so are racing creates.
          const shared = newOrder();
          const creates = await Promise.all([a.create(shared), b.create(shared), a.create(shared), b.create(shared)]);
          assert.equal(creates.filter((c) => c.created).length, 1);
          assert.equal((await a.get(shared.merchant_uid))!.history.length, 1);
          // markFulfilled raced from both: true once.
          const fulfilled = await Promise.all(uids.slice(0, 20).flatMap((u) => [a.markFulfilled(u), b.markFulfilled(u)]));
          assert.equal(fulfilled.filter(Boolean).length, 20);
        } finally {
          await a.close();
          await b.close();
        }
      }));

    test('four processes starting at once on an empty schema: migrations once, each transition won by exactly one', { timeout: 60_000 }, () =>
      withSchema(async (schema) => {
        // As an empty database: the schema exists, holds nothing, and is the connections' current schema.
        await admin().query(`CREATE SCHEMA "${schema}"`);
        const url = urlWithSearchPath(schema);
        const uids = Array.from({ length: 200 }, () => uid('pgproc'));
        const workers = await startRaceProcesses({ url }, uids);
        try {
          assert.deepEqual(await versions(schema), [1]);
          const store = await openPostgresStore(url);
          try {
            for (const merchant_uid of uids) await store.create(newOrder({ merchant_uid }));
            for (const w of workers) w.go();
            const won = (await Promise.all(workers.map((w) => w.done))).flat();
            assert.deepEqual([...won].sort(), [...uids].sort(), 'every order moved by exactly one process');
            for (const merchant_uid of uids) {
              const order = (await store.get(merchant_uid))!;
              assert.deepEqual(order.history.map((e) => e.state), ['ready', 'paid']);
            }
          } finally {
            await store.close();
          }
          assert.deepEqual(await versions(schema), [1]);
        } finally {
          for (const w of workers) w.kill();
        }
      }));
  });
}

// ---------------------------------------------------------------------------------------------------------------

describe('openStore(DATABASE_URL)', () => {
  test('memory: is the in-memory store', async () => {
    const store = await openStore('memory:');
    assert.ok(store instanceof MemoryOrderStore);
    await store.close();
  });

  test('sqlite::memory: is a private SQLite database', async () => {
    const store = await openStore('sqlite::memory:');
    assert.ok(store instanceof SqliteOrderStore);
    assert.equal((await store.create(newOrder())).created, true);
    await store.close();
  });

  test('sqlite:PATH takes a path relative to the working directory, or an absolute one', async () => {
    const dir = freshDir();
    const rel = relative(process.cwd(), join(dir, 'rel', 'orders.db'));
    assert.ok(!rel.startsWith('/'), rel);
    const cases = [`sqlite:${rel}`, `sqlite:${join(dir, 'abs', 'orders.db')}`, `sqlite://${join(dir, 'slashes', 'orders.db')}`];
    for (const url of cases) {
      const store = await openStore(url);
      const order = newOrder();
      await store.create(order);
      await store.close();
      const reopened = await openStore(url);
      assert.equal((await reopened.get(order.merchant_uid))?.merchant_uid, order.merchant_uid, url);
      await reopened.close();
    }
    for (const sub of ['rel', 'abs', 'slashes']) assert.ok(existsSync(join(dir, sub, 'orders.db')), sub);
  });

  if (PG_URL) {
    test('postgres:// and postgresql:// are the PostgreSQL store', async () => {
      for (const url of [PG_URL, PG_URL.replace(/^postgres(ql)?:/, 'postgresql:')]) {
        await withSchema(async (schema) => {
          const store = await openStore(url, { schema });
          assert.ok(store instanceof PostgresOrderStore, url);
          assert.equal((await store.create(newOrder())).created, true);
          await store.close();
        });
      }
    });
  }

  test('a PostgreSQL that cannot be reached is a clear error naming the URL (without its password)', async () => {
    // Port 1 on loopback: refused at once, no server needed.
    for (const url of ['postgres://app:s3cret@127.0.0.1:1/orders', 'postgresql://app:s3cret@127.0.0.1:1/orders?password=s3cret']) {
      await assert.rejects(openStore(url), (error: Error) => {
        assert.match(error.message, /^DATABASE_URL postgres(ql)?:\/\/app:\*\*\*@127\.0\.0\.1:1\/orders(\?password=\*\*\*)?: cannot connect to PostgreSQL: .*ECONNREFUSED/);
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      });
    }
  });

  test('anything else is a clear error naming the URL (without its password)', async () => {
    await assert.rejects(openStore('mysql://db.example/orders'), /DATABASE_URL mysql:\/\/db\.example\/orders is not supported/);
    await assert.rejects(openStore('./orders.db'), /DATABASE_URL \.\/orders\.db is not supported/);
    await assert.rejects(openStore(''), /DATABASE_URL {2}is not supported/);
    await assert.rejects(openStore('sqlite:'), /DATABASE_URL sqlite: names no file/);
    await assert.rejects(openStore('sqlite://host/orders.db'), /sqlite:\/\/host\/orders\.db: sqlite: takes a path, not a host/);
  });
});
