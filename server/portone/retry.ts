/**
 * The one policy every PortOne client (REST V1, REST V2) follows on the wire: each HTTP call times out; network
 * errors, timeouts and 5xx are retried with exponential backoff and full jitter; nothing is retried past the
 * operation's deadline. What an answer means (success, refusal, "retry this") is each protocol's business: `judge`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';

export interface RetryPolicy {
  /** Each HTTP call gives up after this long. */
  timeoutMs: number;
  /** Attempts per operation on network errors, timeouts and 5xx. */
  maxAttempts: number;
  /** First backoff ceiling; doubles per attempt up to 2 s. */
  backoffMs: number;
}

/** The defaults of every PortOne client's options: 10 s a call, 25 s an operation (inside the verify endpoint's 30 s), 4 attempts, 200 ms first backoff. */
export const WIRE_DEFAULTS = { timeoutMs: 10_000, deadlineMs: 25_000, maxAttempts: 4, backoffMs: 200 } as const;

/** Per-operation options. */
export interface CallOptions {
  /**
   * When the caller must have its answer (ms since the epoch). The operation gives up there, or at its own
   * `deadlineMs`, whichever comes first, so several operations for one request can share one budget.
   */
  deadline?: number;
}

/** An operation's deadline: its own budget (`deadlineMs` from now), cut short by the caller's. */
export function operationDeadline(deadlineMs: number, options: CallOptions): number {
  const own = Date.now() + deadlineMs;
  return options.deadline === undefined ? own : Math.min(own, options.deadline);
}

/** The API's base URL as configured, without trailing slashes (paths are appended with their own). */
export function apiBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** PortOne could not be read (network, timeout, 5xx, an answer we cannot parse) even after retries. Worth retrying later. */
export class PortOneUnavailable extends Error {
  override name = 'PortOneUnavailable';
}

export interface Exchange {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** When the operation must give up (ms since the epoch). */
  deadline: number;
  /** This call's own timeout, when it differs from the policy's (a V2 cancel may take 60 s). */
  timeoutMs?: number;
}

/** What one answer means: the result, or why it is worth another attempt. A 5xx is always retried before `judge` sees it. */
export type Judgement<T> = { done: T } | { retry: string };

/** One exchange with PortOne under `policy`: the first answer `judge` accepts, or PortOneUnavailable naming the last problem. */
export async function exchange<T>(
  policy: RetryPolicy,
  doFetch: typeof fetch,
  logger: Logger,
  request: Exchange,
  judge: (status: number, text: string) => Judgement<T>,
): Promise<T> {
  let lastProblem = 'no attempt was made before the deadline';
  const path = request.url.replace(/^[a-z]+:\/\/[^/]+/i, '');
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const remaining = request.deadline - Date.now();
    if (remaining <= 0) break;
    try {
      const response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(Math.min(request.timeoutMs ?? policy.timeoutMs, remaining)),
      });
      const text = await response.text();
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
      } else {
        const judged = judge(response.status, text);
        if ('done' in judged) return judged.done;
        lastProblem = judged.retry;
      }
    } catch (error) {
      lastProblem = describeFetchError(error);
    }
    logger.warn('portone call failed', { method: request.method, path, attempt, problem: lastProblem });
    if (attempt < policy.maxAttempts) {
      const ceiling = Math.min(2_000, policy.backoffMs * 2 ** (attempt - 1));
      const wait = Math.min(Math.random() * ceiling, request.deadline - Date.now());
      if (wait > 0) await sleep(wait);
    }
  }
  throw new PortOneUnavailable(`PortOne did not answer ${request.method} ${path}: ${lastProblem}`);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  if (!(error instanceof Error)) return String(error);
  const { cause } = error;
  if (!(cause instanceof Error)) return error.message;
  // A host with several addresses fails with an AggregateError whose own message is empty: name each address's error.
  const detail = cause instanceof AggregateError && !cause.message ? cause.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ') : cause.message;
  return `${error.message}: ${detail}`;
}
