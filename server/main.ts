/**
 * Boot in order: configuration → store → PortOne (or the built-in sandbox when no keys are set) → app →
 * listen; on SIGINT/SIGTERM drain: answer 503, stop accepting, finish what is in flight, close the store.
 * A second signal exits at once. `startServer()` is the same thing for code (the demo, tests).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type Koa from 'koa';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger, type Logger } from './log.js';
import { PortOneClient } from './portone/client.js';
import { reconcile } from './reconcile.js';
import type { Sandbox } from './sandbox/index.js';
import type { FulfilmentHook } from './settle.js';
import { openStore } from './store/index.js';
import type { OrderStore } from './store/types.js';

export interface RunningServer {
  url: string;
  server: Server;
  store: OrderStore;
  portone: PortOneClient;
  /** The in-process sandbox when no PortOne keys are configured. */
  sandbox: Sandbox | null;
  logger: Logger;
  /** Drain and stop (idempotent). */
  close(): Promise<void>;
}

export interface StartOptions {
  onPaid?: FulfilmentHook;
  /** Extra middleware mounted after the verifier's routes (the demo's pages). */
  extend?: (app: Koa) => void;
  logger?: Logger;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openStore(config.databaseUrl);
  const lifecycle = { draining: false };
  let sandbox: Sandbox | null = null;
  let server: Server;
  let portone: PortOneClient;
  let portoneConfig = config.portone;
  try {
    if (!portoneConfig) {
      // No keys: PortOne is played by the sandbox, on its own port (it is a stranger, not part of the verifier).
      const { startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox({ host: config.host, port: config.sandboxPort, quiet: true });
      portoneConfig = { apiUrl: sandbox.url, apiKey: sandbox.state.apiKey, apiSecret: sandbox.state.apiSecret };
      logger.warn('no PORTONE_API_KEY / PORTONE_API_SECRET: using the built-in PortOne SANDBOX; no real payment is made', { sandbox: sandbox.url, sdk: sandbox.sdkUrl });
    }
    portone = new PortOneClient({ ...portoneConfig, logger: logger.child({ component: 'portone' }) });
    const app = createApp({ store, portone, onPaid: options.onPaid, logger, allowedOrigins: config.allowedOrigins, lifecycle });
    options.extend?.(app);
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    // A port in use (or a sandbox that cannot start) must not leave the store open and the sandbox
    // listening: the caller gets the error and a process that can exit.
    await sandbox?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info('verifier listening', { url, database: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@'), portone: portoneConfig.apiUrl });

  // The in-process reconcile: one pass at a time (a pass slower than the interval is not stacked on by the
  // next), and close() waits for a running pass before closing the store under it.
  let reconciling: Promise<void> | null = null;
  const interval =
    config.reconcileIntervalMinutes > 0
      ? setInterval(() => {
          if (reconciling || lifecycle.draining) return;
          reconciling = reconcile({ store, portone, onPaid: options.onPaid, logger }, { olderThanMinutes: config.reconcileAfterMinutes })
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
      await store.close();
      await sandbox?.close();
      logger.info('verifier stopped');
    })());

  return { url, server, store, portone, sandbox, logger, close };
}

/** The command line: `npm run server` (and, through the demo, `npm start`). */
export async function main(options: StartOptions = {}): Promise<RunningServer> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const running = await startServer(config, options);
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
