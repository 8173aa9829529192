/**
 * Route errors: what a handler throws to answer a 4xx/5xx with a JSON body. The error middleware turns
 * them into responses; anything else becomes a bare 500 and a log line, never a stack in a response.
 */
import type { z } from 'zod';

export class RouteError extends Error {
  override name = 'RouteError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.status));
  }
}

export const badRequest = (message: string) => new RouteError(400, { status: 'error', message });

/** `field: problem` for each zod issue, the field first, so a client knows what to fix. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
      if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}: required`;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Parse `input` with `schema` or throw a 400 naming the fields. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}
