// A failed attempt, then another on the same merchant_uid (PortOne takes a new payment for a merchant_uid whose
// attempt failed: a declined card, then another card). A failed attempt holds no money and never closes its
// order, whichever door tells the verifier of it (verify, the JSON or form webhook, reconcile): otherwise the
// retry would be refunded (closed) and the order could not be prepared again, and an unsigned webhook naming a
// declined payment that anyone can open for a guessable merchant_uid would close a stranger's order. Only the
// order's own virtual account, expired, fails the order (SPEC §4), and a failed or cancelled order still refunds a
// later payment (closed). Memory and SQLite stores.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../server/log.js';
import { reconcile } from '../../server/reconcile.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';
import { assertFulfilledOnce, assertMoneyKept, CHANNELS, orderOf, preparedOrder, type Reply, sandboxPayment, settleVia, trail } from './verifier-support.js';

/** The verify endpoint refused to keep the payment: 409 `closed`, refunded. */
function assertClosed(answer: Reply): void {
  assert.equal(answer.status, 409, JSON.stringify(answer.body));
  assert.deepEqual([answer.body.status, answer.body.refund], ['closed', 'done'], JSON.stringify(answer.body));
}

/** PortOne holds none of the payment's money any more: cancelled in full. */
async function assertCancelledInFull(v: VerifierHarness, imp_uid: string): Promise<void> {
  const payment = await sandboxPayment(v, imp_uid);
  assert.deepEqual([payment.status, payment.cancel_amount], ['cancelled', payment.amount], JSON.stringify(payment));
}

for (const store of ['memory', 'sqlite'] as const) {
  describe(`a failed attempt, then a retry on the same merchant_uid (${store} store)`, () => {
    let v: VerifierHarness;
    before(async () => (v = await startVerifier({ store })));
    after(() => v.close());

    for (const channel of [...CHANNELS, 'reconcile'] as const) {
      test(`failed, told by ${channel} → the order stays ready, prepares again, and the retry is paid, not refunded`, async () => {
        const merchant_uid = await preparedOrder(v, 4300);
        const failed = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'failed' });
        if (channel === 'reconcile') {
          // `olderThanMinutes: 0` takes orders moved strictly before now: let the clock pass the prepare's millisecond.
          await sleep(2);
          const report = await reconcile({ store: v.store, portone: v.portone, logger: silentLogger }, { olderThanMinutes: 0 });
          assert.ok(report.outcomes[merchant_uid] !== undefined, `reconcile examined ${merchant_uid}: ${JSON.stringify(report.outcomes)}`);
        } else {
          const answer = await settleVia(v, channel, failed.imp_uid, merchant_uid, 'failed');
          if (channel === 'complete') assert.deepEqual([answer.status, answer.body.status], [402, 'failed'], JSON.stringify(answer.body));
          else assert.equal(answer.status, 200, JSON.stringify(answer.body));
        }
        const held = await orderOf(v, merchant_uid);
        assert.deepEqual([held.state, held.imp_uid], ['ready', null]);
        assert.deepEqual(trail(held), ['ready/prepare'], 'a failed attempt closes nothing');
        assert.equal((await v.prepare({ merchant_uid, amount: 4300 })).status, 201, 'the element prepares again on the next click');
        const retry = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' });
        const answer = await v.post('/payments/complete', { imp_uid: retry.imp_uid, merchant_uid });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.status, 'paid');
        const order = await orderOf(v, merchant_uid);
        assert.deepEqual([order.state, order.imp_uid], ['paid', retry.imp_uid]);
        assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
        await assertMoneyKept(v, merchant_uid, { [failed.imp_uid]: 'not_paid', [retry.imp_uid]: 'settled' });
        await assertFulfilledOnce(v, merchant_uid);
        // A payment after that is a duplicate, as for any paid order.
        const extra = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' });
        const third = await v.post('/payments/complete', { imp_uid: extra.imp_uid, merchant_uid });
        assert.deepEqual([third.status, third.body.status], [409, 'duplicate'], JSON.stringify(third.body));
        await assertMoneyKept(v, merchant_uid, { [failed.imp_uid]: 'not_paid', [retry.imp_uid]: 'settled', [extra.imp_uid]: 'refunded_duplicate' });
      });
    }

    test('two retries racing after a failed attempt: one settles the order, the other is refunded (duplicate)', async () => {
      const merchant_uid = await preparedOrder(v, 4300);
      const failed = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'failed' });
      assert.equal((await v.post('/payments/complete', { imp_uid: failed.imp_uid, merchant_uid })).body.status, 'failed');
      const [a, b] = await Promise.all([1, 2].map(() => v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' })));
      const answers = await Promise.all([a!, b!].map((p) => v.post('/payments/complete', { imp_uid: p.imp_uid, merchant_uid })));
      assert.deepEqual(answers.map((x) => x.body.status).sort(), ['duplicate', 'paid']);
      assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'paid/complete']);
      await assertMoneyKept(v, merchant_uid);
      await assertFulfilledOnce(v, merchant_uid);
    });

    test('the order’s own virtual account, expired, still fails the order: prepare 409, a later payment refunded (closed)', async () => {
      const merchant_uid = await preparedOrder(v, 4300);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'ready');
      await v.sandbox.ok('PATCH', `/payments/${account.imp_uid}`, { status: 'failed' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'failed');
      assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'vbank_issued/complete', 'failed/complete']);
      assert.equal((await v.prepare({ merchant_uid, amount: 4300 })).status, 409);
      const late = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' });
      assertClosed(await v.post('/payments/complete', { imp_uid: late.imp_uid, merchant_uid }));
      await assertCancelledInFull(v, late.imp_uid);
      assert.equal((await orderOf(v, merchant_uid)).state, 'failed');
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: 'settled', [late.imp_uid]: 'refunded_closed' });
    });

    test('a cancelled order still refunds a later payment (closed)', async () => {
      const merchant_uid = await preparedOrder(v, 4300);
      const paid = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' });
      assert.equal((await v.post('/payments/complete', { imp_uid: paid.imp_uid, merchant_uid })).body.status, 'paid');
      await v.sandbox.ok('PATCH', `/payments/${paid.imp_uid}`, { status: 'cancelled' });
      await v.post('/payments/complete', { imp_uid: paid.imp_uid, merchant_uid });
      assert.equal((await orderOf(v, merchant_uid)).state, 'cancelled');
      const late = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' });
      assertClosed(await v.post('/payments/complete', { imp_uid: late.imp_uid, merchant_uid }));
      await assertCancelledInFull(v, late.imp_uid);
      await assertMoneyKept(v, merchant_uid, { [paid.imp_uid]: 'settled', [late.imp_uid]: 'refunded_closed' });
    });
  });
}
