// SPEC §4–§5: every row of the decision table through each door (POST /payments/complete, and PortOne's webhook as
// JSON and as a form), forged webhooks, idempotence and exactly-once settlement under concurrency (memory and
// SQLite stores, and two verifiers on one SQLite file), the price authority of prepare, the money rule (every
// payment the server sees ends as the one that settles its order or refunded in full, each with its disposition
// in the order's `payments`; a forgery never changes the order), and the order view (GET /payments/:merchant_uid).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../server/app.js';
import { badRequest, RouteError } from '../../server/errors.js';
import { silentLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import { catalogPricing, type PriceOrder, parseCatalog } from '../../server/pricing.js';
import { newMerchantUid } from '../../server/routes/payments.js';
import { openStore } from '../../server/store/index.js';
import { API_KEY, API_SECRET, uid, waitFor } from './helpers.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';
import {
  addFault,
  assertBadRequest,
  assertFulfilledOnce,
  assertMoneyKept,
  assertNoStack,
  barrier,
  CHANNELS,
  dispositionsOf,
  exoticAmounts,
  orderOf,
  preparedOrder,
  type Reply,
  sandboxPayment,
  settleVia,
  spyCancel,
  trail,
  viaOf,
  webhook,
} from './verifier-support.js';

const STORES = ['memory', 'sqlite'] as const;

/** How many times the fulfilment hook ran for this order. */
const hooks = (v: VerifierHarness, merchant_uid: string) => v.fulfilled.filter((f) => f.order.merchant_uid === merchant_uid).length;

function pick(body: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, body[k]]));
}

/** The webhook handled the notification: 200 (PortOne retries anything else). */
function assertHandled(answer: Reply, what = 'webhook'): void {
  assert.equal(answer.status, 200, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** The verify endpoint refused to keep the payment: `409 {status: reason, refund, message}`. */
function assertRefunded(answer: Reply, reason: 'forgery' | 'duplicate' | 'closed', refund: 'done' | 'pending' = 'done'): void {
  assert.equal(answer.status, 409, JSON.stringify(answer.body));
  assert.deepEqual(pick(answer.body, ['status', 'refund']), { status: reason, refund }, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.message, 'string');
  assert.ok(answer.body.message.length > 0);
}

/** The order's state is exactly as prepare left it (payments it refused may be in its ledger). */
async function assertUntouched(v: VerifierHarness, merchant_uid: string): Promise<void> {
  const order = await orderOf(v, merchant_uid);
  assert.equal(order.state, 'ready', `${merchant_uid} is still ready`);
  assert.equal(order.imp_uid, null, `${merchant_uid} names no payment`);
  assert.deepEqual(trail(order), ['ready/prepare'], `${merchant_uid} moved: ${JSON.stringify(order.history)}`);
  assert.equal(order.fulfilment.state, 'none');
  assert.equal(hooks(v, merchant_uid), 0, `no fulfilment for ${merchant_uid}`);
}

/** The payment was cancelled in full at PortOne, by exactly these cancels. */
async function assertCancelledAtPortOne(v: VerifierHarness, imp_uid: string, amounts: number[]): Promise<void> {
  const payment = await sandboxPayment(v, imp_uid);
  assert.equal(payment.status, 'cancelled', `payment ${imp_uid} cancelled at PortOne: ${JSON.stringify(payment)}`);
  assert.equal(payment.cancel_amount, payment.amount);
  assert.deepEqual(
    payment.cancel_history.map((c: { amount: number }) => c.amount),
    amounts,
  );
}

async function assertNotCancelled(v: VerifierHarness, imp_uid: string, status: string): Promise<void> {
  const payment = await sandboxPayment(v, imp_uid);
  assert.equal(payment.status, status, `payment ${imp_uid} left ${status}`);
  assert.equal(payment.cancel_amount, 0);
  assert.deepEqual(payment.cancel_history, []);
}

/** Wait until the order is in `state` (a webhook the sandbox sends arrives on its own time). */
async function stateBecomes(v: VerifierHarness, merchant_uid: string, state: string): Promise<void> {
  await waitFor(async () => (await orderOf(v, merchant_uid)).state === state, `${merchant_uid} to become ${state}`);
}

for (const store of STORES) {
  describe(`§5 decision table (${store} store)`, () => {
    let v: VerifierHarness;
    before(async () => (v = await startVerifier({ store })));
    after(() => v.close());

    for (const channel of CHANNELS) {
      const via = viaOf(channel);
      const viaWebhook = channel !== 'complete';
      const form = channel === 'webhook-form';

      describe(`through ${channel}`, () => {
        if (!viaWebhook) {
          test('the payment belongs to another order → 409 mismatch; nothing cancelled, no order changes, nothing recorded', async () => {
            const spy = spyCancel(v);
            try {
              const mine = await preparedOrder(v, 2000);
              const theirs = await preparedOrder(v, 1000);
              // A stranger's good payment, and a forged-looking one (its amount is not my order's): neither is touched.
              for (const status of ['paid', 'ready', 'failed', 'cancelled'] as const) {
                const payment = await v.sandbox.createPayment({ merchant_uid: theirs, amount: 1000, status, pay_method: status === 'ready' ? 'vbank' : 'card' });
                const answer = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid: mine });
                assert.equal(answer.status, 409, `${status}: ${JSON.stringify(answer.body)}`);
                assert.equal(answer.body.status, 'mismatch');
                assert.equal(typeof answer.body.message, 'string');
                if (status === 'paid') await assertNotCancelled(v, payment.imp_uid, 'paid');
              }
              // Also a payment whose order this server never stored.
              const stranger = await v.sandbox.createPayment({ merchant_uid: uid('stranger'), amount: 1000, status: 'paid' });
              const answer = await v.post('/payments/complete', { imp_uid: stranger.imp_uid, merchant_uid: mine });
              assert.equal(answer.status, 409);
              assert.equal(answer.body.status, 'mismatch');
              assert.equal(spy.requests.length, 0, 'no cancel was sent');
              for (const merchant_uid of [mine, theirs]) {
                await assertUntouched(v, merchant_uid);
                assert.deepEqual((await orderOf(v, merchant_uid)).payments, [], `nothing recorded on ${merchant_uid}`);
              }
            } finally {
              spy.restore();
            }
          });
        } else {
          test('the body names another merchant_uid → the order PortOne names is settled, never the body’s', async () => {
            const named = await preparedOrder(v, 3000);
            const real = await preparedOrder(v, 1000);
            const payment = await v.sandbox.createPayment({ merchant_uid: real, amount: 1000, status: 'paid' });
            assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid: named, status: 'paid' }, form));
            await assertUntouched(v, named);
            assert.deepEqual((await orderOf(v, named)).payments, []);
            const order = await orderOf(v, real);
            assert.equal(order.state, 'paid');
            assert.deepEqual(trail(order), ['ready/prepare', 'paid/webhook']);
            await assertFulfilledOnce(v, real);
            await assertNotCancelled(v, payment.imp_uid, 'paid');
            await assertMoneyKept(v, real, { [payment.imp_uid]: 'settled' });
          });
        }

        test('paid, amount and currency equal → 200 paid (fulfilment done), order paid, recorded settled, hook once', async () => {
          const merchant_uid = await preparedOrder(v, 14000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 14000, status: 'paid', pay_method: 'card' });
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(answer);
          else {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.deepEqual(pick(answer.body, ['status', 'imp_uid', 'merchant_uid', 'amount', 'currency', 'pay_method', 'fulfilment']), {
              status: 'paid',
              imp_uid: payment.imp_uid,
              merchant_uid,
              amount: 14000,
              currency: 'KRW',
              pay_method: 'card',
              fulfilment: 'done',
            });
          }
          const order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'paid');
          assert.equal(order.imp_uid, payment.imp_uid);
          assert.deepEqual(trail(order), ['ready/prepare', `paid/${via}`]);
          await assertFulfilledOnce(v, merchant_uid);
          const call = v.fulfilled.find((f) => f.order.merchant_uid === merchant_uid)!;
          assert.equal(call.order.state, 'paid');
          assert.equal(call.payment.imp_uid, payment.imp_uid);
          assert.equal(call.payment.amount, 14000);
          await assertNotCancelled(v, payment.imp_uid, 'paid');
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
        });

        test('paid in USD with a decimal amount equal to the order’s → paid', async () => {
          const merchant_uid = await preparedOrder(v, 10.5, 'USD');
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 10.5, currency: 'USD', status: 'paid', pay_method: 'paypal' });
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(answer);
          else {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.deepEqual(pick(answer.body, ['status', 'amount', 'currency', 'pay_method']), { status: 'paid', amount: 10.5, currency: 'USD', pay_method: 'paypal' });
          }
          assert.equal((await orderOf(v, merchant_uid)).state, 'paid');
          await assertFulfilledOnce(v, merchant_uid);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
        });

        test('vbank issued (ready, vbank) → 200 ready with the account, order vbank_issued; the deposit then makes it paid, hook once', async () => {
          const merchant_uid = await preparedOrder(v, 50000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 50000, status: 'ready', pay_method: 'vbank' });
          assert.ok(payment.vbank_num, 'the sandbox issued an account');
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid, 'ready');
          if (viaWebhook) assertHandled(answer);
          else {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.deepEqual(
              pick(answer.body, ['status', 'imp_uid', 'merchant_uid', 'amount', 'currency', 'pay_method', 'vbank_num', 'vbank_name', 'vbank_holder', 'vbank_date']),
              {
                status: 'ready',
                imp_uid: payment.imp_uid,
                merchant_uid,
                amount: 50000,
                currency: 'KRW',
                pay_method: 'vbank',
                vbank_num: payment.vbank_num,
                vbank_name: payment.vbank_name,
                vbank_holder: payment.vbank_holder,
                vbank_date: payment.vbank_date,
              },
            );
          }
          let order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'vbank_issued');
          assert.equal(order.imp_uid, payment.imp_uid);
          assert.equal(order.fulfilment.state, 'none', 'no fulfilment before the deposit');
          assert.equal(hooks(v, merchant_uid), 0);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });

          // The buyer deposits: PortOne says paid and notifies.
          await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }, form), 'deposit webhook');
          order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'paid');
          assert.deepEqual(trail(order), ['ready/prepare', `vbank_issued/${via}`, 'paid/webhook']);
          await assertFulfilledOnce(v, merchant_uid);

          // A late verify of the same payment answers paid and changes nothing.
          const late = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
          assert.equal(late.status, 200);
          assert.deepEqual(pick(late.body, ['status', 'fulfilment']), { status: 'paid', fulfilment: 'done' });
          assert.equal((await orderOf(v, merchant_uid)).history.length, 3);
          assert.equal(hooks(v, merchant_uid), 1);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
        });

        test('ready but not a virtual account → 402 ready, the order left as it was, recorded not_paid', async () => {
          const merchant_uid = await preparedOrder(v, 7000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 7000, status: 'ready', pay_method: 'card' });
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(answer);
          else {
            assert.equal(answer.status, 402, JSON.stringify(answer.body));
            assert.equal(answer.body.status, 'ready');
            assert.equal(typeof answer.body.message, 'string');
          }
          await assertUntouched(v, merchant_uid);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'not_paid' });
        });

        const forgeries = [
          { what: 'paid with another amount', order: [10000, 'KRW'], payment: { amount: 100, status: 'paid', pay_method: 'card' } },
          { what: 'paid in another currency', order: [1000, 'KRW'], payment: { amount: 1000, currency: 'USD', status: 'paid', pay_method: 'card' } },
          { what: 'paid with a decimal amount that differs in the sixth place', order: [10.5, 'USD'], payment: { amount: 10.500001, currency: 'USD', status: 'paid', pay_method: 'paypal' } },
          { what: 'a virtual account issued for another amount', order: [50000, 'KRW'], payment: { amount: 500, status: 'ready', pay_method: 'vbank' } },
        ] as const;
        for (const forged of forgeries) {
          test(`${forged.what} → cancelled at PortOne with the checksum, recorded refunded_forgery, 409 forgery; the order unchanged, then paid correctly`, async () => {
            const spy = spyCancel(v);
            const [amount, currency] = forged.order;
            const merchant_uid = await preparedOrder(v, amount, currency);
            let payment: any;
            try {
              payment = await v.sandbox.createPayment({ merchant_uid, ...forged.payment });
              const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
              if (viaWebhook) assertHandled(answer);
              else assertRefunded(answer, 'forgery');
              assert.equal(spy.requests.length, 1, 'one cancel');
              assert.equal(spy.requests[0]!.imp_uid, payment.imp_uid);
              assert.equal(spy.requests[0]!.checksum, forged.payment.amount, 'checksum = the cancellable balance');
              assert.ok(spy.requests[0]!.amount === undefined || spy.requests[0]!.amount === 0 || spy.requests[0]!.amount === forged.payment.amount, 'the whole balance');
            } finally {
              spy.restore();
            }
            await assertCancelledAtPortOne(v, payment.imp_uid, [forged.payment.amount]);
            // A forgery never changes the order's state (SPEC §4 Money): the buyer can still pay it.
            await assertUntouched(v, merchant_uid);
            await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });

            const good = await v.sandbox.createPayment({ merchant_uid, amount, currency, status: 'paid' });
            const paid = await settleVia(v, channel, good.imp_uid, merchant_uid);
            assert.equal(paid.status, 200, JSON.stringify(paid.body));
            if (!viaWebhook) assert.equal(paid.body.status, 'paid');
            const order = await orderOf(v, merchant_uid);
            assert.deepEqual([order.state, order.imp_uid], ['paid', good.imp_uid]);
            assert.deepEqual(trail(order), ['ready/prepare', `paid/${via}`]);
            await assertFulfilledOnce(v, merchant_uid);
            await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery', [good.imp_uid]: 'settled' });
          });
        }

        test('a forged payment already partly cancelled → the checksum is the remaining balance, the rest is cancelled', async () => {
          const spy = spyCancel(v);
          try {
            const merchant_uid = await preparedOrder(v, 30000);
            const payment = await v.sandbox.createPayment({ merchant_uid, amount: 5000, status: 'paid' });
            await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'cancelled', amount: 1200 });
            const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
            if (viaWebhook) assertHandled(answer);
            else assertRefunded(answer, 'forgery');
            assert.deepEqual(
              spy.requests.map((r) => r.checksum),
              [3800],
            );
            await assertCancelledAtPortOne(v, payment.imp_uid, [1200, 3800]);
            await assertUntouched(v, merchant_uid);
            await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
          } finally {
            spy.restore();
          }
        });

        test('the order’s amount, but partly refunded already (cancel_amount > 0), for an unsettled order → not fully paid: refunded as forgery', async () => {
          const merchant_uid = await preparedOrder(v, 5000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 5000, status: 'paid' });
          await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'cancelled', amount: 1000 });
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(answer);
          else assertRefunded(answer, 'forgery');
          await assertCancelledAtPortOne(v, payment.imp_uid, [1000, 4000]);
          await assertUntouched(v, merchant_uid);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
        });

        for (const status of ['failed', 'cancelled'] as const) {
          const after = status === 'failed' ? 'still ready (another attempt may pay it)' : status;
          test(`${status} → 402 ${status}; nothing cancelled, no fulfilment, the order ${after}, recorded not_paid`, async () => {
            const spy = spyCancel(v);
            try {
              const merchant_uid = await preparedOrder(v, 9000);
              const payment = await v.sandbox.createPayment({ merchant_uid, amount: 9000, status });
              const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid, status);
              if (viaWebhook) assertHandled(answer);
              else {
                assert.equal(answer.status, 402, JSON.stringify(answer.body));
                assert.equal(answer.body.status, status);
                assert.equal(typeof answer.body.message, 'string');
              }
              assert.equal(spy.requests.length, 0);
              const order = await orderOf(v, merchant_uid);
              // A failed attempt holds no money and PortOne takes another on the same merchant_uid: the order stays
              // open. A payment cancelled before anyone settled it was cancelled on PortOne's console.
              assert.equal(order.state, status === 'failed' ? 'ready' : 'cancelled');
              assert.deepEqual(trail(order), status === 'failed' ? ['ready/prepare'] : ['ready/prepare', 'cancelled/console']);
              assert.equal(hooks(v, merchant_uid), 0);
              await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'not_paid' });
            } finally {
              spy.restore();
            }
          });
        }

        test('an order this server never stored → 404 unknown_order (webhook: 200), nothing stored', async () => {
          const merchant_uid = uid('unknown');
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 1000, status: 'paid' });
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(answer);
          else {
            assert.equal(answer.status, 404);
            assert.deepEqual(answer.body, { status: 'unknown_order' });
          }
          const lookup = await v.get(`/payments/${merchant_uid}`);
          assert.equal(lookup.status, 404);
          assert.deepEqual(lookup.body, { status: 'unknown_order' });
          assert.equal(hooks(v, merchant_uid), 0);
          await assertNotCancelled(v, payment.imp_uid, 'paid');
        });

        for (const fault of [
          { type: 'status', status: 503 },
          { type: 'drop' },
        ] as const) {
          test(`PortOne unreachable (${fault.type}${'status' in fault ? ` ${fault.status}` : ''}, persistent) → 502 retryable, the order left as it was`, async () => {
            const merchant_uid = await preparedOrder(v, 4000);
            const payment = await v.sandbox.createPayment({ merchant_uid, amount: 4000, status: 'paid' });
            const remove = await addFault(v, { ...fault, path: `/payments/${payment.imp_uid}` });
            let answer: Reply;
            try {
              answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
            } finally {
              await remove();
            }
            assert.equal(answer.status, 502, JSON.stringify(answer.body));
            assert.equal(answer.body.status, 'error');
            assert.equal(answer.body.retryable, true);
            assert.equal(typeof answer.body.message, 'string');
            await assertUntouched(v, merchant_uid);
            assert.deepEqual((await orderOf(v, merchant_uid)).payments, [], 'nothing recorded');
            // PortOne is back: the retry settles.
            const retry = await settleVia(v, channel, payment.imp_uid, merchant_uid);
            assert.equal(retry.status, 200, JSON.stringify(retry.body));
            assert.equal((await orderOf(v, merchant_uid)).state, 'paid');
            await assertFulfilledOnce(v, merchant_uid);
            await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
          });
        }

        test('PortOne unreachable while cancelling a forgery → refund_pending (verify: 409 forgery, refund pending); the retry cancels it', async () => {
          const merchant_uid = await preparedOrder(v, 8000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 800, status: 'paid' });
          const remove = await addFault(v, { type: 'status', status: 503, path: '/payments/cancel' });
          let answer: Reply;
          try {
            answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          } finally {
            await remove();
          }
          if (viaWebhook) assertHandled(answer);
          else assertRefunded(answer, 'forgery', 'pending');
          await assertUntouched(v, merchant_uid);
          assert.deepEqual(dispositionsOf(await orderOf(v, merchant_uid)), { [payment.imp_uid]: 'refund_pending' });
          await assertNotCancelled(v, payment.imp_uid, 'paid');
          const retry = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(retry);
          else assertRefunded(retry, 'forgery');
          await assertCancelledAtPortOne(v, payment.imp_uid, [800]);
          await assertUntouched(v, merchant_uid);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
        });
      });
    }

    describe('forged webhooks (the body is only a hint)', () => {
      for (const form of [false, true]) {
        const kind = form ? 'form' : 'JSON';
        test(`${kind}: says paid, PortOne says failed → 200, the order never paid and still ready; the correct payment afterwards settles it`, async () => {
          const merchant_uid = await preparedOrder(v, 6000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'failed' });
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }, form));
          // PortOne’s word, not the body’s: not paid, no fulfilment; and a failed attempt (an unsigned webhook can
          // name anyone's) closes nothing.
          await assertUntouched(v, merchant_uid);
          const late = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'paid' });
          const answer = await v.post('/payments/complete', { imp_uid: late.imp_uid, merchant_uid });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          assert.equal(answer.body.status, 'paid');
          assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'paid/complete']);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'not_paid', [late.imp_uid]: 'settled' });
          await assertFulfilledOnce(v, merchant_uid);
        });

        test(`${kind}: says paid, PortOne says ready (window still open) → 200, the order unchanged`, async () => {
          const merchant_uid = await preparedOrder(v, 6000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'ready', pay_method: 'card' });
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }, form));
          await assertUntouched(v, merchant_uid);
        });

        test(`${kind}: names an imp_uid PortOne does not know → 200, nothing changes`, async () => {
          const merchant_uid = await preparedOrder(v, 6000);
          assertHandled(await webhook(v, { imp_uid: 'imp_000000000000', merchant_uid, status: 'paid' }, form));
          await assertUntouched(v, merchant_uid);
          assert.deepEqual((await orderOf(v, merchant_uid)).payments, []);
        });

        test(`${kind}: says cancelled while PortOne says paid → the paid order stays paid, no second fulfilment`, async () => {
          const merchant_uid = await preparedOrder(v, 6000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'paid' });
          assert.equal((await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid })).status, 200);
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'cancelled', cancellation_id: 'forged' }, form));
          const order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'paid');
          assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
          await assertFulfilledOnce(v, merchant_uid);
          await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
        });
      }
    });

    describe('webhooks the sandbox really sends', () => {
      test('JSON: approval → paid by webhook; the browser’s verify then answers paid; hook once', async () => {
        const merchant_uid = await preparedOrder(v, 12000);
        const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12000, status: 'paid', notice_url: `${v.url}/portone/webhook` });
        await stateBecomes(v, merchant_uid, 'paid');
        const done = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assert.equal(done.status, 200);
        assert.equal(done.body.status, 'paid');
        assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'paid/webhook']);
        await assertFulfilledOnce(v, merchant_uid);
        const deliveries = (await v.sandbox.ok('GET', '/webhooks')).deliveries.filter((d: { body: { imp_uid: string } }) => d.body.imp_uid === payment.imp_uid);
        assert.deepEqual(
          deliveries.map((d: { status: number }) => d.status),
          [200],
        );
      });

      test('form: virtual account issued, then the deposit → vbank_issued, then paid, hook once', async () => {
        await v.sandbox.ok('PUT', '/config', { webhook_content_type: 'form' });
        try {
          const merchant_uid = await preparedOrder(v, 33000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 33000, status: 'ready', pay_method: 'vbank', notice_url: `${v.url}/portone/webhook` });
          await stateBecomes(v, merchant_uid, 'vbank_issued');
          await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
          await stateBecomes(v, merchant_uid, 'paid');
          assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'vbank_issued/webhook', 'paid/webhook']);
          await assertFulfilledOnce(v, merchant_uid);
          const deliveries = (await v.sandbox.ok('GET', '/webhooks')).deliveries.filter((d: { body: { imp_uid: string } }) => d.body.imp_uid === payment.imp_uid);
          assert.deepEqual(
            deliveries.map((d: { content_type: string; status: number }) => `${d.content_type} ${d.status}`),
            ['application/x-www-form-urlencoded 200', 'application/x-www-form-urlencoded 200'],
          );
        } finally {
          await v.sandbox.ok('PUT', '/config', { webhook_content_type: 'json' });
        }
      });

      test('a console cancel of a paid order is notified → the order cancelled (via console)', async () => {
        const merchant_uid = await preparedOrder(v, 2500);
        const payment = await v.sandbox.createPayment({ merchant_uid, amount: 2500, status: 'paid', notice_url: `${v.url}/portone/webhook` });
        await stateBecomes(v, merchant_uid, 'paid');
        await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'cancelled' });
        await stateBecomes(v, merchant_uid, 'cancelled');
        assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'paid/webhook', 'cancelled/console']);
        await assertFulfilledOnce(v, merchant_uid);
        await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
      });
    });
  });
}

for (const store of STORES) {
  describe(`idempotence and exactly-once settlement (${store} store)`, () => {
    let v: VerifierHarness;
    before(async () => (v = await startVerifier({ store })));
    after(() => v.close());

    const cases = [
      { what: 'paid', order: 1000, payment: { amount: 1000, status: 'paid' }, answer: 200, disposition: 'settled' },
      { what: 'vbank issued', order: 1000, payment: { amount: 1000, status: 'ready', pay_method: 'vbank' }, answer: 200, disposition: 'settled' },
      { what: 'ready (card)', order: 1000, payment: { amount: 1000, status: 'ready', pay_method: 'card' }, answer: 402, disposition: 'not_paid' },
      { what: 'failed', order: 1000, payment: { amount: 1000, status: 'failed' }, answer: 402, disposition: 'not_paid' },
      { what: 'cancelled', order: 1000, payment: { amount: 1000, status: 'cancelled' }, answer: 402, disposition: 'not_paid' },
      { what: 'forgery', order: 1000, payment: { amount: 10, status: 'paid' }, answer: 409, disposition: 'refunded_forgery' },
      { what: 'forged virtual account', order: 1000, payment: { amount: 10, status: 'ready', pay_method: 'vbank' }, answer: 409, disposition: 'refunded_forgery' },
    ] as const;
    for (const c of cases) {
      test(`${c.what}: a replayed verify answers the same and adds no history; replayed webhooks add none either`, async () => {
        const merchant_uid = await preparedOrder(v, c.order);
        const payment = await v.sandbox.createPayment({ merchant_uid, ...c.payment });
        const first = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assert.equal(first.status, c.answer, JSON.stringify(first.body));
        const { history, payments } = await orderOf(v, merchant_uid);
        for (let i = 0; i < 3; i++) {
          const again = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
          assert.equal(again.status, first.status, `replay ${i}: ${JSON.stringify(again.body)}`);
          assert.deepEqual(again.body, first.body, `replay ${i} answers the same`);
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: c.payment.status }, i % 2 === 1));
        }
        const order = await orderOf(v, merchant_uid);
        assert.deepEqual(order.history, history, 'no new history');
        assert.deepEqual(
          order.payments.map((p: { imp_uid: string; disposition: string; at: string }) => [p.imp_uid, p.disposition, p.at]),
          payments.map((p: { imp_uid: string; disposition: string; at: string }) => [p.imp_uid, p.disposition, p.at]),
          'one ledger entry, first seen once',
        );
        assert.equal(hooks(v, merchant_uid), c.what === 'paid' ? 1 : 0);
        if (c.answer === 409) assert.equal((await sandboxPayment(v, payment.imp_uid)).cancel_history.length, 1, 'cancelled once');
        await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: c.disposition });
      });
    }

    test('mismatch and unknown order: replays answer the same', async () => {
      const mine = await preparedOrder(v, 1000);
      const theirs = await v.sandbox.createPayment({ merchant_uid: uid('theirs'), amount: 1000, status: 'paid' });
      const a = await v.post('/payments/complete', { imp_uid: theirs.imp_uid, merchant_uid: mine });
      const b = await v.post('/payments/complete', { imp_uid: theirs.imp_uid, merchant_uid: mine });
      assert.equal(a.status, 409);
      assert.deepEqual(b, a);
      const c = await v.post('/payments/complete', { imp_uid: theirs.imp_uid, merchant_uid: theirs.merchant_uid });
      const d = await v.post('/payments/complete', { imp_uid: theirs.imp_uid, merchant_uid: theirs.merchant_uid });
      assert.equal(c.status, 404);
      assert.deepEqual(d, c);
      await assertUntouched(v, mine);
    });

    test('50 concurrent verify and webhook calls (JSON and form) for one payment → one paid entry, one fulfilment', async () => {
      const merchant_uid = await preparedOrder(v, 25000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 25000, status: 'paid' });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => settleVia(v, CHANNELS[i % 3]!, payment.imp_uid, merchant_uid)));
      answers.forEach((answer, i) => {
        assert.equal(answer.status, 200, `call ${i} (${CHANNELS[i % 3]}): ${JSON.stringify(answer.body)}`);
        if (CHANNELS[i % 3] === 'complete') assert.deepEqual(pick(answer.body, ['status', 'fulfilment']), { status: 'paid', fulfilment: 'done' }, `call ${i}`);
      });
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.state, 'paid');
      assert.equal(order.history.filter((h: { state: string }) => h.state === 'paid').length, 1, JSON.stringify(order.history));
      assert.equal(order.history.length, 2);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
    });

    test('50 concurrent calls for a virtual account, then 50 concurrent deposit webhooks → one vbank_issued, one paid, one fulfilment', async () => {
      const merchant_uid = await preparedOrder(v, 41000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 41000, status: 'ready', pay_method: 'vbank' });
      const issued = await Promise.all(Array.from({ length: 50 }, (_, i) => settleVia(v, CHANNELS[i % 3]!, payment.imp_uid, merchant_uid, 'ready')));
      for (const answer of issued) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
      const deposits = await Promise.all(Array.from({ length: 50 }, (_, i) => settleVia(v, CHANNELS[i % 3]!, payment.imp_uid, merchant_uid)));
      for (const answer of deposits) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual(trail(order).map((t) => t.split('/')[0]), ['ready', 'vbank_issued', 'paid']);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
    });

    test('50 concurrent calls for a forged payment → cancelled once at PortOne, one refunded_forgery entry, every verify answers forgery, the order unchanged', async () => {
      const merchant_uid = await preparedOrder(v, 25000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 250, status: 'paid' });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => settleVia(v, CHANNELS[i % 3]!, payment.imp_uid, merchant_uid)));
      answers.forEach((answer, i) => {
        if (CHANNELS[i % 3] === 'complete') assert.deepEqual([answer.status, answer.body.status, answer.body.refund], [409, 'forgery', 'done'], `call ${i}: ${JSON.stringify(answer.body)}`);
        else assertHandled(answer, `call ${i}`);
      });
      await assertCancelledAtPortOne(v, payment.imp_uid, [250]);
      await assertUntouched(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
    });

    test('a verify that reads the forged payment after its cancel but before the refund is recorded → 409 forgery (done), cancelled once', async () => {
      const merchant_uid = await preparedOrder(v, 25000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 2500, status: 'paid' });
      let second: Reply | undefined;
      // The webhook cancels; while it has not recorded the refund yet, the browser's verify comes in.
      const spy = spyCancel(v, {
        after: async () => {
          second ??= await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        },
      });
      try {
        assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }));
      } finally {
        spy.restore();
      }
      assert.ok(second, 'the racing verify ran');
      assertRefunded(second, 'forgery');
      await assertUntouched(v, merchant_uid);
      await assertCancelledAtPortOne(v, payment.imp_uid, [2500]);
      await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
    });

    test('the forgery cancel refused because the balance moved meanwhile → 409 forgery, refund pending; the retry cancels the rest', async () => {
      const merchant_uid = await preparedOrder(v, 25000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 2500, status: 'paid' });
      let once = false;
      // Someone cancels part of it on the console just before the verifier's cancel arrives: its checksum is stale.
      const spy = spyCancel(v, {
        before: async () => {
          if (once) return;
          once = true;
          await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'cancelled', amount: 500 });
        },
      });
      try {
        const first = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assertRefunded(first, 'forgery', 'pending');
        await assertUntouched(v, merchant_uid);
        assert.deepEqual(dispositionsOf(await orderOf(v, merchant_uid)), { [payment.imp_uid]: 'refund_pending' });
        const retry = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assertRefunded(retry, 'forgery');
        assert.deepEqual(
          spy.requests.map((r) => r.checksum),
          [2500, 2000],
        );
      } finally {
        spy.restore();
      }
      await assertCancelledAtPortOne(v, payment.imp_uid, [500, 2000]);
      await assertUntouched(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
    });

    test('a second paid payment for a paid order → refunded at PortOne (409 duplicate), the first one kept, hook once', async () => {
      const merchant_uid = await preparedOrder(v, 3000);
      const first = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      const second = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      assert.equal((await v.post('/payments/complete', { imp_uid: first.imp_uid, merchant_uid })).status, 200);
      const dup = await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid });
      assertRefunded(dup, 'duplicate');
      await assertCancelledAtPortOne(v, second.imp_uid, [3000]);
      await assertNotCancelled(v, first.imp_uid, 'paid');
      // Replayed (verify or webhook): the same answer, no second refund, nothing moves.
      assert.deepEqual(await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid }), dup);
      assertHandled(await webhook(v, { imp_uid: second.imp_uid, merchant_uid, status: 'cancelled' }));
      await assertCancelledAtPortOne(v, second.imp_uid, [3000]);
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.imp_uid, first.imp_uid);
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [first.imp_uid]: 'settled', [second.imp_uid]: 'refunded_duplicate' });
    });

    test('two paid payments for one order settled at the same moment → one kept, the other refunded, hook once', async () => {
      const merchant_uid = await preparedOrder(v, 3000);
      const a = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      const b = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      // Both settlements read the order (still ready) before either moves it.
      const both = barrier(2);
      const get = v.store.get;
      v.store.get = async (id: string) => {
        const order = await get.call(v.store, id);
        if (id === merchant_uid) await both();
        return order;
      };
      let answers: Reply[];
      try {
        answers = await Promise.all([a, b].map((p) => v.post('/payments/complete', { imp_uid: p.imp_uid, merchant_uid })));
      } finally {
        v.store.get = get;
      }
      const statuses = answers.map((r) => `${r.status} ${r.body.status}`).sort();
      assert.deepEqual(statuses, ['200 paid', '409 duplicate'], JSON.stringify(answers));
      const kept = answers[0]!.status === 200 ? a : b;
      const refunded = kept === a ? b : a;
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.imp_uid, kept.imp_uid);
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
      await assertNotCancelled(v, kept.imp_uid, 'paid');
      await assertCancelledAtPortOne(v, refunded.imp_uid, [3000]);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [kept.imp_uid]: 'settled', [refunded.imp_uid]: 'refunded_duplicate' });
    });
  });
}

describe('exactly-once across two verifiers sharing one SQLite database', () => {
  test('verify on one, webhook on the other, 25 each at once → one paid entry, one fulfilment', async () => {
    const one = await startVerifier({ store: 'sqlite' });
    const dir = mkdtempSync(join(tmpdir(), 'verifier-shared-'));
    const file = join(dir, 'orders.db');
    const stores = [await openStore(`sqlite:${file}`), await openStore(`sqlite:${file}`)];
    const fulfilled: string[] = [];
    const servers: Server[] = [];
    const apps: Array<ReturnType<typeof createApp>> = [];
    const urls: string[] = [];
    for (const store of stores) {
      const app = createApp({
        store,
        portone: new PortOneClient({ apiUrl: one.sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET }),
        logger: silentLogger,
        trustBrowserPrices: true,
        prepareRateLimit: 0,
        fulfilment: { pollMs: 50, backoffMs: 20, maxBackoffMs: 200, leaseMs: 2_000 },
        onPaid: (order) => void fulfilled.push(order.merchant_uid),
      });
      apps.push(app);
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    const post = async (url: string, path: string, body: unknown) => {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };
    try {
      const merchant_uid = uid('shared');
      assert.equal((await post(urls[0]!, '/payments/prepare', { merchant_uid, amount: 9900 })).status, 201);
      const payment = await one.sandbox.createPayment({ merchant_uid, amount: 9900, status: 'paid' });
      const calls = Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? post(urls[0]!, '/payments/complete', { imp_uid: payment.imp_uid, merchant_uid })
          : post(urls[1]!, '/portone/webhook', { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }),
      );
      for (const answer of await Promise.all(calls)) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      await waitFor(async () => (await stores[1]!.get(merchant_uid))!.fulfilment.state === 'done', 'the fulfilment');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const order = (await stores[1]!.get(merchant_uid))!;
      assert.equal(order.state, 'paid');
      assert.equal(order.history.filter((h) => h.state === 'paid').length, 1, JSON.stringify(order.history));
      assert.deepEqual(
        order.payments.map((p) => [p.imp_uid, p.disposition]),
        [[payment.imp_uid, 'settled']],
      );
      assert.equal(fulfilled.filter((m) => m === merchant_uid).length, 1);
      assert.equal(order.fulfilment.attempts, 1);
    } finally {
      for (const server of servers) {
        await new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        });
      }
      for (const app of apps) await app.close();
      for (const store of stores) await store.close();
      await one.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const CATALOG = parseCatalog({
  'chair-01': { name: '노르웨이 회전 의자', amount: 14000, currency: 'KRW' },
  'desk-01': { name: '원목 책상', amount: 89000, currency: 'KRW' },
  'pen-01': { name: 'Fountain pen', amount: 19.99, currency: 'USD' },
  'ink-01': { name: 'Ink', amount: 0.1, currency: 'USD' },
});

describe('price authority (POST /payments/prepare)', () => {
  let v: VerifierHarness;
  /** What the harness's priceOrder does now; a test may swap it (restored after each use). */
  let pricing: PriceOrder = catalogPricing(CATALOG);
  before(async () => (v = await startVerifier({ priceOrder: (request) => pricing(request) })));
  after(() => v.close());

  async function registered(merchant_uid: string): Promise<number> {
    return (await v.sandbox.rest('GET', `/payments/prepare/${encodeURIComponent(merchant_uid)}`, { token: await v.sandbox.token() })).status;
  }

  async function assertNothingStored(merchant_uid: string, what: string): Promise<void> {
    assert.deepEqual((await v.get(`/payments/${merchant_uid}`)).body, { status: 'unknown_order' }, `${what}: nothing stored`);
    assert.equal(await registered(merchant_uid), 404, `${what}: nothing registered with PortOne`);
  }

  async function withPricing<T>(price: PriceOrder, run: () => Promise<T>): Promise<T> {
    pricing = price;
    try {
      return await run();
    } finally {
      pricing = catalogPricing(CATALOG);
    }
  }

  test('priced from the catalog: Σ price × quantity, named after the first product, stored and registered at that price', async () => {
    for (const [items, amount, currency, name] of [
      [[{ id: 'chair-01', quantity: 1 }], 14000, 'KRW', '노르웨이 회전 의자'],
      [[{ id: 'chair-01', quantity: 2 }, { id: 'desk-01', quantity: 1 }], 117000, 'KRW', '노르웨이 회전 의자 외 1건'],
      [[{ id: 'pen-01', quantity: 3 }], 59.97, 'USD', 'Fountain pen'],
      // In floats 19.99 × 7 is 139.92999999999998, 0.1 × 3 is 0.30000000000000004, and so is 0.1 + 0.2: the sum must be exact.
      [[{ id: 'pen-01', quantity: 7 }], 139.93, 'USD', 'Fountain pen'],
      [[{ id: 'ink-01', quantity: 3 }], 0.3, 'USD', 'Ink'],
      [[{ id: 'ink-01', quantity: 1 }, { id: 'ink-01', quantity: 2 }], 0.3, 'USD', 'Ink 외 1건'],
      [[{ id: 'ink-01', quantity: 3 }, { id: 'pen-01', quantity: 1 }], 20.29, 'USD', 'Ink 외 1건'],
    ] as const) {
      const merchant_uid = uid('price');
      const answer = await v.prepare({ merchant_uid, items, amount, currency });
      assert.equal(answer.status, 201, `${JSON.stringify(items)}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body, { merchant_uid, amount, currency, name });
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual([order.amount, order.currency, order.name, order.state], [amount, currency, name, 'ready']);
      const prepared = await v.sandbox.rest('GET', `/payments/prepare/${merchant_uid}`, { token: await v.sandbox.token() });
      assert.deepEqual(prepared.body.response, { merchant_uid, amount, currency });
    }
  });

  test('a body amount or currency other than the price → 409 price_changed with the server’s price; nothing stored', async () => {
    for (const [body, amount, currency] of [
      [{ items: [{ id: 'chair-01', quantity: 1 }], amount: 100 }, 14000, 'KRW'],
      [{ items: [{ id: 'chair-01', quantity: 2 }], amount: 14000 }, 28000, 'KRW'],
      [{ items: [{ id: 'pen-01', quantity: 3 }], amount: 59.970001, currency: 'USD' }, 59.97, 'USD'],
      [{ items: [{ id: 'pen-01', quantity: 3 }], amount: 59.97, currency: 'EUR' }, 59.97, 'USD'],
      // No currency in the body is KRW: not the pen's.
      [{ items: [{ id: 'pen-01', quantity: 1 }], amount: 20 }, 19.99, 'USD'],
    ] as const) {
      const merchant_uid = uid('price');
      const answer = await v.prepare({ merchant_uid, ...body });
      assert.equal(answer.status, 409, `${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(Object.keys(answer.body).sort(), ['amount', 'currency', 'message', 'status']);
      assert.deepEqual(pick(answer.body, ['status', 'amount', 'currency']), { status: 'price_changed', amount, currency });
      assert.equal(typeof answer.body.message, 'string');
      await assertNothingStored(merchant_uid, JSON.stringify(body));
    }
  });

  test('the attack of the issue: a page saying 100 for the 14,000 chair is refused at prepare; paying 100 anyway for the order is refunded as forgery', async () => {
    const tampered = await v.prepare({ items: [{ id: 'chair-01', quantity: 1 }], amount: 100 });
    assert.deepEqual([tampered.status, tampered.body.status, tampered.body.amount], [409, 'price_changed', 14000]);
    // The page prepares honestly (the server's price), then the tamperer pays 100 for that order.
    const prepared = await v.prepare({ items: [{ id: 'chair-01', quantity: 1 }], amount: 14000 });
    assert.equal(prepared.status, 201, JSON.stringify(prepared.body));
    const { merchant_uid } = prepared.body;
    const cheap = await v.sandbox.createPayment({ merchant_uid, amount: 100, status: 'paid' });
    assertRefunded(await v.post('/payments/complete', { imp_uid: cheap.imp_uid, merchant_uid }), 'forgery');
    await assertUntouched(v, merchant_uid);
    await assertMoneyKept(v, merchant_uid, { [cheap.imp_uid]: 'refunded_forgery' });
    // The buyer can still pay the real price.
    const real = await v.sandbox.createPayment({ merchant_uid, amount: 14000, status: 'paid' });
    const paid = await v.post('/payments/complete', { imp_uid: real.imp_uid, merchant_uid });
    assert.deepEqual([paid.status, paid.body.status, paid.body.amount, paid.body.fulfilment], [200, 'paid', 14000, 'done']);
    await assertMoneyKept(v, merchant_uid, { [cheap.imp_uid]: 'refunded_forgery', [real.imp_uid]: 'settled' });
    assert.deepEqual(v.fulfilled.find((f) => f.order.merchant_uid === merchant_uid)?.order.items, [{ id: 'chair-01', quantity: 1 }]);
  });

  test('catalog: unknown id, bad quantity, mixed currencies, no items → 400 naming the field; nothing stored', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['an unknown id', { items: [{ id: 'sofa-99', quantity: 1 }], amount: 1000 }, 'items.0.id'],
      ['an unknown id on the second line', { items: [{ id: 'chair-01', quantity: 1 }, { id: 'sofa-99', quantity: 1 }], amount: 14000 }, 'items.1.id'],
      ['quantity 0', { items: [{ id: 'chair-01', quantity: 0 }], amount: 14000 }, 'items.0.quantity'],
      ['quantity negative', { items: [{ id: 'chair-01', quantity: -1 }], amount: 14000 }, 'items.0.quantity'],
      ['quantity a fraction', { items: [{ id: 'chair-01', quantity: 1.5 }], amount: 21000 }, 'items.0.quantity'],
      ['quantity a string', { items: [{ id: 'chair-01', quantity: '2' }], amount: 28000 }, 'items.0.quantity'],
      ['quantity missing', { items: [{ id: 'chair-01' }], amount: 14000 }, 'items.0.quantity'],
      ['quantity huge', { items: [{ id: 'chair-01', quantity: 1e9 }], amount: 14000 }, 'items.0.quantity'],
      ['mixed currencies', { items: [{ id: 'chair-01', quantity: 1 }, { id: 'pen-01', quantity: 1 }], amount: 14000 }, 'items.1.id'],
      ['no items', { amount: 14000 }, 'items'],
      ['items empty', { items: [], amount: 14000 }, 'items'],
    ];
    for (const [what, body, field] of cases) {
      const merchant_uid = uid('price');
      const answer = await v.prepare({ merchant_uid, ...body });
      assertBadRequest(answer, field, what);
      await assertNothingStored(merchant_uid, what);
    }
  });

  test('a priceOrder that throws a RouteError → that answer, nothing stored', async () => {
    for (const error of [
      new RouteError(409, { status: 'sold_out', message: 'chair-01 is sold out' }),
      badRequest('items.0.id: chair-01 is no longer sold'),
      new RouteError(422, { status: 'error', message: 'too many chairs for one order' }),
    ]) {
      const merchant_uid = uid('price');
      const answer = await withPricing(
        async () => {
          throw error;
        },
        () => v.prepare({ merchant_uid, items: [{ id: 'chair-01', quantity: 1 }], amount: 14000 }),
      );
      assert.equal(answer.status, error.status, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, error.body);
      await assertNothingStored(merchant_uid, error.message);
    }
  });

  test('a priceOrder that answers garbage (or throws a plain error) → 500 with a clear message, never a wrong charge', async () => {
    const garbage: unknown[] = [
      undefined,
      null,
      {},
      14000,
      { amount: '14000', currency: 'KRW' },
      { amount: 14000 },
      { amount: 0, currency: 'KRW' },
      { amount: -14000, currency: 'KRW' },
      { amount: Number.NaN, currency: 'KRW' },
      { amount: Number.POSITIVE_INFINITY, currency: 'KRW' },
      { amount: 1e21, currency: 'KRW' },
      { amount: 14000.5, currency: 'KRW' },
      { amount: 19.9900001, currency: 'USD' },
      { amount: 14000, currency: 'krw' },
      { amount: 14000, currency: 'KRW', name: 42 },
      { amount: 14000, currency: 'KRW', name: 'x'.repeat(257) },
      { amount: 14000, currency: 'KRW', name: 'chair\0' },
      { amount: 14000, currency: 'KRW', name: '\uD83D chair' },
    ];
    for (const answerOfPricing of garbage) {
      const merchant_uid = uid('price');
      const what = JSON.stringify(answerOfPricing) ?? 'undefined';
      const answer = await withPricing(
        () => answerOfPricing as never,
        () => v.prepare({ merchant_uid, items: [{ id: 'chair-01', quantity: 1 }], amount: 14000 }),
      );
      assert.equal(answer.status, 500, `${what}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body, { status: 'error', message: 'the server could not price this order' }, what);
      await assertNothingStored(merchant_uid, what);
    }
    const merchant_uid = uid('price');
    const thrown = await withPricing(
      () => {
        throw new TypeError("Cannot read properties of undefined (reading 'amount')");
      },
      () => v.prepare({ merchant_uid, items: [{ id: 'chair-01', quantity: 1 }], amount: 14000 }),
    );
    assert.equal(thrown.status, 500);
    assert.equal(thrown.body.status, 'error');
    assertNoStack(thrown, 'a throwing priceOrder');
    assert.doesNotMatch(JSON.stringify(thrown.body), /reading 'amount'/, 'the merchant’s error stays in the log');
    await assertNothingStored(merchant_uid, 'a throwing priceOrder');
  });

  test('again for a ready order at the same price → 201 again; at another price (the catalog changed) or once the order is no longer ready → 409 error', async () => {
    const merchant_uid = uid('price');
    const chair = { merchant_uid, items: [{ id: 'chair-01', quantity: 1 }], amount: 14000 };
    const first = await v.prepare(chair);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const again = await v.prepare(chair);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare']);

    // The chair now costs 15,000: the page that shows 15,000 cannot re-prepare the order stored at 14,000…
    const dearer = catalogPricing(parseCatalog({ 'chair-01': { name: '노르웨이 회전 의자', amount: 15000, currency: 'KRW' } }));
    const changed = await withPricing(dearer, () => v.prepare({ ...chair, amount: 15000 }));
    assert.equal(changed.status, 409, JSON.stringify(changed.body));
    assert.equal(changed.body.status, 'error');
    assert.equal(typeof changed.body.message, 'string');
    // …and the page that still shows 14,000 is told the new price.
    const stale = await withPricing(dearer, () => v.prepare(chair));
    assert.deepEqual([stale.status, stale.body.status, stale.body.amount], [409, 'price_changed', 15000]);
    const order = await orderOf(v, merchant_uid);
    assert.deepEqual([order.amount, order.state, order.history.length], [14000, 'ready', 1]);

    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 14000, status: 'paid' });
    assert.equal((await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid })).status, 200);
    const paid = await v.prepare(chair);
    assert.equal(paid.status, 409, JSON.stringify(paid.body));
    assert.equal(paid.body.status, 'error');
    assert.match(paid.body.message, /paid/);
  });

  test('again for a ready order at the same total but other items → 409 error (fulfilment ships the stored items), the order unchanged', async () => {
    const merchant_uid = uid('price');
    const two = await v.prepare({ merchant_uid, items: [{ id: 'ink-01', quantity: 2 }], amount: 0.2, currency: 'USD' });
    assert.equal(two.status, 201, JSON.stringify(two.body));
    const split = await v.prepare({ merchant_uid, items: [{ id: 'ink-01', quantity: 1 }, { id: 'ink-01', quantity: 1 }], amount: 0.2, currency: 'USD' });
    assert.equal(split.status, 409, JSON.stringify(split.body));
    assert.deepEqual([split.body.status, split.body.message], ['error', `order ${merchant_uid} exists with other items`]);
    assert.deepEqual((await orderOf(v, merchant_uid)).items, [{ id: 'ink-01', quantity: 2 }]);
  });

  test('a priceOrder that never answers → 500 after 10 s, not a hung prepare; nothing stored', async () => {
    const merchant_uid = uid('price');
    const started = Date.now();
    const answer = await withPricing(() => new Promise(() => {}), () => v.prepare({ merchant_uid, amount: 1000 }));
    assert.equal(answer.status, 500, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { status: 'error', message: 'the server could not price this order' });
    assert.ok(Date.now() - started >= 9_900, 'it waited for the authority first');
    await assertNothingStored(merchant_uid, 'a hung priceOrder');
  });

  test('generated merchant_uids carry ≥ 96 random bits: format, ≤ 40 characters, 1000 distinct', async () => {
    const FORMAT = /^order_[0-9a-z]+_([0-9a-f]{24})$/;
    const uids: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => v.prepare({ items: [{ id: 'chair-01', quantity: 1 }], amount: 14000 })));
      for (const answer of answers) {
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        uids.push(answer.body.merchant_uid);
      }
    }
    for (let i = 0; i < 1000; i++) uids.push(newMerchantUid());
    for (const merchant_uid of uids) {
      assert.match(merchant_uid, FORMAT, 'order_ + time + 24 hex digits (96 bits)');
      assert.ok(merchant_uid.length <= 40, `${merchant_uid} fits PortOne's 40 characters`);
    }
    assert.equal(new Set(uids).size, uids.length, 'all distinct');
    const random = uids.map((m) => BigInt(`0x${FORMAT.exec(m)![1]}`));
    assert.equal(new Set(random).size, random.length, 'the random parts are distinct too (not the clock)');
    // Random, not a counter: neighbours differ in about half of their 96 bits.
    let differing = 0;
    for (let i = 1; i < random.length; i++) differing += (random[i]! ^ random[i - 1]!).toString(2).replace(/0/g, '').length;
    const mean = differing / (random.length - 1);
    assert.ok(mean > 44 && mean < 52, `mean Hamming distance ${mean} of 96 bits`);
  });
});

// Real time (about 30 s each, run side by side): SPEC's 30 s hold with the production client's timeouts.
describe('SPEC’s 30 s with production timeouts, whatever PortOne and the hook do', { concurrency: true }, () => {
  test('a slow PortOne (the superseded account’s lookup hangs) and a slow hook together → verify still answers within 30 s', async () => {
    let release!: () => void;
    const hookHangs = new Promise<void>((resolve) => (release = resolve));
    const v = await startVerifier({ client: { timeoutMs: 10_000, deadlineMs: 25_000, backoffMs: 200 }, onPaid: () => hookHangs });
    try {
      const merchant_uid = await preparedOrder(v, 26000);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 26000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'ready');
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 26000, status: 'paid' });
      // Each lookup outlasts the client's 10 s timeout: the settlement spends its whole 25 s budget on it.
      const remove = await addFault(v, { type: 'latency', ms: 12_000, path: `/payments/${account.imp_uid}` });
      const started = Date.now();
      let answer: Reply;
      try {
        answer = await v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid });
      } finally {
        await remove();
      }
      const took = Date.now() - started;
      assert.ok(took < 30_000, `answered in ${took} ms`);
      assert.deepEqual([answer.status, answer.body.status, answer.body.fulfilment], [200, 'paid', 'pending'], JSON.stringify(answer.body));
      assert.equal(dispositionsOf(await orderOf(v, merchant_uid))[account.imp_uid], 'refund_pending');
      // The hook finishes, PortOne answers again: the delivery is done and the account's refund finished.
      release();
      await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'the fulfilment');
      assertRefunded(await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid }), 'closed');
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: 'refunded_closed', [card.imp_uid]: 'settled' });
    } finally {
      release();
      await v.close();
    }
  });

  test('verify answers 409 refund pending within SPEC’s 30 s while the cancel hangs', async () => {
    const v = await startVerifier({ client: { timeoutMs: 10_000, deadlineMs: 25_000, backoffMs: 200 } });
    try {
      const merchant_uid = await preparedOrder(v, 8800);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 880, status: 'paid' });
      const remove = await addFault(v, { type: 'latency', ms: 12_000, path: '/payments/cancel' });
      const started = Date.now();
      let answer: Reply;
      try {
        answer = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
      } finally {
        await remove();
      }
      const took = Date.now() - started;
      assert.ok(took < 30_000, `answered in ${took} ms`);
      assertRefunded(answer, 'forgery', 'pending');
      await assertUntouched(v, merchant_uid);
      // The slow cancels may still land later (PortOne then refuses them): the next settlement cancels once, in full.
      assertRefunded(await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid }), 'forgery');
      await assertCancelledAtPortOne(v, payment.imp_uid, [880]);
      await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'refunded_forgery' });
    } finally {
      await v.close();
    }
  });
});

for (const store of STORES) {
  describe(`money: nothing kept without an order (${store} store)`, () => {
    let v: VerifierHarness;
    before(async () => (v = await startVerifier({ store })));
    after(() => v.close());

    test('every disposition, reached through real payments of one order: not_paid, refunded_forgery, settled, refunded_closed, refunded_duplicate, refund_pending', async () => {
      const merchant_uid = await preparedOrder(v, 10000);
      const complete = (imp_uid: string) => v.post('/payments/complete', { imp_uid, merchant_uid });
      // A window left open.
      const open = await v.sandbox.createPayment({ merchant_uid, amount: 10000, status: 'ready', pay_method: 'card' });
      assert.equal((await complete(open.imp_uid)).status, 402);
      // A tampered amount.
      const forged = await v.sandbox.createPayment({ merchant_uid, amount: 100, status: 'paid' });
      assertRefunded(await complete(forged.imp_uid), 'forgery');
      // A virtual account, then the buyer pays by card after all: the card settles, the account is closed.
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 10000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await complete(account.imp_uid)).body.status, 'ready');
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 10000, status: 'paid' });
      assert.equal((await complete(card.imp_uid)).body.status, 'paid');
      // A second card payment: a duplicate.
      const twice = await v.sandbox.createPayment({ merchant_uid, amount: 10000, status: 'paid' });
      assertRefunded(await complete(twice.imp_uid), 'duplicate');
      // A third, while PortOne cannot take a cancel.
      const thrice = await v.sandbox.createPayment({ merchant_uid, amount: 10000, status: 'paid' });
      const remove = await addFault(v, { type: 'status', status: 503, path: '/payments/cancel' });
      try {
        assertRefunded(await complete(thrice.imp_uid), 'duplicate', 'pending');
      } finally {
        await remove();
      }
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual(dispositionsOf(order), {
        [open.imp_uid]: 'not_paid',
        [forged.imp_uid]: 'refunded_forgery',
        [account.imp_uid]: 'refunded_closed',
        [card.imp_uid]: 'settled',
        [twice.imp_uid]: 'refunded_duplicate',
        [thrice.imp_uid]: 'refund_pending',
      });
      assert.deepEqual([order.state, order.imp_uid], ['paid', card.imp_uid]);
      for (const entry of order.payments) {
        assert.deepEqual(Object.keys(entry).sort(), ['amount', 'at', 'currency', 'disposition', 'imp_uid', 'status']);
        assert.equal(new Date(entry.at).toISOString(), entry.at);
      }
      assert.deepEqual(
        order.payments.map((p: { imp_uid: string; amount: number; status: string }) => [p.imp_uid, p.amount, p.status]),
        [
          [open.imp_uid, 10000, 'ready'],
          [forged.imp_uid, 100, 'cancelled'],
          [account.imp_uid, 10000, 'cancelled'],
          [card.imp_uid, 10000, 'paid'],
          [twice.imp_uid, 10000, 'cancelled'],
          [thrice.imp_uid, 10000, 'paid'],
        ],
        'oldest first, with PortOne’s amount and status as last seen',
      );
      // The pending refund is finished by the next settlement of that payment (here PortOne's webhook).
      assertHandled(await webhook(v, { imp_uid: thrice.imp_uid, merchant_uid, status: 'paid' }));
      await assertCancelledAtPortOne(v, account.imp_uid, [10000]);
      await assertCancelledAtPortOne(v, thrice.imp_uid, [10000]);
      await assertMoneyKept(v, merchant_uid, {
        [open.imp_uid]: 'not_paid',
        [forged.imp_uid]: 'refunded_forgery',
        [account.imp_uid]: 'refunded_closed',
        [card.imp_uid]: 'settled',
        [twice.imp_uid]: 'refunded_duplicate',
        [thrice.imp_uid]: 'refunded_duplicate',
      });
      await assertFulfilledOnce(v, merchant_uid);
    });

    test('a correct payment for an order cancelled (its payment cancelled on the console) → refunded at PortOne, 409 closed', async () => {
      const merchant_uid = await preparedOrder(v, 4200);
      const first = await v.sandbox.createPayment({ merchant_uid, amount: 4200, status: 'paid' });
      assert.equal((await v.post('/payments/complete', { imp_uid: first.imp_uid, merchant_uid })).status, 200);
      await v.sandbox.ok('PATCH', `/payments/${first.imp_uid}`, { status: 'cancelled' });
      assertHandled(await webhook(v, { imp_uid: first.imp_uid, merchant_uid, status: 'cancelled' }));
      assert.equal((await orderOf(v, merchant_uid)).state, 'cancelled');
      for (const channel of CHANNELS) {
        const late = await v.sandbox.createPayment({ merchant_uid, amount: 4200, status: 'paid' });
        const answer = await settleVia(v, channel, late.imp_uid, merchant_uid);
        if (channel === 'complete') assertRefunded(answer, 'closed');
        else assertHandled(answer);
        await assertCancelledAtPortOne(v, late.imp_uid, [4200]);
      }
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete', 'cancelled/console']);
      assert.equal(Object.values(dispositionsOf(order)).filter((d) => d === 'refunded_closed').length, 3);
      await assertMoneyKept(v, merchant_uid);
      await assertFulfilledOnce(v, merchant_uid);
    });

    test('a correct payment for an order failed (its virtual account expired) → refunded at PortOne, 409 closed; another virtual account too', async () => {
      const merchant_uid = await preparedOrder(v, 4300);
      const expired = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: expired.imp_uid, merchant_uid })).body.status, 'ready');
      await v.sandbox.ok('PATCH', `/payments/${expired.imp_uid}`, { status: 'failed' });
      assert.equal((await v.post('/payments/complete', { imp_uid: expired.imp_uid, merchant_uid })).body.status, 'failed');
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'paid' });
      assertRefunded(await v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid }), 'closed');
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 4300, status: 'ready', pay_method: 'vbank' });
      assertRefunded(await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid }), 'closed');
      await assertCancelledAtPortOne(v, card.imp_uid, [4300]);
      await assertCancelledAtPortOne(v, account.imp_uid, [4300]);
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/complete', 'failed/complete']);
      assert.equal(order.fulfilment.state, 'none');
      // The expired account keeps the entry it settled the order with (vbank_issued); no money was ever in it.
      await assertMoneyKept(v, merchant_uid, { [expired.imp_uid]: 'settled', [card.imp_uid]: 'refunded_closed', [account.imp_uid]: 'refunded_closed' });
    });

    test('a failed attempt at another price (a tampered window) closes nothing: the order stays ready and the correct payment settles it', async () => {
      const merchant_uid = await preparedOrder(v, 5200);
      const tampered = await v.sandbox.createPayment({ merchant_uid, amount: 52, status: 'failed' });
      assert.equal((await v.post('/payments/complete', { imp_uid: tampered.imp_uid, merchant_uid })).body.status, 'failed');
      assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare']);
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 5200, status: 'paid' });
      assert.equal((await v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid })).body.status, 'paid');
      await assertMoneyKept(v, merchant_uid, { [tampered.imp_uid]: 'not_paid', [card.imp_uid]: 'settled' });
    });

    test('a virtual account awaiting its deposit + a wrong-amount payment → the order stays vbank_issued, and the deposit then pays it', async () => {
      const merchant_uid = await preparedOrder(v, 36000);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 36000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'ready');
      const wrong = await v.sandbox.createPayment({ merchant_uid, amount: 3600, status: 'paid' });
      assertHandled(await webhook(v, { imp_uid: wrong.imp_uid, merchant_uid, status: 'paid' }));
      assertRefunded(await v.post('/payments/complete', { imp_uid: wrong.imp_uid, merchant_uid }), 'forgery');
      let order = await orderOf(v, merchant_uid);
      assert.deepEqual([order.state, order.imp_uid], ['vbank_issued', account.imp_uid]);
      assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/complete']);
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: 'settled', [wrong.imp_uid]: 'refunded_forgery' });
      // The buyer deposits into the account: the order is paid, not stranded.
      await v.sandbox.ok('PATCH', `/payments/${account.imp_uid}`, { status: 'paid' });
      assertHandled(await webhook(v, { imp_uid: account.imp_uid, merchant_uid, status: 'paid' }));
      order = await orderOf(v, merchant_uid);
      assert.deepEqual([order.state, order.imp_uid], ['paid', account.imp_uid]);
      assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/complete', 'paid/webhook']);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: 'settled', [wrong.imp_uid]: 'refunded_forgery' });
    });

    test('a virtual-account order paid by card instead → the card settles it; the account is cancelled at PortOne (refunded_closed), also by a late webhook', async () => {
      const merchant_uid = await preparedOrder(v, 27000);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 27000, status: 'ready', pay_method: 'vbank' });
      assertHandled(await webhook(v, { imp_uid: account.imp_uid, merchant_uid, status: 'ready' }));
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 27000, status: 'paid' });
      const paid = await v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid });
      assert.deepEqual([paid.status, paid.body.status, paid.body.imp_uid, paid.body.fulfilment], [200, 'paid', card.imp_uid, 'done']);
      await assertCancelledAtPortOne(v, account.imp_uid, [27000]);
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual([order.state, order.imp_uid], ['paid', card.imp_uid]);
      assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/webhook', 'paid/complete']);
      // The account's own replays (verify, webhook) answer closed and change nothing.
      assertRefunded(await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid }), 'closed');
      assertHandled(await webhook(v, { imp_uid: account.imp_uid, merchant_uid, status: 'cancelled' }));
      await assertCancelledAtPortOne(v, account.imp_uid, [27000]);
      assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'vbank_issued/webhook', 'paid/complete']);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: 'refunded_closed', [card.imp_uid]: 'settled' });
    });

    test('the superseded account cannot be read or cancelled yet → refund_pending; a deposit into it later is refunded, the card kept', async () => {
      const merchant_uid = await preparedOrder(v, 28000);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 28000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'ready');
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 28000, status: 'paid' });
      // PortOne answers the card's lookup, but not the account's.
      const remove = await addFault(v, { type: 'status', status: 503, path: `/payments/${account.imp_uid}` });
      let paid: Reply;
      try {
        paid = await v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid });
      } finally {
        await remove();
      }
      assert.deepEqual([paid.status, paid.body.status], [200, 'paid'], JSON.stringify(paid.body));
      assert.deepEqual(dispositionsOf(await orderOf(v, merchant_uid)), { [account.imp_uid]: 'refund_pending', [card.imp_uid]: 'settled' });
      // The buyer deposits into the old account anyway: that money is returned.
      await v.sandbox.ok('PATCH', `/payments/${account.imp_uid}`, { status: 'paid' });
      assertHandled(await webhook(v, { imp_uid: account.imp_uid, merchant_uid, status: 'paid' }));
      await assertCancelledAtPortOne(v, account.imp_uid, [28000]);
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual([order.state, order.imp_uid], ['paid', card.imp_uid]);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: 'refunded_closed', [card.imp_uid]: 'settled' });
    });

    test('the deposit into the account and a card payment settled at the same moment → one kept, the other refunded, hook once', async () => {
      const merchant_uid = await preparedOrder(v, 17000);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 17000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'ready');
      await v.sandbox.ok('PATCH', `/payments/${account.imp_uid}`, { status: 'paid' });
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 17000, status: 'paid' });
      // Both settlements read the order (awaiting the deposit) before either moves it.
      const both = barrier(2);
      const get = v.store.get;
      v.store.get = async (id: string) => {
        const order = await get.call(v.store, id);
        if (id === merchant_uid) await both();
        return order;
      };
      let answers: Reply[];
      try {
        answers = await Promise.all([webhook(v, { imp_uid: account.imp_uid, merchant_uid, status: 'paid' }), v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid })]);
      } finally {
        v.store.get = get;
      }
      assertHandled(answers[0]!);
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.state, 'paid');
      assert.equal(order.history.filter((h: { state: string }) => h.state === 'paid').length, 1, JSON.stringify(order.history));
      const kept = order.imp_uid === card.imp_uid ? card : account;
      const refunded = kept === card ? account : card;
      if (kept === card) assert.deepEqual([answers[1]!.status, answers[1]!.body.status], [200, 'paid']);
      else assertRefunded(answers[1]!, 'duplicate');
      await assertNotCancelled(v, kept.imp_uid, 'paid');
      await assertCancelledAtPortOne(v, refunded.imp_uid, [17000]);
      await assertFulfilledOnce(v, merchant_uid);
      await assertMoneyKept(v, merchant_uid, { [account.imp_uid]: kept === card ? 'refunded_closed' : 'settled', [card.imp_uid]: kept === card ? 'settled' : 'refunded_duplicate' });
    });

    test('a second virtual account for an order already awaiting a deposit → cancelled (refunded_duplicate); the first still pays the order', async () => {
      const merchant_uid = await preparedOrder(v, 19000);
      const first = await v.sandbox.createPayment({ merchant_uid, amount: 19000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: first.imp_uid, merchant_uid })).body.status, 'ready');
      const second = await v.sandbox.createPayment({ merchant_uid, amount: 19000, status: 'ready', pay_method: 'vbank' });
      assertRefunded(await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid }), 'duplicate');
      await assertCancelledAtPortOne(v, second.imp_uid, [19000]);
      await v.sandbox.ok('PATCH', `/payments/${first.imp_uid}`, { status: 'paid' });
      assertHandled(await webhook(v, { imp_uid: first.imp_uid, merchant_uid, status: 'paid' }));
      assert.equal((await orderOf(v, merchant_uid)).state, 'paid');
      await assertMoneyKept(v, merchant_uid, { [first.imp_uid]: 'settled', [second.imp_uid]: 'refunded_duplicate' });
    });

    for (const fault of [
      { type: 'status', status: 503 },
      { type: 'drop' },
      { type: 'latency', ms: 6_000 },
    ] as const) {
      test(`a refund PortOne cannot take (${fault.type} on cancel) → refund_pending, 409 refund pending within the deadline; a later settle finishes it`, async () => {
        const merchant_uid = await preparedOrder(v, 5500);
        const first = await v.sandbox.createPayment({ merchant_uid, amount: 5500, status: 'paid' });
        assert.equal((await v.post('/payments/complete', { imp_uid: first.imp_uid, merchant_uid })).status, 200);
        const second = await v.sandbox.createPayment({ merchant_uid, amount: 5500, status: 'paid' });
        const remove = await addFault(v, { ...fault, path: '/payments/cancel' });
        const started = Date.now();
        let answer: Reply;
        try {
          answer = await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid });
        } finally {
          await remove();
        }
        // The harness's client gives up after 4 s (production: 25 s, inside SPEC's 30 s).
        assert.ok(Date.now() - started < 5_500, `answered in ${Date.now() - started} ms`);
        assertRefunded(answer, 'duplicate', 'pending');
        assert.match(answer.body.message, /pending/);
        assert.deepEqual(dispositionsOf(await orderOf(v, merchant_uid)), { [first.imp_uid]: 'settled', [second.imp_uid]: 'refund_pending' });
        // A slow cancel may still land at PortOne; either way the next settlement ends with one full cancel.
        if (fault.type === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.ms));
        assertRefunded(await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid }), 'duplicate');
        await assertCancelledAtPortOne(v, second.imp_uid, [5500]);
        await assertMoneyKept(v, merchant_uid, { [first.imp_uid]: 'settled', [second.imp_uid]: 'refunded_duplicate' });
      });
    }

    test('a refund owed on an account that then expired (failed, nothing to cancel) → finished, not pending for ever', async () => {
      const merchant_uid = await preparedOrder(v, 31000);
      const account = await v.sandbox.createPayment({ merchant_uid, amount: 31000, status: 'ready', pay_method: 'vbank' });
      assert.equal((await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid })).body.status, 'ready');
      const card = await v.sandbox.createPayment({ merchant_uid, amount: 31000, status: 'paid' });
      const remove = await addFault(v, { type: 'status', status: 503, path: '/payments/cancel' });
      try {
        assert.equal((await v.post('/payments/complete', { imp_uid: card.imp_uid, merchant_uid })).status, 200);
      } finally {
        await remove();
      }
      assert.equal(dispositionsOf(await orderOf(v, merchant_uid))[account.imp_uid], 'refund_pending');
      // The account expires before anyone retries: PortOne holds nothing to cancel.
      await v.sandbox.ok('PATCH', `/payments/${account.imp_uid}`, { status: 'failed' });
      const answer = await v.post('/payments/complete', { imp_uid: account.imp_uid, merchant_uid });
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.refund, 'done', JSON.stringify(answer.body));
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual([order.state, order.imp_uid], ['paid', card.imp_uid]);
      assert.deepEqual(dispositionsOf(order), { [account.imp_uid]: 'refunded_closed', [card.imp_uid]: 'settled' });
      const atPortOne = await sandboxPayment(v, account.imp_uid);
      assert.deepEqual([atPortOne.status, atPortOne.cancel_amount], ['failed', 0], 'no money was ever in it');
    });
  });
}

describe('money: PortOne amounts the server would never accept as input (7 decimals, ≥ 1e21)', () => {
  let v: VerifierHarness;
  before(async () => (v = await startVerifier({ store: 'sqlite' })));
  after(() => v.close());

  const cases = [
    { what: '10.0000001 USD for a 10 USD order', order: [10, 'USD'], shown: { amount: 10.0000001 }, sandbox: 10, reason: 'forgery' },
    { what: '1e21 KRW for a 1,000 KRW order', order: [1000, 'KRW'], shown: { amount: 1e21 }, sandbox: 1000, reason: 'forgery' },
    { what: '1.5e22 KRW for a 1,000 KRW order', order: [1000, 'KRW'], shown: { amount: 1.5e22 }, sandbox: 1000, reason: 'forgery' },
    { what: '0.0000001 cancelled of a 1,000 KRW payment for a 1,000 KRW order', order: [1000, 'KRW'], shown: { amount: 1000, cancel_amount: 1e-7 }, sandbox: 1000, reason: 'forgery' },
  ] as const;
  for (const c of cases) {
    for (const channel of CHANNELS) {
      test(`${c.what} through ${channel} → compared exactly, refunded in full, never a 500`, async () => {
        const [amount, currency] = c.order;
        const merchant_uid = await preparedOrder(v, amount, currency);
        const payment = await v.sandbox.createPayment({ merchant_uid, amount: c.sandbox, currency, status: 'paid' });
        const exotic = exoticAmounts(v, payment.imp_uid, c.shown);
        try {
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (channel === 'complete') {
            assertRefunded(answer, c.reason);
          } else assertHandled(answer);
          const balance = c.shown.amount === 1000 ? 999.9999999 : c.shown.amount;
          assert.deepEqual(exotic.cancels, [balance], 'the checksum is the exact balance');
          await assertUntouched(v, merchant_uid);
          const order = await orderOf(v, merchant_uid);
          assert.deepEqual(
            order.payments.map((p: { amount: number; disposition: string }) => [p.amount, p.disposition]),
            [[c.shown.amount, `refunded_${c.reason}`]],
            'recorded with PortOne’s amount, exactly',
          );
          // Replayed: the same, no second cancel.
          const again = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          assert.equal(again.status, answer.status, JSON.stringify(again.body));
          assert.deepEqual(exotic.cancels, [balance]);
        } finally {
          exotic.restore();
        }
        await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: `refunded_${c.reason}` });
      });
    }
  }

  test('the same payment shown with its exact amount still settles (no rounding either way)', async () => {
    const merchant_uid = await preparedOrder(v, 0.000001, 'USD');
    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 0.000001, currency: 'USD', status: 'paid' });
    const answer = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
    assert.deepEqual([answer.status, answer.body.status, answer.body.amount], [200, 'paid', 0.000001], JSON.stringify(answer.body));
    await assertMoneyKept(v, merchant_uid, { [payment.imp_uid]: 'settled' });
  });
});

describe('GET /payments/:merchant_uid', () => {
  let v: VerifierHarness;
  before(async () => (v = await startVerifier({ store: 'sqlite' })));
  after(() => v.close());

  const SPEC_FIELDS = ['amount', 'currency', 'fulfilment', 'history', 'imp_uid', 'merchant_uid', 'name', 'payments', 'state'];

  test('the order, its history oldest first as {state, at, via}, its payments and its fulfilment; no buyer data', async () => {
    const merchant_uid = await preparedOrder(v, 50000, 'KRW', '노트북 거치대');
    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 50000, status: 'ready', pay_method: 'vbank', buyer_name: '홍길동', buyer_email: 'buyer@example.com', buyer_tel: '010-1234-5678' });
    await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
    await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
    await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' });
    await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'the fulfilment');
    const answer = await v.get(`/payments/${merchant_uid}`);
    assert.equal(answer.status, 200);
    const order = answer.body;
    // SPEC's fields; the reference server also shows what was bought (`items`), which the demo shop reads.
    assert.deepEqual(Object.keys(order).filter((k) => k !== 'items').sort(), SPEC_FIELDS);
    assert.deepEqual(pick(order, ['merchant_uid', 'amount', 'currency', 'name', 'state', 'imp_uid']), {
      merchant_uid,
      amount: 50000,
      currency: 'KRW',
      name: '노트북 거치대',
      state: 'paid',
      imp_uid: payment.imp_uid,
    });
    assert.deepEqual(trail(order), ['ready/prepare', 'vbank_issued/complete', 'paid/webhook']);
    for (const entry of order.history) {
      assert.deepEqual(Object.keys(entry).sort(), ['at', 'state', 'via']);
      assert.ok(!Number.isNaN(Date.parse(entry.at)) && new Date(entry.at).toISOString() === entry.at, `at is ISO 8601 UTC: ${entry.at}`);
    }
    const times = order.history.map((h: { at: string }) => Date.parse(h.at));
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'oldest first');
    assert.equal(order.payments.length, 1);
    assert.deepEqual(pick(order.payments[0], ['imp_uid', 'amount', 'currency', 'status', 'disposition']), {
      imp_uid: payment.imp_uid,
      amount: 50000,
      currency: 'KRW',
      status: 'paid',
      disposition: 'settled',
    });
    assert.deepEqual(Object.keys(order.payments[0]).sort(), ['amount', 'at', 'currency', 'disposition', 'imp_uid', 'status']);
    assert.equal(new Date(order.payments[0].at).toISOString(), order.payments[0].at);
    assert.deepEqual(Object.keys(order.fulfilment).sort(), ['at', 'attempts', 'state']);
    assert.deepEqual([order.fulfilment.state, order.fulfilment.attempts], ['done', 1]);
    assert.equal(new Date(order.fulfilment.at).toISOString(), order.fulfilment.at);
    const text = JSON.stringify(order);
    for (const secret of ['홍길동', 'buyer@example.com', '010-1234-5678']) assert.ok(!text.includes(secret), `no buyer data (${secret})`);
  });

  test('a fresh order: state ready, imp_uid null, one history entry via prepare, no payments, fulfilment none', async () => {
    const merchant_uid = await preparedOrder(v, 100);
    const order = await orderOf(v, merchant_uid);
    assert.equal(order.state, 'ready');
    assert.equal(order.imp_uid, null);
    assert.deepEqual(trail(order), ['ready/prepare']);
    assert.deepEqual(order.payments, []);
    assert.deepEqual(order.fulfilment, { state: 'none', attempts: 0, at: null });
  });

  test('an unknown order → 404 {status: unknown_order}', async () => {
    const answer = await v.get(`/payments/${uid('nobody')}`);
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { status: 'unknown_order' });
  });
});
