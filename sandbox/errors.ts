/**
 * How the sandbox's own APIs (the control API, the SDK's checkout, the payment window) say no:
 * `{status: 'error', message}`, the message naming each bad field. PortOne's REST API has its own envelope
 * (v1/envelope.ts) but the same messages.
 */
import type { Context } from 'koa';
import type { z } from 'zod';
import type { ControlError } from './control-api.js';

/** The one error answer of the sandbox's own APIs. */
export function writeError(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { status: 'error', message } satisfies ControlError;
}

/**
 * `field: problem; other: problem`, one entry per issue, the field first.
 *
 * zod 4 leaves `issue.input` out unless the parse asked for it (`{ reportInput: true }`), so an absent input
 * cannot tell "missing" from "wrong type" by itself: without the input, only zod's own message
 * ("… received undefined") says the field was missing.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      if (isMissing(issue)) return `${field}: required`;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  if ('input' in issue) return issue.input === undefined;
  return issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
}

/** `input` parsed by `schema`, or undefined once `refuse` was told what is wrong (an absent body is `{}`). */
export function parseOrRefuse<T extends z.ZodType>(schema: T, input: unknown, refuse: (message: string) => void): z.output<T> | undefined {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  refuse(describeIssues(result.error));
  return undefined;
}

/** A control API body parsed by `schema`, or undefined once a 400 naming the fields was answered. */
export function parseBody<T extends z.ZodType>(ctx: Context, schema: T): z.output<T> | undefined {
  return parseOrRefuse(schema, ctx.request.body, (message) => writeError(ctx, 400, message));
}
