// Reconcile: the safety net for what the browser and the webhook lose. Each test makes PortOne (the sandbox)
// know something the verifier never heard, runs reconcile, and checks the order, its history (`via:
// 'reconcile'`) and the fulfilment hook, then runs it again to see that nothing happens twice. The last
// tests run `npm run reconcile`'s script as a child process against a SQLite file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { createLogger, silentLogger } from '../../server/log.js';
import { startServer } from '../../server/main.js';
import type { PortOnePayment } from '../../server/portone/schemas.js';
import { reconcile, type ReconcileDeps } from '../../server/reconcile.js';
import { openStore } from '../../server/store/index.js';
import type { Order } from '../../server/store/types.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid, waitFor } from './helpers.js';
import { arrivals, mustGet, trail } from './fixtures/tools.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';

/** The merchant's hook, shared by the verifier and reconcile; `failures` makes the next calls throw. */
function recordingHook() {
  const calls: Array<{ merchant_uid: string; imp_uid: string }> = [];
  const hook = {
    calls,
    failures: 0,
    onPaid: async (order: Order, payment: PortOnePayment) => {
      calls.push({ merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid });
      if (hook.failures > 0) {
        hook.failures--;
        throw new Error('the warehouse is down');
      }
    },
  };
  return hook;
}

let v: VerifierHarness;
let hook: ReturnType<typeof recordingHook>;
let deps: ReconcileDeps;

before(async () => {
  hook = recordingHook();
  v = await startVerifier({ store: 'sqlite', client: { maxAttempts: 2 }, onPaid: (order, payment) => hook.onPaid(order, payment) });
  deps = { store: v.store, portone: v.portone, logger: silentLogger, onPaid: hook.onPaid };
});
after(() => v.close());
afterEach(async () => {
  hook.calls.length = 0;
  hook.failures = 0;
  await v.sandbox.ok('DELETE', '/faults');
});

/** An order prepared through the verifier (state `ready`, registered with PortOne). */
async function prepared(amount = 12_000): Promise<string> {
  const merchant_uid = uid();
  const answer = await v.prepare({ amount, merchant_uid });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return merchant_uid;
}

/**
 * One pass over every waiting order. `olderThanMinutes: 0` means "moved before now", strictly (the store's
 * `updated_at < before`), so let the clock pass the millisecond of the last change first.
 */
const run = async () => {
  await sleep(2);
  return reconcile(deps, { olderThanMinutes: 0 });
};
const hooksFor = (merchantUid: string) => hook.calls.filter((c) => c.merchant_uid === merchantUid);

test('a paid payment whose verify never came (browser closed mid-redirect, webhook lost) is settled by reconcile', async () => {
  const merchant_uid = await prepared();
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  const report = await run();
  assert.equal(report.outcomes[merchant_uid], 'paid', JSON.stringify(report));
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'paid');
  assert.equal(order.imp_uid, payment.imp_uid);
  assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
  assert.deepEqual(hooksFor(merchant_uid), [{ merchant_uid, imp_uid: payment.imp_uid }]);
  // What the browser would see now.
  const view = await v.get(`/payments/${merchant_uid}`);
  assert.deepEqual(view.body.history.map((h: { via: string }) => h.via), ['prepare', 'reconcile']);

  const again = await run();
  assert.equal(again.outcomes[merchant_uid], undefined);
  assert.equal(hooksFor(merchant_uid).length, 1);
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare', 'paid/reconcile']);
});

test('a virtual account issued (verified) and then deposited with no webhook becomes paid', async () => {
  const merchant_uid = await prepared();
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'ready', pay_method: 'vbank' });
  const issued = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  assert.equal(issued.body.status, 'ready');
  assert.equal((await mustGet(v.store, merchant_uid)).state, 'vbank_issued');

  // Before the deposit reconcile leaves it waiting, and no hook runs.
  const waiting = await run();
  assert.equal(waiting.outcomes[merchant_uid], 'ready');
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare', 'vbank_issued/complete']);
  assert.equal(hooksFor(merchant_uid).length, 0);

  await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
  const report = await run();
  assert.equal(report.outcomes[merchant_uid], 'paid', JSON.stringify(report));
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'paid');
  assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/complete', 'paid/reconcile']);
  assert.equal(hooksFor(merchant_uid).length, 1);
  await run();
  assert.equal(hooksFor(merchant_uid).length, 1);
});

test('a virtual account nobody verified: reconcile records it issued, then paid after the deposit', async () => {
  const merchant_uid = await prepared();
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'ready', pay_method: 'vbank' });
  assert.equal((await run()).outcomes[merchant_uid], 'ready');
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare', 'vbank_issued/reconcile']);
  await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
  assert.equal((await run()).outcomes[merchant_uid], 'paid');
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare', 'vbank_issued/reconcile', 'paid/reconcile']);
  assert.equal(hooksFor(merchant_uid).length, 1);
});

test('an order PortOne has no payment for stays ready (no_payment)', async () => {
  const merchant_uid = await prepared();
  const report = await run();
  assert.equal(report.outcomes[merchant_uid], 'no_payment');
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'ready');
  assert.deepEqual(trail(order), ['ready/prepare']);
  assert.equal(hooksFor(merchant_uid).length, 0);
});

test('an abandoned window (ready, not vbank) leaves the order ready', async () => {
  const merchant_uid = await prepared();
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'ready' });
  assert.equal((await run()).outcomes[merchant_uid], 'ready');
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare']);
});

test('a failed attempt and a later paid one: paid (the paid attempt wins whatever the order)', async () => {
  const merchant_uid = await prepared();
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'failed' });
  const paid = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'failed' }); // a stray later failure
  assert.equal((await run()).outcomes[merchant_uid], 'paid');
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'paid');
  assert.equal(order.imp_uid, paid.imp_uid);
  assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
  assert.equal(hooksFor(merchant_uid).length, 1);
});

test('an order the browser saw fail, then paid by a retry nobody verified: failed → paid', async () => {
  const merchant_uid = await prepared();
  const failed = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'failed' });
  assert.equal((await v.post('/payments/complete', { imp_uid: failed.imp_uid, merchant_uid })).status, 402);
  assert.equal((await mustGet(v.store, merchant_uid)).state, 'failed');
  const paid = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  assert.equal((await run()).outcomes[merchant_uid], 'paid');
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.imp_uid, paid.imp_uid);
  assert.deepEqual(trail(order), ['ready/prepare', 'failed/complete', 'paid/reconcile']);
  assert.equal(hooksFor(merchant_uid).length, 1);
});

test('a paid order whose hook threw: reconcile re-runs the hook, and once it succeeded, never again', async () => {
  const merchant_uid = await prepared();
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  hook.failures = 2; // the verify's call and reconcile's first retry throw
  const done = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(hooksFor(merchant_uid).length, 1);
  assert.equal((await mustGet(v.store, merchant_uid)).fulfilled_at, null);

  const failedAgain = await run();
  assert.equal(hooksFor(merchant_uid).length, 2);
  assert.equal(failedAgain.refulfilled, 0, 'a hook that threw again is not counted as re-run');
  assert.equal((await mustGet(v.store, merchant_uid)).fulfilled_at, null);

  const report = await run();
  assert.equal(hooksFor(merchant_uid).length, 3);
  assert.equal(report.refulfilled, 1);
  assert.equal(report.outcomes[merchant_uid], undefined, 'a paid order is not settled again');
  const order = await mustGet(v.store, merchant_uid);
  assert.notEqual(order.fulfilled_at, null);
  assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);

  const after = await run();
  assert.equal(after.refulfilled, 0);
  assert.equal(hooksFor(merchant_uid).length, 3, 'not again');
});

test('PortOne down: the order is reported as an error and left as it was', async () => {
  const merchant_uid = await prepared();
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  await v.sandbox.ok('POST', '/faults', { type: 'status', status: 503, path: '/payments' });
  const report = await run();
  assert.equal(report.outcomes[merchant_uid], 'error');
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare']);
  assert.equal(hooksFor(merchant_uid).length, 0);
  await v.sandbox.ok('DELETE', '/faults');
  assert.equal((await run()).outcomes[merchant_uid], 'paid');
});

test('only orders older than olderThanMinutes are read', async () => {
  const merchant_uid = await prepared();
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  const report = await reconcile(deps, { olderThanMinutes: 10 });
  assert.equal(report.outcomes[merchant_uid], undefined);
  assert.equal((await mustGet(v.store, merchant_uid)).state, 'ready');
  assert.equal((await run()).outcomes[merchant_uid], 'paid');
});

describe('npm run reconcile (server/reconcile-cli.ts)', () => {
  let sandbox: SandboxClient;
  let dir: string;
  before(async () => {
    sandbox = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'reconcile-cli-'));
  });
  after(async () => {
    await sandbox.sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/reconcile-cli.ts', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  test('--older-than 0 settles a paid order in the SQLite file, prints a JSON report, exits 0', async () => {
    const file = join(dir, 'orders.db');
    const store = await openStore(`sqlite:${file}`);
    const paid = uid('cli');
    const empty = uid('cli');
    await store.create({ merchant_uid: paid, amount: 3000, currency: 'KRW', name: null });
    await store.create({ merchant_uid: empty, amount: 4000, currency: 'KRW', name: null });
    await store.close();
    const payment = await sandbox.createPayment({ merchant_uid: paid, amount: 3000, status: 'paid' });
    await sleep(2); // the orders' updated_at is strictly before the CLI's "now"

    const env = { DATABASE_URL: `sqlite:${file}`, PORTONE_API_URL: sandbox.url, PORTONE_API_KEY: API_KEY, PORTONE_API_SECRET: API_SECRET };
    const result = await cli(['--older-than', '0'], env);
    assert.equal(result.code, 0, result.stderr);
    let report: any;
    assert.doesNotThrow(() => (report = JSON.parse(result.stdout)), `stdout is the JSON report alone: ${result.stdout}`);
    assert.deepEqual(report, { checked: 2, outcomes: { [paid]: 'paid', [empty]: 'no_payment' }, refulfilled: 0 });

    const reopened = await openStore(`sqlite:${file}`);
    try {
      const order = await mustGet(reopened, paid);
      assert.equal(order.state, 'paid');
      assert.equal(order.imp_uid, payment.imp_uid);
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
      assert.equal((await mustGet(reopened, empty)).state, 'ready');
    } finally {
      await reopened.close();
    }

    // Run again: the paid order is not read again.
    const again = await cli(['--older-than', '0'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { checked: 1, outcomes: { [empty]: 'no_payment' }, refulfilled: 0 });
  });

  test('a bad --older-than is a clear message and exit 1', async () => {
    for (const bad of ['soon', '']) {
      const result = await cli(['--older-than', bad], { DATABASE_URL: `sqlite:${join(dir, 'bad.db')}`, PORTONE_API_URL: sandbox.url, PORTONE_API_KEY: API_KEY, PORTONE_API_SECRET: API_SECRET });
      assert.equal(result.code, 1, `--older-than "${bad}": ${result.stdout}`);
      assert.match(result.stderr, /--older-than/);
      assert.equal(result.stdout, '');
    }
  });
});

describe('the in-process reconcile of startServer (RECONCILE_INTERVAL_MINUTES)', () => {
  test('settles a lost payment by itself; passes never overlap; close() waits for a running pass', async () => {
    const sandbox = await startTestSandbox();
    const logs: Array<{ level: string; message: string }> = [];
    const logger = createLogger('debug', {}, (line) => void logs.push(JSON.parse(line)));
    const serverHook = recordingHook();
    const running = await startServer(
      {
        port: 0,
        host: '127.0.0.1',
        portone: { apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET },
        sandboxPort: 0,
        databaseUrl: 'memory:',
        allowedOrigins: [],
        reconcileAfterMinutes: 0,
        reconcileIntervalMinutes: 0.001, // a pass every 60 ms
        logLevel: 'debug',
      },
      { onPaid: serverHook.onPaid, logger },
    );
    let closed = false;
    try {
      const lost = uid('timer');
      await running.store.create({ merchant_uid: lost, amount: 700, currency: 'KRW', name: null });
      const payment = await sandbox.createPayment({ merchant_uid: lost, amount: 700, status: 'paid' });
      const order = await waitFor(async () => ((await running.store.get(lost))?.state === 'paid' ? running.store.get(lost) : null), 'the timer settles the order');
      assert.deepEqual(trail(order!), ['ready/prepare', 'paid/reconcile']);
      assert.deepEqual(serverHook.calls, [{ merchant_uid: lost, imp_uid: payment.imp_uid }]);

      // A slow PortOne: one pass takes 400 ms, over six intervals.
      const slow = uid('timer');
      await running.store.create({ merchant_uid: slow, amount: 800, currency: 'KRW', name: null });
      await sandbox.ok('POST', '/faults', { type: 'latency', path: `/payments/find/${slow}`, ms: 400 });
      await sandbox.ok('DELETE', '/calls');
      await waitFor(async () => (await arrivals(sandbox, 'GET', `/payments/find/${slow}`)).length > 0, 'a pass reads the slow order');
      await sleep(200);
      assert.equal((await arrivals(sandbox, 'GET', `/payments/find/${slow}`)).length, 1, 'the next passes waited for the running one');

      await running.close();
      closed = true;
      assert.equal(await running.store.get(slow).catch((e: Error) => e.message), 'the order store is closed');
      const problems = logs.filter((l) => l.level === 'error' || (l.level === 'warn' && /reconcile/.test(l.message)));
      assert.deepEqual(problems, [], 'the running pass finished before the store closed');
      assert.equal(serverHook.calls.length, 1);
    } finally {
      if (!closed) await running.close();
      await sandbox.sandbox.close();
    }
  });
});
