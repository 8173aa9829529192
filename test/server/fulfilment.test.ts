// Fulfilment (SPEC §4): a paid order is delivered to the merchant's `onPaid` hook and/or a Standard Webhooks
// signed POST to FULFILMENT_URL, under a lease; a failed attempt is retried with backoff until done; `complete`
// answers within its wait whatever the hook does; `fulfilment` on the order JSON counts the attempts. The receiver
// here checks the signature from the Standard Webhooks rules themselves (not with this project's signing code).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { type FulfilmentReceiver, startFulfilmentReceiver } from './fixtures/standard-webhooks.js';
import { uid, waitFor } from './helpers.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';

/** A Standard Webhooks secret: `whsec_` + base64 of the key bytes. */
const SECRET = `whsec_${Buffer.from('a fulfilment key of 32 bytes!!!!').toString('base64')}`;

/** The answer to a signed delivery by how many of the order's deliveries came before it. */
function answerByAttempt(receiver: FulfilmentReceiver, answer: (nth: number) => { status: number; delayMs?: number }): void {
  receiver.answer = (delivery) => answer(receiver.deliveries.filter((d) => d.merchant_uid === delivery.merchant_uid).length);
}

/** A prepared order paid at the sandbox and verified; returns the verify answer. */
async function payAndVerify(v: VerifierHarness, amount = 5000) {
  const merchant_uid = uid('ful');
  assert.equal((await v.prepare({ merchant_uid, amount })).status, 201);
  const payment = await v.sandbox.createPayment({ merchant_uid, amount, status: 'paid' });
  const answer = await v.post('/payments/complete', { imp_uid: payment.imp_uid, merchant_uid });
  return { merchant_uid, imp_uid: payment.imp_uid as string, answer };
}

const orderOf = async (v: VerifierHarness, merchantUid: string) => (await v.get(`/payments/${merchantUid}`)).body;

describe('the onPaid hook', () => {
  const harnesses: VerifierHarness[] = [];
  after(() => Promise.all(harnesses.map((v) => v.close())));

  test('succeeds first time: complete answers fulfilment done; the order says done after 1 attempt; a replay runs nothing', async () => {
    const v = await startVerifier();
    harnesses.push(v);
    const { merchant_uid, imp_uid, answer } = await payAndVerify(v);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.fulfilment, 'done');
    const order = await orderOf(v, merchant_uid);
    assert.equal(order.fulfilment.state, 'done');
    assert.equal(order.fulfilment.attempts, 1);
    assert.equal(typeof order.fulfilment.at, 'string');
    const again = await v.post('/payments/complete', { imp_uid, merchant_uid });
    assert.equal(again.body.fulfilment, 'done');
    assert.equal(v.fulfilled.length, 1, 'the hook ran once');
  });

  test('throws twice: complete answers pending; retried by the server with backoff; 3 attempts, done, hook succeeded once', async () => {
    let calls = 0;
    const v = await startVerifier({
      onPaid: () => {
        if (++calls <= 2) throw new Error(`the shop is down (${calls})`);
      },
    });
    harnesses.push(v);
    const { merchant_uid, answer } = await payAndVerify(v);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.fulfilment, 'pending');
    const order = await waitFor(async () => {
      const o = await orderOf(v, merchant_uid);
      return o.fulfilment.state === 'done' ? o : null;
    }, 'the retries to deliver');
    assert.equal(order.fulfilment.attempts, 3);
    assert.equal(calls, 3);
    await sleep(300);
    assert.equal(calls, 3, 'nothing after done');
  });

  test('a hook slower than the wait: complete answers pending while it runs, then the order is done; never a second attempt meanwhile', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const v = await startVerifier({
      // The lease (300 ms, renewed every 100 ms) is far shorter than the hook: renewal keeps other attempts out.
      fulfilment: { waitMs: 200, leaseMs: 300 },
      onPaid: async () => {
        calls++;
        await released;
      },
    });
    harnesses.push(v);
    const { merchant_uid, answer } = await payAndVerify(v);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.status, 'paid');
    assert.equal(answer.body.fulfilment, 'pending', 'answered while the hook still runs');
    await sleep(1000);
    assert.equal(calls, 1, 'no second attempt while the first holds its lease');
    assert.equal((await orderOf(v, merchant_uid)).fulfilment.state, 'pending');
    release();
    await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'done');
    assert.equal(calls, 1);
  });

  test('a webhook that pays the order delivers too (in the background); the order JSON shows fulfilment none before payment', async () => {
    const v = await startVerifier();
    harnesses.push(v);
    const merchant_uid = uid('ful');
    await v.prepare({ merchant_uid, amount: 7000 });
    assert.deepEqual((await orderOf(v, merchant_uid)).fulfilment, { state: 'none', attempts: 0, at: null });
    const payment = await v.sandbox.createPayment({ merchant_uid, amount: 7000, status: 'paid' });
    const hook = await v.post('/portone/webhook', { imp_uid: payment.imp_uid, merchant_uid, status: 'paid' });
    assert.equal(hook.status, 200);
    await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'delivered after the webhook');
    assert.equal(v.fulfilled.length, 1);
  });
});

describe('an order cancelled before its delivery went through', () => {
  test('cancelled on the console while the shop was down: never shipped, the delivery ends', async () => {
    let down = true;
    const shipped: string[] = [];
    const v = await startVerifier({
      onPaid: (order) => {
        if (down) throw new Error('the shop is down');
        shipped.push(order.merchant_uid);
      },
      fulfilment: { backoffMs: 300, maxBackoffMs: 300 },
    });
    try {
      const { merchant_uid, imp_uid, answer } = await payAndVerify(v);
      assert.equal(answer.body.fulfilment, 'pending');
      // The merchant refunds it on PortOne's console; PortOne's webhook tells the server.
      await v.sandbox.ok('PATCH', `/payments/${imp_uid}`, { status: 'cancelled' });
      await v.post('/portone/webhook', { imp_uid, merchant_uid, status: 'cancelled' });
      assert.equal((await orderOf(v, merchant_uid)).state, 'cancelled');
      down = false;
      await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'the owed delivery to end');
      assert.deepEqual(shipped, [], 'a refunded order is not shipped');
    } finally {
      await v.close();
    }
  });
});

describe('FULFILMENT_URL: a signed POST per paid order', () => {
  for (const store of ['memory', 'sqlite'] as const) {
    test(`failing twice (${store}): 3 attempts, the same webhook-id each time, each signed; the body carries the order and the payment; the hook beside it ran once`, async () => {
      const receiver = await startFulfilmentReceiver(SECRET);
      answerByAttempt(receiver, (nth) => ({ status: nth < 2 ? 503 : 204 }));
      const v = await startVerifier({ store, fulfilmentEndpoint: { url: receiver.url, secret: SECRET } });
      try {
        const { merchant_uid, imp_uid, answer } = await payAndVerify(v, 12345);
        assert.equal(answer.body.fulfilment, 'pending');
        await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'delivered');
        const mine = receiver.deliveries.filter((d) => d.body.order.merchant_uid === merchant_uid);
        assert.deepEqual(
          mine.map((d) => d.answered),
          [503, 503, 204],
        );
        assert.ok(mine.every((d) => d.signed), 'every attempt is signed');
        assert.equal(new Set(mine.map((d) => d.id)).size, 1, 'one webhook-id for every attempt of one order');
        assert.match(mine[0]!.id, /^msg_/);
        const { body } = mine[2]!;
        assert.equal(body.type, 'order.paid');
        assert.equal(body.order.merchant_uid, merchant_uid);
        assert.equal(body.order.amount, 12345);
        assert.equal(body.order.state, 'paid');
        assert.equal(body.payment.imp_uid, imp_uid);
        assert.equal(body.payment.amount, 12345);
        assert.equal((await orderOf(v, merchant_uid)).fulfilment.attempts, 3);
        assert.equal(v.fulfilled.length, 1, 'the hook (beside the URL) ran once: the retries were the POST alone');
      } finally {
        await v.close();
        await receiver.close();
      }
    });
  }

  test('a receiver with another secret refuses (401): the delivery stays pending and is retried, never marked done', async () => {
    const receiver = await startFulfilmentReceiver(`whsec_${Buffer.from('another key of thirty-two bytes!').toString('base64')}`);
    const v = await startVerifier({ fulfilmentEndpoint: { url: receiver.url, secret: SECRET } });
    try {
      const { merchant_uid } = await payAndVerify(v);
      await waitFor(() => receiver.deliveries.length >= 3, 'three refused attempts');
      const order = await orderOf(v, merchant_uid);
      assert.equal(order.fulfilment.state, 'pending');
      assert.ok(receiver.deliveries.every((d) => !d.signed && d.answered === 401));
    } finally {
      await v.close();
      await receiver.close();
    }
  });

  test('two orders get two webhook-ids; a receiver that never answers in time is cut by the timeout and retried', async () => {
    const receiver = await startFulfilmentReceiver(SECRET);
    answerByAttempt(receiver, (nth) => ({ status: 200, delayMs: nth === 0 ? 1500 : 0 }));
    const v = await startVerifier({ fulfilmentEndpoint: { url: receiver.url, secret: SECRET }, fulfilment: { timeoutMs: 300 } });
    try {
      const first = await payAndVerify(v);
      const second = await payAndVerify(v);
      for (const { merchant_uid } of [first, second]) await waitFor(async () => (await orderOf(v, merchant_uid)).fulfilment.state === 'done', 'delivered');
      const ids = new Set(receiver.deliveries.map((d) => d.id));
      assert.equal(ids.size, 2);
      assert.ok((await orderOf(v, first.merchant_uid)).fulfilment.attempts >= 2, 'the slow first attempt timed out and was retried');
    } finally {
      await v.close();
      await receiver.close();
    }
  });
});
