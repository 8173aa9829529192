/**
 * Merchant-side endpoints for browser tests, served by web-test-runner's dev server (the page's own origin):
 * a small but real verifier and prepare endpoint that talk to the sandbox's REST API, endpoints that answer
 * a chosen status or never answer, and iamport.js stand-ins that fail to load in each way a page can see.
 *
 *   POST /__test/verify                  reads the payment from the sandbox and answers as SPEC §5 (paid/ready → 200)
 *   POST /__test/verify?status=409       answers that HTTP status with {status, message} (and retryable for 502)
 *   POST /__test/verify?says=failed      answers 200 {status:'failed'} whatever PortOne says
 *   POST /__test/verify?hang=1           never answers (until the browser gives up)
 *   POST /__test/prepare                 registers {merchant_uid, amount, currency} with the sandbox and answers it
 *                                        (?amount=N: that amount whatever the body says; ?currency=C: that currency, default KRW)
 *   POST /__test/prepare?price=N         a price authority (SPEC §4): N in ?currency is the price; a body with another
 *                                        amount or currency → 409 {status:'price_changed', amount, currency, message}
 *   POST /__test/prepare?status=500      answers that status
 *   POST /__test/*?answer=JSON           answers exactly that JSON (with ?status, else 201), registers nothing
 *   GET  /__test/sdk/404.js              404
 *   GET  /__test/sdk/hang.js             never answers
 *   GET  /__test/sdk/no-imp.js           a script that defines no IMP
 *   GET  /__test/calls                   what the endpoints above received, newest last; DELETE clears
 *   GET  /__test/page?nonce=N&body=HTML  an empty page (for iframes) with `body` as its markup; with `nonce`, served under a
 *                                        strict CSP: `script-src 'nonce-N'` (no host allow-list, no 'strict-dynamic')
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Next } from 'koa';

interface Received {
  path: string;
  query: string;
  body: unknown;
}

async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return {};
  }
}

export function testEndpoints(sandboxUrl: string) {
  const received: Received[] = [];
  let token: string | undefined;

  async function portone(path: string, init: RequestInit = {}, retry = true): Promise<{ status: number; body: Record<string, any> }> {
    if (!token) {
      const answer = await fetch(`${sandboxUrl}/users/getToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ imp_key: 'sandbox_api_key', imp_secret: 'sandbox_api_secret' }),
      });
      token = ((await answer.json()) as { response: { access_token: string } }).response.access_token;
    }
    const response = await fetch(`${sandboxUrl}${path}`, { ...init, headers: { ...init.headers, authorization: token, 'content-type': 'application/json' } });
    if (response.status === 401 && retry) {
      token = undefined;
      return portone(path, init, false);
    }
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/__test/')) return next();
    const query = new URLSearchParams(ctx.querystring);
    if (ctx.path === '/__test/calls') {
      if (ctx.method === 'DELETE') received.length = 0;
      ctx.body = received;
      return;
    }
    if (ctx.path === '/__test/page') {
      const nonce = query.get('nonce');
      if (nonce) ctx.set('content-security-policy', `script-src 'nonce-${nonce}'; object-src 'none'; base-uri 'none'`);
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>test page</title></head><body>${query.get('body') ?? ''}</body></html>`;
      return;
    }
    if (ctx.path.startsWith('/__test/sdk/')) {
      if (ctx.path.endsWith('/hang.js')) {
        await sleep(30_000);
        ctx.status = 504;
        return;
      }
      if (ctx.path.endsWith('/no-imp.js')) {
        ctx.type = 'application/javascript';
        ctx.body = 'window.NOT_IMP = true;';
        return;
      }
      ctx.status = 404;
      return;
    }
    const body = ctx.method === 'POST' ? await readJson(ctx) : {};
    received.push({ path: ctx.path, query: ctx.querystring, body });
    ctx.type = 'json';
    if (query.has('hang')) {
      await sleep(30_000);
      ctx.status = 504;
      return;
    }
    const status = Number(query.get('status') ?? 0);
    if (query.has('answer')) {
      ctx.status = status || 201;
      ctx.body = JSON.parse(query.get('answer')!);
      return;
    }
    if (status) {
      ctx.status = status;
      ctx.body = { status: status === 502 ? 'error' : `status_${status}`, message: `test endpoint answered ${status}`, ...(status === 502 && { retryable: true }) };
      return;
    }
    if (ctx.path === '/__test/prepare') {
      const merchant_uid = typeof body.merchant_uid === 'string' ? body.merchant_uid : `prep_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      const currency = query.get('currency') ?? 'KRW';
      const price = query.get('price');
      if (price !== null && (Number(price) !== body.amount || currency !== body.currency)) {
        ctx.status = 409;
        ctx.body = { status: 'price_changed', amount: Number(price), currency, message: `the price is now ${price} ${currency}` };
        return;
      }
      const amount = Number(query.get('amount') ?? body.amount);
      // With the currency too, so the sandbox refuses a request_pay in another currency (as PortOne does).
      const answer = await portone('/payments/prepare', { method: 'POST', body: JSON.stringify({ merchant_uid, amount, currency }) });
      ctx.status = answer.body.code === 0 ? 201 : 409;
      ctx.body = answer.body.code === 0 ? { merchant_uid, amount, currency } : { status: 'error', message: answer.body.message };
      return;
    }
    if (ctx.path === '/__test/verify') {
      if (query.get('says')) {
        ctx.body = { status: query.get('says'), message: 'the test endpoint says so' };
        return;
      }
      const payment = await portone(`/payments/${encodeURIComponent(String(body.imp_uid))}`);
      if (payment.status !== 200) {
        ctx.status = 404;
        ctx.body = { status: 'unknown_order' };
        return;
      }
      const p = payment.body.response;
      if (p.merchant_uid !== body.merchant_uid) {
        ctx.status = 409;
        ctx.body = { status: 'mismatch', message: 'merchant_uid does not match' };
        return;
      }
      const answer = { imp_uid: p.imp_uid, merchant_uid: p.merchant_uid, amount: p.amount, currency: p.currency, pay_method: p.pay_method };
      if (p.status === 'paid' || (p.status === 'ready' && p.pay_method === 'vbank')) {
        ctx.body = { status: p.status, ...answer, ...(p.status === 'ready' && { vbank_num: p.vbank_num, vbank_name: p.vbank_name, vbank_holder: p.vbank_holder, vbank_date: p.vbank_date }) };
        return;
      }
      ctx.status = 402;
      ctx.body = { status: p.status, message: `PortOne says ${p.status}` };
      return;
    }
    return next();
  };
}
