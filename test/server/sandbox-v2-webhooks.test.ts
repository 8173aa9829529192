// The sandbox's V2 webhooks: 2024-04-25 bodies, signed as Standard Webhooks with the sandbox's secret, sent when
// PortOne sends them (paid, virtual account issued, deposit, failed, cancelled, partially cancelled) to the payment's
// noticeUrls or the console's URL (setNoticeUrl), retried with the same webhook-id. @portone/server-sdk's
// Webhook.verify is the oracle; the project's own Standard Webhooks check (fixtures) is the second opinion.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from '@portone/server-sdk';
import { DEFAULT_V2_CREDENTIALS, type Sandbox, startSandbox, type V2WebhookBody } from '../../sandbox/index.js';
import { verifyStandardWebhook } from './fixtures/standard-webhooks.js';
import { type Receiver, type ReceivedRequest, startReceiver } from './helpers.js';

const SECRET = DEFAULT_V2_CREDENTIALS.webhookSecret;
let sandbox: Sandbox;
let receiver: Receiver;

before(async () => {
  sandbox = await startSandbox({ quiet: true });
  receiver = await startReceiver();
});
after(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  sandbox.v2.setNoticeUrl(receiver.url);
  await sandbox.v2.control.reset();
  receiver.requests.length = 0;
  receiver.respondWith = () => 200;
});

/** The `data` of a received V2 webhook body (the receiver types bodies as V1's flat records). */
function dataOf(request: ReceivedRequest): Partial<V2WebhookBody['data']> {
  return (request.body as unknown as Partial<V2WebhookBody>).data ?? {};
}

function headersOf(request: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(Object.entries(request.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The webhooks received for a paymentId, each verified by the official SDK and by the project's own check. */
async function received(paymentId: string, count: number): Promise<V2WebhookBody[]> {
  const requests = await receiver.waitFor(count, (r) => dataOf(r).paymentId === paymentId);
  const bodies: V2WebhookBody[] = [];
  for (const request of requests) {
    const verified = await Webhook.verify(SECRET, request.raw, headersOf(request));
    assert.ok(verifyStandardWebhook(SECRET, request.headers, request.raw));
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.raw), verified);
    bodies.push(verified as unknown as V2WebhookBody);
  }
  return bodies;
}

describe('V2 webhooks', () => {
  test('paid: Transaction.Paid with storeId, paymentId, transactionId and an RFC 3339 timestamp, verified by Webhook.verify', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    const [body] = await received(p.id, 1);
    assert.deepEqual(body, { type: 'Transaction.Paid', timestamp: body!.timestamp, data: { storeId: 'store-sandbox', paymentId: p.id, transactionId: p.transactionId } });
    assert.ok(Date.parse(body!.timestamp) > 0 && /T.*Z$/.test(body!.timestamp));
    const [request] = receiver.requests;
    assert.match(request!.headers['webhook-id'] as string, /^msg_/);
    assert.ok(Math.abs(Number(request!.headers['webhook-timestamp']) - Date.now() / 1000) < 10);
    assert.match(request!.headers['webhook-signature'] as string, /^v1,[A-Za-z0-9+/]+=*$/);
    const log = await sandbox.v2.control.webhooks();
    assert.equal(log.deliveries[0]!.type, 'Transaction.Paid');
    assert.equal(log.deliveries[0]!.status, 200);
  });

  test('another secret is refused by Webhook.verify', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    await received(p.id, 1);
    const [request] = receiver.requests;
    await assert.rejects(Webhook.verify('whsec_d3Jvbmctc2VjcmV0', request!.raw, headersOf(request!)), Webhook.WebhookVerificationError);
  });

  test('virtual account: VirtualAccountIssued, then the deposit: Paid', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 30000, status: 'VIRTUAL_ACCOUNT_ISSUED' });
    await received(p.id, 1);
    await sandbox.v2.control.deposit(p.id);
    const bodies = await received(p.id, 2);
    assert.deepEqual(bodies.map((b) => b.type), ['Transaction.VirtualAccountIssued', 'Transaction.Paid']);
  });

  test('failed (an expired account): Transaction.Failed', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 30000, status: 'VIRTUAL_ACCOUNT_ISSUED' });
    await sandbox.v2.control.changePayment(p.id, { status: 'FAILED' });
    const bodies = await received(p.id, 2);
    assert.equal(bodies[1]!.type, 'Transaction.Failed');
  });

  test('API cancels: PartialCancelled then Cancelled, each with its cancellationId; skipWebhook sends none', async () => {
    const p = await sandbox.v2.control.createPayment({ amount: 10000 });
    await received(p.id, 1);
    const call = (body: object) =>
      fetch(`${sandbox.v2.url}/payments/${p.id}/cancel`, { method: 'POST', headers: { authorization: `PortOne ${DEFAULT_V2_CREDENTIALS.apiSecret}` }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ cancellation: { id: string } }>);
    const part = await call({ reason: 'part', amount: 1000 });
    const silent = await call({ reason: 'silent', amount: 1000, skipWebhook: true });
    const rest = await call({ reason: 'rest' });
    const bodies = await received(p.id, 3);
    assert.deepEqual(
      bodies.map((b) => [b.type, b.data.cancellationId]),
      [
        ['Transaction.Paid', undefined],
        ['Transaction.PartialCancelled', part.cancellation.id],
        ['Transaction.Cancelled', rest.cancellation.id],
      ],
    );
    await sleep(100);
    assert.equal(receiver.requests.filter((r) => dataOf(r).cancellationId === silent.cancellation.id).length, 0);
  });

  test('console cancels (control): Cancelled; a payment’s noticeUrls replace the console URL', async () => {
    const other = await startReceiver();
    try {
      const p = await sandbox.v2.control.createPayment({ amount: 1000, noticeUrls: [other.url] });
      await sandbox.v2.control.changePayment(p.id, { status: 'CANCELLED' });
      const requests = await other.waitFor(2);
      assert.deepEqual(requests.map((r) => r.body.type), ['Transaction.Paid', 'Transaction.Cancelled']);
      await sleep(100);
      assert.equal(receiver.requests.length, 0);
    } finally {
      await other.close();
    }
  });

  test('retries (when enabled) keep the webhook-id and the body, each attempt signed anew', async () => {
    await sandbox.v2.control.configure({ webhookRetries: 2, webhookRetryIntervalMs: 10 });
    receiver.respondWith = (index) => (index < 2 ? 500 : 200);
    const p = await sandbox.v2.control.createPayment({ amount: 1000 });
    await receiver.waitFor(3);
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    assert.equal(new Set(receiver.requests.map((r) => r.raw)).size, 1);
    for (const request of receiver.requests) await Webhook.verify(SECRET, request.raw, headersOf(request));
    const log = await sandbox.v2.control.webhooks();
    assert.deepEqual(log.deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 500], [3, 200]]);
    assert.equal(log.deliveries[0]!.body.data.paymentId, p.id);
  });

  test('without a notice URL nothing is sent; setNoticeUrl survives a reset; a reset drops pending webhooks', async () => {
    sandbox.v2.setNoticeUrl(null);
    await sandbox.v2.control.createPayment({ amount: 1000 });
    await sleep(100);
    assert.equal(receiver.requests.length, 0);
    sandbox.v2.setNoticeUrl(receiver.url);
    await sandbox.v2.control.reset();
    assert.equal((await sandbox.v2.control.config()).noticeUrl, receiver.url);
    await sandbox.v2.control.configure({ webhookDelayMs: 200 });
    await sandbox.v2.control.createPayment({ amount: 1000 });
    await sandbox.v2.control.reset();
    await sleep(300);
    assert.equal(receiver.requests.length, 0);
  });

  test('startSandbox({ v2WebhookSecret, v2NoticeUrl }) signs with that secret and sends there', async () => {
    const secret = 'whsec_' + Buffer.from('another-sandbox-secret').toString('base64');
    const other = await startSandbox({ quiet: true, v2WebhookSecret: secret, v2NoticeUrl: receiver.url });
    try {
      const p = await other.v2.control.createPayment({ amount: 1000 });
      const [request] = await receiver.waitFor(1, (r) => dataOf(r).paymentId === p.id);
      await Webhook.verify(secret, request!.raw, headersOf(request!));
      await assert.rejects(Webhook.verify(SECRET, request!.raw, headersOf(request!)));
    } finally {
      await other.close();
    }
  });
});
