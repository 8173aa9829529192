/**
 * PORTONE_SANDBOX=true: where PortOne is when the sandbox plays it, as the verifier needs it: a base URL and keys.
 * The verifier's process starts its own sandbox (on loopback: its control API can make "paid" payments, so nothing
 * but this machine may reach it); a one-off command (`npm run reconcile`) talks to the one the running demo started.
 * The only module of server/ that names the sandbox: its public entry (loaded only when the switch is on) and its
 * default credentials.
 */
import { DEFAULT_CREDENTIALS, DEFAULT_V2_CREDENTIALS } from '../sandbox/credentials.js';
import type { Sandbox } from '../sandbox/index.js';
import type { PortOneTarget, PortOneV2Target } from './boot.js';
import type { Config } from './config.js';
import { portTaken } from './ports.js';

const LOOPBACK = '127.0.0.1';

/** A sandbox in this process on 127.0.0.1:SANDBOX_PORT, whatever HOST is; a port in use is a ConfigError naming SANDBOX_PORT. */
export async function startInProcessSandbox(config: Config): Promise<{ sandbox: Sandbox; portone: PortOneTarget; portoneV2: PortOneV2Target }> {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({ host: LOOPBACK, port: config.sandboxPort, quiet: true }).catch((error) => {
    throw portTaken(error, 'SANDBOX_PORT', LOOPBACK, config.sandboxPort);
  });
  const { apiSecret, storeId, webhookSecret } = sandbox.v2.credentials;
  return { sandbox, portone: { apiUrl: sandbox.url, ...sandbox.credentials }, portoneV2: { apiUrl: sandbox.v2.url, apiSecret, storeId, webhookSecrets: [webhookSecret] } };
}

/** The V2 side of the sandbox the running demo started (127.0.0.1:SANDBOX_PORT + 1), with its default credentials. */
export function runningSandboxV2(config: Config): PortOneV2Target {
  const { apiSecret, storeId, webhookSecret } = DEFAULT_V2_CREDENTIALS;
  return { apiUrl: `http://${LOOPBACK}:${config.sandboxPort + 1}`, apiSecret, storeId, webhookSecrets: [webhookSecret] };
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
  sandbox.v2.setNoticeUrl(`${verifierUrl}/portone/webhook/v2`);
}
