// The reference verifier speaking PortOne V2 on loopback, for its V2 tests: a sandbox (V1 and V2 sides), an order
// store, the real V1 and V2 clients pointed at it (short timeouts, so fault tests are fast), and createApp on port 0.
// Every request the V2 client sends is recorded (`v2Requests`: method, path, headers, body), so a test can check an
// Idempotency-Key or a currentCancellableAmount. The sandbox's V2 webhooks reach the verifier only with
// `webhooks: true` (else a test decides which door settles a payment).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type VerifierApp } from '../../server/app.js';
import type { FulfilmentOptions } from '../../server/fulfilment.js';
import { silentLogger } from '../../server/log.js';
import { PortOneClient } from '../../server/portone/client.js';
import type { PortOnePayment } from '../../server/portone/schemas.js';
import { PortOneV2Client, type PortOneV2ClientOptions } from '../../server/portone/v2/client.js';
import type { PortOneV2Payment } from '../../server/portone/v2/schemas.js';
import type { PriceOrder } from '../../server/pricing.js';
import { openStore } from '../../server/store/index.js';
import type { Order, OrderStore } from '../../server/store/types.js';
import { signWebhook, webhookKey } from '../../server/webhook-signature.js';
import { closeNow, listenOnLoopback, readAnswer } from '../support/loopback-server.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid } from './helpers.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
}

export interface V2Harness {
  url: string;
  app: VerifierApp;
  sandbox: SandboxClient;
  /** The sandbox's V2 control API. */
  control: SandboxClient['sandbox']['v2']['control'];
  store: OrderStore;
  portone: PortOneClient;
  portoneV2: PortOneV2Client;
  storeId: string;
  webhookSecret: string;
  v2Requests: RecordedRequest[];
  fulfilledV1: Array<{ order: Order; payment: PortOnePayment }>;
  fulfilledV2: Array<{ order: Order; payment: PortOneV2Payment }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  /** POST a V2 webhook body, signed with `secret` (default: the sandbox's) at `timestamp` (default now), or with the headers given. */
  webhook(body: unknown, options?: { secret?: string; timestamp?: number; headers?: Record<string, string>; raw?: string; contentType?: string }): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  /** A prepared V2 order (201 asserted by the caller): its paymentId. */
  prepare(body: Record<string, unknown>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface V2HarnessOptions {
  store?: 'memory' | 'sqlite' | string;
  client?: Partial<PortOneV2ClientOptions>;
  acceptTestPayments?: boolean;
  /** Webhook secrets the verifier accepts; default: the sandbox's. */
  webhookSecrets?: string[];
  /** The sandbox's V2 webhooks reach the verifier. Default false. */
  webhooks?: boolean;
  fulfilment?: Omit<FulfilmentOptions, 'onPaid' | 'onPaidV2' | 'endpoint'> & { waitMs?: number };
  fulfilmentEndpoint?: { url: string; secret: string };
  onPaidV2?: (order: Order, payment: PortOneV2Payment) => void | Promise<void>;
  priceOrder?: PriceOrder;
}

/** A paymentId no other test in the process uses: letters and digits only. */
export function paymentIdFor(prefix = 'pay'): string {
  return uid(prefix).replace(/[^A-Za-z0-9]/g, '');
}

export async function startV2Verifier(options: V2HarnessOptions = {}): Promise<V2Harness> {
  const sandbox = await startTestSandbox({ port: 0 });
  const { v2 } = sandbox.sandbox;
  const dir = options.store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'verifier-v2-')) : null;
  const store = await openStore(dir ? `sqlite:${join(dir, 'orders.db')}` : options.store && options.store !== 'memory' ? options.store : 'memory:');
  const portone = new PortOneClient({ apiUrl: sandbox.url, apiKey: API_KEY, apiSecret: API_SECRET, timeoutMs: 1_000, deadlineMs: 4_000, backoffMs: 20 });
  const v2Requests: RecordedRequest[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    v2Requests.push({ method: init?.method ?? 'GET', path: url.pathname + url.search, headers, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return fetch(input, init);
  };
  const portoneV2 = new PortOneV2Client({ apiUrl: v2.url, apiSecret: v2.credentials.apiSecret, timeoutMs: 1_000, cancelTimeoutMs: 1_000, deadlineMs: 4_000, backoffMs: 20, fetch: recordingFetch, ...options.client });
  const fulfilledV1: V2Harness['fulfilledV1'] = [];
  const fulfilledV2: V2Harness['fulfilledV2'] = [];
  const app = createApp({
    store,
    portone,
    v2: {
      client: portoneV2,
      storeId: v2.credentials.storeId,
      acceptTestPayments: options.acceptTestPayments ?? true,
      webhookSecrets: options.webhookSecrets ?? [v2.credentials.webhookSecret],
    },
    logger: silentLogger,
    ...(options.priceOrder ? { priceOrder: options.priceOrder } : { trustBrowserPrices: true }),
    prepareRateLimit: 0,
    fulfilmentEndpoint: options.fulfilmentEndpoint,
    fulfilment: { pollMs: 50, backoffMs: 20, maxBackoffMs: 200, leaseMs: 2_000, ...options.fulfilment },
    onPaid: (order, payment) => void fulfilledV1.push({ order, payment }),
    onPaidV2: async (order, payment) => {
      fulfilledV2.push({ order, payment });
      await options.onPaidV2?.(order, payment);
    },
  });
  const { server, url } = await listenOnLoopback(app);
  v2.setNoticeUrl(options.webhooks ? `${url}/portone/webhook/v2` : null);
  const post = async (path: string, body: unknown) =>
    readAnswer(await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  return {
    url,
    app,
    sandbox,
    control: v2.control,
    store,
    portone,
    portoneV2,
    storeId: v2.credentials.storeId,
    webhookSecret: v2.credentials.webhookSecret,
    v2Requests,
    fulfilledV1,
    fulfilledV2,
    post,
    webhook: async (body, opts = {}) => {
      const raw = opts.raw ?? JSON.stringify(body);
      const signed = signWebhook(webhookKey(opts.secret ?? v2.credentials.webhookSecret, 1), `msg_${uid('wh')}`, opts.timestamp ?? Math.floor(Date.now() / 1000), raw);
      return readAnswer(await fetch(`${url}/portone/webhook/v2`, { method: 'POST', headers: { 'content-type': opts.contentType ?? 'application/json', ...(opts.headers ?? signed) }, body: raw }));
    },
    get: async (path) => readAnswer(await fetch(`${url}${path}`)),
    prepare: (body) => post('/payments/prepare', { version: 'v2', ...body }),
    close: async () => {
      await closeNow(server);
      await app.close();
      await store.close();
      await sandbox.sandbox.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
