/**
 * What the real verifier (test/support/verifier.ts, on the page's origin under /__verifier/) cannot be made to do,
 * served by web-test-runner's dev server for browser tests: merchant endpoints that answer a chosen status, a
 * chosen JSON or never, iamport.js stand-ins that fail to load in each way a page can see, and a bare page for
 * iframes. Each request to /__test/verify and /__test/prepare is recorded (test/support/received.ts).
 *
 *   POST /__test/verify?status=409       answers that HTTP status with {status, message} (and retryable for 502)
 *   POST /__test/verify?says=failed      answers 200 {status:'failed', message} (a verifier that says so, whatever PortOne says)
 *   POST /__test/prepare?status=500      answers that status, as above
 *   POST /__test/*?answer=JSON           answers exactly that JSON (with ?status, else 201); registers nothing anywhere
 *   POST /__test/*?hang=1                never answers (until the browser gives up)
 *   GET  /__test/sdk/404.js              404
 *   GET  /__test/sdk/hang.js             never answers
 *   GET  /__test/sdk/no-imp.js           a script that defines no IMP
 *   GET  /__test/page?nonce=N&body=HTML  an empty page (for iframes) with `body` as its markup; with `nonce`, served under a
 *                                        strict CSP: `script-src 'nonce-N'` (no host allow-list, no 'strict-dynamic')
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Next } from 'koa';
import { readBody, type ReceivedLog } from './received.js';

const FAULT_ENDPOINTS = new Set(['/__test/verify', '/__test/prepare']);

function page(ctx: Context, query: URLSearchParams): void {
  const nonce = query.get('nonce');
  if (nonce) ctx.set('content-security-policy', `script-src 'nonce-${nonce}'; object-src 'none'; base-uri 'none'`);
  ctx.type = 'html';
  ctx.body = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>test page</title></head><body>${query.get('body') ?? ''}</body></html>`;
}

async function failingSdk(ctx: Context): Promise<void> {
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
}

async function fault(ctx: Context, query: URLSearchParams): Promise<void> {
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
  if (query.get('says')) {
    ctx.body = { status: query.get('says'), message: 'the test endpoint says so' };
    return;
  }
  // A correct verifier is the real one, under /__verifier/.
  ctx.status = 400;
  ctx.body = { status: 'error', message: 'a fault endpoint needs ?status, ?says, ?answer or ?hang' };
}

export function testEndpoints(received: ReceivedLog) {
  return async (ctx: Context, next: Next) => {
    const query = new URLSearchParams(ctx.querystring);
    if (ctx.path === '/__test/page') return page(ctx, query);
    if (ctx.path.startsWith('/__test/sdk/')) return failingSdk(ctx);
    if (!FAULT_ENDPOINTS.has(ctx.path)) return next();
    received.record(ctx, ctx.method === 'POST' ? (await readBody(ctx)).json : {});
    return fault(ctx, query);
  };
}
