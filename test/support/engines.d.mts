// Types for engines.mjs, for the TypeScript that imports it (the end-to-end suite).
export type EngineName = 'chromium' | 'firefox' | 'webkit';
export type Found =
  | { ok: true; executablePath?: string; driverPath?: string; miniBrowserPath?: string; xvfbPath?: string }
  | { ok: false; missing: string };
export interface Engine {
  name: EngineName;
  label: string;
  locate(): Found;
}
export const engines: Engine[];
export function selectedEngines(list?: string): Array<Engine & { found: Found }>;
export function skippedLine(engine: Engine & { found: Found }): string;
