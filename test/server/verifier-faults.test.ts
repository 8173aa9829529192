// The verifier when PortOne misbehaves (faults injected in the sandbox): 5xx, timeouts and dropped
// connections are retried within bounds and end in 502 retryable with the order untouched; a 4xx is never
// retried; an answer of an unexpected shape is PortOneUnavailable, not a crash; and once the outage ends,
// reconcile settles what the browser could not. Attempts are counted by the sandbox (or by the test's own
// fetch), and timing is only ever checked from below.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PortOneClient, PortOneRefused, PortOneUnavailable } from '../../server/portone/client.js';
import { reconcile } from '../../server/reconcile.js';
import { silentLogger } from '../../server/log.js';
import type { FulfilmentHook } from '../../server/fulfilment.js';
import { API_KEY, API_SECRET, startTestSandbox, uid, waitFor } from './helpers.js';
import { arrivals, count, fault, json, LOOKUP, mustGet, rewritingFetch, TOKEN, trail } from './fixtures/tools.js';
import { type HarnessOptions, startVerifier, type VerifierHarness } from './verifier-harness.js';

let v: VerifierHarness | undefined;
afterEach(async () => {
  await v?.close();
  v = undefined;
});

async function verifier(options: HarnessOptions = {}): Promise<VerifierHarness> {
  v = await startVerifier({ store: 'memory', ...options });
  return v;
}

/** A prepared order with a paid sandbox payment; the token is already cached and the call log is empty. */
async function paidOrder(h: VerifierHarness, amount = 5000) {
  const merchant_uid = uid();
  assert.equal((await h.prepare({ amount, merchant_uid })).status, 201);
  const payment = await h.sandbox.createPayment({ merchant_uid, amount, status: 'paid' });
  await h.sandbox.ok('DELETE', '/calls');
  return { merchant_uid, imp_uid: payment.imp_uid as string };
}

const verify = (h: VerifierHarness, order: { merchant_uid: string; imp_uid: string }) => h.post('/payments/complete', order);

async function assertUnchanged(h: VerifierHarness, merchantUid: string): Promise<void> {
  const order = await mustGet(h.store, merchantUid);
  assert.equal(order.state, 'ready');
  assert.equal(order.imp_uid, null);
  assert.deepEqual(trail(order), ['ready/prepare']);
  assert.equal(h.fulfilled.length, 0, 'no fulfilment');
}

function assertRetryable(answer: { status: number; body: any }): void {
  assert.equal(answer.status, 502, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'error');
  assert.equal(answer.body.retryable, true);
  assert.equal(typeof answer.body.message, 'string');
}

describe('5xx', () => {
  test('503 twice, then PortOne recovers: retried, 200 paid after 3 lookups', async () => {
    const h = await verifier({ client: { maxAttempts: 4 } });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'status', status: 503, path: '/payments/imp_', method: 'GET', times: 2 });
    const done = await verify(h, order);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'paid');
    assert.equal(await count(h.sandbox, LOOKUP), 3);
    assert.deepEqual((await arrivals(h.sandbox, 'GET', '/payments/imp_')).map((c) => c.status), [503, 503, 200]);
    assert.equal((await mustGet(h.store, order.merchant_uid)).state, 'paid');
    assert.equal(h.fulfilled.length, 1);
  });

  test('a persistent 500: 502 retryable after exactly maxAttempts lookups, the order unchanged', async () => {
    const h = await verifier({ client: { maxAttempts: 3, deadlineMs: 10_000 } });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'status', status: 500, path: '/payments/imp_' });
    assertRetryable(await verify(h, order));
    assert.equal(await count(h.sandbox, LOOKUP), 3, 'maxAttempts bounds the retries');
    assert.equal(await count(h.sandbox, TOKEN), 0, 'a 5xx is not a reason to drop the token');
    await assertUnchanged(h, order.merchant_uid);
  });

  test('a 5xx on getToken is retried too', async () => {
    const h = await verifier({ client: { maxAttempts: 4 } });
    const merchant_uid = uid();
    await h.store.create({ merchant_uid, amount: 5000, currency: 'KRW', name: null });
    const payment = await h.sandbox.createPayment({ merchant_uid, amount: 5000, status: 'paid' });
    await fault(h.sandbox, { type: 'status', status: 502, path: '/users/getToken', times: 2 });
    const done = await verify(h, { merchant_uid, imp_uid: payment.imp_uid });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(await count(h.sandbox, TOKEN), 3);
  });
});

describe('timeouts', () => {
  test('PortOne slower than timeoutMs: each attempt is cut at the timeout, then 502 retryable', async () => {
    const timeoutMs = 200;
    const h = await verifier({ client: { timeoutMs, maxAttempts: 3, deadlineMs: 10_000, backoffMs: 10 } });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'latency', ms: 2_000, path: '/payments/imp_', method: 'GET' });
    const started = Date.now();
    const done = await verify(h, order);
    const elapsed = Date.now() - started;
    assertRetryable(done);
    // Logged on arrival: the sandbox is still sleeping on them, so they are not counted as finished yet.
    assert.equal((await arrivals(h.sandbox, 'GET', '/payments/imp_')).length, 3, 'maxAttempts attempts');
    assert.ok(elapsed >= 3 * timeoutMs - 5, `three timed-out attempts take at least ${3 * timeoutMs} ms (took ${elapsed})`);
    await assertUnchanged(h, order.merchant_uid);
  });

  test('the deadline stops the retries: fewer attempts than maxAttempts, 502 once the deadline has passed', async () => {
    const timeoutMs = 300;
    const deadlineMs = 800;
    const h = await verifier({ client: { timeoutMs, deadlineMs, maxAttempts: 50, backoffMs: 10 } });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'latency', ms: 3_000, path: '/payments/imp_', method: 'GET' });
    const started = Date.now();
    const done = await verify(h, order);
    const elapsed = Date.now() - started;
    assertRetryable(done);
    const attempts = (await arrivals(h.sandbox, 'GET', '/payments/imp_')).length;
    // 800 ms holds at most three attempts of 300 ms (the last one cut short by the deadline); a loaded
    // machine may fit fewer, never more.
    assert.ok(attempts >= 1 && attempts <= 3, `attempts: ${attempts}`);
    assert.ok(elapsed >= deadlineMs - 5, `gave up at the deadline, not before (took ${elapsed} ms)`);
    await assertUnchanged(h, order.merchant_uid);
  });

  test("prepare's calls (POST, then GET and PUT to correct an old registration) share one deadline", async () => {
    const deadlineMs = 600;
    const h = await verifier({ client: { timeoutMs: 500, deadlineMs, maxAttempts: 1 } });
    const merchant_uid = uid();
    // Registered earlier with another amount: PortOne refuses the POST (code 1), the client reads and PUTs.
    const registered = await h.sandbox.rest('POST', '/payments/prepare', { token: await h.sandbox.token(), body: { merchant_uid, amount: 999 } });
    assert.equal(registered.body.code, 0);
    await fault(h.sandbox, { type: 'latency', ms: 250, path: '/payments/prepare' });
    const started = Date.now();
    const answer = await h.prepare({ amount: 5000, merchant_uid });
    const elapsed = Date.now() - started;
    // Each call alone fits its 500 ms timeout; the three together (750 ms) do not fit the operation's 600 ms.
    assert.equal(answer.status, 502, JSON.stringify(answer.body));
    assert.equal(answer.body.retryable, true);
    assert.ok(elapsed >= deadlineMs - 5, `gave up at the deadline (took ${elapsed} ms)`);
    const calls = await arrivals(h.sandbox, 'POST', '/payments/prepare');
    assert.equal(calls.length, 2, 'the POST of the test and the one of the verifier');
    await h.sandbox.ok('DELETE', '/faults');
    assert.equal((await h.prepare({ amount: 5000, merchant_uid })).status, 201, 'once PortOne is fast again the registration is corrected');
    const prepared = await h.sandbox.rest('GET', `/payments/prepare/${merchant_uid}`, { token: await h.sandbox.token() });
    assert.equal(prepared.body.response.amount, 5000);
  });

  test("a caller's deadline cuts the operation's budget: nothing is sent once it has passed", async () => {
    const sandbox = await startTestSandbox();
    try {
      const signals: AbortSignal[] = [];
      const portone = new PortOneClient({
        apiUrl: sandbox.url,
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        fetch: async (input, init) => {
          if (init?.signal) signals.push(init.signal);
          return fetch(input, init);
        },
      });
      const payment = await sandbox.createPayment({ merchant_uid: uid(), amount: 1000 });
      await assert.rejects(portone.getPayment(payment.imp_uid, { deadline: Date.now() - 1 }), PortOneUnavailable);
      assert.equal(signals.length, 0, 'no call is made after the deadline');
      assert.equal((await portone.getPayment(payment.imp_uid))?.imp_uid, payment.imp_uid);
      assert.equal(signals.length, 2, 'getToken and the lookup each carry a timeout signal');
    } finally {
      await sandbox.sandbox.close();
    }
  });
});

describe('dropped connections', () => {
  test('PortOne closes the connection without answering, once: retried, 200 paid', async () => {
    const h = await verifier({ client: { maxAttempts: 3 } });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'drop', path: '/payments/imp_', method: 'GET', times: 1 });
    const done = await verify(h, order);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'paid');
    assert.equal(await count(h.sandbox, LOOKUP), 2);
    assert.equal(h.fulfilled.length, 1);
  });

  test('every connection dropped: 502 retryable after maxAttempts, the order unchanged', async () => {
    const h = await verifier({ client: { maxAttempts: 3 } });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'drop', path: '/payments/imp_' });
    assertRetryable(await verify(h, order));
    assert.equal(await count(h.sandbox, LOOKUP), 3);
    await assertUnchanged(h, order.merchant_uid);
  });

  test('PortOne unreachable (nothing listens): 502 retryable', async () => {
    const sandbox = await startTestSandbox();
    const url = sandbox.url;
    await sandbox.sandbox.close();
    const h = await verifier({ client: { apiUrl: url, maxAttempts: 2 } });
    const merchant_uid = uid();
    await h.store.create({ merchant_uid, amount: 5000, currency: 'KRW', name: null });
    assertRetryable(await verify(h, { merchant_uid, imp_uid: 'imp_123456789012' }));
    await assertUnchanged(h, merchant_uid);
  });
});

describe('4xx is an answer, never retried', () => {
  test('an unknown imp_uid: one lookup, 404 unknown_payment', async () => {
    const h = await verifier({ client: { maxAttempts: 4 } });
    const order = await paidOrder(h);
    const done = await verify(h, { merchant_uid: order.merchant_uid, imp_uid: 'imp_999999999999' });
    assert.equal(done.status, 404, JSON.stringify(done.body));
    assert.equal(await count(h.sandbox, LOOKUP), 1);
    await assertUnchanged(h, order.merchant_uid);
  });

  for (const status of [400, 403, 409, 429]) {
    test(`HTTP ${status}: PortOneRefused after one call; the verify route answers 502, order unchanged`, async () => {
      const tap = rewritingFetch(async (request, forward) =>
        request.path.startsWith('/payments/imp_') ? json(status, { code: -1, message: `HTTP ${status} from PortOne`, response: null }) : forward(),
      );
      const h = await verifier({ client: { maxAttempts: 4, fetch: tap.fetch } });
      const order = await paidOrder(h);
      await assert.rejects(h.portone.getPayment(order.imp_uid), (e: unknown) => e instanceof PortOneRefused && e.status === status);
      assert.equal(tap.sent.filter((s) => s.startsWith('GET /payments/imp_')).length, 1);
      assertRetryable(await verify(h, order));
      assert.equal(tap.sent.filter((s) => s.startsWith('GET /payments/imp_')).length, 2, 'one call per verification');
      await assertUnchanged(h, order.merchant_uid);
    });
  }
});

describe('answers of an unexpected shape', () => {
  const shapes: Record<string, (payment: any) => Response> = {
    'amount as a string': (p) => json(200, { code: 0, message: null, response: { ...p, amount: String(p.amount) } }),
    'an unknown status': (p) => json(200, { code: 0, message: null, response: { ...p, status: 'approved' } }),
    'response: null': () => json(200, { code: 0, message: null, response: null }),
    'code as a string': (p) => json(200, { code: '0', message: null, response: p }),
    'an HTML page': () => new Response('<html><body>Bad gateway</body></html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    'truncated JSON': () => new Response('{"code":0,"message":null,"response":{"imp_uid":', { status: 200 }),
  };
  for (const [what, shape] of Object.entries(shapes)) {
    test(`${what}: PortOneUnavailable, the verify route answers 502, the server lives on`, async () => {
      const tap = rewritingFetch(async (request, forward) => {
        const answer = await forward();
        if (!request.path.startsWith('/payments/imp_') || answer.status !== 200) return answer;
        return shape(((await answer.json()) as { response: unknown }).response);
      });
      const h = await verifier({ client: { maxAttempts: 2, fetch: tap.fetch } });
      const order = await paidOrder(h);
      await assert.rejects(h.portone.getPayment(order.imp_uid), PortOneUnavailable);
      assertRetryable(await verify(h, order));
      await assertUnchanged(h, order.merchant_uid);
      assert.equal((await h.get('/healthz')).status, 200);
      assert.ok(tap.sent.filter((s) => s.startsWith('GET /payments/imp_')).length <= 2 * 2, 'bounded attempts');
    });
  }
});

describe('after an outage', () => {
  test('the verify got 502 during a persistent outage; when it ends, reconcile settles the order once and the server delivers it once', async () => {
    const hook: Parameters<FulfilmentHook>[] = [];
    const h = await verifier({ store: 'sqlite', client: { maxAttempts: 2 }, onPaid: (...args) => void hook.push(args) });
    const order = await paidOrder(h);
    await fault(h.sandbox, { type: 'status', status: 503, path: '/payments' });
    assertRetryable(await verify(h, order));
    // Reconcile during the outage: an error for this order, nothing moved.
    const deps = { store: h.store, portone: h.portone, logger: silentLogger };
    await sleep(2); // olderThanMinutes: 0 reads orders moved strictly before now
    const during = await reconcile(deps, { olderThanMinutes: 0 });
    assert.match(during.outcomes[order.merchant_uid] ?? '', /^error: /);
    await assertUnchanged(h, order.merchant_uid);

    await h.sandbox.ok('DELETE', '/faults');
    await sleep(2);
    const report = await reconcile(deps, { olderThanMinutes: 0 });
    assert.equal(report.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, JSON.stringify(report));
    const settled = await mustGet(h.store, order.merchant_uid);
    assert.equal(settled.state, 'paid');
    assert.equal(settled.imp_uid, order.imp_uid);
    assert.deepEqual(trail(settled), ['ready/prepare', 'paid/reconcile']);
    await waitFor(() => hook.length === 1, 'the server delivers it');
    assert.equal(hook[0]![1].imp_uid, order.imp_uid);

    // Run again, and the browser's retry arrives late: nothing moves twice.
    await sleep(2);
    const again = await reconcile(deps, { olderThanMinutes: 0 });
    assert.equal(again.outcomes[order.merchant_uid], `${order.imp_uid}: paid`, 'examined again, nothing moves');
    const late = await verify(h, order);
    assert.equal(late.status, 200);
    assert.equal(late.body.status, 'paid');
    assert.deepEqual(trail(await mustGet(h.store, order.merchant_uid)), ['ready/prepare', 'paid/reconcile']);
    await sleep(200);
    assert.equal(hook.length, 1);
  });
});
