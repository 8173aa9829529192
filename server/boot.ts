/**
 * The verifier's boot, told where PortOne is (a base URL and keys): price authority → store → PortOne client → app
 * → listen; `close()` drains: answer 503, stop accepting, finish what is in flight (and a running reconcile pass),
 * stop the fulfilment deliverer, close the store. Who plays PortOne (PortOne itself, or a sandbox) is decided
 * before, by whoever calls it (main.ts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { createApp, type VerifierApp } from './app.js';
import { type Config, ConfigError } from './config.js';
import type { FulfilmentHook, FulfilmentHookV2 } from './fulfilment.js';
import { createLogger, type Logger, withoutPasswords } from './log.js';
import { PortOneClient, PortOneRefused } from './portone/client.js';
import type { V2Settings } from './portone/gateway.js';
import { PortOneV2Client } from './portone/v2/client.js';
import { catalogPricing, CatalogError, loadCatalog, type PriceOrder } from './pricing.js';
import { reconcile } from './reconcile.js';
import type { SettleOutcome } from './settle.js';
import { portTaken } from './ports.js';
import { openStore } from './store/index.js';
import type { OrderStore } from './store/types.js';

/** Where PortOne's REST V1 API is and the keys it takes: PortOne's own, or a sandbox's. */
export interface PortOneTarget {
  apiUrl: string;
  apiKey: string;
  apiSecret: string;
}

/** Where PortOne's REST V2 API is, the secret it takes, the store whose payments count, and the webhook secrets. */
export interface PortOneV2Target {
  apiUrl: string;
  apiSecret: string;
  storeId: string;
  webhookSecrets: readonly string[];
}

/**
 * V2 alone (no V1 keys): V1's client answers every call with a refusal saying so, so a V1 request gets a clear
 * message instead of a call to PortOne with no keys.
 */
class V1NotConfigured extends PortOneClient {
  constructor() {
    super({ apiUrl: 'http://v1-not-configured.invalid', apiKey: '-', apiSecret: '-' });
  }
  #refuse(): never {
    throw new PortOneRefused('PortOne V1 is not configured on this server (PORTONE_API_KEY, PORTONE_API_SECRET)', 0, null);
  }
  override getPayment = async () => this.#refuse();
  override findPayment = async () => this.#refuse();
  override findAllPayments = async () => this.#refuse();
  override getPrepared = async () => this.#refuse();
  override prepare = async () => this.#refuse();
  override cancel = async () => this.#refuse();
}

export interface StartOptions {
  onPaid?: FulfilmentHook;
  /** The fulfilment hook of V2 orders (required with `onPaid` when V2 is served). */
  onPaidV2?: FulfilmentHookV2;
  /** The price authority; without it, CATALOG_FILE (or, against the sandbox only, the browser's price). */
  priceOrder?: PriceOrder;
  /** A catalog file to use when CATALOG_FILE is not set (the demo's own shop). */
  defaultCatalogFile?: string;
  /** Extra middleware mounted after the verifier's routes (the demo's pages). */
  extend?: (app: Koa) => void;
  logger?: Logger;
}

export interface RunningVerifier {
  url: string;
  server: Server;
  app: VerifierApp;
  store: OrderStore;
  portone: PortOneClient;
  /** PortOne V2, when served. */
  portoneV2: PortOneV2Client | null;
  logger: Logger;
  /** Drain and stop (idempotent). */
  close(): Promise<void>;
}

export async function bootVerifier(config: Config, target: PortOneTarget | null, options: StartOptions = {}, targetV2: PortOneV2Target | null = null): Promise<RunningVerifier> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const pricing = await priceAuthority(config, options, logger);
  const store = await openStore(config.databaseUrl);
  const lifecycle = { draining: false };
  const portone = target ? new PortOneClient({ ...target, logger: logger.child({ component: 'portone' }) }) : new V1NotConfigured();
  const portoneV2 = targetV2 && new PortOneV2Client({ apiUrl: targetV2.apiUrl, apiSecret: targetV2.apiSecret, logger: logger.child({ component: 'portone-v2' }) });
  const v2 = portoneV2 && targetV2 ? { client: portoneV2, storeId: targetV2.storeId, acceptTestPayments: config.acceptTestPayments, webhookSecrets: targetV2.webhookSecrets } : undefined;
  let app: VerifierApp | undefined;
  let server: Server;
  try {
    app = createApp({
      store,
      portone,
      v1: target !== null,
      v2,
      ...pricing,
      onPaid: options.onPaid,
      onPaidV2: options.onPaidV2,
      fulfilmentEndpoint: config.fulfilmentEndpoint ?? undefined,
      prepareRateLimit: config.prepareRateLimit,
      proxy: config.trustProxy,
      logger,
      allowedOrigins: config.allowedOrigins,
      lifecycle,
    });
    options.extend?.(app);
    server = await listen(app, config);
  } catch (error) {
    // A port in use must not leave the store open: the caller gets the error and a process that can exit.
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(server.address() as AddressInfo).port}`;
  logger.info('verifier listening', {
    url,
    database: withoutPasswords(config.databaseUrl),
    portone: target ? withoutPasswords(target.apiUrl) : 'V1 not configured',
    portone_v2: targetV2 ? withoutPasswords(targetV2.apiUrl) : 'V2 not configured',
  });
  const reconciler = reconcileEvery(config, { app, store, portone, v2, logger }, lifecycle);
  const close = drain({ server, app, store, logger, lifecycle, reconciler });
  return { url, server, app, store, portone, portoneV2, logger, close };
}

async function priceAuthority(config: Config, options: StartOptions, logger: Logger): Promise<{ priceOrder?: PriceOrder; trustBrowserPrices?: boolean }> {
  if (options.priceOrder) return { priceOrder: options.priceOrder };
  const file = config.catalogFile ?? options.defaultCatalogFile;
  if (file) {
    try {
      const catalog = await loadCatalog(file);
      logger.info('prices from the catalog', { catalog: file, products: catalog.size });
      return { priceOrder: catalogPricing(catalog) };
    } catch (error) {
      throw error instanceof CatalogError ? new ConfigError(`Invalid configuration:\n  CATALOG_FILE: ${error.message}`) : error;
    }
  }
  if (config.sandbox) return { trustBrowserPrices: true };
  throw new ConfigError(
    'Invalid configuration:\n  CATALOG_FILE: required with real PortOne keys: the server decides what an order costs (a JSON price list), ' +
      'or give startServer/createApp a priceOrder function',
  );
}

function listen(app: VerifierApp, config: Config): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = app.listen(config.port, config.host, () => resolve(server));
    server.once('error', (error) => reject(portTaken(error, 'PORT', config.host, config.port)));
  });
}

interface Reconciler {
  /** The pass running now, if any. */
  running(): Promise<void> | null;
  stop(): void;
}

/**
 * The in-process reconcile (RECONCILE_INTERVAL_MINUTES): one pass at a time (a pass slower than the interval is not
 * stacked on by the next). What it makes paid is delivered here at once (the deliverer's poll would find it too).
 */
function reconcileEvery(config: Config, deps: { app: VerifierApp; store: OrderStore; portone: PortOneClient; v2: V2Settings | undefined; logger: Logger }, lifecycle: { draining: boolean }): Reconciler {
  let pass: Promise<void> | null = null;
  if (config.reconcileIntervalMinutes <= 0) return { running: () => pass, stop: () => undefined };
  const onSettled = (outcome: SettleOutcome) => {
    if (outcome.kind === 'paid' && outcome.order.fulfilment.state === 'pending') void deps.app.fulfilment.deliver(outcome.order.merchant_uid, outcome.payment);
  };
  const interval = setInterval(() => {
    if (pass || lifecycle.draining) return;
    pass = reconcile({ store: deps.store, portone: deps.portone, v2: deps.v2, logger: deps.logger, onSettled }, { olderThanMinutes: config.reconcileAfterMinutes })
      .then(
        () => undefined,
        (error) => deps.logger.error('reconcile failed', { error }),
      )
      .finally(() => (pass = null));
  }, config.reconcileIntervalMinutes * 60_000);
  interval.unref();
  return { running: () => pass, stop: () => clearInterval(interval) };
}

/** `close()`: drain once, whoever calls it how often; waits for a running reconcile pass before closing the store under it. */
function drain(parts: { server: Server; app: VerifierApp; store: OrderStore; logger: Logger; lifecycle: { draining: boolean }; reconciler: Reconciler }): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      parts.lifecycle.draining = true;
      parts.reconciler.stop();
      await new Promise<void>((resolve) => {
        parts.server.close(() => resolve());
        parts.server.closeIdleConnections();
      });
      await parts.reconciler.running();
      await parts.app.close();
      await parts.store.close();
      parts.logger.info('verifier stopped');
    })());
}
