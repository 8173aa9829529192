// Boot with PortOne V2 (SPEC §8.2): with PORTONE_SANDBOX=true the in-process sandbox plays V2 too and its signed
// webhooks reach /portone/webhook/v2 with no setting; V2 alone (no V1 keys) answers V1 requests with a clear refusal;
// V1 alone answers V2 requests with a 400 saying V2 is not configured; an onPaid without onPaidV2 is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp, MissingV2Hook } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { PortOneClient } from '../../server/portone/client.js';
import { PortOneV2Client } from '../../server/portone/v2/client.js';
import { startServer } from '../../server/main.js';
import { openStore } from '../../server/store/index.js';
import { type SandboxClient, startTestSandbox, waitFor } from './helpers.js';
import { paymentIdFor } from './verifier-v2-harness.js';

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });
const post = async (url: string, body: unknown) => json(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));

describe('PORTONE_SANDBOX=true serves V2 beside V1', () => {
  test('prepare v2 pre-registers at the sandbox’s V2 side; its Transaction.Paid webhook settles the order with no setting', async () => {
    const running = await startServer(loadConfig({ PORTONE_SANDBOX: 'true', PORT: '0', SANDBOX_PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent' }));
    try {
      const paymentId = paymentIdFor('boot');
      assert.equal((await post(`${running.url}/payments/prepare`, { version: 'v2', paymentId, amount: 1000 })).status, 201);
      const { control } = running.sandbox!.v2;
      assert.equal((await control.preRegistration(paymentId)).totalAmount, 1000);
      await control.createPayment({ paymentId, amount: 1000, status: 'PAID', channelType: 'TEST' });
      const order = await waitFor(async () => {
        const body = (await json(await fetch(`${running.url}/payments/${paymentId}`))).body;
        return body.state === 'paid' ? body : null;
      }, 'the signed webhook to settle the order');
      assert.deepEqual(order.history.map((h: { state: string; via: string }) => `${h.state}/${h.via}`), ['ready/prepare', 'paid/webhook']);
      // The sandbox's channels are TEST channels: accepted here, as PORTONE_ACCEPT_TEST_PAYMENTS defaults to in the sandbox.
      assert.equal(order.version, 'v2');
    } finally {
      await running.close();
    }
  });
});

describe('one protocol alone', () => {
  let sandbox: SandboxClient;
  before(async () => (sandbox = await startTestSandbox({ port: 0 })));
  after(() => sandbox.sandbox.close());

  test('V2 alone: V2 works, a V1 complete and prepare are a 400 saying V1 is not configured', async () => {
    const { v2 } = sandbox.sandbox;
    const running = await startServer(
      loadConfig({ PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent', PORTONE_V2_API_SECRET: v2.credentials.apiSecret, PORTONE_V2_STORE_ID: v2.credentials.storeId, PORTONE_V2_API_URL: v2.url }),
      { priceOrder: ({ amount, currency, name }) => ({ amount, currency, name }) },
    );
    try {
      const paymentId = paymentIdFor('alone');
      assert.equal((await post(`${running.url}/payments/prepare`, { version: 'v2', paymentId, amount: 2000 })).status, 201);
      await v2.control.createPayment({ paymentId, amount: 2000, status: 'PAID' });
      assert.equal((await post(`${running.url}/payments/complete`, { paymentId })).status, 200);
      const v1 = await post(`${running.url}/payments/prepare`, { merchant_uid: `v1-${paymentId}`, amount: 2000 });
      assert.equal(v1.status, 400);
      assert.match(v1.body.message, /merchant_uid: PortOne V1 is not configured/);
      assert.equal((await fetch(`${running.url}/payments/v1-${paymentId}`)).status, 404, 'nothing stored');
      const complete = await post(`${running.url}/payments/complete`, { imp_uid: 'imp_1', merchant_uid: 'x' });
      assert.equal(complete.status, 400);
      assert.match(complete.body.message, /imp_uid: PortOne V1 is not configured/);
    } finally {
      await running.close();
    }
  });

  test('V1 alone: a V2 prepare or complete is a 400 saying V2 is not configured', async () => {
    const store = await openStore('memory:');
    const app = createApp({ store, portone: new PortOneClient({ apiUrl: sandbox.url, apiKey: 'k', apiSecret: 's' }), trustBrowserPrices: true });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      for (const [path, body] of [
        ['/payments/prepare', { version: 'v2', amount: 1000 }],
        ['/payments/complete', { paymentId: 'abc' }],
      ] as const) {
        const answer = await post(`${url}${path}`, body);
        assert.equal(answer.status, 400, path);
        assert.match(answer.body.message, /PortOne V2 is not configured/);
      }
      const notice = await post(`${url}/portone/webhook/v2`, {});
      assert.equal(notice.status, 401, 'no secret: nothing is accepted');
    } finally {
      server.close();
      await app.close();
      await store.close();
    }
  });

  test('createApp with V2 and an onPaid but no onPaidV2 is refused: V2 orders would never reach the hook', async () => {
    const store = await openStore('memory:');
    try {
      assert.throws(
        () =>
          createApp({
            store,
            portone: new PortOneClient({ apiUrl: sandbox.url, apiKey: 'k', apiSecret: 's' }),
            v2: { client: new PortOneV2Client({ apiUrl: sandbox.sandbox.v2.url, apiSecret: 's' }), storeId: 'store-x', acceptTestPayments: false, webhookSecrets: [] },
            trustBrowserPrices: true,
            onPaid: () => undefined,
          }),
        MissingV2Hook,
      );
    } finally {
      await store.close();
    }
  });
});
