// A verifier killed (SIGKILL) at the worst moments, in its own process over a SQLite file: after PortOne said
// `paid` but before the order was written; after the write but before any delivery; during a delivery (under its
// lease), before and after the merchant's hook acted; and at a random moment under concurrent verifications.
// Afterwards the file must be whole (every order's state is its last history row), reconcile settles what was
// left (and never delivers: SPEC §4 *Fulfilment*), and a restarted verifier delivers what was owed: every payment
// settled once (one `paid` history entry), every delivery made at least once, and twice only where the kill fell
// between the hook's effect and the attempt's `done` (the one at-least-once window), never before the dead
// process's lease ran out. Each story runs for PortOne V1 and for PortOne V2 (PROTOCOLS: the order prepared with
// `version: "v2"`, paid at the sandbox's V2 side, completed with `{ paymentId }`, delivered to `onPaidV2`, reconciled
// with the V2 client). The sandbox runs in this process; the verifier is test/server/fixtures/verifier-child.ts (a
// SQLite file, the fulfilment hooks logging each delivery, the crash switches).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import { PortOneV2Client } from '../../server/portone/v2/client.js';
import { startServer } from '../../server/main.js';
import { reconcile, type ReconcileReport } from '../../server/reconcile.js';
import { openStore } from '../../server/store/index.js';
import type { Order, OrderStore } from '../../server/store/types.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid, waitFor } from './helpers.js';
import { assertConsistent, mustGet, trail } from './fixtures/tools.js';
import { type ChildVerifier, type ChildVerifierConfig, type Crash, readHookLogs, startChildVerifier } from './fixtures/verifier-processes.js';
import { paymentIdFor } from './verifier-v2-harness.js';

/** The children's delivery lease. */
const LEASE_MS = 2_000;

let sandbox: SandboxClient;
let dir: string;
const children: ChildVerifier[] = [];
const stores: OrderStore[] = [];

before(async () => {
  sandbox = await startTestSandbox();
  dir = mkdtempSync(join(tmpdir(), 'verifier-crash-'));
});
afterEach(async () => {
  for (const { process: child } of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const store of stores.splice(0)) await store.close();
});
after(async () => {
  await sandbox.sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh database file and hook log for one test. */
function files(): { db: string; hooks: string } {
  const name = uid('crash');
  return { db: join(dir, `${name}.db`), hooks: join(dir, `${name}.hooks`) };
}

/**
 * A verifier speaking `protocol` over the test's SQLite file, its hook logging to the test's file, killing itself at
 * `crash` if given.
 */
async function startChild(protocol: Protocol, paths: { db: string; hooks: string }, crash?: Crash, hookWorkMs = 0): Promise<ChildVerifier> {
  const child = await startChildVerifier({
    name: crash ? `crashing (${crash})` : 'verifier',
    databaseUrl: `sqlite:${paths.db}`,
    sandboxUrl: sandbox.url,
    ...protocol.child(),
    logLevel: 'warn',
    // Fast retries, as a test needs them; the lease is what keeps attempts apart.
    fulfilment: { pollMs: 50, backoffMs: 20, maxBackoffMs: 200, leaseMs: LEASE_MS },
    hook: { log: paths.hooks, workMs: hookWorkMs },
    crash,
  });
  children.push(child);
  return child;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** The test's own view of the file (opened after a crash: SQLite recovers the WAL). */
async function open(db: string): Promise<OrderStore> {
  const store = await openStore(`sqlite:${db}`);
  stores.push(store);
  return store;
}

/** merchant_uid → the deliveries the hook made for it (one line each, written by the hook itself), oldest first. */
function hookRuns(hooks: string) {
  const { runs, torn } = readHookLogs([hooks]);
  assert.equal(torn, 0, `every line of ${hooks} is whole`);
  return runs;
}

/**
 * Reconcile as `npm run reconcile --older-than 0` would on a server speaking V1 and V2: it settles, it has no hook
 * and delivers nothing.
 */
async function reconcileFile(store: OrderStore): Promise<ReconcileReport> {
  const portone = new PortOneClient({ apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 2_000, deadlineMs: 5_000, backoffMs: 20 });
  const { v2 } = sandbox.sandbox;
  const client = new PortOneV2Client({ apiUrl: v2.url, apiSecret: v2.credentials.apiSecret, timeoutMs: 2_000, deadlineMs: 5_000, backoffMs: 20 });
  await sleep(2); // olderThanMinutes: 0 reads orders moved strictly before now
  return reconcile({ store, portone, v2: { client, storeId: v2.credentials.storeId, acceptTestPayments: false }, logger: silentLogger }, { olderThanMinutes: 0 });
}

/** The order once its delivery is done (the running verifier's deliverer). */
function delivered(store: OrderStore, merchantUid: string): Promise<Order> {
  return waitFor(
    async () => {
      const order = await mustGet(store, merchantUid);
      return order.fulfilment.state === 'done' ? order : null;
    },
    `the delivery of ${merchantUid}`,
    10_000,
  );
}

const fulfilmentOf = (order: Order) => ({ state: order.fulfilment.state, attempts: order.fulfilment.attempts });

/**
 * An order paid at PortOne, named as the store names it: `merchant_uid` is its key, `imp_uid` the payment that settles
 * it (V2 keeps its paymentId and its transactionId there); `complete` is what the browser sends to verify it.
 */
interface PaidOrder {
  merchant_uid: string;
  imp_uid: string;
  complete: Record<string, string>;
}

/** What differs between the two PortOne protocols in these stories; the stories themselves do not. */
interface Protocol {
  name: 'V1' | 'V2';
  /** What the child is told beyond the V1 sandbox it always has. */
  child(): Pick<ChildVerifierConfig, 'sandboxV2'>;
  /** Prepare through the child (the order is stored and registered with PortOne), then pay at PortOne. */
  pay(child: ChildVerifier, amount: number): Promise<PaidOrder>;
  /** The sandbox side whose faults slow this protocol's payment lookups. */
  control(): SandboxClient['sandbox']['control'] | SandboxClient['sandbox']['v2']['control'];
  /** The path prefix of the lookup `complete` makes (V1 by imp_uid; V2 by paymentId, its one GET). */
  lookupPath: string;
  /** What PortOne calls a payment (reconcile's report names each). */
  paymentId: RegExp;
}

const PROTOCOLS: Protocol[] = [
  {
    name: 'V1',
    child: () => ({}),
    async pay(child, amount) {
      const merchant_uid = uid('crash');
      const prepared = await post(`${child.url}/payments/prepare`, { amount, merchant_uid });
      assert.equal(prepared.status, 201, JSON.stringify(prepared.body));
      const payment = await sandbox.createPayment({ merchant_uid, amount, status: 'paid' });
      return { merchant_uid, imp_uid: payment.imp_uid as string, complete: { merchant_uid, imp_uid: payment.imp_uid as string } };
    },
    control: () => sandbox.sandbox.control,
    lookupPath: '/payments/imp_',
    paymentId: /imp_\d+/,
  },
  {
    name: 'V2',
    child: () => ({ sandboxV2: { url: sandbox.sandbox.v2.url, credentials: sandbox.sandbox.v2.credentials } }),
    async pay(child, amount) {
      const paymentId = paymentIdFor('crash');
      const prepared = await post(`${child.url}/payments/prepare`, { version: 'v2', amount, paymentId });
      assert.equal(prepared.status, 201, JSON.stringify(prepared.body));
      const payment = await sandbox.sandbox.v2.control.createPayment({ paymentId, amount, status: 'PAID' });
      return { merchant_uid: paymentId, imp_uid: payment.transactionId, complete: { paymentId } };
    },
    control: () => sandbox.sandbox.v2.control,
    lookupPath: '/payments/',
    paymentId: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
  },
];

/** The verify whose process dies under it: the connection closes without an answer. */
async function verifyDies(child: ChildVerifier, order: PaidOrder): Promise<void> {
  await assert.rejects(post(`${child.url}/payments/complete`, order.complete), TypeError, 'the connection died without an answer');
  assert.equal(await child.exited, 'SIGKILL', `the verifier was killed: ${child.stderr()}`);
}

for (const protocol of PROTOCOLS) {
  describe(protocol.name, () => {
    test('killed after PortOne said paid, before the write: the order stays ready; reconcile pays it once and delivers nothing; the restarted server delivers once', async () => {
      const paths = files();
      const child = await startChild(protocol, paths, 'before-paid-write');
      const order = await protocol.pay(child, 25_000);
      await verifyDies(child, order);

      const store = await open(paths.db);
      const stored = await mustGet(store, order.merchant_uid);
      assert.equal(stored.state, 'ready', 'nothing was written');
      assert.deepEqual(trail(stored), ['ready/prepare']);
      assert.deepEqual(fulfilmentOf(stored), { state: 'none', attempts: 0 });
      assert.equal(hookRuns(paths.hooks).size, 0, 'nothing was delivered');

      const report = await reconcileFile(store);
      assert.equal(report.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, JSON.stringify(report));
      assert.equal(report.counts.paid, 1, JSON.stringify(report.counts));
      const settled = await mustGet(store, order.merchant_uid);
      assert.equal(settled.state, 'paid');
      assert.equal(settled.imp_uid, order.imp_uid);
      assert.deepEqual(trail(settled), ['ready/prepare', 'paid/reconcile']);
      assert.deepEqual(fulfilmentOf(settled), { state: 'pending', attempts: 0 }, 'the delivery is owed, not made: reconcile has no hook');
      assert.equal(hookRuns(paths.hooks).size, 0, 'reconcile delivered nothing');

      // A second pass examines the order again (every payment of every order: a lost double charge would show) and
      // changes nothing.
      const again = await reconcileFile(store);
      assert.equal(again.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, JSON.stringify(again));
      assert.deepEqual(trail(await mustGet(store, order.merchant_uid)), ['ready/prepare', 'paid/reconcile']);

      // The running server delivers what reconcile left owed.
      await startChild(protocol, paths);
      const done = await delivered(store, order.merchant_uid);
      assert.deepEqual(fulfilmentOf(done), { state: 'done', attempts: 1 });
      await sleep(300); // a second delivery would come within a few polls
      assert.equal(hookRuns(paths.hooks).get(order.merchant_uid)?.length, 1, 'delivered once');
    });

    test('killed before the write, then a normal verifier restarts on the same file: the retried verify pays it once and delivers once', async () => {
      const paths = files();
      const crashed = await startChild(protocol, paths, 'before-paid-write');
      const order = await protocol.pay(crashed, 25_000);
      await verifyDies(crashed, order);

      const restarted = await startChild(protocol, paths);
      const view = (await fetch(`${restarted.url}/payments/${order.merchant_uid}`).then((r) => r.json())) as { state: string };
      assert.equal(view.state, 'ready');
      const done = await post(`${restarted.url}/payments/complete`, order.complete);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.status, 'paid');
      assert.equal(done.body.fulfilment, 'done', 'the first attempt went through within the wait');
      const again = await post(`${restarted.url}/payments/complete`, order.complete);
      assert.equal(again.status, 200);
      assert.equal(again.body.fulfilment, 'done');

      const store = await open(paths.db);
      const report = await reconcileFile(store);
      assert.equal(report.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, 'reconcile finds it settled');
      const settled = await mustGet(store, order.merchant_uid);
      assert.deepEqual(trail(settled), ['ready/prepare', 'paid/complete']);
      assert.deepEqual(fulfilmentOf(settled), { state: 'done', attempts: 1 });
      await sleep(300);
      assert.equal(hookRuns(paths.hooks).get(order.merchant_uid)?.length, 1, 'delivered once');
    });

    test('killed after the paid write, before any delivery: the order is paid once; reconcile delivers nothing; the restarted server delivers once', async () => {
      const paths = files();
      const child = await startChild(protocol, paths, 'after-paid-write');
      const order = await protocol.pay(child, 25_000);
      await verifyDies(child, order);

      const store = await open(paths.db);
      const stored = await mustGet(store, order.merchant_uid);
      assert.equal(stored.state, 'paid', 'the committed write survived the kill');
      assert.deepEqual(trail(stored), ['ready/prepare', 'paid/complete']);
      assert.deepEqual(fulfilmentOf(stored), { state: 'pending', attempts: 0 }, 'the delivery was owed in the same transaction');
      assert.equal(hookRuns(paths.hooks).size, 0);

      const report = await reconcileFile(store);
      assert.equal(report.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, JSON.stringify(report));
      assert.deepEqual(fulfilmentOf(await mustGet(store, order.merchant_uid)), { state: 'pending', attempts: 0 }, 'reconcile never delivers');
      assert.equal(hookRuns(paths.hooks).size, 0);

      // A restarted server delivers it (its poll, or the browser's retry of the verify: one of them, under the lease).
      const restarted = await startChild(protocol, paths);
      const retry = await post(`${restarted.url}/payments/complete`, order.complete);
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
      assert.equal(retry.body.status, 'paid');
      const done = await delivered(store, order.merchant_uid);
      assert.deepEqual(fulfilmentOf(done), { state: 'done', attempts: 1 }, 'one attempt');
      const again = await post(`${restarted.url}/payments/complete`, order.complete);
      assert.equal(again.body.fulfilment, 'done');
      await sleep(300);
      assert.equal(hookRuns(paths.hooks).get(order.merchant_uid)?.length, 1, 'delivered once');
      assert.deepEqual(trail(await mustGet(store, order.merchant_uid)), ['ready/prepare', 'paid/complete']);
    });

    for (const [crash, effect] of [
      ['in-hook-before-effect', false],
      ['in-hook-after-effect', true],
    ] as const) {
      test(`killed during a delivery, ${effect ? 'after' : 'before'} the hook acted: the restarted server delivers again once the dead one's lease ran out (${effect ? 'twice in all: the at-least-once window' : 'once in all'})`, async () => {
        const paths = files();
        const child = await startChild(protocol, paths, crash);
        const order = await protocol.pay(child, 25_000);
        await verifyDies(child, order);

        const store = await open(paths.db);
        const stored = await mustGet(store, order.merchant_uid);
        assert.deepEqual(trail(stored), ['ready/prepare', 'paid/complete']);
        assert.deepEqual(fulfilmentOf(stored), { state: 'pending', attempts: 1 }, 'the attempt was claimed under a lease, never finished');
        const claimedAt = Date.parse(stored.fulfilment.at!);
        const first = hookRuns(paths.hooks).get(order.merchant_uid) ?? [];
        assert.deepEqual(
          first.map((r) => r.pid),
          effect ? [child.pid] : [],
          'the hook acted before the kill exactly when it was killed after its effect',
        );

        // The browser retries its verify on the restarted server at once: the order is paid, and its delivery is the
        // dead process's until the lease runs out (the retry must not start a second attempt under it).
        const restarted = await startChild(protocol, paths);
        const retry = await post(`${restarted.url}/payments/complete`, order.complete);
        assert.equal(retry.status, 200, JSON.stringify(retry.body));
        assert.equal(retry.body.status, 'paid');
        const done = await delivered(store, order.merchant_uid);
        assert.deepEqual(fulfilmentOf(done), { state: 'done', attempts: 2 }, 'a second attempt finished it');
        await sleep(300);
        const runs = hookRuns(paths.hooks).get(order.merchant_uid) ?? [];
        assert.equal(runs.length, effect ? 2 : 1, `delivered ${effect ? 'twice' : 'once'}: ${JSON.stringify(runs)}`);
        assert.ok(runs.every((r) => r.payment === order.imp_uid), `each delivery carried the payment that settled the order: ${JSON.stringify(runs)}`);
        const redelivery = runs.at(-1)!;
        assert.notEqual(redelivery.pid, child.pid);
        assert.ok(redelivery.at >= claimedAt + LEASE_MS, `not before the dead process's lease ran out (claimed ${claimedAt}, redelivered ${redelivery.at})`);
        assert.deepEqual(trail(done), ['ready/prepare', 'paid/complete'], 'paid once');
      });
    }

    test('SIGKILL under concurrent verifications: no order half-written, none lost, none paid twice; every delivery at least once, twice exactly where the kill cut a delivery after its hook acted', async () => {
      const paths = files();
      // A hook that takes 2 × 15 ms (its effect in the middle): the kill can land in a delivery, on either side of it.
      const child = await startChild(protocol, paths, undefined, 15);
      const orders = [];
      for (let i = 0; i < 24; i++) orders.push(await protocol.pay(child, 1000 + i));
      // Spread PortOne's answers over ~150 ms so the kill lands with verifications in every phase.
      const faults = protocol.control();
      await faults.clearFaults();
      for (let i = 0; i < 3; i++) await faults.addFault({ type: 'latency', path: protocol.lookupPath, method: 'GET', ms: 50 * i + 10, after: 8 * i, times: 8 });

      const answered = new Map<string, number>();
      const verifications = orders.map((order) =>
        post(`${child.url}/payments/complete`, order.complete).then(
          (answer) => void answered.set(order.merchant_uid, answer.status),
          () => undefined, // the kill closed the connection
        ),
      );
      // Kill once the first verification has been answered, a random moment later.
      await Promise.race(verifications);
      await sleep(Math.random() * 60);
      child.process.kill('SIGKILL');
      assert.equal(await child.exited, 'SIGKILL');
      await Promise.all(verifications);
      await faults.clearFaults();

      // What the kill left: paid orders whose delivery is owed; among them those whose hook had acted (a line from the
      // dead process) will be delivered twice. Nothing can tell the two apart from the database: receivers must be
      // idempotent by merchant_uid (SPEC §4).
      const store = await open(paths.db);
      const beforeRuns = hookRuns(paths.hooks);
      const expected = new Map<string, number>();
      let cutAfterEffect = 0;
      for (const order of orders) {
        const stored = await mustGet(store, order.merchant_uid);
        assertConsistent(stored);
        assert.ok(stored.state === 'ready' || stored.state === 'paid', `${order.merchant_uid} is ${stored.state}`);
        if (answered.get(order.merchant_uid) === 200) assert.equal(stored.state, 'paid', 'an answered 200 was durable');
        const lines = beforeRuns.get(order.merchant_uid)?.length ?? 0;
        assert.ok(lines <= 1, `${order.merchant_uid}: delivered at most once before the kill`);
        if (stored.fulfilment.state === 'done') assert.equal(lines, 1, `${order.merchant_uid}: done means the hook acted`);
        const cut = stored.fulfilment.state === 'pending' && lines === 1;
        if (cut) cutAfterEffect++;
        expected.set(order.merchant_uid, cut ? 2 : 1);
      }
      assert.ok(answered.size >= 1, 'at least one verification was answered before the kill');

      const states = (await Promise.all(orders.map((o) => mustGet(store, o.merchant_uid)))).map((o) => `${o.state}/${o.fulfilment.state}`);
      const tally = (key: string) => states.filter((s) => s === key).length;
      console.log(
        `kill under load: ${answered.size} answered; left ready ${tally('ready/none')}, paid and delivered ${tally('paid/done')}, paid and owed ${tally('paid/pending')} ` +
          `(${cutAfterEffect} of them cut after the hook acted: delivered twice)`,
      );

      const report = await reconcileFile(store);
      for (const order of orders) assert.equal(report.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, `reconcile settles ${order.merchant_uid}: ${JSON.stringify(report.outcomes)}`);
      assert.deepEqual(hookRuns(paths.hooks), beforeRuns, 'reconcile delivered nothing');

      await startChild(protocol, paths);
      for (const order of orders) {
        const settled = await delivered(store, order.merchant_uid);
        assertConsistent(settled);
        assert.equal(settled.state, 'paid', `${order.merchant_uid} was settled`);
        assert.equal(settled.imp_uid, order.imp_uid);
        assert.equal(settled.history.filter((h) => h.state === 'paid').length, 1, 'paid exactly once');
      }
      await sleep(300);
      const runs = hookRuns(paths.hooks);
      const counts = new Map(orders.map((o) => [o.merchant_uid, runs.get(o.merchant_uid)?.length ?? 0]));
      assert.deepEqual(counts, expected, `deliveries per order: once each, twice for the ${cutAfterEffect} cut between the hook's effect and done`);
      for (const order of orders) assert.ok(runs.get(order.merchant_uid)!.every((r) => r.payment === order.imp_uid), `${order.merchant_uid}: each delivery carried the payment that settled it`);
      const second = await reconcileFile(store);
      const paid = new RegExp(`^${protocol.paymentId.source}: paid$`);
      assert.ok(Object.values(second.outcomes).every((o) => paid.test(o)), `a second pass finds everything paid: ${JSON.stringify(second.outcomes)}`);
      assert.deepEqual(hookRuns(paths.hooks), runs, 'and delivers nothing');
    });
  });
}

test('a restart that cannot listen (the port is still held): a ConfigError naming PORT; store closed, no sandbox left listening', async () => {
  const held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  const sandboxPort = (spare.address() as AddressInfo).port;
  await new Promise((resolve) => spare.close(resolve));
  const paths = files();
  try {
    const config = loadConfig({
      PORTONE_SANDBOX: 'true', // the built-in sandbox starts first, then the verifier fails to listen
      PORT: String((held.address() as AddressInfo).port),
      SANDBOX_PORT: String(sandboxPort),
      DATABASE_URL: `sqlite:${paths.db}`,
      LOG_LEVEL: 'silent',
    });
    await assert.rejects(startServer(config, { logger: silentLogger }), (error: Error) => {
      assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
      assert.match(error.message, /^PORT: port \d+ on 127\.0\.0\.1 is already in use .* set PORT to a free port$/);
      return true;
    });
    await assert.rejects(fetch(`http://127.0.0.1:${sandboxPort}/__sandbox/`), TypeError, 'the sandbox it started is closed again');
    // SQLite removes the WAL file when its last connection closes: the store was closed.
    assert.ok(existsSync(paths.db), 'the store was opened');
    assert.equal(existsSync(`${paths.db}-wal`), false, 'and closed again');
  } finally {
    await new Promise((resolve) => held.close(resolve));
  }
});
