// The reference verifier on loopback, for its tests: a sandbox playing PortOne, an order store (memory or a
// SQLite file in a temp dir), the real PortOne client pointed at the sandbox, and createApp listening on
// port 0. `fulfilled` records every call of the fulfilment hook.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type VerifierApp } from '../../server/app.js';
import type { FulfilmentOptions } from '../../server/fulfilment.js';
import { silentLogger } from '../../server/log.js';
import { PortOneClient, type PortOneClientOptions } from '../../server/portone/client.js';
import type { PortOnePayment } from '../../server/portone/schemas.js';
import type { PriceOrder } from '../../server/pricing.js';
import { openStore } from '../../server/store/index.js';
import type { Order, OrderStore } from '../../server/store/types.js';
import { closeNow, listenOnLoopback, readAnswer } from '../support/loopback-server.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox } from './helpers.js';

export interface VerifierHarness {
  url: string;
  app: VerifierApp;
  sandbox: SandboxClient;
  store: OrderStore;
  portone: PortOneClient;
  fulfilled: Array<{ order: Order; payment: PortOnePayment }>;
  /** JSON POST to the verifier; `raw` sends a string body with `contentType`. */
  post(path: string, body: unknown, options?: { raw?: boolean; contentType?: string }): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  /** POST /payments/prepare; asserts nothing. */
  prepare(body: Record<string, unknown>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  store?: 'memory' | 'sqlite';
  client?: Partial<PortOneClientOptions>;
  /** Reuse a running sandbox (several verifiers on one PortOne). */
  sandbox?: SandboxClient;
  onPaid?: (order: Order, payment: PortOnePayment) => void | Promise<void>;
  /** The price authority; default: the browser's price (the sandbox's demo mode). */
  priceOrder?: PriceOrder;
  /** FULFILMENT_URL / FULFILMENT_SECRET. */
  fulfilmentEndpoint?: { url: string; secret: string };
  /** Deliverer tuning; default: fast polls and backoff, so retries happen within a test. */
  fulfilment?: Omit<FulfilmentOptions, 'onPaid' | 'endpoint'> & { waitMs?: number };
  prepareRateLimit?: number;
}

export async function startVerifier(options: HarnessOptions = {}): Promise<VerifierHarness> {
  const sandbox = options.sandbox ?? (await startTestSandbox());
  const dir = options.store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'verifier-')) : null;
  const store = await openStore(dir ? `sqlite:${join(dir, 'orders.db')}` : 'memory:');
  // Short timeouts and backoff keep fault tests fast; the behaviour is the production code's.
  const portone = new PortOneClient({ apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 1_000, deadlineMs: 4_000, backoffMs: 20, ...options.client });
  const fulfilled: VerifierHarness['fulfilled'] = [];
  const app = createApp({
    store,
    portone,
    logger: silentLogger,
    ...(options.priceOrder ? { priceOrder: options.priceOrder } : { trustBrowserPrices: true }),
    fulfilmentEndpoint: options.fulfilmentEndpoint,
    fulfilment: { pollMs: 50, backoffMs: 20, maxBackoffMs: 200, leaseMs: 2_000, ...options.fulfilment },
    prepareRateLimit: options.prepareRateLimit ?? 0,
    onPaid: async (order, payment) => {
      fulfilled.push({ order, payment });
      await options.onPaid?.(order, payment);
    },
  });
  const { server, url } = await listenOnLoopback(app);
  return {
    url,
    app,
    sandbox,
    store,
    portone,
    fulfilled,
    post: async (path, body, opts = {}) =>
      readAnswer(
        await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': opts.contentType ?? 'application/json' },
          body: opts.raw ? String(body) : JSON.stringify(body),
        }),
      ),
    get: async (path) => readAnswer(await fetch(`${url}${path}`)),
    prepare: async (body) => readAnswer(await fetch(`${url}/payments/prepare`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })),
    close: async () => {
      await closeNow(server);
      await app.close();
      await store.close();
      if (!options.sandbox) await sandbox.sandbox.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
