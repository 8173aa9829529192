// The PortOne REST V2 client (server/portone/v2/client.ts) against the sandbox's V2 side: `PortOne <secret>` auth,
// 404 → null, pre-register, cancel with currentCancellableAmount and an Idempotency-Key that is the same for the same
// refund (so a retry never cancels twice), the deadline cutting a long cancel, and @portone/server-sdk as an oracle
// for what a payment reads as.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PaymentClient } from '@portone/server-sdk/payment';
import { PortOneUnavailable } from '../../server/portone/retry.js';
import { PortOneV2Client, PortOneV2Refused, refundIdempotencyKey } from '../../server/portone/v2/client.js';
import { type SandboxClient, startTestSandbox } from './helpers.js';
import { paymentIdFor } from './verifier-v2-harness.js';

let sandbox: SandboxClient;
let client: PortOneV2Client;
let storeId: string;
const v2 = () => sandbox.sandbox.v2;

before(async () => {
  sandbox = await startTestSandbox({ port: 0 });
  storeId = v2().credentials.storeId;
  client = new PortOneV2Client({ apiUrl: v2().url, apiSecret: v2().credentials.apiSecret, timeoutMs: 1_000, deadlineMs: 4_000, backoffMs: 20 });
});
after(() => sandbox.sandbox.close());

describe('PortOneV2Client', () => {
  test('getPayment: the payment, parsed; PAYMENT_NOT_FOUND → null; the same as PortOne’s own SDK reads', async () => {
    const paymentId = paymentIdFor('cl');
    const made = await v2().control.createPayment({ paymentId, amount: 1050, currency: 'USD', status: 'PAID' });
    const read = await client.getPayment(paymentId, storeId);
    assert.deepEqual([read?.id, read?.transactionId, read?.status, read?.amount.total, read?.currency], [paymentId, made.transactionId, 'PAID', 1050, 'USD']);
    const official = (await PaymentClient({ secret: v2().credentials.apiSecret, baseUrl: v2().url }).getPayment({ paymentId })) as unknown as { id: string; status: string; transactionId: string };
    assert.deepEqual([official.id, official.status, official.transactionId], [read?.id, read?.status, read?.transactionId]);
    assert.equal(await client.getPayment(paymentIdFor('none'), storeId), null);
  });

  test('a wrong secret is a PortOneV2Refused 401 UNAUTHORIZED, not retried', async () => {
    const wrong = new PortOneV2Client({ apiUrl: v2().url, apiSecret: 'not-the-secret' });
    await assert.rejects(wrong.getPayment('x', storeId), (error: unknown) => error instanceof PortOneV2Refused && error.status === 401 && error.type === 'UNAUTHORIZED');
  });

  test('preRegister sends { storeId, totalAmount, currency }', async () => {
    const paymentId = paymentIdFor('pre');
    await client.preRegister(paymentId, { storeId, totalAmount: 14000, currency: 'KRW' });
    const registered = await v2().control.preRegistration(paymentId);
    assert.deepEqual([registered.totalAmount, registered.currency], [14000, 'KRW']);
  });

  test('refundIdempotencyKey: the same refund, the same key; another transaction or balance, another key; 16–256 ASCII', () => {
    const request = { reason: 'r', currentCancellableAmount: 100, transactionId: 'tx1' };
    const key = refundIdempotencyKey('store', 'pay', request);
    assert.equal(refundIdempotencyKey('store', 'pay', { ...request, reason: 'other words' }), key, 'the reason is not part of what is refunded');
    assert.notEqual(refundIdempotencyKey('store', 'pay', { ...request, transactionId: 'tx2' }), key);
    assert.notEqual(refundIdempotencyKey('store', 'pay', { ...request, currentCancellableAmount: 60 }), key);
    assert.notEqual(refundIdempotencyKey('store', 'pay2', request), key);
    assert.match(key, /^[\x21-\x7e]{16,256}$/);
  });

  test('cancel twice with the same refund: PortOne replays the first answer; the payment is cancelled once', async () => {
    const paymentId = paymentIdFor('twice');
    const made = await v2().control.createPayment({ paymentId, amount: 5000, status: 'PAID' });
    const request = { reason: 'refund', currentCancellableAmount: 5000, transactionId: made.transactionId };
    const first = await client.cancel(paymentId, storeId, request);
    const second = await client.cancel(paymentId, storeId, request);
    assert.equal(first.status, 'SUCCEEDED');
    assert.deepEqual(second, first, 'the replayed answer');
    const after = await v2().control.payment(paymentId);
    assert.deepEqual([after.status, after.cancellations?.length], ['CANCELLED', 1]);
  });

  test('a cancel whose first attempt times out is retried with the same key: one cancellation, whichever attempt PortOne took', async () => {
    const paymentId = paymentIdFor('slow');
    const made = await v2().control.createPayment({ paymentId, amount: 5000, status: 'PAID' });
    const fault = await v2().control.addFault({ type: 'latency', ms: 1_000, path: `/payments/${paymentId}/cancel`, method: 'POST', times: 1 });
    const impatient = new PortOneV2Client({ apiUrl: v2().url, apiSecret: v2().credentials.apiSecret, cancelTimeoutMs: 300, deadlineMs: 4_000, backoffMs: 100, maxAttempts: 10 });
    const result = await impatient.cancel(paymentId, storeId, { reason: 'refund', currentCancellableAmount: 5000, transactionId: made.transactionId });
    assert.equal(result.status, 'SUCCEEDED');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const after = await v2().control.payment(paymentId);
    assert.deepEqual([after.status, after.cancellations?.length], ['CANCELLED', 1]);
    await v2().control.removeFault(fault.id).catch(() => undefined);
  });

  test('a cancel may wait up to cancelTimeoutMs (60 s by default), but never past the caller’s deadline', async () => {
    const paymentId = paymentIdFor('hang');
    const made = await v2().control.createPayment({ paymentId, amount: 5000, status: 'PAID' });
    const fault = await v2().control.addFault({ type: 'latency', ms: 3_000, path: `/payments/${paymentId}/cancel`, method: 'POST' });
    const patient = new PortOneV2Client({ apiUrl: v2().url, apiSecret: v2().credentials.apiSecret });
    const started = Date.now();
    await assert.rejects(patient.cancel(paymentId, storeId, { reason: 'r', currentCancellableAmount: 5000, transactionId: made.transactionId }, { deadline: Date.now() + 700 }), PortOneUnavailable);
    assert.ok(Date.now() - started < 1_500, `gave up at the deadline (${Date.now() - started} ms)`);
    await v2().control.removeFault(fault.id);
  });

  test('a refused cancel (already cancelled) is PortOneV2Refused with PortOne’s type', async () => {
    const paymentId = paymentIdFor('done');
    const made = await v2().control.createPayment({ paymentId, amount: 5000, status: 'CANCELLED' });
    await assert.rejects(
      client.cancel(paymentId, storeId, { reason: 'r', currentCancellableAmount: 5000, transactionId: made.transactionId }),
      (error: unknown) => error instanceof PortOneV2Refused && error.status === 409,
    );
  });
});
