/**
 * The browser suite's merchant server: the reference verifier (`createApp`) over the suite's sandbox, speaking both
 * PortOne V1 and V2 (the real clients at the sandbox's two addresses, with its default keys; the sandbox's V2
 * webhooks are signed with its secret and sent to this verifier's /portone/webhook/v2), a memory store, and a price authority that
 * prices `items` from test/support/catalog.ts and an order without items at what the page asked (as the sandbox's
 * demo mode does), so a test picks a price by picking a product. It listens on loopback; pages reach it on their
 * own origin through test/support/same-origin.ts.
 */
import type { Sandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { createLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import { PortOneV2Client } from '../../server/portone/v2/client.js';
import { bodyPricing, catalogPricing, parseCatalog, type PriceOrder } from '../../server/pricing.js';
import { openStore } from '../../server/store/index.js';
import { TEST_CATALOG } from './catalog.js';
import { closeNow, listenOnLoopback } from './loopback-server.js';

export interface PageVerifier {
  url: string;
  close(): Promise<void>;
}

function testPricing(): PriceOrder {
  const fromCatalog = catalogPricing(parseCatalog(TEST_CATALOG));
  return (request) => (request.items ? fromCatalog(request) : bodyPricing(request));
}

export async function startPageVerifier(sandbox: Pick<Sandbox, 'url' | 'credentials' | 'v2'>): Promise<PageVerifier> {
  const store = await openStore('memory:');
  // Errors only (a 500 shows up beside the test that met it); retries and refusals are what tests provoke.
  const logger = createLogger('error', { process: 'page-verifier' });
  const app = createApp({
    store,
    portone: new PortOneClient({ apiUrl: sandbox.url, ...sandbox.credentials, logger }),
    v2: {
      client: new PortOneV2Client({ apiUrl: sandbox.v2.url, apiSecret: sandbox.v2.credentials.apiSecret, logger }),
      storeId: sandbox.v2.credentials.storeId,
      // As in production: a TEST-channel payment never settles an order.
      acceptTestPayments: false,
      webhookSecrets: [sandbox.v2.credentials.webhookSecret],
    },
    priceOrder: testPricing(),
    // Every page of the suite comes from one address: a per-address limit would fail tests at random.
    prepareRateLimit: 0,
    logger,
  });
  const { server, url } = await listenOnLoopback(app);
  sandbox.v2.setNoticeUrl(`${url}/portone/webhook/v2`);
  return {
    url,
    close: async () => {
      await closeNow(server);
      await app.close();
      await store.close();
    },
  };
}
