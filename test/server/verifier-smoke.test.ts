import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { uid } from './helpers.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';

let v: VerifierHarness;
before(async () => (v = await startVerifier({ store: 'sqlite' })));
after(() => v.close());

test('prepare → paid payment → complete answers paid, the order is paid, the hook ran once', async () => {
  const merchant_uid = uid();
  const prepared = await v.prepare({ amount: 14000, name: '의자', merchant_uid });
  assert.equal(prepared.status, 201, JSON.stringify(prepared.body));
  assert.deepEqual(prepared.body, { merchant_uid, amount: 14000, currency: 'KRW', name: '의자' });
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 14000, status: 'paid' });
  const done = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'paid');
  assert.equal(done.body.amount, 14000);
  assert.equal(done.body.fulfilment, 'done');
  const again = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
  assert.equal(again.status, 200);
  const order = await v.get(`/payments/${merchant_uid}`);
  assert.equal(order.body.state, 'paid');
  assert.deepEqual(order.body.history.map((h: { state: string; via: string }) => `${h.state}/${h.via}`), ['ready/prepare', 'paid/complete']);
  assert.deepEqual(
    order.body.payments.map((p: { imp_uid: string; disposition: string }) => [p.imp_uid, p.disposition]),
    [[payment.imp_uid, 'settled']],
  );
  assert.deepEqual([order.body.fulfilment.state, order.body.fulfilment.attempts], ['done', 1]);
  assert.equal(v.fulfilled.length, 1);
});
