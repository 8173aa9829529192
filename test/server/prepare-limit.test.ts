// PREPARE_RATE_LIMIT (SPEC §4): every prepare stores an order and costs a PortOne call, so one client address may
// prepare only so many a minute; beyond, 429 with Retry-After, and nothing stored. Behind a proxy (TRUST_PROXY)
// the client address is X-Forwarded-For's; without it that header is the client's own word and is ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';

async function prepare(url: string, headers: Record<string, string> = {}, merchantUid?: string) {
  const response = await fetch(`${url}/payments/prepare`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ amount: 1000, merchant_uid: merchantUid }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

const start = (env: Record<string, string>) =>
  startServer(loadConfig({ PORTONE_SANDBOX: 'true', PORT: '0', SANDBOX_PORT: '0', DATABASE_URL: 'memory:', LOG_LEVEL: 'silent', ...env }));

test('the 6th prepare a minute from one address → 429 with Retry-After and a JSON reason; nothing stored; X-Forwarded-For not trusted by default', async () => {
  const running = await start({ PREPARE_RATE_LIMIT: '5' });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await prepare(running.url)).status, 201);
    const limited = await prepare(running.url, { 'x-forwarded-for': '203.0.113.9' }, 'limited-order');
    assert.equal(limited.status, 429);
    assert.match(limited.retryAfter ?? '', /^[1-9]\d*$/, 'whole seconds');
    assert.ok(Number(limited.retryAfter) <= 60);
    assert.equal(limited.body.status, 'error');
    assert.equal(limited.body.retryable, true);
    assert.match(limited.body.message, /at most 5 a minute/);
    // Nothing stored; other routes are not limited.
    assert.equal((await fetch(`${running.url}/payments/limited-order`)).status, 404);
    assert.equal((await fetch(`${running.url}/healthz`)).status, 200);
  } finally {
    await running.close();
  }
});

test('TRUST_PROXY=true: each X-Forwarded-For client has its own budget', async () => {
  const running = await start({ PREPARE_RATE_LIMIT: '2', TRUST_PROXY: 'true' });
  try {
    const a = { 'x-forwarded-for': '203.0.113.1' };
    const b = { 'x-forwarded-for': '203.0.113.2' };
    assert.deepEqual([(await prepare(running.url, a)).status, (await prepare(running.url, a)).status, (await prepare(running.url, a)).status], [201, 201, 429]);
    assert.equal((await prepare(running.url, b)).status, 201, 'another buyer behind the same proxy');
  } finally {
    await running.close();
  }
});

test('PREPARE_RATE_LIMIT=0: no limit', async () => {
  const running = await start({ PREPARE_RATE_LIMIT: '0' });
  try {
    for (let i = 0; i < 40; i++) assert.equal((await prepare(running.url)).status, 201);
  } finally {
    await running.close();
  }
});
