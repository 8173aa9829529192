/**
 * PortOne's response envelope `{code, message, response}` and the input parsing every REST route shares.
 * Bodies arrive as JSON or as form fields (every operation consumes both), so numbers and booleans may
 * come as strings.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { parseOrRefuse } from '../errors.js';

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
  return parseOrRefuse(schema, input, (message) => refuse(ctx, 400, -1, message));
}
