// A verifier killed (SIGKILL) at the worst moments, in its own process over a SQLite file: after PortOne said
// `paid` but before the order was written; after the write but before the fulfilment hook; and at a random
// moment under concurrent verifications. Afterwards the file must be whole (every order's state is its last
// history row), and a restarted verifier or reconcile must settle every payment exactly once: one `paid`
// history entry, the hook run once. The sandbox runs in this process; the verifier is
// test/server/fixtures/verifier-child.ts.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import { startServer } from '../../server/main.js';
import { reconcile } from '../../server/reconcile.js';
import { openStore } from '../../server/store/index.js';
import type { OrderStore } from '../../server/store/types.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid } from './helpers.js';
import { assertConsistent, mustGet, trail } from './fixtures/tools.js';

const CHILD = fileURLToPath(new URL('./fixtures/verifier-child.ts', import.meta.url));

interface Child {
  url: string;
  process: ChildProcess;
  stderr: () => string;
  /** Resolves with the signal (or exit code) the process ended with. */
  exited: Promise<NodeJS.Signals | number | null>;
}

let sandbox: SandboxClient;
let dir: string;
const children: ChildProcess[] = [];
const stores: OrderStore[] = [];

before(async () => {
  sandbox = await startTestSandbox();
  dir = mkdtempSync(join(tmpdir(), 'verifier-crash-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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

async function startChild(paths: { db: string; hooks: string }, crash?: 'before-paid-write' | 'after-paid-write'): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DB_FILE: paths.db, HOOK_LOG: paths.hooks, SANDBOX_URL: sandbox.url, ...(crash ? { CRASH: crash } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  // The start-up timeout is cancelled once the race is decided: a pending timer would hold the test file open.
  const giveUp = new AbortController();
  const url = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line).url))),
    exited.then((how) => Promise.reject(new Error(`the verifier exited (${how}) before listening: ${stderr}`))),
    sleep(30_000, undefined, { signal: giveUp.signal }).then(() => Promise.reject(new Error(`the verifier did not start: ${stderr}`))),
  ]).finally(() => giveUp.abort());
  return { url, process: child, stderr: () => stderr, exited };
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

/** merchant_uid → how many times the child processes' hook ran for it. */
function childHooks(hooks: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(hooks)) return counts;
  for (const line of readFileSync(hooks, 'utf8').split('\n').filter(Boolean)) {
    const { merchant_uid } = JSON.parse(line) as { merchant_uid: string };
    counts.set(merchant_uid, (counts.get(merchant_uid) ?? 0) + 1);
  }
  return counts;
}

/** Reconcile as `npm run reconcile --older-than 0` would, recording its hook calls. */
async function reconcileFile(store: OrderStore) {
  const hooked: string[] = [];
  const portone = new PortOneClient({ apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 2_000, deadlineMs: 5_000, backoffMs: 20 });
  await sleep(2); // olderThanMinutes: 0 reads orders moved strictly before now
  const report = await reconcile({ store, portone, logger: silentLogger, onPaid: (order) => void hooked.push(order.merchant_uid) }, { olderThanMinutes: 0 });
  return { report, hooked };
}

/** Prepare through the child (the order is stored and registered with PortOne), then pay at PortOne. */
async function paidOrder(child: Child, amount = 25_000) {
  const merchant_uid = uid('crash');
  const prepared = await post(`${child.url}/payments/prepare`, { amount, merchant_uid });
  assert.equal(prepared.status, 201, JSON.stringify(prepared.body));
  const payment = await sandbox.createPayment({ merchant_uid, amount, status: 'paid' });
  return { merchant_uid, imp_uid: payment.imp_uid as string };
}

/** The verify whose process dies under it: the connection closes without an answer. */
async function verifyDies(child: Child, order: { merchant_uid: string; imp_uid: string }): Promise<void> {
  await assert.rejects(post(`${child.url}/payments/complete`, order), TypeError, 'the connection died without an answer');
  assert.equal(await child.exited, 'SIGKILL', `the verifier was killed: ${child.stderr()}`);
}

test('killed after PortOne said paid, before the write: the order stays ready; reconcile pays it once', async () => {
  const paths = files();
  const child = await startChild(paths, 'before-paid-write');
  const order = await paidOrder(child);
  await verifyDies(child, order);

  const store = await open(paths.db);
  const stored = await mustGet(store, order.merchant_uid);
  assert.equal(stored.state, 'ready', 'nothing was written');
  assert.deepEqual(trail(stored), ['ready/prepare']);
  assert.equal(childHooks(paths.hooks).size, 0, 'the hook never ran');

  const { report, hooked } = await reconcileFile(store);
  assert.equal(report.outcomes[order.merchant_uid], 'paid', JSON.stringify(report));
  const settled = await mustGet(store, order.merchant_uid);
  assert.equal(settled.state, 'paid');
  assert.equal(settled.imp_uid, order.imp_uid);
  assert.deepEqual(trail(settled), ['ready/prepare', 'paid/reconcile']);
  assert.notEqual(settled.fulfilled_at, null);
  assert.deepEqual(hooked, [order.merchant_uid], 'the hook ran once');

  const again = await reconcileFile(store);
  assert.equal(again.report.outcomes[order.merchant_uid], undefined);
  assert.deepEqual(again.hooked, []);
  assert.deepEqual(trail(await mustGet(store, order.merchant_uid)), ['ready/prepare', 'paid/reconcile']);
});

test('killed before the write, then a normal verifier restarts on the same file: the retried verify pays it once', async () => {
  const paths = files();
  const crashed = await startChild(paths, 'before-paid-write');
  const order = await paidOrder(crashed);
  await verifyDies(crashed, order);

  const restarted = await startChild(paths);
  const view = (await fetch(`${restarted.url}/payments/${order.merchant_uid}`).then((r) => r.json())) as { state: string };
  assert.equal(view.state, 'ready');
  const done = await post(`${restarted.url}/payments/complete`, order);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'paid');
  const again = await post(`${restarted.url}/payments/complete`, order);
  assert.equal(again.status, 200);

  const store = await open(paths.db);
  const { report, hooked } = await reconcileFile(store);
  assert.equal(report.outcomes[order.merchant_uid], undefined, 'nothing left for reconcile');
  assert.deepEqual(hooked, []);
  const settled = await mustGet(store, order.merchant_uid);
  assert.deepEqual(trail(settled), ['ready/prepare', 'paid/complete']);
  assert.equal(childHooks(paths.hooks).get(order.merchant_uid), 1, 'the hook ran once');
});

test('killed after the paid write, before the hook: the order is paid once; reconcile runs the hook once', async () => {
  const paths = files();
  const child = await startChild(paths, 'after-paid-write');
  const order = await paidOrder(child);
  await verifyDies(child, order);

  const store = await open(paths.db);
  const stored = await mustGet(store, order.merchant_uid);
  assert.equal(stored.state, 'paid', 'the committed write survived the kill');
  assert.deepEqual(trail(stored), ['ready/prepare', 'paid/complete']);
  assert.equal(stored.fulfilled_at, null);
  assert.equal(childHooks(paths.hooks).size, 0);

  // The browser's retry on a restarted verifier sees it paid and does not fire the hook again.
  const restarted = await startChild(paths);
  const retry = await post(`${restarted.url}/payments/complete`, order);
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.equal(childHooks(paths.hooks).size, 0, 'a verify that did not move the order runs no hook');

  const { report, hooked } = await reconcileFile(store);
  assert.equal(report.refulfilled, 1);
  assert.deepEqual(hooked, [order.merchant_uid]);
  assert.notEqual((await mustGet(store, order.merchant_uid)).fulfilled_at, null);
  const again = await reconcileFile(store);
  assert.equal(again.report.refulfilled, 0);
  assert.deepEqual(again.hooked, []);
  assert.deepEqual(trail(await mustGet(store, order.merchant_uid)), ['ready/prepare', 'paid/complete']);
});

test('SIGKILL under concurrent verifications: no order half-written, none lost, none paid twice', async () => {
  const paths = files();
  const child = await startChild(paths);
  const orders = [];
  for (let i = 0; i < 24; i++) orders.push(await paidOrder(child, 1000 + i));
  // Spread PortOne's answers over ~150 ms so the kill lands with verifications in every phase.
  await sandbox.ok('DELETE', '/faults');
  for (let i = 0; i < 3; i++) await sandbox.ok('POST', '/faults', { type: 'latency', path: '/payments/imp_', method: 'GET', ms: 50 * i + 10, after: 8 * i, times: 8 });

  const answered = new Map<string, number>();
  const verifications = orders.map((order) =>
    post(`${child.url}/payments/complete`, order).then(
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
  await sandbox.ok('DELETE', '/faults');

  const store = await open(paths.db);
  const before = new Map<string, { state: string; fulfilled: boolean }>();
  for (const order of orders) {
    const stored = await mustGet(store, order.merchant_uid);
    assertConsistent(stored);
    assert.ok(stored.state === 'ready' || stored.state === 'paid', `${order.merchant_uid} is ${stored.state}`);
    if (answered.get(order.merchant_uid) === 200) assert.equal(stored.state, 'paid', 'an answered 200 was durable');
    before.set(order.merchant_uid, { state: stored.state, fulfilled: stored.fulfilled_at !== null });
  }
  assert.ok(answered.size >= 1, 'at least one verification was answered before the kill');

  const { hooked } = await reconcileFile(store);
  const fromChild = childHooks(paths.hooks);
  for (const order of orders) {
    const settled = await mustGet(store, order.merchant_uid);
    assertConsistent(settled);
    assert.equal(settled.state, 'paid', `${order.merchant_uid} was settled`);
    assert.equal(settled.imp_uid, order.imp_uid);
    assert.equal(settled.history.filter((h) => h.state === 'paid').length, 1, 'paid exactly once');
    assert.notEqual(settled.fulfilled_at, null);
    const byReconcile = hooked.filter((m) => m === order.merchant_uid).length;
    const byChild = fromChild.get(order.merchant_uid) ?? 0;
    // The hook ran at least once; reconcile ran it only for an order whose hook had not been recorded, and
    // exactly once unless the child's hook itself ran and the kill came before it was recorded (the only
    // window where a hook can run twice: at-least-once across a crash).
    assert.ok(byChild + byReconcile >= 1, `${order.merchant_uid}: the hook ran`);
    if (before.get(order.merchant_uid)!.fulfilled) assert.equal(byReconcile, 0, `${order.merchant_uid}: no second hook for a recorded one`);
    if (byChild === 0) assert.equal(byReconcile, 1, `${order.merchant_uid}: reconcile ran the missing hook once`);
    assert.ok(byChild <= 1 && byReconcile <= 1);
  }
  const second = await reconcileFile(store);
  assert.deepEqual(second.hooked, []);
  assert.equal(second.report.checked, 0);
});

test('a restart that cannot listen (the port is still held) fails cleanly: store closed, no sandbox left listening', async () => {
  const held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  const sandboxPort = (spare.address() as AddressInfo).port;
  await new Promise((resolve) => spare.close(resolve));
  const paths = files();
  try {
    await assert.rejects(
      startServer(
        {
          port: (held.address() as AddressInfo).port,
          host: '127.0.0.1',
          portone: null, // the built-in sandbox starts first, then the verifier fails to listen
          sandboxPort,
          databaseUrl: `sqlite:${paths.db}`,
          allowedOrigins: [],
          reconcileAfterMinutes: 10,
          reconcileIntervalMinutes: 0,
          logLevel: 'silent',
        },
        { logger: silentLogger },
      ),
      /EADDRINUSE/,
    );
    await assert.rejects(fetch(`http://127.0.0.1:${sandboxPort}/__sandbox/`), TypeError, 'the sandbox it started is closed again');
    // SQLite removes the WAL file when its last connection closes: the store was closed.
    assert.ok(existsSync(paths.db), 'the store was opened');
    assert.equal(existsSync(`${paths.db}-wal`), false, 'and closed again');
  } finally {
    await new Promise((resolve) => held.close(resolve));
  }
});
