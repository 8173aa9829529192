// The sandbox's REST V2 routes, as a PortOne V2 client sees them: every answer (success and error) validated against
// the official OpenAPI's operations (fixtures/portone-v2.openapi.json), the authentication and store rules, every
// payment status, full and partial cancels with their refusals, Idempotency-Key, faults and the call log; and
// @portone/server-sdk pointed at the sandbox as the oracle.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PortOneClient } from '@portone/server-sdk';
import { Payment as PaymentApi } from '@portone/server-sdk';
import { DEFAULT_CREDENTIALS, DEFAULT_V2_CREDENTIALS, type Sandbox, SandboxControlError, startSandbox, type V2Payment } from '../../sandbox/index.js';
import { assertAnswer, assertSchema } from './fixtures/openapi-v2.js';
import { uid } from './helpers.js';

const SECRET = DEFAULT_V2_CREDENTIALS.apiSecret;
const KEY = 'idem-key-0123456789abcdef';

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox({ quiet: true });
});
after(() => sandbox.close());

interface Answer {
  status: number;
  body: any;
}

/** A REST V2 call with the sandbox's secret unless `headers` says otherwise; a string body goes as written. */
async function rest(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `PortOne ${SECRET}`, ...options.headers };
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(`${sandbox.v2.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const paymentId = () => uid('pay').replace(/[^a-z0-9]/gi, '');
const getPayment = async (id: string) => {
  const answer = await rest('GET', `/payments/${id}`);
  assertAnswer('get', '/payments/{paymentId}', answer);
  return answer;
};
const cancel = async (id: string, body: Record<string, unknown>, headers?: Record<string, string>) => {
  const answer = await rest('POST', `/payments/${id}/cancel`, { body, headers });
  if (answer.body?.type !== 'IDEMPOTENCY_OUTSTANDING_REQUEST') assertAnswer('post', '/payments/{paymentId}/cancel', answer);
  return answer;
};
const preRegister = async (id: string, body: Record<string, unknown>) => {
  const answer = await rest('POST', `/payments/${id}/pre-register`, { body });
  assertAnswer('post', '/payments/{paymentId}/pre-register', answer);
  return answer;
};

describe('the V2 address', () => {
  test('a second listener beside V1, its URLs and credentials', async () => {
    assert.notEqual(sandbox.v2.url, sandbox.url);
    assert.match(sandbox.v2.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sandbox.v2.sdkUrl, `${sandbox.v2.url}/browser-sdk.js`);
    assert.deepEqual(sandbox.v2.credentials, { ...DEFAULT_V2_CREDENTIALS });
    const description = await sandbox.v2.control.describe();
    assert.equal(description.restUrl, sandbox.v2.url);
    assert.equal(description.storeId, 'store-sandbox');
    // V1 keeps answering on its own address.
    const token = await fetch(`${sandbox.url}/users/getToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imp_key: DEFAULT_CREDENTIALS.apiKey, imp_secret: DEFAULT_CREDENTIALS.apiSecret }),
    });
    assert.equal(token.status, 200);
  });

  test('v2Port defaults to port + 1; a V2 port in use rejects with EADDRINUSE and leaves nothing listening', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startSandbox({ quiet: true, v2Port: taken }), (error: NodeJS.ErrnoException) => error.code === 'EADDRINUSE');
      const other = await startSandbox({ quiet: true, port: taken - 1 }).catch((e: NodeJS.ErrnoException) => e);
      if (other instanceof Error) assert.equal(other.code, 'EADDRINUSE');
      else await other.close().then(() => assert.fail('port + 1 was in use'));
    } finally {
      blocker.close();
    }
  });

  test('options set the secret, the store and the webhook secret', async () => {
    const other = await startSandbox({ quiet: true, v2ApiSecret: 'another-secret-123', v2StoreId: 'store-other', v2WebhookSecret: 'whsec_b3RoZXI=' });
    try {
      assert.deepEqual(other.v2.credentials, { apiSecret: 'another-secret-123', storeId: 'store-other', webhookSecret: 'whsec_b3RoZXI=' });
      const refused = await fetch(`${other.v2.url}/payments/x`, { headers: { authorization: `PortOne ${SECRET}` } });
      assert.equal(refused.status, 401);
      const created = await other.v2.control.createPayment({ amount: 1000 });
      assert.equal(created.storeId, 'store-other');
    } finally {
      await other.close();
    }
  });
});

describe('authentication and stores', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('no Authorization, a Bearer token, a wrong secret, the V1 secret: 401 UNAUTHORIZED', async () => {
    const id = (await sandbox.v2.control.createPayment({ amount: 1000 })).id;
    for (const authorization of ['', 'Bearer some.jwt.token', `PortOne wrong_secret`, `PortOne ${DEFAULT_CREDENTIALS.apiSecret}`, SECRET]) {
      const answer = await rest('GET', `/payments/${id}`, { headers: { authorization } });
      assertAnswer('get', '/payments/{paymentId}', answer);
      assert.equal(answer.status, 401, authorization);
      assert.equal(answer.body.type, 'UNAUTHORIZED');
    }
    const wrong = await rest('GET', `/payments/${id}`, { headers: { authorization: 'PortOne test_sk_0123456789' } });
    assert.match(wrong.body.message, /PG secret/);
    const bearer = await rest('POST', `/payments/${id}/cancel`, { body: { reason: 'x' }, headers: { authorization: 'Bearer abc' } });
    assert.equal(bearer.status, 401);
    assert.match(bearer.body.message, /PortOne <V2 API secret>/);
    // The scheme is case-insensitive.
    assert.equal((await rest('GET', `/payments/${id}`, { headers: { authorization: `portone ${SECRET}` } })).status, 200);
  });

  test('another storeId than the sandbox’s: 403 FORBIDDEN (query and body); its own: accepted', async () => {
    const id = (await sandbox.v2.control.createPayment({ amount: 1000 })).id;
    const get = await rest('GET', `/payments/${id}?storeId=store-other`);
    assertAnswer('get', '/payments/{paymentId}', get);
    assert.equal(get.status, 403);
    assert.equal(get.body.type, 'FORBIDDEN');
    assert.equal((await rest('GET', `/payments/${id}?storeId=store-sandbox`)).status, 200);
    const cancelled = await cancel(id, { reason: 'x', storeId: 'store-other' });
    assert.equal(cancelled.status, 403);
    const pre = await preRegister(paymentId(), { storeId: 'store-other', totalAmount: 1 });
    assert.equal(pre.status, 403);
    assert.equal((await preRegister(paymentId(), { storeId: 'store-sandbox', totalAmount: 1 })).status, 200);
  });

  test('a payment of another store (made by control) is read by its paymentId and says its store', async () => {
    const created = await sandbox.v2.control.createPayment({ amount: 1000, storeId: 'store-elsewhere' });
    const answer = await getPayment(created.id);
    assert.equal(answer.body.storeId, 'store-elsewhere');
  });
});

describe('GET /payments/{paymentId}', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('unknown: 404 PAYMENT_NOT_FOUND', async () => {
    const answer = await getPayment('nope');
    assert.equal(answer.status, 404);
    assert.equal(answer.body.type, 'PAYMENT_NOT_FOUND');
  });

  test('every status validates against the OpenAPI, with the fields PortOne gives it', async () => {
    for (const status of ['READY', 'PAY_PENDING', 'VIRTUAL_ACCOUNT_ISSUED', 'PAID', 'FAILED', 'PARTIAL_CANCELLED', 'CANCELLED'] as const) {
      const created = await sandbox.v2.control.createPayment({ amount: 15000, status });
      assertSchema('Payment', created);
      const { body } = await getPayment(created.id);
      assert.deepEqual(body, created);
      assert.equal(body.status, status);
      assert.equal(body.version, 'V2');
      assert.equal(body.id, created.id);
      assert.match(body.transactionId, /^[0-9a-f-]{36}$/);
      assert.equal(body.channel.type, 'LIVE');
      assert.equal(body.amount.total, 15000);
      assert.equal(body.currency, 'KRW');
    }
  });

  test('PAID card: amounts in minor units, card method, paidAt, receipt; VAT is 1/11 of the taxable part', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 11000, taxFreeAmount: 1000, customData: { orderId: 7 }, customer: { name: '홍길동', email: 'a@b.c' } });
    assert.deepEqual(p.amount, { total: 11000, taxFree: 1000, vat: 909, supply: 9091, discount: 0, paid: 11000, cancelled: 0, cancelledTaxFree: 0 });
    assert.equal(p.method?.type, 'PaymentMethodCard');
    assert.equal(p.customData, '{"orderId":7}');
    assert.deepEqual(p.customer, { name: '홍길동', email: 'a@b.c' });
    assert.ok(p.paidAt && p.receiptUrl && p.pgTxId);
    assert.deepEqual(p.cancellations, []);
  });

  test('USD is in cents; TEST channel when asked; each pay method has its method', async () => {
    const usd = await sandbox.v2.control.createPayment({ amount: 1999, currency: 'USD', channelType: 'TEST' });
    assert.equal(usd.amount.total, 1999);
    assert.equal(usd.currency, 'USD');
    assert.equal(usd.channel.type, 'TEST');
    const expected = { CARD: 'PaymentMethodCard', VIRTUAL_ACCOUNT: 'PaymentMethodVirtualAccount', TRANSFER: 'PaymentMethodTransfer', MOBILE: 'PaymentMethodMobile', EASY_PAY: 'PaymentMethodEasyPay' } as const;
    for (const [payMethod, type] of Object.entries(expected)) {
      const p = await sandbox.v2.control.createPayment({ amount: 1000, payMethod: payMethod as keyof typeof expected, easyPayProvider: 'NAVERPAY' });
      assertSchema('Payment', p);
      assert.equal(p.method?.type, type);
      if (p.method?.type === 'PaymentMethodEasyPay') assert.equal(p.method.provider, 'NAVERPAY');
    }
  });

  test('VIRTUAL_ACCOUNT_ISSUED: the account, its holder and due date; nothing paid', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 30000, status: 'VIRTUAL_ACCOUNT_ISSUED' });
    assert.equal(p.method?.type, 'PaymentMethodVirtualAccount');
    if (p.method?.type !== 'PaymentMethodVirtualAccount') return;
    assert.equal(p.method.bank, 'KOOKMIN');
    assert.match(p.method.accountNumber, /^\d{14}$/);
    assert.ok(Date.parse(p.method.expiredAt) > Date.parse(p.method.issuedAt));
    assert.equal(p.amount.paid, 0);
    assert.equal(p.paidAt, undefined);
  });

  test('FAILED: failedAt and failure.reason', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 1000, status: 'FAILED', failureReason: '한도초과' });
    assert.equal(p.failure?.reason, '한도초과');
    assert.ok(p.failedAt);
  });
});

describe('POST /payments/{paymentId}/pre-register', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('{} and recorded; a second one replaces it; the body may come as text/plain or with no type', async () => {
    const id = paymentId();
    const answer = await preRegister(id, { totalAmount: 14000, currency: 'KRW' });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {});
    let registration = await sandbox.v2.control.preRegistration(id);
    assert.equal(registration.totalAmount, 14000);
    assert.equal(registration.currency, 'KRW');
    const plain = await rest('POST', `/payments/${id}/pre-register`, { body: JSON.stringify({ totalAmount: 15000, taxFreeAmount: 0, currency: 'CURRENCY_KRW' }), headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    assert.equal(plain.status, 200);
    registration = await sandbox.v2.control.preRegistration(id);
    assert.equal(registration.totalAmount, 15000);
    assert.equal(registration.currency, 'KRW');
  });

  test('a paid paymentId: 409 ALREADY_PAID (also once cancelled)', async () => {
    for (const status of ['PAID', 'PARTIAL_CANCELLED', 'CANCELLED'] as const) {
      const p = await sandbox.v2.control.createPayment({ amount: 1000, status });
      const answer = await preRegister(p.id, { totalAmount: 1000 });
      assert.equal(answer.status, 409, status);
      assert.equal(answer.body.type, 'ALREADY_PAID');
    }
    const ready = await sandbox.v2.control.createPayment({ amount: 1000, status: 'READY' });
    assert.equal((await preRegister(ready.id, { totalAmount: 1000 })).status, 200);
  });

  test('bad input: 400 INVALID_REQUEST naming the field', async () => {
    for (const [body, field] of [
      [{ totalAmount: 1.5 }, /totalAmount/],
      [{ totalAmount: -1 }, /totalAmount/],
      [{ totalAmount: '1000' }, /totalAmount/],
      [{ currency: 'won' }, /currency/],
      [{ totalAmount: 100, taxFreeAmount: 200 }, /taxFreeAmount/],
    ] as const) {
      const answer = await preRegister(paymentId(), body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.type, 'INVALID_REQUEST');
      assert.match(answer.body.message, field);
    }
    const broken = await rest('POST', `/payments/${paymentId()}/pre-register`, { body: '{not json' });
    assertAnswer('post', '/payments/{paymentId}/pre-register', broken);
    assert.equal(broken.status, 400);
  });
});

describe('POST /payments/{paymentId}/cancel', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('full cancel: CANCELLED, the cancellation, amount.cancelled, cancelledAt', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 11000 });
    const answer = await cancel(p.id, { reason: '고객 요청', currentCancellableAmount: 11000 });
    assert.equal(answer.status, 200);
    const { cancellation } = answer.body;
    assert.equal(cancellation.status, 'SUCCEEDED');
    assert.equal(cancellation.totalAmount, 11000);
    assert.equal(cancellation.vatAmount, 1000);
    assert.equal(cancellation.taxFreeAmount, 0);
    assert.equal(cancellation.reason, '고객 요청');
    const after = (await getPayment(p.id)).body as V2Payment;
    assert.equal(after.status, 'CANCELLED');
    assert.equal(after.amount.cancelled, 11000);
    assert.ok(after.cancelledAt);
    assert.deepEqual(after.cancellations, [cancellation]);
  });

  test('partial cancels: PARTIAL_CANCELLED, then the rest: CANCELLED; each checks the balance', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000 });
    const first = await cancel(p.id, { reason: 'part', amount: 3000, currentCancellableAmount: 10000 });
    assert.equal(first.status, 200);
    let now = (await getPayment(p.id)).body as V2Payment;
    assert.equal(now.status, 'PARTIAL_CANCELLED');
    assert.equal(now.amount.cancelled, 3000);
    const stale = await cancel(p.id, { reason: 'again', amount: 1000, currentCancellableAmount: 10000 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.type, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    const tooMuch = await cancel(p.id, { reason: 'again', amount: 7001 });
    assert.equal(tooMuch.status, 409);
    assert.equal(tooMuch.body.type, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    const rest = await cancel(p.id, { reason: 'rest', currentCancellableAmount: 7000 });
    assert.equal(rest.body.cancellation.totalAmount, 7000);
    now = (await getPayment(p.id)).body as V2Payment;
    assert.equal(now.status, 'CANCELLED');
    assert.equal(now.amount.cancelled, 10000);
    assert.equal(now.cancellations?.length, 2);
    const again = await cancel(p.id, { reason: 'again' });
    assert.equal(again.status, 409);
    assert.equal(again.body.type, 'PAYMENT_ALREADY_CANCELLED');
  });

  test('not paid (READY, PAY_PENDING, VIRTUAL_ACCOUNT_ISSUED, FAILED): 409 PAYMENT_NOT_PAID', async () => {
    for (const status of ['READY', 'PAY_PENDING', 'VIRTUAL_ACCOUNT_ISSUED', 'FAILED'] as const) {
      const p = await sandbox.v2.control.createPayment({ amount: 1000, status });
      const answer = await cancel(p.id, { reason: 'x' });
      assert.equal(answer.status, 409, status);
      assert.equal(answer.body.type, 'PAYMENT_NOT_PAID');
    }
  });

  test('unknown payment: 404; no reason, a decimal amount, bad JSON: 400 INVALID_REQUEST', async () => {
    assert.equal((await cancel('nope', { reason: 'x' })).body.type, 'PAYMENT_NOT_FOUND');
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    const noReason = await cancel(p.id, {});
    assert.equal(noReason.status, 400);
    assert.match(noReason.body.message, /reason/);
    assert.equal((await cancel(p.id, { reason: 'x', amount: 10.5 })).status, 400);
    assert.equal((await cancel(p.id, { reason: 'x', amount: 0 })).status, 400);
    const broken = await rest('POST', `/payments/${p.id}/cancel`, { body: '{"reason":' });
    assertAnswer('post', '/payments/{paymentId}/cancel', broken);
    assert.equal(broken.status, 400);
    assert.equal((await getPayment(p.id)).body.status, 'PAID');
  });

  test('tax-free parts: a cancel takes the taxable part first; too much tax-free is refused', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000, taxFreeAmount: 4000 });
    const refused = await cancel(p.id, { reason: 'x', amount: 5000, taxFreeAmount: 4001 });
    assert.equal(refused.body.type, 'CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT');
    const parts = await cancel(p.id, { reason: 'x', amount: 100, taxFreeAmount: 50, vatAmount: 60 });
    assert.equal(parts.body.type, 'SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT');
    const first = await cancel(p.id, { reason: 'x', amount: 7000 });
    assert.equal(first.body.cancellation.taxFreeAmount, 1000);
    const now = (await getPayment(p.id)).body as V2Payment;
    assert.equal(now.amount.cancelledTaxFree, 1000);
  });
});

describe('Idempotency-Key', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('the same key and request again: the stored answer, one cancellation only', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000 });
    const first = await cancel(p.id, { reason: 'x', amount: 1000 }, { 'idempotency-key': `"${KEY}"` });
    const second = await cancel(p.id, { amount: 1000, reason: 'x' }, { 'idempotency-key': `"${KEY}"` });
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body);
    assert.equal(((await getPayment(p.id)).body as V2Payment).amount.cancelled, 1000);
    // A refusal is kept too: the same key answers the same 409.
    const q = await sandbox.v2.control.createPayment({ amount: 1000, status: 'READY' });
    const refusedKey = `${KEY}-refused`;
    const refused = await cancel(q.id, { reason: 'x' }, { 'idempotency-key': refusedKey });
    assert.equal(refused.status, 409);
    await sandbox.v2.control.changePayment(q.id, { status: 'PAID' });
    assert.deepEqual(await cancel(q.id, { reason: 'x' }, { 'idempotency-key': refusedKey }), refused);
  });

  test('the same key with another request: 400 INVALID_REQUEST, nothing done', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000 });
    await cancel(p.id, { reason: 'x', amount: 1000 }, { 'idempotency-key': KEY });
    const other = await cancel(p.id, { reason: 'x', amount: 2000 }, { 'idempotency-key': KEY });
    assert.equal(other.status, 400);
    assert.equal(other.body.type, 'INVALID_REQUEST');
    assert.match(other.body.message, /Idempotency-Key/);
    assert.equal(((await getPayment(p.id)).body as V2Payment).amount.cancelled, 1000);
  });

  test('the same key while the first is in flight: 409 IDEMPOTENCY_OUTSTANDING_REQUEST', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000 });
    await sandbox.v2.control.addFault({ type: 'latency', path: '/payments', method: 'POST', ms: 400, times: 1 });
    const slow = cancel(p.id, { reason: 'x' }, { 'idempotency-key': KEY });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const duplicate = await cancel(p.id, { reason: 'x' }, { 'idempotency-key': KEY });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.type, 'IDEMPOTENCY_OUTSTANDING_REQUEST');
    assert.equal((await slow).status, 200);
    assert.equal((await cancel(p.id, { reason: 'x' }, { 'idempotency-key': KEY })).status, 200);
  });

  test('kept 3 hours on the sandbox clock; a 5xx fault is not kept; a bad key is refused', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000 });
    await cancel(p.id, { reason: 'x', amount: 1000 }, { 'idempotency-key': KEY });
    await sandbox.v2.control.advanceClock(3 * 3600 + 1);
    const later = await cancel(p.id, { reason: 'x', amount: 1000 }, { 'idempotency-key': KEY });
    assert.equal(later.status, 200);
    assert.equal(((await getPayment(p.id)).body as V2Payment).amount.cancelled, 2000);

    await sandbox.v2.control.addFault({ type: 'status', path: '/payments', method: 'POST', status: 503, times: 1 });
    const faulted = await rest('POST', `/payments/${p.id}/cancel`, { body: { reason: 'y', amount: 500 }, headers: { 'idempotency-key': `${KEY}-5xx` } });
    assert.equal(faulted.status, 503);
    assert.equal(faulted.body.type, 'INTERNAL_SERVER_ERROR');
    assert.equal((await cancel(p.id, { reason: 'y', amount: 500 }, { 'idempotency-key': `${KEY}-5xx` })).status, 200);

    const short = await cancel(p.id, { reason: 'z' }, { 'idempotency-key': 'short' });
    assert.equal(short.status, 400);
    assert.match(short.body.message, /Idempotency-Key/);
  });
});

describe('faults and the call log on the V2 address', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('status, drop, after/times; counts by route; V1’s log is not V2’s', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    await sandbox.v2.control.addFault({ type: 'status', path: '/payments', method: 'GET', status: 502, after: 1, times: 1 });
    assert.equal((await rest('GET', `/payments/${p.id}`)).status, 200);
    const pg = await rest('GET', `/payments/${p.id}`);
    assert.equal(pg.status, 502);
    assert.equal(pg.body.type, 'PG_PROVIDER');
    assert.equal((await rest('GET', `/payments/${p.id}`)).status, 200);
    await sandbox.v2.control.addFault({ type: 'drop', path: '/payments', times: 1 });
    await assert.rejects(fetch(`${sandbox.v2.url}/payments/${p.id}`, { headers: { authorization: `PortOne ${SECRET}` } }));
    const refused = await sandbox.v2.control.request('POST', '/faults', { type: 'expire_token' });
    assert.equal(refused.status, 400);
    const log = await sandbox.v2.control.calls();
    assert.equal(log.counts['GET /payments/:paymentId'], 4);
    assert.deepEqual(
      log.calls.map((c) => [c.status, c.fault]),
      [
        [200, null],
        [502, 'status'],
        [200, null],
        [null, 'drop'],
      ],
    );
    const v1Log = await sandbox.control.calls();
    assert.equal(v1Log.calls.some((c) => c.path.startsWith(`/payments/${p.id}`)), false);
  });

  test('an unknown REST path: 404 in V2’s error shape; the control API keeps its own', async () => {
    const unknown = await rest('GET', '/nothing/here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.type, 'NOT_FOUND');
    const control = await sandbox.v2.control.request('GET', '/payments/nope');
    assert.equal(control.status, 404);
    assert.equal((control.body as { status: string }).status, 'error');
  });
});

describe('control: V2 payments', () => {
  beforeEach(() => sandbox.v2.control.reset());

  test('a new attempt on an unpaid paymentId replaces it (new transactionId); a paid one is refused', async () => {
    const id = paymentId();
    const first = await sandbox.v2.control.createPayment({ paymentId: id, amount: 1000, status: 'FAILED' });
    const second = await sandbox.v2.control.createPayment({ paymentId: id, amount: 1000 });
    assert.notEqual(second.transactionId, first.transactionId);
    assert.equal((await getPayment(id)).body.transactionId, second.transactionId);
    await assert.rejects(sandbox.v2.control.createPayment({ paymentId: id, amount: 1000 }), (e: SandboxControlError) => e.status === 409 && /PaymentAlreadyPaid/.test(e.message));
    const { payments, total } = await sandbox.v2.control.payments();
    assert.equal(total, 1);
    assert.equal(payments[0]!.transactionId, second.transactionId);
  });

  test('PATCH moves payments as PortOne would; deposit pays a virtual account; refusals are 409 / 400', async () => {
    const va = await sandbox.v2.control.createPayment({ amount: 5000, status: 'VIRTUAL_ACCOUNT_ISSUED' });
    const paid = await sandbox.v2.control.deposit(va.id);
    assert.equal(paid.status, 'PAID');
    assert.equal(paid.method?.type, 'PaymentMethodVirtualAccount');
    assert.equal(paid.amount.paid, 5000);
    assertSchema('Payment', paid);
    await assert.rejects(sandbox.v2.control.deposit(va.id), (e: SandboxControlError) => e.status === 409);

    const expiring = await sandbox.v2.control.createPayment({ amount: 5000, status: 'VIRTUAL_ACCOUNT_ISSUED' });
    const expired = await sandbox.v2.control.changePayment(expiring.id, { status: 'FAILED' });
    assert.equal(expired.status, 'FAILED');
    assert.match(expired.failure?.reason ?? '', /만료/);

    const p = await sandbox.v2.control.createPayment({ amount: 9000 });
    const part = await sandbox.v2.control.changePayment(p.id, { status: 'PARTIAL_CANCELLED', amount: 1000 });
    assert.equal(part.status, 'PARTIAL_CANCELLED');
    assert.equal(part.cancellations?.[0]?.trigger, 'CONSOLE');
    const whole = await sandbox.v2.control.changePayment(p.id, { status: 'CANCELLED' });
    assert.equal(whole.status, 'CANCELLED');
    assert.equal(whole.amount.cancelled, 9000);
    assertSchema('Payment', whole);
    await assert.rejects(sandbox.v2.control.changePayment(p.id, { status: 'PAID' }), (e: SandboxControlError) => e.status === 409);
    await assert.rejects(sandbox.v2.control.changePayment(p.id, { status: 'CANCELLED' }), (e: SandboxControlError) => e.status === 409 && /PAYMENT_ALREADY_CANCELLED/.test(e.message));
    const q = await sandbox.v2.control.createPayment({ amount: 9000 });
    await assert.rejects(sandbox.v2.control.changePayment(q.id, { status: 'PARTIAL_CANCELLED' }), (e: SandboxControlError) => e.status === 400);

    const ready = await sandbox.v2.control.createPayment({ amount: 9000, status: 'READY' });
    assert.equal((await sandbox.v2.control.changePayment(ready.id, { status: 'VIRTUAL_ACCOUNT_ISSUED' })).status, 'VIRTUAL_ACCOUNT_ISSUED');
  });

  test('bad input names the field', async () => {
    for (const [body, field] of [
      [{ amount: 10.5 }, /amount/],
      [{ amount: 0 }, /amount/],
      [{ amount: 1000, status: 'paid' }, /status/],
      [{ amount: 1000, channelType: 'SANDBOX' }, /channelType/],
      [{ amount: 1000, cancelledAmount: 10 }, /cancelledAmount/],
      [{ amount: 1000, status: 'PARTIAL_CANCELLED', cancelledAmount: 1000 }, /cancelledAmount/],
      [{ amount: 1000, noticeUrls: ['not a url'] }, /noticeUrls/],
      [{ amount: 1000, surprise: true }, /surprise/],
    ] as const) {
      const answer = await sandbox.v2.control.request('POST', '/payments', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match((answer.body as { message: string }).message, field);
    }
  });

  test('reset forgets V2 payments and keys, not V1’s', async () => {
    const v1 = await sandbox.control.createPayment({ merchant_uid: uid(), amount: 1000 });
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    await sandbox.v2.control.reset();
    assert.equal((await getPayment(p.id)).status, 404);
    assert.equal((await sandbox.control.payment(v1.imp_uid)).imp_uid, v1.imp_uid);
  });
});

describe('@portone/server-sdk pointed at the sandbox (oracle)', () => {
  beforeEach(() => sandbox.v2.control.reset());
  const client = () => PortOneClient({ secret: SECRET, baseUrl: sandbox.v2.url });

  test('getPayment, preRegisterPayment, cancelPayment work', async () => {
    const id = paymentId();
    await client().payment.preRegisterPayment({ paymentId: id, totalAmount: 12000, currency: 'KRW' });
    assert.equal((await sandbox.v2.control.preRegistration(id)).totalAmount, 12000);
    await sandbox.v2.control.createPayment({ paymentId: id, amount: 12000 });
    const payment = await client().payment.getPayment({ paymentId: id });
    assert.equal(payment.status, 'PAID');
    if (payment.status !== 'PAID') return;
    assert.equal(payment.amount.total, 12000);
    assert.equal(payment.channel.type, 'LIVE');
    const { cancellation } = await client().payment.cancelPayment({ paymentId: id, reason: 'oracle', amount: 2000, currentCancellableAmount: 12000 });
    assert.equal(cancellation.status, 'SUCCEEDED');
    if (cancellation.status === 'SUCCEEDED') assert.equal(cancellation.totalAmount, 2000);
    const after = await client().payment.getPayment({ paymentId: id });
    assert.equal(after.status, 'PARTIAL_CANCELLED');
  });

  test('its error classes carry the sandbox’s error bodies', async () => {
    await assert.rejects(client().payment.getPayment({ paymentId: 'nope' }), (e: InstanceType<typeof PaymentApi.PaymentError> & { data: { type: string } }) => e instanceof PaymentApi.PaymentError && e.data.type === 'PAYMENT_NOT_FOUND');
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    await assert.rejects(
      client().payment.cancelPayment({ paymentId: p.id, reason: 'x', currentCancellableAmount: 999 }),
      (e: { data: { type: string }; name: string }) => e.data.type === 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
    );
    await assert.rejects(client().payment.preRegisterPayment({ paymentId: p.id, totalAmount: 1000 }), (e: { data: { type: string } }) => e.data.type === 'ALREADY_PAID');
    const wrong = PortOneClient({ secret: 'test_sk_pg_secret', baseUrl: sandbox.v2.url });
    await assert.rejects(wrong.payment.getPayment({ paymentId: p.id }), (e: { data: { type: string } }) => e.data.type === 'UNAUTHORIZED');
    const otherStore = PortOneClient({ secret: SECRET, baseUrl: sandbox.v2.url, storeId: 'store-other' });
    await assert.rejects(otherStore.payment.cancelPayment({ paymentId: p.id, reason: 'x' }), (e: { data: { type: string } }) => e.data.type === 'FORBIDDEN');
  });
});
