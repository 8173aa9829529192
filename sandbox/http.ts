/**
 * The HTTP plumbing both sandbox apps share (V1's in app.ts, V2's in v2/app.ts): the call log of REST calls, errors
 * answered in the shape of the API asked, CORS for the browser-facing paths, injected faults, bodies and the answer
 * to an unknown path. Each app says which of its paths are PortOne's REST API and how that API refuses.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Router } from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { RingLog } from './bounded.js';
import type { CallRecord } from './control-api.js';
import { type FaultSource, faultInjector } from './faults.js';

export const BODY_LIMIT = '100kb';
export const BODY_LIMIT_BYTES = 100 * 1024;
/** The route name a call gets in the call log when no route matched its path. */
const UNMATCHED = '(no route)';

interface CallState {
  call: CallRecord;
}

/** What an app tells the shared middleware about itself. */
export interface ApiProfile {
  /** Paths that are PortOne's REST API (logged, subject to faults, closed to other origins). */
  isRestPath(path: string): boolean;
  /** An error in the shape of the API asked (the REST API's own on REST paths, the control API's elsewhere). */
  fail(ctx: Context, status: number, message: string): void;
}

/** Where the REST calls are logged and counted (V1's or V2's state). */
export interface CallSink {
  calls: RingLog<CallRecord>;
  countCall(route: string): void;
  now(): number;
}

/** Logs each REST call as it arrives, and completes its entry (route, final status) when it is answered. */
export function recordRestCalls(sink: CallSink, rest: Router, profile: ApiProfile): Middleware {
  return async (ctx, next) => {
    if (!profile.isRestPath(ctx.path)) return next();
    const record: CallRecord = { seq: sink.calls.total + 1, at: sink.now(), method: ctx.method, path: ctx.path, route: `${ctx.method} ${ctx.path}`, status: null, fault: null };
    sink.calls.push(record);
    (ctx.state as CallState).call = record;
    try {
      await next();
    } finally {
      record.route = `${ctx.method} ${restRoute(ctx, rest)}`;
      record.status = ctx.respond === false ? null : ctx.status;
      sink.countCall(record.route);
    }
  };
}

/**
 * The route pattern a REST call is counted under (`/payments/:imp_uid`). A call refused before routing (an
 * unparsable body, a fault) still counts under its route; a path no route knows counts under one key, so
 * that requests to ever new unknown paths cannot grow the counts without bound.
 */
function restRoute(ctx: Context, rest: Router): string {
  const matched = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
  if (matched) return matched;
  const layer = rest
    .match(ctx.path, ctx.method)
    .pathAndMethod.filter((l) => l.methods.length > 0)
    .at(-1);
  return typeof layer?.path === 'string' ? layer.path : UNMATCHED;
}

export function answerErrors(quiet: boolean, profile: ApiProfile): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // Thrown on purpose for bad input (an unparsable or oversized body): say what was wrong.
        return profile.fail(ctx, status, (error as Error).message);
      }
      // The sandbox must not crash on anything a client sends: log it, answer a bare 500.
      if (!quiet) console.error('[portone-sandbox]', error);
      return profile.fail(ctx, 500, 'sandbox internal error');
    }
    // The routers' allowedMethods answer 405 (a known path, another method) or 501 (a method no route
    // knows) over the "no such sandbox path" body of the last middleware: say what happened instead.
    if (ctx.status === 405) profile.fail(ctx, 405, `method ${ctx.method} not allowed on ${ctx.path} (allowed: ${ctx.response.get('allow')})`);
    if (ctx.status === 501) profile.fail(ctx, 501, `method ${ctx.method} not implemented`);
  };
}

/** The SDK and the control API are called from merchants' pages and tests on any origin. */
export function openToAnyOrigin(profile: ApiProfile): Middleware {
  return async (ctx: Context, next: Next) => {
    if (profile.isRestPath(ctx.path)) return next();
    ctx.set('access-control-allow-origin', '*');
    ctx.set('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    ctx.set('access-control-allow-headers', 'content-type');
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      return;
    }
    await next();
  };
}

export function injectFaults(source: FaultSource, profile: ApiProfile): Middleware {
  const inject = faultInjector(source, (ctx, type) => ((ctx.state as CallState).call.fault = type), profile.fail);
  return (ctx, next) => (profile.isRestPath(ctx.path) ? inject(ctx, next) : next());
}

/** JSON and form bodies, at most BODY_LIMIT. */
export function parseBodies(): Middleware {
  return bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: BODY_LIMIT,
    formLimit: BODY_LIMIT,
    onError: (error, ctx) => {
      const tooLarge = (error as { status?: number }).status === 413;
      ctx.throw(tooLarge ? 413 : 400, tooLarge ? `body over ${BODY_LIMIT}` : 'body is not valid JSON or form data');
    },
  });
}

export function answerUnknownPath(profile: ApiProfile): Middleware {
  return async (ctx: Context, next: Next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) profile.fail(ctx, 404, `no such sandbox path: ${ctx.method} ${ctx.path}`);
  };
}
