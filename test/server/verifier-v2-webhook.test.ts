// SPEC §8.2 `POST /portone/webhook/v2`: Standard Webhooks over the raw body against each configured secret (±300 s),
// 401 and nothing done without a valid one; then only data.paymentId / data.storeId are used, the payment is re-read
// and settled. Also: the sandbox's own signed webhooks settle an order, 30 concurrent completes and webhooks settle
// one payment once and fulfil it once, and a V1 payment and a V2 payment never settle each other's order.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from '@portone/server-sdk';
import { signWebhook, verifyWebhook, webhookKey } from '../../server/webhook-signature.js';
import { uid, waitFor } from './helpers.js';
import { paymentIdFor, startV2Verifier, type V2Harness } from './verifier-v2-harness.js';

const trail = (order: { history: Array<{ state: string; via: string }> }) => order.history.map((h) => `${h.state}/${h.via}`);

async function prepared(v: V2Harness, amount = 14000): Promise<string> {
  const paymentId = paymentIdFor('wh');
  const answer = await v.prepare({ paymentId, amount });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return paymentId;
}

const paidNotice = (v: V2Harness, paymentId: string, transactionId = 'tx', storeId = v.storeId) => ({
  type: 'Transaction.Paid',
  timestamp: new Date().toISOString(),
  data: { storeId, paymentId, transactionId },
});

const stateOf = async (v: V2Harness, paymentId: string) => (await v.get(`/payments/${paymentId}`)).body.state;
const readsOf = (v: V2Harness, paymentId: string) => v.v2Requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/payments/${paymentId}?`)).length;

/** A fresh Standard Webhooks secret. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

describe('verifyWebhook (webhook-signature.ts), with @portone/server-sdk as the oracle', () => {
  const secret = newSecret();
  const key = webhookKey(secret);
  const body = JSON.stringify({ type: 'Transaction.Paid', timestamp: '2026-01-01T00:00:00Z', data: { storeId: 's', paymentId: 'p', transactionId: 't' } });
  const now = Math.floor(Date.now() / 1000);
  const header = (headers: Record<string, string>) => (name: string) => headers[name];

  test('what we sign, PortOne’s SDK accepts; what it refuses, we refuse', async () => {
    const headers = signWebhook(key, 'msg_1', now, body);
    assert.deepEqual(verifyWebhook([key], header(headers), body), { ok: true });
    await Webhook.verify(secret, body, headers);
    const tampered = body.replace('"p"', '"q"');
    assert.deepEqual(verifyWebhook([key], header(headers), tampered), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    await assert.rejects(Webhook.verify(secret, tampered, headers));
  });

  test('±300 s: 301 s old or ahead is refused, 299 s accepted', () => {
    for (const [offset, result] of [
      [-301, 'TIMESTAMP_TOO_OLD'],
      [301, 'TIMESTAMP_TOO_NEW'],
      [-299, null],
      [299, null],
    ] as const) {
      const headers = signWebhook(key, 'msg_2', now + offset, body);
      assert.deepEqual(verifyWebhook([key], header(headers), body, now * 1000), result ? { ok: false, reason: result } : { ok: true }, String(offset));
    }
  });

  test('missing headers, a non-numeric timestamp, a signature of another version are refused; one good among several signatures passes', () => {
    const headers = signWebhook(key, 'msg_3', now, body);
    for (const missing of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const { [missing]: _, ...rest } = headers;
      assert.deepEqual(verifyWebhook([key], header(rest), body), { ok: false, reason: 'MISSING_REQUIRED_HEADERS' }, missing);
    }
    assert.equal(verifyWebhook([key], header({ ...headers, 'webhook-timestamp': 'soon' }), body).ok, false);
    assert.equal(verifyWebhook([key], header({ ...headers, 'webhook-signature': headers['webhook-signature']!.replace('v1,', 'v2,') }), body).ok, false);
    assert.equal(verifyWebhook([key], header({ ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` }), body).ok, true);
  });

  test('two secrets (a rotation): a signature by either passes', () => {
    const other = webhookKey(newSecret());
    const headers = signWebhook(other, 'msg_4', now, body);
    assert.equal(verifyWebhook([key], header(headers), body).ok, false);
    assert.equal(verifyWebhook([key, other], header(headers), body).ok, true);
  });
});

describe('POST /portone/webhook/v2', () => {
  let v: V2Harness;
  before(async () => (v = await startV2Verifier({ webhookSecrets: undefined })));
  after(() => v.close());

  test('a valid signature: the payment is re-read and settled (paid/webhook), 200', async () => {
    const paymentId = await prepared(v);
    const payment = await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    // The body's transactionId is a claim like the rest: PortOne's payment names the transaction.
    const answer = await v.webhook(paidNotice(v, paymentId, 'a-claimed-tx'));
    assert.deepEqual([answer.status, answer.body.settled], [200, 'paid'], JSON.stringify(answer.body));
    const order = (await v.get(`/payments/${paymentId}`)).body;
    assert.deepEqual(trail(order), ['ready/prepare', 'paid/webhook']);
    assert.equal(order.transactionId, payment.transactionId);
    await waitFor(() => v.fulfilledV2.some((f) => f.order.merchant_uid === paymentId), 'fulfilled in the background');
  });

  test('a tampered body, a stale or future timestamp, another secret, missing headers → 401, nothing read or done (guard: the signature check)', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    const notice = paidNotice(v, paymentId);
    const raw = JSON.stringify(notice);
    const now = Math.floor(Date.now() / 1000);
    const good = signWebhook(webhookKey(v.webhookSecret, 1), 'msg_x', now, raw);
    const cases: Array<[string, Parameters<V2Harness['webhook']>[1]]> = [
      ['tampered body', { raw: raw.replace('Transaction.Paid', 'Transaction.Paid '), headers: good }],
      ['re-serialised body', { raw: JSON.stringify(notice, null, 1), headers: good }],
      ['stale (301 s)', { timestamp: now - 301 }],
      ['future (301 s)', { timestamp: now + 301 }],
      ['another secret', { secret: newSecret() }],
      ['no headers', { headers: {} }],
      ['no signature', { headers: { 'webhook-id': good['webhook-id']!, 'webhook-timestamp': good['webhook-timestamp']! } }],
      ['bad JSON, bad signature', { raw: '{not json', headers: good }],
      ['a form body, bad signature', { raw: 'payment_id=x', headers: good, contentType: 'application/x-www-form-urlencoded' }],
    ];
    for (const [what, options] of cases) {
      const answer = await v.webhook(notice, options);
      assert.equal(answer.status, 401, `${what}: ${JSON.stringify(answer.body)}`);
    }
    assert.equal(readsOf(v, paymentId), 0, 'PortOne never asked');
    assert.equal(await stateOf(v, paymentId), 'ready');
  });

  test('headers are read case-insensitively; a signed body of any Content-Type is verified, then read', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    const raw = JSON.stringify(paidNotice(v, paymentId));
    const signed = signWebhook(webhookKey(v.webhookSecret, 1), 'msg_y', Math.floor(Date.now() / 1000), raw);
    const upper = Object.fromEntries(Object.entries(signed).map(([k, value]) => [k.toUpperCase(), value]));
    const answer = await v.webhook(null, { raw, headers: upper, contentType: 'text/plain' });
    assert.deepEqual([answer.status, answer.body.settled], [200, 'paid'], JSON.stringify(answer.body));
  });

  test('unknown types, billing-key notices, other stores, unknown orders → 200 with nothing done', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    for (const [what, body, settled] of [
      ['unknown type', { type: 'Something.New', data: { paymentId } }, 'ignored'],
      ['billing key', { type: 'BillingKey.Issued', data: { storeId: v.storeId, billingKey: 'bk' } }, 'ignored'],
      ['no data', { type: 'Transaction.Paid' }, 'ignored'],
      ['another store', paidNotice(v, paymentId, 'tx', 'store-other'), 'other_store'],
      ['unknown order', paidNotice(v, paymentIdFor('nobody')), 'unknown_order'],
    ] as const) {
      const answer = await v.webhook(body);
      assert.deepEqual([answer.status, answer.body.settled], [200, settled], what);
    }
    assert.equal(await stateOf(v, paymentId), 'ready');
    assert.equal(readsOf(v, paymentId), 0);
  });

  test('PortOne unreachable → 502 (PortOne retries); the retry after recovery settles', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    const fault = await v.control.addFault({ type: 'status', status: 500, path: `/payments/${paymentId}`, method: 'GET' });
    const answer = await v.webhook(paidNotice(v, paymentId));
    assert.equal(answer.status, 502);
    assert.equal(await stateOf(v, paymentId), 'ready');
    await v.control.removeFault(fault.id);
    assert.equal((await v.webhook(paidNotice(v, paymentId))).status, 200);
    assert.equal(await stateOf(v, paymentId), 'paid');
  });

  test('a forged payment notified by webhook is refunded, with the order unchanged', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 1, status: 'PAID' });
    const answer = await v.webhook(paidNotice(v, paymentId));
    assert.deepEqual([answer.status, answer.body.settled], [200, 'refunded_forgery']);
    assert.equal((await v.control.payment(paymentId)).status, 'CANCELLED');
    assert.equal(await stateOf(v, paymentId), 'ready');
  });
});

describe('webhook secrets: rotation and none', () => {
  test('two configured secrets: a notice signed by the second (new) one is accepted, by neither refused', async () => {
    const fresh = newSecret();
    const v = await startV2Verifier({ webhookSecrets: [newSecret(), fresh] });
    try {
      const paymentId = await prepared(v);
      await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
      assert.equal((await v.webhook(paidNotice(v, paymentId))).status, 401, 'the sandbox’s secret is not configured here');
      assert.equal((await v.webhook(paidNotice(v, paymentId), { secret: fresh })).status, 200);
      assert.equal(await stateOf(v, paymentId), 'paid');
    } finally {
      await v.close();
    }
  });

  test('no secret configured: every notice is refused', async () => {
    const v = await startV2Verifier({ webhookSecrets: [] });
    try {
      assert.equal((await v.webhook({ type: 'Transaction.Paid', data: {} })).status, 401);
    } finally {
      await v.close();
    }
  });
});

describe('the sandbox’s own signed webhooks', () => {
  test('paid, virtual account issued then deposited, cancelled on the console: each reaches /portone/webhook/v2 and settles', async () => {
    const v = await startV2Verifier({ webhooks: true });
    try {
      const card = await prepared(v);
      await v.control.createPayment({ paymentId: card, amount: 14000, status: 'PAID' });
      await waitFor(async () => (await stateOf(v, card)) === 'paid', 'Transaction.Paid settles the order');
      const account = await prepared(v);
      await v.control.createPayment({ paymentId: account, amount: 14000, status: 'VIRTUAL_ACCOUNT_ISSUED', payMethod: 'VIRTUAL_ACCOUNT' });
      await waitFor(async () => (await stateOf(v, account)) === 'vbank_issued', 'Transaction.VirtualAccountIssued');
      await v.control.deposit(account);
      await waitFor(async () => (await stateOf(v, account)) === 'paid', 'the deposit');
      assert.deepEqual(trail((await v.get(`/payments/${account}`)).body), ['ready/prepare', 'vbank_issued/webhook', 'paid/webhook']);
      await v.control.changePayment(card, { status: 'CANCELLED' });
      await waitFor(async () => (await stateOf(v, card)) === 'cancelled', 'Transaction.Cancelled of the settling payment cancels the order');
      const deliveries = (await v.control.webhooks()).deliveries;
      assert.ok(deliveries.length >= 4 && deliveries.every((d) => d.status === 200), JSON.stringify(deliveries.map((d) => [d.type, d.status])));
    } finally {
      await v.close();
    }
  });
});

describe('exactly once', () => {
  test('30 concurrent completes and webhooks of one payment (SQLite): one transition to paid, one fulfilment', async () => {
    const v = await startV2Verifier({ store: 'sqlite' });
    try {
      const paymentId = await prepared(v);
      await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? v.post('/payments/complete', { paymentId }) : v.webhook(paidNotice(v, paymentId)))),
      );
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const order = (await v.get(`/payments/${paymentId}`)).body;
      assert.equal(order.history.filter((h: { state: string }) => h.state === 'paid').length, 1);
      assert.equal(order.payments.length, 1);
      await waitFor(async () => (await v.get(`/payments/${paymentId}`)).body.fulfilment.state === 'done', 'delivered');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(v.fulfilledV2.filter((f) => f.order.merchant_uid === paymentId).length, 1);
      assert.equal(v.v2Requests.filter((r) => r.path.endsWith('/cancel')).length, 0, 'nothing refunded');
    } finally {
      await v.close();
    }
  });
});

describe('a V1 payment and a V2 payment never settle each other’s order (guard: the protocol check in settle)', () => {
  let v: V2Harness;
  before(async () => (v = await startV2Verifier()));
  after(() => v.close());

  test('a V1 payment naming a V2 order’s paymentId: complete → 404, V1 webhook → 200; the order untouched, nothing refunded', async () => {
    const paymentId = await prepared(v);
    const v1 = await v.sandbox.createPayment({ merchant_uid: paymentId, amount: 14000, status: 'paid' });
    const complete = await v.post('/payments/complete', { imp_uid: v1.imp_uid, merchant_uid: paymentId });
    assert.deepEqual([complete.status, complete.body.status], [404, 'unknown_order']);
    const notice = await v.post('/portone/webhook', { imp_uid: v1.imp_uid, merchant_uid: paymentId, status: 'paid' });
    assert.deepEqual([notice.status, notice.body.settled], [200, 'unknown_order']);
    const order = (await v.get(`/payments/${paymentId}`)).body;
    assert.deepEqual([order.state, order.payments.length], ['ready', 0]);
  });

  test('a V2 payment whose paymentId is a V1 order’s merchant_uid: complete → 404, webhook → 200; the V1 order untouched', async () => {
    const merchant_uid = `v1${paymentIdFor()}`;
    assert.equal((await v.post('/payments/prepare', { merchant_uid, amount: 14000 })).status, 201);
    await v.control.createPayment({ paymentId: merchant_uid, amount: 14000, status: 'PAID' });
    const complete = await v.post('/payments/complete', { paymentId: merchant_uid });
    assert.deepEqual([complete.status, complete.body.status], [404, 'unknown_order']);
    const notice = await v.webhook(paidNotice(v, merchant_uid));
    assert.deepEqual([notice.status, notice.body.settled], [200, 'unknown_order']);
    const order = (await v.get(`/payments/${merchant_uid}`)).body;
    assert.deepEqual([order.state, order.payments.length, order.merchant_uid], ['ready', 0, merchant_uid]);
  });

  test('both at once on one server: a V1 order paid through V1, a V2 order paid through V2, each fulfilled by its own hook', async () => {
    const merchant_uid = uid('both');
    assert.equal((await v.post('/payments/prepare', { merchant_uid, amount: 3000 })).status, 201);
    const v1 = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
    assert.equal((await v.post('/payments/complete', { imp_uid: v1.imp_uid, merchant_uid })).status, 200);
    const paymentId = await prepared(v, 3000);
    await v.control.createPayment({ paymentId, amount: 3000, status: 'PAID' });
    assert.equal((await v.post('/payments/complete', { paymentId })).status, 200);
    assert.ok(v.fulfilledV1.some((f) => f.order.merchant_uid === merchant_uid && f.payment.imp_uid === v1.imp_uid));
    assert.ok(v.fulfilledV2.some((f) => f.order.merchant_uid === paymentId));
    const view = (await v.get(`/payments/${merchant_uid}`)).body;
    assert.equal(view.paymentId, undefined, 'a V1 order is shown as before');
  });
});
