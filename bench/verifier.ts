/**
 * `npm run bench`: verification throughput of the reference verifier against two baselines, in one run, on
 * one sandbox, on loopback. See bench/README.md for what is measured and why.
 *
 *   npm run bench [-- --n 1500 --c 16 --rounds 15 --warmup 150 --store sqlite|memory --db URL --latency MS]
 *   npm run bench -- --scale [--db URL]   1, 2 and 3 verifier processes on one database (default: a SQLite file)
 *   npm run bench -- --postgres           the same on $TEST_DATABASE_URL (a scratch database is made there)
 *   --name NAME                           results in bench/results/NAME.json and README section NAME
 *
 * Every request is `POST /payments/complete` for a payment made beforehand in the sandbox (control API) and
 * an order stored beforehand, so each group of servers gets the same workload. The groups run in rounds whose
 * order rotates (ABC, BCA, CAB…) so that a noisy neighbour hits all of them alike; figures are ratios
 * within this run. Budgets are printed with pass/FAIL; the exit code is 0 whatever they say.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SandboxControl } from '../sandbox/client.js';
import { SandboxV2Control } from '../sandbox/v2/client.js';
import type { ChildOptions, Role } from './child.js';
import { type Child, markdownTable, median, pass, percentile, round, runInfo, startChild, updateReadme, writeResult } from './lib.js';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '1500' },
    c: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '150' },
    store: { type: 'string', default: 'sqlite' },
    latency: { type: 'string', default: '0' },
    db: { type: 'string' },
    /** Results file and README section (default: `verifier`, or `scale`). */
    name: { type: 'string' },
    scale: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
  },
});
const positive = (name: string, text: string, min = 1) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${text}`);
  return value;
};
const N = positive('n', flags.n);
const C = positive('c', flags.c);
const ROUNDS = positive('rounds', flags.rounds);
const WARMUP = positive('warmup', flags.warmup, 0);
const LATENCY_MS = positive('latency', flags.latency, 0);
const SCALE = flags.scale || flags.postgres;
const PER_ROUND = Math.ceil(N / ROUNDS);
const NAME = flags.name ?? (SCALE ? 'scale' : 'verifier');
if (!/^[a-z0-9-]+$/.test(NAME)) throw new Error(`--name must be lowercase letters, digits and dashes, got ${NAME}`);
/** A phase that takes longer than this stops sending (the loop must end by itself even if a server hangs). */
const PHASE_DEADLINE_MS = 120_000;

/** One verification: the JSON body of its POST /payments/complete. */
interface Job {
  body: string;
}

interface Group {
  name: string;
  role: Role;
  /** Requests go round-robin to these processes (the load generator is the load balancer). */
  servers: Child[];
}

interface Phase {
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
  firstFailure: string | null;
  calls: Record<string, number>;
  /** CPU time (µs) used during the phase by the group's processes, and by the sandbox. */
  serverCpu: number;
  sandboxCpu: number;
}

// ---------------------------------------------------------------- load generation

/**
 * One keep-alive agent per server process, `C` sockets each: the same client for every group. Made anew for
 * each phase: a socket left idle while other groups run would be closed by the server's keep-alive timeout
 * just as the next phase reuses it ("socket hang up"), a failure of the bench, not of the server.
 */
const agents = new Map<string, Agent>();

function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

function post(url: string, body: string): Promise<{ status: number; text: string }> {
  let agent = agents.get(url);
  if (!agent) agents.set(url, (agent = new Agent({ keepAlive: true, maxSockets: C })));
  return new Promise((resolve, reject) => {
    const req = request(`${url}/payments/complete`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** `jobs` at concurrency C, request i to server i mod k; success is HTTP 200 (the verifier's `paid`). */
async function drive(group: Group, jobs: Job[]): Promise<Omit<Phase, 'calls' | 'serverCpu' | 'sandboxCpu'>> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const started = performance.now();
  const deadline = started + PHASE_DEADLINE_MS;
  const worker = async () => {
    while (next < jobs.length && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        const answer = await post(group.servers[i % group.servers.length]!.url, jobs[i]!.body);
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
        latencies.push(performance.now() - t0);
      } catch (error) {
        failures++;
        firstFailure ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  closeAgents();
  return { requests: latencies.length + failures, seconds: (performance.now() - started) / 1000, latencies, failures, firstFailure };
}

// ---------------------------------------------------------------- the sandbox's side

/** The sandbox's control API (its own client); a call that takes longer than this is a stuck bench. */
function control(sandbox: Child): SandboxControl {
  return new SandboxControl(sandbox.url, { timeoutMs: 30_000 });
}

/** The sandbox's V2 side, when the run has V2 groups. */
let v2Control: SandboxV2Control | null = null;

/** Every REST call the sandbox took so far, V1 and V2 (V2 routes prefixed `v2 `). */
async function sandboxCalls(sandbox: Child): Promise<Record<string, number>> {
  const answer = await control(sandbox).calls();
  const v2 = v2Control ? await v2Control.calls() : { total: 0, counts: {} };
  return { total: answer.total + v2.total, ...answer.counts, ...Object.fromEntries(Object.entries(v2.counts).map(([route, n]) => [`v2 ${route}`, n])) };
}

async function cpuTime(processes: Child[]): Promise<number> {
  const answers = await Promise.all(processes.map((child) => child.ask<{ cpu: number }>('cpu')));
  return answers.reduce((sum, answer) => sum + answer.cpu, 0);
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]).filter(([, value]) => value !== 0));
}

async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

/** `count` paid payments in the sandbox and their `ready` orders in the group's store. */
async function makeJobs(sandbox: Child, group: Group, tag: string, count: number): Promise<Job[]> {
  if (group.role === 'verifier-v2' || group.role === 'forward-v2') {
    // V2: the order is stored under its paymentId (letters and digits), the payment made at the sandbox's V2 side.
    const ids = Array.from({ length: count }, (_, i) => `b${RUN}v2${tag.replace(/[^A-Za-z0-9]/g, '')}x${i}`);
    if (group.role === 'verifier-v2') await group.servers[0]!.ask({ seed: ids.map((merchant_uid) => ({ merchant_uid, version: 'v2', amount: 14_000, currency: 'KRW', name: 'bench' })) });
    return pool(ids, 16, async (paymentId) => {
      await v2Control!.createPayment({ paymentId, amount: 14_000, status: 'PAID' });
      return { body: JSON.stringify({ paymentId }) };
    });
  }
  const uids = Array.from({ length: count }, (_, i) => `b${RUN}-${tag}-${i}`);
  const orders = uids.map((merchant_uid) => ({ merchant_uid, amount: 14_000, currency: 'KRW', name: 'bench' }));
  // The forward baseline has no store; the others' orders go to the first process (the store is shared in
  // scale-out, and a 'memory:' store exists only in its process).
  if (group.role !== 'forward') await group.servers[0]!.ask({ seed: orders });
  const sandboxControl = control(sandbox);
  return pool(uids, 16, async (merchant_uid) => {
    const payment = await sandboxControl.createPayment({ merchant_uid, amount: 14_000, status: 'paid' });
    return { body: JSON.stringify({ imp_uid: payment.imp_uid, merchant_uid }) };
  });
}

// ---------------------------------------------------------------- the run

const RUN = Date.now().toString(36);
const info = runInfo();
const temp = mkdtempSync(join(tmpdir(), 'portone-bench-'));
const children: Child[] = [];
/** Run after every child has stopped (the scratch database can be dropped only once nobody uses it). */
const cleanups: Array<() => Promise<void>> = [];
let scratchUrl: Promise<string> | undefined;

async function spawn(options: ChildOptions): Promise<Child> {
  const child = await startChild(options);
  children.push(child);
  return child;
}

/**
 * The database URL for a role. Scale-out shares one database by definition: `--db`, $TEST_DATABASE_URL with
 * --postgres (a scratch database made there, so no test database fills with bench rows), else one SQLite
 * file. The plain run gives each group its own store (`--store`), or `--db` for all.
 */
async function databaseUrl(role: Role): Promise<string> {
  if (SCALE) {
    // Processes that share nothing would not be scale-out: a 'memory:' store lives in one process only.
    if (flags.db === 'memory:') throw new Error('--scale needs a shared database: --db sqlite:PATH or postgres://…');
    if (flags.db) return flags.db;
    if (flags.postgres) {
      const base = process.env.TEST_DATABASE_URL;
      if (!base) throw new Error('--postgres needs TEST_DATABASE_URL (e.g. `source /tmp/pg-dev.env`, or eval "$(scripts/pg-cluster.sh)")');
      scratchUrl ??= scratchDatabase(base);
      return scratchUrl;
    }
    return `sqlite:${join(temp, 'shared.db')}`;
  }
  if (flags.db) return flags.db;
  if (flags.store === 'memory') return 'memory:';
  if (flags.store === 'sqlite') return `sqlite:${join(temp, `${role}.db`)}`;
  throw new Error(`--store must be sqlite or memory, got ${flags.store}`);
}

/** CREATE DATABASE next to $TEST_DATABASE_URL's, dropped at the end; falls back to that database itself. */
async function scratchDatabase(base: string): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `portone_bench_${RUN}`;
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    console.warn(`(could not create a scratch database: ${(error as Error).message}; using ${base} itself)`);
    await admin.end().catch(() => {});
    return base;
  }
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((error: Error) => console.warn(`(could not drop ${name}: ${error.message})`));
    await admin.end();
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.href;
}

async function main(): Promise<void> {
  const groups: Group[] = [];
  const phases = ['warm', ...Array.from({ length: ROUNDS }, (_, r) => `r${r}`)];
  const perGroup = WARMUP + ROUNDS * PER_ROUND;
  const sandbox = await spawn({ role: 'sandbox', maxPayments: perGroup * 3 + 1_000 });
  const { v2Url } = await sandbox.ask<{ v2Url: string }>('v2');
  v2Control = new SandboxV2Control(v2Url, { timeoutMs: 30_000 });
  if (LATENCY_MS > 0) {
    // PortOne is far away in real life: the same delay on every REST call, for every group alike (V1 and V2).
    await control(sandbox).addFault({ type: 'latency', ms: LATENCY_MS });
    await v2Control.addFault({ type: 'latency', ms: LATENCY_MS });
  }
  if (SCALE) {
    // Three verifier processes, each with its own PortOneClient (and so its own token), on one database;
    // the "k processes" group uses the first k of them. The first opens (and migrates) the database alone.
    const url = await databaseUrl('verifier');
    const first = await spawn({ role: 'verifier', sandboxUrl: sandbox.url, databaseUrl: url });
    const rest = await Promise.all([1, 2].map(() => spawn({ role: 'verifier', sandboxUrl: sandbox.url, databaseUrl: url })));
    const all = [first, ...rest];
    for (const k of [1, 2, 3]) groups.push({ name: `${k} process${k > 1 ? 'es' : ''}`, role: 'verifier', servers: all.slice(0, k) });
  } else {
    // The verifier first and alone: with --db the others share its database, which it migrates.
    const verifier = await spawn({ role: 'verifier', sandboxUrl: sandbox.url, databaseUrl: await databaseUrl('verifier') });
    const [forward, naive] = await Promise.all((['forward', 'naive'] as const).map(async (role) => spawn({ role, sandboxUrl: sandbox.url, databaseUrl: await databaseUrl(role) })));
    groups.push({ name: 'verifier', role: 'verifier', servers: [verifier] }, { name: 'forward (limit)', role: 'forward', servers: [forward!] }, { name: 'naive (token per request)', role: 'naive', servers: [naive!] });
    const [verifierV2, forwardV2] = await Promise.all(
      (['verifier-v2', 'forward-v2'] as const).map(async (role) => spawn({ role, sandboxUrl: sandbox.url, sandboxV2Url: v2Url, databaseUrl: await databaseUrl(role) })),
    );
    groups.push({ name: 'verifier V2', role: 'verifier-v2', servers: [verifierV2!] }, { name: 'forward V2 (limit)', role: 'forward-v2', servers: [forwardV2!] });
  }

  console.log(`bench: ${SCALE ? 'scale-out, verifier processes 1/2/3' : 'verifier vs forward vs naive'}; n=${PER_ROUND * ROUNDS} per group in ${ROUNDS} rounds, c=${C}, warm-up ${WARMUP}, PortOne latency ${LATENCY_MS} ms; ${info.cores} cores`);
  process.stdout.write('  preparing payments and orders… ');
  const jobs = new Map<string, Job[]>();
  for (const [g, group] of groups.entries()) {
    for (const phase of phases) jobs.set(`${g}/${phase}`, await makeJobs(sandbox, group, `${g}${phase}`, phase === 'warm' ? WARMUP : PER_ROUND));
  }
  console.log('done');

  const results = groups.map(() => [] as Phase[]);
  for (const [p, phase] of phases.entries()) {
    // Rotate the order each round; the warm-up runs every group once first.
    const order = groups.map((_, g) => (g + p) % groups.length);
    const line: string[] = [];
    for (const g of order) {
      const group = groups[g]!;
      const before = { calls: await sandboxCalls(sandbox), server: await cpuTime(group.servers), sandbox: await cpuTime([sandbox]) };
      const measured = await drive(group, jobs.get(`${g}/${phase}`)!);
      const serverCpu = (await cpuTime(group.servers)) - before.server;
      const sandboxCpu = (await cpuTime([sandbox])) - before.sandbox;
      results[g]!.push({ ...measured, calls: difference(await sandboxCalls(sandbox), before.calls), serverCpu, sandboxCpu });
      line.push(`${group.name} ${round(measured.requests / measured.seconds, 0)}/s${measured.failures ? ` (${measured.failures} failed: ${measured.firstFailure})` : ''}`);
    }
    console.log(`  ${phase}: ${line.join(', ')}`);
  }
  report(groups, results);
}

// ---------------------------------------------------------------- figures

interface Figures {
  name: string;
  processes: number;
  verifications: number;
  seconds: number;
  throughput: number;
  p50_ms: number;
  p99_ms: number;
  failures: number;
  first_failure: string | null;
  /** Every REST call the group's processes made, warm-up included (the first token too), per verification. */
  portone_calls_per_verification: number;
  portone_calls: Record<string, number>;
  /** CPU time per verification (timed rounds): of the group's server processes, and of the sandbox. */
  server_cpu_ms: number;
  sandbox_cpu_ms: number;
  round_throughputs: number[];
}

function figures(group: Group, phases: Phase[]): Figures {
  const measured = phases.slice(1); // phase 0 is the warm-up: not timed
  const latencies = Float64Array.from(measured.flatMap((p) => p.latencies)).sort();
  const requests = measured.reduce((sum, p) => sum + p.requests, 0);
  const seconds = measured.reduce((sum, p) => sum + p.seconds, 0);
  const calls: Record<string, number> = {};
  for (const phase of phases) for (const [route, count] of Object.entries(phase.calls)) calls[route] = (calls[route] ?? 0) + count;
  const allRequests = phases.reduce((sum, p) => sum + p.requests, 0);
  const { total = 0, ...routes } = calls;
  return {
    name: group.name,
    processes: group.servers.length,
    verifications: requests,
    seconds: round(seconds, 3),
    throughput: round(requests / seconds, 1),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    failures: phases.reduce((sum, p) => sum + p.failures, 0),
    first_failure: phases.find((p) => p.firstFailure)?.firstFailure ?? null,
    portone_calls_per_verification: round(total / allRequests, 4),
    portone_calls: routes,
    server_cpu_ms: round(measured.reduce((sum, p) => sum + p.serverCpu, 0) / requests / 1000, 3),
    sandbox_cpu_ms: round(measured.reduce((sum, p) => sum + p.sandboxCpu, 0) / requests / 1000, 3),
    round_throughputs: measured.map((p) => round(p.requests / p.seconds, 1)),
  };
}

/**
 * The median of the per-round throughput ratios (a burst of noise during one group's turn moves one round's
 * ratio, not the median), and their range.
 */
function ratio(a: Figures, b: Figures): { value: number; rounds_min: number; rounds_max: number } {
  const perRound = a.round_throughputs.map((t, r) => t / b.round_throughputs[r]!);
  return { value: round(median(perRound)), rounds_min: round(Math.min(...perRound)), rounds_max: round(Math.max(...perRound)) };
}

function report(groups: Group[], phases: Phase[][]): void {
  const all = groups.map((group, g) => figures(group, phases[g]!));
  const store = flags.postgres ? 'postgres (scratch database)' : flags.db ? flags.db.replace(/\/\/[^@]*@/, '//***@').replace(/\/tmp\/[^ ]*/, '…') : SCALE ? 'sqlite (one shared file)' : flags.store;
  const parameters = { n: PER_ROUND * ROUNDS, c: C, rounds: ROUNDS, warmup: WARMUP, portone_latency_ms: LATENCY_MS, store };
  const table = markdownTable(
    ['', 'processes', 'verifications/s', 'p50 ms', 'p99 ms', 'PortOne calls / verification', 'server CPU ms / verification', 'sandbox CPU ms / verification', 'failures'],
    all.map((f) => [f.name, f.processes, f.throughput, f.p50_ms, f.p99_ms, f.portone_calls_per_verification, f.server_cpu_ms, f.sandbox_cpu_ms, f.failures]),
  );
  const budgets: Array<{ what: string; value: number; budget: string; ok: boolean | null; spread?: string }> = [];
  const failures = all.reduce((sum, f) => sum + f.failures, 0);
  if (SCALE) {
    const [one, two, three] = all as [Figures, Figures, Figures];
    for (const [k, f] of [[2, two], [3, three]] as const) {
      const r = ratio(f, one);
      budgets.push({ what: `throughput ${k} processes / 1 process`, value: r.value, budget: 'none (2 cores: see README)', ok: null, spread: `${r.rounds_min}–${r.rounds_max}` });
    }
    // The groups share processes (k processes = the first k), so a process's one token is counted in the
    // group that used it first: only the whole run says how well tokens are shared.
    const calls = all.reduce((sum, f) => sum + Object.values(f.portone_calls).reduce((a, b) => a + b, 0), 0);
    const perVerification = round(calls / phases.flat().reduce((sum, p) => sum + p.requests, 0), 4);
    budgets.push({ what: 'PortOne calls per verification, whole run (3 processes, a token each)', value: perVerification, budget: '≤ 1.01', ok: perVerification <= 1.01 });
  } else {
    const [verifier, forward, naive, verifierV2, forwardV2] = all as [Figures, Figures, Figures, Figures, Figures];
    const limitV2 = ratio(verifierV2, forwardV2);
    const limit = ratio(verifier, forward);
    const naiveRatio = ratio(verifier, naive);
    budgets.push(
      { what: 'PortOne calls per verification', value: verifier.portone_calls_per_verification, budget: '≤ 1.01', ok: verifier.portone_calls_per_verification <= 1.01 },
      { what: 'throughput verifier / forward', value: limit.value, budget: '≥ 0.8', ok: limit.value >= 0.8, spread: `${limit.rounds_min}–${limit.rounds_max}` },
      { what: 'throughput verifier / naive', value: naiveRatio.value, budget: '≥ 2', ok: naiveRatio.value >= 2, spread: `${naiveRatio.rounds_min}–${naiveRatio.rounds_max}` },
      // The steadier view on a shared machine: how many verifications one server process gets per CPU second.
      { what: 'CPU view: server CPU per request, forward / verifier', value: round(forward.server_cpu_ms / verifier.server_cpu_ms), budget: 'none (explains)', ok: null },
      { what: 'CPU view: server CPU per request, naive / verifier', value: round(naive.server_cpu_ms / verifier.server_cpu_ms), budget: 'none (explains)', ok: null },
      // V2 needs no token: one PortOne call per verification, like its forward baseline.
      { what: 'PortOne calls per V2 verification', value: verifierV2.portone_calls_per_verification, budget: '≤ 1.01', ok: verifierV2.portone_calls_per_verification <= 1.01 },
      {
        what: 'throughput verifier V2 / forward V2',
        value: limitV2.value,
        budget: LATENCY_MS >= 20 ? '≥ 0.8 (at ≥ 20 ms)' : 'none at 0 ms (see README)',
        ok: LATENCY_MS >= 20 ? limitV2.value >= 0.8 : null,
        spread: `${limitV2.rounds_min}–${limitV2.rounds_max}`,
      },
    );
  }
  const budgetTable = markdownTable(
    ['figure', 'measured (median of rounds)', 'range over rounds', 'budget', ''],
    budgets.map((b) => [b.what, b.value, b.spread ?? '—', b.budget, b.ok === null ? '' : pass(b.ok)]),
  );
  const name = NAME;
  const caption = `${info.date.slice(0, 10)}, commit ${info.commit ?? '?'}${info.dirty ? ' (+ uncommitted changes)' : ''}, ${info.cores} cores (${info.cpu}), Node ${info.node}; ${PER_ROUND * ROUNDS} timed requests per row (${ROUNDS} rounds of ${PER_ROUND}, rotating), concurrency ${C}, warm-up ${WARMUP}, store ${store}, PortOne latency ${LATENCY_MS} ms${failures ? `; **${failures} requests failed**` : ''}.`;
  const markdown = `${caption}\n\n${table}\n\n${budgetTable}\n`;
  console.log(`\n${markdown}`);
  const file = writeResult(name, { ...info, benchmark: name, parameters, figures: all, budgets });
  updateReadme(name, markdown);
  console.log(`results: ${file}; table in bench/README.md`);
}

try {
  await main();
} finally {
  closeAgents();
  await Promise.all(children.map((child) => child.stop()));
  for (const cleanup of cleanups) await cleanup();
  rmSync(temp, { recursive: true, force: true });
}
