/**
 * `npm run server`, and `startServer()` for code (the demo, tests): configuration → where PortOne is (PortOne with
 * the configured keys, or, with PORTONE_SANDBOX=true, a sandbox started here on 127.0.0.1 whose webhooks reach this
 * server) → the verifier's boot (boot.ts: it knows only that base URL and those keys). On SIGINT/SIGTERM it drains;
 * a second signal exits at once.
 */
import { pathToFileURL } from 'node:url';
import type { Sandbox } from '../sandbox/index.js';
import { bootVerifier, type RunningVerifier, type StartOptions } from './boot.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { localUrl } from './ports.js';
import { notifyVerifier, startInProcessSandbox } from './sandbox-switch.js';

export type { PortOneTarget, PortOneV2Target, StartOptions } from './boot.js';

export interface RunningServer extends RunningVerifier {
  /** The in-process sandbox, with PORTONE_SANDBOX=true. */
  sandbox: Sandbox | null;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  if (!config.sandbox) {
    if (!config.portone && !config.portoneV2) throw new ConfigError('Invalid configuration:\n  PORTONE_API_KEY: required, or PORTONE_V2_API_SECRET (or PORTONE_SANDBOX=true)');
    return { ...(await bootVerifier(config, config.portone, options, config.portoneV2)), sandbox: null };
  }
  const { sandbox, portone, portoneV2 } = await startInProcessSandbox(config);
  let verifier: RunningVerifier;
  try {
    verifier = await bootVerifier(config, portone, options, portoneV2);
  } catch (error) {
    // The verifier could not start (its port in use): the sandbox must not stay listening.
    await sandbox.close().catch(() => undefined);
    throw error;
  }
  const { port } = verifier.server.address() as { port: number };
  notifyVerifier(sandbox, localUrl(config.host, port));
  verifier.logger.warn('PORTONE_SANDBOX=true: the built-in PortOne SANDBOX plays PortOne; no real payment is made', {
    sandbox: sandbox.url,
    sdk: sandbox.sdkUrl,
    sandbox_v2: sandbox.v2.url,
    sdk_v2: sandbox.v2.sdkUrl,
  });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= verifier.close().then(() => sandbox.close()));
  return { ...verifier, sandbox, close };
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
