// Injected faults, each observed from the client's side exactly as configured: latency, 5xx answers
// (`times`, `after`), dropped connections, the token expiring under the caller; path and method matching;
// deletion. Faults apply to PortOne's REST routes only.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { envelopeSchema, paymentSchema } from '../../server/portone/schemas.js';
import { API_KEY, API_SECRET, type SandboxClient, startTestSandbox, uid } from './helpers.js';

let sb: SandboxClient;
let impUid: string;
before(async () => {
  sb = await startTestSandbox();
});
after(() => sb.sandbox.close());
beforeEach(async () => {
  await sb.reset();
  impUid = (await sb.createPayment({ merchant_uid: uid('fault'), amount: 1000 })).imp_uid;
});

async function addFault(fault: Record<string, unknown>): Promise<{ id: number; hits: number; seen: number }> {
  const answer = await sb.control('POST', '/faults', fault);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function lookup(token: string) {
  return sb.rest('GET', `/payments/${impUid}`, { token });
}

function assertFaultAnswer(answer: { status: number; body: any }, status: number): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  const envelope = envelopeSchema.parse(answer.body);
  assert.equal(envelope.code, -1);
  assert.equal(envelope.response, null);
  assert.match(envelope.message!, new RegExp(String(status)));
}

function assertPayment(answer: { status: number; body: any }): void {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(paymentSchema.parse(answer.body.response).imp_uid, impUid);
}

test('latency: the answer comes at least `ms` later, and is the normal answer', async () => {
  const token = await sb.token();
  await addFault({ type: 'latency', ms: 300, path: '/payments', times: 1 });
  const started = performance.now();
  const answer = await lookup(token);
  // A lower bound only; 1 ms of slack for the millisecond granularity of Node's timers.
  assert.ok(performance.now() - started >= 300 - 1, `took ${performance.now() - started} ms`);
  assertPayment(answer);
  const [fault] = (await sb.ok('GET', '/faults')).faults;
  assert.equal(fault.hits, 1);
  // Used up: the next call is not delayed (it is the fault's hit count that says so, not a clock).
  assertPayment(await lookup(token));
  assert.equal((await sb.ok('GET', '/faults')).faults[0].hits, 1);
});

test('status: answered exactly `times` times, then normal', async () => {
  const token = await sb.token();
  await addFault({ type: 'status', status: 503, path: '/payments', times: 2 });
  assertFaultAnswer(await lookup(token), 503);
  assertFaultAnswer(await lookup(token), 503);
  assertPayment(await lookup(token));
  assertPayment(await lookup(token));
});

test('status: `after` lets the first calls through', async () => {
  const token = await sb.token();
  await addFault({ type: 'status', status: 502, path: '/payments', after: 2, times: 1 });
  assertPayment(await lookup(token));
  assertPayment(await lookup(token));
  assertFaultAnswer(await lookup(token), 502);
  assertPayment(await lookup(token));
  const [fault] = (await sb.ok('GET', '/faults')).faults;
  assert.equal(fault.seen, 4);
  assert.equal(fault.hits, 1);
});

test('status without `times` lasts until deleted; DELETE /faults/:id removes it', async () => {
  const token = await sb.token();
  const fault = await addFault({ type: 'status', status: 500, path: '/payments' });
  for (let i = 0; i < 3; i++) assertFaultAnswer(await lookup(token), 500);
  assert.equal((await sb.control('DELETE', `/faults/${fault.id}`)).status, 204);
  assertPayment(await lookup(token));
  assert.equal((await sb.control('DELETE', `/faults/${fault.id}`)).status, 404);
});

test('a 5xx fault answers before anything happens: a faulted cancel cancels nothing', async () => {
  const token = await sb.token();
  await addFault({ type: 'status', status: 500, path: '/payments/cancel', times: 1 });
  assertFaultAnswer(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: impUid } }), 500);
  assert.equal((await lookup(token)).body.response.status, 'paid');
});

test('drop: the connection closes without an answer; fetch rejects', async () => {
  const token = await sb.token();
  await addFault({ type: 'drop', path: '/payments', times: 1 });
  await assert.rejects(lookup(token), TypeError);
  assertPayment(await lookup(token));
  const { calls } = await sb.ok('GET', '/calls?path=/payments');
  assert.deepEqual(
    calls.map((c: { status: number | null; fault: string | null }) => [c.status, c.fault]),
    [
      [null, 'drop'],
      [200, null],
    ],
  );
});

test('drop on getToken: nothing answered, the next getToken works', async () => {
  await addFault({ type: 'drop', path: '/users/getToken', times: 1 });
  await assert.rejects(sb.rest('POST', '/users/getToken', { body: { imp_key: API_KEY, imp_secret: API_SECRET } }));
  assert.match(await sb.token(), /^[0-9a-f]{40}$/);
});

test('expire_token: the next authed call 401s, a new getToken works', async () => {
  const token = await sb.token();
  assertPayment(await lookup(token));
  await addFault({ type: 'expire_token', path: '/payments', times: 1 });
  const refused = await lookup(token);
  assert.equal(refused.status, 401);
  assert.equal(envelopeSchema.parse(refused.body).code, -1);
  assert.equal((await lookup(token)).status, 401, 'the old token stays expired');
  const fresh = await sb.token();
  assert.notEqual(fresh, token);
  assertPayment(await lookup(fresh));
  assertPayment(await lookup(fresh));
});

test('path matching: a fault applies under its path prefix only', async () => {
  const token = await sb.token();
  await addFault({ type: 'status', status: 503, path: '/payments/prepare' });
  assertPayment(await lookup(token));
  assert.equal((await sb.rest('GET', `/payments/find/${uid()}`, { token })).status, 404);
  assertFaultAnswer(await sb.rest('POST', '/payments/prepare', { token, body: { merchant_uid: uid(), amount: 1000 } }), 503);
  assertFaultAnswer(await sb.rest('GET', `/payments/prepare/${uid()}`, { token }), 503);
  assert.match(await sb.token(), /^[0-9a-f]{40}$/);
});

test('the default path `/` covers every REST call, and nothing of the control API or the SDK', async () => {
  await addFault({ type: 'status', status: 500 });
  assertFaultAnswer(await sb.rest('POST', '/users/getToken', { body: { imp_key: API_KEY, imp_secret: API_SECRET } }), 500);
  assertFaultAnswer(await lookup('whatever'), 500);
  assert.equal((await sb.control('GET', '/config')).status, 200);
  assert.equal((await sb.control('GET', '/faults')).status, 200);
  assert.equal((await fetch(sb.sandbox.sdkUrl)).status, 200);
});

test('method matching: only calls with that method (given in any case)', async () => {
  const token = await sb.token();
  const m = uid('method');
  await addFault({ type: 'status', status: 504, path: '/payments/prepare', method: 'put' });
  const registered = await sb.rest('POST', '/payments/prepare', { token, body: { merchant_uid: m, amount: 1000 } });
  assert.equal(registered.body.code, 0);
  assertFaultAnswer(await sb.rest('PUT', '/payments/prepare', { token, body: { merchant_uid: m, amount: 2000 } }), 504);
  assert.equal((await sb.rest('GET', `/payments/prepare/${m}`, { token })).body.response.amount, 1000);
  const [fault] = (await sb.ok('GET', '/faults')).faults;
  assert.equal(fault.method, 'PUT');
  assert.equal(fault.seen, 1, 'calls with other methods are not even seen');
});

test('faults combine: latency then 5xx on the same call', async () => {
  const token = await sb.token();
  await addFault({ type: 'latency', ms: 150, path: '/payments', times: 1 });
  await addFault({ type: 'status', status: 503, path: '/payments', times: 1 });
  const started = performance.now();
  assertFaultAnswer(await lookup(token), 503);
  assert.ok(performance.now() - started >= 150 - 1);
  assertPayment(await lookup(token));
});

test('DELETE /faults clears them all', async () => {
  const token = await sb.token();
  await addFault({ type: 'status', status: 500, path: '/payments' });
  await addFault({ type: 'drop', path: '/users' });
  assert.equal((await sb.ok('GET', '/faults')).faults.length, 2);
  assert.equal((await sb.control('DELETE', '/faults')).status, 204);
  assert.deepEqual(await sb.ok('GET', '/faults'), { faults: [] });
  assertPayment(await lookup(token));
  assert.match(await sb.token(), /^[0-9a-f]{40}$/);
});

test('faulted calls are logged with their fault', async () => {
  const token = await sb.token();
  await addFault({ type: 'status', status: 503, path: '/payments', times: 1 });
  await lookup(token);
  await lookup(token);
  const log = await sb.ok('GET', '/calls?path=/payments');
  assert.deepEqual(
    log.calls.map((c: { status: number; fault: string | null; route: string }) => [c.route, c.status, c.fault]),
    [
      ['GET /payments/:imp_uid', 503, 'status'],
      ['GET /payments/:imp_uid', 200, null],
    ],
  );
});

test('fault bodies are strict', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ type: 'explode' }, /^type: /],
    [{}, /^type: required$/],
    [{ type: 'status', status: 404 }, /^status: /],
    [{ type: 'status', status: 'x' }, /^status: /],
    [{ type: 'latency', ms: -1 }, /^ms: /],
    [{ type: 'latency', ms: 10, path: 'payments' }, /^path: /],
    [{ type: 'status', times: 0 }, /^times: /],
    [{ type: 'status', after: -1 }, /^after: /],
    [{ type: 'status', every: 2 }, /unknown field.*every/],
  ];
  for (const [body, message] of cases) {
    const answer = await sb.control('POST', '/faults', body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.equal(answer.body.status, 'error');
    assert.match(answer.body.message, message);
  }
  assert.deepEqual(await sb.ok('GET', '/faults'), { faults: [] });
});

describe('a fault as the client sees it, end to end', () => {
  test('a client that retries a 503 twice and then reads the payment', async () => {
    await addFault({ type: 'status', status: 503, path: '/payments/imp_', times: 2 });
    const token = await sb.token();
    const statuses: number[] = [];
    let answer;
    for (let attempt = 0; attempt < 5; attempt++) {
      answer = await lookup(token);
      statuses.push(answer.status);
      if (answer.status === 200) break;
    }
    assert.deepEqual(statuses, [503, 503, 200]);
    assertPayment(answer!);
  });
});
