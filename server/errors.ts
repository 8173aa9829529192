/**
 * Route errors: what a handler throws to answer a 4xx/5xx with a JSON body, and the one shape of an error body.
 * The error middleware turns them into responses; anything else becomes a bare 500 and a log line, never a stack
 * in a response.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import { describeZodError } from './zod-issues.js';

export class RouteError extends Error {
  override name = 'RouteError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.status));
  }
}

/**
 * The body of every error answer: `{ status: 'error', message }`, with `retryable` when the client should know
 * whether the same request may work later (PortOne unreachable, shutting down, over the rate limit).
 */
export function errorBody(message: string, retryable?: boolean): Record<string, unknown> {
  return retryable === undefined ? { status: 'error', message } : { status: 'error', retryable, message };
}

/** Answer `status` with an error body. */
export function writeError(ctx: Context, status: number, message: string, retryable?: boolean): void {
  ctx.status = status;
  ctx.body = errorBody(message, retryable);
}

export const badRequest = (message: string) => new RouteError(400, errorBody(message));

/** Parse `input` with `schema` or throw a 400 naming the fields. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}
