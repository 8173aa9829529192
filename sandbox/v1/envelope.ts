/**
 * PortOne's response envelope `{code, message, response}` and the input parsing every REST route shares.
 * Bodies arrive as JSON or as form fields (every operation consumes both), so numbers and booleans may
 * come as strings.
 */
import type { Context } from 'koa';
import { z } from 'zod';

export function answer(ctx: Context, response: unknown): void {
  ctx.status = 200;
  ctx.body = { code: 0, message: null, response };
}

export function refuse(ctx: Context, status: number, code: number, message: string): void {
  ctx.status = status;
  ctx.body = { code, message, response: null };
}

export const NOT_FOUND_MESSAGE = '존재하지 않는 결제정보입니다.';
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

/** A number, or a form field that spells one. */
export const numberish = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
    .transform(Number),
]);

/** A boolean, or a form field `true` / `false`. */
export const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** Parse a body or query with `schema`; on failure answer 400 naming the field and return undefined. */
export function parseInput<T extends z.ZodType>(ctx: Context, schema: T, input: unknown): z.output<T> | undefined {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  refuse(ctx, 400, -1, describeIssues(result.error));
  return undefined;
}

/**
 * `field: problem; other: problem`, one entry per issue, the field first.
 *
 * zod 4 leaves `issue.input` out unless the parse asked for it (`{ reportInput: true }`), so an absent input
 * cannot tell "missing" from "wrong type" by itself: without the input, only zod's own message
 * ("… received undefined") says the field was missing. (Before, every wrong type was reported as
 * "required": `amount: "abc"` answered "amount: required".)
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
