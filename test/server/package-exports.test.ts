// The package as a merchant installs it: `portone-checkout/sandbox` resolves through package.json `exports`
// to the built JS (npm test builds first), and that build serves its own SDK assets.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('portone-checkout/sandbox resolves to the build and starts a working sandbox', async () => {
  const entry = import.meta.resolve('portone-checkout/sandbox');
  assert.match(entry, /\/dist\/sandbox\/index\.js$/);
  const { startSandbox } = (await import(entry)) as typeof import('../../sandbox/index.js');
  const sandbox = await startSandbox({ quiet: true });
  try {
    const sdk = await fetch(sandbox.sdkUrl);
    assert.equal(sdk.status, 200);
    assert.match(sdk.headers.get('content-type') ?? '', /javascript/);
    assert.match(await sdk.text(), /request_pay/);
    const token = await fetch(`${sandbox.url}/users/getToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imp_key: 'sandbox_api_key', imp_secret: 'sandbox_api_secret' }),
    });
    assert.equal(token.status, 200);
  } finally {
    await sandbox.close();
  }
});
