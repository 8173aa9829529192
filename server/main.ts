/**
 * Boot in order: configuration → store → price authority → PortOne (or, with PORTONE_SANDBOX=true, the built-in
 * sandbox on 127.0.0.1) → app → listen; on SIGINT/SIGTERM drain: answer 503, stop accepting, finish what is in
 * flight, stop the fulfilment deliverer, close the store. A second signal exits at once. `startServer()` is the
 * same thing for code (the demo, tests).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type Koa from 'koa';
import { createApp, type VerifierApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { FulfilmentHook } from './fulfilment.js';
import { createLogger, type Logger, withoutPasswords } from './log.js';
import { PortOneClient } from './portone/client.js';
import { catalogPricing, CatalogError, loadCatalog, type PriceOrder } from './pricing.js';
import { reconcile } from './reconcile.js';
import type { SettleOutcome } from './settle.js';
import type { Sandbox } from './sandbox/index.js';
import { openStore } from './store/index.js';
import type { OrderStore } from './store/types.js';

export interface RunningServer {
  url: string;
  server: Server;
  app: VerifierApp;
  store: OrderStore;
  portone: PortOneClient;
  /** The in-process sandbox, with PORTONE_SANDBOX=true. */
  sandbox: Sandbox | null;
  logger: Logger;
  /** Drain and stop (idempotent). */
  close(): Promise<void>;
}

export interface StartOptions {
  onPaid?: FulfilmentHook;
  /** The price authority; without it, CATALOG_FILE (or, against the sandbox only, the browser's price). */
  priceOrder?: PriceOrder;
  /** A catalog file to use when CATALOG_FILE is not set (the demo's own shop). */
  defaultCatalogFile?: string;
  /** Extra middleware mounted after the verifier's routes (the demo's pages). */
  extend?: (app: Koa) => void;
  logger?: Logger;
}

/** A port someone else holds, said as a person fixes it: which variable moves it. */
function portTaken(error: unknown, variable: string, host: string, port: number): unknown {
  if ((error as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return error;
  return new ConfigError(`${variable}: port ${port} on ${host} is already in use (another server, or this one started twice); stop it or set ${variable} to a free port`);
}

/** Where a process on this machine reaches a server listening on `host` (a wildcard address is reached on loopback). */
function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
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

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const pricing = await priceAuthority(config, options, logger);
  const store = await openStore(config.databaseUrl);
  const lifecycle = { draining: false };
  let sandbox: Sandbox | null = null;
  let server: Server;
  let app: VerifierApp | undefined;
  let portone: PortOneClient;
  let portoneConfig = config.portone;
  try {
    if (config.sandbox) {
      // PortOne is played by the sandbox, on its own port and on loopback only: its control API can make "paid"
      // payments, so nothing but this machine may reach it.
      const { startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox({ host: '127.0.0.1', port: config.sandboxPort, quiet: true }).catch((error) => {
        throw portTaken(error, 'SANDBOX_PORT', '127.0.0.1', config.sandboxPort);
      });
      portoneConfig = { apiUrl: sandbox.url, apiKey: sandbox.state.apiKey, apiSecret: sandbox.state.apiSecret };
      logger.warn('PORTONE_SANDBOX=true: the built-in PortOne SANDBOX plays PortOne; no real payment is made', { sandbox: sandbox.url, sdk: sandbox.sdkUrl });
    }
    if (!portoneConfig) throw new ConfigError('Invalid configuration:\n  PORTONE_API_KEY: required (or PORTONE_SANDBOX=true)');
    portone = new PortOneClient({ ...portoneConfig, logger: logger.child({ component: 'portone' }) });
    app = createApp({
      store,
      portone,
      ...pricing,
      onPaid: options.onPaid,
      fulfilmentEndpoint: config.fulfilmentEndpoint ?? undefined,
      prepareRateLimit: config.prepareRateLimit,
      proxy: config.trustProxy,
      logger,
      allowedOrigins: config.allowedOrigins,
      lifecycle,
    });
    options.extend?.(app);
    const verifierApp = app;
    server = await new Promise<Server>((resolve, reject) => {
      const s = verifierApp.listen(config.port, config.host, () => resolve(s));
      s.once('error', (error) => reject(portTaken(error, 'PORT', config.host, config.port)));
    });
  } catch (error) {
    // A port in use (or a sandbox that cannot start) must not leave the store open and the sandbox
    // listening: the caller gets the error and a process that can exit.
    await app?.close().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // The sandbox's webhooks reach this server with no setting, as PortOne's reach the console's notification URL.
  sandbox?.state.setDefaults({ notice_url: `${localUrl(config.host, port)}/portone/webhook` });
  logger.info('verifier listening', { url, database: withoutPasswords(config.databaseUrl), portone: withoutPasswords(portoneConfig.apiUrl) });

  // The in-process reconcile: one pass at a time (a pass slower than the interval is not stacked on by the
  // next), and close() waits for a running pass before closing the store under it. What it makes paid is
  // delivered here at once (the deliverer's poll would find it too).
  let reconciling: Promise<void> | null = null;
  const running = app;
  const interval =
    config.reconcileIntervalMinutes > 0
      ? setInterval(() => {
          if (reconciling || lifecycle.draining) return;
          const onSettled = (outcome: SettleOutcome) => {
            if (outcome.kind === 'paid' && outcome.order.fulfilment.state === 'pending') void running.fulfilment.deliver(outcome.order.merchant_uid, outcome.payment);
          };
          reconciling = reconcile({ store, portone, logger, onSettled }, { olderThanMinutes: config.reconcileAfterMinutes })
            .then(
              () => undefined,
              (error) => logger.error('reconcile failed', { error }),
            )
            .finally(() => (reconciling = null));
        }, config.reconcileIntervalMinutes * 60_000)
      : undefined;
  interval?.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      clearInterval(interval);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await reconciling;
      await running.close();
      await store.close();
      await sandbox?.close();
      logger.info('verifier stopped');
    })());

  return { url, server, app: running, store, portone, sandbox, logger, close };
}

/** The command line: `npm run server` (and, through the demo, `npm start`). */
export async function main(options: StartOptions = {}): Promise<RunningServer> {
  let running: RunningServer;
  try {
    running = await startServer(loadConfig(), options);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (++signals > 1) process.exit(1);
      running.logger.info('draining', { signal });
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return running;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await main();
  console.log(`verifier: ${running.url}`);
}
