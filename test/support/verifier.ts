/**
 * The browser suite's merchant server: the reference verifier (`createApp`) over the suite's sandbox, with the
 * real PortOne client at the sandbox's URL and its default keys, a memory store, and a price authority that
 * prices `items` from test/support/catalog.ts and an order without items at what the page asked (as the sandbox's
 * demo mode does), so a test picks a price by picking a product. It listens on loopback; pages reach it on their
 * own origin through test/support/same-origin.ts.
 */
import type { Sandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { createLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
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

export async function startPageVerifier(sandbox: Pick<Sandbox, 'url' | 'credentials'>): Promise<PageVerifier> {
  const store = await openStore('memory:');
  // Errors only (a 500 shows up beside the test that met it); retries and refusals are what tests provoke.
  const logger = createLogger('error', { process: 'page-verifier' });
  const app = createApp({
    store,
    portone: new PortOneClient({ apiUrl: sandbox.url, ...sandbox.credentials, logger }),
    priceOrder: testPricing(),
    // Every page of the suite comes from one address: a per-address limit would fail tests at random.
    prepareRateLimit: 0,
    logger,
  });
  const { server, url } = await listenOnLoopback(app);
  return {
    url,
    close: async () => {
      await closeNow(server);
      await app.close();
      await store.close();
    },
  };
}
