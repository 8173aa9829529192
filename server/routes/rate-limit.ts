/**
 * `PREPARE_RATE_LIMIT` (SPEC §4): each client address may prepare so many orders a minute; beyond, `429` with
 * `Retry-After`. Every prepare stores an order and costs a PortOne call, so an unthrottled prepare lets anyone fill
 * the store and reconcile's passes.
 *
 * rate-limiter-flexible's in-memory limiter (no dependencies; keys expire, so a stream of new addresses cannot
 * grow it for ever, unlike koa-ratelimit's memory driver): the limit holds per process. The client address is the
 * socket's, or with `TRUST_PROXY=true` the first `X-Forwarded-For` hop (Koa's `ctx.ip`).
 */
import type { Context, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { writeError } from '../errors.js';

export type RateLimit = (ctx: Context, next: Next) => Promise<void>;

/** `perMinute` requests per client address per minute; 0 turns the limit off. */
export function rateLimit(perMinute: number, what: string): RateLimit {
  if (perMinute === 0) return (_ctx, next) => next();
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return async (ctx, next) => {
    try {
      await limiter.consume(ctx.ip || 'unknown');
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      ctx.set('retry-after', String(seconds));
      writeError(ctx, 429, `too many ${what} from this address: at most ${perMinute} a minute; try again in ${seconds} s`, true);
      return;
    }
    await next();
  };
}
