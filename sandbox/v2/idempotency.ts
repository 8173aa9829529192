/**
 * PortOne V2's `Idempotency-Key` on POST: the same key and the same request again → the stored answer (same status,
 * same body); the same key while the first request is still being answered → 409 `IDEMPOTENCY_OUTSTANDING_REQUEST`;
 * keys kept 3 hours (sandbox clock). PortOne's documents are silent on the same key with another request: the sandbox
 * answers 400 `INVALID_REQUEST` naming the header, and keeps the first answer. An answer ≥ 500 (a fault) or a dropped
 * connection is not kept, so that a retry with the key does the work. The keys live in a bounded map.
 */
import type { Context, Middleware, Next } from 'koa';
import { refuseV2 } from './errors.js';
import type { V2State } from './state.js';

export const IDEMPOTENCY_TTL_S = 3 * 3600;

export interface IdempotencyEntry {
  /** `METHOD path` and the canonical JSON body: what "the same request" means. */
  fingerprint: string;
  done: boolean;
  status: number;
  body: unknown;
  expiresAt: number;
}

/** The key as sent: an RFC 8941 string (`"…"`) or bare; 16 to 256 printable ASCII characters. */
function parseKey(header: string): string | null {
  const quoted = /^"(.*)"$/.exec(header);
  const key = quoted ? quoted[1]! : header;
  return /^[\x20-\x7e]{16,256}$/.test(key) ? key : null;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Koa middleware for the V2 REST POSTs; it runs after authentication, before faults, so a slow call holds its key. */
export function idempotency(state: V2State, isRestPath: (path: string) => boolean): Middleware {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('idempotency-key').trim();
    if (ctx.method !== 'POST' || !isRestPath(ctx.path) || header === '') return next();
    const key = parseKey(header);
    if (key === null) return refuseV2(ctx, 'INVALID_REQUEST', 'Idempotency-Key: must be 16 to 256 printable ASCII characters, optionally in double quotes');
    const fingerprint = `${ctx.method} ${ctx.path} ${canonical(ctx.request.body ?? {})}`;
    const now = state.now();
    let entry = state.idempotency.get(key);
    if (entry && entry.expiresAt <= now) {
      state.idempotency.delete(key);
      entry = undefined;
    }
    if (entry) {
      if (entry.fingerprint !== fingerprint) return refuseV2(ctx, 'INVALID_REQUEST', 'Idempotency-Key: already used for another request (another path or body) in the last 3 hours');
      if (!entry.done) return refuseV2(ctx, 'IDEMPOTENCY_OUTSTANDING_REQUEST', 'a request with this Idempotency-Key is still being processed');
      ctx.status = entry.status;
      ctx.body = structuredClone(entry.body);
      return;
    }
    const fresh: IdempotencyEntry = { fingerprint, done: false, status: 0, body: undefined, expiresAt: now + IDEMPOTENCY_TTL_S };
    state.idempotency.set(key, fresh);
    try {
      await next();
    } catch (error) {
      state.idempotency.delete(key);
      throw error;
    }
    if (ctx.respond === false || ctx.status >= 500) {
      state.idempotency.delete(key);
      return;
    }
    fresh.done = true;
    fresh.status = ctx.status;
    fresh.body = structuredClone(ctx.body);
  };
}
