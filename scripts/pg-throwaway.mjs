// The throwaway PostgreSQL cluster npm test starts for the store suites when TEST_DATABASE_URL names no database:
// scripts/pg-cluster.sh's, the one CI uses. It is stopped (and its folder removed) however the run ends: at the
// end, on an exception, on Ctrl-C or a kill, so no postgres is left running after a test run.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Starts the cluster with `command` (which prints `export TEST_DATABASE_URL=…` and `export PG_TEST_DATA=…`, and
 * stops it when given `stop DIR`) and answers `{ env, stop }`: `env` holds both variables, for the suites' processes.
 * Throws, saying why in one line, when the cluster does not start.
 */
export function startThrowawayCluster({ command = ['bash', 'scripts/pg-cluster.sh'], env = process.env } = {}) {
  const shown = command.join(' ');
  const started = spawnSync(command[0], command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
  if (started.error) throw new Error(`the throwaway PostgreSQL cluster did not start: ${shown}: ${started.error.message}`);
  if (started.status !== 0) throw new Error(`the throwaway PostgreSQL cluster did not start: ${shown} exited with ${started.status ?? started.signal} (its messages are above)`);
  const exported = Object.fromEntries([...started.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]));
  const { TEST_DATABASE_URL, PG_TEST_DATA } = exported;
  if (!TEST_DATABASE_URL || !PG_TEST_DATA) throw new Error(`${shown} printed no TEST_DATABASE_URL and PG_TEST_DATA: ${JSON.stringify(started.stdout.trim())}`);

  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    spawnSync(command[0], [...command.slice(1), 'stop', PG_TEST_DATA], { stdio: ['ignore', 'ignore', 'inherit'], env });
  }
  // A signal would end the process without 'exit' handlers: stop first, then end as the signal would have.
  function onSignal(signal) {
    stop();
    process.exit(128 + constants.signals[signal]);
  }
  process.once('exit', stop);
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  return { env: { TEST_DATABASE_URL, PG_TEST_DATA }, stop };
}
