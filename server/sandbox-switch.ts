/**
 * PORTONE_SANDBOX=true: where PortOne is when the sandbox plays it, as the verifier needs it: a base URL and keys.
 * The verifier's process starts its own sandbox (on loopback: its control API can make "paid" payments, so nothing
 * but this machine may reach it); a one-off command (`npm run reconcile`) talks to the one the running demo started.
 * The only module of server/ that names the sandbox: its public entry (loaded only when the switch is on) and its
 * default credentials.
 */
import { DEFAULT_CREDENTIALS } from '../sandbox/credentials.js';
import type { Sandbox } from '../sandbox/index.js';
import type { PortOneTarget } from './boot.js';
import type { Config } from './config.js';
import { portTaken } from './ports.js';

const LOOPBACK = '127.0.0.1';

/** A sandbox in this process on 127.0.0.1:SANDBOX_PORT, whatever HOST is; a port in use is a ConfigError naming SANDBOX_PORT. */
export async function startInProcessSandbox(config: Config): Promise<{ sandbox: Sandbox; portone: PortOneTarget }> {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ host: LOOPBACK, port: config.sandboxPort, quiet: true }).catch((error) => {
    throw portTaken(error, 'SANDBOX_PORT', LOOPBACK, config.sandboxPort);
  });
  return { sandbox, portone: { apiUrl: sandbox.url, ...sandbox.credentials } };
}

/** The sandbox the running demo started (`npm start`, on 127.0.0.1:SANDBOX_PORT), with its default keys. */
export function runningSandbox(config: Config): PortOneTarget {
  return { apiUrl: `http://${LOOPBACK}:${config.sandboxPort}`, ...DEFAULT_CREDENTIALS };
}

/**
 * The sandbox's webhooks reach the verifier at `verifierUrl` with no setting, as PortOne's reach the console's
 * notification URL; a reset of the sandbox keeps it.
 */
export function notifyVerifier(sandbox: Sandbox, verifierUrl: string): void {
  sandbox.state.setDefaults({ notice_url: `${verifierUrl}/portone/webhook` });
}
