// SPEC §4 configuration: loadConfig(env) for each variable (defaults, good values, bad values named in one
// message, empty = unset, no secret echoed), and the process: `node --import tsx server/main.ts` with a bad
// variable exits 1 naming it on stderr without a stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { type Config, ConfigError, loadConfig } from '../../server/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const DEFAULTS: Config = {
  port: 8080,
  host: '127.0.0.1',
  portone: null,
  sandboxPort: 8081,
  databaseUrl: 'sqlite:./data/orders.db',
  allowedOrigins: [],
  reconcileAfterMinutes: 10,
  reconcileIntervalMinutes: 0,
  logLevel: 'info',
};

const KEYS = { PORTONE_API_KEY: 'imp_key_1234', PORTONE_API_SECRET: 's3cr3t-value-never-printed' };

/** The ConfigError loadConfig throws for `env`; fails if it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) accepted it`);
}

/** The variables the message names, one per line (`  NAME: problem`). */
function named(error: ConfigError): string[] {
  return [...error.message.matchAll(/^ {2}([A-Z_]+):/gm)].map((m) => m[1]!);
}

function assertRefused(env: Record<string, string>, variable: string): ConfigError {
  const error = configError(env);
  assert.ok(named(error).includes(variable), `${JSON.stringify(env)}: the message names ${variable}:\n${error.message}`);
  return error;
}

describe('loadConfig: defaults (SPEC §4)', () => {
  test('nothing set → PORT 8080, HOST 127.0.0.1, SANDBOX_PORT = PORT + 1, sandbox (no keys), sqlite:./data/orders.db, same origin only', () => {
    assert.deepEqual({ ...loadConfig({}) }, DEFAULTS);
  });

  test('the result is frozen', () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  test('an empty variable is unset: every variable empty gives the defaults', () => {
    const empty = Object.fromEntries(
      ['PORT', 'HOST', 'SANDBOX_PORT', 'PORTONE_API_KEY', 'PORTONE_API_SECRET', 'PORTONE_API_URL', 'DATABASE_URL', 'ALLOWED_ORIGINS', 'RECONCILE_AFTER_MINUTES', 'RECONCILE_INTERVAL_MINUTES', 'LOG_LEVEL'].map((k) => [k, '']),
    );
    assert.deepEqual({ ...loadConfig(empty) }, DEFAULTS);
    // Only one key, the other empty: that is one key, and refused.
    assertRefused({ PORTONE_API_KEY: 'k', PORTONE_API_SECRET: '' }, 'PORTONE_API_SECRET');
  });

  test('variables it does not know (PATH, HOME, …) are ignored', () => {
    assert.deepEqual({ ...loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'production', PORTX: 'nonsense' }) }, DEFAULTS);
  });

  test('without an argument it reads process.env', () => {
    const saved = process.env.PORT;
    process.env.PORT = '9123';
    try {
      assert.equal(loadConfig().port, 9123);
      assert.equal(loadConfig().sandboxPort, 9124);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe('loadConfig: each variable', () => {
  test('PORT: a port number; SANDBOX_PORT follows it', () => {
    assert.deepEqual([loadConfig({ PORT: '3000' }).port, loadConfig({ PORT: '3000' }).sandboxPort], [3000, 3001]);
    assert.deepEqual([loadConfig({ PORT: '1' }).port, loadConfig({ PORT: '1' }).sandboxPort], [1, 2]);
    // 0 asks for any free port, for both; the last port has no next one.
    assert.deepEqual([loadConfig({ PORT: '0' }).port, loadConfig({ PORT: '0' }).sandboxPort], [0, 0]);
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
    assert.notEqual(loadConfig({ PORT: '65535' }).sandboxPort, 65535);
  });

  for (const bad of ['abc', '80a', '8080 8081', '1e3', '0x1F90', '-1', '65536', '70000', '3.5', ' ', 'NaN', 'Infinity']) {
    test(`PORT=${JSON.stringify(bad)} → refused, naming PORT`, () => {
      const error = assertRefused({ PORT: bad }, 'PORT');
      assert.deepEqual(named(error), ['PORT']);
    });
  }

  test('SANDBOX_PORT: a port number of its own', () => {
    assert.equal(loadConfig({ SANDBOX_PORT: '9000' }).sandboxPort, 9000);
    assert.equal(loadConfig({ PORT: '3000', SANDBOX_PORT: '4000' }).sandboxPort, 4000);
    for (const bad of ['abc', '65536', '-5', '1.5']) assertRefused({ SANDBOX_PORT: bad }, 'SANDBOX_PORT');
    // The sandbox plays PortOne: never on the verifier's port.
    assertRefused({ PORT: '3000', SANDBOX_PORT: '3000' }, 'SANDBOX_PORT');
    assertRefused({ SANDBOX_PORT: '8080' }, 'SANDBOX_PORT');
    // With keys there is no sandbox, so it does not matter.
    assert.equal(loadConfig({ ...KEYS, PORT: '3000', SANDBOX_PORT: '3000' }).port, 3000);
  });

  test('HOST: any host name or address; blank refused', () => {
    for (const host of ['0.0.0.0', '::1', 'localhost', 'verifier.internal']) assert.equal(loadConfig({ HOST: host }).host, host);
    assertRefused({ HOST: '   ' }, 'HOST');
  });

  test('PORTONE_API_KEY + PORTONE_API_SECRET: both → PortOne at https://api.iamport.kr; none → sandbox', () => {
    assert.deepEqual(loadConfig(KEYS).portone, { apiKey: KEYS.PORTONE_API_KEY, apiSecret: KEYS.PORTONE_API_SECRET, apiUrl: 'https://api.iamport.kr' });
    assert.equal(loadConfig({}).portone, null);
  });

  test('only one of the two keys → refused, naming the missing one; the secret is never printed', () => {
    const onlyKey = assertRefused({ PORTONE_API_KEY: KEYS.PORTONE_API_KEY }, 'PORTONE_API_SECRET');
    const onlySecret = assertRefused({ PORTONE_API_SECRET: KEYS.PORTONE_API_SECRET }, 'PORTONE_API_KEY');
    for (const error of [onlyKey, onlySecret]) {
      assert.ok(!error.message.includes(KEYS.PORTONE_API_SECRET), error.message);
      assert.ok(!error.message.includes(KEYS.PORTONE_API_KEY), error.message);
    }
  });

  test('PORTONE_API_URL: any http(s) URL (with the keys)', () => {
    for (const url of ['http://127.0.0.1:8081', 'https://api.iamport.kr', 'https://proxy.example/iamport']) {
      assert.equal(loadConfig({ ...KEYS, PORTONE_API_URL: url }).portone?.apiUrl, url);
    }
    for (const bad of ['ftp://api.iamport.kr', 'api.iamport.kr', 'not a url', 'file:///etc/passwd', 'javascript:alert(1)']) {
      assertRefused({ ...KEYS, PORTONE_API_URL: bad }, 'PORTONE_API_URL');
    }
  });

  test('DATABASE_URL: sqlite:PATH (relative or absolute), postgres://…, memory:; anything else refused', () => {
    for (const url of ['sqlite:./data/orders.db', 'sqlite:orders.db', 'sqlite:/var/lib/verifier/orders.db', 'sqlite:///var/lib/orders.db', 'sqlite::memory:', 'postgres://user:pw@db:5432/shop', 'postgresql://db/shop', 'memory:']) {
      assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
    }
    for (const bad of ['mysql://user@db/shop', 'sqlite:', 'orders.db', './data/orders.db', 'file:./orders.db', 'sqlite://host/orders.db', 'postgres://', 'mongodb://db']) {
      assertRefused({ DATABASE_URL: bad }, 'DATABASE_URL');
    }
  });

  test('DATABASE_URL refused → its password is not printed', () => {
    const error = assertRefused({ DATABASE_URL: 'mysql://shop:hunter2-secret@db/shop' }, 'DATABASE_URL');
    assert.ok(!error.message.includes('hunter2-secret'), error.message);
  });

  test('ALLOWED_ORIGINS: a comma list of http(s) origins', () => {
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'https://shop.example, http://localhost:3000' }).allowedOrigins, ['https://shop.example', 'http://localhost:3000']);
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'https://shop.example' }).allowedOrigins, ['https://shop.example']);
    for (const bad of ['shop.example', 'https://shop.example,not a url', 'ftp://shop.example', '*', 'null']) {
      assertRefused({ ALLOWED_ORIGINS: bad }, 'ALLOWED_ORIGINS');
    }
  });

  test('RECONCILE_AFTER_MINUTES / RECONCILE_INTERVAL_MINUTES: minutes ≥ 0', () => {
    const config = loadConfig({ RECONCILE_AFTER_MINUTES: '30', RECONCILE_INTERVAL_MINUTES: '5' });
    assert.deepEqual([config.reconcileAfterMinutes, config.reconcileIntervalMinutes], [30, 5]);
    assert.deepEqual([loadConfig({ RECONCILE_AFTER_MINUTES: '0' }).reconcileAfterMinutes, loadConfig({ RECONCILE_INTERVAL_MINUTES: '0.5' }).reconcileIntervalMinutes], [0, 0.5]);
    for (const variable of ['RECONCILE_AFTER_MINUTES', 'RECONCILE_INTERVAL_MINUTES']) {
      for (const bad of ['-1', '-0.5', 'abc', '10m', ' ']) assertRefused({ [variable]: bad }, variable);
    }
    // Beyond setInterval's 2^31 − 1 ms Node would run reconcile every millisecond.
    assertRefused({ RECONCILE_INTERVAL_MINUTES: '100000' }, 'RECONCILE_INTERVAL_MINUTES');
  });

  test('LOG_LEVEL: debug, info, warn, error or silent', () => {
    for (const level of ['debug', 'info', 'warn', 'error', 'silent'] as const) assert.equal(loadConfig({ LOG_LEVEL: level }).logLevel, level);
    for (const bad of ['verbose', 'INFO', 'trace', '1']) {
      const error = assertRefused({ LOG_LEVEL: bad }, 'LOG_LEVEL');
      assert.match(error.message, /debug.*info.*warn.*error.*silent/, 'says what is allowed');
    }
  });
});

describe('loadConfig: several bad variables at once', () => {
  test('every bad variable is named in one message, one line each', () => {
    const error = configError({
      PORT: 'eighty',
      SANDBOX_PORT: '99999',
      HOST: ' ',
      PORTONE_API_KEY: 'only-the-key',
      PORTONE_API_URL: 'ftp://x',
      DATABASE_URL: 'mysql://db',
      ALLOWED_ORIGINS: 'nope',
      RECONCILE_AFTER_MINUTES: '-3',
      RECONCILE_INTERVAL_MINUTES: 'soon',
      LOG_LEVEL: 'loud',
    });
    assert.equal(error.name, 'ConfigError');
    const variables = new Set(named(error));
    for (const variable of ['PORT', 'SANDBOX_PORT', 'HOST', 'PORTONE_API_SECRET', 'PORTONE_API_URL', 'DATABASE_URL', 'ALLOWED_ORIGINS', 'RECONCILE_AFTER_MINUTES', 'RECONCILE_INTERVAL_MINUTES', 'LOG_LEVEL']) {
      assert.ok(variables.has(variable), `${variable} is named:\n${error.message}`);
    }
    assert.ok(!error.message.includes('only-the-key'), 'keys are not echoed');
  });

  test('a cross-variable problem is named even when another variable is bad too', () => {
    assert.deepEqual(named(configError({ PORT: 'abc', PORTONE_API_SECRET: 'x' })).sort(), ['PORTONE_API_KEY', 'PORT'].sort());
    assert.deepEqual(named(configError({ LOG_LEVEL: 'x', PORT: '3000', SANDBOX_PORT: '3000' })).sort(), ['LOG_LEVEL', 'SANDBOX_PORT']);
  });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx server/main.ts` with exactly `env` (plus PATH), as an operator starts it. */
function runMain(env: Record<string, string>, timeoutMs = 20_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server/main.ts did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const STACK = /\n\s+at |node:internal|\.ts:\d+:\d+/;

describe('the process: node --import tsx server/main.ts', () => {
  const cases: Array<[Record<string, string>, string[]]> = [
    [{ PORT: 'abc' }, ['PORT']],
    [{ PORTONE_API_KEY: 'only-key' }, ['PORTONE_API_SECRET']],
    [{ DATABASE_URL: 'mysql://db/shop', LOG_LEVEL: 'loud', RECONCILE_AFTER_MINUTES: '-1' }, ['DATABASE_URL', 'LOG_LEVEL', 'RECONCILE_AFTER_MINUTES']],
  ];
  for (const [env, variables] of cases) {
    test(`${Object.keys(env).join(', ')} bad → exit code 1, stderr names ${variables.join(', ')}, no stack trace`, async () => {
      const exit = await runMain({ ...env, DATABASE_URL: env.DATABASE_URL ?? 'memory:' });
      assert.equal(exit.code, 1, `exit code; stderr: ${exit.stderr}`);
      for (const variable of variables) assert.match(exit.stderr, new RegExp(`\\b${variable}\\b`), `stderr names ${variable}: ${exit.stderr}`);
      assert.doesNotMatch(exit.stderr, STACK, `no stack trace: ${exit.stderr}`);
      assert.doesNotMatch(exit.stdout, /listening/, 'it never started');
    });
  }

  test('a good configuration (PORT=0: any free port) starts, serves /healthz and stops on SIGTERM with code 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${stdout}; stderr: ${stderr}`)), 20_000);
        const look = () => {
          const match = /verifier: (http:\/\/\S+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        child.stdout.on('data', look);
        exited.then(() => reject(new Error(`exited early; stderr: ${stderr}`)));
      });
      assert.doesNotMatch(url, /:0$/, 'a real port');
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `exit code after SIGTERM; stderr: ${stderr}`);
  });
});
