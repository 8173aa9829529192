// The sandbox's own control API under /__sandbox/ (never part of PortOne): payments in every status, the
// transitions PATCH allows (and refuses), strict bodies, the call log, reset, config, clock, and the
// bounds that keep a long-running sandbox's memory constant.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { paymentSchema } from '../../server/portone/schemas.js';
import { assertClockMoved, parseExact, type SandboxClient, startReceiver, startTestSandbox, uid, waitFor } from './helpers.js';

let sb: SandboxClient;
before(async () => {
  sb = await startTestSandbox();
});
after(() => sb.sandbox.close());

/** The payment as PortOne's REST API answers it. */
async function restPayment(impUid: string) {
  const answer = await sb.rest('GET', `/payments/${impUid}`, { token: await sb.token() });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return parseExact(paymentSchema, answer.body.response);
}

function assertControlError(answer: { status: number; body: any }, status: number, message?: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.status, 'error');
  assert.equal(typeof answer.body.message, 'string');
  if (message) assert.match(answer.body.message, message);
}

describe('POST /__sandbox/payments', () => {
  test('defaults: a paid card payment in KRW on the api channel, 201 and the Payment', async () => {
    const m = uid('default');
    const answer = await sb.control('POST', '/payments', { merchant_uid: m, amount: 1000 });
    assert.equal(answer.status, 201);
    const p = parseExact(paymentSchema, answer.body);
    assert.equal(p.merchant_uid, m);
    assert.equal(p.status, 'paid');
    assert.equal(p.pay_method, 'card');
    assert.equal(p.currency, 'KRW');
    assert.equal(p.channel, 'api');
    assert.ok(p.paid_at > 0);
    assert.deepEqual(await restPayment(p.imp_uid), p);
  });

  test('paid', async () => {
    const p = parseExact(paymentSchema, await sb.createPayment({ merchant_uid: uid(), amount: 3000, status: 'paid', pay_method: 'trans', channel: 'pc' }));
    assert.equal(p.status, 'paid');
    assert.equal(p.pay_method, 'trans');
    assert.equal(p.channel, 'pc');
    assert.equal(p.bank_code, '088');
    assert.equal(p.bank_name, '신한은행');
    assert.equal(p.apply_num, null, 'no card approval for a transfer');
    assert.ok(p.paid_at > 0 && typeof p.pg_tid === 'string' && typeof p.receipt_url === 'string');
  });

  test('ready (card): an open window, nothing paid', async () => {
    const p = parseExact(paymentSchema, await sb.createPayment({ merchant_uid: uid(), amount: 3000, status: 'ready' }));
    assert.equal(p.status, 'ready');
    assert.equal(p.pay_method, 'card');
    assert.equal(p.paid_at, 0);
    assert.equal(p.pg_tid, null);
    assert.equal(p.vbank_num, null);
    assert.equal(p.vbank_issued_at, 0);
    assert.equal(p.receipt_url, null);
  });

  test('ready (vbank): an issued virtual account', async () => {
    const p = parseExact(paymentSchema, await sb.createPayment({ merchant_uid: uid(), amount: 30000, status: 'ready', pay_method: 'vbank' }));
    assert.equal(p.status, 'ready');
    assert.equal(p.pay_method, 'vbank');
    assert.equal(p.vbank_code, '004');
    assert.equal(p.vbank_name, 'KB국민은행');
    assert.match(p.vbank_num!, /^\d{6}-\d{2}-\d{6}$/);
    assert.equal(typeof p.vbank_holder, 'string');
    assert.ok(p.vbank_issued_at > 0);
    assert.equal(p.vbank_date, p.vbank_issued_at + 3 * 24 * 3600);
    assert.equal(p.paid_at, 0);
    assert.equal(typeof p.pg_tid, 'string');
    assert.deepEqual(await restPayment(p.imp_uid), p);
  });

  test('failed, with the default or a given reason', async () => {
    const p = parseExact(paymentSchema, await sb.createPayment({ merchant_uid: uid(), amount: 3000, status: 'failed' }));
    assert.equal(p.status, 'failed');
    assert.ok(p.failed_at > 0);
    assert.equal(typeof p.fail_reason, 'string');
    assert.equal(p.paid_at, 0);
    const q = await sb.createPayment({ merchant_uid: uid(), amount: 3000, status: 'failed', fail_reason: '잔액 부족' });
    assert.equal(q.fail_reason, '잔액 부족');
  });

  test('cancelled: paid, then fully cancelled with one history entry', async () => {
    const p = parseExact(paymentSchema, await sb.createPayment({ merchant_uid: uid(), amount: 3000, status: 'cancelled', cancel_reason: '품절' }));
    assert.equal(p.status, 'cancelled');
    assert.equal(p.cancel_amount, 3000);
    assert.ok(p.paid_at > 0 && p.cancelled_at >= p.paid_at);
    assert.equal(p.cancel_reason, '품절');
    assert.equal(p.cancel_history.length, 1);
    assert.equal(p.cancel_history[0]!.amount, 3000);
    assert.equal(p.cancel_history[0]!.reason, '품절');
  });

  test('the given fields are stored as PortOne stores them', async () => {
    const p = parseExact(
      paymentSchema,
      await sb.createPayment({ merchant_uid: uid(), amount: 9.99, currency: 'USD', pg: 'paypal_v2.merchant-1', pay_method: 'samsungpay', name: '주문', custom_data: '{"raw":true}', buyer_email: 'a@b.c' }),
    );
    assert.equal(p.amount, 9.99);
    assert.equal(p.currency, 'USD');
    assert.equal(p.pg_provider, 'paypal_v2');
    assert.equal(p.pg_id, 'merchant-1');
    assert.equal(p.pay_method, 'samsung', 'samsungpay is reported as samsung');
    assert.equal(p.custom_data, '{"raw":true}', 'a string custom_data is kept as is');
    assert.equal(p.buyer_email, 'a@b.c');
    assert.equal(p.buyer_name, null);
  });

  test('strict bodies: unknown fields, wrong types, missing fields → 400 naming them; nothing made', async () => {
    const m = uid('strict');
    const cases: [unknown, RegExp][] = [
      [{ merchant_uid: m, amount: 1000, colour: 'red' }, /unknown field.*colour/],
      [{ merchant_uid: m, amount: 1000, imp_uid: 'imp_000000000000' }, /imp_uid/],
      [{ amount: 1000 }, /^merchant_uid: required$/],
      [{ merchant_uid: m }, /^amount: required$/],
      [{ merchant_uid: m, amount: '1000' }, /^amount: /],
      [{ merchant_uid: m, amount: -1 }, /^amount: /],
      [{ merchant_uid: m, amount: 0 }, /^amount: /],
      [{ merchant_uid: m, amount: 1000, status: 'refunded' }, /^status: /],
      [{ merchant_uid: m, amount: 1000, currency: 'WON!' }, /^currency: /],
      [{ merchant_uid: m, amount: 1000, notice_url: 'not a url' }, /^notice_url/],
      [{ merchant_uid: 'x'.repeat(41), amount: 1000 }, /^merchant_uid: /],
    ];
    for (const [body, message] of cases) {
      const answer = await sb.control('POST', '/payments', body);
      assertControlError(answer, 400, message);
      if (/^amount: /.test(String(message)) && (body as { amount?: unknown }).amount !== undefined) {
        assert.doesNotMatch(answer.body.message, /required/, 'a wrong type is not reported as missing');
      }
    }
    assertControlError(await sb.control('POST', '/payments', '{oops'), 400);
    const found = await sb.rest('GET', `/payments/find/${m}`, { token: await sb.token() });
    assert.equal(found.status, 404);
  });
});

describe('PATCH /__sandbox/payments/:imp_uid', () => {
  test('vbank deposit: ready → paid, the account kept', async () => {
    const issued = await sb.createPayment({ merchant_uid: uid(), amount: 30000, status: 'ready', pay_method: 'vbank' });
    await sb.advanceClock(60);
    const answer = await sb.control('PATCH', `/payments/${issued.imp_uid}`, { status: 'paid' });
    assert.equal(answer.status, 200);
    const p = parseExact(paymentSchema, answer.body);
    assert.equal(p.status, 'paid');
    assert.equal(p.pay_method, 'vbank');
    assertClockMoved(issued.vbank_issued_at, p.paid_at, 60, 'from the issue to the deposit');
    assert.equal(p.vbank_num, issued.vbank_num);
    assert.equal(p.vbank_issued_at, issued.vbank_issued_at);
    assert.equal(p.pg_tid, issued.pg_tid);
    assert.deepEqual(await restPayment(p.imp_uid), p);
  });

  test('approval of an open card window: ready → paid with card fields', async () => {
    const ready = await sb.createPayment({ merchant_uid: uid(), amount: 1000, status: 'ready' });
    const p = parseExact(paymentSchema, await sb.ok('PATCH', `/payments/${ready.imp_uid}`, { status: 'paid' }));
    assert.equal(p.status, 'paid');
    assert.match(p.apply_num!, /^\d{8}$/);
    assert.equal(p.card_type, 0);
  });

  test('fail: ready → failed with the reason', async () => {
    const ready = await sb.createPayment({ merchant_uid: uid(), amount: 1000, status: 'ready' });
    const p = parseExact(paymentSchema, await sb.ok('PATCH', `/payments/${ready.imp_uid}`, { status: 'failed', reason: '사용자 취소' }));
    assert.equal(p.status, 'failed');
    assert.equal(p.fail_reason, '사용자 취소');
    assert.ok(p.failed_at > 0);
    assert.equal(p.paid_at, 0);
  });

  test('partial then full cancel', async () => {
    const paid = await sb.createPayment({ merchant_uid: uid(), amount: 10000 });
    const partial = parseExact(paymentSchema, await sb.ok('PATCH', `/payments/${paid.imp_uid}`, { status: 'cancelled', amount: 2500, reason: '부분' }));
    assert.equal(partial.status, 'paid');
    assert.equal(partial.cancel_amount, 2500);
    assert.equal(partial.cancelled_at, 0);
    assert.equal(partial.cancel_history.length, 1);
    const full = parseExact(paymentSchema, await sb.ok('PATCH', `/payments/${paid.imp_uid}`, { status: 'cancelled' }));
    assert.equal(full.status, 'cancelled');
    assert.equal(full.cancel_amount, 10000);
    assert.ok(full.cancelled_at > 0);
    assert.deepEqual(
      full.cancel_history.map((e) => e.amount),
      [2500, 7500],
    );
  });

  test('invalid transitions → 409, the payment unchanged', async () => {
    const paid = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    const ready = await sb.createPayment({ merchant_uid: uid(), amount: 1000, status: 'ready' });
    const failed = await sb.createPayment({ merchant_uid: uid(), amount: 1000, status: 'failed' });
    const cancelled = await sb.createPayment({ merchant_uid: uid(), amount: 1000, status: 'cancelled' });
    const refused: [any, Record<string, unknown>][] = [
      [paid, { status: 'paid' }],
      [paid, { status: 'failed' }],
      [paid, { status: 'cancelled', amount: 1001 }],
      [ready, { status: 'cancelled' }],
      [failed, { status: 'paid' }],
      [failed, { status: 'failed' }],
      [failed, { status: 'cancelled' }],
      [cancelled, { status: 'paid' }],
      [cancelled, { status: 'failed' }],
      [cancelled, { status: 'cancelled' }],
    ];
    for (const [payment, change] of refused) {
      assertControlError(await sb.control('PATCH', `/payments/${payment.imp_uid}`, change), 409);
    }
    for (const payment of [paid, ready, failed, cancelled]) {
      assert.deepEqual(await restPayment(payment.imp_uid), paymentSchema.parse(payment), `${payment.status} unchanged`);
    }
  });

  test('strict bodies and unknown payments', async () => {
    const paid = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    assertControlError(await sb.control('PATCH', `/payments/${paid.imp_uid}`, { status: 'cancelled', why: 'x' }), 400, /unknown field.*why/);
    assertControlError(await sb.control('PATCH', `/payments/${paid.imp_uid}`, { status: 'ready' }), 400, /^status: /);
    assertControlError(await sb.control('PATCH', `/payments/${paid.imp_uid}`, {}), 400, /^status: required$/);
    assertControlError(await sb.control('PATCH', `/payments/${paid.imp_uid}`, { status: 'cancelled', amount: '10' }), 400, /^amount: /);
    assertControlError(await sb.control('PATCH', '/payments/imp_000000000000', { status: 'paid' }), 404, /imp_000000000000/);
    assert.equal((await restPayment(paid.imp_uid)).cancel_amount, 0);
  });
});

describe('reading payments', () => {
  test('GET /__sandbox/payments lists the newest first; GET /:imp_uid reads one', async () => {
    const a = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    const b = await sb.createPayment({ merchant_uid: uid(), amount: 2000 });
    const list = await sb.ok('GET', '/payments?limit=2');
    assert.ok(list.total >= 2);
    assert.deepEqual(
      list.payments.map((p: { imp_uid: string }) => p.imp_uid),
      [b.imp_uid, a.imp_uid],
    );
    assert.deepEqual(await sb.ok('GET', `/payments/${a.imp_uid}`), a);
    for (const [limit, count] of [
      ['1', 1],
      ['-1', 1],
      ['0', Math.min(list.total, 100)],
      ['abc', Math.min(list.total, 100)],
    ] as const) {
      const page = await sb.ok('GET', `/payments?limit=${limit}`);
      assert.equal(page.payments.length, count, `limit=${limit}`);
      assert.equal(page.payments[0].imp_uid, b.imp_uid);
    }
    assertControlError(await sb.control('GET', '/payments/imp_000000000000'), 404);
  });
});

describe('GET /__sandbox/calls', () => {
  beforeEach(() => sb.reset());

  test('counts REST calls per route pattern, with each call logged', async () => {
    const t1 = await sb.token();
    await sb.token();
    await sb.token();
    const paid = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    await sb.rest('GET', `/payments/${paid.imp_uid}`, { token: t1 });
    await sb.rest('GET', '/payments/imp_000000000000', { token: t1 });
    await sb.rest('GET', `/payments/find/${paid.merchant_uid}`, { token: t1 });
    await sb.rest('GET', `/payments/find/${paid.merchant_uid}/paid`, { token: t1 });
    await sb.rest('POST', '/payments/cancel', { token: t1, body: '{broken' });

    const log = await sb.ok('GET', '/calls');
    assert.equal(log.total, 8);
    assert.deepEqual(log.counts, {
      'POST /users/getToken': 3,
      'GET /payments/:imp_uid': 2,
      'GET /payments/find/:merchant_uid': 1,
      'GET /payments/find/:merchant_uid/:payment_status': 1,
      'POST /payments/cancel': 1,
    });
    assert.equal(log.calls.length, 8);
    assert.deepEqual(
      log.calls.map((c: { seq: number }) => c.seq),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    const statuses = log.calls.map((c: { path: string; status: number }) => [c.path, c.status]);
    assert.deepEqual(statuses, [
      ['/users/getToken', 200],
      ['/users/getToken', 200],
      ['/users/getToken', 200],
      [`/payments/${paid.imp_uid}`, 200],
      ['/payments/imp_000000000000', 404],
      [`/payments/find/${paid.merchant_uid}`, 200],
      [`/payments/find/${paid.merchant_uid}/paid`, 200],
      ['/payments/cancel', 400],
    ]);
    for (const call of log.calls) {
      assert.equal(typeof call.at, 'number');
      assert.equal(call.fault, null);
      assert.ok(call.route in log.counts, call.route);
    }
  });

  test('the control API, the SDK and refused routes do not pollute the counts', async () => {
    await sb.ok('GET', '/config');
    await fetch(sb.sandbox.sdkUrl);
    await sb.rest('GET', '/no/such/path/1');
    await sb.rest('GET', '/no/such/path/2');
    await sb.rest('DELETE', '/users/getToken');
    const log = await sb.ok('GET', '/calls');
    assert.equal(log.total, 3);
    // Unknown paths are counted under one key, whatever the path.
    assert.deepEqual(log.counts, { 'GET (no route)': 2, 'DELETE (no route)': 1 });
    assert.deepEqual(
      log.calls.map((c: { status: number }) => c.status),
      [404, 404, 405],
    );
  });

  test('?path= filters the list; DELETE clears it', async () => {
    await sb.token();
    await sb.rest('GET', '/payments/imp_000000000000', { token: await sb.token() });
    const filtered = await sb.ok('GET', '/calls?path=/payments');
    assert.equal(filtered.calls.length, 1);
    assert.equal(filtered.calls[0].path, '/payments/imp_000000000000');
    assert.equal(filtered.total, 3);
    assert.equal((await sb.control('DELETE', '/calls')).status, 204);
    assert.deepEqual(await sb.ok('GET', '/calls'), { total: 0, counts: {}, calls: [] });
  });
});

describe('reset, config, clock', () => {
  test('reset forgets payments, prepared amounts, the token, faults, logs, config and the clock', async () => {
    const token = await sb.token();
    const paid = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    const m = uid('prep');
    await sb.rest('POST', '/payments/prepare', { token, body: { merchant_uid: m, amount: 1000 } });
    await sb.ok('POST', '/faults', { type: 'latency', ms: 1, path: '/nowhere' });
    await sb.ok('PUT', '/config', { webhook_retries: 3 });
    const movedTo = await sb.advanceClock(3600);

    assert.equal((await sb.control('POST', '/reset')).status, 204);

    assert.equal((await sb.rest('GET', `/payments/${paid.imp_uid}`, { token })).status, 401, 'the token is forgotten');
    const fresh = await sb.token();
    assert.notEqual(fresh, token);
    assert.equal((await sb.rest('GET', `/payments/${paid.imp_uid}`, { token: fresh })).status, 404);
    assert.equal((await sb.rest('GET', `/payments/prepare/${m}`, { token: fresh })).status, 404);
    assert.deepEqual(await sb.ok('GET', '/faults'), { faults: [] });
    assert.equal((await sb.ok('GET', '/config')).webhook_retries, 0);
    assert.equal((await sb.ok('GET', '/payments')).total, 0);
    const now = await sb.advanceClock(0);
    assert.ok(now < movedTo - 3000, 'the clock is back');
    assert.ok(Math.abs(now - Math.floor(Date.now() / 1000)) <= 1);
    const calls = await sb.ok('GET', '/calls');
    assert.equal(calls.total, 4, 'only the calls made since the reset');
  });

  test('config: defaults, a patch merges, strict body', async () => {
    await sb.reset();
    assert.deepEqual(await sb.ok('GET', '/config'), {
      notice_url: null,
      webhook_content_type: 'json',
      webhook_delay_ms: 0,
      webhook_retries: 0,
      webhook_retry_interval_ms: 60_000,
    });
    const patched = await sb.ok('PUT', '/config', { notice_url: 'http://127.0.0.1:9/hook', webhook_retries: 2 });
    assert.deepEqual(patched, {
      notice_url: 'http://127.0.0.1:9/hook',
      webhook_content_type: 'json',
      webhook_delay_ms: 0,
      webhook_retries: 2,
      webhook_retry_interval_ms: 60_000,
    });
    assert.equal((await sb.ok('PUT', '/config', { webhook_content_type: 'form' })).webhook_retries, 2, 'a patch keeps the rest');
    assert.equal((await sb.ok('PUT', '/config', { notice_url: null })).notice_url, null);
    assertControlError(await sb.control('PUT', '/config', { webhook_retry: 2 }), 400, /unknown field.*webhook_retry/);
    assertControlError(await sb.control('PUT', '/config', { webhook_retries: 6 }), 400, /^webhook_retries: /);
    assertControlError(await sb.control('PUT', '/config', { webhook_content_type: 'xml' }), 400, /^webhook_content_type: /);
    assertControlError(await sb.control('PUT', '/config', { notice_url: 'nope' }), 400, /^notice_url: /);
    assert.equal((await sb.ok('GET', '/config')).webhook_content_type, 'form', 'refused patches change nothing');
    await sb.reset();
  });

  test('clock: moves PortOne time for timestamps; strict body', async () => {
    await sb.reset();
    const now = await sb.advanceClock(0);
    assertClockMoved(now, await sb.advanceClock(86_400), 86_400, 'the clock advanced by a day');
    const p = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    assert.ok(p.started_at >= now + 86_400);
    assertControlError(await sb.control('POST', '/clock', { advance_seconds: 1.5 }), 400, /^advance_seconds: /);
    assertControlError(await sb.control('POST', '/clock', { seconds: 1 }), 400, /seconds/);
    await sb.reset();
  });

  test('GET /__sandbox/ describes the sandbox', async () => {
    const index = await sb.ok('GET', '/');
    assert.equal(index.sandbox, true);
    assert.equal(index.rest_url, sb.url);
    assert.equal(index.sdk_url, `${sb.url}/iamport.js`);
    assert.ok(index.endpoints.length > 5);
    assert.equal(index.credentials.imp_key, 'sandbox_api_key');
  });
});

describe('boundedness', () => {
  let small: SandboxClient;
  before(async () => {
    small = await startTestSandbox({ maxPayments: 3, maxLogEntries: 5 });
  });
  after(() => small.sandbox.close());

  test('the oldest payments are forgotten: lookups 404, find by merchant_uid too', async () => {
    const shared = uid('shared');
    const made = [];
    made.push(await small.createPayment({ merchant_uid: shared, amount: 1000, status: 'failed' }));
    made.push(await small.createPayment({ merchant_uid: uid('b'), amount: 1000 }));
    made.push(await small.createPayment({ merchant_uid: shared, amount: 2000 }));
    made.push(await small.createPayment({ merchant_uid: uid('d'), amount: 1000 }));
    made.push(await small.createPayment({ merchant_uid: uid('e'), amount: 1000 }));
    const token = await small.token();
    for (const gone of made.slice(0, 2)) {
      assert.equal((await small.rest('GET', `/payments/${gone.imp_uid}`, { token })).status, 404);
      assert.equal((await small.control('GET', `/payments/${gone.imp_uid}`)).status, 404);
    }
    assert.equal((await small.rest('GET', `/payments/find/${made[1].merchant_uid}`, { token })).status, 404);
    // The order keeps the payment that is still remembered, and only that one.
    assert.equal((await small.rest('GET', `/payments/find/${shared}`, { token })).body.response.imp_uid, made[2].imp_uid);
    assert.equal((await small.rest('GET', `/payments/find/${shared}/failed`, { token })).status, 404);
    assert.equal((await small.rest('POST', '/payments/cancel', { token, body: { imp_uid: made[0].imp_uid } })).body.code, 1);
    for (const kept of made.slice(2)) assert.equal((await small.rest('GET', `/payments/${kept.imp_uid}`, { token })).status, 200);
    const list = await small.ok('GET', '/payments');
    assert.equal(list.total, 3);
    assert.deepEqual(
      list.payments.map((p: { imp_uid: string }) => p.imp_uid),
      made.slice(2).reverse().map((p) => p.imp_uid),
    );
  });

  test('prepared amounts are bounded the same way', async () => {
    const token = await small.token();
    const ids = [uid('p1'), uid('p2'), uid('p3'), uid('p4')];
    for (const id of ids) assert.equal((await small.rest('POST', '/payments/prepare', { token, body: { merchant_uid: id, amount: 1000 } })).body.code, 0);
    assert.equal((await small.rest('GET', `/payments/prepare/${ids[0]}`, { token })).status, 404);
    for (const id of ids.slice(1)) assert.equal((await small.rest('GET', `/payments/prepare/${id}`, { token })).status, 200);
  });

  test('the call log keeps the newest entries at the limit while total keeps counting', async () => {
    await small.control('DELETE', '/calls');
    for (let i = 0; i < 8; i++) await small.token();
    const log = await small.ok('GET', '/calls');
    assert.equal(log.total, 8);
    assert.equal(log.calls.length, 5);
    assert.deepEqual(
      log.calls.map((c: { seq: number }) => c.seq),
      [4, 5, 6, 7, 8],
    );
    assert.equal(log.counts['POST /users/getToken'], 8, 'counts are totals');
  });

  test('the webhook log keeps the newest deliveries at the limit while total keeps counting', async () => {
    const receiver = await startReceiver();
    try {
      // One at a time, so that the log's order is the order they were made in.
      const made = [];
      let log;
      for (let i = 0; i < 7; i++) {
        made.push(await small.createPayment({ merchant_uid: uid(`w${i}`), amount: 1000, notice_url: receiver.url }));
        log = await waitFor(async () => {
          const read = await small.ok('GET', '/webhooks');
          return read.total === i + 1 ? read : null;
        }, `${i + 1} logged deliveries`);
      }
      assert.equal(log.total, 7);
      assert.equal(log.deliveries.length, 5);
      assert.deepEqual(
        log.deliveries.map((d: { seq: number }) => d.seq),
        [3, 4, 5, 6, 7],
      );
      assert.deepEqual(
        new Set(log.deliveries.map((d: { body: { imp_uid: string } }) => d.body.imp_uid)),
        new Set(made.slice(2).map((p) => p.imp_uid)),
      );
    } finally {
      await receiver.close();
    }
  });
});
