// SPEC §5: every answer within 30 s whatever PortOne does. A forgery costs several PortOne calls (lookup, cancel,
// and a lookup again when the cancel is refused); they must share one deadline rather than each get the client's
// own 25 s. The real client is wrapped to record the options each call gets, and still calls the sandbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../server/log.js';
import type { CallOptions } from '../../server/portone/client.js';
import { settle } from '../../server/settle.js';
import { uid } from './helpers.js';
import { startVerifier, type VerifierHarness } from './verifier-harness.js';

let v: VerifierHarness;
before(async () => (v = await startVerifier()));
after(() => v.close());

test('the PortOne calls of one settlement share one deadline, at most 25 s after it started', async () => {
  const merchant_uid = uid('budget');
  assert.equal((await v.prepare({ amount: 5000, merchant_uid })).status, 201);
  const payment = await v.sandbox.createPayment({ merchant_uid, amount: 4000, status: 'paid' }); // the wrong amount: a forgery
  const deadlines: Array<[string, number | undefined]> = [];
  const portone = {
    getPayment: (impUid: string, options?: CallOptions) => (deadlines.push(['getPayment', options?.deadline]), v.portone.getPayment(impUid, options)),
    cancel: (request: Parameters<typeof v.portone.cancel>[0], options?: CallOptions) => (deadlines.push(['cancel', options?.deadline]), v.portone.cancel(request, options)),
  };
  const started = Date.now();
  const settlement = await settle({ portone, store: v.store, logger: silentLogger }, payment.imp_uid, merchant_uid, 'complete');
  assert.equal(settlement.kind, 'refunded');
  assert.deepEqual(settlement.kind === 'refunded' && [settlement.reason, settlement.refund], ['forgery', 'done']);
  assert.ok(deadlines.length >= 2, `several calls: ${JSON.stringify(deadlines)}`);
  assert.ok(deadlines.some(([call]) => call === 'cancel'), 'the forgery was cancelled');
  const [first] = deadlines[0]!.slice(1) as [number];
  assert.equal(typeof first, 'number');
  assert.ok(deadlines.every(([, d]) => d === first), `one deadline for all: ${JSON.stringify(deadlines)}`);
  assert.ok(first >= started + 24_000 && first <= Date.now() + 25_000, 'about 25 s from the start');
});
