// npm test's set-up step (scripts/prerequisites.mjs, scripts/pg-throwaway.mjs, `node scripts/test.mjs --setup-only`),
// without touching the machine: every program is looked for on a scratch PATH and under a scratch root, and the
// apt-get found there is a fake that records its arguments and "installs" a package by creating its programs there.
// Both paths: what is present is used; what is missing is installed (root with apt-get) or named in one line with
// the command to run. And the throwaway PostgreSQL cluster: started only without TEST_DATABASE_URL, always stopped.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensurePrerequisites } from '../../scripts/prerequisites.mjs';
import { startThrowawayCluster } from '../../scripts/pg-throwaway.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const scratchDirs: string[] = [];
after(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

interface Scratch {
  bin: string;
  root: string;
  /** The fake apt-get's log: one line per call, `DEBIAN_FRONTEND args…`. */
  aptCalls(): string[];
}

function executable(path: string, text = '#!/bin/sh\n'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/** Where each Debian package puts its programs, here under the scratch PATH (`bin`) or root. */
function programsOf(scratch: { bin: string; root: string }): Record<string, string[]> {
  return {
    chromium: [join(scratch.root, 'usr/bin/chromium')],
    'firefox-esr': [join(scratch.root, 'usr/bin/firefox-esr')],
    'webkit2gtk-driver': [join(scratch.bin, 'WebKitWebDriver'), join(scratch.root, 'usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser')],
    xvfb: [join(scratch.bin, 'Xvfb')],
    postgresql: [join(scratch.root, 'usr/lib/postgresql/17/bin/initdb')],
  };
}

/**
 * A scratch PATH and root holding `present` (Debian package names). `aptGet`: none, one that installs what it is
 * asked for, one that installs nothing, or one that fails.
 */
function scratchMachine({ present = [] as string[], aptGet = 'installs' as 'none' | 'installs' | 'installs nothing' | 'fails' } = {}): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'portone-checkout-setup-'));
  scratchDirs.push(dir);
  const scratch = { bin: join(dir, 'bin'), root: join(dir, 'root') };
  mkdirSync(scratch.bin, { recursive: true });
  mkdirSync(scratch.root, { recursive: true });
  const programs = programsOf(scratch);
  for (const name of present) for (const path of programs[name]!) executable(path);
  const calls = join(dir, 'apt-calls');
  if (aptGet !== 'none') {
    const installs = Object.entries(programs)
      .map(([name, paths]) => `    ${name}) for f in ${paths.map((p) => `'${p}'`).join(' ')}; do mkdir -p "$(dirname "$f")"; printf '#!/bin/sh\\n' > "$f"; chmod +x "$f"; done ;;`)
      .join('\n');
    executable(join(scratch.bin, 'apt-get'), `#!/bin/sh
PATH=/usr/bin:/bin
echo "$DEBIAN_FRONTEND $*" >> '${calls}'
${aptGet === 'fails' ? 'exit 100' : ''}
[ "$1" = install ] || exit 0
${aptGet === 'installs nothing' ? 'exit 0' : ''}
for p in "$@"; do
  case "$p" in
${installs}
  esac
done
`);
  }
  return { ...scratch, aptCalls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []) };
}

const everything = ['chromium', 'firefox-esr', 'webkit2gtk-driver', 'xvfb', 'postgresql'];

/** The set-up step on a scratch machine: what it answered and every line it printed. */
function setUp(scratch: Scratch, { only = [] as string[], uid = 0, env = {} as Record<string, string> } = {}) {
  const lines: string[] = [];
  const result = ensurePrerequisites({ only, uid, root: scratch.root, env: { PATH: scratch.bin, ...env }, log: (line) => lines.push(line) });
  return { ...result, lines };
}

describe('set-up step: what is present is used', () => {
  test('everything present: nothing installed, one short line', () => {
    const scratch = scratchMachine({ present: everything });
    const { ok, installed, lines } = setUp(scratch);
    assert.equal(ok, true);
    assert.deepEqual(installed, []);
    assert.deepEqual(lines, ['npm test: found Chromium, Firefox, WebKit, PostgreSQL']);
    assert.deepEqual(scratch.aptCalls(), []);
  });

  test('a selection that needs nothing from the machine checks nothing and says nothing', () => {
    const scratch = scratchMachine();
    assert.deepEqual(setUp(scratch, { only: ['typecheck', 'lint'] }), { ok: true, installed: [], lines: [] });
    assert.deepEqual(scratch.aptCalls(), []);
  });

  test('TEST_DATABASE_URL set: no PostgreSQL server needed', () => {
    const scratch = scratchMachine();
    const { ok, lines } = setUp(scratch, { only: ['server'], env: { TEST_DATABASE_URL: 'postgres://db.example/test' } });
    assert.equal(ok, true);
    assert.deepEqual(lines, ['npm test: found PostgreSQL at TEST_DATABASE_URL']);
  });

  test('the *_PATH variables and DISPLAY stand in for the Debian packages', () => {
    const scratch = scratchMachine({ present: ['postgresql'] });
    const mine = join(scratch.root, 'opt/mine');
    for (const name of ['chrome', 'firefox', 'WebKitWebDriver', 'MiniBrowser']) executable(join(mine, name));
    const env = {
      CHROME_PATH: join(mine, 'chrome'),
      FIREFOX_PATH: join(mine, 'firefox'),
      WEBKIT_WEBDRIVER_PATH: join(mine, 'WebKitWebDriver'),
      MINIBROWSER_PATH: join(mine, 'MiniBrowser'),
      DISPLAY: ':0',
    };
    const { ok, lines } = setUp(scratch, { env });
    assert.equal(ok, true, lines.join('\n'));
    assert.deepEqual(scratch.aptCalls(), []);
  });
});

describe('set-up step: what is missing is installed as root with apt-get', () => {
  test('apt-get is called with exactly the missing packages, non-interactively, and the line says what and why', () => {
    const scratch = scratchMachine({ present: ['webkit2gtk-driver', 'xvfb'] });
    const { ok, installed, lines } = setUp(scratch);
    assert.equal(ok, true, lines.join('\n'));
    assert.deepEqual(installed, ['chromium', 'firefox-esr', 'postgresql']);
    assert.deepEqual(scratch.aptCalls(), ['noninteractive update -qq', 'noninteractive install -y -qq chromium firefox-esr postgresql']);
    assert.deepEqual(lines, [
      "npm test: installing Debian's chromium firefox-esr postgresql (the browser and end-to-end suites run in each engine; the store suites run against a throwaway PostgreSQL cluster) …",
      'npm test: found Chromium, Firefox, WebKit, PostgreSQL',
    ]);
  });

  test('only what the selection needs: the server suite needs PostgreSQL, no browser', () => {
    const scratch = scratchMachine();
    const { ok, installed } = setUp(scratch, { only: ['server'] });
    assert.equal(ok, true);
    assert.deepEqual(installed, ['postgresql']);
  });

  test('only what the selection needs: WebKit with a DISPLAY needs its driver, not Xvfb', () => {
    const scratch = scratchMachine();
    const { installed } = setUp(scratch, { only: ['browser:webkit'], env: { DISPLAY: ':0' } });
    assert.deepEqual(installed, ['webkit2gtk-driver']);
  });

  test('only what the selection needs: end-to-end in Firefox also needs Chromium, which its demo scenarios drive', () => {
    const scratch = scratchMachine();
    const { installed } = setUp(scratch, { only: ['e2e'], env: { TEST_BROWSERS: 'firefox' } });
    assert.deepEqual(installed, ['chromium', 'firefox-esr']);
  });

  test('apt-get failing stops the run in one line', () => {
    const scratch = scratchMachine({ aptGet: 'fails' });
    const { ok, lines } = setUp(scratch, { only: ['browser:chromium'] });
    assert.equal(ok, false);
    assert.equal(lines.length, 2);
    assert.equal(lines[1], 'npm test: apt-get update exited with 100 (its messages are above); run  apt-get install -y chromium  yourself to see why');
  });

  test('a package installed that still leaves the program missing stops the run, naming what is still missing', () => {
    const scratch = scratchMachine({ aptGet: 'installs nothing' });
    const { ok, lines } = setUp(scratch, { only: ['browser:chromium'] });
    assert.equal(ok, false);
    assert.equal(lines.at(-1), 'npm test: installed chromium, yet chromium not found (apt-get install chromium, or CHROME_PATH=…)');
  });
});

describe('set-up step: what is missing and cannot be installed is named in one line', () => {
  test('not root: the sudo command and the variables, and apt-get never called', () => {
    const scratch = scratchMachine({ present: ['webkit2gtk-driver', 'xvfb', 'postgresql'] });
    const { ok, lines } = setUp(scratch, { uid: 1000 });
    assert.equal(ok, false);
    assert.deepEqual(lines, ['npm test needs chromium, firefox-esr: run  sudo apt-get install -y chromium firefox-esr  (or set CHROME_PATH / FIREFOX_PATH to what you already have)']);
    assert.deepEqual(scratch.aptCalls(), []);
  });

  test('PostgreSQL missing is not a silent skip: the command, or TEST_DATABASE_URL', () => {
    const scratch = scratchMachine();
    const { ok, lines } = setUp(scratch, { only: ['server'], uid: 1000 });
    assert.equal(ok, false);
    assert.deepEqual(lines, ['npm test needs postgresql: run  sudo apt-get install -y postgresql  (or set TEST_DATABASE_URL to what you already have)']);
  });

  test('root without apt-get (not Debian): the Debian command and the way elsewhere', () => {
    const scratch = scratchMachine({ aptGet: 'none' });
    const { ok, lines } = setUp(scratch, { only: ['browser:webkit'] });
    assert.equal(ok, false);
    assert.deepEqual(lines, [
      'npm test needs webkit2gtk-driver, xvfb: on Debian/Ubuntu run  apt-get install -y webkit2gtk-driver xvfb ; elsewhere install them (README, "Quick start") or set WEBKIT_WEBDRIVER_PATH / MINIBROWSER_PATH / DISPLAY to what you already have',
    ]);
  });

  test('a variable that names no file is reported, and nothing is installed in its place', () => {
    const scratch = scratchMachine();
    const { ok, lines } = setUp(scratch, { only: ['browser:chromium'], env: { CHROME_PATH: '/nowhere/chrome' } });
    assert.equal(ok, false);
    assert.deepEqual(lines, ['npm test: CHROME_PATH=/nowhere/chrome names no file (it should point at chromium)']);
    assert.deepEqual(scratch.aptCalls(), []);
  });

  test('an unknown engine in TEST_BROWSERS: one line, not a stack trace', () => {
    const scratch = scratchMachine({ present: everything });
    const { ok, lines } = setUp(scratch, { env: { TEST_BROWSERS: 'chromium,safari' } });
    assert.equal(ok, false);
    assert.deepEqual(lines, ['npm test: TEST_BROWSERS: unknown engine "safari" (known: chromium, firefox, webkit)']);
  });
});

/** `node scripts/test.mjs ARGS` on a scratch machine: its exit code and what it printed. */
function npmTest(scratch: Scratch, args: string[]) {
  const run = spawnSync(process.execPath, ['scripts/test.mjs', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { PATH: scratch.bin, PORTONE_SETUP_ROOT: scratch.root },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm test (scripts/test.mjs) on a machine missing everything', () => {
  test('--setup-only installs it all when it can, or names the command', () => {
    const scratch = scratchMachine();
    const { code, stdout, stderr } = npmTest(scratch, ['--setup-only']);
    assert.equal(stderr, '');
    if (process.getuid?.() === 0) {
      assert.equal(code, 0, stdout);
      assert.match(stdout.split('\n')[0]!, /^npm test: installing Debian's chromium firefox-esr webkit2gtk-driver xvfb postgresql \(the browser and end-to-end suites run in each engine; the store suites run against a throwaway PostgreSQL cluster\) …$/);
      assert.equal(scratch.aptCalls().at(-1), 'noninteractive install -y -qq chromium firefox-esr webkit2gtk-driver xvfb postgresql');
    } else {
      assert.equal(code, 1);
      assert.match(stdout, /^npm test needs chromium, firefox-esr, webkit2gtk-driver, xvfb, postgresql: run {2}sudo apt-get install -y chromium firefox-esr webkit2gtk-driver xvfb postgresql {2}\(or set /);
    }
  });

  test('without apt-get it stops before any suite with one line and no stack trace', () => {
    const scratch = scratchMachine({ aptGet: 'none' });
    const { code, stdout, stderr } = npmTest(scratch, ['server']);
    assert.equal(code, 1);
    assert.equal(stderr, '');
    assert.equal(
      stdout,
      'npm test needs postgresql: on Debian/Ubuntu run  ' +
        `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y postgresql ; elsewhere install them (README, "Quick start") or set TEST_DATABASE_URL to what you already have\n`,
    );
  });
});

describe('the throwaway PostgreSQL cluster', () => {
  /** A stand-in for scripts/pg-cluster.sh: "starts" by making a folder, records each stop and removes the folder. */
  function fakeCluster({ fails = false } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'portone-checkout-fake-pg-'));
    scratchDirs.push(dir);
    const script = join(dir, 'pg-cluster');
    executable(script, `#!/bin/sh
if [ "$1" = stop ]; then echo "stop $2" >> '${dir}/stops'; rm -rf "$2"; exit 0; fi
${fails ? 'echo "initdb: could not create directory" >&2; exit 3' : ''}
mkdir '${dir}/data'
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5999/portone_checkout_test"
echo "export PG_TEST_DATA=${dir}/data"
`);
    return { script, data: join(dir, 'data'), stops: () => (existsSync(join(dir, 'stops')) ? readFileSync(join(dir, 'stops'), 'utf8').trim().split('\n') : []) };
  }

  test('started: the suites get TEST_DATABASE_URL; stopped once, however often stop is called', () => {
    const fake = fakeCluster();
    const cluster = startThrowawayCluster({ command: [fake.script] });
    assert.deepEqual(cluster.env, { TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5999/portone_checkout_test', PG_TEST_DATA: fake.data });
    assert.equal(existsSync(fake.data), true);
    cluster.stop();
    cluster.stop();
    assert.deepEqual(fake.stops(), [`stop ${fake.data}`]);
    assert.equal(existsSync(fake.data), false);
  });

  test('a cluster that does not start: one message naming the command and its exit code', () => {
    const fake = fakeCluster({ fails: true });
    assert.throws(() => startThrowawayCluster({ command: [fake.script] }), {
      message: `the throwaway PostgreSQL cluster did not start: ${fake.script} exited with 3 (its messages are above)`,
    });
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    test(`stopped when the run is ended by ${signal}`, async () => {
      const fake = fakeCluster();
      const module = new URL('../../scripts/pg-throwaway.mjs', import.meta.url).href;
      const child = spawn(process.execPath, ['--input-type=module', '-e', `
        const { startThrowawayCluster } = await import(${JSON.stringify(module)});
        startThrowawayCluster({ command: [${JSON.stringify(fake.script)}] });
        console.log('started');
        setInterval(() => {}, 1000);
      `], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      assert.equal(existsSync(fake.data), true);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
      child.kill(signal);
      assert.equal(await exited, code);
      assert.deepEqual(fake.stops(), [`stop ${fake.data}`]);
      assert.equal(existsSync(fake.data), false);
    });
  }

  const serverHere = existsSync('/usr/lib/postgresql') && spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb']).status === 0;
  test('a real one from scripts/pg-cluster.sh answers queries, and is gone once stopped', { skip: !serverHere && 'no PostgreSQL server under /usr/lib/postgresql' }, async () => {
    const cluster = startThrowawayCluster({ command: ['bash', join(repo, 'scripts/pg-cluster.sh')] });
    try {
      const client = new pg.Client({ connectionString: cluster.env.TEST_DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query('select current_database() as name');
        assert.equal(rows[0].name, 'portone_checkout_test');
      } finally {
        await client.end();
      }
    } finally {
      cluster.stop();
    }
    assert.equal(existsSync(cluster.env.PG_TEST_DATA), false);
  });
});
