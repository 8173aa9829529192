// Types for prerequisites.mjs, for the TypeScript that imports it (test/server/setup.test.ts).
import type { Found, Lacking } from '../test/support/engines.mjs';

export interface Where {
  env?: Record<string, string | undefined>;
  root?: string;
}
export type PostgresFound = { ok: true; url?: string; versions?: string[] } | { ok: false; missing: string; lacking: Lacking[] };
export interface Requirement {
  name: string;
  why: string;
  found: Found | PostgresFound;
}
export function locatePostgres(where?: Where): PostgresFound;
export function requirementsFor(only: string[], where?: Where): Requirement[];
export function ensurePrerequisites(options?: Where & { only?: string[]; uid?: number; log?: (line: string) => void }): {
  ok: boolean;
  installed: string[];
};
