/**
 * The verifier on the page's own origin, as a reverse proxy in front of it would put it: a request for
 * `/__verifier/<path>` goes to `<verifierUrl>/<path>` with its method, query, content type and body, and its
 * answer comes back as it was (status, headers, body). Each request is recorded first (test/support/received.ts),
 * so a test sees what the element sent.
 *
 *   POST /__verifier/payments/prepare    → POST <verifier>/payments/prepare
 *   POST /__verifier/payments/complete   → POST <verifier>/payments/complete
 */
import type { Context, Next } from 'koa';
import { VERIFIER_PREFIX } from './page-origin.js';
import { readBody, type ReceivedLog } from './received.js';

/** What a proxy does not pass on: hop-by-hop headers, and the framing fetch has already undone. */
const NOT_PASSED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

export function sameOriginVerifier(verifierUrl: string, received: ReceivedLog) {
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith(`${VERIFIER_PREFIX}/`)) return next();
    const { raw, json } = ctx.method === 'GET' || ctx.method === 'HEAD' ? { raw: undefined, json: {} } : await readBody(ctx);
    received.record(ctx, json);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept']) if (ctx.get(name)) headers[name] = ctx.get(name);
    const answer = await fetch(`${verifierUrl}${ctx.url.slice(VERIFIER_PREFIX.length)}`, { method: ctx.method, headers, body: raw });
    ctx.status = answer.status;
    answer.headers.forEach((value, name) => {
      if (!NOT_PASSED.has(name)) ctx.set(name, value);
    });
    ctx.body = Buffer.from(await answer.arrayBuffer());
  };
}
