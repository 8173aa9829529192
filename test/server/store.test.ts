// The order store's contract (server/store/types.ts), as one table of behaviours run against every store, then
// what only SQLite has: a file that outlives the process, migrations (migration 2 over a database that migration 1
// alone made), several connections and processes on one file; then the same for PostgreSQL (when
// TEST_DATABASE_URL names a database: every test in a schema of its own, dropped afterwards); then `openStore`'s
// reading of DATABASE_URL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sameAmount } from '../../lib/money.js';
import { openStore } from '../../server/store/index.js';
import { MemoryOrderStore } from '../../server/store/memory.js';
import { MIGRATIONS, type Migration, migrateSqlite, pendingMigrations } from '../../server/store/migrations.js';
import { migratePostgres, openPostgresStore, PostgresOrderStore } from '../../server/store/postgres.js';
import { openSqliteStore, SqliteOrderStore } from '../../server/store/sqlite.js';
import type {
  Disposition,
  Fulfilment,
  NewOrder,
  Order,
  OrderStore,
  PaymentEntry,
  PaymentRecord,
  ReconcileClaim,
  RefundReason,
  Transition,
} from '../../server/store/types.js';

const T0 = '2025-01-01T00:00:00.000Z';
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

/** A clock the test moves by hand, so timestamps, ages and leases are exact. */
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
  /** Moves to T0 + `ms` and returns the new time. */
  set(ms: number): string {
    this.#ms = Date.parse(T0) + ms;
    return this.iso;
  }
  at(offsetMs: number): Date {
    return new Date(this.#ms + offsetMs);
  }
}

/** T0 + `ms`, as a Date and as ISO text. */
const t = (ms: number): Date => new Date(Date.parse(T0) + ms);
const iso = (ms: number): string => t(ms).toISOString();

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

function payment(impUid: string, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return { imp_uid: impUid, amount: 50000, currency: 'KRW', status: 'paid', disposition: 'settled', refund_reason: null, ...overrides };
}

const NO_FULFILMENT: Fulfilment = { state: 'none', attempts: 0, at: null, error: null, hook_done: false };
const OWED: Fulfilment = { state: 'pending', attempts: 0, at: null, error: null, hook_done: false };

/** The order `create` makes of `order` at `at`. */
function freshOrder(order: NewOrder, at = T0): Order {
  return {
    merchant_uid: order.merchant_uid,
    version: order.version ?? 'v1',
    amount: order.amount,
    currency: order.currency,
    name: order.name,
    items: order.items ?? null,
    state: 'ready',
    imp_uid: null,
    history: [{ state: 'ready', at, via: 'prepare' }],
    payments: [],
    fulfilment: NO_FULFILMENT,
    created_at: at,
    updated_at: at,
    checked_at: null,
  };
}

/** Far enough for every order a test makes, and still a 4-digit year. */
const EVER = new Date('9999-01-01T00:00:00.000Z');

function claimAll(overrides: Partial<ReconcileClaim> = {}): ReconcileClaim {
  return { before: EVER, since: new Date(0), limit: 100, owner: 'reconciler', leaseMs: 60_000, ...overrides };
}

const uids = (orders: Order[]) => orders.map((o) => o.merchant_uid);

/** Text that no database may be handed: NUL, and UTF-16 that is not UTF-8 (unpaired surrogates, in either order). */
const UNSTORABLE = ['a\0b', '\0', 'x\uD800', '\uDC00y', '\uDBFF\uDBFF', '\uDC00\uD800', '😀'.slice(0, 1)];

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
  // --- create and get ------------------------------------------------------------------------------------------
  [
    'create stores a ready order with its first history entry, no payments, no fulfilment owed',
    async ({ store, clock }) => {
      const order = newOrder({ amount: 12000, name: 'Tea' });
      const result = await store.create(order);
      const expected = freshOrder(order);
      assert.deepEqual(result, { created: true, order: expected });
      clock.advance();
      assert.deepEqual(await store.get(order.merchant_uid), expected);
    },
  ],
  [
    'create again returns the stored order untouched with created false',
    async ({ store, clock }) => {
      const first = (await store.create(newOrder({ amount: 1000, name: 'first', items: [{ id: 'a', quantity: 1 }] }))).order;
      clock.advance();
      const again = await store.create({ merchant_uid: first.merchant_uid, amount: 9999, currency: 'USD', name: 'second', items: null });
      assert.deepEqual(again, { created: false, order: first });
      assert.deepEqual(await store.get(first.merchant_uid), first);
    },
  ],
  [
    'items are stored as given (any id text), only id and quantity; bad items are refused',
    async ({ store }) => {
      const items = [
        { id: 'coffee-1kg', quantity: 2 },
        { id: "O'Brien \"tea\" '); DROP TABLE orders; --", quantity: 1 },
        { id: 'nul\0 and lone \uD800 and 𝄞', quantity: Number.MAX_SAFE_INTEGER },
      ];
      const order = newOrder({ items: items.map((item) => ({ ...item, price: 100 }) as never) });
      assert.deepEqual((await store.create(order)).order.items, items);
      assert.deepEqual((await store.get(order.merchant_uid))!.items, items);
      const empty = newOrder({ items: [] });
      assert.deepEqual((await store.create(empty)).order.items, []);
      const none = newOrder({ items: undefined });
      assert.equal((await store.create(none)).order.items, null);
      const bad: unknown[] = ['coffee', [{ id: 1, quantity: 1 }], [{ id: 'a', quantity: 0 }], [{ id: 'a', quantity: 1.5 }], [{ id: 'a' }], [null]];
      for (const wrong of bad) {
        const refused = newOrder({ items: wrong as never });
        await assert.rejects(store.create(refused), TypeError, JSON.stringify(wrong));
        assert.equal(await store.get(refused.merchant_uid), null);
      }
    },
  ],
  [
    'an unknown order: get null, transition not moved with order null, recordPayment null, no claim, no lease',
    async ({ store }) => {
      assert.equal(await store.get('nobody'), null);
      assert.deepEqual(await store.transition(toPaid('nobody')), { moved: false, order: null });
      assert.deepEqual(await store.transition(toPaid('nobody', { from: [] })), { moved: false, order: null });
      assert.equal(await store.recordPayment('nobody', payment('imp_nobody')), null);
      assert.equal(await store.claimFulfilment('nobody', 'w1', 1000), null);
      assert.equal(await store.renewFulfilment('nobody', 'w1', 1000), false);
      assert.equal(await store.finishFulfilment('nobody', 'w1', { ok: true }), false);
      await store.releaseReconcile('nobody', 'r1');
      assert.equal(await store.get('nobody'), null);
    },
  ],

  // --- transitions ---------------------------------------------------------------------------------------------
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
    'history lists every transition oldest first, with via (console included) and at',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const issued = clock.advance();
      assert.equal((await store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_v' })).moved, true);
      const paid = clock.advance(60_000);
      assert.equal((await store.transition(toPaid(merchant_uid, { from: ['vbank_issued'], via: 'webhook', imp_uid: 'imp_v' }))).moved, true);
      const cancelled = clock.advance();
      assert.equal((await store.transition({ merchant_uid, to: 'cancelled', from: ['paid'], via: 'console', imp_uid: 'imp_v' })).moved, true);
      const reopened = clock.advance();
      assert.equal((await store.transition({ merchant_uid, to: 'paid', from: ['cancelled'], via: 'reconcile', imp_uid: 'imp_w' })).moved, true);
      assert.deepEqual((await store.get(merchant_uid))!.history, [
        { state: 'ready', at: T0, via: 'prepare' },
        { state: 'vbank_issued', at: issued, via: 'complete' },
        { state: 'paid', at: paid, via: 'webhook' },
        { state: 'cancelled', at: cancelled, via: 'console' },
        { state: 'paid', at: reopened, via: 'reconcile' },
      ]);
    },
  ],
  [
    'history keeps its order when entries share a millisecond',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_1' });
      await store.transition(toPaid(merchant_uid, { via: 'webhook' }));
      await store.transition({ merchant_uid, to: 'cancelled', from: ['paid'], via: 'console', imp_uid: 'imp_1' });
      await store.transition({ merchant_uid, to: 'failed', from: ['cancelled'], via: 'reconcile', imp_uid: 'imp_1' });
      const states = (await store.get(merchant_uid))!.history.map((e) => e.state);
      assert.deepEqual(states, ['ready', 'vbank_issued', 'paid', 'cancelled', 'failed']);
    },
  ],
  [
    'fromImpUid: only from the payments it names; null names an order no payment has moved yet',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const issue = (fromImpUid: Array<string | null>) =>
        store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_v', fromImpUid });
      assert.equal((await issue(['imp_v'])).moved, false, 'a ready order has no payment yet');
      assert.equal((await issue([])).moved, false, 'none listed: nothing moves');
      const issuedAt = clock.advance();
      assert.equal((await issue(['imp_other', null])).moved, true);
      const pay = (fromImpUid: Array<string | null> | undefined, imp_uid = 'imp_paid') =>
        store.transition(toPaid(merchant_uid, { from: ['vbank_issued'], imp_uid, fromImpUid }));
      assert.equal((await pay([null])).moved, false, 'the order has a payment now');
      assert.equal((await pay(['imp_other'])).moved, false);
      const stillIssued = (await store.get(merchant_uid))!;
      assert.equal(stillIssued.state, 'vbank_issued');
      assert.equal(stillIssued.imp_uid, 'imp_v');
      assert.equal(stillIssued.updated_at, issuedAt);
      const paid = await pay(['imp_x', 'imp_v'], 'imp_deposit');
      assert.equal(paid.moved, true);
      assert.equal(paid.order!.imp_uid, 'imp_deposit');
      // The failure of this very payment, from ready (no payment yet) or from its own account.
      const other = (await store.create(newOrder())).order.merchant_uid;
      const fail = (imp_uid: string) => store.transition({ merchant_uid: other, to: 'failed', from: ['ready', 'vbank_issued'], via: 'webhook', imp_uid, fromImpUid: [null, imp_uid] });
      assert.equal((await fail('imp_f1')).moved, true);
      const retried = await store.transition({ merchant_uid: other, to: 'paid', from: ['failed'], via: 'complete', imp_uid: 'imp_f2', fromImpUid: ['imp_f2'] });
      assert.equal(retried.moved, false, 'the order failed by another payment');
      // Omitted: any payment.
      assert.equal((await store.transition({ merchant_uid: other, to: 'paid', from: ['failed'], via: 'complete', imp_uid: 'imp_f2' })).moved, true);
    },
  ],
  [
    'a transition records its payment in the same step, and only when it moves',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const at = clock.advance();
      const moved = await store.transition(toPaid(merchant_uid, { imp_uid: 'imp_1', payment: payment('imp_1') }));
      assert.equal(moved.moved, true);
      assert.deepEqual(moved.order!.payments, [{ ...payment('imp_1'), at }]);
      assert.deepEqual((await store.get(merchant_uid))!.payments, [{ ...payment('imp_1'), at }]);
      // Not moved (already paid): its payment is not recorded.
      clock.advance();
      const again = await store.transition(toPaid(merchant_uid, { imp_uid: 'imp_2', payment: payment('imp_2') }));
      assert.equal(again.moved, false);
      assert.deepEqual(again.order!.payments, [{ ...payment('imp_1'), at }]);
      // Not moved (not from a listed state, or not from the payment named): nothing recorded either.
      const other = (await store.create(newOrder())).order.merchant_uid;
      assert.equal((await store.transition(toPaid(other, { from: ['vbank_issued'], imp_uid: 'imp_3', payment: payment('imp_3') }))).moved, false);
      assert.equal((await store.transition(toPaid(other, { fromImpUid: ['imp_9'], imp_uid: 'imp_3', payment: payment('imp_3') }))).moved, false);
      assert.deepEqual((await store.get(other))!.payments, []);
      // So recording it now is a first sighting.
      const seen = clock.advance();
      assert.deepEqual(await store.recordPayment(other, payment('imp_3', { disposition: 'not_paid', status: 'ready' })), {
        ...payment('imp_3', { disposition: 'not_paid', status: 'ready' }),
        at: seen,
      });
    },
  ],
  [
    "a transition's payment merges with the entry already recorded, which keeps its first sighting",
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const first = clock.advance();
      await store.recordPayment(merchant_uid, payment('imp_v', { status: 'ready', disposition: 'not_paid' }));
      clock.advance();
      await store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_v', payment: payment('imp_v', { status: 'ready' }) });
      clock.advance();
      const paid = await store.transition(toPaid(merchant_uid, { from: ['vbank_issued'], imp_uid: 'imp_v', payment: payment('imp_v', { amount: 50000 }) }));
      assert.deepEqual(paid.order!.payments, [{ ...payment('imp_v'), at: first }]);
    },
  ],
  [
    'a transition whose payment cannot be recorded does not move (one step, all or nothing)',
    async ({ store, clock }) => {
      const owner = (await store.create(newOrder())).order.merchant_uid;
      await store.recordPayment(owner, payment('imp_shared', { status: 'ready', disposition: 'not_paid' }));
      const ownerBefore = (await store.get(owner))!;
      const before = (await store.create(newOrder())).order;
      clock.advance();
      // A PortOne payment belongs to one order: recording it for another is refused, whatever the store.
      await assert.rejects(store.transition(toPaid(before.merchant_uid, { imp_uid: 'imp_shared', payment: payment('imp_shared') })), /another order/);
      await assert.rejects(store.recordPayment(before.merchant_uid, payment('imp_shared')), /another order/);
      // A payment that is not one: refused before anything moves.
      await assert.rejects(store.transition(toPaid(before.merchant_uid, { payment: payment('imp_001', { disposition: 'kept' as never }) })), TypeError);
      await assert.rejects(store.transition(toPaid(before.merchant_uid, { payment: payment('imp_001', { amount: Number.NaN }) })), RangeError);
      assert.deepEqual(await store.get(before.merchant_uid), before);
      assert.deepEqual(await store.get(owner), ownerBefore);
      assert.deepEqual(await store.dueFulfilments(10), []);
    },
  ],
  [
    'moving to paid makes the fulfilment pending in the same step, due at once; other moves owe nothing',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      clock.advance();
      const issued = await store.transition({ merchant_uid, to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_v' });
      assert.deepEqual(issued.order!.fulfilment, NO_FULFILMENT);
      assert.deepEqual(await store.dueFulfilments(10), []);
      clock.advance();
      const paid = await store.transition(toPaid(merchant_uid, { from: ['vbank_issued'], imp_uid: 'imp_v' }));
      assert.deepEqual(paid.order!.fulfilment, OWED);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, OWED);
      assert.deepEqual(await store.dueFulfilments(10), [merchant_uid]);
      // A second arrival at paid is no move and owes nothing more.
      assert.equal((await store.transition(toPaid(merchant_uid, { from: ['vbank_issued', 'paid'], imp_uid: 'imp_2' }))).moved, false);
      const failed = (await store.create(newOrder())).order.merchant_uid;
      await store.transition({ merchant_uid: failed, to: 'failed', from: ['ready'], via: 'webhook', imp_uid: 'imp_f' });
      assert.deepEqual((await store.get(failed))!.fulfilment, NO_FULFILMENT);
      assert.deepEqual(await store.dueFulfilments(10), [merchant_uid]);
    },
  ],
  [
    'the fulfilment is owed once: paid again after a cancel neither repeats nor resets it',
    async ({ store, clock }) => {
      // Delivered, then cancelled on the console, then paid again: still delivered.
      const done = (await store.create(newOrder())).order.merchant_uid;
      await store.transition(toPaid(done, { imp_uid: 'imp_d1' }));
      const claimedAt = clock.advance();
      assert.notEqual(await store.claimFulfilment(done, 'w1', 10_000), null);
      const doneAt = clock.advance();
      assert.equal(await store.finishFulfilment(done, 'w1', { ok: true }), true);
      clock.advance();
      await store.transition({ merchant_uid: done, to: 'cancelled', from: ['paid'], via: 'console', imp_uid: 'imp_d1' });
      clock.advance();
      const again = await store.transition({ merchant_uid: done, to: 'paid', from: ['cancelled'], via: 'webhook', imp_uid: 'imp_d2' });
      assert.equal(again.moved, true);
      assert.deepEqual(again.order!.fulfilment, { state: 'done', attempts: 1, at: doneAt, error: null, hook_done: false });
      assert.notEqual(claimedAt, doneAt);
      // Failed once and waiting for its retry, then cancelled and paid again: same attempts, same retry time.
      const waiting = (await store.create(newOrder())).order.merchant_uid;
      await store.transition(toPaid(waiting, { imp_uid: 'imp_w1' }));
      const attemptAt = clock.advance();
      assert.notEqual(await store.claimFulfilment(waiting, 'w1', 10_000), null);
      await store.finishFulfilment(waiting, 'w1', { ok: false, retryAt: clock.at(60_000), error: 'HTTP 503' });
      await store.transition({ merchant_uid: waiting, to: 'cancelled', from: ['paid'], via: 'console', imp_uid: 'imp_w1' });
      await store.transition({ merchant_uid: waiting, to: 'paid', from: ['cancelled'], via: 'webhook', imp_uid: 'imp_w2' });
      assert.deepEqual((await store.get(waiting))!.fulfilment, { state: 'pending', attempts: 1, at: attemptAt, error: 'HTTP 503', hook_done: false });
      assert.deepEqual(await store.dueFulfilments(10), [], 'not due before its retry time');
      clock.advance(60_000);
      assert.deepEqual(await store.dueFulfilments(10), [waiting]);
    },
  ],
  [
    'returned orders are copies: changing one does not change the store',
    async ({ store }) => {
      const { order } = await store.create(newOrder({ items: [{ id: 'a', quantity: 1 }] }));
      order.state = 'paid';
      order.history.push({ state: 'paid', at: T0, via: 'webhook' });
      order.history[0]!.via = 'reconcile';
      order.items![0]!.quantity = 99;
      order.payments.push({ ...payment('imp_x'), at: T0 });
      order.fulfilment.state = 'done';
      const stored = (await store.get(order.merchant_uid))!;
      assert.equal(stored.state, 'ready');
      assert.deepEqual(stored.history, [{ state: 'ready', at: T0, via: 'prepare' }]);
      assert.deepEqual(stored.items, [{ id: 'a', quantity: 1 }]);
      assert.deepEqual(stored.payments, []);
      assert.deepEqual(stored.fulfilment, NO_FULFILMENT);
      const entry = (await store.recordPayment(order.merchant_uid, payment('imp_y')))!;
      entry.disposition = 'refunded_forgery';
      const paid = (await store.transition(toPaid(order.merchant_uid, { imp_uid: 'imp_y' }))).order!;
      paid.payments[0]!.status = 'cancelled';
      const claim = (await store.claimFulfilment(order.merchant_uid, 'w1', 1000))!;
      claim.order.fulfilment.attempts = 7;
      const again = (await store.get(order.merchant_uid))!;
      assert.deepEqual(again.payments.map((p) => [p.disposition, p.status]), [['settled', 'paid']]);
      assert.equal(again.fulfilment.attempts, 1);
    },
  ],
  [
    'bookkeeping is not a move: payments, fulfilment and reconcile leave state, updated_at and history alone',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const movedAt = clock.advance();
      await store.transition(toPaid(merchant_uid));
      const moved = (await store.get(merchant_uid))!;
      clock.advance();
      await store.recordPayment(merchant_uid, payment('imp_other', { disposition: 'refund_pending', refund_reason: 'duplicate' }));
      clock.advance();
      await store.claimFulfilment(merchant_uid, 'w1', 1000);
      await store.renewFulfilment(merchant_uid, 'w1', 1000);
      await store.finishFulfilment(merchant_uid, 'w1', { ok: true });
      clock.advance();
      await store.claimForReconcile(claimAll());
      await store.releaseReconcile(merchant_uid, 'reconciler');
      const after = (await store.get(merchant_uid))!;
      assert.equal(after.state, 'paid');
      assert.equal(after.updated_at, movedAt);
      assert.deepEqual(after.history, moved.history);
    },
  ],

  // --- the payments ledger -------------------------------------------------------------------------------------
  [
    'recordPayment inserts, then refreshes status, amount and currency; the first sighting stays; null for an unknown order',
    async ({ store, clock }) => {
      assert.equal(await store.recordPayment('nobody', payment('imp_1')), null);
      const { merchant_uid } = (await store.create(newOrder())).order;
      assert.equal(await store.recordPayment('nobody', payment('imp_1')), null, 'not for an unknown order, even with a known payment id');
      const first = clock.advance();
      const inserted = await store.recordPayment(merchant_uid, payment('imp_1', { status: 'ready', disposition: 'not_paid', amount: 49000 }));
      assert.deepEqual(inserted, { ...payment('imp_1', { status: 'ready', disposition: 'not_paid', amount: 49000 }), at: first });
      clock.advance();
      const updated = await store.recordPayment(merchant_uid, payment('imp_1', { status: 'paid', currency: 'USD', amount: 50.5 }));
      const expected: PaymentEntry = { ...payment('imp_1', { status: 'paid', currency: 'USD', amount: 50.5 }), at: first };
      assert.deepEqual(updated, expected);
      const order = (await store.get(merchant_uid))!;
      assert.deepEqual(order.payments, [expected]);
      assert.equal(order.state, 'ready');
    },
  ],
  [
    'payments are listed oldest first, an update keeping its place',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const at: string[] = [];
      for (const imp of ['imp_c', 'imp_a', 'imp_b']) {
        at.push(clock.advance());
        await store.recordPayment(merchant_uid, payment(imp, { status: 'ready', disposition: 'not_paid' }));
      }
      clock.advance();
      await store.recordPayment(merchant_uid, payment('imp_c', { status: 'cancelled', disposition: 'not_paid' }));
      const order = (await store.get(merchant_uid))!;
      assert.deepEqual(order.payments.map((p) => [p.imp_uid, p.at, p.status]), [
        ['imp_c', at[0], 'cancelled'],
        ['imp_a', at[1], 'ready'],
        ['imp_b', at[2], 'ready'],
      ]);
      // Another order's payments are its own.
      const other = (await store.create(newOrder())).order.merchant_uid;
      await store.recordPayment(other, payment('imp_z'));
      assert.deepEqual((await store.get(merchant_uid))!.payments.map((p) => p.imp_uid), ['imp_c', 'imp_a', 'imp_b']);
      assert.deepEqual((await store.get(other))!.payments.map((p) => p.imp_uid), ['imp_z']);
    },
  ],
  [
    'how a disposition may change: refunds final, no undoing a decision, the refund reason kept',
    async ({ store, clock }) => {
      type D = [Disposition, RefundReason | null];
      const cases: Array<[D, D, D]> = [
        // A refund done is final, whatever comes next.
        [['refunded_forgery', 'forgery'], ['settled', null], ['refunded_forgery', 'forgery']],
        [['refunded_duplicate', 'duplicate'], ['not_paid', null], ['refunded_duplicate', 'duplicate']],
        [['refunded_closed', 'closed'], ['refund_pending', 'duplicate'], ['refunded_closed', 'closed']],
        [['refunded_forgery', 'forgery'], ['refunded_duplicate', 'duplicate'], ['refunded_forgery', 'forgery']],
        // "No money held" never overwrites a decision made.
        [['settled', null], ['not_paid', null], ['settled', null]],
        [['refund_pending', 'duplicate'], ['not_paid', null], ['refund_pending', 'duplicate']],
        // A refund decided is never turned back into a settlement.
        [['refund_pending', 'closed'], ['settled', null], ['refund_pending', 'closed']],
        // A settlement may turn into a refund.
        [['settled', null], ['refund_pending', 'duplicate'], ['refund_pending', 'duplicate']],
        [['settled', null], ['refunded_duplicate', 'duplicate'], ['refunded_duplicate', 'duplicate']],
        // The first reason given is kept (a superseded account stays closed even when it later looks like a duplicate).
        [['refund_pending', 'closed'], ['refund_pending', 'duplicate'], ['refund_pending', 'closed']],
        [['refund_pending', 'closed'], ['refunded_duplicate', 'duplicate'], ['refunded_closed', 'closed']],
        [['refund_pending', 'forgery'], ['refunded_forgery', null], ['refunded_forgery', 'forgery']],
        // Nothing decided yet: the new word stands.
        [['not_paid', null], ['settled', null], ['settled', null]],
        [['not_paid', null], ['refund_pending', 'forgery'], ['refund_pending', 'forgery']],
        [['not_paid', null], ['not_paid', null], ['not_paid', null]],
        [['settled', null], ['settled', null], ['settled', null]],
      ];
      for (const [i, [[d1, r1], [d2, r2], [disposition, refund_reason]]] of cases.entries()) {
        const label = `${d1}/${r1} then ${d2}/${r2}`;
        const { merchant_uid } = (await store.create(newOrder())).order;
        const first = clock.advance();
        await store.recordPayment(merchant_uid, payment(`imp_m${i}`, { disposition: d1, refund_reason: r1, status: 'paid', amount: 1000 }));
        clock.advance();
        const merged = await store.recordPayment(merchant_uid, payment(`imp_m${i}`, { disposition: d2, refund_reason: r2, status: 'cancelled', amount: 999.5, currency: 'USD' }));
        // Status, amount and currency are always PortOne's latest word.
        const expected: PaymentEntry = { imp_uid: `imp_m${i}`, amount: 999.5, currency: 'USD', status: 'cancelled', disposition, refund_reason, at: first };
        assert.deepEqual(merged, expected, label);
        assert.deepEqual((await store.get(merchant_uid))!.payments, [expected], label);
        // Through a transition's payment, the same rules.
        const viaMove = (await store.create(newOrder())).order.merchant_uid;
        const seen = clock.iso;
        await store.recordPayment(viaMove, payment(`imp_t${i}`, { disposition: d1, refund_reason: r1, status: 'paid', amount: 1000 }));
        clock.advance();
        const moved = await store.transition(
          toPaid(viaMove, { imp_uid: `imp_t${i}`, payment: payment(`imp_t${i}`, { disposition: d2, refund_reason: r2, status: 'cancelled', amount: 999.5, currency: 'USD' }) }),
        );
        assert.deepEqual(moved.order!.payments, [{ ...expected, imp_uid: `imp_t${i}`, at: seen }], `${label} (transition)`);
      }
    },
  ],
  [
    'a refunded disposition without a reason takes its own; a reason that contradicts the disposition is refused',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      for (const reason of ['forgery', 'duplicate', 'closed'] as const) {
        const entry = await store.recordPayment(merchant_uid, payment(`imp_${reason}`, { disposition: `refunded_${reason}`, refund_reason: null }));
        assert.equal(entry!.refund_reason, reason);
      }
      assert.deepEqual((await store.get(merchant_uid))!.payments.map((p) => p.refund_reason), ['forgery', 'duplicate', 'closed']);
      const wrong: Array<Partial<PaymentRecord>> = [
        { disposition: 'settled', refund_reason: 'forgery' },
        { disposition: 'not_paid', refund_reason: 'closed' },
        { disposition: 'refunded_forgery', refund_reason: 'duplicate' },
        { disposition: 'refund_pending', refund_reason: null },
        { disposition: 'refund_pending', refund_reason: 'stolen' as never },
        { disposition: 'kept' as never },
        { imp_uid: '' },
        { imp_uid: 42 as never },
        { status: 42 as never },
        { currency: null as never },
      ];
      for (const overrides of wrong) {
        await assert.rejects(store.recordPayment(merchant_uid, payment('imp_wrong', overrides)), TypeError, JSON.stringify(overrides));
      }
      for (const amount of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        await assert.rejects(store.recordPayment(merchant_uid, payment('imp_wrong', { amount })), RangeError, String(amount));
      }
      assert.equal((await store.get(merchant_uid))!.payments.length, 3, 'nothing recorded');
    },
  ],
  [
    'an entry holds exactly the payment fields: extra fields passed in are not stored, `at` is the store\'s own',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const at = clock.advance();
      const noisy = { ...payment('imp_noisy'), at: '1999-01-01T00:00:00.000Z', merchant_uid: 'someone-else', buyer_email: 'a@b.c' };
      const expected: PaymentEntry = { ...payment('imp_noisy'), at };
      assert.deepEqual(await store.recordPayment(merchant_uid, noisy), expected);
      // An entry read back and passed in again (as a caller that spreads it does) changes nothing but what it says.
      clock.advance();
      const again = { ...(await store.get(merchant_uid))!.payments[0]!, disposition: 'refund_pending' as const, refund_reason: 'closed' as const };
      assert.deepEqual(await store.recordPayment(merchant_uid, again), { ...expected, disposition: 'refund_pending', refund_reason: 'closed' });
      assert.deepEqual((await store.get(merchant_uid))!.payments, [{ ...expected, disposition: 'refund_pending', refund_reason: 'closed' }]);
    },
  ],
  [
    'payment amounts are exact for any finite number PortOne may send',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const amounts = [1e21, 0.0000001, 19.99, 0.1, 10.1, 1234567.89, 0.1234567, 1.5e-7, 123456789012345680000, 1.7976931348623157e308, 5e-324, -12.5, 0];
      for (const [i, amount] of amounts.entries()) {
        const entry = (await store.recordPayment(merchant_uid, payment(`imp_amount_${i}`, { amount, currency: 'USD' })))!;
        assert.ok(Object.is(entry.amount, amount), `${amount} was answered as ${entry.amount}`);
      }
      const stored = (await store.get(merchant_uid))!.payments.map((p) => p.amount);
      amounts.forEach((amount, i) => assert.ok(Object.is(stored[i], amount) && sameAmount(stored[i]!, amount), `${amount} came back as ${stored[i]}`));
      // -0 is 0, answered as stored.
      const zero = (await store.recordPayment(merchant_uid, payment('imp_minus_zero', { amount: -0 })))!;
      assert.ok(Object.is(zero.amount, 0), `-0 answered as ${Object.is(zero.amount, -0) ? '-0' : zero.amount}`);
      const readZero = (await store.get(merchant_uid))!.payments.at(-1)!.amount;
      assert.ok(Object.is(readZero, 0), `-0 read back as ${Object.is(readZero, -0) ? '-0' : readZero}`);
      // An update refreshes it exactly too.
      await store.recordPayment(merchant_uid, payment('imp_amount_0', { amount: 0.0000001 }));
      const refreshed = (await store.get(merchant_uid))!.payments[0]!.amount;
      assert.ok(Object.is(refreshed, 0.0000001), `refreshed as ${refreshed}`);
    },
  ],

  // --- the fulfilment lease ------------------------------------------------------------------------------------
  [
    'claimFulfilment: only a pending, due, unleased fulfilment, each claim an attempt; the lease lapses after leaseUntil',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      assert.equal(await store.claimFulfilment(merchant_uid, 'w1', 10_000), null, 'nothing owed while ready');
      await store.transition(toPaid(merchant_uid));
      const claimedAt = clock.advance();
      const claim = await store.claimFulfilment(merchant_uid, 'w1', 10_000);
      const leased: Fulfilment = { state: 'pending', attempts: 1, at: claimedAt, error: null, hook_done: false };
      assert.deepEqual(claim, { order: { ...(await store.get(merchant_uid))!, fulfilment: leased }, leaseUntil: iso(11_000) });
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, leased);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w2', 10_000), null, 'leased to w1');
      assert.equal(await store.claimFulfilment(merchant_uid, 'w1', 10_000), null, 'leased, even to its holder');
      assert.deepEqual(await store.dueFulfilments(10), []);
      clock.set(11_000);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w2', 10_000), null, 'the lease holds through leaseUntil');
      const lapsed = clock.set(11_001);
      assert.deepEqual(await store.dueFulfilments(10), [merchant_uid]);
      const second = await store.claimFulfilment(merchant_uid, 'w2', 5_000);
      assert.equal(second!.leaseUntil, iso(16_001));
      assert.deepEqual(second!.order.fulfilment, { state: 'pending', attempts: 2, at: lapsed, error: null, hook_done: false });
      // w1 lost it: it can neither renew nor finish, and nothing changes.
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), false);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), false);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt: clock.at(1), error: 'late' }), false);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, second!.order.fulfilment);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w1', 10_000), null, 'leased to w2 now');
      const doneAt = clock.advance();
      assert.equal(await store.finishFulfilment(merchant_uid, 'w2', { ok: true }), true);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, { state: 'done', attempts: 2, at: doneAt, error: null, hook_done: false });
    },
  ],
  [
    "renewFulfilment extends the holder's lease, and nobody else's",
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), false, 'nothing owed');
      await store.transition(toPaid(merchant_uid));
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), false, 'owed but not claimed');
      await store.claimFulfilment(merchant_uid, 'w1', 10_000); // until T0 + 10 s
      clock.set(8_000);
      assert.equal(await store.renewFulfilment(merchant_uid, 'w2', 10_000), false);
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), true); // until T0 + 18 s
      clock.set(13_000);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w2', 10_000), null, 'past the first lease, within the renewed one');
      assert.deepEqual(await store.dueFulfilments(10), []);
      clock.set(18_001);
      assert.equal((await store.claimFulfilment(merchant_uid, 'w2', 10_000))!.order.fulfilment.attempts, 2, 'a renewal is no attempt');
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), false);
    },
  ],
  [
    'finishFulfilment failed: pending with the error, due again at retryAt, then claimed as the next attempt',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid));
      const attemptAt = clock.advance();
      await store.claimFulfilment(merchant_uid, 'w1', 10_000);
      clock.advance();
      const retryAt = clock.at(60_000);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt, error: 'FULFILMENT_URL answered HTTP 500' }), true);
      const failed: Fulfilment = { state: 'pending', attempts: 1, at: attemptAt, error: 'FULFILMENT_URL answered HTTP 500', hook_done: false };
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, failed);
      // The lease is given back: the finished attempt's owner holds nothing now.
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), false);
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), false);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w2', 10_000), null, 'not due yet');
      assert.deepEqual(await store.dueFulfilments(10), []);
      clock.advance(59_999);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w2', 10_000), null, 'one millisecond early');
      const retried = clock.advance(1);
      assert.equal(retried, retryAt.toISOString());
      assert.deepEqual(await store.dueFulfilments(10), [merchant_uid], 'due at retryAt');
      const claim = await store.claimFulfilment(merchant_uid, 'w2', 10_000);
      assert.deepEqual(claim!.order.fulfilment, { state: 'pending', attempts: 2, at: retried, error: 'FULFILMENT_URL answered HTTP 500', hook_done: false });
      // A retry time already past: due at once.
      clock.advance();
      await store.finishFulfilment(merchant_uid, 'w2', { ok: false, retryAt: clock.at(-5000), error: 'again' });
      assert.deepEqual(await store.dueFulfilments(10), [merchant_uid]);
      const doneAt = clock.advance();
      await store.claimFulfilment(merchant_uid, 'w3', 10_000);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w3', { ok: true }), true);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, { state: 'done', attempts: 3, at: doneAt, error: null, hook_done: false });
    },
  ],
  [
    'finishFulfilment ok: done for good (no claim, no renewal, no second finish, never due)',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid));
      await store.claimFulfilment(merchant_uid, 'w1', 10_000);
      const doneAt = clock.advance();
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), true);
      const done: Fulfilment = { state: 'done', attempts: 1, at: doneAt, error: null, hook_done: false };
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, done);
      clock.advance(3_600_000);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w1', 10_000), null);
      assert.equal(await store.claimFulfilment(merchant_uid, 'w2', 10_000), null);
      assert.equal(await store.renewFulfilment(merchant_uid, 'w1', 10_000), false);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), false);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt: clock.at(0), error: 'x' }), false);
      assert.deepEqual(await store.dueFulfilments(10), []);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, done);
    },
  ],
  [
    'finishFulfilment by one who holds no lease changes nothing; a lapsed lease nobody took is still its holder\'s',
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid));
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), false, 'owed but never claimed');
      const claimedAt = clock.advance();
      await store.claimFulfilment(merchant_uid, 'w1', 1000);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w2', { ok: true }), false);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w2', { ok: false, retryAt: clock.at(0), error: 'x' }), false);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, { state: 'pending', attempts: 1, at: claimedAt, error: null, hook_done: false });
      // The attempt outlived its lease and nobody claimed it since: its outcome is still recorded.
      clock.advance(5000);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), true);
      assert.equal((await store.get(merchant_uid))!.fulfilment.state, 'done');
    },
  ],
  [
    'dueFulfilments: pending, due and unleased, earliest due first (ties by merchant_uid), at most limit',
    async ({ store, clock }) => {
      for (const merchant_uid of ['due-b', 'due-a', 'due-c', 'due-d', 'due-e', 'due-f', 'due-g']) await store.create(newOrder({ merchant_uid }));
      clock.set(1000);
      await store.transition(toPaid('due-c'));
      clock.set(2000);
      await store.transition(toPaid('due-b'));
      await store.transition(toPaid('due-a'));
      clock.set(3000);
      for (const merchant_uid of ['due-d', 'due-e', 'due-f']) await store.transition(toPaid(merchant_uid));
      clock.set(4000);
      await store.claimFulfilment('due-d', 'w1', 10_000); // leased until T0 + 14 s
      await store.claimFulfilment('due-e', 'w1', 10_000);
      await store.finishFulfilment('due-e', 'w1', { ok: true }); // done
      await store.claimFulfilment('due-f', 'w1', 10_000);
      await store.finishFulfilment('due-f', 'w1', { ok: false, retryAt: t(20_000), error: 'HTTP 502' });
      // due-g stays ready: nothing owed.
      assert.deepEqual(await store.dueFulfilments(10), ['due-c', 'due-a', 'due-b']);
      assert.deepEqual(await store.dueFulfilments(2), ['due-c', 'due-a']);
      assert.deepEqual(await store.dueFulfilments(0), []);
      clock.set(14_000);
      assert.deepEqual(await store.dueFulfilments(10), ['due-c', 'due-a', 'due-b'], 'due-d still leased');
      clock.set(14_001);
      assert.deepEqual(await store.dueFulfilments(10), ['due-c', 'due-a', 'due-b', 'due-d'], 'a lapsed lease: due as before');
      clock.set(20_000);
      assert.deepEqual(await store.dueFulfilments(10), ['due-c', 'due-a', 'due-b', 'due-d', 'due-f']);
      await assert.rejects(store.dueFulfilments(-1), RangeError);
      await assert.rejects(store.dueFulfilments(1.5), RangeError);
    },
  ],
  [
    'a bad lease, owner or retry time is refused, and nothing changes',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid));
      for (const leaseMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(store.claimFulfilment(merchant_uid, 'w1', leaseMs), RangeError, String(leaseMs));
      }
      // A lease so long its end has no 4-digit year: the ISO text would no longer sort as time.
      await assert.rejects(store.claimFulfilment(merchant_uid, 'w1', 8000 * 365 * 86_400_000), RangeError);
      await assert.rejects(store.claimFulfilment(merchant_uid, '', 1000), TypeError);
      await assert.rejects(store.claimFulfilment(merchant_uid, 7 as never, 1000), TypeError);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, OWED);
      await store.claimFulfilment(merchant_uid, 'w1', 1000);
      const leased = (await store.get(merchant_uid))!.fulfilment;
      await assert.rejects(store.renewFulfilment(merchant_uid, 'w1', 0), RangeError);
      for (const retryAt of [new Date(Number.NaN), new Date('+010000-01-01T00:00:00.000Z'), '2030-01-01' as never]) {
        await assert.rejects(store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt, error: 'x' }), String(retryAt));
      }
      await assert.rejects(store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt: new Date(), error: 42 as never }), TypeError);
      assert.deepEqual((await store.get(merchant_uid))!.fulfilment, leased);
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: true }), true, 'the lease is still w1\'s');
    },
  ],

  // --- reconcile claims ----------------------------------------------------------------------------------------
  [
    'claimForReconcile: orders last moved in [since, before), least recently examined first, stamped, leased until released or lapsed',
    async ({ store, clock }) => {
      await store.create(newOrder({ merchant_uid: 'rc-a' })); // T0: before `since`
      clock.set(1000);
      await store.create(newOrder({ merchant_uid: 'rc-b' })); // at `since`: in
      clock.set(2000);
      await store.create(newOrder({ merchant_uid: 'rc-c' }));
      clock.set(3000);
      await store.create(newOrder({ merchant_uid: 'rc-d' }));
      clock.set(5000);
      await store.transition({ merchant_uid: 'rc-c', to: 'vbank_issued', from: ['ready'], via: 'complete', imp_uid: 'imp_c' });
      clock.set(10_000);
      await store.create(newOrder({ merchant_uid: 'rc-e' })); // at `before`: out
      clock.set(11_000);
      await store.transition(toPaid('rc-a')); // moved since: out (too recent now)
      const window = { before: t(10_000), since: t(1000), leaseMs: 60_000 };
      const claimedAt = clock.set(20_000);
      const claimed = await store.claimForReconcile({ ...window, limit: 10, owner: 'r1' });
      assert.deepEqual(uids(claimed), ['rc-b', 'rc-c', 'rc-d']);
      for (const order of claimed) {
        assert.equal(order.checked_at, claimedAt);
        assert.deepEqual(await store.get(order.merchant_uid), order);
      }
      clock.set(21_000);
      assert.deepEqual(await store.claimForReconcile({ ...window, limit: 10, owner: 'r2' }), [], 'leased to r1');
      await store.releaseReconcile('rc-b', 'r2'); // not r2's to give back
      assert.deepEqual(await store.claimForReconcile({ ...window, limit: 10, owner: 'r2' }), []);
      await store.releaseReconcile('rc-b', 'r1');
      const reclaimed = await store.claimForReconcile({ ...window, limit: 10, owner: 'r2' });
      assert.deepEqual(uids(reclaimed), ['rc-b']);
      assert.equal(reclaimed[0]!.checked_at, iso(21_000));
      clock.set(80_000);
      assert.deepEqual(await store.claimForReconcile({ ...window, limit: 10, owner: 'r3' }), [], 'r1 holds through the lease end');
      clock.set(80_001);
      assert.deepEqual(uids(await store.claimForReconcile({ ...window, limit: 10, owner: 'r3' })), ['rc-c', 'rc-d'], 'r1 lapsed, r2 has not');
      clock.set(81_001);
      assert.deepEqual(uids(await store.claimForReconcile({ ...window, limit: 10, owner: 'r3' })), ['rc-b']);
      // The order's data is what get says; the state a claim sees is the current one.
      assert.equal((await store.get('rc-c'))!.state, 'vbank_issued');
    },
  ],
  [
    'claimForReconcile is fair: a flood of orders is examined in turn, least recently examined first, ties by merchant_uid',
    async ({ store, clock }) => {
      const names = ['fair-e', 'fair-d', 'fair-c', 'fair-b', 'fair-a'];
      for (const [i, merchant_uid] of names.entries()) {
        clock.set(i * 1000);
        await store.create(newOrder({ merchant_uid }));
      }
      const pass = async (at: number) => {
        clock.set(at);
        const orders = await store.claimForReconcile(claimAll({ limit: 2, owner: `pass-${at}` }));
        for (const order of orders) await store.releaseReconcile(order.merchant_uid, `pass-${at}`);
        return uids(orders);
      };
      assert.deepEqual(await pass(10_000), ['fair-e', 'fair-d']);
      assert.deepEqual(await pass(11_000), ['fair-c', 'fair-b']);
      assert.deepEqual(await pass(12_000), ['fair-a', 'fair-d'], 'then the ones examined longest ago, ties by merchant_uid');
      assert.deepEqual(await pass(13_000), ['fair-e', 'fair-b']);
      // Never examined and created in the same millisecond: by merchant_uid.
      clock.set(0);
      for (const merchant_uid of ['tie-c', 'tie-a', 'tie-b']) await store.create(newOrder({ merchant_uid }));
      clock.set(20_000);
      assert.deepEqual(uids(await store.claimForReconcile(claimAll({ limit: 3, owner: 'ties' }))), ['tie-a', 'tie-b', 'tie-c']);
      assert.deepEqual(await store.claimForReconcile(claimAll({ limit: 0, owner: 'zero' })), []);
    },
  ],
  [
    'claimForReconcile: orders with a pending refund first, whatever their age or how recently they moved',
    async ({ store, clock }) => {
      await store.create(newOrder({ merchant_uid: 'old-refund' })); // T0, before `since`
      await store.create(newOrder({ merchant_uid: 'old-settled' }));
      await store.create(newOrder({ merchant_uid: 'old-not-paid' }));
      await store.create(newOrder({ merchant_uid: 'old-refunded' }));
      clock.set(1000);
      await store.create(newOrder({ merchant_uid: 'in-window-1' }));
      await store.create(newOrder({ merchant_uid: 'in-window-2' }));
      clock.set(10_000);
      await store.create(newOrder({ merchant_uid: 'new-refund' })); // after `before`
      await store.recordPayment('new-refund', payment('imp_n', { disposition: 'refund_pending', refund_reason: 'duplicate' }));
      await store.recordPayment('old-refund', payment('imp_o1', { disposition: 'settled' }));
      await store.recordPayment('old-refund', payment('imp_o2', { disposition: 'refund_pending', refund_reason: 'closed' }));
      await store.recordPayment('old-settled', payment('imp_s', { disposition: 'settled' }));
      await store.recordPayment('old-not-paid', payment('imp_np', { disposition: 'not_paid', status: 'failed' }));
      await store.recordPayment('old-refunded', payment('imp_r', { disposition: 'refunded_forgery', refund_reason: 'forgery' }));
      const window = { before: t(5000), since: t(1000), leaseMs: 60_000 };
      clock.set(20_000);
      assert.deepEqual(uids(await store.claimForReconcile({ ...window, limit: 1, owner: 'one' })), ['old-refund']);
      await store.releaseReconcile('old-refund', 'one');
      clock.set(21_000);
      // old-refund was examined last second, later than new-refund was created: the refunds among themselves are fair too.
      assert.deepEqual(uids(await store.claimForReconcile({ ...window, limit: 10, owner: 'all' })), ['new-refund', 'old-refund', 'in-window-1', 'in-window-2']);
      for (const merchant_uid of ['new-refund', 'old-refund', 'in-window-1', 'in-window-2']) await store.releaseReconcile(merchant_uid, 'all');
      // Refunded now: an old order with nothing pending is left alone again.
      await store.recordPayment('old-refund', payment('imp_o2', { disposition: 'refunded_closed', refund_reason: 'closed' }));
      clock.set(22_000);
      assert.deepEqual(uids(await store.claimForReconcile({ ...window, limit: 10, owner: 'again' })), ['new-refund', 'in-window-1', 'in-window-2']);
    },
  ],
  [
    'a bad reconcile claim is refused, and nothing is stamped',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await assert.rejects(store.claimForReconcile(claimAll({ limit: -1 })), RangeError);
      await assert.rejects(store.claimForReconcile(claimAll({ limit: 1.5 })), RangeError);
      await assert.rejects(store.claimForReconcile(claimAll({ leaseMs: 0 })), RangeError);
      await assert.rejects(store.claimForReconcile(claimAll({ owner: '' })), TypeError);
      await assert.rejects(store.claimForReconcile(claimAll({ before: new Date(Number.NaN) })));
      await assert.rejects(store.claimForReconcile(claimAll({ since: 'yesterday' as never })));
      await assert.rejects(store.claimForReconcile(claimAll({ before: new Date('+010000-01-01T00:00:00.000Z') })), RangeError);
      assert.equal((await store.get(merchant_uid))!.checked_at, null);
    },
  ],

  // --- what the stores refuse ----------------------------------------------------------------------------------
  [
    'decimal amounts come back as exactly the number stored',
    async ({ store }) => {
      for (const amount of [10.1, 0.3, 1234567.89, 0.1, 0.000001, 19.99, 99999999.999999]) {
        const { merchant_uid } = (await store.create(newOrder({ amount, currency: 'USD' }))).order;
        const back = (await store.get(merchant_uid))!.amount;
        assert.ok(Object.is(back, amount), `${amount} came back as ${back}`);
        assert.ok(sameAmount(back, amount), `${amount} is not the same amount as ${back}`);
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
    'order amounts that are not exact are refused and nothing is stored',
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
      const names = ['아메리카노 ☕ 𝄞 ü', "O'Brien \"quoted\" '); DROP TABLE orders; --", '', null, '\uFFFD\uFFFF'];
      for (const name of names) {
        const merchant_uid = uid('주문-😀');
        await store.create(newOrder({ merchant_uid, name }));
        const order = (await store.get(merchant_uid))!;
        assert.equal(order.merchant_uid, merchant_uid);
        assert.equal(order.name, name);
      }
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid, { imp_uid: 'imp_😀', payment: payment('imp_😀', { status: '𝄞', currency: '₩' }) }));
      assert.deepEqual((await store.get(merchant_uid))!.payments.map((p) => [p.imp_uid, p.status, p.currency]), [['imp_😀', '𝄞', '₩']]);
    },
  ],
  [
    'NUL and unpaired surrogates in any text are refused with a TypeError, nothing stored or changed',
    async ({ store, clock }) => {
      const good = (await store.create(newOrder())).order.merchant_uid;
      await store.transition(toPaid(good));
      await store.claimFulfilment(good, 'w1', 60_000);
      const before = (await store.get(good))!;
      for (const bad of UNSTORABLE) {
        const label = JSON.stringify(bad);
        const order = newOrder({ merchant_uid: `uid-${bad}` });
        await assert.rejects(store.create(order), TypeError, label);
        // Nothing under the name a database would have mangled it into either.
        assert.equal(await store.get(order.merchant_uid.replace(/[\0\uD800-\uDFFF]/g, '\uFFFD')), null, label);
        await assert.rejects(store.create(newOrder({ name: bad })), TypeError, label);
        await assert.rejects(store.create(newOrder({ currency: bad })), TypeError, label);
        await assert.rejects(store.get(bad), TypeError, label);
        await assert.rejects(store.transition(toPaid(bad)), TypeError, label);
        await assert.rejects(store.transition(toPaid(good, { from: ['paid', 'ready'], to: 'cancelled', imp_uid: bad })), TypeError, label);
        await assert.rejects(store.transition(toPaid(good, { from: ['paid'], to: 'cancelled', fromImpUid: [bad] })), TypeError, label);
        await assert.rejects(store.transition(toPaid(good, { from: ['paid'], to: 'cancelled', payment: payment(bad) })), TypeError, label);
        await assert.rejects(store.recordPayment(bad, payment('imp_ok')), TypeError, label);
        for (const field of ['imp_uid', 'currency', 'status'] as const) {
          await assert.rejects(store.recordPayment(good, payment('imp_ok', { [field]: bad })), TypeError, `${field} ${label}`);
        }
        await assert.rejects(store.claimFulfilment(bad, 'w1', 1000), TypeError, label);
        await assert.rejects(store.claimFulfilment(good, bad, 1000), TypeError, label);
        await assert.rejects(store.renewFulfilment(good, bad, 1000), TypeError, label);
        await assert.rejects(store.renewFulfilment(bad, 'w1', 1000), TypeError, label);
        await assert.rejects(store.finishFulfilment(good, bad, { ok: true }), TypeError, label);
        await assert.rejects(store.finishFulfilment(bad, 'w1', { ok: true }), TypeError, label);
        await assert.rejects(store.claimForReconcile(claimAll({ owner: bad })), TypeError, label);
        await assert.rejects(store.releaseReconcile(bad, 'r1'), TypeError, label);
        await assert.rejects(store.releaseReconcile(good, bad), TypeError, label);
      }
      clock.advance();
      assert.deepEqual(await store.get(good), before);
      assert.deepEqual(await store.claimForReconcile(claimAll()), [before].map((o) => ({ ...o, checked_at: clock.iso })));
    },
  ],
  [
    "a failed attempt's error text is kept as diagnostics, NUL and unpaired surrogates replaced (never refused)",
    async ({ store, clock }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid));
      await store.claimFulfilment(merchant_uid, 'w1', 1000);
      // e.g. a message cut at 1000 UTF-16 units, in the middle of a pair
      const error = `onPaid threw: nul\0here, lone \uD800 and \uDC00, pair 😀, cut ${'😀'.slice(0, 1)}`;
      assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt: clock.at(0), error }), true);
      assert.equal((await store.get(merchant_uid))!.fulfilment.error, 'onPaid threw: nul\uFFFDhere, lone \uFFFD and \uFFFD, pair 😀, cut \uFFFD');
    },
  ],
  [
    'unknown states, vias and an empty imp_uid are refused, and nothing moves',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await assert.rejects(store.transition(toPaid(merchant_uid, { to: 'settled' as never })), TypeError);
      await assert.rejects(store.transition(toPaid(merchant_uid, { to: 'forgery' as never })), TypeError, 'forgery is no state any more');
      await assert.rejects(store.transition(toPaid(merchant_uid, { from: ['nowhere' as never] })), TypeError);
      await assert.rejects(store.transition(toPaid(merchant_uid, { via: 'telepathy' as never })), TypeError);
      await assert.rejects(store.transition(toPaid(merchant_uid, { imp_uid: '' })), TypeError);
      // '' names no payment (an imp_uid is never empty); it must not read as "no payment yet" in any store.
      await assert.rejects(store.transition(toPaid(merchant_uid, { fromImpUid: [''] })), TypeError);
      await assert.rejects(store.transition(toPaid(merchant_uid, { fromImpUid: [7 as never] })), TypeError);
      const order = (await store.get(merchant_uid))!;
      assert.equal(order.state, 'ready');
      assert.equal(order.history.length, 1);
    },
  ],

  // --- races within one store (truly concurrent on PostgreSQL's pool) ------------------------------------------
  [
    '50 concurrent transitions to paid: exactly one moves, one history entry, one payment, one fulfilment owed',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.transition(toPaid(merchant_uid, { imp_uid: `imp_${i}`, via: i % 2 ? 'webhook' : 'complete', payment: payment(`imp_${i}`), fromImpUid: [null] })),
        ),
      );
      const winners = results.filter((r) => r.moved);
      assert.equal(winners.length, 1);
      const order = (await store.get(merchant_uid))!;
      assert.equal(order.history.filter((e) => e.state === 'paid').length, 1);
      assert.equal(order.imp_uid, winners[0]!.order!.imp_uid);
      assert.deepEqual(order.payments.map((p) => p.imp_uid), [order.imp_uid]);
      assert.deepEqual(order.fulfilment, OWED);
      for (const r of results) assert.equal(r.order!.state, 'paid');
    },
  ],
  [
    '20 concurrent claims of one fulfilment: one lease, one attempt',
    async ({ store }) => {
      const { merchant_uid } = (await store.create(newOrder())).order;
      await store.transition(toPaid(merchant_uid));
      const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimFulfilment(merchant_uid, `w${i}`, 60_000)));
      const won = claims.filter((c) => c !== null);
      assert.equal(won.length, 1);
      assert.equal((await store.get(merchant_uid))!.fulfilment.attempts, 1);
      const finishes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.finishFulfilment(merchant_uid, `w${i}`, { ok: true })));
      assert.equal(finishes.filter(Boolean).length, 1);
    },
  ],
  [
    'one payment recorded for two orders at once: one order has it, the other is refused, never a database error',
    async ({ store }) => {
      for (let round = 0; round < 20; round++) {
        const a = (await store.create(newOrder())).order.merchant_uid;
        const b = (await store.create(newOrder())).order.merchant_uid;
        const imp = `imp_contested_${round}`;
        const outcomes = await Promise.allSettled([
          store.recordPayment(a, payment(imp)),
          round % 2 ? store.transition(toPaid(b, { imp_uid: imp, payment: payment(imp) })) : store.recordPayment(b, payment(imp)),
        ]);
        const refused = outcomes.filter((o) => o.status === 'rejected');
        assert.equal(refused.length, 1, `round ${round}: ${JSON.stringify(outcomes.map((o) => o.status))}`);
        assert.match(String((refused[0] as PromiseRejectedResult).reason), /another order/);
        const holders = [(await store.get(a))!, (await store.get(b))!].filter((o) => o.payments.some((p) => p.imp_uid === imp));
        assert.equal(holders.length, 1, `round ${round}`);
        const loser = outcomes[0]!.status === 'rejected' ? (await store.get(a))! : (await store.get(b))!;
        assert.equal(loser.state, 'ready', 'the refused transition did not move');
      }
    },
  ],
  [
    'concurrent reconcile claims never share an order, and together take them all',
    async ({ store, clock }) => {
      const all: string[] = [];
      for (let i = 0; i < 30; i++) all.push((await store.create(newOrder())).order.merchant_uid);
      clock.advance();
      const batches = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claimForReconcile(claimAll({ limit: 4, owner: `r${i}` }))));
      const claimed = batches.flatMap(uids);
      assert.equal(new Set(claimed).size, claimed.length, 'no order claimed twice');
      assert.deepEqual([...claimed].sort(), [...all].sort());
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
      await assert.rejects(store.recordPayment('closing', payment('imp_1')), /closed/);
      await assert.rejects(store.claimFulfilment('closing', 'w1', 1000), /closed/);
      await assert.rejects(store.renewFulfilment('closing', 'w1', 1000), /closed/);
      await assert.rejects(store.finishFulfilment('closing', 'w1', { ok: true }), /closed/);
      await assert.rejects(store.dueFulfilments(1), /closed/);
      await assert.rejects(store.claimForReconcile(claimAll()), /closed/);
      await assert.rejects(store.releaseReconcile('closing', 'r1'), /closed/);
    },
  ],
  // --- PortOne V2 orders (migration 3) -----------------------------------------------------------------------
  [
    'an order keeps its protocol: v1 by default, v2 when created so; a second create of the key, either protocol, returns the first untouched',
    async ({ store }) => {
      const v1 = await store.create({ merchant_uid: 'order-v1', amount: 1000, currency: 'KRW', name: null });
      assert.equal(v1.order.version, 'v1');
      const v2 = await store.create({ merchant_uid: 'orderV2abc', version: 'v2', amount: 10.5, currency: 'USD', name: 'v2' });
      assert.equal(v2.order.version, 'v2');
      assert.equal((await store.get('orderV2abc'))!.version, 'v2');
      const again = await store.create({ merchant_uid: 'order-v1', version: 'v2', amount: 1000, currency: 'KRW', name: null });
      assert.deepEqual([again.created, again.order.version], [false, 'v1'], 'one key, one order: never turned into a V2 order');
      await assert.rejects(store.create({ merchant_uid: 'x', version: 'v3' as 'v2', amount: 1, currency: 'KRW', name: null }), TypeError);
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
// Migration 2 over a database that migration 1 alone made (the release before the money rules), the same rows for
// both SQL stores: a `forgery` order, paid orders with and without `fulfilled_at`, and a few others.

interface V1Order {
  merchant_uid: string;
  amount: string;
  currency: string;
  name: string | null;
  state: string;
  imp_uid: string | null;
  created_at: string;
  updated_at: string;
  fulfilled_at: string | null;
  history: Array<[state: string, via: string, imp_uid: string | null, at: string]>;
}

const V1_ORDERS: V1Order[] = [
  {
    merchant_uid: 'legacy-forgery',
    amount: '50000',
    currency: 'KRW',
    name: '위조된 주문',
    state: 'forgery',
    imp_uid: 'imp_forged',
    created_at: iso(0),
    updated_at: iso(1000),
    fulfilled_at: null,
    history: [
      ['ready', 'prepare', null, iso(0)],
      ['forgery', 'complete', 'imp_forged', iso(1000)],
    ],
  },
  {
    merchant_uid: 'legacy-fulfilled',
    amount: '10.1',
    currency: 'USD',
    name: null,
    state: 'paid',
    imp_uid: 'imp_ok',
    created_at: iso(0),
    updated_at: iso(2000),
    fulfilled_at: iso(3000),
    history: [
      ['ready', 'prepare', null, iso(0)],
      ['paid', 'webhook', 'imp_ok', iso(2000)],
    ],
  },
  {
    merchant_uid: 'legacy-unfulfilled',
    amount: '1234567.89',
    currency: 'KRW',
    name: 'hook never ran',
    state: 'paid',
    imp_uid: 'imp_late',
    created_at: iso(0),
    updated_at: iso(4000),
    fulfilled_at: null,
    history: [
      ['ready', 'prepare', null, iso(0)],
      ['vbank_issued', 'complete', 'imp_late', iso(3000)],
      ['paid', 'reconcile', 'imp_late', iso(4000)],
    ],
  },
  {
    merchant_uid: 'legacy-cancelled',
    amount: '7000',
    currency: 'KRW',
    name: 'paid, delivered, then cancelled',
    state: 'cancelled',
    imp_uid: 'imp_gone',
    created_at: iso(0),
    updated_at: iso(6000),
    fulfilled_at: iso(5500),
    history: [
      ['ready', 'prepare', null, iso(0)],
      ['paid', 'complete', 'imp_gone', iso(5000)],
      ['cancelled', 'webhook', 'imp_gone', iso(6000)],
    ],
  },
  {
    merchant_uid: 'legacy-vbank',
    amount: '30000',
    currency: 'KRW',
    name: null,
    state: 'vbank_issued',
    imp_uid: 'imp_account',
    created_at: iso(0),
    updated_at: iso(7000),
    fulfilled_at: null,
    history: [
      ['ready', 'prepare', null, iso(0)],
      ['vbank_issued', 'complete', 'imp_account', iso(7000)],
    ],
  },
  {
    merchant_uid: 'legacy-ready',
    amount: '0.5',
    currency: 'USD',
    name: '',
    state: 'ready',
    imp_uid: null,
    created_at: iso(8000),
    updated_at: iso(8000),
    fulfilled_at: null,
    history: [['ready', 'prepare', null, iso(8000)]],
  },
];

/** How each v1 order reads after migration 2, by the new contract. */
function migratedOrder(v1: V1Order): Order {
  const fulfilment: Fulfilment =
    v1.fulfilled_at !== null
      ? { state: 'done', attempts: 1, at: v1.fulfilled_at, error: null, hook_done: false }
      : v1.state === 'paid'
        ? OWED
        : NO_FULFILMENT;
  const forgery = v1.state === 'forgery';
  return {
    merchant_uid: v1.merchant_uid,
    version: 'v1',
    amount: Number(v1.amount),
    currency: v1.currency,
    name: v1.name,
    items: null,
    // A forgery never changes the order's state: payable again.
    state: forgery ? 'ready' : (v1.state as Order['state']),
    imp_uid: forgery ? null : v1.imp_uid,
    // Its `forgery` entry stays in the table (forensics) but is no transition by the new rules.
    history: v1.history.filter(([state]) => state !== 'forgery').map(([state, via, , at]) => ({ state: state as Order['state'], via: via as never, at })),
    payments: [],
    fulfilment,
    created_at: v1.created_at,
    updated_at: v1.updated_at,
    checked_at: null,
  };
}

/** Writes the v1 rows through `run(sql, params)` with `?` placeholders (renumbered for PostgreSQL by the caller). */
async function writeV1Rows(run: (sql: string, params: unknown[]) => Promise<unknown> | unknown): Promise<void> {
  for (const o of V1_ORDERS) {
    await run(
      'INSERT INTO orders (merchant_uid, amount, currency, name, state, imp_uid, created_at, updated_at, fulfilled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [o.merchant_uid, o.amount, o.currency, o.name, o.state, o.imp_uid, o.created_at, o.updated_at, o.fulfilled_at],
    );
  }
  // Interleaved between orders, as a live database would have them.
  const rows = V1_ORDERS.flatMap((o) => o.history.map(([state, via, imp, at]) => [o.merchant_uid, state, via, imp, at] as const)).sort((a, b) =>
    a[4] < b[4] ? -1 : a[4] > b[4] ? 1 : 0,
  );
  const insert = 'INSERT INTO order_history (merchant_uid, state, via, imp_uid, at) VALUES (?, ?, ?, ?, ?)';
  for (const [i, row] of rows.entries()) {
    await run(insert, [...row]);
    // A gap in the ids (a row since deleted), so that a migration renumbering the history would show.
    if (i === 2) await run(insert, ['legacy-ready', 'ready', 'prepare', null, '1999-01-01T00:00:00.000Z']);
  }
  await run("DELETE FROM order_history WHERE at = '1999-01-01T00:00:00.000Z'", []);
}

/** `?` placeholders as PostgreSQL's `$n`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** After migration 2 over V1_ORDERS: how they read, what is owed, and that a legacy forgery can be paid again. */
async function checkMigratedStore(store: OrderStore, clock: TestClock): Promise<void> {
  for (const v1 of V1_ORDERS) assert.deepEqual(await store.get(v1.merchant_uid), migratedOrder(v1), v1.merchant_uid);
  assert.deepEqual(await store.dueFulfilments(10), ['legacy-unfulfilled'], 'the paid order whose hook never ran is owed, due now');
  assert.equal(await store.claimFulfilment('legacy-fulfilled', 'w1', 1000), null, 'delivered before: never again');
  assert.equal((await store.claimFulfilment('legacy-unfulfilled', 'w1', 1000))!.order.fulfilment.attempts, 1);
  // The console via, refused by migration 1's CHECK, is accepted now; history goes on after the old rows.
  const at = clock.advance();
  const cancelled = await store.transition({ merchant_uid: 'legacy-fulfilled', to: 'cancelled', from: ['paid'], via: 'console', imp_uid: 'imp_ok' });
  assert.equal(cancelled.moved, true);
  assert.deepEqual(cancelled.order!.history.at(-1), { state: 'cancelled', at, via: 'console' });
  // The legacy forgery is payable, as an order no payment has moved.
  const paid = await store.transition(toPaid('legacy-forgery', { imp_uid: 'imp_right', fromImpUid: [null], payment: payment('imp_right') }));
  assert.equal(paid.moved, true);
  assert.deepEqual(paid.order!.history.map((e) => e.state), ['ready', 'paid']);
  assert.deepEqual(paid.order!.fulfilment, OWED);
  // An old order outside the reconcile window with a refund pending is examined; the ledger accepts legacy orders.
  await store.recordPayment('legacy-ready', payment('imp_old', { disposition: 'refund_pending', refund_reason: 'closed', amount: 0.5, currency: 'USD' }));
  assert.deepEqual(uids(await store.claimForReconcile(claimAll({ before: t(0), since: t(0) }))), ['legacy-ready']);
}

/** Every row of the v1 tables as the database holds them, to compare before and after migration 2. */
interface V1Snapshot {
  orders: unknown[];
  history: unknown[];
}

const V1_ORDER_COLUMNS = 'merchant_uid, amount, currency, name, state, imp_uid, created_at, updated_at, fulfilled_at';

/** What migration 2 may change in v1's rows: a `forgery` order's state and imp_uid, nothing else. */
function expectedAfterMigration(before: V1Snapshot): V1Snapshot {
  return {
    orders: before.orders.map((row) => {
      const r = row as Record<string, unknown>;
      return r.state === 'forgery' ? { ...r, state: 'ready', imp_uid: null } : r;
    }),
    history: before.history,
  };
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

function sqliteV1Snapshot(file: string): V1Snapshot {
  return inspect(file, (db) => ({
    orders: db.prepare(`SELECT ${V1_ORDER_COLUMNS} FROM orders ORDER BY merchant_uid`).all(),
    history: db.prepare('SELECT id, merchant_uid, state, via, imp_uid, at FROM order_history ORDER BY id').all(),
  }));
}

describe('SQLite store', () => {
  test('creates the missing directories of the file, in WAL mode', async () => {
    const file = join(freshDir(), 'nested', 'deeper', 'orders.db');
    const store = await openSqliteStore(file);
    await store.close();
    assert.ok(existsSync(file), file);
    assert.equal(inspect(file, (db) => db.pragma('journal_mode', { simple: true })), 'wal');
  });

  test('orders, history, payments, fulfilment and exact amounts persist across close and reopen; migrations run once', async () => {
    const file = join(freshDir(), 'orders.db');
    const clock = new TestClock();
    const first = await openSqliteStore(file, { clock: clock.now });
    const amounts = [10.1, 0.3, 1234567.89, 50000];
    const created: string[] = [];
    for (const amount of amounts) created.push((await first.create(newOrder({ amount, name: '주문 ☕', items: [{ id: 'x', quantity: 2 }] }))).order.merchant_uid);
    clock.advance();
    await first.transition(toPaid(created[0]!, { via: 'webhook', imp_uid: 'imp_persist', payment: payment('imp_persist', { amount: 10.1 }) }));
    await first.recordPayment(created[0]!, payment('imp_huge', { amount: 1e21, disposition: 'refund_pending', refund_reason: 'duplicate' }));
    await first.recordPayment(created[0]!, payment('imp_tiny', { amount: 0.0000001, disposition: 'not_paid' }));
    await first.claimFulfilment(created[0]!, 'w1', 60_000);
    await first.finishFulfilment(created[0]!, 'w1', { ok: false, retryAt: clock.at(30_000), error: 'HTTP 500' });
    await first.claimForReconcile(claimAll({ limit: 1 }));
    const before = await Promise.all(created.map((u) => first.get(u)));
    await first.close();

    for (let round = 0; round < 2; round++) {
      const again = await openSqliteStore(file, { clock: clock.now });
      assert.deepEqual(await Promise.all(created.map((u) => again.get(u))), before);
      await again.close();
    }
    // The leases are in the file too: the examined order is still leased, the failed delivery not due yet.
    const leases = await openSqliteStore(file, { clock: clock.now });
    assert.deepEqual(await leases.claimForReconcile(claimAll({ owner: 'other' })).then(uids), created.slice(1));
    assert.deepEqual(await leases.dueFulfilments(10), []);
    await leases.close();
    const stored = inspect(file, (db) => ({
      versions: db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      amounts: db.prepare('SELECT amount FROM orders ORDER BY rowid').pluck().all(),
      paid: db.prepare('SELECT amount FROM order_payments ORDER BY id').pluck().all(),
      paidImp: db.prepare("SELECT imp_uid FROM order_history WHERE state = 'paid'").pluck().all(),
    }));
    assert.deepEqual(stored.versions, MIGRATIONS.map((m) => m.version));
    // The canonical decimal text: what was meant, not a float's expansion, whatever its size.
    assert.deepEqual(stored.amounts, ['10.1', '0.3', '1234567.89', '50000']);
    assert.deepEqual(stored.paid, ['10.1', '1000000000000000000000', '0.0000001']);
    assert.deepEqual(stored.paidImp, ['imp_persist']);
  });

  test('a database from a newer release is refused with a clear error, and left alone', async () => {
    const file = join(freshDir(), 'orders.db');
    await (await openSqliteStore(file)).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'from the future', T0);
    db.close();
    await assert.rejects(openSqliteStore(file), new RegExp(`schema is at version 999, newer than this verifier knows \\(${LATEST}\\)`));
    assert.deepEqual(
      inspect(file, (d) => d.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()),
      [...MIGRATIONS.map((m) => m.version), 999],
    );
  });

  test('pendingMigrations: in version order, skipping the applied ones', () => {
    const m = (version: number): Migration => ({ version, name: `m${version}`, statements: () => [] });
    assert.deepEqual(pendingMigrations([], [m(2), m(1), m(3)]).map((x) => x.version), [1, 2, 3]);
    assert.deepEqual(pendingMigrations([1, 2], [m(1), m(2), m(3)]).map((x) => x.version), [3]);
    assert.deepEqual(pendingMigrations([1, 2, 3], [m(1), m(2), m(3)]), []);
    assert.throws(() => pendingMigrations([4], [m(1)]), /version 4, newer than this verifier knows \(1\)/);
    assert.deepEqual(pendingMigrations([1]).map((x) => x.version), [2, 3]);
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

  test('migration 2 over a migration-1 database: rows read by the new contract, nothing stored lost', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'orders.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db, [MIGRATIONS[0]!]);
    await writeV1Rows((sql, params) => db.prepare(sql).run(...params));
    // Migration 1's CHECK refuses the console via: the widening below is needed.
    assert.throws(() => db.prepare("INSERT INTO order_history (merchant_uid, state, via, at) VALUES ('legacy-ready', 'ready', 'console', ?)").run(T0), /CHECK/);
    db.close();
    const before = sqliteV1Snapshot(file);
    const maxHistoryId = Math.max(...before.history.map((r) => (r as { id: number }).id));
    assert.equal(maxHistoryId, before.history.length + 1, 'the v1 ids have a gap');

    const clock = new TestClock();
    clock.set(3_600_000);
    const store = await openSqliteStore(file, { clock: clock.now });
    try {
      assert.deepEqual(sqliteV1Snapshot(file), expectedAfterMigration(before), 'every v1 row kept, only the forgery order changed');
      await checkMigratedStore(store, clock);
    } finally {
      await store.close();
    }
    const after = inspect(file, (d) => ({
      versions: d.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      newIds: d.prepare('SELECT id FROM order_history WHERE id > ? ORDER BY id').pluck().all(maxHistoryId),
      forgeryRow: d.prepare("SELECT merchant_uid, via, imp_uid, at FROM order_history WHERE state = 'forgery'").all(),
      indexes: d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'order_history' ORDER BY name").pluck().all(),
      legacyColumn: d.prepare("SELECT fulfilled_at FROM orders WHERE merchant_uid = 'legacy-fulfilled'").pluck().get(),
    }));
    assert.deepEqual(after.versions, [1, 2, 3]);
    assert.equal(after.newIds.length, 2, 'new history rows numbered after the old ones');
    assert.deepEqual(after.forgeryRow, [{ merchant_uid: 'legacy-forgery', via: 'complete', imp_uid: 'imp_forged', at: iso(1000) }]);
    assert.deepEqual(after.indexes, ['order_history_by_order']);
    assert.equal(after.legacyColumn, iso(3000));
    // The widened CHECK still refuses what no release writes.
    const raw = new Database(file);
    try {
      assert.throws(() => raw.prepare("INSERT INTO order_history (merchant_uid, state, via, at) VALUES ('legacy-ready', 'ready', 'telepathy', ?)").run(T0), /CHECK/);
      assert.throws(() => raw.prepare("INSERT INTO order_history (merchant_uid, state, via, at) VALUES ('nobody', 'ready', 'console', ?)").run(T0), /FOREIGN KEY/);
    } finally {
      raw.close();
    }
    // Opening again changes nothing.
    const snapshot = sqliteV1Snapshot(file);
    await (await openSqliteStore(file)).close();
    assert.deepEqual(sqliteV1Snapshot(file), snapshot);
  });

  test('two connections on one file racing transitions, fulfilment claims and reconcile claims: one winner each', async () => {
    const file = join(freshDir(), 'orders.db');
    const clock = new TestClock();
    const a = await openSqliteStore(file, { clock: clock.now });
    const b = await openSqliteStore(file, { clock: clock.now });
    try {
      const created: string[] = [];
      for (let i = 0; i < 20; i++) created.push((await a.create(newOrder())).order.merchant_uid);
      const race = created.flatMap((u) => [
        a.transition(toPaid(u, { imp_uid: `imp_a_${u}`, via: 'complete', payment: payment(`imp_a_${u}`) })),
        b.transition(toPaid(u, { imp_uid: `imp_b_${u}`, via: 'webhook', payment: payment(`imp_b_${u}`) })),
      ]);
      const results = await Promise.all(race);
      for (let i = 0; i < created.length; i++) {
        const pair = results.slice(2 * i, 2 * i + 2);
        assert.equal(pair.filter((r) => r.moved).length, 1, created[i]);
        const order = (await b.get(created[i]!))!;
        assert.equal(order.history.length, 2);
        assert.deepEqual(order.payments.map((p) => p.imp_uid), [order.imp_uid]);
      }
      // The same fulfilment claimed through both: one lease each order.
      const claims = await Promise.all(created.flatMap((u) => [a.claimFulfilment(u, 'wa', 60_000), b.claimFulfilment(u, 'wb', 60_000)]));
      for (let i = 0; i < created.length; i++) assert.equal(claims.slice(2 * i, 2 * i + 2).filter(Boolean).length, 1, created[i]);
      // Overlapping reconcile claims: no order twice, all of them taken.
      clock.advance();
      const batches = await Promise.all([a, b, a, b, a, b].map((s, i) => s.claimForReconcile(claimAll({ limit: 4, owner: `r${i}` }))));
      const claimed = batches.flatMap(uids);
      assert.equal(new Set(claimed).size, claimed.length);
      assert.deepEqual([...claimed].sort(), [...created].sort());
      // A create through one connection is seen, and not repeated, through the other.
      const shared = newOrder();
      assert.equal((await a.create(shared)).created, true);
      assert.equal((await b.create(shared)).created, false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('several processes on one fresh file: migrations once; each transition, fulfilment and reconcile claim won by exactly one', { timeout: 90_000 }, async () => {
    const file = join(freshDir(), 'orders.db');
    const orders = Array.from({ length: 200 }, () => uid('proc'));
    // All of them open (and so migrate) the fresh file at the same time; then the orders, then go.
    const workers = await startRaceProcesses({ file }, orders);
    try {
      const store = await openSqliteStore(file);
      for (const merchant_uid of orders) await store.create(newOrder({ merchant_uid }));
      await raceAll(workers, orders, store);
      await store.close();
      assert.deepEqual(inspect(file, (db) => db.prepare('SELECT version FROM schema_migrations').pluck().all()), MIGRATIONS.map((m) => m.version));
    } finally {
      for (const w of workers) w.kill();
    }
  });
});

// A separate Node process running the real store module. Says "loaded" once its modules are loaded; on a line on
// stdin opens (so migrates) the SQLite `file` or the PostgreSQL `url` and says "ready"; then, for each line naming
// a race (`transition`, `fulfilment`, `reconcile`), runs it over every order and prints the merchant_uids it won as
// JSON. The opening apart from the races, so that the processes' start-up times do not spread their migrations
// apart.
const RACE_SCRIPT = `
  const input = JSON.parse(process.env.RACE_INPUT);
  const { createInterface } = await import('node:readline');
  const stores = await import(input.url ? input.postgres : input.sqlite);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('loaded\\n');
  await lines.next();
  const store = input.url ? await stores.openPostgresStore(input.url) : await stores.openSqliteStore(input.file);
  process.stdout.write('ready\\n');
  const owner = input.imp_uid;
  for (;;) {
    const { value: race, done } = await lines.next();
    if (done || race === 'quit') break;
    const won = [];
    if (race === 'transition') {
      for (const merchant_uid of input.uids) {
        const payment = { imp_uid: owner + '_' + merchant_uid, amount: 50000, currency: 'KRW', status: 'paid', disposition: 'settled', refund_reason: null };
        const result = await store.transition({ merchant_uid, to: 'paid', from: ['ready'], fromImpUid: [null], via: 'webhook', imp_uid: payment.imp_uid, payment });
        if (result.moved) won.push(merchant_uid);
      }
    } else if (race === 'fulfilment') {
      for (const merchant_uid of input.uids) if (await store.claimFulfilment(merchant_uid, owner, 600000)) won.push(merchant_uid);
    } else if (race === 'reconcile') {
      for (;;) {
        const batch = await store.claimForReconcile({ before: new Date('9999-01-01T00:00:00.000Z'), since: new Date(0), limit: 7, owner, leaseMs: 600000 });
        if (batch.length === 0) break;
        won.push(...batch.map((order) => order.merchant_uid));
      }
    } else {
      throw new Error('unknown race ' + race);
    }
    process.stdout.write(JSON.stringify(won) + '\\n');
  }
  await store.close();
  process.exit(0);
`;

type RaceTarget = { file: string } | { url: string };
type RaceWorker = ReturnType<typeof startRaceProcess>;

/**
 * Four race processes (two taking the orders in the opposite order), told to open the store at the same moment
 * once all are loaded; resolves when all have opened. On failure none is left running.
 */
async function startRaceProcesses(target: RaceTarget, orders: string[]): Promise<RaceWorker[]> {
  const workers = Array.from({ length: 4 }, (_, i) => startRaceProcess(target, i % 2 ? [...orders].reverse() : orders, `imp_p${i}`));
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

function startRaceProcess(target: RaceTarget, orders: string[], owner: string) {
  const sqlite = new URL('../../server/store/sqlite.ts', import.meta.url).href;
  const postgres = new URL('../../server/store/postgres.ts', import.meta.url).href;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RACE_SCRIPT], {
    env: { ...process.env, RACE_INPUT: JSON.stringify({ sqlite, postgres, ...target, uids: orders, imp_uid: owner }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = new Promise<never>((_, reject) =>
    child.on('exit', (code) => code !== 0 && reject(new Error(`race process exited with ${code}: ${stderr}`))),
  );
  failed.catch(() => {}); // observed through the lines awaited
  const nextLine = async () => (await Promise.race([lines.next(), failed])).value as string;
  const loaded = nextLine().then((line) => assert.equal(line, 'loaded', stderr));
  const ready = loaded.then(nextLine).then((line) => assert.equal(line, 'ready', stderr));
  return {
    owner,
    loaded,
    open: () => child.stdin.write('open\n'),
    ready,
    /** Runs one race over every order; resolves with the merchant_uids this process won. */
    race: async (name: 'transition' | 'fulfilment' | 'reconcile'): Promise<string[]> => {
      child.stdin.write(`${name}\n`);
      return JSON.parse(await nextLine()) as string[];
    },
    kill: () => child.exitCode === null && child.kill(),
  };
}

/** The three races, all processes at once: every order won by exactly one process each time. */
async function raceAll(workers: RaceWorker[], orders: string[], store: OrderStore): Promise<void> {
  const sorted = [...orders].sort();
  const moved = await Promise.all(workers.map((w) => w.race('transition')));
  assert.deepEqual(moved.flat().sort(), sorted, 'every order moved by exactly one process');
  for (const merchant_uid of orders) {
    const order = (await store.get(merchant_uid))!;
    assert.deepEqual(order.history.map((e) => e.state), ['ready', 'paid']);
    const winner = workers[moved.findIndex((won) => won.includes(merchant_uid))]!;
    assert.deepEqual(order.payments.map((p) => p.imp_uid), [`${winner.owner}_${merchant_uid}`]);
    assert.equal(order.fulfilment.state, 'pending');
  }
  const claimed = await Promise.all(workers.map((w) => w.race('fulfilment')));
  assert.deepEqual(claimed.flat().sort(), sorted, 'every fulfilment leased to exactly one process');
  for (const merchant_uid of orders) assert.equal((await store.get(merchant_uid))!.fulfilment.attempts, 1);
  const examined = await Promise.all(workers.map((w) => w.race('reconcile')));
  assert.deepEqual(examined.flat().sort(), sorted, 'every order examined by exactly one process');
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

async function pgV1Snapshot(schema: string): Promise<V1Snapshot> {
  return {
    orders: await pgRows(`SELECT ${V1_ORDER_COLUMNS} FROM "${schema}".orders ORDER BY merchant_uid COLLATE "C"`),
    history: (await pgRows<{ id: string }>(`SELECT id, merchant_uid, state, via, imp_uid, at FROM "${schema}".order_history ORDER BY id`)).map((r) => ({
      ...r,
      id: Number(r.id),
    })),
  };
}

/** TEST_DATABASE_URL with the search_path of every connection set to `schema`, as an operator might configure it. */
function urlWithSearchPath(schema: string): string {
  const url = new URL(PG_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.href;
}

/** Does any string in `value` (a query's text or parameters) hold what PostgreSQL cannot take as text? */
function unstorable(value: unknown): boolean {
  if (typeof value === 'string') return /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
  if (Array.isArray(value)) return value.some(unstorable);
  if (value && typeof value === 'object') return Object.values(value).some(unstorable);
  return false;
}

if (PG_URL) {
  describe('PostgreSQL store', () => {
    test('orders, history, payments, fulfilment and exact amounts persist across close and reopen; migrations run once', () =>
      withSchema(async (schema) => {
        const clock = new TestClock();
        const first = await openPostgresStore(PG_URL, { schema, clock: clock.now });
        const amounts = [10.1, 0.3, 1234567.89, 50000];
        const created: string[] = [];
        for (const amount of amounts) created.push((await first.create(newOrder({ amount, name: '주문 ☕', items: [{ id: 'x', quantity: 2 }] }))).order.merchant_uid);
        clock.advance();
        await first.transition(toPaid(created[0]!, { via: 'webhook', imp_uid: 'imp_persist', payment: payment('imp_persist', { amount: 10.1 }) }));
        await first.recordPayment(created[0]!, payment('imp_huge', { amount: 1e21, disposition: 'refund_pending', refund_reason: 'duplicate' }));
        await first.recordPayment(created[0]!, payment('imp_tiny', { amount: 0.0000001, disposition: 'not_paid' }));
        await first.claimFulfilment(created[0]!, 'w1', 60_000);
        await first.finishFulfilment(created[0]!, 'w1', { ok: false, retryAt: clock.at(30_000), error: 'HTTP 500' });
        await first.claimForReconcile(claimAll({ limit: 1 }));
        const before = await Promise.all(created.map((u) => first.get(u)));
        await first.close();

        for (let round = 0; round < 2; round++) {
          const again = await openPostgresStore(PG_URL, { schema, clock: clock.now });
          assert.deepEqual(await Promise.all(created.map((u) => again.get(u))), before);
          await again.close();
        }
        const leases = await openPostgresStore(PG_URL, { schema, clock: clock.now });
        assert.deepEqual(await leases.claimForReconcile(claimAll({ owner: 'other' })).then(uids), created.slice(1));
        assert.deepEqual(await leases.dueFulfilments(10), []);
        await leases.close();
        assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
        const stored = await pgRows<{ merchant_uid: string; amount: string }>(`SELECT merchant_uid, amount FROM "${schema}".orders`);
        const amountOf = new Map(stored.map((r) => [r.merchant_uid, r.amount]));
        // The canonical decimal text: what was meant, not a float's expansion.
        assert.deepEqual(created.map((u) => amountOf.get(u)), ['10.1', '0.3', '1234567.89', '50000']);
        const paid = await pgRows<{ amount: string }>(`SELECT amount FROM "${schema}".order_payments ORDER BY id`);
        assert.deepEqual(paid.map((r) => r.amount), ['10.1', '1000000000000000000000', '0.0000001']);
        const paidImp = await pgRows<{ imp_uid: string }>(`SELECT imp_uid FROM "${schema}".order_history WHERE state = 'paid'`);
        assert.deepEqual(paidImp.map((r) => r.imp_uid), ['imp_persist']);
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
        await assert.rejects(openPostgresStore(PG_URL, { schema }), new RegExp(`schema is at version 999, newer than this verifier knows \\(${LATEST}\\)`));
        // Through openStore, the message names the database too.
        await assert.rejects(openStore(PG_URL, { schema }), (error: Error) => {
          assert.ok(error.message.startsWith(`DATABASE_URL ${PG_URL}: the database schema is at version 999`), error.message);
          return true;
        });
        assert.deepEqual(await versions(schema), [...MIGRATIONS.map((m) => m.version), 999]);
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

    test('migration 2 over a migration-1 database: rows read by the new contract, nothing stored lost', () =>
      withSchema(async (schema) => {
        const client = await admin().connect();
        try {
          await migratePostgres(client, schema, { createSchema: true, known: [MIGRATIONS[0]!] });
          assert.deepEqual(await versions(schema), [1]);
          await client.query(`SET search_path TO "${schema}"`);
          await writeV1Rows((sql, params) => client.query(numbered(sql), params));
          await assert.rejects(
            client.query("INSERT INTO order_history (merchant_uid, state, via, at) VALUES ('legacy-ready', 'ready', 'console', $1)", [T0]),
            /order_history_via_check/,
          );
        } finally {
          await client.query('RESET search_path').catch(() => {});
          client.release();
        }
        const before = await pgV1Snapshot(schema);
        const maxHistoryId = Math.max(...before.history.map((r) => (r as { id: number }).id));
        assert.equal(maxHistoryId, before.history.length + 1, 'the v1 ids have a gap');
        const clock = new TestClock();
        clock.set(3_600_000);
        const store = await openPostgresStore(PG_URL, { schema, clock: clock.now });
        try {
          assert.deepEqual(await pgV1Snapshot(schema), expectedAfterMigration(before), 'every v1 row kept, only the forgery order changed');
          await checkMigratedStore(store, clock);
        } finally {
          await store.close();
        }
        assert.deepEqual(await versions(schema), [1, 2, 3]);
        const newIds = await pgRows(`SELECT id FROM "${schema}".order_history WHERE id > $1`, [maxHistoryId]);
        assert.equal(newIds.length, 2, 'new history rows numbered after the old ones');
        assert.deepEqual(await pgRows(`SELECT merchant_uid, via, imp_uid, at FROM "${schema}".order_history WHERE state = 'forgery'`), [
          { merchant_uid: 'legacy-forgery', via: 'complete', imp_uid: 'imp_forged', at: iso(1000) },
        ]);
        await assert.rejects(
          admin().query(`INSERT INTO "${schema}".order_history (merchant_uid, state, via, at) VALUES ('legacy-ready', 'ready', 'telepathy', $1)`, [T0]),
          /order_history_via_check/,
        );
        const snapshot = await pgV1Snapshot(schema);
        await (await openPostgresStore(PG_URL, { schema })).close();
        assert.deepEqual(await pgV1Snapshot(schema), snapshot);
      }));

    test('PostgreSQL is never handed a NUL or an unpaired surrogate: the store refuses or replaces them first', () =>
      withSchema(async (schema) => {
        // What would happen otherwise: a NUL is an error from the server, a lone surrogate silently becomes U+FFFD
        // (so two different merchant_uids would name one order).
        await assert.rejects(admin().query('SELECT $1::text', ['a\0b']), /invalid byte sequence|0x00/);
        assert.equal((await admin().query('SELECT $1::text AS t', ['x\uD800'])).rows[0].t, 'x\uFFFD');
        const clock = new TestClock();
        const store = await openPostgresStore(PG_URL, { schema, clock: clock.now });
        const sent: unknown[] = [];
        const query = pg.Client.prototype.query;
        pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
          sent.push(args[0], args[1]);
          return (query as (...a: unknown[]) => unknown).apply(this, args);
        } as typeof query;
        try {
          const { merchant_uid } = (await store.create(newOrder({ items: [{ id: 'nul\0 lone \uD800', quantity: 1 }] }))).order;
          await store.transition(toPaid(merchant_uid));
          await store.claimFulfilment(merchant_uid, 'w1', 1000);
          for (const bad of UNSTORABLE) {
            await assert.rejects(store.create(newOrder({ merchant_uid: bad })), TypeError);
            await assert.rejects(store.get(bad), TypeError);
            await assert.rejects(store.recordPayment(merchant_uid, payment(bad)), TypeError);
            await assert.rejects(store.transition(toPaid(merchant_uid, { to: 'cancelled', from: ['paid'], fromImpUid: [bad] })), TypeError);
            await assert.rejects(store.claimForReconcile(claimAll({ owner: bad })), TypeError);
          }
          assert.equal(await store.finishFulfilment(merchant_uid, 'w1', { ok: false, retryAt: clock.at(0), error: 'a\0b\uD800' }), true);
          assert.ok(sent.length > 0, 'the spy sees the queries');
          assert.ok(!sent.some(unstorable), 'nothing unstorable reached PostgreSQL');
          const order = (await store.get(merchant_uid))!;
          assert.deepEqual(order.items, [{ id: 'nul\0 lone \uD800', quantity: 1 }], 'items travel as JSON text, escaped');
          assert.equal(order.fulfilment.error, 'a\uFFFDb\uFFFD');
        } finally {
          pg.Client.prototype.query = query;
          await store.close();
        }
      }));

    test('two pools (as two processes) racing 200 transitions: each order moves exactly once', { timeout: 60_000 }, () =>
      withSchema(async (schema) => {
        const a = await openPostgresStore(PG_URL, { schema });
        const b = await openPostgresStore(PG_URL, { schema });
        try {
          const created: string[] = [];
          for (let i = 0; i < 200; i++) created.push((await a.create(newOrder())).order.merchant_uid);
          const viaA = (u: string) => a.transition(toPaid(u, { imp_uid: `imp_a_${u}`, via: 'complete', payment: payment(`imp_a_${u}`) }));
          const viaB = (u: string) => b.transition(toPaid(u, { imp_uid: `imp_b_${u}`, via: 'webhook', payment: payment(`imp_b_${u}`) }));
          // All 400 at once, each pair started in turn by one pool then the other; results kept as [a, b].
          const results = await Promise.all(
            created.flatMap((u, i) => {
              if (i % 2 === 0) return [viaA(u), viaB(u)];
              const fromB = viaB(u);
              return [viaA(u), fromB];
            }),
          );
          for (let i = 0; i < created.length; i++) {
            const pair = results.slice(2 * i, 2 * i + 2);
            const winners = pair.filter((r) => r.moved);
            assert.equal(winners.length, 1, created[i]);
            const order = (await b.get(created[i]!))!;
            assert.deepEqual(order.history.map((e) => e.state), ['ready', 'paid']);
            assert.equal(order.imp_uid, winners[0]!.order!.imp_uid);
            assert.deepEqual(order.payments.map((p) => p.imp_uid), [order.imp_uid]);
            for (const r of pair) assert.equal(r.order!.state, 'paid');
          }
          const [{ n }] = await pgRows<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".order_history WHERE state = 'paid'`);
          assert.equal(n, 200);
          // A create through one pool is seen, and not repeated, through the other; so are racing creates.
          const shared = newOrder();
          const creates = await Promise.all([a.create(shared), b.create(shared), a.create(shared), b.create(shared)]);
          assert.equal(creates.filter((c) => c.created).length, 1);
          assert.equal((await a.get(shared.merchant_uid))!.history.length, 1);
        } finally {
          await a.close();
          await b.close();
        }
      }));

    test('three pools racing fulfilment claims and overlapping reconcile claims: one lease per order, no order examined twice', { timeout: 60_000 }, () =>
      withSchema(async (schema) => {
        const pools = [
          await openPostgresStore(PG_URL, { schema }),
          await openPostgresStore(PG_URL, { schema }),
          await openPostgresStore(PG_URL, { schema }),
        ];
        try {
          const [a] = pools as [PostgresOrderStore];
          const created: string[] = [];
          for (let i = 0; i < 150; i++) {
            const { merchant_uid } = (await a.create(newOrder())).order;
            await a.transition(toPaid(merchant_uid, { imp_uid: `imp_${merchant_uid}` }));
            created.push(merchant_uid);
          }
          // Every pool claims every order, interleaved: each order leased once, one attempt counted.
          const claims = await Promise.all(created.flatMap((u) => pools.map((s, i) => s.claimFulfilment(u, `w${i}`, 60_000))));
          for (let i = 0; i < created.length; i++) {
            assert.equal(claims.slice(3 * i, 3 * i + 3).filter(Boolean).length, 1, created[i]);
          }
          const attempts = await pgRows<{ n: number }>(`SELECT sum(fulfilment_attempts)::int AS n FROM "${schema}".orders`);
          assert.equal(attempts[0]!.n, 150);
          // Reconcile: every pool claims small batches until nothing is left, all at once.
          const drain = async (store: OrderStore, owner: string) => {
            const won: string[] = [];
            for (;;) {
              const batch = await store.claimForReconcile(claimAll({ limit: 5, owner }));
              if (batch.length === 0) return won;
              won.push(...uids(batch));
            }
          };
          const examined = (await Promise.all(pools.flatMap((s, i) => [drain(s, `r${i}a`), drain(s, `r${i}b`)]))).flat();
          assert.equal(new Set(examined).size, examined.length, 'no order examined twice');
          assert.deepEqual([...examined].sort(), [...created].sort());
        } finally {
          for (const s of pools) await s.close();
        }
      }));

    test('four processes starting at once on an empty schema: migrations once; each transition, fulfilment and reconcile claim won by exactly one', { timeout: 90_000 }, () =>
      withSchema(async (schema) => {
        // As an empty database: the schema exists, holds nothing, and is the connections' current schema.
        await admin().query(`CREATE SCHEMA "${schema}"`);
        const url = urlWithSearchPath(schema);
        const orders = Array.from({ length: 200 }, () => uid('pgproc'));
        const workers = await startRaceProcesses({ url }, orders);
        try {
          assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
          const store = await openPostgresStore(url);
          try {
            for (const merchant_uid of orders) await store.create(newOrder({ merchant_uid }));
            await raceAll(workers, orders, store);
          } finally {
            await store.close();
          }
          assert.deepEqual(await versions(schema), MIGRATIONS.map((m) => m.version));
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
    assert.ok(store instanceof MemoryOrderStore, 'a MemoryOrderStore');
    await store.close();
  });

  test('sqlite::memory: is a private SQLite database', async () => {
    const store = await openStore('sqlite::memory:');
    assert.ok(store instanceof SqliteOrderStore, 'a SqliteOrderStore');
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

  test('the clock option reaches every store', async () => {
    const clock = new TestClock();
    clock.set(42_000);
    for (const url of ['memory:', 'sqlite::memory:']) {
      const store = await openStore(url, { clock: clock.now });
      assert.equal((await store.create(newOrder())).order.created_at, iso(42_000), url);
      await store.close();
    }
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
