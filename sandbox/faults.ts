/**
 * Injected faults for REST calls: added latency, a 5xx answer, a dropped connection, or the access token
 * expiring under the caller. Each fault matches a path prefix (and optionally a method), can let the first
 * `after` calls through and can be limited to `times` calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Next } from 'koa';
import type { Fault, FaultType } from './control-api.js';

/** Where the faults live (V1's or V2's state): the list, and what `expire_token` does there. */
export interface FaultSource {
  faults: Fault[];
  expireToken(): void;
}

/** How an API answers a `status` fault: in its own error shape. */
export type FaultAnswer = (ctx: Context, status: number, message: string) => void;

/** The faults that apply to this call, counted as used. */
function matchingFaults(state: FaultSource, method: string, path: string): Fault[] {
  const applied: Fault[] = [];
  for (const fault of state.faults) {
    if (fault.method && fault.method !== method) continue;
    if (!path.startsWith(fault.path)) continue;
    fault.seen++;
    if (fault.seen <= fault.after) continue;
    if (fault.times !== null && fault.hits >= fault.times) continue;
    fault.hits++;
    applied.push(fault);
  }
  return applied;
}

/**
 * Koa middleware for the REST routes; `onFault` lets the call log name what was done, `answer` writes a `status`
 * fault in the API's own error shape.
 */
export function faultInjector(state: FaultSource, onFault: (ctx: Context, type: FaultType) => void, answer: FaultAnswer) {
  return async (ctx: Context, next: Next) => {
    for (const fault of matchingFaults(state, ctx.method, ctx.path)) {
      onFault(ctx, fault.type);
      switch (fault.type) {
        case 'latency':
          await sleep(fault.ms);
          break;
        case 'expire_token':
          state.expireToken();
          break;
        case 'drop':
          // No status line, no body: the client sees a reset / "socket hang up".
          ctx.respond = false;
          ctx.req.socket.destroy();
          return;
        case 'status':
          return answer(ctx, fault.status, `sandbox fault: HTTP ${fault.status}`);
      }
    }
    await next();
  };
}
