// Types for engines.mjs, for the TypeScript that imports it (the end-to-end suite).
export type EngineName = 'chromium' | 'firefox' | 'webkit';
export type Found =
  | { ok: true; executablePath?: string; driverPath?: string; miniBrowserPath?: string; xvfbPath?: string }
  | { ok: false; missing: string; lacking: Lacking[] };
/** A program not found: the Debian package that provides it, and the variable that points at one a person has. */
export interface Lacking {
  what: string;
  debianPackage: string;
  envVar: string;
}
/** Where `locate` looks: `env` (PATH and the *_PATH variables; process.env) and fixed paths under `root` ("/"). */
export interface Where {
  env?: Record<string, string | undefined>;
  root?: string;
}
export interface Engine {
  name: EngineName;
  label: string;
  locate(where?: Where): Found;
}
export const engines: Engine[];
export function selectedEngines(list?: string, where?: Where): Array<Engine & { found: Found }>;
export function skippedLine(engine: Engine & { found: Found }): string;
