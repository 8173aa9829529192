// SPEC §8.2 configuration: the PortOne V2 variables, each bad one named (never echoing a secret), V1 and V2 side by
// side or either alone, the sandbox playing both, and TEST-channel payments accepted only where said.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../server/config.js';

const V1 = { PORTONE_API_KEY: 'imp_key_1234', PORTONE_API_SECRET: 's3cr3t-value-never-printed' };
const V2 = { PORTONE_V2_API_SECRET: 'v2-secret-never-printed', PORTONE_V2_STORE_ID: 'store-0000' };
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WHSEC2 = 'whsec_c2FuZGJveC12Mi13ZWJob29rLXNlY3JldA==';

function refused(env: Record<string, string>): { names: string[]; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return { names: [...error.message.matchAll(/^ {2}([A-Z0-9_]+):/gm)].map((m) => m[1]!).filter((name, i, all) => all.indexOf(name) === i), message: error.message };
  }
  return assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: PortOne V2', () => {
  test('V2 alone: no V1 keys needed; api.portone.io by default; TEST payments refused by default', () => {
    const config = loadConfig(V2);
    assert.equal(config.portone, null);
    assert.deepEqual(config.portoneV2, { apiSecret: V2.PORTONE_V2_API_SECRET, storeId: 'store-0000', apiUrl: 'https://api.portone.io', webhookSecrets: [] });
    assert.equal(config.acceptTestPayments, false);
  });

  test('V1 and V2 side by side (a migration): both kept; the URL and two webhook secrets as given', () => {
    const config = loadConfig({ ...V1, ...V2, PORTONE_V2_API_URL: 'http://portone.internal:8080', PORTONE_V2_WEBHOOK_SECRETS: ` ${WHSEC}, ${WHSEC2} ` });
    assert.equal(config.portone?.apiKey, V1.PORTONE_API_KEY);
    assert.equal(config.portoneV2?.apiUrl, 'http://portone.internal:8080');
    assert.deepEqual(config.portoneV2?.webhookSecrets, [WHSEC, WHSEC2]);
  });

  test('V1 alone: no V2', () => {
    assert.equal(loadConfig(V1).portoneV2, null);
  });

  test('PORTONE_ACCEPT_TEST_PAYMENTS: true or false; default true in the sandbox', () => {
    assert.equal(loadConfig({ ...V2, PORTONE_ACCEPT_TEST_PAYMENTS: 'true' }).acceptTestPayments, true);
    assert.equal(loadConfig({ PORTONE_SANDBOX: 'true' }).acceptTestPayments, true);
    assert.equal(loadConfig({ PORTONE_SANDBOX: 'true', PORTONE_ACCEPT_TEST_PAYMENTS: 'false' }).acceptTestPayments, false);
    assert.deepEqual(refused({ ...V2, PORTONE_ACCEPT_TEST_PAYMENTS: 'yes' }).names, ['PORTONE_ACCEPT_TEST_PAYMENTS']);
  });

  test('each bad variable is named, all at once, and no secret is printed', () => {
    const { names, message } = refused({
      PORTONE_V2_API_SECRET: V2.PORTONE_V2_API_SECRET,
      PORTONE_V2_API_URL: 'ftp://x',
      PORTONE_V2_WEBHOOK_SECRETS: `${WHSEC},${WHSEC2},${WHSEC}`,
    });
    assert.deepEqual(names.sort(), ['PORTONE_V2_API_URL', 'PORTONE_V2_STORE_ID', 'PORTONE_V2_WEBHOOK_SECRETS'].sort());
    assert.match(message, /at most two secrets/);
    assert.doesNotMatch(message, /never-printed|MfKQ9r8/);
  });

  test('a webhook secret that is not whsec_ + base64 is named', () => {
    const { names, message } = refused({ ...V2, PORTONE_V2_WEBHOOK_SECRETS: 'whsec_not base64!' });
    assert.deepEqual(names, ['PORTONE_V2_WEBHOOK_SECRETS']);
    assert.match(message, /secret 1 must be whsec_ followed by base64/);
  });

  test('the V2 store, URL or secrets without the V2 API secret are named', () => {
    for (const variable of ['PORTONE_V2_STORE_ID', 'PORTONE_V2_API_URL', 'PORTONE_V2_WEBHOOK_SECRETS'] as const) {
      const value = variable === 'PORTONE_V2_API_URL' ? 'https://api.portone.io' : variable === 'PORTONE_V2_WEBHOOK_SECRETS' ? WHSEC : 'store-1';
      assert.ok(refused({ ...V1, [variable]: value }).names.includes(variable), variable);
    }
  });

  test('no keys at all: the message names V1’s keys and says V2 alone is possible', () => {
    const { names, message } = refused({});
    assert.deepEqual(names, ['PORTONE_API_KEY', 'PORTONE_API_SECRET']);
    assert.match(message, /PORTONE_V2_API_SECRET for V2 alone/);
  });

  test('one V1 key with V2: the other V1 key is still required', () => {
    assert.deepEqual(refused({ ...V2, PORTONE_API_KEY: 'k' }).names, ['PORTONE_API_SECRET']);
  });

  test('with PORTONE_SANDBOX=true every V2 key is refused too (the sandbox plays V2), naming each', () => {
    const { names } = refused({ PORTONE_SANDBOX: 'true', ...V2, PORTONE_V2_API_URL: 'https://api.portone.io', PORTONE_V2_WEBHOOK_SECRETS: WHSEC });
    assert.deepEqual(names.sort(), ['PORTONE_V2_API_SECRET', 'PORTONE_V2_API_URL', 'PORTONE_V2_STORE_ID', 'PORTONE_V2_WEBHOOK_SECRETS']);
    assert.equal(loadConfig({ PORTONE_SANDBOX: 'true' }).portoneV2, null, 'the sandbox’s V2 is found at start, not configured');
  });

  test('the sandbox’s V2 side takes SANDBOX_PORT + 1: PORT − 1 and 65535 are refused for SANDBOX_PORT', () => {
    assert.deepEqual(refused({ PORTONE_SANDBOX: 'true', PORT: '8080', SANDBOX_PORT: '8079' }).names, ['SANDBOX_PORT']);
    assert.deepEqual(refused({ PORTONE_SANDBOX: 'true', SANDBOX_PORT: '65535' }).names, ['SANDBOX_PORT']);
  });
});
