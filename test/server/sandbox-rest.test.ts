// The sandbox's REST V1 routes, as a PortOne client sees them: every success shape field by field (parsed
// with the project's PortOne schemas, and checked to carry exactly PortOne's fields), every error with
// PortOne's HTTP status, code and message, the token rules and the three ways to present a token.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  cancelHistorySchema,
  envelopeSchema,
  paymentPageSchema,
  paymentResponseSchema,
  paymentSchema,
  prepareResponseSchema,
  prepareSchema,
  tokenResponseSchema,
  tokenSchema,
} from '../../server/portone/schemas.js';
import { PortOneClient } from '../../server/portone/client.js';
import { API_KEY, API_SECRET, assertClockMoved, parseExact, type SandboxClient, startTestSandbox, uid } from './helpers.js';

const NOT_FOUND = '존재하지 않는 결제정보입니다.';
const NOTHING_TO_CANCEL = '취소할 결제건이 존재하지 않습니다.';

let sb: SandboxClient;
before(async () => {
  sb = await startTestSandbox();
});
after(() => sb.sandbox.close());

/** A PortOne error answer: HTTP `status`, `{code, message, response: null}`. */
function assertRefused(answer: { status: number; body: unknown }, status: number, code: number, message?: string | RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  const envelope = envelopeSchema.parse(answer.body);
  assert.equal(envelope.code, code);
  assert.equal(envelope.response, null);
  assert.equal(typeof envelope.message, 'string');
  if (typeof message === 'string') assert.equal(envelope.message, message);
  else if (message) assert.match(envelope.message!, message);
}

/** A successful PortOne answer: HTTP 200, `code: 0`, `message: null`. */
function assertAnswered(answer: { status: number; body: any }): void {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.code, 0);
  assert.equal(answer.body.message, null);
  assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'message', 'response']);
}

async function getPayment(impUid: string, token?: string) {
  return sb.rest('GET', `/payments/${impUid}`, { token: token ?? (await sb.token()) });
}

describe('POST /users/getToken', () => {
  beforeEach(() => sb.reset());

  test('JSON body: a 30-minute token in the envelope', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await sb.rest('POST', '/users/getToken', { body: { imp_key: API_KEY, imp_secret: API_SECRET } });
    assertAnswered(answer);
    tokenResponseSchema.parse(answer.body);
    const token = parseExact(tokenSchema, answer.body.response, 'token response');
    assert.match(token.access_token, /^[0-9a-f]{40}$/);
    assert.ok(token.now >= before && token.now <= Math.floor(Date.now() / 1000) + 1, `now ${token.now} is the current time`);
    assert.equal(token.expired_at, token.now + 30 * 60);
  });

  test('form body: the same token, unchanged expiry', async () => {
    const first = await sb.getToken();
    const answer = await sb.rest('POST', '/users/getToken', { form: true, body: { imp_key: API_KEY, imp_secret: API_SECRET } });
    assertAnswered(answer);
    const token = parseExact(tokenSchema, answer.body.response);
    assert.equal(token.access_token, first.access_token);
    assert.equal(token.expired_at, first.expired_at);
  });

  test('bad credentials → 401, code -1', async () => {
    for (const body of [
      { imp_key: API_KEY, imp_secret: 'wrong' },
      { imp_key: 'wrong', imp_secret: API_SECRET },
      { imp_key: API_SECRET, imp_secret: API_KEY },
    ]) {
      assertRefused(await sb.rest('POST', '/users/getToken', { body }), 401, -1);
      assertRefused(await sb.rest('POST', '/users/getToken', { body, form: true }), 401, -1);
    }
  });

  test('missing or mistyped fields → 400 naming the field', async () => {
    assertRefused(await sb.rest('POST', '/users/getToken', { body: { imp_secret: API_SECRET } }), 400, -1, 'imp_key: required');
    assertRefused(await sb.rest('POST', '/users/getToken', { body: { imp_key: API_KEY } }), 400, -1, 'imp_secret: required');
    assertRefused(await sb.rest('POST', '/users/getToken', { body: { imp_key: API_KEY, imp_secret: '' } }), 400, -1, /^imp_secret: /);
    // A wrong type is a wrong type, not a missing field.
    const mistyped = await sb.rest('POST', '/users/getToken', { body: { imp_key: 12345, imp_secret: API_SECRET } });
    assertRefused(mistyped, 400, -1, /^imp_key: /);
    assert.doesNotMatch(mistyped.body.message, /required/);
    assertRefused(await sb.rest('POST', '/users/getToken'), 400, -1, /imp_key: required/);
  });
});

describe('token rules', () => {
  beforeEach(() => sb.reset());

  test('asked again before expiry: the same token with the same expired_at', async () => {
    const first = await sb.getToken();
    await sb.advanceClock(20 * 60);
    const second = await sb.getToken();
    assert.equal(second.access_token, first.access_token);
    assert.equal(second.expired_at, first.expired_at);
    assertClockMoved(first.now, second.now, 20 * 60, 'PortOne time between the two asks');
    assert.equal((await getPayment('imp_000000000000', first.access_token)).status, 404, 'the token still works');
  });

  test('asked within its last minute: extended by 5 minutes', async () => {
    const first = await sb.getToken();
    await sb.advanceClock(30 * 60 - 30);
    const second = await sb.getToken();
    assert.equal(second.access_token, first.access_token);
    assert.equal(second.expired_at, first.expired_at + 300);
    // Past the original expiry, inside the extension, the token still works.
    await sb.advanceClock(60);
    assert.equal((await getPayment('imp_000000000000', first.access_token)).status, 404);
  });

  test('asked with more than a minute left: not extended', async () => {
    const first = await sb.getToken();
    await sb.advanceClock(30 * 60 - 90);
    assert.equal((await sb.getToken()).expired_at, first.expired_at);
  });

  test('after expiry: a new 30-minute token, and the old one is refused', async () => {
    const first = await sb.getToken();
    await sb.advanceClock(30 * 60);
    assertRefused(await getPayment('imp_000000000000', first.access_token), 401, -1);
    const second = await sb.getToken();
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.expired_at, second.now + 30 * 60);
    assertRefused(await getPayment('imp_000000000000', first.access_token), 401, -1);
    assert.equal((await getPayment('imp_000000000000', second.access_token)).status, 404);
  });

  test('POST /__sandbox/token/expire: the token 401s, getToken issues a new one', async () => {
    const first = await sb.token();
    assert.deepEqual(await sb.ok('POST', '/token/expire'), { expired: true });
    assertRefused(await getPayment('imp_000000000000', first), 401, -1);
    const second = await sb.token();
    assert.notEqual(second, first);
    assert.equal((await getPayment('imp_000000000000', second)).status, 404);
  });
});

describe('auth headers', () => {
  let impUid: string;
  before(async () => {
    impUid = (await sb.createPayment({ merchant_uid: uid(), amount: 1000 })).imp_uid;
  });

  test('Authorization: <token>, Authorization: Bearer <token> and X-ImpTokenHeader are all accepted', async () => {
    const token = await sb.token();
    const forms: Record<string, string>[] = [{ authorization: token }, { authorization: `Bearer ${token}` }, { authorization: `bearer ${token}` }, { 'x-imptokenheader': token }];
    for (const headers of forms) {
      const answer = await sb.rest('GET', `/payments/${impUid}`, { headers });
      assertAnswered(answer);
      assert.equal(answer.body.response.imp_uid, impUid, JSON.stringify(headers));
    }
  });

  test('a missing, unknown or malformed token → 401, code -1, response null', async () => {
    const token = await sb.token();
    const forms: Record<string, string>[] = [{}, { authorization: 'f'.repeat(40) }, { authorization: 'Bearer ' }, { authorization: `Basic ${token}` }, { 'x-imptokenheader': 'nope' }];
    for (const headers of forms) {
      assertRefused(await sb.rest('GET', `/payments/${impUid}`, { headers }), 401, -1);
    }
  });

  test('Authorization wins over X-ImpTokenHeader', async () => {
    const token = await sb.token();
    assertRefused(await sb.rest('GET', `/payments/${impUid}`, { headers: { authorization: 'wrong', 'x-imptokenheader': token } }), 401, -1);
    assertAnswered(await sb.rest('GET', `/payments/${impUid}`, { headers: { authorization: token, 'x-imptokenheader': 'wrong' } }));
  });

  test('every authed route refuses without a token', async () => {
    const m = uid();
    for (const [method, path, body] of [
      ['GET', `/payments/${impUid}`],
      ['GET', `/payments/find/${m}`],
      ['GET', `/payments/find/${m}/paid`],
      ['GET', `/payments/findAll/${m}`],
      ['GET', `/payments/findAll/${m}/paid`],
      ['GET', `/payments/prepare/${m}`],
      ['POST', '/payments/prepare', { merchant_uid: m, amount: 1000 }],
      ['PUT', '/payments/prepare', { merchant_uid: m, amount: 1000 }],
      ['POST', '/payments/cancel', { imp_uid: impUid }],
    ] as const) {
      assertRefused(await sb.rest(method, path, { body }), 401, -1);
    }
    // Nothing was changed by the refused calls.
    assert.equal((await getPayment(impUid)).body.response.status, 'paid');
    assert.equal((await sb.rest('GET', `/payments/prepare/${m}`, { token: await sb.token() })).status, 404);
  });
});

describe('GET /payments/{imp_uid}', () => {
  test('a paid card payment, field by field', async () => {
    const merchantUid = uid('card');
    const made = await sb.createPayment({
      merchant_uid: merchantUid,
      amount: 14000,
      name: '노르웨이 회전 의자',
      buyer_name: '홍길동',
      buyer_email: 'gildong@example.com',
      buyer_tel: '010-4242-4242',
      buyer_addr: '서울특별시 강남구 신사동',
      buyer_postcode: '01181',
      custom_data: { cart: [1, 2], coupon: null },
    });
    const answer = await getPayment(made.imp_uid);
    assertAnswered(answer);
    paymentResponseSchema.parse(answer.body);
    const p = parseExact(paymentSchema, answer.body.response, 'payment');
    assert.deepEqual(answer.body.response, made, 'REST answers what the control API made');

    assert.match(p.imp_uid, /^imp_\d{12}$/);
    assert.equal(p.merchant_uid, merchantUid);
    assert.equal(p.pay_method, 'card');
    assert.equal(p.channel, 'api');
    assert.equal(p.pg_provider, 'html5_inicis');
    assert.equal(p.pg_id, 'INIpayTest');
    assert.equal(p.emb_pg_provider, null);
    assert.match(p.pg_tid!, /^\S{1,64}$/);
    assert.equal(p.sandbox, true);
    assert.equal(p.escrow, false);
    assert.match(p.apply_num!, /^\d{8}$/);
    assert.equal(p.bank_code, null);
    assert.equal(p.bank_name, null);
    assert.equal(p.card_code, '366');
    assert.equal(p.card_name, '신한카드');
    assert.equal(p.card_quota, 0);
    assert.match(p.card_number!, /^\d{6}\*+\d$/);
    assert.equal(p.card_type, 0);
    for (const field of ['vbank_code', 'vbank_name', 'vbank_num', 'vbank_holder'] as const) assert.equal(p[field], null, field);
    assert.equal(p.vbank_date, 0);
    assert.equal(p.vbank_issued_at, 0);
    assert.equal(p.name, '노르웨이 회전 의자');
    assert.equal(p.amount, 14000);
    assert.equal(p.cancel_amount, 0);
    assert.equal(p.currency, 'KRW');
    assert.equal(p.buyer_name, '홍길동');
    assert.equal(p.buyer_email, 'gildong@example.com');
    assert.equal(p.buyer_tel, '010-4242-4242');
    assert.equal(p.buyer_addr, '서울특별시 강남구 신사동');
    assert.equal(p.buyer_postcode, '01181');
    assert.equal(typeof p.custom_data, 'string', 'custom_data is a JSON string');
    assert.deepEqual(JSON.parse(p.custom_data!), { cart: [1, 2], coupon: null });
    assert.equal(p.user_agent, null);
    assert.equal(p.status, 'paid');
    const now = await sb.advanceClock(0);
    assert.ok(p.started_at <= now && p.started_at >= now - 2, 'started_at is now (on PortOne\'s clock)');
    assert.ok(p.paid_at >= p.started_at);
    assert.equal(p.failed_at, 0);
    assert.equal(p.cancelled_at, 0);
    assert.equal(p.fail_reason, null);
    assert.equal(p.cancel_reason, null);
    assert.match(p.receipt_url!, /^https:\/\//);
    assert.deepEqual(p.cancel_history, []);
    assert.deepEqual(p.deposit_history, []);
    assert.deepEqual(p.cancel_receipt_urls, []);
    assert.equal(p.cash_receipt_issued, false);
    assert.equal(p.customer_uid, null);
    assert.equal(p.customer_uid_usage, null);
    assert.equal(p.promotion, null);
    // Absent strings are null and absent times 0, not left out.
    assert.equal(answer.body.response.emb_pg_provider, null);
    assert.equal(answer.body.response.failed_at, 0);
  });

  test('a ready (issued) virtual account and a failed payment, field by field', async () => {
    const vbank = await sb.createPayment({ merchant_uid: uid('vbank'), amount: 50000, status: 'ready', pay_method: 'vbank', pg: 'kcp.T0001' });
    const v = parseExact(paymentSchema, (await getPayment(vbank.imp_uid)).body.response);
    assert.equal(v.status, 'ready');
    assert.equal(v.pay_method, 'vbank');
    assert.equal(v.pg_provider, 'kcp');
    assert.equal(v.pg_id, 'T0001');
    assert.equal(v.vbank_code, '004');
    assert.equal(v.vbank_name, 'KB국민은행');
    assert.match(v.vbank_num!, /^[\d-]{1,32}$/);
    assert.equal(typeof v.vbank_holder, 'string');
    assert.ok(v.vbank_issued_at > 0 && v.vbank_date > v.vbank_issued_at, 'the deadline is after the issue');
    assert.equal(v.paid_at, 0);
    assert.equal(v.apply_num, null);
    assert.equal(v.card_type, null);

    const failed = await sb.createPayment({ merchant_uid: uid('failed'), amount: 1000, status: 'failed', fail_reason: '카드 한도 초과' });
    const f = parseExact(paymentSchema, (await getPayment(failed.imp_uid)).body.response);
    assert.equal(f.status, 'failed');
    assert.ok(f.failed_at > 0);
    assert.equal(f.fail_reason, '카드 한도 초과');
    assert.equal(f.paid_at, 0);
    assert.equal(f.pg_tid, null);
    assert.equal(f.receipt_url, null);
  });

  test('include_sandbox is accepted and ignored', async () => {
    const made = await sb.createPayment({ merchant_uid: uid(), amount: 1000 });
    const token = await sb.token();
    for (const query of ['?include_sandbox=true', '?include_sandbox=false', '']) {
      const answer = await sb.rest('GET', `/payments/${made.imp_uid}${query}`, { token });
      assertAnswered(answer);
      assert.equal(answer.body.response.imp_uid, made.imp_uid);
    }
  });

  test('an unknown imp_uid → 404, code -1, 존재하지 않는 결제정보입니다.', async () => {
    for (const impUid of ['imp_000000000000', 'not-an-imp-uid', encodeURIComponent('imp_ 한글')]) {
      assertRefused(await getPayment(impUid), 404, -1, NOT_FOUND);
    }
  });
});

describe('GET /payments/find/{merchant_uid}[/{payment_status}]', () => {
  beforeEach(() => sb.reset());

  test('finds the latest started payment of the order; the status segment filters', async () => {
    const m = uid('find');
    const failed = await sb.createPayment({ merchant_uid: m, amount: 1000, status: 'failed' });
    await sb.advanceClock(10);
    const paid = await sb.createPayment({ merchant_uid: m, amount: 1000 });
    await sb.createPayment({ merchant_uid: uid('other'), amount: 1000 });
    const token = await sb.token();

    const latest = await sb.rest('GET', `/payments/find/${m}`, { token });
    assertAnswered(latest);
    paymentResponseSchema.parse(latest.body);
    assert.deepEqual(parseExact(paymentSchema, latest.body.response), paymentSchema.parse(paid));

    const byStatus = await sb.rest('GET', `/payments/find/${m}/failed`, { token });
    assertAnswered(byStatus);
    assert.equal(parseExact(paymentSchema, byStatus.body.response).imp_uid, failed.imp_uid);
    assert.equal((await sb.rest('GET', `/payments/find/${m}/paid`, { token })).body.response.imp_uid, paid.imp_uid);

    assertRefused(await sb.rest('GET', `/payments/find/${m}/cancelled`, { token }), 404, -1, NOT_FOUND);
    assertRefused(await sb.rest('GET', `/payments/find/${m}/ready`, { token }), 404, -1, NOT_FOUND);
    assertRefused(await sb.rest('GET', `/payments/find/${uid('nobody')}`, { token }), 404, -1, NOT_FOUND);
  });

  test('sorting: -started (default), started, -paid, paid, -updated, updated', async () => {
    const m = uid('sort');
    const a = await sb.createPayment({ merchant_uid: m, amount: 1000, status: 'ready' }); // started t0
    await sb.advanceClock(10);
    const b = await sb.createPayment({ merchant_uid: m, amount: 1000 }); // started and paid t0+10
    await sb.advanceClock(10);
    await sb.ok('PATCH', `/payments/${a.imp_uid}`, { status: 'paid' }); // a paid t0+20
    await sb.advanceClock(10);
    const c = await sb.createPayment({ merchant_uid: m, amount: 1000, status: 'failed' }); // started and failed t0+30
    const token = await sb.token();
    const found = async (sorting: string | null, status = '') => {
      const answer = await sb.rest('GET', `/payments/find/${m}${status}${sorting === null ? '' : `?sorting=${encodeURIComponent(sorting)}`}`, { token });
      assertAnswered(answer);
      return answer.body.response.imp_uid;
    };
    assert.equal(await found(null), c.imp_uid);
    assert.equal(await found('-started'), c.imp_uid);
    assert.equal(await found('started'), a.imp_uid);
    assert.equal(await found('-started', '/paid'), b.imp_uid);
    assert.equal(await found('started', '/paid'), a.imp_uid);
    assert.equal(await found('-paid', '/paid'), a.imp_uid);
    assert.equal(await found('paid', '/paid'), b.imp_uid);
    assert.equal(await found('-paid'), a.imp_uid);
    assert.equal(await found('-updated'), c.imp_uid);
    assert.equal(await found('-updated', '/paid'), a.imp_uid);
    assert.equal(await found('updated', '/paid'), b.imp_uid);
  });

  test('payments started in the same second sort in the order they were made', async () => {
    const m = uid('tie');
    const first = await sb.createPayment({ merchant_uid: m, amount: 1000 });
    const second = await sb.createPayment({ merchant_uid: m, amount: 1000 });
    const third = await sb.createPayment({ merchant_uid: m, amount: 1000 });
    const token = await sb.token();
    const found = async (sorting: string) => (await sb.rest('GET', `/payments/find/${m}?sorting=${sorting}`, { token })).body.response.imp_uid;
    assert.equal(await found('-started'), third.imp_uid);
    assert.equal(await found('started'), first.imp_uid);
    assert.equal(await found('paid'), first.imp_uid);
    assert.equal(await found('-paid'), third.imp_uid);
    assert.notEqual(second.imp_uid, first.imp_uid);
  });

  test('an unknown sorting or payment_status → 400 naming it', async () => {
    const m = uid();
    await sb.createPayment({ merchant_uid: m, amount: 1000 });
    const token = await sb.token();
    assertRefused(await sb.rest('GET', `/payments/find/${m}?sorting=newest`, { token }), 400, -1, /sorting/);
    assertRefused(await sb.rest('GET', `/payments/find/${m}/settled`, { token }), 400, -1, /payment_status/);
  });
});

describe('GET /payments/findAll/{merchant_uid}[/{payment_status}]', () => {
  beforeEach(() => sb.reset());

  test('every payment of the order, newest started first, 20 a page: { total, previous, next, list }', async () => {
    const m = uid('all');
    const made = [];
    for (let i = 0; i < 23; i++) {
      made.push(await sb.createPayment({ merchant_uid: m, amount: 1000, status: i === 3 ? 'failed' : 'paid' }));
      await sb.advanceClock(1);
    }
    await sb.createPayment({ merchant_uid: uid('other'), amount: 1000 });
    const token = await sb.token();
    const page = async (query: string) => {
      const answer = await sb.rest('GET', `/payments/findAll/${m}${query}`, { token });
      assertAnswered(answer);
      return paymentPageSchema.parse(answer.body.response);
    };
    const first = await page('');
    assert.deepEqual([first.total, first.previous, first.next, first.list.length], [23, 0, 2, 20]);
    assert.deepEqual(
      first.list.map((p) => p.imp_uid),
      made.slice(3).reverse().map((p) => p.imp_uid),
    );
    for (const payment of first.list) parseExact(paymentSchema, payment);
    const second = await page('?page=2');
    assert.deepEqual([second.total, second.previous, second.next, second.list.length], [23, 1, 0, 3]);
    assert.deepEqual(
      second.list.map((p) => p.imp_uid),
      made.slice(0, 3).reverse().map((p) => p.imp_uid),
    );
    const failed = await page('/failed');
    assert.deepEqual([failed.total, failed.list.map((p) => p.imp_uid)], [1, [made[3]!.imp_uid]]);
    const beyond = await page('?page=9');
    assert.deepEqual([beyond.total, beyond.next, beyond.list], [23, 0, []]);
  });

  test('an order with no payment (or none in that status) → 404, code -1; a bad page or status → 400', async () => {
    const m = uid('none');
    await sb.createPayment({ merchant_uid: m, amount: 1000, status: 'paid' });
    const token = await sb.token();
    assertRefused(await sb.rest('GET', `/payments/findAll/${uid('nobody')}`, { token }), 404, -1, NOT_FOUND);
    assertRefused(await sb.rest('GET', `/payments/findAll/${m}/cancelled`, { token }), 404, -1, NOT_FOUND);
    assertRefused(await sb.rest('GET', `/payments/findAll/${m}?page=0`, { token }), 400, -1, /page/);
    assertRefused(await sb.rest('GET', `/payments/findAll/${m}?page=two`, { token }), 400, -1, /page/);
    assertRefused(await sb.rest('GET', `/payments/findAll/${m}/settled`, { token }), 400, -1, /payment_status/);
  });

  test('the verifier\'s client reads every page', async () => {
    const m = uid('client');
    for (let i = 0; i < 45; i++) await sb.createPayment({ merchant_uid: m, amount: 1000, status: 'paid' });
    const client = new PortOneClient({ apiUrl: sb.url, apiKey: API_KEY, apiSecret: API_SECRET });
    const all = await client.findAllPayments(m);
    assert.equal(all.length, 45);
    assert.equal(new Set(all.map((p) => p.imp_uid)).size, 45);
    assert.deepEqual(await client.findAllPayments(uid('nobody')), []);
  });
});

describe('prepare', () => {
  test('POST registers, GET reads back, PUT changes; shapes field by field', async () => {
    const token = await sb.token();
    const m = uid('prep');
    const posted = await sb.rest('POST', '/payments/prepare', { token, body: { merchant_uid: m, amount: 14000 } });
    assertAnswered(posted);
    prepareResponseSchema.parse(posted.body);
    assert.deepEqual(parseExact(prepareSchema, posted.body.response), { merchant_uid: m, amount: 14000, currency: null });

    const read = await sb.rest('GET', `/payments/prepare/${m}`, { token });
    assertAnswered(read);
    assert.deepEqual(parseExact(prepareSchema, read.body.response), { merchant_uid: m, amount: 14000, currency: null });

    const put = await sb.rest('PUT', '/payments/prepare', { token, body: { merchant_uid: m, amount: 15000, currency: 'KRW' } });
    assertAnswered(put);
    assert.deepEqual(parseExact(prepareSchema, put.body.response), { merchant_uid: m, amount: 15000, currency: 'KRW' });
    assert.deepEqual((await sb.rest('GET', `/payments/prepare/${m}`, { token })).body.response, { merchant_uid: m, amount: 15000, currency: 'KRW' });
  });

  test('form bodies: amounts spelt as text become numbers', async () => {
    const token = await sb.token();
    const m = uid('prepform');
    const posted = await sb.rest('POST', '/payments/prepare', { token, form: true, body: { merchant_uid: m, amount: '10.5', currency: 'USD' } });
    assertAnswered(posted);
    assert.deepEqual(parseExact(prepareSchema, posted.body.response), { merchant_uid: m, amount: 10.5, currency: 'USD' });
    const put = await sb.rest('PUT', '/payments/prepare', { token, form: true, body: { merchant_uid: m, amount: '12' } });
    assert.deepEqual(put.body.response, { merchant_uid: m, amount: 12, currency: null });
  });

  test('registered twice → 200, code 1, and the first registration stays', async () => {
    const token = await sb.token();
    const m = uid('twice');
    assertAnswered(await sb.rest('POST', '/payments/prepare', { token, body: { merchant_uid: m, amount: 1000 } }));
    assertRefused(await sb.rest('POST', '/payments/prepare', { token, body: { merchant_uid: m, amount: 2000 } }), 200, 1, '이미 등록된 merchant_uid입니다.');
    assert.equal((await sb.rest('GET', `/payments/prepare/${m}`, { token })).body.response.amount, 1000);
  });

  test('PUT or GET of an unregistered merchant_uid → 404, code -1', async () => {
    const token = await sb.token();
    const m = uid('unreg');
    assertRefused(await sb.rest('PUT', '/payments/prepare', { token, body: { merchant_uid: m, amount: 1000 } }), 404, -1);
    assertRefused(await sb.rest('GET', `/payments/prepare/${m}`, { token }), 404, -1);
    assert.equal((await sb.rest('GET', `/payments/prepare/${m}`, { token })).status, 404, 'PUT did not register it');
  });

  test('bad input → 400, code -1, naming the field; nothing registered', async () => {
    const token = await sb.token();
    const m = uid('bad');
    const cases: [unknown, RegExp][] = [
      [{ amount: 1000 }, /^merchant_uid: required$/],
      [{ merchant_uid: m }, /^amount: /],
      [{ merchant_uid: m, amount: 'abc' }, /^amount: /],
      [{ merchant_uid: m, amount: -5 }, /^amount: /],
      [{ merchant_uid: m, amount: 0 }, /^amount: /],
      [{ merchant_uid: m, amount: 0.0000001 }, /^amount: /],
      [{ merchant_uid: m, amount: true }, /^amount: /],
      [{ merchant_uid: 'x'.repeat(41), amount: 1000 }, /^merchant_uid: /],
      [{ merchant_uid: 42, amount: 1000 }, /^merchant_uid: /],
      [{ merchant_uid: m, amount: 1000, currency: 'KRWX' }, /^currency: /],
    ];
    for (const [body, message] of cases) {
      assertRefused(await sb.rest('POST', '/payments/prepare', { token, body }), 400, -1, message);
    }
    assertRefused(await sb.rest('GET', `/payments/prepare/${m}`, { token }), 404, -1);
  });
});

describe('POST /payments/cancel', () => {
  test('full cancel by imp_uid: cancelled, cancelled_at, one cancel_history entry', async () => {
    const paid = await sb.createPayment({ merchant_uid: uid('full'), amount: 14000 });
    const token = await sb.token();
    const answer = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, reason: '고객 변심' } });
    assertAnswered(answer);
    paymentResponseSchema.parse(answer.body);
    const p = parseExact(paymentSchema, answer.body.response);
    assert.equal(p.status, 'cancelled');
    assert.equal(p.amount, 14000);
    assert.equal(p.cancel_amount, 14000);
    assert.ok(p.cancelled_at >= p.paid_at && p.cancelled_at > 0);
    assert.equal(p.cancel_reason, '고객 변심');
    assert.equal(p.paid_at, paid.paid_at, 'paid_at is kept');
    assert.equal(p.cancel_history.length, 1);
    const entry = parseExact(cancelHistorySchema, answer.body.response.cancel_history[0], 'cancel_history entry');
    assert.equal(entry.amount, 14000);
    assert.equal(entry.reason, '고객 변심');
    assert.equal(entry.cancelled_at, p.cancelled_at);
    assert.match(entry.cancellation_id, /^\S+$/);
    assert.equal(typeof entry.pg_tid, 'string');
    assert.equal(typeof entry.receipt_url, 'string');
    assert.deepEqual(p.cancel_receipt_urls, [entry.receipt_url]);
    assert.deepEqual((await getPayment(paid.imp_uid, token)).body.response, answer.body.response, 'the cancel is stored');
  });

  test('partial cancels keep it paid; the one that empties the balance cancels it', async () => {
    const paid = await sb.createPayment({ merchant_uid: uid('partial'), amount: 1000 });
    const token = await sb.token();
    const first = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, amount: 300, checksum: 1000 } });
    assertAnswered(first);
    const p1 = parseExact(paymentSchema, first.body.response);
    assert.equal(p1.status, 'paid');
    assert.equal(p1.cancel_amount, 300);
    assert.equal(p1.cancelled_at, 0);
    assert.equal(p1.cancel_history.length, 1);
    assert.equal(p1.cancel_history[0]!.amount, 300);

    const second = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, amount: 700, checksum: 700, reason: 'rest' } });
    assertAnswered(second);
    const p2 = parseExact(paymentSchema, second.body.response);
    assert.equal(p2.status, 'cancelled');
    assert.equal(p2.cancel_amount, 1000);
    assert.ok(p2.cancelled_at > 0);
    assert.deepEqual(
      p2.cancel_history.map((e) => e.amount),
      [300, 700],
    );
    assert.notEqual(p2.cancel_history[0]!.cancellation_id, p2.cancel_history[1]!.cancellation_id);
    for (const entry of second.body.response.cancel_history) parseExact(cancelHistorySchema, entry);
  });

  test('by merchant_uid, amount 0 means everything, form bodies work', async () => {
    const m = uid('bymuid');
    const paid = await sb.createPayment({ merchant_uid: m, amount: 5000 });
    const token = await sb.token();
    const answer = await sb.rest('POST', '/payments/cancel', { token, form: true, body: { merchant_uid: m, amount: '0', checksum: '5000', enable_webhook: 'false' } });
    assertAnswered(answer);
    const p = parseExact(paymentSchema, answer.body.response);
    assert.equal(p.imp_uid, paid.imp_uid);
    assert.equal(p.status, 'cancelled');
    assert.equal(p.cancel_amount, 5000);
  });

  test('by merchant_uid: the paid payment, not a later unpaid attempt', async () => {
    const m = uid('attempts');
    const paid = await sb.createPayment({ merchant_uid: m, amount: 5000 });
    await sb.advanceClock(5);
    await sb.createPayment({ merchant_uid: m, amount: 5000, status: 'ready' });
    const answer = await sb.rest('POST', '/payments/cancel', { token: await sb.token(), body: { merchant_uid: m } });
    assertAnswered(answer);
    assert.equal(answer.body.response.imp_uid, paid.imp_uid);
    assert.equal(answer.body.response.status, 'cancelled');
  });

  test('imp_uid wins over merchant_uid, even when unknown', async () => {
    const m = uid('wins');
    const paid = await sb.createPayment({ merchant_uid: m, amount: 5000 });
    const other = await sb.createPayment({ merchant_uid: uid('other'), amount: 3000 });
    const token = await sb.token();
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: 'imp_000000000000', merchant_uid: m } }), 200, 1, NOTHING_TO_CANCEL);
    const answer = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: other.imp_uid, merchant_uid: m } });
    assert.equal(answer.body.response.imp_uid, other.imp_uid);
    assert.equal((await getPayment(paid.imp_uid, token)).body.response.status, 'paid');
  });

  test('an unknown payment → 200, code 1, 취소할 결제건이 존재하지 않습니다.', async () => {
    const token = await sb.token();
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: 'imp_000000000000' } }), 200, 1, NOTHING_TO_CANCEL);
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { merchant_uid: uid('nobody') } }), 200, 1, NOTHING_TO_CANCEL);
    // A failed payment is nothing to cancel either.
    const m = uid('onlyfailed');
    await sb.createPayment({ merchant_uid: m, amount: 1000, status: 'failed' });
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { merchant_uid: m } }), 200, 1, NOTHING_TO_CANCEL);
  });

  test('refusals (over the balance, checksum mismatch, not paid, already cancelled) → 200, code 1, nothing changed', async () => {
    const token = await sb.token();
    const paid = await sb.createPayment({ merchant_uid: uid('refuse'), amount: 1000 });
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ amount: 1001 }, /1001/],
      [{ amount: 1000, checksum: 999 }, /checksum/],
      [{ checksum: 1001 }, /checksum/],
      [{ amount: 0.5 + 1000 }, /1000\.5/],
    ];
    for (const [body, message] of refusals) {
      assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, ...body } }), 200, 1, message);
    }
    assertAnswered(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, amount: 400 } }));
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, amount: 601 } }), 200, 1);
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, checksum: 1000 } }), 200, 1, /checksum/);
    const after = parseExact(paymentSchema, (await getPayment(paid.imp_uid, token)).body.response);
    assert.equal(after.cancel_amount, 400);
    assert.equal(after.status, 'paid');
    assert.equal(after.cancel_history.length, 1);

    const ready = await sb.createPayment({ merchant_uid: uid('ready'), amount: 1000, status: 'ready' });
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: ready.imp_uid } }), 200, 1);
    const failed = await sb.createPayment({ merchant_uid: uid('failed'), amount: 1000, status: 'failed' });
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: failed.imp_uid } }), 200, 1);
    const cancelled = await sb.createPayment({ merchant_uid: uid('cancelled'), amount: 1000, status: 'cancelled' });
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: cancelled.imp_uid } }), 200, 1);
    assert.equal((await getPayment(cancelled.imp_uid, token)).body.response.cancel_history.length, 1);
  });

  test('an issued virtual account can be cancelled', async () => {
    const vbank = await sb.createPayment({ merchant_uid: uid('vb'), amount: 20000, status: 'ready', pay_method: 'vbank' });
    const answer = await sb.rest('POST', '/payments/cancel', { token: await sb.token(), body: { imp_uid: vbank.imp_uid, checksum: 20000 } });
    assertAnswered(answer);
    assert.equal(answer.body.response.status, 'cancelled');
  });

  test('decimal currencies: USD 10.10 cancelled 0.1 three times, without float drift', async () => {
    const paid = await sb.createPayment({ merchant_uid: uid('usd'), amount: 10.1, currency: 'USD', pg: 'paypal' });
    const token = await sb.token();
    // [the balance before (the checksum), cancel_amount after]: float sums would give 0.30000000000000004.
    for (const [checksum, cancelled] of [
      [10.1, 0.1],
      [10, 0.2],
      [9.9, 0.3],
    ]) {
      const answer = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, amount: 0.1, checksum } });
      assertAnswered(answer);
      const p = parseExact(paymentSchema, answer.body.response);
      assert.equal(p.cancel_amount, cancelled, `cancel_amount is exactly ${cancelled}`);
      assert.equal(p.status, 'paid');
    }
    // The exact balance is the checksum PortOne expects: 9.8, not 9.799999999999999.
    assertRefused(await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, checksum: 10.1 - 0.3 } }), 400, -1, /^checksum: /);
    const last = await sb.rest('POST', '/payments/cancel', { token, body: { imp_uid: paid.imp_uid, checksum: 9.8 } });
    assertAnswered(last);
    const p = parseExact(paymentSchema, last.body.response);
    assert.equal(p.status, 'cancelled');
    assert.equal(p.cancel_amount, 10.1);
    assert.equal(p.currency, 'USD');
    assert.deepEqual(
      p.cancel_history.map((e) => e.amount),
      [0.1, 0.1, 0.1, 9.8],
    );
  });

  test('bad input → 400, code -1, naming the field; nothing cancelled', async () => {
    const token = await sb.token();
    const paid = await sb.createPayment({ merchant_uid: uid('badcancel'), amount: 1000 });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /imp_uid or merchant_uid/],
      [{ reason: 'x' }, /imp_uid or merchant_uid/],
      [{ imp_uid: '' }, /^imp_uid: /],
      [{ imp_uid: 123 }, /^imp_uid: /],
      [{ imp_uid: paid.imp_uid, amount: 'abc' }, /^amount: /],
      [{ imp_uid: paid.imp_uid, amount: -1 }, /^amount: /],
      [{ imp_uid: paid.imp_uid, amount: 0.1 + 0.2 }, /^amount: /],
      [{ imp_uid: paid.imp_uid, checksum: 'all' }, /^checksum: /],
      [{ imp_uid: paid.imp_uid, checksum: 0.1 + 0.2 }, /^checksum: /],
      [{ imp_uid: paid.imp_uid, checksum: 1e300 }, /^checksum: /],
      [{ imp_uid: paid.imp_uid, checksum: -1000 }, /^checksum: /],
      [{ imp_uid: paid.imp_uid, tax_free: 'x' }, /^tax_free: /],
      [{ imp_uid: paid.imp_uid, enable_webhook: 'yes' }, /^enable_webhook: /],
      [{ imp_uid: paid.imp_uid, reason: 42 }, /^reason: /],
    ];
    for (const [body, message] of cases) {
      assertRefused(await sb.rest('POST', '/payments/cancel', { token, body }), 400, -1, message);
    }
    const p = (await getPayment(paid.imp_uid, token)).body.response;
    assert.equal(p.status, 'paid');
    assert.equal(p.cancel_amount, 0);
  });
});

describe('malformed requests', () => {
  const routes: [string, string][] = [
    ['POST', '/users/getToken'],
    ['POST', '/payments/prepare'],
    ['PUT', '/payments/prepare'],
    ['POST', '/payments/cancel'],
  ];

  test('a body that is not JSON → 400, code -1, naming the body', async () => {
    const token = await sb.token();
    for (const [method, path] of routes) {
      for (const body of ['{"imp_key":', 'not json', '{"a":1}}']) {
        assertRefused(await sb.rest(method, path, { token, body }), 400, -1, /body/);
      }
    }
  });

  test('a JSON body that is not an object → 400, code -1', async () => {
    const token = await sb.token();
    for (const [method, path] of routes) {
      for (const body of ['[]', '[{"imp_key":"sandbox_api_key"}]']) {
        assertRefused(await sb.rest(method, path, { token, body }), 400, -1, /body/);
      }
    }
  });

  test('a body over 100 kB → 413, code -1, naming the body', async () => {
    const token = await sb.token();
    const big = { imp_key: API_KEY, imp_secret: API_SECRET, merchant_uid: uid(), amount: 1000, padding: 'x'.repeat(150_000) };
    for (const [method, path] of routes) {
      assertRefused(await sb.rest(method, path, { token, body: big }), 413, -1, /body/);
      assertRefused(await sb.rest(method, path, { token, body: big, form: true }), 413, -1, /body/);
    }
  });

  test('an unsupported content type reads as no body → 400 naming the missing field', async () => {
    const answer = await sb.rest('POST', '/users/getToken', { body: `imp_key=${API_KEY}&imp_secret=${API_SECRET}`, contentType: 'text/plain' });
    assertRefused(answer, 400, -1, /imp_key: required/);
  });

  test('no answer is ever a 500, whatever the input', async () => {
    const token = await sb.token();
    const values: unknown[] = [null, true, -1, 0, 1e308, 1e-9, 0.1 + 0.2, '', ' ', '１２', 'NaN', 'Infinity', '1e3', [], {}, [1], { $gt: 0 }, 'x'.repeat(1000)];
    const fields = ['imp_key', 'imp_secret', 'merchant_uid', 'amount', 'currency', 'imp_uid', 'checksum', 'tax_free', 'enable_webhook'];
    for (const [method, path] of routes) {
      for (const field of fields) {
        for (const value of values) {
          // A fresh paid payment for each cancel, so that every value reaches the checks of a cancellable one.
          const base =
            path === '/payments/cancel'
              ? { imp_uid: (await sb.createPayment({ merchant_uid: uid('fuzz'), amount: 1000 })).imp_uid }
              : { imp_key: API_KEY, imp_secret: API_SECRET, merchant_uid: uid('f'), amount: 1 };
          const answer = await sb.rest(method, path, { token, body: { ...base, [field]: value } });
          assert.ok(answer.status < 500, `${method} ${path} ${field}=${JSON.stringify(value)} → ${answer.status} ${JSON.stringify(answer.body)}`);
          envelopeSchema.parse(answer.body);
        }
      }
    }
    for (const path of [`/payments/find/${encodeURIComponent('%%')}`, '/payments/find/x/paid?sorting=a&sorting=b', `/payments/${'9'.repeat(500)}`]) {
      const answer = await sb.rest('GET', path, { token });
      assert.ok(answer.status < 500, `${path} → ${answer.status}`);
    }
  });

  test('unknown paths and methods answer with the envelope', async () => {
    const token = await sb.token();
    assertRefused(await sb.rest('GET', '/payments/nothing/here', { token }), 404, -1);
    assertRefused(await sb.rest('GET', '/v2/payments'), 404, -1);
    const wrongMethod = await sb.rest('DELETE', '/payments/imp_000000000000', { token });
    assertRefused(wrongMethod, 405, -1, /^method DELETE not allowed/);
    assert.match(wrongMethod.headers.get('allow') ?? '', /GET/);
    assertRefused(await sb.rest('GET', '/users/getToken'), 405, -1, /^method GET not allowed/);
  });
});

describe('the PortOne schemas themselves', () => {
  // PortOne's documented example answer (PORTONE-V1.md §3, values invented there), as a real client gets it.
  const documented = {
    code: 0,
    message: null,
    response: {
      imp_uid: 'imp_123456789012', merchant_uid: 'order-0001', pay_method: 'card', channel: 'pc', pg_provider: 'html5_inicis',
      emb_pg_provider: null, pg_tid: 'StdpayCARDINIpayTest20250101000000000000', pg_id: 'INIpayTest', sandbox: true, escrow: false,
      apply_num: '12345678', bank_code: null, bank_name: null, card_code: '366', card_name: '신한카드', card_quota: 0,
      card_number: '510737*********6', card_type: 1, vbank_code: null, vbank_name: null, vbank_num: null, vbank_holder: null,
      vbank_date: 0, vbank_issued_at: 0, name: 'Order', amount: 1000, cancel_amount: 0, currency: 'KRW', buyer_name: null,
      buyer_email: 'a@b.c', buyer_tel: '010-0000-0000', buyer_addr: null, buyer_postcode: null, custom_data: '{"cart":1}',
      user_agent: 'Mozilla/5.0 ...', status: 'paid', started_at: 1735689590, paid_at: 1735689600, failed_at: 0, cancelled_at: 0,
      fail_reason: null, cancel_reason: null, receipt_url: 'https://...', cancel_history: [], cancel_receipt_urls: [],
      cash_receipt_issued: false, customer_uid: null, customer_uid_usage: null,
    },
  };

  test('a documented answer parses; fields PortOne leaves out get the value PortOne writes for "absent"', () => {
    const parsed = paymentResponseSchema.parse(documented);
    assert.equal(parsed.response.amount, 1000);
    assert.deepEqual(parsed.response.deposit_history, []);
    assert.equal(parsed.response.promotion, null);
    assert.equal(parsed.response.card_issuer_code, null);
    const sparse = paymentSchema.parse({ imp_uid: 'imp_1', merchant_uid: 'm', amount: 1, cancel_amount: 0, currency: 'KRW', status: 'ready', sandbox: false });
    assert.equal(sparse.paid_at, 0);
    assert.equal(sparse.vbank_num, null);
    assert.deepEqual(sparse.cancel_history, []);
    assert.equal(sparse.escrow, false);
    assert.equal(sparse.card_type, null);
  });

  test('unknown fields are ignored, not refused', () => {
    const parsed = paymentSchema.parse({ ...documented.response, extension: { daou: 1 }, brand_new_field: 'x' });
    assert.equal('brand_new_field' in parsed, false);
    assert.equal(tokenSchema.parse({ access_token: 'a', now: 1, expired_at: 2, extra: true }).access_token, 'a');
  });

  test('known fields of the wrong type are refused', () => {
    const wrong: Record<string, unknown>[] = [
      { amount: '1000' },
      { amount: null },
      { status: 'PAID' },
      { paid_at: null },
      { paid_at: 1.5 },
      { sandbox: 'true' },
      { card_type: '1' },
      { custom_data: { cart: 1 } },
      { cancel_history: [{ amount: 1 }] },
      { imp_uid: undefined },
    ];
    for (const patch of wrong) {
      assert.equal(paymentSchema.safeParse({ ...documented.response, ...patch }).success, false, JSON.stringify(patch));
    }
    assert.equal(envelopeSchema.safeParse({ code: '0', message: null, response: null }).success, false, 'code is an integer');
    assert.equal(paymentResponseSchema.safeParse({ ...documented, code: -1 }).success, false, 'a success envelope has code 0');
    assert.equal(tokenSchema.safeParse({ access_token: 'a', now: '1', expired_at: 2 }).success, false);
    assert.equal(prepareSchema.safeParse({ merchant_uid: 'm', amount: '1000', currency: null }).success, false);
  });

  test('the prepare and token examples parse; prepare without currency reads it as null', () => {
    assert.deepEqual(prepareSchema.parse({ merchant_uid: 'm', amount: 1000 }), { merchant_uid: 'm', amount: 1000, currency: null });
    const token = tokenResponseSchema.parse({ code: 0, message: null, response: { access_token: 'a9ace025c90c0da2161075da6ddd3492a2fca776', now: 1512446940, expired_at: 1512448740 } });
    assert.equal(token.response.expired_at - token.response.now, 1800);
    assert.deepEqual(envelopeSchema.parse({ code: 1, message: '취소할 결제건이 존재하지 않습니다.', response: null }), { code: 1, message: '취소할 결제건이 존재하지 않습니다.', response: null });
  });
});
