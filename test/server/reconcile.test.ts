// Reconcile: the safety net for what the browser and the webhook lose. Each test makes PortOne (the sandbox)
// know something the verifier never heard, runs reconcile, and checks the order, its history (`via:
// 'reconcile'`), its payments ledger and the sandbox's money, then runs it again to see that nothing happens
// twice. Reconcile reads every payment of an order (findAll), so a double charge whose webhook was lost is
// refunded; it is fair (least recently examined first, so a flood of abandoned checkouts cannot starve a paid
// order) and several passes at once never examine one order twice; it never delivers a fulfilment (the running
// server does). The last tests run `npm run reconcile` as a child process and the in-process interval.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { createLogger, silentLogger } from '../../server/log.js';
import { startServer } from '../../server/main.js';
import type { PortOnePayment } from '../../server/portone/schemas.js';
import { reconcile, type ReconcileDeps, type ReconcileReport } from '../../server/reconcile.js';
import { openStore } from '../../server/store/index.js';
import type { Order } from '../../server/store/types.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid, waitFor } from './helpers.js';
import { arrivals, mustGet, trail } from './fixtures/tools.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';

let v: VerifierHarness;
let deps: ReconcileDeps;

before(async () => {
  v = await startVerifier({ store: 'sqlite', client: { maxAttempts: 2 } });
  deps = { store: v.store, portone: v.portone, logger: silentLogger };
});
after(() => v.close());
afterEach(async () => {
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
 * One pass. `olderThanMinutes: 0` means "moved before now", strictly (`updated_at < before`), so let the clock
 * pass the millisecond of the last change first.
 */
const run = async (options: Parameters<typeof reconcile>[1] = {}) => {
  await sleep(2);
  return reconcile(deps, { olderThanMinutes: 0, ...options });
};

/** What each payment of the order came to in this pass (`paid`, `refunded_duplicate`, …), by imp_uid order of settling. */
function said(report: ReconcileReport, merchantUid: string): string[] {
  const line = report.outcomes[merchantUid];
  if (line === undefined) return [];
  if (!line.includes(': ')) return [line];
  return line.split(', ').map((part) => part.split(': ')[1]!);
}

const hooksFor = (merchantUid: string) => v.fulfilled.filter((f) => f.order.merchant_uid === merchantUid);
const ledger = (order: Order) => order.payments.map((p) => `${p.imp_uid}:${p.disposition}`);
const sandboxPayment = (impUid: string) => v.sandbox.ok<PortOnePayment>('GET', `/payments/${impUid}`);

test('a paid payment whose verify never came (browser closed mid-redirect, webhook lost) is settled by reconcile, and delivered by the server', async () => {
  const merchant_uid = await prepared();
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  const report = await run();
  assert.deepEqual(said(report, merchant_uid), ['paid'], JSON.stringify(report));
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'paid');
  assert.equal(order.imp_uid, payment.imp_uid);
  assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
  assert.deepEqual(ledger(order), [`${payment.imp_uid}:settled`]);
  // Reconcile owes the delivery; the running server (the harness's app) makes it.
  await waitFor(async () => (await mustGet(v.store, merchant_uid)).fulfilment.state === 'done', 'the server delivers');
  assert.equal(hooksFor(merchant_uid).length, 1);

  const again = await run();
  assert.deepEqual(said(again, merchant_uid), ['paid'], 'examined again (a late duplicate may come), and nothing moves');
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare', 'paid/reconcile']);
  await sleep(200);
  assert.equal(hooksFor(merchant_uid).length, 1);
});

test('a double charge whose webhook was lost: the second payment is refunded at PortOne, the first kept (findAll, not only the latest)', async () => {
  const merchant_uid = await prepared();
  const first = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  assert.equal((await v.post('/payments/complete', { imp_uid: first.imp_uid, merchant_uid })).status, 200);
  // A second tab paid too; its return and its webhook were lost.
  const second = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  const report = await run();
  assert.deepEqual(said(report, merchant_uid).sort(), ['paid', 'refunded_duplicate'].sort(), JSON.stringify(report));
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'paid');
  assert.equal(order.imp_uid, first.imp_uid);
  assert.deepEqual(ledger(order).sort(), [`${first.imp_uid}:settled`, `${second.imp_uid}:refunded_duplicate`].sort());
  assert.equal((await sandboxPayment(second.imp_uid)).status, 'cancelled', 'the money went back');
  assert.equal((await sandboxPayment(first.imp_uid)).status, 'paid', 'the first is kept');
  await run();
  assert.equal((await sandboxPayment(first.imp_uid)).status, 'paid', 'and stays kept');
});

test('a refund PortOne could not take (refund_pending) is finished by the next pass; the order never changes state', async () => {
  const merchant_uid = await prepared();
  const forged = await v.sandbox.createPayment({ merchant_uid, amount: 1_200, status: 'paid' });
  await v.sandbox.ok('POST', '/faults', { type: 'status', status: 503, method: 'POST', path: '/payments/cancel' });
  const verify = await v.post('/payments/complete', { imp_uid: forged.imp_uid, merchant_uid });
  assert.equal(verify.status, 409, JSON.stringify(verify.body));
  assert.deepEqual([verify.body.status, verify.body.refund], ['forgery', 'pending']);
  assert.deepEqual(ledger(await mustGet(v.store, merchant_uid)), [`${forged.imp_uid}:refund_pending`]);
  assert.equal((await sandboxPayment(forged.imp_uid)).status, 'paid');

  // Still down: still owed, reported as such.
  assert.deepEqual(said(await run(), merchant_uid), ['refund_pending']);
  await v.sandbox.ok('DELETE', '/faults');
  assert.deepEqual(said(await run(), merchant_uid), ['refunded_forgery']);
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'ready', 'a forgery never changes the order');
  assert.deepEqual(ledger(order), [`${forged.imp_uid}:refunded_forgery`]);
  assert.equal((await sandboxPayment(forged.imp_uid)).status, 'cancelled');
});

test('a virtual account issued (verified) and then deposited with no webhook becomes paid', async () => {
  const merchant_uid = await prepared();
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'ready', pay_method: 'vbank' });
  const issued = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  assert.equal(issued.body.status, 'ready');

  // Before the deposit reconcile leaves it waiting.
  assert.deepEqual(said(await run(), merchant_uid), ['vbank_issued']);
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare', 'vbank_issued/complete']);

  await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
  assert.deepEqual(said(await run(), merchant_uid), ['paid']);
  const order = await mustGet(v.store, merchant_uid);
  assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/complete', 'paid/reconcile']);
  await waitFor(async () => hooksFor(merchant_uid).length === 1, 'delivered once');
});

test('an order PortOne has no payment for stays ready (no_payment); an abandoned window too (ready, recorded not_paid)', async () => {
  const empty = await prepared();
  const abandoned = await prepared();
  const window = await v.sandbox.createPayment({ merchant_uid: abandoned, amount: 12_000, status: 'ready' });
  const report = await run();
  assert.deepEqual(said(report, empty), ['no_payment']);
  assert.deepEqual(said(report, abandoned), ['ready']);
  assert.deepEqual(trail(await mustGet(v.store, empty)), ['ready/prepare']);
  const order = await mustGet(v.store, abandoned);
  assert.deepEqual(trail(order), ['ready/prepare']);
  assert.deepEqual(ledger(order), [`${window.imp_uid}:not_paid`]);
});

test('failed attempts around a paid one: the paid one settles (settled first, whatever PortOne lists first); the failures are recorded', async () => {
  const merchant_uid = await prepared();
  const early = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'failed' });
  const paid = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  const late = await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'failed' });
  await run();
  const order = await mustGet(v.store, merchant_uid);
  assert.equal(order.state, 'paid');
  assert.equal(order.imp_uid, paid.imp_uid);
  assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
  assert.deepEqual(new Set(ledger(order)), new Set([`${paid.imp_uid}:settled`, `${early.imp_uid}:not_paid`, `${late.imp_uid}:not_paid`]));
});

test('PortOne down: the order is reported as an error and left as it was; the next pass settles it', async () => {
  const merchant_uid = await prepared();
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  await v.sandbox.ok('POST', '/faults', { type: 'status', status: 503, path: '/payments' });
  const report = await run();
  assert.match(report.outcomes[merchant_uid] ?? '', /^error: /);
  assert.deepEqual(trail(await mustGet(v.store, merchant_uid)), ['ready/prepare']);
  await v.sandbox.ok('DELETE', '/faults');
  assert.deepEqual(said(await run(), merchant_uid), ['paid']);
});

test('only orders older than olderThanMinutes are read', async () => {
  const merchant_uid = await prepared();
  await v.sandbox.createPayment({ merchant_uid, amount: 12_000, status: 'paid' });
  const report = await reconcile(deps, { olderThanMinutes: 10 });
  assert.equal(report.outcomes[merchant_uid], undefined);
  assert.equal((await mustGet(v.store, merchant_uid)).state, 'ready');
  assert.deepEqual(said(await run(), merchant_uid), ['paid']);
});

describe('fairness and several passes at once', () => {
  let sandbox: SandboxClient;
  let w: VerifierHarness;
  let fair: ReconcileDeps;
  // A verifier of its own per test: these tests count every order in the store.
  beforeEach(async () => {
    w = await startVerifier({ store: 'sqlite' });
    sandbox = w.sandbox;
    fair = { store: w.store, portone: w.portone, logger: silentLogger };
  });
  afterEach(() => w.close());

  test('520 abandoned checkouts, then a paid order, then 300 more before every pass: the paid order is examined by the second pass (limit 500)', async () => {
    const abandoned = async (n: number) => {
      for (let i = 0; i < n; i++) await w.store.create({ merchant_uid: uid('flood'), amount: 1000, currency: 'KRW', name: null });
    };
    await abandoned(520);
    const merchant_uid = uid('real');
    await w.store.create({ merchant_uid, amount: 14_000, currency: 'KRW', name: '의자' });
    await sandbox.createPayment({ merchant_uid, amount: 14_000, status: 'paid' });
    let passes = 0;
    while ((await mustGet(w.store, merchant_uid)).state !== 'paid') {
      assert.ok(passes < 2, `still not examined after ${passes} passes`);
      await abandoned(300);
      await sleep(2);
      const report = await reconcile(fair, { olderThanMinutes: 0, limit: 500 });
      assert.equal(report.checked, 500);
      passes++;
    }
    assert.equal(passes, 2);
    assert.deepEqual(trail(await mustGet(w.store, merchant_uid)), ['ready/prepare', 'paid/reconcile']);
  });

  test('two passes at once (two processes, say) never examine one order twice: one findAll per order', async () => {
    const orders = Array.from({ length: 30 }, () => uid('twice'));
    for (const merchant_uid of orders) {
      await w.store.create({ merchant_uid, amount: 2000, currency: 'KRW', name: null });
      await sandbox.createPayment({ merchant_uid, amount: 2000, status: 'paid' });
    }
    await sleep(2);
    const [a, b] = await Promise.all([reconcile(fair, { olderThanMinutes: 0, limit: 30 }), reconcile(fair, { olderThanMinutes: 0, limit: 30 })]);
    const examined = [...Object.keys(a.outcomes), ...Object.keys(b.outcomes)].filter((m) => orders.includes(m));
    assert.equal(examined.length, 30, 'all examined');
    assert.equal(new Set(examined).size, 30, 'none by both passes');
    for (const merchant_uid of orders) {
      assert.equal((await arrivals(sandbox, 'GET', `/payments/findAll/${merchant_uid}`)).length, 1, `${merchant_uid}: read once`);
      assert.equal((await mustGet(w.store, merchant_uid)).state, 'paid');
    }
  });
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

  test('--older-than 0 settles a paid order in the SQLite file and prints a JSON report; it never marks the delivery done: the server delivers it', async () => {
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
    assert.deepEqual(report, { checked: 2, outcomes: { [paid]: `${payment.imp_uid}: paid`, [empty]: 'no_payment' }, counts: { paid: 1 } });

    const reopened = await openStore(`sqlite:${file}`);
    try {
      const order = await mustGet(reopened, paid);
      assert.equal(order.state, 'paid');
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
      assert.deepEqual(order.fulfilment, { state: 'pending', attempts: 0, at: null, error: null, hook_done: false }, 'owed, not marked done');
    } finally {
      await reopened.close();
    }

    // A verifier with the merchant's hook starts on the same file: it delivers what the CLI left owed, once.
    const delivered: string[] = [];
    const running = await startServer(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env }), {
      priceOrder: ({ amount, currency, name }) => ({ amount, currency, name }),
      onPaid: (order) => void delivered.push(order.merchant_uid),
    });
    try {
      running.app.fulfilment.start();
      await running.app.fulfilment.deliverDue();
      assert.deepEqual(delivered, [paid]);
      assert.equal((await mustGet(running.store, paid)).fulfilment.state, 'done');
    } finally {
      await running.close();
    }
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
  test('settles a lost payment by itself and delivers it once; passes never overlap; close() waits for a running pass', async () => {
    const sandbox = await startTestSandbox();
    const logs: Array<{ level: string; message: string }> = [];
    const logger = createLogger('debug', {}, (line) => void logs.push(JSON.parse(line)));
    const delivered: Array<{ merchant_uid: string; imp_uid: string }> = [];
    const config = loadConfig({
      PORT: '0',
      PORTONE_API_URL: sandbox.url,
      PORTONE_API_KEY: API_KEY,
      PORTONE_API_SECRET: API_SECRET,
      DATABASE_URL: 'memory:',
      RECONCILE_AFTER_MINUTES: '0',
      RECONCILE_INTERVAL_MINUTES: '0.001', // a pass every 60 ms
    });
    const running = await startServer(config, {
      logger,
      priceOrder: ({ amount, currency, name }) => ({ amount, currency, name }),
      onPaid: (order, payment) => void delivered.push({ merchant_uid: order.merchant_uid, imp_uid: payment.imp_uid }),
    });
    let closed = false;
    try {
      const lost = uid('timer');
      await running.store.create({ merchant_uid: lost, amount: 700, currency: 'KRW', name: null });
      const payment = await sandbox.createPayment({ merchant_uid: lost, amount: 700, status: 'paid' });
      const order = await waitFor(async () => {
        const o = await running.store.get(lost);
        return o?.fulfilment.state === 'done' ? o : null;
      }, 'the timer settles the order, and it is delivered');
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/reconcile']);
      assert.deepEqual(delivered, [{ merchant_uid: lost, imp_uid: payment.imp_uid }]);

      // A slow PortOne: one pass takes 400 ms, over six intervals.
      const slow = uid('timer');
      await running.store.create({ merchant_uid: slow, amount: 800, currency: 'KRW', name: null });
      await sandbox.ok('POST', '/faults', { type: 'latency', path: `/payments/findAll/${slow}`, ms: 400 });
      await sandbox.ok('DELETE', '/calls');
      await waitFor(async () => (await arrivals(sandbox, 'GET', `/payments/findAll/${slow}`)).length > 0, 'a pass reads the slow order');
      await sleep(200);
      assert.equal((await arrivals(sandbox, 'GET', `/payments/findAll/${slow}`)).length, 1, 'the next passes waited for the running one');

      await running.close();
      closed = true;
      assert.equal(await running.store.get(slow).catch((e: Error) => e.message), 'the order store is closed');
      const problems = logs.filter((l) => l.level === 'error' || (l.level === 'warn' && /reconcile/.test(l.message)));
      assert.deepEqual(problems, [], 'the running pass finished before the store closed');
      assert.equal(delivered.length, 1);
    } finally {
      if (!closed) await running.close();
      await sandbox.sandbox.close();
    }
  });
});
