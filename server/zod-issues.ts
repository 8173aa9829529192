/**
 * Zod issues in words, the field first, so whoever wrote the input (a client's body, an environment variable, the
 * catalog, the price authority, PortOne's answer) knows what to fix. A missing field is `required`; a field of the
 * wrong type says what was expected and what came: the issues must carry their input (parse with
 * `reportInput: true`).
 */
import type { z } from 'zod';

/** What a JSON value is, for "expected a number, got a string". */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const ARTICLE: Record<string, string> = { array: 'an array', object: 'an object', integer: 'an integer' };

/** What is wrong, without where: `required`, `expected a number, got a string`, `unknown field x`, or zod's message. */
export function issueProblem(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'required';
    return `expected ${ARTICLE[issue.expected] ?? `a ${issue.expected}`}, got ${kindOf(issue.input)}`;
  }
  return issue.message;
}

/** `field: problem`; `whole` names the input itself (`body: expected an object, got an array`). */
function describeIssue(issue: z.core.$ZodIssue, whole: string): string {
  // Unknown fields of the input itself name themselves ("unknown field price"); deeper ones say where ("items.0: …").
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) return issueProblem(issue);
  return `${issue.path.length > 0 ? issue.path.join('.') : whole}: ${issueProblem(issue)}`;
}

/** Every issue, `; `-separated, for one message. */
export function describeZodError(error: z.ZodError, whole = 'body'): string {
  return error.issues.map((issue) => describeIssue(issue, whole)).join('; ');
}
