// PortOne V1 notifications as a merchant's receiver gets them: when they are sent (paid, vbank issued,
// deposit, console cancel; never for a failed payment; an API cancel only with enable_webhook for a payment
// that used webhooks), where (notice_url over the console URL), how (JSON or form), retries on 5xx and
// network errors, and the sandbox's delivery log.
//
// "No webhook" is observed with a sentinel: a later payment's webhook to the same receiver. Deliveries
// leave in the order they were queued, so once the sentinel's delivery is logged, an earlier one that
// existed would have been logged too.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Receiver, type SandboxClient, startReceiver, startTestSandbox, uid, waitFor } from './helpers.js';

let sb: SandboxClient;
let receiver: Receiver;
before(async () => {
  sb = await startTestSandbox();
});
after(() => sb.sandbox.close());
beforeEach(async () => {
  await sb.reset();
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

interface Delivery {
  seq: number;
  url: string;
  body: Record<string, string>;
  content_type: string;
  attempt: number;
  status: number | null;
  error: string | null;
}

async function deliveries(): Promise<Delivery[]> {
  return (await sb.ok<{ deliveries: Delivery[] }>('GET', '/webhooks')).deliveries;
}

/** Waits until the sandbox has logged `count` deliveries (matching `filter`). */
async function logged(count: number, filter: (d: Delivery) => boolean = () => true): Promise<Delivery[]> {
  return waitFor(async () => {
    const matching = (await deliveries()).filter(filter);
    return matching.length >= count ? matching : null;
  }, `${count} logged deliveries`);
}

/** A paid payment notified to `url`, and its delivery logged: everything queued before it has left. */
async function sentinel(url = receiver.url): Promise<void> {
  const p = await sb.createPayment({ merchant_uid: uid('sentinel'), amount: 1, notice_url: url });
  await logged(1, (d) => d.body.imp_uid === p.imp_uid);
}

function forPayment(impUid: string) {
  return (r: { body: Record<string, string> }) => r.body.imp_uid === impUid;
}

describe('when PortOne notifies', () => {
  test('paid: one POST of {imp_uid, merchant_uid, status} as JSON', async () => {
    const m = uid('paid');
    const p = await sb.createPayment({ merchant_uid: m, amount: 1000, notice_url: receiver.url });
    const [hook] = await receiver.waitFor(1);
    assert.equal(hook!.method, 'POST');
    assert.equal(hook!.url, '/webhook');
    assert.match(hook!.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(hook!.raw), { imp_uid: p.imp_uid, merchant_uid: m, status: 'paid' });
    await sentinel();
    assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 1, 'sent once');
  });

  test('virtual account issued (ready), then deposited (paid)', async () => {
    const m = uid('vbank');
    const p = await sb.createPayment({ merchant_uid: m, amount: 30000, status: 'ready', pay_method: 'vbank', notice_url: receiver.url });
    const [issued] = await receiver.waitFor(1);
    assert.deepEqual(issued!.body, { imp_uid: p.imp_uid, merchant_uid: m, status: 'ready' });
    await sb.ok('PATCH', `/payments/${p.imp_uid}`, { status: 'paid' });
    const [, deposited] = await receiver.waitFor(2);
    assert.deepEqual(deposited!.body, { imp_uid: p.imp_uid, merchant_uid: m, status: 'paid' });
  });

  test('an open card window: no webhook until it is paid', async () => {
    const p = await sb.createPayment({ merchant_uid: uid('window'), amount: 1000, status: 'ready', notice_url: receiver.url });
    await sentinel();
    assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 0);
    await sb.ok('PATCH', `/payments/${p.imp_uid}`, { status: 'paid' });
    const [hook] = await receiver.waitFor(1, forPayment(p.imp_uid));
    assert.equal(hook!.body.status, 'paid');
  });

  test('console cancel (PATCH … cancelled): status cancelled with the cancellation_id, partial and full', async () => {
    const m = uid('console');
    const p = await sb.createPayment({ merchant_uid: m, amount: 10000, notice_url: receiver.url });
    await receiver.waitFor(1);
    const partial = await sb.ok('PATCH', `/payments/${p.imp_uid}`, { status: 'cancelled', amount: 4000 });
    const full = await sb.ok('PATCH', `/payments/${p.imp_uid}`, { status: 'cancelled' });
    const hooks = await receiver.waitFor(3);
    const cancels = hooks.slice(1).sort((a, b) => (a.body.status < b.body.status ? 1 : -1));
    assert.deepEqual(cancels[0]!.body, { imp_uid: p.imp_uid, merchant_uid: m, status: 'paid', cancellation_id: partial.cancel_history[0].cancellation_id });
    assert.deepEqual(cancels[1]!.body, { imp_uid: p.imp_uid, merchant_uid: m, status: 'cancelled', cancellation_id: full.cancel_history[1].cancellation_id });
  });

  test('a payment made cancelled: one cancelled webhook with its cancellation_id', async () => {
    const p = await sb.createPayment({ merchant_uid: uid('madecancelled'), amount: 1000, status: 'cancelled', notice_url: receiver.url });
    const [hook] = await receiver.waitFor(1);
    assert.deepEqual(hook!.body, { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, status: 'cancelled', cancellation_id: p.cancel_history[0].cancellation_id });
  });

  test('failed: no webhook, made failed or failed later', async () => {
    const failed = await sb.createPayment({ merchant_uid: uid('failed'), amount: 1000, status: 'failed', notice_url: receiver.url });
    const ready = await sb.createPayment({ merchant_uid: uid('fails'), amount: 1000, status: 'ready', notice_url: receiver.url });
    await sb.ok('PATCH', `/payments/${ready.imp_uid}`, { status: 'failed' });
    await sentinel();
    assert.equal(receiver.requests.length, 1, 'only the sentinel');
    assert.equal((await deliveries()).length, 1);
    for (const p of [failed, ready]) assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 0);
  });

  test('API cancel: no webhook without enable_webhook', async () => {
    const p = await sb.createPayment({ merchant_uid: uid('api'), amount: 1000, notice_url: receiver.url });
    await receiver.waitFor(1);
    const token = await sb.token();
    const partial = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: p.imp_uid, amount: 100 } });
    assert.equal(partial.body.code, 0);
    const full = await sb.rest('POST', '/payments/cancel', { token, form: true, body: { imp_uid: p.imp_uid, enable_webhook: 'false' } });
    assert.equal(full.body.response.status, 'cancelled');
    await sentinel();
    assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 1, 'only the paid webhook');
  });

  test('API cancel with enable_webhook=true: notified, for a payment that used webhooks', async () => {
    const m = uid('apiwh');
    const p = await sb.createPayment({ merchant_uid: m, amount: 1000, notice_url: receiver.url });
    await receiver.waitFor(1);
    const answer = await sb.rest('POST', '/payments/cancel', { token: await sb.token(), body: { imp_uid: p.imp_uid, enable_webhook: true } });
    assert.equal(answer.body.response.status, 'cancelled');
    const [, hook] = await receiver.waitFor(2, forPayment(p.imp_uid));
    assert.deepEqual(hook!.body, { imp_uid: p.imp_uid, merchant_uid: m, status: 'cancelled', cancellation_id: answer.body.response.cancel_history[0].cancellation_id });
  });

  test('API cancel with enable_webhook=true (form): nothing for a payment that never used webhooks', async () => {
    // Made while no notification URL existed anywhere: PortOne never notified it.
    const p = await sb.createPayment({ merchant_uid: uid('nowh'), amount: 1000 });
    await sb.ok('PUT', '/config', { notice_url: receiver.url });
    const answer = await sb.rest('POST', '/payments/cancel', { token: await sb.token(), form: true, body: { imp_uid: p.imp_uid, enable_webhook: 'true' } });
    assert.equal(answer.body.response.status, 'cancelled');
    await sentinel();
    assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 0);
  });

  test('a refused API cancel notifies nothing', async () => {
    const p = await sb.createPayment({ merchant_uid: uid('refused'), amount: 1000, notice_url: receiver.url });
    await receiver.waitFor(1);
    const answer = await sb.rest('POST', '/payments/cancel', { token: await sb.token(), body: { imp_uid: p.imp_uid, amount: 5000, enable_webhook: true } });
    assert.equal(answer.body.code, 1);
    await sentinel();
    assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 1);
  });
});

describe('where and how', () => {
  test('the configured notice URL when the payment names none; notice_url replaces it', async () => {
    const console_ = await startReceiver();
    try {
      await sb.ok('PUT', '/config', { notice_url: console_.url });
      const viaConsole = await sb.createPayment({ merchant_uid: uid('console'), amount: 1000 });
      const viaOwn = await sb.createPayment({ merchant_uid: uid('own'), amount: 1000, notice_url: receiver.url });
      const [hook] = await console_.waitFor(1);
      assert.equal(hook!.body.imp_uid, viaConsole.imp_uid);
      await receiver.waitFor(1, forPayment(viaOwn.imp_uid));
      await sentinel(console_.url);
      await sentinel(receiver.url);
      assert.equal(console_.requests.filter(forPayment(viaOwn.imp_uid)).length, 0, 'the console URL gets nothing when notice_url is given');
      assert.equal(receiver.requests.filter(forPayment(viaConsole.imp_uid)).length, 0);
    } finally {
      await console_.close();
    }
  });

  test('a startSandbox({noticeUrl}) is the console URL', async () => {
    const own = await startTestSandbox({ noticeUrl: receiver.url });
    try {
      assert.equal((await own.ok('GET', '/config')).notice_url, receiver.url);
      const p = await own.createPayment({ merchant_uid: uid('opt'), amount: 1000 });
      const [hook] = await receiver.waitFor(1);
      assert.deepEqual(hook!.body, { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, status: 'paid' });
    } finally {
      await own.sandbox.close();
    }
  });

  test('several notice_urls each get it', async () => {
    const second = await startReceiver();
    try {
      const p = await sb.createPayment({ merchant_uid: uid('many'), amount: 1000, notice_url: [receiver.url, second.url] });
      for (const r of [receiver, second]) assert.equal((await r.waitFor(1))[0]!.body.imp_uid, p.imp_uid);
    } finally {
      await second.close();
    }
  });

  test('form content type when configured', async () => {
    await sb.ok('PUT', '/config', { webhook_content_type: 'form' });
    const p = await sb.createPayment({ merchant_uid: uid('form'), amount: 1000, status: 'cancelled', notice_url: receiver.url });
    const [hook] = await receiver.waitFor(1);
    assert.equal(hook!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(hook!.raw)), {
      imp_uid: p.imp_uid,
      merchant_uid: p.merchant_uid,
      status: 'cancelled',
      cancellation_id: p.cancel_history[0].cancellation_id,
    });
    const [delivery] = await logged(1);
    assert.equal(delivery!.content_type, 'application/x-www-form-urlencoded');
  });

  test('webhook_delay_ms holds the webhook back at least that long', async () => {
    await sb.ok('PUT', '/config', { webhook_delay_ms: 200 });
    const started = performance.now();
    await sb.createPayment({ merchant_uid: uid('delay'), amount: 1000, notice_url: receiver.url });
    await receiver.waitFor(1);
    assert.ok(performance.now() - started >= 200 - 1, `arrived after ${performance.now() - started} ms`);
  });
});

describe('retries', () => {
  test('sent once by default, even when the receiver fails', async () => {
    // A short interval, so that a retry (if the sandbox wrongly made one) would come at once.
    await sb.ok('PUT', '/config', { webhook_retry_interval_ms: 10 });
    receiver.respondWith = () => 500;
    const p = await sb.createPayment({ merchant_uid: uid('once'), amount: 1000, notice_url: receiver.url });
    await logged(1);
    await sleep(100);
    assert.equal(receiver.requests.filter(forPayment(p.imp_uid)).length, 1);
    assert.deepEqual(
      (await deliveries()).map((d) => [d.attempt, d.status]),
      [[1, 500]],
    );
  });

  test('on 5xx, retried up to webhook_retries times, until it succeeds', async () => {
    await sb.ok('PUT', '/config', { webhook_retries: 3, webhook_retry_interval_ms: 20 });
    receiver.respondWith = (index) => (index < 2 ? 503 : 200);
    const m = uid('retry');
    const p = await sb.createPayment({ merchant_uid: m, amount: 1000, notice_url: receiver.url });
    const hooks = await receiver.waitFor(3);
    for (const hook of hooks) assert.deepEqual(hook.body, { imp_uid: p.imp_uid, merchant_uid: m, status: 'paid' });
    const log = await logged(3);
    assert.deepEqual(
      log.map((d) => [d.attempt, d.status, d.error]),
      [
        [1, 503, null],
        [2, 503, null],
        [3, 200, null],
      ],
    );
    await sleep(100);
    assert.equal(receiver.requests.length, 3, 'no retry after the success');
  });

  test('retries stop after webhook_retries; a 4xx is not retried', async () => {
    await sb.ok('PUT', '/config', { webhook_retries: 2, webhook_retry_interval_ms: 10 });
    receiver.respondWith = (_index, request) => (request.body.merchant_uid.startsWith('gone') ? 404 : 502);
    const failing = await sb.createPayment({ merchant_uid: uid('failing'), amount: 1000, notice_url: receiver.url });
    const gone = await sb.createPayment({ merchant_uid: uid('gone'), amount: 1000, notice_url: receiver.url });
    await logged(3, (d) => d.body.imp_uid === failing.imp_uid);
    await sleep(100);
    assert.deepEqual(
      (await deliveries()).filter((d) => d.body.imp_uid === failing.imp_uid).map((d) => [d.attempt, d.status]),
      [
        [1, 502],
        [2, 502],
        [3, 502],
      ],
    );
    assert.deepEqual(
      (await deliveries()).filter((d) => d.body.imp_uid === gone.imp_uid).map((d) => [d.attempt, d.status]),
      [[1, 404]],
    );
  });

  test('a network error is retried and logged with the error', async () => {
    const closed = await startReceiver();
    await closed.close();
    await sb.ok('PUT', '/config', { webhook_retries: 1, webhook_retry_interval_ms: 10 });
    const p = await sb.createPayment({ merchant_uid: uid('neterr'), amount: 1000, notice_url: closed.url });
    const log = await logged(2);
    for (const [i, delivery] of log.entries()) {
      assert.equal(delivery.attempt, i + 1);
      assert.equal(delivery.status, null);
      assert.equal(typeof delivery.error, 'string');
      assert.ok(delivery.error!.length > 0);
      assert.equal(delivery.url, closed.url);
      assert.equal(delivery.body.imp_uid, p.imp_uid);
    }
  });
});

describe('GET /__sandbox/webhooks', () => {
  test('logs each delivery: url, body, content type, attempt, status; DELETE clears it', async () => {
    const p = await sb.createPayment({ merchant_uid: uid('log'), amount: 1000, notice_url: receiver.url });
    const [delivery] = await logged(1);
    assert.deepEqual(
      { ...delivery, at: 0 },
      { seq: 1, at: 0, url: receiver.url, body: { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, status: 'paid' }, content_type: 'application/json', attempt: 1, status: 200, error: null },
    );
    assert.equal((await sb.ok('GET', '/webhooks')).total, 1);
    assert.equal((await sb.control('DELETE', '/webhooks')).status, 204);
    assert.deepEqual(await sb.ok('GET', '/webhooks'), { total: 0, deliveries: [] });
  });

  test('reset drops webhooks still waiting to leave', async () => {
    await sb.ok('PUT', '/config', { webhook_delay_ms: 150 });
    const before = await sb.createPayment({ merchant_uid: uid('before'), amount: 1000, notice_url: receiver.url });
    await sb.reset();
    // Queued later with a longer delay: it leaves after the forgotten one would have.
    await sb.ok('PUT', '/config', { webhook_delay_ms: 200 });
    await sentinel();
    assert.equal(receiver.requests.filter(forPayment(before.imp_uid)).length, 0);
    assert.equal((await deliveries()).length, 1);
  });
});
