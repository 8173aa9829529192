// SPEC §4 configuration: loadConfig(env) for each variable (defaults, good values, bad values named in one
// message, empty = unset, no secret echoed), the sandbox only on purpose (PORTONE_SANDBOX=true, never a
// fallback), and the process: `node --import tsx server/main.ts` with a bad variable exits 1 naming it on stderr
// without a stack trace; a port in use names the variable that moves it; no password of a URL in any output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { type Config, ConfigError, loadConfig } from '../../server/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What PORTONE_SANDBOX=true alone gives. */
const DEFAULTS: Config = {
  port: 8080,
  host: '127.0.0.1',
  portone: null,
  portoneV2: null,
  acceptTestPayments: true,
  sandbox: true,
  sandboxPort: 8081,
  databaseUrl: 'sqlite:./data/orders.db',
  allowedOrigins: [],
  catalogFile: null,
  fulfilmentEndpoint: null,
  prepareRateLimit: 30,
  trustProxy: false,
  reconcileAfterMinutes: 10,
  reconcileIntervalMinutes: 0,
  logLevel: 'info',
};

const KEYS = { PORTONE_API_KEY: 'imp_key_1234', PORTONE_API_SECRET: 's3cr3t-value-never-printed' };
const SANDBOX = { PORTONE_SANDBOX: 'true' };
/** A Standard Webhooks secret (24 random bytes). */
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

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
  test('PORTONE_SANDBOX=true alone → PORT 8080, HOST 127.0.0.1, SANDBOX_PORT = PORT + 1, sqlite:./data/orders.db, same origin only, 30 prepares a minute', () => {
    assert.deepEqual({ ...loadConfig(SANDBOX) }, DEFAULTS);
  });

  test('the result is frozen', () => {
    const config = loadConfig(SANDBOX);
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  test('an empty variable is unset: every variable empty gives the defaults', () => {
    const empty = Object.fromEntries(
      ['PORT', 'HOST', 'SANDBOX_PORT', 'PORTONE_API_KEY', 'PORTONE_API_SECRET', 'PORTONE_API_URL', 'DATABASE_URL', 'ALLOWED_ORIGINS', 'RECONCILE_AFTER_MINUTES', 'RECONCILE_INTERVAL_MINUTES', 'LOG_LEVEL'].map((k) => [k, '']),
    );
    assert.deepEqual({ ...loadConfig({ ...empty, ...SANDBOX }) }, DEFAULTS);
    // Only one key, the other empty: that is one key, and refused.
    assertRefused({ PORTONE_API_KEY: 'k', PORTONE_API_SECRET: '' }, 'PORTONE_API_SECRET');
  });

  test('variables it does not know (PATH, HOME, …) are ignored', () => {
    assert.deepEqual({ ...loadConfig({ ...SANDBOX, PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'production', PORTX: 'nonsense' }) }, DEFAULTS);
  });

  test('without an argument it reads process.env', () => {
    const saved = { PORT: process.env.PORT, PORTONE_SANDBOX: process.env.PORTONE_SANDBOX };
    process.env.PORT = '9123';
    process.env.PORTONE_SANDBOX = 'true';
    try {
      assert.equal(loadConfig().port, 9123);
      assert.equal(loadConfig().sandboxPort, 9124);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('loadConfig: each variable', () => {
  test('PORT: a port number; SANDBOX_PORT follows it', () => {
    const at = (PORT: string) => loadConfig({ ...SANDBOX, PORT });
    assert.deepEqual([at('3000').port, at('3000').sandboxPort], [3000, 3001]);
    assert.deepEqual([at('1').port, at('1').sandboxPort], [1, 2]);
    // 0 asks for any free port, for both; the last port has no next one.
    assert.deepEqual([at('0').port, at('0').sandboxPort], [0, 0]);
    assert.equal(at('65535').port, 65535);
    assert.notEqual(at('65535').sandboxPort, 65535);
  });

  for (const bad of ['abc', '80a', '8080 8081', '1e3', '0x1F90', '-1', '65536', '70000', '3.5', ' ', 'NaN', 'Infinity']) {
    test(`PORT=${JSON.stringify(bad)} → refused, naming PORT`, () => {
      const error = assertRefused({ ...SANDBOX, PORT: bad }, 'PORT');
      assert.deepEqual(named(error), ['PORT']);
    });
  }

  test('SANDBOX_PORT: a port number of its own', () => {
    assert.equal(loadConfig({ ...SANDBOX, SANDBOX_PORT: '9000' }).sandboxPort, 9000);
    assert.equal(loadConfig({ ...SANDBOX, PORT: '3000', SANDBOX_PORT: '4000' }).sandboxPort, 4000);
    for (const bad of ['abc', '65536', '-5', '1.5']) assertRefused({ ...SANDBOX, SANDBOX_PORT: bad }, 'SANDBOX_PORT');
    // The sandbox plays PortOne: never on the verifier's port.
    assertRefused({ ...SANDBOX, PORT: '3000', SANDBOX_PORT: '3000' }, 'SANDBOX_PORT');
    assertRefused({ ...SANDBOX, SANDBOX_PORT: '8080' }, 'SANDBOX_PORT');
    // With keys there is no sandbox, so it does not matter.
    assert.equal(loadConfig({ ...KEYS, PORT: '3000', SANDBOX_PORT: '3000' }).port, 3000);
  });

  test('HOST: any host name or address; blank refused', () => {
    for (const host of ['0.0.0.0', '::1', 'localhost', 'verifier.internal']) assert.equal(loadConfig({ ...SANDBOX, HOST: host }).host, host);
    assertRefused({ ...SANDBOX, HOST: '   ' }, 'HOST');
  });

  test('PORTONE_API_KEY + PORTONE_API_SECRET: both → PortOne at https://api.iamport.kr, no sandbox', () => {
    const config = loadConfig(KEYS);
    assert.deepEqual(config.portone, { apiKey: KEYS.PORTONE_API_KEY, apiSecret: KEYS.PORTONE_API_SECRET, apiUrl: 'https://api.iamport.kr' });
    assert.equal(config.sandbox, false);
  });

  test('the sandbox is never a fallback: no keys and no PORTONE_SANDBOX → refused, naming both keys and saying how to try the sandbox', () => {
    for (const env of [{}, { PORTONE_SANDBOX: 'false' }, { PORTONE_API_URL: 'https://api.iamport.kr' }]) {
      const error = configError(env);
      assert.ok(named(error).includes('PORTONE_API_KEY') && named(error).includes('PORTONE_API_SECRET'), error.message);
      assert.match(error.message, /PORTONE_SANDBOX=true/, 'says how to run against the sandbox on purpose');
    }
  });

  test('PORTONE_SANDBOX: true or false (any case); anything else says what was expected and what came', () => {
    assert.equal(loadConfig({ PORTONE_SANDBOX: 'TRUE' }).sandbox, true);
    assert.equal(loadConfig({ ...KEYS, PORTONE_SANDBOX: 'false' }).sandbox, false);
    for (const bad of ['yes', '1', 'on', 'ture']) {
      const error = assertRefused({ ...KEYS, PORTONE_SANDBOX: bad }, 'PORTONE_SANDBOX');
      assert.match(error.message, new RegExp(`PORTONE_SANDBOX: must be true or false \\(got "${bad}"\\)`), error.message);
    }
  });

  test('keys together with PORTONE_SANDBOX=true → refused (one or the other, on purpose), the secret not printed', () => {
    const error = configError({ ...KEYS, ...SANDBOX });
    assert.deepEqual(named(error).sort(), ['PORTONE_API_KEY', 'PORTONE_API_SECRET']);
    assert.ok(!error.message.includes(KEYS.PORTONE_API_SECRET), error.message);
    assertRefused({ ...SANDBOX, PORTONE_API_URL: 'https://api.iamport.kr' }, 'PORTONE_API_URL');
  });

  test('CATALOG_FILE: a path (read at start); blank is unset', () => {
    assert.equal(loadConfig({ ...SANDBOX, CATALOG_FILE: './catalog.json' }).catalogFile, './catalog.json');
    assert.equal(loadConfig({ ...SANDBOX, CATALOG_FILE: '' }).catalogFile, null);
    assertRefused({ ...SANDBOX, CATALOG_FILE: '   ' }, 'CATALOG_FILE');
  });

  test('FULFILMENT_URL + FULFILMENT_SECRET: an http(s) URL and a Standard Webhooks secret, together; the secret never printed', () => {
    assert.deepEqual(loadConfig({ ...SANDBOX, FULFILMENT_URL: 'https://shop.example/paid.php', FULFILMENT_SECRET: WHSEC }).fulfilmentEndpoint, {
      url: 'https://shop.example/paid.php',
      secret: WHSEC,
    });
    assertRefused({ ...SANDBOX, FULFILMENT_URL: 'https://shop.example/paid.php' }, 'FULFILMENT_SECRET');
    assertRefused({ ...SANDBOX, FULFILMENT_SECRET: WHSEC }, 'FULFILMENT_SECRET');
    assertRefused({ ...SANDBOX, FULFILMENT_URL: 'ftp://shop.example', FULFILMENT_SECRET: WHSEC }, 'FULFILMENT_URL');
    for (const bad of ['hunter2', 'whsec_c2hvcnQ=', 'whsec_not base64!!']) {
      const error = assertRefused({ ...SANDBOX, FULFILMENT_URL: 'https://shop.example/paid.php', FULFILMENT_SECRET: bad }, 'FULFILMENT_SECRET');
      assert.ok(!error.message.includes(bad), error.message);
    }
  });

  test('PREPARE_RATE_LIMIT: a whole number ≥ 0 (0: no limit); TRUST_PROXY: true or false', () => {
    assert.equal(loadConfig({ ...SANDBOX, PREPARE_RATE_LIMIT: '5' }).prepareRateLimit, 5);
    assert.equal(loadConfig({ ...SANDBOX, PREPARE_RATE_LIMIT: '0' }).prepareRateLimit, 0);
    for (const bad of ['-1', '2.5', 'many', '1e3']) assertRefused({ ...SANDBOX, PREPARE_RATE_LIMIT: bad }, 'PREPARE_RATE_LIMIT');
    assert.equal(loadConfig({ ...SANDBOX, TRUST_PROXY: 'true' }).trustProxy, true);
    assertRefused({ ...SANDBOX, TRUST_PROXY: 'x-forwarded-for' }, 'TRUST_PROXY');
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
      assert.equal(loadConfig({ ...SANDBOX, DATABASE_URL: url }).databaseUrl, url);
    }
    for (const bad of ['mysql://user@db/shop', 'sqlite:', 'orders.db', './data/orders.db', 'file:./orders.db', 'sqlite://host/orders.db', 'postgres://', 'mongodb://db']) {
      assertRefused({ ...SANDBOX, DATABASE_URL: bad }, 'DATABASE_URL');
    }
  });

  test('DATABASE_URL refused → its password is not printed (in the user part or in a password= parameter)', () => {
    for (const url of ['mysql://shop:hunter2-secret@db/shop', 'mysql://db/shop?password=hunter2-secret', 'mysql://shop:hunter2@secret@db/shop']) {
      const error = assertRefused({ ...SANDBOX, DATABASE_URL: url }, 'DATABASE_URL');
      assert.ok(!error.message.includes('hunter2'), error.message);
    }
  });

  test('ALLOWED_ORIGINS: a comma list of http(s) origins', () => {
    assert.deepEqual(loadConfig({ ...SANDBOX, ALLOWED_ORIGINS: 'https://shop.example, http://localhost:3000' }).allowedOrigins, ['https://shop.example', 'http://localhost:3000']);
    assert.deepEqual(loadConfig({ ...SANDBOX, ALLOWED_ORIGINS: 'https://shop.example' }).allowedOrigins, ['https://shop.example']);
    for (const bad of ['shop.example', 'https://shop.example,not a url', 'ftp://shop.example', '*', 'null']) {
      assertRefused({ ...SANDBOX, ALLOWED_ORIGINS: bad }, 'ALLOWED_ORIGINS');
    }
  });

  test('RECONCILE_AFTER_MINUTES / RECONCILE_INTERVAL_MINUTES: minutes ≥ 0', () => {
    const config = loadConfig({ ...SANDBOX, RECONCILE_AFTER_MINUTES: '30', RECONCILE_INTERVAL_MINUTES: '5' });
    assert.deepEqual([config.reconcileAfterMinutes, config.reconcileIntervalMinutes], [30, 5]);
    assert.deepEqual(
      [loadConfig({ ...SANDBOX, RECONCILE_AFTER_MINUTES: '0' }).reconcileAfterMinutes, loadConfig({ ...SANDBOX, RECONCILE_INTERVAL_MINUTES: '0.5' }).reconcileIntervalMinutes],
      [0, 0.5],
    );
    for (const variable of ['RECONCILE_AFTER_MINUTES', 'RECONCILE_INTERVAL_MINUTES']) {
      for (const bad of ['-1', '-0.5', 'abc', '10m', ' ']) assertRefused({ ...SANDBOX, [variable]: bad }, variable);
    }
    // Beyond setInterval's 2^31 − 1 ms Node would run reconcile every millisecond.
    assertRefused({ ...SANDBOX, RECONCILE_INTERVAL_MINUTES: '100000' }, 'RECONCILE_INTERVAL_MINUTES');
  });

  test('LOG_LEVEL: debug, info, warn, error or silent', () => {
    for (const level of ['debug', 'info', 'warn', 'error', 'silent'] as const) assert.equal(loadConfig({ ...SANDBOX, LOG_LEVEL: level }).logLevel, level);
    for (const bad of ['verbose', 'INFO', 'trace', '1']) {
      const error = assertRefused({ ...SANDBOX, LOG_LEVEL: bad }, 'LOG_LEVEL');
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
    assert.deepEqual(named(configError({ ...SANDBOX, LOG_LEVEL: 'x', PORT: '3000', SANDBOX_PORT: '3000' })).sort(), ['LOG_LEVEL', 'SANDBOX_PORT']);
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
    [{ ...SANDBOX, PORT: 'abc' }, ['PORT']],
    [{ PORTONE_API_KEY: 'only-key' }, ['PORTONE_API_SECRET']],
    [{ ...SANDBOX, DATABASE_URL: 'mysql://db/shop', LOG_LEVEL: 'loud', RECONCILE_AFTER_MINUTES: '-1' }, ['DATABASE_URL', 'LOG_LEVEL', 'RECONCILE_AFTER_MINUTES']],
    // No keys and no sandbox: never a silent fallback to the sandbox.
    [{}, ['PORTONE_API_KEY', 'PORTONE_API_SECRET']],
    // Real keys and no price authority: refuses to start rather than charge what the browser says.
    [{ ...KEYS }, ['CATALOG_FILE']],
    [{ ...SANDBOX, CATALOG_FILE: '/nonexistent/catalog.json' }, ['CATALOG_FILE']],
  ];
  for (const [env, variables] of cases) {
    test(`${Object.keys(env).join(', ') || 'no variable'} bad → exit code 1, stderr names ${variables.join(', ')}, no stack trace`, async () => {
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
      env: { PATH: process.env.PATH ?? '', ...SANDBOX, PORT: '0', SANDBOX_PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent' },
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
