/**
 * `npm run reconcile`: one reconcile pass over the configured store and PortOne, then exit. It settles orders
 * (refunds included) but never delivers a fulfilment: the running server(s) deliver what it made paid. With
 * PORTONE_SANDBOX=true it talks to the sandbox the running demo started (127.0.0.1:SANDBOX_PORT), with the
 * sandbox's default credentials. `--older-than MINUTES` overrides RECONCILE_AFTER_MINUTES.
 *
 * stdout carries the JSON report and nothing else (so `npm run --silent reconcile | jq` works); logs go to
 * stderr. Exit 0 once the pass ran (orders PortOne could not be read are `error` in the report and are
 * retried by the next pass), 1 for bad configuration or a store that cannot be opened.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { PortOneClient } from './portone/client.js';
import { PortOneV2Client } from './portone/v2/client.js';
import { reconcile } from './reconcile.js';
import { runningSandbox, runningSandboxV2 } from './sandbox-switch.js';
import { openStore } from './store/index.js';

/** A number of minutes, written as one: `Number('')` and `Number(' ')` are 0, which must not pass for "0". */
function minutes(text: string): number {
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new ConfigError(`--older-than must be a number of minutes ≥ 0, got "${text}"`);
  return value;
}

function args() {
  try {
    return parseArgs({ options: { 'older-than': { type: 'string' } } });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\nusage: npm run reconcile -- [--older-than MINUTES]`);
  }
}

try {
  const config = loadConfig();
  const { values } = args();
  const olderThan = values['older-than'] === undefined ? config.reconcileAfterMinutes : minutes(values['older-than']);
  // Every log line on stderr: stdout is the report.
  const logger = createLogger(config.logLevel, { component: 'reconcile' }, (line) => process.stderr.write(`${line}\n`));
  const portone = new PortOneClient({ ...(config.portone ?? runningSandbox(config)), logger: logger.child({ component: 'portone' }) });
  // V2 orders are reconciled when V2 is served (its keys, or the sandbox); without it they are reported as errors.
  const targetV2 = config.portoneV2 ?? (config.sandbox ? runningSandboxV2(config) : null);
  const v2 = targetV2 && {
    client: new PortOneV2Client({ apiUrl: targetV2.apiUrl, apiSecret: targetV2.apiSecret, logger: logger.child({ component: 'portone-v2' }) }),
    storeId: targetV2.storeId,
    acceptTestPayments: config.acceptTestPayments,
  };
  const store = await openStore(config.databaseUrl);
  try {
    const report = await reconcile({ store, portone, v2: v2 ?? undefined, logger }, { olderThanMinutes: olderThan });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await store.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
