// The house rules (eslint.config.mjs), each shown firing: small snippets linted with the project's own config at the
// path they would have in the tree. src/ never imports server/ or sandbox/; sandbox/ never imports server/; only
// server/store/ imports better-sqlite3 or pg; in server/, only config.ts reads process.env. What the rules allow
// passes clean, so the rules are no wider than the house.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The problems ESLint finds in `code` as if it stood at `path` (a file outside what is linted has none). */
async function lint(path: string, code: string): Promise<{ ruleId: string | null; severity: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path), warnIgnored: false });
  return (result?.messages ?? []).map(({ ruleId, severity, message }) => ({ ruleId, severity, message }));
}

const violations: { path: string; code: string; rule: string; says: RegExp }[] = [
  { path: 'src/merchant-endpoints.ts', code: "import { x } from '../server/x.js';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'src/merchant-endpoints.ts', code: "import type { Order } from '../server/store/types.js';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'src/deep/inside.ts', code: "import { createApp } from '../../server/app.js';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'src/index.ts', code: "export { createApp } from 'portone-checkout/server';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'src/sdk.ts', code: "const app = await import('../server/app.js');\nexport { app };", rule: 'no-restricted-syntax', says: /never import server\// },
  { path: 'src/sdk.ts', code: "export type App = typeof import('../server/app.js');", rule: 'no-restricted-syntax', says: /never import server\// },
  { path: 'src/sdk.ts', code: "import { startSandbox } from '../sandbox/index.js';", rule: 'no-restricted-imports', says: /never imports sandbox\// },
  { path: 'src/sdk.ts', code: "import { startSandbox } from 'portone-checkout/sandbox';", rule: 'no-restricted-imports', says: /never imports sandbox\// },
  { path: 'sandbox/rest.ts', code: "import { isValidAmount } from '../server/money.js';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'sandbox/v1/rest.ts', code: "import { isValidAmount } from '../../server/money.js';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'sandbox/index.ts', code: "export type { AppDeps } from 'portone-checkout/server';", rule: 'no-restricted-imports', says: /never import server\// },
  { path: 'sandbox/control.ts', code: "const money = await import('../server/money.js');\nexport { money };", rule: 'no-restricted-syntax', says: /never import server\// },
  { path: 'lib/money.ts', code: "import { loadConfig } from '../server/config.js';\nexport { loadConfig };", rule: 'no-restricted-imports', says: /lib\/ is neutral ground/ },
  { path: 'lib/money.ts', code: "import { DEFAULT_CREDENTIALS } from '../sandbox/credentials.js';\nexport { DEFAULT_CREDENTIALS };", rule: 'no-restricted-imports', says: /lib\/ is neutral ground/ },
  { path: 'lib/money.ts', code: "export type Params = typeof import('../src/params.js');", rule: 'no-restricted-syntax', says: /lib\/ is neutral ground/ },
  { path: 'server/routes/payments.ts', code: "import pg from 'pg';\nexport const pool = new pg.Pool();", rule: 'no-restricted-imports', says: /Only server\/store\// },
  { path: 'server/routes/payments.ts', code: "import type { PoolClient } from 'pg';\nexport type Client = PoolClient;", rule: 'no-restricted-imports', says: /Only server\/store\// },
  { path: 'server/settle.ts', code: "import Database from 'better-sqlite3';\nexport const db = new Database(':memory:');", rule: 'no-restricted-imports', says: /Only server\/store\// },
  { path: 'server/reconcile.ts', code: "export const pg = await import('pg');", rule: 'no-restricted-syntax', says: /Only server\/store\// },
  { path: 'sandbox/state.ts', code: "import Database from 'better-sqlite3';\nexport { Database };", rule: 'no-restricted-imports', says: /Only server\/store\// },
  { path: 'src/landing.ts', code: "import pg from 'pg';\nexport { pg };", rule: 'no-restricted-imports', says: /Only server\/store\// },
  { path: 'server/app.ts', code: 'export const port = process.env.PORT;', rule: 'no-restricted-properties', says: /only config\.ts reads the environment/ },
  { path: 'server/app.ts', code: "export const port = process.env['PORT'];", rule: 'no-restricted-properties', says: /only config\.ts reads the environment/ },
  { path: 'server/store/index.ts', code: 'const { env } = process;\nexport const url = env.DATABASE_URL;', rule: 'no-restricted-properties', says: /only config\.ts reads the environment/ },
  { path: 'server/log.ts', code: "import { env } from 'node:process';\nexport const level = env.LOG_LEVEL;", rule: 'no-restricted-imports', says: /only config\.ts reads the environment/ },
];

const allowed: { path: string; code: string; why: string }[] = [
  { path: 'src/merchant-endpoints.ts', code: "import { html } from 'lit';\nimport { outcome } from './events.js';\nimport './sandbox-hint.js';\nexport { html, outcome };", why: 'src/ imports lit and its own modules' },
  { path: 'sandbox/rest.ts', code: "import Koa from 'koa';\nimport { state } from './state.js';\nimport { money } from './money.js';\nexport { Koa, state, money };", why: 'sandbox/ imports its own modules and its libraries' },
  { path: 'lib/money.ts', code: "export const SCALE = 6;", why: 'lib/ stands on its own' },
  { path: 'server/store/postgres.ts', code: "import pg from 'pg';\nexport const pool = new pg.Pool();", why: 'server/store/ speaks to PostgreSQL' },
  { path: 'server/store/sqlite.ts', code: "import Database from 'better-sqlite3';\nexport const db = (path: string) => new Database(path);", why: 'server/store/ speaks to SQLite' },
  { path: 'server/store/index.ts', code: "export const sqlite = () => import('./sqlite.js');", why: 'server/store/ loads its own driver modules' },
  { path: 'server/config.ts', code: 'export function loadConfig(env = process.env) {\n  return env.PORT;\n}', why: 'config.ts reads the environment' },
  { path: 'server/log.ts', code: "process.stdout.write('line\\n');\nprocess.exitCode = 0;", why: 'server/ uses the process for anything else' },
  { path: 'server/routes/payments.ts', code: "import { settle } from '../settle.js';\nimport type { OrderStore } from '../store/types.js';\nexport { settle, type OrderStore };", why: 'server/ imports its own modules' },
  { path: 'test/server/store.test.ts', code: "import pg from 'pg';\nimport { openStore } from '../../server/store/index.js';\nexport { pg, openStore };\nexport const url = process.env.TEST_DATABASE_URL;", why: 'tests set up what they need' },
];

describe('the house rules are linted', () => {
  for (const { path, code, rule, says } of violations) {
    test(`${path}: ${code.split('\n')[0]} → ${rule}`, async () => {
      const problems = await lint(path, code);
      const found = problems.filter((p) => p.ruleId === rule && p.severity === 2);
      assert.equal(found.length, 1, `one ${rule} error, got ${JSON.stringify(problems)}`);
      assert.match(found[0]!.message, says);
      assert.deepEqual(problems.filter((p) => p.ruleId === null), [], 'the snippet parses');
    });
  }
});

describe('what the house allows lints clean', () => {
  for (const { path, code, why } of allowed) {
    test(`${path}: ${why}`, async () => {
      assert.deepEqual(await lint(path, code), []);
    });
  }
});
