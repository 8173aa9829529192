// SPEC §4: POST /payments/prepare (201, registration with PortOne, re-prepare, 409s, amounts per currency) and
// bad input on every route: wrong types, missing and unknown fields, over-long values, oversized bodies,
// non-JSON, wrong content types → 400 {status: 'error', message} naming the field; never a 500, never a stack.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { uid } from './helpers.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';
import { addFault, assertBadRequest, assertNoStack, orderOf, postForm, rawRequest, type Reply, trail } from './verifier-support.js';

let v: VerifierHarness;
before(async () => (v = await startVerifier({ store: 'sqlite' })));
after(() => v.close());

/** What PortOne holds for `merchant_uid` (`GET /payments/prepare/{merchant_uid}` on the sandbox's REST API). */
async function registered(merchant_uid: string): Promise<{ status: number; response: any }> {
  const answer = await v.sandbox.rest('GET', `/payments/prepare/${encodeURIComponent(merchant_uid)}`, { token: await v.sandbox.token() });
  return { status: answer.status, response: answer.body.response };
}

describe('POST /payments/prepare', () => {
  test('201 {merchant_uid, amount, currency, name}; the order is stored ready and the amount registered with PortOne', async () => {
    const merchant_uid = uid('prep');
    const answer = await v.prepare({ merchant_uid, amount: 39000, name: '무선 키보드' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { merchant_uid, amount: 39000, currency: 'KRW', name: '무선 키보드' });
    assert.deepEqual(await registered(merchant_uid), { status: 200, response: { merchant_uid, amount: 39000, currency: 'KRW' } });
    const order = await orderOf(v, merchant_uid);
    assert.deepEqual(
      { state: order.state, amount: order.amount, currency: order.currency, name: order.name, imp_uid: order.imp_uid },
      { state: 'ready', amount: 39000, currency: 'KRW', name: '무선 키보드', imp_uid: null },
    );
    assert.deepEqual(trail(order), ['ready/prepare']);
  });

  test('without merchant_uid: one is generated (≤ 40 characters, unique), stored and registered', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const answer = await v.prepare({ amount: 1000 + i });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const { merchant_uid } = answer.body;
      assert.equal(typeof merchant_uid, 'string');
      assert.ok(merchant_uid.length > 0 && merchant_uid.length <= 40, `${merchant_uid} fits PortOne's 40 characters`);
      assert.ok(!seen.has(merchant_uid), 'unique');
      seen.add(merchant_uid);
      assert.deepEqual(answer.body, { merchant_uid, amount: 1000 + i, currency: 'KRW', name: null });
      assert.equal((await registered(merchant_uid)).response.amount, 1000 + i);
      assert.equal((await orderOf(v, merchant_uid)).state, 'ready');
    }
  });

  test('again with the same amount and currency while ready → 201 again, nothing new in the history', async () => {
    const merchant_uid = uid('prep');
    assert.equal((await v.prepare({ merchant_uid, amount: 5000, currency: 'KRW' })).status, 201);
    for (const body of [
      { merchant_uid, amount: 5000 },
      { merchant_uid, amount: 5000, currency: 'KRW', name: '다른 이름' },
    ]) {
      const again = await v.prepare(body);
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.deepEqual(again.body, { merchant_uid, amount: 5000, currency: 'KRW', name: null });
    }
    assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare']);
    assert.equal((await registered(merchant_uid)).response.amount, 5000);
  });

  test('another amount or currency for an existing order → 409 {status: error, message}; order and registration unchanged', async () => {
    const merchant_uid = uid('prep');
    assert.equal((await v.prepare({ merchant_uid, amount: 5000 })).status, 201);
    for (const body of [
      { merchant_uid, amount: 5001 },
      { merchant_uid, amount: 50 },
      { merchant_uid, amount: 5000, currency: 'USD' },
    ]) {
      const answer = await v.prepare(body);
      assert.equal(answer.status, 409, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.status, 'error');
      assert.equal(typeof answer.body.message, 'string');
      assert.ok(answer.body.message.length > 0);
    }
    const order = await orderOf(v, merchant_uid);
    assert.deepEqual([order.amount, order.currency, order.history.length], [5000, 'KRW', 1]);
    assert.deepEqual((await registered(merchant_uid)).response, { merchant_uid, amount: 5000, currency: 'KRW' });
  });

  for (const [what, payment] of [
    ['paid', { status: 'paid', pay_method: 'card' }],
    ['vbank_issued', { status: 'ready', pay_method: 'vbank' }],
    // An order fails only when its virtual account expires (a failed card attempt leaves it ready).
    ['failed', { status: 'ready', pay_method: 'vbank', expires: true }],
  ] as const) {
    test(`an order no longer ready (${what}) → 409 even with the same amount; the order unchanged`, async () => {
      const merchant_uid = uid('prep');
      assert.equal((await v.prepare({ merchant_uid, amount: 2000 })).status, 201);
      const p = await v.sandbox.createPayment({ merchant_uid, amount: 2000, status: payment.status, pay_method: payment.pay_method });
      await v.post('/payments/complete', { imp_uid: p.imp_uid, merchant_uid });
      if ('expires' in payment) {
        await v.sandbox.ok('PATCH', `/payments/${p.imp_uid}`, { status: 'failed' });
        await v.post('/payments/complete', { imp_uid: p.imp_uid, merchant_uid });
      }
      const before = await orderOf(v, merchant_uid);
      assert.equal(before.state, what);
      const answer = await v.prepare({ merchant_uid, amount: 2000 });
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.status, 'error');
      assert.equal(typeof answer.body.message, 'string');
      assert.deepEqual(await orderOf(v, merchant_uid), before);
    });
  }

  test('KRW takes whole won only: a decimal amount → 400 naming amount, nothing stored or registered', async () => {
    const merchant_uid = uid('prep');
    for (const body of [
      { merchant_uid, amount: 1000.5 },
      { merchant_uid, amount: 0.1, currency: 'KRW' },
    ]) {
      assertBadRequest(await v.prepare(body), 'amount', JSON.stringify(body));
    }
    assert.equal((await v.get(`/payments/${merchant_uid}`)).status, 404);
    assert.equal((await registered(merchant_uid)).status, 404);
  });

  test('USD 10.5 is fine: stored and registered as 10.5 USD', async () => {
    const merchant_uid = uid('prep');
    const answer = await v.prepare({ merchant_uid, amount: 10.5, currency: 'USD' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { merchant_uid, amount: 10.5, currency: 'USD', name: null });
    assert.deepEqual((await registered(merchant_uid)).response, { merchant_uid, amount: 10.5, currency: 'USD' });
    assert.deepEqual([(await orderOf(v, merchant_uid)).amount, (await orderOf(v, merchant_uid)).currency], [10.5, 'USD']);
    // And the same again is the same order, exactly (no float drift).
    assert.equal((await v.prepare({ merchant_uid, amount: 10.5, currency: 'USD' })).status, 201);
    assert.equal((await v.prepare({ merchant_uid, amount: 10.500001, currency: 'USD' })).status, 409);
  });

  test('name: 256 characters fine (counted as characters, not UTF-16 units), 257 → 400 naming name', async () => {
    for (const name of ['a'.repeat(256), '가'.repeat(256), '😀'.repeat(256)]) {
      const answer = await v.prepare({ amount: 1000, name });
      assert.equal(answer.status, 201, `${name.slice(0, 4)}…: ${JSON.stringify(answer.body)}`);
      assert.equal((await orderOf(v, answer.body.merchant_uid)).name, name);
    }
    for (const name of ['a'.repeat(257), '가'.repeat(257), '😀'.repeat(257)]) assertBadRequest(await v.prepare({ amount: 1000, name }), 'name', `${name.slice(0, 4)}… × 257`);
  });

  test('PortOne unreachable while registering → 502 {status: error, retryable: true}; the retry registers', async () => {
    const merchant_uid = uid('prep');
    const remove = await addFault(v, { type: 'status', status: 503, path: '/payments/prepare' });
    let answer: Reply;
    try {
      answer = await v.prepare({ merchant_uid, amount: 7700 });
    } finally {
      await remove();
    }
    assert.equal(answer.status, 502, JSON.stringify(answer.body));
    assert.equal(answer.body.status, 'error');
    assert.equal(answer.body.retryable, true);
    assertNoStack(answer, 'prepare 502');
    const retry = await v.prepare({ merchant_uid, amount: 7700 });
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
    assert.equal((await registered(merchant_uid)).response.amount, 7700);
  });
});

describe('bad input → 400 {status: error, message} naming the field', () => {
  // The third column is the field the message names; the fourth, when given, what the message says of it.
  const prepareCases: Array<[string, unknown, string, RegExp?]> = [
    ['amount missing', {}, 'amount', /amount: required/],
    ['amount a string', { amount: '1000' }, 'amount', /amount: expected a number, got a string/],
    ['amount null', { amount: null }, 'amount', /amount: expected a number, got null/],
    ['amount a boolean', { amount: true }, 'amount', /amount: expected a number, got a boolean/],
    ['amount an array', { amount: [1000] }, 'amount', /amount: expected a number, got an array/],
    ['amount an object', { amount: { value: 1000 } }, 'amount', /amount: expected a number, got an object/],
    ['amount zero', { amount: 0 }, 'amount'],
    ['amount negative', { amount: -1000 }, 'amount'],
    ['amount too large', { amount: 1e21 }, 'amount'],
    ['amount with 7 decimals', { amount: 1.0000001, currency: 'USD' }, 'amount'],
    ['name a number', { amount: 1000, name: 5 }, 'name', /name: expected a string, got a number/],
    ['name null', { amount: 1000, name: null }, 'name', /name: expected a string, got null/],
    ['name over 256', { amount: 1000, name: 'x'.repeat(257) }, 'name'],
    ['merchant_uid a number', { amount: 1000, merchant_uid: 12345 }, 'merchant_uid', /merchant_uid: expected a string, got a number/],
    ['merchant_uid empty', { amount: 1000, merchant_uid: '' }, 'merchant_uid'],
    ['merchant_uid over 40', { amount: 1000, merchant_uid: 'm'.repeat(41) }, 'merchant_uid'],
    ['currency lower case', { amount: 1000, currency: 'krw' }, 'currency'],
    ['currency not 3 letters', { amount: 1000, currency: 'KRWX' }, 'currency'],
    ['currency a number', { amount: 1000, currency: 410 }, 'currency', /currency: expected a string, got a number/],
    ['an unknown field', { amount: 1000, buyer_email: 'a@b.c' }, 'buyer_email', /unknown field buyer_email/],
    ['an unknown field imp_uid', { amount: 1000, imp_uid: 'imp_1' }, 'imp_uid'],
    ['an array body', [{ amount: 1000 }], 'body', /body: expected an object, got an array/],
    // items: the element's attribute, `[{"id":"chair-01","quantity":2}]`.
    ['items a string', { amount: 1000, items: 'chair-01' }, 'items', /items: expected an array, got a string/],
    ['items an object', { amount: 1000, items: { id: 'chair-01', quantity: 1 } }, 'items', /items: expected an array, got an object/],
    ['items null', { amount: 1000, items: null }, 'items', /items: expected an array, got null/],
    ['items empty', { amount: 1000, items: [] }, 'items', /items: must list at least one item/],
    ['items over 100 lines', { amount: 1000, items: Array.from({ length: 101 }, (_, i) => ({ id: `p-${i}`, quantity: 1 })) }, 'items', /items: at most 100/],
    ['an item a number', { amount: 1000, items: [1] }, 'items.0', /items\.0: expected an object, got a number/],
    ['an item a string', { amount: 1000, items: ['chair-01'] }, 'items.0', /items\.0: expected an object, got a string/],
    ['an item without id', { amount: 1000, items: [{ quantity: 1 }] }, 'items.0.id', /items\.0\.id: required/],
    ['an item id a number', { amount: 1000, items: [{ id: 1, quantity: 1 }] }, 'items.0.id', /items\.0\.id: expected a string, got a number/],
    ['an item id empty', { amount: 1000, items: [{ id: '', quantity: 1 }] }, 'items.0.id'],
    ['an item id over 64', { amount: 1000, items: [{ id: 'x'.repeat(65), quantity: 1 }] }, 'items.0.id'],
    ['an item without quantity', { amount: 1000, items: [{ id: 'chair-01' }] }, 'items.0.quantity', /items\.0\.quantity: required/],
    ['an item quantity a string', { amount: 1000, items: [{ id: 'chair-01', quantity: '2' }] }, 'items.0.quantity', /items\.0\.quantity: expected a number, got a string/],
    ['an item quantity 0', { amount: 1000, items: [{ id: 'chair-01', quantity: 0 }] }, 'items.0.quantity'],
    ['an item quantity a fraction', { amount: 1000, items: [{ id: 'chair-01', quantity: 0.5 }] }, 'items.0.quantity'],
    ['an item quantity over 10000', { amount: 1000, items: [{ id: 'chair-01', quantity: 10001 }] }, 'items.0.quantity'],
    ['an item with an unknown field (a price)', { amount: 1000, items: [{ id: 'chair-01', quantity: 1, amount: 1 }] }, 'items.0', /items\.0: unknown field amount/],
    ['the second item bad', { amount: 1000, items: [{ id: 'chair-01', quantity: 1 }, { id: 'desk-01', quantity: -2 }] }, 'items.1.quantity'],
  ];
  for (const [what, body, field, says] of prepareCases) {
    test(`prepare: ${what}`, async () => {
      const answer = await v.post('/payments/prepare', body);
      assertBadRequest(answer, field, what);
      if (says) assert.match(answer.body.message, says, what);
      // A wrong type is not a missing field.
      if (says && !/required/.test(says.source)) assert.doesNotMatch(answer.body.message, /required/, what);
    });
  }

  const completeCases: Array<[string, unknown, string, RegExp?]> = [
    ['empty object', {}, 'imp_uid', /imp_uid: required.*merchant_uid: required/],
    ['imp_uid missing', { merchant_uid: 'order-1' }, 'imp_uid', /imp_uid: required/],
    ['merchant_uid missing', { imp_uid: 'imp_123456789012' }, 'merchant_uid', /merchant_uid: required/],
    ['imp_uid a number', { imp_uid: 123456789012, merchant_uid: 'order-1' }, 'imp_uid', /imp_uid: expected a string, got a number/],
    ['imp_uid empty', { imp_uid: '', merchant_uid: 'order-1' }, 'imp_uid'],
    ['imp_uid too long', { imp_uid: 'i'.repeat(65), merchant_uid: 'order-1' }, 'imp_uid'],
    ['merchant_uid null', { imp_uid: 'imp_123456789012', merchant_uid: null }, 'merchant_uid', /merchant_uid: expected a string, got null/],
    ['merchant_uid an object', { imp_uid: 'imp_123456789012', merchant_uid: { $ne: '' } }, 'merchant_uid', /merchant_uid: expected a string, got an object/],
    ['merchant_uid over 40', { imp_uid: 'imp_123456789012', merchant_uid: 'm'.repeat(41) }, 'merchant_uid'],
    ['an unknown field (a client-claimed amount)', { imp_uid: 'imp_123456789012', merchant_uid: 'order-1', amount: 1000 }, 'amount'],
    ['an unknown field (status)', { imp_uid: 'imp_123456789012', merchant_uid: 'order-1', status: 'paid' }, 'status'],
  ];
  for (const [what, body, field, says] of completeCases) {
    test(`complete: ${what}`, async () => {
      const answer = await v.post('/payments/complete', body);
      assertBadRequest(answer, field, what);
      if (says) assert.match(answer.body.message, says, what);
      if (says && !/required/.test(says.source)) assert.doesNotMatch(answer.body.message, /required/, what);
    });
  }

  const webhookCases: Array<[string, unknown, string, RegExp?]> = [
    ['empty object', {}, 'imp_uid', /imp_uid: required/],
    ['imp_uid a number', { imp_uid: 123, status: 'paid' }, 'imp_uid', /imp_uid: expected a string, got a number/],
    ['imp_uid empty', { imp_uid: '', status: 'paid' }, 'imp_uid'],
    ['imp_uid too long', { imp_uid: 'i'.repeat(65) }, 'imp_uid'],
    ['merchant_uid a number', { imp_uid: 'imp_123456789012', merchant_uid: 5 }, 'merchant_uid', /merchant_uid: expected a string, got a number/],
    ['status an array', { imp_uid: 'imp_123456789012', status: ['paid'] }, 'status', /status: expected a string, got an array/],
  ];
  for (const [what, body, field, says] of webhookCases) {
    test(`webhook (JSON): ${what}`, async () => {
      const answer = await v.post('/portone/webhook', body);
      assertBadRequest(answer, field, what);
      if (says) assert.match(answer.body.message, says, what);
    });
  }
  for (const [what, raw, says] of [
    ['no imp_uid', 'merchant_uid=order-1&status=paid', /imp_uid: required/],
    ['imp_uid twice (an array)', 'imp_uid=imp_1&imp_uid=imp_2', /imp_uid: expected a string, got an array/],
    ['imp_uid[] (an array)', 'imp_uid[]=imp_1', /imp_uid: expected a string, got an array/],
    ['imp_uid[a] (an object)', 'imp_uid[a]=imp_1', /imp_uid: expected a string, got an object/],
    ['imp_uid empty', 'imp_uid=&status=paid', /imp_uid: must not be empty/],
  ] as const) {
    test(`webhook (form): ${what}`, async () => {
      const answer = await v.post('/portone/webhook', raw, { raw: true, contentType: 'application/x-www-form-urlencoded' });
      assertBadRequest(answer, 'imp_uid', what);
      assert.match(answer.body.message, says, what);
    });
  }

  test('webhook: unknown fields (cancellation_id, anything PortOne adds) are ignored, JSON and form', async () => {
    const merchant_uid = uid('input');
    assert.equal((await v.prepare({ merchant_uid, amount: 1000 })).status, 201);
    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 1000, status: 'paid' });
    const extra = { imp_uid: payment.imp_uid, merchant_uid, status: 'paid', cancellation_id: 'c_1', custom: 'x' };
    const json = await v.post('/portone/webhook', extra);
    assert.equal(json.status, 200, JSON.stringify(json.body));
    const form = await postForm(v, '/portone/webhook', extra);
    assert.equal(form.status, 200, JSON.stringify(form.body));
    assert.equal((await orderOf(v, merchant_uid)).state, 'paid');
  });
});

for (const store of ['memory', 'sqlite'] as const) {
  describe(`NUL bytes and unpaired surrogates in text → 400 naming the field, never a 500 (${store} store)`, () => {
    let w: VerifierHarness;
    before(async () => (w = await startVerifier({ store })));
    after(() => w.close());

    // What no database (PostgreSQL's TEXT refuses NUL) and no UTF-8 (PortOne's JSON, SQLite's text) can carry.
    const BAD: Array<[string, (good: string) => string]> = [
      ['a NUL', (good) => `${good}\0x`],
      ['a lone NUL', () => '\0'],
      ['a lone high surrogate', (good) => `${good}\uD800`],
      ['a high surrogate before a letter', (good) => `\uD83Dx${good}`],
      ['a lone low surrogate', (good) => `\uDE00${good}`],
      ['two high surrogates', () => '\uD83D\uD83D'],
    ];

    /** prepare/complete/webhook bodies, each text field of each, with a good value for every other field. */
    const FIELDS: Array<[string, string, (value: string) => Record<string, unknown>]> = [
      ['/payments/prepare', 'name', (value) => ({ amount: 1000, merchant_uid: uid('nul'), name: value })],
      ['/payments/prepare', 'merchant_uid', (value) => ({ amount: 1000, merchant_uid: value })],
      ['/payments/prepare', 'currency', (value) => ({ amount: 1000, currency: value })],
      ['/payments/prepare', 'items.0.id', (value) => ({ amount: 1000, merchant_uid: uid('nul'), items: [{ id: value, quantity: 1 }] })],
      ['/payments/prepare', 'items.1.id', (value) => ({ amount: 1000, merchant_uid: uid('nul'), items: [{ id: 'chair-01', quantity: 1 }, { id: value, quantity: 1 }] })],
      ['/payments/complete', 'imp_uid', (value) => ({ imp_uid: value, merchant_uid: 'order-1' })],
      ['/payments/complete', 'merchant_uid', (value) => ({ imp_uid: 'imp_123456789012', merchant_uid: value })],
      ['/portone/webhook', 'imp_uid', (value) => ({ imp_uid: value, merchant_uid: 'order-1', status: 'paid' })],
      ['/portone/webhook', 'merchant_uid', (value) => ({ imp_uid: 'imp_123456789012', merchant_uid: value, status: 'paid' })],
      ['/portone/webhook', 'status', (value) => ({ imp_uid: 'imp_123456789012', merchant_uid: 'order-1', status: value })],
    ];
    for (const [path, field, body] of FIELDS) {
      test(`${path} ${field}: NUL and unpaired surrogates → 400 naming ${field}; nothing stored`, async () => {
        for (const [what, make] of BAD) {
          const value = make(field === 'currency' ? 'KRW' : 'chair-01');
          const sent = body(value);
          const answer = await w.post(path, sent);
          assertBadRequest(answer, field, `${path} ${field} with ${what}`);
          if (typeof sent.merchant_uid === 'string' && field !== 'merchant_uid') {
            assert.equal((await w.get(`/payments/${encodeURIComponent(sent.merchant_uid)}`)).status, 404, `${what}: nothing stored`);
          }
        }
        // A surrogate pair is one character, and fine.
        if (path === '/payments/prepare' && field === 'name') {
          const answer = await w.post(path, body('의자 🪑'));
          assert.equal(answer.status, 201, JSON.stringify(answer.body));
          assert.equal((await orderOf(w, answer.body.merchant_uid)).name, '의자 🪑');
        }
      });
    }

    test('the form webhook: a NUL in imp_uid, merchant_uid or status → 400 naming it', async () => {
      for (const [field, raw] of [
        ['imp_uid', 'imp_uid=imp_1%00&status=paid'],
        ['merchant_uid', 'imp_uid=imp_123456789012&merchant_uid=order%00&status=paid'],
        ['status', 'imp_uid=imp_123456789012&status=pa%00id'],
      ] as const) {
        assertBadRequest(await w.post('/portone/webhook', raw, { raw: true, contentType: 'application/x-www-form-urlencoded' }), field, raw);
      }
    });

    test('GET /payments/:merchant_uid with a NUL → 400 naming merchant_uid (not a 500 from the store)', async () => {
      for (const path of ['/payments/%00', '/payments/order%00', `/payments/${encodeURIComponent('a\0b')}`]) {
        assertBadRequest(await w.get(path), 'merchant_uid', path);
      }
    });

    test('a PortOne payment whose merchant_uid holds a NUL → the webhook answers 200 (no such order), nothing stored; verify names it', async () => {
      const merchant_uid = `nul\0${uid('x')}`.slice(0, 40);
      const payment = await w.sandbox.createPayment({ merchant_uid, amount: 1000, status: 'paid' });
      const answer = await w.post('/portone/webhook', { imp_uid: payment.imp_uid, status: 'paid' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assertBadRequest(await w.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid }), 'merchant_uid', 'verify');
      const atPortOne = await w.sandbox.ok('GET', `/payments/${payment.imp_uid}`);
      assert.deepEqual([atPortOne.status, atPortOne.cancel_amount], ['paid', 0], 'nothing cancelled: not an order of this server');
    });
  });
}

describe('PREPARE_RATE_LIMIT', () => {
  test('over the limit → 429 {status: error, retryable} with Retry-After; nothing stored; other routes unaffected', async () => {
    const w = await startVerifier({ prepareRateLimit: 3 });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await w.prepare({ amount: 1000 })).status, 201);
      const merchant_uid = uid('limit');
      const response = await fetch(`${w.url}/payments/prepare`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ merchant_uid, amount: 1000 }) });
      assert.equal(response.status, 429);
      const seconds = Number(response.headers.get('retry-after'));
      assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `Retry-After: ${response.headers.get('retry-after')}`);
      const body = (await response.json()) as { status: string; retryable: boolean; message: string };
      assert.deepEqual([body.status, body.retryable, typeof body.message], ['error', true, 'string']);
      assert.equal((await w.get(`/payments/${merchant_uid}`)).status, 404, 'nothing stored');
      assert.equal((await w.post('/payments/complete', { imp_uid: 'imp_000000000000', merchant_uid: 'order-1' })).status, 404, 'verify is not limited');
    } finally {
      await w.close();
    }
  });
});

describe('unreadable bodies and wrong content types → 400 on every POST route', () => {
  const routes = ['/payments/prepare', '/payments/complete', '/portone/webhook'] as const;
  const good: Record<(typeof routes)[number], unknown> = {
    '/payments/prepare': { amount: 1000 },
    '/payments/complete': { imp_uid: 'imp_123456789012', merchant_uid: 'order-1' },
    '/portone/webhook': { imp_uid: 'imp_123456789012', merchant_uid: 'order-1', status: 'paid' },
  };

  for (const path of routes) {
    test(`${path}: not JSON (truncated, trailing garbage, a bare word) → 400 naming the body`, async () => {
      for (const raw of ['{"amount":', '{"amount": 1000}}', 'amount=1000', '{amount: 1000}', "{'amount': 1000}"]) {
        assertBadRequest(await v.post(path, raw, { raw: true }), 'body', `${path} ${raw}`);
      }
    });

    test(`${path}: JSON that is not an object (null, a number, a string, true, an array) → 400`, async () => {
      for (const raw of ['null', '42', '"imp_123"', 'true', '[]', '[1,2]']) {
        const answer = await v.post(path, raw, { raw: true });
        assert.equal(answer.status, 400, `${path} ${raw}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.status, 'error');
        assert.equal(typeof answer.body.message, 'string');
        assertNoStack(answer, `${path} ${raw}`);
      }
    });

    test(`${path}: a __proto__ key → 400, nothing polluted`, async () => {
      const answer = await v.post(path, '{"imp_uid":"imp_1","merchant_uid":"o","amount":1000,"__proto__":{"polluted":true}}', { raw: true });
      assertBadRequest(answer, '__proto__', path);
      assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    });

    test(`${path}: a body over the size limit → 400 naming the body (JSON, form, chunked without a length)`, async () => {
      const big = 'x'.repeat(20 * 1024);
      assertBadRequest(await v.post(path, { ...(good[path] as object), name: big }), 'body', `${path} 20 KiB JSON`);
      assertBadRequest(await v.post(path, `imp_uid=imp_1&pad=${big}`, { raw: true, contentType: 'application/x-www-form-urlencoded' }), 'body', `${path} 20 KiB form`);
      const huge = await rawRequest(v.url, { path, headers: { 'content-type': 'application/json' }, chunks: Array.from({ length: 64 }, () => `${'x'.repeat(16 * 1024)}`) });
      assertBadRequest(huge, 'body', `${path} 1 MiB chunked`);
    });

    test(`${path}: a good body with the wrong content type (text/plain, none, multipart, XML) → 400`, async () => {
      const json = JSON.stringify(good[path]);
      for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'multipart/form-data; boundary=x', 'application/xml']) {
        const answer = await v.post(path, json, { raw: true, contentType });
        assert.equal(answer.status, 400, `${path} ${contentType}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.status, 'error');
        assert.match(answer.body.message, /content-type|JSON|form/i, `${path} ${contentType}: the message says what to send`);
        assertNoStack(answer, `${path} ${contentType}`);
      }
      const none = await rawRequest(v.url, { path, body: Buffer.from(json) });
      assert.equal(none.status, 400, `${path} without a content type: ${JSON.stringify(none.body)}`);
      assert.equal(none.body.status, 'error');
      const empty = await rawRequest(v.url, { path, headers: { 'content-type': 'application/json', 'content-length': '0' } });
      assert.equal(empty.status, 400, `${path} empty JSON body: ${JSON.stringify(empty.body)}`);
      assert.equal(empty.body.status, 'error');
    });

    test(`${path}: an unreadable encoding or charset → 400, not 500`, async () => {
      for (const headers of [
        { 'content-type': 'application/json', 'content-encoding': 'gzip' } as Record<string, string>,
        { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
        { 'content-type': 'application/json; charset=x-no-such-charset' },
      ]) {
        const answer = await rawRequest(v.url, { path, headers, body: 'not what it says' });
        assert.equal(answer.status, 400, `${path} ${JSON.stringify(headers)}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.status, 'error');
        assertNoStack(answer, path);
      }
    });
  }

  test('prepare and complete take JSON only: a form body → 400', async () => {
    for (const path of ['/payments/prepare', '/payments/complete']) {
      const answer = await postForm(v, path, { amount: '1000', imp_uid: 'imp_1', merchant_uid: 'order-1' });
      assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.status, 'error');
      assert.match(answer.body.message, /JSON/);
    }
  });

  test('GET /payments/:merchant_uid with odd paths → 404 unknown_order or 404, never 500', async () => {
    for (const path of ['/payments/%E0%A4%A', '/payments/%', '/payments/..%2F..%2Fetc%2Fpasswd', `/payments/${'x'.repeat(5000)}`, '/payments/%00']) {
      const answer = await v.get(path);
      assert.ok(answer.status === 404 || answer.status === 400, `${path.slice(0, 40)}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assertNoStack(answer, path);
    }
  });

  test('after all of that the server still serves a good request', async () => {
    const merchant_uid = uid('after');
    assert.equal((await v.prepare({ merchant_uid, amount: 1234 })).status, 201);
    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 1234, status: 'paid' });
    const done = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'paid');
    assert.equal((await v.get('/healthz')).status, 200);
  });
});
