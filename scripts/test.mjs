#!/usr/bin/env node
// `npm test`: type-check, lint and build, then every suite (browser, server, end-to-end), each in its own process
// with its own output, then one total. The last line is `N passed, N failed` over all suites. A suite that crashes,
// or that runs no test, fails the run. The browser suite runs once per engine (test/support/engines.mjs), each
// counted apart.
//
// Before any suite, the set-up step (scripts/prerequisites.mjs) checks what the selected suites need from the machine
// (an engine per browser, Xvfb, a PostgreSQL server) and installs Debian's package when it can without asking (root
// with apt-get), else stops with one line naming the command to run. Without TEST_DATABASE_URL the server suite gets a
// throwaway PostgreSQL cluster (scripts/pg-throwaway.mjs), stopped when the run ends. `--setup-only` runs the set-up
// step and nothing else; PORTONE_SETUP_ROOT, a test hook, makes it look for fixed paths (/usr/bin/chromium…) under
// another root (test/server/setup.test.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrerequisites } from './prerequisites.mjs';
import { startThrowawayCluster } from './pg-throwaway.mjs';
import { selectedEngines, skippedLine } from '../test/support/engines.mjs';

const args = process.argv.slice(2);
const setupOnly = args.includes('--setup-only');
const only = args.filter((arg) => arg !== '--setup-only');
const node = process.execPath;

const setup = ensurePrerequisites({ only, root: process.env.PORTONE_SETUP_ROOT || '/' });
if (!setup.ok) process.exit(1);
if (setupOnly) process.exit(0);

/** What every suite's process gets on top of this one's environment: the throwaway cluster's TEST_DATABASE_URL. */
let suiteEnv = {};
if ((only.length === 0 || only.includes('server')) && !process.env.TEST_DATABASE_URL) {
  try {
    suiteEnv = startThrowawayCluster().env;
  } catch (error) {
    console.log(`npm test: ${error.message}`);
    process.exit(1);
  }
  console.log(`npm test: a throwaway PostgreSQL cluster for the store suites, ${suiteEnv.TEST_DATABASE_URL}`);
}

const work = mkdtempSync(join(tmpdir(), 'portone-checkout-test-'));

const suites = [
  { name: 'typecheck', kind: 'check', cmd: ['npm', 'run', '--silent', 'typecheck'] },
  // The house rules (eslint.config.mjs): which part of the tree may import which, and who reads the environment.
  { name: 'lint', kind: 'check', cmd: ['npm', 'run', '--silent', 'lint'] },
  // The build is tested too: the package's own `exports` are imported by the server suite.
  { name: 'build', kind: 'check', cmd: ['npm', 'run', '--silent', 'build'] },
  // The published declarations, as an app sees them (test/types: @ts-expect-error cases included), and the server's
  // as a SQLite-only TypeScript app sees them (test/types/server-sqlite: no pg, @types/pg nor @types/better-sqlite3).
  { name: 'types', kind: 'check', cmds: [
    [node, 'node_modules/typescript/bin/tsc', '-p', 'test/types/tsconfig.json'],
    [node, 'node_modules/typescript/bin/tsc', '-p', 'test/types/server-sqlite/tsconfig.json'],
  ] },
  { name: 'size', kind: 'check', cmd: [node, 'scripts/size.mjs'] },
  // One process per engine: its own count and time, its own sandbox, and one engine's crash leaves the others' results.
  ...selectedEngines().map((engine) => ({
    name: `browser:${engine.name}`,
    group: 'browser',
    kind: 'wtr',
    engine,
    cmd: [node, 'node_modules/@web/test-runner/dist/bin.js'],
  })),
  { name: 'server', kind: 'node', glob: 'test/server' },
  { name: 'e2e', kind: 'node', glob: 'test/e2e' },
].filter((s) => only.length === 0 || only.includes(s.name) || only.includes(s.group));

function run(cmd, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...suiteEnv, ...env } });
    // A run ended by a signal ends its suite too, rather than leave it running against a cluster that is gone.
    const stopChild = () => child.kill();
    process.once('exit', stopChild);
    child.on('exit', (code, signal) => {
      process.removeListener('exit', stopChild);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/** `# pass N` / `# fail N` / `# skipped N` / `# cancelled N` from node's TAP reporter. */
function tapCounts(file) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const read = (key) => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  return { passed: read('pass'), failed: read('fail') + read('cancelled'), skipped: read('skipped') + read('todo') };
}

const results = [];
for (const suite of suites) {
  console.log(`\n=== ${suite.name} ===`);
  const started = Date.now();
  let code;
  let counts = { passed: 0, failed: 0, skipped: 0 };
  if (suite.engine && !suite.engine.found.ok) {
    // The set-up step found it, or installed it, or stopped the run: this is an engine it saw and the suite does not
    // (a test hook's root). Said at the step and again in the summary, so it cannot scroll by unseen.
    const line = skippedLine(suite.engine);
    console.log(line);
    results.push({ name: suite.name, passed: 0, failed: 1, skipped: 0, note: line, seconds: 0 });
    continue;
  }
  if (suite.kind === 'check') {
    // Every command runs (each reports its own errors); the step fails when any of them does.
    code = 0;
    for (const cmd of suite.cmds ?? [suite.cmd]) code = (await run(cmd)) || code;
    counts = code === 0 ? { passed: 0, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  } else if (suite.kind === 'wtr') {
    const file = join(work, `${suite.name.replace(':', '-')}.json`);
    code = await run(suite.cmd, { TEST_COUNTS_FILE: file, TEST_BROWSERS: suite.engine.name });
    if (existsSync(file)) counts = JSON.parse(readFileSync(file, 'utf8'));
  } else {
    const files = testFiles(suite.glob);
    const tap = join(work, `${suite.name}.tap`);
    code = await run([
      node, '--import', 'tsx', '--test', '--test-concurrency=1',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files,
    ]);
    counts = tapCounts(tap);
  }
  if (suite.kind !== 'check' && counts.passed + counts.failed === 0) {
    console.log(`${suite.name}: no test ran`);
    counts.failed++;
  } else if (code !== 0 && counts.failed === 0) {
    console.log(`${suite.name}: exited with ${code} although no test failed`);
    counts.failed++;
  }
  results.push({ name: suite.name, ...counts, seconds: Math.round((Date.now() - started) / 1000) });
}

console.log('\n=== summary ===');
for (const r of results) {
  const counts = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  console.log(`${r.name.padEnd(18)} ${counts.padEnd(36)} ${String(r.seconds).padStart(4)} s${r.note ? `  ${r.note}` : ''}`);
}
const total = results.reduce((t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed === 0 ? 0 : 1);
