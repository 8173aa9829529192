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

/** What a JSON value is, for "expected a number, got a string". */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const ARTICLE: Record<string, string> = { array: 'an array', object: 'an object', integer: 'an integer' };

/**
 * `field: problem` for each zod issue, the field first, so a client knows what to fix. A missing field is
 * `required`; a field of the wrong type says what was expected and what came (the issues must carry their
 * input: parse with `reportInput: true`).
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
      if (issue.code === 'unrecognized_keys') {
        // Inside a list or an object (`items.0`), say where: "items.0: unknown field price".
        const where = issue.path.length > 0 ? `${field}: ` : '';
        return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      }
      if (issue.code === 'invalid_type') {
        if (issue.input === undefined) return `${field}: required`;
        return `${field}: expected ${ARTICLE[issue.expected] ?? `a ${issue.expected}`}, got ${kindOf(issue.input)}`;
      }
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Parse `input` with `schema` or throw a 400 naming the fields. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}
