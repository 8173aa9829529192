// SPEC §5: every row of the decision table through each door (POST /payments/complete, and PortOne's webhook as
// JSON and as a form), forged webhooks, idempotence and exactly-once settlement under concurrency (memory and
// SQLite stores), the duplicate-payment refund, and the order view (GET /payments/:merchant_uid).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../server/app.js';
import { silentLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import { openStore } from '../../server/store/index.js';
import { API_KEY, API_SECRET, uid, waitFor } from './helpers.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';
import {
  addFault,
  barrier,
  CHANNELS,
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

/** The order is exactly as prepare left it. */
async function assertUntouched(v: VerifierHarness, merchant_uid: string): Promise<void> {
  const order = await orderOf(v, merchant_uid);
  assert.equal(order.state, 'ready', `${merchant_uid} is still ready`);
  assert.equal(order.imp_uid, null, `${merchant_uid} names no payment`);
  assert.deepEqual(trail(order), ['ready/prepare'], `${merchant_uid} moved: ${JSON.stringify(order.history)}`);
  assert.equal(hooks(v, merchant_uid), 0, `no fulfilment for ${merchant_uid}`);
}

/** The payment was cancelled in full at PortOne with the given amount as the one cancel. */
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
          test('the payment belongs to another order → 409 mismatch; nothing cancelled, no order changes', async () => {
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
              await assertUntouched(v, mine);
              await assertUntouched(v, theirs);
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
            const order = await orderOf(v, real);
            assert.equal(order.state, 'paid');
            assert.deepEqual(trail(order), ['ready/prepare', 'paid/webhook']);
            assert.equal(hooks(v, real), 1);
            await assertNotCancelled(v, payment.imp_uid, 'paid');
          });
        }

        test('paid, amount and currency equal → 200 paid, order paid, hook once', async () => {
          const merchant_uid = await preparedOrder(v, 14000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 14000, status: 'paid', pay_method: 'card' });
          const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(answer);
          else {
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            assert.deepEqual(pick(answer.body, ['status', 'imp_uid', 'merchant_uid', 'amount', 'currency', 'pay_method']), {
              status: 'paid',
              imp_uid: payment.imp_uid,
              merchant_uid,
              amount: 14000,
              currency: 'KRW',
              pay_method: 'card',
            });
          }
          const order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'paid');
          assert.equal(order.imp_uid, payment.imp_uid);
          assert.deepEqual(trail(order), ['ready/prepare', `paid/${via}`]);
          assert.equal(hooks(v, merchant_uid), 1);
          const call = v.fulfilled.find((f) => f.order.merchant_uid === merchant_uid)!;
          assert.equal(call.order.state, 'paid');
          assert.equal(call.payment.imp_uid, payment.imp_uid);
          assert.equal(call.payment.amount, 14000);
          await assertNotCancelled(v, payment.imp_uid, 'paid');
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
          assert.equal(hooks(v, merchant_uid), 1);
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
          assert.equal(hooks(v, merchant_uid), 0, 'no fulfilment before the deposit');

          // The buyer deposits: PortOne says paid and notifies.
          await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }, form), 'deposit webhook');
          order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'paid');
          assert.deepEqual(trail(order), ['ready/prepare', `vbank_issued/${via}`, 'paid/webhook']);
          assert.equal(hooks(v, merchant_uid), 1);

          // A late verify of the same payment answers paid and changes nothing.
          const late = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
          assert.equal(late.status, 200);
          assert.equal(late.body.status, 'paid');
          assert.equal((await orderOf(v, merchant_uid)).history.length, 3);
          assert.equal(hooks(v, merchant_uid), 1);
        });

        test('ready but not a virtual account → 402 ready, the order left as it was', async () => {
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
        });

        const forgeries = [
          { what: 'paid with another amount', order: [10000, 'KRW'], payment: { amount: 100, status: 'paid', pay_method: 'card' } },
          { what: 'paid in another currency', order: [1000, 'KRW'], payment: { amount: 1000, currency: 'USD', status: 'paid', pay_method: 'card' } },
          { what: 'paid with a decimal amount that differs in the sixth place', order: [10.5, 'USD'], payment: { amount: 10.500001, currency: 'USD', status: 'paid', pay_method: 'paypal' } },
          { what: 'a virtual account issued for another amount', order: [50000, 'KRW'], payment: { amount: 500, status: 'ready', pay_method: 'vbank' } },
        ] as const;
        for (const forged of forgeries) {
          test(`${forged.what} → cancelled at PortOne with the checksum, order forgery, 409 forgery`, async () => {
            const spy = spyCancel(v);
            try {
              const merchant_uid = await preparedOrder(v, forged.order[0], forged.order[1]);
              const payment = await v.sandbox.createPayment({ merchant_uid, ...forged.payment });
              const answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
              if (viaWebhook) assertHandled(answer);
              else {
                assert.equal(answer.status, 409, JSON.stringify(answer.body));
                assert.equal(answer.body.status, 'forgery');
                assert.equal(typeof answer.body.message, 'string');
              }
              assert.equal(spy.requests.length, 1, 'one cancel');
              assert.equal(spy.requests[0]!.imp_uid, payment.imp_uid);
              assert.equal(spy.requests[0]!.checksum, forged.payment.amount, 'checksum = the cancellable balance');
              assert.ok(spy.requests[0]!.amount === undefined || spy.requests[0]!.amount === 0 || spy.requests[0]!.amount === forged.payment.amount, 'the whole balance');
              await assertCancelledAtPortOne(v, payment.imp_uid, [forged.payment.amount]);
              const order = await orderOf(v, merchant_uid);
              assert.equal(order.state, 'forgery');
              assert.equal(order.imp_uid, payment.imp_uid);
              assert.deepEqual(trail(order), ['ready/prepare', `forgery/${via}`]);
              assert.equal(hooks(v, merchant_uid), 0);
            } finally {
              spy.restore();
            }
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
            else assert.equal(answer.body.status, 'forgery', JSON.stringify(answer.body));
            assert.deepEqual(
              spy.requests.map((r) => r.checksum),
              [3800],
            );
            await assertCancelledAtPortOne(v, payment.imp_uid, [1200, 3800]);
            assert.equal((await orderOf(v, merchant_uid)).state, 'forgery');
          } finally {
            spy.restore();
          }
        });

        for (const status of ['failed', 'cancelled'] as const) {
          test(`${status} → 402 ${status}; nothing cancelled, no fulfilment, the order ${status}`, async () => {
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
              assert.equal(order.state, status);
              assert.deepEqual(trail(order), ['ready/prepare', `${status}/${via}`]);
              assert.equal(hooks(v, merchant_uid), 0);
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
            // PortOne is back: the retry settles.
            const retry = await settleVia(v, channel, payment.imp_uid, merchant_uid);
            assert.equal(retry.status, 200, JSON.stringify(retry.body));
            assert.equal((await orderOf(v, merchant_uid)).state, 'paid');
            assert.equal(hooks(v, merchant_uid), 1);
          });
        }

        test('PortOne unreachable while cancelling a forgery → 502 retryable, nothing stored; the retry cancels', async () => {
          const merchant_uid = await preparedOrder(v, 8000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 800, status: 'paid' });
          const remove = await addFault(v, { type: 'status', status: 503, path: '/payments/cancel' });
          let answer: Reply;
          try {
            answer = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          } finally {
            await remove();
          }
          assert.equal(answer.status, 502, JSON.stringify(answer.body));
          assert.equal(answer.body.retryable, true);
          await assertUntouched(v, merchant_uid);
          await assertNotCancelled(v, payment.imp_uid, 'paid');
          const retry = await settleVia(v, channel, payment.imp_uid, merchant_uid);
          if (viaWebhook) assertHandled(retry);
          else assert.equal(retry.body.status, 'forgery');
          await assertCancelledAtPortOne(v, payment.imp_uid, [800]);
          assert.equal((await orderOf(v, merchant_uid)).state, 'forgery');
        });
      });
    }

    describe('forged webhooks (the body is only a hint)', () => {
      for (const form of [false, true]) {
        const kind = form ? 'form' : 'JSON';
        test(`${kind}: says paid, PortOne says failed → 200, never paid, no fulfilment`, async () => {
          const merchant_uid = await preparedOrder(v, 6000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'failed' });
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' }, form));
          const order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'failed', 'PortOne’s word, not the body’s');
          assert.equal(hooks(v, merchant_uid), 0);
          // A real payment afterwards still settles the order.
          const good = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'paid' });
          assert.equal((await v.post('/payments/complete', { imp_uid: good.imp_uid, merchant_uid })).status, 200);
          assert.equal(hooks(v, merchant_uid), 1);
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
        });

        test(`${kind}: says cancelled while PortOne says paid → the paid order stays paid, no second fulfilment`, async () => {
          const merchant_uid = await preparedOrder(v, 6000);
          const payment = await v.sandbox.createPayment({ merchant_uid, amount: 6000, status: 'paid' });
          assert.equal((await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid })).status, 200);
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'cancelled', cancellation_id: 'forged' }, form));
          const order = await orderOf(v, merchant_uid);
          assert.equal(order.state, 'paid');
          assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
          assert.equal(hooks(v, merchant_uid), 1);
        });
      }
    });

    describe('webhooks the sandbox really sends', () => {
      test('JSON: approval → paid by webhook; the browser’s verify then answers paid; hook once', async () => {
        const merchant_uid = await preparedOrder(v, 12000);
        const payment = await v.sandbox.createPayment({ merchant_uid, amount: 12000, status: 'paid', notice_url: `${v.url}/portone/webhook` });
        await waitFor(async () => (await orderOf(v, merchant_uid)).state === 'paid', 'the webhook to settle the order');
        const done = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assert.equal(done.status, 200);
        assert.equal(done.body.status, 'paid');
        assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'paid/webhook']);
        assert.equal(hooks(v, merchant_uid), 1);
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
          await waitFor(async () => (await orderOf(v, merchant_uid)).state === 'vbank_issued', 'the issue webhook');
          await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
          await waitFor(async () => (await orderOf(v, merchant_uid)).state === 'paid', 'the deposit webhook');
          assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'vbank_issued/webhook', 'paid/webhook']);
          assert.equal(hooks(v, merchant_uid), 1);
          const deliveries = (await v.sandbox.ok('GET', '/webhooks')).deliveries.filter((d: { body: { imp_uid: string } }) => d.body.imp_uid === payment.imp_uid);
          assert.deepEqual(
            deliveries.map((d: { content_type: string; status: number }) => `${d.content_type} ${d.status}`),
            ['application/x-www-form-urlencoded 200', 'application/x-www-form-urlencoded 200'],
          );
        } finally {
          await v.sandbox.ok('PUT', '/config', { webhook_content_type: 'json' });
        }
      });

      test('a console cancel of a paid order is notified → the order cancelled', async () => {
        const merchant_uid = await preparedOrder(v, 2500);
        const payment = await v.sandbox.createPayment({ merchant_uid, amount: 2500, status: 'paid', notice_url: `${v.url}/portone/webhook` });
        await waitFor(async () => (await orderOf(v, merchant_uid)).state === 'paid', 'the approval webhook');
        await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'cancelled' });
        await waitFor(async () => (await orderOf(v, merchant_uid)).state === 'cancelled', 'the cancel webhook');
        assert.deepEqual(trail(await orderOf(v, merchant_uid)), ['ready/prepare', 'paid/webhook', 'cancelled/webhook']);
        assert.equal(hooks(v, merchant_uid), 1);
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
      { what: 'paid', order: 1000, payment: { amount: 1000, status: 'paid' }, answer: 200 },
      { what: 'vbank issued', order: 1000, payment: { amount: 1000, status: 'ready', pay_method: 'vbank' }, answer: 200 },
      { what: 'ready (card)', order: 1000, payment: { amount: 1000, status: 'ready', pay_method: 'card' }, answer: 402 },
      { what: 'failed', order: 1000, payment: { amount: 1000, status: 'failed' }, answer: 402 },
      { what: 'cancelled', order: 1000, payment: { amount: 1000, status: 'cancelled' }, answer: 402 },
      { what: 'forgery', order: 1000, payment: { amount: 10, status: 'paid' }, answer: 409 },
      { what: 'forged virtual account', order: 1000, payment: { amount: 10, status: 'ready', pay_method: 'vbank' }, answer: 409 },
    ] as const;
    for (const c of cases) {
      test(`${c.what}: a replayed verify answers the same and adds no history; replayed webhooks add none either`, async () => {
        const merchant_uid = await preparedOrder(v, c.order);
        const payment = await v.sandbox.createPayment({ merchant_uid, ...c.payment });
        const first = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assert.equal(first.status, c.answer, JSON.stringify(first.body));
        const history = (await orderOf(v, merchant_uid)).history;
        for (let i = 0; i < 3; i++) {
          const again = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
          assert.equal(again.status, first.status, `replay ${i}: ${JSON.stringify(again.body)}`);
          assert.deepEqual(again.body, first.body, `replay ${i} answers the same`);
          assertHandled(await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: c.payment.status }, i % 2 === 1));
        }
        assert.deepEqual((await orderOf(v, merchant_uid)).history, history, 'no new history');
        assert.equal(hooks(v, merchant_uid), c.what === 'paid' ? 1 : 0);
        if (c.answer === 409) assert.equal((await sandboxPayment(v, payment.imp_uid)).cancel_history.length, 1, 'cancelled once');
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
        if (CHANNELS[i % 3] === 'complete') assert.equal(answer.body.status, 'paid');
      });
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.state, 'paid');
      assert.equal(order.history.filter((h: { state: string }) => h.state === 'paid').length, 1, JSON.stringify(order.history));
      assert.equal(order.history.length, 2);
      assert.equal(hooks(v, merchant_uid), 1);
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
      assert.equal(hooks(v, merchant_uid), 1);
    });

    test('50 concurrent calls for a forged payment → cancelled once at PortOne, one forgery entry, every verify answers forgery', async () => {
      const merchant_uid = await preparedOrder(v, 25000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 250, status: 'paid' });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => settleVia(v, CHANNELS[i % 3]!, payment.imp_uid, merchant_uid)));
      answers.forEach((answer, i) => {
        if (CHANNELS[i % 3] === 'complete') assert.deepEqual([answer.status, answer.body.status], [409, 'forgery'], `call ${i}: ${JSON.stringify(answer.body)}`);
        else assertHandled(answer, `call ${i}`);
      });
      await assertCancelledAtPortOne(v, payment.imp_uid, [250]);
      const order = await orderOf(v, merchant_uid);
      assert.deepEqual(trail(order).map((t) => t.split('/')[0]), ['ready', 'forgery']);
      assert.equal(hooks(v, merchant_uid), 0);
    });

    test('a verify that reads the forged payment after its cancel but before the forgery is stored → forgery, not cancelled', async () => {
      const merchant_uid = await preparedOrder(v, 25000);
      const payment = await v.sandbox.createPayment({ merchant_uid, amount: 2500, status: 'paid' });
      let second: Reply | undefined;
      // The webhook cancels; while it has not stored the forgery yet, the browser's verify comes in.
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
      assert.deepEqual([second.status, second.body.status], [409, 'forgery'], JSON.stringify(second.body));
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.state, 'forgery');
      assert.deepEqual(trail(order).map((t) => t.split('/')[0]), ['ready', 'forgery']);
      await assertCancelledAtPortOne(v, payment.imp_uid, [2500]);
    });

    test('the forgery cancel refused because the balance moved meanwhile → 502 retryable, not forgery; the retry cancels the rest', async () => {
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
        assert.equal(first.status, 502, JSON.stringify(first.body));
        assert.equal(first.body.retryable, true);
        await assertUntouched(v, merchant_uid);
        const retry = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
        assert.deepEqual([retry.status, retry.body.status], [409, 'forgery'], JSON.stringify(retry.body));
        assert.deepEqual(
          spy.requests.map((r) => r.checksum),
          [2500, 2000],
        );
      } finally {
        spy.restore();
      }
      await assertCancelledAtPortOne(v, payment.imp_uid, [500, 2000]);
      assert.equal((await orderOf(v, merchant_uid)).state, 'forgery');
    });

    test('a second paid payment for a paid order → refunded at PortOne (409 duplicate), the first one kept, hook once', async () => {
      const merchant_uid = await preparedOrder(v, 3000);
      const first = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      const second = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      assert.equal((await v.post('/payments/complete', { imp_uid: first.imp_uid, merchant_uid })).status, 200);
      const dup = await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid });
      assert.equal(dup.status, 409, JSON.stringify(dup.body));
      assert.equal(dup.body.status, 'duplicate');
      await assertCancelledAtPortOne(v, second.imp_uid, [3000]);
      await assertNotCancelled(v, first.imp_uid, 'paid');
      // Replayed (verify or webhook): the same answer, no second refund, nothing moves.
      assert.deepEqual(await v.post('/payments/complete', { imp_uid: second.imp_uid, merchant_uid }), dup);
      assertHandled(await webhook(v, { imp_uid: second.imp_uid, merchant_uid, status: 'cancelled' }));
      await assertCancelledAtPortOne(v, second.imp_uid, [3000]);
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.imp_uid, first.imp_uid);
      assert.deepEqual(trail(order), ['ready/prepare', 'paid/complete']);
      assert.equal(hooks(v, merchant_uid), 1);
    });

    test('two paid payments for one order settled at the same moment → one kept, the other refunded, hook once', async () => {
      const merchant_uid = await preparedOrder(v, 3000);
      const a = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      const b = await v.sandbox.createPayment({ merchant_uid, amount: 3000, status: 'paid' });
      // Both settlements read the order (still ready) before either moves it.
      const both = barrier(2);
      const get = v.store.get;
      v.store.get = async (uid: string) => {
        const order = await get.call(v.store, uid);
        if (uid === merchant_uid) await both();
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
      assert.equal(hooks(v, merchant_uid), 1);
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
    const urls: string[] = [];
    for (const store of stores) {
      const app = createApp({
        store,
        portone: new PortOneClient({ apiUrl: one.sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET }),
        logger: silentLogger,
        onPaid: (order) => void fulfilled.push(order.merchant_uid),
      });
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
      const order = (await stores[1]!.get(merchant_uid))!;
      assert.equal(order.state, 'paid');
      assert.equal(order.history.filter((h) => h.state === 'paid').length, 1, JSON.stringify(order.history));
      assert.equal(fulfilled.filter((m) => m === merchant_uid).length, 1);
    } finally {
      for (const server of servers) {
        await new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        });
      }
      for (const store of stores) await store.close();
      await one.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /payments/:merchant_uid', () => {
  let v: VerifierHarness;
  before(async () => (v = await startVerifier({ store: 'sqlite' })));
  after(() => v.close());

  test('the order and its history, oldest first, as {state, at, via}; no buyer data', async () => {
    const merchant_uid = await preparedOrder(v, 50000, 'KRW', '노트북 거치대');
    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 50000, status: 'ready', pay_method: 'vbank', buyer_name: '홍길동', buyer_email: 'buyer@example.com', buyer_tel: '010-1234-5678' });
    await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
    await v.sandbox.ok('PATCH', `/payments/${payment.imp_uid}`, { status: 'paid' });
    await webhook(v, { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' });
    const answer = await v.get(`/payments/${merchant_uid}`);
    assert.equal(answer.status, 200);
    const order = answer.body;
    assert.deepEqual(Object.keys(order).sort(), ['amount', 'currency', 'history', 'imp_uid', 'merchant_uid', 'name', 'state']);
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
    const text = JSON.stringify(order);
    for (const secret of ['홍길동', 'buyer@example.com', '010-1234-5678']) assert.ok(!text.includes(secret), `no buyer data (${secret})`);
  });

  test('a fresh order: state ready, imp_uid null, one history entry via prepare', async () => {
    const merchant_uid = await preparedOrder(v, 100);
    const order = await orderOf(v, merchant_uid);
    assert.equal(order.state, 'ready');
    assert.equal(order.imp_uid, null);
    assert.deepEqual(trail(order), ['ready/prepare']);
  });

  test('an unknown order → 404 {status: unknown_order}', async () => {
    const answer = await v.get(`/payments/${uid('nobody')}`);
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { status: 'unknown_order' });
  });
});
