// SPEC §8.2, the server in V2: prepare with `version: "v2"` (priced by the same authority, pre-registered at
// PortOne V2 in minor units), and complete `{ paymentId, txId? }` through the one decision table, row by row, against
// the sandbox's REST V2. Each money row names the guard it covers (the test fails without it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RouteError } from '../../server/errors.js';
import { paymentIdFor, startV2Verifier, type V2Harness } from './verifier-v2-harness.js';
import { waitFor } from './helpers.js';

const trail = (order: { history: Array<{ state: string; via: string }> }) => order.history.map((h) => `${h.state}/${h.via}`);
const ledger = (order: { payments: Array<{ transactionId: string; disposition: string }> }) => order.payments.map((p) => `${p.transactionId}:${p.disposition}`);

/** A prepared V2 order of `amount` `currency`. */
async function prepared(v: V2Harness, amount = 14000, currency = 'KRW'): Promise<string> {
  const paymentId = paymentIdFor();
  const answer = await v.prepare({ paymentId, amount, currency, name: '노르웨이 회전 의자' });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return paymentId;
}

async function orderOf(v: V2Harness, paymentId: string): Promise<any> {
  const answer = await v.get(`/payments/${paymentId}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

const cancelsOf = (v: V2Harness, paymentId: string) => v.v2Requests.filter((r) => r.method === 'POST' && r.path === `/payments/${paymentId}/cancel`);

let v: V2Harness;
before(async () => {
  v = await startV2Verifier({
    // The price authority: a catalog of one, so a stale page's price is refused.
    priceOrder: ({ items, amount, currency, name }) => {
      if (items?.[0]?.id === 'chair') return { amount: 5000 * items[0].quantity, currency: 'KRW', name: 'chair' };
      if (items) throw new RouteError(400, { status: 'error', message: 'items: unknown product' });
      return { amount, currency, name };
    },
  });
});
after(() => v.close());

describe('POST /payments/prepare with version v2', () => {
  test('stores the order keyed by its paymentId and pre-registers it in minor units: 201 { paymentId, amount, currency, name }', async () => {
    const paymentId = paymentIdFor();
    const answer = await v.prepare({ paymentId, amount: 14000, name: '의자' });
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.body, { paymentId, amount: 14000, currency: 'KRW', name: '의자' });
    const registered = await v.control.preRegistration(paymentId);
    assert.deepEqual([registered.storeId, registered.totalAmount, registered.currency], [v.storeId, 14000, 'KRW']);
    const usd = paymentIdFor();
    assert.equal((await v.prepare({ paymentId: usd, amount: 10.5, currency: 'USD' })).status, 201);
    assert.equal((await v.control.preRegistration(usd)).totalAmount, 1050, '10.5 USD is 1050 cents, exactly');
    const order = await orderOf(v, paymentId);
    assert.deepEqual([order.version, order.paymentId, order.state, order.merchant_uid], ['v2', paymentId, 'ready', undefined]);
  });

  test('without a paymentId one is generated: letters and digits, at most 40, unguessable (≥ 96 random bits)', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const answer = await v.prepare({ amount: 1000 });
      assert.equal(answer.status, 201);
      assert.match(answer.body.paymentId, /^[A-Za-z0-9]{30,40}$/);
      assert.match(answer.body.paymentId, /[0-9a-f]{24}$/, '24 hex digits: 96 random bits');
      ids.add(answer.body.paymentId);
    }
    assert.equal(ids.size, 5);
  });

  test('bad input is a 400 naming the field: a paymentId with other characters, an amount that is not whole minor units', async () => {
    for (const [body, field] of [
      [{ paymentId: 'pay-with-hyphen', amount: 1000 }, 'paymentId'],
      [{ paymentId: 'x'.repeat(41), amount: 1000 }, 'paymentId'],
      [{ amount: 10.555, currency: 'USD' }, 'amount'],
      [{ amount: 0.5 }, 'amount'],
      [{ amount: 1000, merchant_uid: 'v1-field' }, 'merchant_uid'],
    ] as const) {
      const answer = await v.prepare(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.message, new RegExp(field), JSON.stringify(answer.body));
    }
  });

  test("the same 409s as V1: another price than the authority's (price_changed, nothing stored), another amount for a stored paymentId", async () => {
    const paymentId = paymentIdFor();
    const stale = await v.prepare({ paymentId, amount: 4000, items: [{ id: 'chair', quantity: 1 }] });
    assert.equal(stale.status, 409);
    assert.deepEqual([stale.body.status, stale.body.amount, stale.body.currency], ['price_changed', 5000, 'KRW']);
    assert.equal((await v.get(`/payments/${paymentId}`)).status, 404, 'nothing stored');
    assert.equal((await v.prepare({ paymentId, amount: 5000, items: [{ id: 'chair', quantity: 1 }] })).status, 201);
    assert.equal((await v.prepare({ paymentId, amount: 5000, items: [{ id: 'chair', quantity: 1 }] })).status, 201, 'again, still ready: 201');
    assert.equal((await v.prepare({ paymentId, amount: 10000, items: [{ id: 'chair', quantity: 2 }] })).status, 409);
  });

  test('one key, one order: a V2 prepare of a V1 merchant_uid is a 409, and a V1 prepare of a V2 paymentId too', async () => {
    const merchant_uid = `v1${paymentIdFor()}`;
    assert.equal((await v.post('/payments/prepare', { merchant_uid, amount: 1000 })).status, 201);
    const v2 = await v.prepare({ paymentId: merchant_uid, amount: 1000 });
    assert.equal(v2.status, 409);
    assert.match(v2.body.message, /V1 order/);
    const paymentId = await prepared(v, 1000);
    const v1 = await v.post('/payments/prepare', { merchant_uid: paymentId, amount: 1000 });
    assert.equal(v1.status, 409);
    assert.match(v1.body.message, /V2 order/);
  });
});

describe('POST /payments/complete { paymentId, txId? }: the decision table of SPEC §8.2', () => {
  test('PAID with the order’s amount → 200 paid; the order is paid once, its ledger names the transaction, fulfilled once', async () => {
    const paymentId = await prepared(v);
    const payment = await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    const answer = await v.post('/payments/complete', { paymentId, txId: payment.transactionId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(
      [answer.body.status, answer.body.paymentId, answer.body.txId, answer.body.amount, answer.body.currency, answer.body.payMethod],
      ['paid', paymentId, payment.transactionId, 14000, 'KRW', 'CARD'],
    );
    assert.equal(answer.body.fulfilment, 'done');
    const again = await v.post('/payments/complete', { paymentId });
    assert.equal(again.status, 200, 'a replay answers the same');
    const order = await orderOf(v, paymentId);
    assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
    assert.deepEqual(ledger(order), [`${payment.transactionId}:settled`]);
    assert.deepEqual([order.transactionId, order.payments[0].paymentId, order.payments[0].status], [payment.transactionId, paymentId, 'PAID']);
    assert.equal(v.fulfilledV2.filter((f) => f.order.merchant_uid === paymentId).length, 1);
    assert.equal(v.fulfilledV2.find((f) => f.order.merchant_uid === paymentId)!.payment.transactionId, payment.transactionId);
  });

  test('a USD order: amount.total in cents against the order’s decimal amount, exactly', async () => {
    const paymentId = await prepared(v, 19.99, 'USD');
    await v.control.createPayment({ paymentId, amount: 1999, currency: 'USD', status: 'PAID' });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual([answer.body.amount, answer.body.currency], [19.99, 'USD']);
  });

  test('VIRTUAL_ACCOUNT_ISSUED with the order’s amount → 200 with bank, accountNumber, remitteeName, expiredAt; the deposit makes it paid', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'VIRTUAL_ACCOUNT_ISSUED', payMethod: 'VIRTUAL_ACCOUNT' });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.status, 'virtual_account_issued');
    for (const field of ['bank', 'accountNumber', 'remitteeName', 'expiredAt']) assert.equal(typeof answer.body[field], 'string', `${field}: ${JSON.stringify(answer.body)}`);
    assert.equal((await orderOf(v, paymentId)).state, 'vbank_issued');
    await v.control.deposit(paymentId);
    const paid = await v.post('/payments/complete', { paymentId });
    assert.equal(paid.body.status, 'paid');
    assert.deepEqual(trail(await orderOf(v, paymentId)), ['ready/prepare', 'vbank_issued/complete', 'paid/complete']);
  });

  test('an issued account replaced by a card payment on the same paymentId: paid by the card; the account’s attempt ends refunded_closed (REPLACED), one settling entry', async () => {
    const paymentId = await prepared(v);
    const account = await v.control.createPayment({ paymentId, amount: 14000, status: 'VIRTUAL_ACCOUNT_ISSUED', payMethod: 'VIRTUAL_ACCOUNT' });
    assert.equal((await v.post('/payments/complete', { paymentId })).body.status, 'virtual_account_issued');
    const card = await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    assert.notEqual(card.transactionId, account.transactionId, 'a new attempt');
    assert.equal((await v.post('/payments/complete', { paymentId })).body.status, 'paid');
    const order = await orderOf(v, paymentId);
    assert.deepEqual(ledger(order), [`${account.transactionId}:refunded_closed`, `${card.transactionId}:settled`]);
    assert.equal(order.payments[0].status, 'REPLACED');
    assert.equal(cancelsOf(v, paymentId).length, 0, 'nothing to cancel: PortOne replaced the attempt');
  });

  for (const status of ['READY', 'PAY_PENDING'] as const) {
    test(`${status} → 402 { status: '${status.toLowerCase()}' }; the order is left ready`, async () => {
      const paymentId = await prepared(v);
      await v.control.createPayment({ paymentId, amount: 14000, status });
      const answer = await v.post('/payments/complete', { paymentId });
      assert.equal(answer.status, 402);
      assert.equal(answer.body.status, status.toLowerCase());
      assert.equal((await orderOf(v, paymentId)).state, 'ready');
    });
  }

  test('FAILED → 402 failed, CANCELLED → 402 cancelled; nothing cancelled by us', async () => {
    for (const status of ['FAILED', 'CANCELLED'] as const) {
      const paymentId = await prepared(v);
      await v.control.createPayment({ paymentId, amount: 14000, status });
      const answer = await v.post('/payments/complete', { paymentId });
      assert.equal(answer.status, 402, status);
      assert.equal(answer.body.status, status.toLowerCase());
      assert.equal(cancelsOf(v, paymentId).length, 0);
    }
  });

  test('PARTIAL_CANCELLED not settling the order → 402 partial_cancelled, and the rest it still holds is refunded (guard: nothing kept without an order)', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PARTIAL_CANCELLED', cancelledAmount: 4000 });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.equal(answer.status, 402, JSON.stringify(answer.body));
    assert.deepEqual([answer.body.status, answer.body.refund], ['partial_cancelled', 'done']);
    assert.equal((await v.control.payment(paymentId)).status, 'CANCELLED', 'the remaining 10000 refunded');
    assert.equal(cancelsOf(v, paymentId)[0]!.body.currentCancellableAmount, 10000);
    assert.equal((await orderOf(v, paymentId)).state, 'ready', 'the order is still payable');
  });

  test('the payment that settled the order, partly refunded on the console since, still pays it (the merchant’s business, as V1)', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
    assert.equal((await v.post('/payments/complete', { paymentId })).status, 200);
    await v.control.changePayment(paymentId, { status: 'PARTIAL_CANCELLED', amount: 3000 });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.status, 'paid');
    assert.equal(cancelsOf(v, paymentId).length, 0, 'nothing more refunded by us');
    assert.equal((await orderOf(v, paymentId)).state, 'paid');
  });

  test('a wrong amount → cancelled at PortOne with reason, currentCancellableAmount and an Idempotency-Key; 409 forgery; the order unchanged (guard: forgery refund)', async () => {
    const paymentId = await prepared(v);
    const forged = await v.control.createPayment({ paymentId, amount: 100, status: 'PAID' });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.deepEqual([answer.body.status, answer.body.refund], ['forgery', 'done']);
    const [cancel, ...more] = cancelsOf(v, paymentId);
    assert.equal(more.length, 0, 'one cancel');
    assert.equal(cancel!.body.currentCancellableAmount, 100);
    assert.equal(cancel!.body.amount, undefined, 'the whole balance');
    assert.match(cancel!.body.reason, /위변조/);
    assert.match(cancel!.headers['idempotency-key']!, /^"refund_[A-Za-z0-9_-]{43}"$/);
    const atPortOne = await v.control.payment(paymentId);
    assert.equal(atPortOne.status, 'CANCELLED');
    const order = await orderOf(v, paymentId);
    assert.equal(order.state, 'ready');
    assert.deepEqual(ledger(order), [`${forged.transactionId}:refunded_forgery`]);
    // The buyer can still pay the order correctly afterwards (a new attempt on the same paymentId is refused by the
    // sandbox once cancelled, so a replay is checked instead): the same answer, no second cancel.
    const replay = await v.post('/payments/complete', { paymentId });
    assert.deepEqual([replay.status, replay.body.status], [409, 'forgery']);
    assert.equal(cancelsOf(v, paymentId).length, 1, 'never cancelled twice');
  });

  test('a wrong currency → 409 forgery, refunded', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, currency: 'USD', status: 'PAID' });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.deepEqual([answer.status, answer.body.status, answer.body.refund], [409, 'forgery', 'done']);
    assert.equal((await v.control.payment(paymentId)).status, 'CANCELLED');
  });

  test('another storeId → 409 mismatch; nothing cancelled, nothing recorded (guard: the store screen)', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, storeId: 'store-someone-else', amount: 100, status: 'PAID' });
    const answer = await v.post('/payments/complete', { paymentId });
    assert.deepEqual([answer.status, answer.body.status], [409, 'mismatch'], JSON.stringify(answer.body));
    assert.equal(cancelsOf(v, paymentId).length, 0);
    assert.equal((await v.control.payment(paymentId)).status, 'PAID');
    const order = await orderOf(v, paymentId);
    assert.deepEqual([order.state, order.payments.length], ['ready', 0]);
  });

  test('an order this server does not have (or a V1 order) → 404 unknown_order, without asking PortOne', async () => {
    const before = v.v2Requests.length;
    const answer = await v.post('/payments/complete', { paymentId: paymentIdFor('nobody') });
    assert.deepEqual([answer.status, answer.body], [404, { status: 'unknown_order' }]);
    assert.equal(v.v2Requests.length, before);
  });

  test('bad bodies: 400 naming the field (a paymentId with a hyphen, an unknown field, imp_uid with paymentId)', async () => {
    for (const [body, field] of [
      [{ paymentId: 'a-b' }, 'paymentId'],
      [{ paymentId: 'ab', extra: 1 }, 'extra'],
      [{ paymentId: 'ab', txId: 5 }, 'txId'],
      [{ paymentId: 'ab', imp_uid: 'imp_1' }, 'merchant_uid|paymentId'],
    ] as const) {
      const answer = await v.post('/payments/complete', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.message, new RegExp(field), JSON.stringify(answer.body));
    }
  });

  test('PortOne unreachable (5xx, dropped, hanging) → 502 retryable, the order left as it was; once PortOne is back, 200 paid', async () => {
    for (const fault of [{ type: 'status', status: 503 }, { type: 'drop' }, { type: 'latency', ms: 2_000 }] as const) {
      const paymentId = await prepared(v);
      await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID' });
      const added = await v.control.addFault({ ...fault, path: `/payments/${paymentId}`, method: 'GET' });
      const answer = await v.post('/payments/complete', { paymentId });
      assert.equal(answer.status, 502, `${fault.type}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.retryable, true);
      assert.equal((await orderOf(v, paymentId)).state, 'ready');
      await v.control.removeFault(added.id);
      const later = await v.post('/payments/complete', { paymentId });
      assert.deepEqual([later.status, later.body.status], [200, 'paid'], fault.type);
    }
  });

  test('a refund PortOne cannot take now stays refund_pending; a later settlement finishes it with the same Idempotency-Key, never cancelling twice', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 100, status: 'PAID' });
    const added = await v.control.addFault({ type: 'status', status: 503, path: `/payments/${paymentId}/cancel`, method: 'POST' });
    const first = await v.post('/payments/complete', { paymentId });
    assert.deepEqual([first.status, first.body.status, first.body.refund], [409, 'forgery', 'pending']);
    assert.equal((await orderOf(v, paymentId)).payments[0].disposition, 'refund_pending');
    await v.control.removeFault(added.id);
    const second = await v.post('/payments/complete', { paymentId });
    assert.deepEqual([second.body.status, second.body.refund], ['forgery', 'done']);
    const keys = new Set(cancelsOf(v, paymentId).map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 1, 'every attempt of this refund carried one key');
    const atPortOne = await v.control.payment(paymentId);
    assert.deepEqual([atPortOne.status, atPortOne.amount.cancelled], ['CANCELLED', 100]);
  });
});

describe('a slow PortOne cancel (V2 recommends a 60 s read timeout)', () => {
  test('the answer is not held past the budget: 409 refund pending; the cancel PortOne finished meanwhile is then seen, never repeated', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 100, status: 'PAID' });
    const fault = await v.control.addFault({ type: 'latency', ms: 5_000, path: `/payments/${paymentId}/cancel`, method: 'POST', times: 1 });
    const started = Date.now();
    const answer = await v.post('/payments/complete', { paymentId });
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
    assert.deepEqual([answer.status, answer.body.status, answer.body.refund], [409, 'forgery', 'pending'], JSON.stringify(answer.body));
    await waitFor(async () => (await v.control.payment(paymentId)).status === 'CANCELLED', 'PortOne finishes the slow cancel', 10_000);
    const later = await v.post('/payments/complete', { paymentId });
    assert.deepEqual([later.body.status, later.body.refund], ['forgery', 'done']);
    assert.equal((await v.control.payment(paymentId)).cancellations?.length, 1, 'cancelled once');
    assert.equal(new Set(cancelsOf(v, paymentId).map((r) => r.headers['idempotency-key'])).size, 1);
    await v.control.removeFault(fault.id).catch(() => undefined);
  });
});

describe('fulfilment of V2 orders through FULFILMENT_URL', () => {
  test('the signed POST says version v2, paymentId and transactionId (V1 bodies unchanged)', async () => {
    const { createServer } = await import('node:http');
    const { verifyWebhook, webhookKey } = await import('../../server/webhook-signature.js');
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const received: Array<{ body: any; verified: boolean }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        received.push({ body: JSON.parse(raw), verified: verifyWebhook([webhookKey(secret)], (n) => req.headers[n] as string | undefined, raw).ok });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const w = await startV2Verifier({ fulfilmentEndpoint: { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/paid`, secret } });
    try {
      const paymentId = await prepared(w, 10.5, 'USD');
      const payment = await w.control.createPayment({ paymentId, amount: 1050, currency: 'USD', status: 'PAID' });
      assert.equal((await w.post('/payments/complete', { paymentId })).body.fulfilment, 'done');
      assert.equal(received.length, 1);
      const [{ body, verified }] = received as [{ body: any; verified: boolean }];
      assert.ok(verified, 'signed with FULFILMENT_SECRET');
      assert.deepEqual([body.type, body.version, body.order.paymentId, body.order.transactionId, body.order.amount], ['order.paid', 'v2', paymentId, payment.transactionId, 10.5]);
      assert.deepEqual([body.payment.paymentId, body.payment.transactionId, body.payment.amount, body.payment.currency, body.payment.status, body.payment.payMethod], [paymentId, payment.transactionId, 10.5, 'USD', 'PAID', 'CARD']);
    } finally {
      await w.close();
      receiver.close();
    }
  });
});

describe('TEST channels', () => {
  let strict: V2Harness;
  before(async () => (strict = await startV2Verifier({ acceptTestPayments: false })));
  after(() => strict.close());

  test('where not accepted: 409 test_payment; nothing cancelled, the order unchanged (guard: the channel screen)', async () => {
    const paymentId = await prepared(strict);
    await strict.control.createPayment({ paymentId, amount: 14000, status: 'PAID', channelType: 'TEST' });
    const answer = await strict.post('/payments/complete', { paymentId });
    assert.deepEqual([answer.status, answer.body.status], [409, 'test_payment'], JSON.stringify(answer.body));
    assert.equal(cancelsOf(strict, paymentId).length, 0);
    assert.equal((await strict.control.payment(paymentId)).status, 'PAID');
    const order = await orderOf(strict, paymentId);
    assert.deepEqual([order.state, order.payments.length, order.history.length], ['ready', 0, 1]);
  });

  test('a LIVE payment on the same server settles as usual', async () => {
    const paymentId = await prepared(strict);
    await strict.control.createPayment({ paymentId, amount: 14000, status: 'PAID', channelType: 'LIVE' });
    assert.equal((await strict.post('/payments/complete', { paymentId })).status, 200);
  });

  test('where accepted (the sandbox default): a TEST payment settles', async () => {
    const paymentId = await prepared(v);
    await v.control.createPayment({ paymentId, amount: 14000, status: 'PAID', channelType: 'TEST' });
    assert.equal((await v.post('/payments/complete', { paymentId })).status, 200);
  });
});

describe('reconcile covers V2 orders', () => {
  test('a V2 payment whose complete and webhook were lost is settled by reconcile; a forged one refunded', async () => {
    const { reconcile } = await import('../../server/reconcile.js');
    const { silentLogger } = await import('../../server/log.js');
    const good = await prepared(v);
    const forged = await prepared(v);
    await v.control.createPayment({ paymentId: good, amount: 14000, status: 'PAID' });
    await v.control.createPayment({ paymentId: forged, amount: 10, status: 'PAID' });
    const report = await reconcile({ store: v.store, portone: v.portone, v2: { client: v.portoneV2, storeId: v.storeId, acceptTestPayments: true }, logger: silentLogger }, { olderThanMinutes: 0, limit: 1000 });
    assert.match(report.outcomes[good]!, /: paid$/);
    assert.match(report.outcomes[forged]!, /refunded_forgery/);
    assert.deepEqual(trail(await orderOf(v, good)), ['ready/prepare', 'paid/reconcile']);
    assert.equal((await v.control.payment(forged)).status, 'CANCELLED');
    await waitFor(() => v.fulfilledV2.some((f) => f.order.merchant_uid === good), 'the running server delivers what reconcile made paid');
  });
});

