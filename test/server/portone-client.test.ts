// The verifier's PortOne client against the sandbox: the access token (cached, refreshed once on 401,
// single-flight under concurrency, renewed before its last 30 s), bad credentials, and what the verify
// route makes of them. Calls are counted by the sandbox, so a client that asked more often than it says fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../server/log.js';
import { PortOneClient, type PortOneClientOptions, PortOneRefused } from '../../server/portone/client.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid } from './helpers.js';
import { arrivals, count, counts, LOOKUP, mustGet, TOKEN, trail } from './fixtures/tools.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';

const TOKEN_LIFE_S = 30 * 60;

function client(sandbox: SandboxClient, options: Partial<PortOneClientOptions> = {}): PortOneClient {
  return new PortOneClient({ apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 1_000, deadlineMs: 4_000, backoffMs: 20, ...options });
}

/** A prepared order and a paid sandbox payment for it. */
async function paidOrder(v: VerifierHarness, amount = 1000): Promise<{ merchant_uid: string; imp_uid: string }> {
  const merchant_uid = uid();
  const prepared = await v.prepare({ amount, merchant_uid });
  assert.equal(prepared.status, 201, JSON.stringify(prepared.body));
  const payment = await v.sandbox.createPayment({ merchant_uid, amount, status: 'paid' });
  return { merchant_uid, imp_uid: payment.imp_uid };
}

async function verify(v: VerifierHarness, order: { merchant_uid: string; imp_uid: string }) {
  return v.post('/payments/complete', { imp_uid: order.imp_uid, merchant_uid: order.merchant_uid });
}

describe('the access token', () => {
  let v: VerifierHarness;
  before(async () => (v = await startVerifier({ store: 'memory' })));
  after(() => v.close());

  test('one token serves 100 prepares and 100 verifications', async () => {
    await v.sandbox.ok('DELETE', '/calls');
    const orders = [];
    for (let i = 0; i < 100; i++) orders.push(await paidOrder(v, 1000 + i));
    for (const order of orders) {
      const done = await verify(v, order);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.status, 'paid');
    }
    const seen = await counts(v.sandbox);
    assert.equal(seen[TOKEN], 1, `getToken calls: ${JSON.stringify(seen)}`);
    assert.equal(seen[LOOKUP], 100);
    assert.equal(seen['POST /payments/prepare'], 100);
    assert.equal(v.fulfilled.length, 100);
  });
});

describe('token refresh', () => {
  let v: VerifierHarness;
  // A fresh sandbox and client per test: the counts and the cached token start from nothing.
  const fresh = async () => {
    await v?.close();
    v = await startVerifier({ store: 'memory' });
  };
  after(() => v?.close());

  for (const how of ['the sandbox clock passes the expiry', 'POST /__sandbox/token/expire'] as const) {
    test(`after ${how}: one 401, one refresh, the verification succeeds`, async () => {
      await fresh();
      const first = await paidOrder(v);
      assert.equal((await verify(v, first)).status, 200);
      assert.equal(await count(v.sandbox, TOKEN), 1);

      if (how === 'POST /__sandbox/token/expire') await v.sandbox.ok('POST', '/token/expire');
      else await v.sandbox.advanceClock(TOKEN_LIFE_S + 1);

      // The client's cache (on its own clock) still trusts the token: PortOne's 401 must make it refresh once.
      const second = await paidOrder(v);
      const done = await verify(v, second);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.status, 'paid');
      assert.equal(await count(v.sandbox, TOKEN), 2);
      const refused = (await arrivals(v.sandbox, 'GET', '/payments/')).filter((c) => c.status === 401);
      const preparesRefused = (await arrivals(v.sandbox, 'POST', '/payments/prepare')).filter((c) => c.status === 401);
      // The prepare of the second order met the expired token first (it is the next call made).
      assert.equal(refused.length + preparesRefused.length, 1, 'exactly one call was refused');
      assert.equal((await mustGet(v.store, second.merchant_uid)).state, 'paid');

      // And the new token is cached again.
      const third = await paidOrder(v);
      assert.equal((await verify(v, third)).status, 200);
      assert.equal(await count(v.sandbox, TOKEN), 2);
    });
  }

  test('20 concurrent calls that all meet an expired token: one refresh, each call retried once', async () => {
    const sandbox = await startTestSandbox();
    try {
      const portone = client(sandbox);
      const payment = await sandbox.createPayment({ merchant_uid: uid(), amount: 1000, status: 'paid' });
      await portone.getPayment(payment.imp_uid); // the token is cached
      await sandbox.ok('POST', '/token/expire');
      // Ten 401s come back while the (slow) refresh is in flight, ten after it; retries are not delayed (`times`).
      await sandbox.ok('POST', '/faults', { type: 'latency', path: '/payments/', method: 'GET', ms: 100, times: 10 });
      await sandbox.ok('POST', '/faults', { type: 'latency', path: '/payments/', method: 'GET', ms: 600, after: 10, times: 10 });
      await sandbox.ok('POST', '/faults', { type: 'latency', path: '/users/getToken', ms: 200 });
      await sandbox.ok('DELETE', '/calls');

      // Started in one tick, so every call is sent with the cached (expired) token.
      const found = await Promise.all(Array.from({ length: 20 }, () => portone.getPayment(payment.imp_uid)));
      for (const p of found) assert.equal(p?.status, 'paid');
      assert.equal(await count(sandbox, TOKEN), 1, 'one refresh for 20 refused calls');
      const lookups = await arrivals(sandbox, 'GET', '/payments/');
      assert.equal(lookups.filter((c) => c.status === 401).length, 20, 'every first call met the expired token');
      assert.equal(lookups.filter((c) => c.status === 200).length, 20, 'and each was retried once');
    } finally {
      await sandbox.sandbox.close();
    }
  });

  test('the same through the verify route: concurrent verifications after expiry share one refresh', async () => {
    await fresh();
    const orders = [];
    for (let i = 0; i < 20; i++) orders.push(await paidOrder(v));
    assert.equal(await count(v.sandbox, TOKEN), 1);
    await v.sandbox.ok('POST', '/token/expire');
    await v.sandbox.ok('POST', '/faults', { type: 'latency', path: '/payments/', method: 'GET', ms: 300, times: 20 });
    await v.sandbox.ok('POST', '/faults', { type: 'latency', path: '/users/getToken', ms: 100 });
    await v.sandbox.ok('DELETE', '/calls');

    const answers = await Promise.all(orders.map((order) => verify(v, order)));
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(await count(v.sandbox, TOKEN), 1);
    const lookups = await arrivals(v.sandbox, 'GET', '/payments/');
    // How many were sent before the first 401 came back depends on the machine's load; at least one was.
    assert.ok(lookups.some((c) => c.status === 401));
    assert.equal(lookups.filter((c) => c.status === 200).length, 20);
    assert.equal(v.fulfilled.length, 20);
  });

  test('a cached token inside its last 30 s is renewed before use, not after a 401', async () => {
    const sandbox = await startTestSandbox();
    try {
      let offsetMs = 0;
      const portone = client(sandbox, { clock: () => Date.now() + offsetMs });
      const payment = await sandbox.createPayment({ merchant_uid: uid(), amount: 1000, status: 'paid' });
      assert.equal((await portone.getPayment(payment.imp_uid))?.status, 'paid');
      assert.equal(await count(sandbox, TOKEN), 1);

      // Both clocks move together: 45 s of life left is outside the margin, the token is used as is.
      await sandbox.advanceClock(TOKEN_LIFE_S - 45);
      offsetMs += (TOKEN_LIFE_S - 45) * 1000;
      assert.equal((await portone.getPayment(payment.imp_uid))?.status, 'paid');
      assert.equal(await count(sandbox, TOKEN), 1, '45 s before expiry the cached token is still used');

      // 20 s left: inside the margin. The client asks for the token first (PortOne extends it by 5 min).
      await sandbox.advanceClock(25);
      offsetMs += 25_000;
      assert.equal((await portone.getPayment(payment.imp_uid))?.status, 'paid');
      assert.equal(await count(sandbox, TOKEN), 2, 'renewed before use');
      const lookups = await arrivals(sandbox, 'GET', '/payments/');
      assert.deepEqual(lookups.map((c) => c.status), [200, 200, 200], 'no lookup was refused');
      const renewed = await sandbox.getToken();
      assert.ok(renewed.expired_at - renewed.now > 5 * 60, 'PortOne extended the token by 5 minutes');
    } finally {
      await sandbox.sandbox.close();
    }
  });
});

describe('bad credentials', () => {
  test('the client throws PortOneRefused (HTTP 401) and asks for a token once', async () => {
    const sandbox = await startTestSandbox();
    try {
      const portone = client(sandbox, { apiSecret: 'not-the-secret' });
      await assert.rejects(portone.getPayment('imp_000000000000'), (error: unknown) => {
        assert.ok(error instanceof PortOneRefused, `got ${String(error)}`);
        assert.equal(error.status, 401);
        assert.doesNotMatch(error.message, /not-the-secret/);
        return true;
      });
      assert.equal(await count(sandbox, TOKEN), 1, 'a 4xx is not retried');
      assert.equal(await count(sandbox, LOOKUP), 0);
    } finally {
      await sandbox.sandbox.close();
    }
  });

  test('the verify route answers 502 (the order unchanged) and does not echo the secret', async () => {
    const sandbox = await startTestSandbox();
    const good = await startVerifier({ store: 'memory', sandbox });
    const bad = await startVerifier({ store: 'memory', sandbox, client: { apiSecret: 'not-the-secret' } });
    try {
      const merchant_uid = uid();
      await bad.store.create({ merchant_uid, amount: 1000, currency: 'KRW', name: null });
      const payment = await sandbox.createPayment({ merchant_uid, amount: 1000, status: 'paid' });
      const done = await bad.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
      assert.equal(done.status, 502, JSON.stringify(done.body));
      assert.equal(done.body.status, 'error');
      assert.equal(typeof done.body.message, 'string');
      assert.doesNotMatch(JSON.stringify(done.body), /not-the-secret|sandbox_api_secret/);
      const order = await mustGet(bad.store, merchant_uid);
      assert.equal(order.state, 'ready');
      assert.deepEqual(trail(order), ['ready/prepare']);
      assert.equal(bad.fulfilled.length, 0);
      // The right credentials, same PortOne: it works (the failure was the credentials, not the sandbox).
      await good.store.create({ merchant_uid, amount: 1000, currency: 'KRW', name: null });
      assert.equal((await good.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid })).status, 200);
    } finally {
      await bad.close();
      await good.close();
      await sandbox.sandbox.close();
    }
  });
});

describe('logs', () => {
  test("the client's log lines are JSON and never carry the secret or an access token", async () => {
    const sandbox = await startTestSandbox();
    try {
      const lines: string[] = [];
      const logger = createLogger('debug', { component: 'portone' }, (line) => void lines.push(line));
      const portone = client(sandbox, { logger, maxAttempts: 2 });
      const payment = await sandbox.createPayment({ merchant_uid: uid(), amount: 1000, status: 'paid' });
      await portone.getPayment(payment.imp_uid);
      const first = await sandbox.token();
      await sandbox.ok('POST', '/token/expire');
      await sandbox.ok('POST', '/faults', { type: 'drop', path: '/payments/imp_', times: 1 });
      await portone.getPayment(payment.imp_uid); // a drop, then a 401 and a refresh
      const second = await sandbox.token();
      await assert.rejects(client(sandbox, { logger, apiSecret: 'wrong-secret-value' }).getPayment(payment.imp_uid), PortOneRefused);

      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.ok(parsed.some((l) => l.message === 'portone call failed' && l.attempt === 1 && typeof l.problem === 'string'), 'the drop is logged with its attempt');
      assert.ok(parsed.some((l) => l.message === 'portone token refused; refreshing once'));
      for (const line of lines) {
        for (const secret of [API_SECRET, 'wrong-secret-value', first, second]) assert.ok(!line.includes(secret), `a log line leaks a secret: ${line}`);
      }
    } finally {
      await sandbox.sandbox.close();
    }
  });

  test('anything logged is written: bigints, dates, URLs, error codes, cycles; a field cannot replace the level', () => {
    const lines: string[] = [];
    const logger = createLogger('info', {}, (line) => void lines.push(line));
    const refused = new PortOneRefused('PortOne refused', 401, -1);
    const cycle: Record<string, unknown> = { name: 'cycle' };
    cycle.self = cycle;
    const connect = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.doesNotThrow(() =>
      logger.warn('everything', {
        amount: 10n,
        at: new Date(0),
        url: new URL('https://user:pa55@api.example/x'),
        error: new TypeError('fetch failed', { cause: new AggregateError([connect], '') }),
        refused,
        cycle,
        level: 'debug',
        message: 'not the message',
      }),
    );
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.level, 'warn');
    assert.equal(line.message, 'everything');
    assert.equal(line.field_level, 'debug');
    assert.equal(line.amount, '10');
    assert.equal(line.at, '1970-01-01T00:00:00.000Z');
    assert.equal(line.url, 'https://user:***@api.example/x');
    assert.deepEqual(line.error.cause.errors, [{ name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' }]);
    assert.equal(line.refused.status, 401);
    assert.equal(line.cycle.self, '[circular]');
  });
});
