// Boot (SPEC §4): the sandbox only on purpose — with PORTONE_SANDBOX=true the in-process sandbox listens on
// 127.0.0.1 whatever HOST is, and its webhooks reach this server's own /portone/webhook with no setting; a port
// in use is one clear line naming the variable that moves it (no stack trace); no password of a URL appears in any
// log line; and the price authority is required with real keys.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { type Config, ConfigError, loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { startServer } from '../../server/main.js';
import { waitFor } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'verifier-boot-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const sandboxConfig = (env: Record<string, string> = {}): Config =>
  loadConfig({ PORTONE_SANDBOX: 'true', PORT: '0', SANDBOX_PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent', ...env });

function listen(host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, host, () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe('PORTONE_SANDBOX=true: the in-process sandbox', () => {
  test('listens on 127.0.0.1 even when HOST is 0.0.0.0 (its control API makes "paid" payments: this machine only)', async () => {
    const running = await startServer(sandboxConfig({ HOST: '0.0.0.0' }));
    try {
      assert.equal((running.server.address() as AddressInfo).address, '0.0.0.0', 'the verifier listens where HOST says');
      assert.equal((running.sandbox!.server.address() as AddressInfo).address, '127.0.0.1', 'the sandbox on loopback only');
    } finally {
      await running.close();
    }
  });

  test('its webhooks reach this server without any setting: a payment paid at the sandbox settles the order by webhook', async () => {
    const running = await startServer(sandboxConfig());
    try {
      const merchant_uid = `boot-${Date.now()}`;
      const prepared = await fetch(`${running.url}/payments/prepare`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchant_uid, amount: 1000 }),
      });
      assert.equal(prepared.status, 201, await prepared.clone().text());
      // As the buyer paying in the window: the sandbox notifies the console's URL, which nobody configured here.
      const created = await fetch(`${running.sandbox!.url}/__sandbox/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchant_uid, amount: 1000, status: 'paid' }),
      });
      assert.equal(created.status, 201);
      const order = await waitFor(async () => {
        const body = (await (await fetch(`${running.url}/payments/${merchant_uid}`)).json()) as any;
        return body.state === 'paid' ? body : null;
      }, 'the webhook to settle the order');
      assert.deepEqual(
        order.history.map((h: { state: string; via: string }) => `${h.state}/${h.via}`),
        ['ready/prepare', 'paid/webhook'],
      );
      // The sandbox's reset keeps the notification URL (it is the console's setting, not test state).
      await fetch(`${running.sandbox!.url}/__sandbox/reset`, { method: 'POST' });
      assert.equal(running.sandbox!.state.config.notice_url, `${running.url}/portone/webhook`);
    } finally {
      await running.close();
    }
  });

  test('its port taken → a ConfigError naming SANDBOX_PORT, and nothing left open', async () => {
    const held = await listen();
    try {
      await assert.rejects(startServer(sandboxConfig({ SANDBOX_PORT: String(portOf(held)) })), (error: Error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /SANDBOX_PORT: port \d+ on 127\.0\.0\.1 is already in use/);
        return true;
      });
    } finally {
      held.close();
    }
  });

  test("the verifier's port taken → a ConfigError naming PORT; the sandbox it started is closed again", async () => {
    const held = await listen();
    const spare = await listen();
    const sandboxPort = portOf(spare);
    await new Promise((resolve) => spare.close(resolve));
    try {
      await assert.rejects(startServer(sandboxConfig({ PORT: String(portOf(held)), SANDBOX_PORT: String(sandboxPort) })), (error: Error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /PORT: port \d+ on 127\.0\.0\.1 is already in use .* set PORT/);
        return true;
      });
      await assert.rejects(fetch(`http://127.0.0.1:${sandboxPort}/__sandbox/`), TypeError, 'the sandbox it started is closed again');
    } finally {
      held.close();
    }
  });
});

describe('real keys', () => {
  const KEYS = { PORTONE_API_KEY: 'imp_key_boot', PORTONE_API_SECRET: 'boot-secret-never-logged' };

  test('no price authority → refused at start naming CATALOG_FILE and priceOrder; a catalog or priceOrder → starts', async () => {
    const config = loadConfig({ ...KEYS, PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent' });
    await assert.rejects(startServer(config), (error: Error) => error instanceof ConfigError && /CATALOG_FILE/.test(error.message) && /priceOrder/.test(error.message));
    const catalog = join(scratch, 'catalog.json');
    writeFileSync(catalog, JSON.stringify({ chair: { name: '의자', amount: 14000, currency: 'KRW' } }));
    const withCatalog = await startServer(loadConfig({ ...KEYS, PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent', CATALOG_FILE: catalog }));
    await withCatalog.close();
    const withFunction = await startServer(config, { priceOrder: () => ({ amount: 1000, currency: 'KRW', name: 'x' }) });
    await withFunction.close();
  });

  test('a bad catalog is refused at start, naming the entry', async () => {
    const catalog = join(scratch, 'bad-catalog.json');
    writeFileSync(catalog, JSON.stringify({ chair: { name: '의자', amount: 14000.5, currency: 'KRW' }, lamp: { name: 'lamp', amount: -1 } }));
    await assert.rejects(startServer(loadConfig({ ...KEYS, PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent', CATALOG_FILE: catalog })), (error: Error) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, /chair\.amount: must be a whole number of won for KRW/);
      assert.match(error.message, /lamp\.amount/);
      return true;
    });
  });

  test('no log line carries the password of PORTONE_API_URL or DATABASE_URL, nor the keys', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', {}, (line) => lines.push(line));
    const catalog = join(scratch, 'catalog-2.json');
    writeFileSync(catalog, JSON.stringify({ chair: { name: '의자', amount: 14000 } }));
    const config = loadConfig({
      ...KEYS,
      PORT: '0',
      PORTONE_API_URL: 'http://proxy-user:proxy-pass-W0rd@127.0.0.1:9/iamport',
      DATABASE_URL: `sqlite:${join(scratch, 'orders.db')}`,
      CATALOG_FILE: catalog,
    });
    const running = await startServer(config, { logger });
    try {
      // PortOne (nothing listens on port 9) cannot be reached: the client's failure is logged too.
      const answer = await fetch(`${running.url}/payments/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imp_uid: 'imp_000000000001', merchant_uid: 'x' }) });
      assert.equal(answer.status, 502);
    } finally {
      await running.close();
    }
    const all = lines.join('\n');
    assert.match(all, /verifier listening/);
    assert.match(all, /proxy-user:\*\*\*@127\.0\.0\.1:9/, 'the URL is shown, its password masked');
    for (const secret of ['proxy-pass-W0rd', KEYS.PORTONE_API_SECRET, KEYS.PORTONE_API_KEY]) assert.ok(!all.includes(secret), `${secret} leaked:\n${all}`);
  });
});

describe('the process', () => {
  test('npm run server with its port taken: exit 1, one line naming PORT, no stack trace', async () => {
    const held = await listen();
    try {
      const exit = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', PORTONE_SANDBOX: 'true', PORT: String(portOf(held)), SANDBOX_PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      assert.equal(exit.code, 1, exit.stderr);
      assert.match(exit.stderr, /PORT: port \d+ on 127\.0\.0\.1 is already in use/);
      assert.doesNotMatch(exit.stderr, /\n\s+at |EADDRINUSE|node:internal/, exit.stderr);
    } finally {
      held.close();
    }
  });
});
